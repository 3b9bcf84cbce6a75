"""Rules for territories, contracts, axes, objectives and communes. Services flush, never commit."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from consult.core.models import utcnow
from consult.errors import Conflict, InvalidInput
from consult.extensions import db
from consult.territories import permissions
from consult.territories.importer import parse_communes_csv
from consult.territories.models import (
    Axis,
    Commune,
    Contract,
    ContractPartner,
    Epci,
    Objective,
    PartnerKind,
    Phase,
    Territory,
)

# Axis templates offered when a contract is created: (title, [objectives]).
AXIS_TEMPLATES: dict[str, tuple[str, list[tuple[str, list[str]]]]] = {
    "occitanie": (
        _l("Occitanie — 4 themes"),
        [
            (_l("Prevention and health promotion"), [_l("Improve uptake of screening")]),
            (_l("Access to care"), [_l("Support a territorial professional health community (CPTS)")]),
            (_l("Environmental health"), [_l("Develop sustainable food actions")]),
            (_l("Mental health"), [_l("Set up a local mental health council")]),
        ],
    ),
    "empty": (_l("Empty — I will write the axes"), []),
    "previous": (_l("Copy the axes and objectives of the current contract"), []),
}


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def contract_page():
    """Loader options for a page showing a contract: its partners, axes and objectives."""
    return (selectinload(Contract.partners), selectinload(Contract.axes).selectinload(Axis.objectives))


def with_contract_axes(territory: Territory) -> Territory:
    """`territory` with its contracts and their axes (no partners, no objectives), in one statement: the
    cockpit shows each contract with its count of axes."""
    return db.session.execute(select(Territory).where(Territory.id == territory.id)
                              .options(joinedload(Territory.contracts).joinedload(Contract.axes))).unique().scalar_one()


def communes_summary(territory: Territory) -> tuple[int, int]:
    """How many communes the territory has and their population, in one statement."""
    count, population = db.session.execute(
        select(func.count(Commune.id), func.coalesce(func.sum(Commune.population), 0))
        .where(Commune.territory_id == territory.id)).one()
    return count, population


def _require_manage(actor, territory: Territory) -> None:
    permissions.require(permissions.can_manage_territory(actor, territory))


@dataclass
class TerritoryData:
    """Editable fields of a territory."""

    name: str
    slug: str
    presentation: str = ""
    controller: str = ""
    dpo_contact: str = ""
    contact_email: str = ""


def create_territory(actor, data: TerritoryData) -> Territory:
    """Open a territory on the instance. Raises PermissionDenied, Conflict (slug taken)."""
    permissions.require(permissions.can_create_territory(actor))
    if db.session.scalar(select(Territory.id).where(Territory.slug == data.slug)):
        raise Conflict(_("This web address is already used by another territory."), field="slug")
    territory = Territory(**vars(data))
    db.session.add(territory)
    db.session.flush()
    return territory


def update_territory(actor, territory: Territory, data: TerritoryData) -> None:
    """Edit a territory's presentation; only admins change its slug. Raises PermissionDenied, Conflict."""
    _require_manage(actor, territory)
    if data.slug != territory.slug:
        permissions.require(permissions.is_admin(actor))
        if db.session.scalar(select(Territory.id).where(Territory.slug == data.slug)):
            raise Conflict(_("This web address is already used by another territory."), field="slug")
    for key, value in vars(data).items():
        setattr(territory, key, value)
    db.session.flush()


def set_epcis(actor, territory: Territory, epcis: list[tuple[str, str]]) -> None:
    """Replace the EPCI list (name, SIREN), keeping rows whose SIREN stays. Raises PermissionDenied."""
    _require_manage(actor, territory)
    by_siren = {e.siren: e for e in territory.epcis}
    keep = []
    for name, siren in epcis:
        epci = by_siren.get(siren) or Epci(siren=siren, territory=territory)
        epci.name = name
        keep.append(epci)
    territory.epcis = keep
    db.session.flush()


