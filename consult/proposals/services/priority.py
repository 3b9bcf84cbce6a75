"""Prioritisation votes: the top proposals of an axis, picked (up to K) or ranked (Borda count)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consult.errors import Conflict, InvalidInput
from consult.extensions import db
from consult.proposals.models import (
    AnswerStatus,
    Call,
    PriorityBallot,
    PriorityChoice,
    PriorityVote,
    Proposal,
    ProposalState,
    VoteMethod,
)
from consult.proposals.permissions import can_moderate
from consult.proposals.services.errors import VotingClosed
from consult.proposals.services.listing import support_counts_query
from consult.proposals.services.writing import require_eligible
from consult.territories.permissions import require


@dataclass(frozen=True)
class VoteData:
    """What a coordinator sets up (times in naive UTC)."""

    title: str
    axis_id: int
    size: int
    method: VoteMethod
    picks: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    hide_results_until_closed: bool = True


@dataclass(frozen=True)
class ResultRow:
    """One line of a vote's result."""

    proposal: Proposal
    points: int
    first_choices: int


def top_proposals(call: Call, axis_id: int, size: int) -> list[Proposal]:
    """The `size` most supported published, unmerged proposals of an axis (earliest published first on ties)."""
    return list(db.session.scalars(select(Proposal).where(
        Proposal.call_id == call.id, Proposal.axis_id == axis_id, Proposal.state == ProposalState.PUBLISHED,
        Proposal.answer_status.is_(None) | (Proposal.answer_status != AnswerStatus.MERGED))
        .order_by(support_counts_query().desc(), Proposal.published_at, Proposal.id).limit(size)))


def create_priority_vote(actor, call: Call, data: VoteData) -> PriorityVote:
    """Turn the top proposals of an axis into a prioritisation vote.

    Raises PermissionDenied, InvalidInput (unknown axis, fewer than two proposals, bad K or window).
    """
    require(can_moderate(actor, call.territory))
    if data.axis_id not in {axis.id for axis in call.axes}:
        raise InvalidInput(_("Choose an axis of the call."), field="axis_id")
    if not data.title.strip():
        raise InvalidInput(_("Give the vote a title."), field="title")
    if data.closes_at <= data.opens_at:
        raise InvalidInput(_("The vote must close after it opens."), field="closes_at")
    options = top_proposals(call, data.axis_id, data.size)
    if len(options) < 2:
        raise InvalidInput(_("This axis has fewer than two published proposals to choose from."), field="axis_id")
    if not 1 <= data.picks <= len(options):
        raise InvalidInput(_("Each person may choose between 1 and %(n)d proposals: the number of proposals in "
                             "the vote.", n=len(options)), field="picks")
    vote = PriorityVote(call=call, axis_id=data.axis_id, title=data.title.strip(), method=data.method,
                        picks=data.picks, opens_at=data.opens_at, closes_at=data.closes_at, options=options,
                        hide_results_until_closed=data.hide_results_until_closed)
    db.session.add(vote)
    db.session.flush()
    return vote


class BallotRefused(InvalidInput):
    """A ballot with mistakes: `problems` maps each faulty proposal id to what is wrong with its rank."""

    def __init__(self, message: str, problems: dict[int, str]) -> None:
        super().__init__(message, field="choices")
        self.problems = problems


