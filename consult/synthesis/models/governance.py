"""The contract's governance bodies (COPIL, comité de suivi, groupe projet), their sessions and decisions."""
from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.core.enums import enum_column
from consult.core.models import utcnow
from consult.extensions import db
from consult.synthesis.models.fiches import Fiche, FicheStatus, Priority
from consult.territories.models import Contract, Territory


class BodyKind(enum.StrEnum):
    COPIL = "copil"                  # comité de pilotage: validates fiches, the only body that commits the contract
    FOLLOW_UP = "follow_up"          # comité de suivi / assemblée plénière
    PROJECT_GROUP = "project_group"  # groupe projet / comité technique
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(BODY_LABELS[self])


BODY_LABELS = {
    BodyKind.COPIL: _l("Steering committee (COPIL)"),
    BodyKind.FOLLOW_UP: _l("Follow-up committee or plenary"),
    BodyKind.PROJECT_GROUP: _l("Project group"),
    BodyKind.OTHER: _l("Other body"),
}


class DecisionKind(enum.StrEnum):
    VALIDATE = "validate"        # validates fiches (sets their status)
    STATUS = "status"            # any other status change (postpone, abandon, done…)
    PRIORITIES = "priorities"    # sets fiches' priorities
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(DECISION_LABELS[self])


DECISION_LABELS = {
    DecisionKind.VALIDATE: _l("Validation of fiches"),
    DecisionKind.STATUS: _l("Change of status"),
    DecisionKind.PRIORITIES: _l("Priorities"),
    DecisionKind.OTHER: _l("Other decision"),
}


class GovernanceBody(db.Model):
    """A governance body of a contract, with its member organisations."""

    __tablename__ = "governance_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind, "governance_body_kind"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    contract: Mapped[Contract] = relationship()
    members: Mapped[list[BodyMember]] = relationship(
        back_populates="body", order_by="BodyMember.position", cascade="all, delete-orphan")
    sessions: Mapped[list[BodySession]] = relationship(
        back_populates="body", order_by="BodySession.held_on.desc()", cascade="all, delete-orphan")

    @property
    def territory(self) -> Territory:
        return self.contract.territory


class BodyMember(db.Model):
    """A member organisation of a body, and who represents it."""

    __tablename__ = "governance_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("governance_bodies.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    representative: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    body: Mapped[GovernanceBody] = relationship(back_populates="members")


class BodySession(db.Model):
    """A meeting of a governance body (e.g. the COPIL of 14 March 2025), with its minutes."""

    __tablename__ = "governance_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("governance_bodies.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[str] = mapped_column(Text, default="")

    body: Mapped[GovernanceBody] = relationship(back_populates="sessions")
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="session", order_by="Decision.id", cascade="all, delete-orphan")

    @property
    def territory(self) -> Territory:
        return self.body.contract.territory


class Decision(db.Model):
    """A decision recorded at a session; the fiches it concerns follow (status, priority)."""

    __tablename__ = "governance_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("governance_sessions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DecisionKind] = mapped_column(enum_column(DecisionKind, "governance_decision_kind"))
    text: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The random id the decision form carried: a double click or a replay of that form records it once.
    entry_key: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)

    session: Mapped[BodySession] = relationship(back_populates="decisions")
    recorded_by: Mapped[User | None] = relationship()
    fiches: Mapped[list[DecisionFiche]] = relationship(
        back_populates="decision", order_by="DecisionFiche.id", cascade="all, delete-orphan")

    @property
    def territory(self) -> Territory:
        return self.session.territory


class DecisionFiche(db.Model):
    """One fiche concerned by a decision, and what the decision gave it."""

    __tablename__ = "governance_decision_fiches"
    __table_args__ = (UniqueConstraint("decision_id", "fiche_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("governance_decisions.id", ondelete="CASCADE"), index=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    status: Mapped[FicheStatus | None] = mapped_column(enum_column(FicheStatus, "decision_fiche_status"),
                                                      default=None)
    priority: Mapped[Priority | None] = mapped_column(enum_column(Priority, "decision_fiche_priority"), default=None)

    decision: Mapped[Decision] = relationship(back_populates="fiches")
    fiche: Mapped[Fiche] = relationship()
