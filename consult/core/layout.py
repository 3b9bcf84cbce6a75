"""Pieces of the layout that are the same for every request in a language (the site's brand, the footer): each
rendered once per process, language and script root, then reused as it is by every page. Such a piece may use
`config`, `url_for` and the translations, never the request, the session or the person (those stay in base.html)."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup


def layout_piece(name: str) -> Markup:
    """The template `name` rendered for this request's language, kept per process after its first rendering.

    Everything it depends on is fixed for the process's lifetime (its template, config, the catalogues, the URL
    map) except the language and the script root, which are the key. Outside a request it is rendered each time."""
    # Rendered by Jinja alone: no context processor, no signal (the piece reads none of what they give).
    render = lambda: Markup(current_app.jinja_env.get_template(name).render())  # noqa: E731
    if not has_request_context():
        return render()
    key = (name, str(get_locale()), request.script_root)
    pieces = current_app.extensions.setdefault("consult_layout_pieces", {})
    piece = pieces.get(key)
    if piece is None:
        piece = pieces[key] = render()
    return piece


def init_layout(app: Flask) -> None:
    """`layout_piece()` for the templates."""
    app.jinja_env.globals["layout_piece"] = layout_piece
