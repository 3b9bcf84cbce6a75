"""What the core keeps for a stated period: rate-limit records, which name addresses and emails (keyed hashes)."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import delete

from consult.core.ratelimit import RateLimitCounter, RateLimitEvent
from consult.core.retention import cutoff, purge
from consult.extensions import db


@purge("address_log", "ADDRESS_LOG_HOURS", "hours")
def purge_rate_limit_records(now: dt.datetime) -> int:
    """Rate-limit events and counters older than the period (a limit's window longer than it is cut short)."""
    limit = cutoff(now, int(current_app.config["ADDRESS_LOG_HOURS"]), "hours")
    events = db.session.execute(delete(RateLimitEvent).where(RateLimitEvent.at <= limit)).rowcount or 0
    epoch = int(limit.replace(tzinfo=dt.UTC).timestamp())
    counters = db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.window_start <= epoch)).rowcount
    return events + (counters or 0)
