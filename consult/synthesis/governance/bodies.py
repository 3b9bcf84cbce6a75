"""A contract's governance bodies, their member organisations and their sessions."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from consult.errors import Conflict, PermissionDenied
from consult.extensions import db
from consult.synthesis.models.governance import BodyKind, BodyMember, BodySession, Decision, DecisionFiche, GovernanceBody
from consult.synthesis.permissions import can_manage_plan
from consult.territories.models import Contract


@dataclass(frozen=True)
class BodyData:
    kind: BodyKind
    name: str
    description: str = ""


@dataclass(frozen=True)
class MemberData:
    organisation: str
    representative: str = ""


@dataclass(frozen=True)
class SessionData:
    held_on: dt.date
    title: str = ""
    place: str = ""
    minutes: str = ""


def _require(actor, contract: Contract) -> None:
    if not can_manage_plan(actor, contract.territory):
        raise PermissionDenied(_("You are not allowed to do this."))


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _refuse_twin_body(contract: Contract, name: str, body: GovernanceBody | None = None) -> None:
    for other in bodies_of(contract):
        if other is not body and _same_name(other.name, name):
            raise Conflict(_("This contract already has a body named « %(name)s ».", name=other.name), field="name")


def create_body(actor, contract: Contract, data: BodyData) -> GovernanceBody:
    """Add a body to the contract; a second one of the same name is refused (also what makes a double click
    harmless). Raises PermissionDenied, Conflict."""
    _require(actor, contract)
    _refuse_twin_body(contract, data.name)
    body = GovernanceBody(contract=contract, kind=data.kind, name=data.name.strip(),
                          description=data.description.strip())
    db.session.add(body)
    db.session.flush()
    return body


def update_body(actor, body: GovernanceBody, data: BodyData) -> GovernanceBody:
    """Rename a body, change its kind or description. Raises PermissionDenied, Conflict."""
    _require(actor, body.contract)
    _refuse_twin_body(body.contract, data.name, body)
    body.kind, body.name, body.description = data.kind, data.name.strip(), data.description.strip()
    db.session.flush()
    return body


def add_member(actor, body: GovernanceBody, data: MemberData) -> BodyMember:
    """Add a member organisation (and who represents it); an organisation already there is refused.
    Raises PermissionDenied, Conflict."""
    _require(actor, body.contract)
    if any(_same_name(m.organisation, data.organisation) for m in body.members):
        raise Conflict(_("« %(name)s » is already a member of this body.", name=data.organisation.strip()),
                       field="organisation")
    member = BodyMember(body=body, organisation=data.organisation.strip(), representative=data.representative.strip(),
                        position=1 + max((m.position for m in body.members), default=-1))
    db.session.add(member)
    db.session.flush()
    return member


def update_member(actor, member: BodyMember, data: MemberData) -> BodyMember:
    """Change a member organisation's name or its representative. Raises PermissionDenied, Conflict."""
    _require(actor, member.body.contract)
    if any(m is not member and _same_name(m.organisation, data.organisation) for m in member.body.members):
        raise Conflict(_("« %(name)s » is already a member of this body.", name=data.organisation.strip()),
                       field="organisation")
    member.organisation, member.representative = data.organisation.strip(), data.representative.strip()
    db.session.flush()
    return member


def remove_member(actor, member: BodyMember) -> None:
    """Take a member organisation out of its body. Raises PermissionDenied."""
    _require(actor, member.body.contract)
    member.body.members.remove(member)
    db.session.flush()


def create_session(actor, body: GovernanceBody, data: SessionData) -> BodySession:
    """Record a meeting of the body; the same date and title twice is one session (a double click).
    Raises PermissionDenied."""
    _require(actor, body.contract)
    for session in body.sessions:
        if session.held_on == data.held_on and _same_name(session.title, data.title):
            return session
    session = BodySession(body=body, held_on=data.held_on, title=data.title.strip(), place=data.place.strip(),
                          minutes=data.minutes.strip())
    db.session.add(session)
    db.session.flush()
    return session


def update_session(actor, session: BodySession, data: SessionData) -> BodySession:
    """Change a session's date, title, place or minutes. The status history keeps the date each change was
    decided on. Raises PermissionDenied."""
    _require(actor, session.body.contract)
    session.held_on, session.title = data.held_on, data.title.strip()
    session.place, session.minutes = data.place.strip(), data.minutes.strip()
    db.session.flush()
    return session


# --- what the pages show ---------------------------------------------------------------------------------

def bodies_of(contract: Contract) -> list[GovernanceBody]:
    """The contract's bodies, COPIL first, then by name."""
    order = {kind: n for n, kind in enumerate(BodyKind)}
    bodies = db.session.scalars(select(GovernanceBody).where(GovernanceBody.contract_id == contract.id)
                                .options(selectinload(GovernanceBody.members), selectinload(GovernanceBody.sessions)))
    return sorted(bodies, key=lambda b: (order[b.kind], b.name.casefold(), b.id))


def decision_counts(contract: Contract) -> dict[int, int]:
    """Decisions recorded per session of the contract's bodies."""
    rows = db.session.execute(
        select(Decision.session_id, func.count()).join(BodySession).join(GovernanceBody)
        .where(GovernanceBody.contract_id == contract.id).group_by(Decision.session_id))
    return dict(rows.all())


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def body_page():
    """Loader options for a body's page: its members and sessions."""
    return selectinload(GovernanceBody.members), selectinload(GovernanceBody.sessions)


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def session_page():
    """Loader options for a session's page: its body and decisions with their fiches."""
    return (selectinload(BodySession.decisions).selectinload(Decision.fiches).joinedload(DecisionFiche.fiche),
            joinedload(BodySession.body))
