"""Results per question: counts, means, distributions, scores, rankings, dates (exact figures)."""
from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _

from consult.surveys.answering.answers import OTHER_COMMUNE, other_commune_label
from consult.surveys.models import Question, Survey
from consult.surveys.results.data import T, AnswerRow, SurveyData, load, survey_communes


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
        communes = survey_communes(survey)
        per_code = Counter(r.text for r in rows if r.text)
        counts = [Count(c.insee_code, c.name, per_code.pop(c.insee_code, 0)) for c in communes]
        if OTHER_COMMUNE in per_code:  # someone living outside the territory
            counts.append(Count(OTHER_COMMUNE, other_commune_label(), per_code.pop(OTHER_COMMUNE)))
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
