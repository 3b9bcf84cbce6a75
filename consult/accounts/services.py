"""Accounts: registration, confirmation, sessions, password reset, profile, roles. Flush, never commit."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import contains_eager, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from consult.accounts import tokens
from consult.accounts.models import Category, LoginSession, Role, TerritoryRole, User
from consult.core import audit, ratelimit
from consult.core.ratelimit import RateLimitEvent
from consult.core.models import utcnow
from consult.errors import Conflict, InvalidInput, NotFound, RateLimited
from consult.extensions import db
from consult.territories import permissions
from consult.territories.models import Commune, Territory

def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@dataclass
class RegistrationData:
    """What the registration form collects (commune and category are optional)."""

    email: str
    password: str
    display_name: str
    locale: str | None = None
    commune_id: int | None = None
    category: Category | None = None


@dataclass(frozen=True)
class Registration:
    """The outcome: a new account, or the existing one the email belongs to (never told to the visitor)."""

    user: User
    created: bool


def register(data: RegistrationData, *, client: str, now: dt.datetime | None = None) -> Registration:
    """Create an unconfirmed account; an existing email returns that account with created=False. Either way one
    email goes out (the caller sends it), counted against REGISTER_EMAIL_LIMIT and REGISTER_ADDRESS_LIMIT, and the
    password is hashed, so that the time taken does not tell whether the email has an account.

    Raises InvalidInput for an unknown commune, RateLimited (too many registrations for this email or from this
    address `client`; `field` is "email" for the email's limit).
    """
    if data.commune_id is not None and db.session.get(Commune, data.commune_id) is None:
        raise InvalidInput(_("Choose a commune from the list."), field="commune_id")
    now = now or utcnow()
    config = current_app.config
    limit_mails("register", data.email, client, email_limit=config["REGISTER_EMAIL_LIMIT"],
                address_limit=config["REGISTER_ADDRESS_LIMIT"], now=now)
    password_hash = hash_password(data.password)  # also for a known email: the slow part of the answer
    existing = find_user_by_email(data.email)
    if existing is not None:
        return Registration(existing, created=False)
    user = User(
        email=normalise_email(data.email), password_hash=password_hash,
        display_name=data.display_name.strip(), privacy_consent_at=now, locale=data.locale,
        commune_id=data.commune_id, category=data.category,
    )
    db.session.add(user)
    db.session.flush()
    return Registration(user, created=True)


def registering_mark(email: str) -> str:
    """What the registering browser keeps in its session, so that confirming from that browser logs it in. Kept
    whether or not the email already had an account (the cookie must not tell), and never the email in clear."""
    return ratelimit.private_key("registering", normalise_email(email))


def confirmation_token(user: User, next_path: str | None = None) -> str:
    """The confirmation link's token; `next_path` is the page the person wanted (validated again on arrival)."""
    payload = {"uid": user.id, "email": user.email}
    if next_path:
        payload["next"] = next_path
    return tokens.make(tokens.CONFIRM, payload)


@dataclass(frozen=True)
class Confirmation:
    """A confirmed account, the page its owner wanted when registering (unchecked) and whether it was confirmed
    just now (the first time the link is followed)."""

    user: User
    next_path: str | None
    first_time: bool


def confirm_email(token: str, *, now: dt.datetime | None = None) -> Confirmation:
    """Mark the address confirmed. Raises InvalidInput when the link is invalid or expired."""
    payload = tokens.read(tokens.CONFIRM, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"]) if payload else None
    if user is None or user.email != payload.get("email"):
        raise InvalidInput(_("This confirmation link is invalid or has expired."))
    first_time = user.email_confirmed_at is None
    if first_time:
        user.email_confirmed_at = now or utcnow()
        db.session.flush()
    next_path = payload.get("next")
    return Confirmation(user, next_path if isinstance(next_path, str) else None, first_time)


def _minutes_until(moment: dt.datetime, now: dt.datetime) -> int:
    return max(1, -(-int((moment - now).total_seconds()) // 60))


def _oldest_recent(key: str, window: int, now: dt.datetime) -> dt.datetime:
    return db.session.scalar(select(func.min(RateLimitEvent.at)).where(
        RateLimitEvent.key == key, RateLimitEvent.at > now - dt.timedelta(seconds=window)))


def limit_mails(purpose: str, email: str, client: str, *, email_limit: str, address_limit: str,
                now: dt.datetime) -> None:
    """Count one email that `client` (an IP address) asks us to send to `email` for `purpose`, under two sliding
    windows: per email and per address. Past either limit nothing is counted (only the emails sent are) and
    RateLimited is raised, its message saying how long to wait (`field` "email" for the email's limit). The keys
    never hold the address or the email in clear.
    """
    keys = [(ratelimit.private_key(f"{purpose}-mail:address", client), address_limit, None),
            (ratelimit.private_key(f"{purpose}-mail:email", normalise_email(email)), email_limit, "email")]
    windows = []
    for key, limit, field in keys:  # always the address first: two requests never wait for each other in a cycle
        allowed, window = ratelimit.parse_limit(limit)
        ratelimit.serialise(key)  # two requests at once must not both slip under the limit
        if ratelimit.count_recent(key, window, now=now) >= allowed:
            minutes = _minutes_until(_oldest_recent(key, window, now) + dt.timedelta(seconds=window), now)
            if field is None:
                raise RateLimited(_(
                    "Too many requests from this internet connection. Many people may share it, so we pause these "
                    "requests for a while. Please try again in %(minutes)d minutes.", minutes=minutes))
            raise RateLimited(_(
                "We have already sent several messages to this address. Look in your mailbox and in your spam "
                "folder. You can try again in %(minutes)d minutes.", minutes=minutes), field="email")
        windows.append((key, window))
    for key, window in windows:
        ratelimit.record(key, window, now=now)


# Keys of the sliding-window login limits (consult/core/ratelimit.py; the limits themselves: signin.py).
ADDRESS_FAILURES = "login-fail:address"
EMAIL_FAILURES = "login-fail:email"


def account_failures_key(user: User) -> str:
    return f"login-fail:account:{user.id}"


def unlock_mail_key(user: User) -> str:
    return f"login-unlock-mail:account:{user.id}"


def forget_failures(user: User) -> None:
    """Unlock the account: forget its failed logins (and that an unlock email went)."""
    ratelimit.clear(account_failures_key(user), unlock_mail_key(user))


def start_session(user: User, *, now: dt.datetime | None = None) -> str:
    """Open a server-side login session and return its key (what the cookie carries)."""
    key = secrets.token_urlsafe(32)
    now = now or utcnow()
    db.session.add(LoginSession(key=key, user_id=user.id, created_at=now))
    # Retention: an account in use is not inactive (and a warning about inactivity no longer applies).
    user.last_active_at, user.inactivity_warned_at = now, None
    db.session.flush()
    user.session_key = key
    return key


@functools.cache
def _session_statement():
    """The user of a login session with their commune, roles and the roles' territories, in one statement built
    once: it runs on every request of a logged-in person, and building it (loader options, cache key) cost more than
    running it. The session row only joins (never loaded as an object: ~10 % of the statement's CPU)."""
    return select(User).join(LoginSession, LoginSession.user_id == User.id).where(
        LoginSession.key == bindparam("key")).options(
        joinedload(User.commune), joinedload(User.roles).joinedload(TerritoryRole.territory))


def load_session(key: str) -> User | None:
    """The user of a live login session, or None when it was ended; with the commune and the roles that
    permission predicates and page headers read (templates must not query)."""
    return _signed_in(db.session.execute(_session_statement(), {"key": key}).unique().scalar_one_or_none(), key)


def _signed_in(user: User | None, key: str) -> User | None:
    if user is None or user.is_disabled:
        return None
    user.session_key = key
    return user


@functools.cache
def _territory_and_session_statement():
    """The territory of a page under /t/<slug>/ and the user of a login session (as `_session_statement` loads
    them), in one statement built once: the two statements every signed-in request under a territory began with.
    The territory is the statement's first table, so a live session of an unknown territory gives no row at all
    and an ended session gives the territory without a user (outer joins)."""
    return select(Territory, User).select_from(Territory).outerjoin(
        LoginSession, LoginSession.key == bindparam("key")).outerjoin(
        User, User.id == LoginSession.user_id).where(Territory.slug == bindparam("slug")).options(
        joinedload(User.commune), joinedload(User.roles).joinedload(TerritoryRole.territory))


def territory_and_session(slug: str, key: str) -> tuple[Territory, User | None] | None:
    """The territory with this slug and the user of the login session `key` (None when the session was ended or
    the account is disabled, as `load_session` says), in one statement; None when no territory has this slug."""
    row = db.session.execute(_territory_and_session_statement(), {"slug": slug, "key": key}).unique().first()
    if row is None:
        return None
    return row[0], _signed_in(row[1], key)


def end_session(key: str | None) -> None:
    """Log one browser out for good."""
    if key:
        db.session.execute(delete(LoginSession).where(LoginSession.key == key))


def end_other_sessions(user: User) -> None:
    """Log out every other browser of this user (after a password or email change)."""
    db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.key != (user.session_key or ""))
    )


def _open_account(email: str) -> User | None:
    user = find_user_by_email(email)
    return user if user is not None and not user.is_disabled else None


def request_password_reset(email: str, *, client: str, now: dt.datetime | None = None) -> User | None:
    """The open account to send a reset link to, or None: then the caller sends the address a notice that no
    account uses it, so that one email goes out either way (RESET_EMAIL_LIMIT, RESET_ADDRESS_LIMIT). Raises
    RateLimited."""
    config = current_app.config
    limit_mails("reset", email, client, email_limit=config["RESET_EMAIL_LIMIT"],
                address_limit=config["RESET_ADDRESS_LIMIT"], now=now or utcnow())
    return _open_account(email)


def request_confirmation_link(email: str, *, client: str, now: dt.datetime | None = None) -> User | None:
    """The open account a new confirmation link was asked for, or None; one email goes out either way (a link,
    a notice that the address is already confirmed, or that no account uses it; MAIL_RATE_LIMIT). Raises
    RateLimited."""
    limit = current_app.config["MAIL_RATE_LIMIT"]
    limit_mails("confirm", email, client, email_limit=limit, address_limit=limit, now=now or utcnow())
    return _open_account(email)


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    # The fingerprint makes the link single-use: it dies as soon as the password changes.
    return tokens.make(tokens.RESET, {"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The account a reset link is for. Raises InvalidInput when invalid, expired or used."""
    payload = tokens.read(tokens.RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"]) if payload else None
    if user is None or payload.get("pw") != _password_fingerprint(user):
        raise InvalidInput(_("This password reset link is invalid, has expired or was already used."))
    return user


def reset_password(token: str, new_password: str, *, now: dt.datetime | None = None) -> User:
    """Set a new password from a reset link and log every browser out. Raises InvalidInput."""
    user = user_for_reset_token(token)
    user.password_hash = hash_password(new_password)
    # Following the emailed link proves the address too.
    user.email_confirmed_at = user.email_confirmed_at or now or utcnow()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    forget_failures(user)  # the new password unlocks the account
    db.session.flush()
    return user


@dataclass
class ProfileData:
    """The editable profile."""

    display_name: str
    commune_id: int | None
    category: Category | None
    structure: str
    locale: str | None


def update_profile(actor: User, data: ProfileData) -> None:
    """Edit one's own profile. Raises InvalidInput for an unknown commune."""
    if data.commune_id is not None and db.session.get(Commune, data.commune_id) is None:
        raise InvalidInput(_("Choose a commune from the list."), field="commune_id")
    actor.display_name = data.display_name.strip()
    actor.commune_id = data.commune_id
    actor.category = data.category
    actor.structure = data.structure.strip()
    actor.locale = data.locale
    db.session.flush()


def change_password(actor: User, current: str, new: str) -> None:
    """Change one's password and log out other browsers. Raises InvalidInput (wrong current password)."""
    if not check_password_hash(actor.password_hash, current):
        raise InvalidInput(_("Your current password is not correct."), field="current_password")
    actor.password_hash = hash_password(new)
    end_other_sessions(actor)
    db.session.flush()


def request_email_change(actor: User, password: str, new_email: str) -> str | None:
    """Check the password and return a confirmation token for the new address (None when it is taken)."""
    if not check_password_hash(actor.password_hash, password):
        raise InvalidInput(_("Your current password is not correct."), field="password")
    new_email = normalise_email(new_email)
    if new_email == actor.email:
        raise InvalidInput(_("This is already your email address."), field="email")
    if find_user_by_email(new_email) is not None:
        return None
    return tokens.make(tokens.CHANGE_EMAIL, {"uid": actor.id, "new": new_email, "pw": _password_fingerprint(actor)})


def confirm_email_change(token: str, *, now: dt.datetime | None = None) -> User:
    """Switch the account to the confirmed new address. Raises InvalidInput, Conflict (address taken since)."""
    payload = tokens.read(tokens.CHANGE_EMAIL, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"]) if payload else None
    if user is None or payload.get("pw") != _password_fingerprint(user):
        raise InvalidInput(_("This confirmation link is invalid or has expired."))
    if find_user_by_email(payload["new"]) not in (None, user):
        raise Conflict(_("This email address is already used by another account."))
    user.email = payload["new"]
    user.email_confirmed_at = now or utcnow()
    end_other_sessions(user)
    db.session.flush()
    return user


def create_admin(email: str, password: str, display_name: str, *, now: dt.datetime | None = None) -> User:
    """Create a confirmed site admin, or promote the existing account with this email."""
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None:
        user = User(email=normalise_email(email), display_name=display_name, password_hash=hash_password(password),
                    privacy_consent_at=now, email_confirmed_at=now)
        db.session.add(user)
    if not user.is_admin:
        db.session.flush()  # the new account's id, for the trail
        audit.record("role.admin", target=f"user:{user.id}", now=now)  # from the command line: no actor
    user.is_admin = True
    db.session.flush()
    return user


def appoint(actor, territory: Territory, email: str, role: Role) -> TerritoryRole:
    """Give an existing account a role in the territory (replacing any other role it had there).

    Raises PermissionDenied, NotFound (no account with this email).
    """
    permissions.require(permissions.can_appoint(actor, territory, role))
    user = find_user_by_email(email)
    if user is None:
        raise NotFound(_("No account uses this email address: ask the person to register first."), field="email")
    existing = db.session.scalar(
        select(TerritoryRole).where(TerritoryRole.user_id == user.id, TerritoryRole.territory_id == territory.id)
    )
    if existing is not None:
        # Replacing a coordinator's role needs the right to touch coordinators.
        permissions.require(permissions.can_appoint(actor, territory, existing.role))
        if existing.role is not role:
            audit.record("role.appoint", actor=actor, territory=territory, target=f"user:{user.id}",
                         detail={"role": role.value, "previous_role": existing.role.value})
        existing.role = role
        db.session.flush()
        return existing
    appointment = TerritoryRole(user=user, territory=territory, role=role)
    db.session.add(appointment)
    audit.record("role.appoint", actor=actor, territory=territory, target=f"user:{user.id}",
                 detail={"role": role.value})
    db.session.flush()
    return appointment


def revoke(actor, appointment: TerritoryRole) -> None:
    """Remove a role. Raises PermissionDenied."""
    permissions.require(permissions.can_appoint(actor, appointment.territory, appointment.role))
    audit.record("role.revoke", actor=actor, territory=appointment.territory, target=f"user:{appointment.user_id}",
                 detail={"role": appointment.role.value})
    db.session.delete(appointment)
    db.session.flush()


def territory_roles(territory: Territory) -> list[TerritoryRole]:
    """Coordinators then observers of a territory."""
    return list(db.session.scalars(
        select(TerritoryRole).join(User).where(TerritoryRole.territory_id == territory.id)
        .order_by(TerritoryRole.role, func.lower(User.display_name)).options(contains_eager(TerritoryRole.user))
    ))
