"""« Ce que sont devenues vos contributions »: per channel, per axis, the published fiches contributions fed."""
from __future__ import annotations

import html
import re

import pytest

from consult.extensions import db
from consult.proposals.models import AnswerStatus
from consult.surveys.models import Survey, SurveyStatus
from consult.surveys.releases.models import SurveyRelease
from consult.synthesis.models import FicheStatus
from tests.conftest import NOW, ROLES
from tests.groups.factories import make_group
from tests.synthesis.outcomes_factories import cite, make_call, make_idea, make_proposal

URL = "/t/terres-des-confluences/outcomes"


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def make_release(territory, *, responses, published=True, number=1, title="Votre santé à Terres des Confluences"):
    survey = db.session.scalar(db.select(Survey).where(Survey.title == title))
    if survey is None:
        survey = Survey(territory=territory, title=title, status=SurveyStatus.CLOSED,
                        results_published_at=NOW if published else None)
        db.session.add(survey)
    release = SurveyRelease(survey=survey, number=number, made_at=NOW, k=11, responses=responses, content={},
                            audit={}, digest=f"{number:064d}")
    db.session.add(release)
    db.session.commit()
    return release


def test_a_published_fiche_citing_a_proposal_shows_under_proposals_and_its_axis(client, territory, make_fiche,
                                                                                 participant):
    proposal = make_proposal(make_call(territory), participant)
    fiche = make_fiche(status=FicheStatus.COPIL_VALIDATED, published=True)
    cite(fiche, proposal=proposal)
    response = client.get(URL)
    assert response.status_code == 200
    page = text_of(response)
    proposals = page[page.index("1 proposal was published."):page.index("Ideas from meetings and events")]
    assert "Axis 1: Favoriser la mise en relation" in proposals
    assert f"fiche 1.1 — {fiche.title} (Validated by the steering committee)" in proposals
    assert "takes up 1 proposal" in proposals


def test_a_draft_fiche_is_not_shown_even_when_it_cites_contributions(client, territory, make_fiche, participant):
    proposal = make_proposal(make_call(territory), participant)
    cite(make_fiche("Fiche encore en brouillon"), proposal=proposal)
    page = text_of(client.get(URL))
    assert "Fiche encore en brouillon" not in page
    assert "No fiche action is published yet." in page


def test_survey_counts_come_from_published_releases_only(client, territory, make_fiche):
    make_release(territory, responses=40)
    latest = make_release(territory, responses=57, number=2)
    make_release(territory, responses=300, published=False, title="Questionnaire des professionnels")
    fiche = make_fiche(published=True)
    cite(fiche, release=latest, question_code="Q3")
    page = text_of(client.get(URL))
    assert "57 answers were counted in the published results of the surveys." in page
    surveys = page[page.index("57 answers"):page.index("No proposal is published yet.")]
    assert f"fiche 1.1 — {fiche.title}" in surveys and "uses the results of 1 survey" in surveys


def test_ideas_and_working_groups_lead_to_the_fiches_they_fed(client, territory, make_fiche):
    idea = make_idea(territory)
    group = make_group(territory)
    second_axis = territory.current_contract.active_axes[1]
    fiche = make_fiche("Créer un annuaire des professionnels", axis=second_axis, published=True,
                       status=FicheStatus.IN_PROGRESS)
    cite(fiche, idea=idea)
    cite(fiche, group=group)
    page = text_of(client.get(URL))
    ideas = page[page.index("1 idea was written down"):page.index("1 working group was formed.")]
    groups = page[page.index("1 working group was formed."):page.index("Retained proposals")]
    assert "Axis 2: Développer l'essor" in ideas and "fiche 2.1 — Créer un annuaire" in ideas
    assert "prepared by 1 working group" in groups and "(In progress)" in groups


def test_a_retained_proposal_points_to_its_fiche(client, territory, make_fiche, participant):
    call = make_call(territory)
    retained = make_proposal(call, participant, answer=AnswerStatus.RETAINED)
    waiting = make_proposal(call, participant, title="Des ateliers mémoire à Castelsarrasin", answer=AnswerStatus.RETAINED)
    fiche = make_fiche(published=True)
    cite(fiche, proposal=retained)
    response = client.get(URL)
    markup = response.get_data(as_text=True)
    assert f'href="/t/terres-des-confluences/proposals/{retained.id}/"' in markup[markup.index('id="retained-title"'):]
    section = text_of(response)[text_of(response).index("Retained proposals"):]
    assert f"{retained.title} → fiche 1.1 — {fiche.title}" in section
    assert f"{waiting.title} — its fiche is not published yet" in section


def test_the_page_is_reachable_from_the_territory_menu_and_home(client, territory):
    home = client.get("/t/terres-des-confluences/").get_data(as_text=True)
    assert home.count(f'href="{URL}"') == 2  # the menu and the home's invitation


def test_a_territory_without_contract_says_so(client, make_territory):
    make_territory("sans-contrat", "Territoire sans contrat", siren="200066330", with_contract=False)
    response = client.get("/t/sans-contrat/outcomes")
    assert response.status_code == 200 and "This territory has no contract yet." in text_of(response)


def test_an_unknown_territory_is_not_found(client, territory):
    assert client.get("/t/nulle-part/outcomes").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_page(as_role, role, make_fiche):
    make_fiche(published=True)
    response = as_role(role).get(URL)
    assert response.status_code == 200
    assert "What became of your contributions" in response.get_data(as_text=True)


def test_the_page_runs_no_query_while_rendering(app, client, territory, make_fiche, participant):
    from tests.rendering import RenderGuard

    call = make_call(territory)
    fiche = make_fiche(published=True)
    for title in ("Une navette", "Un cabinet infirmier", "Des ateliers mémoire"):
        cite(fiche, proposal=make_proposal(call, participant, title=title, answer=AnswerStatus.RETAINED))
    cite(fiche, idea=make_idea(territory))
    with RenderGuard(app) as guard:
        assert client.get(URL).status_code == 200
        assert guard.while_rendering == []


@pytest.mark.parametrize("url", [URL + "?contract=abc&axis=99999999999999999999", URL + "/", "/t/%00/outcomes",
                                 "/t/" + "x" * 500 + "/outcomes"])
def test_odd_addresses_give_no_error_page(client, territory, url):
    assert client.get(url).status_code in (200, 308, 404)


def test_fiches_citing_ignores_unknown_kinds_and_ids(app, territory, make_fiche, participant):
    from consult.synthesis.views.outcomes import fiches_citing

    proposal = make_proposal(make_call(territory), participant)
    cite(make_fiche("Navette santé", published=True), proposal=proposal)
    with app.test_request_context(f"/t/{territory.slug}/"):
        from flask import g
        g.territory = territory
        assert [f.title for f in fiches_citing("proposal", proposal.id)] == ["Navette santé"]
        assert fiches_citing("proposal", 10**12) == [] and fiches_citing("nonsense", proposal.id) == []
    assert fiches_citing("proposal", proposal.id) == []  # outside a request
