"""Database session rules: SQLite pragmas and BEGIN IMMEDIATE for write transactions."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Request, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_TIMEOUT_MS = 10_000
LARGEST_ID = 2**31 - 1  # PostgreSQL's integer: a larger id in an address can only be a 404 (SQLite overflows at 2**63)
SERVED = "consult.served"  # WSGI environ key: a request the app is serving (not a script's request context)
READS_ONLY = "consult_reads_only"  # `g` key set by reads_only()
WRITING = "consult_writing"  # `g` key: the write transaction of a @reads_first view has begun (begin_writing)
EARLY_READER = "consult_early_reader"  # connection.info key: a @reads_first view's reading transaction
WRITING_WORDS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP")


def writes_on_get(view):
    """Mark a GET view that writes (e.g. a confirmation link) so its transaction is taken for writing."""
    view.writes_on_get = True
    return view


def statement_writes(statement: str, context) -> bool:
    """Whether a statement about to run (a `before_cursor_execute` event's) changes the database: an ORM or Core
    insert, update or delete, a written INSERT/UPDATE/DELETE/REPLACE, a schema change, or a WITH that writes."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    word = statement.lstrip()[:7].upper()
    return word.startswith(WRITING_WORDS) or (
        word.startswith("WITH") and any(verb in statement.upper() for verb in (" INSERT ", " UPDATE ", " DELETE ")))


def reads_first(view):
    """Mark a view that changes data only inside its `transaction()` block, after reading what it needs.

    On SQLite one transaction at a time holds the write lock, across every worker and thread, and a writer
    takes it at BEGIN IMMEDIATE (see configure_sqlite); a view's transaction begins at its first statement (the
    territory, the logged-in person), so its whole request held the lock and every other writer waited, in
    SQLite's busy handler which sleeps up to 100 ms between tries. A marked view reads in a reading transaction
    and takes the lock only where its block begins (`begin_writing`): the lock is held for the writes alone.

    What the view read before the block stays as it was read, as on PostgreSQL, where each statement of a READ
    COMMITTED transaction sees what was committed before it: what must hold when the row is written is held
    by the write itself (unique keys, a limit counted inside the INSERT). A write run before the block is a
    programming error, refused at once (it would fail only under load, when SQLite cannot take the write lock
    of a reading transaction whose snapshot is no longer the latest).
    """
    view.reads_first = True
    return view


def _view_marked(mark: str) -> bool:
    """Whether the view of this request carries `mark` (`reads_first`, `writes_on_get`)."""
    return getattr(current_app.view_functions.get(request.endpoint or ""), mark, False)


def _reads_first() -> bool:
    return _view_marked("reads_first")


def begin_writing() -> None:
    """Where a @reads_first view's writes begin (`transaction()` calls it): on SQLite its reading transaction
    ends, keeping the rows it loaded, so that the next statement begins the write transaction. Elsewhere, and
    for any other view, nothing happens."""
    if not has_request_context() or not request.environ.get(SERVED) or g.get(WRITING) or not _reads_first():
        return
    from consult.extensions import db

    setattr(g, WRITING, True)
    session = db.session()
    if not session.in_transaction():
        return  # the next statement begins the write transaction (wants_write)
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    # The same connection and SQLAlchemy transaction go on (the rows loaded stay as they are): only SQLite's
    # transaction changes, from reading to writing.
    connection.info.pop(EARLY_READER, None)
    driver = connection.connection.dbapi_connection
    driver.execute("COMMIT")
    driver.execute("BEGIN IMMEDIATE")


@contextmanager
def reads_only() -> Iterator[None]:
    """Transactions begun inside only read: a long read outside any request (a background job building a
    file) must not take SQLite's write lock, which every writer of the site would then wait behind."""
    before = g.get(READS_ONLY, False)
    setattr(g, READS_ONLY, True)
    try:
        yield
    finally:
        setattr(g, READS_ONLY, before)


def wants_write() -> bool:
    """Whether the transaction about to begin may write: every non-GET request, GET views marked
    `@writes_on_get`, CLI and scripts (even inside a request context pushed to build URLs).

    Worked out when the transaction begins, from the request itself (URL matching has already
    found the endpoint), so that whatever queries first — a URL value preprocessor, the login
    loader, a before_request hook — a GET never takes SQLite's write lock for its whole request.
    """
    if has_app_context() and g.get(READS_ONLY):
        return False  # inside reads_only()
    if not has_request_context() or not request.environ.get(SERVED):
        return True  # CLI, scripts, and request contexts they push to build URLs (e.g. send-reminders)
    if request.method not in SAFE_METHODS:
        return g.get(WRITING, False) or not _reads_first()
    return _view_marked("writes_on_get")


def configure_sqlite(engine: Engine) -> None:
    """WAL, a generous busy timeout and BEGIN IMMEDIATE for writers.

    With pysqlite's default deferred BEGIN, a transaction that reads then writes is refused with
    "database is locked" as soon as another writer committed in between; taking the write lock
    at BEGIN makes concurrent writers queue behind the busy timeout instead.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if wants_write():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        connection.exec_driver_sql("BEGIN")
        if (has_request_context() and request.method not in SAFE_METHODS and request.environ.get(SERVED)
                and not g.get(READS_ONLY) and _reads_first()):
            connection.info[EARLY_READER] = True  # a @reads_first view before its block: see on_statement

    @event.listens_for(engine, "before_cursor_execute")
    def on_statement(connection, _cursor, statement, _parameters, context, _executemany):
        if statement_writes(statement, context) and connection.info.get(EARLY_READER):
            raise RuntimeError(f"{request.endpoint} is marked @reads_first but writes before its transaction() "
                               "block: move the write into the block")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def on_end(connection):
        connection.info.pop(EARLY_READER, None)


class _MarkServed:
    """WSGI middleware marking the requests the app serves, so that only they can BEGIN as readers."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ[SERVED] = True
        return self.wsgi_app(environ, start_response)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in every route: a number beyond the database's integers does not match (a 404, never an overflow)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False) -> None:  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=LARGEST_ID if max is None else max, signed=signed)


def bounded_int(value) -> int:
    """`int(value)`, refused (ValueError) beyond the database's integers."""
    number = int(value)
    if not -LARGEST_ID <= number <= LARGEST_ID:
        raise ValueError(f"{number} is beyond the database's integers")
    return number


class BoundedParameters(ImmutableMultiDict):
    """Query-string and form values whose `get(…, type=int)` / `getlist(…, type=int)` treat a number beyond the
    database's integers as unreadable (the default, or left out of the list), as they do a word: an id read
    from `?comment=` or `parent_id` then never reaches a query where it would overflow (a 500)."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's names)
        return super().get(key, default, bounded_int if type is int else type)

    def getlist(self, key, type=None):  # noqa: A002
        return super().getlist(key, bounded_int if type is int else type)


class BoundedRequest(Request):
    """The app's request: see BoundedParameters (ids in a path are bounded by BoundedIntegerConverter)."""

    parameter_storage_class = BoundedParameters


def init_db_rules(app: Flask) -> None:
    """Install the engine listeners (the write intent is read from the request when a transaction begins)."""
    from consult.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine)
    app.wsgi_app = _MarkServed(app.wsgi_app)
