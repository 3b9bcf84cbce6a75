"""People's rights over their data: "My data" (everything held, as a ZIP of JSON and CSV, nothing of anyone else's)
and deleting one's account (personal data erased, contributions and counts kept, seats freed, no more mail)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from consult.accounts.models import LoginSession, TerritoryRole, User
from consult.core.audit import AuditEvent
from consult.core.mail import Mail, send
from consult.core.models import utcnow
from consult.extensions import db
from consult.groups.models import Meeting, Registration, Signup, SignupStatus, WorkingGroup
from consult.proposals.models import Call, Comment, Follower, Proposal, ProposalState, Support
from consult.surveys import services as surveys
from consult.surveys.models import (
    Draft,
    Option,
    PanelContact,
    Question,
    QuestionType,
    Response,
    Survey,
    SurveyMode,
    SurveyPage,
    SurveyStatus,
)
from tests.conftest import PASSWORD
from tests.groups.factories import add_attendance, add_member, make_group, make_meeting, register

DAY = dt.timedelta(days=1)
SECTIONS = ["account", "roles", "login_sessions", "audit_events", "group_signups", "meeting_registrations",
            "meeting_attendance", "calendar_feed", "proposals", "comments", "supports", "follows", "priority_ballots",
            "reports", "survey_responses", "survey_answers", "survey_drafts", "panel_addresses"]


def _survey(territory) -> Survey:
    survey = Survey(territory=territory, title="Votre santé à L'Isle-Jourdain", status=SurveyStatus.OPEN,
                    mode=SurveyMode.IDENTIFIED, pages=[SurveyPage(position=0, title="Vous", questions=[
                        Question(code="Q1", position=0, type=QuestionType.SINGLE, text="Comment allez-vous ?",
                                 options=[Option(code="1", label="Bien", position=1),
                                          Option(code="2", label="Pas très bien", position=2)]),
                        Question(code="Q2", position=1, type=QuestionType.LONG_TEXT,
                                 text="Qu'est-ce qui améliorerait votre santé ici ?")])])
    for question in survey.pages[0].questions:
        question.survey = survey
    db.session.add(survey)
    db.session.commit()
    return survey


@pytest.fixture
def lea_and_marc(territory, make_user):
    """Léa and Marc, residents who took part in everything; Marc waits for Léa's seat in a group of one."""
    now = utcnow()
    lea = make_user("lea.dupre@example.org", display_name="Léa Dupré-L'Hermite")
    marc = make_user("marc.castex@example.org", display_name="Marc Castex")
    group = make_group(territory, capacity=1, title="Accès aux soins à L'Isle-Jourdain")
    add_member(group, lea, motivation="Je suis aidante de ma mère.")
    add_member(group, marc, status=SignupStatus.WAITLISTED, queued_at=now - DAY, decided_at=None,
               motivation="Infirmier à la retraite.")
    forum = make_meeting(territory, title="Forum Santé de L'Isle-Jourdain", starts_at=now + 10 * DAY, capacity=30)
    register(forum, lea)
    register(forum, marc)
    past = make_meeting(territory, group, title="Première réunion du groupe", starts_at=now - 20 * DAY)
    add_attendance(past, lea)
    add_attendance(past, marc)
    call = Call(territory=territory, title="Vos idées pour la santé", submission_opens_at=now - 10 * DAY,
                submission_closes_at=now + 30 * DAY, voting_opens_at=now - 5 * DAY, voting_closes_at=now + 30 * DAY)
    call.axes = list(territory.current_contract.axes)
    mine = Proposal(call=call, author=lea, title="Un bus vers l'hôpital de Moissac", description="Le samedi.",
                    axis=call.axes[0], state=ProposalState.PUBLISHED, submitted_at=now, published_at=now)
    theirs = Proposal(call=call, author=marc, title="Une maison de santé à Cologne", description="Avec parking.",
                      axis=call.axes[0], state=ProposalState.PUBLISHED, submitted_at=now, published_at=now)
    db.session.add_all([mine, theirs])
    db.session.flush()
    db.session.add_all([
        Comment(proposal_id=theirs.id, author_id=lea.id, body="Oui, le bus du mardi ne suffit pas.", created_at=now),
        Comment(proposal_id=mine.id, author_id=marc.id, body="Bonne idée, Marc de Cologne.", created_at=now),
        Support(proposal_id=theirs.id, user_id=lea.id, created_at=now),
        Support(proposal_id=mine.id, user_id=marc.id, created_at=now),
        Follower(proposal_id=theirs.id, user_id=lea.id),
    ])
    db.session.commit()
    survey = _survey(territory)
    surveys.submit_response(survey, {"Q1": "2", "Q2": "Un médecin le samedi"}, browser_secret=None, user=lea,
                            now=now)
    surveys.submit_response(survey, {"Q1": "1", "Q2": "Rien, tout va bien chez Marc"}, browser_secret=None,
                            user=marc, now=now)
    db.session.add_all([
        Draft(survey_id=survey.id, key_hash="a" * 64, user_id=lea.id, data={"Q2": "Je reviens plus tard"},
              page_index=0, updated_on=now.date()),
        PanelContact(territory_id=territory.id, survey_id=survey.id, email=lea.email,
                     consent_month=now.date().replace(day=1)),
        PanelContact(territory_id=territory.id, survey_id=survey.id, email=marc.email,
                     consent_month=now.date().replace(day=1)),
    ])
    db.session.commit()
    return lea, marc


