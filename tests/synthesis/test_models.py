"""The action plan's tables: numbering, progress, and the constraints that keep a plan whole."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from consult.extensions import db
from tests.conftest import NOW
from consult.synthesis.models import Fiche, FicheStatus, Step, StepState


def test_a_fiche_is_numbered_by_its_axis_then_its_rank(make_fiche, territory):
    second_axis = territory.current_contract.active_axes[1]
    make_fiche()
    fiche = make_fiche("Créer un annuaire des professionnels", axis=second_axis)
    other = make_fiche("Accueillir les internes en médecine")
    assert (fiche.number, other.number) == ("2.1", "1.2")


def test_two_fiches_cannot_share_a_number(make_fiche, territory):
    fiche = make_fiche()
    db.session.add(Fiche(contract=fiche.contract, axis=fiche.axis, rank=fiche.rank, title="Doublon"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Fiche)) == 1


def test_progress_counts_steps_done_and_a_done_fiche_is_complete(make_fiche):
    fiche = make_fiche()
    assert fiche.progress is None
    fiche.steps = [Step(title="Trouver un formateur", state=StepState.DONE, position=0),
                   Step(title="Première session", state=StepState.IN_PROGRESS, position=1),
                   Step(title="Bilan", position=2)]
    db.session.commit()
    assert fiche.progress == 33
    fiche.status = FicheStatus.DONE
    assert fiche.progress == 100


def test_every_kept_version_holds_the_whole_fiche_and_is_numbered(make_fiche, coordinator):
    from consult.synthesis.fiches.versions import keep_version, next_rank

    fiche = make_fiche()
    first = keep_version(fiche, actor=coordinator, now=NOW)
    fiche.title = "Former 60 habitants aux Premiers secours en santé mentale"
    fiche.fundings[0].amount = 7500
    second = keep_version(fiche, actor=coordinator, now=NOW)
    db.session.commit()
    assert (first.number, second.number, fiche.version_count) == (1, 2, 2)
    assert first.content["title"] == "Déployer des formations Premiers secours en santé mentale"
    assert first.content["fundings"] == [{"funder": "ARS Occitanie (FIR)", "kind": "operating", "amount": 6000,
                                          "year": None}]
    assert second.content["fundings"][0]["amount"] == 7500
    assert second.content["partners"][0] == {"role": "lead", "organisation": "CC Terres des Confluences",
                                             "contact": "Coordinatrice CLS"}
    assert next_rank(fiche.axis) == 2
