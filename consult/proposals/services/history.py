"""The moderation history kept for every proposal."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.extensions import db
from consult.proposals.models import Comment, ModerationAction, ModerationEvent, Proposal


def record(proposal: Proposal, actor, action: ModerationAction, *, now: dt.datetime, reason: str = "",
           comment: Comment | None = None) -> ModerationEvent:
    """Add one line to the proposal's history."""
    event = ModerationEvent(proposal_id=proposal.id, comment_id=comment.id if comment else None,
                            actor_id=actor.id if actor is not None else None, action=action, reason=reason,
                            created_at=now)
    db.session.add(event)
    return event


def history(proposal: Proposal) -> list[ModerationEvent]:
    """Every moderation event of the proposal, oldest first."""
    return list(db.session.scalars(select(ModerationEvent).where(ModerationEvent.proposal_id == proposal.id)
                                   .order_by(ModerationEvent.created_at, ModerationEvent.id)
                                   .options(joinedload(ModerationEvent.actor))))
