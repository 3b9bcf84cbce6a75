"""The governance and follow-up pages load what their templates walk: no SQL while a page renders, for a
coordinator and an observer, on a contract with bodies, decisions, history, steps, values and notes."""
from __future__ import annotations

import datetime as dt

import pytest

from consult.extensions import db
from consult.synthesis.models import FicheStatus, Step, StepState
from tests.rendering import RenderGuard
from tests.synthesis.governance_factories import BASE, PLAN, make_session


@pytest.fixture
def filled(territory, make_fiche, as_role):
    fiches = [make_fiche(f"Fiche n° {n} d'essai", status=FicheStatus.GROUP_VALIDATED) for n in range(3)]
    fiches.append(make_fiche("Deuxième axe", axis=territory.current_contract.axes[1], status=FicheStatus.IN_PROGRESS))
    fiches[0].steps = [Step(title="Recruter", state=StepState.DONE, done_on=dt.date(2026, 2, 1), position=0),
                       Step(title="Former", position=1)]
    db.session.commit()
    session = make_session(territory)
    coordinator = as_role("coordinator")
    coordinator.post(f"{BASE}/sessions/{session.id}/decisions", data={
        "decision-kind": "validate", "decision-text": "Validation", "decision-entry_key": "k1",
        **{f"status-{f.id}": "copil_validated" for f in fiches[:3]}, f"priority-{fiches[3].id}": "high"})
    coordinator.post(f"{PLAN}/fiches/{fiches[0].id}/follow-up/status",
                     data={"status-status": "in_progress", "status-decided_on": "2026-04-01"})
    indicator = fiches[0].indicators[0]
    coordinator.post(f"{PLAN}/fiches/{fiches[0].id}/follow-up/indicators/{indicator.id}",
                     data={f"indicator-{indicator.id}-year": "2026", f"indicator-{indicator.id}-value": "12"})
    coordinator.post(f"{PLAN}/fiches/{fiches[0].id}/follow-up/notes",
                     data={"note-written_on": "2026-05-02", "note-text": "Point d'étape."})
    return {"coordinator": coordinator, "observer": as_role("observer"), "session": session, "fiche": fiches[0]}


@pytest.mark.parametrize("role", ["coordinator", "observer"])
def test_pages_run_no_query_while_rendering(app, filled, role):
    client = filled[role]
    session, fiche = filled["session"], filled["fiche"]
    urls = [f"{BASE}/", f"{BASE}/bodies/{session.body_id}", f"{BASE}/sessions/{session.id}",
            f"{PLAN}/fiches/{fiche.id}/follow-up", f"{PLAN}/reviews", f"{PLAN}/reviews/2026"]
    offenders = {}
    with RenderGuard(app) as guard:
        for url in urls:
            response = client.get(url)
            response.get_data()
            assert response.status_code == 200, url
            if guard.while_rendering:
                offenders[url] = [(s.template, s.sql.split("\n")[0][:120]) for s in guard.while_rendering]
    assert offenders == {}
