"""Survey results computed from the stored answers: counts, means, distributions, scores, time series,
cross-tabulations and representativeness — exact figures, as plain dataclasses — and publishing them.

Nothing here hides anything: `presentation` applies disclosure control before a figure is shown.
Every percentage uses as base the respondents who answered the question (for a conditional question,
among those who were asked it). Results are unweighted.
"""
from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.accounts.models import Category, User
from consult.core.text import fold
from consult.errors import Conflict, PermissionDenied
from consult.extensions import db
from consult.surveys import answers as answer_rules
from consult.surveys import permissions
from consult.surveys.models import Answer, Channel, Option, Question, QuestionType, Response, Survey, SurveyStatus
from consult.territories.models import Commune

T = QuestionType
TEXT_TYPES = frozenset({T.SHORT_TEXT, T.LONG_TEXT})
NOT_STATED = "_none"


def disclosure_threshold(survey: Survey) -> int:
    """k: the survey's own minimum cell size, else the instance's (DISCLOSURE_THRESHOLD, 11 by default)."""
    return survey.disclosure_threshold or current_app.config["DISCLOSURE_THRESHOLD"]


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


# --- per question -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Count:
    """How many respondents gave one answer (an option, a commune, a value, a band)."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ChoiceResult:
    """A closed question: each option's count. For a multiple choice, each option is counted once per
    respondent who ticked it (never each combination): the percentages add up to more than 100."""

    question: Question
    asked: int
    answered: int
    counts: list[Count]
    multiple: bool = False
    other_texts: int = 0
    mean_position: float | None = None    # Likert: options numbered 1..k in their order
    median_position: float | None = None

    kind = "choice"

    @property
    def additive(self) -> bool:
        return not self.multiple


@dataclass(frozen=True)
class Bin:
    """A band of values and how many answers fall in it; `label` says which values, e.g. "10–19"."""

    low: float
    high: float
    count: int
    label: str


def _number(value: float) -> str:
    return format_decimal(value, format="#,##0.##")


@dataclass(frozen=True)
class NumericResult:
    """A rating (0 to 10) or a number: n, mean, median, minimum, maximum and a distribution."""

    question: Question
    asked: int
    answered: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    bins: list[Bin]

    kind = "numeric"


@dataclass(frozen=True)
class MatrixRow:
    label: str
    answered: int
    counts: list[Count]


@dataclass(frozen=True)
class ScoreResult:
    """A scored scale (WHO-5-like): raw score = sum of the chosen options' scores over every item;
    percentage = raw × multiplier; "low" = percentage at or below the cut-off."""

    complete: int                 # respondents who answered every item
    mean_raw: float | None
    mean_percent: float | None
    median_percent: float | None
    max_percent: float
    bands: list[Bin]              # of the percentage
    low: int | None               # at or below the cut-off (None when the question has no cut-off)
    cutoff: float | None
    cutoff_label: str
    low_bands: int = 0            # the first `low_bands` bands are the ones at or below the cut-off


@dataclass(frozen=True)
class MatrixResult:
    """A matrix: the distribution of each item (row) over the scale; the score when it is scored."""

    question: Question
    asked: int
    answered: int
    columns: list[tuple[str, str]]   # (code, label) of the scale
    rows: list[MatrixRow]
    score: ScoreResult | None

    kind = "matrix"


@dataclass(frozen=True)
class RankedItem:
    label: str
    ranked: int            # respondents who placed it anywhere
    first: int             # respondents who placed it first
    mean_rank: float | None
    borda: int             # points: 1st = m points, 2nd = m-1… (m = positions to fill); unranked 0
    rank_counts: list[int]  # how many placed it 1st, 2nd…


@dataclass(frozen=True)
class RankingResult:
    """A ranking: mean rank, first places and Borda points of each item, best Borda first."""

    question: Question
    asked: int
    answered: int
    positions: int
    items: list[RankedItem]

    kind = "ranking"


@dataclass(frozen=True)
class TextResult:
    """A free-text question: only the number of answers (the texts are individual answers)."""

    question: Question
    asked: int
    answered: int

    kind = "text"


@dataclass(frozen=True)
class DateResult:
    """A date question: answers per month."""

    question: Question
    asked: int
    answered: int
    months: list[Count]

    kind = "date"


QuestionResult = ChoiceResult | NumericResult | MatrixResult | RankingResult | TextResult | DateResult


def question_result(survey: Survey, question: Question, data: SurveyData | None = None) -> QuestionResult:
    """The exact result of one question, according to its type."""
    data = data or load(survey)
    rows = data.of(question)
    asked = len(data.asked(question))
    answered = len({r.response_id for r in rows})
    kind = question.type
    if kind.is_closed:
        return _choice(survey, question, rows, asked, answered)
    if kind in (T.RATING, T.NUMBER):
        return _numeric(question, rows, asked)
    if kind is T.MATRIX:
        return _matrix(question, rows, asked, answered)
    if kind is T.RANKING:
        return _ranking(question, rows, asked, answered)
    if kind is T.DATE:
        return _dates(question, rows, asked)
    return TextResult(question, asked, sum(1 for r in rows if (r.text or "").strip()))


def survey_results(survey: Survey, data: SurveyData | None = None) -> list[QuestionResult]:
    """Every question's result, in the questionnaire's order."""
    data = data or load(survey)
    return [question_result(survey, q, data) for q in survey.questions]


def _choice(survey: Survey, question: Question, rows: list[AnswerRow], asked: int, answered: int) -> ChoiceResult:
    if question.type is T.COMMUNE:
        communes = _communes(survey)
        per_code = Counter(r.text for r in rows if r.text)
        counts = [Count(c.insee_code, c.name, per_code.pop(c.insee_code, 0)) for c in communes]
        counts += [Count(code, code, n) for code, n in sorted(per_code.items())]  # no longer in the territory
        return ChoiceResult(question, asked, answered, counts)
    per_option = Counter(r.option_id for r in rows)
    choices = question.choices
    counts = [Count(o.code, o.label, per_option.get(o.id, 0)) for o in choices]
    others = sum(1 for r in rows if r.text and r.option_id in {o.id for o in choices if o.is_other})
    mean = median = None
    if question.type is T.LIKERT and answered:
        position = {o.id: n for n, o in enumerate(choices, start=1)}
        values = [position[r.option_id] for r in rows if r.option_id in position]
        mean, median = statistics.fmean(values), statistics.median(values)
    return ChoiceResult(question, asked, answered, counts, multiple=question.type is T.MULTIPLE,
                        other_texts=others, mean_position=mean, median_position=median)


def _numeric(question: Question, rows: list[AnswerRow], asked: int) -> NumericResult:
    values = [r.number for r in rows if r.number is not None]
    if not values:
        return NumericResult(question, asked, 0, None, None, None, None, [])
    if question.type is T.RATING:
        low = int(question.min_value if question.min_value is not None else 0)
        high = int(question.max_value if question.max_value is not None else 10)
        per_value = Counter(int(v) for v in values)
        bins = [Bin(v, v, per_value.get(v, 0), _number(v)) for v in range(low, high + 1)]
    else:
        bins = histogram(values)
    return NumericResult(question, asked, len(values), statistics.fmean(values), statistics.median(values),
                         min(values), max(values), bins)


def histogram(values: Sequence[float], target: int = 6) -> list[Bin]:
    """About `target` bands [low, high) of a round width (1, 2, 5 × 10ⁿ) covering the values."""
    low, high = min(values), max(values)
    whole = all(float(v).is_integer() for v in values)
    if low == high:
        return [Bin(low, high, len(values), _number(low))]
    if whole and high - low <= 12:
        # Few possible values (days per week, people in the household…): one bar each.
        per_value = Counter(int(v) for v in values)
        return [Bin(v, v + 1, per_value.get(v, 0), _number(v)) for v in range(int(low), int(high) + 1)]
    raw = (high - low) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, round(step))
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] <= high:
        edges.append(edges[-1] + step)
    counts = Counter(min(int((v - start) // step), len(edges) - 2) for v in values)
    bins = []
    for i in range(len(edges) - 1):
        a, b = edges[i], edges[i + 1]
        if whole and step == 1:
            label = _number(a)
        elif whole:
            label = f"{_number(a)}–{_number(b - 1)}"
        else:
            label = _("%(low)s to under %(high)s", low=_number(a), high=_number(b))
        bins.append(Bin(a, b, counts.get(i, 0), label))
    return bins


def _matrix(question: Question, rows: list[AnswerRow], asked: int, answered: int) -> MatrixResult:
    columns = question.choices
    per_cell = Counter((r.row_id, r.option_id) for r in rows)
    matrix_rows = [
        MatrixRow(item.label, sum(per_cell.get((item.id, c.id), 0) for c in columns),
                  [Count(c.code, c.label, per_cell.get((item.id, c.id), 0)) for c in columns])
        for item in question.rows
    ]
    score = _score(question, rows) if question.scored else None
    return MatrixResult(question, asked, answered, [(c.code, c.label) for c in columns], matrix_rows, score)


def respondent_scores(question: Question, rows: list[AnswerRow]) -> list[tuple[float, float]]:
    """(raw score, percentage) of every respondent who answered every item of a scored question."""
    score_of = {o.id: o.score or 0 for o in question.choices}
    multiplier = question.score_multiplier or 1
    per_response: dict[int, list[AnswerRow]] = defaultdict(list)
    for row in rows:
        per_response[row.response_id].append(row)
    items = len(question.rows) if question.type is T.MATRIX else 1
    scores = []
    for answers in per_response.values():
        if len({a.row_id for a in answers}) < items:
            continue
        raw = sum(score_of.get(a.option_id, 0) for a in answers)
        scores.append((raw, raw * multiplier))
    return scores


def _score(question: Question, rows: list[AnswerRow]) -> ScoreResult:
    scores = respondent_scores(question, rows)
    multiplier = question.score_multiplier or 1
    option_scores = [o.score or 0 for o in question.choices] or [0]
    items = len(question.rows) if question.type is T.MATRIX else 1
    max_raw = max(option_scores) * items
    max_percent = max_raw * multiplier
    percents = [p for _raw, p in scores]
    cutoff = question.score_cutoff
    bands, low_bands = score_bands(percents, max_raw=max_raw, multiplier=multiplier, cutoff=cutoff,
                                   whole=all(float(s).is_integer() for s in option_scores))
    return ScoreResult(
        complete=len(scores),
        mean_raw=statistics.fmean([r for r, _p in scores]) if scores else None,
        mean_percent=statistics.fmean(percents) if percents else None,
        median_percent=statistics.median(percents) if percents else None,
        max_percent=max_percent, bands=bands,
        low=sum(1 for p in percents if p <= cutoff) if cutoff is not None else None,
        cutoff=cutoff, cutoff_label=question.score_cutoff_label or "", low_bands=low_bands,
    )


def score_bands(percents: Sequence[float], *, max_raw: float, multiplier: float, cutoff: float | None,
                whole: bool = True) -> tuple[list[Bin], int]:
    """Bands of the percentage score: one per possible value on short scales (≤ 11 values), else
    fifths of the scale (0–20, 21–40… for WHO-5), split at the cut-off so that the "at or below the
    cut-off" group is a sum of bands. Returns (bands, how many bands are at or below the cut-off)."""
    max_percent = max_raw * multiplier
    if whole and max_raw <= 10:
        edges = [raw * multiplier for raw in range(0, int(max_raw) + 1)]
        counts = Counter(percents)
        bands = [Bin(e, e, counts.get(e, 0), _number(e)) for e in edges]
        return bands, sum(1 for e in edges if cutoff is not None and e <= cutoff)
    uppers = [max_percent * n / 5 for n in range(1, 6)]
    if cutoff is not None and 0 <= cutoff < max_percent and cutoff not in uppers:
        uppers = sorted([*uppers, cutoff])
    bands = []
    lower = 0.0
    for n, upper in enumerate(uppers):
        # The first band is [0, upper], the next ones (lower, upper].
        inside = sum(1 for p in percents if p <= upper and (p > lower or n == 0))
        if n == 0:
            label = f"{_number(lower)}–{_number(upper)}"
        elif float(lower).is_integer() and float(upper).is_integer() and float(multiplier).is_integer():
            label = f"{_number(lower + 1)}–{_number(upper)}"
        else:
            label = _("over %(low)s to %(high)s", low=_number(lower), high=_number(upper))
        bands.append(Bin(lower, upper, inside, label))
        lower = upper
    return bands, sum(1 for u in uppers if cutoff is not None and u <= cutoff)


