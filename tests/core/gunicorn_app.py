"""The app as gunicorn serves it for tests/core/test_database.py: on the SQLite file named by CONSULT_TEST_DB,
plus one test-only page of a territory that takes its time, like a large results page being computed."""
from __future__ import annotations

import os
import time

from flask import Blueprint, g, request
from sqlalchemy import func, select

from consult import create_app
from consult.extensions import db
from consult.surveys.models import Response
from consult.territories.views import scope_to_territory
from tests.conftest import make_config


def slow_page_blueprint() -> Blueprint:
    """/t/<slug>/slow-page/?seconds=n: the territory is loaded by the URL preprocessor (the request's first
    query, before any before_request hook), the page reads, then works for n seconds before answering — or less,
    once the test creates the file `<CONSULT_TEST_DB>.release` (it has measured what it wanted meanwhile)."""
    bp = scope_to_territory(Blueprint("slow_page", __name__, url_prefix="/t/<slug>/slow-page"))

    @bp.get("/")
    def slow():
        answered = db.session.scalar(select(func.count()).select_from(Response))
        deadline = time.monotonic() + request.args.get("seconds", 3.0, type=float)
        release = f"{os.environ['CONSULT_TEST_DB']}.release"
        while time.monotonic() < deadline and not os.path.exists(release):
            time.sleep(0.05)
        return f"{g.territory.name}: {answered}"

    return bp


def app(csrf: bool = False):
    """gunicorn 'tests.core.gunicorn_app:app()' (each worker builds its own app, as in production);
    `app(csrf=True)` checks CSRF tokens, as production does."""
    served = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{os.environ['CONSULT_TEST_DB']}",
                                    WTF_CSRF_ENABLED=csrf))
    served.register_blueprint(slow_page_blueprint())
    return served
