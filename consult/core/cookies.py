"""What every request pays for its cookies, paid once where it can be: the session cookie's signing serializer is
built once per secret key (Flask builds one to read the cookie and another to write it, each serialising `{}` to
learn that its serializer gives text), and a POST whose CSRF token was just checked gives that same token to the
forms it builds instead of signing a new one (Flask-WTF signs one per request as soon as a form is built, even
for a button that only redirects).

Nothing is weakened: the cookie is signed and checked with the same keys, salt and digest; the CSRF token handed
on is the one CSRFProtect has just verified for this session, and tokens never expire here (WTF_CSRF_TIME_LIMIT is
None), so it is as good as a new one; with a time limit set, a new one is signed as before.

The session cookie itself is read and written by `SessionCookies`: the very bytes Flask's serializer
(itsdangerous' URLSafeTimedSerializer over Flask's tagged JSON) reads and writes — same key derivation (HMAC of the
salt under each secret key), same HMAC-SHA1 signature over the same payload and timestamp, same compression rule,
same age limit, every fallback key accepted — in a few calls instead of ~650 a request that changes its session
(`want_bytes`, `hmac.new` objects for the key derived again at each signature, eight tag checks per value).
"""
from __future__ import annotations

import hmac
import time
import zlib
from typing import Any

from flask import Flask, Request, Response, current_app, g, request
from flask.json.tag import PassDict, PassList, TagBytes, TagDateTime, TagDict, TagMarkup, TagTuple, TagUUID
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, session_json_serializer
from itsdangerous.encoding import base64_decode, base64_encode, bytes_to_int, int_to_bytes, want_bytes

FLASK_TAGS = [TagDict, PassDict, TagTuple, PassList, TagBytes, TagMarkup, TagUUID, TagDateTime]  # in Flask's order
PLAIN = (str, int, float, bool, type(None))


class SessionCookies:
    """Signs and reads session cookies exactly as `SecureCookieSessionInterface.get_signing_serializer` does with
    `keys` (oldest first, the current key last), Flask's `salt` and `serializer` (see the module)."""

    def __init__(self, keys: list, salt: str, serializer, digest: str = "sha1") -> None:
        salt_bytes = want_bytes(salt)
        # itsdangerous' "hmac" key derivation: HMAC(secret key, salt); the current key first, as it tries them.
        self.keys = [hmac.digest(want_bytes(key), salt_bytes, digest) for key in reversed(keys)]
        self.digest = digest
        self.serializer = serializer
        self.plain_tags = serializer is session_json_serializer and [type(tag) for tag in serializer.order] == FLASK_TAGS

    def _tag(self, value: Any) -> Any:
        """`serializer.tag(value)` for Flask's own tags, without trying each tag on each plain value."""
        kind = type(value)
        if kind in PLAIN:
            return value
        if kind is list:
            return [self._tag(item) for item in value]
        if kind is tuple:
            return {" t": [self._tag(item) for item in value]}
        if kind is dict and not (len(value) == 1 and next(iter(value)) in self.serializer.tags):
            return {key: self._tag(item) for key, item in value.items()}
        return self.serializer.tag(value)  # a tagged dict, bytes, Markup, UUID, datetime, a subclass…

    def dumps(self, data: dict, now: int | None = None) -> str:
        tagged = self._tag(data) if self.plain_tags else self.serializer.tag(data)
        payload = current_app.json.dumps(tagged, separators=(",", ":")).encode("utf-8")
        compressed = zlib.compress(payload)
        payload = b"." + base64_encode(compressed) if len(compressed) < len(payload) - 1 else base64_encode(payload)
        value = payload + b"." + base64_encode(int_to_bytes(int(time.time()) if now is None else now))
        return (value + b"." + base64_encode(hmac.digest(self.keys[0], value, self.digest))).decode("ascii")

    def loads(self, cookie: str, max_age: int, now: int | None = None) -> dict | None:
        """The session data, or None when the signature, the timestamp or the age is wrong (an empty session)."""
        try:
            value, _dot, signature = want_bytes(cookie).rpartition(b".")
            signature = base64_decode(signature)
        except Exception:  # noqa: BLE001 (not valid text or base64: not a cookie of ours, as itsdangerous says)
            return None
        if not _dot or not any(hmac.compare_digest(signature, hmac.digest(key, value, self.digest))
                               for key in self.keys):
            return None
        payload, _dot, stamp = value.rpartition(b".")
        try:
            signed_at = bytes_to_int(base64_decode(stamp))
        except Exception:  # noqa: BLE001
            return None
        age = (int(time.time()) if now is None else now) - signed_at
        if not _dot or age > max_age or age < 0:
            return None
        try:  # signed by this site: only a leaked key could make it unreadable; then an empty session too
            if payload.startswith(b"."):
                text = zlib.decompress(base64_decode(payload[1:]))
            else:
                text = base64_decode(payload)
            return self.serializer.loads(text.decode("utf-8"))
        except Exception:  # noqa: BLE001
            return None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its signing kept for as long as the secret keys stay the same, and done by
    `SessionCookies`."""

    _cookies: tuple[tuple, SessionCookies] | None = None

    def session_cookies(self, app: Flask) -> SessionCookies | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._cookies
        if kept is None or kept[0] != keys:
            if not app.secret_key:
                return None
            # One assignment: safe across threads.
            kept = self._cookies = (keys, SessionCookies([*keys[1], keys[0]], self.salt, self.serializer))
        return kept[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookies = self.session_cookies(app)
        if cookies is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        data = cookies.loads(value, int(app.permanent_session_lifetime.total_seconds()))
        return self.session_class(data) if data is not None else self.session_class()

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        """Flask's `save_session`, the cookie signed by `SessionCookies`."""
        if not session:
            if session.modified or session.accessed:
                super().save_session(app, session, response)  # deleted (or only read): Flask's own way
            return
        if session.accessed:
            _vary_on_cookie(response)
        if not self.should_set_cookie(app, session):
            return
        response.set_cookie(
            self.get_cookie_name(app), self.session_cookies(app).dumps(dict(session)),
            expires=self.get_expiration_time(app, session), httponly=self.get_cookie_httponly(app),
            domain=self.get_cookie_domain(app), path=self.get_cookie_path(app), secure=self.get_cookie_secure(app),
            partitioned=self.get_cookie_partitioned(app), samesite=self.get_cookie_samesite(app))
        _vary_on_cookie(response)


def _vary_on_cookie(response: Response) -> None:
    """`response.vary.add("Cookie")` without parsing the header into a set when there is none yet (nor looking for it
    with `in`, which raises and catches an HTTP exception when the name is missing)."""
    if any(name.lower() == "vary" for name, _value in response.headers):
        response.vary.add("Cookie")
    else:
        response.headers.add("Vary", "Cookie")


def reuse_checked_csrf_token() -> None:
    """After CSRFProtect accepted this request's token (it runs first), let the forms of the request use it."""
    if not g.get("csrf_valid") or current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return
    name = current_app.config["WTF_CSRF_FIELD_NAME"]
    token = request.form.get(name)  # what CSRFProtect read first; a token sent otherwise is simply not reused
    if token and name not in g:
        setattr(g, name, token)  # where flask_wtf.csrf.generate_csrf keeps this request's token


def init_cookies(app: Flask) -> None:
    """Install the session interface and the CSRF token's reuse (after `csrf.init_app`, whose check runs first)."""
    app.session_interface = SessionInterface()
    app.before_request(reuse_checked_csrf_token)
