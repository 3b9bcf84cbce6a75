"""Bad input is refused with a translated message, or ignored, never a 500: control characters in typed text
(a name, a survey answer, a comment, a meeting title, text sent outside any form), huge numbers in query strings
and hidden fields, line breaks in an older row that a mail prints in its subject, and a failed transaction under the
error page. On SQLite and PostgreSQL (`python -m tests.pgcluster -- …`)."""
from __future__ import annotations

import datetime as dt
from email import message_from_string
from email import policy as email_policy

import pytest
from flask import Flask
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.accounts.services import hash_password
from consult.core.forms import CONTROL_MESSAGE, ONE_LINE_MESSAGE, TOO_LARGE_MESSAGE
from consult.errors import TITLES
from consult.extensions import db
from consult.groups.models import Meeting, MeetingKind, Registration
from consult.proposals.models import Comment, Proposal, ProposalState
from consult.surveys.models import Answer, Draft, Option, Question, QuestionType, Survey, SurveyMode, SurveyPage
from consult.synthesis.models import Fiche
from consult.territories.models import Axis, Contract, territory_by_slug
from tests.conftest import NOW, PASSWORD, build_app, demo_copy, discard_database
from tests.core.test_rendering_queries import ACCOUNTS, PASSWORDS, SLUG

HUGE = "99999999999999999999"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One copy of the demo for the module: every test checks that what it refused left no row."""
    with demo_copy(tmp_path_factory, tmp_path_factory.mktemp("bad-input")) as demo:
        yield demo


def _client(app: Flask, role: str | None, address: int):
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=f"192.0.2.{address}", HTTP_ACCEPT_LANGUAGE="fr")
    if role:
        email = ACCOUNTS[role]
        assert client.post("/account/login", data={"email": email, "password": PASSWORDS[email]}).status_code == 302
    return client


def _french(message) -> str:
    with force_locale("fr"):
        return str(escape(str(message)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _question(kind: QuestionType, *, with_other: bool = False) -> Question:
    """A question of this kind in an open anonymous survey of the demo, on a page shown to everyone."""
    statement = (select(Question).join(SurveyPage).join(Survey)
                 .where(Question.type == kind, Question.condition_code.is_(None), SurveyPage.condition_code.is_(None),
                        Survey.mode == SurveyMode.ANONYMOUS).order_by(Question.id))
    if with_other:
        statement = statement.where(Question.options.any(Option.is_other.is_(True)))
    return db.session.scalars(statement).first()


def _answer(client, question: Question, fields: dict):
    """Start the survey (once per client) and send `fields` on the question's page with Next."""
    survey_url = f"/t/{SLUG}/surveys/{question.page.survey_id}"
    client.post(f"{survey_url}/start")
    shown = [q.code for q in question.page.questions]
    return client.post(f"{survey_url}/page/1", data={"page_id": question.page_id, "shown": shown, "action": "next",
                                                     **fields})


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\r"])
def test_a_control_character_in_typed_text_is_refused_next_to_the_field(demo, character):
    """A name, a short answer, a comment and a meeting title holding NUL, ESC or CR: the page comes back with the
    translated reason and what was typed; nothing is stored."""
    expected = _french(ONE_LINE_MESSAGE if character == "\r" else CONTROL_MESSAGE)
    resident, coordinator, visitor = (_client(demo.app, "resident", 10), _client(demo.app, "coordinator", 11),
                                      _client(demo.app, None, 12))
    typed = f"Saint-Nicolas-{character}de-la-Grave"

    profile = resident.post("/account/profile", data={"display_name": typed, "category": "resident"})
    assert expected in profile.get_data(as_text=True)
    assert "de-la-Grave" in profile.get_data(as_text=True)  # what was typed is shown again

    question = _question(QuestionType.MULTIPLE, with_other=True)  # « Autre : précisez » is a one-line answer
    other = next(option.code for option in question.options if option.is_other)
    answers, drafts_before = _count(Answer), _count(Draft)
    answered = _answer(visitor, question, {f"q-{question.code}": other, f"q-{question.code}-other": typed})
    assert answered.status_code == 422
    assert expected in answered.get_data(as_text=True)
    assert _count(Answer) == answers and _count(Draft) == drafts_before + 1  # kept in the draft, as typed, only

    proposal = db.session.scalar(select(Proposal).where(Proposal.state == ProposalState.PUBLISHED)
                                 .order_by(Proposal.id))
    comments = _count(Comment)
    commented = resident.post(f"/t/{SLUG}/proposals/{proposal.id}/comments",
                              data={"body": f"Le bus du mardi{character} ne suffit pas."})
    if character == "\r":  # a comment is written on several lines: a line break is welcome
        assert commented.status_code == 302 and _count(Comment) == comments + 1
    else:
        assert expected in commented.get_data(as_text=True) and _count(Comment) == comments

    meetings = _count(Meeting)
    created = coordinator.post(f"/t/{SLUG}/manage/meetings/new", data={
        "kind": "forum", "title": f"Forum santé{character}", "day": "2027-03-12", "start_time": "18:30",
        "duration_minutes": "120", "place": "Salle des fêtes"})
    assert expected in created.get_data(as_text=True)
    assert _count(Meeting) == meetings
    assert not any(character in title for title in db.session.scalars(select(Meeting.title)))
    assert character not in db.session.scalar(select(User.display_name).where(User.email == ACCOUNTS["resident"]))


