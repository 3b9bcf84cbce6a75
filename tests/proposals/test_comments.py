"""Comments with one level of replies, and a per-account rate limit."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.extensions import db
from consult.proposals.models import Comment, ProposalState, Report
from tests.proposals.conftest import SLUG, add_comment


def comment_url(proposal) -> str:
    return f"/t/{SLUG}/proposals/{proposal.id}/comments"


def count() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def test_participant_comments_a_published_proposal(client, login, make_user, proposal):
    login(make_user(display_name="Ginette d'Albefeuille-Lagarde"))

    response = client.post(comment_url(proposal), data={"body": "Le bus du mardi ne suffit **pas**."},
                           follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Ginette d&#39;Albefeuille-Lagarde" in page and "<strong>pas</strong>" in page
    assert db.session.scalar(select(Comment.body)) == "Le bus du mardi ne suffit **pas**."


def test_empty_comment_is_refused_with_the_error_next_to_the_field(client, login, make_user, proposal):
    login(make_user())

    response = client.post(comment_url(proposal), data={"body": "   "})

    assert response.status_code == 422
    assert 'id="body-error"' in response.get_data(as_text=True)
    assert count() == 0


def test_reply_to_a_reply_stays_one_level_deep(client, login, make_user, proposal):
    first = add_comment(proposal, make_user())
    reply = add_comment(proposal, make_user(), body="D'accord.", parent=first)
    login(make_user())

    client.post(comment_url(proposal), data={"body": "Moi aussi.", "parent_id": str(reply.id)})

    stored = db.session.scalar(select(Comment).where(Comment.body == "Moi aussi."))
    assert stored.parent_id == first.id


def test_failed_reply_shows_what_was_typed_in_its_box(client, login, make_user, proposal, app):
    first = add_comment(proposal, make_user())
    login(make_user())
    app.config["COMMENT_RATE_LIMIT"] = "0/minute"

    response = client.post(comment_url(proposal), data={"body": "Mon texte de réponse", "parent_id": str(first.id)})

    page = response.get_data(as_text=True)
    assert "Please wait a minute." in page and "Mon texte de réponse</textarea>" in page
    assert count() == 1


def test_comments_are_rate_limited_per_account(client, login, make_user, proposal):
    login(make_user())
    for n in range(5):
        assert client.post(comment_url(proposal), data={"body": f"Remarque n° {n}"}).status_code == 302

    response = client.post(comment_url(proposal), data={"body": "Une de trop"})

    assert "You have written several comments in a short time." in response.get_data(as_text=True)
    assert count() == 5


def test_pending_proposal_cannot_be_commented(client, login, make_user, call, make_proposal):
    pending = make_proposal(call, state=ProposalState.PENDING)
    login(make_user())

    assert client.post(comment_url(pending), data={"body": "Bonjour"}).status_code == 404
    assert count() == 0


def test_anyone_logged_in_reports_a_comment(client, login, make_user, proposal):
    comment = add_comment(proposal, make_user())
    login(make_user())

    client.post(f"/t/{SLUG}/proposals/{proposal.id}/report?comment={comment.id}", data={"reason": "Agressif"})

    assert db.session.scalar(select(Report.comment_id)) == comment.id
