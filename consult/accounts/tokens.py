"""Signed, expiring tokens for links sent by email."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM = "confirm-email"
RESET = "reset-password"
CHANGE_EMAIL = "change-email"
UNLOCK = "unlock-account"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"consult:{purpose}")


def make(purpose: str, payload: dict) -> str:
    """Sign `payload` for one purpose; a token of one purpose is worthless for another."""
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, max_age: int) -> dict | None:
    """The payload, or None when the token is forged, of another purpose or expired."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return payload if isinstance(payload, dict) else None
