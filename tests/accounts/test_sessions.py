"""Login, logout, server-side sessions, safe redirects and cookie flags (limits: test_login_limits.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

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


# --- a page under /t/<slug>/: the territory and the login session read together ---------------------------------

SIGNED_IN = 'action="/account/logout"'  # the header's logout button


def _statements(app, run):
    from sqlalchemy import event

    seen = []

    def record(_conn, _cursor, statement, *_rest):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return response, [sql for sql in seen if not sql.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]


def _key(user) -> str:
    return db.session.scalar(select(LoginSession.key).where(LoginSession.user_id == user.id))


@pytest.mark.parametrize("page", ["/", "/proposals/", "/surveys/"])
def test_a_signed_in_page_under_a_territory_reads_territory_and_session_in_one_statement(app, client, login,
                                                                                          make_user, territory, page):
    login(make_user())
    client.get("/account/profile")  # the login's welcome shown
    url = f"/t/{territory.slug}{page}"

    response, statements = _statements(app, lambda: client.get(url))

    assert response.status_code == 200 and SIGNED_IN in response.get_data(as_text=True)
    assert "FROM territories" in statements[0] and "login_sessions" in statements[0], statements
    assert sum("login_sessions" in sql for sql in statements) == 1, statements
    assert sum("WHERE territories.slug" in sql for sql in statements) == 1, statements


def test_territory_and_session_gives_the_sessions_own_user_and_none_for_an_ended_or_disabled_one(
        app, make_user, territory, other_territory):
    from consult.accounts.services import start_session, territory_and_session
    from consult.accounts.models import Role

    user, other = make_user(role=(territory, Role.COORDINATOR)), make_user()
    key, other_key = start_session(user), start_session(other)
    db.session.commit()

    found, signed_in = territory_and_session(territory.slug, key)
    assert found is territory and signed_in is user and signed_in.session_key == key
    assert [role.territory for role in signed_in.roles] == [territory]
    assert territory_and_session(other_territory.slug, other_key) == (other_territory, other)
    assert territory_and_session("nulle-part", key) is None
    assert territory_and_session(territory.slug, "pas-une-cle") == (territory, None)

    other.is_disabled = True
    db.session.execute(delete(LoginSession).where(LoginSession.key == key))
    db.session.commit()
    assert territory_and_session(territory.slug, key) == (territory, None)
    assert territory_and_session(territory.slug, other_key) == (territory, None)


def test_a_session_ended_elsewhere_ends_at_once_under_a_territory(app, make_user, territory):
    user = make_user()
    browser = app.test_client()
    browser.post("/account/login", data={"email": user.email, "password": PASSWORD})
    copy = app.test_client()
    copy.set_cookie("session", browser.get_cookie("session").value)
    assert SIGNED_IN in copy.get(f"/t/{territory.slug}/proposals/").get_data(as_text=True)

    browser.post("/account/logout")

    for page in ("/", "/proposals/"):
        response = copy.get(f"/t/{territory.slug}{page}")
        assert response.status_code == 200 and SIGNED_IN not in response.get_data(as_text=True)
    assert copy.get(f"/t/{territory.slug}/manage/").status_code == 302  # to the login page


def test_a_disabled_account_is_signed_out_under_a_territory(app, client, login, make_user, territory):
    user = make_user()
    login(user)
    assert SIGNED_IN in client.get(f"/t/{territory.slug}/proposals/").get_data(as_text=True)
    user.is_disabled = True
    db.session.commit()

    for page in ("/", "/proposals/"):
        response = client.get(f"/t/{territory.slug}{page}")
        assert response.status_code == 200 and SIGNED_IN not in response.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302


def test_the_user_of_a_territory_page_is_the_sessions_own_with_their_roles(app, client, login, make_user, territory,
                                                                           other_territory):
    from consult.accounts.models import Role

    login(make_user(display_name="Maïté Lacoste", role=(territory, Role.COORDINATOR)))
    make_user(role=(other_territory, Role.COORDINATOR))
    db.session.commit()

    mine = client.get(f"/t/{territory.slug}/manage/")
    other = client.get(f"/t/{other_territory.slug}/manage/")

    assert mine.status_code == 200 and "Maïté Lacoste" in mine.get_data(as_text=True)
    assert other.status_code == 403
    assert client.get("/t/nulle-part/").status_code == 404
    assert client.get("/t/nulle-part/proposals/").status_code == 404
