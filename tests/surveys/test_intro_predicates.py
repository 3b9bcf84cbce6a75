"""The survey's introduction asks to log in exactly when `needs_account` says an account is needed."""
from __future__ import annotations

import pytest

from consult.surveys.models import SurveyMode
from tests.conftest import ROLES


@pytest.mark.parametrize("mode", [SurveyMode.ANONYMOUS, SurveyMode.IDENTIFIED])
@pytest.mark.parametrize("role", ROLES)
def test_intro_asks_to_log_in_only_when_the_survey_needs_an_account(as_role, make_survey, mode, role):
    client = as_role(role)
    survey = make_survey(mode=mode)

    page = client.get(f"/t/terres-des-confluences/surveys/{survey.id}/").get_data(as_text=True)

    # The page's own button (the header's « Log in » link carries the same return address for everyone).
    login_link = f'class="button" href="/account/login?next=/t/terres-des-confluences/surveys/{survey.id}/"'
    assert (login_link in page) is (mode is SurveyMode.IDENTIFIED and role == "anonymous")
