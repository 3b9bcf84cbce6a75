"""A file built by a real worker: the app served by gunicorn with jobs queued in a SQLite Huey file, and
`flask worker` in a process of its own. A coordinator logs in over HTTP, asks for a file, follows the job's
page (it refreshes itself, its <progress> moves) until the file is ready, and downloads the bytes."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from html import unescape

from consult.accounts.models import Category, Role, TerritoryRole, User
from consult.accounts.services import hash_password
from consult.core.time import paris_date
from consult.diagnostic.models import ExportJob, FileDownload, JobStatus
from consult.extensions import db
from consult.territories.models import Territory
from tests.conftest import NOW, PASSWORD, discard_database, served_database_app
from tests.served import ROOT, Browser, gunicorn

SLUG = "isle-jourdain"
COORDINATOR = "coordination.isle-jourdain@example.org"
TARGET = "tests.diagnostic.conftest_jobs:served_app()"
FILES = f"/t/{SLUG}/files/"


@contextmanager
def flask_worker(log, env: dict):
    """`flask worker` on the served app, its output in `log`; stopped (Ctrl-C, as a person would) afterwards."""
    with log.open("wb") as output:
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", TARGET, "worker", "--workers", "1"],
                                  cwd=ROOT, env={**os.environ, "CONSULT_ENV": "testing", **env},
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(15)


def test_a_real_worker_builds_the_file_the_coordinator_follows_and_downloads(tmp_path):
    app = served_database_app(tmp_path)
    with app.app_context():
        territory = Territory(slug=SLUG, name="L'Isle-Jourdain")
        coordinator = User(email=COORDINATOR, display_name="Coordination CLS de L'Isle-Jourdain",
                           password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW,
                           category=Category.INSTITUTION)
        db.session.add_all([territory, coordinator,
                            TerritoryRole(user=coordinator, territory=territory, role=Role.COORDINATOR)])
        db.session.commit()
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        db.session.remove()
        db.engine.dispose()
    exports = tmp_path / "exports"
    env = {"SERVED_DATABASE_URL": url, "HUEY_IMMEDIATE": "0", "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
           "EXPORT_DIR": str(exports), "TEST_BUILD_DELAY": "0.5"}
    try:
        # the worker first: both processes start at once
        with flask_worker(tmp_path / "worker.log", env) as worker, \
                gunicorn(TARGET, tmp_path / "gunicorn.log", env=env) as port:
            browser = Browser(port)
            browser.log_in(COORDINATOR, PASSWORD)
            status, _, page = browser.request("GET", FILES)
            form = re.search(rb'action="' + FILES.encode() + rb'sample">\s*<input type="hidden" name="csrf_token" '
                             rb'value="([^"]+)">\s*<input type="hidden" name="form_token" value="([^"]+)">', page)
            status, headers, _ = browser.request("POST", f"{FILES}sample", {
                "csrf_token": form.group(1).decode(), "form_token": form.group(2).decode(), "fmt": "ods"})
            assert status == 302
            job_page = headers["location"]

            seen, deadline = [], time.monotonic() + 30
            while time.monotonic() < deadline:
                status, _, page = browser.request("GET", job_page)
                assert status == 200
                text = unescape(page.decode())
                progress = re.search(r'<progress max="100" value="(\d+)"', text)
                refreshing = '<meta http-equiv="refresh" content="2">' in text
                seen.append((int(progress.group(1)) if progress else None, refreshing))
                if "Your file is ready." in text:
                    break
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()
                time.sleep(0.2)
            assert "Your file is ready." in text and not refreshing, (tmp_path / "worker.log").read_text()
            assert all(refreshing for value, refreshing in seen[:-1]) and len(seen) > 2
            assert any(value is not None and 0 < value < 100 for value, _ in seen)  # seen half-way
            link = re.search(r'href="([^"]+/download)"', text).group(1)
            status, headers, body = browser.request("GET", link)
    finally:
        with app.app_context():
            job = db.session.scalars(db.select(ExportJob)).first()
            downloads = db.session.scalars(db.select(FileDownload)).all()
            db.session.remove()
            discard_database()
            db.engine.dispose()

    assert status == 200 and headers["cache-control"] == "no-store"
    day = paris_date(job.finished_at).isoformat()
    assert headers["content-disposition"] == f"attachment; filename={SLUG}-sample-{day}.ods"
    assert body == (exports / job.file_name).read_bytes() and body.startswith("1: L'Isle-Jourdain — ods\n".encode())
    assert b"locale=en; Files and reports;" in body  # the requester's language, in the worker's process
    assert job.status is JobStatus.DONE and (job.progress_done, job.progress_total) == (4, 4)
    assert [(d.job_id, d.kind) for d in downloads] == [(job.id, "sample")]
    for log in ("gunicorn.log", "worker.log"):
        assert "Traceback" not in (tmp_path / log).read_text(), (tmp_path / log).read_text()
    assert "Executing consult.diagnostic.jobs.run_export" in (tmp_path / "worker.log").read_text()