def test_a_long_answer_keeps_its_line_breaks_and_refuses_nul(demo):
    """A long answer is multi-line: a line break passes, a NUL does not."""
    question = _question(QuestionType.LONG_TEXT)
    visitor = _client(demo.app, None, 20)
    refused = _answer(visitor, question, {f"q-{question.code}": "Plus de médecins\x00"})
    assert refused.status_code == 422 and _french(CONTROL_MESSAGE) in refused.get_data(as_text=True)
    accepted = _answer(visitor, question, {f"q-{question.code}": "Plus de médecins.\r\nEt un bus le samedi."})
    assert accepted.status_code == 302
    draft = db.session.scalars(select(Draft).order_by(Draft.id.desc())).first()
    assert draft.data[question.code] == "Plus de médecins.\r\nEt un bus le samedi."


def test_a_control_character_in_text_sent_outside_a_form_is_refused(demo):
    """A fiche drafted from an axis with a title holding ESC: a translated 422, no fiche; a tampered one-time token
    (NUL) is ignored: the fiche is drafted, without it."""
    coordinator = _client(demo.app, "coordinator", 21)
    axis = db.session.scalar(select(Axis).join(Contract).where(Contract.territory_id == territory_by_slug(SLUG).id,
                                                               Contract.is_current.is_(True)).order_by(Axis.id))
    fiches = _count(Fiche)
    refused = coordinator.post(f"/t/{SLUG}/manage/plan/axes/{axis.id}/draft",
                               data={"title": "Maison de santé\x1b[31m", "form_token": "a" * 32})
    assert refused.status_code == 422 and _french(CONTROL_MESSAGE) in refused.get_data(as_text=True)
    assert _count(Fiche) == fiches
    drafted = coordinator.post(f"/t/{SLUG}/manage/plan/axes/{axis.id}/draft",
                               data={"title": "Maison de santé de Moissac", "form_token": "abc\x00def"})
    assert drafted.status_code == 302
    assert db.session.scalar(select(Fiche.form_token).where(Fiche.title == "Maison de santé de Moissac")) is None


