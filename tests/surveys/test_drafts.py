"""Drafts: a coordinator tries a draft through the real answering pages (test answers, never counted, deleted when
the survey opens), deletes a draft, archives a closed survey."""
from __future__ import annotations

import re

import pytest
from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select

from consult.core.models import utcnow
from consult.extensions import db
from consult.portal import cockpit
from consult.surveys import permissions, services
from consult.surveys.models import (AccessCode, Draft, Question, QuestionType, Response, Survey, SurveyMode, SurveyPage,
                                    SurveyStatus)
from consult.accounts.models import Role
from tests.conftest import PASSWORD
from tests.surveys.conftest import VALID_ANSWERS, default_pages
from tests.surveys.releasing import publish
from tests.surveys.test_respond import PAGE_FORMS, SLUG, count, post_page, t, text, url

ROLES = ("anonymous", "participant", "observer", "other_coordinator", "coordinator", "admin")
MANAGERS = ("coordinator", "admin")


def manage_url(survey, path: str = "") -> str:
    return f"/t/{SLUG}/manage/surveys/{survey.id}/{path}"


def try_survey(client, survey, *, sent: int = 302):
    """Start a test answer from the introduction's button, walk every page, submit it (`sent`: the status)."""
    start = client.post(url(survey, "test"))
    assert start.status_code == 302 and start.headers["Location"].endswith("/page/1")
    for index, fields in enumerate(PAGE_FORMS):
        assert post_page(client, survey, index, fields).status_code == 302
    response = client.post(url(survey, "submit"))
    assert response.status_code == sent, text(response)[:2000]
    return response


# --- who may -----------------------------------------------------------------------------------------------


def test_predicates_for_every_role(make_user, make_survey, territory, other_territory):
    draft, closed = make_survey(status=SurveyStatus.DRAFT), make_survey(status=SurveyStatus.CLOSED)
    opened = make_survey()
    users = {
        "anonymous": None,
        "participant": make_user(display_name="Habitante de Moissac"),
        "observer": make_user(role=(territory, Role.OBSERVER)),
        "other_coordinator": make_user(role=(other_territory, Role.COORDINATOR)),
        "coordinator": make_user(role=(territory, Role.COORDINATOR)),
        "admin": make_user(admin=True),
    }
    for role, user in users.items():
        manager = role in MANAGERS
        assert permissions.can_test_survey(user, draft) is manager, role
        assert permissions.can_delete_survey(user, draft) is manager, role
        assert permissions.can_archive_survey(user, closed) is manager, role
        # Only a draft is tried or deleted; only a closed survey is archived.
        for survey in (opened, closed):
            assert not permissions.can_test_survey(user, survey) and not permissions.can_delete_survey(user, survey)
        assert not permissions.can_archive_survey(user, opened) and not permissions.can_archive_survey(user, draft)


@pytest.mark.parametrize("role", ROLES)
def test_preview_is_reachable_from_the_management_page_by_its_coordinators_only(as_role, make_survey, role):
    survey = make_survey(status=SurveyStatus.DRAFT)
    client = as_role(role)
    detail, intro, start = client.get(manage_url(survey)), client.get(url(survey)), client.post(url(survey, "test"))
    if role in MANAGERS:
        assert f'href="{url(survey)}"' in text(detail) and t("Preview and test") in text(detail)
        assert t("Test mode: your answers will not be counted.") in text(intro)
        assert t("Try the survey") in text(intro)
        assert start.status_code == 302 and count(Draft) == 1
    else:
        assert detail.status_code in (302, 403) and t("Preview and test") not in text(detail)
        assert intro.status_code == 404 and start.status_code == 404
        assert count(Draft) == 0


# --- trying a draft ----------------------------------------------------------------------------------------


