"""Every response carries the security headers (consult/core/headers.py) on each status: 200, 302, 403, 404, a
500 and a problem+json too; pages hold no inline style or script without this response's nonce; what may be
personal is never stored.

Every GET rule of the url_map is fetched: tests/core/test_rendering_queries.py requests each route the demo's
ids fill, for five roles (anonymous, resident, observer, coordinator, admin), and checks the headers there (one
sweep of the pages instead of two); the routes whose arguments are secrets or plain strings (tokens, a language
code, a static file) are fetched here, as a visitor and as a coordinator.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Blueprint, Flask, Response
from werkzeug.routing.converters import AnyConverter

from config import load_config
from consult.core.headers import add_security_headers
from consult.extensions import db
from tests.conftest import build_app, discard_database
from tests.core.test_rendering_queries import UNRESOLVED
from tests.security_headers import header_problems, nonce_of, page_problems

# A value for each argument a demo row cannot give: a token that matches nothing still reaches its view. The
# survey of a rule with defaults (results without a release number) does not exist here: its 404 page.
PLAIN = {"token": "not-a-real-token", "key": "not-a-real-key", "code": "en", "filename": "consult.css",
         "slug": "terres-des-confluences", "survey_id": 1}


def secret_urls(app: Flask) -> dict[str, str]:
    """One URL for each GET rule the page sweep leaves out (secrets, plain strings, a rule with defaults, which
    the sweep reaches through its sibling rule), by rule."""
    urls = {}
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and (rule.arguments & UNRESOLVED or rule.defaults):
            values = {name: sorted(rule._converters[name].items)[0]
                      if isinstance(rule._converters[name], AnyConverter) else PLAIN[name]
                      for name in rule.arguments - set(rule.defaults or ())}
            urls[rule.rule] = "/" + rule.build(values, append_unknown=False)[1].split("/", 1)[1]
    return urls


def test_routes_reached_with_a_secret_answer_with_the_headers(app, client, coordinator, login):
    urls = secret_urls(app)
    assert {"/calendar/<token>.ics", "/account/reset/<token>", "/language/<code>", "/static/<path:filename>",
            "/t/<slug>/surveys/<int:survey_id>/results"} <= set(urls)
    problems, statuses = {}, set()
    for logged_in in (False, True):
        if logged_in:
            login(coordinator)
        for rule, url in sorted(urls.items(), key=lambda item: item[0] == "/language/<code>"):
            response = client.get(url)
            statuses.add(response.status_code)
            if found := header_problems(url, response, logged_in=logged_in):
                problems[f"{'coordinator' if logged_in else 'anonymous'} {url} {response.status_code}"] = found
    assert problems == {}
    assert {200, 302, 404} <= statuses


def test_each_page_has_a_nonce_of_its_own(client):
    first, second = client.get("/privacy"), client.get("/privacy")
    assert nonce_of(first) and nonce_of(second) and nonce_of(first) != nonce_of(second)


@pytest.fixture(scope="module")
def broken_app() -> Iterator[Flask]:
    """An app answering errors as in production (HSTS on), with a view that raises as an HTML page and under /api/;
    its tests only read."""
    app = build_app(PROPAGATE_EXCEPTIONS=False, HSTS_MAX_AGE=31536000)
    for name, prefix in (("html_broken", "/test"), ("api_broken", "/api/test")):
        blueprint = Blueprint(name, __name__)
        blueprint.add_url_rule("/broken", "broken", _raise)
        app.register_blueprint(blueprint, url_prefix=prefix)
    yield app
    with app.app_context():
        discard_database()
        db.engine.dispose()


def _raise():
    raise RuntimeError("a bug in a view")


@pytest.mark.parametrize(("url", "status", "mimetype"), [
    ("/test/broken", 500, "text/html"),
    ("/api/test/broken", 500, "application/problem+json"),
    ("/nowhere", 404, "text/html"),
    ("/api/v1/nowhere", 404, "application/problem+json"),
    ("/privacy", 200, "text/html"),
])
def test_errors_carry_the_headers_and_hsts_when_configured(broken_app, url, status, mimetype):
    response = broken_app.test_client().get(url)
    assert (response.status_code, response.mimetype) == (status, mimetype)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_form_shown_again_with_what_was_typed_is_never_stored(broken_app):
    response = broken_app.test_client().post("/account/login", data={"email": "marie.dupont@example.org",
                                                                    "password": "pas le bon"})
    assert response.status_code == 200 and "marie.dupont@example.org" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert page_problems(response.get_data(as_text=True), nonce_of(response)) == []


def test_hsts_is_on_in_production_only(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.delenv("HSTS_MAX_AGE", raising=False)
    assert load_config("production").HSTS_MAX_AGE == 365 * 24 * 3600
    assert load_config("development").HSTS_MAX_AGE == 0 and load_config("testing").HSTS_MAX_AGE == 0
    monkeypatch.setenv("HSTS_MAX_AGE", "600")
    assert load_config("production").HSTS_MAX_AGE == 600


def test_a_views_own_policy_and_cache_rule_are_replaced_once(app):
    response = Response("<p>x</p>", mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src *"
    response.headers["Cache-Control"] = "max-age=60"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    with app.test_request_context("/privacy"):
        add_security_headers(response)

    assert response.headers.getlist("Content-Security-Policy") == [response.headers["Content-Security-Policy"]]
    assert "'nonce-" in response.headers["Content-Security-Policy"]
    assert response.headers.getlist("Cache-Control") == ["no-store"]
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]  # a view's own choice is kept
    assert response.headers.getlist("Referrer-Policy") == ["same-origin"]
