"""Scheduling meetings and events: Paris time across daylight saving, changes, cancellation and its emails."""
from __future__ import annotations

import datetime as dt

import pytest

from consult.accounts.models import Role
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.groups.services import schedule
from consult.groups.models import Meeting, MeetingKind
from tests.conftest import NOW
from tests.groups.factories import add_member, make_group, make_meeting, register
from tests.groups.meeting_factories import count, meeting_data


def test_event_time_entered_in_paris_winter_time_is_stored_in_utc(coordinator, territory):
    meeting = schedule.create_meeting(coordinator, territory, meeting_data(), now=NOW)

    assert meeting.starts_at == dt.datetime(2027, 3, 12, 17, 30)
    assert meeting.kind is MeetingKind.FORUM and meeting.group_id is None and meeting.sequence == 0


def test_summer_time_is_two_hours_ahead_of_utc(coordinator, territory):
    meeting = schedule.create_meeting(coordinator, territory, meeting_data(day=dt.date(2027, 6, 17)), now=NOW)

    assert meeting.starts_at == dt.datetime(2027, 6, 17, 16, 30)


def test_time_skipped_when_clocks_go_forward_is_refused(coordinator, territory):
    with pytest.raises(InvalidInput) as refused:
        schedule.create_meeting(coordinator, territory,
                                meeting_data(day=dt.date(2026, 3, 29), start_time=dt.time(2, 30)), now=NOW)

    assert refused.value.field == "start_time"
    assert "02:30" in refused.value.message
    assert count(Meeting) == 0


def test_time_repeated_when_clocks_go_back_takes_the_first_occurrence(coordinator, territory):
    meeting = schedule.create_meeting(coordinator, territory,
                                      meeting_data(day=dt.date(2026, 10, 25), start_time=dt.time(2, 30)), now=NOW)

    assert meeting.starts_at == dt.datetime(2026, 10, 25, 0, 30)  # 02:30 summer time (UTC+2), not 01:30 UTC
    assert schedule.utc_to_paris(meeting.starts_at) == dt.datetime(2026, 10, 25, 2, 30)


def test_group_meeting_has_the_group_kind_and_no_capacity(coordinator, territory):
    group = make_group(territory)

    meeting = schedule.create_meeting(coordinator, territory, meeting_data(title="Réunion n° 2", capacity=30),
                                      group=group, now=NOW)

    assert meeting.kind is MeetingKind.GROUP_MEETING and meeting.group_id == group.id and meeting.capacity is None


def test_another_territorys_group_is_refused(coordinator, territory, other_territory):
    group = make_group(other_territory)

    with pytest.raises(PermissionDenied):
        schedule.create_meeting(coordinator, territory, meeting_data(), group=group, now=NOW)
    assert count(Meeting) == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://visio.example.org/x", "visio.example.org"])
def test_online_link_must_be_a_web_address(coordinator, territory, url):
    with pytest.raises(InvalidInput) as refused:
        schedule.create_meeting(coordinator, territory, meeting_data(online_url=url), now=NOW)

    assert refused.value.field == "online_url"
    assert count(Meeting) == 0


def test_online_only_meeting_needs_no_place(coordinator, territory):
    meeting = schedule.create_meeting(coordinator, territory, meeting_data(
        place="", address="", online_url="https://visio.example.org/cls-confluences"), now=NOW)

    assert meeting.online_url == "https://visio.example.org/cls-confluences"


def test_meeting_without_place_or_link_is_refused(coordinator, territory):
    with pytest.raises(InvalidInput) as refused:
        schedule.create_meeting(coordinator, territory, meeting_data(place="", online_url=""), now=NOW)

    assert refused.value.field == "place"


@pytest.mark.parametrize("role", ["participant", "observer", "other_coordinator"])
def test_only_coordinators_schedule(make_user, territory, other_territory, role):
    actor = {"participant": lambda: make_user(),
             "observer": lambda: make_user(role=(territory, Role.OBSERVER)),
             "other_coordinator": lambda: make_user(role=(other_territory, Role.COORDINATOR))}[role]()

    with pytest.raises(PermissionDenied):
        schedule.create_meeting(actor, territory, meeting_data(), now=NOW)
    assert count(Meeting) == 0


def test_every_change_bumps_the_calendar_sequence(coordinator, territory):
    meeting = schedule.create_meeting(coordinator, territory, meeting_data(), now=NOW)

    schedule.update_meeting(coordinator, meeting, meeting_data(title="Forum Santé 2027"), now=NOW)
    schedule.update_meeting(coordinator, meeting, meeting_data(start_time=dt.time(19, 0)), now=NOW)

    assert meeting.sequence == 2
    assert meeting.starts_at == dt.datetime(2027, 3, 12, 18, 0)


def test_capacity_cannot_go_below_registered_people(coordinator, territory, make_user):
    meeting = make_meeting(territory, capacity=10)
    for _ in range(3):
        register(meeting, make_user())

    with pytest.raises(InvalidInput) as refused:
        schedule.update_meeting(coordinator, meeting, meeting_data(capacity=2), now=NOW)

    assert refused.value.field == "capacity"
    db.session.rollback()
    assert db.session.get(Meeting, meeting.id).capacity == 10


def test_cancelling_returns_the_group_members_to_notify(coordinator, territory, make_user):
    group = make_group(territory)
    members = [make_user(display_name=name) for name in ("Amélie Durand", "Bruno Lefèvre")]
    for member in members:
        add_member(group, member)
    meeting = make_meeting(territory, group)

    people = schedule.cancel_meeting(coordinator, meeting, now=NOW)

    assert [p.id for p in people] == [m.id for m in members]
    assert meeting.cancelled_at == NOW and meeting.sequence == 1


def test_cancelled_meeting_cannot_be_changed(coordinator, territory):
    meeting = make_meeting(territory, cancelled_at=NOW)

    with pytest.raises(Conflict):
        schedule.update_meeting(coordinator, meeting, meeting_data(), now=NOW)


def test_past_meeting_cannot_be_cancelled(coordinator, territory):
    meeting = make_meeting(territory, starts_at=NOW - dt.timedelta(days=2))

    with pytest.raises(Conflict):
        schedule.cancel_meeting(coordinator, meeting, now=NOW)
    assert meeting.cancelled_at is None


def test_agenda_lists_upcoming_and_past_with_published_minutes(territory):
    upcoming = make_meeting(territory, title="Forum à venir")
    make_meeting(territory, title="Passée sans compte rendu", starts_at=NOW - dt.timedelta(days=5))
    published = make_meeting(territory, title="Passée publiée", starts_at=NOW - dt.timedelta(days=9),
                             minutes="Compte rendu.", minutes_published_at=NOW - dt.timedelta(days=8))

    agenda = schedule.agenda(territory, now=NOW)

    assert agenda.upcoming == [upcoming]
    assert agenda.past_with_minutes == [published]
