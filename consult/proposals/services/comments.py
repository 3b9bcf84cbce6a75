"""Comments on published proposals, with one level of replies and a per-account rate limit."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from consult.core import ratelimit
from consult.errors import InvalidInput, RateLimited
from consult.extensions import db
from consult.proposals.models import Comment, Proposal, ProposalState
from consult.proposals.services.errors import WrongState
from consult.proposals.services.writing import require_eligible

MAX_LENGTH = 3000


def add_comment(actor, proposal: Proposal, body: str, *, parent: Comment | None = None,
                now: dt.datetime) -> Comment:
    """Comment a published proposal, or reply to one of its top-level comments.

    Raises PermissionDenied (not eligible), WrongState, InvalidInput, RateLimited.
    """
    require_eligible(actor, proposal.call)
    if proposal.state is not ProposalState.PUBLISHED:
        raise WrongState(_("Only published proposals can be commented."))
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write your comment."), field="body")
    if len(body) > MAX_LENGTH:
        raise InvalidInput(_("A comment is at most %(n)d characters long.", n=MAX_LENGTH), field="body")
    if parent is not None:
        if parent.proposal_id != proposal.id or parent.hidden_at is not None:
            raise InvalidInput(_("This comment cannot be answered."), field="body")
        parent = parent.parent or parent  # replies stay one level deep
    limit = current_app.config["COMMENT_RATE_LIMIT"]
    if not ratelimit.hit(f"proposal-comment:{actor.id}", limit, now=now):
        raise RateLimited(_("You have written several comments in a short time. Please wait a minute."))
    comment = Comment(proposal_id=proposal.id, author_id=actor.id, parent_id=parent.id if parent else None,
                      body=body, created_at=now)
    db.session.add(comment)
    db.session.flush()
    return comment


def comment_thread(proposal: Proposal) -> list[Comment]:
    """Top-level comments, oldest first (their replies come with them); a hidden comment is shown as
    "comment hidden by the moderators", its text only to moderators. One statement, however many comments."""
    every = db.session.scalars(select(Comment).where(Comment.proposal_id == proposal.id)
                               .order_by(Comment.created_at, Comment.id)
                               .options(joinedload(Comment.author))).all()
    replies: dict[int, list[Comment]] = {comment.id: [] for comment in every}
    top = []
    for comment in every:
        if comment.parent_id is None:
            top.append(comment)
        elif comment.parent_id in replies:
            replies[comment.parent_id].append(comment)
    by_id = {comment.id: comment for comment in every}
    for comment in every:  # set as if loaded from the database: nothing to flush, no lazy load later
        set_committed_value(comment, "replies", replies[comment.id])
        set_committed_value(comment, "parent", by_id.get(comment.parent_id))
    return top


def get_comment(proposal: Proposal, comment_id: int | None) -> Comment | None:
    """A comment of `proposal`, or None."""
    if not comment_id:
        return None
    comment = db.session.get(Comment, comment_id)
    return comment if comment is not None and comment.proposal_id == proposal.id else None