def _zip(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name) for name in archive.namelist()}


def test_my_data_holds_everything_about_the_person_and_nothing_of_anyone_else(client, login, lea_and_marc):
    lea, marc = lea_and_marc
    login(lea)
    page = client.get("/account/data")
    assert page.status_code == 200
    assert "Télécharger mes données" in page.get_data(as_text=True)

    response = client.get("/account/data/download")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    files = _zip(response)
    assert sorted(files) == sorted(["README.txt", "data.json", *(f"{name}.csv" for name in SECTIONS)])
    data = json.loads(files["data.json"])["sections"]
    assert list(data) == SECTIONS
    assert [row["email"] for row in data["account"]] == ["lea.dupre@example.org"]
    assert data["account"][0]["display_name"] == "Léa Dupré-L'Hermite"
    assert [row["title"] for row in data["proposals"]] == ["Un bus vers l'hôpital de Moissac"]
    assert [row["body"] for row in data["comments"]] == ["Oui, le bus du mardi ne suffit pas."]
    assert [row["proposal"] for row in data["supports"]] == ["Une maison de santé à Cologne"]
    assert [row["proposal"] for row in data["follows"]] == ["Une maison de santé à Cologne"]
    assert [(row["group"], row["status"], row["motivation"]) for row in data["group_signups"]] == [
        ("Accès aux soins à L'Isle-Jourdain", "member", "Je suis aidante de ma mère.")]
    assert [row["meeting"] for row in data["meeting_registrations"]] == ["Forum Santé de L'Isle-Jourdain"]
    assert [row["meeting"] for row in data["meeting_attendance"]] == ["Première réunion du groupe"]
    assert [(row["question"], row["option"], row["text"]) for row in data["survey_answers"]] == [
        ("Comment allez-vous ?", "Pas très bien", None),
        ("Qu'est-ce qui améliorerait votre santé ici ?", None, "Un médecin le samedi")]
    assert len(data["survey_responses"]) == 1 and len(data["survey_drafts"]) == 1
    assert [row["territory"] for row in data["panel_addresses"]] == ["Terres des Confluences"]
    assert len(data["login_sessions"]) == 1 and data["roles"] == []
    # The CSV files say the same as the JSON, with a header line.
    proposals_csv = list(csv.reader(io.StringIO(files["proposals.csv"].decode("utf-8-sig"))))
    assert proposals_csv[0][:3] == ["id", "call", "title"] and [row[2] for row in proposals_csv[1:]] == [
        "Un bus vers l'hôpital de Moissac"]
    everything = b"".join(files.values()).decode("utf-8-sig")
    for other in ("marc.castex", "Marc Castex", "Marc de Cologne", "tout va bien chez Marc", "Infirmier"):
        assert other not in everything


