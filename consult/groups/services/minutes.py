"""Minutes of a meeting and the ideas raised there, tied to the axes of the territory's current contract."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.errors import Conflict, InvalidInput
from consult.extensions import db
from consult.groups.services.schedule import require_coordinator
from consult.groups.models import Idea, Meeting
from consult.territories.models import Axis, Contract, Objective, Territory

MAX_MINUTES_LENGTH = 50_000
MAX_IDEA_LENGTH = 2_000


def save_minutes(actor, meeting: Meeting, text: str, *, now: dt.datetime) -> None:
    """Write or correct the minutes (Markdown). Raises PermissionDenied, Conflict (cancelled or not started),
    InvalidInput (too long)."""
    require_coordinator(actor, meeting.territory)
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting was cancelled: it has no minutes."))
    if meeting.starts_at > now:
        raise Conflict(_("Minutes can be written once the meeting has started."))
    if len(text) > MAX_MINUTES_LENGTH:
        raise InvalidInput(_("The minutes are too long."), field="minutes")
    meeting.minutes = text.strip()
    if not meeting.minutes:
        meeting.minutes_published_at = None
    meeting.updated_at = now
    db.session.flush()


def publish_minutes(actor, meeting: Meeting, *, now: dt.datetime) -> None:
    """Show the minutes on the meeting page. Raises PermissionDenied, Conflict (no minutes, already published)."""
    require_coordinator(actor, meeting.territory)
    if not meeting.minutes.strip():
        raise Conflict(_("Write the minutes before publishing them."))
    if meeting.minutes_published_at is not None:
        raise Conflict(_("The minutes are already published."))
    meeting.minutes_published_at = now
    db.session.flush()


def unpublish_minutes(actor, meeting: Meeting) -> None:
    """Hide the minutes again. Raises PermissionDenied, Conflict (not published)."""
    require_coordinator(actor, meeting.territory)
    if meeting.minutes_published_at is None:
        raise Conflict(_("The minutes are not published."))
    meeting.minutes_published_at = None
    db.session.flush()


def contract_axes(territory: Territory) -> list[Axis]:
    """The axes an idea may be tied to: the current contract's, not archived, with their objectives (one statement;
    a contract has a handful of axes and objectives)."""
    contract = db.session.execute(
        select(Contract).where(Contract.territory_id == territory.id, Contract.is_current.is_(True))
        .options(joinedload(Contract.axes).joinedload(Axis.objectives))).unique().scalar_one_or_none()
    return contract.active_axes if contract is not None else []


@dataclass
class IdeaData:
    """An idea raised in a meeting."""

    text: str
    axis_id: int | None
    objective_id: int | None = None


def add_idea(actor, meeting: Meeting, data: IdeaData, *, now: dt.datetime) -> Idea:
    """Record an idea tied to an axis of the territory's current contract and optionally one of its objectives.

    Raises PermissionDenied, Conflict (cancelled, not started), InvalidInput (text, axis of another territory or
    contract, objective of another axis).
    """
    require_coordinator(actor, meeting.territory)
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting was cancelled."))
    if meeting.starts_at > now:
        raise Conflict(_("Ideas can be recorded once the meeting has started."))
    text = data.text.strip()
    if not text or len(text) > MAX_IDEA_LENGTH:
        raise InvalidInput(_("Write the idea (2,000 characters at most)."), field="text")
    axis = next((a for a in contract_axes(meeting.territory) if a.id == data.axis_id), None)
    if axis is None:
        raise InvalidInput(_("Choose an axis of the territory's current contract."), field="axis_id")
    objective = None
    if data.objective_id is not None:
        objective = db.session.get(Objective, data.objective_id)
        if objective is None or objective.axis_id != axis.id or objective.archived_at is not None:
            raise InvalidInput(_("Choose an objective of the chosen axis, or none."), field="objective_id")
    idea = Idea(meeting=meeting, axis=axis, objective=objective, text=text, created_at=now, updated_at=now)
    db.session.add(idea)
    db.session.flush()
    return idea


def delete_idea(actor, idea: Idea) -> None:
    """Remove an idea. Raises PermissionDenied."""
    require_coordinator(actor, idea.meeting.territory)
    db.session.delete(idea)
    db.session.flush()


def ideas_by_axis(territory: Territory) -> list[tuple[Axis, list[Idea]]]:
    """Ideas of the territory's meetings grouped by axis of the current contract (axes without ideas included),
    oldest meeting first — the material of the synthesis."""
    axes = contract_axes(territory)
    ideas = db.session.scalars(select(Idea).join(Meeting).where(
        Meeting.territory_id == territory.id, Idea.axis_id.in_([a.id for a in axes]))
        .order_by(Meeting.starts_at, Idea.id).options(joinedload(Idea.meeting), joinedload(Idea.objective)))
    grouped: dict[int, list[Idea]] = {a.id: [] for a in axes}
    for idea in ideas:
        grouped[idea.axis_id].append(idea)
    return [(axis, grouped[axis.id]) for axis in axes]
