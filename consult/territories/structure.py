"""A territory's structure as its public pages show it — EPCIs, communes, contracts with their partners, axes and
objectives — read in six queries once per process and kept under `Territory.structure_version`
(consult/core/cache.py). Plain immutable values: threads share them, templates read them as they read the models.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from consult.core.cache import versioned_cache
from consult.extensions import db
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

CACHE_NAME = "territory_structure"


@dataclass(frozen=True, slots=True)
class FrozenEpci:
    id: int
    name: str
    siren: str


@dataclass(frozen=True, slots=True)
class FrozenCommune:
    id: int
    name: str
    insee_code: str


@dataclass(frozen=True, slots=True)
class FrozenPartner:
    kind: PartnerKind
    name: str


@dataclass(frozen=True, slots=True)
class FrozenObjective:
    id: int
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class FrozenAxis:
    id: int
    title: str
    description: str
    active_objectives: tuple[FrozenObjective, ...]


@dataclass(frozen=True, slots=True)
class FrozenContract:
    """A contract with its partners and its axes and objectives that are not archived (what the public sees)."""

    id: int
    generation: int
    title: str
    summary: str
    start_date: dt.date
    end_date: dt.date
    phase: Phase
    is_current: bool
    partners: tuple[FrozenPartner, ...]
    active_axes: tuple[FrozenAxis, ...]

    @property
    def signatories(self) -> tuple[FrozenPartner, ...]:
        return tuple(p for p in self.partners if p.kind is PartnerKind.SIGNATORY)

    @property
    def other_partners(self) -> tuple[FrozenPartner, ...]:
        return tuple(p for p in self.partners if p.kind is PartnerKind.PARTNER)


@dataclass(frozen=True, slots=True)
class Structure:
    """What the public pages of one territory show besides the territory's own row."""

    territory_id: int
    version: str
    epcis: tuple[FrozenEpci, ...]  # by name
    communes: tuple[FrozenCommune, ...]  # by name
    contracts: tuple[FrozenContract, ...]  # latest generation first

    @property
    def current_contract(self) -> FrozenContract | None:
        return next((c for c in self.contracts if c.is_current), None)

    @property
    def commune_count(self) -> int:
        return len(self.communes)

    def contract(self, generation: int) -> FrozenContract | None:
        """The contract of this generation, or None."""
        return next((c for c in self.contracts if c.generation == generation), None)


def load_structure(territory_id: int, version: str) -> Structure:
    """Read a territory's structure from the database: six queries, whatever its size."""
    def rows(*columns, where, order):
        return db.session.execute(select(*columns).where(where).order_by(*order)).all()

    contract_ids = select(Contract.id).where(Contract.territory_id == territory_id).scalar_subquery()
    partners: dict[int, list[FrozenPartner]] = {}
    for contract_id, kind, name in rows(ContractPartner.contract_id, ContractPartner.kind, ContractPartner.name,
                                        where=ContractPartner.contract_id.in_(contract_ids),
                                        order=(ContractPartner.contract_id, ContractPartner.position,
                                               ContractPartner.id)):
        partners.setdefault(contract_id, []).append(FrozenPartner(kind, name))
    axis_rows = rows(Axis.id, Axis.contract_id, Axis.title, Axis.description,
                     where=Axis.contract_id.in_(contract_ids) & Axis.archived_at.is_(None),
                     order=(Axis.contract_id, Axis.position, Axis.id))
    objectives: dict[int, list[FrozenObjective]] = {}
    for axis_id, ident, title, description in rows(
            Objective.axis_id, Objective.id, Objective.title, Objective.description,
            where=Objective.axis_id.in_(select(Axis.id).where(Axis.contract_id.in_(contract_ids)))
            & Objective.archived_at.is_(None),
            order=(Objective.axis_id, Objective.position, Objective.id)):
        objectives.setdefault(axis_id, []).append(FrozenObjective(ident, title, description))
    axes: dict[int, list[FrozenAxis]] = {}
    for ident, contract_id, title, description in axis_rows:
        axes.setdefault(contract_id, []).append(
            FrozenAxis(ident, title, description, tuple(objectives.get(ident, ()))))
    contracts = tuple(
        FrozenContract(id=row.id, generation=row.generation, title=row.title, summary=row.summary,
                       start_date=row.start_date, end_date=row.end_date, phase=row.phase, is_current=row.is_current,
                       partners=tuple(partners.get(row.id, ())), active_axes=tuple(axes.get(row.id, ())))
        for row in rows(Contract.id, Contract.generation, Contract.title, Contract.summary, Contract.start_date,
                        Contract.end_date, Contract.phase, Contract.is_current,
                        where=Contract.territory_id == territory_id, order=(Contract.generation.desc(),)))
    epcis = tuple(FrozenEpci(*row) for row in rows(Epci.id, Epci.name, Epci.siren, where=Epci.territory_id == territory_id,
                                                    order=(Epci.name, Epci.id)))
    communes = tuple(FrozenCommune(*row) for row in rows(
        Commune.id, Commune.name, Commune.insee_code, where=Commune.territory_id == territory_id,
        order=(Commune.name, Commune.id)))
    return Structure(territory_id=territory_id, version=version, epcis=epcis, communes=communes, contracts=contracts)


def structure_of(territory: Territory) -> Structure:
    """The territory's structure at its current version: this process's copy, or read once and kept."""
    # Changes not yet flushed would be read under the version they are about to replace: flush them first (a
    # no-op on a clean session), so that the version read is theirs.
    db.session.flush()
    return versioned_cache(CACHE_NAME).get(territory.id, territory.structure_version,
                                           lambda: load_structure(territory.id, territory.structure_version))
