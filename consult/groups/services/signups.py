"""Signing up to a working group: seats, waitlist in order of arrival, approval, withdrawal and promotion.

Seats are counted in `working_groups.member_count` and only ever taken by one conditional UPDATE
(`… WHERE member_count < capacity`), so simultaneous sign-ups can never overfill a group; the unique
(group, person) row means a double click or a replayed request never signs anyone up twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.groups import permissions
from consult.groups.models import JoinMode, Signup, SignupStatus, WorkingGroup


class SignupsClosed(Conflict):
    """The group does not take sign-ups now (not recruiting, or outside its sign-up window)."""


class AlreadySignedUp(Conflict):
    """The person already holds a seat, a place on the waitlist or a pending request."""


@dataclass(frozen=True)
class SignupData:
    """What a person tells the group when signing up (category, structure and commune come from the profile)."""

    motivation: str = ""
    morning: bool = False
    afternoon: bool = False
    evening: bool = False
    shown_to_members: bool = False


@dataclass
class Change:
    """What a service did, for the view to tell the people concerned once the transaction is committed."""

    signup: Signup
    promoted: list[Signup] = field(default_factory=list)


# --- seats ----------------------------------------------------------------------------------------

def _take_seat(group: WorkingGroup) -> bool:
    """Take one seat if one is left (atomic on SQLite and PostgreSQL)."""
    result = db.session.execute(
        update(WorkingGroup)
        .where(WorkingGroup.id == group.id, WorkingGroup.member_count < WorkingGroup.capacity)
        .values(member_count=WorkingGroup.member_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(group, ["member_count"])
    return result.rowcount == 1


def _release_seat(group: WorkingGroup) -> None:
    db.session.execute(
        update(WorkingGroup)
        .where(WorkingGroup.id == group.id, WorkingGroup.member_count > 0)
        .values(member_count=WorkingGroup.member_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(group, ["member_count"])


def promote_waitlisted(group: WorkingGroup, *, now: dt.datetime) -> list[Signup]:
    """Give free seats to the waitlist, first come first served. Returns the people promoted."""
    promoted: list[Signup] = []
    while _take_seat(group):
        candidate = db.session.scalar(
            select(Signup).where(Signup.group_id == group.id, Signup.status == SignupStatus.WAITLISTED)
            .order_by(Signup.queued_at, Signup.id).limit(1)
        )
        if candidate is None:
            _release_seat(group)
            break
        # Conditional: if a simultaneous withdrawal promoted the same person, give the seat back and go on.
        claimed = db.session.execute(
            update(Signup).where(Signup.id == candidate.id, Signup.status == SignupStatus.WAITLISTED)
            .values(status=SignupStatus.MEMBER, decided_at=now, member_since=now).execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(candidate)
        if claimed:
            promoted.append(candidate)
        else:
            _release_seat(group)
    return promoted


def waitlist_position(signup: Signup) -> int | None:
    """1 for the first person waiting; None when not on the waitlist."""
    if signup.status != SignupStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Signup).where(
            Signup.group_id == signup.group_id, Signup.status == SignupStatus.WAITLISTED,
            or_(Signup.queued_at < signup.queued_at,
                (Signup.queued_at == signup.queued_at) & (Signup.id < signup.id)),
        )
    )
    return ahead + 1


# --- a person signs up and leaves ---------------------------------------------------------------

def sign_up(user, group: WorkingGroup, data: SignupData, *, now: dt.datetime) -> Change:
    """Sign `user` up: a seat when the group is open and has one, the waitlist when it is full, a request
    when the group is on approval. Raises PermissionDenied (no confirmed account), SignupsClosed,
    AlreadySignedUp (also when a coordinator removed or declined the person: they must ask the coordinators)."""
    if not permissions.can_sign_up(user):
        raise PermissionDenied(_("Confirm your account to sign up to a working group."))
    if not group.signup_window_open(now):
        raise SignupsClosed(_("This group does not take sign-ups at the moment."))
    signup = permissions.membership(user, group)
    if signup is not None and signup.status.is_active:
        raise AlreadySignedUp(_("You are already signed up to this group."))
    if signup is not None and signup.status in (SignupStatus.REMOVED, SignupStatus.DECLINED):
        raise AlreadySignedUp(_("The coordinators have answered your sign-up; please contact them to join again."))
    try:
        with db.session.begin_nested():
            if group.join_mode == JoinMode.APPROVAL:
                status = SignupStatus.PENDING
            else:
                status = SignupStatus.MEMBER if _take_seat(group) else SignupStatus.WAITLISTED
            if signup is None:
                signup = Signup(group=group, user=user, status=status)
                db.session.add(signup)
            signup.status = status
            signup.category = user.category
            signup.structure = user.structure or ""
            signup.commune_id = user.commune_id
            signup.motivation = data.motivation.strip()
            signup.morning, signup.afternoon, signup.evening = data.morning, data.afternoon, data.evening
            signup.shown_to_members = data.shown_to_members
            signup.queued_at, signup.left_at, signup.decided_at, signup.decision_message = now, None, None, ""
            signup.member_since = now if status == SignupStatus.MEMBER else None
            db.session.flush()
    except IntegrityError:
        # The same person's simultaneous request got there first; its seat (if any) was rolled back with ours.
        db.session.expire_all()
        raise AlreadySignedUp(_("You are already signed up to this group.")) from None
    return Change(signup)


def withdraw(user, group: WorkingGroup, *, now: dt.datetime) -> Change:
    """The person leaves the group (or its waitlist, or withdraws a request); a freed seat goes to the
    first person waiting. Raises InvalidInput when they are not signed up."""
    signup = permissions.membership(user, group)
    if signup is None or not signup.status.is_active:
        raise InvalidInput(_("You are not signed up to this group."))
    return _leave(signup, SignupStatus.WITHDRAWN, now=now)


def _leave(signup: Signup, status: SignupStatus, *, now: dt.datetime, message: str = "") -> Change:
    was_member = signup.status == SignupStatus.MEMBER
    # Conditional, so that two simultaneous withdrawals free one seat only.
    changed = db.session.execute(
        update(Signup).where(Signup.id == signup.id, Signup.status == signup.status)
        .values(status=status, left_at=now, decision_message=message).execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(signup)
    if not changed:
        raise InvalidInput(_("You are not signed up to this group."))
    promoted: list[Signup] = []
    if was_member:
        _release_seat(signup.group)
        promoted = promote_waitlisted(signup.group, now=now)
    return Change(signup, promoted)


# --- coordinators decide ------------------------------------------------------------------------

def _require_manager(actor, group: WorkingGroup) -> None:
    if not permissions.can_manage_groups(actor, group.territory):
        raise PermissionDenied()


def accept(actor, signup: Signup, message: str, *, now: dt.datetime) -> Change:
    """Accept a pending request: a seat if one is left, else the waitlist (queued from now).
    Raises PermissionDenied, InvalidInput when the request is no longer pending."""
    _require_manager(actor, signup.group)
    if signup.status != SignupStatus.PENDING:
        raise InvalidInput(_("This request has already been answered."))
    signup.status = SignupStatus.MEMBER if _take_seat(signup.group) else SignupStatus.WAITLISTED
    signup.queued_at, signup.decided_at, signup.decision_message = now, now, message.strip()
    if signup.status == SignupStatus.MEMBER:
        signup.member_since = now
    db.session.flush()
    return Change(signup)


def decline(actor, signup: Signup, message: str, *, now: dt.datetime) -> Change:
    """Decline a pending request or a place on the waitlist, with a message to the person.
    Raises PermissionDenied, InvalidInput."""
    _require_manager(actor, signup.group)
    if signup.status not in (SignupStatus.PENDING, SignupStatus.WAITLISTED):
        raise InvalidInput(_("Only a pending request or a place on the waitlist can be declined."))
    signup.status, signup.decided_at, signup.decision_message = SignupStatus.DECLINED, now, message.strip()
    db.session.flush()
    return Change(signup)


def remove(actor, signup: Signup, message: str, *, now: dt.datetime) -> Change:
    """Remove a member (their seat goes to the waitlist). Raises PermissionDenied, InvalidInput."""
    _require_manager(actor, signup.group)
    if signup.status != SignupStatus.MEMBER:
        raise InvalidInput(_("Only a member can be removed."))
    return _leave(signup, SignupStatus.REMOVED, now=now, message=message.strip())
