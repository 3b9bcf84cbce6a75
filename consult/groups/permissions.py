"""Who may do what with working groups and meetings: named predicates used by services, views and templates."""
from __future__ import annotations

from sqlalchemy import select

from consult.extensions import db
from consult.groups.models import Meeting, Registration, Signup, SignupStatus, WorkingGroup
from consult.territories.permissions import can_manage_territory


def can_manage_groups(user, territory) -> bool:
    """Coordinators of the territory and site admins run its groups, meetings and attendance."""
    return can_manage_territory(user, territory)


def can_sign_up(user) -> bool:
    """Signing up needs a confirmed, active account."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "id", None) is not None \
        and user.is_confirmed and user.is_active


def membership(user, group: WorkingGroup) -> Signup | None:
    """The person's sign-up row for the group, whatever its status (None when anonymous or never signed up)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(select(Signup).where(Signup.group_id == group.id, Signup.user_id == user.id))


def is_member(user, group: WorkingGroup) -> bool:
    signup = membership(user, group)
    return signup is not None and signup.status == SignupStatus.MEMBER


def is_expected_at(user, meeting: Meeting) -> bool:
    """Members of the meeting's group, or people registered to the event (registration not cancelled)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return False
    if meeting.group is not None:
        return is_member(user, meeting.group)
    registration = db.session.scalar(select(Registration).where(
        Registration.meeting_id == meeting.id, Registration.user_id == user.id))
    return registration is not None and registration.cancelled_at is None


def can_see_online_link(user, meeting: Meeting) -> bool:
    """The video-call link is given to the people expected and to coordinators, not to every visitor."""
    return is_expected_at(user, meeting) or can_manage_groups(user, meeting.territory)
