"""What calls for proposals hold about a person (their "My data" download), and what an erased account lets go of:
the proposals it follows (no more emails). Proposals, comments, supports and ballots stay: counts do not move, and
what was written is shown under « Former participant »."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from consult.accounts.erasure import lets_go_of
from consult.accounts.models import User
from consult.accounts.rights import Row, holds_personal_data
from consult.extensions import db
from consult.proposals.models import (
    Comment,
    Follower,
    PriorityBallot,
    PriorityChoice,
    PriorityVote,
    Proposal,
    Report,
    Support,
)


@holds_personal_data("proposals", _l("Your proposals"), (
    "id", "call", "title", "description", "state", "created_at", "submitted_at", "published_at", "answer_status",
    "answer_text"))
def _proposals(user: User) -> list[Row]:
    proposals = db.session.scalars(select(Proposal).where(Proposal.author_id == user.id).order_by(Proposal.id)
                                   .options(joinedload(Proposal.call)))
    return [{
        "id": proposal.id, "call": proposal.call.title, "title": proposal.title, "description": proposal.description,
        "state": proposal.state, "created_at": proposal.created_at, "submitted_at": proposal.submitted_at,
        "published_at": proposal.published_at, "answer_status": proposal.answer_status,
        "answer_text": proposal.answer_text,
    } for proposal in proposals]


@holds_personal_data("comments", _l("Your comments"), ("id", "proposal", "body", "created_at", "hidden_at"))
def _comments(user: User) -> list[Row]:
    comments = db.session.scalars(select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)
                                  .options(joinedload(Comment.proposal)))
    return [{"id": comment.id, "proposal": comment.proposal.title, "body": comment.body,
             "created_at": comment.created_at, "hidden_at": comment.hidden_at} for comment in comments]


@holds_personal_data("supports", _l("The proposals you support"), ("proposal", "created_at"))
def _supports(user: User) -> list[Row]:
    supports = db.session.scalars(select(Support).where(Support.user_id == user.id).order_by(Support.id)
                                  .options(joinedload(Support.proposal)))
    return [{"proposal": support.proposal.title, "created_at": support.created_at} for support in supports]


@holds_personal_data("follows", _l("The proposals you follow"), ("proposal",))
def _follows(user: User) -> list[Row]:
    titles = db.session.scalars(select(Proposal.title).join(Follower, Follower.proposal_id == Proposal.id)
                                .where(Follower.user_id == user.id).order_by(Proposal.id))
    return [{"proposal": title} for title in titles]


@holds_personal_data("priority_ballots", _l("Your votes on priorities"), ("vote", "voted_at", "proposal", "rank"))
def _ballots(user: User) -> list[Row]:
    lines = db.session.execute(
        select(PriorityVote.title, PriorityBallot.created_at, Proposal.title, PriorityChoice.rank)
        .join(PriorityBallot, PriorityBallot.vote_id == PriorityVote.id)
        .join(PriorityChoice, PriorityChoice.ballot_id == PriorityBallot.id)
        .join(Proposal, Proposal.id == PriorityChoice.proposal_id)
        .where(PriorityBallot.user_id == user.id).order_by(PriorityBallot.id, PriorityChoice.rank, Proposal.id))
    return [{"vote": vote, "voted_at": at, "proposal": title, "rank": rank} for vote, at, title, rank in lines]


@holds_personal_data("reports", _l("What you reported to the moderators"), ("proposal", "reason", "created_at"))
def _reports(user: User) -> list[Row]:
    reports = db.session.scalars(select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
                                 .options(joinedload(Report.proposal)))
    return [{"proposal": report.proposal.title, "reason": report.reason, "created_at": report.created_at}
            for report in reports]


@lets_go_of("proposals")
def release_proposals(user: User, now: dt.datetime) -> dict[str, int]:
    """Stop following proposals (no status email goes to an erased account)."""
    followed = db.session.execute(delete(Follower).where(Follower.user_id == user.id)).rowcount
    return {"follows": followed}
