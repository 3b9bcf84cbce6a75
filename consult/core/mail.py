"""Outgoing mail: SMTP when configured, the console in development, memory in tests."""
from __future__ import annotations

import logging
import re
import smtplib
import ssl
import sys
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template, render_template_string
from flask_babel import force_locale

log = logging.getLogger(__name__)


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


def header_text(text: str) -> str:
    """`text` fit for a mail header: control characters (CR, LF, tab, NUL…) become spaces, runs of spaces one.
    Titles and names from rows older than the forms' checks may hold them; a header must never break a mail."""
    cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return re.sub(r"\s+", " ", cleaned).strip()


def render_mail(template: str, to: str, *, locale: str | None = None, **context) -> Mail:
    """Render templates/emails/<template>.txt; its first line is the subject.

    The subject line is also rendered on its own, so that a line break inside a value it prints (a meeting's
    title from an older row) stays in the subject, made one line, instead of cutting it and spilling into the body.
    """
    name = f"emails/{template}.txt"
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(name, **context)
        source, _filename, _uptodate = current_app.jinja_env.loader.get_source(current_app.jinja_env, name)
        subject = render_template_string(source.lstrip().partition("\n")[0], **context)
    text = text.lstrip()
    if subject and text.startswith(subject):
        body = text[len(subject):]
    else:
        subject, _newline, body = text.partition("\n")
    body = "".join(ch for ch in body if ch in "\n\t" or unicodedata.category(ch) != "Cc")  # no NUL, ESC, CR…
    return Mail(to=to, subject=header_text(subject), body=body.strip() + "\n")


def send(mail: Mail) -> None:
    """Deliver one message with the configured backend."""
    if not is_deliverable(mail.to):
        return
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if any(unicodedata.category(ch) == "Cc" for ch in mail.to):
        # An address holding a line break or a control character (an older row) is not an address: sending
        # would fail after the action was committed, or add a header. It is left out, and said in the log.
        log.warning("mail not sent: the recipient's address holds a control character")
        return
    if backend == "memory":
        current_app.extensions.setdefault("consult_outbox", []).append(mail)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = header_text(mail.subject)
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
