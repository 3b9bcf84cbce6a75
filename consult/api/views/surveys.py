"""Surveys (never drafts) and their releases: the protected tables exactly as the public results pages show
them, only once the results are published; never live figures, never a free-text answer."""
from __future__ import annotations

from flask import abort

from consult.api import queries, serializers
from consult.api.conventions import document, each, listing, paginate
from consult.api.views import bp, found_or_404, territory_or_404
from consult.surveys.releases.services import content_of, releases_of


def _survey(item):
    return serializers.survey(item, public_results=queries.results_public(item))


@bp.get("/territories/<slug>/surveys")
def surveys(slug: str):
    """The territory's surveys that are not drafts."""
    place = territory_or_404(slug)
    return listing(paginate(queries.surveys(place), each(_survey), visible=queries.survey_visible),
                   "api.surveys", slug=slug)


@bp.get("/territories/<slug>/surveys/<int:survey_id>")
def survey(slug: str, survey_id: int):
    """A survey, with its releases once its results are published."""
    item = found_or_404(queries.survey(territory_or_404(slug), survey_id))
    public = queries.results_public(item)
    body = {**_survey(item), "releases": [serializers.release_summary(r) for r in releases_of(item)] if public else []}
    return document({"data": body})


@bp.get("/territories/<slug>/surveys/<int:survey_id>/releases")
def releases(slug: str, survey_id: int):
    """The releases of a survey whose results are published, the latest first (404 before publication)."""
    item = found_or_404(queries.survey(territory_or_404(slug), survey_id))
    if not queries.results_public(item):
        abort(404)
    return listing(paginate(queries.releases(item), each(serializers.release_summary)), "api.releases",
                   slug=slug, survey_id=survey_id)


@bp.get("/territories/<slug>/surveys/<int:survey_id>/releases/<int:number>")
def release(slug: str, survey_id: int, number: int):
    """One release: overview, questions and breakdowns, hidden figures hidden, with the threshold k."""
    item = found_or_404(queries.survey(territory_or_404(slug), survey_id))
    made = found_or_404(queries.release(item, number))
    return document({"data": serializers.release(made, content_of(made))})
