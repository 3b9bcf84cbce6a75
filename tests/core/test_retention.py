"""Retention that happens: `flask purge` removes what is just past each stated period and keeps what is just before
it, counts only; every period a page states is a setting that a registered purge enforces."""
from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy import func, select

from consult.accounts.models import LoginSession
from consult.core.audit import AuditEvent
from consult.core.ratelimit import RateLimitCounter, RateLimitEvent
from consult.core.retention import cutoff
from consult.diagnostic.models import ExportJob, JobStatus
from consult.extensions import db
from consult.groups.models import Attendance, Meeting, MeetingKind
from consult.maintenance import load_purges
from consult.surveys.models import (Answer, Channel, Draft, PanelContact, Question, QuestionType, Response, Survey,
                                    SurveyPage, SurveyStatus)
from consult.surveys.releases.models import SurveyRelease

NOW = dt.datetime(2027, 3, 1, 3, 0)  # the purge of 1 March 2027, 03:00 UTC (cron)
MINUTE = dt.timedelta(minutes=1)

# The periods whose purge other tests check (this file checks every other one).
TESTED_ELSEWHERE = {"audit_events": "tests/core/test_audit*.py", "inactive_accounts": "tests/accounts/test_rights*.py"}
TESTED_HERE = {"address_log", "login_sessions", "survey_drafts", "panel_contacts", "survey_answers",
               "attendance_names", "export_files"}


