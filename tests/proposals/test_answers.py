"""Official answers and statuses, and the emails to the author and followers when the status changes."""
from __future__ import annotations

from consult.extensions import db
from consult.proposals.models import AnswerStatus, Follower, Proposal
from tests.proposals.conftest import SLUG, reload


def answer(client, proposal, status, text="", reference=""):
    return client.post(f"/t/{SLUG}/manage/proposals/{proposal.id}/answer", data={
        "answer-status": status, "answer-text": text, "answer-existing_reference": reference})


def test_retained_answer_is_public_and_emailed_to_author_and_followers(client, login, make_user, coordinator,
                                                                        proposal, outbox):
    follower = make_user(display_name="Follower de Montech")
    db.session.add(Follower(proposal_id=proposal.id, user_id=follower.id))
    db.session.commit()
    login(coordinator)

    answer(client, proposal, "retained", "Sera inscrite dans la **fiche action** 2.3.")

    assert sorted(mail.to for mail in outbox) == sorted([proposal.author.email, follower.email])
    assert all(mail.subject == "A proposal you follow is now “Retained”" for mail in outbox)
    assert "fiche action" in outbox[0].body
    page = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)
    assert "Official answer" in page and "<strong>fiche action</strong>" in page
    assert reload(Proposal, proposal.id).answer_status is AnswerStatus.RETAINED


def test_not_retained_needs_a_public_reason(client, login, coordinator, proposal, outbox):
    login(coordinator)

    response = answer(client, proposal, "not_retained")

    assert response.status_code == 422
    assert "Explain publicly why the proposal is not retained." in response.get_data(as_text=True)
    assert reload(Proposal, proposal.id).answer_status is None
    assert outbox == []


def test_already_exists_needs_a_pointer(client, login, coordinator, proposal):
    login(coordinator)

    answer(client, proposal, "already_exists")
    assert reload(Proposal, proposal.id).answer_status is None

    answer(client, proposal, "already_exists", reference="Transport à la demande « TAD 82 », 05 63 00 00 00")
    stored = reload(Proposal, proposal.id)
    assert stored.answer_status is AnswerStatus.ALREADY_EXISTS
    assert stored.existing_reference.startswith("Transport à la demande")


def test_same_status_again_sends_no_email(client, login, coordinator, proposal, outbox):
    login(coordinator)
    answer(client, proposal, "under_study")
    sent = len(outbox)

    answer(client, proposal, "under_study", "Étude en cours avec la CPTS.")

    assert len(outbox) == sent == 1
    assert reload(Proposal, proposal.id).answer_text == "Étude en cours avec la CPTS."


def test_follow_and_unfollow(client, login, make_user, proposal):
    person = make_user()
    login(person)

    client.post(f"/t/{SLUG}/proposals/{proposal.id}/follow")
    assert db.session.get(Follower, (proposal.id, person.id)) is not None
    client.post(f"/t/{SLUG}/proposals/{proposal.id}/unfollow")
    db.session.expire_all()
    assert db.session.get(Follower, (proposal.id, person.id)) is None
