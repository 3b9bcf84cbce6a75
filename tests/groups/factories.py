"""Rows for the working-group tests, created directly with the models (no service involved)."""
from __future__ import annotations

import datetime as dt

from consult.accounts.models import User
from consult.extensions import db
from consult.groups.models import (
    Attendance,
    Meeting,
    MeetingKind,
    Registration,
    Signup,
    SignupStatus,
    WorkingGroup,
)
from consult.territories.models import Territory
from tests.conftest import NOW


def make_group(territory: Territory, **kw) -> WorkingGroup:
    """A recruiting group on the territory's first axis; keyword arguments override any column."""
    values = {
        "title": "Accès aux soins de premier recours",
        "mission": "Préparer la fiche action « Maison de santé pluriprofessionnelle ».",
        "axis": territory.current_contract.axes[0],
        "capacity": 15,
    }
    values.update(kw)
    group = WorkingGroup(territory=territory, **values)
    db.session.add(group)
    db.session.commit()
    return group


def add_member(group: WorkingGroup, user: User, **kw) -> Signup:
    """A sign-up row (a member by default, snapshot of the profile); keeps `member_count` in step."""
    values = {
        "status": SignupStatus.MEMBER,
        "category": user.category,
        "structure": user.structure,
        "commune": user.commune,
        "queued_at": NOW - dt.timedelta(days=60),
        "decided_at": NOW - dt.timedelta(days=60),
    }
    values.update(kw)
    if values["status"] in (SignupStatus.MEMBER, SignupStatus.WITHDRAWN, SignupStatus.REMOVED):
        values.setdefault("member_since", values.get("decided_at") or values["queued_at"])
    signup = Signup(group=group, user=user, **values)
    db.session.add(signup)
    if signup.status == SignupStatus.MEMBER:
        group.member_count += 1
    db.session.commit()
    return signup


def make_meeting(territory: Territory, group: WorkingGroup | None = None, **kw) -> Meeting:
    """A meeting of `group`, or a territory event (a Forum Santé) when no group is given.

    `starts_at` is naive UTC, as stored.
    """
    values = {
        "kind": MeetingKind.GROUP_MEETING if group is not None else MeetingKind.FORUM,
        "title": "Réunion du groupe" if group is not None else "Forum Santé des Confluences",
        "starts_at": NOW + dt.timedelta(days=1),
        "duration_minutes": 120,
        "place": "Salle des fêtes de Saint-Nicolas-de-la-Grave",
        "address": "Place du Château, 82210 Saint-Nicolas-de-la-Grave",
        "accessibility": "Salle de plain-pied, boucle magnétique.",
        "agenda": "1. Tour de table\n2. **Priorités** de l'axe",
    }
    values.update(kw)
    meeting = Meeting(territory=territory, group=group, **values)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def register(meeting: Meeting, user: User, **kw) -> Registration:
    """A registration to an event (not cancelled by default); keeps `registered_count` in step."""
    registration = Registration(meeting=meeting, user=user, **kw)
    db.session.add(registration)
    if registration.cancelled_at is None:
        meeting.registered_count += 1
    db.session.commit()
    return registration


def add_attendance(meeting: Meeting, user: User | None = None, **kw) -> Attendance:
    """Someone who came: an account (category, structure and commune copied from it unless given),
    or a person without one (`name=` required)."""
    values = {}
    if user is not None:
        values = {"category": user.category, "structure": user.structure, "commune": user.commune}
    values.update(kw)
    attendance = Attendance(meeting=meeting, user=user, recorded_at=meeting.ends_at, **values)
    db.session.add(attendance)
    db.session.commit()
    return attendance
