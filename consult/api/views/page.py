"""The human "Open data" page: what the API gives, under which licence, and where its document is."""
from __future__ import annotations

from flask import Blueprint, render_template

from consult.api import openapi

bp = Blueprint("open_data", __name__)


@bp.get("/open-data")
def page():
    """« Données ouvertes »: the API explained, its licence, its resources, a link to the OpenAPI document."""
    return render_template("api/open_data.html", resources=openapi.resources())
