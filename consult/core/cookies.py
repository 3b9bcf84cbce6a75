"""What every request pays for its cookies, paid once where it can be: the session cookie's signing serializer is
built once per secret key (Flask builds one to read the cookie and another to write it, each serialising `{}` to
learn that its serializer gives text), and a POST whose CSRF token was just checked gives that same token to the
forms it builds instead of signing a new one (Flask-WTF signs one per request as soon as a form is built, even
for a button that only redirects).

Nothing is weakened: the cookie is signed and checked with the same keys, salt and digest; the CSRF token handed
on is the one CSRFProtect has just verified for this session, and tokens never expire here (WTF_CSRF_TIME_LIMIT is
None), so it is as good as a new one; with a time limit set, a new one is signed as before.
"""
from __future__ import annotations

from flask import Flask, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its serializer kept for as long as the secret keys stay the same."""

    _kept: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app))  # one assignment: safe across threads
        return kept[1]


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
