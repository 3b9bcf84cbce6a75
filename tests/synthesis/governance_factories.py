"""Governance rows for the tests: a body of the current contract with a session."""
from __future__ import annotations

import datetime as dt

from consult.extensions import db
from consult.synthesis.models import BodyKind, BodyMember, BodySession, GovernanceBody

SLUG = "terres-des-confluences"
BASE = f"/t/{SLUG}/manage/governance"
PLAN = f"/t/{SLUG}/manage/plan"


def make_session(territory, *, kind=BodyKind.COPIL, name="COPIL du CLS", held_on=dt.date(2026, 3, 14),
                 title="COPIL annuel 2026") -> BodySession:
    """A body of the territory's current contract (one member) and one session of it."""
    body = GovernanceBody(contract=territory.current_contract, kind=kind, name=name,
                          description="Valide les fiches actions du contrat.")
    body.members = [BodyMember(organisation="ARS Occitanie — délégation du Tarn-et-Garonne",
                               representative="Mme Durand, déléguée départementale", position=0)]
    session = BodySession(body=body, held_on=held_on, title=title, place="Salle du conseil, Castelsarrasin")
    db.session.add(body)
    db.session.commit()
    return session
