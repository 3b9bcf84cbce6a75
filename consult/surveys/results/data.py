"""Loading a survey's answers once (two queries) and the overview: responses, period, weeks, channels."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from consult.accounts.models import Category, User
from consult.extensions import db
from consult.surveys.answering import answers as answer_rules
from consult.surveys.models import Answer, Channel, Option, Question, QuestionType, Response, Survey
from consult.territories.models import Commune

T = QuestionType
TEXT_TYPES = frozenset({T.SHORT_TEXT, T.LONG_TEXT})
NOT_STATED = "_none"


def disclosure_threshold(survey: Survey) -> int:
    """k: the survey's own minimum cell size, else the instance's (DISCLOSURE_THRESHOLD, 11 by default),
    never below the k pinned once the survey had responses (`Survey.disclosure_floor`)."""
    return survey.effective_threshold(site_threshold())


def site_threshold() -> int:
    """The instance's k (DISCLOSURE_THRESHOLD), for surveys that do not set their own."""
    return current_app.config["DISCLOSURE_THRESHOLD"]


def pin_disclosure_threshold(survey: Survey) -> None:
    """Record the k in force as the survey's floor (first response, publication, settings saved once
    answered): whatever the survey's or the site's setting becomes, k no longer goes down."""
    survey.pin_threshold(site_threshold())


# --- loading ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerRow:
    response_id: int
    option_id: int | None
    row_id: int | None
    text: str | None
    number: float | None
    rank: int | None


@dataclass(frozen=True)
class ResponseFacts:
    channel: Channel
    day: dt.date
    category: Category | None  # the account's category (identified surveys only)


@dataclass
class SurveyData:
    """Every response and answer of a survey, read once and shared by the computations of a page."""

    survey: Survey
    responses: dict[int, ResponseFacts]
    answers: dict[int, list[AnswerRow]]  # by question id
    options: dict[int, Option]
    _visible: dict[int, set[int]] = field(default_factory=dict)

    def of(self, question: Question) -> list[AnswerRow]:
        return self.answers.get(question.id, [])

    def asked(self, question: Question) -> set[int]:
        """Ids of the responses to which the question was shown (its page's and its own condition)."""
        if question.id not in self._visible:
            if not question.condition_code and not question.page.condition_code:
                self._visible[question.id] = set(self.responses)
            else:
                data = self._condition_data()
                self._visible[question.id] = {
                    rid for rid in self.responses
                    if answer_rules.is_visible(question.page, data[rid]) and answer_rules.is_visible(question, data[rid])
                }
        return self._visible[question.id]

    def _condition_data(self) -> dict[int, dict]:
        """Per response, the answers that conditions test, in the answer format (codes)."""
        codes = {q.condition_code for q in self.survey.questions if q.condition_code}
        codes |= {p.condition_code for p in self.survey.pages if p.condition_code}
        data: dict[int, dict] = {rid: {} for rid in self.responses}
        for question in self.survey.questions:
            if question.code not in codes:
                continue
            for row in self.of(question):
                option = self.options.get(row.option_id)
                if option is None:
                    continue
                if question.type is T.MULTIPLE:
                    data[row.response_id].setdefault(question.code, []).append(option.code)
                else:
                    data[row.response_id][question.code] = option.code
        return data


def load(survey: Survey) -> SurveyData:
    """Read the survey's responses and answers (two queries)."""
    facts = {
        rid: ResponseFacts(channel, day, category)
        for rid, channel, day, category in db.session.execute(
            select(Response.id, Response.channel, Response.submitted_on, User.category)
            .outerjoin(User, User.id == Response.user_id)
            .where(Response.survey_id == survey.id)
        )
    }
    answers: dict[int, list[AnswerRow]] = defaultdict(list)
    rows = db.session.execute(
        select(Answer.question_id, Answer.response_id, Answer.option_id, Answer.row_id, Answer.value_text,
               Answer.value_number, Answer.rank)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id)
        .order_by(Answer.response_id, Answer.id)
    )
    for question_id, *values in rows:
        answers[question_id].append(AnswerRow(*values))
    options = {o.id: o for q in survey.questions for o in q.options}
    return SurveyData(survey, facts, dict(answers), options)


# --- overview -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overview:
    """How many responses, when, and through which channel."""

    responses: int
    first_day: dt.date | None
    last_day: dt.date | None
    weeks: list[tuple[dt.date, int]]          # (Monday, responses that week), empty weeks included
    channels: list[tuple[Channel, int]]       # every channel, in the enum's order


def overview(survey: Survey, data: SurveyData | None = None) -> Overview:
    """Number of responses, collection period, responses per week and per channel."""
    data = data or load(survey)
    days = [f.day for f in data.responses.values()]
    by_channel = Counter(f.channel for f in data.responses.values())
    weeks: list[tuple[dt.date, int]] = []
    if days:
        per_week = Counter(day - dt.timedelta(days=day.weekday()) for day in days)
        monday = min(per_week)
        while monday <= max(per_week):
            weeks.append((monday, per_week.get(monday, 0)))
            monday += dt.timedelta(days=7)
    return Overview(len(days), min(days, default=None), max(days, default=None), weeks,
                    [(channel, by_channel.get(channel, 0)) for channel in Channel])




def survey_communes(survey: Survey) -> list[Commune]:
    return list(db.session.scalars(
        select(Commune).where(Commune.territory_id == survey.territory_id).order_by(Commune.name)))