def _ranking(question: Question, rows: list[AnswerRow], asked: int, answered: int) -> RankingResult:
    items = question.choices
    positions = question.max_choices or len(items)
    ranks: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if row.rank is not None:
            ranks[row.option_id].append(row.rank)
    ranked = []
    for item in items:
        got = ranks.get(item.id, [])
        per_rank = Counter(got)
        ranked.append(RankedItem(
            label=item.label, ranked=len(got), first=per_rank.get(1, 0),
            mean_rank=statistics.fmean(got) if got else None,
            borda=sum(max(positions - r + 1, 0) for r in got),
            rank_counts=[per_rank.get(r, 0) for r in range(1, positions + 1)],
        ))
    ranked.sort(key=lambda i: (-i.borda, i.mean_rank or math.inf))
    return RankingResult(question, asked, answered, positions, ranked)


def _dates(question: Question, rows: list[AnswerRow], asked: int) -> DateResult:
    months = Counter()
    for row in rows:
        try:
            day = dt.date.fromisoformat(row.text or "")
        except ValueError:
            continue
        months[day.replace(day=1)] += 1
    counts = [Count(m.isoformat()[:7], m.isoformat()[:7], n) for m, n in sorted(months.items())]
    return DateResult(question, asked, sum(months.values()), counts)


