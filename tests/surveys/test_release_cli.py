"""`flask surveys release SURVEY_ID`: a release on a schedule (cron), refused with the reason when too few new
responses arrived."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.extensions import db
from consult.surveys.releases.models import SurveyRelease
from tests.surveys.test_results import add_thirty


def releases() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(SurveyRelease.id)))


def test_release_command_makes_one_release_then_waits_for_k_new_responses(runner, survey):
    add_thirty(survey)

    made = runner.invoke(args=["surveys", "release", str(survey.id)])
    again = runner.invoke(args=["surveys", "release", str(survey.id)])

    assert made.exit_code == 0, made.output
    assert f"Release 1 of survey {survey.id}: 30 responses, k = 11" in made.output
    assert again.exit_code != 0
    assert "11" in again.output
    assert releases() == 1


def test_release_command_names_an_unknown_survey(runner, survey):
    result = runner.invoke(args=["surveys", "release", "999"])

    assert result.exit_code != 0 and "999" in result.output
    assert releases() == 0
