"""The roles page and the profile follow `can_appoint` and `can_manage_territory`, for every role."""
from __future__ import annotations

import re

import pytest

from consult.accounts.models import Role
from tests.conftest import ROLES

ROLES_PAGE = "/t/terres-des-confluences/manage/roles"


def revoke_buttons(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'action="/t/terres-des-confluences/manage/roles/(\d+)/revoke"', page)}


def role_options(page: str) -> set[str]:
    select = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', page, re.S).group(1)
    return set(re.findall(r'<option[^>]*value="(\w+)"', select))


@pytest.mark.parametrize("role", ROLES)
def test_roles_page_offers_what_can_appoint_allows(as_role, make_user, territory, role):
    client = as_role(role)
    coordinator = make_user(display_name="Coordination adjointe", role=(territory, Role.COORDINATOR))
    observer = make_user(display_name="Référente CPAM", role=(territory, Role.OBSERVER))

    response = client.get(ROLES_PAGE)

    if role not in {"coordinator", "admin"}:  # the page itself is the territory managers'
        assert response.status_code in {302, 403}
        return
    page = response.get_data(as_text=True)
    buttons = revoke_buttons(page)
    assert observer.roles[0].id in buttons  # coordinators and admins appoint observers
    assert (coordinator.roles[0].id in buttons) is (role == "admin")  # only admins appoint coordinators
    assert role_options(page) == ({"observer", "coordinator"} if role == "admin" else {"observer"})


@pytest.mark.parametrize("kind, target", [(Role.COORDINATOR, "/t/terres-des-confluences/manage/"),
                                          (Role.OBSERVER, "/t/terres-des-confluences/")])
def test_profile_links_each_role_to_the_pages_it_may_use(client, login, make_user, territory, kind, target):
    user = make_user(role=(territory, kind))
    login(user)

    page = client.get("/account/profile").get_data(as_text=True)

    assert f'href="{target}">Terres des Confluences</a>' in page
