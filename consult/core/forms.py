"""Form helpers shared by the blueprints: the base form (no control characters), choices, one-time tokens."""
from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable

from babel.support import Translations
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, FieldList, FormField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import StopValidation
from wtforms.widgets import Select

from consult.core.db import LARGEST_ID

MULTILINE_ALLOWED = frozenset("\t\n\r")
CONTROL_MESSAGE = _l("This contains an invisible character that is not allowed. Delete it and type the text again.")
ONE_LINE_MESSAGE = _l("Write this on a single line.")
TOO_LARGE_MESSAGE = _l("This number is too large.")
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what one_time_token() gives, with room


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


def _fields(fields: Iterable[Field]) -> Iterable[Field]:
    for field in fields:
        if isinstance(field, FieldList):
            yield from _fields(field.entries)
        elif isinstance(field, FormField):
            yield from _fields(field.form)
        else:
            yield field


def _too_large(field: Field) -> bool:
    # Beyond the database's integers a number can only be a mistake: storing it would fail, and WTForms'
    # NumberRange cannot even compare one beyond a float (math.isnan raises): a 500 either way.
    return isinstance(field, IntegerField) and isinstance(field.data, int) and abs(field.data) > LARGEST_ID


def _refuse_too_large(_form) -> None:
    raise StopValidation(str(TOO_LARGE_MESSAGE))


def _field_error(field: Field) -> str | None:
    if isinstance(field, HiddenField) or not isinstance(field, StringField):
        return None  # hidden fields are not typed: each is checked where it is used (`next`, tokens, ids)
    if not isinstance(field.data, str) or not field.data:
        return None
    return control_character_error(field.data, multiline=isinstance(field, TextAreaField))


class WTFormsMessages:
    """WTForms' own messages (« Not a valid choice »…) in the request's language, each language's catalogue read
    once per process: Flask-WTF reads the file again for every request that builds a form. A catalogue is
    read-only once loaded, so the threads of a worker share it."""

    _catalogues: dict[str, Translations] = {}

    def _catalogue(self) -> Translations | None:
        locale = get_locale()
        if locale is None:  # outside a request: WTForms' English
            return None
        found = self._catalogues.get(str(locale))
        if found is None:
            found = Translations.load(messages_path(), [locale], domain="wtforms")
            found = self._catalogues.setdefault(str(locale), found)
        return found

    def gettext(self, string: str) -> str:
        catalogue = self._catalogue()
        return string if catalogue is None else catalogue.ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        catalogue = self._catalogue()
        if catalogue is None:
            return singular if n == 1 else plural
        return catalogue.ungettext(singular, plural, n)


WTFORMS_MESSAGES = WTFormsMessages()


class Form(FlaskForm):
    """Every form of Consult: on top of its own validators, a text field refuses control characters (a
    one-line field also refuses line breaks and tabs) and a whole-number field numbers beyond the database's
    integers, with the error next to the field."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return WTFORMS_MESSAGES

    def validate(self, extra_validators=None) -> bool:
        for field in _fields(self):
            if _too_large(field):
                field.pre_validate = _refuse_too_large  # the error, and the field's own validators skipped
        valid = super().validate(extra_validators)
        for field in _fields(self):
            error = _field_error(field)
            if error:
                field.errors = [*field.errors, error]
                valid = False
        return valid


def choices(pairs: Iterable[tuple[str, object]], optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms SelectChoice objects, optionally inside an <optgroup>."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


class LeanSelect(Select):
    """WTForms' <select>, each plain option written directly: the same HTML, several times cheaper for the long
    lists of a public page's filters (WTForms sorts and escapes a dictionary of attributes per option)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        option = f'<option {selected}value="{escape(choice.value)}">{label}</option>'
        return Markup(option)  # nosec B704  # the value and the label escaped just above

    @classmethod
    def _dispatch_render_option(cls):
        return cls.render_option  # the current signature: no inspection of it at each <select> (WTForms does)


def one_time_token() -> str:
    """The random id a creation form carries; the row it creates keeps it (unique), so a double click or a replay
    finds that row instead of creating a twin (paper entry, fiches, decisions)."""
    return secrets.token_urlsafe(24)


def sent_token(value) -> str | None:
    """A one-time token as a hidden field sent it back, or None when it is not one (empty, or tampered with: a
    NUL, a line break, too long…). The hidden field is not typed, so it is checked here, where it is used."""
    return value if isinstance(value, str) and TOKEN.fullmatch(value) else None
