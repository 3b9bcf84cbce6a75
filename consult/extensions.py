"""Flask extensions, created unbound and bound to the app by create_app()."""
from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click
from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from flask_migrate import Migrate

# Named constraints so that Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --------------------------------------------------------------------------- migrations, imported when they run
# Importing Flask-Migrate imports Alembic (with Mako and Pygments): ~11 MB and ~0.15 s in every web worker and every
# `flask` process, when only `flask db …`, the backup's restore and the migration tests use it. `LazyMigrate.init_app`
# puts in app.extensions["migrate"] what Flask-Migrate's own init_app puts there (what its functions and
# migrations/env.py read: migrate, db, directory, configure_args), the Migrate object made at first use, and adds
# `flask db`, a command group imported when it runs.

class MigrationSettings:
    """app.extensions["migrate"]: the database, the scripts' folder and the options given to Alembic's context."""

    def __init__(self, database: SQLAlchemy, directory: str, configure_args: dict[str, Any]) -> None:
        self.db = database
        self.directory = directory
        self.configure_args = configure_args

    @cached_property
    def migrate(self) -> Migrate:
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory, **self.configure_args)

    @property
    def metadata(self) -> MetaData:
        return self.db.metadata


class LazyGroup(click.Group):
    """A command group listed with its help, imported (by `load`) only when it is called."""

    def __init__(self, name: str, load: Callable[[], click.Group], help: str) -> None:
        super().__init__(name, help=help)
        self._load = load

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self._load().make_context(info_name, args, parent=parent, **extra)


def _migration_commands() -> click.Group:
    from flask_migrate.cli import db as commands

    return commands


class LazyMigrate:
    """Stands for flask_migrate.Migrate(): the same init_app, nothing imported until a migration runs."""

    def init_app(self, app: Flask, database: SQLAlchemy, directory: str = "migrations", *,
                 compare_type: bool = True, render_as_batch: bool = True, **kwargs: Any) -> None:
        options = {**kwargs, "compare_type": compare_type, "render_as_batch": render_as_batch}
        app.extensions["migrate"] = MigrationSettings(database, str(directory), options)
        app.cli.add_command(LazyGroup("db", _migration_commands, help="Perform database migrations."))


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
