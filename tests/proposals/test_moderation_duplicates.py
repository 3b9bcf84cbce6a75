"""Moderating near-duplicates: the moderator sees the similar proposals the author saw, and may merge a proposal
awaiting moderation into a published one — published as merged, its author told once, the history kept, and a
double click merging nothing twice."""
from __future__ import annotations

import html
import re
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from consult.accounts.models import Role, TerritoryRole, User
from consult.accounts.services import hash_password
from consult.core.mail import outbox as mail_outbox
from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import (
    AnswerStatus,
    ModerationAction,
    ModerationEvent,
    Proposal,
    ProposalState,
    Support,
)
from tests.conftest import NOW, PASSWORD, served_database_app, serving
from tests.proposals.conftest import SLUG, add_support, reload, served_call, supports_of
from tests.proposals.test_support_concurrency import _log_in, _request

CLICKS = 6


def manage(path: str) -> str:
    return f"/t/{SLUG}/manage/proposals/{path}"


def events(proposal) -> list[ModerationAction]:
    return list(db.session.scalars(select(ModerationEvent.action).where(ModerationEvent.proposal_id == proposal.id)
                                   .order_by(ModerationEvent.id)))


def similar_rows(page: str) -> list[tuple[str, str, str, str]]:
    """(link, title, status, supports) of each item of the « Similar proposals » list."""
    section = page.split('id="similar-title"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>\s*<span class="badge[^"]*">([^<]+)</span> '
                      r'<span class="similar-supports">(\d+) supports?</span></li>', section)
    return [(link, html.unescape(title), status, supports) for link, title, status, supports in rows]


def test_moderator_sees_the_similar_proposals_with_status_and_supports(client, login, coordinator, call,
                                                                       make_proposal, make_user):
    kept = make_proposal(call, title="Un bus vers l'hôpital de Moissac le samedi")
    other_pending = make_proposal(call, title="Une navette pour l'hôpital de Moissac", state=ProposalState.PENDING)
    make_proposal(call, title="Des ateliers mémoire à Montech")
    make_proposal(call, title="Brouillon : bus vers l'hôpital de Moissac", state=ProposalState.DRAFT)
    for person in (make_user(), make_user()):
        add_support(kept, person)
    duplicate = make_proposal(call, title="Des bus vers les hôpitaux de Moissac", state=ProposalState.PENDING)
    login(coordinator)

    page = client.get(manage(f"{duplicate.id}/")).get_data(as_text=True)

    assert similar_rows(page) == [
        (f"/t/{SLUG}/manage/proposals/{kept.id}/", kept.title, "Awaiting an answer", "2"),
        (f"/t/{SLUG}/manage/proposals/{other_pending.id}/", other_pending.title, "Awaiting moderation", "0"),
    ]
    # The merge list offers the published one first, among the similar ones; a pending one cannot be kept.
    select_html = page.split('name="merge-target_id"', 1)[1].split("</select>", 1)[0]
    assert f'<optgroup label="Similar proposals"><option value="{kept.id}">' in select_html
    assert f'value="{other_pending.id}"' not in select_html
    # A published proposal's page lists its near-duplicates too.
    page = client.get(manage(f"{kept.id}/")).get_data(as_text=True)
    assert [row[1] for row in similar_rows(page)] == [duplicate.title, other_pending.title]


def test_pending_proposal_merged_into_a_published_one_once_even_on_a_double_click(client, login, coordinator, call,
                                                                                  make_proposal, make_user, outbox):
    kept = make_proposal(call, title="Un bus vers l'hôpital de Moissac le samedi")
    supporter = make_user()
    add_support(kept, supporter)
    duplicate = make_proposal(call, title="Des bus vers les hôpitaux de Moissac", state=ProposalState.PENDING)
    login(coordinator)

    response = client.post(manage(f"{duplicate.id}/merge"), data={"merge-target_id": str(kept.id)})
    again = client.post(manage(f"{duplicate.id}/merge"), data={"merge-target_id": str(kept.id)},
                        follow_redirects=True)

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/manage/proposals/{kept.id}/")
    assert "These proposals are already merged." in again.get_data(as_text=True)
    stored = reload(Proposal, duplicate.id)
    assert (stored.state, stored.answer_status, stored.merged_into_id) == (
        ProposalState.PUBLISHED, AnswerStatus.MERGED, kept.id)
    assert stored.published_at is not None
    assert events(stored) == [ModerationAction.PUBLISHED, ModerationAction.MERGED]
    assert events(kept) == [ModerationAction.MERGED]
    assert [m.to for m in outbox] == [duplicate.author.email]
    assert "merged with a similar proposal" in outbox[0].body and f"/proposals/{kept.id}/" in outbox[0].body
    assert supports_of(kept) == 1
    # The public finds where it counts; the public list does not show it twice.
    page = client.get(f"/t/{SLUG}/proposals/{duplicate.id}/").get_data(as_text=True)
    assert "its supports now count there" in page and f'href="/t/{SLUG}/proposals/{kept.id}/"' in page
    listing = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/").get_data(as_text=True)
    assert "hôpitaux de Moissac" not in listing


