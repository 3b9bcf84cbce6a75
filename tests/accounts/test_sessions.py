"""Login, logout, server-side sessions, safe redirects and cookie flags (limits: test_login_limits.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.accounts.models import LoginSession
from consult.extensions import db
from tests.conftest import PASSWORD


def session_count() -> int:
    return db.session.scalar(select(func.count(LoginSession.id)))


def test_login_opens_a_server_side_session(client, make_user):
    user = make_user()
    response = client.post("/account/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert session_count() == 1
    assert client.get("/account/profile").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user()
    wrong = client.post("/account/login", data={"email": user.email, "password": "pas le bon mot de passe"})
    unknown = client.post("/account/login", data={"email": "personne@example.org", "password": "peu importe"})
    assert wrong.status_code == unknown.status_code == 200
    def error(page):
        return page.split('id="password-error"')[1].split("</p>")[0]
    assert error(wrong.get_data(as_text=True)) == error(unknown.get_data(as_text=True))
    assert session_count() == 0


def test_logout_invalidates_a_copied_cookie(app, make_user):
    user = make_user()
    browser = app.test_client()
    browser.post("/account/login", data={"email": user.email, "password": PASSWORD})
    stolen = browser.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account/profile").status_code == 200

    browser.post("/account/logout")
    assert session_count() == 0
    assert thief.get("/account/profile").status_code == 302  # sent to the login page
    assert browser.get("/account/profile").status_code == 302


def test_logout_requires_post(client, make_user, login):
    login(make_user())
    assert client.get("/account/logout").status_code == 405
    assert session_count() == 1


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example/", "\\\\evil",
                                    "javascript:alert(1)", "/\tevil"])
def test_next_never_leaves_the_site(client, make_user, target):
    user = make_user()
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_within_the_site_is_followed(client, make_user):
    user = make_user()
    response = client.post("/account/login",
                           data={"email": user.email, "password": PASSWORD, "next": "/account/profile"})
    assert response.headers["Location"] == "/account/profile"


def test_protected_page_sends_to_login_with_next(client):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=/account/profile")


def test_session_cookie_flags_in_production(app, make_user):
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    app.config["SESSION_COOKIE_SECURE"] = ProductionConfig.SESSION_COOKIE_SECURE
    user = make_user()
    response = app.test_client().post("/account/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
