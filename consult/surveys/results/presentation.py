"""Results as they are shown: exact for those who may read individual answers, with disclosure control
(`disclosure`) for everyone else, and always for breakdowns and representativeness.

`k=None` means exact figures; an int is the minimum cell size. A hidden figure reaches the templates
as a `Cell` without value: the rules run here, on the server, never in the page.

Statistics that summarise counts follow one rule: a mean (Likert position, rating, number, score,
rank) is shown only when none of the counts it summarises is hidden — with the base and the visible
counts, a mean is one more equation that could solve hidden cells. Medians are shown when the base
is; minimum and maximum (one person's answer each) only with exact figures.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _

from markupsafe import Markup

from consult.core.text import render_markdown
from consult.surveys import results
from consult.surveys.results.charts import Bar
from consult.core.disclosure import (
    Cell,
    Reason,
    Relation,
    protect_counts,
    protect_table,
    share,
    suppress,
    unprotected_counts,
)
from consult.surveys.models import Question, QuestionType

MERGED = "_merged"


@dataclass(frozen=True)
class QuestionInfo:
    """What a results page says about a question: a copy, so that a release keeps the wording it was made
    with even if the questionnaire's labels are edited later."""

    code: str
    text: str
    type: QuestionType
    conditional: bool = False
    score_multiplier: float | None = None
    section: str = ""      # the title of its page (releases made before it was kept have "")

    @classmethod
    def of(cls, question: Question) -> QuestionInfo:
        return cls(question.code, question.text, question.type,
                   bool(question.condition_code or question.page.condition_code), question.score_multiplier,
                   question.page.title)


@dataclass(frozen=True)
class VariableInfo:
    """A breakdown variable as a table names it."""

    key: str
    label: str


# --- one distribution --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """One answer (or band) as shown: its count, and its share of the base when both are shown."""

    label: str
    cell: Cell
    share: float | None


@dataclass(frozen=True)
class Shown:
    """A distribution as shown, with its base (n)."""

    lines: list[Line]
    base: Cell
    additive: bool = True

    @property
    def any_hidden(self) -> bool:
        return any(line.cell.hidden for line in self.lines)


def show(pairs: Sequence[tuple[str, int]], *, base: int, k: int | None, additive: bool = True) -> Shown:
    """Protect (k) or not (None) a list of (label, count) over `base` respondents."""
    counts = [c for _label, c in pairs]
    protected = (protect_counts(counts, k, total=base, additive=additive) if k is not None
                 else unprotected_counts(counts, total=base))
    lines = [Line(label, cell, share(cell, protected.total)) for (label, _c), cell in zip(pairs, protected.cells)]
    return Shown(lines, protected.total, additive)


def _count(value: int, k: int | None) -> Cell:
    """A count standing alone (no relation to protect): hidden when 0 < value < k."""
    if k is not None and 0 < value < k:
        return Cell(None, Reason.PRIMARY)
    return Cell(value)


# --- overview --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OverviewView:
    responses: int
    first_day: dt.date | None
    last_day: dt.date | None
    weeks: Shown
    channels: Shown
    week_starts: list[dt.date]
    used_channels: list[str]


def overview(data: results.SurveyData, k: int | None) -> OverviewView:
    """Responses in all (always exact: no attribute of anyone), per week and per channel."""
    facts = results.overview(data.survey, data)
    weeks = show([(format_week(day), n) for day, n in facts.weeks], base=facts.responses, k=k)
    channels = show([(str(c.label), n) for c, n in facts.channels], base=facts.responses, k=k)
    return OverviewView(facts.responses, facts.first_day, facts.last_day, weeks, channels,
                        [day for day, _n in facts.weeks], [str(c.label) for c, n in facts.channels if n])


def format_week(day) -> str:
    """The Monday that starts a week, e.g. "5 oct. 2026"."""
    return format_date(day, "d MMM yyyy")


# --- per question --------------------------------------------------------------------------------------

