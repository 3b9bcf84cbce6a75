"""Who may use each working-group management route: anonymous, participant, observer, coordinator of another
territory, coordinator, admin. Refusals change nothing; another territory's ids are 404."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.extensions import db
from consult.groups.models import JoinMode, Signup
from tests.conftest import ROLES
from tests.core.test_authorization import snapshot
from tests.groups.test_groups_manage import M, group_form
from tests.groups.test_signups import SLUG, join

ALLOWED = {"coordinator", "admin"}



@pytest.fixture
def world(make_group, person, client_for, territory):
    group = make_group(join_mode=JoinMode.APPROVAL)
    join(client_for(person("Léa")), group)
    signup = db.session.scalars(select(Signup)).one()
    return group, signup


def routes(group, signup, territory):
    return [
        ("GET", f"{M}/", None),
        ("GET", f"{M}/new", None),
        ("POST", f"{M}/new", group_form(territory)),
        ("GET", f"{M}/{group.id}/edit", None),
        ("POST", f"{M}/{group.id}/edit", group_form(territory)),
        ("GET", f"{M}/{group.id}/members", None),
        ("POST", f"{M}/signups/{signup.id}/accept", {"message": "Bienvenue"}),
        ("POST", f"{M}/signups/{signup.id}/decline", {"message": "Non"}),
        ("POST", f"{M}/signups/{signup.id}/remove", {"message": "Non"}),
    ]


def test_every_group_management_route_is_in_this_matrix(app, world, territory):
    group, signup = world
    adapter = app.url_map.bind("localhost")
    covered = {(adapter.match(path, method=method)[0], method) for method, path, _data in routes(group, signup, territory)}
    expected = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("groups_manage.")
                for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert covered == expected


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ALLOWED])
def test_refused_roles_get_nothing_and_change_nothing(world, territory, as_role, role, subtests):
    group, signup = world
    client = as_role(role)
    before = snapshot()
    for method, path, data in routes(group, signup, territory):
        with subtests.test(method=method, path=path):
            response = client.get(path) if method == "GET" else client.post(path, data=data)
            if role == "anonymous":
                assert response.status_code == 302 and "/account/login" in response.headers["Location"]
            else:
                assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_coordinator_and_admin_use_every_route(world, territory, as_role, role, subtests):
    group, signup = world
    client = as_role(role)
    for method, path, data in routes(group, signup, territory):
        with subtests.test(method=method, path=path):
            response = client.get(path) if method == "GET" else client.post(path, data=data)
            assert response.status_code == (200 if method == "GET" else 302)


def test_another_territorys_coordinator_cannot_reach_this_group_through_their_own_address(
        world, other_territory, make_user, client_for, territory):
    group, signup = world
    client = client_for(make_user(role=(other_territory, Role.COORDINATOR)))
    before = snapshot()
    for method, path, data in routes(group, signup, territory)[3:]:
        foreign = path.replace(f"/t/{SLUG}/", f"/t/{other_territory.slug}/")
        response = client.get(foreign) if method == "GET" else client.post(foreign, data=data)
        assert response.status_code == 404, foreign
    assert snapshot() == before


def test_public_group_pages_for_every_role(world, as_role, subtests):
    group, _signup = world
    for role in ROLES:
        with subtests.test(role=role):
            client = as_role(role)
            assert client.get(f"/t/{SLUG}/groups/").status_code == 200
            assert client.get(f"/t/{SLUG}/groups/{group.id}").status_code == 200
            join_page = client.get(f"/t/{SLUG}/groups/{group.id}/join")
            assert join_page.status_code == (302 if role == "anonymous" else 200)


def test_withdraw_needs_a_login(world, client):
    group, _signup = world
    before = snapshot()
    response = client.post(f"/t/{SLUG}/groups/{group.id}/withdraw")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert snapshot() == before
