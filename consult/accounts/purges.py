"""What accounts keep for a stated period: login sessions (a login ends LOGIN_SESSION_DAYS after it began)."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import delete

from consult.accounts.models import LoginSession
from consult.core.retention import cutoff, purge
from consult.extensions import db


@purge("login_sessions", "LOGIN_SESSION_DAYS", "days")
def purge_login_sessions(now: dt.datetime) -> int:
    """End the login sessions opened longer ago than the period (their browsers are logged out)."""
    limit = cutoff(now, int(current_app.config["LOGIN_SESSION_DAYS"]), "days")
    result = db.session.execute(delete(LoginSession).where(LoginSession.created_at <= limit))
    return result.rowcount or 0
