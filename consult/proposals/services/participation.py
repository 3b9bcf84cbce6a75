"""What one person did in proposals, for their "my participation" page."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.extensions import db
from consult.proposals.models import Call, Comment, Proposal, Support
from consult.proposals.services.listing import comment_counts, support_counts


def participation_of(user) -> dict:
    """The person's proposals (with status and counts), the proposals they support and their comments,
    each with the call and territory its link needs."""
    with_territory = joinedload(Proposal.call).joinedload(Call.territory)
    proposals = db.session.scalars(select(Proposal).where(Proposal.author_id == user.id)
                                   .order_by(Proposal.created_at.desc(), Proposal.id.desc())
                                   .options(with_territory)).all()
    supported = db.session.scalars(select(Proposal).join(Support, Support.proposal_id == Proposal.id)
                                   .where(Support.user_id == user.id)
                                   .order_by(Support.created_at.desc(), Proposal.id)
                                   .options(with_territory)).all()
    comments = db.session.scalars(select(Comment).where(Comment.author_id == user.id)
                                  .order_by(Comment.created_at.desc(), Comment.id.desc())
                                  .options(joinedload(Comment.proposal).joinedload(Proposal.call)
                                           .joinedload(Call.territory))).all()
    ids = [p.id for p in proposals] + [p.id for p in supported]
    return {"proposals": list(proposals), "supported": list(supported), "comments": list(comments),
            "supports": support_counts(ids), "comment_counts": comment_counts(ids)}