@dataclass
class ContractData:
    """Editable fields of a contract."""

    generation: int
    title: str
    start_date: dt.date
    end_date: dt.date
    phase: Phase
    summary: str = ""
    signatories: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()


def _check_contract(territory: Territory, data: ContractData, contract: Contract | None) -> None:
    if data.end_date < data.start_date:
        raise InvalidInput(_("The contract cannot end before it starts."), field="end_date")
    clash = db.session.scalar(
        select(Contract.id).where(Contract.territory_id == territory.id, Contract.generation == data.generation)
    )
    if clash and (contract is None or clash != contract.id):
        raise Conflict(_("This territory already has a contract of this generation."), field="generation")


def _set_partners(contract: Contract, data: ContractData) -> None:
    contract.partners = [
        ContractPartner(kind=kind, name=name, position=index)
        for kind, names in ((PartnerKind.SIGNATORY, data.signatories), (PartnerKind.PARTNER, data.partners))
        for index, name in enumerate(names)
    ]


def _template_axes(territory: Territory, template: str) -> list[Axis]:
    """New (unsaved) axes and objectives for a contract, from a template or the current contract."""
    if template == "previous":
        previous = territory.current_contract
        if previous is None:
            raise InvalidInput(_("There is no current contract to copy from."), field="template")
        return [
            Axis(title=axis.title, description=axis.description, position=position, objectives=[
                Objective(title=o.title, description=o.description, position=i)
                for i, o in enumerate(axis.active_objectives)
            ])
            for position, axis in enumerate(previous.active_axes)
        ]
    return [
        Axis(title=str(title), position=position,
             objectives=[Objective(title=str(o), position=i) for i, o in enumerate(objectives)])
        for position, (title, objectives) in enumerate(AXIS_TEMPLATES[template][1])
    ]


def create_contract(actor, territory: Territory, data: ContractData, *, template: str = "empty",
                    make_current: bool = True) -> Contract:
    """Add a contract (CLS generation) with axes from a template. Raises PermissionDenied, Conflict, InvalidInput."""
    _require_manage(actor, territory)
    _check_contract(territory, data, None)
    if template not in AXIS_TEMPLATES:
        raise InvalidInput(_("Unknown template."), field="template")
    axes = _template_axes(territory, template)
    contract = Contract(
        territory=territory, generation=data.generation, title=data.title, summary=data.summary,
        start_date=data.start_date, end_date=data.end_date, phase=data.phase, is_current=False, axes=axes,
    )
    db.session.add(contract)
    _set_partners(contract, data)
    db.session.flush()
    if make_current:
        set_current_contract(actor, contract)
    return contract


def update_contract(actor, contract: Contract, data: ContractData) -> None:
    """Edit a contract's period, phase, summary and partners. Raises PermissionDenied, Conflict, InvalidInput."""
    _require_manage(actor, contract.territory)
    _check_contract(contract.territory, data, contract)
    for key in ("generation", "title", "summary", "start_date", "end_date", "phase"):
        setattr(contract, key, getattr(data, key))
    _set_partners(contract, data)
    db.session.flush()


def set_current_contract(actor, contract: Contract) -> None:
    """Make this contract the territory's current one. Raises PermissionDenied."""
    _require_manage(actor, contract.territory)
    for other in contract.territory.contracts:
        if other.is_current and other is not contract:
            other.is_current = False
    db.session.flush()  # clear the old flag before setting the new one: the unique index is checked per row
    contract.is_current = True
    db.session.flush()


@dataclass
class ItemData:
    """Title and description of an axis or objective."""

    title: str
    description: str = ""


def add_axis(actor, contract: Contract, data: ItemData) -> Axis:
    """Append an axis to a contract. Raises PermissionDenied."""
    _require_manage(actor, contract.territory)
    position = max((a.position for a in contract.axes), default=-1) + 1
    axis = Axis(contract=contract, title=data.title, description=data.description, position=position)
    db.session.add(axis)
    db.session.flush()
    return axis


