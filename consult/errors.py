"""Domain errors raised by services, and the HTTP error pages."""
from __future__ import annotations

import json

from flask import Flask, Response, g, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from consult.extensions import db


class ConsultError(Exception):
    """A rule of the domain refused the action; the message is shown to the user (translated)."""

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(ConsultError):
    """The actor may not do this."""

    status_code = 403


class NotFound(ConsultError):
    """The target does not exist (or the actor may not know it exists)."""

    status_code = 404


class InvalidInput(ConsultError):
    """The data breaks a rule that forms cannot check alone."""

    status_code = 422


class Conflict(ConsultError):
    """The action clashes with the current state (already done, already exists…)."""

    status_code = 409


class RateLimited(ConsultError):
    """Too many attempts in the window."""

    status_code = 429


class ImportRejected(InvalidInput):
    """A file import failed; `problems` lists (line number, message) pairs."""

    def __init__(self, message: str, problems: list[tuple[int, str]]) -> None:
        super().__init__(message)
        self.problems = problems


PROBLEM_MIMETYPE = "application/problem+json"
# The HTML error page's headings (templates/errors/error.html), also the problem details' titles.
TITLES = {
    400: _l("The request could not be understood"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("This action is not possible"),
    413: _l("The file is too large"),
    422: _l("This action is not possible"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
    503: _l("Service temporarily unavailable"),
}
DETAILS = {
    400: _l("The form may have expired. Go back, reload the page and try again: what you typed is usually still there."),
    403: _l("You do not have access to this page. If you think you should, contact the coordination of your territory."),
    404: _l("The page you are looking for does not exist or has moved."),
    405: _l("This address does not accept this kind of request."),
    429: _l("Please wait a moment before trying again."),
    500: _l("Please try again in a few minutes."),
    503: _l("Please try again in a few minutes."),
}
HTML_PAGES = (400, 403, 404, 405, 413, 429, 500, 503)


def wants_problem_json() -> bool:
    """Errors under /api/ are answered as RFC 9457 problem details, everywhere else as HTML pages."""
    return request.path == "/api" or request.path.startswith("/api/")


def describe(status: int, message: str | None = None) -> tuple[str, str | None]:
    """The translated title and detail of an error: a domain error's own message, else the status's."""
    detail = message if message is not None else DETAILS.get(status)
    return str(TITLES.get(status, _l("Error"))), None if detail is None else str(detail)


def problem(status: int, message: str | None = None, headers=None) -> Response:
    """An RFC 9457 problem details response (translated title and detail)."""
    title, detail = describe(status, message)
    body = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers.add(name, value)
    return response


def register_errorhandlers(app: Flask) -> None:
    """Translated HTML error pages; RFC 9457 problem details under /api/. Errors roll the session back."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # First of all, before anything reads the database (the page's header loads the user): a
        # failed flush or statement leaves the transaction unusable until it is rolled back.
        _forget_failed_transaction()
        code = error.code or 500
        if wants_problem_json():
            return problem(code, headers=error.get_headers())
        if code not in HTML_PAGES:
            return error
        return _page(code), code

    @app.errorhandler(ConsultError)
    def domain_error(error: ConsultError):
        # A service refused and the view did not handle it: nothing it wrote is kept; show the reason.
        _forget_failed_transaction()
        if wants_problem_json():
            return problem(error.status_code, error.message)
        return _page(error.status_code, error.message), error.status_code


def _forget_failed_transaction() -> None:
    """Roll the session back; if even that fails (the connection was lost mid-statement), drop the session: the
    error page then reads on a new connection, never on the failed transaction."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 — whatever broke the connection, the page must still be shown
        db.session.remove()


def _page(code: int, message: str | None = None) -> str:
    # The rollback expired every loaded row, the logged-in user too: forget it so that Flask-Login loads
    # it again (with its roles) before the page renders, rather than row by row while it renders.
    g.pop("_login_user", None)
    title, detail = describe(code, message)
    return render_template("errors/error.html", code=code, title=title, detail=detail)
