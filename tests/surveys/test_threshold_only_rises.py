"""k (the smallest group shown) can only go up once a survey has answers: the coordinator cannot lower
it in the settings, a lower site rule does not lower it, and the promise made to respondents holds."""
from __future__ import annotations

import html
import re

from consult.extensions import db
from consult.surveys import services
from tests.conftest import NOW
from tests.surveys.conftest import VALID_ANSWERS
from tests.surveys.test_results import add_response

SLUG = "terres-des-confluences"
BASE = f"/t/{SLUG}/manage/surveys"
PROMISE = re.compile(r"(?:au moins|at least) (\d+) (?:répondants|respondents)")


def settings(client, survey, threshold: str):
    """Post the settings form, changing only the smallest group shown."""
    return client.post(f"{BASE}/{survey.id}/settings", data={
        "title": survey.title, "mode": survey.mode.value, "recontact_enabled": "y",
        "disclosure_threshold": threshold})


def answer(survey, n: int = 1) -> None:
    for i in range(n):
        services.submit_response(survey, VALID_ANSWERS, browser_secret=f"navigateur-{i}", now=NOW)
    db.session.commit()


def promised(client, survey) -> int:
    """The k the survey's intro page promises to respondents."""
    body = html.unescape(client.get(f"/t/{SLUG}/surveys/{survey.id}/").get_data(as_text=True))
    return int(PROMISE.search(body.replace("\xa0", " ")).group(1))


def field_error(response) -> str:
    found = re.search(r'<p class="error-message" id="disclosure_threshold-error">(.*?)</p>',
                      response.get_data(as_text=True), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


def test_lowering_k_is_refused_once_a_response_exists(client, as_coordinator, survey):
    answer(survey)

    response = settings(client, survey, "3")

    assert response.status_code == 200
    assert "11" in field_error(response)
    assert re.search(r'name="disclosure_threshold"[^>]*value="3"', response.get_data(as_text=True))
    db.session.refresh(survey)
    assert survey.disclosure_threshold is None
    assert survey.disclosure_floor == 11
    assert promised(client, survey) == 11


def test_lowering_k_is_allowed_before_any_response(client, as_coordinator, survey):
    survey.disclosure_threshold = 15
    db.session.commit()

    response = settings(client, survey, "5")

    assert response.status_code == 302
    db.session.refresh(survey)
    assert survey.disclosure_threshold == 5
    assert promised(client, survey) == 5


def test_raising_k_is_allowed_and_then_cannot_be_undone(client, as_coordinator, survey):
    answer(survey)

    assert settings(client, survey, "15").status_code == 302
    refused = settings(client, survey, "12")

    assert "15" in field_error(refused)
    db.session.refresh(survey)
    assert (survey.disclosure_threshold, survey.disclosure_floor) == (15, 15)
    assert promised(client, survey) == 15


def test_emptying_k_is_refused_when_the_site_rule_is_lower(client, as_coordinator, survey):
    survey.disclosure_threshold = 15
    db.session.commit()
    answer(survey)

    response = settings(client, survey, "")

    assert field_error(response)
    db.session.refresh(survey)
    assert survey.disclosure_threshold == 15
    assert promised(client, survey) == 15


def test_emptying_k_is_allowed_when_the_site_rule_is_not_lower(client, as_coordinator, survey):
    survey.disclosure_threshold = 11
    db.session.commit()
    answer(survey)

    assert settings(client, survey, "").status_code == 302
    db.session.refresh(survey)
    assert survey.disclosure_threshold is None
    assert promised(client, survey) == 11


def test_a_lower_site_rule_does_not_lower_k_of_a_survey_with_responses(app, client, survey, make_survey,
                                                                        monkeypatch):
    answer(survey)
    fresh = make_survey(title="Un autre questionnaire")
    monkeypatch.setitem(app.config, "DISCLOSURE_THRESHOLD", 5)

    assert promised(client, survey) == 11
    assert promised(client, fresh) == 5  # nothing collected yet: the new rule applies


def test_publishing_pins_k(app, client, as_coordinator, survey, monkeypatch):
    for _i in range(3):
        add_response(survey, {"Q1": "82033", "Q3": "2"})  # stored without the answering service
    db.session.commit()

    client.post(f"/t/{SLUG}/manage/surveys/{survey.id}/results/publish")
    monkeypatch.setitem(app.config, "DISCLOSURE_THRESHOLD", 3)

    db.session.refresh(survey)
    assert survey.disclosure_floor == 11
    page = client.get(f"/t/{SLUG}/surveys/{survey.id}/results").get_data(as_text=True)
    assert "< 11" in page and "< 3" not in page


def test_builder_says_k_can_only_go_up(client, as_coordinator, survey):
    body = html.unescape(client.get(f"{BASE}/{survey.id}/settings").get_data(as_text=True))

    assert "ne peut qu'augmenter" in body or "can only go up" in body
