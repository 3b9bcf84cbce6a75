"""The submit service: validation of every type, conditions, single response, anonymity."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from consult.errors import InvalidInput, PermissionDenied
from consult.extensions import db
from consult.surveys import services
from consult.surveys.models import AccessCode, Answer, Channel, Response, SurveyMode, SurveyStatus
from tests.conftest import NOW
from tests.surveys.conftest import VALID_ANSWERS


def responses() -> int:
    return db.session.scalar(select(func.count(Response.id)))


def test_valid_answers_are_stored_one_row_per_value(survey):
    response = services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", now=NOW)
    db.session.commit()
    assert response.channel is Channel.WEB
    assert response.submitted_on == NOW.date()
    stored = db.session.scalars(select(Answer).where(Answer.response_id == response.id)).all()
    by_code = {}
    for answer in stored:
        by_code.setdefault(answer.question.code, []).append(answer)
    assert by_code["Q1"][0].value_text == "82112"
    assert {a.option.code for a in by_code["Q4"]} == {"1", "autre"}
    assert [a.value_text for a in by_code["Q4"] if a.option.is_other] == ["Pas de médecin disponible"]
    assert [(a.option.code, a.rank) for a in sorted(by_code["Q8"], key=lambda a: a.rank)] == [("2", 1), ("1", 2), ("3", 3)]
    assert {(a.row.code, a.option.code) for a in by_code["Q7"]} == {("r1", "2"), ("r2", "3")}
    assert by_code["Q5"][0].value_number == 7


def test_anonymous_response_stores_no_personal_data(survey, make_user):
    user = make_user()
    response = services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", user=user, now=NOW)
    db.session.commit()
    assert response.user_id is None
    assert response.keyed_by_id is None
    assert "abc" not in response.dedupe_key
    assert not hasattr(response, "created_at")  # the week only, no time


THURSDAY = dt.datetime(2026, 11, 26, 18, 30)  # the week of Monday 23 November


def test_anonymous_response_keeps_the_monday_of_its_week_not_its_day(survey):
    response = services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", now=THURSDAY)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Response, response.id).submitted_on == dt.date(2026, 11, 23)


def test_identified_response_keeps_its_day_and_keyed_in_one_its_week(make_survey, make_user, coordinator):
    survey = make_survey(mode=SurveyMode.IDENTIFIED)
    online = services.submit_response(survey, VALID_ANSWERS, browser_secret=None, user=make_user(), now=THURSDAY)
    paper = services.key_in_response(coordinator, survey, VALID_ANSWERS, channel=Channel.PAPER, entry_id="f-1",
                                     now=THURSDAY)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Response, online.id).submitted_on == dt.date(2026, 11, 26)
    # A paper questionnaire has no account behind it, even in an identified survey: the week only.
    assert db.session.get(Response, paper.id).submitted_on == dt.date(2026, 11, 23)


def test_first_response_leaves_no_moment_on_the_survey(survey):
    before = (survey.updated_at, survey.disclosure_floor)
    services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", now=THURSDAY)
    db.session.commit()
    db.session.expire_all()
    assert survey.disclosure_floor == 11  # the k is pinned at the first response…
    assert (survey.updated_at, before[1]) == (before[0], None)  # …without stamping when it came


def test_same_browser_cannot_answer_twice(survey):
    services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", now=NOW)
    with pytest.raises(services.AlreadyResponded):
        services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", now=NOW)
    db.session.commit()
    assert responses() == 1


def test_identified_survey_needs_an_account_and_takes_one_response_each(make_survey, make_user):
    survey = make_survey(mode=SurveyMode.IDENTIFIED)
    with pytest.raises(PermissionDenied):
        services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", now=NOW)
    user = make_user()
    services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", user=user, now=NOW)
    with pytest.raises(services.AlreadyResponded):
        services.submit_response(survey, VALID_ANSWERS, browser_secret="other", user=user, now=NOW)


@pytest.mark.parametrize("status", [SurveyStatus.DRAFT, SurveyStatus.CLOSED, SurveyStatus.ARCHIVED])
def test_survey_not_open_refuses_answers(make_survey, status):
    survey = make_survey(status=status)
    with pytest.raises(services.SurveyClosed):
        services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", now=NOW)


def test_answer_just_after_closing_is_refused(make_survey):
    survey = make_survey(closes_at=NOW)
    with pytest.raises(services.SurveyClosed):
        services.submit_response(survey, VALID_ANSWERS, browser_secret="abc", now=NOW + dt.timedelta(seconds=1))
    assert responses() == 0


def test_hidden_question_is_not_stored_nor_required(survey):
    data = {**VALID_ANSWERS, "Q3": "2"}  # did not forgo care: Q4 is hidden
    response = services.submit_response(survey, data, browser_secret="abc", now=NOW)
    assert all(a.question.code != "Q4" for a in response.answers)


@pytest.mark.parametrize("change, code", [
    ({"Q1": "99999"}, "Q1"),                      # not a commune of the territory
    ({"Q2": None}, "Q2"),                          # required
    ({"Q2": "9"}, "Q2"),                           # not an option
    ({"Q4": ["1", "2", "3", "autre"]}, "Q4"),      # more than 3 choices
    ({"Q4": ["autre"], "Q4.other": ""}, "Q4"),     # other without text
    ({"Q5": 11}, "Q5"),                            # rating out of 0-10
    ({"Q5": "6.5"}, "Q5"),                         # rating not whole
    ({"Q6": "beaucoup"}, "Q6"),                    # not a number
    ({"Q6": 301}, "Q6"),                           # above the bound
    ({"Q7": {"r1": "9"}}, "Q7"),                   # not on the scale
    ({"Q8": {"1": "1", "2": "1"}}, "Q8"),          # two items ranked 1
    ({"Q8": ["1", "2", "3", "4"]}, "Q8"),          # ranks more than 3
    ({"Q9": "x" * 301}, "Q9"),                     # too long
    ({"Q13": "2026-02-30"}, "Q13"),                # not a date
])
def test_invalid_answers_are_reported_per_question(survey, change, code):
    with pytest.raises(services.InvalidAnswers) as refused:
        services.submit_response(survey, {**VALID_ANSWERS, **change}, browser_secret="abc", now=NOW)
    assert set(refused.value.errors) == {code}
    assert responses() == 0


def test_access_code_is_single_use(make_survey):
    survey = make_survey(access_codes=True)
    db.session.add(AccessCode(survey_id=survey.id, code="K7M2PQ9X"))
    db.session.commit()
    with pytest.raises(InvalidInput):
        services.submit_response(survey, VALID_ANSWERS, browser_secret="a", access_code="WRONG", now=NOW)
    services.submit_response(survey, VALID_ANSWERS, browser_secret="a", access_code="k7m2-pq9x", now=NOW)
    db.session.commit()
    with pytest.raises(InvalidInput):
        services.submit_response(survey, VALID_ANSWERS, browser_secret="b", access_code="K7M2PQ9X", now=NOW)
    assert responses() == 1


def test_keyed_in_response_records_channel_and_who_keyed_it_once(survey, make_user, territory):
    from consult.accounts.models import Role

    coordinator = make_user(role=(territory, Role.COORDINATOR))
    response = services.key_in_response(coordinator, survey, VALID_ANSWERS, channel=Channel.PAPER, entry_id="e1",
                                        now=NOW)
    assert (response.channel, response.keyed_by_id) == (Channel.PAPER, coordinator.id)
    with pytest.raises(services.AlreadyResponded):
        services.key_in_response(coordinator, survey, VALID_ANSWERS, channel=Channel.PAPER, entry_id="e1", now=NOW)
    participant = make_user()
    with pytest.raises(PermissionDenied):
        services.key_in_response(participant, survey, VALID_ANSWERS, channel=Channel.PAPER, now=NOW)
    db.session.commit()
    assert responses() == 1


def test_purge_drafts_command_forgets_old_unfinished_answers(runner, survey):
    from consult.surveys.models import Draft

    db.session.add_all([Draft(survey_id=survey.id, key_hash="a" * 64, data={"Q1": "82112"},
                              updated_on=dt.date(2020, 1, 1)),
                        Draft(survey_id=survey.id, key_hash="b" * 64, data={}, updated_on=dt.date.today())])
    db.session.commit()
    result = runner.invoke(args=["surveys", "purge-drafts"])
    assert result.exit_code == 0
    assert "1 unfinished" in result.output
    assert db.session.scalar(select(func.count(Draft.id))) == 1