def test_deleting_the_account_erases_the_person_keeps_counts_and_frees_the_seat(client, app, login, lea_and_marc,
                                                                                 smtp):
    lea, marc = lea_and_marc
    other_browser = app.test_client()
    assert other_browser.post("/account/login", data={"email": lea.email, "password": PASSWORD}).status_code == 302
    login(lea)
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (Proposal, Comment, Support, Response)]
    wrong = client.post("/account/data/delete", data={"password": "pas le bon", "understood": "y"})
    shown = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and 'id="password-error"' in shown and "mot de passe actuel est incorrect" in shown
    assert db.session.get(User, lea.id).erased_at is None
    smtp.messages.clear()

    done = client.post("/account/data/delete", data={"password": PASSWORD, "understood": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    erased = db.session.get(User, lea.id)
    assert erased.erased_at is not None and erased.email.endswith("@erased.invalid")
    assert (erased.display_name, erased.structure, erased.commune_id, erased.category) == ("", "", None, None)
    assert db.session.scalar(select(func.count()).select_from(LoginSession).where(LoginSession.user_id == lea.id)) == 0
    assert db.session.scalar(select(func.count(TerritoryRole.id)).where(TerritoryRole.user_id == lea.id)) == 0
    # Contributions and counts stay; what she said is shown under a neutral name.
    assert [db.session.scalar(select(func.count()).select_from(model))
            for model in (Proposal, Comment, Support, Response)] == counts
    proposal = db.session.scalar(select(Proposal).where(Proposal.author_id == lea.id))
    shown = client.get(f"/t/terres-des-confluences/proposals/{proposal.id}/").get_data(as_text=True)
    assert "Ancienne participante ou ancien participant" in shown and "Léa Dupré" not in shown
    # Her seat went to Marc, who was told; her future registration was cancelled; nothing is left to resume.
    group = db.session.scalar(select(WorkingGroup))
    statuses = {s.user_id: s.status for s in db.session.scalars(select(Signup))}
    assert statuses == {lea.id: SignupStatus.WITHDRAWN, marc.id: SignupStatus.MEMBER} and group.member_count == 1
    assert db.session.scalar(select(Signup.motivation).where(Signup.user_id == lea.id)) == ""
    assert [m["To"] for m in smtp.messages] == [marc.email]
    forum = db.session.scalar(select(Meeting).where(Meeting.title == "Forum Santé de L'Isle-Jourdain"))
    assert forum.registered_count == 1
    assert db.session.scalar(select(Registration.cancelled_at).where(Registration.user_id == lea.id)) is not None
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    assert db.session.scalars(select(PanelContact.email)).all() == [marc.email]
    assert db.session.scalar(select(func.count()).select_from(Follower)) == 0
    assert db.session.scalar(select(Response.user_id).where(Response.user_id == lea.id)) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.target == f"user:{lea.id}"))
    assert event.action == "account_erased_request" and event.detail["groups_left"] == 1
    # Logged out everywhere, and she can no longer log in; no mail ever reaches her again.
    assert other_browser.get("/account/profile").status_code == 302
    again = client.post("/account/login", data={"email": "lea.dupre@example.org", "password": PASSWORD})
    assert again.status_code == 200 and client.get("/account/data").status_code == 302
    smtp.messages.clear()
    send(Mail(to=erased.email, subject="Bonjour", body="Un message.\n"))
    assert smtp.messages == []


@pytest.mark.parametrize("role", ["anonymous", "participant", "observer", "other_coordinator", "coordinator",
                                  "admin"])
def test_my_data_routes_for_every_role(as_role, role):
    client = as_role(role)
    page, download = client.get("/account/data"), client.get("/account/data/download")
    if role == "anonymous":
        assert page.status_code == download.status_code == 302
        assert client.post("/account/data/delete", data={"password": PASSWORD, "understood": "y"}).status_code == 302
        return
    assert page.status_code == 200 and download.status_code == 200
    account = json.loads(_zip(download)["data.json"])["sections"]["account"]
    assert len(account) == 1 and account[0]["is_admin"] is (role == "admin")
    refused = client.post("/account/data/delete", data={"password": PASSWORD})  # the box is not ticked
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    deleted = client.post("/account/data/delete", data={"password": PASSWORD, "understood": "y"})
    email = account[0]["email"]
    stored = db.session.scalar(select(User).where(User.email == email))
    if role == "admin":  # never erased: another administrator must first remove the right
        assert deleted.status_code == 200 and stored is not None and stored.erased_at is None
    else:
        assert deleted.status_code == 302 and stored is None