def _communes(survey: Survey) -> list[Commune]:
    return list(db.session.scalars(
        select(Commune).where(Commune.territory_id == survey.territory_id).order_by(Commune.name)))


# --- free texts --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TextAnswer:
    question: Question
    option_label: str | None  # the "other" option it specifies, for "other" texts
    text: str


@dataclass(frozen=True)
class TextPage:
    items: list[TextAnswer]
    total: int        # matching the search
    page: int
    pages: int
    per_page: int


def text_questions(survey: Survey) -> list[Question]:
    """Questions that hold free text: short and long texts, and choices with an "other" option."""
    return [q for q in survey.questions if q.type in TEXT_TYPES or any(o.is_other for o in q.choices)]


def text_answers(survey: Survey, *, search: str = "", question_code: str | None = None, page: int = 1,
                 per_page: int = 20) -> TextPage:
    """Free-text answers (and "other" texts), searchable ignoring case and accents, a page at a time.

    Individual answers: only for those who may read them (`permissions.can_read_individual_answers`).
    """
    questions = [q for q in text_questions(survey) if question_code in (None, "", q.code)]
    by_id = {q.id: q for q in questions}
    rows = db.session.execute(
        select(Answer.question_id, Answer.option_id, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, Answer.question_id.in_(list(by_id)), Answer.value_text.is_not(None))
        .order_by(Answer.response_id, Answer.id)
    ).all()
    labels = {o.id: o.label for q in questions for o in q.options if o.is_other}
    order = {q.id: n for n, q in enumerate(questions)}
    items = []
    for question_id, option_id, text in sorted(rows, key=lambda r: order[r[0]]):
        question = by_id[question_id]
        if question.type not in TEXT_TYPES and option_id not in labels:
            continue
        if text.strip():
            items.append(TextAnswer(question, labels.get(option_id), text))
    needle = fold(search.strip())
    if needle:
        items = [i for i in items if needle in fold(i.text)]
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(1, page), pages)
    return TextPage(items[(page - 1) * per_page:page * per_page], len(items), page, pages, per_page)


