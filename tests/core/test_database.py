"""Database plumbing: health check, SQLite settings and concurrent writers on a served app."""
from __future__ import annotations

import collections
import datetime as dt
import http.client
import os
import socket
import sqlite3
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from consult import create_app
from consult.accounts.models import Category, Role, TerritoryRole, User
from consult.accounts import services
from consult.accounts.services import hash_password
from consult.core.db import SERVED, reads_first
from consult.core.transaction import transaction
from consult.core import ratelimit
from consult.core.mail import outbox as mail_outbox
from consult.core.ratelimit import RateLimitEvent
from consult.extensions import db
from consult.surveys.building import builder
from consult.surveys.models import Answer, Channel, QuestionType, Response
from consult.territories.models import Territory
from tests.conftest import NOW, PASSWORD, build_app, discard_database, make_config, served_database_app, serving
from tests.served import free_port, http_request
from tests.served import gunicorn as served_by_gunicorn

USING_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


closed_port = free_port

# --- health check ------------------------------------------------------------------------


@pytest.fixture
def own_app():
    """Like conftest's `app`, but its engine is disposed at the end: on PostgreSQL, pooled psycopg
    connections left to the garbage collector raise ResourceWarning (an error in this suite)."""
    app = build_app()
    yield app
    with app.app_context():
        discard_database()
        db.engine.dispose()


def test_healthz_answers_ok_when_the_database_answers(own_app):
    response = own_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_healthz_answers_503_quickly_when_the_database_is_unreachable(kind, tmp_path):
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'consult.sqlite3'}"
    else:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/consult?connect_timeout=3"
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    started = time.monotonic()
    response = app.test_client().get("/healthz")
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
    with app.app_context():
        db.engine.dispose()


# --- SQLite settings ---------------------------------------------------------------------


@pytest.fixture
def sqlite_file_app(tmp_path):
    path = tmp_path / "consult.sqlite3"
    app = build_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    app.config["DB_PATH"] = path
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_sqlite_file_uses_wal_busy_timeout_and_foreign_keys(sqlite_file_app):
    with sqlite_file_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.rollback()