def test_numbers_beyond_the_database_are_ignored_or_refused(demo):
    """Huge ids in a query string or a hidden field are read as absent; a huge number typed in a form is refused
    next to the field; never a 500."""
    coordinator, resident = _client(demo.app, "coordinator", 22), _client(demo.app, "resident", 23)
    proposal = db.session.scalar(select(Proposal).where(Proposal.state == ProposalState.PUBLISHED)
                                 .order_by(Proposal.id))
    assert resident.get(f"/t/{SLUG}/proposals/{proposal.id}/?comment={HUGE}").status_code == 200
    comments = _count(Comment)
    replied = resident.post(f"/t/{SLUG}/proposals/{proposal.id}/comments",
                            data={"body": "Je suis d'accord.", "parent_id": HUGE})
    assert replied.status_code == 302 and _count(Comment) == comments + 1  # a comment, not a reply to nothing
    for page in (f"/t/{SLUG}/manage/plan/?contract={HUGE}", f"/t/{SLUG}/manage/groups/new?axis={HUGE}",
                 f"/t/{SLUG}/manage/governance/?contract={HUGE}", f"/t/{SLUG}/manage/plan/fiches/new?axis={HUGE}"):
        assert coordinator.get(page).status_code in (200, 404), page
    assert coordinator.get(f"/t/{SLUG}/manage/meetings/new?group={HUGE}").status_code == 200  # no group chosen
    fiche = db.session.scalars(select(Fiche).where(Fiche.versions.any()).order_by(Fiche.id)).first()
    assert coordinator.get(f"/t/{SLUG}/manage/plan/fiches/{fiche.id}/compare?a=²&b=1").status_code == 200
    # A search the form refuses (NUL: PostgreSQL cannot even compare it) lists without it.
    assert resident.get(f"/t/{SLUG}/proposals/calls/{proposal.call_id}/?q=bus%00").status_code == 200
    meetings = _count(Meeting)
    created = coordinator.post(f"/t/{SLUG}/manage/meetings/new", data={
        "kind": "forum", "title": "Forum santé", "day": "2027-03-12", "start_time": "18:30",
        "duration_minutes": "120", "capacity": "1" + "0" * 400})  # beyond a float: WTForms' NumberRange raised
    assert _french(TOO_LARGE_MESSAGE) in created.get_data(as_text=True) and _count(Meeting) == meetings


def test_a_line_break_in_an_older_meeting_title_never_breaks_the_confirmation_mail(demo, capsys):
    """A title stored before the forms refused line breaks: the registration is stored and its mail leaves, with
    the whole title on the subject's one line (no header added), nothing spilled into the body."""
    meeting = Meeting(territory=territory_by_slug(SLUG), kind=MeetingKind.FORUM, place="Salle des fêtes de Lavit",
                      title="Forum santé\r\nBcc: curieux@example.org", starts_at=dt.datetime(2030, 3, 12, 17, 30))
    db.session.add(meeting)
    db.session.commit()
    demo.app.config["MAIL_BACKEND"] = "console"
    try:
        resident = _client(demo.app, "resident", 24)
        registered = resident.post(f"/t/{SLUG}/meetings/{meeting.id}/register")
    finally:
        demo.app.config["MAIL_BACKEND"] = "memory"
    assert registered.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.meeting_id == meeting.id)) == 1
    printed = capsys.readouterr().err.split("----- mail -----\n", 1)[1].split("----- end of mail -----")[0]
    mail = message_from_string(printed, policy=email_policy.default)
    assert mail["Subject"] == "Inscription confirmée : Forum santé Bcc: curieux@example.org"
    assert mail["Bcc"] is None and mail.get_content().startswith("Bonjour")  # nothing of the title spilled


def test_the_error_page_never_touches_a_failed_transaction():
    """A write the database refuses (a NUL on PostgreSQL, a missing territory on SQLite, which stores NUL) leaves the
    transaction failed: the 500 page still renders for a logged-in person (its header reads the account), and the
    next request works."""
    app = build_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-failed-transaction")
    def failed_transaction():
        db.session.add(Contract(territory_id=None, generation=1, title="CLS\x00 2027-2031"))
        db.session.flush()
        return "never"

    try:
        with app.app_context():
            db.session.add(User(email="coordination.lomagne@example.org", display_name="Coordination Lomagne",
                                password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW))
            db.session.commit()
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
            assert client.post("/account/login", data={"email": "coordination.lomagne@example.org",
                                                       "password": PASSWORD}).status_code == 302
            response = client.get("/test-failed-transaction")
            assert response.status_code == 500
            page = response.get_data(as_text=True)
            assert _french(TITLES[500]) in page and "Coordination Lomagne" in page
            assert client.get("/account/profile").status_code == 200
            assert _count(Contract) == 0
    finally:
        with app.app_context():
            discard_database()
            db.engine.dispose()
