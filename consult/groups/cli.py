"""`flask send-reminders`: email the people expected at meetings of the next 48 hours (run from cron)."""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from consult.core.models import utcnow
from consult.groups.services.reminders import send_reminders
from consult.groups.views.calendar import meeting_ics_url, meeting_page_url


def _naive_utc(value: dt.datetime | None) -> dt.datetime:
    """--now as naive UTC: an aware value is converted, a naive one is taken as UTC."""
    if value is None:
        return utcnow()
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


@click.command("send-reminders")
@click.option("--now", "now", type=str, default=None,
              help="Pretend it is this time (ISO 8601, UTC unless an offset is given); for tests.")
@with_appcontext
def send_reminders_command(now: str | None) -> None:
    """Remind everyone expected at a meeting starting within 48 hours; each person is reminded once."""
    try:
        moment = _naive_utc(dt.datetime.fromisoformat(now) if now else None)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--now") from error
    # Links in the messages are built from SITE_URL, outside of any web request.
    with current_app.test_request_context("/"):
        run = send_reminders(now=moment, page_url=meeting_page_url, ics_url=meeting_ics_url)
    for meeting_id, email, error in run.failed:
        click.echo(f"reminder not sent: meeting {meeting_id} to {email}: {error}", err=True)
    summary = f"{run.sent} reminder{'' if run.sent == 1 else 's'} sent"
    click.echo(summary if not run.failed else f"{summary}, {len(run.failed)} failed (retried on the next run)")
    if run.failed:
        raise SystemExit(1)
