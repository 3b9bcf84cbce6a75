"""A database that cannot answer for a moment (a write lock held too long, a full disk, a lost connection) gives a
503 page that keeps what the person typed, stores nothing, and whose « Try again » succeeds once the fault is
gone. SQLite file database with a short busy timeout, on any TEST_DATABASE_URL."""
from __future__ import annotations

import os
import re
from contextlib import closing
import sqlite3
from html.parser import HTMLParser

import psycopg
import pytest
from flask import g, has_request_context
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import consult.core.db
from config import ProductionConfig
from consult.core.faults import COMMITTED, is_temporary
from consult.extensions import db
from consult.groups.models import WorkingGroup
from consult.accounts.models import Role
from tests.conftest import PASSWORD, build_app, discard_database, fresh, served_database_app

SLUG = "terres-des-confluences"
NEW_GROUP = f"/t/{SLUG}/manage/groups/new"
MISSION = "Rédiger deux fiches actions sur l'aide aux aidants.\nRencontrer les aidants de L'Isle-Jourdain le mardi."


@pytest.fixture(scope="module")
def faults_app(tmp_path_factory):
    """The app on a SQLite file whose writers give up after 0.2 s instead of 10 (the held lock is felt at once)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(consult.core.db, "SQLITE_BUSY_TIMEOUT_MS", 200)  # read by each new connection
        app = build_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path_factory.mktemp('faults') / 'faults.sqlite3'}")
        yield app
    with app.app_context():
        discard_database()
        db.engine.dispose()


@pytest.fixture
def app(faults_app):
    """That app with empty tables, for one test."""
    with fresh(faults_app) as app:
        yield app


@pytest.fixture
def coordinator_client(app, client, coordinator, login):
    """The coordinator logged in, CSRF protection on as in production."""
    login(coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    db.session.commit()  # the test's own session holds no lock
    return client


class Inputs(HTMLParser):
    """The « Try again » form of a page: its action and its inputs, as a browser would send them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.action, self.fields, self._inside = None, [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("class") == "retry-form":
            self.action, self._inside = attrs["action"], True
        elif tag == "input" and self._inside:
            self.fields.append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def group_form(territory, token: str) -> dict:
    axis = territory.current_contract.axes[0]
    return {"csrf_token": token, "title": "Santé des aidants de L'Isle-Jourdain", "axis_id": str(axis.id),
            "mission": MISSION, "audience": "", "facilitators": "Dr Anne Roques", "capacity": "12",
            "join_mode": "approval", "status": "recruiting", "signup_opens_at": "", "signup_closes_at": ""}


def token_of(client, path: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def groups_in(database: str) -> int:
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute("SELECT count(*) FROM working_groups").fetchone()[0]


def assert_unavailable_page_keeps_the_input(response) -> list[tuple[str, str]]:
    """The 503 page: not cached, says to wait, shows what was typed; returns the « Try again » form's fields."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10" and "no-store" in response.headers["Cache-Control"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]  # the site's headers too
    assert "Service temporairement indisponible" in html and "Rien n'a été enregistré" in html
    assert "Santé des aidants de L&#39;Isle-Jourdain" in html  # shown back to be copied…
    assert "Rencontrer les aidants de L&#39;Isle-Jourdain le mardi." in html
    retry = Inputs(html)
    assert retry.action == NEW_GROUP
    return retry.fields


def test_held_write_lock_gives_503_keeping_the_input_and_try_again_succeeds_once(app, territory, coordinator_client):
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    data = group_form(territory, token_of(coordinator_client, NEW_GROUP))
    db.session.commit()  # the test's own session lets go of the write lock it took to read the territory
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer (a long import, a backup restore) holds the write lock
    try:
        response = coordinator_client.post(NEW_GROUP, data=data)
        fields = assert_unavailable_page_keeps_the_input(response)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert groups_in(database) == 0  # nothing partial
    # …and sent again by « Réessayer », with a fresh CSRF token, once the lock is released.
    assert dict(fields)["mission"] == MISSION and dict(fields)["csrf_token"]
    assert coordinator_client.post(NEW_GROUP, data=dict(fields)).status_code == 302
    group = db.session.scalar(select(WorkingGroup))
    assert (group.title, group.mission, group.capacity) == ("Santé des aidants de L'Isle-Jourdain", MISSION, 12)
    assert db.session.scalar(select(func.count()).select_from(WorkingGroup)) == 1


def test_full_disk_gives_503_keeping_the_input_and_nothing_partial(app, territory, coordinator_client):
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    data = group_form(territory, token_of(coordinator_client, NEW_GROUP))
    data["mission"] = MISSION + "\n" + " ".join(["Écouter les aidants, noter leurs besoins."] * 110)  # new pages
    db.session.commit()
    with closing(sqlite3.connect(database)) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]

    def full_disk(connection, _record):
        connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(db.engine, "connect", full_disk)
    db.engine.dispose()
    try:
        response = coordinator_client.post(NEW_GROUP, data=data)
    finally:
        event.remove(db.engine, "connect", full_disk)
        db.engine.dispose()
    fields = assert_unavailable_page_keeps_the_input(response)
    assert groups_in(database) == 0
    assert coordinator_client.post(NEW_GROUP, data=dict(fields)).status_code == 302
    assert db.session.scalar(select(WorkingGroup.mission)) == data["mission"]


def test_fault_after_the_commit_offers_no_second_sending(app, territory, coordinator_client):
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    data = group_form(territory, token_of(coordinator_client, NEW_GROUP))
    db.session.commit()
    holder = sqlite3.connect(database, isolation_level=None)

    def another_writer_arrives(_session):
        # Right after the group is stored, before the view reads it back for its message: SQLite's lock is taken.
        if has_request_context() and g.get(COMMITTED) and not holder.in_transaction:
            holder.execute("BEGIN IMMEDIATE")

    event.listen(Session, "after_commit", another_writer_arrives)
    try:
        response = coordinator_client.post(NEW_GROUP, data=data)
    finally:
        event.remove(Session, "after_commit", another_writer_arrives)
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "a peut-être été enregistré" in html and "Rencontrer les aidants de L&#39;Isle-Jourdain" in html
    assert 'class="retry-form"' not in html and "Rien n'a été enregistré" not in html
    assert groups_in(database) == 1


def test_page_that_cannot_even_read_gives_503_with_a_link_to_try_again(app, territory, coordinator_client):
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    db.engine.dispose()
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")  # WAL without shared memory: nobody else may even read
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response = coordinator_client.get(f"/t/{SLUG}/manage/groups/?page=2")
        api = coordinator_client.get(f"/api/v1/territories/{SLUG}/groups")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "no-store" in response.headers["Cache-Control"]
    assert "La page n'a pas pu s'afficher" in html
    assert f'href="/t/{SLUG}/manage/groups/?page=2"' in html
    assert coordinator_client.get(f"/t/{SLUG}/manage/groups/?page=2").status_code == 200
    assert api.status_code == 503 and api.mimetype == "application/problem+json" and api.json["status"] == 503
    assert api.headers["Retry-After"] == "10"


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL's lock_timeout")
def test_lock_held_past_postgres_lock_timeout_gives_503_and_try_again_succeeds(tmp_path, make_user, make_territory):
    app = served_database_app(tmp_path, WTF_CSRF_ENABLED=True, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_pre_ping": True, "connect_args": {"options": "-c lock_timeout=300"}})
    with app.app_context():
        territory = make_territory()
        coordinator = make_user(role=(territory, Role.COORDINATOR))
        client = app.test_client()
        client.post("/account/login", data={"email": coordinator.email, "password": PASSWORD,
                                             "csrf_token": token_of(client, "/account/login")})
        data = group_form(territory, token_of(client, NEW_GROUP))
        db.session.commit()
        holder = psycopg.connect(db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False))
        try:
            holder.execute("LOCK TABLE working_groups IN ACCESS EXCLUSIVE MODE")  # e.g. a migration at work
            fields = assert_unavailable_page_keeps_the_input(client.post(NEW_GROUP, data=data))
        finally:
            holder.rollback()
            holder.close()
        assert db.session.scalar(select(func.count()).select_from(WorkingGroup)) == 0
        assert client.post(NEW_GROUP, data=dict(fields)).status_code == 302
        assert db.session.scalar(select(func.count()).select_from(WorkingGroup)) == 1
        discard_database()
        db.engine.dispose()


@pytest.mark.parametrize(("error", "temporary"), [
    (psycopg.errors.DiskFull("could not extend file"), True),
    (psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"), True),
    (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), True),
    (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
    (psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"), True),
    (sqlite3.OperationalError("database or disk is full"), True),
    (sqlite3.OperationalError("no such column: working_groups.mission"), False),
    (psycopg.errors.UndefinedColumn("column « mission » does not exist"), False),
])
def test_only_faults_a_retry_can_cure_are_503(error, temporary):
    assert is_temporary(OperationalError("SELECT 1", {}, error)) is temporary


def test_postgres_connections_wait_for_a_lock_as_long_as_sqlite_then_give_up(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://consult@base.isle-jourdain.example.org/consult")
    monkeypatch.setenv("SECRET_KEY", "une clé de production")
    assert ProductionConfig().SQLALCHEMY_ENGINE_OPTIONS["connect_args"]["options"] == "-c lock_timeout=10000"
    monkeypatch.setenv("DATABASE_LOCK_TIMEOUT_MS", "2500")
    assert ProductionConfig().SQLALCHEMY_ENGINE_OPTIONS["connect_args"]["options"] == "-c lock_timeout=2500"


def test_a_pooled_sqlite_connection_is_handed_out_without_a_ping_and_a_postgres_one_with(monkeypatch, tmp_path):
    """SQLite has no server that could have dropped a pooled connection: no « SELECT 1 » before each request's
    first statement. A PostgreSQL connection is pinged (the server may have closed it meanwhile)."""
    monkeypatch.setenv("SECRET_KEY", "une clé de production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'isle-jourdain.sqlite3'}")
    config = ProductionConfig()
    engine = create_engine(config.SQLALCHEMY_DATABASE_URI, **config.SQLALCHEMY_ENGINE_OPTIONS)
    sent = []
    event.listen(engine, "connect", lambda connection, _record: connection.set_trace_callback(sent.append))
    for _request in range(3):
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master")
    engine.dispose()
    assert sent == ["SELECT count(*) FROM sqlite_master"] * 3

    monkeypatch.setenv("DATABASE_URL", "postgresql://consult@base.isle-jourdain.example.org/consult")
    assert ProductionConfig().SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is True
