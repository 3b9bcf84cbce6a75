"""What each request pays for its cookies, made cheaper (consult/core/cookies.py, the login's fingerprint) without
changing what they protect: the session cookie follows the secret keys, a form shown again after a POST carries the
token that was just checked (and it works again), and Flask-Login's browser fingerprint is worked out only when its own
session protection is on."""
from __future__ import annotations

import re

import itsdangerous.timed

from consult.accounts.models import User
from consult.accounts.services import hash_password
from consult.extensions import db

from tests.conftest import NOW, PASSWORD

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _session_of(app, client) -> dict:
    cookie = client.get_cookie("session")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def test_login_cookie_carries_no_browser_fingerprint_while_flask_login_protection_is_off(app, client, login,
                                                                                         participant):
    client.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    login(participant)

    session = _session_of(app, client)
    assert session["_user_id"]  # the server-side session's key
    assert session["_id"] is None  # no SHA-512 of the address and browser (128 characters in every request)
    assert client.get("/account/profile").status_code == 200  # still logged in


def test_browser_fingerprint_is_checked_when_flask_login_protection_is_turned_on(app, client, login, participant,
                                                                               monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_PROTECTION", "strong")
    client.environ_base["HTTP_USER_AGENT"] = "Firefox"
    login(participant)
    assert len(_session_of(app, client)["_id"]) == 128
    assert client.get("/account/profile").status_code == 200

    client.environ_base["HTTP_USER_AGENT"] = "Another browser"  # the cookie copied elsewhere

    assert client.get("/account/profile").status_code == 302  # sent to the login page


def test_session_cookie_follows_the_secret_keys(app, client, login, participant, monkeypatch):
    """The session's serializer is kept per process, but never past a change of keys: a cookie signed with a key
    moved to SECRET_KEY_FALLBACKS is still read, and refused once that key is dropped."""
    login(participant)
    assert client.get("/account/profile").status_code == 200  # the welcome message shown: the cookie stays as is
    old = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-secret-key-for-this-test")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old])
    assert client.get("/account/profile").status_code == 200

    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])

    assert client.get("/account/profile").status_code == 302


def test_form_shown_again_after_a_post_carries_the_token_just_checked(csrf_app, monkeypatch):
    user = User(email="habitante.montech@example.org", display_name="Habitante de Montech",
                password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW)
    db.session.add(user)
    db.session.commit()
    client = csrf_app.test_client()
    with monkeypatch.context() as frozen:  # the page's token signed at another second than the POST's answer
        earlier = itsdangerous.timed.time.time() - 5
        frozen.setattr(itsdangerous.timed.time, "time", lambda: earlier)
        token = TOKEN.search(client.get("/account/login").get_data(as_text=True)).group(1)

    wrong = client.post("/account/login", data={"email": user.email, "password": "not the password",
                                                "csrf_token": token})

    assert wrong.status_code == 200
    shown = TOKEN.search(wrong.get_data(as_text=True)).group(1)
    assert shown == token  # handed on, not signed again
    right = client.post("/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": shown})
    assert right.status_code == 302


# --- the session cookie, signed and read in a few calls: the very cookies of Flask's serializer -------------------

def _contents():
    import datetime as dt
    import uuid

    from markupsafe import Markup

    return [
        {"_fresh": True, "_id": None, "_user_id": "QgPVgFXOOac-CBodmvhAAgjqKHReWAwcXalGjtRMkdE", "csrf_token": "63" * 20},
        {"_flashes": [("success", "Votre soutien est enregistré.")], "csrf_token": "ab" * 20, "survey_falc": False},
        {"n": 3, "x": 1.5, "l": [1, [2, ("a", "b")]], "d": {" t": "not a tuple"}, "e": {"a": {"b": None}}},
        {"m": Markup("<b>gras</b>"), "b": b"\x00\xff", "u": uuid.UUID(int=7), "w": dt.datetime(2026, 12, 5, 1, 2, 3,
                                                                                            tzinfo=dt.timezone.utc)},
        {"long": "é" * 500},  # compressed
    ]


def test_session_cookies_are_byte_for_byte_those_of_flasks_serializer(app, monkeypatch):
    monkeypatch.setattr("time.time", lambda: 1_796_000_000.25)
    interface = app.session_interface
    theirs, ours = interface.get_signing_serializer(app), interface.session_cookies(app)
    max_age = int(app.permanent_session_lifetime.total_seconds())
    for data in _contents():
        cookie = ours.dumps(data)
        assert cookie == theirs.dumps(data)
        assert ours.loads(cookie, max_age) == theirs.loads(cookie, max_age=max_age) == data
    assert ours.dumps(_contents()[-1]).startswith(".")


def test_session_cookies_refuse_what_flasks_serializer_refuses(app, monkeypatch):
    from flask.sessions import SecureCookieSessionInterface

    import consult.core.cookies as cookies

    interface = app.session_interface
    monkeypatch.setattr("time.time", lambda: 1_796_000_000.0)
    ours = interface.session_cookies(app)
    max_age = int(app.permanent_session_lifetime.total_seconds())
    good = ours.dumps({"_user_id": "clé", "csrf_token": "x"})
    payload, stamp, signature = good.split(".")
    other = cookies.SessionCookies(["another-secret"], SecureCookieSessionInterface.salt, interface.serializer)
    for forged in (f"{payload}A.{stamp}.{signature}", f"{payload}.{stamp}.{signature[:-2]}AA", f"{payload}.{stamp}",
                   other.dumps({"_user_id": "clé"}), f"{payload}.{stamp}.{signature}.x", "", "....", "é.é.é"):
        assert ours.loads(forged, max_age) is None, forged
    assert ours.loads(good, max_age) == {"_user_id": "clé", "csrf_token": "x"}
    assert ours.loads(good, max_age, now=1_796_000_000 + max_age + 1) is None  # too old
    assert ours.loads(good, max_age, now=1_796_000_000 - 1) is None  # signed in the future


def test_session_cookie_signed_with_a_fallback_key_is_read_and_written_with_the_current_one(app, monkeypatch):
    interface = app.session_interface
    max_age = int(app.permanent_session_lifetime.total_seconds())
    old = interface.session_cookies(app).dumps({"_user_id": "clé"})
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [app.config["SECRET_KEY"]])
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-secret-key-for-this-test")
    monkeypatch.setattr(app, "secret_key", "a-new-secret-key-for-this-test")

    ours, theirs = interface.session_cookies(app), interface.get_signing_serializer(app)
    assert ours.loads(old, max_age) == {"_user_id": "clé"}
    assert theirs.loads(ours.dumps({"a": 1}), max_age=max_age) == {"a": 1}
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert interface.session_cookies(app).loads(old, max_age) is None
