"""Coordinators' files: a group's roster, a meeting's attendance and the territory's attendance, as CSV,
XLSX or ODS.

Two steps, as for surveys: loaders read the rows needed from the database; pure builders yield a
header row then data rows; the shared writers (`consult.exports.writers`) serialise them and
neutralise every cell that a spreadsheet would run as a formula.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.core.text import fold
from consult.core.time import paris_date
from consult.exports import writers
from consult.exports.writers import Row
from consult.extensions import db
from consult.groups.models import Attendance, Meeting, Signup, SignupStatus, WorkingGroup
from consult.territories.models import Territory

FORMATS = ("csv", "xlsx", "ods")
# Roster order: who holds a seat, who waits for an answer, who waits for a seat, then the others.
_STATUS_ORDER = [SignupStatus.MEMBER, SignupStatus.PENDING, SignupStatus.WAITLISTED, SignupStatus.DECLINED,
                 SignupStatus.WITHDRAWN, SignupStatus.REMOVED]


def name_key(name: str) -> str:
    """Sort names as a reader expects: « Élue » between « Dupont » and « Fabre »."""
    return fold(name)


def _label(value) -> str | None:
    return str(value.label) if value is not None else None


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


# --------------------------------------------------------------------------- loaders (database)


def roster_signups(group: WorkingGroup) -> list[tuple[Signup, int | None]]:
    """The group's sign-ups in roster order, each with its waitlist position (None when not waiting)."""
    signups = list(db.session.scalars(
        select(Signup).where(Signup.group_id == group.id)
        .options(selectinload(Signup.user), selectinload(Signup.commune))
        .order_by(Signup.queued_at, Signup.id)
    ))
    waiting = [s for s in signups if s.status == SignupStatus.WAITLISTED]
    position = {s.id: index for index, s in enumerate(waiting, start=1)}
    signups.sort(key=lambda s: (_STATUS_ORDER.index(s.status), position.get(s.id, 0), name_key(s.user.display_name)))
    return [(s, position.get(s.id)) for s in signups]


def meeting_attendances(meeting: Meeting) -> list[Attendance]:
    """Who came to the meeting, by name."""
    attendances = list(db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id)
        .options(selectinload(Attendance.user), selectinload(Attendance.commune))
    ))
    return sorted(attendances, key=lambda a: name_key(a.display_name))


def territory_attendances(territory: Territory) -> list[Attendance]:
    """Every attendance at the territory's meetings and events that were not cancelled, by date."""
    return list(db.session.scalars(
        select(Attendance).join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(Meeting.territory_id == territory.id, Meeting.cancelled_at.is_(None))
        .options(selectinload(Attendance.user), selectinload(Attendance.commune),
                 selectinload(Attendance.meeting).selectinload(Meeting.group))
        .order_by(Meeting.starts_at, Meeting.id, Attendance.id)
    ))


# --------------------------------------------------------------------------- builders (pure)


def _status(signup: Signup, position: int | None) -> str:
    if position is not None:
        return _("On the waitlist (position %(position)d)", position=position)
    return str(signup.status.label)


def _availability(signup: Signup) -> str:
    labels = {"morning": _("morning"), "afternoon": _("afternoon"), "evening": _("evening")}
    return ", ".join(labels[name] for name in signup.availability)


def roster_rows(entries: Iterable[tuple[Signup, int | None]]) -> Iterator[Row]:
    """A group's roster, one row per sign-up, with contact details (coordinators only)."""
    yield [_("Name"), _("Email"), _("Category"), _("Structure"), _("Commune"), _("Status"), _("Availability"),
           _("Motivation"), _("Signed up on"), _("Shown to other members")]
    for signup, position in entries:
        email = None if signup.user.is_erased else signup.user.email
        yield [signup.user.public_name, email, _label(signup.category), signup.structure or None,
               signup.commune.name if signup.commune is not None else None, _status(signup, position),
               _availability(signup) or None, signup.motivation or None, paris_date(signup.queued_at),
               _yes_no(signup.shown_to_members)]


def _person_cells(attendance: Attendance) -> Row:
    return [_label(attendance.category), attendance.structure or None,
            attendance.commune.name if attendance.commune is not None else None]


def meeting_attendance_rows(attendances: Iterable[Attendance]) -> Iterator[Row]:
    """Who came to one meeting; category, structure and commune as recorded when marked."""
    yield [_("Name"), _("Account"), _("Category"), _("Structure"), _("Commune")]
    for attendance in attendances:
        yield [attendance.display_name, _yes_no(attendance.user_id is not None), *_person_cells(attendance)]


def territory_attendance_rows(attendances: Iterable[Attendance]) -> Iterator[Row]:
    """One row per attendance at the territory's meetings and events."""
    yield [_("Date"), _("Meeting"), _("Working group"), _("Name"), _("Category"), _("Structure"), _("Commune")]
    for attendance in attendances:
        meeting = attendance.meeting
        yield [paris_date(meeting.starts_at), meeting.title, meeting.group.title if meeting.group else None,
               attendance.display_name, *_person_cells(attendance)]


# --------------------------------------------------------------------------- files


def write(rows: Iterable[Row], fmt: str, *, sheet: str) -> str | IO[bytes]:
    """CSV text, or an XLSX / ODS file (rewound, to be sent and closed by the caller)."""
    if fmt == "csv":
        return "".join(writers.csv_chunks(rows))
    return writers.write_spreadsheet([(sheet, rows)], fmt)
