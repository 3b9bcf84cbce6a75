"""Follow-up of a fiche: its steps' states, its indicators' values per year, dated notes."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from consult.errors import InvalidInput, PermissionDenied
from consult.extensions import db
from consult.synthesis.fiches.versions import keep_version
from consult.synthesis.models import (
    Fiche,
    FollowUpNote,
    Indicator,
    IndicatorValue,
    StatusChange,
    Step,
    StepState,
)
from consult.synthesis.models.governance import BodySession, Decision
from consult.synthesis.permissions import can_manage_plan

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _require(actor, fiche: Fiche) -> None:
    if not can_manage_plan(actor, fiche.territory):
        raise PermissionDenied(_("You are not allowed to do this."))


def set_step_state(actor, step: Step, state: StepState, *, done_on: dt.date | None, today: dt.date) -> Step:
    """Set a step to do, under way or done; a done step keeps the day it was done (today when not given, never
    later than today); a step no longer done forgets it. Raises PermissionDenied, InvalidInput."""
    _require(actor, step.fiche)
    if state is StepState.DONE:
        done_on = done_on or step.done_on or today
        if done_on > today:
            raise InvalidInput(_("A step cannot be done after today."), field="done_on")
    else:
        done_on = None
    step.state, step.done_on = state, done_on
    db.session.flush()
    return step


def add_step(actor, fiche: Fiche, title: str, *, due_on: dt.date | None, now: dt.datetime) -> Step:
    """Add a step at the end of the fiche's steps (steps are part of what the fiche says: a version is kept).
    The same title twice is one step (a double click). Raises PermissionDenied."""
    _require(actor, fiche)
    title = title.strip()
    for step in fiche.steps:
        if step.title.casefold() == title.casefold():
            return step
    step = Step(fiche=fiche, title=title, due_on=due_on, state=StepState.TODO,
                position=1 + max((s.position for s in fiche.steps), default=-1))
    db.session.add(step)
    keep_version(fiche, actor=actor, now=now)
    return step


def record_value(actor, indicator: Indicator, year: int, value: float, *, note: str = "",
                 now: dt.datetime) -> IndicatorValue:
    """The value the indicator reached in `year`: one per indicator and year, so a second entry for that year
    replaces the first (and a double click records it once). Raises PermissionDenied, InvalidInput."""
    _require(actor, indicator.fiche)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(_("Give a year between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
                           field="year")
    if year > now.year:
        raise InvalidInput(_("A value cannot be recorded for a year that has not begun."), field="year")
    existing = _value_of(indicator, year)
    if existing is None:
        try:
            with db.session.begin_nested():
                existing = IndicatorValue(indicator=indicator, year=year, value=value, note=note.strip(),
                                          recorded_at=now)
                db.session.add(existing)
            return existing
        except IntegrityError:  # the twin request inserted it first: update that row
            existing = _value_of(indicator, year)
    existing.value, existing.note, existing.recorded_at = value, note.strip(), now
    db.session.flush()
    return existing


def _value_of(indicator: Indicator, year: int) -> IndicatorValue | None:
    return db.session.scalar(select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id,
                                                          IndicatorValue.year == year))


def add_note(actor, fiche: Fiche, text: str, *, written_on: dt.date, now: dt.datetime) -> FollowUpNote:
    """A dated follow-up note by the actor; the same text on the same day by the same person is one note
    (a double click). Raises PermissionDenied, InvalidInput."""
    _require(actor, fiche)
    text = text.strip()
    if written_on > now.date():
        raise InvalidInput(_("A note cannot be dated after today."), field="written_on")
    for note in fiche.notes:
        if note.written_on == written_on and note.author_id == actor.id and note.text == text:
            return note
    note = FollowUpNote(fiche=fiche, written_on=written_on, author_id=actor.id, text=text, created_at=now)
    db.session.add(note)
    db.session.flush()
    return note


# --- what the pages show ---------------------------------------------------------------------------------

def followup_page():
    """Loader options for a fiche's follow-up: everything the panel and the page show."""
    return (selectinload(Fiche.axis), selectinload(Fiche.steps),
            selectinload(Fiche.indicators).selectinload(Indicator.values),
            selectinload(Fiche.notes).selectinload(FollowUpNote.author),
            selectinload(Fiche.status_changes).selectinload(StatusChange.actor),
            selectinload(Fiche.status_changes).selectinload(StatusChange.decision)
            .selectinload(Decision.session).selectinload(BodySession.body))


def verdict(target: float | None, value: float | None) -> str:
    """« reached », « not_reached », « no_value » or « no_target »: a value reaches its target when it is at
    least the target (indicators count what an action achieved: sessions held, people trained…)."""
    if value is None:
        return "no_value"
    if target is None:
        return "no_target"
    return "reached" if value >= target else "not_reached"
