"""Meeting pages: the public agenda and meeting page, and the coordinator's scheduling and cancelling forms."""
from __future__ import annotations

import datetime as dt

from consult.groups.models import Meeting, MeetingKind
from tests.groups.factories import add_member, make_group, make_meeting, register
from tests.groups.meeting_factories import SLUG, count, form_fields, fresh, soon

VISIO = "https://visio.example.org/cls-confluences-2027"


def test_agenda_shows_upcoming_meetings_in_paris_time(client, territory):
    make_meeting(territory, title="Forum Santé des Confluences", starts_at=dt.datetime(2030, 3, 12, 17, 30),
                 capacity=120, registered_count=20)

    page = client.get(f"/t/{SLUG}/agenda").get_data(as_text=True)

    assert "Forum Santé des Confluences" in page
    assert "mardi 12 mars 2030, 18 h 30" in page
    assert "100 places restantes sur 120" in page
    assert "Salle de plain-pied, boucle magnétique." in page


def test_agenda_hides_past_meetings_without_published_minutes(client, territory):
    make_meeting(territory, title="Réunion d'octobre", starts_at=soon(-30))

    page = client.get(f"/t/{SLUG}/agenda").get_data(as_text=True)

    assert "octobre" not in page and "Rien n'est programmé pour le moment." in page


def test_territory_nav_links_to_the_agenda(client, territory):
    page = client.get(f"/t/{SLUG}/").get_data(as_text=True)

    assert f'href="/t/{SLUG}/agenda"' in page


def test_meeting_page_renders_the_agenda_and_hides_the_link_from_visitors(client, territory):
    meeting = make_meeting(territory, starts_at=soon(), online_url=VISIO)

    page = client.get(f"/t/{SLUG}/meetings/{meeting.id}").get_data(as_text=True)

    assert "<strong>Priorités</strong>" in page
    assert VISIO not in page
    assert "Se connecter pour s'inscrire" in page


def test_registered_person_sees_the_online_link_and_the_calendar_file(client, login, territory, make_user):
    meeting = make_meeting(territory, starts_at=soon(), online_url=VISIO)
    person = make_user()
    register(meeting, person)
    login(person)

    page = client.get(f"/t/{SLUG}/meetings/{meeting.id}").get_data(as_text=True)

    assert VISIO in page and "Annuler mon inscription" in page
    assert f"/t/{SLUG}/meetings/{meeting.id}.ics" in page


def test_meeting_of_another_territory_is_not_found(client, territory, other_territory):
    meeting = make_meeting(other_territory, starts_at=soon())

    assert client.get(f"/t/{SLUG}/meetings/{meeting.id}").status_code == 404


def test_coordinator_schedules_an_event_in_paris_time(client, login, coordinator, territory):
    login(coordinator)

    response = client.post(f"/t/{SLUG}/manage/meetings/new", data=form_fields(capacity="150"))

    meeting = fresh(Meeting, 1)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert (meeting.kind, meeting.starts_at, meeting.capacity) == (MeetingKind.FORUM, dt.datetime(2027, 3, 12, 17, 30), 150)


def test_nonexistent_paris_time_is_refused_next_to_the_field(client, login, coordinator, territory):
    login(coordinator)

    response = client.post(f"/t/{SLUG}/manage/meetings/new", data=form_fields(day="2026-03-29", start_time="02:30"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="start_time-error"' in page and "02:30 n&#39;existe pas" in page
    assert 'value="Forum Santé des Confluences"' in page
    assert count(Meeting) == 0


def test_new_meeting_form_preselects_the_group(client, login, coordinator, territory):
    group = make_group(territory, title="Santé mentale des jeunes")
    login(coordinator)

    page = client.get(f"/t/{SLUG}/manage/meetings/new?group={group.id}").get_data(as_text=True)

    assert f'<option selected value="{group.id}">Santé mentale des jeunes</option>' in page


def test_group_meeting_is_scheduled_for_the_chosen_group(client, login, coordinator, territory):
    group = make_group(territory)
    login(coordinator)

    client.post(f"/t/{SLUG}/manage/meetings/new", data=form_fields(group_id=str(group.id), title="Séance n° 3"))

    meeting = fresh(Meeting, 1)
    assert (meeting.group_id, meeting.kind, meeting.title) == (group.id, MeetingKind.GROUP_MEETING, "Séance n° 3")


def test_edit_form_shows_paris_time_and_bumps_the_sequence(client, login, coordinator, territory):
    meeting = make_meeting(territory, starts_at=dt.datetime(2027, 6, 17, 16, 30))
    login(coordinator)

    form = client.get(f"/t/{SLUG}/manage/meetings/{meeting.id}/edit").get_data(as_text=True)
    client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/edit",
                data=form_fields(day="2027-06-17", start_time="19:00"))

    assert 'value="18:30"' in form and 'value="2027-06-17"' in form
    stored = fresh(Meeting, meeting.id)
    assert (stored.starts_at, stored.sequence) == (dt.datetime(2027, 6, 17, 17, 0), 1)


def test_cancelling_emails_every_member(client, login, coordinator, territory, make_user, outbox):
    group = make_group(territory)
    for email in ("amelie@example.org", "bruno@example.org"):
        add_member(group, make_user(email))
    meeting = make_meeting(territory, group, starts_at=soon(), title="Réunion de mars")
    login(coordinator)

    confirm = client.get(f"/t/{SLUG}/manage/meetings/{meeting.id}/cancel").get_data(as_text=True)
    response = client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/cancel", follow_redirects=True)

    assert "2 personnes sont attendues" in confirm
    assert "2 personnes ont été prévenues" in response.get_data(as_text=True)
    assert sorted(mail.to for mail in outbox) == ["amelie@example.org", "bruno@example.org"]
    assert outbox[0].subject == "Annulation : Réunion de mars"
    assert "n'aura pas lieu" in outbox[0].body
    assert fresh(Meeting, meeting.id).cancelled_at is not None


def test_manage_list_counts_expected_and_present(client, login, coordinator, territory, make_user):
    meeting = make_meeting(territory, starts_at=soon(), title="Forum à venir", capacity=40)
    register(meeting, make_user())
    login(coordinator)

    page = client.get(f"/t/{SLUG}/manage/meetings/").get_data(as_text=True)

    assert "Forum à venir" in page and "Attendues : 1 / 40" in page


def test_dashboard_links_the_meeting_pages(client, login, coordinator, territory):
    login(coordinator)

    page = client.get(f"/t/{SLUG}/manage/").get_data(as_text=True)

    assert f'href="/t/{SLUG}/manage/meetings/"' in page
    assert f'href="/t/{SLUG}/manage/meetings/participation"' in page


def test_group_meeting_is_edited_without_kind_or_places(client, login, coordinator, territory):
    group = make_group(territory)
    meeting = make_meeting(territory, group, starts_at=dt.datetime(2027, 1, 14, 17, 0))
    login(coordinator)

    form = client.get(f"/t/{SLUG}/manage/meetings/{meeting.id}/edit").get_data(as_text=True)
    fields = {k: v for k, v in form_fields(title="Séance reportée", day="2027-01-21").items()
              if k not in ("kind", "capacity", "group_id")}
    response = client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/edit", data=fields)

    assert 'name="kind"' not in form and 'name="capacity"' not in form
    assert response.status_code == 302
    stored = fresh(Meeting, meeting.id)
    assert (stored.title, stored.kind, stored.starts_at) == ("Séance reportée", MeetingKind.GROUP_MEETING,
                                                             dt.datetime(2027, 1, 21, 17, 30))
