"""Fiche action and what it holds (partners, funding, indicators, steps, notes), its versions and status history."""
from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.core.enums import enum_column
from consult.core.models import TimestampMixin, utcnow
from consult.extensions import db
from consult.territories.models import Axis, Commune, Contract, Objective, Territory


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return str(LABELS[type(self)][self])


class FicheStatus(_Labelled):
    """Where a fiche stands, from its draft to its end (FICHE_ACTION.md §A.2 « Statut »)."""

    DRAFT = "draft"
    GROUP_VALIDATED = "group_validated"      # validated by the working group
    COPIL_VALIDATED = "copil_validated"      # validated by the COPIL: part of the contract
    IN_PROGRESS = "in_progress"
    DONE = "done"
    POSTPONED = "postponed"
    ABANDONED = "abandoned"


class Priority(_Labelled):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class ParticipationLevel(_Labelled):
    """Residents' part in the action, from none to co-construction."""

    NONE = "none"
    INFORMATION = "information"
    CONSULTATION = "consultation"
    CONCERTATION = "concertation"
    CO_CONSTRUCTION = "co_construction"


class PartnerRole(_Labelled):
    LEAD = "lead"            # porteur
    PARTNER = "partner"
    FUNDER = "funder"


class FundingKind(_Labelled):
    OPERATING = "operating"
    INVESTMENT = "investment"


class IndicatorKind(_Labelled):
    PROCESS = "process"
    RESULT = "result"
    IMPACT = "impact"


class StepState(_Labelled):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TargetPublic(_Labelled):
    """The controlled list of target publics (free text completes it on the fiche)."""

    EVERYONE = "everyone"
    CHILDREN = "children"
    YOUNG_PEOPLE = "young_people"
    PARENTS = "parents"
    OLDER_PEOPLE = "older_people"
    PRECARIOUS = "precarious"
    DISABLED = "disabled"
    CARERS = "carers"
    HEALTH_PROFESSIONALS = "health_professionals"
    SOCIAL_PROFESSIONALS = "social_professionals"
    ELECTED = "elected"
    VOLUNTEERS = "volunteers"


LABELS: dict[type, dict] = {
    FicheStatus: {
        FicheStatus.DRAFT: _l("Draft"),
        FicheStatus.GROUP_VALIDATED: _l("Validated by the working group"),
        FicheStatus.COPIL_VALIDATED: _l("Validated by the steering committee"),
        FicheStatus.IN_PROGRESS: _l("In progress"),
        FicheStatus.DONE: _l("Done"),
        FicheStatus.POSTPONED: _l("Postponed"),
        FicheStatus.ABANDONED: _l("Abandoned"),
    },
    Priority: {Priority.HIGH: _l("High"), Priority.MEDIUM: _l("Medium"), Priority.LOW: _l("Low")},
    ParticipationLevel: {
        ParticipationLevel.NONE: _l("No participation of residents"),
        ParticipationLevel.INFORMATION: _l("Information"),
        ParticipationLevel.CONSULTATION: _l("Consultation"),
        ParticipationLevel.CONCERTATION: _l("Concertation"),
        ParticipationLevel.CO_CONSTRUCTION: _l("Co-construction"),
    },
    PartnerRole: {PartnerRole.LEAD: _l("Lead organisation"), PartnerRole.PARTNER: _l("Partner"),
                  PartnerRole.FUNDER: _l("Funder")},
    FundingKind: {FundingKind.OPERATING: _l("Operating"), FundingKind.INVESTMENT: _l("Investment")},
    IndicatorKind: {IndicatorKind.PROCESS: _l("Process"), IndicatorKind.RESULT: _l("Result"),
                    IndicatorKind.IMPACT: _l("Impact")},
    StepState: {StepState.TODO: _l("To do"), StepState.IN_PROGRESS: _l("Under way"), StepState.DONE: _l("Done")},
    TargetPublic: {
        TargetPublic.EVERYONE: _l("Everyone"),
        TargetPublic.CHILDREN: _l("Children"),
        TargetPublic.YOUNG_PEOPLE: _l("Young people (12–25)"),
        TargetPublic.PARENTS: _l("Parents"),
        TargetPublic.OLDER_PEOPLE: _l("Older people"),
        TargetPublic.PRECARIOUS: _l("People in precarious situations"),
        TargetPublic.DISABLED: _l("People with disabilities"),
        TargetPublic.CARERS: _l("Carers"),
        TargetPublic.HEALTH_PROFESSIONALS: _l("Health professionals"),
        TargetPublic.SOCIAL_PROFESSIONALS: _l("Social and medico-social professionals"),
        TargetPublic.ELECTED: _l("Elected officials"),
        TargetPublic.VOLUNTEERS: _l("Volunteers of associations"),
    },
}


