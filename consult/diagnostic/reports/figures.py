"""Survey figures as report blocks: a release's distributions as charts with their tables, matrices, rankings
and scores as tables. Figures arrive protected by the release (hidden cells read « < k » or « hidden»)."""
from __future__ import annotations

from flask_babel import gettext as _

from consult.diagnostic.reports.document import Block, Chart, Facts, Paragraph, Table
from consult.surveys.results import charts, presentation
from consult.surveys.results.presentation import QuestionView, Shown


def distribution(shown: Shown, k: int, *, ident: str, title: str, first_header: str,
                 footer: str | None = None) -> Chart:
    """A distribution as a bar chart followed by its table (number and share of each line, then the base)."""
    fig = presentation.figure
    rows = [[line.label, fig(line.cell, k), presentation.percent(line.share)] for line in shown.lines]
    whole = presentation.percent(1) if shown.additive and not shown.base.hidden and shown.base.value else ""
    table = Table(title, [first_header, _("Number"), _("Share")], rows,
                  [footer or _("Respondents (n)"), fig(shown.base, k), whole], frozenset({1, 2}))
    description = _("Bar chart; the same figures are in the table that follows.")
    svg = charts.bar_chart(presentation.bars(shown, k), ident=ident, title=title, description=description)
    return Chart(svg, description, table, title)


def question_blocks(view: QuestionView, k: int, *, ident: str) -> list[Block]:
    """What a public results page shows of one question, as blocks (free-text answers are never printed)."""
    fig = presentation.figure
    title = f"{view.question.code} — {view.question.text}"
    blocks: list[Block] = []
    if view.kind in ("choice", "numeric", "date") and view.shown is not None and view.shown.lines:
        header = {"choice": _("Answer"), "numeric": _("Value"), "date": _("Month")}[view.kind]
        blocks.append(distribution(view.shown, k, ident=ident, title=title, first_header=header))
        stats = []
        if view.mean is not None:
            stats.append((_("Mean position") if view.kind == "choice" else _("Mean"),
                          presentation.decimal(view.mean, 2 if view.kind == "choice" else 1)))
        if view.median_label:
            stats.append((_("Median answer"), view.median_label))
        elif view.median is not None:
            stats.append((_("Median"), presentation.decimal(view.median, 1)))
        if stats:
            blocks.append(Facts(stats))
        if view.multiple:
            blocks.append(Paragraph(_("Several answers were possible: the shares add up to more than the whole."),
                                    hint=True))
    elif view.kind == "matrix":
        rows = [[label] + [fig(line.cell, k) + (f" ({presentation.percent(line.share)})" if line.share is not None
                                                 else "") for line in shown.lines] + [fig(shown.base, k)]
                for label, shown in view.matrix]
        blocks.append(Table(title, [_("Item"), *view.columns, _("n")], rows,
                            numeric=frozenset(range(1, len(view.columns) + 2))))
        if view.score is not None:
            blocks.append(distribution(view.score.bands, k, ident=f"{ident}-score",
                                       title=_("Distribution of the percentage score"),
                                       first_header=_("Percentage score"), footer=_("Complete answers (n)")))
    elif view.kind == "ranking":
        rows = [[item.label, str(item.borda) if item.borda is not None else "",
                 presentation.decimal(item.mean_rank, 2), fig(item.first, k), fig(item.ranked, k)]
                for item in view.ranking]
        blocks.append(Table(title, [_("Item"), _("Borda points"), _("Mean rank"), _("Ranked first"),
                                    _("Ranked at all")], rows, numeric=frozenset({1, 2, 3, 4})))
    else:
        blocks.append(Paragraph(_("Free-text answers are not published: they are read by the team and summarised "
                                  "in the diagnostic."), hint=True))
    if view.mean_withheld:
        blocks.append(Paragraph(_("The mean is not shown: with the figures above, it would allow hidden counts to be "
                                  "recomputed."), hint=True))
    return blocks