def test_a_test_answer_goes_through_the_real_pages_with_the_banner(client, login, coordinator, make_survey):
    survey = make_survey(status=SurveyStatus.DRAFT)
    survey.recontact_enabled = True
    db.session.commit()
    login(coordinator)
    banner = t("Test mode: your answers will not be counted.")
    assert client.post(url(survey, "test")).status_code == 302
    first = client.get(url(survey, "page/1"))
    assert first.status_code == 200 and banner in text(first)
    # The same validation as residents meet: a required answer missing is refused on its page.
    refused = post_page(client, survey, 0, {**PAGE_FORMS[0], "q-Q1": ""})
    assert refused.status_code == 422 and banner in text(refused)
    falc = post_page(client, survey, 0, PAGE_FORMS[0], action="falc")
    assert falc.status_code == 302 and "Vous sentez-vous en bonne santé" in text(client.get(url(survey, "page/1")))
    for index, fields in enumerate(PAGE_FORMS):
        assert post_page(client, survey, index, fields).status_code == 302
    review = client.get(url(survey, "review"))
    assert review.status_code == 200 and banner in text(review) and "Agricultrice" in text(review)
    assert client.post(url(survey, "submit")).headers["Location"].endswith("/thanks")
    thanks = text(client.get(url(survey, "thanks")))
    assert banner in thanks and t("Stay in touch (optional)") not in thanks  # no panel sign-up from a test
    assert client.post(url(survey, "recontact"), data={"consent": "y", "email": "a@example.org"}).status_code == 404
    db.session.expire_all()
    assert count(Response) == 1 and count(Draft) == 0
    assert db.session.get(Survey, survey.id).disclosure_floor is None  # k is not pinned by a test
    # Never "already answered": the coordinator may try again, and the results preview is labelled.
    assert client.post(url(survey, "test")).headers["Location"].endswith("/page/1")
    assert t("This survey is a draft: its answers are test answers, deleted when it opens.") in text(
        client.get(manage_url(survey, "results")))
    with current_app.test_request_context("/"):
        one = ngettext("%(num)d test answer", "%(num)d test answers", 1)
    assert one in text(client.get(manage_url(survey)))


def test_a_replayed_test_submit_records_nothing_more(client, login, coordinator, make_survey):
    survey = make_survey(status=SurveyStatus.DRAFT)
    login(coordinator)
    try_survey(client, survey)
    replay = client.post(url(survey, "submit"))
    assert replay.status_code == 302 and replay.headers["Location"].endswith(url(survey))
    assert count(Response) == 1


def test_opening_deletes_test_answers_and_counts_never_include_them(client, login, coordinator, make_survey,
                                                                   territory):
    survey = make_survey(status=SurveyStatus.DRAFT, access_codes=True)
    db.session.add_all([AccessCode(survey_id=survey.id, code="K7M2P9QX"),
                        AccessCode(survey_id=survey.id, code="B4N8R3TW", spent=True)])
    db.session.commit()
    login(coordinator)
    refused = try_survey(client, survey, sent=422)  # the review asks for a code, as it would a resident
    assert t("This access code is not valid or has already been used.") in text(refused) and count(Response) == 0
    assert client.post(url(survey, "submit"), data={"access_code": "k7m2-p9qx"}).status_code == 302
    assert client.post(url(survey, "test")).status_code == 302  # a second test left in progress
    assert count(Response) == 1 and count(Draft) == 1
    assert not db.session.scalar(select(AccessCode.spent).where(AccessCode.code == "K7M2P9QX"))  # not spent
    # Before opening: nowhere counted for the territory.
    assert [line.responses for line in cockpit.survey_lines(territory)] == [0]
    assert cockpit.figures(territory, now=utcnow()).total("responses") == 0
    assert t("Test answers will be deleted when the survey opens.") in text(client.get(manage_url(survey, "settings")))
    assert t("Test answers will be deleted when the survey opens.") in text(client.get(manage_url(survey)))

    assert client.post(manage_url(survey, "status/open")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).status is SurveyStatus.OPEN
    assert count(Response) == 0 and count(Draft) == 0
    assert not any(db.session.scalars(select(AccessCode.spent)))  # every code can be used by residents
    assert t("Test mode: your answers will not be counted.") not in text(client.get(url(survey)))
    # A resident's answer is the first one counted.
    services.submit_response(survey, VALID_ANSWERS, browser_secret="habitante", access_code="B4N8R3TW", now=utcnow())
    db.session.commit()
    assert [line.responses for line in cockpit.survey_lines(territory)] == [1]


def test_test_answers_never_lock_a_draft_and_a_changed_type_discards_them(client, login, coordinator, make_survey):
    survey = make_survey(status=SurveyStatus.DRAFT, mode=SurveyMode.IDENTIFIED)
    login(coordinator)
    try_survey(client, survey)
    try_survey(client, survey)  # the same account tries again: never "already answered" in test mode
    assert count(Response) == 2
    q3 = next(q for q in survey.questions if q.code == "Q3")
    changed = client.post(manage_url(survey, f"questions/{q3.id}/edit"), data={
        "type": "single_choice", "text": q3.text, "options": "Oui\nNon\nJe ne sais pas", "required": "y"})
    assert changed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, q3.id).type is QuestionType.SINGLE and count(Response) == 0
    try_survey(client, survey)
    q9 = next(q.id for q in survey.questions if q.code == "Q9")
    assert client.post(manage_url(survey, f"questions/{q9}/delete")).status_code == 302  # allowed in a draft
    db.session.expire_all()
    assert db.session.get(Question, q9) is None and count(Response) == 1


