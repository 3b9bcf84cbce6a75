"""Browser tests: a seeded app served on a real socket, Debian's Chromium driven by Playwright, axe on every page.

Every test in this folder is marked `browser`; select or skip them with `-m browser` / `-m "not browser"`.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from jinja2 import BytecodeCache
from werkzeug.serving import make_server

from consult.demo import seed_demo
from consult.extensions import db
from tests.browser.helpers import describe_violations, watch_security_policy
from tests.conftest import app_on_copy, build_app, discard_database, postgres_database

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # closed network: no update checks, no phoning home
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


def pytest_collection_modifyitems(config, items):
    """Mark every test collected from this folder (and only those) as a browser test."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test itself failed."""
    report = yield
    setattr(item, f"_browser_report_{report.when}", report)
    return report


# --- the browser -----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (never `playwright install`), sandbox off because we are root."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """No fixed base URL: each test has its own live server (see `live_server`).

    Also shadows pytest-playwright's `base_url`, a session fixture written as an instance method, which
    pytest 9 reports with a PytestRemovedIn10Warning (an error under `filterwarnings = error`).
    """
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A visitor whose browser asks for French, as most visitors of a French CLS will."""
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris",
            "viewport": {"width": 1280, "height": 900}}


# --- the served app --------------------------------------------------------------------------------------

@dataclass
class LiveServer:
    """A seeded app served on 127.0.0.1; `url` has no trailing slash."""

    url: str
    app: Flask

    def __call__(self, path: str = "/") -> str:
        return self.url + path


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept for every app this worker serves: each test's app is new (its own database copy),
    and compiling base.html, the macros and each page again cost ~0.3 s of CPU per test. Jinja checks each
    template's source checksum on load, so an edited template is compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


class _Dispatcher:
    """WSGI callable bound to the socket before the app exists (SITE_URL needs the port)."""

    app: Flask | None = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def seed_template(database_file: Path) -> Path:
    """A SQLite file holding the browser tests' demo (`seed_demo(survey_responses=30)`), seeded once and copied
    for each served app (seeding took ~1 s of CPU per test)."""
    app = build_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database_file}")
    with app.app_context():
        seed_demo(survey_responses=30)  # enough to show results; keeps each journey fast
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return database_file


@contextmanager
def serve_seeded_app(database_file: Path, postgres_url: str | None = None, *, template: Path | None = None
                     ) -> Iterator[LiveServer]:
    """Build an app on a fresh database, seed the demo data, serve it in a thread until the block ends.

    On SQLite with a `template` (see `seed_template`) the database is a copy of it instead of a new seeding.
    With TEST_DATABASE_URL set (PostgreSQL run) TestingConfig already uses it unless `postgres_url` is given;
    the next test empties it.
    """
    dispatcher = _Dispatcher()
    server = make_server("127.0.0.1", 0, dispatcher, threaded=True)  # port 0: the system picks a free one
    url = f"http://127.0.0.1:{server.server_port}"
    postgres = bool(os.environ.get("TEST_DATABASE_URL"))
    overrides = {"WTF_CSRF_ENABLED": True, "SITE_URL": url}
    if not postgres:
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database_file}"
    elif postgres_url:
        overrides["SQLALCHEMY_DATABASE_URI"] = postgres_url
    app = None
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    try:
        if template is not None and not postgres:
            app = dispatcher.app = app_on_copy(template, database_file, **overrides)
        else:
            app = dispatcher.app = build_app(**overrides)
        app.jinja_env.bytecode_cache = _BYTECODE
        if template is None or postgres:
            with app.app_context():
                seed_demo(survey_responses=30)  # enough to show results; keeps each journey fast
                db.session.commit()
                db.session.remove()
        thread.start()
        yield LiveServer(url=url, app=app)
    finally:
        if thread.is_alive():
            server.shutdown()
            thread.join(timeout=10)
        server.server_close()
        if app is not None:
            with app.app_context():
                discard_database()
                db.engine.dispose()


def run_folder(tmp_path_factory) -> Path:
    """The folder of the whole run, shared by the pytest-xdist workers (each has its own below it)."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path | None:
    """The seeded demo every served app copies (None on PostgreSQL: each app seeds its own), seeded once for
    the run: the first worker to ask seeds it under a file lock, the others wait and use it."""
    if os.environ.get("TEST_DATABASE_URL"):
        return None
    root = run_folder(tmp_path_factory)
    database = root / "browser-template.sqlite3"
    with (root / "browser-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "browser-template.done").exists():
            database.unlink(missing_ok=True)
            seed_template(database)
            (root / "browser-template.done").touch()
    return database


@pytest.fixture(scope="module")
def shared_live_server(tmp_path_factory, seeded_template) -> Iterator[LiveServer]:
    """One seeded app served for the tests of a module marked `shared_server` (on PostgreSQL, on a database of
    its own, so that the other tests' servers can empty theirs)."""
    postgres_url = postgres_database("browser") if os.environ.get("TEST_DATABASE_URL") else None
    with serve_seeded_app(tmp_path_factory.mktemp("browser") / "browser.sqlite3", postgres_url,
                          template=seeded_template) as server:
        yield server


@pytest.fixture
def live_server(request, tmp_path, seeded_template) -> Iterator[LiveServer]:
    """A freshly seeded app per test, or the module's shared one for a test marked `shared_server`.

    Fresh by default (a copy of the run's seeded template, `seeded_template`), as journeys write (accounts,
    axes, rate-limit counters, mail) and check what they wrote. A test that only reads (no form accepted, no
    mail; a login session of its own through `signed_in` is harmless to the others) is marked
    `@pytest.mark.shared_server` and spares that time.
    """
    if request.node.get_closest_marker("shared_server"):
        yield request.getfixturevalue("shared_live_server")
        return
    with serve_seeded_app(tmp_path / "browser.sqlite3", template=seeded_template) as server:
        yield server


# --- accessibility ---------------------------------------------------------------------------------------

_AXE = Axe()


@dataclass
class NavigationLog:
    """Documents loaded in the test's page (fragment moves are not new documents), and which axe checked."""

    urls: list[str] = field(default_factory=list)
    checked: set[int] = field(default_factory=set)
    policy_violations: list[dict] = field(default_factory=list)  # Content-Security-Policy, see watch_security_policy

    def unchecked(self) -> list[str]:
        return [url for index, url in enumerate(self.urls) if index not in self.checked]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}  <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = [line.strip() for line in (node.get("failureSummary") or "").splitlines()
                       if line.strip() and not line.startswith("Fix ")]
            reason = summary[0] + (" (…)" if len(summary) > 1 else "") if summary else ""
            lines.append(f"    at {target}" + (f": {reason}" if reason else ""))
    return "\n".join(lines)


