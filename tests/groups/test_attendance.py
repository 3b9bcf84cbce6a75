"""Attendance: ticking who came among the people expected, people without an account, removing a line."""
from __future__ import annotations

import datetime as dt

import pytest

from consult.accounts.models import Category, Role
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.groups.services import attendance
from consult.groups.models import Attendance
from tests.conftest import NOW, commune_by_code
from tests.groups.factories import add_attendance, add_member, make_group, make_meeting, register
from tests.groups.meeting_factories import SLUG, count, soon

STARTED = NOW - dt.timedelta(hours=3)


@pytest.fixture
def members(territory, make_user):
    """A group of three: a resident of Castelsarrasin, a GP of Moissac, an elected official."""
    group = make_group(territory)
    people = []
    for name, category, structure, code in [
            ("Amélie Durand", Category.RESIDENT, "", "82033"),
            ("Dr Bruno Lefèvre", Category.HEALTH_PROFESSIONAL, "MSP de Moissac", "82112"),
            ("Chantal N'Diaye", Category.ELECTED, "Mairie de Saint-Nicolas-de-la-Grave", "82169")]:
        person = make_user(display_name=name, category=category, commune=commune_by_code(code))
        person.structure = structure
        db.session.commit()
        add_member(group, person)
        people.append(person)
    return group, people


def test_ticking_snapshots_category_structure_and_commune(coordinator, territory, members):
    group, (amelie, bruno, _) = members
    meeting = make_meeting(territory, group, starts_at=STARTED)

    change = attendance.record_attendance(coordinator, meeting, [amelie.id, bruno.id], now=NOW)

    assert (change.added, change.removed) == (2, 0)
    line = db.session.scalar(db.select(Attendance).where(Attendance.user_id == bruno.id))
    assert (line.category, line.structure, line.commune.name) == (
        Category.HEALTH_PROFESSIONAL, "MSP de Moissac", commune_by_code("82112").name)


def test_ticking_twice_never_duplicates(coordinator, territory, members):
    group, (amelie, bruno, _) = members
    meeting = make_meeting(territory, group, starts_at=STARTED)
    attendance.record_attendance(coordinator, meeting, [amelie.id, bruno.id], now=NOW)

    change = attendance.record_attendance(coordinator, meeting, [amelie.id, bruno.id], now=NOW)

    assert (change.added, change.removed) == (0, 0)
    assert count(Attendance) == 2


def test_unticking_removes_the_person(coordinator, territory, members):
    group, (amelie, bruno, _) = members
    meeting = make_meeting(territory, group, starts_at=STARTED)
    attendance.record_attendance(coordinator, meeting, [amelie.id, bruno.id], now=NOW)

    change = attendance.record_attendance(coordinator, meeting, [bruno.id], now=NOW)

    assert (change.added, change.removed) == (0, 1)
    assert [a.user_id for a in attendance.attendance_list(meeting)] == [bruno.id]


def test_unticking_keeps_people_without_an_account(coordinator, territory, members):
    group, (amelie, _, _) = members
    meeting = make_meeting(territory, group, starts_at=STARTED)
    add_attendance(meeting, name="Josette Marty", category=Category.RESIDENT)

    attendance.record_attendance(coordinator, meeting, [amelie.id], now=NOW)

    assert sorted(a.display_name for a in attendance.attendance_list(meeting)) == ["Amélie Durand", "Josette Marty"]


def test_only_expected_people_can_be_ticked(coordinator, territory, members, make_user):
    group, _ = members
    meeting = make_meeting(territory, group, starts_at=STARTED)
    stranger = make_user(display_name="Inconnu de Valence")

    with pytest.raises(InvalidInput):
        attendance.record_attendance(coordinator, meeting, [stranger.id], now=NOW)
    assert count(Attendance) == 0


def test_registered_people_are_expected_at_events(coordinator, territory, make_user):
    meeting = make_meeting(territory, starts_at=STARTED)
    person = make_user(display_name="Élise Roques")
    register(meeting, person)

    attendance.record_attendance(coordinator, meeting, [person.id], now=NOW)

    assert count(Attendance, Attendance.user_id == person.id) == 1


def test_attendance_waits_for_the_meeting_to_start(coordinator, territory, members):
    group, (amelie, _, _) = members
    meeting = make_meeting(territory, group, starts_at=NOW + dt.timedelta(hours=1))

    with pytest.raises(Conflict):
        attendance.record_attendance(coordinator, meeting, [amelie.id], now=NOW)
    with pytest.raises(Conflict):
        attendance.add_guest(coordinator, meeting, attendance.GuestData(name="Josette Marty"), now=NOW)
    assert count(Attendance) == 0