def add_objective(actor, axis: Axis, data: ItemData) -> Objective:
    """Append an objective to an axis. Raises PermissionDenied, Conflict (archived axis)."""
    _require_manage(actor, axis.contract.territory)
    if axis.is_archived:
        raise Conflict(_("Restore the axis before adding objectives to it."))
    position = max((o.position for o in axis.objectives), default=-1) + 1
    objective = Objective(axis=axis, title=data.title, description=data.description, position=position)
    db.session.add(objective)
    db.session.flush()
    return objective


def update_item(actor, item: Axis | Objective, data: ItemData) -> None:
    """Edit the wording of an axis or objective. Raises PermissionDenied."""
    _require_manage(actor, item.territory)
    item.title, item.description = data.title, data.description
    db.session.flush()


def move_item(actor, item: Axis | Objective, offset: int) -> None:
    """Move an axis or objective up (-1) or down (+1) among its siblings. Raises PermissionDenied, Conflict."""
    _require_manage(actor, item.territory)
    siblings = item.contract.axes if isinstance(item, Axis) else item.axis.objectives
    ordered = sorted(siblings, key=lambda s: (s.position, s.id))
    # Swap with the nearest sibling of the same kind (active or archived), so that every move
    # changes what the public sees.
    peers = [s for s in ordered if s.is_archived == item.is_archived]
    index = peers.index(item)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(peers):
        raise Conflict(_("This item cannot move further."))
    a, b = ordered.index(item), ordered.index(peers[target])
    ordered[a], ordered[b] = ordered[b], ordered[a]
    for position, sibling in enumerate(ordered):
        sibling.position = position
    db.session.flush()


def archive_item(actor, item: Axis | Objective, *, now: dt.datetime | None = None) -> None:
    """Archive an axis or objective: hidden from new contributions, kept for what refers to it."""
    _require_manage(actor, item.territory)
    item.archive(now or utcnow())
    db.session.flush()


def restore_item(actor, item: Axis | Objective) -> None:
    """Bring an archived axis or objective back. Raises PermissionDenied, Conflict."""
    _require_manage(actor, item.territory)
    item.restore()
    db.session.flush()


@dataclass(frozen=True)
class ImportReport:
    """What an import changed."""

    added: int
    updated: int
    unchanged: int


def import_communes(actor, territory: Territory, data: bytes) -> ImportReport:
    """Create or update the territory's communes from a CSV file; all or nothing.

    Raises PermissionDenied, ImportRejected (with every bad line numbered).
    """
    _require_manage(actor, territory)
    epcis = {e.siren: e for e in territory.epcis}
    rows = parse_communes_csv(data, known_sirens=set(epcis))
    existing = {
        c.insee_code: c
        for c in db.session.scalars(select(Commune).where(Commune.territory_id == territory.id))
    }
    added = updated = unchanged = 0
    for row in rows:
        epci = epcis.get(row.epci_siren) if row.epci_siren else None
        commune = existing.get(row.insee_code)
        if commune is None:
            db.session.add(Commune(
                territory=territory, insee_code=row.insee_code, name=row.name, population=row.population,
                population_year=row.population_year, epci=epci,
            ))
            added += 1
            continue
        new = (row.name, row.population, row.population_year, epci.id if epci else commune.epci_id)
        if (commune.name, commune.population, commune.population_year, commune.epci_id) == new:
            unchanged += 1
            continue
        commune.name, commune.population, commune.population_year = row.name, row.population, row.population_year
        if epci:
            commune.epci = epci
        updated += 1
    db.session.flush()
    return ImportReport(added, updated, unchanged)


def territory_communes(territory: Territory) -> list[Commune]:
    """The territory's communes by name."""
    return list(db.session.scalars(
        select(Commune).where(Commune.territory_id == territory.id).order_by(Commune.name, Commune.insee_code)
        .options(joinedload(Commune.epci))
    ))


def list_territories() -> list[Territory]:
    """Every territory by name, with its EPCIs and contracts (the home page shows them)."""
    return list(db.session.scalars(select(Territory).order_by(Territory.name)
                                   .options(selectinload(Territory.epcis), selectinload(Territory.contracts))))
