"""A draft from an axis's synthesis: citations are references checked against the territory, candidate partners
are organisations (never people), and a refused reference stores nothing."""
from __future__ import annotations

import pytest

from consult.extensions import db
from consult.synthesis.models import Citation, CitationKind, Fiche, PartnerRole
from tests.synthesis.evidence_sources import make_sources
from tests.synthesis.fiche_forms import PLAN, SLUG, fiches


@pytest.fixture
def sources(territory, other_territory, make_user):
    return make_sources(territory, other_territory, make_user)


@pytest.fixture
def light_sources(territory, other_territory, make_user):
    """Everything but the survey release (quicker)."""
    return make_sources(territory, other_territory, make_user, with_release=False)


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_draft_cites_every_kind_of_evidence_and_lists_the_groups_organisations(client, as_coordinator, sources,
                                                                                 territory):
    axis = territory.current_contract.axes[0]

    response = client.post(f"{PLAN}/axes/{axis.id}/draft", data={
        "title": "", "objective_id": str(axis.objectives[0].id), "proposal": [str(sources.proposal.id)],
        "idea": [str(sources.idea.id)], "tagged_text": [str(sources.text.id)], "group": [str(sources.group.id)],
        "figure": [f"{sources.release.id}:Q3"]})

    assert response.status_code == 302
    (fiche,) = fiches()
    assert response.headers["Location"].endswith(f"/fiches/{fiche.id}/edit")
    assert fiche.title == f"New fiche — {axis.title}" and fiche.status.value == "draft"
    assert fiche.objective_id == axis.objectives[0].id and fiche.version_count == 1
    assert [(c.kind, c.release_id, c.question_code) for c in fiche.citations][0] == (
        CitationKind.SURVEY_FIGURE, sources.release.id, "Q3")
    assert {c.kind for c in fiche.citations} == set(CitationKind)
    assert {(p.role, p.organisation) for p in fiche.partners} == {
        (PartnerRole.PARTNER, "CPTS Quercy Garonne"), (PartnerRole.PARTNER, "Centre hospitalier de Moissac")}

    page = client.get(f"{PLAN}/fiches/{fiche.id}/").get_data(as_text=True)
    assert "Avez-vous renoncé à des soins depuis un an ?" in page
    assert "release no. 1 of" in page and "n = 30" in page
    assert f"/t/{SLUG}/surveys/{sources.release.survey_id}/results/releases/1" in page
    assert f"/t/{SLUG}/proposals/{sources.proposal.id}/" in page and "0 supports" in page
    assert "Former les animateurs des clubs sportifs au repérage" in page and "Atelier santé mentale" in page
    assert "Les jeunes ne savent pas vers qui se tourner." in page and "Santé mentale des jeunes" in page


@pytest.mark.parametrize("field, value", [
    ("proposal", "foreign_proposal"), ("proposal", "draft_proposal"), ("idea", "foreign_idea"),
    ("group", "foreign_group"), ("idea", "4242"), ("tagged_text", "4242"), ("proposal", "99999999999999999999"),
    ("figure", "4242:Q3"), ("figure", "Q3"), ("group", "-1"),
])
def test_a_reference_of_another_territory_or_unknown_is_refused_and_nothing_is_stored(
        client, as_coordinator, light_sources, territory, field, value):
    axis = territory.current_contract.axes[0]
    ident = getattr(light_sources, value).id if hasattr(light_sources, value) else value

    response = client.post(f"{PLAN}/axes/{axis.id}/draft", data={
        "proposal": [str(light_sources.proposal.id)], field: [str(ident)]})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nothing was saved" in page or "is not a valid" in page
    assert (count(Fiche), count(Citation)) == (0, 0)


def test_a_question_the_release_does_not_hold_is_refused(client, as_coordinator, sources, territory):
    axis = territory.current_contract.axes[0]

    response = client.post(f"{PLAN}/axes/{axis.id}/draft", data={"figure": [f"{sources.release.id}:Q99"]})

    assert response.status_code == 422
    assert "has no question Q99" in response.get_data(as_text=True)
    assert count(Fiche) == 0


def test_a_draft_on_an_axis_of_another_territory_is_a_404(client, as_coordinator, other_territory):
    axis = other_territory.current_contract.axes[0]

    assert client.post(f"{PLAN}/axes/{axis.id}/draft", data={}).status_code == 404
    assert client.post(f"{PLAN}/axes/99999999999999999999/draft", data={}).status_code == 404
    assert count(Fiche) == 0


