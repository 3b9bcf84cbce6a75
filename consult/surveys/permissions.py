"""Who may build, answer, key in, read and export a survey."""
from __future__ import annotations

from consult.surveys.models import Survey, SurveyMode, SurveyStatus
from consult.territories.permissions import can_manage_territory, can_observe_territory


def can_manage_survey(user, survey: Survey) -> bool:
    """Build, open, close, key in paper answers, read individual answers and export them."""
    return can_manage_territory(user, survey.territory)


def can_read_results(user, survey: Survey) -> bool:
    """Aggregated results (with disclosure control): observers, coordinators, admins; everyone once published."""
    return survey.results_published_at is not None or can_observe_territory(user, survey.territory)


def can_write_key_findings(user, survey: Survey) -> bool:
    """Write and edit the key findings of a release (words only, never its figures): coordinators and admins."""
    return can_manage_survey(user, survey)


def can_download_tables(user, survey: Survey) -> bool:
    """Aggregated, suppressed tables and the codebook: observers, coordinators and admins."""
    return can_observe_territory(user, survey.territory)


def can_read_individual_answers(user, survey: Survey) -> bool:
    """Free-text answers and raw exports: coordinators and admins only, never observers."""
    return can_manage_survey(user, survey)


def can_see_survey(user, survey: Survey) -> bool:
    """Drafts are visible to their managers only; other states to everyone."""
    return survey.status is not SurveyStatus.DRAFT or can_manage_survey(user, survey)


def can_test_survey(user, survey: Survey) -> bool:
    """Answer a draft through the real pages, as a trial: its coordinators and admins only (test answers are
    deleted when the survey opens)."""
    return survey.status is SurveyStatus.DRAFT and can_manage_survey(user, survey)


def can_delete_survey(user, survey: Survey) -> bool:
    """Delete a survey with everything it holds: only a draft (whatever it holds is test answers), by its
    coordinators and admins. A survey that was ever opened is archived, never deleted."""
    return survey.status is SurveyStatus.DRAFT and can_manage_survey(user, survey)


def can_archive_survey(user, survey: Survey) -> bool:
    """Archive a closed survey (it leaves the public list; published results stay reachable)."""
    return survey.status is SurveyStatus.CLOSED and can_manage_survey(user, survey)


def needs_account(survey: Survey) -> bool:
    return survey.mode is SurveyMode.IDENTIFIED


def can_manage_panel(user, territory) -> bool:
    """See and delete the re-contact (panel) addresses of a territory: its coordinators and admins, never
    observers (contact details)."""
    return can_manage_territory(user, territory)
