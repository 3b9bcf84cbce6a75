"""Export jobs through the pages: asking for a file, its progress, the file when ready, a failure shown to the
person, expiry and purge, no twin job on a double submit, each download recorded. Jobs run in the request
(HUEY_IMMEDIATE, the tests' default) unless a test holds them back; a real worker is in test_jobs_served.py."""
from __future__ import annotations

import datetime as dt
import logging
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from consult.core.audit import AuditEvent
from consult.diagnostic import jobs
from consult.diagnostic.models import ExportJob, FileDownload, JobStatus
from consult.extensions import db
from tests.diagnostic.conftest_jobs import SECRET, STEPS, exports, test_kinds  # noqa: F401  (fixtures)
from tests.rendering import RenderGuard


def paris_day(moment: dt.datetime) -> str:
    """The day a stored (naive UTC) moment falls on in Paris: the day a file's name carries (23:30 UTC is already
    the next day there)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Paris")).date().isoformat()

FILES = "/t/terres-des-confluences/files/"


def ask(client, kind: str, fmt: str, *, token: str = "jeton-unique-0001", **fields):
    """Post the files page's form for `kind` with the button of `fmt`; the response (a redirect to the job)."""
    return client.post(f"{FILES}{kind}", data={"fmt": fmt, "form_token": token, **fields})


