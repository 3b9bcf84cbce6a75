"""Fixtures: the app on an empty database for each test, clients, mail capture, people and realistic factories.

How the suite is built, fastest first:

- `app` is one app per session (per pytest-xdist worker), `shared_app()`; before each test `fresh()` empties
  its tables (DELETE, children first; on PostgreSQL only where rows are; ids start again from 1),
  clears the memory outbox and pushes an app context; after it, `app.config` is put back as it was, so a test
  may change the config freely. `csrf_app` and the account tests' SMTP app are shared the same way.
- Apps that need a database threads can share (`served_database_app` + `serving`), or a database of their
  own, are still built per test with `build_app`; call `discard_database()` when done.
- `demo` is the demo seeded once per session for the tests that only read it (and fails a test that adds or
  deletes rows); tests that write or seed again use `seeded_demo` (or `demo_copy`), a database of their own.
  Every one of these is a copy of a template that `seed-demo` made once for the whole run, shared by the xdist
  workers (`seeded_template`, a SQLite file; `postgres_template`, a PostgreSQL database copied with CREATE DATABASE
  … TEMPLATE): seeding costs ~2.5 s of CPU, ~12 s with --publish-results.
- Browser journeys each get a served app on a fresh copy of a seeded demo (seeded once per worker), unless marked
  `shared_server` (they only read): those share one per module (tests/browser/conftest.py).
- `make test` runs on every core with pytest-xdist (`--dist loadfile`). On PostgreSQL (TEST_DATABASE_URL, see
  tests/pgcluster.py) each worker uses its own database `<name>_gw0`, `<name>_gw1`…, and the demo, a test's copy of
  it and the shared browser server have theirs (`<name>_gw0_demo`, `<name>_gw0_copy`, `<name>_gw0_browser`); the
  run's templates are `<name>_seeded_demo…`.
- People: `coordinator`, `observer`, `participant`, `other_coordinator` and `admin` are accounts, not logged in;
  log one in with `login(user)` on `client`, `as_coordinator` / `as_observer`, or `as_role(role)` for a new client.
"""
from __future__ import annotations

import csv
import datetime as dt
import fcntl
import itertools
import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, inspect, make_url, select, union_all
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from config import TestingConfig
from consult import create_app
from consult.accounts.models import Category, Role, TerritoryRole, User
from consult.accounts.services import hash_password
from consult.core.mail import outbox as mail_outbox
from consult.extensions import db
from consult.territories.models import Axis, Commune, Contract, ContractPartner, Epci, Objective, PartnerKind, Phase, Territory

SAMPLE_CSV = Path(__file__).resolve().parent.parent / "consult" / "core" / "demo" / "territory_sample.csv"
PASSWORD = "un mot de passe très sûr"
# The six roles every protected route is tested for.
ROLES = ["anonymous", "participant", "observer", "other_coordinator", "coordinator", "admin"]
NOW = dt.datetime(2026, 11, 23, 10, 0)

os.environ.setdefault("CONSULT_ENV", "testing")


