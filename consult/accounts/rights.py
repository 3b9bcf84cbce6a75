"""What Consult holds about a person (GDPR articles 15 and 20): every capability's part, in one ZIP of JSON and CSV.

Each capability registers what it holds with `@holds_personal_data(name, title, columns, count=…)`: a function
returning the person's rows as dicts of plain values, and (optional) how to count them in SQL — the "My data" page
shows only how many rows each section holds, and counts every section that says how in one statement. The account's own sections are registered here; the app factory imports the
capabilities' `rights` modules (see `consult.register_personal_data`).
"""
from __future__ import annotations

import datetime as dt
import enum
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.orm import joinedload

from consult.accounts.models import LoginSession, TerritoryRole, User
from consult.core.audit import AuditEvent
from consult.exports.writers import csv_chunks
from consult.extensions import db

Row = dict[str, object]


@dataclass(frozen=True)
class Section:
    """One kind of data held about a person: its file name, its title on the "My data" page, its columns."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: Callable[[User], list[Row]]
    count: Callable[[User], ColumnElement] | None = None


SECTIONS: dict[str, Section] = {}


def holds_personal_data(name: str, title, columns: tuple[str, ...], *,
                        count: Callable[[User], ColumnElement] | None = None):
    """Register `function(user) -> rows` as the section `name` of everyone's data (`title`: a lazy string);
    `count(user)`, a SQL expression (`counted(select…)`), gives exactly how many rows the function returns."""

    def register(function: Callable[[User], list[Row]]):
        SECTIONS[name] = Section(name, title, columns, function, count)
        return function

    return register


def counted(statement: Select) -> ColumnElement:
    """How many rows `statement` finds, as a column of the one statement that counts every section."""
    return select(func.count()).select_from(statement.subquery()).scalar_subquery()


def section_counts(user: User) -> dict[str, int]:
    """How many rows each section holds for `user`, in registration order: the sections that say how to count
    them in one statement, the others by reading their rows."""
    countable = [section for section in SECTIONS.values() if section.count is not None]
    found = dict(zip([section.name for section in countable], db.session.execute(
        select(*(section.count(user) for section in countable))).one())) if countable else {}
    return {section.name: found[section.name] if section.name in found else len(section.rows(user))
            for section in SECTIONS.values()}


def plain(value) -> object:
    """A value JSON and CSV both keep as it is: dates as ISO 8601, enums as their value."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def personal_data(user: User) -> dict[str, list[Row]]:
    """Every section's rows for `user`, with exactly the section's columns, in registration order."""
    return {section.name: [{column: plain(row.get(column)) for column in section.columns}
                           for row in section.rows(user)]
            for section in SECTIONS.values()}


def personal_data_zip(user: User, *, now: dt.datetime) -> bytes:
    """The "My data" archive: data.json (every section), one CSV per section and a short README."""
    data = personal_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(now))
        archive.writestr("data.json", json.dumps({"exported_at": now.isoformat(), "sections": data},
                                                 ensure_ascii=False, indent=2))
        for section in SECTIONS.values():
            rows = [[row[column] for column in section.columns] for row in data[section.name]]
            archive.writestr(f"{section.name}.csv", "".join(csv_chunks([list(section.columns), *rows])))
    return buffer.getvalue()


def _readme(now: dt.datetime) -> str:
    lines = [_("Everything Consult holds about you, on %(date)s (UTC).", date=now.strftime("%Y-%m-%d %H:%M")),
             _("data.json holds all of it. Each CSV file holds one part, for a spreadsheet:"), ""]
    lines += [f"{section.name}.csv — {section.title}" for section in SECTIONS.values()]
    return "\n".join(lines) + "\n"


# --- the account itself ------------------------------------------------------------------------------------------

@holds_personal_data("account", _l("Your account"), (
    "email", "display_name", "commune", "category", "structure", "locale", "created_at", "email_confirmed_at",
    "privacy_consent_at", "last_active_at", "is_admin"), count=lambda user: literal(1))
def _account(user: User) -> list[Row]:
    return [{
        "email": user.email, "display_name": user.display_name, "commune": user.commune.name if user.commune else None,
        "category": user.category, "structure": user.structure, "locale": user.locale, "created_at": user.created_at,
        "email_confirmed_at": user.email_confirmed_at, "privacy_consent_at": user.privacy_consent_at,
        "last_active_at": user.last_active_at, "is_admin": user.is_admin,
    }]


def _roles_of(user: User) -> Select:
    return select(TerritoryRole).where(TerritoryRole.user_id == user.id)


@holds_personal_data("roles", _l("Your roles in territories"), ("territory", "role", "since"),
                     count=lambda user: counted(_roles_of(user)))
def _roles(user: User) -> list[Row]:
    roles = db.session.scalars(_roles_of(user).order_by(TerritoryRole.id).options(joinedload(TerritoryRole.territory)))
    return [{"territory": role.territory.name, "role": role.role, "since": role.created_at} for role in roles]


def _sessions_of(user: User) -> Select:
    return select(LoginSession.created_at).where(LoginSession.user_id == user.id)


@holds_personal_data("login_sessions", _l("Your open logins (dates only)"), ("opened_at",),
                     count=lambda user: counted(_sessions_of(user)))
def _sessions(user: User) -> list[Row]:
    opened = db.session.scalars(_sessions_of(user).order_by(LoginSession.created_at))
    return [{"opened_at": moment} for moment in opened]


def _audit_of(user: User) -> Select:
    return select(AuditEvent).where(or_(AuditEvent.actor_id == user.id, AuditEvent.target == f"user:{user.id}"))


@holds_personal_data("audit_events", _l("Recorded actions by you or about you"),
                     ("at", "action", "territory_id", "target", "detail"), count=lambda user: counted(_audit_of(user)))
def _audit(user: User) -> list[Row]:
    events = db.session.scalars(_audit_of(user).order_by(AuditEvent.at))
    return [{"at": event.at, "action": event.action, "territory_id": event.territory_id, "target": event.target,
             "detail": json.dumps(event.detail, sort_keys=True)} for event in events]
