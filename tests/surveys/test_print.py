"""The printable questionnaire (HTML and PDF): every question type, the notices, who may see it."""
from __future__ import annotations

import html
import re

import pytest

from consult.extensions import db
from consult.surveys import services
from consult.surveys.models import SurveyStatus

EN = {"Accept-Language": "en"}


def print_url(survey, suffix: str = "") -> str:
    return f"/t/{survey.territory.slug}/surveys/{survey.id}/print{suffix}"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_print_page_shows_every_question_type_as_paper(client, survey):
    response = client.get(print_url(survey), headers=EN)
    assert response.status_code == 200
    page = text_of(response)
    for question in survey.questions:
        assert question.text in page
        assert f'class="question type-{question.type.value}"' in page
    # Single choice: round boxes; multiple: square boxes with the limit; other: a write-in line.
    assert "Tick up to 3 boxes." in page and "Autre raison" in page
    # FALC wording under the question, in smaller text.
    assert '<p class="falc">Vous sentez-vous en bonne santé ?</p>' in page
    # Matrix as a grid: one row per item, one box per column.
    grid = page.split('<table class="matrix">')[1].split("</table>")[0]
    assert grid.count("<tr>") == 3 and grid.count('class="box round"') == 6
    # Ranking: a box per item to write its rank in.
    assert page.count('class="rank-box"') == 4
    # Commune: the territory's communes, then « another commune » (as on the web).
    for code, name in services.commune_choices(survey).items():
        assert name in page or code == "autre"  # named in the page's language
    assert page.index("Saint-Nicolas-de-la-Grave") < page.index("Another commune")
    # Rating: boxes from 0 to 10 with the end labels; date: day / month / year boxes.
    assert "Très mauvaise" in page and "Excellente" in page
    assert page.count('class="digit"') == 8
    # Conditions in words, with printed question numbers.
    assert "If you answered “Oui” to question 3:" in page
    # Parts flow one after the other, unless each is asked on a new page.
    assert 'class="part new-page"' not in page
    asked = text_of(client.get(print_url(survey, "?part_per_page=1"), headers=EN))
    assert asked.count('class="part new-page"') == 2


def test_print_page_carries_the_privacy_and_emergency_notices(client, survey):
    page = text_of(client.get(print_url(survey), headers=EN))
    assert "Do not write your name, address, telephone number or e-mail" in page
    assert survey.purpose in page and survey.retention in page
    assert "call 15 (SAMU) or 112" in re.sub(r"</?strong>", "", page)
    assert "3114" not in page  # not a mental-health survey


def test_mental_health_survey_and_pages_show_the_3114_notice(client, make_survey):
    survey = make_survey(mental_health=True)
    survey.pages[1].mental_health = True
    db.session.commit()
    page = text_of(client.get(print_url(survey), headers=EN))
    assert page.count("3114") == 2  # at the top, and at the top of the mental-health page
    second_part = page.split('<section class="part')[2]
    assert second_part.index("3114") < second_part.index('class="question')


def test_draft_printable_version_is_for_its_coordinators_only(client, login, make_survey, coordinator):
    draft = make_survey(status=SurveyStatus.DRAFT)
    assert client.get(print_url(draft)).status_code == 404
    assert client.get(print_url(draft, ".pdf")).status_code == 404
    login(coordinator)
    assert client.get(print_url(draft)).status_code == 200


def test_print_of_another_territory_survey_is_not_found(client, survey, other_territory):
    assert client.get(f"/t/{other_territory.slug}/surveys/{survey.id}/print").status_code == 404


@pytest.mark.parametrize("status", [SurveyStatus.OPEN, SurveyStatus.CLOSED])
def test_anyone_may_print_a_published_survey(client, make_survey, status):
    assert client.get(print_url(make_survey(status=status))).status_code == 200


def test_print_pdf_is_an_a4_pdf(client, survey):
    response = client.get(print_url(survey, ".pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF")
    assert "size: A4" in client.get(print_url(survey)).get_data(as_text=True)
