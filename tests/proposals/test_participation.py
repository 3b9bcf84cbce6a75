"""The "my participation" section: one's proposals with status and counts, supports and comments."""
from __future__ import annotations

from flask import render_template

from consult.proposals.models import AnswerStatus, ProposalState
from consult.proposals.services import participation_of
from tests.proposals.conftest import add_comment, add_support


def test_participation_lists_proposals_supports_and_comments(app, call, make_proposal, make_user):
    me = make_user()
    mine = make_proposal(call, title="Mon idée : un cabinet à Lizac", author=me)
    draft = make_proposal(call, title="Mon brouillon", author=me, state=ProposalState.DRAFT)
    theirs = make_proposal(call, title="Leur idée : des navettes")
    mine.answer_status = AnswerStatus.RETAINED
    add_support(mine, make_user())
    add_support(theirs, me)
    add_comment(theirs, me, body="Excellente idée")

    data = participation_of(me)

    assert {p.title for p in data["proposals"]} == {draft.title, mine.title}
    assert [p.title for p in data["supported"]] == [theirs.title]
    assert [c.body for c in data["comments"]] == ["Excellente idée"]
    assert data["supports"][mine.id] == 1
    with app.test_request_context():
        html = render_template("proposals/_my_participation.html", proposal_participation=data)
    assert "Mon idée : un cabinet à Lizac" in html and "Retained" in html and "1 support" in html
    assert "Leur idée : des navettes" in html
