"""`flask backup PATH` while the site keeps writing, then `flask restore PATH` into a fresh database: the same rows,
a clean integrity check. On SQLite (online backup API) and, when TEST_DATABASE_URL is set, on PostgreSQL
(pg_dump / pg_restore)."""
from __future__ import annotations

import os
import shutil
from contextlib import closing
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select

from consult import create_app
from consult.accounts.models import Role, TerritoryRole, User
from consult.core.backup import table_counts
from consult.extensions import db
from tests.conftest import NOW, discard_database, make_config, postgres_database, served_database_app

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
WRITER_EMAIL = "charge-de-mission-{}@isle-jourdain.example.org"


@pytest.fixture
def app(tmp_path):
    """A database threads share (a SQLite file, or TEST_DATABASE_URL's), for this test alone."""
    if ON_POSTGRES and not shutil.which("pg_dump"):
        pytest.skip("the PostgreSQL client tools (pg_dump, pg_restore) are not installed")
    app = served_database_app(tmp_path)
    with app.app_context():
        yield app
        discard_database()
        db.engine.dispose()


@pytest.fixture
def fresh_database(tmp_path):
    """An app on an empty database: no table at all on SQLite; on PostgreSQL a database of its own."""
    url = postgres_database("restore") if ON_POSTGRES else f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    fresh = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    yield fresh
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()


class Writer(threading.Thread):
    """The site at work: each transaction adds one person AND their appointment, so that a backup taken in the
    middle of a transaction would show a person without appointment."""

    def __init__(self, app, territory_id: int) -> None:
        super().__init__(name="writer", daemon=True)
        self.app, self.territory_id = app, territory_id
        self.done, self.stop, self.error = 0, threading.Event(), None

    def run(self) -> None:
        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    user = User(email=WRITER_EMAIL.format(self.done), display_name=f"Chargée de mission {self.done}",
                                password_hash="!", privacy_consent_at=NOW, email_confirmed_at=NOW)
                    db.session.add(user)
                    db.session.flush()
                    db.session.add(TerritoryRole(user_id=user.id, territory_id=self.territory_id, role=Role.OBSERVER))
                    db.session.commit()
                    self.done += 1
                    time.sleep(0.002)
                db.session.remove()
        except Exception as error:  # the test reports it
            self.error = error

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 20
        while self.done < count and self.error is None:
            assert time.monotonic() < deadline, "the writer stalled"
            time.sleep(0.01)


def written() -> tuple[int, int]:
    """(people the writer added, their appointments) in the current app's database."""
    people = select(User.id).where(User.email.like(WRITER_EMAIL.format("%")))
    return (db.session.scalar(select(func.count()).select_from(people.subquery())),
            db.session.scalar(select(func.count()).select_from(TerritoryRole).where(TerritoryRole.user_id.in_(people))))


def test_backup_taken_under_write_load_restores_into_a_fresh_database(app, territory, coordinator, fresh_database,
                                                                      tmp_path):
    path = tmp_path / "consult-2026-12-03.backup"
    territory_id, coordinator_id = territory.id, coordinator.id
    db.session.commit()  # the test's own session holds no write lock while the writer works (BEGIN IMMEDIATE)
    writer = Writer(app, territory_id)
    writer.start()
    try:
        writer.wait_for(10)
        result = app.test_cli_runner().invoke(args=["backup", str(path)])
        at_backup = writer.done
        writer.wait_for(at_backup + 10)  # the site kept writing during and after the backup
    finally:
        writer.stop.set()
        writer.join(20)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert "Backup written and checked" in result.output and path.is_file()
    assert path.stat().st_mode & 0o077 == 0, "only the operator's account may read the residents' data"
    assert not list(tmp_path.glob(".*.part")), "nothing half-written is left beside the backup"
    live = table_counts()

    with fresh_database.app_context():  # the command runs on the app whose context is pushed
        restored = fresh_database.test_cli_runner().invoke(args=["restore", "--yes", str(path)])
        assert restored.exit_code == 0, restored.output
        assert "Restored and checked" in restored.output and "flask --app wsgi purge" in restored.output
        counts = table_counts()
        people, appointments = written()
        assert db.session.get(User, coordinator_id).email == "coordination.confluences@example.org"
    # One snapshot: every person the writer had committed comes with their appointment, none half-written…
    assert 10 <= people == appointments <= at_backup + 1
    # …and every table is there, with the rows it had (only the writer's tables moved since).
    assert counts.keys() == live.keys()
    # (page_stamps: a slot is written by every commit that writes, the writer's included)
    moved = {"users", "territory_roles", "page_stamps"}
    assert {name: n for name, n in counts.items() if name not in moved} == \
        {name: n for name, n in live.items() if name not in moved}
    assert counts["users"] == live["users"] - (writer.done - people)
    if not ON_POSTGRES:
        # The backup file itself is a whole database: integrity ok, the same rows as restored.
        with closing(sqlite3.connect(path)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == counts["users"]
        restored_file = fresh_database.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        with closing(sqlite3.connect(restored_file)) as database:
            assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_restore_refuses_what_is_not_a_backup_and_leaves_the_database_as_it_was(app, coordinator, tmp_path):
    before, coordinator_id = table_counts(), coordinator.id
    bogus = tmp_path / "consult.backup"
    bogus.write_bytes(b"Compte rendu de la reunion du 12 novembre a L'Isle-Jourdain\n" * 100)
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(bogus)])
    assert result.exit_code == 1
    assert ("pg_restore failed" if ON_POSTGRES else "is not a SQLite database") in result.output
    assert table_counts() == before
    email = db.session.scalar(select(User.email).where(User.id == coordinator_id))
    assert email == "coordination.confluences@example.org"


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only: the backup uses pg_dump")
def test_backup_says_so_when_pg_dump_is_not_installed(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "consult.backup")])
    assert result.exit_code == 1
    assert "pg_dump is not installed" in result.output
    assert not (tmp_path / "consult.backup").exists()
