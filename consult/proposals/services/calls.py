"""Opening and editing calls for proposals."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from consult.errors import InvalidInput
from consult.extensions import db
from consult.proposals.models import Call
from consult.proposals.permissions import can_moderate
from consult.territories.models import Axis, Commune, Territory
from consult.territories.permissions import require


@dataclass(frozen=True)
class CallData:
    """What a coordinator enters for a call (times in naive UTC)."""

    title: str
    submission_opens_at: dt.datetime
    submission_closes_at: dt.datetime
    voting_opens_at: dt.datetime
    voting_closes_at: dt.datetime
    presentation: str = ""
    support_limit: int | None = None
    residents_only: bool = False
    axis_ids: list[int] = field(default_factory=list)


def available_axes(territory: Territory) -> list[Axis]:
    """The active axes of the territory's current contract: what a call may cover."""
    contract = territory.current_contract
    return contract.active_axes if contract else []


def _apply(call: Call, territory: Territory, data: CallData) -> None:
    if not data.title.strip():
        raise InvalidInput(_("Give the call a title."), field="title")
    if data.submission_closes_at <= data.submission_opens_at:
        raise InvalidInput(_("The submission window must end after it starts."), field="submission_closes_at")
    if data.voting_closes_at <= data.voting_opens_at:
        raise InvalidInput(_("The voting window must end after it starts."), field="voting_closes_at")
    if data.support_limit is not None and data.support_limit < 1:
        raise InvalidInput(_("Allow at least one support, or leave the field empty for no limit."),
                           field="support_limit")
    allowed = {axis.id: axis for axis in available_axes(territory)}
    if not data.axis_ids or any(axis_id not in allowed for axis_id in data.axis_ids):
        raise InvalidInput(_("Choose at least one axis of the current contract."), field="axis_ids")
    call.title = data.title.strip()
    call.presentation = data.presentation.strip()
    call.submission_opens_at, call.submission_closes_at = data.submission_opens_at, data.submission_closes_at
    call.voting_opens_at, call.voting_closes_at = data.voting_opens_at, data.voting_closes_at
    call.support_limit = data.support_limit
    call.residents_only = data.residents_only
    call.axes = [allowed[axis_id] for axis_id in data.axis_ids]


def create_call(actor, territory: Territory, data: CallData) -> Call:
    """Open a call in `territory`. Raises PermissionDenied, InvalidInput."""
    require(can_moderate(actor, territory))
    call = Call(territory=territory)
    _apply(call, territory, data)
    db.session.add(call)
    db.session.flush()
    return call


def update_call(actor, call: Call, data: CallData) -> Call:
    """Change a call's text, windows, limit and axes. Raises PermissionDenied, InvalidInput."""
    require(can_moderate(actor, call.territory))
    _apply(call, call.territory, data)
    db.session.flush()
    return call


def territory_calls(territory: Territory) -> list[Call]:
    """Every call of the territory, the most recent first."""
    return list(db.session.scalars(select(Call).where(Call.territory_id == territory.id)
                                   .order_by(Call.submission_opens_at.desc(), Call.id.desc())))


def public_calls(territory: Territory, now: dt.datetime) -> dict[str, list[Call]]:
    """Calls sorted into open (submitting or voting), upcoming and past."""
    listing: dict[str, list[Call]] = {"open": [], "upcoming": [], "past": []}
    for call in territory_calls(territory):
        if call.is_submitting(now) or call.is_voting(now):
            listing["open"].append(call)
        elif not call.has_started(now):
            listing["upcoming"].append(call)
        else:
            listing["past"].append(call)
    return listing


def territory_communes(territory: Territory) -> list[Commune]:
    """The territory's communes by name (what a proposal or a filter may name)."""
    return list(db.session.scalars(select(Commune).where(Commune.territory_id == territory.id)
                                   .order_by(Commune.name)))
