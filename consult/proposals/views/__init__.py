"""Proposal blueprints: calls, proposals, supports and comments (public), moderation (manage)."""
from __future__ import annotations

from flask import request
from sqlalchemy.orm import joinedload

from consult.core.urls import is_safe_next
from consult.proposals.models import Call, PriorityVote, Proposal
from consult.proposals.services import listing
from consult.territories.models import Territory
from consult.territories.views import get_or_404


VOTE_PAGE = (joinedload(PriorityVote.axis),)  # a constant: get_or_404 keeps one statement per loader options


def get_call_or_404(territory: Territory, call_id: int, *, options=()) -> Call:
    """A call of this territory, or 404 (also for an id beyond the database's integers); `options` load what
    the page shows with it (`listing.call_page()`: its axes and objectives)."""
    return get_or_404(Call, call_id, territory, options=options)


def get_proposal_or_404(territory: Territory, proposal_id: int, *, options=None) -> Proposal:
    """A proposal of this territory, or 404; loaded with what its pages show unless `options` says less."""
    return get_or_404(Proposal, proposal_id, territory, options=listing.proposal_page() if options is None else options)


def get_vote_or_404(territory: Territory, vote_id: int) -> PriorityVote:
    """A prioritisation vote of this territory, or 404."""
    return get_or_404(PriorityVote, vote_id, territory, options=VOTE_PAGE)


def next_url(default: str) -> str:
    """The page a button came from (a `next` field), when it is on this site."""
    target = request.form.get("next") or request.args.get("next")
    return target if is_safe_next(target) else default
