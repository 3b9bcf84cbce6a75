"""Retention: every period Consult keeps something for, and the purge that enforces it.

A capability registers its purges with `@purge("name", "CONFIG_KEY", unit)`; the value of `CONFIG_KEY` (one
setting in config.py, read from the environment) is the period the interface states and the purge applies. `run`
calls every purge with the same `now` and returns counts only.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import current_app
from flask_babel import ngettext

UNITS = ("hours", "days", "months")


@dataclass(frozen=True)
class Period:
    """A kept-for period: its name, the setting holding its length, the unit, and the function removing what is past it."""

    name: str
    config_key: str
    unit: str
    remove: Callable[[dt.datetime], int]

    @property
    def length(self) -> int:
        return int(current_app.config[self.config_key])


PERIODS: dict[str, Period] = {}


def purge(name: str, config_key: str, unit: str = "days"):
    """Register `function(now) -> number removed` as the purge of the period `name` (length in config[config_key])."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")

    def register(function: Callable[[dt.datetime], int]):
        if name in PERIODS and PERIODS[name].remove is not function:
            raise ValueError(f"two purges named {name!r}")
        PERIODS[name] = Period(name, config_key, unit, function)
        return function

    return register


def cutoff(now: dt.datetime, length: int, unit: str) -> dt.datetime:
    """The moment before which something kept `length` `unit`s is past its period (calendar months, the day
    clamped to the month's length: 31 March minus one month is 28 or 29 February)."""
    if unit == "hours":
        return now - dt.timedelta(hours=length)
    if unit == "days":
        return now - dt.timedelta(days=length)
    month_index = now.year * 12 + now.month - 1 - length
    year, month = divmod(month_index, 12)
    month += 1
    day = min(now.day, _days_in_month(year, month))
    return now.replace(year=year, month=month, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def expiry(start: dt.datetime | dt.date, length: int, unit: str):
    """The moment something kept from `start` for `length` `unit`s is past its period (the inverse of `cutoff`)."""
    if unit == "hours":
        return start + dt.timedelta(hours=length)
    if unit == "days":
        return start + dt.timedelta(days=length)
    month_index = start.year * 12 + start.month - 1 + length
    year, month = divmod(month_index, 12)
    month += 1
    return start.replace(year=year, month=month, day=min(start.day, _days_in_month(year, month)))


def duration(length: int, unit: str) -> str:
    """A period in words, in the reader's language: « 24 mois », « 90 jours », « 1 heure »."""
    if unit == "hours":
        return ngettext("%(num)d hour", "%(num)d hours", length)
    if unit == "days":
        return ngettext("%(num)d day", "%(num)d days", length)
    return ngettext("%(num)d month", "%(num)d months", length)


def stated(config_key: str) -> str:
    """The period held in `config_key` in words (the unit read from the key's name: …_HOURS, …_DAYS, …_MONTHS),
    for the pages that state it. Nothing else may print a period: a test renders them with unusual values."""
    unit = config_key.rsplit("_", 1)[-1].lower()
    if unit not in UNITS:
        raise ValueError(f"{config_key} does not end with a unit ({UNITS})")
    return duration(int(current_app.config[config_key]), unit)


_dry_run: ContextVar[bool] = ContextVar("retention_dry_run", default=False)


@contextmanager
def dry_run() -> Iterator[None]:
    """Within this block purges only count: the caller rolls the database back, and a purge that removes
    something outside it (a file) must ask `is_dry_run()` first."""
    token = _dry_run.set(True)
    try:
        yield
    finally:
        _dry_run.reset(token)


def is_dry_run() -> bool:
    return _dry_run.get()


def run(now: dt.datetime) -> dict[str, int]:
    """Run every registered purge at `now`; {period name: number of things removed}."""
    return {name: period.remove(now) for name, period in sorted(PERIODS.items())}
