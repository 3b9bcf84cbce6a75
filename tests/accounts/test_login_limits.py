"""Login limits that fit a workshop: only failures count, per account and per address, over a sliding window; a
locked account is unlocked by its owner through an emailed link."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from consult.accounts import signin
from consult.accounts.models import LoginSession
from consult.core.ratelimit import RateLimitEvent
from consult.extensions import db
from tests.accounts.conftest import Clock, link_in
from tests.conftest import PASSWORD, fresh, shared_app

WORKSHOP_WIFI = "203.0.113.7"
WRONG = "Wrong email or password."
LOCKED = "This account is locked after too many wrong passwords."
ADDRESS = "Too many failed logins from this internet connection."


@pytest.fixture
def app(smtp):
    """CSRF on, as in production, and mail through the loopback SMTP server."""
    with fresh(shared_app(WTF_CSRF_ENABLED=True, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                          MAIL_PORT=smtp.port)) as app:
        yield app


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(dt.datetime(2026, 11, 27, 14, 0, 0))
    monkeypatch.setattr(signin, "utcnow", clock)
    return clock


def browser(app):
    """A browser of its own (its own session and CSRF token), reading English."""
    client = app.test_client()
    client.set_cookie("consult_lang", "en")
    return client


def log_in(client, email: str, password: str, *, address: str = WORKSHOP_WIFI):
    """The login form as a browser sends it: read its CSRF token, then post it from `address`."""
    page = client.get("/account/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/account/login", data={"csrf_token": token, "email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def answer(response) -> str:
    """What the person was told: logged in, wrong password, account locked, or connection paused."""
    if response.status_code == 302:
        return "in"
    page = response.get_data(as_text=True)
    for kind, words in (("wrong", WRONG), ("locked", LOCKED), ("address", ADDRESS)):
        if words in page:
            return kind
    raise AssertionError(page)


def failures() -> int:
    return db.session.scalar(select(func.count()).select_from(RateLimitEvent)
                             .where(RateLimitEvent.key.like("login-fail:account:%")))


def test_forty_people_on_one_wifi_all_log_in_within_a_minute(app, make_user, clock):
    people = [make_user(f"habitant{n}@example.org") for n in range(40)]
    answers = []
    for n, person in enumerate(people):
        person_browser = browser(app)
        clock.now += dt.timedelta(seconds=1)
        if n % 4 == 0:  # one in four mistypes first
            assert answer(log_in(person_browser, person.email, "mot de passe mal tapé")) == "wrong"
        answers.append(answer(log_in(person_browser, person.email, PASSWORD)))
        assert person_browser.get("/account/profile").status_code == 200
    assert answers == ["in"] * 40
    assert db.session.scalar(select(func.count(LoginSession.id))) == 40
    assert failures() == 10  # the mistakes only: a success is never counted


def press_unlock(client, link: str):
    """Open the emailed link, then press its button (a POST with the page's CSRF token)."""
    page = client.get(link).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(link, data={"csrf_token": token})


def test_thirty_wrong_passwords_lock_the_account_and_its_owner_unlocks_it_once(app, make_user, clock, smtp):
    owner = make_user("victime@example.org")
    attacker = browser(app)
    answers = []
    for n in range(30):
        clock.now += dt.timedelta(seconds=2)
        answers.append(answer(log_in(attacker, owner.email, f"essai-{n}", address=f"198.51.100.{n}")))
    assert answers == ["wrong"] * 9 + ["locked"] * 21
    assert failures() == 10  # refused attempts are not even checked
    page = log_in(browser(app), owner.email, PASSWORD)
    assert answer(page) == "locked" and page.status_code == 429
    # The lock message is a form-level error in the summary, not on the password field.
    assert 'id="password-error"' not in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LoginSession.id))) == 0

    [mail] = smtp.messages  # one email for thirty attempts
    assert mail["To"] == owner.email
    link = link_in(mail, "/account/unlock/")
    owner_browser = browser(app)
    scanned = owner_browser.get(link)  # a mail scanner following the link unlocks nothing
    assert "Unlock my account" in scanned.get_data(as_text=True) and failures() > 0
    unlocked = press_unlock(owner_browser, link)
    assert unlocked.headers["Location"].endswith("/account/login")
    assert "Your account is unlocked." in owner_browser.get("/account/login").get_data(as_text=True)
    assert failures() == 0
    assert answer(log_in(owner_browser, owner.email, PASSWORD)) == "in"

    again = browser(app)
    press_unlock(again, link)
    assert "This unlock link was already used" in again.get("/account/login").get_data(as_text=True)


