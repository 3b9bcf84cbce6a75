"""`flask send-reminders`: everyone expected at a meeting of the next 48 hours gets one reminder, once,
in their language; nothing for later, past or cancelled meetings, withdrawn members or cancelled
registrations; a failed delivery is retried on the next run."""
from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.extensions import db
from consult.groups.models import Reminder, SignupStatus
from consult.groups.services.reminders import send_reminders
from consult.groups.views.calendar import meeting_ics_url, meeting_page_url
from consult.territories.models import Territory
from tests.conftest import NOW, discard_database, served_database_app
from tests.groups.factories import add_member, make_group, make_meeting, register

SLUG = "terres-des-confluences"
# Tuesday 24 November 2026, 18:00 in Paris (UTC+1), 31 hours after NOW.
TOMORROW_EVENING = dt.datetime(2026, 11, 24, 17, 0)


def run(runner, now: dt.datetime = NOW):
    return runner.invoke(args=["send-reminders", "--now", now.isoformat()])


def reminder_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Reminder))


def recipients(outbox) -> list[str]:
    return sorted(mail.to for mail in outbox)


@pytest.fixture
def group(territory):
    return make_group(territory)


@pytest.fixture
def infirmiere(make_user):
    return make_user("infirmiere.castelsarrasin@example.org", display_name="Infirmière de Castelsarrasin")


@pytest.fixture
def elu(make_user):
    return make_user("adjoint.moissac@example.org", display_name="Adjoint au maire de Moissac")


def test_reminders_are_sent_once_across_two_runs(runner, outbox, territory, group, infirmiere, elu):
    add_member(group, infirmiere)
    add_member(group, elu)
    make_meeting(territory, group, starts_at=TOMORROW_EVENING)

    first = run(runner)
    second = run(runner, NOW + dt.timedelta(hours=1))

    assert first.exit_code == 0, first.output
    assert first.output.strip() == "2 reminders sent"
    assert second.output.strip() == "0 reminders sent"
    assert recipients(outbox) == ["adjoint.moissac@example.org", "infirmiere.castelsarrasin@example.org"]
    assert reminder_count() == 2


def test_reminder_tells_when_where_and_how_to_join(runner, outbox, territory, group, infirmiere):
    add_member(group, infirmiere)
    meeting = make_meeting(territory, group, title="Réunion « Maison de santé »", starts_at=TOMORROW_EVENING,
                           online_url="https://visio.example.org/cls-confluences")

    run(runner)

    [mail] = outbox
    assert mail.subject == "Rappel : Réunion « Maison de santé » le mardi 24 novembre 2026"
    assert "mardi 24 novembre 2026 à 18 h 00" in mail.body  # "%(date)s at %(time)s" is already translated
    assert ("Salle des fêtes de Saint-Nicolas-de-la-Grave, Place du Château, 82210 Saint-Nicolas-de-la-Grave"
            in mail.body)
    assert "Salle de plain-pied, boucle magnétique." in mail.body
    assert "2. **Priorités** de l'axe" in mail.body
    assert "https://visio.example.org/cls-confluences" in mail.body
    assert f"http://localhost/t/{SLUG}/meetings/{meeting.id}\n" in mail.body
    assert f"http://localhost/t/{SLUG}/meetings/{meeting.id}.ics" in mail.body


def test_reminder_is_in_the_recipients_language(runner, outbox, make_user, territory, group):
    add_member(group, make_user("health.visitor@example.org", locale="en"))
    make_meeting(territory, group, starts_at=TOMORROW_EVENING)

    run(runner)

    [mail] = outbox
    assert "Tuesday, November 24, 2026 at 6:00\u202fPM" in mail.body


def test_long_agenda_is_cut(runner, outbox, territory, group, infirmiere):
    add_member(group, infirmiere)
    make_meeting(territory, group, starts_at=TOMORROW_EVENING, agenda="Point sur la démographie médicale. " * 40)

    run(runner)

    [mail] = outbox
    assert mail.body.count("démographie") < 40
    assert " …\n" in mail.body


def test_no_reminder_for_meetings_beyond_48_hours(runner, outbox, territory, group, infirmiere):
    add_member(group, infirmiere)
    make_meeting(territory, group, starts_at=NOW + dt.timedelta(hours=49))

    result = run(runner)

    assert result.output.strip() == "0 reminders sent"
    assert outbox == []
    assert reminder_count() == 0


