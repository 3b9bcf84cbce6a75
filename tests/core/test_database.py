"""Database plumbing: health check, SQLite settings and concurrent writers on a served app."""
from __future__ import annotations

import collections
import datetime as dt
import http.client
import os
import socket
import sqlite3
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from consult import create_app
from consult.accounts.models import Category, User
from consult.accounts.services import hash_password
from consult.core.ratelimit import RateLimitCounter
from consult.extensions import db
from consult.territories.models import Territory
from tests.conftest import PASSWORD, build_app, discard_database, make_config, served_database_app, serving

USING_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- health check ------------------------------------------------------------------------


@pytest.fixture
def own_app():
    """Like conftest's `app`, but its engine is disposed at the end: on PostgreSQL, pooled psycopg
    connections left to the garbage collector raise ResourceWarning (an error in this suite)."""
    app = build_app()
    yield app
    with app.app_context():
        discard_database()
        db.engine.dispose()


def test_healthz_answers_ok_when_the_database_answers(own_app):
    response = own_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_healthz_answers_503_quickly_when_the_database_is_unreachable(kind, tmp_path):
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'consult.sqlite3'}"
    else:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/consult?connect_timeout=3"
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    started = time.monotonic()
    response = app.test_client().get("/healthz")
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
    with app.app_context():
        db.engine.dispose()


# --- SQLite settings ---------------------------------------------------------------------


@pytest.fixture
def sqlite_file_app(tmp_path):
    path = tmp_path / "consult.sqlite3"
    app = build_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    app.config["DB_PATH"] = path
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_sqlite_file_uses_wal_busy_timeout_and_foreign_keys(sqlite_file_app):
    with sqlite_file_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.rollback()


def _other_writer_can_start(path) -> bool:
    """Whether another connection could take the write lock right now (no waiting)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


@pytest.mark.parametrize(("method", "path", "takes_write_lock"), [
    ("POST", "/account/login", True),
    ("GET", "/healthz", False),
    ("GET", "/account/confirm/some-token", True),  # marked @writes_on_get
    ("GET", "/account/email/confirm/some-token", True),  # marked @writes_on_get
])
def test_sqlite_write_requests_take_the_write_lock_at_begin(sqlite_file_app, method, path, takes_write_lock):
    """Non-GET requests BEGIN IMMEDIATE (writers queue); GET requests BEGIN (readers don't block)."""
    app = sqlite_file_app
    with app.test_request_context(path, method=method):
        app.preprocess_request()
        db.session.execute(text("SELECT 1"))
        try:
            assert _other_writer_can_start(app.config["DB_PATH"]) is not takes_write_lock
        finally:
            db.session.rollback()
            db.session.remove()


@pytest.mark.parametrize("path", ["/t/plaine-sud/", "/t/plaine-sud/surveys/", "/t/plaine-sud/proposals/",
                                  "/t/plaine-sud/manage/"])
def test_sqlite_get_of_a_territory_page_reads_even_when_its_url_preprocessor_queries_first(sqlite_file_app, path):
    """The territory is loaded by a URL value preprocessor, before any before_request hook: the
    transaction it opens must still be a read (it used to take the write lock for the whole request)."""
    app = sqlite_file_app
    with app.app_context():
        db.session.add(Territory(slug="plaine-sud", name="Plaine Sud"))
        db.session.commit()
        db.session.remove()
    with app.test_request_context(path, method="GET"):
        app.preprocess_request()  # the URL value preprocessor loads the territory: the request's first query
        try:
            assert _other_writer_can_start(app.config["DB_PATH"])
        finally:
            db.session.rollback()
            db.session.remove()


def test_cli_and_scripts_take_the_write_lock_at_begin(sqlite_file_app):
    with sqlite_file_app.app_context():
        db.session.execute(text("SELECT 1"))
        try:
            assert not _other_writer_can_start(sqlite_file_app.config["DB_PATH"])
        finally:
            db.session.rollback()


# --- concurrent login attempts against a served app --------------------------------------


# The limit as configured by default (5 attempts), over an hour rather than a minute so that the
# burst practically never straddles two windows (which would legitimately let more through).
LIMIT = "5/hour"


@pytest.fixture(params=["postgresql" if USING_POSTGRES else "sqlite-file"])
def served_app(request, tmp_path):
    """The app served by a threaded werkzeug server on 127.0.0.1, on a database shared by threads."""
    app = served_database_app(tmp_path, LOGIN_RATE_LIMIT=LIMIT)
    with serving(app) as port:
        yield app, port


def _post_login(port: int, email: str, password: str, start: threading.Barrier) -> tuple[int, str]:
    body = urllib.parse.urlencode({"email": email, "password": password})
    start.wait(timeout=30)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/account/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": "consult_lang=en"})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_concurrent_wrong_passwords_for_one_address_let_exactly_the_limit_through(served_app):
    app, port = served_app
    attempts = 40
    email = "cible@example.org"
    with app.app_context():
        now = dt.datetime(2026, 11, 23, 10, 0)
        db.session.add(User(email=email, display_name="Cible", password_hash=hash_password(PASSWORD),
                            privacy_consent_at=now, email_confirmed_at=now, category=Category.RESIDENT))
        db.session.commit()
        db.session.remove()
    limit = 5
    if time.time() % 3600 > 3590:  # a new window is about to open: start the burst in it
        time.sleep(3600 - time.time() % 3600 + 0.5)

    start = threading.Barrier(attempts)
    with ThreadPoolExecutor(max_workers=attempts) as pool:
        results = list(pool.map(lambda _: _post_login(port, email, "not the password", start), range(attempts)))

    statuses = collections.Counter(status for status, _ in results)
    assert not any("database is locked" in page for _, page in results)
    assert statuses == {200: limit, 429: attempts - limit}, statuses
    assert all("Wrong email or password." in page for status, page in results if status == 200)
    assert all("Too many attempts" in page for status, page in results if status == 429)
    with app.app_context():
        counted = db.session.scalars(select(RateLimitCounter.hits).where(
            RateLimitCounter.key == f"login:email:{email}")).all()
        assert counted == [attempts]  # every attempt was counted, none lost to a lock
        db.session.remove()
