"""Past one machine: two app servers — two gunicorn instances on two loopback ports, as behind a reverse proxy —
against one PostgreSQL and one Redis, with `flask worker` beside them. What one server does, the other sees at once:
the failed-login limits (counted in the database), login sessions (a cookie from one works on the other; logging out
on one ends it on both), the survey structure a server keeps in memory (an edited question is shown by the other at
once), the public pages a server keeps for visitors (a survey renamed on one is shown by the other's kept home page at
once), and the job queue (a file asked for on one is built by the worker from Redis and downloaded from the other).

Runs in `make test-postgres` (a shared database is what this is about); `redis-server` is installed by the Makefile.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from html import unescape
from html.parser import HTMLParser

import pytest

from consult.accounts.models import Category, Role, TerritoryRole, User
from consult.accounts.services import hash_password
from consult.extensions import db
from consult.surveys.models import Option, Question, QuestionType, Survey, SurveyMode, SurveyPage, SurveyStatus
from consult.territories.models import Territory
from tests.conftest import NOW, PASSWORD, discard_database, served_database_app
from tests.diagnostic.test_jobs_served import flask_worker
from tests.served import Browser, free_port, gunicorn, http_request

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="two app servers share one PostgreSQL: runs in `make test-postgres`")

SLUG = "isle-jourdain"
COORDINATOR = "coordination.isle-jourdain@example.org"
RESIDENT = "habitante.isle-jourdain@example.org"
TARGET = "tests.diagnostic.conftest_jobs:served_app()"
QUESTION = "Comment allez-vous en ce moment ?"
EDITED = "Comment vous sentez-vous ces jours-ci ?"
RENAMED = "Enquête santé 2027 de la Gascogne toulousaine"
ACCOUNT_FAILURES = 4


@contextmanager
def redis_server(tmp_path):
    """A throwaway redis-server on a free loopback port, nothing kept on disk; yields its URL."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: `make test-postgres` installs it (Debian package redis-server)"
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


class FormFields(HTMLParser):
    """The fields a browser would send for the form posted to `action` (its `action` attribute, or none: the page's
    own URL): inputs, checked boxes, selected options, textareas."""

    def __init__(self, html: str, action: str) -> None:
        super().__init__()
        self.action, self.fields, self._inside, self._select, self._textarea = action, [], False, None, None
        self._first_option = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("action", self.action) == self.action and attrs.get("method") == "post"
        if not self._inside:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], attrs.get("value", "on")))
        elif tag == "select":
            self._select, self._first_option = attrs.get("name"), None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.fields.append((self._select, attrs.get("value", "")))
                self._select = None
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._first_option or ""))  # none selected: the browser sends the first
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


def _seed(app) -> dict:
    with app.app_context():
        territory = Territory(slug=SLUG, name="L'Isle-Jourdain")
        coordinator = User(email=COORDINATOR, display_name="Coordination CLS de L'Isle-Jourdain",
                           password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW,
                           category=Category.INSTITUTION)
        resident = User(email=RESIDENT, display_name="Habitante de L'Isle-Jourdain",
                        password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW)
        question = Question(code="Q1", position=0, type=QuestionType.SINGLE, text=QUESTION, required=True,
                            options=[Option(code="1", label="Bien", position=1),
                                     Option(code="2", label="Pas très bien", position=2)])
        survey = Survey(territory=territory, title="Votre santé à L'Isle-Jourdain", status=SurveyStatus.OPEN,
                        mode=SurveyMode.ANONYMOUS, introduction="Deux minutes.", purpose="Le diagnostic local.",
                        retention="18 mois.",
                        pages=[SurveyPage(position=0, title="Votre santé", questions=[question])])
        question.survey = survey
        db.session.add_all([territory, coordinator, resident, survey,
                            TerritoryRole(user=coordinator, territory=territory, role=Role.COORDINATOR)])
        db.session.commit()
        ids = {"survey": survey.id, "question": question.id, "url": app.config["SQLALCHEMY_DATABASE_URI"]}
        db.session.remove()
        db.engine.dispose()
    return ids


