"""Reading the audit trail: one territory's events (its coordinators) or every territory's (site admins), filtered
by action, person and month, newest first, a page at a time, with the names of the people who acted."""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, distinct, func, select

from consult.accounts.models import User
from consult.core.audit import ACTIONS, AuditEvent
from consult.core.db import LARGEST_ID
from consult.extensions import db
from consult.territories.models import Role, Territory

PER_PAGE = 50
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class AuditFilters:
    """What the reader asked for; values that mean nothing are left out (None or "")."""

    action: str = ""
    actor_id: int | None = None
    month: str = ""  # YYYY-MM
    page: int = 1


@dataclass
class AuditLine:
    """One event as the page shows it."""

    event: AuditEvent
    action_label: str
    actor_name: str
    territory_name: str
    target_label: str
    detail_label: str


@dataclass
class AuditPage:
    """A page of events, the choices of the filters and where the page stands."""

    lines: list[AuditLine]
    total: int
    page: int
    pages: int
    actions: list[tuple[str, str]] = field(default_factory=list)
    people: list[tuple[int, str]] = field(default_factory=list)


def parse_month(value: str) -> tuple[dt.datetime, dt.datetime] | None:
    """The first instant of the month "YYYY-MM" and of the next one, or None for anything else."""
    found = MONTH.match(value or "")
    if found is None:
        return None
    year, month = int(found[1]), int(found[2])
    if not 1 <= year <= 9998:
        return None
    start = dt.datetime(year, month, 1)
    return start, dt.datetime(year + month // 12, month % 12 + 1, 1)


def read_filters(args) -> AuditFilters:
    """The filters from a query string: an unknown action, a person id out of range or a malformed month is ignored."""
    action = args.get("action", "")
    actor = args.get("person", "")
    page = args.get("page", "")
    month = args.get("month", "")
    return AuditFilters(
        action=action if re.fullmatch(r"[a-z_.]{1,60}", action or "") else "",
        actor_id=int(actor) if actor.isdigit() and 0 < int(actor) <= LARGEST_ID else None,
        month=month if parse_month(month) else "",
        page=int(page) if page.isdigit() and 0 < int(page) <= LARGEST_ID else 1,
    )


def _scoped(statement: Select, territory: Territory | None) -> Select:
    return statement if territory is None else statement.where(AuditEvent.territory_id == territory.id)


def action_label(action: str) -> str:
    """The action in words (its code when Consult has no words for it)."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def _target_label(target: str, names: dict[int, str]) -> str:
    kind, _sep, ident = target.partition(":")
    kinds = {"survey": _("survey no. %(id)s"), "group": _("working group no. %(id)s"),
             "meeting": _("meeting no. %(id)s"), "call": _("call for proposals no. %(id)s"),
             "proposal": _("proposal no. %(id)s"), "comment": _("comment no. %(id)s"),
             "report": _("report no. %(id)s"), "job": _("file no. %(id)s"), "fiche": _("fiche action no. %(id)s"),
             "territory": _("the whole territory")}
    if kind == "user" and ident.isdigit():
        return names.get(int(ident)) or _("a deleted account")
    if kind in kinds and ident:
        return kinds[kind] % {"id": ident}
    return target


def _file_label(name: str) -> str:
    """A downloaded file in words (its code for files named nowhere else)."""
    if re.fullmatch(r"release-\d+-(tables|method)", name or ""):
        return _("release no. %(number)s", number=name.split("-")[1])
    labels = {"responses-pseudonymised": _("Pseudonymised responses"),
              "responses-k-anonymous": _("k-anonymous responses"), "codebook": _("Dictionary of codes"), "roster": _("Roster"), "attendance": _("Attendance"),
              "proposals": _("Proposals")}
    return str(labels.get(name, name))


def _detail_label(detail: dict) -> str:
    """Counts and settings in words (the trail never holds an answer, a name or an address)."""
    parts = []
    for key, value in (detail or {}).items():
        if key == "answers":
            parts.append(ngettext("%(num)d answer shown", "%(num)d answers shown", int(value)))
        elif key == "people":
            parts.append(ngettext("%(num)d person", "%(num)d people", int(value)))
        elif key == "into":
            parts.append(_("into proposal no. %(id)s", id=value))
        elif key in ("role", "previous_role") and value in set(Role):
            label = Role(value).label
            parts.append(str(label) if key == "role" else _("before: %(value)s", value=label))
        elif key == "file":
            parts.append(_file_label(str(value)))
        elif key == "format":
            parts.append(str(value).upper())
        elif key in ("before", "after"):
            shown = value if value is not None else _("the site's rule")
            parts.append(_("before: %(value)s", value=shown) if key == "before" else _("after: %(value)s", value=shown))
        elif value not in (None, "", {}):
            parts.append(f"{value}" if key == "variant" else f"{key}: {value}")
    return ", ".join(parts)


def audit_page(territory: Territory | None, filters: AuditFilters) -> AuditPage:
    """The events of `territory` (every territory when None) matching `filters`, newest first, PER_PAGE at a time;
    a page beyond the last shows the last."""
    query = _scoped(select(AuditEvent), territory)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.month:
        start, end = parse_month(filters.month)
        query = query.where(AuditEvent.at >= start, AuditEvent.at < end)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(filters.page, pages)
    events = list(db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                     .offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    targets = {int(e.target.partition(":")[2]) for e in events
               if e.target.startswith("user:") and e.target[5:].isdigit() and int(e.target[5:]) <= LARGEST_ID}
    wanted = {e.actor_id for e in events if e.actor_id is not None} | targets
    names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).tuples().all())
    territories = {} if territory is not None else dict(db.session.execute(select(Territory.id, Territory.name).where(
        Territory.id.in_({e.territory_id for e in events if e.territory_id is not None}))).tuples().all())
    lines = [AuditLine(
        event=e, action_label=action_label(e.action),
        actor_name=(names.get(e.actor_id, "") if e.actor_id is not None
                    else _("Consult (command line or automatic task)")),
        territory_name=territories.get(e.territory_id, "") if territory is None else territory.name,
        target_label=_target_label(e.target, names), detail_label=_detail_label(e.detail)) for e in events]
    return AuditPage(lines=lines, total=total, page=page, pages=pages,
                     actions=_action_choices(territory), people=_people_choices(territory))


def _action_choices(territory: Territory | None) -> list[tuple[str, str]]:
    """Every action Consult records, and any other found in the trail."""
    found = set(db.session.scalars(_scoped(select(distinct(AuditEvent.action)), territory)))
    codes = list(ACTIONS) + sorted(found - set(ACTIONS))
    return [(code, action_label(code)) for code in codes]


def _people_choices(territory: Territory | None) -> list[tuple[int, str]]:
    """The people who appear in the trail as actors, by name."""
    actors = _scoped(select(distinct(AuditEvent.actor_id)), territory).where(AuditEvent.actor_id.is_not(None))
    return [(row.id, row.display_name) for row in db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(actors)).order_by(func.lower(User.display_name)))]
