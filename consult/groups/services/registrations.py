"""Registration to territory events: one row per person, capacity kept by a single conditional UPDATE."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from consult.errors import Conflict, PermissionDenied
from consult.extensions import db
from consult.groups.models import Meeting, Registration
from consult.groups.permissions import can_sign_up


def registration_of(user, meeting: Meeting) -> Registration | None:
    """The person's registration row for the meeting, cancelled or not (None when anonymous or never registered)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(select(Registration).where(Registration.meeting_id == meeting.id,
                                                        Registration.user_id == user.id))


def _check_open(meeting: Meeting, now: dt.datetime) -> None:
    if not meeting.is_event:
        raise Conflict(_("Members of the group are expected at its meetings: there is no registration."))
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting is cancelled."))
    if meeting.starts_at <= now:
        raise Conflict(_("This event has already started: registration is closed."))


def _take_seat(meeting: Meeting) -> bool:
    """One conditional UPDATE: simultaneous requests can never push the count past the capacity."""
    result = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id,
               (Meeting.capacity.is_(None)) | (Meeting.registered_count < Meeting.capacity))
        .values(registered_count=Meeting.registered_count + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def register(user, meeting: Meeting, *, now: dt.datetime) -> Registration:
    """Register `user` to an event; a re-registration after cancelling reuses the row.

    Raises PermissionDenied (no confirmed account), Conflict (not an event, cancelled, started, full,
    already registered).
    """
    if not can_sign_up(user):
        raise PermissionDenied(_("Confirm your email address to register."))
    _check_open(meeting, now)
    existing = registration_of(user, meeting)
    if existing is not None and existing.cancelled_at is None:
        raise Conflict(_("You are already registered."))
    try:
        with db.session.begin_nested():
            if existing is None:
                registration = Registration(meeting_id=meeting.id, user_id=user.id, created_at=now, updated_at=now)
                db.session.add(registration)
                db.session.flush()
            else:
                # Claim the cancelled row conditionally: a twin request finds it already taken.
                claimed = db.session.execute(
                    update(Registration).where(Registration.id == existing.id, Registration.cancelled_at.is_not(None))
                    .values(cancelled_at=None, updated_at=now).execution_options(synchronize_session=False))
                if claimed.rowcount != 1:
                    raise Conflict(_("You are already registered."))
                registration = existing
            if not _take_seat(meeting):
                raise Conflict(_("This event is full."))
    except IntegrityError:
        raise Conflict(_("You are already registered.")) from None
    db.session.refresh(registration)
    db.session.refresh(meeting)
    return registration


def cancel_registration(user, meeting: Meeting, *, now: dt.datetime) -> None:
    """Give the seat back. Raises Conflict (not registered, or the event has started)."""
    registration = registration_of(user, meeting)
    if registration is None or registration.cancelled_at is not None:
        raise Conflict(_("You are not registered to this event."))
    if meeting.starts_at <= now:
        raise Conflict(_("This event has already started: the registration can no longer be cancelled."))
    released = db.session.execute(
        update(Registration).where(Registration.id == registration.id, Registration.cancelled_at.is_(None))
        .values(cancelled_at=now, updated_at=now).execution_options(synchronize_session=False))
    if released.rowcount != 1:
        raise Conflict(_("You are not registered to this event."))
    db.session.execute(update(Meeting).where(Meeting.id == meeting.id, Meeting.registered_count > 0)
                       .values(registered_count=Meeting.registered_count - 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(registration)
    db.session.refresh(meeting)