def _shown(browser: Browser, path: str) -> str:
    status, _, page = browser.request("GET", path)
    assert status == 200, (path, status)
    return unescape(page.decode())


def test_two_app_servers_share_limits_sessions_caches_and_jobs(tmp_path):
    app = served_database_app(tmp_path)
    ids = _seed(app)
    survey_page = f"/t/{SLUG}/surveys/{ids['survey']}/"
    edit = f"/t/{SLUG}/manage/surveys/{ids['survey']}/questions/{ids['question']}/edit"
    files = f"/t/{SLUG}/files/"
    exports = tmp_path / "exports"
    try:
        with redis_server(tmp_path) as redis_url:
            env = {"SERVED_DATABASE_URL": ids["url"], "REDIS_URL": redis_url, "HUEY_IMMEDIATE": "0",
                   "EXPORT_DIR": str(exports), "LOGIN_ACCOUNT_FAILURES": f"{ACCOUNT_FAILURES}/15 minutes"}
            with flask_worker(tmp_path / "worker.log", env), \
                    gunicorn(TARGET, tmp_path / "a.log", env=env, workers=2) as port_a, \
                    gunicorn(TARGET, tmp_path / "b.log", env=env, workers=2) as port_b:
                _limits_are_shared(port_a, port_b)
                _sessions_are_shared(port_a, port_b)
                _structure_caches_follow_each_other(port_a, port_b, survey_page, edit)
                _kept_pages_follow_each_other(port_a, port_b, f"/t/{SLUG}/manage/surveys/{ids['survey']}/settings")
                _a_job_asked_on_one_is_downloaded_from_the_other(port_a, port_b, files, tmp_path)
    finally:
        with app.app_context():
            db.session.remove()
            discard_database()
            db.engine.dispose()
    for log in ("a.log", "b.log", "worker.log"):
        assert "Traceback" not in (tmp_path / log).read_text(), (tmp_path / log).read_text()


def _limits_are_shared(port_a: int, port_b: int) -> None:
    """Wrong passwords sent to both servers in turn count together: the account locks after ACCOUNT_FAILURES in all,
    not per server — then even the right password is refused on both."""
    a, b = Browser(port_a), Browser(port_b)
    for attempt in range(ACCOUNT_FAILURES):
        browser = (a, b)[attempt % 2]
        status, _, page = browser.post_form("/account/login", "/account/login",
                                            {"email": RESIDENT, "password": f"mauvais-{attempt}"})
        assert status in (200, 429), status
    for browser in (a, b):
        status, _, page = browser.post_form("/account/login", "/account/login",
                                            {"email": RESIDENT, "password": PASSWORD})
        assert status == 429, (status, page[:300])
        assert "account" in unescape(page.decode()).lower()


def _sessions_are_shared(port_a: int, port_b: int) -> None:
    """Logged in on A, the same cookies are a session on B (the reverse proxy may send any request anywhere);
    logging out on A ends the session on B at once (login sessions live in the database)."""
    a = Browser(port_a)
    a.log_in(COORDINATOR, PASSWORD)
    b = Browser(port_b)
    b.cookies = a.cookies  # one browser, one cookie jar: the proxy hides which server answers
    assert "Coordination CLS de L'Isle-Jourdain" in _shown(b, f"/t/{SLUG}/manage/")
    status, _, _ = a.post_form(f"/t/{SLUG}/manage/", "/account/logout", {})
    assert status == 302
    status, headers, _ = b.request("GET", f"/t/{SLUG}/manage/")
    assert status == 302 and "/account/login" in headers["location"]


