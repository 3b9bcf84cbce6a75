"""Results per question: counts, means, distributions, scores, rankings, dates (exact figures)."""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import format_decimal
from flask_babel import gettext as _

from consult.surveys.answering.answers import OTHER_COMMUNE, other_commune_label
from consult.surveys.models import Question, Survey
from consult.surveys.results.data import T, SurveyData, load
from consult.surveys.results.tally import Tally


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
    tally = data.tally
    asked = data.asked(question)
    answered = tally.count(question)
    kind = question.type
    if kind.is_closed:
        return _choice(data, question, asked, answered)
    if kind in (T.RATING, T.NUMBER):
        return _numeric(question, tally.numbers.get(question.id, Counter()), asked)
    if kind is T.MATRIX:
        return _matrix(question, tally, asked, answered)
    if kind is T.RANKING:
        return _ranking(question, tally, asked, answered)
    if kind is T.DATE:
        return _dates(question, tally.texts.get(question.id, Counter()), asked)
    return TextResult(question, asked, tally.count(question, "nonblank"))


def survey_results(survey: Survey, data: SurveyData | None = None) -> list[QuestionResult]:
    """Every question's result, in the questionnaire's order."""
    data = data or load(survey)
    return [question_result(survey, q, data) for q in survey.questions]


# --- statistics of a distribution (value → how many), exactly as `statistics` gives them over the values ---

def mean_of(counts: Mapping[float, int]) -> float | None:
    """`statistics.fmean` of the values: their exact sum rounded once (as `math.fsum`), divided by their number."""
    n = sum(counts.values())
    if not n:
        return None
    return float(sum(Fraction(value) * c for value, c in counts.items())) / n


