"""What the plan's pages show, loaded in a few queries: the plan by axis and objective, a fiche's budget and
evidence, the avenants' fiches."""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, inspect, select
from sqlalchemy.orm import joinedload, selectinload, with_expression
from sqlalchemy.orm.attributes import set_committed_value

from consult.extensions import db
from consult.synthesis.fiches import evidence
from consult.groups.models import Idea
from consult.proposals.models import Comment, Support
from consult.surveys.releases.models import SurveyRelease
from consult.synthesis.models import (
    fiche_communes,
    BodySession,
    Citation,
    CitationKind,
    Decision,
    Fiche,
    FicheVersion,
    FollowUpNote,
    FundingKind,
    Indicator,
    StatusChange,
    TaggedText,
)
from consult.territories.models import Axis, Commune, Contract, Objective, Territory


def _core() -> tuple:
    """The fiche with what names and places it (its number reads the contract's axes; forms list their
    objectives): two queries."""
    return (joinedload(Fiche.contract).selectinload(Contract.axes).joinedload(Axis.objectives),
            joinedload(Fiche.axis), joinedload(Fiche.objective), joinedload(Fiche.avenant),
            joinedload(Fiche.governance_body))


def _parts() -> tuple:
    """The fiche's repeated parts but its communes, one query each (the partners come with the fiche's row, an
    indicator's values with it: a single collection joined per query never multiplies rows)."""
    return (joinedload(Fiche.partners), selectinload(Fiche.fundings),
            selectinload(Fiche.indicators).joinedload(Indicator.values), selectinload(Fiche.steps))


def _fields() -> tuple:
    return (*_parts(), selectinload(Fiche.communes))


def _follow_up() -> tuple:
    """The follow-up panel: status history (with the body that decided) and notes, one query each."""
    return (selectinload(Fiche.notes).joinedload(FollowUpNote.author),
            selectinload(Fiche.status_changes).options(
                joinedload(StatusChange.actor),
                joinedload(StatusChange.decision).joinedload(Decision.session).joinedload(BodySession.body)))


def _citations() -> tuple:
    """The evidence the fiche cites, with each source and a cited proposal's supports, in one query."""
    supports = (select(func.count(Support.id)).where(Support.proposal_id == Citation.proposal_id)
                .correlate(Citation).scalar_subquery())
    return (selectinload(Fiche.citations).options(
        with_expression(Citation.proposal_supports, supports),
        joinedload(Citation.release).joinedload(SurveyRelease.survey), joinedload(Citation.proposal),
        joinedload(Citation.idea).joinedload(Idea.meeting), joinedload(Citation.group),
        joinedload(Citation.tagged_text).options(
            joinedload(TaggedText.answer), joinedload(TaggedText.meeting),
            joinedload(TaggedText.comment).joinedload(Comment.proposal))),)


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def fiche_page_options() -> tuple:
    """Everything a fiche's page and its files walk, loaded with the fiche (versions apart: `versions_options`) in
    eight queries. The contract's axes (a contract has a handful) are joined to the fiche's row with its partners:
    two collections in one query multiply their rows, which only stays small for such short lists."""
    return (joinedload(Fiche.contract).joinedload(Contract.axes), joinedload(Fiche.axis), joinedload(Fiche.objective),
            joinedload(Fiche.avenant), joinedload(Fiche.governance_body), *_fields(), *_follow_up(), *_citations())


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def document_options() -> tuple:
    """What a fiche's file (PDF, ODT) and the action plan document print: its fields and repeated parts."""
    return (*_core(), *_fields())


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def core_options() -> tuple:
    """A fiche with its name and number only."""
    return _core()


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def versions_options() -> tuple:
    """What the versions and the comparison pages walk: the fiche's name and its versions."""
    return (*_core(), selectinload(Fiche.versions).options(joinedload(FicheVersion.saved_by),
                                                           joinedload(FicheVersion.avenant)))


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def form_options() -> tuple:
    """What the edit form reads but the communes (`communes_for_form` loads them with the territory's)."""
    return (*_core(), *_parts())


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def followup_options() -> tuple:
    """What a fiche's follow-up page and panel walk: status history, notes, steps, indicators and their values."""
    return (*_core(), *_follow_up(), selectinload(Fiche.indicators).joinedload(Indicator.values),
            selectinload(Fiche.steps))


def published_fiche(territory: Territory, fiche_id: int, *, options=()) -> Fiche | None:
    """A published fiche of the territory with `options`, or None: a draft's public pages are a 404 that loads
    nothing else."""
    if not 0 < fiche_id <= evidence.MAX_ID:
        return None
    return db.session.scalars(select(Fiche).join(Contract, Contract.id == Fiche.contract_id)
                              .where(Fiche.id == fiche_id, Contract.territory_id == territory.id,
                                     Fiche.published_at.is_not(None)).options(*options)).unique().first()


@dataclass
class ObjectiveGroup:
    objective: Objective | None
    fiches: list[Fiche] = field(default_factory=list)


