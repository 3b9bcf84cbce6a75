"""Pure row builders of a release's tables: every figure of the release's pages, as rows, and its method."""
from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _

from consult.core import disclosure
from consult.exports.writers import Cell, Row
from consult.surveys.releases.content import Audit, ReleaseContent
from consult.surveys.results import presentation as p


def figure(cell: disclosure.Cell, k: int) -> Cell:
    """A count as exported: the number, “< k” for a small count, “hidden” for a secondary suppression."""
    if not cell.hidden:
        return cell.value
    if cell.reason is disclosure.Reason.SECONDARY:
        return _("hidden")
    return f"< {k}"


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def tables_header() -> Row:
    return [_("Question"), _("Table"), _("Question text"), _("Group"), _("Answer"), _("Count"), _("Percentage"),
            _("Base (respondents)")]


def _lines(code: str, kind: str, text: str, group: str, shown: p.Shown, k: int) -> Iterator[Row]:
    base = figure(shown.base, k)
    for line in shown.lines:
        yield [code, kind, text, group, line.label, figure(line.cell, k), _percent(line.share), base]


def release_table_rows(content: ReleaseContent, k: int) -> Iterator[Row]:
    """Header, then one row per figure of every question and every breakdown of the release, exactly as
    its pages show them (hidden counts read “< k” or “hidden”, without percentage)."""
    yield tables_header()
    everyone = _("All respondents")
    for view in content.questions:
        q = view.question
        if view.shown is not None:
            kind = _("Multiple answers (percentages add up to more than 100)") if view.multiple else _("Distribution")
            yield from _lines(q.code, kind, q.text, everyone, view.shown, k)
        for label, shown in view.matrix:
            yield from _lines(q.code, _("Distribution"), f"{q.text} — {label}", everyone, shown, k)
        if view.score is not None:
            yield from _lines(q.code, _("Score"), q.text, everyone, view.score.bands, k)
            if view.score.low is not None:
                low = view.score.low
                yield [q.code, _("Score"), q.text, everyone, low.label, figure(low.cell, k), _percent(low.share),
                       figure(view.score.complete, k)]
        for item in view.ranking:
            yield [q.code, _("Ranked first"), q.text, everyone, item.label, figure(item.first, k),
                   _percent(item.first_share), figure(view.answered, k)]
    for table in content.breakdowns:
        if table.withheld:
            continue
        kind = _("By %(variable)s", variable=table.variable.label.lower())
        for row in table.rows:
            base = figure(row.base, k)
            for column, (cell, share) in zip(table.columns, row.cells):
                yield [table.question.code, kind, table.question.text, row.label, column, figure(cell, k),
                       _percent(share), base]


def release_method_rows(*, survey_title: str, territory: str, number: int, made_on, responses: int, period: str,
                        k: int, channels: str, audit: Audit, content: ReleaseContent, opening: str = "") -> Iterator[Row]:
    """Header, then what is needed to read the tables: the release, n, period (and the dates the survey was set to
    open and close, if any), channels, k, protection."""
    yield [_("Item"), _("Value")]
    yield [_("Survey"), survey_title]
    yield [_("Territory"), territory]
    yield [_("Release"), _("no. %(number)d, made on %(date)s", number=number, date=made_on.isoformat())]
    yield [_("Respondents (n)"), responses]
    yield [_("Answers collected"), period]
    if opening:
        yield [_("Open to answers"), opening]
    yield [_("Collection channels"), channels or "—"]
    yield [_("Disclosure threshold (k)"), k]
    yield [_("Primary suppression"),
           _("Any count from 1 to %(below)d is shown as “< %(k)d” and its percentage is not shown; zeros are "
             "shown. A group of fewer than %(k)d respondents is hidden whole.", below=k - 1, k=k)]
    yield [_("Secondary suppression"),
           _("Figures are also shown as “hidden” where a hidden count could otherwise be worked out, taking every "
             "table of the release together (totals, groups shared between breakdowns, the same two questions "
             "crossed both ways, follow-up questions): no hidden figure can be deduced to a single value.")]
    if content.merged:
        yield [_("Grouped communes"), ", ".join(content.merged)]
    yield [_("Figures hidden"), audit.hidden_per_table + audit.hidden_by_audit]
    yield [_("Percentages"), _("Computed on the respondents who answered the question (base).")]
    yield [_("Weighting"), _("Unweighted: results are not adjusted to the population structure "
                             "(age, sex, commune); respondents are volunteers, not a random sample.")]
