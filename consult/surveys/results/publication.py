"""Publishing the aggregated results on the survey's public page."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from consult.errors import Conflict, PermissionDenied
from consult.extensions import db
from consult.surveys import permissions
from consult.surveys.models import Survey, SurveyStatus
from consult.surveys.results.data import pin_disclosure_threshold


# --- publishing --------------------------------------------------------------------------------------

def publish_results(actor, survey: Survey, *, now: dt.datetime) -> None:
    """Make the aggregated results public (with disclosure control) on the survey's results page.

    Raises PermissionDenied (coordinators and admins only), Conflict (draft survey, or already published).
    """
    if not permissions.can_manage_survey(actor, survey):
        raise PermissionDenied(_("You are not allowed to do this."))
    if survey.status is SurveyStatus.DRAFT:
        raise Conflict(_("A draft survey has no results to publish."))
    if survey.results_published_at is not None:
        raise Conflict(_("The results are already published."))
    survey.results_published_at = now
    pin_disclosure_threshold(survey)  # what is published at this k is never shown with a smaller one
    db.session.flush()


def unpublish_results(actor, survey: Survey) -> None:
    """Take the results off the public page. Raises PermissionDenied, Conflict (not published)."""
    if not permissions.can_manage_survey(actor, survey):
        raise PermissionDenied(_("You are not allowed to do this."))
    if survey.results_published_at is None:
        raise Conflict(_("The results are not published."))
    survey.results_published_at = None
    db.session.flush()
