"""Writing fiches actions: create and edit (every save keeps a version), publish, avenants, compare versions."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from consult.errors import InvalidInput, NotFound
from consult.extensions import db
from consult.synthesis.fiches.versions import keep_version, next_rank
from consult.synthesis.outcomes import notify_taken_up
from consult.synthesis.models import (
    Avenant,
    Fiche,
    FichePartner,
    FicheVersion,
    Funding,
    FundingKind,
    GovernanceBody,
    Indicator,
    IndicatorKind,
    ParticipationLevel,
    PartnerRole,
    Priority,
    Step,
    TargetPublic,
)
from consult.synthesis.permissions import can_manage_plan
from consult.territories.models import Axis, Commune, Contract, Phase
from consult.territories.permissions import require

MAX_AMOUNT = 1_000_000_000          # whole euros; far above any fiche, far below the column's limit
MAX_TARGET = 1e12
YEARS = range(1990, 2101)
SIGNED_PHASES = (Phase.SIGNED, Phase.EVALUATION, Phase.ENDED)


@dataclass
class PartnerData:
    """An organisation of the fiche and its role (lead, partner, funder)."""

    role: str
    organisation: str
    contact: str = ""


@dataclass
class FundingData:
    """A planned amount from one funder (whole euros), operating or investment, optionally for a year."""

    funder: str
    amount: int
    kind: str = FundingKind.OPERATING.value
    year: int | None = None


@dataclass
class IndicatorData:
    """An evaluation indicator; `id` keeps an existing one (and its yearly values) when the fiche is edited."""

    name: str
    kind: str = IndicatorKind.RESULT.value
    target: float | None = None
    unit: str = ""
    source: str = ""
    frequency: str = ""
    id: int | None = None


@dataclass
class StepData:
    """A step; `id` keeps an existing one (and its state) when the fiche is edited."""

    title: str
    due_on: dt.date | None = None
    id: int | None = None


@dataclass
class FicheData:
    """Everything a writer fills in on a fiche (FICHE_ACTION.md §A.2), in the order of the form."""

    title: str
    axis_id: int | None
    objective_id: int | None = None
    general_objective: str = ""
    specific_objectives: list[str] = field(default_factory=list)
    context: str = ""
    description: str = ""
    steps: list[StepData] = field(default_factory=list)
    partners: list[PartnerData] = field(default_factory=list)
    elected_referent: str = ""
    publics: list[str] = field(default_factory=list)
    publics_detail: str = ""
    whole_territory: bool = True
    commune_ids: list[int] = field(default_factory=list)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    ongoing: bool = False
    calendar: str = ""
    means: str = ""
    fundings: list[FundingData] = field(default_factory=list)
    indicators: list[IndicatorData] = field(default_factory=list)
    expected_results: str = ""
    participation_level: str | None = None
    participation_detail: str = ""
    programme_links: str = ""
    priority: str | None = None
    governance_body_id: int | None = None
    avenant_id: int | None = None

    @classmethod
    def of(cls, fiche: Fiche) -> FicheData:
        """The fiche as the edit form shows it."""
        return cls(
            title=fiche.title, axis_id=fiche.axis_id, objective_id=fiche.objective_id,
            general_objective=fiche.general_objective, specific_objectives=list(fiche.specific_objectives or []),
            context=fiche.context, description=fiche.description,
            steps=[StepData(s.title, s.due_on, s.id) for s in fiche.steps],
            partners=[PartnerData(p.role.value, p.organisation, p.contact) for p in fiche.partners],
            elected_referent=fiche.elected_referent, publics=list(fiche.publics or []),
            publics_detail=fiche.publics_detail, whole_territory=fiche.whole_territory,
            commune_ids=[c.id for c in fiche.communes], starts_on=fiche.starts_on, ends_on=fiche.ends_on,
            ongoing=fiche.ongoing, calendar=fiche.calendar, means=fiche.means,
            fundings=[FundingData(f.funder, f.amount, f.kind.value, f.year) for f in fiche.fundings],
            indicators=[IndicatorData(i.name, i.kind.value, i.target, i.unit, i.source, i.frequency, i.id)
                        for i in fiche.indicators],
            expected_results=fiche.expected_results,
            participation_level=fiche.participation_level.value if fiche.participation_level else None,
            participation_detail=fiche.participation_detail, programme_links=fiche.programme_links,
            priority=fiche.priority.value if fiche.priority else None,
            governance_body_id=fiche.governance_body_id, avenant_id=fiche.avenant_id)


def is_signed(contract: Contract) -> bool:
    """A signed contract changes only by avenant."""
    return contract.phase in SIGNED_PHASES


def avenants_of(contract: Contract) -> list[Avenant]:
    return list(db.session.scalars(select(Avenant).where(Avenant.contract_id == contract.id)
                                   .order_by(Avenant.number)))


def bodies_of(contract: Contract) -> list[GovernanceBody]:
    return list(db.session.scalars(select(GovernanceBody).where(GovernanceBody.contract_id == contract.id)
                                   .order_by(GovernanceBody.id)))


def fiche_by_token(token: str | None) -> Fiche | None:
    """The fiche a form with this one-time token already created, if any."""
    if not token:
        return None
    return db.session.scalar(select(Fiche).where(Fiche.form_token == token))


def _enum(kind, value, message: str, name: str, *, optional: bool = False):
    if optional and not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(message, field=name) from None


def _axis(contract: Contract, data: FicheData) -> Axis:
    axis = next((a for a in contract.active_axes if a.id == data.axis_id), None)
    if axis is None:
        raise InvalidInput(_("Choose an axis of this contract."), field="axis_id")
    return axis


def _apply(fiche: Fiche, contract: Contract, axis: Axis, data: FicheData) -> Avenant | None:
    """Check `data` against the contract and write it on the fiche; returns the avenant chosen, if any."""
    title = data.title.strip()
    if not title:
        raise InvalidInput(_("Give the action a title."), field="title")
    if len(title) > 250:
        raise InvalidInput(_("The title is too long (250 characters at most)."), field="title")
    objective = None
    if data.objective_id:
        objective = next((o for o in axis.active_objectives if o.id == data.objective_id), None)
        if objective is None:
            raise InvalidInput(_("This objective does not belong to the chosen axis."), field="objective_id")
    publics = list(dict.fromkeys(data.publics))
    for value in publics:
        _enum(TargetPublic, value, _("Choose target publics from the list."), "publics")
    communes: list[Commune] = []
    if not data.whole_territory:
        ids = set(data.commune_ids)
        communes = list(db.session.scalars(select(Commune).where(
            Commune.territory_id == contract.territory_id, Commune.id.in_(ids or {0}))))
        if not communes or len(communes) != len(ids):
            raise InvalidInput(_("Choose the communes concerned, or the whole territory."), field="commune_ids")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise InvalidInput(_("The end comes before the start."), field="ends_on")
    partners = [_partner(p, n) for n, p in enumerate(p for p in data.partners if p.organisation.strip())]
    fundings = [_funding(f, n) for n, f in enumerate(f for f in data.fundings if f.funder.strip())]
    level = _enum(ParticipationLevel, data.participation_level, _("Choose a level from the list."),
                  "participation_level", optional=True)
    priority = _enum(Priority, data.priority, _("Choose a priority from the list."), "priority", optional=True)
    body = None
    if data.governance_body_id:
        body = db.session.get(GovernanceBody, data.governance_body_id)
        if body is None or body.contract_id != contract.id:
            raise InvalidInput(_("Choose a governance body of this contract."), field="governance_body_id")
    avenant = None
    if data.avenant_id:
        avenant = db.session.get(Avenant, data.avenant_id)
        if avenant is None or avenant.contract_id != contract.id:
            raise InvalidInput(_("Choose an avenant of this contract."), field="avenant_id")
        if not is_signed(contract):
            raise InvalidInput(_("Avenants amend a signed contract; this one is not signed yet."),
                               field="avenant_id")
    _indicators(fiche, data.indicators)
    _steps(fiche, data.steps)

    fiche.title, fiche.objective = title, objective
    fiche.general_objective = data.general_objective.strip()
    fiche.specific_objectives = [o.strip() for o in data.specific_objectives if o.strip()]
    fiche.context, fiche.description = data.context.strip(), data.description.strip()
    fiche.partners = partners
    fiche.elected_referent = data.elected_referent.strip()[:200]
    fiche.publics, fiche.publics_detail = publics, data.publics_detail.strip()
    fiche.whole_territory, fiche.communes = data.whole_territory, communes
    fiche.starts_on, fiche.ends_on, fiche.ongoing = data.starts_on, data.ends_on, data.ongoing
    fiche.calendar, fiche.means = data.calendar.strip(), data.means.strip()
    fiche.fundings = fundings
    fiche.expected_results = data.expected_results.strip()
    fiche.participation_level, fiche.participation_detail = level, data.participation_detail.strip()
    fiche.programme_links = data.programme_links.strip()
    fiche.priority, fiche.governance_body = priority, body
    if avenant is not None:
        fiche.avenant = avenant
    return avenant


def _partner(data: PartnerData, position: int) -> FichePartner:
    role = _enum(PartnerRole, data.role, _("Choose the role of each organisation."), "partners")
    return FichePartner(role=role, organisation=data.organisation.strip()[:200], contact=data.contact.strip()[:300],
                        position=position)


def _funding(data: FundingData, position: int) -> Funding:
    kind = _enum(FundingKind, data.kind, _("Choose operating or investment."), "fundings")
    if data.amount is None or not 0 <= data.amount <= MAX_AMOUNT:
        raise InvalidInput(_("Each amount is a whole number of euros, from 0 to one billion."), field="fundings")
    if data.year is not None and data.year not in YEARS:
        raise InvalidInput(_("A funding's year is between 1990 and 2100."), field="fundings")
    return Funding(funder=data.funder.strip()[:200], kind=kind, amount=int(data.amount), year=data.year,
                   position=position)


def _indicators(fiche: Fiche, rows: list[IndicatorData]) -> None:
    """Update the indicators in place: an indicator kept keeps its yearly values."""
    existing = {i.id: i for i in fiche.indicators}
    kept: list[Indicator] = []
    for position, row in enumerate(r for r in rows if r.name.strip()):
        kind = _enum(IndicatorKind, row.kind, _("Choose the kind of each indicator."), "indicators")
        if row.target is not None and not -MAX_TARGET <= row.target <= MAX_TARGET:
            raise InvalidInput(_("An indicator's target is too large."), field="indicators")
        indicator = existing.pop(row.id, None) if row.id else None
        indicator = indicator or Indicator()
        indicator.kind, indicator.name, indicator.target = kind, row.name.strip()[:250], row.target
        indicator.unit, indicator.source = row.unit.strip()[:40], row.source.strip()[:250]
        indicator.frequency, indicator.position = row.frequency.strip()[:120], position
        kept.append(indicator)
    fiche.indicators = kept


def _steps(fiche: Fiche, rows: list[StepData]) -> None:
    """Update the steps in place: a step kept keeps its state."""
    existing = {s.id: s for s in fiche.steps}
    kept: list[Step] = []
    for position, row in enumerate(r for r in rows if r.title.strip()):
        step = (existing.pop(row.id, None) if row.id else None) or Step()
        step.title, step.due_on, step.position = row.title.strip()[:250], row.due_on, position
        kept.append(step)
    fiche.steps = kept


def create_fiche(actor, contract: Contract, data: FicheData, *, now: dt.datetime, token: str | None = None) -> Fiche:
    """Write a new draft fiche at the end of its axis and keep its first version. `token` is the form's one-time
    token: a form sent twice gets the fiche it created the first time (the database refuses a second one).

    Raises PermissionDenied (not a coordinator of the territory), InvalidInput (on the field at fault).
    """
    require(can_manage_plan(actor, contract.territory))
    existing = fiche_by_token(token)
    if existing is not None:
        if existing.contract_id == contract.id:
            return existing
        token = None  # a token of another contract's form: not this form's replay
    axis = _axis(contract, data)
    fiche = Fiche(contract=contract, axis=axis, rank=next_rank(axis), title=data.title.strip(), form_token=token)
    fiche.specific_objectives, fiche.publics = [], []
    avenant = _apply(fiche, contract, axis, data)
    db.session.add(fiche)
    keep_version(fiche, actor=actor, now=now, avenant=avenant)
    return fiche


def update_fiche(actor, fiche: Fiche, data: FicheData, *, now: dt.datetime) -> Fiche:
    """Save the fiche as written and keep a version. A fiche moved to another axis takes the next number there.

    Raises PermissionDenied, InvalidInput (on the field at fault).
    """
    require(can_manage_plan(actor, fiche.territory))
    axis = _axis(fiche.contract, data)
    if axis.id != fiche.axis_id:
        fiche.rank = next_rank(axis)
        fiche.axis = axis
    avenant = _apply(fiche, fiche.contract, axis, data)
    fiche.updated_at = now
    keep_version(fiche, actor=actor, now=now, avenant=avenant)
    return fiche


def publish_fiche(actor, fiche: Fiche, *, now: dt.datetime) -> Fiche:
    """Show the fiche on the public action plan (nothing happens if it already is). Raises PermissionDenied."""
    require(can_manage_plan(actor, fiche.territory))
    if fiche.published_at is None:
        fiche.published_at = now
        db.session.flush()
        notify_taken_up(fiche, now=now)  # authors and followers of the proposals it cites, once each
    return fiche


def unpublish_fiche(actor, fiche: Fiche, *, now: dt.datetime) -> Fiche:
    """Take the fiche off the public action plan. Raises PermissionDenied."""
    require(can_manage_plan(actor, fiche.territory))
    fiche.published_at = None
    db.session.flush()
    return fiche


def add_avenant(actor, contract: Contract, title: str, signed_on: dt.date | None) -> Avenant:
    """Record an avenant to the contract, numbered after the last one.

    Raises PermissionDenied, InvalidInput (no title; the contract is not signed).
    """
    require(can_manage_plan(actor, contract.territory))
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("Give the avenant a title."), field="title")
    if not is_signed(contract):
        raise InvalidInput(_("Avenants amend a signed contract; this one is not signed yet."), field="title")
    number = 1 + (db.session.scalar(select(func.max(Avenant.number)).where(Avenant.contract_id == contract.id))
                  or 0)
    avenant = Avenant(contract=contract, number=number, title=title[:200], signed_on=signed_on)
    db.session.add(avenant)
    db.session.flush()
    return avenant


def get_version(fiche: Fiche, number: int | None) -> FicheVersion:
    """The fiche's version with this number. Raises NotFound."""
    version = next((v for v in fiche.versions if v.number == number), None)
    if version is None:
        raise NotFound(_("This version does not exist."))
    return version
