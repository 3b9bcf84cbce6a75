"""Who may use each governance and follow-up route: anonymous, participant, observer, coordinator of another
territory, coordinator, admin. Observers read every page without a form; refusals change nothing; CSRF is
checked; unknown, foreign and huge ids are 404, never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import Decision, FicheStatus, Step
from tests.conftest import ROLES
from tests.core.test_authorization import snapshot
from tests.synthesis.governance_factories import BASE, PLAN, SLUG, make_session

WRITERS = {"coordinator", "admin"}
HUGE = 99999999999999999999


@pytest.fixture
def world(territory, make_fiche):
    fiche = make_fiche(status=FicheStatus.COPIL_VALIDATED)
    fiche.steps = [Step(title="Recruter l'organisme de formation", position=0)]
    session = make_session(territory)
    db.session.commit()
    return {"fiche": fiche, "session": session, "body": session.body, "member": session.body.members[0],
            "step": fiche.steps[0], "indicator": fiche.indicators[0]}


def routes(w, bad: str | None = None):
    """Every route with the world's ids (or `bad` in place of every id)."""
    f, s, b, m, st, i = (bad or w[k].id for k in ("fiche", "session", "body", "member", "step", "indicator"))
    return [
        ("GET", f"{BASE}/", None),
        ("POST", f"{BASE}/bodies", {"body-kind": "follow_up", "body-name": "Comité de suivi"}),
        ("GET", f"{BASE}/bodies/{b}", None),
        ("POST", f"{BASE}/bodies/{b}/edit", {"body-kind": "copil", "body-name": "COPIL du CLS 2"}),
        ("POST", f"{BASE}/bodies/{b}/members", {"member-organisation": "CPAM de Tarn-et-Garonne"}),
        ("POST", f"{BASE}/members/{m}/edit", {f"member-{m}-organisation": "ARS Occitanie — DD 82"}),
        ("POST", f"{BASE}/bodies/{b}/sessions", {"session-held_on": "2026-06-02", "session-title": "Plénière"}),
        ("GET", f"{BASE}/sessions/{s}", None),
        ("POST", f"{BASE}/sessions/{s}/edit", {"session-held_on": "2026-03-15", "session-title": "COPIL"}),
        ("POST", f"{BASE}/sessions/{s}/decisions", {"decision-kind": "priorities", "decision-text": "Priorités",
                                                       f"priority-{f}": "high", "decision-entry_key": "k1"}),
        ("GET", f"{PLAN}/fiches/{f}/follow-up", None),
        ("POST", f"{PLAN}/fiches/{f}/follow-up/status", {"status-status": "in_progress",
                                                            "status-decided_on": "2026-04-01"}),
        ("POST", f"{PLAN}/fiches/{f}/follow-up/steps", {"step-title": "Former les formateurs"}),
        ("POST", f"{PLAN}/fiches/{f}/follow-up/steps/{st}", {f"step-{st}-state": "in_progress"}),
        ("POST", f"{PLAN}/fiches/{f}/follow-up/indicators/{i}", {f"indicator-{i}-year": "2026",
                                                                       f"indicator-{i}-value": "12"}),
        ("POST", f"{PLAN}/fiches/{f}/follow-up/notes", {"note-written_on": "2026-05-02", "note-text": "Point."}),
        ("GET", f"{PLAN}/reviews", None),
        ("GET", f"{PLAN}/reviews/2026", None),
        ("POST", f"{BASE}/members/{m}/remove", {}),  # last: the member is gone afterwards
    ]


def test_every_route_is_in_this_matrix(app, world):
    adapter = app.url_map.bind("localhost")
    covered = {(adapter.match(path, method=method)[0], method) for method, path, _data in routes(world)}
    expected = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
                if rule.endpoint.split(".")[0] in ("governance", "plan_followup")
                for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert covered == expected


@pytest.mark.parametrize("role", [r for r in ROLES if r not in WRITERS])
def test_readers_read_and_the_others_are_refused_changing_nothing(world, as_role, role, subtests):
    client = as_role(role)
    before = snapshot()
    for method, path, data in routes(world):
        with subtests.test(method=method, path=path):
            response = client.get(path) if method == "GET" else client.post(path, data=data)
            if role == "anonymous":
                assert response.status_code == 302 and "/account/login" in response.headers["Location"]
            elif role == "observer" and method == "GET":
                page = response.get_data(as_text=True)
                assert response.status_code == 200
                assert "<form" not in page.split("<main")[-1].split("</main>")[0].replace(
                    '<form method="post" action="/account/logout"', ""), path
            else:
                assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("role", sorted(WRITERS))
def test_coordinator_and_admin_use_every_route(world, as_role, role, subtests):
    client = as_role(role)
    for method, path, data in routes(world):
        with subtests.test(method=method, path=path):
            response = client.get(path) if method == "GET" else client.post(path, data=data)
            assert response.status_code == (200 if method == "GET" else 302), response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    assert world["fiche"].status is FicheStatus.IN_PROGRESS and db.session.scalar(
        select(func.count()).select_from(Decision)) == 1


def test_unknown_foreign_and_huge_ids_are_404(world, as_role, other_territory, subtests):
    """Unknown and huge ids here, and this territory's ids under another territory's address by its own
    coordinator: 404, nothing written."""
    client, foreign = as_role("coordinator"), as_role("other_coordinator")
    before = snapshot()
    for bad in ("12345", str(HUGE)):
        for method, path, data in routes(world, bad):
            if bad not in path:
                continue
            with subtests.test(method=method, path=path):
                response = client.get(path) if method == "GET" else client.post(path, data=data)
                if path.endswith("/remove") and bad == "12345":
                    assert response.status_code == 302  # « already removed » (a double click), nothing else
                else:
                    assert response.status_code == 404, path
    for method, path, data in routes(world):
        if any(path.endswith(end) for end in ("/governance/", "/bodies", "/reviews", "/reviews/2026")):
            continue
        path = path.replace(f"/t/{SLUG}/", f"/t/{other_territory.slug}/")
        with subtests.test(method=method, path=path):
            response = foreign.get(path) if method == "GET" else foreign.post(path, data=data)
            assert response.status_code == 404, path
    assert snapshot() == before


def test_forms_without_a_csrf_token_are_refused(csrf_app, territory, coordinator, make_fiche):
    fiche = make_fiche(status=FicheStatus.COPIL_VALIDATED)
    session = make_session(territory)
    client = csrf_app.test_client()
    login = client.get("/account/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/account/login", data={"email": coordinator.email, "password": "un mot de passe très sûr",
                                               "csrf_token": token}).status_code == 302
    before = snapshot()
    for path, data in [(f"{BASE}/sessions/{session.id}/decisions",
                        {"decision-kind": "priorities", f"priority-{fiche.id}": "high", "decision-entry_key": "k"}),
                       (f"{PLAN}/fiches/{fiche.id}/follow-up/status",
                        {"status-status": "in_progress", "status-decided_on": "2026-04-01"}),
                       (f"{PLAN}/fiches/{fiche.id}/follow-up/notes",
                        {"note-written_on": "2026-05-02", "note-text": "Point."}),
                       (f"{BASE}/bodies", {"body-kind": "copil", "body-name": "Autre COPIL"})]:
        response = client.post(path, data=data)
        assert response.status_code in (400, 422), path
    assert snapshot() == before
