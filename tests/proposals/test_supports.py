"""Supports: one per person and proposal, inside the voting window and the call's limit, withdrawable."""
from __future__ import annotations

from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import ProposalState, Support
from tests.conftest import commune_by_code
from tests.proposals.conftest import DAY, SLUG, all_supports, supports_of


def support_url(proposal, action="support") -> str:
    return f"/t/{SLUG}/proposals/{proposal.id}/{action}"


def test_participant_supports_a_proposal_and_the_count_shows_it(client, login, make_user, proposal):
    login(make_user())

    response = client.post(support_url(proposal), follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Your support is recorded." in page
    assert '<strong>1</strong> support' in page
    assert supports_of(proposal) == 1


def test_second_support_of_the_same_proposal_is_refused(client, login, make_user, proposal):
    login(make_user())
    client.post(support_url(proposal))

    response = client.post(support_url(proposal), follow_redirects=True)

    assert "You already support this proposal." in response.get_data(as_text=True)
    assert supports_of(proposal) == 1


def test_supports_left_is_shown_and_decreases(client, login, make_user, make_call, make_proposal):
    call = make_call(support_limit=5)
    first = make_proposal(call)
    login(make_user())
    assert "5 supports left" in client.get(f"/t/{SLUG}/proposals/calls/{call.id}/").get_data(as_text=True)

    client.post(support_url(first))

    assert "4 supports left" in client.get(f"/t/{SLUG}/proposals/calls/{call.id}/").get_data(as_text=True)


def test_support_refused_beyond_the_call_limit(client, login, make_user, make_call, make_proposal):
    call = make_call(support_limit=2)
    proposals = [make_proposal(call, title=f"Atelier nutrition n° {n} à Castelsarrasin") for n in range(3)]
    login(make_user())
    for proposal in proposals[:2]:
        client.post(support_url(proposal))

    response = client.post(support_url(proposals[2]), follow_redirects=True)

    assert "You have already given your 2 supports" in response.get_data(as_text=True)
    assert supports_of(proposals[2]) == 0
    assert all_supports() == 2


def test_withdrawing_gives_the_support_back(client, login, make_user, make_call, make_proposal):
    call = make_call(support_limit=1)
    first, second = make_proposal(call), make_proposal(call, title="Un cabinet infirmier à Lafrançaise")
    login(make_user())
    client.post(support_url(first))

    response = client.post(support_url(first, "withdraw"), follow_redirects=True)
    client.post(support_url(second))

    assert "Your support is withdrawn." in response.get_data(as_text=True)
    assert (supports_of(first), supports_of(second)) == (0, 1)


def test_support_refused_after_voting_window_closes(client, login, make_user, make_call, make_proposal):
    now = utcnow()
    call = make_call(voting_opens_at=now - 20 * DAY, voting_closes_at=now - DAY)
    proposal = make_proposal(call)
    login(make_user())

    response = client.post(support_url(proposal), follow_redirects=True)

    assert "Supports are not open for this call at the moment." in response.get_data(as_text=True)
    assert supports_of(proposal) == 0


def test_support_refused_before_voting_window_opens(client, login, make_user, make_call, make_proposal):
    now = utcnow()
    call = make_call(voting_opens_at=now + DAY, voting_closes_at=now + 20 * DAY)
    proposal = make_proposal(call)
    login(make_user())

    client.post(support_url(proposal))

    assert supports_of(proposal) == 0


def test_withdrawal_refused_once_the_window_is_closed(client, login, make_user, make_call, make_proposal):
    call = make_call()
    proposal = make_proposal(call)
    voter = make_user()
    db.session.add(Support(proposal_id=proposal.id, user_id=voter.id))
    call.voting_closes_at = utcnow() - DAY
    db.session.commit()
    login(voter)

    response = client.post(support_url(proposal, "withdraw"), follow_redirects=True)

    assert "the voting window is closed" in response.get_data(as_text=True)
    assert supports_of(proposal) == 1


def test_anonymous_visitor_is_sent_to_log_in(client, proposal):
    response = client.post(support_url(proposal))

    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert supports_of(proposal) == 0


def test_residents_only_call_refuses_someone_from_elsewhere(client, login, make_user, make_call, make_proposal):
    call = make_call(residents_only=True)
    proposal = make_proposal(call)
    login(make_user(commune=None))

    response = client.post(support_url(proposal), follow_redirects=True)

    assert "Set your commune in your profile" in response.get_data(as_text=True)
    assert supports_of(proposal) == 0


def test_residents_only_call_accepts_a_resident(client, login, make_user, make_call, make_proposal):
    call = make_call(residents_only=True)
    proposal = make_proposal(call)
    login(make_user(commune=commune_by_code("82112")))

    client.post(support_url(proposal))

    assert supports_of(proposal) == 1


def test_unpublished_proposal_cannot_be_supported(client, login, make_user, call, make_proposal):
    pending = make_proposal(call, state=ProposalState.PENDING)
    login(make_user())

    response = client.post(support_url(pending))

    assert response.status_code == 404
    assert supports_of(pending) == 0


def test_public_count_equals_stored_supports(client, make_user, proposal):
    for _ in range(3):
        db.session.add(Support(proposal_id=proposal.id, user_id=make_user().id))
    db.session.commit()

    page = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)

    assert '<strong>3</strong> supports' in page
    assert supports_of(proposal) == 3
