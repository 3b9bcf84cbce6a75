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
from statistics import NormalDist
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select, text

from consult.core.time import week_start
from consult.extensions import db
from consult.surveys import results
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


# The hidden hardship of a respondent, drawn among these levels (a normal law cut in steps of a quarter): every
# answer's law is worked out once per question and level, so a draw is one random number and a bisection.
HARDSHIP = [-2.5 + 0.25 * step for step in range(21)]
HARDSHIP_LEVELS = Picker(list(range(len(HARDSHIP))), [NormalDist().pdf(h) for h in HARDSHIP])


def _steps(dist: NormalDist, bounds: list[float]) -> list[float]:
    """Probabilities of the intervals between `bounds` (first and last open-ended) under `dist`."""
    cumulative = [dist.cdf(bound) for bound in bounds] + [1.0]
    return [high - low for low, high in zip([0.0, *cumulative[:-1]], cumulative)]


class Asker:
    """One question's way of being answered: `answer(rng, level, data)` adds its entries to `data` (level: the
    respondent's hardship level), and `rows(data, response_id, ids)` gives its answer rows."""

    def __init__(self, question: Question, rng: random.Random, communes: list[Commune], today: dt.date) -> None:
        # Plain values only: the questionnaire's objects expire at each chunk's commit.
        self.question_id = question.id
        self.code = question.code
        self.other_key = answer_rules.other_key(question)
        self.kind = kind = question.type
        self.condition = SimpleNamespace(condition_code=question.condition_code,
                                         condition_values=question.condition_values) if question.condition_code else None
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
        # Where this question's answers lean on its scale (0: first option, 1: last), how widely they spread.
        centre, self.spread = rng.uniform(0.2, 0.55), rng.uniform(0.12, 0.22)
        self.weights = [rng.gammavariate(1.3, 1.0) + 0.1 for _o in choices]
        self.today = today
        self.answer = getattr(self, f"_answer_{ANSWERS[kind]}")
        self.rows = getattr(self, f"_rows_{ROWS[kind]}")
        if kind is T.COMMUNE:
            self.commune = Picker([c.insee_code for c in communes] + [answer_rules.OTHER_COMMUNE],
                                  [max(c.population, 30) for c in communes]
                                  + [0.02 * sum(c.population for c in communes)])
        elif kind in (T.SINGLE, T.AGE_BAND):
            weights = [w * (0.04 if o.code in self.aside or o.is_other else 1) for w, o in zip(self.weights, choices)]
            self.single = Picker(self.choices, weights)
        elif kind in (T.LIKERT, T.MATRIX):
            self.rows_codes = [o.code for o in question.rows]
            centres = [min(0.9, max(0.05, centre + rng.gauss(0, 0.12))) for _r in self.rows_codes] or [centre]
            self.ordered = [self._ordered_levels(row_centre) for row_centre in centres]
        elif kind is T.YES_NO:
            lean = math.log(1 / rng.uniform(0.25, 0.7) - 1)
            self.yes = [1 / (1 + math.exp(lean - 0.7 * h)) for h in HARDSHIP]
        elif kind is T.RATING:
            low, high = int(self.min_value or 0), int(self.max_value if self.max_value is not None else 10)
            mean, values = rng.uniform(5.5, 7.5), list(range(low, high + 1))
            self.rating = [Picker(values, _steps(NormalDist(mean - 1.2 * h, 1.8), [v + 0.5 for v in values[:-1]]))
                           for h in HARDSHIP]
        elif kind is T.NUMBER:
            self.centre = centre

    def _ordered_levels(self, centre: float) -> list[Picker]:
        """For each hardship level, the law of the option chosen on the ordered scale: the place
        centre + spread × (0.9 × hardship + noise) rounded to the nearest option."""
        last = len(self.scale) - 1
        bounds = [((k + 0.5) / last - centre) / self.spread for k in range(last)] if last else []
        return [Picker(self.scale, _steps(NormalDist(0.9 * h, 1), bounds)) for h in HARDSHIP]

    def _skipped(self, rng: random.Random) -> bool:
        return bool(self.skip) and rng.random() < self.skip

    def _answer_single(self, rng: random.Random, level: int, data: dict) -> None:
        if not self._skipped(rng):
            value = data[self.code] = self.single(rng)
            if value == self.other:
                data[self.other_key] = rng.choice(OTHER_TEXTS)

    def _pick_ordered(self, rng: random.Random, pickers: list[Picker], level: int) -> str:
        if self.aside and rng.random() < 0.05:
            return rng.choice(self.aside)
        return pickers[level](rng)

    def _answer_likert(self, rng: random.Random, level: int, data: dict) -> None:
        if not self._skipped(rng):
            data[self.code] = self._pick_ordered(rng, self.ordered[0], level)

    def _answer_yes_no(self, rng: random.Random, level: int, data: dict) -> None:
        if not self._skipped(rng):
            data[self.code] = self.scale[0] if rng.random() < self.yes[level] else self.scale[-1]

    def _answer_rating(self, rng: random.Random, level: int, data: dict) -> None:
        if not self._skipped(rng):
            data[self.code] = self.rating[level](rng)

    def _answer_number(self, rng: random.Random, level: int, data: dict) -> None:
        if self._skipped(rng):
            return
        low, high, hardship = self.min_value, self.max_value, HARDSHIP[level]
        if low is not None and high is not None:
            value = min(high, max(low, rng.triangular(low, high, low + (high - low) * self.centre) - hardship))
            data[self.code] = round(value) if float(low).is_integer() and float(high).is_integer() else round(value, 1)
            return
        value = round(rng.lognormvariate(2.5, 0.8))
        data[self.code] = min(max(value, low if low is not None else value), high if high is not None else value)

    def _answer_text(self, rng: random.Random, level: int, data: dict) -> None:
        if rng.random() < 0.3:
            data[self.code] = rng.choice(IDEAS)[:self.max_length or answer_rules.TEXT_LIMIT[self.kind]]

    def _answer_date(self, rng: random.Random, level: int, data: dict) -> None:
        if not self._skipped(rng):
            data[self.code] = (self.today - dt.timedelta(days=rng.randint(0, 700))).isoformat()

    def _answer_commune(self, rng: random.Random, level: int, data: dict) -> None:
        if not self._skipped(rng):
            data[self.code] = self.commune(rng)

    def _answer_matrix(self, rng: random.Random, level: int, data: dict) -> None:
        if self._skipped(rng):
            return
        every_row = self.scored or self.required
        cells = {row: self._pick_ordered(rng, pickers, level) for row, pickers in zip(self.rows_codes, self.ordered)
                 if every_row or rng.random() > 0.03}
        if cells:
            data[self.code] = cells

    def _answer_multiple(self, rng: random.Random, level: int, data: dict) -> None:
        if self._skipped(rng):
            return
        total = sum(self.weights)
        chosen = [code for code, w in zip(self.choices, self.weights)
                  if rng.random() < min(0.8, 1.8 * w / total * (0.15 if code == self.other else 1))]
        if not chosen:
            chosen = [Picker(self.choices, self.weights)(rng)]
        exclusive = [code for code in self.exclusive if code in chosen]
        if exclusive:
            chosen = exclusive[:1]
        chosen = chosen[:self.max_choices or len(chosen)]
        while len(chosen) < (self.min_choices or 0):
            chosen.append(rng.choice([code for code in self.choices if code not in chosen]))
        data[self.code] = chosen
        if self.other in chosen:
            data[self.other_key] = rng.choice(OTHER_TEXTS)

    def _answer_ranking(self, rng: random.Random, level: int, data: dict) -> None:
        if self._skipped(rng):
            return
        codes = self.choices
        low = max(1, self.min_choices or 1)
        high = min(len(codes), self.max_choices or len(codes))
        count = high if rng.random() < 0.75 else rng.randint(low, high)
        if not hasattr(self, "ranked"):
            self.ranked = Picker(codes, self.weights)
        ranked: list[str] = []
        while len(ranked) < count:  # weighted draws without replacement: draw again what is already ranked
            code = self.ranked(rng)
            if code not in ranked:
                ranked.append(code)
        data[self.code] = ranked

    def _rows_option(self, data: dict, response_id: int, ids: Callable[[], int]) -> list[tuple]:
        value = data.get(self.code)
        if value is None:
            return []
        text = data.get(self.other_key) if value == self.other else None
        return [(ids(), response_id, self.question_id, self.by_code[value], None, text, None, None)]

    def _rows_options(self, data: dict, response_id: int, ids: Callable[[], int]) -> list[tuple]:
        value = data.get(self.code)
        if value is None:
            return []
        question_id, options, other = self.question_id, self.by_code, self.other
        return [(ids(), response_id, question_id, options[v], None, data.get(self.other_key) if v == other else None,
                 None, None) for v in value]

    def _rows_number(self, data: dict, response_id: int, ids: Callable[[], int]) -> list[tuple]:
        value = data.get(self.code)
        return [] if value is None else [(ids(), response_id, self.question_id, None, None, None, float(value), None)]

    def _rows_text(self, data: dict, response_id: int, ids: Callable[[], int]) -> list[tuple]:
        value = data.get(self.code)
        return [] if value is None else [(ids(), response_id, self.question_id, None, None, str(value), None, None)]

    def _rows_ranking(self, data: dict, response_id: int, ids: Callable[[], int]) -> list[tuple]:
        value = data.get(self.code)
        if value is None:
            return []
        question_id, options = self.question_id, self.by_code
        return [(ids(), response_id, question_id, options[v], None, None, None, rank)
                for rank, v in enumerate(value, start=1)]

    def _rows_matrix(self, data: dict, response_id: int, ids: Callable[[], int]) -> list[tuple]:
        value = data.get(self.code)
        if value is None:
            return []
        question_id, options = self.question_id, self.by_code
        return [(ids(), response_id, question_id, options[column], options[row], None, None, None)
                for row, column in value.items()]


