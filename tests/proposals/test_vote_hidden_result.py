"""A prioritisation vote hides its running result until it ends (by default), so that nobody follows the crowd;
its coordinators still see it, and everyone sees the result once the vote is over."""
from __future__ import annotations

import pytest

from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import PriorityBallot, PriorityChoice, PriorityVote, VoteMethod
from tests.conftest import ROLES
from tests.proposals.conftest import DAY, SLUG

TITLES = ["Ateliers mémoire à Montech", "Bus vers l'hôpital de Moissac", "Covoiturage solidaire"]


@pytest.fixture
def vote(call, make_proposal, make_user):
    """A ranking vote of Terres des Confluences, open, hiding its result (the default), with two ballots."""
    options = [make_proposal(call, title=title) for title in TITLES]
    vote = PriorityVote(call=call, axis=call.axes[0], title="Priorités : accès aux soins", method=VoteMethod.RANK,
                        picks=2, opens_at=utcnow() - DAY, closes_at=utcnow() + DAY, options=options)
    db.session.add(vote)
    db.session.flush()
    for first, second in ((options[1], options[0]), (options[1], options[2])):
        ballot = PriorityBallot(vote_id=vote.id, user_id=make_user().id, created_at=utcnow())
        ballot.choices = [PriorityChoice(proposal_id=first.id, rank=1), PriorityChoice(proposal_id=second.id, rank=2)]
        db.session.add(ballot)
    db.session.commit()
    return vote


def running_score_shown(page: str) -> bool:
    """Any trace of the score: the result list, the ballot count, the leader's points (n = 3: 3 + 3)."""
    return "vote-result" in page or "result-points" in page or "2 ballots" in page or "6 points" in page


def test_running_result_is_hidden_from_everyone_but_the_coordinators(as_role, vote, call):
    assert vote.hide_results_until_closed is True  # the model's default
    for role in ROLES:
        client = as_role(role)
        page = client.get(f"/t/{SLUG}/proposals/votes/{vote.id}/").get_data(as_text=True)
        call_page = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/").get_data(as_text=True)
        if role in ("coordinator", "admin"):
            assert running_score_shown(page), role
            assert "2 ballots" in page and "You see it because you coordinate the vote." in page
        else:
            assert not running_score_shown(page), role
            assert "The result will be shown when the vote ends" in page, role
        assert not running_score_shown(call_page), role


def test_result_is_shown_to_everyone_once_the_vote_is_over(as_role, vote):
    vote.closes_at = utcnow() - DAY / 2
    db.session.commit()

    for role in ("anonymous", "participant", "observer"):
        page = as_role(role).get(f"/t/{SLUG}/proposals/votes/{vote.id}/").get_data(as_text=True)
        assert "2 ballots" in page and "6 points" in page, role  # n = 3: two first places, 3 points each
        assert "The result will be shown" not in page and "You see it because" not in page


def test_a_vote_that_does_not_hide_shows_its_running_result(as_role, vote):
    vote.hide_results_until_closed = False
    db.session.commit()

    page = as_role("participant").get(f"/t/{SLUG}/proposals/votes/{vote.id}/").get_data(as_text=True)

    assert "Result so far" in page and "2 ballots" in page and "6 points" in page


def test_ballot_titles_link_to_the_proposals_in_the_same_tab(as_role, vote):
    page = as_role("participant").get(f"/t/{SLUG}/proposals/votes/{vote.id}/").get_data(as_text=True)
    ballot = page[page.index('id="ballot-choices"'):page.index("</fieldset>")]

    for proposal in vote.options:
        link = f'<a href="/t/{SLUG}/proposals/{proposal.id}/">{proposal.title.replace(chr(39), "&#39;")}</a>'
        assert link in ballot
    assert 'target="_blank"' not in ballot
