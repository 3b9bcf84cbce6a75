"""Moderation: publish, reject with a reason emailed to the author, report, hide, and the full history."""
from __future__ import annotations

from sqlalchemy import select

from consult.extensions import db
from consult.proposals.models import Comment, ModerationAction, ModerationEvent, Proposal, ProposalState, Report
from tests.proposals.conftest import SLUG, add_comment, reload


def actions(proposal) -> list[ModerationAction]:
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(ModerationEvent).where(
        ModerationEvent.proposal_id == proposal.id).order_by(ModerationEvent.id))]


def m(path: str) -> str:
    return f"/t/{SLUG}/manage/proposals/{path}"


def test_coordinator_publishes_a_pending_proposal(client, login, coordinator, call, make_proposal, outbox):
    proposal = make_proposal(call, state=ProposalState.PENDING)
    login(coordinator)

    response = client.post(m(f"{proposal.id}/publish"), follow_redirects=True)

    assert "The proposal is published." in response.get_data(as_text=True)
    assert reload(Proposal, proposal.id).state is ProposalState.PUBLISHED
    assert actions(proposal) == [ModerationAction.PUBLISHED]
    assert [mail.subject for mail in outbox] == ["Your proposal is published"]


def test_rejection_needs_a_reason(client, login, coordinator, call, make_proposal, outbox):
    proposal = make_proposal(call, state=ProposalState.PENDING)
    login(coordinator)

    response = client.post(m(f"{proposal.id}/reject"), data={"reject-reason": "  "})

    assert response.status_code == 422
    assert "Give a reason." in response.get_data(as_text=True)
    assert reload(Proposal, proposal.id).state is ProposalState.PENDING
    assert outbox == []


def test_rejection_reason_is_emailed_to_the_author(client, login, coordinator, call, make_proposal, outbox):
    proposal = make_proposal(call, state=ProposalState.PENDING)
    login(coordinator)

    client.post(m(f"{proposal.id}/reject"), data={"reject-reason": "Proposition déjà portée par la CPTS."})

    stored = reload(Proposal, proposal.id)
    assert stored.state is ProposalState.REJECTED
    assert [mail.to for mail in outbox] == [stored.author.email]
    assert outbox[0].subject == "Your proposal was not published"
    assert "Proposition déjà portée par la CPTS." in outbox[0].body
    assert actions(proposal) == [ModerationAction.REJECTED]


def test_any_logged_in_person_reports_a_proposal(client, login, make_user, proposal):
    reporter = make_user()
    login(reporter)

    response = client.post(f"/t/{SLUG}/proposals/{proposal.id}/report", data={"reason": "Publicité déguisée"},
                           follow_redirects=True)

    assert "The moderators will look at your report." in response.get_data(as_text=True)
    report = db.session.scalar(select(Report))
    assert (report.reporter_id, report.comment_id, report.reason) == (reporter.id, None, "Publicité déguisée")
    assert actions(proposal) == [ModerationAction.REPORTED]


def test_reporting_twice_is_refused(client, login, make_user, proposal):
    login(make_user())
    client.post(f"/t/{SLUG}/proposals/{proposal.id}/report", data={"reason": "Publicité"})

    response = client.post(f"/t/{SLUG}/proposals/{proposal.id}/report", data={"reason": "Encore"})

    assert "You have already reported this." in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Report)).all()) == 1


def test_reported_proposal_appears_in_the_moderation_queue(client, login, make_user, coordinator, call, proposal):
    login(make_user())
    client.post(f"/t/{SLUG}/proposals/{proposal.id}/report", data={"reason": "Numéro de téléphone personnel"})
    login(coordinator)

    page = client.get(m(f"calls/{call.id}/")).get_data(as_text=True)

    assert "Numéro de téléphone personnel" in page


def test_hiding_takes_the_proposal_off_the_public_pages(client, login, make_user, coordinator, call, proposal):
    login(make_user())
    client.post(f"/t/{SLUG}/proposals/{proposal.id}/report", data={"reason": "Données personnelles"})
    login(coordinator)

    client.post(m(f"{proposal.id}/hide"), data={"hide-reason": "Contient un numéro de téléphone"})
    client.post("/account/logout")

    assert client.get(f"/t/{SLUG}/proposals/{proposal.id}/").status_code == 404
    stored = reload(Proposal, proposal.id)
    assert stored.state is ProposalState.HIDDEN and stored.moderation_reason == "Contient un numéro de téléphone"
    assert db.session.scalar(select(Report)).resolved_at is not None


def test_hidden_proposal_can_be_shown_again(client, login, coordinator, proposal):
    login(coordinator)
    client.post(m(f"{proposal.id}/hide"), data={"hide-reason": "Vérification"})

    client.post(m(f"{proposal.id}/restore"))

    assert reload(Proposal, proposal.id).state is ProposalState.PUBLISHED


def test_history_keeps_every_action_in_order(client, login, make_user, coordinator, call, make_proposal):
    author = make_user()
    login(author)
    client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new", data={
        "title": "Des ateliers d'équilibre pour prévenir les chutes", "axis_id": str(call.axes[0].id),
        "scope": "whole", "objective_id": "0", "action": "submit",
        "description": "Avec le club des aînés de Castelsarrasin, une fois par semaine."})
    proposal = db.session.scalar(select(Proposal))
    login(coordinator)
    client.post(m(f"{proposal.id}/publish"))
    client.post(m(f"{proposal.id}/hide"), data={"hide-reason": "Doublon à vérifier"})
    client.post(m(f"{proposal.id}/restore"))

    page = client.get(m(f"{proposal.id}/")).get_data(as_text=True)

    assert actions(proposal) == [ModerationAction.SUBMITTED, ModerationAction.PUBLISHED, ModerationAction.HIDDEN,
                                 ModerationAction.RESTORED]
    assert "Doublon à vérifier" in page and "Moderation history" in page


def test_coordinator_hides_a_reported_comment(client, login, make_user, coordinator, proposal):
    comment = add_comment(proposal, make_user(), body="Les élus sont tous des incapables !")
    login(make_user())
    client.post(f"/t/{SLUG}/proposals/{proposal.id}/report?comment={comment.id}", data={"reason": "Insultant"})
    login(coordinator)

    client.post(m(f"comments/{comment.id}/hide"), data={f"comment-{comment.id}-reason": "Propos insultants"})
    client.post("/account/logout")

    page = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)
    assert "des incapables" not in page and "This comment was hidden by the moderators." in page
    assert reload(Comment, comment.id).hidden_reason == "Propos insultants"
    assert actions(proposal) == [ModerationAction.COMMENT_REPORTED, ModerationAction.COMMENT_HIDDEN]


def test_dismissing_a_report_keeps_the_content(client, login, make_user, coordinator, proposal):
    login(make_user())
    client.post(f"/t/{SLUG}/proposals/{proposal.id}/report", data={"reason": "Je ne suis pas d'accord"})
    report = db.session.scalar(select(Report))
    login(coordinator)

    client.post(m(f"reports/{report.id}/dismiss"))

    assert reload(Report, report.id).resolved_at is not None
    assert reload(Proposal, proposal.id).state is ProposalState.PUBLISHED
