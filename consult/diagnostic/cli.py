"""`flask export diagnostic|action-plan|purge` (build a territory-wide file now, delete the expired ones) and
`flask worker` (the Huey consumer that builds the files asked for on the site)."""
from __future__ import annotations

import datetime as dt
import logging
import traceback
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from consult.core.db import reads_only
from consult.core.models import utcnow
from consult.diagnostic import kinds, services
from consult.diagnostic.jobs import jobs, task_context
from consult.extensions import db
from consult.territories.models import Territory, territory_by_slug

export_cli = AppGroup("export", help="Territory-wide files: build one now, or delete the expired ones.")

# `export diagnostic`: the format chooses the file — the workbook, the data package or the report.
DIAGNOSTIC_FORMATS = {"ods": "workbook", "xlsx": "workbook", "csv": "datapackage", "json": "datapackage",
                      "pdf": "report", "odt": "report"}
ACTION_PLAN_FORMATS = ("pdf", "odt", "ods", "xlsx", "csv", "json")
LANGUAGES = ("fr", "en")


def _progress(label: str):
    """A progress callback writing `label: 40 % (2/5)` to stderr each time the percentage moves."""
    shown = [-1]

    def show(done: int, total: int) -> None:
        percent = min(100, done * 100 // total) if total else 0
        if percent != shown[0]:
            shown[0] = percent
            click.echo(f"{label}: {percent} % ({done}/{total})", err=True)

    return show


def _build(slug: str, key: str, fmt: str, output: Path, *, lang: str | None, options: dict[str, str]) -> None:
    """Build one file into `output` (through a temporary file next to it), progress on stderr."""
    territory = territory_by_slug(slug) if "\x00" not in slug else None
    if territory is None:
        raise click.ClickException(f"no territory has the address {slug!r} (see /admin/ for the list)")
    kind = kinds.KINDS[key]
    locale = lang or current_app.config["BABEL_DEFAULT_LOCALE"]
    partial = output.with_name(f".{output.name}.part")
    territory_id = territory.id
    db.session.rollback()
    try:
        with task_context(current_app), reads_only(), force_locale(locale), partial.open("wb") as target:
            kinds.build(key, db.session.get(Territory, territory_id), fmt, target,
                        progress=_progress(f"{key} {fmt}"), options=options if kind.records else {})
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"could not write {output}: {error.strerror or error}") from error
    except Exception as error:
        partial.unlink(missing_ok=True)
        traceback.print_exc()
        raise click.ClickException(f"the file could not be built ({type(error).__name__}, see above)") from error
    click.echo(f"{output} written ({output.stat().st_size} bytes)")


def _output_option(command):
    return click.option("--output", "-o", required=True, help="Where to write the file.",
                        type=click.Path(dir_okay=False, writable=True, path_type=Path))(command)


def _lang_option(command):
    return click.option("--lang", type=click.Choice(LANGUAGES), default=None,
                        help="Language of the file (default: the site's, French).")(command)


@export_cli.command("diagnostic")
@click.argument("slug")
@click.option("--format", "fmt", required=True, type=click.Choice(list(DIAGNOSTIC_FORMATS)),
              help="ods or xlsx: the workbook; csv or json: the data package (a ZIP); pdf or odt: the report.")
@_output_option
@_lang_option
@click.option("--variant", type=click.Choice(services.VARIANTS), default=services.K_ANONYMOUS, show_default=True,
              help="The data package's responses.")
@click.option("--texts/--no-texts", default=False, help="Include free texts in the data package's responses.")
def diagnostic_command(slug: str, fmt: str, output: Path, lang: str | None, variant: str, texts: bool) -> None:
    """Build the diagnostic of territory SLUG: its workbook, data package or report, as --format says."""
    _build(slug, DIAGNOSTIC_FORMATS[fmt], fmt, output, lang=lang,
           options={"variant": variant, "texts": "1" if texts else "0"})


@export_cli.command("action-plan")
@click.argument("slug")
@click.option("--format", "fmt", required=True, type=click.Choice(ACTION_PLAN_FORMATS),
              help="pdf or odt: the book of fiches actions; ods, xlsx: their table; csv, json: a data package (ZIP).")
@_output_option
@_lang_option
def action_plan_command(slug: str, fmt: str, output: Path, lang: str | None) -> None:
    """Build the action plan (fiches actions) of territory SLUG."""
    _build(slug, "action-plan", fmt, output, lang=lang, options={})


@export_cli.command("purge")
@click.option("--now", "now", type=str, default=None,
              help="Pretend it is this time (ISO 8601, UTC unless an offset is given); for tests.")
def purge_command(now: str | None) -> None:
    """Delete the files of the jobs whose time is up (the workers also do it every 15 minutes)."""
    try:
        moment = dt.datetime.fromisoformat(now) if now else utcnow()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--now") from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    deleted = services.purge_expired(moment)
    db.session.commit()
    click.echo(f"{deleted} expired file{'' if deleted == 1 else 's'} deleted")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Files built at once (threads).")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the background worker that builds the files asked for on the site (stop it with Ctrl-C)."""
    queue = jobs()
    if queue.huey.immediate:
        raise click.ClickException("HUEY_IMMEDIATE is on: jobs run in the web requests, there is nothing to work on")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Polling SQLite at least every second: a file asked for starts building within a second (Redis blocks instead).
    queue.huey.create_consumer(workers=workers, worker_type="thread", max_delay=1.0).run()
