"""Copy fiches of one contract into the next (CLS 1 → CLS 2): old axes mapped to new ones, copies as drafts.

What a copy keeps: the written content, partners, funding, indicators (their definitions, not their yearly
values), steps (their titles, back to « to do », without dates), publics and communes. What it leaves behind: the
status and its history, publication, follow-up notes, citations, the old contract's governance body, avenant,
priority and dates (the new contract decides them). Each copy gets the next number of its new axis, points to
its original (`copied_from`) and keeps a first version. A fiche already copied into the target contract is
skipped, so sending the form twice copies nothing more.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.core.text import fold
from consult.errors import InvalidInput
from consult.extensions import db
from consult.synthesis.fiches.versions import keep_version, next_rank
from consult.synthesis.models import Fiche, FichePartner, FicheStatus, Funding, Indicator, Step
from consult.synthesis.permissions import can_manage_plan
from consult.territories.models import Axis, Contract
from consult.territories.permissions import require


@dataclass
class CopyReport:
    """What a copy made: the new fiches, and the fiches skipped because they were copied before."""

    copies: list[Fiche]
    already_copied: list[Fiche]


def contract_fiches(contract: Contract) -> list[Fiche]:
    """The contract's fiches by axis and rank, with what a copy reads."""
    return list(db.session.scalars(
        select(Fiche).where(Fiche.contract_id == contract.id).join(Axis, Fiche.axis_id == Axis.id)
        .order_by(Axis.position, Axis.id, Fiche.rank)
        .options(selectinload(Fiche.partners), selectinload(Fiche.fundings), selectinload(Fiche.indicators),
                 selectinload(Fiche.steps), selectinload(Fiche.communes))))


def copied_ids(source: Contract, target: Contract) -> set[int]:
    """Ids of the source's fiches that already have a copy in the target."""
    return set(db.session.scalars(
        select(Fiche.copied_from_id).where(Fiche.contract_id == target.id, Fiche.copied_from_id.is_not(None))))


def suggested_mapping(source: Contract, target: Contract) -> dict[int, int | None]:
    """Old axis → new axis with the same title (accents and case aside), or nothing."""
    titles = {fold(a.title).strip(): a.id for a in target.active_axes}
    return {axis.id: titles.get(fold(axis.title).strip()) for axis in source.axes}


def copy_fiches(actor, source: Contract, target: Contract, mapping: dict[int, int | None], fiche_ids: set[int], *,
                now: dt.datetime) -> CopyReport:
    """Copy the chosen fiches of `source` into `target`, each onto the axis its old axis maps to (an axis mapped
    to None is not copied). Raises PermissionDenied, InvalidInput (same contract, another territory, an axis
    that is not the target's)."""
    require(can_manage_plan(actor, source.territory) and can_manage_plan(actor, target.territory))
    if source.territory_id != target.territory_id:
        raise InvalidInput(_("Both contracts must belong to this territory."))
    if source.id == target.id:
        raise InvalidInput(_("Choose two different contracts: fiches are copied from one contract to another."),
                           field="target")
    new_axes = {a.id: a for a in target.active_axes}
    if any(axis_id is not None and axis_id not in new_axes for axis_id in mapping.values()):
        raise InvalidInput(_("An axis was mapped to an axis that is not one of the target contract's."))
    done = copied_ids(source, target)
    copies, skipped = [], []
    for fiche in contract_fiches(source):
        axis_id = mapping.get(fiche.axis_id)
        if fiche.id not in fiche_ids or axis_id is None:
            continue
        if fiche.id in done:
            skipped.append(fiche)
            continue
        copies.append(_copy(actor, fiche, target, new_axes[axis_id], now=now))
        done.add(fiche.id)
    db.session.flush()
    return CopyReport(copies, skipped)


def _copy(actor, fiche: Fiche, target: Contract, axis: Axis, *, now: dt.datetime) -> Fiche:
    objective = next((o for o in axis.active_objectives
                      if fiche.objective is not None and fold(o.title).strip() == fold(fiche.objective.title).strip()),
                     None)
    copy = Fiche(contract=target, axis=axis, objective=objective, rank=next_rank(axis), title=fiche.title,
                 general_objective=fiche.general_objective, specific_objectives=list(fiche.specific_objectives or []),
                 context=fiche.context, description=fiche.description, elected_referent=fiche.elected_referent,
                 publics=list(fiche.publics or []), publics_detail=fiche.publics_detail,
                 whole_territory=fiche.whole_territory, ongoing=fiche.ongoing, calendar=fiche.calendar,
                 means=fiche.means, expected_results=fiche.expected_results,
                 participation_level=fiche.participation_level, participation_detail=fiche.participation_detail,
                 programme_links=fiche.programme_links, status=FicheStatus.DRAFT, copied_from=fiche)
    copy.communes = list(fiche.communes)
    copy.partners = [FichePartner(role=p.role, organisation=p.organisation, contact=p.contact, position=p.position)
                     for p in fiche.partners]
    copy.fundings = [Funding(funder=f.funder, kind=f.kind, amount=f.amount, year=f.year, position=f.position)
                     for f in fiche.fundings]
    copy.indicators = [Indicator(kind=i.kind, name=i.name, target=i.target, unit=i.unit, source=i.source,
                                 frequency=i.frequency, position=i.position) for i in fiche.indicators]
    copy.steps = [Step(title=s.title, position=s.position) for s in fiche.steps]
    db.session.add(copy)
    db.session.flush()   # the next copy onto this axis sees this one's rank
    keep_version(copy, actor=actor, now=now)
    return copy
