"""A fiche's status: the moves allowed, and `change_status`, the only way a status changes (one history row each)."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from consult.errors import InvalidInput, PermissionDenied
from consult.extensions import db
from consult.synthesis.models import Fiche, FicheStatus, StatusChange
from consult.synthesis.models.governance import BodyKind, Decision
from consult.synthesis.permissions import can_manage_plan

S = FicheStatus
FINAL = frozenset({S.DONE, S.ABANDONED})
# draft → validated by the working group → validated by the COPIL → in progress → done / postponed / abandoned;
# a postponed action resumes; anything not finished may be abandoned.
TRANSITIONS: dict[FicheStatus, frozenset[FicheStatus]] = {
    S.DRAFT: frozenset({S.GROUP_VALIDATED, S.ABANDONED}),
    S.GROUP_VALIDATED: frozenset({S.COPIL_VALIDATED, S.ABANDONED}),
    S.COPIL_VALIDATED: frozenset({S.IN_PROGRESS, S.ABANDONED}),
    S.IN_PROGRESS: frozenset({S.DONE, S.POSTPONED, S.ABANDONED}),
    S.POSTPONED: frozenset({S.IN_PROGRESS, S.ABANDONED}),
    S.DONE: frozenset(),
    S.ABANDONED: frozenset(),
}


class IllegalTransition(InvalidInput):
    """The fiche cannot go from its status to the one asked."""


def next_statuses(fiche: Fiche) -> list[FicheStatus]:
    """The statuses the fiche may move to, in the order of the lifecycle."""
    allowed = TRANSITIONS[fiche.status]
    return [status for status in FicheStatus if status in allowed]


def change_status(actor, fiche: Fiche, status: FicheStatus, *, decided_on: dt.date, now: dt.datetime,
                  decision: Decision | None = None, field: str = "status") -> StatusChange:
    """Move the fiche to `status` and write the history row (previous, status, date, decision, actor).

    Only a decision of a COPIL body validates a fiche for the contract. `field` names the form field an
    error belongs to. Raises PermissionDenied, IllegalTransition.
    """
    if not can_manage_plan(actor, fiche.territory):
        raise PermissionDenied(_("You are not allowed to do this."))
    names = {"number": fiche.number, "title": fiche.title}
    if status not in TRANSITIONS[fiche.status]:
        raise IllegalTransition(_("Fiche %(number)s « %(title)s » cannot go from « %(current)s » to « %(wanted)s ».",
                                  current=fiche.status.label, wanted=status.label, **names), field=field)
    if decision is not None and decision.session.body.contract_id != fiche.contract_id:
        raise IllegalTransition(_("Fiche %(number)s « %(title)s » belongs to another contract than this body.",
                                  **names), field=field)
    if status is S.COPIL_VALIDATED and (decision is None or decision.session.body.kind is not BodyKind.COPIL):
        raise IllegalTransition(_("Fiche %(number)s « %(title)s »: only a decision of the steering committee "
                                  "(COPIL) validates a fiche for the contract.", **names), field=field)
    change = StatusChange(fiche=fiche, previous=fiche.status, status=status, decided_on=decided_on,
                          decision=decision, actor_id=getattr(actor, "id", None), created_at=now)
    fiche.status = status
    db.session.add(change)
    db.session.flush()
    return change
