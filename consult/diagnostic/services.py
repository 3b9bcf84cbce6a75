"""Export jobs: asking for a territory-wide file, building it (the background task), handing it over and
deleting it once it expires."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from consult.core import audit
from consult.core.db import LARGEST_ID, reads_only
from consult.core.models import utcnow
from consult.core.time import paris_date
from consult.diagnostic import kinds
from consult.diagnostic.models import ACTIVE, ExportJob, FileDownload, JobStatus
from consult.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from consult.extensions import db
from consult.territories.models import Territory

logger = logging.getLogger(__name__)

K_ANONYMOUS, PSEUDONYMISED = "k-anonymous", "pseudonymised"
VARIANTS = (K_ANONYMOUS, PSEUDONYMISED)  # of record-level files; k-anonymous unless asked otherwise
BUILD_FAILED = "build-failed"            # ExportJob.error_key: the builder raised (logged with its traceback)
INTERRUPTED = "interrupted"              # the worker stopped (or never came) before the file was built
PROGRESS_EVERY = 0.5                     # seconds between two progress writes of a build
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "csv": "text/csv",
    "json": "application/json",
}


def export_dir() -> Path:
    """Where the files of the jobs lie (EXPORT_DIR; shared storage when workers run on several machines)."""
    return Path(current_app.config["EXPORT_DIR"])


def retention() -> dt.timedelta:
    return dt.timedelta(hours=current_app.config["EXPORT_RETENTION_HOURS"])


# --- asking -----------------------------------------------------------------------------------------------

def _file_kind(key: str, fmt: str) -> kinds.FileKind:
    kind = kinds.KINDS.get(key)
    if kind is None or fmt not in kind.formats:
        raise NotFound(_("This file does not exist."))
    return kind


def _choices(kind: kinds.FileKind, options: Mapping[str, str]) -> tuple[str, bool]:
    """The variant and free texts asked for a record-level file; nothing for the others."""
    if not kind.records:
        return "", False
    variant = options.get("variant") or K_ANONYMOUS
    if variant not in VARIANTS:
        raise InvalidInput(_("Choose the k-anonymous or the pseudonymised variant."), field="variant")
    return variant, options.get("texts") == "1"


def job_by_token(token: str | None) -> ExportJob | None:
    """The job a form with this one-time token already asked for, if any."""
    if not token:
        return None
    return db.session.scalar(select(ExportJob).where(ExportJob.form_token == token))


def _active_twin(actor, territory: Territory, key: str, fmt: str, variant: str, free_texts: bool
                 ) -> ExportJob | None:
    return db.session.scalar(select(ExportJob).where(
        ExportJob.requested_by_id == actor.id, ExportJob.territory_id == territory.id, ExportJob.kind == key,
        ExportJob.fmt == fmt, ExportJob.variant == variant, ExportJob.free_texts == free_texts,
        ExportJob.status.in_(ACTIVE)))


def request_export(actor, territory: Territory, kind: str, fmt: str, options: Mapping[str, str] | None = None, *,
                   now: dt.datetime, locale: str, token: str | None = None) -> tuple[ExportJob, bool]:
    """Queue the building of one file for `actor`; (the job, whether it is new — a new one must be enqueued
    once committed). A replayed form (same `token`) or an identical job of the same person still queued or
    running is returned instead of a second one, even when two requests arrive at once.

    Raises NotFound (unknown kind or format), PermissionDenied (not for this person), InvalidInput (variant).
    """
    file_kind = _file_kind(kind, fmt)
    if not file_kind.allowed(actor, territory):
        raise PermissionDenied(_("You are not allowed to do this."))
    variant, free_texts = _choices(file_kind, options or {})
    replayed = job_by_token(token)
    if replayed is not None:
        if (replayed.requested_by_id, replayed.territory_id, replayed.kind, replayed.fmt, replayed.variant,
                replayed.free_texts) == (actor.id, territory.id, kind, fmt, variant, free_texts):
            return replayed, False
        token = None  # the page's token with another button, or another person's: not this form's replay
    twin = _active_twin(actor, territory, kind, fmt, variant, free_texts)
    if twin is not None:
        return twin, False
    job = ExportJob(territory=territory, requested_by=actor, kind=kind, fmt=fmt, variant=variant,
                    free_texts=free_texts, locale=locale, form_token=token, status=JobStatus.QUEUED,
                    progress_done=0, progress_total=0, created_at=now)
    try:
        with db.session.begin_nested():  # the database refuses a twin that a simultaneous request just stored
            db.session.add(job)
    except IntegrityError:
        found = job_by_token(token) or _active_twin(actor, territory, kind, fmt, variant, free_texts)
        if found is None:
            raise
        return found, False
    return job, True


# --- building (the background task) ----------------------------------------------------------------------

def _shares_one_connection() -> bool:
    """An in-memory SQLite database is one connection for everyone (the tests' jobs run in the request)."""
    return isinstance(db.engine.pool, StaticPool)


def _progress_writer(job_id: int) -> kinds.Progress:
    """The progress callback of a build: at most one short transaction every PROGRESS_EVERY seconds, on a
    connection of its own, so that the job's page sees it while the build's long read goes on."""
    last = [0.0]
    shared = _shares_one_connection()

    def write(done: int, total: int) -> None:
        moment = time.monotonic()
        if moment - last[0] < PROGRESS_EVERY and done < total:
            return
        last[0] = moment
        statement = (update(ExportJob).where(ExportJob.id == job_id)
                     .values(progress_done=max(0, min(done, total)), progress_total=max(0, total)))
        if shared:
            db.session.execute(statement)  # nobody else can look anyway
            return
        with db.engine.begin() as connection:
            connection.execute(statement)

    return write


def _finish(job_id: int, status: JobStatus, now: dt.datetime, **values) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    job.status, job.finished_at = status, now
    for name, value in values.items():
        setattr(job, name, value)
    db.session.commit()
    return job


def run_export(job_id: int, *, clock: Callable[[], dt.datetime] = utcnow) -> JobStatus | None:
    """Build the file of a queued job: the task the workers run. Unlike other services it commits — marking the
    job running, its progress and its end are each a transaction of their own, so that its page sees them.

    The builder writes into a temporary file of EXPORT_DIR, renamed once complete; it reads inside one reading
    transaction (on SQLite a plain BEGIN: writers are not held up) with the requester's language forced. Any
    exception of the build marks the job failed with a key (never its message, which may hold data) and is
    logged with its traceback. Returns the job's new status (None: no such queued job, e.g. a replayed task).
    """
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        db.session.rollback()
        return None
    file_kind = kinds.KINDS.get(job.kind)
    extension = file_kind.extension(job.fmt) if file_kind else "bin"
    job.status, job.started_at = JobStatus.RUNNING, clock()
    job.file_name = f"{secrets.token_hex(16)}.{extension}"
    kind, fmt, options, locale, territory_id = job.kind, job.fmt, job.options, job.locale, job.territory_id
    folder = export_dir()
    final = folder / job.file_name
    partial = folder / f"{job.file_name}.part"
    db.session.commit()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with reads_only(), force_locale(locale), partial.open("wb") as target:
            territory = db.session.get(Territory, territory_id)
            kinds.build(kind, territory, fmt, target, progress=_progress_writer(job_id), options=options)
        db.session.commit()  # the end of the build's reading transaction (and of its progress on a shared connection)
        partial.replace(final)
    except Exception:
        db.session.rollback()
        logger.exception("export job %s failed: %s %s of territory %s", job_id, kind, fmt, territory_id)
        partial.unlink(missing_ok=True)
        _finish(job_id, JobStatus.FAILED, clock(), error_key=BUILD_FAILED, file_name=None)
        return JobStatus.FAILED
    now = clock()
    total = db.session.get(ExportJob, job_id).progress_total
    _finish(job_id, JobStatus.DONE, now, size=final.stat().st_size, expires_at=now + retention(), progress_done=total)
    return JobStatus.DONE


def purge_expired(now: dt.datetime) -> int:
    """Delete the files whose time is up and mark their jobs expired; mark failed the jobs still queued or
    running after a whole retention period (their worker is gone). Returns the number of files deleted.

    Adds and flushes; the caller commits (the files are already gone if the commit fails: their jobs then
    read as expired anyway, their expiry being past)."""
    stale = db.session.scalars(select(ExportJob).where(ExportJob.status.in_(ACTIVE),
                                                       ExportJob.created_at <= now - retention()))
    for job in stale:
        job.status, job.error_key, job.finished_at, job.file_name = JobStatus.FAILED, INTERRUPTED, now, None
    expired = list(db.session.scalars(select(ExportJob).where(ExportJob.status == JobStatus.DONE,
                                                              ExportJob.expires_at <= now)))
    names = []
    for job in expired:
        names.append(job.file_name)
        job.status, job.file_name = JobStatus.EXPIRED, None
    db.session.flush()
    folder = export_dir()
    for name in filter(None, names):
        (folder / name).unlink(missing_ok=True)
    return len(expired)


# --- reading and downloading ------------------------------------------------------------------------------

def job_of(actor, territory: Territory, job_id: int) -> ExportJob | None:
    """The job `job_id` if `actor` asked for it in `territory` (a job is its requester's alone)."""
    if not 0 < job_id <= LARGEST_ID or not getattr(actor, "is_authenticated", False):
        return None
    job = db.session.get(ExportJob, job_id)
    if job is None or job.requested_by_id != actor.id or job.territory_id != territory.id:
        return None
    return job


def recent_jobs(actor, territory: Territory, *, limit: int = 10) -> list[ExportJob]:
    """The person's latest jobs in the territory, newest first."""
    return list(db.session.scalars(
        select(ExportJob).where(ExportJob.requested_by_id == actor.id, ExportJob.territory_id == territory.id)
        .order_by(ExportJob.id.desc()).limit(limit)))


def is_expired(job: ExportJob, now: dt.datetime) -> bool:
    """The job's file is gone, or its time is up even if the purge has not run yet."""
    return job.status is JobStatus.EXPIRED or (
        job.status is JobStatus.DONE and job.expires_at is not None and job.expires_at <= now)


def download_name(job: ExportJob) -> str:
    """The file's name for the person: `<slug>-<kind>[-<format>][-<variant>]-<day>.<extension>`."""
    file_kind = kinds.KINDS[job.kind]
    extension = file_kind.extension(job.fmt)
    parts = [job.territory.slug, job.kind]
    if extension != job.fmt:
        parts.append(job.fmt)
    if job.variant:
        parts.append(job.variant)
    parts.append(paris_date(job.finished_at or job.created_at).isoformat())
    return f"{'-'.join(parts)}.{extension}"


def take_file(actor, job: ExportJob, *, now: dt.datetime) -> Path:
    """The path of the job's file for its requester, the download recorded (who, which file, when).

    Raises PermissionDenied (no longer allowed to get this kind), Conflict (not built, or expired).
    """
    file_kind = kinds.KINDS.get(job.kind)
    if file_kind is None or job.requested_by_id != actor.id:
        raise NotFound(_("This file does not exist."))
    if not file_kind.allowed(actor, job.territory):
        raise PermissionDenied(_("You are not allowed to do this."))
    if job.status is not JobStatus.DONE or is_expired(job, now) or not job.file_name:
        raise Conflict(_("This file is not available."))
    path = export_dir() / job.file_name
    if not path.is_file():
        raise Conflict(_("This file is not available."))
    db.session.add(FileDownload(territory_id=job.territory_id, user_id=actor.id, job_id=job.id, kind=job.kind,
                                fmt=job.fmt, variant=job.variant, free_texts=job.free_texts,
                                records=file_kind.records, downloaded_at=now))
    audit.record("export", actor=actor, territory=job.territory_id, target=f"job:{job.id}",
                 detail={"file": job.kind, "format": job.fmt, "variant": job.variant}, now=now)
    db.session.flush()
    return path


def mimetype(job: ExportJob) -> str:
    return MIMETYPES.get(kinds.KINDS[job.kind].extension(job.fmt), "application/octet-stream")