@dataclass
class ScoreView:
    complete: Cell
    bands: Shown
    low: Line | None
    cutoff: float | None
    cutoff_label: str
    max_percent: float
    mean_raw: float | None
    mean_percent: float | None
    median_percent: float | None
    mean_withheld: bool


@dataclass
class RankView:
    label: str
    ranked: Cell
    first: Cell
    first_share: float | None
    mean_rank: float | None
    borda: int | None


@dataclass
class QuestionView:
    """What the results page shows for one question."""

    question: QuestionInfo
    kind: str
    answered: Cell
    asked: Cell | None = None
    shown: Shown | None = None
    multiple: bool = False
    mean: float | None = None
    median: float | None = None
    median_label: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    mean_withheld: bool = False
    other_texts: int = 0
    columns: list[str] = field(default_factory=list)
    matrix: list[tuple[str, Shown]] = field(default_factory=list)
    score: ScoreView | None = None
    ranking: list[RankView] = field(default_factory=list)
    positions: int = 0

    @property
    def conditional(self) -> bool:
        return self.question.conditional


def question_views(data: results.SurveyData, k: int | None) -> list[QuestionView]:
    """Every question of the survey as shown (k=None: exact)."""
    return [question_view(results.question_result(data.survey, q, data), k) for q in data.survey.questions]


def question_view(result: results.QuestionResult, k: int | None) -> QuestionView:
    """One question's result as shown (k=None: exact)."""
    question = result.question
    view = QuestionView(QuestionInfo.of(question), result.kind, _count(result.answered, k),
                        asked=Cell(result.asked) if k is None else None)
    if isinstance(result, results.ChoiceResult):
        _fill_choice(view, result, k)
    elif isinstance(result, results.NumericResult):
        view.shown = show([(b.label, b.count) for b in result.bins], base=result.answered, k=k)
        view.answered = view.shown.base
        _fill_stats(view, result.mean, result.median, k)
        if k is None:
            view.minimum, view.maximum = result.minimum, result.maximum
    elif isinstance(result, results.MatrixResult):
        view.columns = [label for _code, label in result.columns]
        view.matrix = [(row.label, show([(c.label, c.count) for c in row.counts], base=row.answered, k=k))
                       for row in result.rows]
        if result.score is not None:
            view.score = _score_view(result.score, k)
    elif isinstance(result, results.RankingResult):
        _fill_ranking(view, result, k)
    elif isinstance(result, results.DateResult):
        view.shown = show([(c.label, c.count) for c in result.months], base=result.answered, k=k)
        view.answered = view.shown.base
    return view


