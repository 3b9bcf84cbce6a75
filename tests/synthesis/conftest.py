"""Factories for the action plan on Terres des Confluences (its current contract has two axes)."""
from __future__ import annotations

import datetime as dt

import pytest

from consult.extensions import db
from consult.synthesis.models import (
    Fiche,
    FichePartner,
    FicheStatus,
    Funding,
    FundingKind,
    Indicator,
    IndicatorKind,
    PartnerRole,
)


@pytest.fixture(autouse=True)
def english(app):
    """Pages and emails in English: the msgids, so assertions do not depend on the compiled French catalogue."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


@pytest.fixture
def make_fiche(app, territory):
    """A fiche of the territory's current contract, on its first axis unless `axis` is given: rows only (no
    version), for tests that need a fiche to exist; the fiche services' own tests create fiches through them."""

    def factory(title="Déployer des formations Premiers secours en santé mentale", *, axis=None, rank=None,
                status=FicheStatus.DRAFT, published=False, **fields) -> Fiche:
        contract = territory.current_contract
        axis = axis or contract.active_axes[0]
        rank = rank or 1 + max((f.rank for f in db.session.scalars(
            db.select(Fiche).where(Fiche.axis_id == axis.id))), default=0)
        fiche = Fiche(contract=contract, axis=axis, rank=rank, title=title, status=status,
                      general_objective="Améliorer le repérage précoce de la souffrance psychique",
                      context="Le diagnostic relève une mortalité par suicide supérieure à la moyenne régionale.",
                      published_at=dt.datetime(2026, 10, 1, 9, 0) if published else None, **fields)
        fiche.partners = [FichePartner(role=PartnerRole.LEAD, organisation="CC Terres des Confluences",
                                       contact="Coordinatrice CLS", position=0),
                          FichePartner(role=PartnerRole.PARTNER, organisation="CPTS Quercy Garonne", position=1)]
        fiche.fundings = [Funding(funder="ARS Occitanie (FIR)", kind=FundingKind.OPERATING, amount=6000, position=0)]
        fiche.indicators = [Indicator(kind=IndicatorKind.RESULT, name="Nombre de personnes formées", target=60,
                                      unit="personnes", source="Organisme de formation", frequency="Annuelle")]
        db.session.add(fiche)
        db.session.commit()
        return fiche

    return factory