def test_person_without_an_account_is_added(coordinator, territory):
    meeting = make_meeting(territory, starts_at=STARTED)

    line = attendance.add_guest(coordinator, meeting, attendance.GuestData(
        name="Josette Marty", category=Category.ASSOCIATION, structure="Secours populaire",
        commune_id=commune_by_code("82033").id), now=NOW)

    assert (line.user_id, line.name, line.category, line.commune_id) == (
        None, "Josette Marty", Category.ASSOCIATION, commune_by_code("82033").id)


def test_commune_of_another_territory_is_refused(coordinator, territory, other_territory):
    meeting = make_meeting(territory, starts_at=STARTED)
    elsewhere = next(c for c in db.session.scalars(db.select(type(commune_by_code("82033"))))
                     if c.territory_id == other_territory.id)

    with pytest.raises(InvalidInput) as refused:
        attendance.add_guest(coordinator, meeting, attendance.GuestData(name="Josette Marty",
                                                                        commune_id=elsewhere.id), now=NOW)
    assert refused.value.field == "commune_id"
    assert count(Attendance) == 0


def test_attendance_page_ticks_and_shows_the_list(client, login, coordinator, territory, members):
    group, (amelie, bruno, chantal) = members
    meeting = make_meeting(territory, group, starts_at=soon(-1))
    login(coordinator)

    response = client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/attendance",
                           data={"present": [amelie.id, chantal.id]}, follow_redirects=True)
    again = client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/attendance",
                        data={"present": [amelie.id, chantal.id]}, follow_redirects=True)

    page = again.get_data(as_text=True)
    assert response.status_code == again.status_code == 200
    assert "2 personnes présentes" in page and "Chantal N&#39;Diaye" in page
    assert count(Attendance) == 2


def test_guest_form_shows_errors_next_to_the_field(client, login, coordinator, territory):
    meeting = make_meeting(territory, starts_at=soon(-1))
    login(coordinator)

    response = client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/attendance/guests",
                           data={"guest-name": "", "guest-structure": "Secours populaire"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="guest-name-error"' in page and 'value="Secours populaire"' in page
    assert count(Attendance) == 0


def test_removing_a_line(client, login, coordinator, territory):
    meeting = make_meeting(territory, starts_at=soon(-1))
    line = add_attendance(meeting, name="Josette Marty")
    login(coordinator)

    response = client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/attendance/{line.id}/remove",
                           follow_redirects=True)

    assert "Josette Marty est retiré" in response.get_data(as_text=True)
    assert count(Attendance) == 0


def test_participation_page_shows_people_by_category_and_commune(client, login, coordinator, territory, members):
    group, (amelie, bruno, chantal) = members
    first = make_meeting(territory, group, starts_at=soon(-9), title="Séance 1")
    second = make_meeting(territory, group, starts_at=soon(-2), title="Séance 2")
    for meeting, people in ((first, [amelie, bruno]), (second, [amelie, chantal])):
        for person in people:
            add_attendance(meeting, person)
    add_attendance(second, name="Josette Marty", category=Category.RESIDENT)
    login(coordinator)

    page = client.get(f"/t/{SLUG}/manage/meetings/participation").get_data(as_text=True)

    # 4 people (3 members + 1 without an account); 4 of the 6 expected member-seats were filled.
    assert "<dd>4</dd>" in page
    assert "67 % des personnes attendues sont venues (4 sur 6)" in page
    assert commune_by_code("82112").name in page
    assert f'/t/{SLUG}/manage/groups/attendance.csv' in page


def test_attendance_page_shows_the_meeting_summary(client, login, coordinator, territory, members):
    group, (amelie, _, _) = members
    meeting = make_meeting(territory, group, starts_at=soon(-1))
    add_attendance(meeting, amelie)
    login(coordinator)

    page = client.get(f"/t/{SLUG}/manage/meetings/{meeting.id}/attendance").get_data(as_text=True)

    assert "Participation à cette réunion" in page
    assert "33 % des personnes attendues sont venues (1 sur 3)" in page


@pytest.mark.parametrize("role", ["participant", "observer", "other_coordinator"])
def test_only_coordinators_record_attendance(make_user, territory, other_territory, members, role):
    actor = {"participant": lambda: make_user(),
             "observer": lambda: make_user(role=(territory, Role.OBSERVER)),
             "other_coordinator": lambda: make_user(role=(other_territory, Role.COORDINATOR))}[role]()
    group, (amelie, _, _) = members
    meeting = make_meeting(territory, group, starts_at=STARTED)
    line = add_attendance(meeting, name="Josette Marty")

    for attempt in (lambda: attendance.record_attendance(actor, meeting, [amelie.id], now=NOW),
                    lambda: attendance.add_guest(actor, meeting, attendance.GuestData(name="Paul Cazals"), now=NOW),
                    lambda: attendance.remove_attendance(actor, line)):
        with pytest.raises(PermissionDenied):
            attempt()
    db.session.rollback()
    assert [a.name for a in attendance.attendance_list(meeting)] == ["Josette Marty"]
