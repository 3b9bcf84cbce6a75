"""A proposal or an idea shows the fiche that took it up (the `fiches_citing` global), loaded before the page
renders: published fiches for everyone, drafts too for those who read the plan."""
from __future__ import annotations

import html
import re

import pytest

from consult.synthesis.models import FicheStatus
from tests.conftest import ROLES
from tests.rendering import RenderGuard
from tests.synthesis.outcomes_factories import cite, make_call, make_idea, make_proposal

SLUG = "terres-des-confluences"


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


@pytest.fixture
def proposal(territory, participant):
    return make_proposal(make_call(territory), participant)


def test_the_proposal_page_names_the_published_fiche_that_took_it_up(client, proposal, make_fiche):
    fiche = make_fiche(status=FicheStatus.IN_PROGRESS, published=True)
    cite(fiche, proposal=proposal)
    page = text_of(client.get(f"/t/{SLUG}/proposals/{proposal.id}/"))
    assert f"Taken up in fiche 1.1 — {fiche.title} (In progress)" in page


def test_a_draft_fiche_is_named_to_observers_only(client, as_role, proposal, make_fiche):
    fiche = make_fiche("Navette santé vers Moissac", status=FicheStatus.DRAFT)
    cite(fiche, proposal=proposal)
    url = f"/t/{SLUG}/proposals/{proposal.id}/"
    assert "Navette santé vers Moissac" not in text_of(client.get(url))
    assert "Navette santé vers Moissac" not in text_of(as_role("participant").get(url))
    assert "Taken up in fiche 1.1 — Navette santé vers Moissac (Draft, not published)" in text_of(
        as_role("observer").get(url))


def test_several_fiches_are_listed(client, proposal, make_fiche, territory):
    first = make_fiche(published=True)
    second = make_fiche("Créer un annuaire des professionnels", axis=territory.current_contract.active_axes[1],
                        published=True)
    cite(second, proposal=proposal)
    cite(first, proposal=proposal)
    page = text_of(client.get(f"/t/{SLUG}/proposals/{proposal.id}/"))
    assert re.search(r"Taken up in: fiche 1\.1 — .+ fiche 2\.1 — Créer un annuaire", page)


def test_a_proposal_nobody_took_up_says_nothing(client, proposal, make_fiche):
    make_fiche(published=True)
    assert "Taken up in" not in text_of(client.get(f"/t/{SLUG}/proposals/{proposal.id}/"))


def test_the_meeting_page_names_the_fiche_that_took_an_idea_up(client, territory, make_fiche):
    idea = make_idea(territory)
    fiche = make_fiche(published=True)
    cite(fiche, idea=idea)
    page = text_of(client.get(f"/t/{SLUG}/meetings/{idea.meeting_id}"))
    assert f"{idea.text}" in page and f"Taken up in fiche 1.1 — {fiche.title}" in page


def test_the_coordinators_idea_pages_name_the_fiche(as_role, territory, make_fiche):
    idea = make_idea(territory)
    cite(make_fiche("Médecin itinérant"), idea=idea)
    coordinator = as_role("coordinator")
    for url in (f"/t/{SLUG}/manage/meetings/ideas", f"/t/{SLUG}/manage/meetings/{idea.meeting_id}/minutes"):
        assert "Taken up in fiche 1.1 — Médecin itinérant (Draft, not published)" in text_of(coordinator.get(url))


@pytest.mark.parametrize("role", ROLES)
def test_the_citations_are_loaded_before_the_pages_render(app, as_role, role, proposal, territory, make_fiche):
    idea = make_idea(territory)
    fiche = make_fiche(published=True)
    cite(fiche, proposal=proposal)
    cite(fiche, idea=idea)
    client = as_role(role)
    with RenderGuard(app) as guard:
        for url in (f"/t/{SLUG}/proposals/{proposal.id}/", f"/t/{SLUG}/meetings/{idea.meeting_id}"):
            response = client.get(url)
            assert response.status_code == 200 and "Taken up in fiche 1.1" in text_of(response)
            assert guard.while_rendering == [], url


def test_a_tagged_text_names_the_fiche_that_cites_it(client, as_coordinator, territory, make_fiche):
    from consult.extensions import db
    from consult.synthesis.models import Citation, CitationKind, TaggedText, TextSource

    meeting = make_idea(territory).meeting
    meeting.minutes_published_at = meeting.starts_at
    axis = territory.current_contract.active_axes[0]
    text = TaggedText(territory=territory, axis=axis, source=TextSource.MINUTES, meeting=meeting,
                      excerpt="Les jeunes ne savent pas vers qui se tourner.")
    db.session.add(text)
    fiche = make_fiche("Former les animateurs sportifs au repérage", status=FicheStatus.DRAFT)
    db.session.add(Citation(fiche=fiche, kind=CitationKind.TAGGED_TEXT, tagged_text=text))
    db.session.commit()
    for address in (f"/t/{SLUG}/manage/synthesis/axes/{axis.id}", f"/t/{SLUG}/manage/synthesis/texts"):
        page = text_of(client.get(address))
        assert "Taken up in fiche 1.1 — Former les animateurs sportifs au repérage" in page, address
