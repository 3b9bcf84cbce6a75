"""Double clicks, replays and twin tabs against a really served app: one response, never an error 500."""
from __future__ import annotations

import collections
import http.client
import http.cookiejar
import os
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.surveys.models import Draft, Response, Survey, SurveyStatus
from consult.territories.models import Commune, Epci, Territory
from tests.conftest import sample_rows, served_database_app, serving
from tests.surveys.conftest import default_pages
from tests.surveys.test_respond import PAGE_FORMS, SLUG

USING_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
SUBMITS = 20


@pytest.fixture(params=["postgresql" if USING_POSTGRES else "sqlite-file"])
def served(request, tmp_path):
    """The app served by a threaded werkzeug server on 127.0.0.1, and the id of an open survey."""
    app = served_database_app(tmp_path)
    with app.app_context():
        territory = Territory(slug=SLUG, name="Terres des Confluences")
        epci = Epci(name="CC Terres des Confluences", siren="200066322", territory=territory)
        for row in sample_rows("200066322"):
            db.session.add(Commune(territory=territory, epci=epci, insee_code=row["insee_code"],
                                   name=row["commune_name"], population=int(row["population"]),
                                   population_year=int(row["population_year"])))
        survey = Survey(territory=territory, title="Votre santé", status=SurveyStatus.OPEN, pages=default_pages())
        for question in survey.questions:
            question.survey = survey
        db.session.add(survey)
        db.session.commit()
        survey_id = survey.id
        pages = [(page.id, [q.code for q in page.questions]) for page in survey.pages]
        db.session.remove()
    with serving(app) as port:
        yield app, port, survey_id, pages


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    return opener, jar


def _post(opener, url: str, fields: dict) -> int:
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    try:
        with opener.open(urllib.request.Request(url, data=body, method="POST"), timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx arrive here
        error.close()
        return error.code


def _submit(port: int, path: str, cookie: str, start: threading.Barrier) -> tuple[int, str, str]:
    start.wait(timeout=30)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body="", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.getheader("Location") or "", response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_concurrent_submits_of_one_browser_record_exactly_one_response(served):
    app, port, survey_id, pages = served
    base = f"http://127.0.0.1:{port}/t/{SLUG}/surveys/{survey_id}"
    opener, jar = _browser()
    assert _post(opener, f"{base}/start", {}) == 302
    for number, ((page_id, codes), fields) in enumerate(zip(pages, PAGE_FORMS, strict=True), start=1):
        assert _post(opener, f"{base}/page/{number}", {**fields, "page_id": page_id, "shown": codes}) == 302
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert f"consult_sv_{survey_id}=" in cookie and f"consult_sv_{survey_id}_resume=" in cookie

    start = threading.Barrier(SUBMITS)
    with ThreadPoolExecutor(max_workers=SUBMITS) as pool:
        results = list(pool.map(lambda _: _submit(port, f"/t/{SLUG}/surveys/{survey_id}/submit", cookie, start),
                                range(SUBMITS)))

    statuses = collections.Counter(status for status, _, _ in results)
    assert statuses == {302: 1, 409: SUBMITS - 1}, statuses
    assert [location for status, location, _ in results if status == 302][0].endswith("/thanks")
    assert all("consult_sv" not in body and "Traceback" not in body for _, _, body in results)
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1
        assert db.session.scalar(select(func.count(Draft.id))) == 0
        db.session.remove()