def postgres_database(suffix: str) -> str:
    """The URL of the PostgreSQL database `<test database>_<suffix>`, next to TEST_DATABASE_URL's; created if missing."""
    url = make_url(TestingConfig().SQLALCHEMY_DATABASE_URI)
    name = f"{url.database}_{suffix}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            exists = connection.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name})
            if exists.scalar() is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def pytest_configure(config):
    """Under pytest-xdist on PostgreSQL each worker has its own database (`<test database>_gw0`, …): the tests
    empty and wipe theirs freely."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    if os.environ.get("TEST_DATABASE_URL"):
        # The run's database (the workers' templates of the seeded demo live next to it, see `postgres_template`).
        os.environ.setdefault("CONSULT_TEST_RUN_DATABASE_URL", os.environ["TEST_DATABASE_URL"])
    if worker and os.environ.get("TEST_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = postgres_database(worker)


# The files that take longest (seconds of one worker, measured with --durations), heaviest first. `make test`
# hands files to the xdist workers in collection order (--no-loadscope-reorder: xdist's default puts the files
# with the most tests first, which left these one- or two-test files for last and one worker alone at the end).
HEAVY_FILES = (
    "tests/core/test_rendering_queries.py",
    "tests/core/test_fuzz_routes.py",
    "tests/surveys/test_release_attacker_served.py",
    "tests/surveys/test_release_attacker.py",
    "tests/core/test_exports_served.py",
    "tests/browser/test_survey_template_and_staff.py",
    "tests/diagnostic/test_datapackage.py",
    "tests/browser/test_action_plan_journey.py",
    "tests/core/test_database.py",
    "tests/browser/test_journeys.py",
    "tests/browser/test_proposal_journey.py",
    "tests/diagnostic/test_reports.py",
    "tests/api/test_api.py",
    "tests/synthesis/test_plan_demo.py",
    "tests/browser/test_survey_journey.py",
    "tests/browser/test_results_report_journey.py",
    "tests/browser/test_plan_io_journey.py",
    "tests/browser/test_fiche_journey.py",
    "tests/browser/test_files_journey.py",
    "tests/diagnostic/test_jobs_served.py",
    "tests/browser/test_signup_journey.py",
    "tests/browser/test_vote_journey.py",
    "tests/browser/test_workspaces_journey.py",
    "tests/browser/test_group_journey.py",
    "tests/proposals/test_authorization.py",
    "tests/core/test_authorization.py",
    "tests/core/test_static_analysis.py",
    "tests/accounts/test_timing.py",
    "tests/core/test_faults.py",
)


def pytest_collection_modifyitems(config, items):
    """The heaviest files first (in HEAVY_FILES order), the others after in their usual order."""
    rank = {path: index for index, path in enumerate(HEAVY_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def make_config(**overrides) -> TestingConfig:
    """A TestingConfig with overrides (e.g. a file database for a served app)."""
    config = TestingConfig()
    config.WTF_CSRF_ENABLED = overrides.pop("WTF_CSRF_ENABLED", False)
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Tests keep an app context pushed to query the database; without this, requests would share
    its `g` (Flask-Login's cached user) and its database session (cached objects). The test's own
    session is committed around each request so that it holds no transaction while the request
    runs and reads fresh rows afterwards.

    Responses are buffered: a streamed body (stream_with_context) is read to its end and closed inside the
    request's own context. Unbuffered, a body the test never reads kept its request context pushed and its
    database transaction open until the garbage collector closed it, during some later test (a wrong context
    popped there, or on PostgreSQL a table reset waiting forever behind the open transaction). Pass
    `buffered=False` to read a body chunk by chunk.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        outer = has_app_context()
        if outer:
            db.session.commit()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            if outer:
                db.session.commit()


# Empties the tables that hold rows (children first) and restarts the sequences that were used, in one round trip:
# a TRUNCATE of every table cost ~0.2 s per test; DELETE is cheaper than TRUNCATE on tables of a few rows. A
# superuser (the throwaway cluster's) skips the foreign key triggers while every table is emptied anyway, and the
# sequences are set back with setval, not ALTER SEQUENCE … RESTART (a new file and a catalog change per sequence):
# 37 → 15 ms per test (median, a few rows in ten tables).
EMPTY_POSTGRES_TABLES = """
DO $$
DECLARE
    name text;
    has_rows boolean;
    sequence record;
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        PERFORM set_config('session_replication_role', 'replica', true);
    END IF;
    FOREACH name IN ARRAY %(names)s::text[] LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %%%%I)', name) INTO has_rows;
        IF has_rows THEN
            EXECUTE format('DELETE FROM %%%%I', name);
        END IF;
    END LOOP;
    FOR sequence IN SELECT schemaname, sequencename FROM pg_sequences
                    WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP
        PERFORM setval(format('%%%%I.%%%%I', sequence.schemaname, sequence.sequencename), 1, false);
    END LOOP;
