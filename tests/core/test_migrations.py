"""Alembic migrations: one head, upgrade from empty, schema identical to the models, round trip.

Run on a fresh SQLite file, and also on PostgreSQL when TEST_DATABASE_URL points to one. The
PostgreSQL database is shared with the rest of the suite (which uses create_all/drop_all per
test), so it is wiped before and after each test here and always left empty.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

import config
from consult import create_app
from consult.extensions import db
from tests.conftest import make_config

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

def postgres_url() -> str | None:
    if not os.environ.get("TEST_DATABASE_URL"):
        return None
    url = config.TestingConfig().SQLALCHEMY_DATABASE_URI
    return url if url.startswith("postgresql") else None


BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(postgres_url() is None,
                                                        reason="TEST_DATABASE_URL is not a PostgreSQL database")),
]


def wipe_postgres(url: str) -> None:
    """Drop every table, sequence, view and type of the public schema (incl. alembic_version)."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '15s'")
            for kind, query in (
                ("VIEW", "SELECT table_name FROM information_schema.views WHERE table_schema = 'public'"),
                ("TABLE", "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"),
                ("SEQUENCE", "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"),
                ("TYPE", "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                         "WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')"),
            ):
                for (name,) in conn.exec_driver_sql(query).all():
                    conn.exec_driver_sql(f'DROP {kind} IF EXISTS public."{name}" CASCADE')
    finally:
        engine.dispose()


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def schema_differences() -> list:
    """What `flask db migrate` would generate, with the options env.py passes to Alembic."""
    options = dict(current_app.extensions["migrate"].configure_args)
    options.pop("render_as_batch", None)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=options)
        return compare_metadata(context, db.metadata)


def current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def script_directory() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


@pytest.fixture
def keep_logging():
    """env.py calls logging.config.fileConfig(), which disables existing loggers (the app's
    "consult" logger included) and replaces the root handlers: undo it for the next tests."""
    manager = logging.Logger.manager
    root = logging.getLogger()
    saved_root = (root.level, root.handlers[:])
    saved = {
        name: (logger.disabled, logger.level, logger.handlers[:], logger.propagate)
        for name, logger in manager.loggerDict.items() if isinstance(logger, logging.Logger)
    }
    yield
    root.setLevel(saved_root[0])
    root.handlers[:] = saved_root[1]
    for name, logger in list(manager.loggerDict.items()):
        if not isinstance(logger, logging.Logger):
            continue
        if name in saved:
            logger.disabled, level, handlers, logger.propagate = saved[name]
            logger.setLevel(level)
            logger.handlers[:] = handlers
        else:
            logger.disabled = False


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path, keep_logging):
    """An app bound to an empty database (a new SQLite file, or the wiped PostgreSQL database)."""
    if request.param == "postgresql":
        url = postgres_url()
        wipe_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    try:
        with app.app_context():
            assert table_names() == set(), "the database should start empty"
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        if request.param == "postgresql":
            wipe_postgres(url)


def test_there_is_exactly_one_head():
    heads = script_directory().get_heads()
    assert len(heads) == 1, f"several Alembic heads, merge them: {heads}"


def test_upgrade_from_an_empty_database(empty_app):
    upgrade()
    assert current_revision() == script_directory().get_current_head()
    missing = set(db.metadata.tables) - table_names()
    assert not missing, f"tables of the models that the migrations do not create: {sorted(missing)}"


def test_migrated_schema_matches_the_models(empty_app):
    upgrade()
    differences = schema_differences()
    assert differences == [], (
        "the models and the migrations disagree; run `flask db migrate` and review the new revision:\n"
        + "\n".join(map(repr, differences))
    )


def test_downgrade_to_base_then_upgrade_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert current_revision() is None
    assert table_names() <= {"alembic_version"}, f"left behind by the downgrades: {table_names()}"
    upgrade()
    assert current_revision() == script_directory().get_current_head()
    assert schema_differences() == []


def test_env_py_uses_no_deprecated_api(tmp_path, keep_logging):
    """`flask db upgrade` must not rely on APIs that Flask-SQLAlchemy 3.2 removes."""
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'warnings.sqlite3'}"))
    with app.app_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        upgrade()
        db.engine.dispose()
    deprecations = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert deprecations == []


def test_upgrade_to_0008_keeps_only_the_week_of_responses_without_an_account(empty_app):
    from consult.accounts.models import User
    from consult.surveys.models import Survey, SurveyMode
    from consult.territories.models import Territory

    upgrade(revision="0007_access_code_spent")
    # Core inserts name only the columns given or defaulted: the ORM would also name columns added after 0007.
    territory = SimpleNamespace(id=db.session.execute(sa.insert(Territory.__table__).values(
        slug="terres-des-confluences", name="Terres des Confluences")).inserted_primary_key[0])
    user = SimpleNamespace(id=db.session.execute(sa.insert(User.__table__).values(
        email="habitante@example.org", password_hash="x", display_name="Habitante",
        privacy_consent_at=dt.datetime(2026, 9, 1))).inserted_primary_key[0])
    anonymous, identified = (SimpleNamespace(id=db.session.execute(sa.insert(Survey.__table__).values(
        territory_id=territory.id, title=title, mode=mode)).inserted_primary_key[0])
        for title, mode in (("Votre santé", SurveyMode.ANONYMOUS), ("Professionnels", SurveyMode.IDENTIFIED)))
    thursday, sunday, monday = dt.date(2026, 10, 8), dt.date(2026, 10, 11), dt.date(2026, 10, 12)
    db.session.flush()
    # Written as SQL: the models describe the latest schema, not the one of 0007.
    rows = [(anonymous, "web", thursday, "a", None), (anonymous, "paper", sunday, "b", None),
            (anonymous, "web", monday, "c", None), (identified, "web", thursday, "d", user.id),
            (identified, "phone", sunday, "e", None)]
    for survey, channel, day, key, user_id in rows:
        db.session.execute(sa.text("INSERT INTO responses (survey_id, channel, submitted_on, dedupe_key, user_id) "
                                   "VALUES (:survey, :channel, :day, :key, :user)"),
                           {"survey": survey.id, "channel": channel, "day": day, "key": key, "user": user_id})
    db.session.commit()
    db.session.remove()

    upgrade()

    stored = dict(db.session.execute(sa.text("SELECT dedupe_key, submitted_on FROM responses")).all())
    stored = {key: day if isinstance(day, dt.date) else dt.date.fromisoformat(day) for key, day in stored.items()}
    assert stored == {"a": dt.date(2026, 10, 5), "b": dt.date(2026, 10, 5), "c": monday,
                      "d": thursday,  # an account's response keeps its day
                      "e": dt.date(2026, 10, 5)}  # keyed in for an identified survey: no account, so the week
    db.session.remove()
