"""A database that cannot answer for a moment — a write lock held too long, a full disk, a lost connection, a
query cancelled — is a 503, not a 500: the transaction is rolled back (nothing partial is written), and the page
gives back what the person sent with a « Try again » button that sends it again, with a fresh CSRF token.

When the request had already committed its write before the fault (SQLite: another writer took the lock between
the commit and the next read), sending it again would do it twice: the page then says it may be saved and
offers no « Try again »."""
from __future__ import annotations

import re

from flask import Flask, Response, current_app, g, has_request_context, make_response, render_template, request
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.exc import OperationalError, SQLAlchemyError, TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from consult.core.db import reads_only
from consult.errors import describe, problem, wants_problem_json
from consult.extensions import db

RETRY_AFTER_SECONDS = 10
FLUSHED, COMMITTED = "consult_flushed", "consult_committed"  # `g` keys: this request wrote, and committed it
# SQLite: another connection holds the write lock past the busy timeout; the disk (or max_page_count) is full.
SQLITE_FAULTS = ("database is locked", "database table is locked", "database or disk is full")
# PostgreSQL SQLSTATEs: connection exceptions (class 08), insufficient resources (53: disk full, out of memory,
# too many connections), lock_not_available (lock_timeout), query_canceled (statement_timeout), the server
# shutting down or starting, and the transaction rollbacks a retry cures (serialization failure, deadlock).
POSTGRES_FAULT_CLASSES = ("08", "53")
POSTGRES_FAULTS = frozenset({"55P03", "57014", "57P01", "57P02", "57P03", "40001", "40P01"})
SECRET_FIELD = re.compile(r"password|secret|token", re.IGNORECASE)  # never written back into a page
# Values that are a choice rather than something typed (ids, "y", "approval"…): sent again, not shown.
CHOICE_VALUE = re.compile(r"[a-z0-9_.:-]{0,24}|\d{4}-\d\d-\d\dT\d\d:\d\d")


def is_temporary(error: Exception) -> bool:
    """Whether `error` is the database being unable to answer for now (a retry later may succeed), rather
    than a bug in the request."""
    if isinstance(error, PoolTimeout):
        return True  # every connection of the pool busy past its timeout
    if not isinstance(error, OperationalError):
        return False
    if error.connection_invalidated:
        return True  # the connection was lost (server restarted, network cut)
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        return sqlstate in POSTGRES_FAULTS or sqlstate[:2] in POSTGRES_FAULT_CLASSES
    if type(original).__module__.startswith("psycopg"):
        return True  # an OperationalError without SQLSTATE: the connection failed or was closed under us
    message = str(original).lower()
    return any(fault in message for fault in SQLITE_FAULTS)


def kept_fields() -> tuple[list[tuple[str, str]], bool, bool]:
    """What the request sent that the « Try again » form sends again: (name, value) pairs except the CSRF
    token (a fresh one is added) and passwords (retyped: a page never holds them); whether a password was
    left out; whether a file was (a browser cannot send a file the page does not hold)."""
    fields, secret_left = [], False
    for name, value in request.form.items(multi=True):
        if name == "csrf_token":
            continue
        if SECRET_FIELD.search(name):
            secret_left = secret_left or bool(value)
            continue
        fields.append((name, value))
    files_left = any(upload.filename for upload in request.files.values())
    return fields, secret_left, files_left


def typed_texts(fields: list[tuple[str, str]]) -> list[str]:
    """The values a person wrote (shown on the page so they can copy them), not the choices and ids."""
    return [value for _name, value in fields if value.strip() and not CHOICE_VALUE.fullmatch(value.strip())]


def _note_flush(_session, _context) -> None:
    if has_request_context():
        setattr(g, FLUSHED, True)


def _note_commit(_session) -> None:
    if has_request_context() and g.pop(FLUSHED, False):
        setattr(g, COMMITTED, True)


def _note_rollback(_session) -> None:
    if has_request_context():
        g.pop(FLUSHED, None)


def _forget_transaction() -> None:
    """Roll the failed transaction back (PostgreSQL refuses every statement until then) and forget the user
    loaded in it, so that the page loads it again in a new transaction."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()
    g.pop("_login_user", None)


def _answer() -> Response:
    """The 503: problem details under /api/, else the page. The person's language, menu and the page itself are
    read in a reader's transaction, which never waits behind the write lock that caused the fault; if even
    that fails (the connection is lost), as an anonymous visitor."""
    try:
        with reads_only():
            return _response()
    except SQLAlchemyError:
        _forget_transaction()
        g._login_user = current_app.login_manager.anonymous_user()
        return _response()


def _response() -> Response:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if wants_problem_json():
        response = problem(503)
        response.headers.update(headers)
        return response
    title, _detail = describe(503)
    fields, secret_left, files_left = kept_fields() if request.method == "POST" else ([], False, False)
    page = render_template("errors/unavailable.html", title=title, fields=fields, texts=typed_texts(fields),
                           secret_left=secret_left, files_left=files_left, csrf=generate_csrf(),
                           retry_url=_same_address(), posted=request.method == "POST",
                           committed=g.get(COMMITTED, False))
    return make_response(page, 503, headers)


def _same_address() -> str:
    """The address the request was sent to, as a path on this site (never `//host`, another site's)."""
    return "/" + request.full_path.rstrip("?").lstrip("/")


def register(app: Flask) -> None:
    """Answer a temporary database fault with a 503 that keeps what was sent; anything else goes on to the 500."""
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)
        event.listen(Session, "after_commit", _note_commit)
        event.listen(Session, "after_rollback", _note_rollback)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def unavailable(error: Exception):
        if not is_temporary(error):
            raise error  # a bug, not a fault: the 500 handler and the log take it
        _forget_transaction()
        current_app.logger.warning("database unavailable for %s %s%s: %s", request.method, request.path,
                                   " after its commit" if g.get(COMMITTED) else "",
                                   str(getattr(error, "orig", error)).splitlines()[0])
        return _answer()
