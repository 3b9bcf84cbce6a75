"""Logging in: a password checked under the failed-login limits (per account and per address, sliding windows),
and the emailed link that unlocks a locked account. Flush, never commit."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from consult.accounts import tokens
from consult.accounts.models import User
from consult.accounts.services import (
    ADDRESS_FAILURES,
    EMAIL_FAILURES,
    account_failures_key,
    find_user_by_email,
    forget_failures,
    normalise_email,
    unlock_mail_key,
)
from consult.core import ratelimit
from consult.core.models import utcnow
from consult.errors import Conflict, InvalidInput, RateLimited
from consult.extensions import db

UNKNOWN_LOCK_MAIL = "login-lock-mail:email"  # key of the notices sent to emails without an account, per email

# Compared against when the email is unknown, so a login takes as long either way: one per hash method, made once.
_DUMMY_HASHES: dict[str, str] = {}


@dataclass(frozen=True)
class LockNotice:
    """The email that the attempt locking an email sends to it: to an account's owner, the unlock link's token; to
    an address without an open account, a notice that none uses it (so that the attempt takes as long)."""

    email: str
    user: User | None = None
    token: str | None = None


class AccountLocked(RateLimited):
    """Too many failed logins on one account: refused even with the right password until it is unlocked.

    `notice` is set on the attempt that locked the email (once per window), known or not: what to email to it.
    """

    def __init__(self, message: str, *, notice: LockNotice | None = None) -> None:
        super().__init__(message)
        self.notice = notice


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def _locked(window: int, notice: LockNotice | None = None) -> AccountLocked:
    # The same words whether or not the email has an account (only its owner gets the unlock link).
    return AccountLocked(_(
        "This account is locked after too many wrong passwords. If it is yours, we have sent you an email with a "
        "link to unlock it. You can also wait %(minutes)d minutes, or choose a new password.",
        minutes=_minutes(window)), notice=notice)


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:  # not setdefault: its argument, a second slow hash, would run every time
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _DUMMY_HASHES[method]


def _check_password(user: User | None, password: str) -> bool:
    # Exactly one hash of the configured method either way, so a login takes as long whether or not the email exists.
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password) and not user.is_disabled


def authenticate(email: str, password: str, *, client: str, now: dt.datetime | None = None) -> User:
    """The user whose credentials these are. Only failed attempts count, over sliding windows.

    Raises RateLimited (too many failures from this address: LOGIN_ADDRESS_FAILURES), AccountLocked (too many
    failures on this account, LOGIN_ACCOUNT_FAILURES: even the right password is refused; the attempt that locks an
    email carries the email to send it, an unlock link or a notice that no account uses it), InvalidInput (wrong
    pair: the same message whether or not the email exists), Conflict (address not yet confirmed). Known or not, an
    email costs the same time: one password hash, and one message at the attempt that locks it.
    """
    now = now or utcnow()
    email = normalise_email(email)
    config = current_app.config
    address_allowed, address_window = ratelimit.parse_limit(config["LOGIN_ADDRESS_FAILURES"])
    address_key = ratelimit.private_key(ADDRESS_FAILURES, client)
    if ratelimit.count_recent(address_key, address_window, now=now) >= address_allowed:
        raise RateLimited(_(
            "Too many failed logins from this internet connection. Many people may share it, at a public meeting "
            "for example, so we pause logins from it for a while. Please wait %(minutes)d minutes and try again.",
            minutes=_minutes(address_window)))
    user = find_user_by_email(email)
    account_key = account_failures_key(user) if user else ratelimit.private_key(EMAIL_FAILURES, email)
    allowed, window = ratelimit.parse_limit(config["LOGIN_ACCOUNT_FAILURES"])
    ratelimit.serialise(account_key)  # two guesses at once must not both slip under the threshold
    if ratelimit.count_recent(account_key, window, now=now) >= allowed:
        raise _locked(window)
    if not _check_password(user, password):
        ratelimit.record(address_key, address_window, now=now)
        if ratelimit.record(account_key, window, now=now) < allowed:
            raise InvalidInput(_("Wrong email or password."))
        # One email per window, even if the email locks again as old failures slide out of it; one too for an email
        # without an account, so that the locking attempt takes as long (the email's time) whether or not it has one.
        notice = None
        notice_key = unlock_mail_key(user) if user else ratelimit.private_key(UNKNOWN_LOCK_MAIL, email)
        if ratelimit.count_recent(notice_key, window, now=now) == 0:
            ratelimit.record(notice_key, window, now=now)
            if user is not None and not user.is_disabled:
                notice = LockNotice(email, user, tokens.make(tokens.UNLOCK, {"uid": user.id, "at": now.isoformat()}))
            else:
                notice = LockNotice(email)
        raise _locked(window, notice)
    if not user.is_confirmed:
        raise Conflict(_("Please confirm your email address first: follow the link we sent you."))
    return user


def unlock_account(token: str) -> User:
    """Forget the failed logins of the account an emailed unlock link is for. The link works once: it names the
    failure that locked the account, which unlocking forgets. Raises InvalidInput (invalid, expired or used)."""
    payload = tokens.read(tokens.UNLOCK, token, current_app.config["UNLOCK_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"]) if payload else None
    try:
        locked_at = dt.datetime.fromisoformat(payload["at"]) if user else None
    except (KeyError, TypeError, ValueError):
        locked_at = None
    if locked_at is None or not ratelimit.has_event_at(account_failures_key(user), locked_at):
        raise InvalidInput(_("This unlock link was already used, has expired or is no longer needed. "
                             "Try to log in; if you forgot your password, choose a new one."))
    forget_failures(user)
    db.session.flush()
    return user
