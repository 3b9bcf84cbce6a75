"""`flask surveys purge-drafts`: forget unfinished answers after their lifetime; `flask surveys release`: make
a new release of a survey's results on a schedule."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from consult.core.models import utcnow
from consult.errors import Conflict
from consult.extensions import db
from consult.surveys.answering.respond import purge_stale_drafts
from consult.surveys.models import Survey
from consult.surveys.releases.services import freeze_release

surveys_cli = AppGroup("surveys", help="Survey maintenance.")


@surveys_cli.command("purge-drafts")
@click.option("--days", type=int, default=None, help="Keep drafts touched within this many days "
              "(default: DRAFT_RETENTION_DAYS).")
def purge_drafts_command(days: int | None) -> None:
    """Delete unfinished survey answers untouched for DAYS days (`flask purge` does it with every other period)."""
    removed = purge_stale_drafts(utcnow().date(), days=days)
    db.session.commit()
    click.echo(f"{removed} unfinished survey answer(s) deleted.")


@surveys_cli.command("release")
@click.argument("survey_id", type=int)
def release_command(survey_id: int) -> None:
    """Make a new release of survey SURVEY_ID's results (e.g. weekly from cron); refused, with the reason,
    until at least k responses have arrived since the previous release."""
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"No survey {survey_id}.")
    try:
        made = freeze_release(survey, now=utcnow())
    except Conflict as refusal:
        db.session.rollback()
        raise click.ClickException(refusal.message) from None
    db.session.commit()
    click.echo(f"Release {made.number} of survey {survey_id}: {made.responses} responses, k = {made.k}, "
               f"{made.audit['seconds']} s.")
