"""What the plan's pages show, loaded in a few queries: the plan by axis and objective, a fiche's budget and
evidence, the avenants' fiches."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from consult.extensions import db
from consult.synthesis.fiches import evidence
from consult.groups.models import Idea
from consult.proposals.models import Comment
from consult.surveys.releases.models import SurveyRelease
from consult.synthesis.models import (
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


def fiche_page_options() -> tuple:
    """Everything a fiche's pages walk (its number reads the contract's axes), loaded with the fiche."""
    return (
        joinedload(Fiche.contract).selectinload(Contract.axes), joinedload(Fiche.axis), joinedload(Fiche.objective),
        joinedload(Fiche.avenant), joinedload(Fiche.governance_body),
        selectinload(Fiche.partners), selectinload(Fiche.fundings),
        selectinload(Fiche.indicators).selectinload(Indicator.values), selectinload(Fiche.steps),
        selectinload(Fiche.communes),
        # the follow-up panel: status history (with the body that decided) and notes
        selectinload(Fiche.notes).selectinload(FollowUpNote.author),
        selectinload(Fiche.status_changes).selectinload(StatusChange.actor),
        selectinload(Fiche.status_changes).selectinload(StatusChange.decision)
        .selectinload(Decision.session).selectinload(BodySession.body),
        selectinload(Fiche.versions).options(joinedload(FicheVersion.saved_by), joinedload(FicheVersion.avenant)),
        selectinload(Fiche.citations).options(
            joinedload(Citation.release).joinedload(SurveyRelease.survey), joinedload(Citation.proposal),
            joinedload(Citation.idea).joinedload(Idea.meeting), joinedload(Citation.group),
            joinedload(Citation.tagged_text).options(
                joinedload(TaggedText.answer), joinedload(TaggedText.meeting),
                joinedload(TaggedText.comment).joinedload(Comment.proposal))),
    )


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
