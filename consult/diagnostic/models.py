"""Export jobs (a territory-wide file being built in the background, then kept for a while) and the record of
each file downloaded."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.core.enums import enum_column
from consult.core.models import utcnow
from consult.extensions import db
from consult.territories.models import Territory


class JobStatus(enum.StrEnum):
    QUEUED = "queued"      # waiting for a worker
    RUNNING = "running"    # a worker is building the file
    DONE = "done"          # the file is ready until expires_at
    FAILED = "failed"      # the build raised: error_key says what to tell the person
    EXPIRED = "expired"    # the file was deleted after expires_at


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class ExportJob(db.Model):
    """One file asked for by one person: what to build, how far the build is, and where the file lies.

    A person never has two identical jobs queued or running at once (the partial unique index): a double
    click, a replayed form or two tabs get the job already under way.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint("progress_done >= 0 AND progress_total >= 0", name="progress_not_negative"),
        Index("uq_export_jobs_active_per_person", "requested_by_id", "territory_id", "kind", "fmt", "variant",
              "free_texts", unique=True,
              sqlite_where=db.text("status IN ('queued', 'running')"),
              postgresql_where=db.text("status IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))          # a key of consult.diagnostic.kinds.KINDS
    fmt: Mapped[str] = mapped_column(String(8))
    variant: Mapped[str] = mapped_column(String(32), default="")  # record-level kinds: k-anonymous, pseudonymised
    free_texts: Mapped[bool] = mapped_column(Boolean, default=False)  # record-level kinds: free texts included
    locale: Mapped[str] = mapped_column(String(8))         # the requester's language when asking
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "export_job_status"), default=JobStatus.QUEUED)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(64), default=None)  # random, inside EXPORT_DIR
    size: Mapped[int | None] = mapped_column(Integer, default=None)          # bytes
    error_key: Mapped[str | None] = mapped_column(String(32), default=None)  # never an exception's text
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    territory: Mapped[Territory] = relationship()
    requested_by: Mapped[User] = relationship()

    @property
    def options(self) -> dict[str, str]:
        """The builder's options: the variant and free texts of record-level files, nothing for the others."""
        if not self.variant:
            return {}
        return {"variant": self.variant, "texts": "1" if self.free_texts else "0"}

    @property
    def percent(self) -> int:
        """How far the build is, 0 to 100 (100 once done)."""
        if self.status is JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


class FileDownload(db.Model):
    """One download of a territory-wide file: who took which file, when (kept when the job's file is gone)."""

    __tablename__ = "file_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True,
                                                default=None)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("export_jobs.id", ondelete="SET NULL"), index=True,
                                               default=None)
    kind: Mapped[str] = mapped_column(String(32))
    fmt: Mapped[str] = mapped_column(String(8))
    variant: Mapped[str] = mapped_column(String(32), default="")
    free_texts: Mapped[bool] = mapped_column(Boolean, default=False)
    records: Mapped[bool] = mapped_column(Boolean, default=False)  # record-level data (the data package)
    downloaded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    user: Mapped[User | None] = relationship()
    job: Mapped[ExportJob | None] = relationship()
