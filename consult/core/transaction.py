"""One transaction per action: views run their services inside `transaction()`, which commits once
when the block succeeds and rolls back otherwise. Services add and flush, never commit."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash

from consult.core.db import begin_writing
from consult.errors import ConsultError
from consult.extensions import db


def apply_error(form, error: ConsultError) -> None:
    """Show a service error next to its field, or as a message."""
    field = getattr(form, error.field, None) if error.field and form is not None else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


@dataclass
class Outcome:
    """What `transaction()` yields: after the block, `error` is the refusal that rolled it back, if any."""

    error: ConsultError | None = None

    @property
    def ok(self) -> bool:
        """The block ran to its end and was committed."""
        return self.error is None


@contextmanager
def transaction(form=None, *, show: bool = True,
                refusals: type[ConsultError] | tuple[type[ConsultError], ...] = ConsultError,
                keep_on_refusal: bool = False) -> Iterator[Outcome]:
    """Commit when the block ends normally; roll back on any exception.

    A refusal (a `ConsultError`, or the kinds given as `refusals`) stops the block, is shown next to
    `form`'s field or as a flash (unless `show=False`: the view shows it its own way) and is kept as
    `outcome.error`; the view goes on and checks `outcome.ok`. With `refusals=()` a refusal is not the
    view's to handle: it is rolled back and raised on, and the error handler answers with its status.
    `keep_on_refusal` commits instead of rolling back on a refusal, for refusals that are a record
    themselves (rate-limit counters must count the refused attempt). Any other exception is rolled
    back and raised on (the 500 handler answers).
    """
    outcome = Outcome()
    begin_writing()
    try:
        yield outcome
    except refusals as error:
        if keep_on_refusal:
            db.session.commit()
        else:
            db.session.rollback()
        outcome.error = error
        if show:
            apply_error(form, error)
        return
    except BaseException:
        db.session.rollback()
        raise
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
