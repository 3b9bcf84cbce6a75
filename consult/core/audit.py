"""The audit trail: who read individual answers or contact details, exported, moderated, changed a role or a threshold.

An event is added to the session of the action it records, so it is stored with it or not at all. It names the
actor, the action, the territory and the target (« survey:12 »), with counts in `detail` — never an answer, an
email address or a name.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.models import utcnow
from consult.extensions import db


class AuditEvent(db.Model):
    """One recorded action of a coordinator or an administrator (or of the purge, with no actor)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_territory_at", "territory_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    action: Mapped[str] = mapped_column(String(60))
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), default=None)
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


def record(action: str, *, actor=None, territory=None, target: str = "", detail: dict | None = None) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the action, or rolled back with it)."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        territory_id=getattr(territory, "id", territory),
        target=target,
        detail=detail or {},
    )
    db.session.add(event)
    return event
