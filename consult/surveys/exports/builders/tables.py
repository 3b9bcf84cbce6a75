"""Pure row builders of the aggregated tables (with disclosure control) and of the method sheet."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from consult.core import disclosure
from consult.core.time import week_start
from consult.exports.writers import Cell, Row
from consult.surveys.answering.answers import SINGLE_VALUE_TYPES, score
from consult.surveys.exports.builders.raw import number_cell
from consult.surveys.exports.records import ResponseRecord
from consult.surveys.models import Channel, Question, QuestionType, Survey

T = QuestionType


# --------------------------------------------------------------------------- aggregated tables

@dataclass
class FrequencyTable:
    """Counts of one closed question (or of one matrix line): the base and one count per category."""

    question: str
    kind: str  # "distribution", "multiple", "first_rank", "score_group"
    title: str
    categories: list[tuple[str, str]]  # (code, label)
    counts: list[int]
    base: int = 0
    # Whether the counts add up to the base (one category per respondent): only then can a hidden
    # count be recomputed by difference, so only then is secondary suppression needed.
    additive: bool = True
    # Set by `apply_disclosure_control`: each count and the base as they may be shown.
    shown: list[disclosure.Cell] = field(default_factory=list)
    shown_base: disclosure.Cell | None = None


def _tables_for(question: Question, communes: Mapping[str, str]) -> list[FrequencyTable]:
    kind = question.type
    choices = [(o.code, o.label) for o in question.choices]
    if kind in SINGLE_VALUE_TYPES:
        return [FrequencyTable(question.code, "distribution", question.text, choices, [0] * len(choices))]
    if kind is T.MULTIPLE:
        return [FrequencyTable(question.code, "multiple", question.text, choices, [0] * len(choices),
                               additive=False)]
    if kind is T.COMMUNE:
        categories = list(communes.items())
        return [FrequencyTable(question.code, "distribution", question.text, categories, [0] * len(categories))]
    if kind is T.MATRIX:
        return [FrequencyTable(f"{question.code}_{row.code}", "distribution", f"{question.text} — {row.label}",
                               choices, [0] * len(choices)) for row in question.rows]
    if kind is T.RANKING:
        return [FrequencyTable(question.code, "first_rank", question.text, choices, [0] * len(choices))]
    return []


def _score_table(question: Question) -> FrequencyTable | None:
    if not question.scored or question.score_cutoff is None:
        return None
    low = question.score_cutoff_label or _("low score")
    categories = [("low", _("%(label)s (at or below %(cutoff)s %%)", label=low,
                            cutoff=number_cell(question.score_cutoff))),
                  ("other", _("Above %(cutoff)s %%", cutoff=number_cell(question.score_cutoff)))]
    return FrequencyTable(f"{question.code}_score", "score_group", question.text, categories, [0, 0])


@dataclass
class SurveyCounts:
    """What one pass over the responses counts: responses, channels, days and the closed questions."""

    total: int = 0
    channels: Counter = field(default_factory=Counter)
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    tables: list[FrequencyTable] = field(default_factory=list)


def count_closed_answers(survey: Survey, records: Iterable[ResponseRecord],
                         communes: Mapping[str, str]) -> SurveyCounts:
    """Count every closed question in one pass over the responses (memory: the counts only).

    Tables cover single-value questions, multiple choice, communes (codes no longer in the territory
    counted under “other commune”), each matrix line, first-ranked items, and the low / other score
    groups of scored scales. Bases are the respondents who answered (each matrix line its own).
    """
    plan: list[tuple[Question, list[FrequencyTable], FrequencyTable | None]] = []
    for question in survey.questions:
        tables = _tables_for(question, communes)
        score_table = _score_table(question)
        if tables or score_table:
            plan.append((question, tables, score_table))
    other_commune: dict[str, int] = {}
    counts = SurveyCounts()
    for record in records:
        counts.total += 1
        counts.channels[record.channel] += 1
        day = record.submitted_on
        counts.first_day = day if counts.first_day is None else min(counts.first_day, day)
        counts.last_day = day if counts.last_day is None else max(counts.last_day, day)
        for question, tables, score_table in plan:
            value = record.data.get(question.code)
            if value not in (None, "", [], {}):
                _count(question, tables, value, other_commune)
            if score_table is not None:
                result = score(question, record.data)
                if result is not None:
                    score_table.base += 1
                    score_table.counts[0 if result[1] <= question.score_cutoff else 1] += 1
    for question, question_tables, score_table in plan:
        for table in question_tables:
            if question.type is T.COMMUNE and other_commune.get(question.code):
                table.categories.append(("", _("Other commune")))
                table.counts.append(other_commune[question.code])
            counts.tables.append(table)
        if score_table is not None:
            counts.tables.append(score_table)
    return counts


def _count(question: Question, tables: list[FrequencyTable], value, other_commune: dict[str, int]) -> None:
    kind = question.type
    if kind is T.MATRIX:
        rows = [r.code for r in question.rows]
        for table, row in zip(tables, rows):
            if row in value:
                _add(table, value[row])
        return
    table = tables[0]
    if kind is T.MULTIPLE:
        table.base += 1
        for code in value:
            index = _index(table, code)
            if index is not None:
                table.counts[index] += 1
    elif kind is T.RANKING:
        _add(table, value[0])
    elif not _add(table, value) and kind is T.COMMUNE:
        table.base += 1
        other_commune[question.code] = other_commune.get(question.code, 0) + 1


def _index(table: FrequencyTable, code: str) -> int | None:
    return next((i for i, (c, _label) in enumerate(table.categories) if c == code), None)


def _add(table: FrequencyTable, code: str) -> bool:
    index = _index(table, code)
    if index is None:
        return False
    table.base += 1
    table.counts[index] += 1
    return True


def apply_disclosure_control(tables: Iterable[FrequencyTable], k: int) -> None:
    """Protect each table with the platform's rule (`consult.surveys.disclosure.protect_counts`).

    Counts from 1 to k-1 are hidden (primary), zeros are shown; in a table whose counts add up to
    the base, one more figure is hidden where a hidden count could be recomputed (secondary).
    """
    for table in tables:
        protected = disclosure.protect_counts(table.counts, k, total=table.base, additive=table.additive)
        table.shown, table.shown_base = protected.cells, protected.total


def figure(cell: disclosure.Cell, k: int) -> Cell:
    """A count as exported: the number, “< k” for a small count, “hidden” for a secondary suppression."""
    if not cell.hidden:
        return cell.value
    if cell.reason is disclosure.Reason.SECONDARY:
        return _("hidden")
    return f"< {k}"


def _share(cell: disclosure.Cell, base: disclosure.Cell) -> float | None:
    """Percentage of the base, only when both are shown (a share of a hidden base would reveal it)."""
    if disclosure.share(cell, base) is None:
        return None
    return round(100 * cell.value / base.value, 1)


def table_kind_label(kind: str) -> str:
    return {
        "distribution": _("Distribution"),
        "multiple": _("Multiple answers (percentages add up to more than 100)"),
        "first_rank": _("Ranked first"),
        "score_group": _("Score group"),
    }[kind]


def tables_header() -> Row:
    return [_("Question"), _("Table"), _("Question text"), _("Code"), _("Answer"), _("Count"), _("Percentage"),
            _("Base (respondents)")]


def table_rows(tables: Sequence[FrequencyTable], k: int) -> Iterator[Row]:
    """Header, then one row per category; hidden counts show “< k” or “hidden”, and no percentage.

    Call `apply_disclosure_control` first.
    """
    yield tables_header()
    for table in tables:
        kind = table_kind_label(table.kind)
        base = figure(table.shown_base, k)
        for (code, label), cell in zip(table.categories, table.shown):
            yield [table.question, kind, table.title, code, label, figure(cell, k), _share(cell, table.shown_base),
                   base]


def suppression_summary(table: FrequencyTable) -> str:
    """What was hidden in one table, in words (for the method sheet)."""
    figures = [*table.shown, table.shown_base]
    small = sum(1 for c in figures if c.hidden and c.reason is not disclosure.Reason.SECONDARY)
    secondary = sum(1 for c in figures if c.reason is disclosure.Reason.SECONDARY)
    if not small and not secondary:
        return _("nothing hidden")
    parts = []
    if small:
        parts.append(ngettext("%(num)d figure below the threshold", "%(num)d figures below the threshold", small))
    if secondary:
        parts.append(ngettext("%(num)d figure hidden to prevent recomputation",
                              "%(num)d figures hidden to prevent recomputation", secondary))
    if table.shown_base.hidden:
        parts.append(_("base hidden"))
    return "; ".join(parts)


@dataclass(frozen=True)
class MethodFacts:
    """What the method sheet reports besides the tables."""

    survey_title: str
    territory: str
    total: int
    channels: Mapping[Channel, int]
    threshold: int
    generated_on: dt.date
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None


def method_rows(facts: MethodFacts, tables: Sequence[FrequencyTable]) -> Iterator[Row]:
    """Header, then the facts needed to read the tables: n, period, channels, threshold, suppression."""
    k = facts.threshold
    yield [_("Item"), _("Value")]
    yield [_("Survey"), facts.survey_title]
    yield [_("Territory"), facts.territory]
    yield [_("Respondents (n)"), facts.total]
    if facts.opens_on or facts.closes_on:
        period = _("from %(start)s to %(end)s", start=facts.opens_on.isoformat() if facts.opens_on else "…",
                   end=facts.closes_on.isoformat() if facts.closes_on else "…")
    else:
        period = _("not set")
    yield [_("Collection period"), period]
    if facts.first_day and facts.last_day:
        # Responses without an account keep only their week's Monday: the period is given in weeks.
        yield [_("Responses received"), _("from the week of %(start)s to the week of %(end)s",
                                          start=week_start(facts.first_day).isoformat(),
                                          end=week_start(facts.last_day).isoformat())]
    used = [channel for channel in Channel if facts.channels.get(channel)]
    protected = disclosure.protect_counts([facts.channels[c] for c in used], k, total=facts.total)
    channels = "; ".join(f"{channel.label}: {figure(cell, k)}" for channel, cell in zip(used, protected.cells))
    yield [_("Collection channels"), channels or "—"]
    yield [_("Disclosure threshold (k)"), k]
    yield [_("Primary suppression"),
           _("Any count from 1 to %(below)d is shown as “< %(k)d” and its percentage is not shown; zeros are "
             "shown.", below=k - 1, k=k)]
    yield [_("Secondary suppression"),
           _("In a table whose counts add up to the base, a hidden count could be recomputed from the others: "
             "one more figure is then shown as “hidden” (the smallest count that prevents it; the base only when "
             "no count can be taken). Multiple-answer tables do not add up and need none.")]
    yield [_("Percentages"), _("Computed on the respondents who answered the question (base).")]
    yield [_("Weighting"), _("Unweighted: results are not adjusted to the population structure "
                             "(age, sex, commune); respondents are volunteers, not a random sample.")]
    yield [_("Generated on"), facts.generated_on]
    for table in tables:
        yield [_("Suppression applied — %(table)s", table=table.question), suppression_summary(table)]
