"""The open-data API's blueprint (/api/v1, GET only) and the human "Open data" page; `register(app)` mounts both
and adds CORS and the licence to every answer under /api/."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, request

from consult.api import queries
from consult.api.conventions import BadParameter, add_shared_headers
from consult.errors import problem, wants_problem_json
from consult.territories.models import Territory

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return problem(400, error.message)


def territory_or_404(slug: str, options=()) -> Territory:
    """The territory of the address, or 404 (a problem detail); `options` load what the resource reads with it."""
    found = queries.territory(slug, options)
    if found is None:
        abort(404)
    return found


def found_or_404(item):
    if item is None:
        abort(404)
    return item


def register(app: Flask) -> None:
    """Mount the API and the "Open data" page; every answer under /api/ (errors too) carries CORS and the licence."""
    from consult.api.views import document, page, participation, plan, surveys, territories  # noqa: F401  (routes)

    app.register_blueprint(bp)
    app.register_blueprint(page.bp)

    @app.after_request
    def api_headers(response):
        if wants_problem_json():
            add_shared_headers(response)
            if request.method == "OPTIONS" and response.status_code == 200:
                response.headers.pop("Content-Type", None)
        return response
