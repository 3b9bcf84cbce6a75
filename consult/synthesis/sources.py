"""Reading the consultation's sources for the synthesis in a fixed number of queries, whatever their size: the
latest release of each of a territory's surveys."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from consult.extensions import db
from consult.surveys.models import Survey
from consult.surveys.releases.models import SurveyRelease
from consult.territories.models import Territory


def latest_releases(territory: Territory) -> dict[int, SurveyRelease]:
    """The latest release of each survey of the territory that has one, by survey id (in survey order), with its
    survey: one query."""
    other = aliased(SurveyRelease)
    newest = (select(func.max(other.number)).where(other.survey_id == SurveyRelease.survey_id)
              .correlate(SurveyRelease).scalar_subquery())
    releases = db.session.scalars(
        select(SurveyRelease).join(Survey, Survey.id == SurveyRelease.survey_id)
        .where(Survey.territory_id == territory.id, SurveyRelease.number == newest)
        .options(joinedload(SurveyRelease.survey)).order_by(Survey.id))
    return {release.survey_id: release for release in releases}
