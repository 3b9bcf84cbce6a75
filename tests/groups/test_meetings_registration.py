"""Registration to events: one row per person, reused after cancelling; capacity; confirmation email."""
from __future__ import annotations

import datetime as dt

import pytest

from consult.errors import Conflict, PermissionDenied
from consult.extensions import db
from consult.groups.services import registrations
from consult.groups.models import Meeting, Registration
from tests.conftest import NOW
from tests.groups.factories import make_group, make_meeting, register
from tests.groups.meeting_factories import SLUG, count, fresh, soon


def test_registration_takes_a_seat(territory, make_user):
    meeting = make_meeting(territory, capacity=2)

    registration = registrations.register(make_user(), meeting, now=NOW)

    assert registration.cancelled_at is None
    assert fresh(Meeting, meeting.id).registered_count == 1


def test_second_registration_of_the_same_person_is_refused(territory, make_user):
    meeting, person = make_meeting(territory), make_user()
    registrations.register(person, meeting, now=NOW)

    with pytest.raises(Conflict):
        registrations.register(person, meeting, now=NOW)
    assert count(Registration) == 1 and fresh(Meeting, meeting.id).registered_count == 1


def test_full_event_refuses_registration(territory, make_user):
    meeting = make_meeting(territory, capacity=1)
    register(meeting, make_user())

    with pytest.raises(Conflict) as refused:
        registrations.register(make_user(), meeting, now=NOW)

    assert "complet" in refused.value.message
    db.session.rollback()
    assert count(Registration) == 1 and fresh(Meeting, meeting.id).registered_count == 1


def test_cancelling_frees_the_seat_and_re_registering_reuses_the_row(territory, make_user):
    meeting, person = make_meeting(territory, capacity=1), make_user()
    first = registrations.register(person, meeting, now=NOW)

    registrations.cancel_registration(person, meeting, now=NOW)
    assert fresh(Meeting, meeting.id).registered_count == 0
    again = registrations.register(person, fresh(Meeting, meeting.id), now=NOW)

    assert again.id == first.id and again.cancelled_at is None
    assert count(Registration) == 1 and fresh(Meeting, meeting.id).registered_count == 1


@pytest.mark.parametrize("change", [{"cancelled_at": NOW}, {"starts_at": NOW - dt.timedelta(hours=1)}])
def test_cancelled_or_started_event_refuses_registration(territory, make_user, change):
    meeting = make_meeting(territory, **change)

    with pytest.raises(Conflict):
        registrations.register(make_user(), meeting, now=NOW)
    assert count(Registration) == 0


def test_group_meetings_take_no_registration(territory, make_user):
    meeting = make_meeting(territory, make_group(territory))

    with pytest.raises(Conflict):
        registrations.register(make_user(), meeting, now=NOW)
    assert count(Registration) == 0


def test_unconfirmed_account_cannot_register(territory, make_user):
    meeting = make_meeting(territory)

    with pytest.raises(PermissionDenied):
        registrations.register(make_user(confirmed=False), meeting, now=NOW)
    assert count(Registration) == 0


def test_registering_from_the_page_sends_a_confirmation(client, login, territory, make_user, outbox):
    meeting = make_meeting(territory, starts_at=soon(), capacity=80)
    person = make_user(email="jeanne.martin@example.org")
    login(person)

    response = client.post(f"/t/{SLUG}/meetings/{meeting.id}/register", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Vous êtes inscrit" in page
    assert "79 places restantes sur 80" in page
    assert [mail.to for mail in outbox] == ["jeanne.martin@example.org"]
    assert "Forum Santé des Confluences" in outbox[0].subject
    assert f"/t/{SLUG}/meetings/{meeting.id}" in outbox[0].body
    assert f"/t/{SLUG}/meetings/{meeting.id}.ics" in outbox[0].body
    assert count(Registration, Registration.user_id == person.id, Registration.cancelled_at.is_(None)) == 1


def test_full_event_page_says_so_with_a_conflict(client, login, territory, make_user, outbox):
    meeting = make_meeting(territory, starts_at=soon(), capacity=1)
    register(meeting, make_user())
    login(make_user())

    response = client.post(f"/t/{SLUG}/meetings/{meeting.id}/register")

    assert response.status_code == 409
    assert "complet" in response.get_data(as_text=True)
    assert outbox == [] and count(Registration) == 1


def test_cancelling_from_the_page(client, login, territory, make_user):
    meeting, person = make_meeting(territory, starts_at=soon()), make_user()
    register(meeting, person)
    login(person)

    response = client.post(f"/t/{SLUG}/meetings/{meeting.id}/unregister", follow_redirects=True)

    assert "Votre inscription est annulée" in response.get_data(as_text=True)
    assert fresh(Meeting, meeting.id).registered_count == 0
    assert count(Registration, Registration.cancelled_at.is_not(None)) == 1


def test_cancelling_an_event_emails_the_people_still_registered(client, login, coordinator, territory, make_user,
                                                                outbox):
    meeting = make_meeting(territory, starts_at=soon(), title="Plénière du CLS")
    register(meeting, make_user("inscrite@example.org"))
    register(meeting, make_user("desinscrit@example.org"), cancelled_at=NOW)
    login(coordinator)

    client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/cancel")

    assert [mail.to for mail in outbox] == ["inscrite@example.org"]
    assert "Plénière du CLS" in outbox[0].body and "est annulée" in outbox[0].body