def test_reminder_for_a_meeting_just_inside_48_hours(runner, outbox, territory, group, infirmiere):
    add_member(group, infirmiere)
    make_meeting(territory, group, starts_at=NOW + dt.timedelta(hours=47, minutes=59))

    assert run(runner).output.strip() == "1 reminder sent"
    assert recipients(outbox) == ["infirmiere.castelsarrasin@example.org"]


def test_no_reminder_for_past_meetings(runner, outbox, territory, group, infirmiere):
    add_member(group, infirmiere)
    make_meeting(territory, group, starts_at=NOW - dt.timedelta(hours=1))

    run(runner)

    assert outbox == []
    assert reminder_count() == 0


def test_no_reminder_for_cancelled_meetings(runner, outbox, territory, group, infirmiere):
    add_member(group, infirmiere)
    make_meeting(territory, group, starts_at=TOMORROW_EVENING, cancelled_at=NOW - dt.timedelta(days=1))

    run(runner)

    assert outbox == []
    assert reminder_count() == 0


def test_no_reminder_for_withdrawn_or_waitlisted_people(runner, outbox, make_user, territory, group, infirmiere):
    add_member(group, infirmiere)
    add_member(group, make_user("partie@example.org"), status=SignupStatus.WITHDRAWN, left_at=NOW)
    add_member(group, make_user("en.attente@example.org"), status=SignupStatus.WAITLISTED)
    make_meeting(territory, group, starts_at=TOMORROW_EVENING)

    run(runner)

    assert recipients(outbox) == ["infirmiere.castelsarrasin@example.org"]
    assert reminder_count() == 1


def test_event_reminders_go_to_registrations_not_cancelled(runner, outbox, territory, infirmiere, elu):
    forum = make_meeting(territory, starts_at=TOMORROW_EVENING)
    register(forum, infirmiere)
    register(forum, elu, cancelled_at=NOW - dt.timedelta(hours=2))

    run(runner)

    assert recipients(outbox) == ["infirmiere.castelsarrasin@example.org"]
    assert "Vous êtes inscrit·e à cet événement" in outbox[0].body


def test_failed_delivery_is_reported_and_retried(app, runner, outbox, territory, group, infirmiere):
    add_member(group, infirmiere)
    make_meeting(territory, group, starts_at=TOMORROW_EVENING)
    with socket.socket() as probe:  # a local port where nothing listens
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_TIMEOUT=2)

    failed = run(runner)

    assert failed.exit_code == 1
    assert "reminder not sent: meeting" in failed.stderr
    assert "infirmiere.castelsarrasin@example.org" in failed.stderr
    assert reminder_count() == 0

    app.config.update(MAIL_BACKEND="memory")
    retried = run(runner, NOW + dt.timedelta(hours=1))

    assert retried.output.strip() == "1 reminder sent"
    assert recipients(outbox) == ["infirmiere.castelsarrasin@example.org"]
    assert reminder_count() == 1


def test_invalid_now_is_refused(runner):
    result = runner.invoke(args=["send-reminders", "--now", "demain"])

    assert result.exit_code == 2
    assert "--now" in result.output


def test_overlapping_runs_send_each_reminder_once(tmp_path):
    """Two runs at the same time (cron overlapping a slow run) on a database threads share."""
    app = served_database_app(tmp_path)
    delivered: list[str] = []
    lock = threading.Lock()

    def slow_delivery(mail):
        time.sleep(0.05)  # an SMTP server taking its time, so that the runs overlap
        with lock:
            delivered.append(mail.to)

    def one_run():
        with app.app_context(), app.test_request_context("/"):
            send_reminders(now=NOW, page_url=meeting_page_url, ics_url=meeting_ics_url, deliver=slow_delivery)
            db.session.remove()

    try:
        with app.app_context():
            territory = Territory(slug=SLUG, name="Terres des Confluences")
            forum = make_meeting(territory, starts_at=TOMORROW_EVENING)
            for n in range(6):
                register(forum, User(email=f"participant{n}@example.org", display_name=f"Participant·e {n}",
                                     password_hash="x", privacy_consent_at=NOW, email_confirmed_at=NOW))
            db.session.remove()
        runs = [threading.Thread(target=one_run) for _ in range(2)]
        for thread in runs:
            thread.start()
        for thread in runs:
            thread.join(30)

        assert sorted(delivered) == [f"participant{n}@example.org" for n in range(6)]
        with app.app_context():
            assert reminder_count() == 6
    finally:
        with app.app_context():
            discard_database()
            db.engine.dispose()
