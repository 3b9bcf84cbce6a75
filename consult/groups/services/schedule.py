"""Scheduling meetings of a group and territory-wide events: Paris-time entry, changes, cancellation, listings."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import User
from consult.core.time import PARIS, utc_to_paris  # noqa: F401  (schedule.utc_to_paris fills the form back in)
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.groups.models import (
    Attendance,
    Idea,
    Meeting,
    MeetingKind,
    Registration,
    Signup,
    SignupStatus,
    WorkingGroup,
)
from consult.groups.permissions import can_manage_groups
from consult.territories.models import Territory

MAX_DURATION_MINUTES = 12 * 60
EVENT_KINDS = (MeetingKind.FORUM, MeetingKind.PLENARY, MeetingKind.WORKSHOP, MeetingKind.PUBLIC_MEETING)


def require_coordinator(actor, territory: Territory) -> None:
    """Raise PermissionDenied unless `actor` runs the territory's groups and meetings."""
    if not can_manage_groups(actor, territory):
        raise PermissionDenied(_("You are not allowed to do this."))


def paris_to_utc(day: dt.date, time: dt.time) -> dt.datetime:
    """A wall-clock date and time in Paris as naive UTC. Raises InvalidInput for a time that does not exist.

    On the last Sunday of March the clocks jump from 02:00 to 03:00: 02:30 never happens, and we refuse
    it rather than guess. On the last Sunday of October 02:00–03:00 happens twice: we take the first
    occurrence (summer time, UTC+2), which is what people mean when they announce "2 h 30".
    """
    local = dt.datetime.combine(day, time.replace(second=0, microsecond=0, tzinfo=None)).replace(tzinfo=PARIS, fold=0)
    utc = local.astimezone(dt.UTC)
    if utc.astimezone(PARIS).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise InvalidInput(_("%(time)s does not exist on %(date)s in Paris: the clocks go forward an hour that "
                             "night. Choose another time.", time=time.strftime("%H:%M"), date=day.strftime("%d/%m/%Y")),
                           field="start_time")
    return utc.replace(tzinfo=None)


@dataclass
class MeetingData:
    """What a coordinator enters for a meeting or an event; date and time are Paris wall-clock time."""

    title: str
    day: dt.date
    start_time: dt.time
    duration_minutes: int = 120
    kind: MeetingKind = MeetingKind.FORUM  # events only: a group's meeting is always a group_meeting
    place: str = ""
    address: str = ""
    accessibility: str = ""
    online_url: str = ""
    agenda: str = ""
    capacity: int | None = None


