"""Errors by content type: RFC 9457 problem details under /api/, HTML pages elsewhere; errors roll back."""
from __future__ import annotations

import datetime as dt

import pytest
from flask import Blueprint, abort
from sqlalchemy import func, select

from consult.accounts.models import Category, User
from consult.accounts.services import hash_password
from consult.errors import Conflict
from consult.extensions import db
from tests.conftest import PASSWORD, build_app, discard_database

NOW = dt.datetime(2026, 11, 23, 10, 0)
EMAIL = "agathe.dupre@example.org"


def _user(email: str = EMAIL) -> User:
    return User(email=email, display_name="Agathe Dupré", password_hash=hash_password(PASSWORD),
                privacy_consent_at=NOW, email_confirmed_at=NOW, category=Category.RESIDENT)


def _failing(name: str) -> Blueprint:
    """Test-only views that fail in every way a view can."""
    bp = Blueprint(name, __name__)

    @bp.get("/refused")
    def refused():
        raise Conflict("Ce créneau vient d'être pris par quelqu'un d'autre.")

    @bp.get("/forbidden")
    def forbidden():
        abort(403)

    @bp.get("/read-only")
    def read_only():
        return "lu"

    @bp.get("/broken")
    def broken():
        db.session.add(_user("ecrit-a-moitie@example.org"))
        db.session.flush()
        raise RuntimeError("a bug half-way through the view")

    @bp.get("/failed-flush")
    def failed_flush():
        # Leaves the transaction failed: nothing may read the database before it is rolled back.
        db.session.add(_user(EMAIL))
        db.session.flush()
        return "unreachable"

    return bp


@pytest.fixture
def error_app():
    """An app answering errors as production does (no exception propagated to the test client), with the
    failing views mounted under /api/test and under /test."""
    app = build_app(PROPAGATE_EXCEPTIONS=False)
    app.register_blueprint(_failing("api_failing"), url_prefix="/api/test")
    app.register_blueprint(_failing("html_failing"), url_prefix="/test")
    with app.app_context():
        db.session.add(_user())
        db.session.commit()
        yield app
        discard_database()
        db.engine.dispose()


@pytest.fixture
def client(error_app):
    return error_app.test_client()


def _problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"] == "about:blank"
    return body


def test_unknown_api_path_is_a_problem_in_french_by_default(client):
    body = _problem(client.get("/api/v1/nothing-here"), 404)
    assert body["title"] == "Page introuvable"
    assert body["detail"] == "La page que vous cherchez n'existe pas ou a été déplacée."


def test_problem_titles_follow_the_visitor_language(client):
    body = _problem(client.get("/api/nothing", headers={"Accept-Language": "en"}), 404)
    assert body["title"] == "Page not found"
    client.set_cookie("consult_lang", "en")
    assert _problem(client.post("/api/nothing"), 404)["title"] == "Page not found"


def test_wrong_method_under_api_is_a_405_problem_that_keeps_the_allow_header(client):
    response = client.delete("/api/test/read-only")
    body = _problem(response, 405)
    assert body["title"] == "Méthode non autorisée"
    assert "GET" in response.headers["Allow"]


def test_a_refusal_under_api_is_a_problem_with_its_status_and_message(client):
    body = _problem(client.get("/api/test/refused"), 409)
    assert body["title"] == "Cette action n'est pas possible"
    assert body["detail"] == "Ce créneau vient d'être pris par quelqu'un d'autre."


def test_abort_under_api_is_a_problem(client):
    assert _problem(client.get("/api/test/forbidden"), 403)["title"] == "Accès refusé"


def test_a_bug_under_api_is_a_500_problem_and_writes_nothing(client):
    body = _problem(client.get("/api/test/broken"), 500)
    assert body["title"] == "Un problème est survenu de notre côté"
    assert "half-way" not in body["detail"]  # never the exception's text
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize(("path", "status", "text"), [
    ("/test/nothing-here", 404, "Page introuvable"),
    ("/test/refused", 409, "Ce créneau vient d&#39;être pris par quelqu&#39;un d&#39;autre."),
    ("/test/forbidden", 403, "Accès refusé"),
    ("/test/broken", 500, "Un problème est survenu de notre côté"),
    ("/api-like-but-not-api/x", 404, "Page introuvable"),
])
def test_errors_elsewhere_are_html_pages(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert text in response.get_data(as_text=True)


def test_the_500_page_renders_after_a_failed_flush_and_the_next_request_works(client):
    """The page's header loads the logged-in user: the failed transaction must be rolled back first."""
    client.post("/account/login", data={"email": EMAIL, "password": PASSWORD})
    response = client.get("/test/failed-flush")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Un problème est survenu de notre côté" in page
    assert "Agathe Dupré" in page  # the header still shows who is logged in
    assert client.get("/test/read-only").get_data(as_text=True) == "lu"
    assert client.get("/account/profile").status_code == 200
