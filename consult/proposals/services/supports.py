"""Supports: one per participant and proposal, within the voting window and the call's limit."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import DateTime, bindparam, delete, func, select, text
from sqlalchemy.orm import joinedload

from consult.errors import Conflict
from consult.extensions import db
from consult.proposals.models import (
    AnswerStatus,
    Call,
    Follower,
    Proposal,
    ProposalState,
    Support,
)
from consult.proposals.services.errors import AlreadySupported, SupportLimitReached, VotingClosed, WrongState
from consult.proposals.services.writing import require_eligible


@functools.cache
def _proposal_statement():
    # Built once per process: building a lookup by id with its loader option again at each support cost more
    # than running it.
    return select(Proposal).options(joinedload(Proposal.call)).where(Proposal.id == bindparam("proposal_id"))


def proposal_to_support(territory, proposal_id: int) -> Proposal | None:
    """The territory's proposal with its call, in one statement (what a support or a withdrawal reads), or None."""
    proposal = db.session.scalar(_proposal_statement(), {"proposal_id": proposal_id})
    return proposal if proposal is not None and proposal.call.territory_id == territory.id else None


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


# The two writes of a support are SQL written once: SQLAlchemy never caches the compiled form of its dialects'
# INSERT … ON CONFLICT (their cache key is None), so built with them each support compiled its statements again
# (~0.3 ms of CPU each, the largest part of the service). Text is compiled once per process; SQLite (3.35 and
# later) and PostgreSQL read the same SQL.
_LOCK_PARTICIPANT = text(
    "INSERT INTO proposal_call_participants (call_id, user_id) VALUES (:call_id, :user_id) "
    "ON CONFLICT (call_id, user_id) DO UPDATE SET user_id = excluded.user_id")

_INSERT = ("INSERT INTO proposal_supports (proposal_id, user_id, created_at) SELECT :proposal_id, :user_id, :now "
           "WHERE {condition} ON CONFLICT (user_id, proposal_id) DO NOTHING RETURNING id")
_SUPPORTS_GIVEN = ("(SELECT count(proposal_supports.id) FROM proposal_supports JOIN proposals "
                   "ON proposals.id = proposal_supports.proposal_id "
                   "WHERE proposal_supports.user_id = :user_id AND proposals.call_id = :call_id)")
# `WHERE true`: SQLite would read « ON CONFLICT » right after a bare SELECT as a join's ON. RETURNING says whether
# the row went in (psycopg reports no rowcount for INSERT … SELECT).
_INSERT_SUPPORT = text(_INSERT.format(condition="1 = 1")).bindparams(bindparam("now", type_=DateTime()))
_INSERT_SUPPORT_WITHIN_LIMIT = text(_INSERT.format(condition=f"{_SUPPORTS_GIVEN} < :support_limit")).bindparams(
    bindparam("now", type_=DateTime()))


def _lock_participant(user, call: Call) -> None:
    """Create or lock the (call, person) row in one statement: two requests of one person are serialised here.

    SQLite takes the write lock at BEGIN IMMEDIATE already; on PostgreSQL the upsert's row lock makes a second
    request wait until the first commits, and the count in the insert that follows (a new snapshot under READ
    COMMITTED) then sees what the first stored.
    """
    db.session.execute(_LOCK_PARTICIPANT, {"call_id": call.id, "user_id": user.id})


def _insert_support(user, proposal: Proposal, call: Call, now: dt.datetime) -> bool:
    """Insert the support unless it exists or the call's limit is reached, in one statement: whether it was."""
    values = {"proposal_id": proposal.id, "user_id": user.id, "now": now}
    if call.support_limit is None:
        return db.session.execute(_INSERT_SUPPORT, values).first() is not None
    values.update(call_id=call.id, support_limit=call.support_limit)
    return db.session.execute(_INSERT_SUPPORT_WITHIN_LIMIT, values).first() is not None


def support_proposal(actor, proposal: Proposal, *, now: dt.datetime) -> None:
    """Support a published proposal, once, inside the voting window and the call's limit.

    Two statements when the call sets no limit (the proposal, loaded with its call, and one INSERT that a unique
    key makes idempotent), three with a limit (the person's row locked first). A double click or two requests at
    once store one support: the second finds the unique key taken. A refusal costs one more statement, to tell
    which rule refused.

    Raises PermissionDenied (not eligible), WrongState, VotingClosed, AlreadySupported, SupportLimitReached.
    """
    call = proposal.call
    require_eligible(actor, call)
    _supportable(proposal, now)
    if call.support_limit is not None:
        _lock_participant(actor, call)
    if _insert_support(actor, proposal, call, now):
        return
    already = db.session.scalar(select(Support.id).where(Support.user_id == actor.id,
                                                         Support.proposal_id == proposal.id))
    if already is not None or call.support_limit is None:
        raise AlreadySupported(_("You already support this proposal."))
    raise SupportLimitReached(ngettext("You have already given your %(num)d support in this call. Withdraw "
                                       "one to support another proposal.",
                                       "You have already given your %(num)d supports in this call. Withdraw "
                                       "one to support another proposal.", call.support_limit))


def withdraw_support(actor, proposal: Proposal, *, now: dt.datetime) -> None:
    """Take one's support back while the voting window is open. Raises PermissionDenied, VotingClosed, Conflict."""
    require_eligible(actor, proposal.call)
    if not proposal.call.is_voting(now):
        raise VotingClosed(_("Supports can no longer be withdrawn: the voting window is closed."))
    removed = db.session.execute(delete(Support).where(Support.user_id == actor.id,
                                                       Support.proposal_id == proposal.id)).rowcount
    if removed != 1:
        raise Conflict(_("You do not support this proposal."))


@dataclass(frozen=True)
class Standing:
    """A proposal's supports and where the viewer stands: what its page shows next to it."""

    supports: int
    supported: bool
    left: int | None  # supports the viewer may still give in the call; None when the call sets no limit
    following: bool


def standing(user, proposal: Proposal) -> Standing:
    """The proposal's support count and the viewer's support, supports left and following, in one statement."""
    call = proposal.call
    columns = [select(func.count(Support.id)).where(Support.proposal_id == proposal.id).scalar_subquery()]
    signed_in = getattr(user, "is_authenticated", False)
    if signed_in:
        columns += [
            select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == user.id).exists(),
            select(func.count(Support.id)).join(Proposal).where(Support.user_id == user.id,
                                                                Proposal.call_id == call.id).scalar_subquery(),
            select(Follower.user_id).where(Follower.proposal_id == proposal.id, Follower.user_id == user.id).exists(),
        ]
    row = db.session.execute(select(*columns)).one()
    if not signed_in:
        return Standing(supports=row[0], supported=False, left=call.support_limit, following=False)
    left = None if call.support_limit is None else max(call.support_limit - row[2], 0)
    return Standing(supports=row[0], supported=bool(row[1]), left=left, following=bool(row[3]))