def _other_writer_can_start(path) -> bool:
    """Whether another connection could take the write lock right now (no waiting)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


@pytest.mark.parametrize(("method", "path", "takes_write_lock"), [
    ("POST", "/account/login", True),
    ("GET", "/healthz", False),
    ("GET", "/account/confirm/some-token", True),  # marked @writes_on_get
    ("GET", "/account/email/confirm/some-token", True),  # marked @writes_on_get
])
def test_sqlite_write_requests_take_the_write_lock_at_begin(sqlite_file_app, method, path, takes_write_lock):
    """Non-GET requests BEGIN IMMEDIATE (writers queue); GET requests BEGIN (readers don't block)."""
    app = sqlite_file_app
    with app.test_request_context(path, method=method, environ_base={SERVED: True}):  # as served
        app.preprocess_request()
        db.session.execute(text("SELECT 1"))
        try:
            assert _other_writer_can_start(app.config["DB_PATH"]) is not takes_write_lock
        finally:
            db.session.rollback()
            db.session.remove()


@pytest.mark.parametrize("path", ["/t/plaine-sud/", "/t/plaine-sud/surveys/", "/t/plaine-sud/proposals/",
                                  "/t/plaine-sud/manage/"])
def test_sqlite_get_of_a_territory_page_reads_even_when_its_url_preprocessor_queries_first(sqlite_file_app, path):
    """The territory is loaded by a URL value preprocessor, before any before_request hook: the
    transaction it opens must still be a read (it used to take the write lock for the whole request)."""
    app = sqlite_file_app
    with app.app_context():
        db.session.add(Territory(slug="plaine-sud", name="Plaine Sud"))
        db.session.commit()
        db.session.remove()
    with app.test_request_context(path, method="GET", environ_base={SERVED: True}):  # as served
        app.preprocess_request()  # the URL value preprocessor loads the territory: the request's first query
        try:
            assert _other_writer_can_start(app.config["DB_PATH"])
        finally:
            db.session.rollback()
            db.session.remove()


def test_cli_and_scripts_take_the_write_lock_at_begin(sqlite_file_app):
    with sqlite_file_app.app_context():
        db.session.execute(text("SELECT 1"))
        try:
            assert not _other_writer_can_start(sqlite_file_app.config["DB_PATH"])
        finally:
            db.session.rollback()


def test_a_script_inside_a_request_context_takes_the_write_lock_at_begin(sqlite_file_app):
    """send-reminders pushes a GET request context to build URLs: it is no request being served, and two
    overlapping runs must queue as writers rather than fail with "database is locked"."""
    with sqlite_file_app.test_request_context("/"):
        db.session.execute(text("SELECT 1"))
        try:
            assert not _other_writer_can_start(sqlite_file_app.config["DB_PATH"])
        finally:
            db.session.rollback()
            db.session.remove()


# --- concurrent login attempts against a served app --------------------------------------


# A lower threshold than the default (10 failures in 15 minutes) over a long window, so that the burst never sees a
# failure slide out of it.
LIMIT = "5/1 hour"


@pytest.fixture(params=["postgresql" if USING_POSTGRES else "sqlite-file"])
def served_app(request, tmp_path):
    """The app served by a threaded werkzeug server on 127.0.0.1, on a database shared by threads."""
    app = served_database_app(tmp_path, LOGIN_ACCOUNT_FAILURES=LIMIT)
    with serving(app) as port:
        yield app, port


def _post_login(port: int, email: str, password: str, start: threading.Barrier) -> tuple[int, str]:
    body = urllib.parse.urlencode({"email": email, "password": password})
    start.wait(timeout=30)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/account/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": "consult_lang=en"})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_concurrent_wrong_passwords_on_one_account_lock_it_at_exactly_the_threshold(served_app):
    app, port = served_app
    attempts = 40
    email = "cible@example.org"
    with app.app_context():
        now = dt.datetime(2026, 11, 23, 10, 0)
        user = User(email=email, display_name="Cible", password_hash=hash_password(PASSWORD),
                    privacy_consent_at=now, email_confirmed_at=now, category=Category.RESIDENT)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
        db.session.remove()
    limit = 5

    start = threading.Barrier(attempts)
    with ThreadPoolExecutor(max_workers=attempts) as pool:
        results = list(pool.map(lambda _: _post_login(port, email, "not the password", start), range(attempts)))

    statuses = collections.Counter(status for status, _ in results)
    assert not any("database is locked" in page for _, page in results)
    # The attempt that reaches the threshold is told the account is locked; the others after it are not even checked.
    assert statuses == {200: limit - 1, 429: attempts - limit + 1}, statuses
    assert all("Wrong email or password." in page for status, page in results if status == 200)
    assert all("This account is locked" in page for status, page in results if status == 429)
    with app.app_context():
        counted = db.session.scalar(select(func.count()).select_from(RateLimitEvent).where(
            RateLimitEvent.key == f"login-fail:account:{user_id}"))
        assert counted == limit  # the checked guesses, none lost to a lock, none beyond the threshold
        assert [mail.to for mail in mail_outbox()] == [email]  # one unlock email
        db.session.remove()


# --- reads never lock writers out: two gunicorn workers on one SQLite file ------------------------


SLUG = "vallee-du-lot"
COORDINATOR = "coordination.lot@example.org"
LONG_ANSWER = "Il faudrait un médecin le samedi matin, et un bus pour y aller. " * 80  # ~5 kB a row


def _seed_large_survey(app, responses: int) -> int:
    """A territory, its coordinator and a survey whose raw CSV export is far larger than socket buffers."""
    with app.app_context():
        territory = Territory(slug=SLUG, name="Vallée du Lot")
        coordinator = User(email=COORDINATOR, display_name="Coordination Vallée du Lot",
                           password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW,
                           category=Category.INSTITUTION)
        db.session.add_all([territory, coordinator, TerritoryRole(user=coordinator, territory=territory,
                                                                  role=Role.COORDINATOR)])
        db.session.flush()
        survey = builder.create_survey(coordinator, territory, builder.SurveyData(title="Accès aux soins"),
                                       from_template=True)
        question = next(q for q in survey.questions if q.type is QuestionType.LONG_TEXT)
        survey_id, question_id = survey.id, question.id
        db.session.commit()
        db.session.execute(insert(Response), [
            {"id": n, "survey_id": survey_id, "channel": Channel.WEB, "submitted_on": NOW.date()}
            for n in range(1, responses + 1)])
        db.session.execute(insert(Answer), [
            {"response_id": n, "question_id": question_id, "value_text": LONG_ANSWER}
            for n in range(1, responses + 1)])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return survey_id


@contextmanager
def gunicorn(database: Path, log: Path, *, workers: int = 2, csrf: bool = False):
    """`gunicorn` with sync workers on `database` (tests/core/gunicorn_app.py); yields the port."""
    with served_by_gunicorn(f"tests.core.gunicorn_app:app(csrf={csrf})", log, workers=workers,
                            env={"CONSULT_TEST_DB": str(database)}) as port:
        yield port


def _request(port: int, method: str, path: str, *, body: dict | None = None, cookie: str = "",
             timeout: float = 8) -> tuple[int, dict, bytes]:
    return http_request(port, method, path, body=body, timeout=timeout,
                        headers={"Cookie": f"consult_lang=en; {cookie}".strip("; ")})


def _log_in(port: int, email: str) -> str:
    status, headers, _ = _request(port, "POST", "/account/login", body={"email": email, "password": PASSWORD})
    assert status == 302, status
    return headers["set-cookie"].split(";", 1)[0]


@pytest.fixture(scope="module")
def two_workers_server(tmp_path_factory):
    """gunicorn with two workers on a SQLite file holding a territory, its coordinator and a large survey; one
    for the module (starting it and seeding cost ~5 s of CPU)."""
    if USING_POSTGRES:
        pytest.skip("SQLite's database-wide write lock")
    folder = tmp_path_factory.mktemp("two-workers")
    database = folder / "served.sqlite3"
    app = build_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    survey_id = _seed_large_survey(app, responses=1500)
    with gunicorn(database, folder / "gunicorn.log") as port:
        yield app, port, survey_id
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def two_workers(request, two_workers_server):
    """(port, survey id, the prefix of the addresses this test's refused logins use): afterwards, every write of
    the other worker was committed."""
    app, port, survey_id = two_workers_server
    prefix = "personne-" + request.node.name[5:25].replace("_", "-") + "-"
    yield port, survey_id, prefix
    with app.app_context():
        keys = [ratelimit.private_key(services.EMAIL_FAILURES, f"{prefix}{n}@example.org") for n in range(WRITES)]
        counted = db.session.scalar(select(func.count()).select_from(RateLimitEvent).where(
            RateLimitEvent.key.in_(keys)))
        assert counted == WRITES  # every write of the other worker was committed
        db.session.remove()


WRITES = 5


def _reads_and_writes_take(port: int, prefix: str) -> list[float]:
    """Seconds taken by rounds of reads and writes on the other worker (each must succeed)."""
    timings = []
    for n in range(WRITES):
        started = time.monotonic()
        status, _, page = _request(port, "GET", f"/t/{SLUG}/surveys/")
        assert status == 200, page[:300]
        status, _, _ = _request(port, "GET", f"/t/{SLUG}/")
        assert status == 200
        # Writes: a refused login is counted (INSERT then COUNT, committed); a GET marked as writing.
        status, _, page = _request(port, "POST", "/account/login",
                                   body={"email": f"{prefix}{n}@example.org", "password": "non"})
        assert status == 200 and b"Wrong email or password." in page
        status, headers, _ = _request(port, "GET", "/account/confirm/not-a-token")
        assert status == 302 and headers["location"].endswith("/account/confirm")
        timings.append(time.monotonic() - started)
    return timings


def test_a_slow_territory_page_in_one_worker_never_makes_the_other_wait(two_workers, two_workers_server):
    """A GET of /t/<slug>/… queries first from the URL preprocessor; it used to take the write lock then,
    and keep it while the page was computed: the other worker's requests waited (500 after 10 s)."""
    port, _survey_id, prefix = two_workers
    release = Path(two_workers_server[0].config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + ".release")
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(_request, port, "GET", f"/t/{SLUG}/slow-page/?seconds=20", timeout=30)
        time.sleep(0.5)  # the slow page is being computed in one worker, inside its transaction
        timings = _reads_and_writes_take(port, prefix)
        assert not slow.done(), (timings, slow.result())  # all of the above ran while the slow page was computed
        release.touch()  # the slow page may answer now
        status, _, page = slow.result()
    assert status == 200 and page == b"Vall\xc3\xa9e du Lot: 1500"
    assert max(timings) < 2.5, timings


def test_a_streamed_export_read_slowly_never_makes_the_other_wait(two_workers):
    """While one worker streams an export to a client that reads slowly, the other answers at once."""
    port, survey_id, prefix = two_workers
    cookie = _log_in(port, COORDINATOR)
    # The reader stops reading after the headers: ~7.5 MB cannot fit in the socket buffers (4 MB
    # at most on the server's side; the client's window does not grow while nothing is read).
    reader = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        reader.sendall((f"GET /t/{SLUG}/manage/surveys/{survey_id}/export/responses.csv HTTP/1.1\r\n"
                        f"Host: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").encode())
        received = reader.recv(4096)
        assert received.startswith(b"HTTP/1.1 200"), received[:300]
        time.sleep(1)  # the export worker is now blocked writing, inside its request
        timings = _reads_and_writes_take(port, prefix)
        total = len(received)
        while chunk := reader.recv(1 << 16):
            total += len(chunk)
    finally:
        reader.close()
    assert total > 1500 * len(LONG_ANSWER)  # the whole export, far more than the buffers could hold
    assert max(timings) < 2.5, timings


# --- @reads_first: the write lock only where the writes begin ------------------------------------------


def _reads_then_writes(app, *, write_early: bool = False) -> dict:
    """A POST view marked @reads_first added to `app`: what another writer could do at each step."""
    seen: dict = {}

    @reads_first
    def view():
        seen["reading"] = db.session.scalar(select(func.count(Territory.id)))
        if write_early:
            db.session.add(Territory(slug="trop-tot", name="Trop tôt"))
            db.session.flush()
        seen["lock_free_while_reading"] = _other_writer_can_start(app.config["DB_PATH"])
        with transaction():
            seen["lock_free_while_writing"] = _other_writer_can_start(app.config["DB_PATH"])
            db.session.add(Territory(slug="lomagne", name="Lomagne gersoise"))
        seen["stored"] = db.session.scalar(select(func.count(Territory.id)))
        return "ok"

    app.add_url_rule("/reads-then-writes", "reads_then_writes", view, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    return seen


def test_a_reads_first_view_takes_the_write_lock_only_where_its_block_begins(sqlite_file_app):
    """A support read its territory, login and proposal holding SQLite's write lock, so every other writer of the
    site waited (in the busy handler's sleeps) for the whole request: the lock is now taken for the writes only."""
    seen = _reads_then_writes(sqlite_file_app)

    response = sqlite_file_app.test_client().post("/reads-then-writes")

    assert response.status_code == 200
    assert seen == {"reading": 0, "lock_free_while_reading": True, "lock_free_while_writing": False, "stored": 1}


def test_a_reads_first_view_writing_before_its_block_is_refused_at_once(sqlite_file_app):
    """Outside its block such a view's transaction only reads: a write there would fail only under load (SQLite
    refuses to turn a reading transaction into a writing one once another writer committed), so it is refused
    in every case and the tests find it."""
    seen = _reads_then_writes(sqlite_file_app, write_early=True)

    with pytest.raises(RuntimeError, match="reads_first"):
        sqlite_file_app.test_client().post("/reads-then-writes")

    assert "lock_free_while_reading" not in seen
    with sqlite_file_app.app_context():
        assert db.session.scalar(select(func.count(Territory.id))) == 0


def test_supporting_reads_before_taking_the_write_lock(sqlite_file_app):
    from consult.proposals.views.public import support

    assert support.reads_first
