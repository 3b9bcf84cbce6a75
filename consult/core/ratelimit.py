"""Rate limits counted in the database, so every worker shares them.

`hit` counts attempts in fixed windows (`rate_limit_counters`); `RateLimitEvent` rows
(`rate_limit_events`) keep one timestamp per counted event for limits over a sliding window (`record`,
`count_recent`, `clear`), under keys that never hold an address or an email in clear (`private_key`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

from flask import current_app
from sqlalchemy import DateTime, Index, Integer, String, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT_RE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$")


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
    """How many in how many seconds: '5/minute' → (5, 60), '10/15 minutes' → (10, 900)."""
    match = _LIMIT_RE.match(text)
    if not match or match.group(2) == "0":
        raise ValueError(f"rate limit {text!r} is not of the form '5/minute' or '10/15 minutes'")
    return int(match.group(1)), int(match.group(2) or 1) * _PERIODS[match.group(3)]


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


def private_key(kind: str, value: str) -> str:
    """`kind:<HMAC of value>`: a key that names an address or an email without storing it (keyed with SECRET_KEY,
    so the table cannot be reversed by hashing every IPv4 address)."""
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:40]
    return f"{kind}:{digest}"


def serialise(key: str) -> None:
    """Make concurrent transactions on `key` wait for one another until they end.

    SQLite already runs one writing transaction at a time (BEGIN IMMEDIATE, consult/core/db.py); PostgreSQL takes a
    transaction-level advisory lock on the key, so a check, its event and its count see every earlier event.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def _since(now: dt.datetime, window: int) -> dt.datetime:
    return now - dt.timedelta(seconds=window)


def count_recent(key: str, window: int, *, now: dt.datetime) -> int:
    """Events of `key` in the `window` seconds up to `now`."""
    table = RateLimitEvent.__table__
    return db.session.scalar(select(func.count()).select_from(table).where(
        table.c.key == key, table.c.at > _since(now, window)))


def record(key: str, window: int, *, now: dt.datetime) -> int:
    """Record one event of `key` at `now`, forget its events older than the window, and return how many it has in
    the window, this one included: one INSERT then one COUNT in the caller's transaction."""
    table = RateLimitEvent.__table__
    db.session.execute(delete(table).where(table.c.key == key, table.c.at <= _since(now, window)))
    db.session.execute(insert(table).values(key=key, at=now))
    return count_recent(key, window, now=now)


def latest(key: str) -> dt.datetime | None:
    """The time of the latest event of `key` on record."""
    table = RateLimitEvent.__table__
    return db.session.scalar(select(func.max(table.c.at)).where(table.c.key == key))


def has_event_at(key: str, at: dt.datetime) -> bool:
    """Whether the event of `key` at exactly `at` is still on record."""
    table = RateLimitEvent.__table__
    return db.session.scalar(select(func.count()).select_from(table).where(table.c.key == key, table.c.at == at)) > 0


def clear(*keys: str) -> None:
    """Forget every event of these keys."""
    table = RateLimitEvent.__table__
    db.session.execute(delete(table).where(table.c.key.in_(keys)))
