"""What every sheet of the workbook reads: the territory, its current contract, each survey's latest release and
the day the file was made, loaded once per build."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from consult.core.models import utcnow
from consult.core.time import paris_date
from consult.exports.writers import Cell
from consult.extensions import db
from consult.surveys.models import Survey
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import latest_release
from consult.territories.models import Axis, Contract, Territory


@dataclass(frozen=True)
class Scope:
    territory: Territory
    contract: Contract | None
    releases: list[tuple[Survey, SurveyRelease]]   # every survey's latest release, surveys in order of creation
    now: dt.datetime                                # naive UTC
    made_on: dt.date                                # Paris day

    @property
    def axes(self) -> list[Axis]:
        """The current contract's axes (archived ones left out, as the synthesis does)."""
        return self.contract.active_axes if self.contract else []


def scope_of(territory: Territory, *, now: dt.datetime | None = None) -> Scope:
    now = now or utcnow()
    releases = []
    for survey in db.session.scalars(select(Survey).where(Survey.territory_id == territory.id).order_by(Survey.id)):
        release = latest_release(survey)
        if release is not None:
            releases.append((survey, release))
    return Scope(territory, territory.current_contract, releases, now, paris_date(now))


def text(value) -> str:
    """A label (lazy or not) as text in the forced locale."""
    return "" if value is None else str(value)


def day(value: dt.datetime | None) -> dt.date | None:
    """A stored (UTC) time as the Paris day a reader expects."""
    return paris_date(value)


def axis_number(axis: Axis) -> Cell:
    """The axis's number in the contract (None for an archived axis, which has none)."""
    return axis.number or None
