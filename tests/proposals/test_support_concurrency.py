"""Double clicks, replays and simultaneous requests against a really served app: supports are never
counted twice and the call's limit holds."""
from __future__ import annotations

import collections
import http.client
import os
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.accounts.services import hash_password
from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import Proposal, ProposalState, Support
from tests.conftest import NOW, PASSWORD, served_database_app, serving
from tests.proposals.conftest import SLUG, served_call

USING_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
REQUESTS = 20


@pytest.fixture(params=["postgresql" if USING_POSTGRES else "sqlite-file"])
def served(request, tmp_path):
    """A served app with a call (limit 3), ten published proposals and twenty residents."""
    app = served_database_app(tmp_path)
    with app.app_context():
        call = served_call(support_limit=3)
        territory = call.territory
        people = [User(email=f"habitant{n}@example.org", display_name=f"Habitant·e n° {n}",
                       password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW)
                  for n in range(REQUESTS)]
        titles = [f"Navette santé n° {n} vers Moissac" for n in range(10)]
        proposals = [Proposal(call=call, author=people[0], title=t, description="Pour les habitants sans voiture.",
                              axis=call.axes[0], state=ProposalState.PUBLISHED, published_at=NOW,
                              search_text=similarity.search_document(t)) for t in titles]
        db.session.add_all([territory, call, *people, *proposals])
        db.session.commit()
        ids = [p.id for p in proposals]
        emails = [u.email for u in people]
        db.session.remove()
    with serving(app) as port:
        yield app, port, ids, emails


def _request(port: int, method: str, path: str, cookie: str = "", body: str = "") -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                        "Cookie": cookie})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _log_in(port: int, email: str) -> str:
    status, headers, _ = _request(port, "POST", "/account/login",
                                  body=urllib.parse.urlencode({"email": email, "password": PASSWORD}))
    assert status == 302, status
    return "; ".join(part.split(";")[0] for key, part in headers.items() if key.lower() == "set-cookie")


def _support_all_at_once(port: int, jobs: list[tuple[str, int]]) -> list[tuple[int, str]]:
    start = threading.Barrier(len(jobs))

    def one(job):
        cookie, proposal_id = job
        start.wait(timeout=30)
        status, _, body = _request(port, "POST", f"/t/{SLUG}/proposals/{proposal_id}/support", cookie)
        return status, body

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))


def _stored(app) -> dict[int, int]:
    with app.app_context():
        rows = db.session.execute(select(Support.proposal_id, func.count(Support.id)).group_by(Support.proposal_id))
        counts = dict(rows.all())
        db.session.remove()
    return counts


def test_twenty_simultaneous_clicks_store_one_support(served):
    app, port, ids, emails = served
    cookie = _log_in(port, emails[1])

    results = _support_all_at_once(port, [(cookie, ids[0])] * REQUESTS)

    assert collections.Counter(status for status, _ in results) == {302: REQUESTS}
    assert all("Traceback" not in body for _, body in results)
    assert _stored(app) == {ids[0]: 1}


def test_simultaneous_supports_of_one_person_never_exceed_the_limit(served):
    app, port, ids, emails = served
    cookie = _log_in(port, emails[2])

    results = _support_all_at_once(port, [(cookie, ids[n % len(ids)]) for n in range(REQUESTS)])

    assert all(status == 302 for status, _ in results)
    counts = _stored(app)
    assert sum(counts.values()) == 3
    assert set(counts.values()) == {1}


def test_twenty_people_supporting_at_once_are_all_counted_once(served):
    app, port, ids, emails = served
    cookies = [_log_in(port, email) for email in emails]

    _support_all_at_once(port, [(cookie, ids[5]) for cookie in cookies])
    _support_all_at_once(port, [(cookie, ids[5]) for cookie in cookies])  # and everyone replays it

    assert _stored(app) == {ids[5]: REQUESTS}
    status, _, page = _request(port, "GET", f"/t/{SLUG}/proposals/{ids[5]}/")
    assert status == 200 and f"<strong>{REQUESTS}</strong>" in page