def median_of(counts: Mapping[float, int]) -> float | None:
    """`statistics.median` of the values: the middle one, or the mean of the two middle ones."""
    n = sum(counts.values())
    if not n:
        return None
    wanted = [n // 2] if n % 2 else [n // 2 - 1, n // 2]
    found, seen = [], 0
    for value in sorted(counts):
        seen += counts[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    return found[0] if len(found) == 1 else (found[0] + found[1]) / 2


def _choice(data: SurveyData, question: Question, asked: int, answered: int) -> ChoiceResult:
    tally = data.tally
    if question.type is T.COMMUNE:
        communes = data.communes
        per_code = Counter({code: n for code, n in tally.texts.get(question.id, Counter()).items() if code and n})
        counts = [Count(c.insee_code, c.name, per_code.pop(c.insee_code, 0)) for c in communes]
        if OTHER_COMMUNE in per_code:  # someone living outside the territory
            counts.append(Count(OTHER_COMMUNE, other_commune_label(), per_code.pop(OTHER_COMMUNE)))
        counts += [Count(code, code, n) for code, n in sorted(per_code.items())]  # no longer in the territory
        return ChoiceResult(question, asked, answered, counts)
    per_option = tally.per_option(question)
    choices = question.choices
    counts = [Count(o.code, o.label, per_option.get(o.id, 0)) for o in choices]
    others = tally.texts_with_option(question, {o.id for o in choices if o.is_other})
    mean = median = None
    if question.type is T.LIKERT and answered:
        positions = Counter({n: per_option[o.id] for n, o in enumerate(choices, start=1) if per_option.get(o.id)})
        mean, median = mean_of(positions), median_of(positions)
    return ChoiceResult(question, asked, answered, counts, multiple=question.type is T.MULTIPLE,
                        other_texts=others, mean_position=mean, median_position=median)


def _numeric(question: Question, values: Counter, asked: int) -> NumericResult:
    values = Counter({v: n for v, n in values.items() if n})
    if not values:
        return NumericResult(question, asked, 0, None, None, None, None, [])
    if question.type is T.RATING:
        low = int(question.min_value if question.min_value is not None else 0)
        high = int(question.max_value if question.max_value is not None else 10)
        per_value = Counter()
        for v, n in values.items():
            per_value[int(v)] += n
        bins = [Bin(v, v, per_value.get(v, 0), _number(v)) for v in range(low, high + 1)]
    else:
        bins = histogram(values)
    return NumericResult(question, asked, sum(values.values()), mean_of(values), median_of(values),
                         min(values), max(values), bins)


def histogram(values: Mapping[float, int], target: int = 6) -> list[Bin]:
    """About `target` bands [low, high) of a round width (1, 2, 5 × 10ⁿ) covering the values (value → count)."""
    low, high = min(values), max(values)
    whole = all(float(v).is_integer() for v in values)
    if low == high:
        return [Bin(low, high, sum(values.values()), _number(low))]
    if whole and high - low <= 12:
        # Few possible values (days per week, people in the household…): one bar each.
        per_value = Counter()
        for v, n in values.items():
            per_value[int(v)] += n
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
    counts = Counter()
    for v, n in values.items():
        counts[min(int((v - start) // step), len(edges) - 2)] += n
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


def _matrix(question: Question, tally: Tally, asked: int, answered: int) -> MatrixResult:
    columns = question.choices
    per_cell = tally.per_cell(question)
    matrix_rows = [
        MatrixRow(item.label, sum(per_cell.get((item.id, c.id), 0) for c in columns),
                  [Count(c.code, c.label, per_cell.get((item.id, c.id), 0)) for c in columns])
        for item in question.rows
    ]
    score = _score(question, tally.scores.get(question.id, Counter())) if question.scored else None
    return MatrixResult(question, asked, answered, [(c.code, c.label) for c in columns], matrix_rows, score)


def _score(question: Question, raws: Counter) -> ScoreResult:
    """From the raw scores of the respondents who answered every item (raw score → how many)."""
    raws = Counter({raw: n for raw, n in raws.items() if n})
    multiplier = question.score_multiplier or 1
    option_scores = [o.score or 0 for o in question.choices] or [0]
    items = len(question.rows) if question.type is T.MATRIX else 1
    max_raw = max(option_scores) * items
    max_percent = max_raw * multiplier
    percents = Counter()
    for raw, n in raws.items():
        percents[raw * multiplier] += n
    cutoff = question.score_cutoff
    bands, low_bands = score_bands(percents, max_raw=max_raw, multiplier=multiplier, cutoff=cutoff,
                                   whole=all(float(s).is_integer() for s in option_scores))
    return ScoreResult(
        complete=sum(raws.values()),
        mean_raw=mean_of(raws),
        mean_percent=mean_of(percents),
        median_percent=median_of(percents),
        max_percent=max_percent, bands=bands,
        low=sum(n for p, n in percents.items() if p <= cutoff) if cutoff is not None else None,
        cutoff=cutoff, cutoff_label=question.score_cutoff_label or "", low_bands=low_bands,
    )


def score_bands(percents: Mapping[float, int], *, max_raw: float, multiplier: float, cutoff: float | None,
                whole: bool = True) -> tuple[list[Bin], int]:
    """Bands of the percentage score (percentage → how many): one per possible value on short scales (≤ 11
    values), else fifths of the scale (0–20, 21–40… for WHO-5), split at the cut-off so that the "at or below
    the cut-off" group is a sum of bands. Returns (bands, how many bands are at or below the cut-off)."""
    max_percent = max_raw * multiplier
    if whole and max_raw <= 10:
        edges = [raw * multiplier for raw in range(0, int(max_raw) + 1)]
        bands = [Bin(e, e, percents.get(e, 0), _number(e)) for e in edges]
        return bands, sum(1 for e in edges if cutoff is not None and e <= cutoff)
    uppers = [max_percent * n / 5 for n in range(1, 6)]
    if cutoff is not None and 0 <= cutoff < max_percent and cutoff not in uppers:
        uppers = sorted([*uppers, cutoff])
    bands = []
    lower = 0.0
    for n, upper in enumerate(uppers):
        # The first band is [0, upper], the next ones (lower, upper].
        inside = sum(c for p, c in percents.items() if p <= upper and (p > lower or n == 0))
        if n == 0:
            label = f"{_number(lower)}–{_number(upper)}"
        elif float(lower).is_integer() and float(upper).is_integer() and float(multiplier).is_integer():
            label = f"{_number(lower + 1)}–{_number(upper)}"
        else:
            label = _("over %(low)s to %(high)s", low=_number(lower), high=_number(upper))
        bands.append(Bin(lower, upper, inside, label))
        lower = upper
    return bands, sum(1 for u in uppers if cutoff is not None and u <= cutoff)


def _ranking(question: Question, tally: Tally, asked: int, answered: int) -> RankingResult:
    items = question.choices
    positions = question.max_choices or len(items)
    per_rank = tally.per_rank(question)
    ranked = []
    for item in items:
        got = Counter({rank: n for (option, rank), n in per_rank.items() if option == item.id and n})
        ranked.append(RankedItem(
            label=item.label, ranked=sum(got.values()), first=got.get(1, 0),
            mean_rank=mean_of(got),
            borda=sum(max(positions - r + 1, 0) * n for r, n in got.items()),
            rank_counts=[got.get(r, 0) for r in range(1, positions + 1)],
        ))
    ranked.sort(key=lambda i: (-i.borda, i.mean_rank or math.inf))
    return RankingResult(question, asked, answered, positions, ranked)


def _dates(question: Question, texts: Counter, asked: int) -> DateResult:
    months = Counter()
    for text, n in texts.items():
        try:
            day = dt.date.fromisoformat(text or "")
        except ValueError:
            continue
        months[day.replace(day=1)] += n
    counts = [Count(m.isoformat()[:7], m.isoformat()[:7], n) for m, n in sorted(months.items())]
    return DateResult(question, asked, sum(months.values()), counts)
