"""The synthesis pages load in their views what their templates read: no SQL while a template renders, on the
hand-computed world (which, unlike the demo, has linked questions, tagged texts and fiches)."""
from __future__ import annotations

import pytest

from tests.rendering import RenderGuard
from tests.synthesis.world import BASE, world  # noqa: F401


@pytest.mark.parametrize("role", ["observer", "coordinator"])
def test_synthesis_pages_run_no_query_while_rendering(app, world, as_role, make_fiche, role):
    make_fiche("Un annuaire des professionnels de santé", axis=world.axis, objective=world.objective2)
    client = as_role(role)
    urls = [f"{BASE}/", f"{BASE}/axes/{world.axis.id}", f"{BASE}/objectives/{world.objective1.id}",
            f"{BASE}/objectives/{world.objective2.id}", f"{BASE}/participation"]
    if role == "coordinator":
        urls += [f"{BASE}/surveys/{world.survey.id}/links", f"{BASE}/texts"]
    offenders = {}
    with RenderGuard(app) as guard:
        for url in urls:
            assert client.get(url).status_code == 200, url
            if guard.while_rendering:
                offenders[url] = [(s.template, " ".join(s.sql.split())[:160]) for s in guard.while_rendering[:3]]
                guard.while_rendering.clear()
    for url, items in offenders.items():
        print("OFFENDER", url, items)
    assert offenders == {}
