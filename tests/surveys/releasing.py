"""Test helpers that make releases of a survey's results the way the service does (no HTTP)."""
from __future__ import annotations

from consult.extensions import db
from consult.surveys.releases.services import freeze_release
from tests.conftest import NOW


def release(survey, *, now=NOW):
    """A new release of the survey's current answers, committed."""
    made = freeze_release(survey, now=now)
    db.session.commit()
    return made


def publish(survey, *, now=NOW):
    """A release, made public."""
    made = release(survey, now=now)
    survey.results_published_at = now
    db.session.commit()
    return made
