"""Survey responses in bulk: plausible answers that follow the questionnaire's conditions, spread over months.

Each respondent has a hidden « hardship » (a normal draw): it moves their answers on every ordered scale the same
way (health, access, loneliness, well-being), their chance to answer yes to a yes/no question and their rating, so
that questions correlate as in real surveys and breakdowns differ between groups. Each question gets its own
leaning, drawn once from the seed. A question or page whose condition is not met is never answered; required
questions always are, optional ones mostly. Answers become rows the way `answering.answers.answer_rows` stores them.
"""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Callable
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select

from consult.core.time import week_start
from consult.extensions import db
from consult.surveys import services as survey_services
from consult.surveys.answering import answers as answer_rules
from consult.surveys.models import Answer, Channel, Question, QuestionType, Response, Survey, with_questionnaire
from consult.territories.models import Commune
from consult.volume.bulk import Bulk
from consult.volume.names import IDEAS, OTHER_TEXTS

T = QuestionType
# Options that stand aside an ordered scale (« Pas concerné·e », « Je préfère ne pas répondre »…): rarely chosen.
ASIDE = ("pas concerné", "je préfère ne pas", "je ne sais pas", "je n'y vais jamais", "autre ou non précisé")
EXCLUSIVE = ("aucun",)  # « Aucun de ces problèmes » is chosen alone
CHANNELS = [(Channel.WEB, 70), (Channel.PAPER, 20), (Channel.PHONE, 4), (Channel.WORKSHOP, 6)]
RESPONSES_PER_CHUNK = 5_000
ANSWER_COLUMNS = ("id", "response_id", "question_id", "option_id", "row_id", "value_text", "value_number", "rank")
RESPONSE_COLUMNS = ("id", "survey_id", "channel", "submitted_on", "dedupe_key", "user_id", "keyed_by_id",
                    "paper_number")


def _is(label: str, prefixes: tuple[str, ...]) -> bool:
    return label.strip().lower().startswith(prefixes)


class Picker:
    """Draws among weighted values with one random number (cumulative weights, bisect)."""

    def __init__(self, values: list, weights: list[float]) -> None:
        self.values = values
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


