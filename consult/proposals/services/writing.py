"""Writing proposals: drafts, submission for moderation, editing until the first support or comment."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import exists, select

from consult.errors import InvalidInput, PermissionDenied
from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import Call, Comment, ModerationAction, Proposal, ProposalState, Public, Support
from consult.proposals.permissions import is_author, is_eligible
from consult.proposals.services.errors import NotEditable, SubmissionClosed
from consult.proposals.services.history import record
from consult.territories.models import Commune

EDITABLE_STATES = (ProposalState.DRAFT, ProposalState.PENDING, ProposalState.PUBLISHED)


@dataclass(frozen=True)
class ProposalData:
    """What a participant writes."""

    title: str
    description: str
    axis_id: int | None
    objective_id: int | None = None
    whole_territory: bool = True
    commune_ids: list[int] = field(default_factory=list)
    publics: list[str] = field(default_factory=list)


def require_eligible(actor, call: Call) -> None:
    """Raise PermissionDenied unless the actor may take part in the call."""
    if not is_eligible(actor, call):
        if call.residents_only and getattr(actor, "is_authenticated", False):
            raise PermissionDenied(_("This call is open to people living in %(territory)s. Set your commune in "
                                     "your profile to take part.", territory=call.territory.name))
        raise PermissionDenied(_("Please log in to take part."))


def has_reactions(proposal: Proposal) -> bool:
    """Whether anyone supported or commented the proposal."""
    return bool(db.session.scalar(select(
        exists().where(Support.proposal_id == proposal.id) | exists().where(Comment.proposal_id == proposal.id))))


def is_editable(proposal: Proposal, *, reactions: bool | None = None) -> bool:
    """Editable by its author: not rejected or hidden, not answered, nobody supported or commented it
    (`reactions`: whether anyone did, when the page knows it already; read from the database otherwise)."""
    if proposal.state not in EDITABLE_STATES or proposal.answer_status is not None:
        return False
    return not (has_reactions(proposal) if reactions is None else reactions)


def _apply(proposal: Proposal, call: Call, data: ProposalData) -> None:
    if not data.title.strip():
        raise InvalidInput(_("Give your proposal a title."), field="title")
    axes = {axis.id: axis for axis in call.axes}
    axis = axes.get(data.axis_id or 0)
    if axis is None:
        raise InvalidInput(_("Choose the axis of the contract your proposal serves."), field="axis_id")
    objective = None
    if data.objective_id:
        objective = next((o for o in axis.active_objectives if o.id == data.objective_id), None)
        if objective is None:
            raise InvalidInput(_("This objective does not belong to the chosen axis."), field="objective_id")
    communes: list[Commune] = []
    if not data.whole_territory:
        communes = list(db.session.scalars(select(Commune).where(
            Commune.territory_id == call.territory_id, Commune.id.in_(data.commune_ids or [0]))))
        if not communes or len(communes) != len(set(data.commune_ids)):
            raise InvalidInput(_("Choose the communes concerned, or the whole territory."), field="commune_ids")
    publics = [value for value in dict.fromkeys(data.publics) if value in Public.__members__.values()]
    if len(publics) != len(set(data.publics)):
        raise InvalidInput(_("Choose target publics from the list."), field="publics")
    proposal.title = data.title.strip()
    proposal.description = data.description.strip()
    proposal.axis_id, proposal.objective_id = axis.id, objective.id if objective else None
    proposal.whole_territory = data.whole_territory
    proposal.communes = communes
    proposal.publics = " ".join(publics)
    proposal.search_text = similarity.search_document(proposal.title, proposal.description)


def _require_complete(proposal: Proposal) -> None:
    if len(proposal.description) < 20:
        raise InvalidInput(_("Describe your proposal in a few sentences (at least 20 characters)."),
                           field="description")


def create_proposal(actor, call: Call, data: ProposalData, *, submit: bool, now: dt.datetime) -> Proposal:
    """Write a proposal in the call, as a draft or submitted for moderation at once.

    Raises PermissionDenied (not eligible), SubmissionClosed, InvalidInput.
    """
    require_eligible(actor, call)
    if not call.is_submitting(now):
        raise SubmissionClosed(_("This call does not take proposals at the moment."))
    proposal = Proposal(call=call, author_id=actor.id, state=ProposalState.DRAFT, created_at=now, updated_at=now)
    _apply(proposal, call, data)
    db.session.add(proposal)
    db.session.flush()
    if submit:
        submit_proposal(actor, proposal, now=now)
    return proposal


def update_proposal(actor, proposal: Proposal, data: ProposalData, *, submit: bool = False,
                    now: dt.datetime) -> Proposal:
    """The author edits a proposal nobody has supported or commented yet; a published proposal goes
    back to moderation. Raises PermissionDenied, NotEditable, SubmissionClosed, InvalidInput."""
    if not is_author(actor, proposal):
        raise PermissionDenied(_("Only the author can edit a proposal."))
    if not is_editable(proposal):
        raise NotEditable(_("This proposal can no longer be edited: it has been supported, commented or answered."))
    _apply(proposal, proposal.call, data)
    proposal.updated_at = now
    if proposal.state is ProposalState.PUBLISHED or (submit and proposal.state is ProposalState.DRAFT):
        submit_proposal(actor, proposal, now=now)
    elif proposal.state is ProposalState.PENDING:
        _require_complete(proposal)
    db.session.flush()
    return proposal


def submit_proposal(actor, proposal: Proposal, *, now: dt.datetime) -> Proposal:
    """Send a draft (or an edited published proposal) to the coordinators for moderation.

    Raises PermissionDenied, SubmissionClosed, WrongState (via NotEditable), InvalidInput.
    """
    if not is_author(actor, proposal):
        raise PermissionDenied(_("Only the author can submit a proposal."))
    require_eligible(actor, proposal.call)
    if proposal.state not in (ProposalState.DRAFT, ProposalState.PUBLISHED):
        raise NotEditable(_("This proposal has already been submitted."))
    if proposal.state is ProposalState.DRAFT and not proposal.call.is_submitting(now):
        raise SubmissionClosed(_("This call does not take proposals at the moment."))
    _require_complete(proposal)
    proposal.state = ProposalState.PENDING
    proposal.submitted_at = now
    proposal.published_at = None
    db.session.flush()
    record(proposal, actor, ModerationAction.SUBMITTED, now=now)
    return proposal
