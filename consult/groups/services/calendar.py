"""Calendar files: an iCalendar (.ics) file per meeting, and each person's private feed of their meetings.

Times are stored as naive UTC; the files carry them as Europe/Paris local times with a TZID and the
matching VTIMEZONE, so that calendars show the right hour on both sides of a daylight-saving change.
A feed is reached by a secret token of which only the SHA-256 is stored: a new token replaces (and so
revokes) the previous one, and a lost token can only be replaced, never shown again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from consult.accounts.models import User
from consult.core.models import utcnow
from consult.core.time import paris_time
from consult.extensions import db
from consult.groups.models import CalendarFeed, Meeting, Registration, Signup, SignupStatus

if TYPE_CHECKING:
    from icalendar import Calendar, Event, Timezone

PRODID = "-//Consult//CLS//FR"
FEED_HISTORY_DAYS = 30  # a feed keeps the last month's meetings, so minutes and past dates stay in view


def meeting_uid(meeting: Meeting) -> str:
    """The event's UID: stable for the meeting's life, so that updates and cancellations replace it."""
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "consult"
    return f"meeting-{meeting.id}@{host}"


def meeting_location(meeting: Meeting) -> str:
    """Place and address, or "Online" for a meeting held only by video call."""
    location = ", ".join(part for part in (meeting.place, meeting.address) if part)
    if not location and meeting.online_url:
        return _("Online")
    return location


def meeting_description(meeting: Meeting, *, include_online_link: bool, url: str) -> str:
    """The agenda (its Markdown source, readable as plain text), accessibility, links."""
    parts = []
    if meeting.cancelled_at is not None:
        parts.append(_("This meeting is cancelled."))
    if meeting.agenda.strip():
        parts.append(_("Agenda:") + "\n" + meeting.agenda.strip())
    if meeting.accessibility.strip():
        parts.append(_("Accessibility: %(text)s", text=meeting.accessibility.strip()))
    if include_online_link and meeting.online_url:
        parts.append(_("Online link: %(url)s", url=meeting.online_url))
    parts.append(_("Details: %(url)s", url=url))
    return "\n\n".join(parts).replace("\r\n", "\n")


def meeting_summary_line(meeting: Meeting) -> str:
    """The event's title: the meeting's title, with its group's title when it has one."""
    if meeting.group is not None:
        return f"{meeting.title} — {meeting.group.title}"
    return meeting.title


def _event(meeting: Meeting, *, include_online_link: bool, url: str, stamp: dt.datetime) -> Event:
    # icalendar is imported where a file is written (here and below): ~3 MB and ~35 ms that other pages need not pay.
    from icalendar import Event

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp.replace(tzinfo=dt.UTC))
    event.add("last-modified", meeting.updated_at.replace(tzinfo=dt.UTC))
    event.add("dtstart", paris_time(meeting.starts_at))
    event.add("dtend", paris_time(meeting.ends_at))
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting_summary_line(meeting))
    location = meeting_location(meeting)
    if location:
        event.add("location", location)
    event.add("description", meeting_description(meeting, include_online_link=include_online_link, url=url))
    event.add("url", url)
    event.add("status", "CANCELLED" if meeting.cancelled_at is not None else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if meeting.cancelled_at is not None else "OPAQUE")
    return event


def _calendar(meetings: list[Meeting], events: Iterable[Event], *, name: str | None = None) -> Calendar:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name is not None:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Paris")
        calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", dt.timedelta(hours=1))
    calendar.add_component(_paris_timezone(meetings))
    for event in events:
        calendar.add_component(event)
    return calendar


def _paris_timezone(meetings: list[Meeting]) -> Timezone:
    """Europe/Paris over whole years around the meetings: both the winter and the summer rules appear."""
    from icalendar import Timezone

    years = [m.starts_at.year for m in meetings] or [utcnow().year]
    return Timezone.from_tzid("Europe/Paris", first_date=dt.date(min(years) - 1, 1, 1),
                              last_date=dt.date(max(years) + 1, 12, 31))


def meeting_ics(meeting: Meeting, *, include_online_link: bool, url: str) -> bytes:
    """The invitation to one meeting as an iCalendar file (METHOD:PUBLISH, cancelled when it is)."""
    event = _event(meeting, include_online_link=include_online_link, url=url, stamp=utcnow())
    return _calendar([meeting], [event]).to_ical()


# --------------------------------------------------------------------------- private feeds

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    """The person's calendar address record (created date only: the token itself is not kept)."""
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def create_feed(user: User, *, now: dt.datetime) -> str:
    """Give the person a new secret feed token and return it; any previous address stops working.

    Raises nothing; the caller commits and must show the token now, as only its hash is stored.
    """
    token = secrets.token_urlsafe(32)
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = _digest(token)
    feed.created_at = now
    db.session.flush()
    return token


def revoke_feed(user: User) -> bool:
    """Delete the person's feed address; returns whether there was one. Raises nothing."""
    feed = feed_of(user)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True


def user_for_token(token: str) -> User | None:
    """The active account whose feed token this is, or None (unknown, revoked or disabled account).

    Looked up by the token's hash, so the database never compares the secret itself.
    """
    if not token or len(token) > 128:
        return None
    digest = _digest(token)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == digest))
    if feed is None or not hmac.compare_digest(feed.token_hash, digest) or not feed.user.is_active:
        return None
    return feed.user


def meetings_for(user: User, *, since: dt.datetime) -> list[Meeting]:
    """Meetings starting at or after `since` (naive UTC) of the groups the person is a member of, and
    the events they registered to and did not cancel; cancelled meetings are kept so that
    subscribed calendars show them cancelled."""
    groups = select(Signup.group_id).where(Signup.user_id == user.id, Signup.status == SignupStatus.MEMBER)
    events = select(Registration.meeting_id).where(Registration.user_id == user.id,
                                                   Registration.cancelled_at.is_(None))
    return list(db.session.scalars(
        select(Meeting)
        .where(Meeting.starts_at >= since,
               or_(Meeting.group_id.in_(groups), Meeting.id.in_(events)))
        .order_by(Meeting.starts_at, Meeting.id)
        .options(joinedload(Meeting.territory))
    ))


def feed_ics(user: User, meetings: list[Meeting], *, url_for_meeting: Callable[[Meeting], str]) -> bytes:
    """The person's calendar: every meeting given, online links included (the feed is theirs alone)."""
    stamp = utcnow()
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        events = [_event(m, include_online_link=True, url=url_for_meeting(m), stamp=stamp) for m in meetings]
        name = _("%(site)s: my meetings", site=current_app.config["SITE_NAME"])
        return _calendar(meetings, events, name=name).to_ical()
