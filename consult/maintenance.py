"""`flask --app wsgi purge` (daily, from cron): remove whatever is past the period Consult states for it.

Every period is one setting of config.py; each capability registers the purge that applies it with
`consult.core.retention.purge`. This command imports those modules, runs every purge with the same `now` in one
transaction, prints the counts and records them — counts only — in the audit trail.
"""
from __future__ import annotations

import datetime as dt
import importlib

import click
from flask.cli import with_appcontext

from consult.core import audit, retention
from consult.core.models import utcnow
from consult.extensions import db

# The modules holding `@purge` registrations (a new purge adds its module here; a test checks that every period
# the pages state is registered).
PURGE_MODULES = (
    "consult.core.purges",  # rate-limit records: keyed addresses and emails (ADDRESS_LOG_HOURS)
    "consult.core.audit",  # the audit trail (AUDIT_RETENTION_DAYS)
    "consult.accounts.purges",  # login sessions (LOGIN_SESSION_DAYS)
    "consult.accounts.erasure",  # inactive accounts, warned first (INACTIVE_ACCOUNT_MONTHS)
    "consult.surveys.purges",  # drafts and resume keys, panel addresses, raw answers of closed surveys
    "consult.groups.purges",  # names of attendees without an account (ATTENDANCE_RETENTION_MONTHS)
    "consult.diagnostic.purges",  # territory-wide files (EXPORT_RETENTION_HOURS)
)


def load_purges() -> dict[str, retention.Period]:
    """Import every module that registers a purge; the registry, complete."""
    for module in PURGE_MODULES:
        importlib.import_module(module)
    return retention.PERIODS


def purge(now: dt.datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Run every purge at `now` in one transaction and record the counts; with `dry_run`, count and roll back."""
    load_purges()
    try:
        if dry_run:
            with retention.dry_run():
                return retention.run(now)
        counts = retention.run(now)
        audit.record("purge", detail=counts)
        db.session.commit()
        return counts
    finally:
        db.session.rollback()


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be removed, remove nothing.")
@click.option("--now", "moment", type=click.DateTime(), default=None,
              help="Pretend it is this moment (UTC, e.g. 2027-01-31T03:00:00); for tests and catching up.")
@with_appcontext
def purge_command(dry_run: bool, moment: dt.datetime | None) -> None:
    """Remove what is past its retention period (run daily); print how many of each, never what."""
    counts = purge(moment or utcnow(), dry_run=dry_run)
    for name, count in counts.items():
        period = retention.PERIODS[name]
        click.echo(f"{name}: {count} ({period.config_key} = {period.length} {period.unit})")
    click.echo("Dry run: nothing was removed." if dry_run else f"{sum(counts.values())} removed in all.")
