"""Who may read and change the synthesis and the action plan: named predicates used by services, views and
templates."""
from __future__ import annotations

from typing import TYPE_CHECKING

from consult.territories.permissions import can_manage_territory, can_observe_territory

if TYPE_CHECKING:
    from consult.synthesis.models import Fiche
    from consult.territories.models import Territory


def can_manage_plan(user, territory: Territory) -> bool:
    """Write fiches, citations, tags, governance records and follow-up: the territory's coordinators and admins."""
    return can_manage_territory(user, territory)


def can_read_plan(user, territory: Territory) -> bool:
    """Read every fiche (drafts too), the synthesis, governance and follow-up: observers, coordinators, admins."""
    return can_observe_territory(user, territory)


def can_read_free_texts(user, territory: Territory) -> bool:
    """Survey free-text answers are record-level data: coordinators and admins only, never observers."""
    return can_manage_territory(user, territory)


def can_see_fiche(user, fiche: Fiche) -> bool:
    """A published fiche is public; a draft is for those who read the plan."""
    return fiche.is_published or can_read_plan(user, fiche.territory)