def test_the_draft_form_sent_twice_creates_one_fiche(client, as_coordinator, light_sources, territory):
    axis = territory.current_contract.axes[0]
    data = {"title": "Former au repérage", "form_token": "brouillon-1", "idea": [str(light_sources.idea.id)]}

    client.post(f"{PLAN}/axes/{axis.id}/draft", data=data)
    client.post(f"{PLAN}/axes/{axis.id}/draft", data=data)

    (fiche,) = fiches()
    assert fiche.title == "Former au repérage" and len(fiche.citations) == 1


def test_citations_are_added_and_removed_from_the_fiche_page(client, as_coordinator, light_sources, make_fiche):
    fiche = make_fiche()
    page = client.get(f"{PLAN}/fiches/{fiche.id}/").get_data(as_text=True)
    assert f'href="{PLAN}/fiches/{fiche.id}/citations"' in page
    page = client.get(f"{PLAN}/fiches/{fiche.id}/citations").get_data(as_text=True)
    assert "Cite more evidence" in page and "Un bus vers l&#39;hôpital de Moissac le samedi" in page
    assert "Santé mentale des jeunes" in page and "Groupe d&#39;Ouest Aveyron" not in page  # not another territory's

    client.post(f"{PLAN}/fiches/{fiche.id}/citations", data={"proposal": str(light_sources.proposal.id),
                                                             "idea": str(light_sources.idea.id)})
    client.post(f"{PLAN}/fiches/{fiche.id}/citations", data={"proposal": str(light_sources.proposal.id)})
    (fiche,) = fiches()
    assert [c.kind for c in fiche.citations] == [CitationKind.PROPOSAL, CitationKind.IDEA]

    client.post(f"{PLAN}/fiches/{fiche.id}/citations/{fiche.citations[0].id}/remove")
    (fiche,) = fiches()
    assert [c.kind for c in fiche.citations] == [CitationKind.IDEA]


def test_citing_evidence_of_another_territory_adds_nothing(client, as_coordinator, light_sources, make_fiche):
    fiche = make_fiche()

    response = client.post(f"{PLAN}/fiches/{fiche.id}/citations", data={
        "proposal": str(light_sources.proposal.id), "group": str(light_sources.foreign_group.id)}, follow_redirects=True)

    assert "belongs to another territory" in response.get_data(as_text=True)
    assert count(Citation) == 0


def test_the_public_fiche_quotes_only_what_is_public_at_its_source(client, as_coordinator, sources, territory):
    axis = territory.current_contract.axes[0]
    client.post(f"{PLAN}/axes/{axis.id}/draft", data={
        "title": "Former au repérage", "proposal": [str(sources.proposal.id)], "idea": [str(sources.idea.id)],
        "tagged_text": [str(sources.text.id)], "group": [str(sources.group.id)],
        "figure": [f"{sources.release.id}:Q3"]})
    (fiche,) = fiches()
    client.post(f"{PLAN}/fiches/{fiche.id}/publish")
    public = client.application.test_client()

    page = public.get(f"/t/{SLUG}/plan/fiches/{fiche.id}").get_data(as_text=True)
    assert "Un bus vers l&#39;hôpital de Moissac le samedi" in page
    assert "Former les animateurs" not in page                   # the meeting's minutes are not published
    assert "Avez-vous renoncé à des soins" not in page           # the survey's results are not published
    assert "Les jeunes ne savent pas" not in page and "Santé mentale des jeunes" not in page

    sources.idea.meeting.minutes_published_at = sources.release.made_at
    sources.release.survey.results_published_at = sources.release.made_at
    db.session.commit()
    page = public.get(f"/t/{SLUG}/plan/fiches/{fiche.id}").get_data(as_text=True)
    assert "Former les animateurs des clubs sportifs au repérage" in page
    assert "Avez-vous renoncé à des soins depuis un an ?" in page and "n = 30" in page
    assert "Les jeunes ne savent pas" not in page


def test_a_draft_with_an_objective_of_another_axis_is_refused(client, as_coordinator, territory):
    first, second = territory.current_contract.axes

    response = client.post(f"{PLAN}/axes/{second.id}/draft", data={"objective_id": str(first.objectives[0].id)})

    assert response.status_code == 422
    assert "This objective does not belong to the chosen axis." in response.get_data(as_text=True)
    assert count(Fiche) == 0
