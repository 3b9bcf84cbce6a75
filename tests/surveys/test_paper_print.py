"""The demo questionnaire on paper: parts that flow on A4, a number on every page of every copy, and the same
commune choices on the web, on paper and on the entry form. One PDF rendering for the module (WeasyPrint is slow)."""
from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from consult.extensions import db
from consult.surveys.models import Survey, SurveyStatus
from consult.territories.models import Territory
from tests.conftest import demo_copy

COORDINATOR = ("coordination.confluences@example.org", "demo-coord-consult")  # consult/accounts/demo.py
# The demo's main survey printed 9 A4 pages with a forced break before each of its 8 parts; it flows on 7.
MOST_PAGES = 7


@dataclass
class Printed:
    client: FlaskClient
    survey_url: str
    pages: list[str]  # the text of each page of the PDF of copies 41 and 42


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The demo, its coordinator logged in, and the PDF of two numbered copies of its open survey, as text."""
    with demo_copy(tmp_path_factory, tmp_path_factory.mktemp("paper")) as demo:
        survey = db.session.scalar(select(Survey).join(Territory).where(
            Territory.slug == "terres-des-confluences", Survey.status == SurveyStatus.OPEN).order_by(Survey.id))
        survey_url = f"/t/terres-des-confluences/surveys/{survey.id}"
        client = demo.app.test_client()
        email, password = COORDINATOR
        assert client.post("/account/login", data={"email": email, "password": password}).status_code == 302
        response = client.get(f"{survey_url}/print.pdf?copies=2&start=41")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = subprocess.run(["/usr/bin/pdftotext", "-layout", "-", "-"], input=response.get_data(),
                              capture_output=True, check=True).stdout.decode()
        yield Printed(client, survey_url, [page for page in text.split("\f") if page.strip()])


def test_demo_questionnaire_flows_on_a_few_a4_pages(printed):
    assert len(printed.pages) % 2 == 0
    per_copy = len(printed.pages) // 2
    assert per_copy <= MOST_PAGES
    # Parts follow each other on a page: fewer pages than parts.
    assert len(re.findall(r"Partie \d+ —", "".join(printed.pages[:per_copy]))) == 8


def test_every_page_of_every_copy_carries_its_number(printed):
    per_copy = len(printed.pages) // 2
    for index, page in enumerate(printed.pages):
        copy, number = divmod(index, per_copy)
        assert f"Questionnaire n° {41 + copy:04d}" in page
        assert re.search(rf"Page {number + 1} / {per_copy}\b", page)
    assert "0043" not in "".join(printed.pages)


def _options(page: str, select_name: str) -> list[str]:
    found = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [html.unescape(label).strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", found, re.S)][1:]


def test_web_paper_and_entry_form_offer_the_same_communes(printed):
    client = printed.client
    paper = client.get(f"{printed.survey_url}/print").get_data(as_text=True)
    commune_block = paper.split('class="question type-commune"')[1].split('class="question ')[0]
    on_paper = [html.unescape(n) for n in re.findall(r'<span class="label">([^<]+)</span>', commune_block)]
    entry = client.get(printed.survey_url.replace("/surveys/", "/manage/surveys/") + "/entry")
    on_entry = _options(entry.get_data(as_text=True), "q-Q1")
    web = client.post(f"{printed.survey_url}/start", follow_redirects=True).get_data(as_text=True)
    on_web = _options(web, "q-Q1")
    assert on_paper == on_entry == on_web
    assert on_web[-1] == "Autre commune" and "Moissac" in on_web and len(on_web) == 22 + 1  # the CC's 22 communes
