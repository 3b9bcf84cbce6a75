"""The official answer and status of a published proposal, and who hears about it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.errors import InvalidInput, PermissionDenied
from consult.extensions import db
from consult.proposals.models import AnswerStatus, Follower, ModerationAction, Proposal, ProposalState
from consult.proposals.permissions import can_moderate
from consult.proposals.services.errors import WrongState
from consult.proposals.services.history import record
from consult.territories.permissions import require

@dataclass(frozen=True)
class AnswerData:
    """The coordinators' answer."""

    status: AnswerStatus
    text: str = ""
    existing_reference: str = ""

def answer_proposal(actor, proposal: Proposal, data: AnswerData, *, now: dt.datetime) -> bool:
    """Set the official status and answer of a published proposal; True when the status changed
    (then the author and followers are to be told, see `recipients`).

    Raises PermissionDenied, WrongState (not published, or merged), InvalidInput (missing reason or pointer).
    """
    require(can_moderate(actor, proposal.territory))
    if proposal.state is not ProposalState.PUBLISHED or proposal.answer_status is AnswerStatus.MERGED:
        raise WrongState(_("Only published proposals that are not merged can be answered."))
    if data.status is AnswerStatus.MERGED:
        raise InvalidInput(_("Use “Merge into another proposal” to merge."), field="status")
    text = data.text.strip()
    reference = data.existing_reference.strip()
    if data.status is AnswerStatus.NOT_RETAINED and not text:
        raise InvalidInput(_("Explain publicly why the proposal is not retained."), field="text")
    if data.status is AnswerStatus.ALREADY_EXISTS and not reference:
        raise InvalidInput(_("Say where the existing action can be found."), field="existing_reference")
    changed = proposal.answer_status is not data.status
    proposal.answer_status = data.status
    proposal.answer_text = text
    proposal.existing_reference = reference if data.status is AnswerStatus.ALREADY_EXISTS else ""
    proposal.answered_at = now
    record(proposal, actor, ModerationAction.ANSWERED, now=now, reason=str(data.status.label))
    db.session.flush()
    return changed

def recipients(proposal: Proposal) -> list[User]:
    """The author and the followers of a proposal, each once, with a usable account."""
    followers = db.session.scalars(select(User).join(Follower, Follower.user_id == User.id)
                                   .where(Follower.proposal_id == proposal.id)).all()
    people = {proposal.author.id: proposal.author} | {user.id: user for user in followers}
    return [user for user in people.values() if user.is_active and user.is_confirmed]

def follow(actor, proposal: Proposal) -> bool:
    """Follow a published proposal (emails on status changes); False when already followed.

    Raises PermissionDenied (not logged in), WrongState.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Please log in to follow a proposal."))
    if proposal.state is not ProposalState.PUBLISHED:
        raise WrongState(_("Only published proposals can be followed."))
    if db.session.get(Follower, (proposal.id, actor.id)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Follower(proposal_id=proposal.id, user_id=actor.id))
    except IntegrityError:  # a double click: the first request followed
        return False
    return True

def unfollow(actor, proposal: Proposal) -> bool:
    """Stop following; False when the actor was not following. Raises PermissionDenied."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Please log in to follow a proposal."))
    follower = db.session.get(Follower, (proposal.id, actor.id))
    if follower is None:
        return False
    db.session.delete(follower)
    db.session.flush()
    return True

