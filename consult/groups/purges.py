"""What working groups keep for a stated period: the names and structures of attendees without an account."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select, update

from consult.core.retention import cutoff, purge
from consult.extensions import db
from consult.groups.models import Attendance, Meeting


@purge("attendance_names", "ATTENDANCE_RETENTION_MONTHS", "months")
def forget_attendee_names(now: dt.datetime) -> int:
    """Blank the name and structure of attendees without an account of meetings held longer ago than the period;
    the attendance rows stay (with category and commune), so every count stays the same."""
    limit = cutoff(now, int(current_app.config["ATTENDANCE_RETENTION_MONTHS"]), "months")
    past = select(Meeting.id).where(Meeting.starts_at <= limit)
    result = db.session.execute(update(Attendance).where(
        Attendance.user_id.is_(None), Attendance.meeting_id.in_(past),
        (Attendance.name != Attendance.FORGOTTEN) | (Attendance.structure != ""),
    ).values(name=Attendance.FORGOTTEN, structure=""))
    return result.rowcount or 0
