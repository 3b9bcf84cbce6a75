"""`flask surveys purge-drafts`: forget unfinished answers after their lifetime."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from consult.core.models import utcnow
from consult.extensions import db
from consult.surveys.answering.respond import DRAFT_LIFETIME_DAYS, purge_stale_drafts

surveys_cli = AppGroup("surveys", help="Survey maintenance.")


@surveys_cli.command("purge-drafts")
@click.option("--days", default=DRAFT_LIFETIME_DAYS, show_default=True, help="Keep drafts touched within this many days.")
def purge_drafts_command(days: int) -> None:
    """Delete unfinished survey answers untouched for DAYS days (run daily from cron)."""
    removed = purge_stale_drafts(utcnow().date(), days=days)
    db.session.commit()
    click.echo(f"{removed} unfinished survey answer(s) deleted.")
