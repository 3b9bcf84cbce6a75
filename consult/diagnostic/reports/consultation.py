"""The consultation report of a territory's current contract, as blocks: method, participation (with charts),
key figures per axis, proposals and what became of them, groups and events, the fiches actions.

Only what observers may read: survey figures from each survey's latest release (protected), published proposals,
public fields of groups and events, published fiches. Never a live answer, never a free-text answer."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.diagnostic.reports.document import Block, Bullets, Chart, Contents, Document, Facts, Heading, Paragraph, Table
from consult.diagnostic.reports.figures import distribution, question_blocks
from consult.extensions import db
from consult.groups.models import Meeting, WorkingGroup
from consult.surveys.results import charts, presentation
from consult.synthesis import participation
from consult.synthesis.axes.evidence import gather
from consult.synthesis.axes.targets import current_axes
from consult.synthesis.fiches import pages
from consult.synthesis.outcomes import citing_map, outcomes_of
from consult.territories.models import Territory

# Report sections are built by the reader's rights of an observer: `None` reads no survey free text.
OBSERVER_VIEW = None


def number(value: int | float) -> str:
    return format_decimal(value)


def month(value: dt.date | None) -> str:
    from flask_babel import format_date

    return format_date(value, "MMMM yyyy") if value else ""


def day(value: dt.date | dt.datetime | None) -> str:
    from flask_babel import format_date

    return format_date(value, "long") if value else ""


def bar_chart(ident: str, title: str, rows: list[tuple[str, float, str]], table: Table) -> Chart:
    """Bars from (label, value, text) rows, lengths relative to the largest value, followed by `table`."""
    peak = max((value for _label, value, _text in rows), default=0) or 1
    description = _("Bar chart; the same figures are in the table that follows.")
    bars = [charts.Bar(label, value / peak, text) for label, value, text in rows]
    return Chart(charts.bar_chart(bars, ident=ident, title=title, description=description), description, table,
                 title)


class Report:
    """Gathers the figures once; each section method returns its blocks."""

    def __init__(self, territory: Territory, *, now: dt.datetime):
        self.territory = territory
        self.contract = territory.current_contract
        self.now = now
        self.board = participation.dashboard(territory, now=now)
        self.axes = current_axes(territory)
        self.evidence = {axis.id: gather(OBSERVER_VIEW, axis, now=now) for axis in self.axes}
        self.outcomes = outcomes_of(territory)
        self.plan = pages.plan_of(self.contract, published_only=True) if self.contract else []

    # --- the sections, in order ------------------------------------------------------------------------

    def sections(self) -> list[Callable[[], list[Block]]]:
        return [self.method, self.participation, self.key_figures, self.proposals, self.groups, self.fiches]

    def method(self) -> list[Block]:
        blocks: list[Block] = [Heading(1, _("Method"))]
        blocks.append(Paragraph(_(
            "Residents and professionals took part through surveys, proposals and their supports, working groups, "
            "forums, workshops and public meetings. This report gathers what each channel produced.")))
        surveys = self.board.surveys
        if surveys:
            rows = [[item.survey.title, str(item.release.number), day(item.release.made_at),
                     _("%(first)s to %(last)s", first=month(item.release.first_month),
                       last=month(item.release.last_month)) if item.release.first_month else "",
                     number(item.release.responses), str(item.k)] for item in surveys]
            blocks.append(Table(_("Surveys and the releases this report reads"),
                                [_("Survey"), _("Release no."), _("Made on"), _("Responses received"),
                                 _("Responses"), _("Threshold")], rows, numeric=frozenset({1, 4, 5})))
            used = sorted({line.label for item in surveys for line in item.channels.lines
                           if line.cell.hidden or line.cell.value})
            blocks.append(Paragraph(_("Channels of the surveys: %(channels)s.", channels=", ".join(used))))
        else:
            blocks.append(Paragraph(_("No survey has published results yet.")))
        blocks.append(Heading(2, _("How figures are protected")))
        blocks.append(Bullets([
            _("Survey figures come from each survey's latest release only: answers received after it are not "
              "counted, and no individual answer is printed."),
            _("In a release, a count below the threshold reads “< threshold” and any count that would let it be "
              "recomputed reads “hidden”."),
            _("Free-text answers are never printed: they are read by the team and summarised in the fiches."),
            _("Only published proposals, published fiches and the public information of groups and events appear."),
            _("Contributions and people are counted apart: one person may have made several contributions."),
        ]))
        return blocks

    def participation(self) -> list[Block]:
        board = self.board
        blocks: list[Block] = [Heading(1, _("Participation"))]
        blocks.append(Paragraph(_("%(num)s people took part through working groups, meetings, proposals, supports "
                                  "or comments.", num=number(board.people))))
        rows = [[label, number(n), number(people) if people is not None else _("not counted")]
                for _key, label, n, people in board.channels]
        table = Table(_("Contributions and people by channel"), [_("Channel"), _("Contributions"), _("People")],
                      rows, numeric=frozenset({1, 2}))
        blocks.append(bar_chart("chart-channels", _("Contributions by channel"),
                                [(label, n, number(n)) for _key, label, n, _people in board.channels], table))
        for n, item in enumerate(board.surveys):
            title = _("Responses to “%(survey)s” by channel — release no. %(number)d",
                      survey=item.survey.title, number=item.release.number)
            blocks.append(distribution(item.channels, item.k, ident=f"chart-survey-{n}", title=title,
                                       first_header=_("Channel"), footer=_("All responses")))
        heard = [row for row in board.communes if row.people and row.per_thousand is not None]
        if heard:
            rows = [[row.commune.name, number(row.commune.population), number(row.people),
                     presentation.decimal(row.per_thousand, 1)] for row in heard]
            table = Table(_("People per 1,000 inhabitants, by commune, least heard first"),
                          [_("Commune"), _("Population"), _("People"), _("Per 1,000 inhabitants")], rows,
                          numeric=frozenset({1, 2, 3}))
            blocks.append(bar_chart("chart-communes", _("People per 1,000 inhabitants, by commune"),
                                    [(row.commune.name, row.per_thousand, presentation.decimal(row.per_thousand, 1))
                                     for row in heard], table))
        silent = [row.commune.name for row in board.communes if not row.people]
        if silent:
            blocks.append(Paragraph(_("Communes where nobody has taken part yet: %(names)s.",
                                      names=", ".join(sorted(silent)))))
        return blocks

    def key_figures(self) -> list[Block]:
        blocks: list[Block] = [Heading(1, _("Key figures per axis"), new_page=True)]
        blocks.append(Paragraph(_("For each axis: the contributions it received, then the figures of the survey "
                                  "questions linked to it, from the latest release of each survey."), hint=True))
        if not self.axes:
            blocks.append(Paragraph(_("The territory has no current contract with axes yet.")))
        for axis in self.axes:
            evidence = self.evidence[axis.id]
            blocks.append(Heading(2, _("Axis %(n)d — %(title)s", n=axis.number, title=axis.title)))
            blocks.append(Facts([(label, number(n)) for label, n in evidence.contributions]))
            for figure in evidence.figures:
                if figure.release is None or figure.view is None:
                    continue
                blocks.append(Heading(3, figure.survey.title))
                blocks.append(Paragraph(_("Release no. %(number)d of %(date)s", number=figure.release.number,
                                          date=day(figure.release.made_at)) + " · "
                                        + _("n = %(n)s answered this question",
                                            n=presentation.figure(figure.view.answered, figure.release.k))))
                blocks.extend(question_blocks(figure.view, figure.release.k, ident=f"chart-axis-{figure.link.id}"))
        return blocks

    def proposals(self) -> list[Block]:
        blocks: list[Block] = [Heading(1, _("Proposals and what became of them"))]
        channels = {c.key: c for c in self.outcomes.channels}
        if "proposals" in channels:
            found = channels["proposals"]
            blocks.append(Facts([(_("Published proposals"), number(found.count)),
                                 (_("Retained"), number(found.detail)),
                                 (_("Published fiches actions"), number(self.outcomes.fiche_count))]))
        citing = citing_map(self.territory, OBSERVER_VIEW)
        for axis in self.axes:
            items = self.evidence[axis.id].proposals
            if not items:
                continue
            rows = []
            for item in items:
                p = item.proposal
                fiches = citing.get(("proposal", p.id), [])
                rows.append([p.title, number(item.supports), p.answer_status.label if p.answer_status else
                             _("No answer yet"), ", ".join(_("Action %(number)s", number=f.number) for f in fiches)])
            blocks.append(Table(_("Axis %(n)d — published proposals, most supported first", n=axis.number),
                                [_("Proposal"), _("Supports"), _("Answer"), _("Taken up by")], rows,
                                numeric=frozenset({1})))
        if self.outcomes.retained:
            blocks.append(Heading(2, _("Retained proposals")))
            blocks.append(Bullets([
                item.proposal.title + " → " + (", ".join(f"{_('Action %(number)s', number=f.number)} {f.title}"
                                                          for f in item.fiches)
                                               or _("its fiche is not published yet"))
                for item in self.outcomes.retained]))
        return blocks

    def groups(self) -> list[Block]:
        blocks: list[Block] = [Heading(1, _("Working groups and events"))]
        groups = list(db.session.scalars(
            select(WorkingGroup).where(WorkingGroup.territory_id == self.territory.id)
            .options(selectinload(WorkingGroup.axis), selectinload(WorkingGroup.meetings))
            .order_by(WorkingGroup.title, WorkingGroup.id)))
        if groups:
            rows = [[g.title, _("Axis %(n)d", n=g.axis.number), g.status.label,
                     f"{number(g.member_count)} / {number(g.capacity)}",
                     number(sum(1 for m in g.meetings if m.cancelled_at is None and m.starts_at <= self.now))]
                    for g in groups]
            blocks.append(Table(_("Working groups"), [_("Group"), _("Axis"), _("Status"), _("Members / seats"),
                                                       _("Meetings held")], rows, numeric=frozenset({3, 4})))
        else:
            blocks.append(Paragraph(_("No working group yet.")))
        events = list(db.session.scalars(
            select(Meeting).where(Meeting.territory_id == self.territory.id, Meeting.group_id.is_(None),
                                  Meeting.cancelled_at.is_(None)).order_by(Meeting.starts_at, Meeting.id)))
        if events:
            rows = [[m.title, m.kind.label, day(m.starts_at), m.place] for m in events]
            blocks.append(Table(_("Forums, workshops and public meetings"),
                                [_("Event"), _("Kind"), _("Date"), _("Place")], rows))
        else:
            blocks.append(Paragraph(_("No forum, workshop or public meeting yet.")))
        return blocks

    def fiches(self) -> list[Block]:
        blocks: list[Block] = [Heading(1, _("The fiches actions"))]
        fiches = [f for axis_plan in self.plan for group in axis_plan.groups for f in group.fiches]
        if not fiches:
            blocks.append(Paragraph(_("No fiche action is published yet.")))
            return blocks
        rows = [[f"{f.number} {f.title}", f.status.label, ", ".join(p.organisation for p in f.leads) or "—",
                 presentation.percent(f.progress / 100) if f.progress is not None else _("No steps yet")]
                for f in fiches]
        blocks.append(Table(_("Published fiches actions, by axis"), [_("Fiche"), _("Status"), _("Lead"),
                                                                     _("Progress")], rows,
                            numeric=frozenset({3})))
        return blocks


def consultation_report(territory: Territory, *, now: dt.datetime, progress=None) -> Document:
    """The report as a Document; `progress(done, total)` is called after each section."""
    report = Report(territory, now=now)
    contract = report.contract
    document = Document(
        title=_("Consultation report"), subtitle=territory.name, lang=_lang(), made_on=now.date(),
        cover=[(_("Territory"), territory.name), (_("Contract"), contract.title if contract else "—"),
               (_("Date"), day(now.date()))], blocks=[Contents()])
    sections = report.sections()
    for n, section in enumerate(sections, start=1):
        document.blocks.extend(section())
        if progress is not None:
            progress(n, len(sections))
    return document.anchored()


def _lang() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "fr").replace("_", "-")
