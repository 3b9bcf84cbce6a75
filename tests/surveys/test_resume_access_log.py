"""The resume key never reaches an access log: the app served by gunicorn, its access log read back."""
from __future__ import annotations

import html
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from consult.extensions import db
from consult.surveys.models import Survey, SurveyStatus
from consult.territories.models import Territory
from tests.conftest import discard_database, served_database_app
from tests.served import Browser
from tests.served import gunicorn as gunicorn_server
from tests.surveys.conftest import default_pages
from tests.surveys.test_respond import PAGE_FORMS, SLUG

@pytest.fixture
def gunicorn(tmp_path):
    """wsgi:app under gunicorn (CSRF on, as in production) with an access log; yields the port, the log, the survey and the first page's fields."""
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
    log = tmp_path / "access.log"
    # The database this test filled (a SQLite file, or this worker's PostgreSQL database).
    env = {"TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    try:
        with gunicorn_server("wsgi:app", tmp_path / "error.log", env=env, access_log=log) as port:
            yield port, log, survey_id, page_fields
    finally:
        with app.app_context():
            discard_database()
            db.engine.dispose()


def test_resume_key_is_absent_from_the_access_log_and_its_old_path_opens_nothing(gunicorn):
    port, log, survey_id, page_fields = gunicorn
    survey = f"/t/{SLUG}/surveys/{survey_id}"
    first = Browser(port, language="fr")
    assert first.post_form(f"{survey}/", f"{survey}/start", {})[0] == 302
    status, headers, _ = first.post_form(f"{survey}/page/1", f"{survey}/page/1",
                                         {**PAGE_FORMS[0], **page_fields, "action": "later"})
    assert status == 302 and "/later" in headers["location"]
    later = first.request("GET", f"{survey}/later?back=1")[2].decode()
    key = html.unescape(re.search(r'id="resume-key" value="([^"]+)"', later).group(1))
    assert f'{survey}/resume">' in later  # the address to open elsewhere, without the key

    other_device = Browser(port, language="fr")
    status, headers, _ = other_device.post_form(f"{survey}/resume", f"{survey}/resume", {"key": key})
    assert status == 302 and headers["location"].endswith("/page/1") and key not in headers["location"]
    assert "Pas de médecin disponible" in other_device.request("GET", f"{survey}/page/1")[2].decode()

    time.sleep(0.2)  # gunicorn writes each line after the response
    logged = log.read_text()
    assert f"POST {survey}/resume " in logged and f"GET {survey}/later?back=1 " in logged
    assert key not in logged and urllib.parse.quote(key) not in logged

    # The path form of the old links no longer opens anything, from any browser.
    replay = Browser(port, language="fr")
    status, _, body = replay.request("GET", f"{survey}/resume/{key}")
    assert status == 404 and "Pas de médecin disponible" not in body.decode()
    assert "Pas de médecin disponible" not in replay.request("GET", f"{survey}/page/1")[2].decode()