# --- breakdowns ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Variable:
    """Something to break results down by: a commune, a demographic question, the channel…"""

    key: str
    label: str
    question: Question | None = None


ROLE_LABELS = {
    "sex": _l("Sex"),
    "age_band": _l("Age band"),
    "occupation": _l("Occupation (PCS)"),
    "finances": _l("Financial situation"),
    "category": _l("Participant category"),
}


def role_label(role: str) -> str:
    """How a breakdown role is named in forms and tables."""
    return str(ROLE_LABELS.get(role, role.replace("_", " ").capitalize()))


def breakdown_variables(survey: Survey) -> list[Variable]:
    """What this survey's results can be broken down by: its commune question, each question with a
    breakdown role (sex, age band, occupation, financial situation, category), the account's category
    for identified surveys without a category question, and the channel."""
    found: list[Variable] = []
    commune = next((q for q in survey.questions if q.type is T.COMMUNE), None)
    if commune is not None:
        found.append(Variable("commune", _("Commune"), commune))
    seen = set()
    for question in survey.questions:
        role = question.breakdown_role
        if role and role not in seen and question.type in (T.SINGLE, T.AGE_BAND, T.YES_NO, T.LIKERT):
            seen.add(role)
            found.append(Variable(role, role_label(role), question))
    if "category" not in seen and permissions.needs_account(survey):
        found.append(Variable("category", role_label("category")))
    found.append(Variable("channel", _("Channel")))
    return found


