"""Simultaneous registrations against a really served app: the capacity holds, nobody is registered twice."""
from __future__ import annotations

import collections
import http.client
import http.cookiejar
import os
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from consult.accounts.models import Category, User
from consult.accounts.services import hash_password
from consult.extensions import db
from consult.groups.models import Meeting, MeetingKind, Registration
from consult.territories.models import Territory
from tests.conftest import NOW, PASSWORD, served_database_app, serving
from tests.groups.meeting_factories import SLUG, soon

USING_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
THREADS = 20


@pytest.fixture(params=["postgresql" if USING_POSTGRES else "sqlite-file"])
def served(request, tmp_path):
    """The app served on 127.0.0.1 with an event of 5 places and 20 confirmed accounts."""
    app = served_database_app(tmp_path)
    with app.app_context():
        territory = Territory(slug=SLUG, name="Terres des Confluences")
        meeting = Meeting(territory=territory, kind=MeetingKind.FORUM, title="Forum Santé des Confluences",
                          starts_at=soon(), duration_minutes=180, place="Halle de Saint-Nicolas-de-la-Grave",
                          capacity=5, registered_count=0)
        password = hash_password(PASSWORD)
        people = [User(email=f"habitant{n}@example.org", display_name=f"Habitant·e n° {n} de L'Isle-Jourdain",
                       password_hash=password, privacy_consent_at=NOW, email_confirmed_at=NOW,
                       category=Category.RESIDENT) for n in range(THREADS)]
        db.session.add_all([meeting, *people])
        db.session.commit()
        meeting_id, emails = meeting.id, [p.email for p in people]
        db.session.remove()
    with serving(app) as port:
        yield app, port, meeting_id, emails


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _cookie_for(port: int, email: str) -> str:
    """Log in through the form; the session cookie of that browser."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    try:
        opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/account/login", data=body), timeout=60)
    except urllib.error.HTTPError as error:  # the 302 after logging in arrives here
        assert error.code == 302, error.code
        error.close()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _register(port: int, path: str, cookie: str, start: threading.Barrier) -> tuple[int, str]:
    start.wait(timeout=30)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body="", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _stored(app, meeting_id: int) -> tuple[int, int, int]:
    with app.app_context():
        count = db.session.scalar(select(Meeting.registered_count).where(Meeting.id == meeting_id))
        active = db.session.scalar(select(func.count(Registration.id)).where(
            Registration.meeting_id == meeting_id, Registration.cancelled_at.is_(None)))
        distinct = db.session.scalar(select(func.count(func.distinct(Registration.user_id))).where(
            Registration.meeting_id == meeting_id))
        db.session.remove()
    return count, active, distinct


def test_twenty_simultaneous_registrations_fill_exactly_the_capacity(served):
    app, port, meeting_id, emails = served
    cookies = [_cookie_for(port, email) for email in emails]
    start = threading.Barrier(THREADS)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(lambda c: _register(port, f"/t/{SLUG}/meetings/{meeting_id}/register", c, start),
                                cookies))

    statuses = collections.Counter(status for status, _ in results)
    assert statuses == {302: 5, 409: THREADS - 5}, statuses
    assert all("Traceback" not in body for _, body in results)
    assert _stored(app, meeting_id) == (5, 5, 5)


def test_twenty_simultaneous_clicks_of_one_person_register_once(served):
    app, port, meeting_id, emails = served
    cookie = _cookie_for(port, emails[0])
    start = threading.Barrier(THREADS)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(lambda _: _register(port, f"/t/{SLUG}/meetings/{meeting_id}/register", cookie, start),
                                range(THREADS)))

    statuses = collections.Counter(status for status, _ in results)
    assert statuses == {302: 1, 409: THREADS - 1}, statuses
    assert _stored(app, meeting_id) == (1, 1, 1)
