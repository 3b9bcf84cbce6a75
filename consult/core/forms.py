"""Form helpers shared by the blueprints."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields import SelectChoice


def choices(pairs: Iterable[tuple[str, object]], optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms SelectChoice objects, optionally inside an <optgroup>."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


def local_input(value):
    """Naive UTC (as stored) → naive local time (Europe/Paris) for a datetime-local input; None stays None."""
    from flask_babel import to_user_timezone

    return to_user_timezone(value).replace(tzinfo=None) if value else None


def stored_utc(value):
    """Naive local time typed in a form → naive UTC for storage; None stays None."""
    from flask_babel import to_utc

    return to_utc(value) if value else None
