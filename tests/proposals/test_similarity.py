"""Similar proposals while writing: French text similarity (accents, plurals, stop words), with or without JS."""
from __future__ import annotations

from consult.proposals import similarity
from consult.proposals.models import ProposalState
from tests.proposals.conftest import SLUG


def test_fold_removes_accents_case_and_ligatures():
    assert similarity.fold("Santé, ŒUVRE et Hôpital") == "sante, oeuvre et hopital"


def test_keywords_drop_stop_words_and_plurals():
    assert similarity.keywords("Des navettes vers les hôpitaux de la région") == ["navette", "hopital", "region"]


def test_similar_titles_score_high_and_unrelated_ones_low():
    bus = similarity.keywords("Une navette vers l'hôpital")
    assert similarity.similarity(bus, similarity.keywords("Des navettes pour les hôpitaux")) > 0.6
    assert similarity.similarity(bus, similarity.keywords("Un jardin partagé à Moissac")) == 0


def test_check_button_shows_similar_proposals_without_javascript(client, login, make_user, call, make_proposal):
    existing = make_proposal(call, title="Une navette vers l'hôpital de Moissac")
    make_proposal(call, title="Un jardin partagé à Castelsarrasin")
    login(make_user())

    response = client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new",
                           data={"title": "Navettes pour les hopitaux", "action": "check"})

    page = response.get_data(as_text=True)
    assert "Similar proposals already exist" in page
    assert f'/proposals/{existing.id}/"' in page and "jardin" not in page
    assert 'value="Navettes pour les hopitaux"' in page


def test_similar_fragment_for_the_script(client, call, make_proposal):
    existing = make_proposal(call, title="Une navette vers l'hôpital de Moissac")

    fragment = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/similar",
                          query_string={"title": "navettes hopital"}).get_data(as_text=True)

    assert f'/proposals/{existing.id}/"' in fragment and "<html" not in fragment


def test_unpublished_proposals_are_never_suggested(client, call, make_proposal):
    make_proposal(call, title="Une navette vers l'hôpital de Moissac", state=ProposalState.PENDING)

    fragment = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/similar",
                          query_string={"title": "navette hopital"}).get_data(as_text=True)

    assert "navette" not in fragment.lower()


def test_author_sees_similar_proposals_after_submitting(client, login, make_user, call, make_proposal):
    existing = make_proposal(call, title="Une navette vers l'hôpital de Moissac")
    author = make_user()
    mine = make_proposal(call, title="Navettes vers les hôpitaux", author=author, state=ProposalState.PENDING)
    login(author)

    page = client.get(f"/t/{SLUG}/proposals/{mine.id}/").get_data(as_text=True)

    assert "Similar proposals already exist" in page and f'/proposals/{existing.id}/"' in page
