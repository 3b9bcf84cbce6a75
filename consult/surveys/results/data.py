"""A survey's counts (from the database, see `tally`) and the overview: responses, period, weeks, channels."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from consult.extensions import db
from consult.surveys.models import Channel, Question, QuestionType, Survey, SurveyPage
from consult.surveys.results.tally import Tally, tally
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

@dataclass
class SurveyData:
    """A survey's counts (`tally.Tally`, from the database), shared by the computations of a page."""

    survey: Survey
    tally: Tally

    @cached_property
    def communes(self) -> list[Commune]:
        """The communes of the survey's territory, by name (read once for the figures of a page)."""
        return survey_communes(self.survey)

    @property
    def total(self) -> int:
        """How many responses the survey has."""
        return self.tally.total

    def asked(self, question: Question) -> int:
        """How many responses the question was shown to (its page's and its own condition)."""
        return self.tally.asked(question)


def questionnaire(survey: Survey) -> Survey:
    """The survey with its pages, questions and options loaded in three queries (once per session)."""
    if "pages" not in survey.__dict__:
        pages = db.session.scalars(
            select(SurveyPage).where(SurveyPage.survey_id == survey.id).order_by(SurveyPage.position)
            .options(selectinload(SurveyPage.questions).selectinload(Question.options))).all()
        set_committed_value(survey, "pages", list(pages))
    return survey


def load(survey: Survey) -> SurveyData:
    """The survey's counts: read from the stored tally, the responses not counted yet added (see `tally`)."""
    return SurveyData(survey, tally(questionnaire(survey)))


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
    per_day, by_channel = Counter(), Counter()
    for day, channel, _category, n in data.tally.responses:
        per_day[day] += n
        by_channel[channel] += n
    weeks: list[tuple[dt.date, int]] = []
    if per_day:
        per_week = Counter()
        for day, n in per_day.items():
            per_week[day - dt.timedelta(days=day.weekday())] += n
        monday = min(per_week)
        while monday <= max(per_week):
            weeks.append((monday, per_week.get(monday, 0)))
            monday += dt.timedelta(days=7)
    return Overview(sum(per_day.values()), min(per_day, default=None), max(per_day, default=None), weeks,
                    [(channel, by_channel.get(channel.value, 0)) for channel in Channel])




def survey_communes(survey: Survey) -> list[Commune]:
    """The communes of the survey's territory, by name."""
    return list(db.session.scalars(
        select(Commune).where(Commune.territory_id == survey.territory_id).order_by(Commune.name)))
