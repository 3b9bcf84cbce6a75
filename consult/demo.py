"""`flask seed-demo`: asks each package for its part of the demo, in the order their data depends on."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.core.cli import cli_operator
from consult.core.models import utcnow
from consult.extensions import db
from consult.territories.models import territory_by_slug

# Each package's demo (texts, answers, fiches) is imported when the demo is loaded, never by starting the app
# (`register_commands` only names the command): a web worker does not hold it (tests/core/test_imports.py).


def seed_demo(*, survey_responses: int = 320) -> None:
    """Load the demo territories, accounts, survey, working groups, call for proposals and action plan
    (idempotent)."""
    from consult.accounts.demo import seed_accounts
    from consult.groups.demo import seed_groups
    from consult.proposals.demo import seed_proposals
    from consult.surveys.demo import seed_survey
    from consult.synthesis.demo import seed_plan
    from consult.territories.demo import seed_territories

    seed_territories()
    db.session.flush()
    seed_accounts()
    seed_survey(territory_by_slug("terres-des-confluences"), cli_operator(), count=survey_responses)
    # Dates of the demo follow the day it is loaded, on the hour (windows read "until 2 January 2027, 08:00").
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    seed_groups(territory_by_slug("terres-des-confluences"), cli_operator(), now=now)
    seed_proposals(territory_by_slug("terres-des-confluences"), cli_operator(), now=now)
    seed_plan(territory_by_slug("terres-des-confluences"), cli_operator(), now=now)


@click.command("seed-demo")
@click.option("--publish-results", is_flag=True,
              help="Also make and publish a first release of the demo survey's results (about 12 s).")
@with_appcontext
def seed_demo_command(publish_results: bool) -> None:
    """Load demo territories (real communes) and demo accounts; running it again changes nothing."""
    from consult.accounts.demo import DEMO_ACCOUNTS
    from consult.surveys.demo import publish_demo_results
    from consult.synthesis.demo import cite_survey_figures

    seed_demo()
    db.session.commit()
    if publish_results and publish_demo_results(territory_by_slug("terres-des-confluences"),
                                                now=utcnow().replace(microsecond=0)):
        cite_survey_figures(territory_by_slug("terres-des-confluences"))  # the fiches quote the new release
        db.session.commit()
        click.echo("Survey results: release no. 1 made and published.")
    click.echo("Demo data ready. Accounts (email / password):")
    for email, password, name, *_rest in DEMO_ACCOUNTS:
        click.echo(f"  {name:45} {email:42} {password}")
