"""Messages sent to account holders, rendered in their language."""
from __future__ import annotations

from consult.accounts import services
from consult.accounts.models import User
from consult.core.mail import render_mail, send
from consult.core.urls import external_url


def send_registration(outcome: services.Registration, next_path: str | None = None) -> None:
    """A confirmation link for a new account (leading on to `next_path`); a notice to the owner when the address was
    already taken."""
    user = outcome.user
    if outcome.created:
        send_confirmation(user, next_path)
    else:
        send(render_mail("already_registered", user.email, locale=user.locale, user=user,
                         login_url=external_url("accounts.login"),
                         reset_url=external_url("accounts.reset_request")))


def send_confirmation(user: User, next_path: str | None = None) -> None:
    link = external_url("accounts.confirm", token=services.confirmation_token(user, next_path))
    send(render_mail("confirm", user.email, locale=user.locale, user=user, link=link))


def send_reset(user: User) -> None:
    link = external_url("accounts.reset_password", token=services.reset_token(user))
    send(render_mail("reset", user.email, locale=user.locale, user=user, link=link))


def send_email_change(user: User, new_email: str, token: str | None) -> None:
    """A link to the new address, or a notice there when it already has an account (no enumeration)."""
    if token is None:
        send(render_mail("email_taken", new_email, locale=user.locale, user=user))
        return
    link = external_url("accounts.confirm_email_change", token=token)
    send(render_mail("change_email", new_email, locale=user.locale, user=user, link=link))


def send_unlock(user: User, token: str) -> None:
    """The link that unlocks an account locked by too many wrong passwords."""
    link = external_url("accounts.unlock", token=token)
    send(render_mail("unlock", user.email, locale=user.locale, user=user, link=link,
                     reset_url=external_url("accounts.reset_request")))
