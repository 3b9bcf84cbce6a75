"""Sign-up keeps the way: the page the person wanted goes through registration and the confirmation link; commune
and category are asked, optional, and stored."""
from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from consult.accounts.models import Category, User
from consult.extensions import db
from tests.accounts.conftest import link_in
from tests.conftest import commune_by_code
from tests.groups.factories import make_group

PASSWORD = "une phrase facile à retenir"
FORM = {"display_name": "Maëlle", "email": "maelle.dupre@example.org", "password": PASSWORD,
        "password_confirm": PASSWORD, "consent": "y"}


@pytest.fixture
def group_page(territory):
    group = make_group(territory, title="Santé mentale des jeunes à L'Isle-Jourdain")
    return f"/t/{territory.slug}/groups/{group.id}"


def hrefs(page: str, path: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="(' + re.escape(path) + r'[^"]*)"', page)]


def test_create_an_account_and_log_in_links_carry_the_page(client, group_page):
    page = client.get(group_page).get_data(as_text=True)
    register = f"/account/register?next={quote(group_page, safe='/')}"
    assert hrefs(page, "/account/register") == [register, register]  # the header, and beside « Sign up »
    assert hrefs(page, "/account/login") == [f"/account/login?next={quote(group_page, safe='/')}"]
    # The account pages pass it on to one another.
    login = client.get(f"/account/login?next={group_page}").get_data(as_text=True)
    assert register in hrefs(login, "/account/register")
    form = client.get(register).get_data(as_text=True)
    assert f'name="next" type="hidden" value="{group_page}"' in form
    assert f"/account/login?next={quote(group_page, safe='/')}" in hrefs(form, "/account/login")


def test_registering_keeps_the_way_and_the_registering_browser_lands_logged_in(app, client, smtp, group_page):
    moissac = commune_by_code("82112")
    response = client.post(f"/account/register?next={group_page}", data={
        **FORM, "commune_id": str(moissac.id), "category": Category.RESIDENT.value, "next": group_page})
    assert response.headers["Location"] == f"/account/check-inbox?next={quote(group_page, safe='/')}"
    assert f'href="{group_page}"' in client.get(response.headers["Location"]).get_data(as_text=True)
    user = db.session.scalar(select(User))
    assert (user.commune_id, user.category, user.email_confirmed_at) == (moissac.id, Category.RESIDENT, None)

    link = link_in(smtp.messages[0], "/account/confirm/")
    landed = client.get(link)
    assert landed.headers["Location"] == group_page
    assert client.get("/account/profile").status_code == 200  # logged in
    db.session.refresh(user)
    assert user.email_confirmed_at is not None

    # The same link later, or in another browser: through the login page, still towards the group.
    other = app.test_client()
    again = other.get(link)
    assert again.headers["Location"] == f"/account/login?next={quote(group_page, safe='/')}"
    assert other.get("/account/profile").status_code == 302
    logged = other.post("/account/login", data={"email": FORM["email"], "password": PASSWORD, "next": group_page})
    assert logged.headers["Location"] == group_page


def test_commune_and_category_are_optional_and_an_unsafe_next_is_dropped(app, client, smtp):
    response = client.post("/account/register", data={**FORM, "commune_id": "", "category": "",
                                                      "next": "//evil.example/"})
    assert response.headers["Location"] == "/account/check-inbox"
    user = db.session.scalar(select(User))
    assert (user.commune_id, user.category) == (None, None)
    # A browser that did not register: to the login page, with no next.
    assert app.test_client().get(link_in(smtp.messages[0], "/account/confirm/")).headers["Location"] == \
        "/account/login"


def test_registration_refuses_an_unknown_commune_and_keeps_what_was_typed(client, smtp, territory):
    page = client.post("/account/register", data={**FORM, "commune_id": "999999", "category": "resident"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="commune_id-error"' in text and 'value="maelle.dupre@example.org"' in text
    assert db.session.scalar(select(User)) is None and smtp.messages == []
