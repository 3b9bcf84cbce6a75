"""The coordinators' list of a call's proposals: filters, search, orders, pages of 50 whose links keep the filters,
bad values that never break the page, a constant number of queries, and the filtered list as CSV, XLSX and ODS
for the territory's coordinators and admins only."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import AnswerStatus, Proposal, ProposalState, Support
from tests.conftest import ROLES
from tests.proposals.conftest import SLUG
from tests.rendering import RenderGuard
from tests.surveys.exports_helpers import read_csv, read_ods, read_xlsx


def add_proposals(call, author, titles, *, state=ProposalState.PUBLISHED, axis=None, publics="", start=None,
                  answer=None) -> list[Proposal]:
    """Proposals of `author`, one a minute apart from `start` (oldest first), stored in one commit."""
    start = start or utcnow() - dt.timedelta(days=3)
    items = []
    for n, title in enumerate(titles):
        when = start + dt.timedelta(minutes=n)
        items.append(Proposal(call=call, author=author, title=title, description="Pour les habitants du territoire.",
                              axis=axis or call.axes[0], state=state, publics=publics, answer_status=answer,
                              search_text=similarity.search_document(title, "Pour les habitants du territoire."),
                              submitted_at=when, published_at=when if state is ProposalState.PUBLISHED else None))
    db.session.add_all(items)
    db.session.commit()
    return items


def listed_titles(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page)]


def url(call, query: str = "") -> str:
    return f"/t/{SLUG}/manage/proposals/calls/{call.id}/proposals/{query}"


@pytest.fixture
def varied(call, make_user):
    """Six proposals of « L'Isle-Jourdain » residents in every state the list shows, with supports."""
    author = make_user(display_name="Josiane d'Auvillar")
    second_axis = call.axes[1]
    bus, = add_proposals(call, author, ["Un bus vers l'hôpital de Moissac"], publics="elderly")
    pharmacy, = add_proposals(call, author, ["Une pharmacie de garde à Valence"], axis=second_axis,
                              start=utcnow() - dt.timedelta(days=2))
    retained, = add_proposals(call, author, ["Des ateliers mémoire à Montech"], answer=AnswerStatus.RETAINED,
                              start=utcnow() - dt.timedelta(days=1))
    pending, = add_proposals(call, author, ["Un défibrillateur à Lizac"], state=ProposalState.PENDING,
                             start=utcnow() - dt.timedelta(hours=5))
    rejected, = add_proposals(call, author, ["Achetez mes compléments"], state=ProposalState.REJECTED,
                              start=utcnow() - dt.timedelta(hours=4))
    add_proposals(call, author, ["Brouillon : jardins partagés"], state=ProposalState.DRAFT)
    for person in (make_user(), make_user()):
        db.session.add(Support(proposal_id=pharmacy.id, user_id=person.id))
    db.session.add(Support(proposal_id=retained.id, user_id=author.id))
    db.session.commit()
    return bus, pharmacy, retained, pending, rejected


def test_list_filters_sorts_and_counts_the_call_proposals(client, as_coordinator, call, varied):
    bus, pharmacy, retained, pending, rejected = varied

    page = client.get(url(call)).get_data(as_text=True)
    assert "5 proposals" in page and 'action=""' not in page and ">Filter</button>" in page
    assert listed_titles(page) == [rejected.title, pending.title, retained.title, pharmacy.title, bus.title]
    assert "Brouillon" not in page and "Josiane d&#39;Auvillar" in page

    checks = {
        "?status=pending": [pending.title],
        "?status=published&sort=oldest": [bus.title, pharmacy.title, retained.title],
        "?status=awaiting&sort=title": [bus.title, pharmacy.title],
        "?status=retained": [retained.title],
        f"?axis={call.axes[1].id}": [pharmacy.title],
        "?public=elderly": [bus.title],
        "?q=HOPITAUX": [bus.title],
        "?q=ateliers+m%C3%A9moire": [retained.title],
        "?sort=supports&status=published": [pharmacy.title, retained.title, bus.title],
        "?sort=title": [rejected.title, retained.title, bus.title, pending.title, pharmacy.title],
    }
    for query, expected in checks.items():
        page = client.get(url(call, query)).get_data(as_text=True)
        assert listed_titles(page) == expected, query
        assert (f"{len(expected)} proposal" in page), query

    page = client.get(url(call, "?q=piscine")).get_data(as_text=True)
    assert "0 proposals" in page and "No proposal matches these filters." in page
    # The form shows what was asked for.
    page = client.get(url(call, "?status=pending&q=d%C3%A9fibrillateur")).get_data(as_text=True)
    assert 'value="défibrillateur"' in page and '<option selected value="pending">' in page


