"""Survey blueprints: answering (public), building and keying in (manage), results, exports."""
from __future__ import annotations

import functools

from flask import abort
from sqlalchemy import bindparam, select

from consult.extensions import db
from consult.surveys.models import Survey
from consult.territories.models import Territory


@functools.cache
def _survey_statement():
    # Built once per process: building the statement of a lookup by id again at each request cost more than
    # running it.
    return select(Survey).where(Survey.id == bindparam("survey_id"), Survey.territory_id == bindparam("territory_id"))


def get_survey_or_404(territory: Territory, survey_id: int, *, options=()) -> Survey:
    """A survey of this territory, or 404 (never reveal another territory's surveys); `options` load what
    the page shows with it."""
    if options:
        survey = db.session.get(Survey, survey_id, options=options)
    else:
        survey = db.session.scalar(_survey_statement(), {"survey_id": survey_id, "territory_id": territory.id})
    if survey is None or survey.territory_id != territory.id:
        abort(404)
    return survey


# Drafts add their routes to the answering and building blueprints, the panel page to the building one (last:
# they import them).
from consult.surveys.views import drafts, panel  # noqa: E402

__all__ = ["drafts", "get_survey_or_404", "panel"]
