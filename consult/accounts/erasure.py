"""Erasing an account, at its owner's request or after a long inactivity (GDPR article 17). Flush, never commit.

The person's data goes: address, name, commune, category, structure, password, logins, roles, and what each
capability holds about them (`@lets_go_of`: seats freed, drafts deleted…). What they gave to others stays — their
proposals and comments, shown under « Former participant », supports and ballots, so that counts do not move. The
user row stays, empty, as the anchor of what is kept; its address becomes an unusable one no mail is sent to.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash

from consult.accounts import services
from consult.accounts.models import LoginSession, TerritoryRole, User
from consult.core import audit
from consult.core.mail import ERASED_DOMAIN, render_mail, send_after_commit
from consult.core.models import utcnow
from consult.core.retention import cutoff, purge
from consult.core.urls import external_url
from consult.errors import Conflict, InvalidInput
from consult.extensions import db

ON_REQUEST = "request"
INACTIVITY = "inactivity"
# No hashing method has this name: no password ever matches it.
UNUSABLE_PASSWORD = "!erased"

RELEASES: dict[str, Callable[[User, dt.datetime], dict[str, int]]] = {}


def lets_go_of(name: str):
    """Register `function(user, now) -> counts` as what capability `name` erases or frees for an erased account."""

    def register(function: Callable[[User, dt.datetime], dict[str, int]]):
        RELEASES[name] = function
        return function

    return register


def erase_account(user: User, *, reason: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Erase `user`'s personal data and free what they held; returns the counts recorded in the audit trail.

    Raises Conflict for an administrator (never erased: another administrator must remove the right first) and for
    an account already erased.
    """
    now = now or utcnow()
    # Locked (PostgreSQL) and read again: a replayed request finds the account already erased.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    db.session.refresh(user, ["erased_at"])
    if user.is_erased:
        raise Conflict(_("This account is already deleted."))
    if user.is_admin:
        raise Conflict(_("An administrator's account cannot be deleted. Ask another administrator to remove your "
                         "administrator rights first."))
    counts: dict[str, int] = {}
    for release in RELEASES.values():
        counts.update(release(user, now))
    counts["roles"] = db.session.execute(delete(TerritoryRole).where(TerritoryRole.user_id == user.id)).rowcount
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    services.forget_failures(user)
    db.session.expire(user, ["roles"])
    user.email = f"{user.id}.{secrets.token_hex(8)}@{ERASED_DOMAIN}"
    user.password_hash = UNUSABLE_PASSWORD
    user.display_name = ""
    user.commune = None
    user.category = None
    user.structure = ""
    user.locale = None
    user.is_disabled = True
    user.email_confirmed_at = None
    user.last_active_at = None
    user.inactivity_warned_at = None
    user.erased_at = now
    audit.record(f"account_erased_{reason}", actor=user if reason == ON_REQUEST else None,
                 target=f"user:{user.id}", detail=counts)
    db.session.flush()
    return counts


def delete_own_account(actor: User, password: str, *, now: dt.datetime | None = None) -> dict[str, int]:
    """The person deletes their own account after typing their password. Raises InvalidInput (wrong password),
    Conflict (see erase_account)."""
    if not check_password_hash(actor.password_hash, password):
        raise InvalidInput(_("Your current password is not correct."), field="password")
    return erase_account(actor, reason=ON_REQUEST, now=now)


# --- inactive accounts --------------------------------------------------------------------------------------------

def _last_seen():
    # Accounts that never logged in since activity was recorded count from their creation.
    return func.coalesce(User.last_active_at, User.created_at)


def _erasable():
    return User.erased_at.is_(None), User.is_admin.is_(False)


def erasure_date(last_seen: dt.datetime, warned_at: dt.datetime) -> dt.datetime:
    """When a warned account will be erased if its owner does not log in."""
    config = current_app.config
    end_of_period = cutoff(last_seen, -int(config["INACTIVE_ACCOUNT_MONTHS"]), "months")
    return max(end_of_period, warned_at + dt.timedelta(days=int(config["INACTIVE_WARNING_DAYS"])))


@purge("inactive_accounts", "INACTIVE_ACCOUNT_MONTHS", "months")
def purge_inactive_accounts(now: dt.datetime) -> int:
    """Erase the accounts inactive for INACTIVE_ACCOUNT_MONTHS whose owner was warned INACTIVE_WARNING_DAYS ago or
    more, then warn by email those that reach the period within INACTIVE_WARNING_DAYS. Logging in clears the
    warning. Administrators are never erased automatically. Returns the number of accounts erased."""
    config = current_app.config
    limit = cutoff(now, int(config["INACTIVE_ACCOUNT_MONTHS"]), "months")
    notice = dt.timedelta(days=int(config["INACTIVE_WARNING_DAYS"]))
    due = db.session.scalars(select(User).where(*_erasable(), _last_seen() < limit,
                                                User.inactivity_warned_at <= now - notice).order_by(User.id))
    erased = 0
    for user in list(due):
        erase_account(user, reason=INACTIVITY, now=now)
        erased += 1
    to_warn = list(db.session.scalars(select(User).where(
        *_erasable(), _last_seen() < limit + notice, User.inactivity_warned_at.is_(None)).order_by(User.id)))
    for user in to_warn:
        user.inactivity_warned_at = now
        _warn(user, now)
    db.session.flush()
    return erased


def _warn(user: User, now: dt.datetime) -> None:
    erase_on = erasure_date(user.last_active_at or user.created_at, now)
    if has_request_context():
        link = external_url("accounts.login")
    else:  # the daily purge runs outside of any web request: links are built on SITE_URL
        with current_app.test_request_context("/"):
            link = external_url("accounts.login")
    send_after_commit(render_mail("inactive_warning", user.email, locale=user.locale, user=user,
                                  erase_on=erase_on, login_url=link))