class Asker:
    """One question's way of being answered: `answer(rng, hardship, data)` adds its entries to `data`, and
    `rows(data, response_id, ids)` gives its answer rows."""

    def __init__(self, question: Question, rng: random.Random, communes: list[Commune], today: dt.date) -> None:
        # Plain values only: the questionnaire's objects expire at each chunk's commit.
        self.question_id = question.id
        self.code = question.code
        self.kind = question.type
        self.condition = SimpleNamespace(condition_code=question.condition_code,
                                         condition_values=question.condition_values)
        self.required, self.scored = question.required, question.scored
        self.min_choices, self.max_choices = question.min_choices, question.max_choices
        self.min_value, self.max_value = question.min_value, question.max_value
        self.max_length = question.max_length
        self.skip = 0.0 if question.required else rng.uniform(0.02, 0.08)
        choices = question.choices
        self.choices = [o.code for o in choices]
        self.exclusive = [o.code for o in choices if _is(o.label, EXCLUSIVE)]
        self.by_code = {o.code: o.id for o in question.options}
        self.other = next((o.code for o in choices if o.is_other), None)
        self.aside = [o.code for o in choices if _is(o.label, ASIDE)]
        self.scale = [o.code for o in choices if o.code not in self.aside and not o.is_other]
        # Where this question's answers lean on its scale (0: first option, 1: last).
        self.centre = rng.uniform(0.2, 0.55)
        self.spread = rng.uniform(0.12, 0.22)
        self.weights = [rng.gammavariate(1.3, 1.0) + 0.1 for _o in choices]
        self.rows_codes = [o.code for o in question.rows]
        self.row_centres = [min(0.9, max(0.05, self.centre + rng.gauss(0, 0.12))) for _r in self.rows_codes]
        self.yes = rng.uniform(0.25, 0.7)
        self.mean = rng.uniform(5.5, 7.5)
        self.today = today
        if self.kind is T.COMMUNE:
            self.commune = Picker([c.insee_code for c in communes] + [answer_rules.OTHER_COMMUNE],
                                  [max(c.population, 30) for c in communes]
                                  + [0.02 * sum(c.population for c in communes)])
        if self.kind in (T.SINGLE, T.AGE_BAND):
            weights = [w * (0.04 if o.code in self.aside or o.is_other else 1) for w, o in zip(self.weights, choices)]
            self.single = Picker([o.code for o in choices], weights)

    def _ordered(self, rng: random.Random, hardship: float, centre: float, scale: list[str]) -> str:
        if self.aside and rng.random() < 0.05:
            return rng.choice(self.aside)
        place = centre + self.spread * (0.9 * hardship + rng.gauss(0, 1.0))
        return scale[min(len(scale) - 1, max(0, round(place * (len(scale) - 1))))]

    def answer(self, rng: random.Random, hardship: float, data: dict) -> None:
        if self.skip and rng.random() < self.skip:
            return
        kind, code = self.kind, self.code
        if kind in (T.SINGLE, T.AGE_BAND):
            value = data[code] = self.single(rng)
            if value == self.other:
                data[f"{code}.other"] = rng.choice(OTHER_TEXTS)
        elif kind is T.LIKERT:
            data[code] = self._ordered(rng, hardship, self.centre, self.scale)
        elif kind is T.YES_NO:
            chance = 1 / (1 + math.exp(-(math.log(self.yes / (1 - self.yes)) + 0.7 * hardship)))
            data[code] = self.scale[0] if rng.random() < chance else self.scale[-1]
        elif kind is T.MULTIPLE:
            self._multiple(rng, data)
        elif kind is T.RATING:
            low, high = self.min_value or 0, self.max_value or 10
            data[code] = int(min(high, max(low, round(rng.gauss(self.mean - 1.2 * hardship, 1.8)))))
        elif kind is T.NUMBER:
            data[code] = self._number(rng, hardship)
        elif kind in (T.SHORT_TEXT, T.LONG_TEXT):
            if rng.random() < 0.3:
                limit = self.max_length or answer_rules.TEXT_LIMIT[kind]
                data[code] = rng.choice(IDEAS)[:limit]
        elif kind is T.DATE:
            data[code] = (self.today - dt.timedelta(days=rng.randint(0, 700))).isoformat()
        elif kind is T.COMMUNE:
            data[code] = self.commune(rng)
        elif kind is T.RANKING:
            self._ranking(rng, data)
        elif kind is T.MATRIX:
            cells = {}
            for row, centre in zip(self.rows_codes, self.row_centres):
                if self.scored or self.required or rng.random() > 0.03:
                    cells[row] = self._ordered(rng, hardship, centre, self.scale)
            if cells:
                data[code] = cells

    def _multiple(self, rng: random.Random, data: dict) -> None:
        total = sum(self.weights)
        chosen = [code for code, w in zip(self.choices, self.weights)
                  if rng.random() < min(0.8, 1.8 * w / total * (0.15 if code == self.other else 1))]
        if not chosen:
            chosen = [Picker(self.choices, self.weights)(rng)]
        exclusive = [code for code in self.exclusive if code in chosen]
        if exclusive:
            chosen = exclusive[:1]
        high = self.max_choices or len(chosen)
        chosen = chosen[:high]
        while len(chosen) < (self.min_choices or 0):
            chosen.append(rng.choice([code for code in self.choices if code not in chosen]))
        data[self.code] = chosen
        if self.other in chosen:
            data[f"{self.code}.other"] = rng.choice(OTHER_TEXTS)

    def _number(self, rng: random.Random, hardship: float):
        low, high = self.min_value, self.max_value
        if low is not None and high is not None:
            value = min(high, max(low, rng.triangular(low, high, low + (high - low) * self.centre) - hardship))
            return round(value) if float(low).is_integer() and float(high).is_integer() else round(value, 1)
        value = round(rng.lognormvariate(2.5, 0.8))
        return min(max(value, low if low is not None else value), high if high is not None else value)

    def _ranking(self, rng: random.Random, data: dict) -> None:
        codes = self.choices
        low = max(1, self.min_choices or 1)
        high = min(len(codes), self.max_choices or len(codes))
        count = high if rng.random() < 0.75 else rng.randint(low, high)
        weights = dict(zip(codes, self.weights))
        ranked = []
        for _n in range(count):
            left = [c for c in codes if c not in ranked]
            ranked.append(Picker(left, [weights[c] for c in left])(rng))
        data[self.code] = ranked

    def rows(self, data: dict, response_id: int, ids: Callable[[], int]) -> list[tuple]:
        """The answer rows of this question (id, response, question, option, row, text, number, rank)."""
        value = data.get(self.code)
        if value is None:
            return []
        kind, question_id, options = self.kind, self.question_id, self.by_code
        if kind in answer_rules.SINGLE_VALUE_TYPES:
            text = data.get(f"{self.code}.other") if value == self.other else None
            return [(ids(), response_id, question_id, options[value], None, text, None, None)]
        if kind is T.MULTIPLE:
            return [(ids(), response_id, question_id, options[v], None,
                     data.get(f"{self.code}.other") if v == self.other else None, None, None) for v in value]
        if kind in (T.RATING, T.NUMBER):
            return [(ids(), response_id, question_id, None, None, None, float(value), None)]
        if kind is T.RANKING:
            return [(ids(), response_id, question_id, options[v], None, None, None, rank)
                    for rank, v in enumerate(value, start=1)]
        if kind is T.MATRIX:
            return [(ids(), response_id, question_id, options[column], options[row], None, None, None)
                    for row, column in value.items()]
        return [(ids(), response_id, question_id, None, None, str(value), None, None)]


