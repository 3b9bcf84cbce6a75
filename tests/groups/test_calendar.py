"""Calendar files: a meeting's .ics (time zones across daylight saving, online link, cancellation) and the
private per-person feed (only the owner's meetings, reset, revoke, login and CSRF on its buttons)."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from urllib.parse import urlsplit

import icalendar
import pytest
from sqlalchemy import func, select

from consult.accounts.models import Role, User
from consult.accounts.services import hash_password
from consult.extensions import db
from consult.groups.models import CalendarFeed, SignupStatus
from tests.conftest import NOW, PASSWORD
from tests.groups.factories import add_member, make_group, make_meeting, register

SLUG = "terres-des-confluences"
VISIO = "https://visio.example.org/cls-confluences-acces-aux-soins"
UTC = dt.UTC


def ics_path(meeting, slug: str = SLUG) -> str:
    return f"/t/{slug}/meetings/{meeting.id}.ics"


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def logged_in(app, user):
    client = app.test_client()
    assert client.post("/account/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def feed_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CalendarFeed))


FEED_URL = re.compile(r"http://localhost/calendar/[A-Za-z0-9_-]+\.ics")


def feed_urls_on(page: str) -> list[str]:
    return FEED_URL.findall(page)


def feed_path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def group(territory):
    return make_group(territory)


# --------------------------------------------------------------------------- one meeting's .ics


@pytest.mark.parametrize(("paris_start", "utc_start"), [
    # Saturday before the change to summer time on 29 March 2026: Paris is UTC+1.
    (dt.datetime(2026, 3, 28, 18, 0), dt.datetime(2026, 3, 28, 17, 0, tzinfo=UTC)),
    # Monday after it: Paris is UTC+2.
    (dt.datetime(2026, 3, 30, 18, 0), dt.datetime(2026, 3, 30, 16, 0, tzinfo=UTC)),
    # Evening of 25 October 2026, the day winter time comes back: UTC+1 again.
    (dt.datetime(2026, 10, 25, 18, 0), dt.datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
])
def test_meeting_file_gives_paris_local_time_on_both_sides_of_daylight_saving(
        client, territory, group, paris_start, utc_start):
    meeting = make_meeting(territory, group, starts_at=utc_start.replace(tzinfo=None), duration_minutes=90)

    event = only_event(parse(client.get(ics_path(meeting))))

    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTEND"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART").replace(tzinfo=None) == paris_start
    assert event.decoded("DTSTART").astimezone(UTC) == utc_start
    assert event.decoded("DTEND").astimezone(UTC) == utc_start + dt.timedelta(minutes=90)


def test_meeting_file_carries_the_paris_time_zone_with_winter_and_summer_rules(client, territory, group):
    meeting = make_meeting(territory, group, starts_at=dt.datetime(2026, 3, 28, 17, 0))

    calendar = parse(client.get(ics_path(meeting)))

    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Paris"]
    kinds = {component.name for component in zones[0].subcomponents}
    assert kinds == {"STANDARD", "DAYLIGHT"}
    offsets = {(c.name, c.decoded("TZOFFSETTO")) for c in zones[0].subcomponents}
    assert ("DAYLIGHT", dt.timedelta(hours=2)) in offsets
    assert ("STANDARD", dt.timedelta(hours=1)) in offsets


def test_meeting_file_describes_the_meeting(client, territory, group):
    meeting = make_meeting(territory, group, title="Atelier « L'Isle-Jourdain »", sequence=3,
                           accessibility="Accès en fauteuil par la cour.")

    response = client.get(ics_path(meeting))
    calendar = parse(response)
    event = only_event(calendar)

    assert response.headers["Content-Disposition"] == f'attachment; filename="{SLUG}-meeting-{meeting.id}.ics"'
    assert str(calendar["PRODID"]) == "-//Consult//CLS//FR"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == f"meeting-{meeting.id}@localhost"
    assert event.decoded("SEQUENCE") == 3
    assert "DTSTAMP" in event
    assert str(event["SUMMARY"]) == "Atelier « L'Isle-Jourdain » — Accès aux soins de premier recours"
    assert str(event["LOCATION"]) == ("Salle des fêtes de Saint-Nicolas-de-la-Grave, "
                                      "Place du Château, 82210 Saint-Nicolas-de-la-Grave")
    description = str(event["DESCRIPTION"])
    assert "2. **Priorités** de l'axe" in description
    assert "Accès en fauteuil par la cour." in description
    assert str(event["URL"]) in description
    assert str(event["URL"]).startswith("http://localhost/")
    assert str(event["STATUS"]) == "CONFIRMED"


def test_online_link_is_hidden_from_anonymous_visitors(client, territory, group):
    meeting = make_meeting(territory, group, online_url=VISIO)

    event = only_event(parse(client.get(ics_path(meeting))))

    assert VISIO not in event.to_ical().decode()


def test_online_link_is_hidden_from_people_outside_the_group(app, make_user, territory, group):
    meeting = make_meeting(territory, group, online_url=VISIO)
    outsider = make_user(display_name="Habitant de Moissac")

    event = only_event(parse(logged_in(app, outsider).get(ics_path(meeting))))

    assert VISIO not in str(event["DESCRIPTION"])


def test_online_link_is_given_to_members(app, make_user, territory, group):
    meeting = make_meeting(territory, group, online_url=VISIO)
    member = make_user(display_name="Infirmière de Castelsarrasin")
    add_member(group, member)

    event = only_event(parse(logged_in(app, member).get(ics_path(meeting))))

    assert VISIO in str(event["DESCRIPTION"])


def test_online_link_is_given_to_coordinators(app, make_user, territory, group):
    meeting = make_meeting(territory, group, online_url=VISIO)
    coordinator = make_user(role=(territory, Role.COORDINATOR))

    event = only_event(parse(logged_in(app, coordinator).get(ics_path(meeting))))

    assert VISIO in str(event["DESCRIPTION"])


def test_online_only_meeting_is_located_online(client, territory, group):
    meeting = make_meeting(territory, group, place="", address="", online_url=VISIO)

    event = only_event(parse(client.get(ics_path(meeting), headers={"Accept-Language": "en"})))

    assert str(event["LOCATION"]) == "Online"


def test_cancelled_meeting_file_is_marked_cancelled(client, territory, group):
    meeting = make_meeting(territory, group, cancelled_at=NOW, sequence=2)

    event = only_event(parse(client.get(ics_path(meeting))))

    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 2


def test_another_territorys_meeting_is_not_found(client, territory, other_territory):
    elsewhere = make_meeting(other_territory, title="Forum santé de Villefranche-de-Rouergue")

    assert client.get(ics_path(elsewhere)).status_code == 404
    assert client.get(ics_path(elsewhere, "ouest-aveyron")).status_code == 200


def test_unknown_meeting_is_not_found(client, territory):
    assert client.get(f"/t/{SLUG}/meetings/999.ics").status_code == 404


# --------------------------------------------------------------------------- private feed


@pytest.fixture
def owner(make_user):
    return make_user("infirmiere.castelsarrasin@example.org", display_name="Infirmière de Castelsarrasin")


def create_feed(client) -> str:
    """Press the button; the address is shown once on the "my participation" page."""
    response = client.post("/account/calendar")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/participation"
    [url] = feed_urls_on(client.get(response.headers["Location"]).get_data(as_text=True))
    return url


def test_creating_a_feed_stores_only_the_hash_of_its_token(app, owner):
    client = logged_in(app, owner)

    url = create_feed(client)

    token = feed_path(url).removeprefix("/calendar/").removesuffix(".ics")
    assert url == f"http://localhost/calendar/{token}.ics"
    stored = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == owner.id))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert len(token) >= 43


def test_feed_address_is_shown_only_once(app, owner):
    client = logged_in(app, owner)
    create_feed(client)

    page = client.get("/account/participation").get_data(as_text=True)

    assert feed_urls_on(page) == []


def test_participation_page_offers_to_create_a_feed(app, owner):
    client = logged_in(app, owner)

    page = client.get("/account/participation", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "You have no private calendar address." in page
    assert 'action="/account/calendar"' in page
    assert 'action="/account/calendar/revoke"' not in page


def test_participation_page_tells_when_the_feed_was_created(app, owner):
    client = logged_in(app, owner)
    db.session.add(CalendarFeed(user_id=owner.id, token_hash="0" * 64, created_at=dt.datetime(2026, 11, 2, 9, 0)))
    db.session.commit()

    page = client.get("/account/participation", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "You have a private calendar address, created on November 2, 2026." in page
    assert "Replace my calendar address" in page
    assert 'action="/account/calendar/revoke"' in page
    assert feed_urls_on(page) == []


def test_feed_lists_only_the_owners_meetings(app, make_user, territory, other_territory, group, owner):
    other_group = make_group(territory, title="Santé mentale des jeunes")
    left_group = make_group(territory, title="Mobilité et accès aux droits")
    add_member(group, owner)
    add_member(left_group, owner, status=SignupStatus.WITHDRAWN, left_at=NOW - dt.timedelta(days=3))
    neighbour = make_user(display_name="Médecin de Valence d'Agen")
    add_member(other_group, neighbour)
    forum = make_meeting(territory, title="Forum Santé", starts_at=NOW + dt.timedelta(days=20))
    register(forum, owner)
    dropped = make_meeting(territory, title="Plénière", starts_at=NOW + dt.timedelta(days=25))
    register(dropped, owner, cancelled_at=NOW)
    ours = make_meeting(territory, group, title="Deuxième réunion", online_url=VISIO)
    called_off = make_meeting(territory, group, title="Réunion annulée", cancelled_at=NOW)
    recent = make_meeting(territory, group, title="Première réunion", starts_at=NOW - dt.timedelta(days=10))
    make_meeting(territory, group, title="Réunion de lancement", starts_at=NOW - dt.timedelta(days=45))
    make_meeting(territory, other_group, title="Réunion d'un autre groupe")
    make_meeting(territory, left_group, title="Réunion d'un groupe quitté")
    make_meeting(other_territory, title="Forum de l'Aveyron")
    client = logged_in(app, owner)
    url = create_feed(client)

    response = app.test_client().get(feed_path(url))
    calendar = parse(response)

    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert uids == {f"meeting-{m.id}@localhost" for m in (forum, ours, called_off, recent)}
    assert str(calendar["X-WR-CALNAME"]) == "Consult : mes réunions"
    assert response.headers["Cache-Control"] == "private, no-cache"
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert VISIO in str(events[f"meeting-{ours.id}@localhost"]["DESCRIPTION"])
    assert str(events[f"meeting-{called_off.id}@localhost"]["STATUS"]) == "CANCELLED"
    assert all(event["DTSTART"].params["TZID"] == "Europe/Paris" for event in events.values())


def test_feed_never_logs_its_token(app, owner, caplog):
    client = logged_in(app, owner)
    url = create_feed(client)

    with caplog.at_level(logging.DEBUG):
        assert app.test_client().get(feed_path(url)).status_code == 200

    token = feed_path(url).removeprefix("/calendar/").removesuffix(".ics")
    assert token not in caplog.text


def test_unknown_feed_token_is_not_found(client, owner):
    assert client.get("/calendar/pas-un-vrai-jeton.ics").status_code == 404


def test_resetting_the_feed_makes_the_old_address_not_found(app, owner):
    client = logged_in(app, owner)
    old = create_feed(client)

    new = create_feed(client)

    assert new != old
    assert app.test_client().get(feed_path(old)).status_code == 404
    assert app.test_client().get(feed_path(new)).status_code == 200
    assert feed_count() == 1


def test_revoking_the_feed_makes_its_address_not_found(app, owner):
    client = logged_in(app, owner)
    url = create_feed(client)

    response = client.post("/account/calendar/revoke")

    assert response.status_code == 302
    assert app.test_client().get(feed_path(url)).status_code == 404
    assert feed_count() == 0


def test_disabled_account_feed_is_not_found(app, owner):
    url = create_feed(logged_in(app, owner))
    owner.is_disabled = True
    db.session.commit()

    assert app.test_client().get(feed_path(url)).status_code == 404


@pytest.mark.parametrize("path", ["/account/calendar", "/account/calendar/revoke"])
def test_feed_buttons_need_a_login(client, owner, path):
    response = client.post(path)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"
    assert feed_count() == 0


def logged_in_with_csrf(app):
    """A client of the CSRF-protected app, logged in (with the token) as a new participant."""
    user = User(email="sans.jeton@example.org", display_name="Habitante de Moissac",
                password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW)
    db.session.add(user)
    db.session.commit()
    client = app.test_client()
    login_page = client.get("/account/login").get_data(as_text=True)
    csrf = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/account/login", data={"email": user.email, "password": PASSWORD,
                                               "csrf_token": csrf}).status_code == 302
    return client, user


def test_creating_a_feed_needs_the_csrf_token(csrf_app):
    client, _user = logged_in_with_csrf(csrf_app)

    response = client.post("/account/calendar")

    assert response.status_code == 400
    assert feed_count() == 0


def test_revoking_a_feed_needs_the_csrf_token(csrf_app):
    client, user = logged_in_with_csrf(csrf_app)
    db.session.add(CalendarFeed(user_id=user.id, token_hash="0" * 64, created_at=NOW))
    db.session.commit()

    response = client.post("/account/calendar/revoke")

    assert response.status_code == 400
    assert feed_count() == 1
