"""Form helpers shared by the blueprints."""
from __future__ import annotations

import secrets
from collections.abc import Iterable

from wtforms.fields import SelectChoice


def choices(pairs: Iterable[tuple[str, object]], optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms SelectChoice objects, optionally inside an <optgroup>."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]



def one_time_token() -> str:
    """The random id a creation form carries; the row it creates keeps it (unique), so a double click or a replay
    finds that row instead of creating a twin (paper entry, fiches, decisions)."""
    return secrets.token_urlsafe(24)