class Respondents:
    """Draws whole questionnaires of one survey: answers page by page, conditions followed."""

    def __init__(self, survey: Survey, rng: random.Random, *, today: dt.date) -> None:
        communes = list(db.session.scalars(select(Commune).where(Commune.territory_id == survey.territory_id)
                                           .order_by(Commune.insee_code)))
        self.pages = [(SimpleNamespace(condition_code=page.condition_code, condition_values=page.condition_values),
                       [Asker(q, rng, communes, today) for q in page.questions]) for page in survey.pages]

    def draw(self, rng: random.Random) -> dict:
        """One respondent's answers, keyed by question code (the shape `services.validate_all` takes)."""
        hardship = rng.gauss(0, 1)
        data: dict = {}
        for page, askers in self.pages:
            if not answer_rules.is_visible(page, data):
                continue
            for asker in askers:
                if answer_rules.is_visible(asker.condition, data):
                    asker.answer(rng, hardship, data)
        return data

    def rows(self, data: dict, response_id: int, ids: Callable[[], int]) -> list[tuple]:
        return [row for _page, askers in self.pages for asker in askers for row in asker.rows(data, response_id, ids)]


def collection_day(rng: random.Random, today: dt.date, days: int) -> dt.date:
    """When a questionnaire came in over a campaign of `days` days ending today: many at the launch, a bump at
    the reminder half-way, the rest spread."""
    draw = rng.random()
    if draw < 0.45:
        offset = min(days - 1, int(rng.expovariate(1 / 10)))
    elif draw < 0.65:
        offset = min(days - 1, max(0, int(rng.gauss(days / 2, 6))))
    else:
        offset = rng.randrange(days)
    return today - dt.timedelta(days=days - 1 - offset)


def add_responses(bulk: Bulk, survey: Survey, count: int, rng: random.Random, *, today: dt.date,
                  keyed_by_id: int | None, days: int = 180) -> None:
    """Add `count` responses to `survey` (loaded with its questionnaire), one transaction per chunk."""
    survey = db.session.scalar(select(Survey).where(Survey.id == survey.id).options(*with_questionnaire()))
    survey_id = survey.id
    respondents = Respondents(survey, rng, today=today)
    channels = Picker([c.value for c, _w in CHANNELS], [w for _c, w in CHANNELS])
    done = 0
    while done < count:
        size = min(RESPONSES_PER_CHUNK, count - done)
        first = bulk.next_ids(Response.__table__, size)
        drawn = [respondents.draw(rng) for _n in range(size)]
        answer_ids = itertools.count(bulk.next_ids(Answer.__table__, 0))
        ids = answer_ids.__next__
        responses, answers = [], []
        for number, data in enumerate(drawn):
            response_id = first + number
            channel = channels(rng)
            # A response of no account keeps only its week; a keyed-in one its coordinator and, on paper, a number.
            day = week_start(collection_day(rng, today, days))
            source = "browser" if channel == Channel.WEB.value else "entry"
            key = survey_services.dedupe_key(survey, f"{source}:volume-{response_id}")
            keyed = None if channel == Channel.WEB.value else keyed_by_id
            number_on_paper = f"{response_id:06d}" if channel == Channel.PAPER.value and rng.random() < 0.6 else None
            responses.append((response_id, survey_id, channel, day, key, None, keyed, number_on_paper))
            answers.extend(respondents.rows(data, response_id, ids))
        bulk.next_ids(Answer.__table__, len(answers))
        bulk.insert(Response.__table__, RESPONSE_COLUMNS, responses)
        bulk.insert(Answer.__table__, ANSWER_COLUMNS, answers)
        if survey.disclosure_floor is None:
            survey.pin_threshold(current_app.config["DISCLOSURE_THRESHOLD"])  # the k promised to respondents
        bulk.commit()
        done += size
        bulk.report(f"  responses: {done:,}/{count:,} ({bulk.written.get('answers', 0):,} answers)")
