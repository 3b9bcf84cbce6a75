"""`flask create-admin`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.accounts.services import create_admin
from consult.extensions import db


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", default="Administration", show_default=True)
@click.password_option()
@with_appcontext
def create_admin_command(email: str, display_name: str, password: str) -> None:
    """Create a site administrator (or promote the account with this email)."""
    if len(password) < 12:
        raise click.BadParameter("the password needs at least 12 characters", param_hint="password")
    user = create_admin(email, password, display_name)
    db.session.commit()
    click.echo(f"Administrator ready: {user.email}")