END $$
"""


def reset_database() -> None:
    """An empty schema for the next test (tests only: production uses migrations).

    The tables are created once per database (again only if something dropped them, as the migration
    tests do on PostgreSQL) and then emptied, ids starting again from 1: DELETE from every table on SQLite,
    from those that hold rows on PostgreSQL.
    """
    db.session.remove()
    if db.engine.dialect.name != "postgresql":
        with db.engine.begin() as connection:
            if len(inspect(connection).get_table_names()) < len(db.metadata.tables):
                db.metadata.create_all(connection)
            # Children first; a table's own rows all go in one statement, so self-references never block.
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        return
    names = [table.name for table in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        present = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY(%(names)s)",
            {"names": names}).scalar()
        if present < len(names):
            db.metadata.create_all(connection)
        array = "ARRAY[" + ", ".join(f"'{name}'" for name in reversed(names)) + "]"
        connection.exec_driver_sql(EMPTY_POSTGRES_TABLES % {"names": array})


def discard_database() -> None:
    """After a test: SQLite tables are dropped; PostgreSQL's are left for the next test to empty."""
    db.session.remove()
    if db.engine.dialect.name != "postgresql":
        db.drop_all()


def build_app(**overrides):
    """An app on an empty database."""
    app = create_app(make_config(**overrides))
    app.test_client_class = FreshContextClient
    with app.app_context():
        reset_database()
    return app


def served_database_app(tmp_path, **overrides):
    """An app whose database threads can share: a SQLite file, or TEST_DATABASE_URL when set."""
    if not os.environ.get("TEST_DATABASE_URL"):
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    return build_app(**overrides)


@contextmanager
def serving(app):
    """Serve `app` with a threaded werkzeug server on 127.0.0.1; yield the port; then stop and clean up."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="served-app", daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        with app.app_context():
            discard_database()
            db.engine.dispose()


# --- apps shared by the session ---------------------------------------------------------------------------

_shared_apps: dict[tuple, Flask] = {}


def shared_app(**overrides) -> Flask:
    """The session's app for these overrides, built on first use (its database then lives as long as it)."""
    key = tuple(sorted((name, repr(value)) for name, value in overrides.items()))
    if key not in _shared_apps:
        _shared_apps[key] = build_app(**overrides)
    return _shared_apps[key]


@contextmanager
def fresh(app: Flask):
    """`app` as if new for one test: empty tables, an app context pushed, no mail sent yet; whatever the test
    changes in `app.config` is put back afterwards."""
    config = dict(app.config)
    with app.app_context():
        reset_database()
        mail_outbox().clear()
        try:
            yield app
        finally:
            db.session.remove()
            app.config.clear()
            app.config.update(config)


@pytest.fixture(scope="session", autouse=True)
def _dispose_shared_apps():
    """Close the shared apps' connections at the end (pooled psycopg connections left to the garbage
    collector raise ResourceWarning, an error in this suite)."""
    yield
    while _shared_apps:
        _key, app = _shared_apps.popitem()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app():
    """The session's app on an empty database, with an app context pushed for the test."""
    with fresh(shared_app()) as app:
        yield app


@pytest.fixture
def csrf_app():
    """Like `app`, but with CSRF protection on, as in production."""
    with fresh(shared_app(WTF_CSRF_ENABLED=True)) as app:
        yield app


# --- the demo, seeded once -------------------------------------------------------------------------------

@dataclass
class Demo:
    """The demo data on its own database: `app` serves it, `seeding` is the `flask seed-demo` run that made it."""

    app: Flask
    seeding: Result | Seeding


