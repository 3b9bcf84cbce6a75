"""A person's own participation in groups and meetings, for their "my participation" page."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.extensions import db
from consult.groups.services.calendar import meetings_for
from consult.groups.models import Attendance, Meeting, Signup, SignupStatus, WorkingGroup
from consult.groups.services.groups import signups_with_positions


@dataclass(frozen=True)
class GroupParticipation:
    """The person's groups (with waitlist positions), coming meetings and the meetings they attended."""

    signups: list[tuple[Signup, int | None]]
    upcoming: list[Meeting]
    attended: list[Meeting]
    former: list[Signup]


def participation_of(user, *, now: dt.datetime) -> GroupParticipation:
    upcoming = [m for m in meetings_for(user, since=now - dt.timedelta(hours=3))
                if m.cancelled_at is None and not m.is_past(now)]
    attended = list(db.session.scalars(
        select(Meeting).join(Attendance).where(Attendance.user_id == user.id).order_by(Meeting.starts_at.desc())
        .options(joinedload(Meeting.territory))))
    former = list(db.session.scalars(select(Signup).where(
        Signup.user_id == user.id,
        Signup.status.in_([SignupStatus.WITHDRAWN, SignupStatus.REMOVED, SignupStatus.DECLINED]))
        .order_by(Signup.updated_at.desc())
        .options(joinedload(Signup.group).joinedload(WorkingGroup.territory))))
    return GroupParticipation(
        signups=signups_with_positions(user),
        upcoming=upcoming, attended=attended, former=former)