# Which `_answer_…` and `_rows_…` method each type uses (rows as `answering.answers.answer_rows` stores them).
ANSWERS = {T.SINGLE: "single", T.AGE_BAND: "single", T.LIKERT: "likert", T.YES_NO: "yes_no", T.RATING: "rating",
           T.NUMBER: "number", T.SHORT_TEXT: "text", T.LONG_TEXT: "text", T.DATE: "date", T.COMMUNE: "commune",
           T.MATRIX: "matrix", T.MULTIPLE: "multiple", T.RANKING: "ranking"}
ROWS = {T.SINGLE: "option", T.AGE_BAND: "option", T.LIKERT: "option", T.YES_NO: "option", T.RATING: "number",
        T.NUMBER: "number", T.SHORT_TEXT: "text", T.LONG_TEXT: "text", T.DATE: "text", T.COMMUNE: "text",
        T.MATRIX: "matrix", T.MULTIPLE: "options", T.RANKING: "ranking"}


class Respondents:
    """Draws whole questionnaires of one survey: answers page by page, conditions followed."""

    def __init__(self, survey: Survey, rng: random.Random, *, today: dt.date) -> None:
        communes = list(db.session.scalars(select(Commune).where(Commune.territory_id == survey.territory_id)
                                           .order_by(Commune.insee_code)))
        self.pages = [(SimpleNamespace(condition_code=page.condition_code, condition_values=page.condition_values)
                       if page.condition_code else None, [Asker(q, rng, communes, today) for q in page.questions]) for page in survey.pages]

    def draw(self, rng: random.Random) -> dict:
        """One respondent's answers, keyed by question code (the shape `services.validate_all` takes)."""
        level = HARDSHIP_LEVELS(rng)
        data: dict = {}
        for page, askers in self.pages:
            if page is not None and not answer_rules.is_visible(page, data):
                continue
            for asker in askers:
                if asker.condition is None or answer_rules.is_visible(asker.condition, data):
                    asker.answer(rng, level, data)
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
    # Counted into the survey's stored tally as they arrive, here: left to the first results page, 90,000 new
    # responses would take that page ~25 s of CPU and a web worker ~15 MB that it keeps. On PostgreSQL the tables'
    # statistics are brought up to date first (as after any bulk load): planned on the statistics of a tenth of
    # the rows, or of none, the count's GROUP BYs can take minutes instead of seconds.
    if bulk.postgresql:
        db.session.execute(text("ANALYZE responses, answers"))
    results.load(survey)
    bulk.commit()
    bulk.report(f"  results: {count:,} responses counted")
