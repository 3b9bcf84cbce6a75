"""The sheets of the action plan: published fiches of the current contract, one row each with its axis path first
(as the public plan page orders them), and their indicators with the first and latest values recorded."""
from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.diagnostic.workbook.scope import Scope, axis_number, day, text
from consult.exports.writers import Row
from consult.extensions import db
from consult.synthesis.fiches.pages import budget_of
from consult.synthesis.models import Fiche, Indicator, PartnerRole, TargetPublic


def published_fiches(scope: Scope) -> list[Fiche]:
    """The current contract's published fiches, in the plan's order: axis, objective, rank."""
    if scope.contract is None:
        return []
    fiches = list(db.session.scalars(
        select(Fiche).where(Fiche.contract_id == scope.contract.id, Fiche.published_at.is_not(None))
        .options(selectinload(Fiche.axis), selectinload(Fiche.objective), selectinload(Fiche.partners),
                 selectinload(Fiche.fundings), selectinload(Fiche.steps), selectinload(Fiche.communes),
                 selectinload(Fiche.indicators).selectinload(Indicator.values))))
    return sorted(fiches, key=lambda f: (f.axis.position, f.axis_id, f.objective.position if f.objective else 1 << 30,
                                         f.rank, f.id))


def _public_label(value: str) -> str:
    return text(TargetPublic(value).label) if value in TargetPublic.__members__.values() else value


def _number(value: float | None) -> int | float | None:
    """A stored figure as a reader writes it: 60, not 60.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _joined(items) -> str | None:
    return "; ".join(items) or None


FICHE_WIDTHS = (8, 40, 40, 9, 50, 22, 11, 11, 34, 40, 40, 13, 13, 13, 12, 12, 12, 36, 36, 20, 13)


def fiche_rows(scope: Scope) -> Iterator[Row]:
    """One row per published fiche: axis, objective, number, title, status, pilot, partners, budget, dates…"""
    yield [_("Axis no."), _("Axis"), _("Objective"), _("No."), _("Title"), _("Status"), _("Progress (%)"),
           _("Priority"), _("Lead organisation"), _("Partners"), _("Funders"), _("Operating budget (€)"),
           _("Investment budget (€)"), _("Total budget (€)"), _("Start date"), _("End date"), _("Ongoing action"),
           _("Target publics"), _("Communes"), _("Residents' participation"), _("Published on")]
    for fiche in published_fiches(scope):
        budget = budget_of(fiche)
        yield [axis_number(fiche.axis), fiche.axis.title, fiche.objective.title if fiche.objective else None,
               fiche.number, fiche.title, text(fiche.status.label), fiche.progress,
               text(fiche.priority.label) if fiche.priority else None,
               _joined(p.organisation for p in fiche.partners if p.role is PartnerRole.LEAD),
               _joined(p.organisation for p in fiche.partners if p.role is PartnerRole.PARTNER),
               _joined(name for name, _op, _inv, _total in budget.funders),
               budget.operating, budget.investment, budget.total, fiche.starts_on, fiche.ends_on,
               _("yes") if fiche.ongoing else _("no"),
               _joined(_public_label(v) for v in fiche.publics),
               _("Whole territory") if fiche.whole_territory else _joined(c.name for c in fiche.communes),
               text(fiche.participation_level.label) if fiche.participation_level else None,
               day(fiche.published_at)]


INDICATOR_WIDTHS = (9, 40, 44, 12, 12, 12, 12, 12, 12, 12, 30, 18)


def indicator_rows(scope: Scope) -> Iterator[Row]:
    """One row per indicator of a published fiche: its baseline (first value recorded), target and latest value."""
    yield [_("No."), _("Fiche"), _("Indicator"), _("Kind"), _("Unit"), _("Baseline"), _("Baseline year"),
           _("Target value"), _("Latest value"), _("Year of the latest value"), _("Data source"), _("Frequency")]
    for fiche in published_fiches(scope):
        for indicator in fiche.indicators:
            values = sorted(indicator.values, key=lambda v: v.year)
            first, last = (values[0], values[-1]) if values else (None, None)
            yield [fiche.number, fiche.title, indicator.name, text(indicator.kind.label), indicator.unit or None,
                   _number(first.value) if first else None, first.year if first else None,
                   _number(indicator.target), _number(last.value) if last else None, last.year if last else None, indicator.source or None,
                   indicator.frequency or None]