def test_published_merge_replayed_moves_supports_once(client, login, coordinator, call, make_proposal, make_user,
                                                      outbox):
    kept = make_proposal(call, title="Un bus vers l'hôpital de Moissac le samedi")
    duplicate = make_proposal(call, title="Navette vers l'hôpital de Moissac")
    both, only_duplicate = make_user(), make_user()
    add_support(kept, both)
    for person in (both, only_duplicate):
        add_support(duplicate, person)
    login(coordinator)

    for _attempt in range(2):
        client.post(manage(f"{duplicate.id}/merge"), data={"merge-target_id": str(kept.id)})

    assert (supports_of(kept), supports_of(duplicate)) == (2, 0)
    assert db.session.scalar(select(func.count(Support.id))) == 2
    assert events(reload(Proposal, duplicate.id)) == [ModerationAction.MERGED]
    assert len(outbox) == 1


def test_a_pending_proposal_cannot_be_kept_nor_a_rejected_one_merged(client, login, coordinator, call,
                                                                     make_proposal):
    first = make_proposal(call, title="Un défibrillateur à Lizac", state=ProposalState.PENDING)
    second = make_proposal(call, title="Un défibrillateur à la mairie de Lizac", state=ProposalState.PENDING)
    rejected = make_proposal(call, title="Un défibrillateur au stade de Lizac", state=ProposalState.REJECTED)
    published = make_proposal(call, title="Des défibrillateurs dans chaque commune")
    login(coordinator)

    into_pending = client.post(manage(f"{first.id}/merge"), data={"merge-target_id": str(second.id)})
    from_rejected = client.post(manage(f"{rejected.id}/merge"), data={"merge-target_id": str(published.id)},
                                follow_redirects=True)

    assert into_pending.status_code == 422 and "Not a valid choice" in into_pending.get_data(as_text=True)
    assert from_rejected.status_code == 422
    assert "Only proposals awaiting moderation or published" in from_rejected.get_data(as_text=True)
    assert [reload(Proposal, p.id).answer_status for p in (first, second, rejected)] == [None, None, None]
    assert db.session.scalar(select(func.count(ModerationEvent.id))) == 0


@pytest.fixture
def served_merge(tmp_path):
    """A served app with a coordinator, a published proposal supported by two residents and a pending duplicate."""
    app = served_database_app(tmp_path, LOGIN_RATE_LIMIT="1000/minute")
    with app.app_context():
        call = served_call()
        territory = call.territory
        people = [User(email=f"personne{n}@example.org", display_name=f"Habitante de L'Isle-Jourdain {n}",
                       password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW)
                  for n in range(3)]
        db.session.add(TerritoryRole(user=people[0], territory=territory, role=Role.COORDINATOR))
        proposals = [Proposal(call=call, author=people[1], title=title, description="Pour les habitants sans voiture.",
                              axis=call.axes[0], state=state, submitted_at=NOW,
                              published_at=NOW if state is ProposalState.PUBLISHED else None,
                              search_text=similarity.search_document(title))
                     for title, state in (("Un bus vers l'hôpital de Moissac", ProposalState.PUBLISHED),
                                          ("Des bus vers les hôpitaux de Moissac", ProposalState.PENDING))]
        db.session.add_all([territory, call, *people, *proposals])
        db.session.flush()
        db.session.add_all(Support(proposal_id=proposals[0].id, user_id=person.id) for person in people[1:])
        db.session.commit()
        ids = [p.id for p in proposals]
        db.session.remove()
    with serving(app) as port:
        yield app, port, ids


def test_simultaneous_merge_clicks_merge_once(served_merge):
    app, port, (kept, duplicate) = served_merge
    cookie = _log_in(port, "personne0@example.org")
    start = threading.Barrier(CLICKS)

    def click(_n):
        start.wait(timeout=30)
        return _request(port, "POST", f"/t/{SLUG}/manage/proposals/{duplicate}/merge", cookie,
                        body=urllib.parse.urlencode({"merge-target_id": str(kept)}))

    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        results = list(pool.map(click, range(CLICKS)))

    assert [status for status, _headers, _body in results] == [302] * CLICKS
    with app.app_context():
        stored = db.session.get(Proposal, duplicate)
        assert (stored.state, stored.answer_status, stored.merged_into_id) == (
            ProposalState.PUBLISHED, AnswerStatus.MERGED, kept)
        assert events(stored) == [ModerationAction.PUBLISHED, ModerationAction.MERGED]
        assert db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == kept)) == 2
        assert [mail.to for mail in mail_outbox()] == ["personne1@example.org"]
        db.session.remove()
