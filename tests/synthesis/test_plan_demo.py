"""The demo action plan: CLS 1 fiches imported from the shipped spreadsheet (done or abandoned, with indicator
values), CLS 2 fiches in several statuses with citations, partners, funders and indicators, a COPIL with members and
a decision, one year of follow-up; the fiches quote the survey once a release exists; seeding twice adds nothing."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import (
    BodyKind,
    Citation,
    CitationKind,
    Decision,
    DecisionFiche,
    Fiche,
    FicheStatus,
    FicheVersion,
    FollowUpNote,
    GovernanceBody,
    IndicatorValue,
    StatusChange,
    Step,
    StepState,
)
from consult.territories.models import Contract, territory_by_slug
from tests.conftest import row_counts

SLUG = "terres-des-confluences"


def _contract(generation: int) -> Contract:
    territory = territory_by_slug(SLUG)
    return next(c for c in territory.contracts if c.generation == generation)


def test_the_first_contract_holds_the_imported_fiches_done_or_abandoned_with_their_values(demo):
    assert demo.seeding.exit_code == 0, demo.seeding.output
    fiches = list(db.session.scalars(select(Fiche).where(Fiche.contract_id == _contract(1).id)))

    assert len(fiches) == 8
    assert {f.status for f in fiches} == {FicheStatus.DONE, FicheStatus.ABANDONED}
    assert sorted(f.number for f in fiches) == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2"]
    screening = next(f for f in fiches if f.number == "1.1")
    assert [(v.year, v.value) for v in screening.indicators[1].values] == [(2020, 140), (2021, 310), (2022, 455)]
    assert all(f.version_count == 1 and f.fundings and f.leads for f in fiches)
    assert all(any("plan-cls1-terres-des-confluences.csv" in n.text for n in f.notes) for f in fiches)


def test_the_current_contract_has_fiches_on_every_axis_in_several_statuses_with_evidence(demo):
    contract = _contract(2)
    fiches = list(db.session.scalars(select(Fiche).where(Fiche.contract_id == contract.id)))

    assert {f.axis_id for f in fiches} == {a.id for a in contract.active_axes}
    assert {FicheStatus.DRAFT, FicheStatus.GROUP_VALIDATED, FicheStatus.COPIL_VALIDATED,
            FicheStatus.IN_PROGRESS} <= {f.status for f in fiches}
    assert all(f.partners and f.fundings and f.indicators and f.versions for f in fiches)
    kinds = {c.kind for f in fiches for c in f.citations}
    assert {CitationKind.PROPOSAL, CitationKind.IDEA, CitationKind.WORKING_GROUP} <= kinds
    # Without --publish-results the demo survey has no release: no figure is quoted.
    assert CitationKind.SURVEY_FIGURE not in kinds
    copied = next(f for f in fiches if f.copied_from is not None)
    assert copied.copied_from.contract.generation == 1 and copied.version_count == 2


def test_the_copil_validated_fiches_at_a_session_and_a_year_of_follow_up_is_recorded(demo):
    body = db.session.scalar(select(GovernanceBody).where(GovernanceBody.kind == BodyKind.COPIL))
    assert len(body.members) >= 6 and "ARS Occitanie" in body.members[0].organisation
    decision = db.session.scalar(select(Decision))
    validated = db.session.scalars(select(DecisionFiche).where(DecisionFiche.decision_id == decision.id)).all()
    assert len(validated) == 6 and all(d.status is FicheStatus.COPIL_VALIDATED for d in validated)
    assert db.session.scalar(select(func.count(StatusChange.id)).where(StatusChange.decision_id == decision.id)) == 6
    years = set(db.session.scalars(select(IndicatorValue.year).join(IndicatorValue.indicator)
                                   .join(Fiche).where(Fiche.contract_id == _contract(2).id)))
    assert years == {2025, 2026}
    assert db.session.scalar(select(func.count(Step.id)).where(Step.state == StepState.DONE)) >= 5
    assert db.session.scalar(select(func.count(FollowUpNote.id)).where(FollowUpNote.written_on >= dt.date(2025, 1, 1))) >= 5


def test_seeding_twice_adds_nothing_and_a_release_is_quoted_once(published_demo):
    first = published_demo.seeding  # seed-demo --publish-results on an empty database
    assert first.exit_code == 0, first.output
    figures = db.session.scalars(select(Citation).where(Citation.kind == CitationKind.SURVEY_FIGURE)).all()
    assert len(figures) == 2 and all(c.release_id and c.question_code == "Q7" for c in figures)
    counts = row_counts()
    versions = db.session.scalar(select(func.count(FicheVersion.id)))

    again = published_demo.app.test_cli_runner().invoke(args=["seed-demo", "--publish-results"])

    assert again.exit_code == 0, again.output
    assert row_counts() == counts and db.session.scalar(select(func.count(FicheVersion.id))) == versions
