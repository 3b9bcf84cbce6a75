"""`flask territory import-communes SLUG FILE`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from consult.core.cli import cli_operator
from consult.errors import ImportRejected
from consult.extensions import db
from consult.territories.models import territory_by_slug
from consult.territories.services import import_communes

territory_cli = AppGroup("territory", help="Manage territories.")


@territory_cli.command("import-communes")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_communes_command(slug: str, file: Path) -> None:
    """Import or update the communes of territory SLUG from a CSV FILE (all or nothing)."""
    territory = territory_by_slug(slug)
    if territory is None:
        raise click.ClickException(f"no territory with slug {slug!r}")
    try:
        report = import_communes(cli_operator(), territory, file.read_bytes())
    except ImportRejected as error:
        db.session.rollback()
        click.echo(error.message, err=True)
        for line, message in error.problems:
            click.echo(f"  line {line}: {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged.")