@dataclass
class AxisPlan:
    axis: Axis
    groups: list[ObjectiveGroup]

    @property
    def count(self) -> int:
        return sum(len(g.fiches) for g in self.groups)


def _fiches(contract: Contract, *, published_only: bool = False) -> list[Fiche]:
    statement = (select(Fiche).where(Fiche.contract_id == contract.id)
                 .options(selectinload(Fiche.partners), selectinload(Fiche.steps), selectinload(Fiche.axis))
                 .order_by(Fiche.axis_id, Fiche.rank))
    if published_only:
        statement = statement.where(Fiche.published_at.is_not(None))
    return list(db.session.scalars(statement))


def plan_of(contract: Contract, *, published_only: bool = False) -> list[AxisPlan]:
    """The contract's fiches per axis (in the contract's order), then per objective (fiches without one last)."""
    by_axis: dict[int, list[Fiche]] = defaultdict(list)
    for fiche in _fiches(contract, published_only=published_only):
        by_axis[fiche.axis_id].append(fiche)
    plan = []
    for axis in contract.axes:
        fiches = by_axis.get(axis.id, [])
        if axis.is_archived and not fiches:
            continue
        groups = [ObjectiveGroup(o, [f for f in fiches if f.objective_id == o.id]) for o in axis.objectives]
        groups = [g for g in groups if g.fiches]
        known = {o.id for o in axis.objectives}
        rest = [f for f in fiches if f.objective_id not in known]
        if rest:
            groups.append(ObjectiveGroup(None, rest))
        plan.append(AxisPlan(axis, groups))
    return plan


def communes_of(territory: Territory) -> list[Commune]:
    return list(db.session.scalars(select(Commune).where(Commune.territory_id == territory.id).order_by(Commune.name)))


def communes_for_form(territory: Territory, fiche: Fiche | None) -> list[Commune]:
    """The territory's communes by name, in one query that also fills `fiche.communes` (those it covers)."""
    if fiche is None or "communes" in inspect(fiche).dict:
        return communes_of(territory)
    rows = db.session.execute(
        select(Commune, fiche_communes.c.fiche_id)
        .outerjoin(fiche_communes, and_(fiche_communes.c.commune_id == Commune.id,
                                        fiche_communes.c.fiche_id == fiche.id))
        .where(Commune.territory_id == territory.id).order_by(Commune.name, Commune.id)).all()
    set_committed_value(fiche, "communes", [commune for commune, linked in rows if linked is not None])
    return [commune for commune, _linked in rows]


@dataclass
class Budget:
    """A fiche's planned funding: per funder (operating, investment, total) and in total."""

    funders: list[tuple[str, int, int, int]]
    operating: int
    investment: int

    @property
    def total(self) -> int:
        return self.operating + self.investment


def budget_of(fiche: Fiche) -> Budget:
    per: dict[str, list[int]] = {}
    for funding in fiche.fundings:
        row = per.setdefault(funding.funder, [0, 0])
        row[0 if funding.kind is FundingKind.OPERATING else 1] += funding.amount
    funders = [(name, op, inv, op + inv) for name, (op, inv) in per.items()]
    return Budget(funders, sum(f[1] for f in funders), sum(f[2] for f in funders))


@dataclass
class FichePage:
    budget: Budget
    citations: dict[CitationKind, list]
    figures: dict[int, evidence.FigureQuote]
    supports: dict[int, int]
    free_texts: bool


def fiche_page(fiche: Fiche, *, free_texts: bool, public: bool = False) -> FichePage:
    """What a fiche's page shows besides its fields. `free_texts`: the reader may read survey free-text answers."""
    grouped = evidence.citations_by_kind(fiche, public=public)
    figures = {c.id: evidence.quote_figure(c) for c in grouped.get(CitationKind.SURVEY_FIGURE, [])}
    return FichePage(budget_of(fiche), grouped, figures, evidence.supports_by_proposal(fiche), free_texts)


def fiches_by_avenant(contract: Contract) -> dict[int, list[Fiche]]:
    """The fiches recorded under each avenant of the contract."""
    found: dict[int, list[Fiche]] = defaultdict(list)
    for fiche in db.session.scalars(select(Fiche).where(Fiche.contract_id == contract.id,
                                                        Fiche.avenant_id.is_not(None))
                                    .options(joinedload(Fiche.contract).selectinload(Contract.axes))
                                    .order_by(Fiche.axis_id, Fiche.rank)):
        found[fiche.avenant_id].append(fiche)
    return found


def template_helpers() -> dict:
    """Formatting the plan's pages share: euros and percentages in the reader's locale."""
    from flask_babel import format_percent

    from consult.synthesis.fiches.compare import euros

    from consult.synthesis.models import TargetPublic

    def public_label(value: str) -> str:
        return TargetPublic(value).label if value in TargetPublic.__members__.values() else value

    return {"euros": euros, "percent": lambda value: format_percent(value, format="#,##0 %"),
            "public_label": public_label}
