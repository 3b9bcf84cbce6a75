"""The results pages: what coordinators, observers and the public see, with disclosure control (k = 11)."""
from __future__ import annotations

import html
import re

import pytest

from sqlalchemy import func, select

from consult.extensions import db
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.models import SurveyStatus
from tests.surveys.releasing import publish, release
from tests.surveys.test_results import add_response, add_thirty

SLUG = "terres-des-confluences"


def staff_url(survey, path: str = "") -> str:
    return f"/t/{SLUG}/manage/surveys/{survey.id}/results{path}"


def public_url(survey, path: str = "") -> str:
    return f"/t/{SLUG}/surveys/{survey.id}/results{path}"


def text_of(response) -> str:
    """The page's visible text, tags removed and entities decoded, spaces collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).replace("\u202f", " ").replace("\xa0", " ")


def section(response, code: str) -> str:
    """The text of one question's block on a results page."""
    body = response.get_data(as_text=True)
    start = body.index(f'id="q-{code}"')
    end = body.find('<section class="question-result"', start)
    return text_of_html(body[start:end if end != -1 else None])


def text_of_html(fragment: str) -> str:
    fragment = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(fragment)).replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def thirty(survey):
    add_thirty(survey)
    return survey


@pytest.fixture
def released(thirty):
    """Thirty responses and a release of them (what observers read)."""
    release(thirty)
    return thirty


# --- the coordinator's page: exact figures ----------------------------------------------------------------

def test_coordinator_sees_the_number_of_responses_and_the_period(client, thirty, as_coordinator):
    page = text_of(client.get(staff_url(thirty)))

    assert "Réponses 30" in page or "Responses 30" in page
    assert "6 octobre 2026" in page and "21 octobre 2026" in page


def test_coordinator_sees_exact_counts_and_percentages(client, thirty, as_coordinator):
    block = section(client.get(staff_url(thirty)), "Q3")

    assert "Oui 10 33 %" in block
    assert "Non 20 67 %" in block


def test_coordinator_sees_the_likert_mean_position(client, thirty, as_coordinator):
    block = section(client.get(staff_url(thirty)), "Q2")

    assert "2,4" in block
    assert "Bon" in block


def test_multiple_choice_chart_has_one_bar_per_option_not_per_combination(client, thirty, as_coordinator):
    body = client.get(staff_url(thirty)).get_data(as_text=True)
    chart = re.search(r'<svg[^>]*aria-labelledby="chart-Q4-title[^"]*".*?</svg>', body, flags=re.S).group(0)

    bars = re.findall(r'font-weight="600">([^<]*)</text>', chart)

    assert [html.unescape(b).replace("\u202f", " ") for b in bars] == ["60 % (6)", "40 % (4)", "40 % (4)", "20 % (2)"]


def test_multiple_choice_says_percentages_add_up_to_more_than_100(client, thirty, as_coordinator):
    block = section(client.get(staff_url(thirty)), "Q4")

    assert "plus de 100 %" in block or "more than 100 %" in block


def test_charts_are_accessible_images_with_a_data_table(client, thirty, as_coordinator):
    body = client.get(staff_url(thirty)).get_data(as_text=True)

    assert 'role="img"' in body and '<title id="chart-Q2-title">' in body
    assert body.count("<svg") <= body.count("<table")


def test_coordinator_sees_the_who5_like_score(client, thirty, as_coordinator):
    block = section(client.get(staff_url(thirty)), "Q7")

    assert "10,4" in block  # mean percentage
    assert "Bien-être faible 100 % (30)" in block


def test_coordinator_gets_a_link_to_the_other_texts(client, thirty, as_coordinator):
    body = client.get(staff_url(thirty)).get_data(as_text=True)

    assert f'href="{staff_url(thirty, "/texts")}?question=Q4"' in body


# --- the observer's page: disclosure control -------------------------------------------------------------

def test_observer_sees_small_counts_as_below_k(client, released, as_observer):
    thirty = released
    block = section(client.get(staff_url(thirty)), "Q2")

    assert "Très bon < 11" in block
    assert "Mauvais < 11" in block


def test_observer_cannot_recompute_a_hidden_count_from_the_base(client, released, as_observer):
    thirty = released
    # Oui = 10 is below k; without secondary suppression, "Non 20" and n = 30 would give it away.
    block = section(client.get(staff_url(thirty)), "Q3")

    assert "Oui < 11" in block
    assert "20" not in block
    assert "30" in block


def test_observer_does_not_see_a_mean_that_would_reveal_hidden_counts(client, released, as_observer):
    thirty = released
    block = section(client.get(staff_url(thirty)), "Q2")

    assert "2,4" not in block


