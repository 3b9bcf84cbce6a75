"""The listing: filters, accent-insensitive French search, sorts, a random order stable per visitor, pages."""
from __future__ import annotations

import datetime as dt
import itertools
import re

from consult.core import pagecache
from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import AnswerStatus, ProposalState
from tests.conftest import commune_by_code
from tests.proposals.conftest import SLUG, add_comment, add_support


def titles(client, call, **params) -> list[str]:
    page = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/", query_string=params).get_data(as_text=True)
    return re.findall(r'<h3 class="proposal-title"><a href="[^"]+">([^<]+)</a>', page)


def test_search_ignores_accents_and_case(client, call, make_proposal):
    make_proposal(call, title="Prévention santé dans les écoles", description="Ateliers pour les enfants.")
    make_proposal(call, title="Un marché de producteurs", description="Le samedi à Moissac.")

    assert titles(client, call, q="SANTE") == ["Prévention santé dans les écoles"]
    assert titles(client, call, q="santé") == ["Prévention santé dans les écoles"]


def test_search_finds_plurals_and_words_of_the_description(client, call, make_proposal):
    make_proposal(call, title="Navette vers l'hôpital", description="Pour les personnes âgées isolées de Lafrançaise.")
    make_proposal(call, title="Un marché de producteurs", description="Le samedi à Moissac.")

    assert titles(client, call, q="hôpitaux") == ["Navette vers l&#39;hôpital"]
    assert titles(client, call, q="personne agée") == ["Navette vers l&#39;hôpital"]


def test_filters_by_axis_commune_and_public(client, call, make_proposal):
    first, second = call.axes
    make_proposal(call, title="Accueil des internes", axis=first, communes=("82033",), publics="professionals")
    make_proposal(call, title="Ateliers cuisine", axis=second, communes=("82112",), publics="families precarity")
    make_proposal(call, title="Sport sur ordonnance", axis=second, publics="elderly")
    assert titles(client, call, axis=first.id) == ["Accueil des internes"]
    moissac = commune_by_code("82112").id
    assert sorted(titles(client, call, commune=moissac)) == ["Ateliers cuisine", "Sport sur ordonnance"]
    assert titles(client, call, public="precarity") == ["Ateliers cuisine"]


def test_filter_by_objective_and_status(client, call, make_proposal):
    objective = call.axes[0].objectives[0]
    make_proposal(call, title="Accueil des internes", objective=objective)
    answered = make_proposal(call, title="Une maison de santé")
    answered.answer_status = AnswerStatus.RETAINED
    db.session.commit()

    assert titles(client, call, objective=objective.id) == ["Accueil des internes"]
    assert titles(client, call, status="retained") == ["Une maison de santé"]
    assert titles(client, call, status="awaiting") == ["Accueil des internes"]


def test_only_published_proposals_are_listed(client, call, make_proposal):
    make_proposal(call, title="Publiée")
    for state in (ProposalState.DRAFT, ProposalState.PENDING, ProposalState.REJECTED, ProposalState.HIDDEN):
        make_proposal(call, title=f"État {state.value}", state=state)

    assert titles(client, call) == ["Publiée"]


def test_sort_by_supports_newest_and_comments(client, call, make_proposal, make_user):
    now = utcnow()
    old = make_proposal(call, title="Ancienne", published_at=now - dt.timedelta(days=3))
    middle = make_proposal(call, title="Moyenne", published_at=now - dt.timedelta(days=2))
    make_proposal(call, title="Récente", published_at=now - dt.timedelta(days=1))
    for _ in range(2):
        add_support(middle, make_user())
    add_support(old, make_user())
    add_comment(old, make_user())

    assert titles(client, call, sort="supports") == ["Moyenne", "Ancienne", "Récente"]
    assert titles(client, call, sort="newest") == ["Récente", "Moyenne", "Ancienne"]
    assert titles(client, call, sort="comments")[0] == "Ancienne"


def many(call, make_proposal, author, count=30):
    for n in range(count):
        make_proposal(call, title=f"Proposition n° {n:02d} pour Castelsarrasin", author=author)


def test_random_order_is_stable_across_pages_for_one_visitor(client, call, make_proposal, make_user):
    many(call, make_proposal, make_user())

    first = titles(client, call) + titles(client, call, page=2) + titles(client, call, page=3)
    again = titles(client, call) + titles(client, call, page=2) + titles(client, call, page=3)

    assert len(first) == 30 and len(set(first)) == 30
    assert first == again
    assert first != sorted(first)


def test_random_order_differs_between_visitors(app, call, make_proposal, make_user, monkeypatch):
    """Each new visitor draws an order (visitors without an account arriving within the same second, nothing written
    in between, are given the same kept page: tests/core/test_pagecache.py)."""
    many(call, make_proposal, make_user())
    seconds = itertools.count(1_800_000_000)
    monkeypatch.setattr(pagecache, "current_second", lambda: next(seconds))
    orders = {tuple(titles(app.test_client(), call)) for _ in range(4)}

    assert len(orders) > 1


def test_pagination_shows_twelve_per_page(client, call, make_proposal, make_user):
    many(call, make_proposal, make_user(), count=14)

    page = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/", query_string={"page": 2}).get_data(as_text=True)

    assert "Page 2 of 2" in page
    assert len(titles(client, call, page=2)) == 2
    assert "14 proposals" in page


def test_merged_proposals_are_listed_only_under_their_status(client, call, make_proposal):
    kept = make_proposal(call, title="Gardée")
    merged = make_proposal(call, title="Fusionnée")
    merged.answer_status, merged.merged_into_id = AnswerStatus.MERGED, kept.id
    db.session.commit()

    assert titles(client, call) == ["Gardée"]
    assert titles(client, call, status="merged") == ["Fusionnée"]


def test_nonsense_filters_are_ignored(client, call, make_proposal):
    make_proposal(call, title="Une maison de santé")

    response = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/", query_string={"axis": "abc", "sort": "pirate"})

    assert response.status_code == 200
    assert titles(client, call, axis="abc", sort="pirate") == ["Une maison de santé"]


def test_open_call_is_shown_on_the_territory_home(client, call):
    page = client.get(f"/t/{SLUG}/").get_data(as_text=True)

    assert f'href="/t/{SLUG}/proposals/calls/{call.id}/"' in page and "Call for proposals" in page


def test_search_with_accents_finds_text_typed_without_them(client, call, make_proposal):
    make_proposal(call, title="Une journee sante a l'ecole", description="Depistage et prevention.")

    assert titles(client, call, q="santé à l'école") == ["Une journee sante a l&#39;ecole"]
    assert titles(client, call, q="dépistages") == ["Une journee sante a l&#39;ecole"]
