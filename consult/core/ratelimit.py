"""Rate limits counted in the database, so every worker shares them.

`hit` counts attempts in fixed windows (`rate_limit_counters`); `RateLimitEvent` rows
(`rate_limit_events`) keep one timestamp per counted event for limits over a sliding window.
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import DateTime, Index, Integer, String, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT_RE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(second|minute|hour|day)s?\s*$")


class RateLimitCounter(db.Model):
    """Hits of one key in one window."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class RateLimitEvent(db.Model):
    """One counted event (e.g. a failed login) of one key, for limits over a sliding window."""

    __tablename__ = "rate_limit_events"
    __table_args__ = (Index("ix_rate_limit_events_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


def parse_limit(text: str) -> tuple[int, int]:
    """'5/minute' → (5, 60)."""
    match = _LIMIT_RE.match(text)
    if not match:
        raise ValueError(f"rate limit {text!r} is not of the form '5/minute'")
    return int(match.group(1)), _PERIODS[match.group(2)]


def hit(key: str, limit: str, *, now: dt.datetime) -> bool:
    """Count one attempt for `key`; True while the count stays within the limit.

    The increment is a single INSERT … ON CONFLICT DO UPDATE … RETURNING, atomic on SQLite and
    PostgreSQL, so concurrent workers never let more than the limit through.
    """
    allowed, period = parse_limit(limit)
    epoch = int(now.replace(tzinfo=dt.UTC).timestamp())
    window = epoch - epoch % period
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = RateLimitCounter.__table__
    stmt = (
        dialect.insert(table)
        .values(key=key, window_start=window, hits=1)
        .on_conflict_do_update(
            index_elements=[table.c.key, table.c.window_start], set_={"hits": table.c.hits + 1}
        )
        .returning(table.c.hits)
    )
    count = db.session.execute(stmt).scalar_one()
    db.session.execute(delete(table).where(table.c.key == key, table.c.window_start < window))
    return count <= allowed