def test_observer_sees_no_minimum_or_maximum(client, released, as_observer):
    thirty = released
    block = section(client.get(staff_url(thirty)), "Q6")

    assert "Minimum" not in block and "Maximum" not in block


def test_observer_sees_only_the_count_of_text_answers(client, released, as_observer):
    thirty = released
    response = client.get(staff_url(thirty))
    block = section(response, "Q10")

    assert "23" in block
    assert "santé avant tout" not in response.get_data(as_text=True)
    assert "/texts" not in response.get_data(as_text=True)


def test_observer_cannot_open_the_free_texts(client, thirty, as_observer):
    assert client.get(staff_url(thirty, "/texts")).status_code == 403


def test_observer_does_not_see_other_texts(client, released, as_observer):
    thirty = released
    assert "Pas de médecin disponible" not in client.get(staff_url(thirty)).get_data(as_text=True)


# --- free texts -------------------------------------------------------------------------------------------

def test_coordinator_searches_texts_without_accents(client, thirty, as_coordinator):
    page = text_of(client.get(staff_url(thirty, "/texts?q=sante")))

    assert "Plus de médecins : la santé avant tout" in page
    assert "La SANTÉ mentale des jeunes" in page
    assert "Un bus vers l'hôpital de Moissac" not in page


def test_free_texts_are_paginated_twenty_per_page(client, thirty, as_coordinator):
    first = text_of(client.get(staff_url(thirty, "/texts?question=Q10")))
    second = text_of(client.get(staff_url(thirty, "/texts?question=Q10&page=2")))

    assert "Idée numéro 19 " in first and "Idée numéro 20" not in first
    assert "Idée numéro 20" in second and "Idée numéro 22" in second


def test_free_text_is_escaped(client, thirty, as_coordinator):
    add_response(thirty, {"Q1": "82033", "Q2": "2", "Q3": "2", "Q10": "<script>alert('x')</script>"})
    db.session.commit()

    body = client.get(staff_url(thirty, "/texts?question=Q10&page=2")).get_data(as_text=True)

    assert "<script>alert" not in body
    assert "&lt;script&gt;" in body


# --- breakdowns --------------------------------------------------------------------------------------------

def breakdown_cells(response) -> list[list[str]]:
    """The cross-tab's rows (body and footer) as lists of cell texts, header cell first."""
    body = response.get_data(as_text=True)
    table = re.search(r'<table class="results-table crosstab">.*?</table>', body, flags=re.S).group(0)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("</thead>")[1], flags=re.S)
    return [[text_of_html(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
            for row in rows]


def test_breakdown_shows_below_k_and_leaves_no_single_hidden_cell_in_a_line(client, released, as_observer):
    thirty = released
    response = client.get(staff_url(thirty, "/breakdowns?question=Q3&by=sex"))
    rows = breakdown_cells(response)

    def hidden(text: str) -> bool:
        return text.startswith("< 11") or text.startswith("masqué") or text.startswith("hidden")

    # A group hidden whole has one cell spanning its answers: count it as two hidden answers.
    grid = [r if len(r) == 4 else [r[0], "< 11", "< 11", r[-1]] for r in rows]
    assert grid[0][:2] == ["Une femme", "< 11"]
    for row in grid:
        assert sum(hidden(c) for c in row[1:]) != 1, row
    for column in range(1, 4):
        assert sum(hidden(r[column]) for r in grid) != 1, column


def test_breakdown_hides_a_group_below_k(client, released, as_observer):
    thirty = released
    rows = breakdown_cells(client.get(staff_url(thirty, "/breakdowns?question=Q3&by=sex")))

    other = next(r for r in rows if r[0] == "Autre ou non précisé")
    assert other[-1] == "< 11"
    assert len(other) == 3  # the answers are replaced by one "figures hidden" cell


def test_breakdown_groups_small_communes(client, thirty, as_coordinator):
    page = text_of(client.get(staff_url(thirty, "/breakdowns?question=Q2&by=commune")))

    assert "Moissac, Saint-Nicolas-de-la-Grave, Boudou" in page or "Boudou, Moissac, Saint-Nicolas-de-la-Grave" in page


def test_breakdowns_wait_for_twice_k_responses(client, survey, as_coordinator):
    for i in range(21):
        add_response(survey, {"Q1": "82033", "Q2": "2", "Q3": "2"})
    db.session.commit()

    page = text_of(client.get(staff_url(survey, "/breakdowns?question=Q3&by=sex")))

    assert "22" in page and "crosstab" not in client.get(staff_url(survey, "/breakdowns?question=Q3&by=sex")).get_data(as_text=True)


# --- representativeness ---------------------------------------------------------------------------------------

def test_representativeness_hides_small_counts_and_flags_them_without_a_rate(client, thirty, as_coordinator):
    body = client.get(staff_url(thirty, "/representativeness")).get_data(as_text=True)
    moissac = text_of_html(re.search(r"<tr[^>]*>\s*<th scope=\"row\">Moissac</th>.*?</tr>", body, flags=re.S).group(0))

    # A hidden count gets no "under-represented" flag: with the population, it would narrow the count.
    assert "< 11" in moissac
    assert "Moins de 11" in moissac or "Fewer than 11" in moissac
    assert "Sous-représentée" not in moissac and "Under-represented" not in moissac


def test_representativeness_lists_communes_without_response(client, thirty, as_coordinator):
    body = client.get(staff_url(thirty, "/representativeness")).get_data(as_text=True)

    assert body.count("flag-none") == 18


# --- the public page ------------------------------------------------------------------------------------------

def test_public_page_shows_the_method_box(client, thirty):
    publish(thirty)

    page = text_of(client.get(public_url(thirty)))

    assert "30 répondants" in page or "30 respondents" in page
    assert "< 11" in page


def test_public_page_hides_small_counts(client, thirty):
    publish(thirty)

    block = section(client.get(public_url(thirty)), "Q3")

    assert "Oui < 11" in block and "20" not in block


def test_public_page_shows_no_free_text(client, thirty):
    publish(thirty)

    body = client.get(public_url(thirty)).get_data(as_text=True)

    assert "santé avant tout" not in body and "Pas de médecin disponible" not in body and "Agricultrice" not in body


def test_unpublished_release_is_readable_by_the_team_only(client, released, as_observer):
    response = client.get(public_url(released))

    assert response.status_code == 200
    assert "notice-preview" not in response.get_data(as_text=True)
    assert "Publication n° 1" in text_of(response) or "Release no. 1" in text_of(response)


def test_coordinator_preview_is_labelled_and_stores_nothing(client, thirty, as_coordinator):
    response = client.get(public_url(thirty, "/preview"))

    assert response.status_code == 200
    assert "notice-preview" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SurveyRelease.id))) == 0


