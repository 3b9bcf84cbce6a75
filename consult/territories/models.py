"""Territory, Epci, Commune, Contract (a CLS), ContractPartner, Axis, Objective, and the roles a territory gives."""
from __future__ import annotations

import datetime as dt
import enum
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import flag_modified

from consult.core.enums import enum_column
from consult.core.models import TimestampMixin
from consult.errors import Conflict
from consult.extensions import db


class Role(enum.StrEnum):
    """A person's role in one territory (site admins are flagged on the user); accounts hold who has it."""

    COORDINATOR = "coordinator"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COORDINATOR: _l("Coordinator"),
    Role.OBSERVER: _l("Observer"),
}


class Territory(TimestampMixin, db.Model):
    """The area of one intercommunality or of several, which carries successive contracts."""

    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    presentation: Mapped[str] = mapped_column(Text, default="")
    controller: Mapped[str] = mapped_column(String(200), default="")
    dpo_contact: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # Changes, in the same flush, with any change to the territory's EPCIs, communes, contracts, their partners,
    # axes and objectives (`_new_structure_versions` below): every app server keeps a copy of that structure per
    # version (territories/structure.py) and reads the version with the territory, so a change is seen at once
    # everywhere. Random, not counted, so that a copy never outlives its territory (ids are reused on SQLite).
    # Set when the ORM inserts the territory; "0" for rows written by plain SQL.
    structure_version: Mapped[str] = mapped_column(String(32), server_default="0")

    epcis: Mapped[list[Epci]] = relationship(
        back_populates="territory", order_by="Epci.name", cascade="all, delete-orphan"
    )
    contracts: Mapped[list[Contract]] = relationship(
        back_populates="territory", order_by="Contract.generation.desc()", cascade="all, delete-orphan"
    )

    @property
    def current_contract(self) -> Contract | None:
        return next((c for c in self.contracts if c.is_current), None)

    def __repr__(self) -> str:
        return f"<Territory {self.slug}>"


