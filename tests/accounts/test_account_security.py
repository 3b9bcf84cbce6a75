"""Every account form refuses a request without its CSRF token, and changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.accounts.models import LoginSession, User
from consult.extensions import db
from tests.conftest import PASSWORD

POSTS = ["/account/register", "/account/login", "/account/logout", "/account/reset", "/account/confirm",
         "/account/profile", "/account/password", "/account/email", "/account/calendar", "/account/calendar/revoke",
         "/account/data/delete"]


def test_every_account_post_route_is_in_the_list(csrf_app):
    routes = {r.rule for r in csrf_app.url_map.iter_rules() if r.rule.startswith("/account") and "POST" in r.methods
              and "<" not in r.rule}
    assert routes == set(POSTS)


@pytest.mark.parametrize("path", POSTS)
def test_account_forms_refuse_requests_without_csrf_token(csrf_app, make_user, path):
    user = make_user()
    client = csrf_app.test_client()
    before = (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(LoginSession.id))))
    response = client.post(path, data={"email": user.email, "password": PASSWORD, "display_name": "Pirate",
                                       "password_confirm": PASSWORD, "consent": "y",
                                       "current_password": PASSWORD})
    assert response.status_code == 400
    after = (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(LoginSession.id))))
    assert after == before


def test_login_form_carries_a_csrf_token(csrf_app):
    page = csrf_app.test_client().get("/account/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_passwords_are_hashed(client):
    client.post("/account/register", data={"display_name": "Jean", "email": "jean@example.org",
                                           "password": PASSWORD, "password_confirm": PASSWORD, "consent": "y"})
    stored = db.session.scalar(select(User.password_hash))
    assert PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))