def test_coordinator_preview_counts_the_figures_once_in_the_readers_language(client, thirty, as_coordinator,
                                                                             monkeypatch):
    from consult.surveys.releases import build

    collected = []
    collect = build._Builder.collect
    monkeypatch.setattr(build._Builder, "collect", lambda self: collected.append(1) or collect(self))

    response = client.get(public_url(thirty, "/preview"), headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert "Paper" in text_of(response) and "Papier" not in text_of(response)  # the channels, in English
    assert len(collected) == 1  # not once more per language of the site: only the reader's is shown


def test_pages_computing_live_figures_collect_their_reference_cycles_and_release_pages_do_not(
        client, released, as_coordinator, monkeypatch):
    from consult.surveys.views import results as views

    collections = []
    monkeypatch.setattr(views.gc, "collect", lambda *args: collections.append(args) or 0)

    assert client.get(public_url(released, "/preview")).status_code == 200  # nothing frozen: the collector's pace
    assert collections == []
    monkeypatch.setitem(client.application.extensions, views.FROZEN, True)  # as in a worker started by wsgi.py
    assert client.get(public_url(released, "/preview")).status_code == 200
    assert client.get(staff_url(released)).status_code == 200
    assert len(collections) == 2
    assert client.get(public_url(released)).status_code == 200  # a stored release: nothing computed
    assert len(collections) == 2


# --- publishing -----------------------------------------------------------------------------------------------

def test_coordinator_publishes_the_results(client, thirty, as_coordinator):
    response = client.post(staff_url(thirty, "/publish"))

    assert response.status_code == 302
    db.session.refresh(thirty)
    assert thirty.results_published_at is not None


def test_coordinator_unpublishes_the_results(client, thirty, as_coordinator):
    publish(thirty)

    client.post(staff_url(thirty, "/unpublish"))

    db.session.refresh(thirty)
    assert thirty.results_published_at is None


def test_draft_survey_results_cannot_be_published(client, make_survey, as_coordinator):
    draft = make_survey(status=SurveyStatus.DRAFT)

    client.post(staff_url(draft, "/publish"))

    db.session.refresh(draft)
    assert draft.results_published_at is None


def test_observer_cannot_publish(client, thirty, as_observer):
    response = client.post(staff_url(thirty, "/publish"))

    assert response.status_code == 403
    db.session.refresh(thirty)
    assert thirty.results_published_at is None