# --- deleting and archiving --------------------------------------------------------------------------------


def test_deleting_a_draft_asks_then_removes_it_with_all_it_holds(client, login, coordinator, make_survey):
    survey = make_survey(status=SurveyStatus.DRAFT, title="Brouillon de L'Isle-Jourdain")
    kept = make_survey(status=SurveyStatus.DRAFT, title="Santé des aidants")
    login(coordinator)
    try_survey(client, survey)
    detail = text(client.get(manage_url(survey)))
    assert f'href="{manage_url(survey, "delete")}"' in detail
    confirm = client.get(manage_url(survey, "delete"))
    assert confirm.status_code == 200 and t("Delete the draft “%(title)s”?", title=survey.title) in text(confirm)
    assert count(Survey) == 2  # asking deletes nothing
    survey_id, delete_url = survey.id, manage_url(survey, "delete")
    deleted = client.post(delete_url)
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith(f"/t/{SLUG}/manage/surveys/")
    listing = text(client.get(f"/t/{SLUG}/manage/surveys/"))
    assert t("The draft “%(title)s” is deleted.", title="Brouillon de L'Isle-Jourdain") in listing
    assert "Santé des aidants" in listing and f"/manage/surveys/{survey_id}/" not in listing
    db.session.expire_all()
    assert db.session.scalars(select(Survey.id)).all() == [kept.id]
    assert count(Response) == 0 and count(Draft) == 0
    assert db.session.scalar(select(SurveyPage.id).where(SurveyPage.survey_id == survey_id)) is None
    assert db.session.scalar(select(Question.id).where(Question.survey_id == survey_id)) is None
    # A second click: nothing else happens, no error.
    again = client.post(delete_url, follow_redirects=True)
    assert again.status_code == 200 and t("This survey does not exist, or was deleted already.") in text(again)
    assert count(Survey) == 1


def test_an_opened_survey_is_never_deleted_but_archived_once_closed(app, client, login, coordinator, make_survey):
    survey = make_survey()
    services.submit_response(survey, VALID_ANSWERS, browser_secret="habitante", now=utcnow())
    db.session.commit()
    login(coordinator)
    assert f'href="{manage_url(survey, "delete")}"' not in text(client.get(manage_url(survey)))
    for method in (client.get, client.post):
        refused = method(manage_url(survey, "delete"), follow_redirects=True)
        assert t("Only a draft can be deleted. A survey that was opened keeps its answers: close it, then archive "
                 "it.") in text(refused)
    assert count(Survey) == 1 and count(Response) == 1
    client.post(manage_url(survey, "status/archive"))  # an open survey is closed first
    assert db.session.get(Survey, survey.id).status is SurveyStatus.OPEN
    client.post(manage_url(survey, "status/close"))
    publish(survey)
    resident = app.test_client()
    assert survey.title in text(resident.get(f"/t/{SLUG}/surveys/"))
    assert client.post(manage_url(survey, "status/archive")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).status is SurveyStatus.ARCHIVED and count(Response) == 1
    # Archived: off the public list, its published results still at their address.
    assert survey.title not in text(resident.get(f"/t/{SLUG}/surveys/"))
    assert resident.get(f"/t/{SLUG}/surveys/{survey.id}/results").status_code == 200


def test_delete_and_test_forms_need_their_csrf_token(make_territory, make_user, csrf_app):
    # Built in the body, so in csrf_app's database (its context is the last pushed).
    territory = make_territory()
    coordinator = make_user(role=(territory, Role.COORDINATOR))
    survey = Survey(territory=territory, title="Brouillon de L'Isle-Jourdain", status=SurveyStatus.DRAFT,
                    pages=default_pages())
    for question in survey.questions:
        question.survey = survey
    db.session.add(survey)
    db.session.commit()
    client = csrf_app.test_client()

    def token(page: str) -> str:
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)

    assert client.post("/account/login", data={"email": coordinator.email, "password": PASSWORD,
                                               "csrf_token": token(text(client.get("/account/login")))}).status_code == 302
    assert client.post(manage_url(survey, "delete")).status_code == 400
    assert client.post(url(survey, "test")).status_code == 400
    assert count(Survey) == 1 and count(Draft) == 0
    intro = text(client.get(url(survey)))
    assert client.post(url(survey, "test"), data={"csrf_token": token(intro)}).status_code == 302
    confirm = text(client.get(manage_url(survey, "delete")))
    assert client.post(manage_url(survey, "delete"), data={"csrf_token": token(confirm)}).status_code == 302
    assert count(Survey) == 0