def fetch(client, path: str):
    """GET a download and close it (a file sent from disk stays open until its response is closed)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def job_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ExportJob))


def only_job() -> ExportJob:
    db.session.expire_all()
    return db.session.scalars(select(ExportJob)).one()


@pytest.fixture
def held_back(monkeypatch):
    """Jobs stay queued, as when no worker has taken them yet; returns the task the worker would run."""
    monkeypatch.setattr(jobs, "enqueue_export", lambda job_id: None)
    return lambda job_id: jobs.jobs().run_export.call_local(job_id)


def test_coordinator_gets_the_file_built_in_the_background(app, client, as_coordinator, exports):
    response = ask(client, "sample", "xlsx")
    job = only_job()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{FILES}jobs/{job.id}")
    assert job.status is JobStatus.DONE and (job.progress_done, job.progress_total) == (STEPS, STEPS)
    assert job.requested_by_id == as_coordinator.id and job.locale == "fr"
    stored = exports / job.file_name
    assert re.fullmatch(r"[0-9a-f]{32}\.xlsx", job.file_name) and job.size == stored.stat().st_size
    assert job.expires_at - job.finished_at == dt.timedelta(hours=48)
    assert [p.name for p in exports.iterdir()] == [job.file_name]  # no temporary file left

    with RenderGuard(app) as guard:
        page = client.get(f"{FILES}jobs/{job.id}").get_data(as_text=True)
        assert guard.while_rendering == []
        assert f"{FILES}jobs/{job.id}" in client.get(FILES).get_data(as_text=True)  # the recent jobs
        assert guard.while_rendering == []
    assert "Votre fichier est prêt" in page and 'http-equiv="refresh"' not in page
    assert f"{FILES}jobs/{job.id}/download" in page
    # the size in French units ("3,2 ko"), never "kB" (a random CSRF token or nonce may hold the letters "kB")
    assert "Disponible jusqu'au" in page and not re.search(r"\d\s*kB", page) and re.search(r"\d\s*ko", page)

    download = fetch(client, f"{FILES}jobs/{job.id}/download")
    assert download.status_code == 200 and download.data == stored.read_bytes()
    assert download.headers["Cache-Control"] == "no-store"
    day = paris_day(job.finished_at)
    assert download.headers["Content-Disposition"] == f"attachment; filename=terres-des-confluences-sample-{day}.xlsx"
    assert download.data.startswith(b"1: Terres des Confluences \xe2\x80\x94 xlsx\n")
    record = db.session.scalars(select(FileDownload)).one()
    assert (record.user_id, record.job_id, record.kind, record.fmt, record.records) == (
        as_coordinator.id, job.id, "sample", "xlsx", False)


def test_the_file_is_written_in_the_language_of_the_person_who_asked(client, as_coordinator, exports):
    client.set_cookie("consult_lang", "en")
    ask(client, "sample", "ods")
    job = only_job()
    assert job.locale == "en"
    assert b"locale=en; Files and reports;" in (exports / job.file_name).read_bytes()
    client.set_cookie("consult_lang", "fr")
    ask(client, "sample", "ods", token="jeton-unique-0002")
    french = db.session.scalars(select(ExportJob).order_by(ExportJob.id.desc())).first()
    assert b"locale=fr; Fichiers et rapports;" in (exports / french.file_name).read_bytes()


def test_record_level_file_takes_its_variant_and_each_download_is_recorded(client, as_coordinator, exports):
    ask(client, "sample-records", "csv", variant="pseudonymised", texts="1")
    job = only_job()
    assert (job.variant, job.free_texts) == ("pseudonymised", True)
    assert b"options: texts=1, variant=pseudonymised" in (exports / job.file_name).read_bytes()
    for _ in range(2):
        response = fetch(client, f"{FILES}jobs/{job.id}/download")
        assert response.status_code == 200
    day = paris_day(job.finished_at)
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=terres-des-confluences-sample-records-csv-pseudonymised-{day}.zip")
    records = db.session.scalars(select(FileDownload)).all()
    assert len(records) == 2 and all(r.records and r.variant == "pseudonymised" and r.free_texts for r in records)
    trail = db.session.scalars(select(AuditEvent)).all()  # each download in the audit trail too, counts only
    assert [(e.action, e.actor_id, e.target, e.detail) for e in trail] == 2 * [
        ("export", as_coordinator.id, f"job:{job.id}", {"file": "sample-records", "format": "csv",
                                                       "variant": "pseudonymised"})]


def test_record_level_file_is_k_anonymous_unless_asked_and_refuses_an_unknown_variant(client, as_coordinator,
                                                                                     exports):
    ask(client, "sample-records", "zip")
    assert (only_job().variant, only_job().free_texts) == ("k-anonymous", False)
    response = ask(client, "sample-records", "zip", token="jeton-unique-0002", variant="brut")
    assert response.status_code == 422 and job_count() == 1


def test_double_submit_gives_one_job(client, as_coordinator, exports):
    first, second = ask(client, "sample", "xlsx"), ask(client, "sample", "xlsx")
    assert first.headers["Location"] == second.headers["Location"] and job_count() == 1
    other_button = ask(client, "sample", "ods")  # the same page's token, another format: another file
    assert other_button.headers["Location"] != first.headers["Location"] and job_count() == 2


def test_progress_is_shown_while_queued_and_running_then_the_file(client, as_coordinator, exports, held_back):
    first = ask(client, "sample", "xlsx")
    again = ask(client, "sample", "xlsx", token="jeton-autre-onglet")  # another tab: the job under way
    assert first.headers["Location"] == again.headers["Location"] and job_count() == 1
    job = only_job()
    page = client.get(f"{FILES}jobs/{job.id}").get_data(as_text=True)
    assert job.status is JobStatus.QUEUED and '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="100" value="0"' in page and "En attente de son tour" in page
    assert client.get(f"{FILES}jobs/{job.id}/download").status_code == 302  # nothing to download yet

    job.status, job.progress_done, job.progress_total = JobStatus.RUNNING, 3, 8  # as a worker half-way
    db.session.commit()
    page = client.get(f"{FILES}jobs/{job.id}").get_data(as_text=True)
    assert '<progress max="100" value="37"' in page and "37 % fait" in page and 'http-equiv="refresh"' in page

    job_id, job.status = job.id, JobStatus.QUEUED
    db.session.commit()
    held_back(job_id)  # a worker takes it
    page = client.get(f"{FILES}jobs/{job.id}").get_data(as_text=True)
    assert "Votre fichier est prêt" in page and only_job().status is JobStatus.DONE
    assert 'http-equiv="refresh"' not in page


def test_failure_is_shown_to_the_person_and_logged_for_the_team(client, as_coordinator, exports, caplog):
    with caplog.at_level(logging.ERROR, logger="consult.diagnostic.services"):
        ask(client, "broken", "pdf")
    job = only_job()
    assert job.status is JobStatus.FAILED and job.error_key == "build-failed" and job.file_name is None
    assert list(exports.iterdir()) == []  # the half-written file is gone
    assert SECRET in caplog.text and "Traceback" in caplog.text
    page = client.get(f"{FILES}jobs/{job.id}").get_data(as_text=True)
    assert "Le fichier n'a pas pu être fabriqué. Réessayez ; l'équipe a été prévenue." in page
    assert "Élodie" not in page and "RuntimeError" not in page and 'http-equiv="refresh"' not in page
    assert client.get(f"{FILES}jobs/{job.id}/download").status_code == 302
    assert job_count() == 1 and db.session.scalar(select(func.count()).select_from(FileDownload)) == 0


def test_files_expire_and_the_purge_deletes_them(client, as_coordinator, exports, runner):
    ask(client, "sample", "xlsx")
    job = only_job()
    stored = exports / job.file_name
    before = runner.invoke(args=["export", "purge", "--now", (job.expires_at - dt.timedelta(minutes=1)).isoformat()])
    assert before.output == "0 expired files deleted\n" and stored.exists()

    result = runner.invoke(args=["export", "purge", "--now", (job.expires_at + dt.timedelta(hours=1)).isoformat()])
    assert result.exit_code == 0 and result.output == "1 expired file deleted\n"
    job = only_job()
    assert job.status is JobStatus.EXPIRED and job.file_name is None and not stored.exists()
    page = client.get(f"{FILES}jobs/{job.id}").get_data(as_text=True)
    assert "Ce fichier a expiré" in page
    response = client.get(f"{FILES}jobs/{job.id}/download")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{FILES}jobs/{job.id}")
    assert db.session.scalar(select(func.count()).select_from(FileDownload)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0  # a refused download leaves no trace


def test_jobs_left_queued_by_a_gone_worker_are_marked_failed_by_the_purge(client, as_coordinator, exports,
                                                                         held_back, runner):
    ask(client, "sample", "xlsx")
    job = only_job()
    runner.invoke(args=["export", "purge", "--now", (job.created_at + dt.timedelta(hours=49)).isoformat()])
    job = only_job()
    assert job.status is JobStatus.FAILED and job.error_key == "interrupted"
    ask(client, "sample", "xlsx", token="jeton-unique-0002")  # the person may ask again
    assert job_count() == 2


def test_a_job_is_its_requesters_alone(client, as_coordinator, exports, as_role):
    ask(client, "sample", "xlsx")
    job = only_job()
    colleague = as_role("coordinator")  # another coordinator of the same territory
    assert colleague.get(f"{FILES}jobs/{job.id}").status_code == 404
    assert colleague.get(f"{FILES}jobs/{job.id}/download").status_code == 404
    assert colleague.get(f"{FILES}jobs/99999999999").status_code == 404
    assert f"jobs/{job.id}" not in colleague.get(FILES).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FileDownload)) == 0


def test_the_worker_refuses_to_start_when_jobs_run_in_the_requests(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code == 1 and "HUEY_IMMEDIATE is on" in result.output
