"""`flask backup PATH` and `flask restore PATH`: a consistent copy of the whole database while the site runs,
checked before it is kept, and its return into the configured database.

SQLite: SQLite's online backup API copies every page in one step under a read transaction, so the copy is one
snapshot even while the site writes (WAL: readers never block writers); `PRAGMA integrity_check` on the copy
before it takes its final name. PostgreSQL: `pg_dump --format=custom` (one snapshot), its archive listed back by
`pg_restore --list` before it takes its final name; `pg_restore --clean --single-transaction` to restore, so a
restore that fails leaves the database as it was.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import column, create_engine, func, inspect, select, table
from sqlalchemy.pool import StaticPool

from consult.extensions import db

CONSULT_TABLE = "users"  # a file without it is not a Consult database


class BackupError(Exception):
    """The backup or the restore could not be done; the message tells the operator why, in plain words."""


@dataclass
class Report:
    """What a backup or a restore did: the file, its size, the rows of each table (when known) and the
    migration the database is at (None when the schema was made without migrations, e.g. by the tests)."""

    path: Path
    size: int
    counts: dict[str, int] = field(default_factory=dict)
    revision: str | None = None

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def backup(path: Path) -> Report:
    """Copy the configured database into `path` (written next to it, checked, then renamed into place).

    Raises BackupError when the copy cannot be made or does not pass its check; nothing is left at `path` then.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.part")
    try:
        partial.unlink(missing_ok=True)
        # It holds what residents said and their contact details: readable by the operator's account only.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        if db.engine.dialect.name == "sqlite":
            report = _sqlite_backup(path, partial)
        else:
            report = _postgres_backup(path, partial)
        _sync(partial)
        partial.replace(path)
    except OSError as error:
        raise BackupError(f"could not write {path}: {error.strerror or error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return report


def restore(path: Path) -> Report:
    """Replace the configured database's content by the backup at `path`; the counts are the restored ones.

    Raises BackupError when `path` is not a readable Consult backup (the database is then untouched) or
    when the restore fails.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    if db.engine.dialect.name == "sqlite":
        return _sqlite_restore(path)
    return _postgres_restore(path)


def table_counts() -> dict[str, int]:
    """The number of rows of every table of the configured database (alembic's included)."""
    names = inspect(db.session.connection()).get_table_names()
    counts = {name: db.session.scalar(select(func.count()).select_from(table(name))) for name in names}
    db.session.rollback()
    return counts


def code_revision() -> str | None:
    """The migration this code's schema is at (the head of migrations/)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()


# --- SQLite ---------------------------------------------------------------------------------------------------

def _sqlite_backup(path: Path, partial: Path) -> Report:
    live = db.engine.url.database
    if live and Path(live).resolve() == path.resolve():
        raise BackupError(f"{path} is the database itself: choose another file")
    connection = db.engine.raw_connection()  # the pool's connection: also works for an in-memory database
    try:
        copy = sqlite3.connect(partial)
        try:
            connection.driver_connection.backup(copy)  # pages=-1: every page in one step, one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, whatever the live journal
            _check_sqlite(copy, partial)
            counts, revision = _sqlite_counts(copy), _sqlite_revision(copy)
        finally:
            copy.close()
    except sqlite3.Error as error:
        raise BackupError(f"the copy failed: {error}") from error
    finally:
        connection.close()
    return Report(path=path, size=partial.stat().st_size, counts=counts, revision=revision)


def _sqlite_restore(path: Path) -> Report:
    try:
        source = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be opened: {error}") from error
    try:
        _check_sqlite(source, path)
        tables = {name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if CONSULT_TABLE not in tables:
            raise BackupError(f"{path} is not a Consult backup (no {CONSULT_TABLE} table)")
        _release()
        connection = db.engine.raw_connection()
        try:
            source.backup(connection.driver_connection)  # takes the write lock, replaces every page at once
            _check_sqlite(connection.driver_connection, Path(db.engine.url.database or ":memory:"))
            counts, revision = _sqlite_counts(connection.driver_connection), _sqlite_revision(source)
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BackupError(f"the restore failed: {error}") from error
    finally:
        source.close()
    return Report(path=path, size=path.stat().st_size, counts=counts, revision=revision)


def _release() -> None:
    """Close this process's connections: none keeps a transaction open on what the restore replaces."""
    db.session.remove()
    db.engine.dispose()


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:  # "file is not a database"
        raise BackupError(f"{path} is not a SQLite database: {error}") from error
    if problems != ["ok"]:
        raise BackupError(f"{path} fails SQLite's integrity check: {'; '.join(problems[:5])}")


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    engine = create_engine("sqlite://", creator=lambda: connection, poolclass=StaticPool)  # this very connection
    with engine.connect() as counting:
        return {name: counting.scalar(select(func.count()).select_from(table(name))) for name in names}


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: a schema made without migrations
        return None
    return row[0] if row else None


# --- PostgreSQL -----------------------------------------------------------------------------------------------

def _postgres_backup(path: Path, partial: Path) -> Report:
    _run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}")
    listing = _run("pg_restore", "--list", str(partial), database=False)  # the archive reads back whole
    if "TABLE DATA" not in listing:
        raise BackupError("pg_dump wrote an archive without any table data")
    return Report(path=path, size=partial.stat().st_size, revision=_postgres_revision())


def _postgres_restore(path: Path) -> Report:
    _run("pg_restore", "--list", str(path), database=False)  # refuses what is not a pg_dump archive, untouched
    _release()
    _run("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", str(path))
    counts = table_counts()
    if CONSULT_TABLE not in counts:
        raise BackupError(f"{path} restored no {CONSULT_TABLE} table: is it a Consult backup?")
    return Report(path=path, size=path.stat().st_size, counts=counts, revision=_postgres_revision())


def _postgres_revision() -> str | None:
    if not inspect(db.session.connection()).has_table("alembic_version"):
        db.session.rollback()
        return None
    revision = db.session.scalar(select(column("version_num")).select_from(table("alembic_version")))
    db.session.rollback()
    return revision


def _run(tool: str, *arguments: str, database: bool = True) -> str:
    """Run a PostgreSQL client tool on the configured database (the password in the environment, never on the
    command line where `ps` shows it); its standard output, or BackupError with what it printed."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed: install the PostgreSQL client tools of the server's major "
                          f"version (Debian: apt install postgresql-client)")
    command, env = [executable, *arguments], dict(os.environ)
    if database:
        url = db.engine.url
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        command.append("--dbname=" + url.set(drivername="postgresql", password=None)
                       .render_as_string(hide_password=False))
    # A PostgreSQL client tool found on PATH, its arguments as a list, no shell (bandit B603).
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _sync(path: Path) -> None:
    """Flush the file to the disk before it takes its final name (a crash then leaves the old backup, not half)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- commands -------------------------------------------------------------------------------------------------

def _describe(report: Report) -> str:
    size = f"{report.size / 1_000_000:.1f} MB" if report.size >= 100_000 else f"{report.size} bytes"
    parts = [f"{report.path}: {size}"]
    if report.counts:
        parts.append(f"{report.rows} rows in {len(report.counts)} tables")
    parts.append(f"schema {report.revision}" if report.revision else "schema without migration record")
    return ", ".join(parts)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the whole database into PATH while the site keeps running (checked before it is kept)."""
    try:
        report = backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written and checked: {_describe(report)}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the WHOLE content of the configured database by the backup PATH. Stop the site and the
    worker first; afterwards run `flask db upgrade` if the backup comes from an older version."""
    if not yes:
        click.confirm(f"Every row of {db.engine.url.render_as_string(hide_password=True)} will be replaced "
                      f"by {path}. Go on?", abort=True)
    try:
        report = restore(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored and checked: {_describe(report)}")
    click.echo("Run `flask --app wsgi purge` now: what expired since the backup was taken must go again.")
    head = code_revision()
    if report.revision and head and report.revision != head:
        click.echo(f"This backup is at schema {report.revision}, the code at {head}: "
                   f"run `flask --app wsgi db upgrade` now.")
