"""The plan's pages load what their templates walk: no SQL runs while they render, for every reader, on a fiche
holding every kind of content (partners, fundings, indicators, steps, communes, citations of every kind,
versions, an avenant)."""
from __future__ import annotations

import pytest

from consult.extensions import db
from consult.synthesis.models import Avenant
from tests.rendering import RenderGuard
from tests.synthesis.evidence_sources import make_sources
from tests.synthesis.fiche_forms import PLAN, SLUG, fiche_form, fiches


@pytest.fixture
def full_fiche(client, as_coordinator, territory, other_territory, make_user):
    sources = make_sources(territory, other_territory, make_user)
    sources.idea.meeting.minutes_published_at = sources.release.made_at
    sources.release.survey.results_published_at = sources.release.made_at
    avenant = Avenant(contract=territory.current_contract, number=1, title="Avenant santé mentale")
    db.session.add(avenant)
    db.session.commit()
    axis = territory.current_contract.axes[0]
    client.post(f"{PLAN}/axes/{axis.id}/draft", data={
        "proposal": [str(sources.proposal.id)], "idea": [str(sources.idea.id)], "tagged_text": [str(sources.text.id)],
        "group": [str(sources.group.id)], "figure": [f"{sources.release.id}:Q3"]})
    fiche = fiches()[0]
    client.post(f"{PLAN}/fiches/{fiche.id}/edit", data=fiche_form(axis, avenant_id=str(avenant.id)))
    client.post(f"{PLAN}/fiches/{fiche.id}/publish")
    return fiches()[0]


def test_plan_pages_run_no_query_while_rendering(app, full_fiche, as_role):
    fiche = full_fiche
    urls = [f"{PLAN}/", f"{PLAN}/?contract={fiche.contract_id}", f"{PLAN}/fiches/new", f"{PLAN}/fiches/{fiche.id}/",
            f"{PLAN}/fiches/{fiche.id}/edit", f"{PLAN}/fiches/{fiche.id}/versions",
            f"{PLAN}/fiches/{fiche.id}/compare?a=1&b=2", f"{PLAN}/contracts/{fiche.contract_id}/avenants",
            f"/t/{SLUG}/plan/", f"/t/{SLUG}/plan/fiches/{fiche.id}"]
    offenders = {}
    for role in ("anonymous", "observer", "coordinator"):
        client = as_role(role)
        with RenderGuard(app) as guard:
            for url in urls:
                db.session.expire_all()
                response = client.get(url)
                response.get_data()
                assert response.status_code in (200, 302, 403), (role, url, response.status_code)
                if guard.while_rendering:
                    offenders[(role, url)] = [(s.template, s.sql.split("\n")[0][:120]) for s in guard.while_rendering]
                guard.statements.clear()
    assert offenders == {}
