"""Locale selection and the translation helpers used across the package."""
from __future__ import annotations

import os
import pickle
from functools import lru_cache, wraps

from babel import localedata
from flask import Flask, current_app, g, request
from flask.globals import _cv_app
from flask_babel import (format_date, format_datetime, format_decimal, format_time, get_locale, get_timezone,
                         get_translations)
from flask_babel import gettext as _  # noqa: F401  (re-exported)
from flask_babel import lazy_gettext as _l  # noqa: F401  (re-exported)
from flask_babel import ngettext  # noqa: F401  (re-exported)
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

LANGUAGE_COOKIE = "consult_lang"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
# Times of day as people write them: « 15 h 00 » in French (Babel's short time elsewhere).
CLOCK_PATTERNS = {"fr": "H 'h' mm"}


# What no page of Consult reads of a locale's data — names of units, currencies, time zones, languages, scripts,
# territories; relative-time fields — ~1.2 MB of French's 1.4 MB once unpickled. A worker keeps the rest; the first
# lookup of one of these (every lookup of Babel's goes through `[]`) reads the locale's file again, whole.
LEFT_OUT = frozenset({"unit_patterns", "unit_display_names", "compound_unit_patterns", "currency_names",
                      "currency_names_plural", "meta_zones", "time_zones", "languages", "territories", "scripts",
                      "variants", "date_fields"})


def read_locale_data_alone(languages) -> None:
    """Babel reads a locale's data (``localedata.load``) after looking its parent up in Babel's *global* data
    (global.dat: time zones, likely subtags, currencies of every territory… 2.5 MB once unpickled, in every worker
    that formats a number or a date) — a lookup whose answer, for the site's languages, is the root locale. Their
    data is read here the way Babel reads a locale without a parent exception (root's data merged with the
    locale's own file) and kept in Babel's cache without the parts in LEFT_OUT, so the global data is never loaded
    for them; every other locale and every other use of the global data go through Babel unchanged. Installed
    once per process."""
    if getattr(localedata.load, "consult_languages", None) is not None:
        return
    babel_load = localedata.load
    plain = frozenset(languages)

    @wraps(babel_load)
    def load(name, merge_inherited: bool = True):
        name = os.path.basename(name)
        if merge_inherited and name in plain:
            with localedata._cache_lock:
                if name not in localedata._cache:
                    localedata._cache[name] = KeptLocaleData(name, read_whole(name))
        return babel_load(name, merge_inherited)

    load.consult_languages = plain
    localedata.load = load


def read_whole(name: str) -> dict:
    """A locale's whole data, as Babel reads a locale whose parent is root (root's file, then the locale's). The
    files are Babel's own, installed with it, which Babel unpickles the same way."""
    with open(localedata.resolve_locale_filename("root"), "rb") as file:
        data = pickle.load(file)  # nosec B301  # Babel's installed locale data, never anything received
    with open(localedata.resolve_locale_filename(name), "rb") as file:
        localedata.merge(data, pickle.load(file))  # nosec B301  # the same
    return data


class KeptLocaleData(dict):
    """A site language's data without LEFT_OUT, which is read again (whole, from the files) when first asked for."""

    def __init__(self, name: str, whole: dict):
        super().__init__((key, value) for key, value in whole.items() if key not in LEFT_OUT)
        self.name = name

    def __missing__(self, key):
        if key not in LEFT_OUT:
            raise KeyError(key)
        with localedata._cache_lock:
            self.update((part, value) for part, value in read_whole(self.name).items() if part in LEFT_OUT)
        return dict.__getitem__(self, key)

    def copy(self) -> dict:
        """What a child locale (fr_CA…) is merged into: the whole data."""
        return read_whole(self.name)


def select_locale() -> str:
    """Pick the interface language: explicit choice (cookie, then profile), then Accept-Language."""
    supported = current_app.config["LANGUAGES"]
    forced = g.get("forced_locale")
    if forced in supported:
        return forced
    if request:
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        if chosen in supported:
            return chosen
        user = current_user
        if user and user.is_authenticated and getattr(user, "locale", None) in supported:
            return user.locale
        best = request.accept_languages.best_match(supported)
        if best:
            return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Every CLS is in metropolitan France for now: show times in Europe/Paris."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def format_clock(value, style: str | None = None) -> str:
    """A time of day in Paris time: « 9 h 05 » in French, "9:05 AM" in English; `style` forces a Babel format."""
    if not value:
        return ""
    if style is None:
        style = CLOCK_PATTERNS.get(str(get_locale().language), "short")
    return format_time(value, style)


