"""Registering and asking for a new password send an email; how many anyone can have sent is limited per email (nobody
floods someone's inbox) and per address (IP), over a sliding window, with a clear message in the form, what was typed
kept."""
from __future__ import annotations

import datetime as dt
import http.client
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from consult.accounts import services
from consult.accounts.models import User
from consult.core.mail import outbox
from consult.core.ratelimit import RateLimitEvent
from consult.extensions import db
from tests.accounts.conftest import Clock
from tests.conftest import PASSWORD, served_database_app, serving

WORKSHOP_WIFI = "203.0.113.7"
EMAIL_LIMIT = "We have already sent several messages to this address."
ADDRESS_LIMIT = "Too many requests from this internet connection."


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(dt.datetime(2026, 11, 27, 18, 0, 0))
    monkeypatch.setattr(services, "utcnow", clock)
    return clock


@pytest.fixture
def english(client):
    """The test client, reading English."""
    client.set_cookie("consult_lang", "en")
    return client


def register(client, email: str, *, name: str = "Zoé L'Hermitte", address: str = WORKSHOP_WIFI):
    return client.post("/account/register", environ_base={"REMOTE_ADDR": address}, data={
        "display_name": name, "email": email, "password": PASSWORD, "password_confirm": PASSWORD, "consent": "y"})


def ask_reset(client, email: str, *, address: str = WORKSHOP_WIFI):
    return client.post("/account/reset", data={"email": email}, environ_base={"REMOTE_ADDR": address})


def events(purpose: str) -> list[str]:
    return list(db.session.scalars(select(RateLimitEvent.key).where(RateLimitEvent.key.like(f"{purpose}-mail:%"))))


def test_fifteen_registrations_with_one_email_in_ten_seconds_send_three_emails(english, smtp, make_user, clock):
    owner = make_user("zoe.lhermitte@example.org", display_name="Zoé")
    answers = []
    for _ in range(15):
        clock.now += dt.timedelta(milliseconds=600)
        answers.append(register(english, "Zoe.LHermitte@example.org"))
    assert [response.status_code for response in answers] == [302] * 3 + [429] * 12
    assert [message["To"] for message in smtp.messages] == [owner.email] * 3
    page = answers[-1].get_data(as_text=True)
    # Next to the email field, saying how long to wait; what was typed is still there.
    assert 'id="email-error"' in page and EMAIL_LIMIT in page and "try again in 60 minutes" in page
    assert 'value="Zoé L&#39;Hermitte"' in page and 'value="Zoe.LHermitte@example.org"' in page
    assert db.session.scalar(select(func.count(User.id))) == 1
    keys = events("register")
    assert len(keys) == 6 and not any("zoe" in key or WORKSHOP_WIFI in key for key in keys)  # 3 per email, 3 per IP

    # Someone else on the same connection can still register; Zoé's address again once the first email is an hour old.
    assert register(english, "mehdi.benali@example.org", name="Mehdi").status_code == 302
    clock.now = dt.datetime(2026, 11, 27, 19, 0, 0)
    assert register(english, "zoe.lhermitte@example.org").status_code == 429
    clock.now += dt.timedelta(seconds=1)
    assert register(english, "zoe.lhermitte@example.org").status_code == 302
    assert len(smtp.messages) == 5


def test_registrations_from_one_connection_pause_at_its_limit(app, english, smtp, clock):
    app.config["REGISTER_ADDRESS_LIMIT"] = "4/hour"
    answers = []
    for n in range(5):
        clock.now += dt.timedelta(minutes=5)
        answers.append(register(english, f"habitant{n}@example.org", name=f"Habitant {n}"))
    assert [response.status_code for response in answers] == [302] * 4 + [429]
    page = answers[-1].get_data(as_text=True)
    # About the connection, not the email: in the summary at the top, not next to the field.
    assert 'class="error-summary"' in page and ADDRESS_LIMIT in page and "try again in 40 minutes" in page
    assert 'id="email-error"' not in page and 'value="habitant4@example.org"' in page
    assert db.session.scalar(select(func.count(User.id))) == 4 and len(smtp.messages) == 4
    # Another connection (the next table of the workshop) is not paused.
    assert register(english, "habitant4@example.org", address="192.0.2.80").status_code == 302


def test_reset_requests_are_limited_alike_for_a_known_and_an_unknown_email(english, smtp, make_user, clock):
    known = make_user("oublieuse@example.org")
    answers = {"known": [], "unknown": []}
    for _ in range(5):
        for kind, email in (("known", known.email), ("unknown", "personne@example.org")):
            answers[kind].append(ask_reset(english, email).status_code)
    assert answers["known"] == answers["unknown"] == [302] * 3 + [429] * 2
    assert sorted(message["To"] for message in smtp.messages) == [known.email] * 3 + ["personne@example.org"] * 3
    refused = ask_reset(english, "personne@example.org").get_data(as_text=True)
    assert 'id="email-error"' in refused and EMAIL_LIMIT in refused and 'value="personne@example.org"' in refused
    assert len(events("reset")) == 12  # 6 emails sent, each counted per email and per address


def test_reset_requests_from_one_connection_pause_at_its_limit(app, english, smtp, make_user, clock):
    app.config["RESET_ADDRESS_LIMIT"] = "3/hour"
    statuses = [ask_reset(english, f"inconnu{n}@example.org").status_code for n in range(4)]
    assert statuses == [302] * 3 + [429]
    page = ask_reset(english, "inconnu9@example.org").get_data(as_text=True)
    assert ADDRESS_LIMIT in page and 'id="email-error"' not in page
    assert len(smtp.messages) == 3
    assert ask_reset(english, "inconnu9@example.org", address="192.0.2.80").status_code == 302


def _post_registration(port: int, email: str, start: threading.Barrier) -> int:
    body = urllib.parse.urlencode({"display_name": "Zoé", "email": email, "password": PASSWORD,
                                   "password_confirm": PASSWORD, "consent": "y"})
    start.wait(timeout=30)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/account/register", body=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_fifteen_simultaneous_registrations_with_one_email_send_three_emails(tmp_path):
    app = served_database_app(tmp_path)
    email = "zoe.lhermitte@example.org"
    start = threading.Barrier(15)
    with serving(app) as port, ThreadPoolExecutor(max_workers=15) as pool:
        statuses = sorted(pool.map(lambda _: _post_registration(port, email, start), range(15)))
        with app.app_context():
            # Exactly the limit, none lost or doubled by a race: one account, its link and two notices to its owner.
            assert statuses == [302] * 3 + [429] * 12
            assert [mail.to for mail in outbox()] == [email] * 3
            assert db.session.scalar(select(func.count(User.id))) == 1
            db.session.remove()
