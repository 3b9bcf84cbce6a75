"""Paris time: the database stores naive UTC; people read and type Europe/Paris wall-clock times.

Every CLS is in metropolitan France for now (`BABEL_DEFAULT_TIMEZONE` is Europe/Paris too)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_time(naive_utc: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as an aware Europe/Paris time."""
    return naive_utc.replace(tzinfo=dt.UTC).astimezone(PARIS)


def paris_date(naive_utc: dt.datetime | None) -> dt.date | None:
    """The Paris calendar day of a stored (naive UTC) time; None stays None."""
    if naive_utc is None:
        return None
    return paris_time(naive_utc).date()


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week of `day` (ISO weeks: Monday to Sunday)."""
    return day - dt.timedelta(days=day.weekday())


def utc_to_paris(value: dt.datetime) -> dt.datetime:
    """Naive UTC as naive Paris wall-clock time (to fill a form back in)."""
    return paris_time(value).replace(tzinfo=None)


def paris_to_utc(local: dt.datetime) -> dt.datetime:
    """A naive Paris wall-clock time as stored: naive UTC (an hour that happens twice: the first one)."""
    return local.replace(tzinfo=PARIS, fold=0).astimezone(dt.UTC).replace(tzinfo=None)


def local_input(value):
    """Naive UTC (as stored) → naive local time (Europe/Paris) for a datetime-local input; None stays None."""
    from flask_babel import to_user_timezone

    return to_user_timezone(value).replace(tzinfo=None) if value else None


def stored_utc(value):
    """Naive local time typed in a form → naive UTC for storage; None stays None."""
    from flask_babel import to_utc

    return to_utc(value) if value else None
