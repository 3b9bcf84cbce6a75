"""The API's index and its OpenAPI 3.1 document."""
from __future__ import annotations

from flask import url_for

from consult.api import openapi
from consult.api.conventions import document
from consult.api.views import bp


@bp.get("/")
def index():
    """What the API offers: its resources, its document, its licence."""
    return document({
        "title": openapi.title(), "version": openapi.VERSION,
        "openapi": url_for("api.openapi_document", _external=True),
        "documentation": url_for("open_data.page", _external=True),
        "resources": [{"name": name, "path": path, "description": description}
                      for name, path, description in openapi.resources()],
        "territories": url_for("api.territories", _external=True),
    })


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document describing every endpoint, parameter, response and schema."""
    return document(openapi.build(server=url_for("api.index", _external=True).rstrip("/")), licensed=False)
