"""Who may get which territory-wide file: named predicates used by views, jobs, templates and tests."""
from __future__ import annotations

from typing import TYPE_CHECKING

from consult.territories.permissions import can_manage_territory, can_observe_territory

if TYPE_CHECKING:
    from consult.territories.models import Territory


def can_download_published_files(user, territory: Territory) -> bool:
    """Files built only from releases and published content (workbook, reports, action plan): observers,
    coordinators and admins."""
    return can_observe_territory(user, territory)


def can_download_records(user, territory: Territory) -> bool:
    """Record-level data (the data package's responses, even k-anonymous): coordinators and admins only."""
    return can_manage_territory(user, territory)
