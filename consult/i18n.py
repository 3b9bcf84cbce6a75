"""Locale selection and the translation helpers used across the package."""
from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _  # noqa: F401  (re-exported)
from flask_babel import lazy_gettext as _l  # noqa: F401  (re-exported)
from flask_babel import ngettext  # noqa: F401  (re-exported)
from flask_login import current_user

LANGUAGE_COOKIE = "consult_lang"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


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
