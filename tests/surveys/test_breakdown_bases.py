"""Per-question bases: a question is broken down only when at least 2k respondents answered it
(k = 11, so 22), whatever the survey's number of responses; a group below k shows no figure."""
from __future__ import annotations

import re

import pytest

from consult.extensions import db
from tests.surveys.test_results import add_response, add_thirty
from tests.surveys.releasing import publish, release
from tests.surveys.test_results_pages import breakdown_cells, public_url, staff_url, text_of

# Reasons for forgoing care (Q4, asked only to those who answered "yes" to Q3) of 24 more respondents.
MORE_REASONS = [["1"], ["2"], ["3"], ["1", "2"]]


@pytest.fixture
def thirty(survey):
    """30 responses: Q3 (forwent care) answered by all 30, its follow-up Q4 by the 10 who said yes."""
    add_thirty(survey)
    return survey


@pytest.fixture
def released(thirty):
    release(thirty)
    return thirty


@pytest.fixture
def many_yes(thirty):
    """24 more women who forwent care: Q4 is now answered by 34, of whom 1 "other or not stated"."""
    for i in range(24):
        add_response(thirty, {"Q1": "82033", "Q2": "2", "Q3": "1", "Q4": MORE_REASONS[i % 4], "Q12": "1"})
    db.session.commit()
    release(thirty)
    return thirty


def offered_codes(response) -> list[str]:
    """The question codes the breakdown form offers."""
    body = response.get_data(as_text=True)
    select = re.search(r'<select[^>]*name="question".*?</select>', body, flags=re.S).group(0)
    return re.findall(r'<option[^>]*value="([^"]*)"', select)


def has_table(response) -> bool:
    return "results-table crosstab" in response.get_data(as_text=True)


def test_question_answered_by_fewer_than_2k_is_not_offered(client, released, as_observer):
    thirty = released
    response = client.get(staff_url(thirty, "/breakdowns"))

    codes = offered_codes(response)
    assert "Q3" in codes and "Q2" in codes
    assert "Q4" not in codes
    page = text_of(response)
    assert re.search(r"Q4 — Pour quelles raisons", page)
    assert "22" in page


def test_breakdown_url_of_a_small_conditional_question_shows_no_figure(client, released, as_observer):
    thirty = released
    response = client.get(staff_url(thirty, "/breakdowns?question=Q4&by=sex"))

    assert response.status_code == 200
    assert not has_table(response)
    assert "breakdown-refused" in response.get_data(as_text=True)
    assert "Q4" in text_of(response) and "22" in text_of(response)


def test_public_breakdown_url_of_a_small_question_shows_no_figure(client, thirty):
    publish(thirty)

    response = client.get(public_url(thirty, "/breakdowns?question=Q4&by=commune"))

    assert response.status_code == 200
    assert not has_table(response)
    assert "breakdown-refused" in response.get_data(as_text=True)


def test_question_answered_by_2k_is_broken_down(client, released, as_observer):
    thirty = released
    response = client.get(staff_url(thirty, "/breakdowns?question=Q3&by=sex"))

    assert has_table(response)
    assert "breakdown-refused" not in response.get_data(as_text=True)


def test_conditional_question_answered_by_2k_is_broken_down(client, many_yes, as_observer):
    response = client.get(staff_url(many_yes, "/breakdowns?question=Q4&by=sex"))

    assert "Q4" in offered_codes(response)
    rows = breakdown_cells(response)
    women = next(r for r in rows if r[0] == "Une femme")
    # 7 of the first thirty, 24 more: shown, or hidden with the rest of the release so that no small count
    # of another table can be worked out — never "< 11".
    assert women[-1] in ("31", "masqué")


def test_group_below_k_shows_no_figure(client, many_yes, as_observer):
    rows = breakdown_cells(client.get(staff_url(many_yes, "/breakdowns?question=Q4&by=sex")))

    other = next(r for r in rows if r[0] == "Autre ou non précisé")
    assert other[-1] == "< 11"
    assert not any(re.fullmatch(r"\d+", cell) for cell in other[1:]), other


def test_public_page_offers_breakdowns_only_when_a_question_has_2k_respondents(client, survey):
    for _i in range(22):
        add_response(survey, {"Q1": "82033", "Q2": "2"})  # Q3 and the other closed questions left empty
    add_response(survey, {"Q1": "82033", "Q3": "1"})
    db.session.commit()
    publish(survey)

    page = client.get(public_url(survey)).get_data(as_text=True)
    assert "/breakdowns" in page  # Q2: 22 respondents

    refused = client.get(public_url(survey, "/breakdowns?question=Q3&by=commune"))
    assert not has_table(refused)
    assert "breakdown-refused" in refused.get_data(as_text=True)
    assert has_table(client.get(public_url(survey, "/breakdowns?question=Q2&by=channel")))