def row_counts() -> tuple[int, ...]:
    """The number of rows of every table, in one query; the audit trail aside (a coordinator reading contact details
    or downloading a file is recorded there: that is the read itself, not a write of the test)."""
    counts = union_all(*(select(func.count()).select_from(table) for table in db.metadata.sorted_tables
                         if table.name != "audit_events"))
    return tuple(db.session.scalars(counts))


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """The demo seeded once per session (per worker), for the tests that only read it.

    It is a copy of the run's seeded template (`seeded_template`), made by `seed-demo` once for every worker.
    Tests that write, or seed again to check idempotence, use `seeded_demo` (a copy of their own).
    On PostgreSQL the copy is a database of its own (`<test database>_demo`).
    """
    if os.environ.get("TEST_DATABASE_URL"):
        template, seeding = postgres_template(tmp_path_factory)
        app = app_on_postgres_copy(template, "demo")
    else:  # a copy of the run's seeded demo
        template, seeding = seeded_template(tmp_path_factory)
        app = app_on_copy(template, tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    yield Demo(app=app, seeding=seeding)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass
class Seeding:
    """What a `flask seed-demo` run printed and returned (a click Result, or one read back from a template)."""

    exit_code: int
    output: str


def copy_database(template: Path, target: Path) -> None:
    """`target` becomes a copy of the SQLite database `template` (SQLite's backup: consistent whatever the journal)."""
    source, copy = sqlite3.connect(template), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()


def seeded_template(tmp_path_factory, *options: str) -> tuple[Path, Seeding]:
    """A SQLite file on which `flask seed-demo <options>` ran once on an empty database, and what it printed.

    Made once for the whole run: the pytest-xdist workers share it (the first to ask seeds, under a file
    lock; the others wait, then copy it). Seeding the demo takes ~2.5 s of CPU, ~12 s with --publish-results.
    On PostgreSQL the fixtures use `postgres_template` instead (a database), the same way.
    """
    root = _run_folder(tmp_path_factory)
    name = "-".join(["seeded-demo", *(option.strip("-") for option in options)])
    database, printed = root / f"{name}.sqlite3", root / f"{name}.json"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not printed.exists():
            database.unlink(missing_ok=True)
            app = build_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
            with app.app_context():
                result = app.test_cli_runner().invoke(args=["seed-demo", *options])
                db.session.remove()
                db.engine.dispose()
            assert result.exit_code == 0, result.output
            printed.write_text(json.dumps({"exit_code": result.exit_code, "output": result.output}))
    return database, Seeding(**json.loads(printed.read_text()))


def _run_folder(tmp_path_factory) -> Path:
    """The run's temporary folder, shared by the xdist workers (the parent of each worker's)."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


def _postgres_admin():
    """An engine on the run's PostgreSQL database, outside transactions (CREATE / DROP DATABASE)."""
    url = make_url(os.environ.get("CONSULT_TEST_RUN_DATABASE_URL") or os.environ["TEST_DATABASE_URL"])
    return url, create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def postgres_template(tmp_path_factory, *options: str) -> tuple[str, Seeding]:
    """PostgreSQL: the database `<run's database>_seeded_demo[_<options>]` on which `flask seed-demo <options>`
    ran once for the run (the xdist workers share it, under a file lock as on SQLite), its URL and what it printed.
    A copy of it (`CREATE DATABASE … TEMPLATE`, ~0.3 s) replaces seeding again (2.5 to 12 s of CPU, and as many
    round trips to the server as rows)."""
    root = _run_folder(tmp_path_factory)
    name = "_".join(["seeded_demo", *(option.strip("-").replace("-", "_") for option in options)])
    printed = root / f"pg-{name}.json"
    url, admin = _postgres_admin()
    template = url.set(database=f"{url.database}_{name}")
    try:
        with (root / f"pg-{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not printed.exists():  # a database left by an earlier run on the same server is made again
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{template.database}" WITH (FORCE)')
                    connection.exec_driver_sql(f'CREATE DATABASE "{template.database}"')
                app = build_app(SQLALCHEMY_DATABASE_URI=template.render_as_string(hide_password=False))
                with app.app_context():
                    result = app.test_cli_runner().invoke(args=["seed-demo", *options])
                    db.session.remove()
                    db.engine.dispose()  # a template takes copies only while nobody is connected to it
                assert result.exit_code == 0, result.output
                printed.write_text(json.dumps({"exit_code": result.exit_code, "output": result.output}))
    finally:
        admin.dispose()
    return template.render_as_string(hide_password=False), Seeding(**json.loads(printed.read_text()))


def app_on_postgres_copy(template: str, suffix: str, **overrides) -> Flask:
    """An app on `<worker's database>_<suffix>`, made again as a copy of the PostgreSQL database `template`."""
    name = f"{make_url(os.environ['TEST_DATABASE_URL']).database}_{suffix}"
    url, admin = _postgres_admin()
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
    finally:
        admin.dispose()
    target = url.set(database=name).render_as_string(hide_password=False)
    app = create_app(make_config(**{**overrides, "SQLALCHEMY_DATABASE_URI": target}))
    app.test_client_class = FreshContextClient
    return app


def app_on_copy(template: Path, target: Path, **overrides) -> Flask:
    """An app on `target`, a copy of the SQLite database `template` (see `seeded_template`)."""
    copy_database(template, target)
    app = create_app(make_config(**{**overrides, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"}))
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture
def demo(demo_database):
    """The seeded demo with its app context pushed; the test fails if it added or deleted rows (others share it)."""
    with demo_database.app.app_context():
        before = row_counts()
        yield demo_database
        db.session.rollback()
        assert row_counts() == before, "a test using `demo` must only read: use `seeded_demo` to write"
        db.session.remove()


@contextmanager
def demo_copy(tmp_path_factory, folder: Path, *options: str):
    """The demo as `flask seed-demo <options>` left it on an empty database, on a database of its own that the
    caller may change (app context pushed): a copy of the run's template (`seeded_template`), in `folder` on
    SQLite, on PostgreSQL the database `<worker's database>_copy` (made again for each caller)."""
    if os.environ.get("TEST_DATABASE_URL"):
        template, seeding = postgres_template(tmp_path_factory, *options)
        app = app_on_postgres_copy(template, "copy")
    else:
        template, seeding = seeded_template(tmp_path_factory, *options)
        app = app_on_copy(template, folder / "demo.sqlite3")
    with app.app_context():
        try:
            yield Demo(app=app, seeding=seeding)
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def seeded_demo(tmp_path_factory, tmp_path):
    """`seed-demo` run once on an empty database, for a test that writes or seeds again (its own copy, see
    `demo_copy`); `.seeding` is what that run printed. Do not combine with `app`: this is the test's app."""
    with demo_copy(tmp_path_factory, tmp_path) as demo:
        yield demo


@pytest.fixture
def published_demo(tmp_path_factory, tmp_path):
    """Like `seeded_demo`, for `seed-demo --publish-results` (the survey's first release made and published)."""
    with demo_copy(tmp_path_factory, tmp_path, "--publish-results") as demo:
        yield demo


@pytest.fixture
def views_only(monkeypatch):
    """Every page made by its view, none given from the pages kept for visitors (consult/core/pagecache.py): for
    tests that count what a view itself does."""
    from consult.core import pagecache

    monkeypatch.setattr(pagecache, "_candidate", lambda: False)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """Messages sent during the test (memory mail backend)."""
    return mail_outbox()


_counter = itertools.count(1)


@pytest.fixture
def make_user(app):
    """Create a confirmed account; `role=(territory, Role.COORDINATOR)` appoints it."""

    def factory(email=None, *, password=PASSWORD, display_name=None, admin=False, confirmed=True,
                role=None, category=Category.RESIDENT, commune=None, locale=None) -> User:
        n = next(_counter)
        user = User(
            email=email or f"personne{n}@example.org",
            display_name=display_name or f"Élodie L'Hôte-{n}",
            password_hash=hash_password(password), privacy_consent_at=NOW,
            email_confirmed_at=NOW if confirmed else None, is_admin=admin, category=category,
            commune=commune, locale=locale,
        )
        db.session.add(user)
        db.session.flush()
        if role is not None:
            territory, kind = role
            db.session.add(TerritoryRole(user=user, territory=territory, role=kind))
        db.session.commit()
        return user

    return factory


def sample_rows(siren: str) -> list[dict]:
    with SAMPLE_CSV.open(encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r["epci_siren"] == siren]


@pytest.fixture
def make_territory(app):
    """A territory with real communes from the sample file and a current contract with two axes."""

    def factory(slug="terres-des-confluences", name="Terres des Confluences", *, siren="200066322",
                epci_name="CC Terres des Confluences", with_contract=True) -> Territory:
        territory = Territory(slug=slug, name=name, presentation="Un territoire **rural** au confluent du Tarn "
                              "et de la Garonne.", controller=f"Communauté de communes {name}")
        epci = Epci(name=epci_name, siren=siren, territory=territory)
        db.session.add(territory)
        for row in sample_rows(siren):
            db.session.add(Commune(territory=territory, epci=epci, insee_code=row["insee_code"],
                                   name=row["commune_name"], population=int(row["population"]),
                                   population_year=int(row["population_year"])))
        if with_contract:
            contract = Contract(territory=territory, generation=2, title=f"CLS 2 {name} 2023-2027",
                                start_date=dt.date(2023, 1, 1), end_date=dt.date(2027, 12, 31),
                                phase=Phase.SIGNED, is_current=True, summary="Deuxième contrat.")
            db.session.add(contract)
            contract.partners = [
                ContractPartner(kind=PartnerKind.SIGNATORY, name="ARS Occitanie", position=0),
                ContractPartner(kind=PartnerKind.PARTNER, name="CPTS Quercy Garonne", position=0),
            ]
            first = Axis(position=0,
                         title="Favoriser la mise en relation des acteurs (élus, professionnels…)")
            first.objectives = [Objective(title="Accueillir les nouveaux praticiens de santé", position=0),
                                Objective(title="Former les élus aux inégalités de santé", position=1)]
            second = Axis(position=1, title="Développer l'essor d'actions complémentaires innovantes")
            contract.axes = [first, second]
        db.session.commit()
        return territory

    return factory


@pytest.fixture
def territory(make_territory):
    return make_territory()


@pytest.fixture
def other_territory(make_territory):
    return make_territory("ouest-aveyron", "Ouest Aveyron Communauté", siren="200069383",
                          epci_name="CC Ouest Aveyron Communauté")


@pytest.fixture
def login(client):
    """Log `user` in through the login form; returns the response."""

    def do(user: User, password: str = PASSWORD):
        response = client.post("/account/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


# --- the people of Terres des Confluences: one account per role, not logged in -----------------------------
# Log one in with `login(user)` (on `client`), `as_coordinator` / `as_observer`, or `as_role(role)` for a new client.

@pytest.fixture
def coordinator(make_user, territory):
    """The coordinator of Terres des Confluences."""
    return make_user("coordination.confluences@example.org", display_name="Coordination CLS Terres des Confluences",
                     role=(territory, Role.COORDINATOR), category=Category.INSTITUTION)


@pytest.fixture
def observer(make_user, territory):
    """An observer of Terres des Confluences (reads results, manages nothing)."""
    return make_user("observatoire@example.org", display_name="Observatoire régional de santé",
                     role=(territory, Role.OBSERVER))


@pytest.fixture
def participant(make_user):
    """A resident with an account and no role."""
    return make_user("habitante@example.org", display_name="Habitante de Moissac")


@pytest.fixture
def other_coordinator(make_user, other_territory):
    """The coordinator of another territory (Ouest Aveyron)."""
    return make_user("coordination.aveyron@example.org", display_name="Coordination Ouest Aveyron",
                     role=(other_territory, Role.COORDINATOR))


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.org", display_name="Administratrice", admin=True)


@pytest.fixture
def as_coordinator(coordinator, login):
    """The coordinator, logged in on `client`."""
    login(coordinator)
    return coordinator


@pytest.fixture
def as_observer(observer, login):
    """The observer, logged in on `client`."""
    login(observer)
    return observer


def commune_by_code(code: str) -> Commune:
    return db.session.scalar(select(Commune).where(Commune.insee_code == code))


_client_addresses = itertools.count(1)


@pytest.fixture
def as_role(app, make_user, territory, other_territory):
    """`as_role(role)`: a fresh client logged in as one of ROLES (each on its own address: no login rate
    limit), for territory « Terres des Confluences »."""

    def make(role: str):
        users = {
            "participant": lambda: make_user(display_name="Habitante de Moissac"),
            "observer": lambda: make_user(role=(territory, Role.OBSERVER)),
            "other_coordinator": lambda: make_user(role=(other_territory, Role.COORDINATOR)),
            "coordinator": lambda: make_user(role=(territory, Role.COORDINATOR)),
            "admin": lambda: make_user(admin=True),
        }
        client = app.test_client()
        n = next(_client_addresses)
        client.environ_base["REMOTE_ADDR"] = f"192.0.{2 + n // 250}.{n % 250 + 1}"
        if role != "anonymous":
            user = users[role]()
            assert client.post("/account/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        return client

    return make
