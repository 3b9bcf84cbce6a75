"""Decisions at a session move fiches' statuses (all or nothing), set priorities, and are recorded once."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import (
    BodyKind,
    Decision,
    DecisionFiche,
    Fiche,
    FicheStatus,
    FicheVersion,
    Priority,
    StatusChange,
)
from tests.synthesis.governance_factories import BASE, make_session


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def decide(client, session, *, kind="validate", text="Le COPIL valide les fiches.", key="cle-0001", **rows):
    data = {"decision-kind": kind, "decision-text": text, "decision-entry_key": key, **rows}
    return client.post(f"{BASE}/sessions/{session.id}/decisions", data=data)


def test_copil_validates_two_fiches_in_one_decision(client, territory, as_coordinator, make_fiche):
    first = make_fiche("Former les élus", status=FicheStatus.GROUP_VALIDATED)
    second = make_fiche("Accueillir les internes", status=FicheStatus.GROUP_VALIDATED)
    untouched = make_fiche("Créer un CLSM", status=FicheStatus.GROUP_VALIDATED)
    session = make_session(territory)
    response = decide(client, session, **{f"status-{first.id}": "copil_validated",
                                         f"status-{second.id}": "copil_validated"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Decision recorded." in page and "Validated by the steering committee" in page
    db.session.expire_all()
    assert (first.status, second.status, untouched.status) == (
        FicheStatus.COPIL_VALIDATED, FicheStatus.COPIL_VALIDATED, FicheStatus.GROUP_VALIDATED)
    decision = db.session.scalar(select(Decision))
    assert decision.recorded_by_id == as_coordinator.id and decision.text == "Le COPIL valide les fiches."
    changes = db.session.scalars(select(StatusChange).order_by(StatusChange.fiche_id)).all()
    assert [(c.fiche_id, c.previous, c.status, c.decided_on, c.decision_id, c.actor_id) for c in changes] == [
        (first.id, FicheStatus.GROUP_VALIDATED, FicheStatus.COPIL_VALIDATED, dt.date(2026, 3, 14), decision.id,
         as_coordinator.id),
        (second.id, FicheStatus.GROUP_VALIDATED, FicheStatus.COPIL_VALIDATED, dt.date(2026, 3, 14), decision.id,
         as_coordinator.id)]


def test_one_illegal_move_records_nothing(client, territory, as_coordinator, make_fiche):
    ready = make_fiche("Former les élus", status=FicheStatus.GROUP_VALIDATED)
    draft = make_fiche("Accueillir les internes")
    session = make_session(territory)
    response = decide(client, session, text="Validation groupée",
                      **{f"status-{ready.id}": "copil_validated", f"status-{draft.id}": "copil_validated",
                         f"priority-{ready.id}": "high"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Fiche {draft.number} « Accueillir les internes » cannot go from « Draft »" in page
    assert "Validation groupée" in page  # what was typed is kept
    assert 'value="copil_validated" selected' in page
    db.session.expire_all()
    assert (ready.status, ready.priority, draft.status) == (FicheStatus.GROUP_VALIDATED, None, FicheStatus.DRAFT)
    assert count(Decision) == count(DecisionFiche) == count(StatusChange) == count(FicheVersion) == 0


def test_only_a_copil_validates_for_the_contract(client, territory, as_coordinator, make_fiche):
    fiche = make_fiche(status=FicheStatus.GROUP_VALIDATED)
    session = make_session(territory, kind=BodyKind.PROJECT_GROUP, name="Groupe projet santé mentale")
    response = decide(client, session, **{f"status-{fiche.id}": "copil_validated"})
    assert response.status_code == 422
    assert "only a decision of the steering committee (COPIL) validates a fiche" in response.get_data(as_text=True)
    db.session.expire_all()
    assert fiche.status is FicheStatus.GROUP_VALIDATED and count(StatusChange) == 0


def test_a_project_group_validates_at_its_level(client, territory, as_coordinator, make_fiche):
    fiche = make_fiche()
    session = make_session(territory, kind=BodyKind.PROJECT_GROUP, name="Groupe projet santé mentale")
    assert decide(client, session, **{f"status-{fiche.id}": "group_validated"}).status_code == 302
    db.session.expire_all()
    assert fiche.status is FicheStatus.GROUP_VALIDATED
    assert db.session.scalar(select(StatusChange)).decision.session.body.kind is BodyKind.PROJECT_GROUP


def test_priorities_set_by_a_decision_update_the_fiches(client, territory, as_coordinator, make_fiche):
    first, second = make_fiche("Former les élus"), make_fiche("Accueillir les internes")
    session = make_session(territory)
    response = decide(client, session, kind="priorities", text="Priorités 2026",
                      **{f"priority-{first.id}": "high", f"priority-{second.id}": "low"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (first.priority, second.priority) == (Priority.HIGH, Priority.LOW)
    assert first.status is FicheStatus.DRAFT and count(StatusChange) == 0
    rows = db.session.scalars(select(DecisionFiche).order_by(DecisionFiche.fiche_id)).all()
    assert [(r.fiche_id, r.status, r.priority) for r in rows] == [(first.id, None, Priority.HIGH),
                                                                   (second.id, None, Priority.LOW)]
    assert db.session.scalar(select(FicheVersion).where(FicheVersion.fiche_id == first.id)).content["priority"] == "high"


def test_a_priorities_decision_without_any_priority_is_refused(client, territory, as_coordinator, make_fiche):
    make_fiche()
    session = make_session(territory)
    response = decide(client, session, kind="priorities", text="Rien")
    assert response.status_code == 422
    assert "Choose the priority of at least one fiche." in response.get_data(as_text=True)
    assert count(Decision) == 0


def test_double_submission_records_one_decision(client, territory, as_coordinator, make_fiche):
    fiche = make_fiche(status=FicheStatus.GROUP_VALIDATED)
    session = make_session(territory)
    rows = {f"status-{fiche.id}": "copil_validated", f"priority-{fiche.id}": "medium"}
    assert decide(client, session, **rows).status_code == 302
    again = decide(client, session, **rows)
    assert again.status_code == 302
    assert "already recorded" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert count(Decision) == count(DecisionFiche) == count(StatusChange) == 1
    # The page hands out a new form id: the next decision is recorded.
    page = client.get(f"{BASE}/sessions/{session.id}").get_data(as_text=True)
    assert 'value="cle-0001"' not in page and 'name="decision-entry_key"' in page


def test_a_decision_may_be_written_only(client, territory, as_coordinator):
    session = make_session(territory)
    response = decide(client, session, kind="other", text="Le COPIL demande un point d'étape en juin.")
    assert response.status_code == 302
    assert db.session.scalar(select(Decision)).fiches == []
    assert "point d'étape en juin" in client.get(f"{BASE}/sessions/{session.id}").get_data(as_text=True)


def test_a_value_outside_the_lists_is_an_error_next_to_the_fiche(client, territory, as_coordinator, make_fiche):
    fiche = make_fiche()
    session = make_session(territory)
    response = decide(client, session, **{f"status-{fiche.id}": "finished", f"priority-{fiche.id}": "urgent"})
    assert response.status_code == 422
    assert "Choose a status from the list." in response.get_data(as_text=True)
    assert count(Decision) == 0


def test_fiches_of_another_territory_cannot_be_slipped_in(client, territory, other_territory, as_coordinator,
                                                          make_fiche):
    fiche = make_fiche(status=FicheStatus.GROUP_VALIDATED)
    foreign = Fiche(contract=other_territory.current_contract, axis=other_territory.current_contract.axes[0], rank=1,
                    title="Fiche d'Ouest Aveyron", status=FicheStatus.GROUP_VALIDATED)
    db.session.add(foreign)
    db.session.commit()
    session = make_session(territory)
    response = decide(client, session, **{f"status-{fiche.id}": "copil_validated",
                                         f"status-{foreign.id}": "copil_validated"})
    assert response.status_code == 302
    db.session.expire_all()
    assert foreign.status is FicheStatus.GROUP_VALIDATED and count(StatusChange) == 1


def test_decisions_wait_for_the_session_to_be_held(client, territory, as_coordinator, make_fiche):
    fiche = make_fiche(status=FicheStatus.GROUP_VALIDATED)
    session = make_session(territory, held_on=dt.date.today() + dt.timedelta(days=20))
    response = decide(client, session, **{f"status-{fiche.id}": "copil_validated"})
    assert response.status_code == 422
    assert "has not taken place yet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert fiche.status is FicheStatus.GROUP_VALIDATED and count(Decision) == 0
