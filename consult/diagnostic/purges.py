"""Territory-wide files are kept EXPORT_RETENTION_HOURS: the purge deletes those whose time is up."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from consult.core.retention import is_dry_run, purge
from consult.diagnostic import services
from consult.diagnostic.models import ExportJob, JobStatus
from consult.extensions import db


@purge("export_files", "EXPORT_RETENTION_HOURS", "hours")
def purge_export_files(now: dt.datetime) -> int:
    """Delete the files whose expiry (set EXPORT_RETENTION_HOURS after they were built) has passed; a dry run
    only counts them (a deleted file cannot be rolled back)."""
    if is_dry_run():
        return db.session.scalar(select(func.count(ExportJob.id)).where(
            ExportJob.status == JobStatus.DONE, ExportJob.expires_at <= now))
    return services.purge_expired(now)
