"""Form helpers shared by the blueprints."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields import SelectChoice


def choices(pairs: Iterable[tuple[str, object]], optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms SelectChoice objects, optionally inside an <optgroup>."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]

