"""Messages sent to account holders, rendered in their language."""
from __future__ import annotations

from consult.accounts import services
from consult.accounts.models import User
from consult.accounts.signin import LockNotice
from consult.core.mail import Mail, render_mail, send
from consult.core.urls import external_url


def send_registration(outcome: services.Registration, next_path: str | None = None) -> None:
    """A confirmation link for a new account (leading on to `next_path`); a notice to the owner when the address was
    already taken. One message either way, from the same call, so that the answer takes as long."""
    user = outcome.user
    if outcome.created:
        send(_confirmation(user, next_path))
    else:
        send(render_mail("already_registered", user.email, locale=user.locale, user=user,
                         login_url=external_url("accounts.login"),
                         reset_url=external_url("accounts.reset_request")))


def _confirmation(user: User, next_path: str | None = None) -> Mail:
    link = external_url("accounts.confirm", token=services.confirmation_token(user, next_path))
    return render_mail("confirm", user.email, locale=user.locale, user=user, link=link)


def _no_account(purpose: str, email: str, locale: str) -> Mail:
    """The notice to an address that no open account uses, after someone asked for `purpose` with it."""
    return render_mail("no_account", email, locale=locale, purpose=purpose,
                       register_url=external_url("accounts.register"))


def send_confirmation_request(email: str, user: User | None, *, locale: str) -> None:
    """Answer a request for a new confirmation link: the link to an unconfirmed account; to a confirmed one, how to
    log in; to an address without an open account, a notice. One message in every case."""
    if user is None:
        send(_no_account("confirm", email, locale))
    elif user.is_confirmed:
        send(render_mail("already_confirmed", user.email, locale=user.locale, user=user,
                         login_url=external_url("accounts.login"),
                         reset_url=external_url("accounts.reset_request")))
    else:
        send(_confirmation(user))


def send_reset(email: str, user: User | None, *, locale: str) -> None:
    """A reset link to the account's owner, or a notice that no open account uses the address (as GOV.UK does):
    one message either way, so that the answer takes as long."""
    if user is None:
        send(_no_account("reset", email, locale))
        return
    link = external_url("accounts.reset_password", token=services.reset_token(user))
    send(render_mail("reset", user.email, locale=user.locale, user=user, link=link))


def send_email_change(user: User, new_email: str, token: str | None) -> None:
    """A link to the new address, or a notice there when it already has an account (no enumeration)."""
    if token is None:
        send(render_mail("email_taken", new_email, locale=user.locale, user=user))
        return
    link = external_url("accounts.confirm_email_change", token=token)
    send(render_mail("change_email", new_email, locale=user.locale, user=user, link=link))


def send_lock_notice(notice: LockNotice, *, locale: str) -> None:
    """After too many wrong passwords for an email: the link that unlocks its account, or a notice that no open
    account uses it (one message either way, so that the locking attempt takes as long)."""
    if notice.user is None or notice.token is None:
        send(_no_account("login", notice.email, locale))
        return
    link = external_url("accounts.unlock", token=notice.token)
    send(render_mail("unlock", notice.user.email, locale=notice.user.locale, user=notice.user, link=link,
                     reset_url=external_url("accounts.reset_request")))
