"""Test-only file kinds for the jobs' tests: a builder that writes a real file (what it was asked for, in the
language it runs in) and reports its progress, one that fails with personal data in its message, and the
fixtures that put them in KINDS. The real builders (workbook, data package, reports) have their own tests."""
from __future__ import annotations

import os
import time

import pytest
from flask import current_app
from flask_babel import get_locale, gettext as _, lazy_gettext as _l

from consult.diagnostic.kinds import KINDS, FileKind

STEPS = 4
SAMPLE = "tests.diagnostic.conftest_jobs:build_sample"
BROKEN = "tests.diagnostic.conftest_jobs:build_broken"
SECRET = "Élodie L'Hôte a répondu « oui » à la question 12"  # what a failed build's message must never show
# Test-only kinds: a published file, a record-level file, and one whose build fails.
TEST_KINDS = (
    FileKind("sample", _l("Diagnostic workbook"), {"ods": SAMPLE, "xlsx": SAMPLE}, records=False),
    FileKind("sample-records", _l("Data package (open data and anonymised responses)"),
             {"zip": SAMPLE, "csv": SAMPLE}, records=True),
    FileKind("broken", _l("Consultation report"), {"pdf": BROKEN}, records=False),
)


def build_sample(territory, fmt, target, *, progress, options):
    """A small text file saying what was built, for whom, in which language; STEPS progress calls (each
    TEST_BUILD_DELAY seconds apart when the app's config says so: the served test watches it run)."""
    delay = current_app.config.get("TEST_BUILD_DELAY", 0)
    progress(0, STEPS)
    for step in range(1, STEPS + 1):
        time.sleep(delay)
        target.write(f"{step}: {territory.name} — {fmt}\n".encode())
        progress(step, STEPS)
    options_text = ", ".join(f"{key}={value}" for key, value in sorted(options.items()))
    target.write(f"locale={get_locale()}; {_('Files and reports')}; options: {options_text}\n".encode())


def build_broken(territory, fmt, target, *, progress, options):
    """Fails half-way, as a builder with a bug would, with a response's content in its message."""
    progress(1, STEPS)
    target.write(b"half a file")
    raise RuntimeError(SECRET)


def add_test_kinds(kinds: dict = KINDS) -> None:
    """Put the test-only kinds in the registry (a served app's processes call it when they build the app)."""
    for kind in TEST_KINDS:
        kinds[kind.key] = kind


def served_app():
    """What gunicorn and `flask worker` serve in test_jobs_served.py ('tests.diagnostic.conftest_jobs:served_app()'):
    the testing app on SERVED_DATABASE_URL with CSRF checked, the test-only kinds, each build step taking
    TEST_BUILD_DELAY seconds; HUEY_IMMEDIATE, HUEY_SQLITE_PATH and EXPORT_DIR come from the environment."""
    from consult import create_app
    from tests.conftest import make_config

    add_test_kinds()
    return create_app(make_config(SQLALCHEMY_DATABASE_URI=os.environ["SERVED_DATABASE_URL"], WTF_CSRF_ENABLED=True,
                                  TEST_BUILD_DELAY=float(os.environ.get("TEST_BUILD_DELAY", "0"))))


@pytest.fixture
def test_kinds(monkeypatch):
    """The test-only kinds in KINDS for one test."""
    for kind in TEST_KINDS:
        monkeypatch.setitem(KINDS, kind.key, kind)


@pytest.fixture
def exports(app, tmp_path, test_kinds):
    """EXPORT_DIR in the test's own folder (app.config is put back after the test); returns the folder."""
    folder = tmp_path / "exports"
    app.config["EXPORT_DIR"] = str(folder)
    return folder
