"""What working groups and meetings hold about a person (their "My data" download), and what an erased account
lets go of: seats in groups (the waitlist moves up), registrations to events still to come, the calendar address."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from consult.accounts.erasure import lets_go_of
from consult.accounts.models import User
from consult.accounts.rights import Row, counted, holds_personal_data
from consult.extensions import db
from consult.groups import mails
from consult.groups.models import Attendance, CalendarFeed, Meeting, Registration, Signup, WorkingGroup
from consult.groups.services.calendar import feed_of, revoke_feed
from consult.groups.services.registrations import cancel_registration
from consult.groups.services.signups import withdraw


def _signups(user: User) -> list[Signup]:
    return list(db.session.scalars(select(Signup).where(Signup.user_id == user.id).order_by(Signup.id).options(
        joinedload(Signup.group).joinedload(WorkingGroup.territory), joinedload(Signup.commune))))


def _of(model, user: User) -> Select:
    return select(model.id).where(model.user_id == user.id)


@holds_personal_data("group_signups", _l("Your sign-ups to working groups"), (
    "group", "territory", "status", "signed_up_at", "member_since", "left_at", "motivation", "morning", "afternoon",
    "evening", "shown_to_members", "category", "structure", "commune", "decision_message"),
    count=lambda user: counted(_of(Signup, user)))
def _group_signups(user: User) -> list[Row]:
    return [{
        "group": signup.group.title, "territory": signup.group.territory.name, "status": signup.status,
        "signed_up_at": signup.queued_at, "member_since": signup.member_since, "left_at": signup.left_at,
        "motivation": signup.motivation, "morning": signup.morning, "afternoon": signup.afternoon,
        "evening": signup.evening, "shown_to_members": signup.shown_to_members, "category": signup.category,
        "structure": signup.structure, "commune": signup.commune.name if signup.commune else None,
        "decision_message": signup.decision_message,
    } for signup in _signups(user)]


@holds_personal_data("meeting_registrations", _l("Your registrations to events"),
                     ("meeting", "starts_at", "registered_at", "cancelled_at"),
                     count=lambda user: counted(_of(Registration, user)))
def _registrations(user: User) -> list[Row]:
    registrations = db.session.scalars(select(Registration).where(Registration.user_id == user.id)
                                       .order_by(Registration.id).options(joinedload(Registration.meeting)))
    return [{"meeting": registration.meeting.title, "starts_at": registration.meeting.starts_at,
             "registered_at": registration.created_at, "cancelled_at": registration.cancelled_at}
            for registration in registrations]


@holds_personal_data("meeting_attendance", _l("The meetings you attended"), ("meeting", "starts_at", "recorded_at"),
                     count=lambda user: counted(_of(Attendance, user)))
def _attendance(user: User) -> list[Row]:
    attendances = db.session.scalars(select(Attendance).where(Attendance.user_id == user.id).order_by(Attendance.id)
                                     .options(joinedload(Attendance.meeting)))
    return [{"meeting": attendance.meeting.title, "starts_at": attendance.meeting.starts_at,
             "recorded_at": attendance.recorded_at} for attendance in attendances]


@holds_personal_data("calendar_feed", _l("Your private calendar address (its date only)"), ("created_at",),
                     count=lambda user: counted(_of(CalendarFeed, user)))
def _calendar(user: User) -> list[Row]:
    feed = feed_of(user)
    return [{"created_at": feed.created_at}] if feed is not None else []


@lets_go_of("groups")
def release_groups(user: User, now: dt.datetime) -> dict[str, int]:
    """Leave every group (a freed seat goes to the first person waiting, who is told once the erasure is stored),
    forget what the sign-ups said, cancel registrations to events still to come and revoke the calendar address."""
    left = 0
    for signup in _signups(user):
        if signup.status.is_active:
            change = withdraw(user, signup.group, now=now)
            mails.notify_promoted(change.promoted, after_commit=True)
            left += 1
        # The category and commune stay: the group's composition figures must not move.
        signup.motivation, signup.structure, signup.decision_message = "", "", ""
        signup.shown_to_members = False
    upcoming = db.session.scalars(select(Meeting).join(Registration).where(
        Registration.user_id == user.id, Registration.cancelled_at.is_(None), Meeting.starts_at > now))
    cancelled = 0
    for meeting in list(upcoming):
        cancel_registration(user, meeting, now=now)
        cancelled += 1
    revoke_feed(user)
    db.session.flush()
    return {"groups_left": left, "registrations_cancelled": cancelled}
