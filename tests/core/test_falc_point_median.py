"""Easy-to-read (FALC) wording never uses the point médian (issue 13, point 5).

What counts as FALC wording:
- data: everything the easy-read mode shows of a questionnaire — each question's `falc_text` or, without one, its
  text, its help text, each option's `falc_label` or, without one, its label, the pages' titles and descriptions,
  the survey's introduction and purpose — for the questionnaire template (consult/surveys/building/template.py,
  the one template Consult ships) and for every survey of the seeded demo;
- interface: the strings of the answering pages (templates/surveys/respond/*.html and
  templates/surveys/macros/questions.html), which FALC mode shows around the questions, in both catalogues.
"""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from sqlalchemy import select

from consult.extensions import db
from consult.surveys.building.questions import point_median
from consult.surveys.building.template import INTRODUCTION, PURPOSE, build_pages
from consult.surveys.models import Question, Survey

ROOT = Path(__file__).resolve().parents[2]
ANSWERING_TEMPLATES = [*sorted((ROOT / "templates/surveys/respond").glob("*.html")),
                       ROOT / "templates/surveys/macros/questions.html"]
BASE = "/t/terres-des-confluences/manage/surveys"


def falc_strings(pages) -> list[tuple[str, str]]:
    """(where, text) of everything the easy-read mode shows of these survey pages."""
    found = []
    for page in pages:
        found += [(f"page {page.position}", page.title), (f"page {page.position} text", page.description)]
        for question in page.questions:
            found += [(question.code, question.falc_text or question.text), (f"{question.code} help", question.help_text)]
            found += [(f"{question.code}/{o.code}", o.falc_label or o.label) for o in question.options]
    return found


def answering_msgids() -> set[str]:
    ids: set[str] = set()
    for path in ANSWERING_TEMPLATES:
        for _line, message, _comments, _context in extract_from_file(
                "jinja2", str(path), keywords={"_": None, "gettext": None, "ngettext": (1, 2)}):
            ids.update(message if isinstance(message, tuple) else (message,))
    return ids


def with_point_median(strings) -> list[str]:
    return [f"{where}: {point_median(text)}" for where, text in strings if point_median(text)]


def test_no_falc_string_has_a_point_median(demo):
    template = falc_strings(build_pages()) + [("purpose", PURPOSE), ("introduction", INTRODUCTION)]
    assert len(template) > 100
    assert with_point_median(template) == []

    surveys = db.session.scalars(select(Survey)).all()
    assert surveys
    for survey in surveys:
        shown = falc_strings(survey.pages) + [("purpose", survey.purpose), ("introduction", survey.introduction)]
        assert with_point_median(shown) == [], survey.title

    msgids = answering_msgids()
    assert len(msgids) > 50
    for language in ("fr", "en"):
        with open(ROOT / f"translations/{language}/LC_MESSAGES/messages.po", "rb") as po:
            catalogue = read_po(po)
        shown = []
        for message in catalogue:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            if message.id and ids[0] in msgids:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                shown += [(f"{language} « {ids[0][:40]} »", text or ids[0]) for text in strings]
        assert with_point_median(shown) == [], language


def test_question_form_refuses_a_point_median_in_the_easy_read_text(client, as_coordinator):
    client.post(f"{BASE}/", data={"title": "Santé des jeunes", "start": "empty"})
    survey = db.session.scalar(select(Survey))
    client.post(f"{BASE}/{survey.id}/pages", data={"page-title": "Vous et le sport"})
    page = survey.pages[0]
    data = {"type": "yes_no", "text": "Faites-vous du sport chaque semaine ?", "options": "Oui\nNon",
            "falc_text": "Êtes-vous sportif·ve ?"}
    response = client.post(f"{BASE}/{survey.id}/pages/{page.id}/questions/new", data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(r'<p class="error-message" id="falc_text-error">(.*?)</p>', html, re.S)
    assert error, "the error sits next to the easy-read field"
    assert "n'utilise pas le point médian (ici « sportif·ve »)" in error.group(1).replace("&#39;", "'")
    assert "Êtes-vous sportif·ve ?" in html  # what was typed comes back, to be corrected
    assert db.session.scalars(select(Question)).all() == []

    data["falc_text"] = "Faites-vous du sport ?"
    assert client.post(f"{BASE}/{survey.id}/pages/{page.id}/questions/new", data=data).status_code == 302
    assert db.session.scalar(select(Question)).falc_text == "Faites-vous du sport ?"
