"""Pieces of the layout that are the same for every request in a language (the site's brand, the footer): each
rendered once per process, language and script root, then reused as it is by every page. Such a piece may use
`config`, `url_for` and the translations, never the request, the session or the person (those stay in base.html)."""
from __future__ import annotations

from collections.abc import Hashable

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup
from wtforms import Field, Form

from consult.core.cache import versioned_cache

CACHE_NAME = "layout_pieces"
PIECES = 1024  # a territory's menu has a few dozen variants (language × current entry × role): room for many
FORM_CACHE_NAME = "form_pieces"
FORM_PIECES = 256  # a public listing's filters: a few variants per call and language are the common case


def layout_piece(name: str, **values: Hashable) -> Markup:
    """The template `name` rendered with `values` for this request's language, kept per process after its first
    rendering (the least recently used go first).

    Everything it depends on is fixed for the process's lifetime (its template, config, the catalogues, the URL
    map) except the language, the script root and `values`, which are the key: the piece must read nothing else
    (no request, no session, no person). Outside a request it is rendered each time."""
    return kept_piece(CACHE_NAME, PIECES, name, values)


def kept_piece(cache: str, size: int, name: str, values: dict[str, Hashable]) -> Markup:
    """`layout_piece`, kept in the per-process cache `cache` of `size` pieces (a kind of piece that comes in many
    variants keeps its own, so that it never pushes the layout's out)."""
    # Rendered by Jinja alone: no context processor, no signal (the piece reads none of what they give).
    # Markup: the output of an autoescaping template.
    render = lambda: Markup(current_app.jinja_env.get_template(name).render(**values))  # noqa: E731  # nosec B704
    if not has_request_context():
        return render()
    key = (name, str(get_locale()), request.script_root, tuple(sorted(values.items())))
    return versioned_cache(cache, size=size).get(key, None, render)


def _shown(field: Field) -> tuple:
    """Everything of `field` the field macros and WTForms' widgets write into the page."""
    choices = getattr(field, "choices", None)
    return (field.name, field.id, field.type, str(field.label.text), str(field.description or ""), repr(field.data),
            repr(field.raw_data), tuple(str(error) for error in field.errors), repr(sorted(vars(field.flags).items())),
            repr(field.render_kw), repr(type(field.widget)),
            _choices_key(choices))


def _choices_key(choices) -> tuple | None:
    """A select's choices as a key: each value's repr and its label as shown (lazy labels in this language)."""
    if choices is None:
        return None
    if isinstance(choices, dict):  # optgroups: {group: choices}
        return tuple((str(group), _choices_key(items)) for group, items in choices.items())
    return tuple(repr(choice) if isinstance(choice, str)
                 else tuple(str(part) if n == 1 else repr(part) for n, part in enumerate(choice))
                 for choice in choices)


def form_piece(name: str, form: Form) -> Markup:
    """The template `name` rendered with `form` (a page's filters, say), kept per process like a layout piece.

    The key is everything the form's fields show (labels, values, errors, choices, hints, flags) and the
    language: the same key always renders the same HTML, so nothing needs invalidating; another value or choice
    is another key. The piece must read the form's fields only (no request, no person, no CSRF token)."""
    # Markup: the output of an autoescaping template.
    render = lambda: Markup(current_app.jinja_env.get_template(name).render(form=form))  # noqa: E731  # nosec B704
    if not has_request_context():
        return render()
    key = (name, type(form).__qualname__, str(get_locale()), request.script_root,
           tuple(_shown(field) for field in form))
    return versioned_cache(FORM_CACHE_NAME, size=FORM_PIECES).get(key, None, render)


def init_layout(app: Flask) -> None:
    """`layout_piece()` and `form_piece()` for the templates."""
    app.jinja_env.globals["layout_piece"] = layout_piece
    app.jinja_env.globals["form_piece"] = form_piece