def can_cross(question: Question, variable: Variable) -> bool:
    """Closed questions other than the commune, never by themselves."""
    return (question.type.is_closed and question.type is not T.COMMUNE
            and (variable.question is None or variable.question.id != question.id))


def crossable_questions(survey: Survey, variables: Sequence[Variable]) -> list[Question]:
    """The questions that at least one of `variables` can break down."""
    return [q for q in survey.questions if any(can_cross(q, v) for v in variables)]


@dataclass(frozen=True)
class CrossTab:
    """Respondents to a closed question, by group of a breakdown variable (exact counts).

    `bases`: respondents of each group who answered the question; a group "not stated" gathers those
    who did not answer the breakdown question. Column totals are the question's overall counts."""

    question: Question
    variable: Variable
    groups: list[tuple[str, str]]      # (key, label)
    columns: list[tuple[str, str]]     # (code, label)
    counts: list[list[int]]
    bases: list[int]
    multiple: bool

    @property
    def column_totals(self) -> list[int]:
        return [sum(row[j] for row in self.counts) for j in range(len(self.columns))]

    @property
    def total(self) -> int:
        return sum(self.bases)


def crosstab(survey: Survey, question: Question, variable: Variable, data: SurveyData | None = None) -> CrossTab:
    """Cross-tabulate a closed question by a breakdown variable."""
    data = data or load(survey)
    group_of, groups = _groups(survey, variable, data)
    columns = question.choices
    column_of = {o.id: n for n, o in enumerate(columns)}
    keys = [key for key, _label in groups]
    index = {key: n for n, key in enumerate(keys)}
    counts = [[0] * len(columns) for _ in groups]
    answered: list[set[int]] = [set() for _ in groups]
    for row in data.of(question):
        if row.option_id not in column_of:
            continue
        g = index[group_of.get(row.response_id, NOT_STATED)]
        counts[g][column_of[row.option_id]] += 1
        answered[g].add(row.response_id)
    bases = [len(s) for s in answered]
    keep = [n for n, key in enumerate(keys) if key != NOT_STATED or bases[n]]
    return CrossTab(question, variable, [groups[n] for n in keep], [(o.code, o.label) for o in columns],
                    [counts[n] for n in keep], [bases[n] for n in keep], question.type is T.MULTIPLE)


