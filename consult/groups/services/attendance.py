"""Attendance: who came to a meeting, with a snapshot of their category, structure and commune."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from consult.accounts.models import Category, User
from consult.errors import Conflict, InvalidInput
from consult.extensions import db
from consult.groups.services.schedule import expected_people, require_coordinator
from consult.groups.models import Attendance, Meeting
from consult.territories.models import Commune


def _check_started(meeting: Meeting, now: dt.datetime) -> None:
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting was cancelled: there is no attendance to record."))
    if meeting.starts_at > now:
        raise Conflict(_("Attendance can be recorded once the meeting has started."))


def attendance_list(meeting: Meeting) -> list[Attendance]:
    """Everyone recorded as present, in the order they were recorded."""
    return list(db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id)
                                   .order_by(Attendance.id).options(joinedload(Attendance.commune))))


def _commune_in_territory(commune_id: int | None, meeting: Meeting) -> int | None:
    commune = db.session.get(Commune, commune_id) if commune_id is not None else None
    return commune.id if commune is not None and commune.territory_id == meeting.territory_id else None


def _add_account(meeting: Meeting, user: User, now: dt.datetime) -> bool:
    """Insert the line once; a twin request loses on the unique constraint and changes nothing."""
    try:
        with db.session.begin_nested():
            db.session.add(Attendance(meeting_id=meeting.id, user_id=user.id, category=user.category,
                                      structure=user.structure or "",
                                      commune_id=_commune_in_territory(user.commune_id, meeting), recorded_at=now))
            db.session.flush()
    except IntegrityError:
        return False
    return True


@dataclass
class AttendanceChange:
    """What a submission of the checkbox list changed."""

    added: int
    removed: int


def record_attendance(actor, meeting: Meeting, present_ids: list[int], *, now: dt.datetime) -> AttendanceChange:
    """Set who came among the expected people: ticked people are added once, unticked ones removed.

    Raises PermissionDenied, Conflict (cancelled or not started), InvalidInput (someone not expected).
    """
    require_coordinator(actor, meeting.territory)
    _check_started(meeting, now)
    expected = {user.id: user for user in expected_people(meeting)}
    unknown = set(present_ids) - set(expected)
    if unknown:
        raise InvalidInput(_("Only people expected at this meeting can be ticked."), field="present")
    already = set(db.session.scalars(select(Attendance.user_id).where(Attendance.meeting_id == meeting.id,
                                                                      Attendance.user_id.is_not(None))))
    added = sum(_add_account(meeting, expected[user_id], now) for user_id in sorted(set(present_ids) - already))
    # Only people on the list can be unticked: someone who has left the group since keeps their line.
    gone = (already & set(expected)) - set(present_ids)
    removed = 0
    if gone:
        removed = db.session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id,
                                                              Attendance.user_id.in_(gone))
                                     .execution_options(synchronize_session=False)).rowcount
    db.session.expire(meeting, ["attendances"])  # the bulk DELETE bypassed the loaded relationship
    db.session.flush()
    return AttendanceChange(added=added, removed=removed)


@dataclass
class GuestData:
    """Someone who came without an account."""

    name: str
    category: Category | None = None
    structure: str = ""
    commune_id: int | None = None


def add_guest(actor, meeting: Meeting, data: GuestData, *, now: dt.datetime) -> Attendance:
    """Record a person without an account. Raises PermissionDenied, Conflict, InvalidInput (name, commune)."""
    require_coordinator(actor, meeting.territory)
    _check_started(meeting, now)
    if not data.name.strip():
        raise InvalidInput(_("Give the person's name."), field="name")
    commune_id = None
    if data.commune_id is not None:
        commune_id = _commune_in_territory(data.commune_id, meeting)
        if commune_id is None:
            raise InvalidInput(_("Choose a commune of the territory."), field="commune_id")
    attendance = Attendance(meeting_id=meeting.id, name=data.name.strip(), category=data.category,
                            structure=data.structure.strip(), commune_id=commune_id, recorded_at=now)
    db.session.add(attendance)
    db.session.flush()
    return attendance


def remove_attendance(actor, attendance: Attendance) -> None:
    """Delete one line of the attendance. Raises PermissionDenied."""
    require_coordinator(actor, attendance.meeting.territory)
    db.session.delete(attendance)
    db.session.flush()
