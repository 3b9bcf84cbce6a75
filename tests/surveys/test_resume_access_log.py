"""The resume key never reaches an access log: the app served by gunicorn, its access log read back."""
from __future__ import annotations

import html
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from consult.extensions import db
from consult.surveys.models import Survey, SurveyStatus
from consult.territories.models import Territory
from tests.conftest import discard_database, served_database_app
from tests.surveys.conftest import default_pages
from tests.surveys.test_respond import PAGE_FORMS, SLUG

ROOT = Path(__file__).resolve().parents[2]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A browser with its own cookies that does not follow redirects; answers (status, Location, body)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

    def open(self, path: str, fields: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(fields, doseq=True).encode() if fields is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx arrive here
            with error:
                return error.code, error.headers.get("Location", ""), error.read().decode()

    def post_form(self, page_path: str, action: str, fields: dict) -> tuple[int, str, str]:
        """Open a page and post one of its forms with its CSRF token, as a person would."""
        page = self.open(page_path)[2]
        tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
        token = re.search(r'value="([^"]+)"', tag).group(1)
        return self.open(action, {"csrf_token": token, **fields})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """wsgi:app under gunicorn (CSRF on, as in production) with an access log; yields the base URL and the log."""
    app = served_database_app(tmp_path)
    with app.app_context():
        territory = Territory(slug=SLUG, name="Terres des Confluences")
        survey = Survey(territory=territory, title="Votre santé", status=SurveyStatus.OPEN, pages=default_pages())
        for question in survey.questions:
            question.survey = survey
        db.session.add(survey)
        db.session.commit()
        survey_id, first_page = survey.id, survey.pages[0]
        page_fields = {"page_id": first_page.id, "shown": [q.code for q in first_page.questions]}
        db.session.remove()
    port, log = _free_port(), tmp_path / "access.log"
    # The database this test filled (a SQLite file, or this worker's PostgreSQL database).
    env = {**os.environ, "CONSULT_ENV": "testing", "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--error-logfile", str(tmp_path / "error.log"), "wsgi:app"],
        cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "error.log").read_text()
                time.sleep(0.1)
        yield base, log, survey_id, page_fields
    finally:
        server.terminate()
        server.wait(20)
        with app.app_context():
            discard_database()
            db.engine.dispose()


def test_resume_key_is_absent_from_the_access_log_and_its_old_path_opens_nothing(gunicorn):
    base, log, survey_id, page_fields = gunicorn
    survey = f"/t/{SLUG}/surveys/{survey_id}"
    first = Browser(base)
    assert first.post_form(f"{survey}/", f"{survey}/start", {})[0] == 302
    status, location, _ = first.post_form(f"{survey}/page/1", f"{survey}/page/1",
                                          {**PAGE_FORMS[0], **page_fields, "action": "later"})
    assert status == 302 and "/later" in location
    later = first.open(f"{survey}/later?back=1")[2]
    key = html.unescape(re.search(r'id="resume-key" value="([^"]+)"', later).group(1))
    assert f'{survey}/resume">' in later  # the address to open elsewhere, without the key

    other_device = Browser(base)
    status, location, _ = other_device.post_form(f"{survey}/resume", f"{survey}/resume", {"key": key})
    assert status == 302 and location.endswith("/page/1") and key not in location
    assert "Pas de médecin disponible" in other_device.open(f"{survey}/page/1")[2]

    time.sleep(0.2)  # gunicorn writes each line after the response
    logged = log.read_text()
    assert f"POST {survey}/resume " in logged and f"GET {survey}/later?back=1 " in logged
    assert key not in logged and urllib.parse.quote(key) not in logged

    # The path form of the old links no longer opens anything, from any browser.
    replay = Browser(base)
    status, _, body = replay.open(f"{survey}/resume/{key}")
    assert status == 404 and "Pas de médecin disponible" not in body
    assert "Pas de médecin disponible" not in replay.open(f"{survey}/page/1")[2]