def _groups(survey: Survey, variable: Variable, data: SurveyData) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """(response id → group key, every group in display order, "not stated" last)."""
    not_stated = (NOT_STATED, _("Not stated"))
    if variable.key == "channel":
        return ({rid: f.channel.value for rid, f in data.responses.items()},
                [(c.value, str(c.label)) for c in Channel])
    if variable.question is None:  # the account's category
        return ({rid: f.category.value for rid, f in data.responses.items() if f.category},
                [(c.value, str(c.label)) for c in Category] + [not_stated])
    question = variable.question
    if question.type is T.COMMUNE:
        communes = _communes(survey)
        known = {c.insee_code for c in communes}
        return ({r.response_id: r.text for r in data.of(question) if r.text in known},
                [(c.insee_code, c.name) for c in communes] + [not_stated])
    codes = {o.id: o.code for o in question.choices}
    return ({r.response_id: codes[r.option_id] for r in data.of(question) if r.option_id in codes},
            [(o.code, o.label) for o in question.choices] + [not_stated])


# --- representativeness --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CommuneShare:
    """Who has been heard in one commune, against its population."""

    commune: Commune
    respondents: int
    per_thousand: float             # responses per 1,000 inhabitants
    response_share: float           # of the respondents who gave a commune
    population_share: float         # of the territory's population
    status: str                     # "none" (no response), "under" (rate below half the overall), "ok"


@dataclass(frozen=True)
class Representativeness:
    question: Question | None       # the survey's commune question (None: nothing to compare)
    communes: list[CommuneShare]
    respondents: int                # who gave a commune of the territory
    without_commune: int            # responses without one
    population: int
    per_thousand: float             # the territory's overall rate

    @property
    def unheard(self) -> list[CommuneShare]:
        return [c for c in self.communes if c.status != "ok"]


UNDER_REPRESENTED_RATIO = 0.5


def representativeness(survey: Survey, data: SurveyData | None = None) -> Representativeness:
    """Respondents per commune against each commune's population: rate per 1,000 inhabitants, share of
    responses vs share of population; a commune is flagged when nobody answered, or when its rate is
    below half the territory's overall rate."""
    data = data or load(survey)
    question = next((q for q in survey.questions if q.type is T.COMMUNE), None)
    communes = _communes(survey)
    per_code = Counter(r.text for r in data.of(question)) if question else Counter()
    known = {c.insee_code for c in communes}
    respondents = sum(n for code, n in per_code.items() if code in known)
    population = sum(c.population for c in communes)
    overall = 1000 * respondents / population if population else 0.0
    shares = []
    for commune in sorted(communes, key=lambda c: (-c.population, c.name)):
        count = per_code.get(commune.insee_code, 0)
        rate = 1000 * count / commune.population if commune.population else 0.0
        if count == 0:
            status = "none"
        elif rate < UNDER_REPRESENTED_RATIO * overall:
            status = "under"
        else:
            status = "ok"
        shares.append(CommuneShare(commune, count, rate, count / respondents if respondents else 0.0,
                                   commune.population / population if population else 0.0, status))
    return Representativeness(question, shares, respondents, len(data.responses) - respondents, population, overall)


# --- publishing --------------------------------------------------------------------------------------

def publish_results(actor, survey: Survey, *, now: dt.datetime) -> None:
    """Make the aggregated results public (with disclosure control) on the survey's results page.

    Raises PermissionDenied (coordinators and admins only), Conflict (draft survey, or already published).
    """
    if not permissions.can_manage_survey(actor, survey):
        raise PermissionDenied(_("You are not allowed to do this."))
    if survey.status is SurveyStatus.DRAFT:
        raise Conflict(_("A draft survey has no results to publish."))
    if survey.results_published_at is not None:
        raise Conflict(_("The results are already published."))
    survey.results_published_at = now
    db.session.flush()


def unpublish_results(actor, survey: Survey) -> None:
    """Take the results off the public page. Raises PermissionDenied, Conflict (not published)."""
    if not permissions.can_manage_survey(actor, survey):
        raise PermissionDenied(_("You are not allowed to do this."))
    if survey.results_published_at is None:
        raise Conflict(_("The results are not published."))
    survey.results_published_at = None
    db.session.flush()
