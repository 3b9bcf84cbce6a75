"""Public pages kept whole for visitors without an account, given again while nothing changed.

A view marked `@kept_for_visitors` (a territory's home, a call's proposals…) shows the same page to every visitor who
sends no cookie but the language and the proposal order: same address, same language, same data, same second. Its
rendered response is kept in the process and given to the next such visitor as long as

- **nothing was written to the database since.** Every transaction that writes changes one row of `page_stamps`
  (`PageStamp`), in the same transaction, just before it commits; a request reads the stamp (every row) before
  anything else. The stamp and the data it stands for become visible together, on every app server, since both are
  in the shared database: a page is never given after a change it does not show, whoever made the change and
  wherever. The rows are many so that writers on PostgreSQL do not all wait for one row's lock; each takes a slot at
  random and writes a random number, so a stamp never comes back (not even after the tests empty the tables);
- **the second has not changed**: windows open and close with the clock.

Only a response that is the same for everyone is kept: a 200 HTML page that left the session empty, set no cookie
but the proposal order's, and used no CSP nonce. A visitor with any other cookie (a session: signed in, a flash
message, a form's token) is always served by the view itself.

The cost of a visitor given a kept page: one statement (the stamp). The cost of a write: one statement more.
"""
from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import BigInteger, Integer, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.db import statement_writes
from consult.extensions import db
from consult.i18n import LANGUAGE_COOKIE

ORDER_COOKIE = "consult_order"  # a visitor's random order of proposals (consult/proposals/views/public.py)
VISITOR_COOKIES = frozenset({LANGUAGE_COOKIE, ORDER_COOKIE})
TABLE = "page_stamps"
SLOTS = 8
MAX_PAGES = 512  # kept pages per process, the least recently given dropped first…
MAX_BYTES = 16_000_000  # …and at most this much HTML in all (random query strings cannot fill a worker's memory)
MAX_PAGE_BYTES = 1_000_000
KEPT_HEADER = "X-Consult-Page"  # "kept" on a page given again (operators and tests see the cache work)
PENDING = "consult_page_pending"  # `g` key: the key and stamp under which this request's page may be kept
# What a transaction that writes runs: statements that begin with these words (SQLAlchemy's own and ours).
SCHEMA_WORDS = ("CREATE", "ALTER", "DROP")
WROTE = "consult_wrote"  # Connection.info key: this transaction wrote
SCHEMA = "consult_schema"  # …and changed the schema (the stamps' table may have come or gone)
EXISTS = {
    "sqlite": f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{TABLE}'",
    "postgresql": f"SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '{TABLE}'",
}


class PageStamp(db.Model):
    """One slot of the database's stamp (see the module): written by the commits that write, never read one by one."""

    __tablename__ = TABLE
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


def kept_for_visitors(view):
    """Mark a public GET view whose page may be kept for visitors without an account (see the module)."""
    view.kept_for_visitors = True
    return view


@dataclass(frozen=True)
class KeptPage:
    stamp: tuple
    second: int
    status: int
    headers: tuple
    body: bytes


class PageCache:
    """At most `size` pages and `max_bytes` of HTML, one page per key, in one process; threads share it."""

    def __init__(self, size: int = MAX_PAGES, max_bytes: int = MAX_BYTES) -> None:
        self.size, self.max_bytes = size, max_bytes
        self._pages: OrderedDict[tuple, KeptPage] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.kept = self.given = 0  # tests and measurements read them

    def get(self, key: tuple, stamp: tuple, second: int) -> KeptPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.stamp != stamp or page.second != second:
                return None
            self._pages.move_to_end(key)
            self.given += 1
            return page

    def put(self, key: tuple, page: KeptPage) -> None:
        with self._lock:
            before = self._pages.pop(key, None)
            if before is not None:
                self.bytes -= len(before.body)
            self._pages[key] = page
            self.bytes += len(page.body)
            self.kept += 1
            while len(self._pages) > self.size or self.bytes > self.max_bytes:
                _key, dropped = self._pages.popitem(last=False)
                self.bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._pages)