def format_number(value, *args, **kwargs) -> str:
    """A number as the interface's language writes it (the templates' `number` filter). Counts below 1,000 — most
    of a page's figures — need no separator and are written in the same digits in every language offered (French,
    English): no Babel lookup for them."""
    if type(value) is int and 0 <= value < 1000 and not args and not kwargs:
        return str(value)
    return format_decimal(value, *args, **kwargs)


def format_moment(value, style: str = "long") -> str:
    """A date and time as residents read it, the same everywhere: « jeudi 12 novembre 2026 à 15 h 00 ».

    `short` (« 12/11/2026 15:00 ») is kept for dense staff tables only; other Babel styles pass through.
    The same moment is written the same way in a language and time zone: each writing is kept per process (a
    call's windows, a meeting's date appear on page after page; Babel takes ~0.1 ms to write one).
    """
    if not value:
        return ""
    return _kept_moment(value, style, str(get_locale()), str(get_timezone()))


@lru_cache(maxsize=4096)
def _kept_moment(value, style: str, locale: str, timezone: str) -> str:
    """`format_moment`, written in the current request's language and zone (`locale` and `timezone` are the
    key: the catalogues and Babel's data do not change during a process)."""
    if style in ("long", "full"):
        return _("%(date)s at %(time)s", date=format_date(value, "full"), time=format_clock(value))
    return format_datetime(value, style)


def _babel_state():
    """`g.get("_flask_babel") if g else None`, read from the application context itself: every string of a page
    asks, and each use of the `g` proxy looks the context up again (two proxy calls a string, ~30 a page)."""
    context = _cv_app.get(None)
    return None if context is None else context.g.__dict__.get("_flask_babel")


def request_translations():
    """This request's catalogue, found once per request and locale: a page calls gettext dozens of times, and
    Flask-Babel looks the locale, the domain and the catalogue up again on each call. Kept with Flask-Babel's own
    per-request state, so that `force_locale` (an email in its recipient's language) and `refresh` are obeyed."""
    state = _babel_state()  # None without an application context: Flask-Babel's null catalogue
    if state is not None:
        kept = getattr(state, "consult_translations", None)
        if kept is not None and kept[0] is getattr(state, "babel_locale", None) \
                and kept[1] is getattr(state, "babel_domain", None):
            return kept[2]
    translations = get_translations()
    state = _babel_state()
    if state is not None:
        state.consult_translations = (getattr(state, "babel_locale", None), getattr(state, "babel_domain", None),
                                      translations)
    return translations


def _formatted(context, text: str, variables: dict) -> str:
    # Jinja's "newstyle" rule: the translation is always a format string, marked safe first where the template
    # escapes, so that the values put in are escaped and the translation is not.
    if context.eval_ctx.autoescape:
        # The translation comes from Consult's own catalogues, never from a user: as Jinja's i18n does.
        text = Markup(text)  # nosec B704
    if not variables and "%" not in text:
        return text  # what `% {}` gives back (a page's ~50 fixed strings, each formatted for nothing)
    return text % variables


@pass_context
def _template_gettext(__context, __string: str, **variables) -> str:
    return _formatted(__context, request_translations().ugettext(__string), variables)


@pass_context
def _template_ngettext(__context, __singular: str, __plural: str, __num: int, **variables) -> str:
    variables.setdefault("num", __num)
    return _formatted(__context, request_translations().ungettext(__singular, __plural, __num), variables)


@pass_context
def _template_pgettext(__context, __string_ctx: str, __string: str, **variables) -> str:
    variables.setdefault("context", __string_ctx)
    return _formatted(__context, request_translations().upgettext(__string_ctx, __string), variables)


@pass_context
def _template_npgettext(__context, __string_ctx: str, __singular: str, __plural: str, __num: int,
                        **variables) -> str:
    variables.setdefault("context", __string_ctx)
    variables.setdefault("num", __num)
    return _formatted(__context, request_translations().unpgettext(__string_ctx, __singular, __plural, __num),
                      variables)


def install_template_gettext(app: Flask) -> None:
    """The templates' `_`, `gettext`, `ngettext`, `pgettext`, `npgettext` (and `{% trans %}`) through
    `request_translations`, with Jinja's "newstyle" rules (keyword values, always formatted, values escaped) but
    called directly: Jinja's own wrappers go through `_` → `gettext` → the catalogue function, each by
    `Context.call`, which inspects the callee every time (~6 µs a string; a page shows dozens)."""
    app.jinja_env.newstyle_gettext = True  # what `{% trans %}` blocks compile to: the same callables, keyword values
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext,
                                 pgettext=_template_pgettext, npgettext=_template_npgettext)