def _structure_caches_follow_each_other(port_a: int, port_b: int, survey_page: str, edit: str) -> None:
    """A resident answering has seen the question on both servers (two workers each); the coordinator rewords it
    through A; every worker of B shows the new wording at the very next request."""
    resident_b = Browser(port_b)
    status, headers, _ = resident_b.post_form(survey_page, f"{survey_page}start", {})
    assert status == 302
    first_page = headers["location"]
    resident_a = Browser(port_a)
    resident_a.cookies = resident_b.cookies
    for _ in range(4):  # every worker has built (and may keep) the survey's structure
        assert QUESTION in _shown(resident_b, first_page)
        assert QUESTION in _shown(resident_a, first_page)
    coordinator = Browser(port_a)
    coordinator.log_in(COORDINATOR, PASSWORD)
    form = FormFields(_shown(coordinator, edit), edit)
    fields = [(name, EDITED if name == "text" else value) for name, value in form.fields]
    assert ("text", EDITED) in fields and any(name == "csrf_token" for name, _ in fields)
    status, headers, page = coordinator.request("POST", edit, dict_of(fields))
    assert status == 302, unescape(page.decode())[:2000]
    for _ in range(4):
        shown = _shown(resident_b, first_page)
        assert EDITED in shown and QUESTION not in shown


def _kept_pages_follow_each_other(port_a: int, port_b: int, settings: str) -> None:
    """Visitors without an account are given B's kept territory home (two workers); the coordinator renames the
    survey through A; B's very next pages, kept ones included, show the new title."""
    def visitors() -> list[tuple[dict, str]]:
        found = []
        for _ in range(12):
            status, headers, page = http_request(port_b, "GET", f"/t/{SLUG}/", headers={"Accept-Language": "fr"})
            assert status == 200
            found.append((headers, unescape(page.decode())))
        return found

    before = visitors()
    assert all("Votre santé à L'Isle-Jourdain" in page for _, page in before)
    assert any(headers.get("x-consult-page") == "kept" for headers, _ in before)
    coordinator = Browser(port_a)
    coordinator.log_in(COORDINATOR, PASSWORD)
    form = FormFields(_shown(coordinator, settings), settings)
    fields = [(name, RENAMED if name == "title" else value) for name, value in form.fields]
    assert ("title", RENAMED) in fields
    status, _, page = coordinator.request("POST", settings, dict_of(fields))
    assert status == 302, unescape(page.decode())[:2000]
    after = visitors()
    assert all(RENAMED in page and "Votre santé à L'Isle-Jourdain" not in page for _, page in after)
    assert any(headers.get("x-consult-page") == "kept" for headers, _ in after)


def dict_of(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in fields:
        grouped.setdefault(name, []).append(value)
    return grouped


def _a_job_asked_on_one_is_downloaded_from_the_other(port_a: int, port_b: int, files: str, tmp_path) -> None:
    """A file asked for on A goes through Redis to the worker; its page and its download answer on B."""
    a = Browser(port_a)
    a.log_in(COORDINATOR, PASSWORD)
    page = _shown(a, files)
    form = re.search(r'action="' + re.escape(files) + r'sample">\s*<input type="hidden" name="csrf_token" '
                     r'value="([^"]+)">\s*<input type="hidden" name="form_token" value="([^"]+)">', page)
    status, headers, _ = a.request("POST", f"{files}sample",
                                   {"csrf_token": form.group(1), "form_token": form.group(2), "fmt": "ods"})
    assert status == 302
    job_page = headers["location"]
    b = Browser(port_b)
    b.cookies = a.cookies
    deadline = time.monotonic() + 30
    while "Your file is ready." not in (text := _shown(b, job_page)):
        assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
        time.sleep(0.2)
    link = re.search(r'href="([^"]+/download)"', text).group(1)
    status, headers, body = b.request("GET", link)
    assert status == 200 and body.startswith("1: L'Isle-Jourdain — ods\n".encode())
    assert "Executing consult.diagnostic.jobs.run_export" in (tmp_path / "worker.log").read_text()
