"""What the commands share: the identity of the server's operator."""
from __future__ import annotations

from types import SimpleNamespace


def cli_operator():
    """An unsaved admin identity for commands run by the server's operator."""
    return SimpleNamespace(id=None, is_authenticated=True, is_admin=True, role_in=lambda _territory: None)
