"""Domain errors raised by services, and the HTTP error pages."""
from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException


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


def register_errorhandlers(app: Flask) -> None:
    """Render translated HTML error pages (JSON under /api)."""

    def render_error(error: HTTPException):
        code = error.code or 500
        if request.path.startswith("/api/"):
            return {"error": error.name, "status": code}, code
        return render_template("errors/error.html", code=code, error=error), code

    for code in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(code, render_error)

    @app.errorhandler(ConsultError)
    def domain_error(error: ConsultError):
        # A service refused and the view did not handle it: show the reason with its status.
        return render_template("errors/error.html", code=error.status_code, error=error), error.status_code
