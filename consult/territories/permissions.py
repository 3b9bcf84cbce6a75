"""Who may read and manage a territory: named predicates used by services, views and templates."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _

from consult.errors import PermissionDenied
from consult.territories.models import Role

if TYPE_CHECKING:
    from consult.territories.models import Territory


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_admin(user) -> bool:
    """A site administrator."""
    return _authenticated(user) and user.is_admin


def can_create_territory(user) -> bool:
    """Only site admins open a territory on the instance."""
    return is_admin(user)


def can_manage_territory(user, territory: Territory) -> bool:
    """Site admins and the territory's coordinators."""
    return is_admin(user) or (_authenticated(user) and user.role_in(territory) is Role.COORDINATOR)


def can_observe_territory(user, territory: Territory) -> bool:
    """Aggregated figures: observers, coordinators and admins."""
    return can_manage_territory(user, territory) or (
        _authenticated(user) and user.role_in(territory) is not None
    )


def can_appoint(user, territory: Territory, role) -> bool:
    """Admins appoint coordinators; coordinators appoint observers of their territory."""
    if role is Role.COORDINATOR:
        return is_admin(user)
    return can_manage_territory(user, territory)


def require(allowed: bool) -> None:
    """Raise PermissionDenied unless `allowed`."""
    if not allowed:
        raise PermissionDenied(_("You are not allowed to do this."))


def can_read_audit(user, territory: Territory | None = None) -> bool:
    """The audit trail: every territory's for site admins, one territory's for its coordinators (never observers)."""
    if territory is None:
        return is_admin(user)
    return can_manage_territory(user, territory)