def ranked_choices(vote: PriorityVote, ranks: dict[int, str]) -> list[int]:
    """Proposal ids, first choice first, from the rank typed for each proposal of the vote ("" = not ranked).

    Raises BallotRefused naming each proposal whose rank is not one of the list, is given to another
    proposal too, or comes after a rank nobody got; or when no proposal is ranked.
    """
    problems: dict[int, str] = {}
    given: dict[int, int] = {}
    for proposal in vote.options:
        typed = (ranks.get(proposal.id) or "").strip()
        if not typed:
            continue
        if not (typed.isascii() and typed.isdigit()) or not 1 <= int(typed) <= vote.picks:
            problems[proposal.id] = _("Choose a rank from the list.")
        else:
            given[proposal.id] = int(typed)
    used = sorted(set(given.values()))
    missing = next((rank for rank in range(1, vote.picks + 1) if rank not in used), None)
    for proposal_id, rank in given.items():
        if list(given.values()).count(rank) > 1:
            problems[proposal_id] = _("Rank %(rank)d is given to more than one proposal. Give it to one "
                                      "proposal only.", rank=rank)
        elif missing is not None and rank > missing:
            problems[proposal_id] = _("No proposal has rank %(missing)d. Give the ranks in order: 1, 2, 3…",
                                      missing=missing)
    if problems:
        raise BallotRefused(_("Your vote has a mistake. Look at the marked proposals."), problems)
    if not given:
        raise InvalidInput(_("Give rank 1 to at least one proposal."), field="choices")
    return [proposal_id for proposal_id, _rank in sorted(given.items(), key=lambda item: item[1])]


def cast_ballot(actor, vote: PriorityVote, choices: list[int], *, now: dt.datetime) -> PriorityBallot:
    """Record a participant's ballot, once: `choices` are proposal ids, first choice first.

    Raises PermissionDenied (not eligible), VotingClosed, InvalidInput, Conflict (already voted).
    """
    require_eligible(actor, vote.call)
    if not vote.is_open(now):
        raise VotingClosed(_("This vote is not open at the moment."))
    allowed = {p.id for p in vote.options}
    if not choices or len(set(choices)) != len(choices) or not set(choices) <= allowed:
        raise InvalidInput(_("Choose proposals from the list, each once."), field="choices")
    if len(choices) > vote.picks:
        raise InvalidInput(_("Choose at most %(n)d proposals.", n=vote.picks), field="choices")
    ballot = PriorityBallot(vote_id=vote.id, user_id=actor.id, created_at=now)
    ballot.choices = [PriorityChoice(proposal_id=proposal_id, rank=rank if vote.method is VoteMethod.RANK else 1)
                      for rank, proposal_id in enumerate(choices, start=1)]
    try:
        with db.session.begin_nested():
            db.session.add(ballot)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("You have already voted.")) from None
    return ballot


def has_voted(user, vote: PriorityVote) -> bool:
    """Whether `user` has cast a ballot in the vote."""
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(PriorityBallot.id).where(PriorityBallot.vote_id == vote.id,
                                                             PriorityBallot.user_id == user.id)) is not None


def ballot_count(vote: PriorityVote) -> int:
    """How many ballots the vote has."""
    return db.session.scalar(select(func.count(PriorityBallot.id)).where(PriorityBallot.vote_id == vote.id)) or 0


def results(vote: PriorityVote) -> list[ResultRow]:
    """Points per proposal, best first.

    Pick: one point per ballot that picks the proposal. Rank (Borda count): with n proposals in the
    vote, a proposal ranked r-th on a ballot gets n − r + 1 points, an unranked one none. Ties are
    broken by the number of first choices, then by title.
    """
    n = len(vote.options)
    points = {p.id: 0 for p in vote.options}
    firsts = {p.id: 0 for p in vote.options}
    rows = db.session.execute(select(PriorityChoice.proposal_id, PriorityChoice.rank)
                              .join(PriorityBallot).where(PriorityBallot.vote_id == vote.id)).all()
    for proposal_id, rank in rows:
        points[proposal_id] += 1 if vote.method is VoteMethod.PICK else n - rank + 1
        if rank == 1:
            firsts[proposal_id] += 1
    table = [ResultRow(p, points[p.id], firsts[p.id]) for p in vote.options]
    table.sort(key=lambda row: (-row.points, -row.first_choices, row.proposal.title))
    return table


def call_votes(call: Call) -> list[PriorityVote]:
    """The call's prioritisation votes, the most recent first."""
    return list(db.session.scalars(select(PriorityVote).where(PriorityVote.call_id == call.id)
                                   .order_by(PriorityVote.opens_at.desc(), PriorityVote.id.desc())))