# The violations of each document already checked in this run, by its DOM and the width it was laid out at: the
# same login page or survey page met again in another journey is the same document, and axe's 0.3 s to several
# seconds on it (color-contrast on a results page) would only give the same answer. Left out of the DOM: what
# changes with each request (nonces, CSRF tokens) and with each served app (its origin, whose port varies).
# Shared by the pytest-xdist workers through files in the run's folder (`axe_results`), so that a page checked by
# one worker is not checked again by the other; kept in memory too.
_AXE_SEEN: dict[str, list[dict]] = {}
_PER_REQUEST = re.compile(r'(nonce|name="csrf_token"[^>]*value)="[^"]*"')
_ORIGIN = re.compile(r"http://127\.0\.0\.1:\d+")


def axe_key(page) -> str:
    """What axe's answer depends on: the document as it is now (less its per-request parts) and its width."""
    dom = _ORIGIN.sub("http://127.0.0.1", _PER_REQUEST.sub(r'\1=""', page.content()))
    width = (page.viewport_size or {}).get("width", 0)
    return f"{hashlib.sha256(dom.encode()).hexdigest()}-{width}"


def run_axe(page, results: Path | None = None) -> list[dict]:
    """WCAG 2.1 A/AA violations of the page as it is now (looked up first in memory, then in `results`, the
    run's shared folder, where a new answer is also written)."""
    page.wait_for_load_state("load")
    key = axe_key(page)
    if key not in _AXE_SEEN:
        stored = results / f"{key}.json" if results is not None else None
        if stored is not None and stored.exists():
            _AXE_SEEN[key] = json.loads(stored.read_text())
        else:
            if not page.evaluate("typeof window.axe === 'object'"):  # a page of a context the test opened itself
                page.evaluate(_AXE.axe_script)
            _AXE_SEEN[key] = page.evaluate(f"axe.run({json.dumps(AXE_OPTIONS)}).then(results => results.violations)")
            if stored is not None:  # written whole, then renamed: the other worker never reads half a file
                partial = stored.with_suffix(f".{os.getpid()}.tmp")
                partial.write_text(json.dumps(_AXE_SEEN[key]))
                partial.replace(stored)
    return _AXE_SEEN[key]


@pytest.fixture(scope="session")
def axe_results(tmp_path_factory) -> Path:
    """The folder of axe's answers for this run, shared by the workers (see `run_axe`)."""
    folder = run_folder(tmp_path_factory) / "axe-results"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def navigation_log(page, request) -> Iterator[NavigationLog]:
    log = NavigationLog(policy_violations=watch_security_policy(page))
    # axe comes with every document of the test's page, as the browser loads it: sent once, rather than its 570 kB
    # sent through Playwright and compiled again at each check (~0.1 s each, a fifth of a small page's check).
    page.add_init_script(script=_AXE.axe_script)

    # DOMContentLoaded comes before `load`, which run_axe waits for: the log is up to date when axe runs.
    page.on("domcontentloaded", lambda loaded: log.urls.append(loaded.url))
    yield log
    call = getattr(request.node, "_browser_report_call", None)
    if call is None or call.failed:
        return  # the test's own failure says more than "some page was not checked"
    missed = log.unchecked()
    assert not missed, f"pages visited without an axe check (call axe_check after each navigation): {missed}"
    assert not log.policy_violations, (
        f"the Content-Security-Policy refused parts of pages:\n{describe_violations(log.policy_violations)}")


@pytest.fixture
def axe_check(navigation_log, axe_results):
    """`axe_check(page)`: fail with a readable list if the page breaks a WCAG 2.1 A/AA rule, or if the browser
    refused a part of a page visited so far because of the Content-Security-Policy.

    The test also fails at teardown if it navigated to a page it did not check, or on a later refusal.
    """

    def check(page) -> None:
        violations = run_axe(page, axe_results)
        if navigation_log.urls:
            navigation_log.checked.add(len(navigation_log.urls) - 1)
        if violations:
            pytest.fail(f"axe found WCAG 2.1 A/AA violations on {page.url}:\n{format_violations(violations)}",
                        pytrace=False)
        if navigation_log.policy_violations:
            pytest.fail("the Content-Security-Policy refused parts of pages:\n"
                        + describe_violations(navigation_log.policy_violations), pytrace=False)

    return check
