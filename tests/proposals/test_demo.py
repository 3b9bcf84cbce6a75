"""`flask seed-demo` loads an open call with proposals in every status, supports, comments and a merged pair."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import AnswerStatus, Call, Comment, PriorityBallot, Proposal, ProposalState, Support


def test_demo_call_is_open_with_answers_in_every_status(demo):
    assert demo.seeding.exit_code == 0, demo.seeding.output

    call = db.session.scalar(select(Call))
    assert call.is_submitting(utcnow()) and call.is_voting(utcnow())
    statuses = set(db.session.scalars(select(Proposal.answer_status).where(Proposal.answer_status.is_not(None))))
    assert statuses == set(AnswerStatus)
    states = set(db.session.scalars(select(Proposal.state)))
    assert states == {ProposalState.PUBLISHED, ProposalState.PENDING, ProposalState.REJECTED, ProposalState.HIDDEN}
    assert db.session.scalar(select(func.count(Proposal.id))) >= 24
    assert db.session.scalar(select(func.count(Comment.id))) > 0
    assert db.session.scalar(select(func.count(PriorityBallot.id))) == 8


def test_demo_supports_respect_the_limit_and_seeding_twice_changes_nothing(seeded_demo):
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Call, Proposal, Support, Comment)]
    per_person = db.session.execute(select(Support.user_id, func.count(Support.id)).group_by(Support.user_id)).all()

    seeded_demo.app.test_cli_runner().invoke(args=["seed-demo"])

    assert max(n for _user, n in per_person) <= 5
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in (Call, Proposal, Support, Comment)] == counts
