"""`flask --app wsgi seed-volume`: the volumes of a regional platform, for benchmarks and page budgets."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext


@click.command("seed-volume")
@click.option("--territories", type=int, default=None, help="New territories to create and fill [default: 1, or 0 "
              "with --into].")
@click.option("--into", "into", metavar="SLUG", default=None,
              help="Also fill this existing territory (e.g. terres-des-confluences: its survey and latest call).")
@click.option("--responses", default=1000, show_default=True, help="Survey responses per territory.")
@click.option("--proposals", default=100, show_default=True, help="Proposals per territory.")
@click.option("--supports", default=1000, show_default=True, help="Supports per territory (one per person and "
              "proposal).")
@click.option("--comments", default=200, show_default=True, help="Comments per territory.")
@click.option("--members", default=300, show_default=True, help="Accounts per territory (a fifth sign up to "
              "working groups).")
@click.option("--meetings", default=20, show_default=True, help="Meetings and events per territory.")
@click.option("--seed", default=1, show_default=True, help="Random seed: the same seed gives the same data.")
@click.option("--password", default=None, help="Password of every account created (default: a random one, "
              "never shown).")
@with_appcontext
def seed_volume_command(territories: int | None, into: str | None, responses: int, proposals: int, supports: int,
                        comments: int, members: int, meetings: int, seed: int, password: str | None) -> None:
    """Fill territories with realistic data in bulk (counts are per territory)."""
    from consult.volume.seed import Volume, VolumeRefused, seed_volume  # a benchmark's tool: never in a web worker

    territories = (0 if into else 1) if territories is None else territories
    if min(territories, responses, proposals, supports, comments, members, meetings) < 0:
        raise click.UsageError("Counts cannot be negative.")
    started = time.perf_counter()
    volume = Volume(responses=responses, proposals=proposals, supports=supports, comments=comments,
                    members=members, meetings=meetings)
    try:
        filled = seed_volume(volume, territories=territories, into=into, seed=seed,
                             password=password, report=click.echo)
    except VolumeRefused as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{len(filled)} territories filled in {time.perf_counter() - started:.1f} s: "
               + ", ".join(t.slug for t in filled))
