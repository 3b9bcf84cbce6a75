"""What a version of a fiche holds (`snapshot`), keeping one on every save (`keep_version`), and numbering."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import Avenant, Fiche, FicheVersion
from consult.territories.models import Axis


def snapshot(fiche: Fiche) -> dict:
    """The fiche's content as plain JSON: every field a writer edits, with its partners, funding, indicators
    (definitions, not their yearly values) and steps (titles and dates, not their state). Status, publication
    and follow-up have their own history, so two versions differ only by what was written."""
    return {
        "title": fiche.title,
        "axis": fiche.axis.title,
        "objective": fiche.objective.title if fiche.objective else "",
        "general_objective": fiche.general_objective,
        "specific_objectives": list(fiche.specific_objectives or []),
        "context": fiche.context,
        "description": fiche.description,
        "partners": [{"role": p.role.value, "organisation": p.organisation, "contact": p.contact}
                     for p in fiche.partners],
        "elected_referent": fiche.elected_referent,
        "publics": list(fiche.publics or []),
        "publics_detail": fiche.publics_detail,
        "whole_territory": fiche.whole_territory,
        "communes": [c.insee_code for c in fiche.communes],
        "starts_on": fiche.starts_on.isoformat() if fiche.starts_on else None,
        "ends_on": fiche.ends_on.isoformat() if fiche.ends_on else None,
        "ongoing": fiche.ongoing,
        "calendar": fiche.calendar,
        "means": fiche.means,
        "fundings": [{"funder": f.funder, "kind": f.kind.value, "amount": f.amount, "year": f.year}
                     for f in fiche.fundings],
        "indicators": [{"kind": i.kind.value, "name": i.name, "target": i.target, "unit": i.unit,
                        "source": i.source, "frequency": i.frequency} for i in fiche.indicators],
        "steps": [{"title": s.title, "due_on": s.due_on.isoformat() if s.due_on else None} for s in fiche.steps],
        "expected_results": fiche.expected_results,
        "participation_level": fiche.participation_level.value if fiche.participation_level else None,
        "participation_detail": fiche.participation_detail,
        "programme_links": fiche.programme_links,
        "priority": fiche.priority.value if fiche.priority else None,
        "governance_body": fiche.governance_body.name if fiche.governance_body else "",
    }


def keep_version(fiche: Fiche, *, actor, now: dt.datetime, avenant: Avenant | None = None) -> FicheVersion:
    """Record the fiche as it now is as its next version (flushes, so the fiche's children are loaded)."""
    db.session.flush()
    fiche.version_count = (fiche.version_count or 0) + 1
    version = FicheVersion(fiche=fiche, number=fiche.version_count, saved_at=now, avenant=avenant,
                           saved_by_id=getattr(actor, "id", None), content=snapshot(fiche))
    db.session.add(version)
    db.session.flush()
    return version


def next_rank(axis: Axis) -> int:
    """The rank a new fiche of this axis gets: one more than the highest."""
    return 1 + (db.session.scalar(select(func.max(Fiche.rank)).where(Fiche.axis_id == axis.id)) or 0)
