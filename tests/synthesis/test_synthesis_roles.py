"""Every role on every route of the synthesis, and CSRF."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import QuestionLink, TaggedText
from tests.conftest import ROLES
from tests.synthesis.world import BASE, SLUG, world  # noqa: F401

# What each role gets: observers read, coordinators and admins do everything, everyone else is refused
# (anonymous visitors are sent to log in).
READ = {"anonymous": 302, "participant": 403, "observer": 200, "other_coordinator": 403, "coordinator": 200,
        "admin": 200}
MANAGE = {**READ, "observer": 403}
WRITE = {**MANAGE, "coordinator": 302, "admin": 302}


def reads(world):
    return [f"{BASE}/", f"{BASE}/axes/{world.axis.id}", f"{BASE}/objectives/{world.objective1.id}",
            f"{BASE}/participation"]


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count(QuestionLink.id))), db.session.scalar(select(func.count(TaggedText.id))))


@pytest.mark.parametrize("role", ROLES)
def test_read_routes_for_every_role(world, as_role, role):
    client = as_role(role)
    for url in reads(world):
        response = client.get(url)
        assert response.status_code == READ[role], (url, role)
        if role == "anonymous":
            assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_coordinator_pages_for_every_role(world, as_role, role):
    client = as_role(role)
    for url in (f"{BASE}/surveys/{world.survey.id}/links", f"{BASE}/texts"):
        assert client.get(url).status_code == MANAGE[role], (url, role)


@pytest.mark.parametrize("role", ROLES)
def test_forms_for_every_role(world, as_role, role):
    client = as_role(role)
    before = counts()
    posts = [
        (f"{BASE}/surveys/{world.survey.id}/links", {"question": world.q2.id, "target": f"axis:{world.axis.id}"}),
        (f"{BASE}/texts/tag", {"kind": "comment", "item": world.comment.id, "target": f"axis:{world.axis2.id}"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == WRITE[role], (url, role)
    allowed = WRITE[role] == 302 and role not in ("anonymous",)
    assert counts() == ((before[0] + 1, before[1] + 1) if allowed else before)
    removals = [f"{BASE}/surveys/{world.survey.id}/links/{world.link.id}/delete",
                f"{BASE}/texts/{world.tagged_minutes.id}/untag"]
    for url in removals:
        assert client.post(url).status_code == WRITE[role], (url, role)
    assert counts() == before    # what was added above, minus the world's link and minutes tag


def test_other_coordinator_reaches_nothing_through_their_own_territory_slug(world, as_role, other_territory):
    client = as_role("other_coordinator")
    # their territory's pages work, ours stay closed even with our ids under their slug
    assert client.get(f"/t/{other_territory.slug}/manage/synthesis/").status_code == 200
    assert client.get(f"/t/{other_territory.slug}/manage/synthesis/axes/{world.axis.id}").status_code == 404
    assert client.get(f"/t/{other_territory.slug}/manage/synthesis/surveys/{world.survey.id}/links").status_code == 404
    before = counts()
    client.post(f"/t/{other_territory.slug}/manage/synthesis/texts/tag",
                data={"kind": "comment", "item": world.comment.id, "target": f"axis:{world.axis.id}"})
    client.post(f"/t/{other_territory.slug}/manage/synthesis/texts/{world.tagged_comment.id}/untag")
    assert counts() == before


def test_forms_without_csrf_token_are_refused(csrf_app, world, coordinator):
    from tests.conftest import PASSWORD

    client = csrf_app.test_client()
    login_page = client.get("/account/login").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/account/login", data={"email": coordinator.email, "password": PASSWORD, "csrf_token": token})
    assert client.get(f"{BASE}/texts").status_code == 200
    before = counts()
    for url, data in [
        (f"{BASE}/surveys/{world.survey.id}/links", {"question": world.q2.id, "target": f"axis:{world.axis.id}"}),
        (f"{BASE}/surveys/{world.survey.id}/links/{world.link.id}/delete", {}),
        (f"{BASE}/texts/tag", {"kind": "comment", "item": world.comment.id, "target": f"axis:{world.axis2.id}"}),
        (f"{BASE}/texts/{world.tagged_comment.id}/untag", {}),
    ]:
        assert client.post(url, data=data).status_code == 400, url
    assert counts() == before


def test_unknown_territory_is_not_found(as_role):
    assert as_role("admin").get("/t/nulle-part/manage/synthesis/").status_code == 404
    assert SLUG