class Stamps:
    """The database's stamp for one engine: written by every transaction that writes, read by visitors' pages."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect.name
        self.exists = EXISTS.get(dialect)
        marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self.write = (f"INSERT INTO {TABLE} (slot, value) VALUES ({marker}, {marker}) "
                      f"ON CONFLICT (slot) DO UPDATE SET value = excluded.value")
        self.read = f"SELECT slot, value FROM {TABLE}"
        self.ready = False  # the table is there (checked again after a transaction that changed the schema)
        event.listen(engine, "before_cursor_execute", self._note)
        event.listen(engine, "commit", self._stamp)
        event.listen(engine, "rollback", self._forget)

    def _note(self, connection, _cursor, statement, _parameters, context, _executemany) -> None:
        if connection.info.get(WROTE) or not statement_writes(statement, context):
            return
        connection.info[WROTE] = True
        if statement.lstrip()[:7].upper().startswith(SCHEMA_WORDS):
            connection.info[SCHEMA] = True

    def _forget(self, connection) -> None:
        connection.info.pop(WROTE, None)
        connection.info.pop(SCHEMA, None)

    def _stamp(self, connection) -> None:
        """Just before a transaction that wrote commits: a new random value in a random slot (through the driver's
        own cursor, so that this statement is not itself noted as a write of the next transaction)."""
        if not connection.info.pop(WROTE, False):
            return
        if connection.info.pop(SCHEMA, False):
            self.ready = False
        if self.exists is None:
            return
        cursor = connection.connection.cursor()
        try:
            if not self.ready:
                cursor.execute(self.exists)
                self.ready = bool(cursor.fetchone()[0])
                if not self.ready:
                    return  # a database not migrated this far (migrations, tests of older revisions)
            cursor.execute(self.write, (random.randrange(SLOTS), random.getrandbits(62)))
        finally:
            cursor.close()

    def current(self) -> tuple | None:
        """The stamp as this request's transaction sees it (its first statement); None while the table is missing,
        the failed statement rolled back (nothing else has run yet)."""
        try:
            return tuple(sorted(db.session.connection().exec_driver_sql(self.read).all()))
        except DBAPIError:
            db.session.rollback()
            return None


def current_second() -> int:
    """The second a kept page belongs to (tests move it)."""
    return int(time.time())


def _candidate() -> bool:
    if request.method != "GET" or "Authorization" in request.headers:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "kept_for_visitors", False):
        return False
    return all(name in VISITOR_COOKIES for name in request.cookies)


def kept_page() -> Response | None:
    """Before anything else of a request: the kept page, if this visitor may have it and it is still true."""
    state = current_app.extensions.get("consult_pages")
    if state is None or not _candidate():
        return None
    stamp = state["stamps"].current()
    if stamp is None:
        return None
    second = current_second()
    key = (request.scheme, request.host, request.path, request.query_string, str(get_locale()),
           request.cookies.get(ORDER_COOKIE))
    page = state["cache"].get(key, stamp, second)
    if page is not None:
        return Response(page.body, page.status, [*page.headers, (KEPT_HEADER, "kept")])
    setattr(g, PENDING, (key, stamp, second))
    return None


def _only_order_cookie(response: Response) -> bool:
    return all(cookie.startswith(ORDER_COOKIE + "=") for cookie in response.headers.getlist("Set-Cookie"))


def keep_page(response: Response) -> Response:
    """After the view: keep its page if it is the same for everyone (see the module)."""
    pending = g.pop(PENDING, None)
    if pending is None:
        return response
    if (response.status_code != 200 or response.mimetype != "text/html" or response.is_streamed
            or response.direct_passthrough or session.modified or session or "csp_nonce" in g
            or not _only_order_cookie(response) or current_user.is_authenticated):
        return response
    body = response.get_data()
    if len(body) > MAX_PAGE_BYTES:
        return response
    key, stamp, second = pending
    current_app.extensions["consult_pages"]["cache"].put(
        key, KeptPage(stamp, second, response.status_code, tuple(response.headers.items()), body))
    return response


def init_page_cache(app: Flask) -> None:
    """Stamp every write of the app's database — always, so that a process that keeps no page (PAGE_CACHE=0, a
    command) never leaves another server's kept pages behind a change — and keep the marked pages unless PAGE_CACHE
    is off. Register last: `keep_page` must see the view's response before the security headers (added again to
    every page given)."""
    with app.app_context():
        stamps = Stamps(db.engine)
    if not app.config.get("PAGE_CACHE", True):
        return
    app.extensions["consult_pages"] = {"stamps": stamps, "cache": PageCache()}
    app.after_request(keep_page)
