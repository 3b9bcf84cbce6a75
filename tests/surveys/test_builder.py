"""Coordinators build surveys: template, settings, status, pages, questions, options, codes."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from consult.accounts.models import Role
from consult.extensions import db
from consult.surveys import services
from consult.surveys.models import AccessCode, Question, QuestionType, Survey, SurveyMode, SurveyStatus
from consult.surveys.building.template import WHO5_ITEMS
from tests.conftest import NOW, PASSWORD
from tests.surveys.conftest import VALID_ANSWERS

BASE = "/t/terres-des-confluences/manage/surveys"


def question_form(**overrides) -> dict:
    data = {"type": "single_choice", "text": "Avez-vous un médecin traitant ?", "options": "Oui\nNon\nJe ne sais pas",
            "required": "y"}
    data.update(overrides)
    return data


def test_template_survey_is_created_as_a_draft_with_who5(client, as_coordinator, territory):
    response = client.post(f"{BASE}/", data={"title": "Diagnostic 2026", "start": "template"})
    survey = db.session.scalar(select(Survey))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/{survey.id}/"
    assert survey.status is SurveyStatus.DRAFT
    assert survey.title == "Diagnostic 2026"
    assert len(survey.pages) == 8
    assert len(survey.questions) == 27
    who5 = next(q for q in survey.questions if q.scored)
    assert [r.label for r in who5.rows] == WHO5_ITEMS
    assert [o.score for o in who5.choices] == [5, 4, 3, 2, 1, 0]
    assert (who5.score_multiplier, who5.score_cutoff) == (4, 50)
    assert any(q.falc_text for q in survey.questions)
    assert any(p.mental_health for p in survey.pages)
    page = client.get(f"{BASE}/{survey.id}/").get_data(as_text=True)
    assert "Q27" in page


def test_template_survey_accepts_a_complete_answer(client, as_coordinator, territory):
    client.post(f"{BASE}/", data={"title": "Diagnostic 2026", "start": "template"})
    survey = db.session.scalar(select(Survey))
    client.post(f"{BASE}/{survey.id}/status/open")
    data = {"Q1": "82033", "Q2": "2", "Q5": "1", "Q7": "2", "Q18": {f"r{i}": "2" for i in range(1, 6)},
            "Q21": ["1", "2", "3"]}
    response = services.submit_response(survey, data, browser_secret="x", now=NOW)
    assert len(response.answers) == 4 + 5 + 3


def test_empty_survey_then_pages_and_questions(client, as_coordinator):
    client.post(f"{BASE}/", data={"title": "Santé des jeunes", "start": "empty"})
    survey = db.session.scalar(select(Survey))
    client.post(f"{BASE}/{survey.id}/pages", data={"page-title": "Vous et le sport"})
    page = survey.pages[0]
    response = client.post(f"{BASE}/{survey.id}/pages/{page.id}/questions/new", data=question_form())
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    assert (question.code, question.type, question.required) == ("Q1", QuestionType.SINGLE, True)
    assert [(o.code, o.label) for o in question.options] == [("1", "Oui"), ("2", "Non"), ("3", "Je ne sais pas")]


def test_open_refused_without_questions(client, as_coordinator):
    client.post(f"{BASE}/", data={"title": "Vide", "start": "empty"})
    survey = db.session.scalar(select(Survey))
    client.post(f"{BASE}/{survey.id}/status/open")
    db.session.refresh(survey)
    assert survey.status is SurveyStatus.DRAFT


def test_status_goes_open_closed_archived(client, as_coordinator, make_survey):
    survey = make_survey(status=SurveyStatus.DRAFT)
    for action, expected in [("open", SurveyStatus.OPEN), ("close", SurveyStatus.CLOSED),
                             ("archive", SurveyStatus.ARCHIVED), ("unarchive", SurveyStatus.CLOSED)]:
        client.post(f"{BASE}/{survey.id}/status/{action}")
        db.session.refresh(survey)
        assert survey.status is expected
    client.post(f"{BASE}/{survey.id}/status/archive")
    client.post(f"{BASE}/{survey.id}/status/close")  # archived cannot close
    db.session.refresh(survey)
    assert survey.status is SurveyStatus.ARCHIVED


def test_settings_store_paris_time_as_utc_and_refuse_closing_before_opening(client, as_coordinator, make_survey):
    survey = make_survey(status=SurveyStatus.DRAFT)
    form = {"title": "Votre santé", "mode": "anonymous", "opens_at": "2026-12-01T09:00",
            "closes_at": "2026-11-30T18:00", "recontact_enabled": "y"}
    refused = client.post(f"{BASE}/{survey.id}/settings", data=form)
    assert refused.status_code == 200
    assert 'value="2026-11-30T18:00"' in refused.get_data(as_text=True)
    client.post(f"{BASE}/{survey.id}/settings", data={**form, "closes_at": "2027-01-31T18:00"})
    db.session.refresh(survey)
    assert survey.opens_at == dt.datetime(2026, 12, 1, 8, 0)  # 09:00 in Paris is 08:00 UTC in winter
    assert survey.closes_at == dt.datetime(2027, 1, 31, 17, 0)


def answered(survey):
    services.submit_response(survey, VALID_ANSWERS, browser_secret="r1", now=NOW)
    db.session.commit()


def q(survey, code):
    return next(x for x in survey.questions if x.code == code)


def test_wording_can_be_corrected_after_answers(client, as_coordinator, survey):
    answered(survey)
    question = q(survey, "Q3")
    response = client.post(f"{BASE}/{survey.id}/questions/{question.id}/edit",
                           data=question_form(type="yes_no", text="Avez-vous renoncé à un soin ?", options="Oui\nNon"))
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.text == "Avez-vous renoncé à un soin ?"


def test_removing_an_option_after_answers_is_refused(client, as_coordinator, survey):
    answered(survey)
    question = q(survey, "Q2")
    response = client.post(f"{BASE}/{survey.id}/questions/{question.id}/edit",
                           data=question_form(type="likert", text=question.text, options="Très bon\nBon"))
    assert response.status_code == 200
    assert "Très bon\nBon" in response.get_data(as_text=True)
    db.session.refresh(question)
    assert len(question.options) == 5


def test_changing_the_type_after_answers_is_refused(client, as_coordinator, survey):
    answered(survey)
    question = q(survey, "Q3")
    client.post(f"{BASE}/{survey.id}/questions/{question.id}/edit",
                data=question_form(type="single_choice", text=question.text, options="Oui\nNon"))
    db.session.refresh(question)
    assert question.type is QuestionType.YES_NO


def test_deleting_a_question_after_answers_is_refused(client, as_coordinator, survey):
    answered(survey)
    question = q(survey, "Q9")
    client.post(f"{BASE}/{survey.id}/questions/{question.id}/delete")
    assert db.session.get(Question, question.id) is not None


def test_adding_an_option_after_answers_keeps_codes(client, as_coordinator, survey):
    answered(survey)
    question = q(survey, "Q12")
    client.post(f"{BASE}/{survey.id}/questions/{question.id}/edit",
                data=question_form(text=question.text, options="Une femme\nUn homme\nAutre ou non précisé\n"
                                                               "Je préfère ne pas répondre"))
    db.session.refresh(question)
    assert [o.code for o in question.options] == ["1", "2", "3", "4"]


def test_question_before_answers_can_be_deleted_and_conditions_on_it_are_cleared(client, as_coordinator, survey):
    question_id = q(survey, "Q3").id
    client.post(f"{BASE}/{survey.id}/questions/{question_id}/delete")
    db.session.expire_all()
    assert db.session.get(Question, question_id) is None
    assert q(survey, "Q4").condition_code is None


def test_duplicate_places_a_copy_after_with_a_new_code(client, as_coordinator, survey):
    question = q(survey, "Q2")
    client.post(f"{BASE}/{survey.id}/questions/{question.id}/duplicate")
    db.session.expire_all()
    copy = q(survey, "Q14")
    assert copy.text == question.text
    assert copy.position == question.position + 1
    assert [o.label for o in copy.options] == [o.label for o in question.options]


def test_move_question_down(client, as_coordinator, survey):
    first, second = q(survey, "Q1"), q(survey, "Q2")
    client.post(f"{BASE}/{survey.id}/questions/{first.id}/down")
    db.session.expire_all()
    assert (first.position, second.position) == (1, 0)


def test_condition_must_refer_to_an_earlier_choice_question(client, as_coordinator, survey):
    question = q(survey, "Q2")
    response = client.post(f"{BASE}/{survey.id}/questions/{question.id}/edit",
                           data=question_form(type="likert", text=question.text,
                                              options="\n".join(o.label for o in question.options),
                                              condition_code="Q3", condition_values="1"))
    assert response.status_code == 200  # Q3 comes after Q2: not offered, refused
    db.session.refresh(question)
    assert question.condition_code is None


def test_scored_question_needs_one_score_per_option(client, as_coordinator, survey):
    page = survey.pages[1]
    response = client.post(f"{BASE}/{survey.id}/pages/{page.id}/questions/new",
                           data=question_form(type="matrix", rows="Calme\nÉnergie", options="Jamais\nSouvent",
                                              scored="y", scores="0"))
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Question.id))) == 13


def test_access_codes_are_generated_unique_and_unambiguous(client, as_coordinator, make_survey):
    survey = make_survey(access_codes=True)
    client.post(f"{BASE}/{survey.id}/codes", data={"count": "200"})
    codes = db.session.scalars(select(AccessCode.code)).all()
    assert len(codes) == len(set(codes)) == 200
    assert all(len(c) == 8 and not set(c) & set("01IO") for c in codes)
    page = client.get(f"{BASE}/{survey.id}/codes").get_data(as_text=True)
    assert f"{codes[0][:4]}-{codes[0][4:]}" in page


def test_mode_cannot_change_once_answered(client, as_coordinator, survey):
    answered(survey)
    client.post(f"{BASE}/{survey.id}/settings", data={"title": survey.title, "mode": "identified"})
    db.session.refresh(survey)
    assert survey.mode is SurveyMode.ANONYMOUS


@pytest.mark.parametrize("who", ["anonymous", "participant", "observer", "other_coordinator"])
def test_builder_is_for_coordinators_only(app, make_user, territory, other_territory, make_survey, who):
    survey = make_survey()
    client = app.test_client()
    user = {"anonymous": None, "participant": make_user(), "observer": make_user(role=(territory, Role.OBSERVER)),
            "other_coordinator": make_user(role=(other_territory, Role.COORDINATOR))}[who]
    if user:
        assert client.post("/account/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    for path in ("/", f"/{survey.id}/", f"/{survey.id}/settings", f"/{survey.id}/entry", f"/{survey.id}/codes"):
        response = client.get(BASE + path)
        assert response.status_code == (302 if who == "anonymous" else 403), path
    client.post(f"{BASE}/{survey.id}/questions/{q(survey, 'Q9').id}/delete")
    assert db.session.get(Question, q(survey, "Q9").id) is not None


def test_admin_can_build(client, make_user, make_survey, login):
    survey = make_survey()
    login(make_user(admin=True))
    response = client.get(f"{BASE}/{survey.id}/")
    assert response.status_code == 200
    assert survey.title in response.get_data(as_text=True)
