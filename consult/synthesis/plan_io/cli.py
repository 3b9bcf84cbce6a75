"""`flask plan import SLUG FILE --contract GENERATION [--create-axes]`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from consult.core.cli import cli_operator
from consult.core.models import utcnow
from consult.errors import ImportRejected
from consult.extensions import db
from consult.synthesis.plan_io.importer import import_plan
from consult.territories.models import Contract, territory_by_slug

plan_cli = AppGroup("plan", help="Action plans: import fiches from a spreadsheet.")


@plan_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--contract", "generation", type=click.IntRange(1, 1000), required=True,
              help="Generation of the contract to import into (1 for CLS 1…).")
@click.option("--create-axes", is_flag=True, help="Create the axes and objectives the file names and the contract "
                                                  "lacks (otherwise those lines are errors).")
def import_command(slug: str, file: Path, generation: int, create_axes: bool) -> None:
    """Import the fiches of FILE (XLSX, ODS or CSV, one line per fiche) into a contract of territory SLUG; all
    or nothing: every bad line is listed and nothing is imported."""
    territory = territory_by_slug(slug)
    if territory is None:
        raise click.ClickException(f"no territory with slug {slug!r}")
    contract = db.session.scalar(select(Contract).where(Contract.territory_id == territory.id,
                                                        Contract.generation == generation))
    if contract is None:
        raise click.ClickException(f"territory {slug!r} has no contract of generation {generation}")
    try:
        report = import_plan(cli_operator(), contract, file.read_bytes(), filename=file.name,
                             create_missing=create_axes, now=utcnow())
    except ImportRejected as error:
        db.session.rollback()
        click.echo(error.message, err=True)
        for line, column, message in error.problems:
            click.echo(f"  line {line}" + (f", {column}" if column else "") + f": {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"{len(report.fiches)} fiche(s) imported into {contract.title!r}"
               + (f"; {report.axes_created} axis(es) and {report.objectives_created} objective(s) created."
                  if report.axes_created or report.objectives_created else "."))
