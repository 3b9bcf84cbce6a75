"""What a process loads when the app starts: the libraries only a rare path needs (the release audit's SciPy, reading
an uploaded XLSX, the task queue, calendar files, migrations…) are imported where they are used, so that a web
worker stays small (~90 MB at rest instead of ~175) and every `flask` command starts faster. Each lazy path is
exercised by its own tests (XLSX, ODS, PDF, the audit, jobs, calendars); here: what starting leaves out, and the
commands and helpers that stand in for an import."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from consult import create_app
from consult.exports.writers import column_letter
from tests.conftest import make_config

ROOT = Path(__file__).resolve().parents[2]

# Imported only by the path that needs it (and never by starting the app or serving a page that does not).
LAZY = ("scipy", "numpy", "openpyxl", "odf", "weasyprint", "PIL", "huey", "redis", "icalendar", "flask_migrate",
        "alembic", "mako", "pygments")
# The app's own modules that only a command needs: the demo's content and the benchmark's bulk seeding.
LAZY_CONSULT = ("consult.accounts.demo", "consult.groups.demo", "consult.proposals.demo", "consult.surveys.demo",
                "consult.synthesis.demo", "consult.territories.demo", "consult.volume.seed")

PROBE = """
import json, sys
import wsgi
from consult import create_app
second = create_app()
status = second.test_client().get("/healthz").status_code
print(json.dumps({"modules": sorted({name.split(".")[0] for name in sys.modules}), "healthz": status,
                  "consult": sorted(name for name in sys.modules if name.startswith("consult."))}))
"""


def started(tmp_path: Path, probe: str = PROBE, **extra: str) -> dict:
    """`import wsgi` (the app gunicorn serves), another create_app() and one request, in a fresh interpreter (or
    another `probe`, which prints its findings as JSON on its last line)."""
    env = {key: value for key, value in os.environ.items() if key not in {"TEST_DATABASE_URL", "REDIS_URL"}}
    env.update({"CONSULT_ENV": "production", "SECRET_KEY": "imports-test-secret", "MAIL_BACKEND": "memory",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "EXPORT_DIR": str(tmp_path / "exports"),
                "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"), "PYTHONDONTWRITEBYTECODE": "", **extra})
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("redis_url", [None, "redis://127.0.0.1:1/0"], ids=["sqlite-queue", "redis-queue"])
def test_starting_the_app_on_sqlite_loads_no_library_that_only_a_rare_path_needs(tmp_path, redis_url):
    probe = started(tmp_path, **({"REDIS_URL": redis_url} if redis_url else {}))
    assert probe["healthz"] == 200
    loaded = set(probe["modules"])
    assert "consult" in loaded and "sqlalchemy" in loaded  # the probe did start the app
    assert sorted(loaded & set(LAZY)) == []
    assert sorted(set(probe["consult"]) & set(LAZY_CONSULT)) == []
    assert "psycopg" not in loaded and "psycopg2" not in loaded  # a SQLite database needs no PostgreSQL driver
    assert not (tmp_path / "huey.sqlite3").exists()  # the queue's file is made when the queue is first used


def test_flask_db_commands_still_migrate_through_the_cli(tmp_path):
    database = tmp_path / "migrated.sqlite3"
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}"))
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["--help"])
    assert listing.exit_code == 0 and "Perform database migrations." in listing.output

    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
        assert {"users", "surveys", "responses"} <= set(sa.inspect(connection).get_table_names())
    engine.dispose()
    assert app.extensions["migrate"].directory == str(ROOT / "migrations")


def test_column_letters_of_the_hand_written_xlsx_are_the_spreadsheet_names():
    from openpyxl.utils import get_column_letter

    assert [column_letter(n) for n in (1, 26, 27, 52, 53, 702, 703, 16384)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]
    assert all(column_letter(n) == get_column_letter(n) for n in range(1, 18279))
