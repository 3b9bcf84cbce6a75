"""The audit trail: who read individual answers or contact details, exported, moderated, changed a role or a threshold.

An event is added to the session of the action it records, so it is stored with it or not at all. It names the
actor, the action, the territory and the target (« survey:12 »), with counts in `detail` — never an answer, an
email address or a name.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, delete
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.models import utcnow
from consult.core.retention import cutoff, purge
from consult.extensions import db

# What the trail records, and how the audit page names it (an action not listed here is shown by its code).
ACTIONS = {
    "answers.read": _l("Read individual answers"),
    "contacts.read": _l("Read contact details"),
    "contacts.delete": _l("Deleted re-contact addresses"),
    "account_erased_request": _l("An account was deleted by its owner"),
    "account_erased_inactivity": _l("An inactive account was deleted"),
    "export": _l("Downloaded a file"),
    "moderation.publish": _l("Published a proposal"),
    "moderation.restore": _l("Showed a hidden proposal again"),
    "moderation.reject": _l("Rejected a proposal"),
    "moderation.hide": _l("Hid a proposal"),
    "moderation.merge": _l("Merged proposals"),
    "moderation.hide_comment": _l("Hid a comment"),
    "moderation.dismiss_report": _l("Dismissed a report"),
    "role.appoint": _l("Gave a role"),
    "role.revoke": _l("Removed a role"),
    "role.admin": _l("Made a site administrator"),
    "threshold.change": _l("Changed the smallest group shown"),
    "purge": _l("Removed data past its period"),
}


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


def record(action: str, *, actor=None, territory=None, target: str = "", detail: dict | None = None,
           now: dt.datetime | None = None) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the action, or rolled back with it)."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        territory_id=getattr(territory, "id", territory),
        target=target,
        detail=detail or {},
        at=now or utcnow(),
    )
    db.session.add(event)
    return event


def record_read(action: str, *, actor=None, territory=None, target: str = "", detail: dict | None = None) -> None:
    """Record that a page or a file showed personal data, in a transaction of its own, committed at once.

    A page that only reads has no transaction to join. Its read transaction is ended first, so that the
    event is the first statement of the next one: on SQLite that one then waits for the write lock like any
    writer, instead of failing because another writer committed since the page began reading. What the page
    loaded is kept as it was read (not expired), so it goes on without reading it again.
    """
    actor_id, territory_id = getattr(actor, "id", None), getattr(territory, "id", territory)
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
        session.add(AuditEvent(action=action, actor_id=actor_id, territory_id=territory_id, target=target,
                               detail=detail or {}, at=utcnow()))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.expire_on_commit = keep


@purge("audit_events", "AUDIT_RETENTION_DAYS", "days")
def purge_audit_events(now: dt.datetime) -> int:
    """Delete the events older than AUDIT_RETENTION_DAYS (the trail is kept one year by default)."""
    limit = cutoff(now, int(current_app.config["AUDIT_RETENTION_DAYS"]), "days")
    return db.session.execute(delete(AuditEvent).where(AuditEvent.at < limit)).rowcount
