"""Decisions recorded at a session: what they say, and what the fiches they concern get (status, priority)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from consult.core.time import paris_date
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.synthesis.fiches.versions import keep_version
from consult.synthesis.governance.statuses import change_status
from consult.synthesis.models import Fiche, FicheStatus, Priority
from consult.synthesis.models.governance import BodySession, Decision, DecisionFiche, DecisionKind
from consult.synthesis.permissions import can_manage_plan
from consult.territories.models import Contract


class AlreadyRecorded(Conflict):
    """The same decision form was sent again (a double click, a replay): the first one holds."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(_("This decision was already recorded (the form was sent twice)."))
        self.decision = decision


@dataclass(frozen=True)
class FicheOutcome:
    """What a decision gives one fiche: a new status, a priority, or both."""

    fiche: Fiche
    status: FicheStatus | None = None
    priority: Priority | None = None


@dataclass(frozen=True)
class DecisionData:
    kind: DecisionKind
    text: str
    outcomes: tuple[FicheOutcome, ...] = ()


def record_decision(actor, session: BodySession, data: DecisionData, *, now: dt.datetime,
                    entry_key: str | None = None) -> Decision:
    """Record a decision at the session and apply it to its fiches, all or nothing: one fiche that may not move
    refuses the whole decision (the view's transaction rolls everything back). Statuses change through
    `change_status` (dated on the session's day); priorities are set on the fiches, each keeping a version.

    `entry_key` is the random id the form carried: sent again, it records nothing and raises AlreadyRecorded.
    Raises PermissionDenied, InvalidInput (a session still to come, nothing to apply, a fiche of another contract),
    IllegalTransition.
    """
    contract = session.body.contract
    if not can_manage_plan(actor, contract.territory):
        raise PermissionDenied(_("You are not allowed to do this."))
    if entry_key:
        _refuse_replay(entry_key)
    if session.held_on > paris_date(now):
        raise InvalidInput(_("This session has not taken place yet: record its decisions once it is held."),
                           field="kind")
    outcomes = [o for o in data.outcomes if o.status is not None or o.priority is not None]
    if data.kind in (DecisionKind.VALIDATE, DecisionKind.STATUS) and not any(o.status for o in outcomes):
        raise InvalidInput(_("Choose the new status of at least one fiche."), field="fiches")
    if data.kind is DecisionKind.PRIORITIES and not any(o.priority for o in outcomes):
        raise InvalidInput(_("Choose the priority of at least one fiche."), field="fiches")
    if not data.text.strip() and not outcomes:
        raise InvalidInput(_("Write what was decided."), field="text")
    for outcome in outcomes:
        if outcome.fiche.contract_id != contract.id:
            raise InvalidInput(_("Fiche %(number)s belongs to another contract.", number=outcome.fiche.number),
                               field="fiches")
    decision = Decision(session_id=session.id, kind=data.kind, text=data.text.strip(), recorded_by_id=actor.id,
                        created_at=now, entry_key=entry_key or None)
    try:
        with db.session.begin_nested():
            db.session.add(decision)
    except IntegrityError:  # the twin request recorded it between our check and our insert
        _refuse_replay(entry_key)
        raise
    for outcome in outcomes:
        decision.fiches.append(DecisionFiche(fiche=outcome.fiche, status=outcome.status, priority=outcome.priority))
        if outcome.status is not None:
            change_status(actor, outcome.fiche, outcome.status, decided_on=session.held_on, now=now,
                          decision=decision, field=f"status-{outcome.fiche.id}")
        if outcome.priority is not None and outcome.priority is not outcome.fiche.priority:
            outcome.fiche.priority = outcome.priority
            keep_version(outcome.fiche, actor=actor, now=now)
    db.session.flush()
    return decision


def _refuse_replay(entry_key: str) -> None:
    earlier = db.session.scalar(select(Decision).where(Decision.entry_key == entry_key))
    if earlier is not None:
        raise AlreadyRecorded(earlier)


# --- what the pages show ---------------------------------------------------------------------------------

def decidable_fiches(contract: Contract) -> list[Fiche]:
    """The contract's fiches a decision may concern, by number (their axes are the contract's, loaded with it)."""
    fiches = db.session.scalars(select(Fiche).where(Fiche.contract_id == contract.id)
                                .options(joinedload(Fiche.axis)))
    return sorted(fiches, key=lambda f: (f.axis.position, f.rank))
