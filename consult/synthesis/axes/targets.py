"""Where a piece of evidence goes: an axis of the territory's current contract, possibly one of its objectives.
Forms send it as one value, "axis:<id>" or "objective:<id>"."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from consult.core.db import LARGEST_ID
from consult.errors import InvalidInput
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from consult.extensions import db
from consult.territories.models import Axis, Contract, Objective, Territory

# Ids beyond a 32-bit integer are no row of ours (SQLite cannot even bind them): refused as unknown.
MAX_ID = LARGEST_ID


def parse_id(value) -> int | None:
    """A positive database id from a form or query value, or None (not a number, zero, negative, huge)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


@dataclass(frozen=True)
class Target:
    """An axis of the current contract, and possibly one of its objectives."""

    axis: Axis
    objective: Objective | None = None

    @property
    def value(self) -> str:
        return f"objective:{self.objective.id}" if self.objective else f"axis:{self.axis.id}"


def load_plan(territory: Territory) -> list[Contract]:
    """The territory's contracts (newest first), each with its axes and their objectives, in one query whatever
    their number (a row per objective: a territory has a few contracts of a handful of axes); `territory.contracts`,
    `contract.axes` and `axis.objectives` then read no more. What is already loaded is kept (a page may call this
    twice)."""
    if "contracts" not in inspect(territory).dict:
        contracts = list(db.session.scalars(
            select(Contract).where(Contract.territory_id == territory.id).order_by(Contract.generation.desc())
            .options(joinedload(Contract.axes).joinedload(Axis.objectives))).unique())
        set_committed_value(territory, "contracts", contracts)
    contracts = territory.contracts
    bare = [c for c in contracts if "axes" not in inspect(c).dict]
    if bare:
        axes = db.session.scalars(select(Axis).where(Axis.contract_id.in_([c.id for c in bare]))
                                  .order_by(Axis.position).options(joinedload(Axis.objectives))).unique().all()
        for contract in bare:
            set_committed_value(contract, "axes", [a for a in axes if a.contract_id == contract.id])
    bare_axes = [a for c in contracts for a in c.axes if "objectives" not in inspect(a).dict]
    if bare_axes:
        objectives = db.session.scalars(select(Objective).where(Objective.axis_id.in_([a.id for a in bare_axes]))
                                        .order_by(Objective.position)).all()
        for axis in bare_axes:
            set_committed_value(axis, "objectives", [o for o in objectives if o.axis_id == axis.id])
    for contract in contracts:
        for axis in contract.axes:
            # Each axis holds its contract: pages read `axis.number` (its contract's axes) while rendering, and the
            # session's identity map alone would not keep the contract alive.
            set_committed_value(axis, "contract", contract)
    return contracts


def current_contract(territory: Territory) -> Contract | None:
    """The territory's current contract with its axes and objectives loaded (`load_plan`)."""
    load_plan(territory)
    return territory.current_contract


def current_axes(territory: Territory) -> list[Axis]:
    """The axes of the territory's current contract, in order, with their objectives loaded (none without a
    current contract)."""
    contract = current_contract(territory)
    return contract.active_axes if contract is not None else []


def axis_of(territory: Territory, value) -> Axis | None:
    """An axis of any of the territory's contracts (CLS 1's too: its synthesis stays readable), or None (unknown,
    archived, of another territory). Read from the territory's plan (`load_plan`): no query of its own."""
    ident = parse_id(value)
    found = next((a for c in load_plan(territory) for a in c.axes if a.id == ident), None) if ident else None
    return found if found is not None and found.archived_at is None else None


def objective_of(territory: Territory, value) -> Objective | None:
    """An objective, not archived, of a non-archived axis of the territory's contracts, or None."""
    ident = parse_id(value)
    found = next((o for c in load_plan(territory) for a in c.axes for o in a.objectives if o.id == ident),
                 None) if ident else None
    if found is None or found.archived_at is not None or found.axis.archived_at is not None:
        return None
    return found


def target_choices(territory: Territory) -> list[tuple[str, str]]:
    """(value, label) for every axis of the current contract and each of its objectives."""
    pairs = []
    for axis in current_axes(territory):
        pairs.append((f"axis:{axis.id}", _("Axis %(n)d — %(title)s", n=axis.number, title=axis.title)))
        for n, objective in enumerate(axis.active_objectives, start=1):
            pairs.append((f"objective:{objective.id}",
                          _("Objective %(n)s — %(title)s", n="%d.%d" % (axis.number, n), title=objective.title)))
    return pairs


def resolve_target(territory: Territory, value: str | None) -> Target:
    """The target a form value names. Raises InvalidInput (field `target`) unless it is an axis or an objective of
    the territory's current contract, not archived."""
    kind, _sep, raw = (value or "").partition(":")
    ident = parse_id(raw)
    axes = {a.id: a for a in current_axes(territory)}
    if kind == "axis" and ident in axes:
        return Target(axes[ident])
    if kind == "objective" and ident is not None:
        objective = db.session.get(Objective, ident)
        if objective is not None and objective.archived_at is None and objective.axis_id in axes:
            return Target(axes[objective.axis_id], objective)
    raise InvalidInput(_("Choose an axis or an objective of the current contract."), field="target")
