"""Form helpers shared by the blueprints: the base form (no control characters), choices, one-time tokens."""
from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, HiddenField, StringField, TextAreaField
from wtforms.fields import SelectChoice

MULTILINE_ALLOWED = frozenset("\t\n\r")
CONTROL_MESSAGE = _l("This contains an invisible character that is not allowed. Delete it and type the text again.")
ONE_LINE_MESSAGE = _l("Write this on a single line.")


def control_character_error(text: str, *, multiline: bool) -> str | None:
    """The translated reason `text` is refused, or None: control characters (NUL, ESC…) never; tabs and line
    breaks only in a multi-line field. Unicode format characters (zero-width joiners in emoji, bidi marks) pass."""
    for ch in text:
        if unicodedata.category(ch) != "Cc":
            continue
        if multiline and ch in MULTILINE_ALLOWED:
            continue
        return str(ONE_LINE_MESSAGE if ch in "\n\r" else CONTROL_MESSAGE)
    return None


def _text_fields(fields: Iterable[Field]) -> Iterable[StringField]:
    for field in fields:
        if isinstance(field, FieldList):
            yield from _text_fields(field.entries)
        elif isinstance(field, FormField):
            yield from _text_fields(field.form)
        elif isinstance(field, StringField) and not isinstance(field, HiddenField):
            yield field  # hidden fields are not typed: each is checked where it is used (`next`, tokens, ids)


class Form(FlaskForm):
    """Every form of Consult: on top of its own validators, a text field refuses control characters (a
    one-line field also refuses line breaks and tabs), with the error next to the field."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in _text_fields(self):
            if not isinstance(field.data, str) or not field.data:
                continue
            error = control_character_error(field.data, multiline=isinstance(field, TextAreaField))
            if error:
                field.errors = [*field.errors, error]
                valid = False
        return valid


def choices(pairs: Iterable[tuple[str, object]], optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms SelectChoice objects, optionally inside an <optgroup>."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


def one_time_token() -> str:
    """The random id a creation form carries; the row it creates keeps it (unique), so a double click or a replay
    finds that row instead of creating a twin (paper entry, fiches, decisions)."""
    return secrets.token_urlsafe(24)
