"""Outgoing mail: SMTP when configured, the console in development, memory in tests."""
from __future__ import annotations

import smtplib
import ssl
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale


# An erased account's address is replaced by one under this reserved domain (RFC 2606): never delivered.
ERASED_DOMAIN = "erased.invalid"


def is_deliverable(address: str) -> bool:
    """False for the address of an erased account: no message ever goes to it again."""
    return not address.lower().endswith("@" + ERASED_DOMAIN)


@dataclass(frozen=True)
class Mail:
    """A message ready to send."""

    to: str
    subject: str
    body: str


def render_mail(template: str, to: str, *, locale: str | None = None, **context) -> Mail:
    """Render templates/emails/<template>.txt; its first line is the subject."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"emails/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return Mail(to=to, subject=subject.strip(), body=body.strip() + "\n")


def send(mail: Mail) -> None:
    """Deliver one message with the configured backend."""
    if not is_deliverable(mail.to):
        return
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("consult_outbox", []).append(mail)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="consult")
    message.set_content(mail.body)
    if backend == "console":
        print(f"\n----- mail -----\n{message.as_string()}----- end of mail -----", file=sys.stderr)
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


PENDING = "consult.mails_after_commit"  # Session.info key: mails waiting for their transaction


def send_after_commit(mail: Mail) -> None:
    """Deliver `mail` once the current database transaction commits, never if it rolls back: a message must not
    announce what was not stored (see `install_after_commit`)."""
    from consult.extensions import db

    db.session().info.setdefault(PENDING, []).append((current_app._get_current_object(), mail))


def _deliver(session) -> None:
    for app, mail in session.info.pop(PENDING, []):
        with app.app_context():
            send(mail)


def _drop(session, *_args) -> None:
    session.info.pop(PENDING, None)


def install_after_commit() -> None:
    """Listen to every session's commit and rollback once per process (`send_after_commit` needs it)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _deliver):
        event.listen(Session, "after_commit", _deliver)
        event.listen(Session, "after_rollback", _drop)


def outbox() -> list[Mail]:
    """Messages sent with the memory backend (tests)."""
    return current_app.extensions.setdefault("consult_outbox", [])
