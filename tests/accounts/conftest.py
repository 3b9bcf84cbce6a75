"""A real SMTP server on loopback, and an app that sends mail through it."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import fresh, shared_app


class Clock:
    """The time a service reads (its `utcnow`, monkeypatched), moved by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Collector:
    """aiosmtpd handler keeping every message received."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """An SMTP server on 127.0.0.1 for the whole session (delivery is synchronous: nothing arrives late)."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    controller.messages = collector.messages
    yield controller
    controller.stop()


@pytest.fixture
def smtp(smtp_server):
    """The SMTP server; `.messages` holds what it received during this test."""
    smtp_server.messages.clear()
    return smtp_server


@pytest.fixture
def app(smtp):
    """The default app, but mailing through the loopback SMTP server (shared by the session, like `app`)."""
    with fresh(shared_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)) as app:
        yield app


def link_in(message, path_prefix: str) -> str:
    """The path of the first link in a message's body that starts with SITE_URL + path_prefix."""
    body = message.get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", body)
    assert match, f"no {path_prefix} link in:\n{body}"
    return match.group(1)