def test_bad_filter_values_are_ignored_and_pages_past_the_end_are_not_found(client, as_coordinator, call, varied):
    for query in ("?status=xyz", "?sort=xyz", "?axis=abc", "?axis=999999", "?public=%00", "?page=-1",
                  "?page=abc", "?page=%C2%B2", "?page=0", "?q=" + "x" * 300):
        response = client.get(url(call, query))
        assert response.status_code == 200, query
        assert "5 proposals" in response.get_data(as_text=True), query
    for query in ("?page=2", "?page=99999999999999999999", "?page=" + "9" * 5000, "?page=9223372036854775808"):
        assert client.get(url(call, query)).status_code == 404, query
    export = f"/t/{SLUG}/manage/proposals/calls/{call.id}/proposals"
    assert client.get(f"{export}.pdf").status_code == 404
    assert client.get(f"{export}.csv?page=99999999999999999999&status=xyz&sort=xyz").status_code == 200
    assert client.get(f"/t/{SLUG}/manage/proposals/calls/99999999999/proposals/").status_code == 404


def test_pages_of_fifty_keep_the_filters_and_cost_the_same_queries(app, client, as_coordinator, call, make_user):
    author = make_user()
    add_proposals(call, author, [f"Maison de santé n° {n:03d}" for n in range(3)], start=utcnow() - dt.timedelta(days=9))

    def measured(query):
        with RenderGuard(app) as guard:
            response = client.get(url(call, query))
            assert response.status_code == 200
            return guard.count, guard.while_rendering, response.get_data(as_text=True)

    few, rendering, _page = measured("?status=published&sort=oldest")
    add_proposals(call, author, [f"Maison de santé n° {n:03d}" for n in range(3, 61)],
                  start=utcnow() - dt.timedelta(days=8))
    add_proposals(call, author, ["Un bus vers l'hôpital de Moissac"], state=ProposalState.PENDING)

    many, rendering_many, page = measured("?status=published&sort=oldest")

    assert rendering == rendering_many == [] and few == many
    assert "61 proposals" in page and "Page 1 of 2" in page
    assert len(listed_titles(page)) == 50 and listed_titles(page)[0] == "Maison de santé n° 000"
    following = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "status=published" in following and "sort=oldest" in following and "page=2" in following
    second = client.get(following).get_data(as_text=True)
    assert listed_titles(second) == [f"Maison de santé n° {n:03d}" for n in range(50, 61)]
    assert re.search(r'href="[^"]*status=published[^"]*" rel="prev"', second)


def test_export_holds_the_filtered_list_with_french_headers_and_inert_formulas(app, client, as_coordinator, call,
                                                                              varied, make_user):
    app.config["BABEL_DEFAULT_LOCALE"] = "fr"
    bus, pharmacy, retained, pending, rejected = varied
    sly = make_user("tableur@example.org", display_name="=HYPERLINK(\"http://evil.example\")")
    add_proposals(call, sly, ["=1+1 une formule"], start=utcnow() - dt.timedelta(days=4))
    base = f"/t/{SLUG}/manage/proposals/calls/{call.id}/proposals"

    response = client.get(f"{base}.csv?status=published&sort=supports")
    rows = read_csv(response)

    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="{SLUG}-proposals-call-')
    assert response.headers["Cache-Control"] == "no-store"
    assert rows[0] == ["Numéro", "Titre", "Axe", "Statut", "Réponse officielle", "Soutiens", "Commentaires",
                       "Pour qui", "Date de dépôt", "Date de publication", "Auteur ou autrice",
                       "Fusionnée dans le numéro"]
    assert [row[1] for row in rows[1:]] == [pharmacy.title, retained.title, bus.title, "'=1+1 une formule"]
    assert rows[1][0] == str(pharmacy.id) and rows[1][5] == "2" and rows[1][4] == "En attente de réponse"
    assert rows[2][4] == "Retenue" and rows[3][7] == "Personnes âgées"
    assert rows[4][10] == "'=HYPERLINK(\"http://evil.example\")"
    assert "@" not in response.get_data(as_text=True)  # display names only, never an email

    xlsx = read_xlsx(client.get(f"{base}.xlsx?status=pending").get_data())[0]
    assert xlsx[0][0] == "Numéro" and [row[1] for row in xlsx[1:]] == [pending.title]
    assert xlsx[1][0] == pending.id and xlsx[1][3] == "En attente de modération"
    ods = read_ods(client.get(f"{base}.ods?q=formule").get_data())[0]
    assert ods[0][1] == "Titre" and ods[1][1] == "'=1+1 une formule" and ods[1][5] == 0


@pytest.mark.parametrize("role", ROLES)
def test_only_the_territory_coordinators_and_admins_may_export(as_role, call, varied, role):
    client = as_role(role)

    response = client.get(f"/t/{SLUG}/manage/proposals/calls/{call.id}/proposals.csv")
    page = client.get(url(call))

    allowed = role in ("coordinator", "admin")  # can_export_proposals: can_manage_territory
    expected = 200 if allowed else 302 if role == "anonymous" else 403
    assert (response.status_code, page.status_code) == (expected, expected)
    assert ("Un bus vers l'hôpital de Moissac" in response.get_data(as_text=True)) is allowed
    assert ("proposals.csv" in page.get_data(as_text=True)) is allowed