class Epci(db.Model):
    """An intercommunality (EPCI à fiscalité propre) covered by a territory, keyed on its SIREN."""

    __tablename__ = "epcis"
    __table_args__ = (UniqueConstraint("territory_id", "siren"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    siren: Mapped[str] = mapped_column(String(9))

    territory: Mapped[Territory] = relationship(back_populates="epcis")


class Commune(db.Model):
    """A commune of a territory, keyed on its INSEE code (never on its name, never the postcode)."""

    __tablename__ = "communes"
    __table_args__ = (
        UniqueConstraint("territory_id", "insee_code"),
        CheckConstraint("population >= 0", name="population_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    epci_id: Mapped[int | None] = mapped_column(ForeignKey("epcis.id", ondelete="SET NULL"))
    insee_code: Mapped[str] = mapped_column(String(5))
    name: Mapped[str] = mapped_column(String(160))
    population: Mapped[int] = mapped_column(Integer)
    population_year: Mapped[int] = mapped_column(Integer)

    territory: Mapped[Territory] = relationship()
    epci: Mapped[Epci | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.insee_code})"


class Phase(enum.StrEnum):
    """Where a contract stands in the CLS lifecycle."""

    DIAGNOSTIC = "diagnostic"
    ELABORATION = "elaboration"
    SIGNED = "signed"
    EVALUATION = "evaluation"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {
    Phase.DIAGNOSTIC: _l("Diagnostic"),
    Phase.ELABORATION: _l("Drafting"),
    Phase.SIGNED: _l("Signed, being implemented"),
    Phase.EVALUATION: _l("Evaluation"),
    Phase.ENDED: _l("Ended"),
}


class Contract(TimestampMixin, db.Model):
    """One generation of a territory's Contrat local de santé (CLS 1, CLS 2…)."""

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("territory_id", "generation"),
        CheckConstraint("end_date >= start_date", name="period_in_order"),
        CheckConstraint("generation >= 1", name="generation_positive"),
        # At most one current contract per territory, enforced by the database on both engines.
        Index(
            "uq_contracts_current_per_territory",
            "territory_id",
            unique=True,
            sqlite_where=db.text("is_current"),
            postgresql_where=db.text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    generation: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "contract_phase"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)

    territory: Mapped[Territory] = relationship(back_populates="contracts")
    partners: Mapped[list[ContractPartner]] = relationship(
        back_populates="contract", order_by="ContractPartner.position", cascade="all, delete-orphan"
    )
    axes: Mapped[list[Axis]] = relationship(
        back_populates="contract", order_by="Axis.position", cascade="all, delete-orphan"
    )

    @property
    def signatories(self) -> list[ContractPartner]:
        return [p for p in self.partners if p.kind is PartnerKind.SIGNATORY]

    @property
    def other_partners(self) -> list[ContractPartner]:
        return [p for p in self.partners if p.kind is PartnerKind.PARTNER]

    @property
    def active_axes(self) -> list[Axis]:
        return [a for a in self.axes if a.archived_at is None]


class PartnerKind(enum.StrEnum):
    """Signatories are bound by the contract; partners contribute without signing."""

    SIGNATORY = "signatory"
    PARTNER = "partner"


class ContractPartner(db.Model):
    """An institution that signs or supports a contract."""

    __tablename__ = "contract_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind, "partner_kind"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    contract: Mapped[Contract] = relationship(back_populates="partners")


class OrderedArchivable:
    """Position within the parent and archiving instead of deletion."""

    position: Mapped[int] = mapped_column(Integer, default=0)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self, now: dt.datetime) -> None:
        if self.archived_at is not None:
            raise Conflict(str(_l("This item is already archived.")))
        self.archived_at = now

    def restore(self) -> None:
        if self.archived_at is None:
            raise Conflict(str(_l("This item is not archived.")))
        self.archived_at = None


class Axis(OrderedArchivable, TimestampMixin, db.Model):
    """A strategic axis of a contract."""

    __tablename__ = "axes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(250))
    description: Mapped[str] = mapped_column(Text, default="")

    contract: Mapped[Contract] = relationship(back_populates="axes")
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="axis", order_by="Objective.position", cascade="all, delete-orphan"
    )

    @property
    def territory(self) -> Territory:
        return self.contract.territory

    @property
    def number(self) -> int:
        """1-based rank among the contract's non-archived axes (0 when archived)."""
        active = self.contract.active_axes
        return active.index(self) + 1 if self in active else 0

    @property
    def active_objectives(self) -> list[Objective]:
        return [o for o in self.objectives if o.archived_at is None]


class Objective(OrderedArchivable, TimestampMixin, db.Model):
    """An objective within an axis."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(250))
    description: Mapped[str] = mapped_column(Text, default="")

    axis: Mapped[Axis] = relationship(back_populates="objectives")

    @property
    def territory(self) -> Territory:
        return self.axis.contract.territory


def new_structure_version() -> str:
    """A fresh structure version (see Territory.structure_version)."""
    return secrets.token_hex(8)


STRUCTURE_PARTS = (Epci, Commune, Contract, ContractPartner, Axis, Objective)
# Each part's parent: the relationship, its foreign key and the parent's model.
_PARENT_OF = {Epci: ("territory", "territory_id", Territory), Commune: ("territory", "territory_id", Territory),
              Contract: ("territory", "territory_id", Territory),
              ContractPartner: ("contract", "contract_id", Contract), Axis: ("contract", "contract_id", Contract),
              Objective: ("axis", "axis_id", Axis)}


def _owner(session: Session, item) -> Territory | None:
    """The territory whose structure `item` (a Territory or one of STRUCTURE_PARTS) belongs to, or None when it
    belongs to none yet (a part not attached to anything)."""
    if isinstance(item, Territory):
        return item
    attribute, key, model = _PARENT_OF[type(item)]
    parent = getattr(item, attribute)
    if parent is None and getattr(item, key) is not None:
        parent = session.get(model, getattr(item, key))
    return _owner(session, parent) if parent is not None else None


@event.listens_for(Territory, "before_insert")
def _first_structure_version(_mapper, _connection, territory: Territory) -> None:
    """A new territory's first version, unless given (not a column default: SQL inserts of older schemas, as in
    the migration tests, must not name a column that they do not have yet)."""
    if territory.structure_version is None:
        territory.structure_version = new_structure_version()


@event.listens_for(Session, "before_flush")
def _new_structure_versions(session: Session, _context, _instances) -> None:
    """Give a new structure version to every territory whose EPCIs, communes, contracts, partners, axes or
    objectives this flush inserts, changes or deletes (a part removed from its collection marks its parent
    changed). The territory's own columns are not the structure (pages read them with its row). The territory's
    `updated_at` is written as it was.

    The structure is only ever changed through the ORM; a bulk UPDATE or DELETE of those tables would have to set
    a new version itself."""
    with session.no_autoflush:
        changed = [item for item in session.dirty
                   if isinstance(item, STRUCTURE_PARTS) and session.is_modified(item)
                   or isinstance(item, Territory) and (inspect(item).attrs.epcis.history.has_changes()
                                                       or inspect(item).attrs.contracts.history.has_changes())]
        changed.extend(item for item in (*session.new, *session.deleted) if isinstance(item, STRUCTURE_PARTS))
        owners = {id(owner): owner for owner in (_owner(session, item) for item in changed) if owner is not None}
        for territory in owners.values():
            if territory in session.new or territory in session.deleted:
                continue  # a new territory has its own version already; a deleted one needs none
            territory.updated_at  # noqa: B018  (loaded, so that it is written back unchanged)
            territory.structure_version = new_structure_version()
            flag_modified(territory, "updated_at")


def territory_by_slug(slug: str, *, options=()) -> Territory | None:
    """The territory with this slug, or None; `options` load what the page shows with it."""
    return db.session.scalar(select(Territory).where(Territory.slug == slug).options(*options))