def _fill_choice(view: QuestionView, result: results.ChoiceResult, k: int | None) -> None:
    pairs = [(c.label, c.count) for c in result.counts]
    view.shown = show(pairs, base=result.answered, k=k, additive=result.additive)
    view.answered = view.shown.base
    view.multiple = result.multiple
    view.other_texts = result.other_texts
    if result.mean_position is not None:
        _fill_stats(view, result.mean_position, result.median_position, k)
        labels = [c.label for c in result.counts]
        if view.median is not None:
            low, high = int(view.median // 1), int(-(-view.median // 1))
            view.median_label = labels[low - 1] if low == high else f"{labels[low - 1]} – {labels[high - 1]}"


def _fill_stats(view: QuestionView, mean: float | None, median: float | None, k: int | None) -> None:
    visible_base = not view.answered.hidden
    view.median = median if visible_base else None
    if k is None or (visible_base and not view.shown.any_hidden):
        view.mean = mean
    else:
        view.mean_withheld = mean is not None


def score_figures(score: results.ScoreResult) -> tuple[list[int], list[Relation]]:
    """A score's figures — each band, the complete answers, those at or below the cut-off — and how they add up."""
    n = len(score.bands)
    values = [*(b.count for b in score.bands), score.complete]
    relations = [Relation(tuple(range(n)), n)]
    if score.low is not None:
        values.append(score.low)
        if score.low_bands:
            relations.append(Relation(tuple(range(score.low_bands)), n + 1))
    return values, relations


def _score_view(score: results.ScoreResult, k: int | None) -> ScoreView:
    n = len(score.bands)
    values, relations = score_figures(score)
    if k is None:
        cells = [Cell(v) for v in values]
    else:
        cells = suppress(values, relations, k, margins=range(n, len(values)))
    complete = cells[n]
    shown = Shown([Line(b.label, c, share(c, complete)) for b, c in zip(score.bands, cells[:n])], complete)
    low = Line(score.cutoff_label, cells[n + 1], share(cells[n + 1], complete)) if score.low is not None else None
    withheld = k is not None and (complete.hidden or any(c.hidden for c in cells))
    return ScoreView(
        complete=complete, bands=shown, low=low, cutoff=score.cutoff, cutoff_label=score.cutoff_label,
        max_percent=score.max_percent,
        mean_raw=None if withheld else score.mean_raw, mean_percent=None if withheld else score.mean_percent,
        median_percent=score.median_percent if not complete.hidden else None,
        mean_withheld=withheld and score.mean_percent is not None,
    )


def _fill_ranking(view: QuestionView, result: results.RankingResult, k: int | None) -> None:
    view.positions = result.positions
    firsts = show([(i.label, i.first) for i in result.items], base=result.answered, k=k)
    ranked = show([(i.label, i.ranked) for i in result.items], base=result.answered, k=k, additive=False)
    view.answered = firsts.base
    for item, first, seen in zip(result.items, firsts.lines, ranked.lines):
        safe = k is None or not any(0 < c < k for c in item.rank_counts)
        view.ranking.append(RankView(item.label, seen.cell, first.cell, first.share,
                                     item.mean_rank if safe else None, item.borda if safe else None))
    view.mean_withheld = any(r.mean_rank is None and r.ranked.value != 0 for r in view.ranking)


@dataclass(frozen=True)
class Section:
    """A part of the results page: the questions of one page of the questionnaire, with its anchor."""

    anchor: str
    title: str
    questions: list[QuestionView]


def sections(questions: Sequence[QuestionView]) -> list[Section]:
    """The questions grouped by the questionnaire's pages, in order, for the page and its table of contents.
    A release made before page titles were kept gives one untitled part."""
    made: list[Section] = []
    for view in questions:
        title = view.question.section
        if not made or made[-1].title != title:
            made.append(Section(f"part-{len(made) + 1}", title, []))
        made[-1].questions.append(view)
    return made


def mean_answer(view: QuestionView) -> str:
    """A scale's mean position in plain words: between which two answers it falls, on which scale
    ("Between “Bon” and “Assez bon” (2.4 on a scale from 1 “Très bon” to 5 “Très mauvais”)")."""
    labels = [line.label for line in view.shown.lines]
    mean = view.mean
    low, high = int(mean // 1), int(-(-mean // 1))
    scale = _("%(mean)s on a scale from 1 “%(first)s” to %(count)d “%(last)s”", mean=decimal(mean, 1),
              first=labels[0], count=len(labels), last=labels[-1])
    if low == high or round(mean, 1) == low or round(mean, 1) == high:
        return _("Close to “%(answer)s” (%(scale)s).", answer=labels[int(round(mean, 1)) - 1], scale=scale)
    return _("Between “%(low)s” and “%(high)s” (%(scale)s).", low=labels[low - 1], high=labels[high - 1],
             scale=scale)


def key_findings_html(text: str | None) -> Markup:
    """A coordinator's key findings as HTML: the site's Markdown, where any HTML typed stays visible text
    (« <script> » is shown as written, never interpreted)."""
    return render_markdown((text or "").replace("&", "&amp;").replace("<", "&lt;"))


# --- breakdowns -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupRow:
    label: str
    base: Cell
    cells: list[tuple[Cell, float | None]]
    hidden: bool     # a group below k: every figure hidden


@dataclass(frozen=True)
class TableView:
    question: QuestionInfo
    variable: VariableInfo
    columns: list[str]
    rows: list[GroupRow]
    totals: list[tuple[Cell, float | None]]
    grand_total: Cell
    multiple: bool
    merged: list[str] = field(default_factory=list)     # communes grouped because each has fewer than k
    omitted: int = 0                                    # groups with no respondent, not listed
    withheld: bool = False                              # no safe way to show it (see disclosure rule 7)


def minimum_responses(k: int) -> int:
    """A question is broken down only once it has at least 2k respondents (early results suppressed)."""
    return 2 * k


def can_break_down(data: results.SurveyData, question: Question, k: int) -> bool:
    """Per-question base: the question's own respondents (not the survey's) must number at least 2k,
    so that a question answered by a few (a conditional follow-up, a late addition) is never split."""
    return results.respondents(question, data) >= minimum_responses(k)


def breakdown_questions(data: results.SurveyData, questions: Sequence[Question],
                        k: int) -> tuple[list[Question], list[Question]]:
    """(questions that may be broken down, questions withheld because fewer than 2k answered them)."""
    offered = [q for q in questions if can_break_down(data, q, k)]
    return offered, [q for q in questions if q not in offered]


def breakdown(data: results.SurveyData, question: Question, variable: results.Variable,
              k: int) -> TableView | None:
    """A cross-tabulation with disclosure control (always: breakdowns are protected for everyone), or
    None when the question has fewer than 2k respondents (`can_break_down`).

    Communes with fewer than k respondents are grouped into one row (geographic aggregation); groups
    with nobody are left out; a group below k is hidden whole; column totals are the question's
    overall counts exactly as shown with disclosure control."""
    table = results.crosstab(data.survey, question, variable, data)
    if table.total < minimum_responses(k):
        return None
    groups, counts, bases = list(table.groups), [list(r) for r in table.counts], list(table.bases)
    merged: list[str] = []
    omitted = sum(1 for b in bases if b == 0) if variable.key == "commune" else 0
    if variable.key == "commune":
        keep = [n for n, b in enumerate(bases) if b >= k or (groups[n][0] == results.NOT_STATED and b)]
        small = [n for n, b in enumerate(bases) if 0 < b < k and groups[n][0] != results.NOT_STATED]
        merged = [groups[n][1] for n in small]
        rows = [(groups[n], counts[n], bases[n]) for n in keep if groups[n][0] != results.NOT_STATED]
        if small:
            rows.append(((MERGED, _("Other communes (grouped)")),
                         [sum(counts[n][j] for n in small) for j in range(len(table.columns))],
                         sum(bases[n] for n in small)))
        rows += [(groups[n], counts[n], bases[n]) for n in keep if groups[n][0] == results.NOT_STATED]
        groups, counts, bases = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    overall = protect_counts(table.column_totals, k, total=table.total, additive=not table.multiple)
    protected = protect_table(counts, k, row_totals=bases, rows_additive=not table.multiple, published=overall)
    hidden_groups = protected.hidden_groups
    rows_view = [
        GroupRow(label, base, [(c, share(c, base)) for c in cells], hidden)
        for (_key, label), base, cells, hidden in zip(groups, protected.row_totals, protected.cells, hidden_groups)
    ]
    grand = protected.grand_total
    return TableView(QuestionInfo.of(question), VariableInfo(variable.key, variable.label),
                     [label for _code, label in table.columns], rows_view,
                     [(c, share(c, grand)) for c in protected.column_totals], grand, table.multiple,
                     merged, omitted, protected.withheld)


# --- representativeness ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CommuneRow:
    name: str
    population: int
    population_share: float
    respondents: Cell
    per_thousand: float | None
    response_share: float | None
    status: str     # "none" (nobody), "few" (fewer than k: hidden), "under" (rate below half the overall), "ok"


@dataclass(frozen=True)
class RepresentativenessView:
    available: bool
    rows: list[CommuneRow]
    respondents: Cell               # who gave a commune of the territory
    without_commune: Cell
    population: int
    per_thousand: float | None
    unheard: int
    under: int


def commune_status(count: Cell, rate: float, overall: float) -> str:
    """The flag of a commune. A hidden count gets no flag of its own ("few"): "under-represented" beside a
    hidden count would tell that it is below half the overall rate × the population, a narrower range than
    "fewer than k" for a small commune."""
    if count.value == 0:
        return "none"
    if count.hidden:
        return "few"
    return "under" if rate < results.UNDER_REPRESENTED_RATIO * overall else "ok"


def representativeness_view(facts: results.Representativeness, cells: Sequence[Cell], respondents: Cell,
                            without: Cell) -> RepresentativenessView:
    """The table as shown, from each commune's count as it may be shown."""
    overall = None if respondents.hidden else facts.per_thousand
    rows = [
        CommuneRow(c.commune.name, c.commune.population, c.population_share, cell,
                   None if cell.hidden else c.per_thousand, None if cell.hidden or respondents.hidden else c.response_share,
                   commune_status(cell, c.per_thousand, facts.per_thousand))
        for c, cell in zip(facts.communes, cells)
    ]
    return RepresentativenessView(facts.question is not None, rows, respondents, without, facts.population, overall,
                                  sum(1 for r in rows if r.status == "none"), sum(1 for r in rows if r.status == "under"))


def representativeness(data: results.SurveyData, k: int) -> RepresentativenessView:
    """Respondents per commune against population, counts below k hidden (for everyone)."""
    facts = results.representativeness(data.survey, data)
    counts = [c.respondents for c in facts.communes]
    values = [*counts, facts.respondents, facts.without_commune, data.total]
    n = len(counts)
    relations = [Relation(tuple(range(n)), n), Relation((n, n + 1), n + 2)]
    # With nobody outside the territory's communes, those who gave one are everyone: never hidden.
    locked = [n + 2] + ([n] if facts.without_commune == 0 else [])
    cells = suppress(values, relations, k, locked=locked, margins=[n, n + 2])
    return representativeness_view(facts, cells[:n], cells[n], cells[n + 1])


# --- numbers and charts ---------------------------------------------------------------------------------

def figure(cell: Cell, k: int | None) -> str:
    """A count as text: the number, "< k" for a small count, "hidden" for a secondary suppression."""
    if not cell.hidden:
        return format_decimal(cell.value)
    if cell.reason is Reason.SECONDARY:
        return _("hidden")
    return f"< {k}"


def percent(value: float | None, digits: int = 0) -> str:
    """A share as a percentage ("37 %"); a share that would round to 0 reads "< 1 %"."""
    if value is None:
        return ""
    if 0 < value < 0.5 * 10 ** -(digits + 2):
        return _("< %(percent)s", percent=format_percent(10 ** -(digits + 2), format="#,##0." + "0" * digits + " %"
                                                             if digits else "#,##0 %"))
    return format_percent(value, format="#,##0." + "0" * digits + " %" if digits else "#,##0 %")


def decimal(value: float | None, digits: int = 1) -> str:
    """A number with at most `digits` decimals, in the reader's locale ("2,4")."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "#" * digits)


def bars(shown: Shown, k: int | None, *, by_share: bool = True) -> list[Bar]:
    """The bars of a chart: lengths from the shares (or counts), text as in the table."""
    peak = max((line.cell.value or 0 for line in shown.lines), default=0) or 1
    made = []
    for line in shown.lines:
        if line.cell.hidden:
            made.append(Bar(line.label, None, figure(line.cell, k)))
            continue
        length = line.share if by_share else line.cell.value / peak
        text = f"{percent(line.share)} ({figure(line.cell, k)})" if line.share is not None else figure(line.cell, k)
        made.append(Bar(line.label, length or 0.0, text))
    return made