def _check_url(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(_("Give a web address starting with https:// or http://."), field="online_url")
    return url


def _apply(meeting: Meeting, data: MeetingData) -> None:
    if not data.title.strip():
        raise InvalidInput(_("Give the meeting a title."), field="title")
    if not 0 < data.duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInput(_("The duration must be between 1 minute and 12 hours."), field="duration_minutes")
    if not (data.place.strip() or data.online_url.strip()):
        raise InvalidInput(_("Give a place or an online link."), field="place")
    if meeting.group_id is None and meeting.group is None:
        if data.kind not in EVENT_KINDS:
            raise InvalidInput(_("Choose the kind of event."), field="kind")
        if data.capacity is not None and data.capacity < 1:
            raise InvalidInput(_("The capacity must be at least 1, or left empty."), field="capacity")
        if data.capacity is not None and data.capacity < (meeting.registered_count or 0):
            raise InvalidInput(_("%(count)d people are already registered: the capacity cannot be lower.",
                                 count=meeting.registered_count), field="capacity")
        meeting.kind, meeting.capacity = data.kind, data.capacity
    meeting.starts_at = paris_to_utc(data.day, data.start_time)
    meeting.online_url = _check_url(data.online_url)
    meeting.title, meeting.duration_minutes = data.title.strip(), data.duration_minutes
    meeting.place, meeting.address = data.place.strip(), data.address.strip()
    meeting.accessibility, meeting.agenda = data.accessibility.strip(), data.agenda.strip()


def create_meeting(actor, territory: Territory, data: MeetingData, *, group: WorkingGroup | None = None,
                   now: dt.datetime) -> Meeting:
    """A meeting of `group` (kind group_meeting, no registration) or, without a group, a territory event.

    Raises PermissionDenied (also for another territory's group), InvalidInput (with the field at fault).
    """
    require_coordinator(actor, territory)
    if group is not None and group.territory_id != territory.id:
        raise PermissionDenied(_("You are not allowed to do this."))
    meeting = Meeting(territory=territory, group=group, registered_count=0, sequence=0,
                      kind=MeetingKind.GROUP_MEETING if group is not None else data.kind)
    _apply(meeting, data)
    meeting.created_at = meeting.updated_at = now
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(actor, meeting: Meeting, data: MeetingData, *, now: dt.datetime) -> None:
    """Change a meeting; bumps its calendar sequence. Raises PermissionDenied, Conflict (cancelled), InvalidInput."""
    require_coordinator(actor, meeting.territory)
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting is cancelled: it can no longer be changed."))
    _apply(meeting, data)
    meeting.sequence += 1
    meeting.updated_at = now
    db.session.flush()


def expected_people(meeting: Meeting) -> list[User]:
    """Members of the meeting's group, or people registered to the event (not cancelled), by name."""
    if meeting.group_id is not None:
        query = select(User).join(Signup, Signup.user_id == User.id).where(
            Signup.group_id == meeting.group_id, Signup.status == SignupStatus.MEMBER)
    else:
        query = select(User).join(Registration, Registration.user_id == User.id).where(
            Registration.meeting_id == meeting.id, Registration.cancelled_at.is_(None))
    return list(db.session.scalars(query.order_by(User.display_name, User.id).options(joinedload(User.commune))))


def cancel_meeting(actor, meeting: Meeting, *, now: dt.datetime) -> list[User]:
    """Cancel a meeting that has not taken place; returns the people to notify.

    Raises PermissionDenied, Conflict (already cancelled, or already over).
    """
    require_coordinator(actor, meeting.territory)
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting is already cancelled."))
    if meeting.is_past(now):
        raise Conflict(_("This meeting has already taken place: it cannot be cancelled."))
    meeting.cancelled_at = now
    meeting.sequence += 1
    meeting.updated_at = now
    db.session.flush()
    return expected_people(meeting)


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def meeting_page():
    """Loader options for a meeting's pages: its group with the group's axis, its ideas with theirs
    (their templates must not query)."""
    return (joinedload(Meeting.group).joinedload(WorkingGroup.axis),
            selectinload(Meeting.ideas).options(joinedload(Idea.axis), joinedload(Idea.objective)))


def territory_groups(territory: Territory) -> list[WorkingGroup]:
    """The territory's working groups, for the group select of the meeting form."""
    return list(db.session.scalars(select(WorkingGroup).where(WorkingGroup.territory_id == territory.id)
                                   .order_by(WorkingGroup.title)))


@dataclass
class Agenda:
    """What the public agenda shows."""

    upcoming: list[Meeting]
    past_with_minutes: list[Meeting]


def agenda(territory: Territory, *, now: dt.datetime) -> Agenda:
    """Meetings and events not over yet (cancelled ones stay listed, marked), and past ones with published minutes."""
    # No meeting lasts more than MAX_DURATION_MINUTES: a bounded window, then the exact test in Python.
    horizon = now - dt.timedelta(minutes=MAX_DURATION_MINUTES)
    upcoming = [m for m in db.session.scalars(
        select(Meeting).where(Meeting.territory_id == territory.id, Meeting.starts_at > horizon)
        .order_by(Meeting.starts_at, Meeting.id).options(joinedload(Meeting.group))) if not m.is_past(now)]
    published = [m for m in db.session.scalars(
        select(Meeting).where(Meeting.territory_id == territory.id, Meeting.minutes_published_at.is_not(None),
                              Meeting.cancelled_at.is_(None))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).options(joinedload(Meeting.group))) if m.is_past(now)]
    return Agenda(upcoming=upcoming, past_with_minutes=published)


@dataclass
class ManageListing:
    """Meetings for the coordinator: upcoming and past, with who is expected and who came."""

    upcoming: list[Meeting]
    past: list[Meeting]
    expected: dict[int, int]
    attended: dict[int, int]


def manage_listing(territory: Territory, *, now: dt.datetime) -> ManageListing:
    """Every meeting of the territory split at `now`, with counts of expected people and attendance."""
    meetings = list(db.session.scalars(select(Meeting).where(Meeting.territory_id == territory.id)
                                       .order_by(Meeting.starts_at, Meeting.id).options(joinedload(Meeting.group))))
    attended = dict(db.session.execute(
        select(Attendance.meeting_id, func.count(Attendance.id)).join(Meeting)
        .where(Meeting.territory_id == territory.id).group_by(Attendance.meeting_id)).all())
    members = dict(db.session.execute(
        select(Signup.group_id, func.count(Signup.id)).join(WorkingGroup)
        .where(WorkingGroup.territory_id == territory.id, Signup.status == SignupStatus.MEMBER)
        .group_by(Signup.group_id)).all())
    expected = {m.id: members.get(m.group_id, 0) if m.group_id is not None else m.registered_count for m in meetings}
    return ManageListing(upcoming=[m for m in meetings if not m.is_past(now)],
                         past=[m for m in reversed(meetings) if m.is_past(now)],
                         expected=expected, attended={m.id: attended.get(m.id, 0) for m in meetings})
