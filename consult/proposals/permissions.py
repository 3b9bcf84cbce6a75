"""Who may see, write, support, comment, report and moderate proposals, and see a vote's result."""
from __future__ import annotations

import datetime as dt

from consult.proposals.models import Call, Comment, PriorityVote, Proposal, ProposalState
from consult.territories.models import Territory
from consult.territories.permissions import can_manage_territory


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_moderate(user, territory: Territory) -> bool:
    """Open calls, publish, reject, hide, merge, answer, run prioritisation votes: coordinators and admins."""
    return can_manage_territory(user, territory)


def can_export_proposals(user, territory: Territory) -> bool:
    """Download the list of a call's proposals (with their authors' names): the territory's coordinators and
    admins, not its observers."""
    return can_manage_territory(user, territory)


def is_eligible(user, call: Call) -> bool:
    """An account (confirmed), living in the territory when the call is restricted to its residents."""
    if not _authenticated(user) or not user.is_confirmed:
        return False
    if call.residents_only:
        return user.commune is not None and user.commune.territory_id == call.territory_id
    return True


def is_author(user, proposal: Proposal) -> bool:
    """Whether `user` wrote the proposal."""
    return _authenticated(user) and proposal.author_id == user.id


def can_see_proposal(user, proposal: Proposal) -> bool:
    """Published proposals are public; drafts only to their author; the others to the author and moderators."""
    if proposal.state is ProposalState.PUBLISHED or is_author(user, proposal):
        return True
    return proposal.state is not ProposalState.DRAFT and can_moderate(user, proposal.territory)


def can_report(user) -> bool:
    """Anyone logged in may report a proposal or a comment."""
    return _authenticated(user)


def can_see_comment(user, comment: Comment) -> bool:
    """Hidden comments stay visible to moderators only."""
    return comment.hidden_at is None or can_moderate(user, comment.territory)


def can_see_vote_result(user, vote: PriorityVote, now: dt.datetime) -> bool:
    """The result of a prioritisation vote: public once the vote closes, or at any time when the coordinators
    chose not to hide it; while a hiding vote runs, only its coordinators (and admins) see the running score,
    so that participants choose without following the crowd."""
    if now >= vote.closes_at or not vote.hide_results_until_closed:
        return True
    return can_moderate(user, vote.territory)