fiche_communes = Table(
    "fiche_communes",
    db.metadata,
    Column("fiche_id", ForeignKey("fiches.id", ondelete="CASCADE"), primary_key=True),
    Column("commune_id", ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True),
)


class Avenant(db.Model):
    """An amendment to a signed contract: fiches added or revised during the contract belong to one."""

    __tablename__ = "contract_avenants"
    __table_args__ = (UniqueConstraint("contract_id", "number"), CheckConstraint("number >= 1", name="number_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    contract: Mapped[Contract] = relationship()

    @property
    def territory(self) -> Territory:
        return self.contract.territory


class Fiche(TimestampMixin, db.Model):
    """A fiche action of a contract, numbered `<axis>.<rank>` (FICHE_ACTION.md §A.2)."""

    __tablename__ = "fiches"
    __table_args__ = (UniqueConstraint("axis_id", "rank"), CheckConstraint("rank >= 1", name="rank_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id", ondelete="RESTRICT"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id", ondelete="SET NULL"), default=None)
    rank: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(250))
    general_objective: Mapped[str] = mapped_column(Text, default="")
    specific_objectives: Mapped[list] = mapped_column(JSON, default=list)   # numbered in order of the list
    context: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    elected_referent: Mapped[str] = mapped_column(String(200), default="")
    publics: Mapped[list] = mapped_column(JSON, default=list)              # TargetPublic values
    publics_detail: Mapped[str] = mapped_column(Text, default="")
    whole_territory: Mapped[bool] = mapped_column(Boolean, default=True)
    starts_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False)         # « action pérenne »
    calendar: Mapped[str] = mapped_column(Text, default="")
    means: Mapped[str] = mapped_column(Text, default="")                  # human and technical means
    expected_results: Mapped[str] = mapped_column(Text, default="")
    participation_level: Mapped[ParticipationLevel | None] = mapped_column(
        enum_column(ParticipationLevel, "fiche_participation"), default=None)
    participation_detail: Mapped[str] = mapped_column(Text, default="")
    programme_links: Mapped[str] = mapped_column(Text, default="")         # PRS, PRSE, PTSM…
    priority: Mapped[Priority | None] = mapped_column(enum_column(Priority, "fiche_priority"), default=None)
    governance_body_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_bodies.id", ondelete="SET NULL"), default=None)
    status: Mapped[FicheStatus] = mapped_column(enum_column(FicheStatus, "fiche_status"), default=FicheStatus.DRAFT)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    avenant_id: Mapped[int | None] = mapped_column(ForeignKey("contract_avenants.id", ondelete="SET NULL"),
                                                   default=None)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("fiches.id", ondelete="SET NULL"), default=None)
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    # The one-time token of the form that created the fiche: a double click or a replay finds it, never a twin.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)

    contract: Mapped[Contract] = relationship()
    axis: Mapped[Axis] = relationship()
    objective: Mapped[Objective | None] = relationship()
    avenant: Mapped[Avenant | None] = relationship()
    governance_body = relationship("GovernanceBody")
    copied_from: Mapped[Fiche | None] = relationship(remote_side=[id])
    communes: Mapped[list[Commune]] = relationship(secondary=fiche_communes, order_by=Commune.name)
    partners: Mapped[list[FichePartner]] = relationship(
        back_populates="fiche", order_by="FichePartner.position", cascade="all, delete-orphan")
    fundings: Mapped[list[Funding]] = relationship(
        back_populates="fiche", order_by="Funding.position", cascade="all, delete-orphan")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="fiche", order_by="Indicator.position", cascade="all, delete-orphan")
    steps: Mapped[list[Step]] = relationship(
        back_populates="fiche", order_by="Step.position", cascade="all, delete-orphan")
    notes: Mapped[list[FollowUpNote]] = relationship(
        back_populates="fiche", order_by="FollowUpNote.written_on.desc()", cascade="all, delete-orphan")
    versions: Mapped[list[FicheVersion]] = relationship(
        back_populates="fiche", order_by="FicheVersion.number", cascade="all, delete-orphan")
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="fiche", order_by="StatusChange.id", cascade="all, delete-orphan")
    citations = relationship("Citation", back_populates="fiche", order_by="Citation.position",
                             cascade="all, delete-orphan")

    @property
    def territory(self) -> Territory:
        return self.contract.territory

    @property
    def number(self) -> str:
        """« 1.2 »: the axis's rank in the contract, then the fiche's rank in the axis."""
        return f"{self.axis.number}.{self.rank}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def leads(self) -> list[FichePartner]:
        return [p for p in self.partners if p.role is PartnerRole.LEAD]

    @property
    def progress(self) -> int | None:
        """Percentage of steps done (None without steps); a done fiche is 100."""
        if self.status is FicheStatus.DONE:
            return 100
        if not self.steps:
            return None
        return round(100 * sum(s.state is StepState.DONE for s in self.steps) / len(self.steps))