def text(response) -> str:
    """The words of a page, tags removed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def limit(app, key: str, unit: str) -> dt.datetime:
    return cutoff(NOW, app.config[key], unit)


def closed_survey(territory, title: str, closed_at: dt.datetime, *, months: int | None = None) -> Survey:
    """A closed survey with one answered response and a published release."""
    question = Question(code="Q1", position=0, type=QuestionType.LONG_TEXT, text="Qu'est-ce qui vous manque ?")
    survey = Survey(territory=territory, title=title, status=SurveyStatus.CLOSED, closed_at=closed_at,
                    retention_months=months, pages=[SurveyPage(position=0, title="Vous", questions=[question])])
    question.survey = survey
    db.session.add(survey)
    db.session.flush()
    db.session.add(Response(survey_id=survey.id, channel=Channel.WEB, submitted_on=closed_at.date(),
                            answers=[Answer(question_id=question.id, value_text="Un médecin à Lectoure")]))
    db.session.add(SurveyRelease(survey_id=survey.id, number=1, made_at=closed_at, k=5, responses=1, content={},
                                 audit={}, digest="0" * 64))
    return survey


def build_world(app, territory, coordinator, export_dir) -> dict:
    """For each period, one thing just past it and one just before it."""
    config, world = app.config, {}
    hours = limit(app, "ADDRESS_LOG_HOURS", "hours")
    db.session.add_all([RateLimitEvent(key="login:ip:ancien", at=hours - MINUTE),
                        RateLimitEvent(key="login:ip:recent", at=hours + MINUTE)])
    epoch = int(hours.replace(tzinfo=dt.UTC).timestamp())
    db.session.add_all([RateLimitCounter(key="mail:ancien", window_start=epoch - 60, hits=3),
                        RateLimitCounter(key="mail:recent", window_start=epoch + 60, hits=1)])

    sessions = limit(app, "LOGIN_SESSION_DAYS", "days")
    db.session.add_all([LoginSession(key="ancienne", user_id=coordinator.id, created_at=sessions - MINUTE),
                        LoginSession(key="recente", user_id=coordinator.id, created_at=sessions + MINUTE)])

    answers = limit(app, "SURVEY_RETENTION_MONTHS", "months")
    survey = closed_survey(territory, "Santé des habitants 2024", answers - MINUTE)
    kept = closed_survey(territory, "Santé des habitants 2025", answers + MINUTE)
    own = closed_survey(territory, "Accès aux soins à Moissac", cutoff(NOW, 7, "months") - MINUTE, months=7)
    world["surveys"] = {"past": survey.id, "before": kept.id, "own_period": own.id}

    days = config["DRAFT_RETENTION_DAYS"]
    db.session.add_all([Draft(survey_id=kept.id, key_hash="a" * 64, data={"Q1": "x"},
                              updated_on=NOW.date() - dt.timedelta(days=days + 1)),
                        Draft(survey_id=kept.id, key_hash="b" * 64, data={"Q1": "y"},
                              updated_on=NOW.date() - dt.timedelta(days=days))])

    consent = limit(app, "PANEL_CONTACT_MONTHS", "months").date().replace(day=1)  # 1 March 2025: expires today
    db.session.add_all([PanelContact(territory_id=territory.id, survey_id=kept.id, email="ancienne@example.org",
                                     consent_month=consent),
                        PanelContact(territory_id=territory.id, survey_id=kept.id, email="recente@example.org",
                                     consent_month=dt.date(consent.year, consent.month + 1, 1))])

    held = limit(app, "ATTENDANCE_RETENTION_MONTHS", "months")
    meetings = [Meeting(territory_id=territory.id, kind=MeetingKind.FORUM, title=title, starts_at=moment)
                for title, moment in (("Forum Santé 2026", held - MINUTE), ("Atelier mobilité", held + MINUTE))]
    db.session.add_all(meetings)
    db.session.flush()
    for meeting in meetings:
        db.session.add_all([Attendance(meeting_id=meeting.id, name="Mme Josiane Castéra",
                                       structure="CCAS de Lectoure"),
                            Attendance(meeting_id=meeting.id, user_id=coordinator.id, structure="PETR")])
    world["meetings"] = {"past": meetings[0].id, "before": meetings[1].id}

    files = {}
    for label, expires in (("past", NOW - MINUTE), ("before", NOW + MINUTE)):
        name = f"diagnostic-{label}.ods"
        (export_dir / name).write_bytes(b"PK")
        db.session.add(ExportJob(territory_id=territory.id, requested_by_id=coordinator.id, kind="workbook", fmt="ods",
                                 locale="fr", status=JobStatus.DONE, file_name=name, created_at=expires - dt.timedelta(
                                     hours=config["EXPORT_RETENTION_HOURS"]), expires_at=expires))
        files[label] = export_dir / name
    world["files"] = files
    db.session.commit()
    return world


def attendees(meeting_id: int) -> set[tuple]:
    return set(db.session.execute(select(Attendance.name, Attendance.structure, Attendance.user_id).where(
        Attendance.meeting_id == meeting_id)).all())


def test_every_registered_period_has_a_test(app):
    assert set(load_purges()) <= TESTED_HERE | set(TESTED_ELSEWHERE)
    assert TESTED_HERE <= set(load_purges())


def test_purge_removes_what_is_just_past_each_period_and_keeps_what_is_just_before(app, runner, territory,
                                                                                    coordinator, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path)
    world = build_world(app, territory, coordinator, tmp_path)

    result = runner.invoke(args=["purge", "--now", NOW.isoformat()])

    assert result.exit_code == 0, result.output
    printed = dict(re.findall(r"^(\w+): (\d+) ", result.output, re.M))
    assert {name: printed[name] for name in TESTED_HERE} == {
        "address_log": "2", "login_sessions": "1", "survey_drafts": "1", "panel_contacts": "1",
        "survey_answers": "2", "attendance_names": "1", "export_files": "1"}
    db.session.expire_all()
    assert [e.key for e in db.session.scalars(select(RateLimitEvent))] == ["login:ip:recent"]
    assert [c.key for c in db.session.scalars(select(RateLimitCounter))] == ["mail:recent"]
    assert [s.key for s in db.session.scalars(select(LoginSession))] == ["recente"]
    assert [d.key_hash for d in db.session.scalars(select(Draft))] == ["b" * 64]
    assert [p.email for p in db.session.scalars(select(PanelContact))] == ["recente@example.org"]
    surveys = world["surveys"]
    assert count(Response, Response.survey_id == surveys["past"]) == 0
    assert count(Response, Response.survey_id == surveys["own_period"]) == 0  # 7 months, its own period
    assert count(Response, Response.survey_id == surveys["before"]) == 1
    assert count(Answer) == 1
    assert count(SurveyRelease) == 3  # published results stay
    assert attendees(world["meetings"]["past"]) == {(Attendance.FORGOTTEN, "", None), ("", "PETR", coordinator.id)}
    assert attendees(world["meetings"]["before"]) == {("", "PETR", coordinator.id),
                                                      ("Mme Josiane Castéra", "CCAS de Lectoure", None)}
    assert not world["files"]["past"].exists() and world["files"]["before"].exists()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).one()
    assert event.actor_id is None and event.detail == {name: int(n) for name, n in printed.items()}


def test_dry_run_counts_the_same_and_removes_nothing(app, runner, territory, coordinator, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path)
    world = build_world(app, territory, coordinator, tmp_path)
    before = [count(model) for model in (RateLimitEvent, LoginSession, Draft, PanelContact, Response, AuditEvent)]

    result = runner.invoke(args=["purge", "--dry-run", "--now", NOW.isoformat()])

    assert result.exit_code == 0, result.output
    assert "panel_contacts: 1 " in result.output and "export_files: 1 " in result.output
    assert "Dry run: nothing was removed." in result.output
    db.session.expire_all()
    assert [count(model) for model in (RateLimitEvent, LoginSession, Draft, PanelContact, Response,
                                       AuditEvent)] == before
    assert world["files"]["past"].exists()
    assert ("Mme Josiane Castéra", "CCAS de Lectoure", None) in attendees(world["meetings"]["past"])


def test_a_forgotten_attendee_is_shown_without_a_name(app, territory):
    meeting = Meeting(territory_id=territory.id, kind=MeetingKind.FORUM, title="Forum", starts_at=NOW)
    db.session.add(meeting)
    db.session.flush()
    db.session.add(Attendance(meeting_id=meeting.id, name=Attendance.FORGOTTEN))
    db.session.commit()
    assert db.session.scalars(select(Attendance)).one().display_name == "Personne sans compte (nom supprimé)"


# --- every stated period comes from the configuration, and is enforced ----------------------------------------

# Unusual values, one per setting: a number found next to a unit on a page must be one of them.
UNUSUAL = {"INACTIVE_ACCOUNT_MONTHS": 37, "INACTIVE_WARNING_DAYS": 11, "PANEL_CONTACT_MONTHS": 23,
           "DRAFT_RETENTION_DAYS": 89, "ATTENDANCE_RETENTION_MONTHS": 13, "AUDIT_RETENTION_DAYS": 367,
           "ADDRESS_LOG_HOURS": 29, "EXPORT_RETENTION_HOURS": 47, "SURVEY_RETENTION_MONTHS": 19,
           "LOGIN_SESSION_DAYS": 17}
# A setting that is part of another period's purge rather than a period of its own.
PART_OF = {"INACTIVE_WARNING_DAYS": "INACTIVE_ACCOUNT_MONTHS"}
UNIT_WORDS = r"(heures?|jours?|mois|ans?|semaines?|années?)"


def stated_periods(page: str) -> set[str]:
    """The settings whose value a page states; fails on a period that is none of them (a number in the text)."""
    found = {int(n) for n, _unit in re.findall(r"(\d+)\s+" + UNIT_WORDS + r"\b", page)}
    by_value = {value: key for key, value in UNUSUAL.items()}
    assert found <= set(by_value), f"periods not from the configuration: {found - set(by_value)}"
    assert not re.search(r"\b(un|deux|trois|quatre|cinq|six|dix-huit|douze)\s+" + UNIT_WORDS + r"\b", page)
    return {by_value[n] for n in found}


def test_every_period_the_pages_state_comes_from_the_configuration_and_is_enforced(app, client, territory):
    app.config.update(UNUSUAL)
    survey = Survey(territory=territory, title="Votre santé à L'Isle-Jourdain", status=SurveyStatus.OPEN,
                    retention_months=7, pages=[SurveyPage(position=0, title="Vous", questions=[Question(
                        code="Q1", position=0, type=QuestionType.SHORT_TEXT, text="Votre commune ?")])])
    survey.pages[0].questions[0].survey = survey
    db.session.add(survey)
    db.session.commit()
    prefix = f"/t/{territory.slug}/surveys/{survey.id}"
    page = {"page_id": survey.pages[0].id, "shown": "Q1", "q-Q1": "Mauvezin"}

    privacy = stated_periods(text(client.get("/privacy")))
    intro = text(client.get(f"{prefix}/"))
    client.post(f"{prefix}/start")
    later = text(client.post(f"{prefix}/page/1", data={**page, "action": "later"}, follow_redirects=True))
    client.post(f"{prefix}/page/1", data={**page, "action": "next"})
    thanks = text(client.post(f"{prefix}/submit", follow_redirects=True))

    assert "gardées 7 mois après la clôture" in intro  # the survey's own period
    stated = privacy | stated_periods(intro.replace("7 mois", "")) | stated_periods(later) | stated_periods(thanks)
    assert stated - set(PART_OF) <= {period.config_key for period in load_purges().values()}
    assert privacy == set(UNUSUAL)  # the privacy notice states every one
    assert "DRAFT_RETENTION_DAYS" in stated_periods(later)
    assert "PANEL_CONTACT_MONTHS" in stated_periods(thanks)


def test_closing_a_survey_starts_its_retention_and_opening_it_again_stops_it(app, as_role, territory):
    survey = Survey(territory=territory, title="Votre santé à Mauvezin", status=SurveyStatus.OPEN,
                    pages=[SurveyPage(position=0, title="Vous", questions=[Question(
                        code="Q1", position=0, type=QuestionType.SHORT_TEXT, text="Votre commune ?")])])
    survey.pages[0].questions[0].survey = survey
    db.session.add(survey)
    db.session.commit()
    client = as_role("coordinator")
    status = f"/t/{territory.slug}/manage/surveys/{survey.id}/status"

    client.post(f"{status}/close")
    db.session.expire_all()
    closed = survey.closed_at
    client.post(f"{status}/open")
    db.session.expire_all()

    assert closed is not None and abs(closed - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=1)
    assert survey.status is SurveyStatus.OPEN and survey.closed_at is None
