"""Pieces of the layout that are the same for every request in a language (the site's brand, the footer): each
rendered once per process, language and script root, then reused as it is by every page. Such a piece may use
`config`, `url_for` and the translations, never the request, the session or the person (those stay in base.html)."""
from __future__ import annotations

from collections.abc import Hashable

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

from consult.core.cache import versioned_cache

CACHE_NAME = "layout_pieces"
PIECES = 1024  # a territory's menu has a few dozen variants (language × current entry × role): room for many


def layout_piece(name: str, **values: Hashable) -> Markup:
    """The template `name` rendered with `values` for this request's language, kept per process after its first
    rendering (the least recently used go first).

    Everything it depends on is fixed for the process's lifetime (its template, config, the catalogues, the URL
    map) except the language, the script root and `values`, which are the key: the piece must read nothing else
    (no request, no session, no person). Outside a request it is rendered each time."""
    # Rendered by Jinja alone: no context processor, no signal (the piece reads none of what they give).
    # Markup: the output of an autoescaping template.
    render = lambda: Markup(current_app.jinja_env.get_template(name).render(**values))  # noqa: E731  # nosec B704
    if not has_request_context():
        return render()
    key = (name, str(get_locale()), request.script_root, tuple(sorted(values.items())))
    return versioned_cache(CACHE_NAME, size=PIECES).get(key, None, render)


def init_layout(app: Flask) -> None:
    """`layout_piece()` for the templates."""
    app.jinja_env.globals["layout_piece"] = layout_piece
