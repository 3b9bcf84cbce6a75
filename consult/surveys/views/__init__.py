"""Survey blueprints: answering (public), building and keying in (manage), results, exports."""
from __future__ import annotations

from flask import abort

from consult.extensions import db
from consult.surveys.models import Survey
from consult.territories.models import Territory


def get_survey_or_404(territory: Territory, survey_id: int, *, options=()) -> Survey:
    """A survey of this territory, or 404 (never reveal another territory's surveys); `options` load what
    the page shows with it."""
    survey = db.session.get(Survey, survey_id, options=options)
    if survey is None or survey.territory_id != territory.id:
        abort(404)
    return survey


# Drafts add their routes to the answering and building blueprints, the panel page to the building one (last:
# they import them).
from consult.surveys.views import drafts, panel  # noqa: E402

__all__ = ["drafts", "get_survey_or_404", "panel"]
