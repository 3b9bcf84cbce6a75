"""Supports: one per participant and proposal, within the voting window and the call's limit."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from consult.errors import Conflict
from consult.extensions import db
from consult.proposals.models import AnswerStatus, Call, CallParticipant, Proposal, ProposalState, Support
from consult.proposals.services.errors import AlreadySupported, SupportLimitReached, VotingClosed, WrongState
from consult.proposals.services.writing import require_eligible


def _supportable(proposal: Proposal, now: dt.datetime) -> None:
    if proposal.state is not ProposalState.PUBLISHED or proposal.answer_status is AnswerStatus.MERGED:
        raise WrongState(_("This proposal cannot be supported."))
    if not proposal.call.is_voting(now):
        raise VotingClosed(_("Supports are not open for this call at the moment."))


def used_supports(user, call: Call) -> int:
    """How many supports `user` gives in `call` (counted from the stored supports)."""
    return db.session.scalar(select(func.count(Support.id)).join(Proposal).where(
        Support.user_id == user.id, Proposal.call_id == call.id)) or 0


def supports_left(user, call: Call) -> int | None:
    """Supports `user` may still give in `call`; None when the call sets no limit."""
    if call.support_limit is None:
        return None
    if not getattr(user, "is_authenticated", False):
        return call.support_limit
    return max(call.support_limit - used_supports(user, call), 0)


def _lock_participant(user, call: Call) -> None:
    """Create and lock the (call, person) row: two requests of one person are serialised here.

    SQLite takes the write lock at BEGIN IMMEDIATE already; on PostgreSQL the FOR UPDATE row lock
    makes a second request wait until the first commits, then count what it stored.
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = CallParticipant.__table__
    db.session.execute(dialect.insert(table).values(call_id=call.id, user_id=user.id).on_conflict_do_nothing())
    db.session.execute(select(table.c.call_id).where(table.c.call_id == call.id, table.c.user_id == user.id)
                       .with_for_update())


def support_proposal(actor, proposal: Proposal, *, now: dt.datetime) -> Support:
    """Support a published proposal, once, inside the voting window and the call's limit.

    Raises PermissionDenied (not eligible), WrongState, VotingClosed, AlreadySupported, SupportLimitReached.
    """
    call = proposal.call
    require_eligible(actor, call)
    _supportable(proposal, now)
    _lock_participant(actor, call)
    already = db.session.scalar(select(Support.id).where(Support.user_id == actor.id,
                                                         Support.proposal_id == proposal.id))
    if already is not None:
        raise AlreadySupported(_("You already support this proposal."))
    if call.support_limit is not None and used_supports(actor, call) >= call.support_limit:
        raise SupportLimitReached(ngettext("You have already given your %(num)d support in this call. Withdraw "
                                           "one to support another proposal.",
                                           "You have already given your %(num)d supports in this call. Withdraw "
                                           "one to support another proposal.", call.support_limit))
    support = Support(proposal_id=proposal.id, user_id=actor.id, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(support)
            db.session.flush()
    except IntegrityError:
        raise AlreadySupported(_("You already support this proposal.")) from None
    return support


def withdraw_support(actor, proposal: Proposal, *, now: dt.datetime) -> None:
    """Take one's support back while the voting window is open. Raises PermissionDenied, VotingClosed, Conflict."""
    require_eligible(actor, proposal.call)
    if not proposal.call.is_voting(now):
        raise VotingClosed(_("Supports can no longer be withdrawn: the voting window is closed."))
    removed = db.session.execute(delete(Support).where(Support.user_id == actor.id,
                                                       Support.proposal_id == proposal.id)).rowcount
    if removed != 1:
        raise Conflict(_("You do not support this proposal."))


def support_count(proposal: Proposal) -> int:
    """Stored supports of one proposal."""
    return db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal.id)) or 0


def supports_by(user, proposal_ids: list[int]) -> set[int]:
    """The proposals among `proposal_ids` that `user` supports."""
    if not getattr(user, "is_authenticated", False) or not proposal_ids:
        return set()
    return set(db.session.scalars(select(Support.proposal_id).where(Support.user_id == user.id,
                                                                    Support.proposal_id.in_(proposal_ids))))