def test_an_unknown_email_gets_the_same_answers_and_one_email_without_a_link(app, make_user, clock, smtp):
    make_user("quelquun@example.org")
    attacker = browser(app)
    answers = [answer(log_in(attacker, "personne@example.org", f"essai-{n}")) for n in range(12)]
    assert answers == ["wrong"] * 9 + ["locked"] * 3
    # The attempt that locks sends one email, as for an account (so it takes as long): a notice, no unlock link.
    [mail] = smtp.messages
    assert mail["To"] == "personne@example.org" and mail["Subject"] == "No account uses this address"
    assert "/account/unlock/" not in mail.get_content() and "/account/register" in mail.get_content()
    assert not db.session.scalars(select(RateLimitEvent.key).where(RateLimitEvent.key.contains("personne"))).all()


def test_failures_on_both_sides_of_a_minute_count_together_and_slide_out(app, make_user, clock):
    owner = make_user("glissant@example.org")
    client = browser(app)
    clock.now = dt.datetime(2026, 11, 27, 14, 0, 55)
    answers = []
    for _ in range(10):  # 14:00:55 … 14:01:04: a fixed one-minute window would see two halves of five
        answers.append(answer(log_in(client, owner.email, "pas le bon")))
        clock.now += dt.timedelta(seconds=1)
    assert answers == ["wrong"] * 9 + ["locked"]
    clock.now = dt.datetime(2026, 11, 27, 14, 15, 54)  # less than 15 minutes since the first failure: locked
    assert answer(log_in(client, owner.email, PASSWORD)) == "locked"
    clock.now += dt.timedelta(seconds=2)  # the first failure has slid out of the window
    assert answer(log_in(client, owner.email, PASSWORD)) == "in"


def test_one_address_failing_on_many_accounts_is_paused_at_the_cap(app, make_user, clock):
    app.config["LOGIN_ADDRESS_FAILURES"] = "12/15 minutes"
    people = [make_user(f"cible{n}@example.org") for n in range(15)]
    attacker = browser(app)
    answers = [answer(log_in(attacker, person.email, "123456")) for person in people]
    assert answers == ["wrong"] * 12 + ["address"] * 3
    paused = log_in(attacker, people[0].email, PASSWORD)
    assert answer(paused) == "address" and paused.status_code == 429
    page = paused.get_data(as_text=True)
    assert 'class="error-summary"' in page and "wait 15 minutes" in page and 'id="password-error"' not in page
    # Another address (the next table of the workshop, on another connection) is not affected.
    assert answer(log_in(browser(app), people[1].email, PASSWORD, address="192.0.2.80")) == "in"
    keys = db.session.scalars(select(RateLimitEvent.key).where(RateLimitEvent.key.like("login-fail:address:%"))).all()
    assert len(keys) == 12 and WORKSHOP_WIFI not in keys[0]


def test_a_password_reset_unlocks_the_account(app, make_user, clock, smtp):
    owner = make_user("oublieuse@example.org")
    client = browser(app)
    for n in range(10):
        log_in(client, owner.email, f"essai-{n}")
    assert failures() == 10
    page = client.get("/account/reset").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/account/reset", data={"csrf_token": token, "email": owner.email})
    reset = link_in(smtp.messages[-1], "/account/reset/")
    page = client.get(reset).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    new = "une nouvelle phrase de passe"
    client.post(reset, data={"csrf_token": token, "password": new, "password_confirm": new})
    assert failures() == 0
    assert answer(log_in(client, owner.email, new)) == "in"
