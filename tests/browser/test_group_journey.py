"""A resident finds a working group for an axis, signs up, is waitlisted, is promoted when a member leaves,
and downloads the invitation to the group's next meeting — in Chromium at phone size, axe on every page.

Selectors are ids, names and hrefs, not wording (the catalogue may change).
"""
from __future__ import annotations

import datetime as dt

from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.accounts.models import Category, User
from consult.accounts.services import hash_password
from consult.core.mail import outbox
from consult.core.models import utcnow
from consult.extensions import db
from consult.groups import services
from consult.groups.services import signups
from consult.groups.models import Meeting, MeetingKind, Signup, SignupStatus
from consult.territories.models import Commune, territory_by_slug
from tests.browser.helpers import checked_page, follow, signed_in

SLUG = "terres-des-confluences"
PHONE = {"width": 375, "height": 812}
PASSWORD = "un mot de passe assez long"


def _person(email: str, name: str) -> User:
    user = User(email=email, display_name=name, password_hash=hash_password(PASSWORD),
                privacy_consent_at=utcnow(), email_confirmed_at=utcnow(), category=Category.RESIDENT,
                commune=db.session.scalar(select(Commune).where(Commune.insee_code == "82169")))
    db.session.add(user)
    return user


def prepare(live_server) -> tuple[int, int, int]:
    """A two-seat group on the third axis, both seats taken, and its next meeting."""
    with live_server.app.app_context():
        territory = territory_by_slug(SLUG)
        axis = services.current_axes(territory)[2]
        coordinator = db.session.scalar(select(User).where(User.email == "coordination.confluences@example.org"))
        group = services.create_group(coordinator, territory, services.GroupData(
            title="Prévenir l'isolement des aînés à Saint-Nicolas-de-la-Grave", axis_id=axis.id, capacity=2))
        first = _person("bernadette@example.org", "Bernadette Cazals")
        second = _person("joel@example.org", "Joël Maury")
        _person("lucie@example.org", "Lucie L'Hospital")
        db.session.flush()
        for member in (first, second):
            signups.sign_up(member, group, signups.SignupData(), now=utcnow())
        meeting = Meeting(territory=territory, group=group, kind=MeetingKind.GROUP_MEETING,
                          title="Première réunion du groupe", starts_at=utcnow() + dt.timedelta(days=9),
                          duration_minutes=90, place="Mairie de Saint-Nicolas-de-la-Grave",
                          accessibility="Rez-de-chaussée accessible en fauteuil.")
        db.session.add(meeting)
        db.session.commit()
        ids = group.id, meeting.id, axis.id
        db.session.remove()
    return ids


def status_of(live_server, email: str, group_id: int) -> SignupStatus:
    with live_server.app.app_context():
        signup = db.session.scalar(select(Signup).join(User).where(User.email == email, Signup.group_id == group_id))
        status = signup.status
        db.session.remove()
    return status


def test_resident_is_waitlisted_then_promoted_and_downloads_the_invitation(page: Page, browser, live_server,
                                                                           axe_check):
    group_id, meeting_id, axis_id = prepare(live_server)
    page.set_viewport_size(PHONE)
    signed_in(page, live_server, "lucie@example.org", PASSWORD)

    # Find the group under its axis from the territory's navigation.
    page.goto(live_server(f"/t/{SLUG}/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'.territory-bar a[href="/t/{SLUG}/groups/"]'))
    checked_page(page, axe_check)
    section = page.locator(f'section:has(h2#axis-{axis_id})')
    follow(page, section.locator(f'a[href="/t/{SLUG}/groups/{group_id}"]'))
    checked_page(page, axe_check)

    # Sign up: the group is full, so the form says so and the result is a place on the waitlist.
    follow(page, page.locator(f'a[href="/t/{SLUG}/groups/{group_id}/join"]'))
    checked_page(page, axe_check)
    page.fill("#motivation", "Je rends visite à des voisins âgés et isolés.")
    page.check("#afternoon")
    page.check("#shown_to_members")
    follow(page, page.locator("main form button[type=submit]"))
    checked_page(page, axe_check)
    assert status_of(live_server, "lucie@example.org", group_id) == SignupStatus.WAITLISTED
    expect(page.locator(".group-side")).to_contain_text("1")
    expect(page.locator(f'form[action="/t/{SLUG}/groups/{group_id}/withdraw"]')).to_be_visible()

    # A member leaves, in their own browser.
    other = browser.new_context(locale="fr-FR")
    member_page = other.new_page()
    signed_in(member_page, live_server, "joel@example.org", PASSWORD)
    member_page.goto(live_server(f"/t/{SLUG}/groups/{group_id}"))
    checked_page(member_page, axe_check)
    follow(member_page, member_page.locator(f'form[action="/t/{SLUG}/groups/{group_id}/withdraw"] button'))
    checked_page(member_page, axe_check)
    other.close()

    # Lucie got the seat and an email saying so; her page shows the members she may see.
    assert status_of(live_server, "lucie@example.org", group_id) == SignupStatus.MEMBER
    with live_server.app.app_context():
        assert any(mail.to == "lucie@example.org" and "Prévenir l'isolement" in mail.subject for mail in outbox())
    page.goto(live_server("/account/participation"))
    checked_page(page, axe_check)
    expect(page.locator(f'a[href="/t/{SLUG}/groups/{group_id}"]')).to_be_visible()
    follow(page, page.locator(f'main a[href="/t/{SLUG}/meetings/{meeting_id}"]').first)
    checked_page(page, axe_check)

    # The invitation downloads and parses, in Paris time.
    with page.expect_download() as download_info:
        page.locator(f'a[href="/t/{SLUG}/meetings/{meeting_id}.ics"]').first.click()
    with open(download_info.value.path(), "rb") as handle:
        calendar = Calendar.from_ical(handle.read())
    event = next(component for component in calendar.walk("VEVENT"))
    assert str(event["SUMMARY"]).startswith("Première réunion du groupe")
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
