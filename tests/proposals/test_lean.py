"""Lean proposals (issue 15 §3): a support is one short write transaction, the proposal pages run a fixed number
of statements whatever the data, the moderation queue goes by pages, similar proposals are found by the
database, and each Markdown text is rendered once."""
from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine.default import CACHE_HIT

from consult.accounts.models import User
from consult.core import text
from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import Comment, ModerationAction, ModerationEvent, Proposal, ProposalState, Report, Support
from consult.proposals.services import listing
from tests.conftest import NOW
from tests.proposals.conftest import SLUG, supports_of
from tests.rendering import RenderGuard

BUDGET = 12  # statements per page, BEGIN included (issue 15 §6)
_people = itertools.count(1)


class Statements:
    """The SQL statements the database receives while the block runs."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.sql: list[str] = []
        self.compiled: list[str] = []  # statements SQLAlchemy compiled for this run (not from its compiled cache)
        self.transactions = 0  # BEGIN is a statement on SQLite only: count the transactions the engine opens

    def _record(self, _conn, _cursor, statement, _parameters, context, _executemany) -> None:
        self.sql.append(statement)
        if context.compiled is not None and context.cache_hit is not CACHE_HIT:
            self.compiled.append(statement)

    def _begin(self, _conn) -> None:
        self.transactions += 1

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        event.listen(self.engine, "begin", self._begin)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)
        event.remove(self.engine, "begin", self._begin)


def people(count: int, *, territory_commune=None) -> list[User]:
    """`count` confirmed accounts of Terres des Confluences, added in one flush."""
    users = [User(email=f"voisine{n}@example.org", display_name=f"Maïté d'Auvillar n° {n}", password_hash="-",
                  privacy_consent_at=NOW, email_confirmed_at=NOW, commune=territory_commune)
             for n in (next(_people) for _ in range(count))]
    db.session.add_all(users)
    db.session.flush()
    return users


def publish(call, authors: list[User], *, state=ProposalState.PUBLISHED, title="Une navette vers l'hôpital n° {n}"):
    """One proposal per author in `call`, each by another person (a page loading authors one by one would show)."""
    now = utcnow()
    proposals = [Proposal(call=call, author_id=author.id, axis=call.axes[n % len(call.axes)], state=state,
                          title=title.format(n=n), description="Pour les habitantes et les habitants sans voiture.",
                          search_text=similarity.search_document(title.format(n=n)), submitted_at=now,
                          published_at=now if state is ProposalState.PUBLISHED else None)
                 for n, author in enumerate(authors)]
    db.session.add_all(proposals)
    db.session.flush()
    return proposals


def react(proposal, users: list[User]) -> None:
    """Each person supports `proposal`, comments it, answers the first comment, reports it, and a moderation
    event names them: every kind of row the proposal pages show, one author each."""
    now = utcnow()
    db.session.add_all(Support(proposal_id=proposal.id, user_id=user.id, created_at=now) for user in users)
    first = Comment(proposal_id=proposal.id, author_id=users[0].id, body="**Oui**, le bus du mardi ne suffit pas.",
                    created_at=now)
    db.session.add(first)
    db.session.flush()
    db.session.add_all(Comment(proposal_id=proposal.id, author_id=user.id, parent_id=first.id if n % 2 else None,
                               body=f"D'accord, c'est pareil à Lafrançaise (n° {n}).", created_at=now)
                       for n, user in enumerate(users[1:]))
    db.session.add_all(Report(proposal_id=proposal.id, reporter_id=user.id, reason="Hors sujet ?", created_at=now)
                       for user in users)
    db.session.add_all(ModerationEvent(proposal_id=proposal.id, actor_id=user.id, action=ModerationAction.REPORTED,
                                       reason="Hors sujet ?", created_at=now) for user in users)


def _pages(call, proposal) -> dict[str, str]:
    return {"call": f"/t/{SLUG}/proposals/calls/{call.id}/", "detail": f"/t/{SLUG}/proposals/{proposal.id}/",
            "sorted": f"/t/{SLUG}/proposals/calls/{call.id}/?sort=supports&q=navette",
            "queue": f"/t/{SLUG}/manage/proposals/calls/{call.id}/", "calls": f"/t/{SLUG}/manage/proposals/",
            "moderation": f"/t/{SLUG}/manage/proposals/{proposal.id}/",
            "list": f"/t/{SLUG}/manage/proposals/calls/{call.id}/proposals/?sort=supports"}


def _counts(app, client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    with RenderGuard(app) as guard:
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts[name] = guard.count
    return counts


def test_proposal_pages_run_the_same_few_statements_with_ten_times_the_data(app, client, login, make_call,
                                                                             coordinator):
    call = make_call(support_limit=30)
    proposal, *_others = publish(call, people(3))
    publish(call, people(2), state=ProposalState.PENDING)
    react(proposal, people(2))
    db.session.commit()
    login(coordinator)
    client.get(_pages(call, proposal)["call"])  # the territory's structure, read once per process (its communes)
    small = _counts(app, client, _pages(call, proposal))

    publish(call, people(30))
    publish(call, people(35), state=ProposalState.PENDING)
    react(proposal, people(20))
    db.session.commit()
    grown = _counts(app, client, _pages(call, proposal))

    assert grown == small
    assert max(grown.values()) <= BUDGET, grown


def test_a_support_is_one_write_transaction_of_a_few_statements(app, client, login, make_user, make_call,
                                                                 make_proposal):
    call = make_call(support_limit=3)
    proposal = make_proposal(call)
    url, back = f"/t/{SLUG}/proposals/{proposal.id}/support", f"/proposals/{proposal.id}/"
    login(make_user())

    with Statements(app) as statements:
        response = client.post(url)

    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    # BEGIN, territory and login session (with the roles) together, the proposal with its call, the person's lock,
    # one INSERT.
    assert statements.transactions == 1 and len(statements.sql) <= 5, "\n".join(s[:150] for s in statements.sql)
    assert sum(sql.startswith("INSERT INTO proposal_supports") for sql in statements.sql) == 1
    assert supports_of(proposal) == 1


@pytest.mark.parametrize("limit", [None, 3])
def test_a_support_compiles_no_statement_once_the_first_is_done(app, client, login, make_user, make_call,
                                                                make_proposal, limit):
    """A statement SQLAlchemy cannot cache (its dialects' INSERT … ON CONFLICT) is compiled again at every request:
    the second support of the process must find every statement it runs already compiled."""
    call = make_call(support_limit=limit)
    first, second = make_proposal(call), make_proposal(call, title="Un bus le samedi vers Moissac")
    login(make_user())
    client.post(f"/t/{SLUG}/proposals/{first.id}/support")

    with Statements(app) as statements:
        response = client.post(f"/t/{SLUG}/proposals/{second.id}/support")

    assert response.status_code == 302
    assert sum(sql.startswith("INSERT INTO proposal_supports") for sql in statements.sql) == 1
    assert statements.compiled == [], statements.compiled
    assert (supports_of(first), supports_of(second)) == (1, 1)


def test_a_replayed_support_stores_nothing_more_and_says_so(app, client, login, make_user, proposal):
    url = f"/t/{SLUG}/proposals/{proposal.id}/support"
    login(make_user())
    client.post(url)

    with Statements(app) as statements:
        response = client.post(url, follow_redirects=True)

    assert "You already support this proposal." in response.get_data(as_text=True)
    assert statements.transactions == 2  # the refused POST (rolled back), then the page it leads to
    assert supports_of(proposal) == 1


def test_moderation_queue_goes_by_pages_and_keeps_the_other_list_page(client, login, make_call, coordinator):
    call = make_call()
    pending = publish(call, people(33), state=ProposalState.PENDING, title="Un cabinet infirmier à Moissac n° {n}")
    db.session.commit()
    login(coordinator)

    first = client.get(f"/t/{SLUG}/manage/proposals/calls/{call.id}/").get_data(as_text=True)
    second = client.get(f"/t/{SLUG}/manage/proposals/calls/{call.id}/?page=2&reports_page=1").get_data(as_text=True)
    beyond = client.get(f"/t/{SLUG}/manage/proposals/calls/{call.id}/?page=9")

    assert "33 proposals awaiting moderation" in first and "Page 1 of 2" in first
    assert re.search(r'href="[^"]*\?page=2&amp;reports_page=1" rel="next"', first)
    assert first.count("/manage/proposals/") - second.count("/manage/proposals/") == 30 - 3
    assert f"/manage/proposals/{pending[-1].id}/" in second and 'rel="prev"' in second
    assert beyond.status_code == 200 and "Page 2 of 2" in beyond.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Proposal.id)).where(Proposal.state == ProposalState.PENDING)) == 33


def _python_similar(call, title: str, *, exclude_id=None, threshold=0.4) -> list[int]:
    """The former scan: every proposal of the call scored in Python (the oracle)."""
    wanted = set(similarity.keywords(title))
    scored = []
    for proposal in db.session.scalars(select(Proposal).where(Proposal.call_id == call.id,
                                                              Proposal.state == ProposalState.PUBLISHED)):
        if proposal.id == exclude_id or not wanted:
            continue
        in_text = set(similarity.keywords(f"{proposal.title} {proposal.description}"))
        score = max(similarity.similarity(wanted, similarity.keywords(proposal.title)),
                    0.8 * len(wanted & in_text) / len(wanted))
        if score >= threshold:
            scored.append((-score, proposal.id))
    return [ident for _score, ident in sorted(scored)[:5]]


SIMILAR_TITLES = ["Navette vers l'hôpital de Moissac", "Des navettes pour les hôpitaux", "Hôpital",
                  "Un jardin partagé à Castelsarrasin", "Maison de santé à Lafrançaise pour les jeunes",
                  "Bus santé du samedi vers les consultations", "le la les des", "Atelier nutrition jeunes"]


def test_similar_proposals_found_by_the_database_are_those_the_full_scan_finds(app, client, make_call):
    call = make_call()
    authors = people(4)
    for n, title in enumerate(["Une navette vers l'hôpital de Moissac", "Navettes santé le samedi",
                               "Jardin partagé et santé à Castelsarrasin", "Maison de santé pour les jeunes",
                               "Atelier nutrition pour les jeunes de Lafrançaise", "Bus vers les consultations",
                               "Un hôpital de jour à Castelsarrasin", "Consultations jeunes sans rendez-vous"]):
        db.session.add(Proposal(call=call, author_id=authors[n % 4].id, axis=call.axes[0], title=title,
                                description="Pour les habitants sans voiture qui vont à l'hôpital.",
                                state=ProposalState.PUBLISHED, published_at=NOW, submitted_at=NOW,
                                search_text=similarity.search_document(title, "Pour les habitants sans voiture "
                                                                              "qui vont à l'hôpital.")))
    db.session.commit()

    for title in SIMILAR_TITLES:
        found = [p.id for p, _score in listing.similar_proposals(call, title)]
        assert found == _python_similar(call, title), title
    fragment = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/similar",
                          query_string={"title": "navettes hopital"}).get_data(as_text=True)
    assert "Une navette vers l&#39;hôpital de Moissac" in fragment


def test_markdown_is_rendered_once_per_distinct_text_and_stays_sanitised(client, make_call, make_proposal, views_only):
    call = make_call()
    proposal = make_proposal(call, description="Un **bus** le samedi <script>alert(1)</script> "
                                               "[plan](javascript:alert(2)) vers Moissac.")
    text.MARKDOWN.clear()

    first = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)
    misses = text.MARKDOWN.misses
    second = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)

    assert "Un <strong>bus</strong> le samedi" in first and "alert(" not in first and "javascript:" not in first
    assert "Un <strong>bus</strong> le samedi" in second
    assert misses >= 1 and text.MARKDOWN.misses == misses and text.MARKDOWN.hits >= misses


def test_markdown_memo_is_bounded_by_characters():
    memo = text.MarkdownMemo(max_chars=2_000)
    for n in range(100):
        assert memo.render(f"Réunion n° {n} à *Valence-d'Agen*") == text._render(f"Réunion n° {n} à *Valence-d'Agen*")

    assert memo.chars <= 2_000 and 0 < len(memo._items) < 100
    assert memo.render("x" * 300) == text._render("x" * 300) and "x" * 300 not in memo._items  # too long to keep


@pytest.mark.parametrize("limit", [None, 2])
def test_limit_and_uniqueness_hold_in_the_single_statement(client, login, make_user, make_call, make_proposal, limit):
    call = make_call(support_limit=limit)
    proposals = [make_proposal(call, title=f"Atelier nutrition n° {n} à Castelsarrasin") for n in range(3)]
    login(make_user())

    answers = [client.post(f"/t/{SLUG}/proposals/{p.id}/support", follow_redirects=True).get_data(as_text=True)
               for p in proposals + proposals[:1]]

    stored = [supports_of(p) for p in proposals]
    assert stored == ([1, 1, 1] if limit is None else [1, 1, 0])
    if limit:
        assert "You have already given your 2 supports" in answers[2]
    assert "You already support this proposal." in answers[3]
