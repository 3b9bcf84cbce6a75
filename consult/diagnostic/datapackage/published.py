"""The published tables of the data package, for the territory's current contract: proposals (published only) and
their supports counted per proposal, the ideas of meetings as the synthesis shows them, the published fiches actions
(axis path first) and their indicators."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consult.core.time import paris_date
from consult.extensions import db
from consult.groups.models import Idea, Meeting, MeetingKind
from consult.proposals.models import AnswerStatus, Proposal, ProposalState, Support
from consult.synthesis.fiches.pages import budget_of, plan_of
from consult.synthesis.models import Fiche, FicheStatus, IndicatorKind, PartnerRole, Priority, TargetPublic
from consult.territories.models import Axis
from consult.diagnostic.datapackage.tables import Field, Table


def _codes(kind) -> str:
    return "; ".join(f"{member.value} = {member.label}" for member in kind)


def _axis_fields() -> list[Field]:
    return [Field("axis_number", "integer", _("Axis number"), _("Rank of the axis in the contract.")),
            Field("axis", "string", _("Axis"), _("Strategic axis of the contract.")),
            Field("objective", "string", _("Objective"), _("Objective of the axis (empty: the axis as a whole)."))]


def _axis_cells(axis: Axis, objective) -> list:
    return [axis.number, axis.title, objective.title if objective is not None else None]


def _published_proposals(contract) -> list[tuple[Proposal, int]]:
    supports = (select(Support.proposal_id, func.count(Support.id).label("n")).group_by(Support.proposal_id)
                .subquery())
    return list(db.session.execute(
        select(Proposal, func.coalesce(supports.c.n, 0))
        .join(Axis, Axis.id == Proposal.axis_id)
        .outerjoin(supports, supports.c.proposal_id == Proposal.id)
        .where(Axis.contract_id == contract.id, Proposal.state == ProposalState.PUBLISHED)
        .options(selectinload(Proposal.call), selectinload(Proposal.axis), selectinload(Proposal.objective))
        .order_by(Axis.position, Proposal.published_at, Proposal.id)).tuples())


def proposal_tables(contract) -> list[Table]:
    """Published proposals (call, axis, title, answer, supports) and the supports counted per proposal (never who
    gave them)."""
    found = _published_proposals(contract) if contract is not None else []
    fields = [
        Field("id", "integer", _("Proposal number"), _("Number of the proposal in the address of its page.")),
        Field("call", "string", _("Call for proposals")),
        *_axis_fields(),
        Field("title", "string", _("Title")),
        Field("description", "string", _("Description")),
        Field("published_on", "date", _("Published on")),
        Field("status", "string", _("Answer status"), _("Official follow-up (empty: not answered yet): %(codes)s.",
                                                        codes=_codes(AnswerStatus)),
              tuple(s.value for s in AnswerStatus)),
        Field("status_label", "string", _("Answer status (label)")),
        Field("answer", "string", _("Answer"), _("The coordinators' answer, as the proposal's page shows it.")),
        Field("merged_into", "integer", _("Merged into"), _("Number of the proposal it was merged into.")),
        Field("supports", "integer", _("Supports"), _("Number of supports, as the proposal's page shows it.")),
    ]

    def rows():
        for proposal, supports in found:
            status = proposal.answer_status
            yield [proposal.id, proposal.call.title, *_axis_cells(proposal.axis, proposal.objective), proposal.title,
                   proposal.description, paris_date(proposal.published_at), status.value if status else None,
                   str(status.label) if status else None, proposal.answer_text, proposal.merged_into_id, supports]

    def support_rows():
        for proposal, supports in found:
            yield [proposal.id, supports]

    return [
        Table("proposals", _("Proposals"), _("The published proposals of the contract's calls, with their answer "
                                             "and number of supports."),
              fields, rows, len(found), primary_key=["id"]),
        Table("supports", _("Supports per proposal"), _("Number of supports of each published proposal (counted; "
                                                        "who supported is never given)."),
              [Field("proposal_id", "integer", _("Proposal number")),
               Field("supports", "integer", _("Supports"), _("Number of supports, as the proposal's page shows it."))],
              support_rows, len(found), primary_key=["proposal_id"],
              foreign_keys=[(["proposal_id"], "proposals", ["id"])]),
    ]


def ideas_table(territory, contract) -> Table:
    """The ideas raised in meetings and events, per axis of the contract, as the synthesis lists them."""
    ideas: list[Idea] = []
    if contract is not None:
        ideas = list(db.session.scalars(
            select(Idea).join(Meeting, Meeting.id == Idea.meeting_id).join(Axis, Axis.id == Idea.axis_id)
            .where(Axis.contract_id == contract.id, Meeting.territory_id == territory.id,
                   Meeting.cancelled_at.is_(None))
            .options(selectinload(Idea.meeting).selectinload(Meeting.group), selectinload(Idea.axis),
                     selectinload(Idea.objective))
            .order_by(Axis.position, Meeting.starts_at, Idea.id)))
    fields = [
        Field("id", "integer", _("Idea number")),
        *_axis_fields(),
        Field("text", "string", _("Idea")),
        Field("meeting", "string", _("Meeting or event")),
        Field("meeting_kind", "string", _("Kind of meeting"), _codes(MeetingKind), tuple(k.value for k in MeetingKind)),
        Field("meeting_date", "date", _("Date of the meeting"), _("Day it started, in Paris time.")),
        Field("working_group", "string", _("Working group"), _("Empty for an event of the whole territory.")),
    ]

    def rows():
        for idea in ideas:
            meeting = idea.meeting
            yield [idea.id, *_axis_cells(idea.axis, idea.objective), idea.text, meeting.title, meeting.kind.value,
                   paris_date(meeting.starts_at), meeting.group.title if meeting.group else None]

    return Table("ideas", _("Ideas of meetings and events"), _("The ideas raised in working-group meetings and "
                                                               "events, tied to an axis of the contract."),
                 fields, rows, len(ideas), primary_key=["id"])


def _labels(values, kind) -> str:
    return "; ".join(kind(v).label for v in values if v in kind.__members__.values())


def plan_tables(contract) -> list[Table]:
    """The published fiches actions, axis path first, in the plan's order, and their indicators."""
    fiches: list[Fiche] = []
    if contract is not None:
        for axis_plan in plan_of(contract, published_only=True):
            for group in axis_plan.groups:
                fiches += group.fiches
    fiche_fields = [
        *_axis_fields(),
        Field("number", "string", _("Fiche number"), _("Number of the axis, then rank of the fiche in the axis.")),
        Field("id", "integer", _("Fiche identifier")),
        Field("title", "string", _("Title")),
        Field("status", "string", _("Status"), _codes(FicheStatus), tuple(s.value for s in FicheStatus)),
        Field("status_label", "string", _("Status (label)")),
        Field("priority", "string", _("Priority"), _codes(Priority), tuple(p.value for p in Priority)),
        Field("general_objective", "string", _("General objective")),
        Field("specific_objectives", "string", _("Specific objectives"), _("Separated by semicolons.")),
        Field("description", "string", _("Description")),
        Field("publics", "string", _("Target publics"), _("Separated by semicolons.")),
        Field("whole_territory", "boolean", _("Whole territory")),
        Field("communes", "string", _("Communes"), _("Separated by semicolons (when not the whole territory).")),
        Field("lead_organisations", "string", _("Lead organisations"), _("Separated by semicolons.")),
        Field("partners", "string", _("Partners"), _("Separated by semicolons.")),
        Field("starts_on", "date", _("Start")),
        Field("ends_on", "date", _("End")),
        Field("ongoing", "boolean", _("Ongoing action")),
        Field("budget", "integer", _("Planned budget (euros)"), _("Operating and investment funding, in whole euros.")),
        Field("progress", "integer", _("Progress (%)"), _("Share of the steps done (empty without steps).")),
        Field("published_on", "date", _("Published on")),
    ]

    def fiche_rows():
        for fiche in fiches:
            yield [*_axis_cells(fiche.axis, fiche.objective), fiche.number, fiche.id, fiche.title, fiche.status.value,
                   fiche.status.label, fiche.priority.value if fiche.priority else None, fiche.general_objective,
                   "; ".join(fiche.specific_objectives or []), fiche.description,
                   _labels(fiche.publics or [], TargetPublic), fiche.whole_territory,
                   "; ".join(c.name for c in fiche.communes), "; ".join(p.organisation for p in fiche.leads),
                   "; ".join(p.organisation for p in fiche.partners if p.role is not PartnerRole.LEAD),
                   fiche.starts_on, fiche.ends_on, fiche.ongoing, budget_of(fiche).total, fiche.progress,
                   paris_date(fiche.published_at)]

    indicators = [(fiche, indicator) for fiche in fiches for indicator in fiche.indicators]
    indicator_fields = [
        Field("id", "integer", _("Indicator identifier")),
        Field("fiche_id", "integer", _("Fiche identifier")),
        Field("fiche_number", "string", _("Fiche number")),
        Field("kind", "string", _("Kind of indicator"), _codes(IndicatorKind), tuple(k.value for k in IndicatorKind)),
        Field("name", "string", _("Indicator")),
        Field("target", "number", _("Target")),
        Field("unit", "string", _("Unit")),
        Field("source", "string", _("Source")),
        Field("frequency", "string", _("Frequency")),
        Field("last_year", "integer", _("Year of the last value")),
        Field("last_value", "number", _("Last value")),
    ]

    def indicator_rows():
        for fiche, indicator in indicators:
            last = max(indicator.values, key=lambda v: (v.year, v.id), default=None)
            yield [indicator.id, fiche.id, fiche.number, indicator.kind.value, indicator.name, indicator.target,
                   indicator.unit, indicator.source, indicator.frequency, last.year if last else None,
                   last.value if last else None]

    return [
        Table("fiches", _("Fiches actions"), _("The published fiches actions of the contract, in the plan's order "
                                               "(axis, objective, rank)."),
              fiche_fields, fiche_rows, len(fiches), primary_key=["id"]),
        Table("indicators", _("Indicators"), _("The indicators of the published fiches actions, with their target "
                                               "and last recorded value."),
              indicator_fields, indicator_rows, len(indicators), primary_key=["id"],
              foreign_keys=[(["fiche_id"], "fiches", ["id"])]),
    ]