class FichePartner(db.Model):
    """An organisation in a fiche: lead (porteur), partner or funder."""

    __tablename__ = "fiche_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    role: Mapped[PartnerRole] = mapped_column(enum_column(PartnerRole, "fiche_partner_role"))
    organisation: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    fiche: Mapped[Fiche] = relationship(back_populates="partners")


class Funding(db.Model):
    """A planned amount from one funder, for operating or investment."""

    __tablename__ = "fiche_fundings"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    funder: Mapped[str] = mapped_column(String(200))
    kind: Mapped[FundingKind] = mapped_column(enum_column(FundingKind, "funding_kind"), default=FundingKind.OPERATING)
    amount: Mapped[int] = mapped_column(Integer)         # whole euros
    year: Mapped[int | None] = mapped_column(Integer, default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)

    fiche: Mapped[Fiche] = relationship(back_populates="fundings")


class Indicator(db.Model):
    """An evaluation indicator: what is measured, its target, where the figure comes from and how often."""

    __tablename__ = "fiche_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    kind: Mapped[IndicatorKind] = mapped_column(enum_column(IndicatorKind, "indicator_kind"))
    name: Mapped[str] = mapped_column(String(250))
    target: Mapped[float | None] = mapped_column(Float, default=None)
    unit: Mapped[str] = mapped_column(String(40), default="")      # "", "%", "personnes"…
    source: Mapped[str] = mapped_column(String(250), default="")
    frequency: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    fiche: Mapped[Fiche] = relationship(back_populates="indicators")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", order_by="IndicatorValue.year", cascade="all, delete-orphan")

    @property
    def territory(self) -> Territory:
        return self.fiche.territory


class IndicatorValue(db.Model):
    """The value an indicator reached in a year."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("fiche_indicators.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="values")


class Step(db.Model):
    """A step of the action, with its state."""

    __tablename__ = "fiche_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(250))
    state: Mapped[StepState] = mapped_column(enum_column(StepState, "fiche_step_state"), default=StepState.TODO)
    due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    done_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)

    fiche: Mapped[Fiche] = relationship(back_populates="steps")

    @property
    def territory(self) -> Territory:
        return self.fiche.territory


class FollowUpNote(db.Model):
    """A dated follow-up note (« point de vigilance », annual review remark)."""

    __tablename__ = "fiche_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    written_on: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    fiche: Mapped[Fiche] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()

    @property
    def territory(self) -> Territory:
        return self.fiche.territory


class FicheVersion(db.Model):
    """The whole fiche as it was saved (content as JSON): every save keeps one, never updated."""

    __tablename__ = "fiche_versions"
    __table_args__ = (UniqueConstraint("fiche_id", "number"), CheckConstraint("number >= 1", name="number_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    avenant_id: Mapped[int | None] = mapped_column(ForeignKey("contract_avenants.id", ondelete="SET NULL"),
                                                   default=None)
    content: Mapped[dict] = mapped_column(JSON)

    fiche: Mapped[Fiche] = relationship(back_populates="versions")
    saved_by: Mapped[User | None] = relationship()
    avenant: Mapped[Avenant | None] = relationship()

    @property
    def territory(self) -> Territory:
        return self.fiche.territory


class StatusChange(db.Model):
    """A fiche's status history: who or which body decided, and when."""

    __tablename__ = "fiche_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    previous: Mapped[FicheStatus | None] = mapped_column(enum_column(FicheStatus, "status_change_previous"),
                                                         default=None)
    status: Mapped[FicheStatus] = mapped_column(enum_column(FicheStatus, "status_change_status"))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("governance_decisions.id", ondelete="SET NULL"),
                                                    default=None)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    fiche: Mapped[Fiche] = relationship(back_populates="status_changes")
    decision = relationship("Decision")
    actor: Mapped[User | None] = relationship()
