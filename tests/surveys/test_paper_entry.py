"""Coordinators key in paper, phone and workshop questionnaires with the web's validation."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import Role
from consult.extensions import db
from consult.surveys.models import Channel, Response, SurveyStatus

BASE = "/t/terres-des-confluences/manage/surveys"


def form(**overrides) -> dict:
    data = {"channel": "paper", "entry_id": "feuille-0042", "q-Q1": "82169", "q-Q2": "3", "q-Q3": "1",
            "q-Q4": ["2", "autre"], "q-Q4-other": "Pas de bus le samedi", "q-Q5": "6", "q-Q7-r1": "1",
            "q-Q7-r2": "2", "q-Q8-1": "2", "q-Q8-2": "1", "q-Q10": "Une maison de santé à Saint-Nicolas",
            "q-Q11": "4", "q-Q12": "1"}
    data.update(overrides)
    return data


def count() -> int:
    return db.session.scalar(select(func.count(Response.id)))


def test_entry_form_shows_every_question(client, make_user, territory, survey, login):
    login(make_user(role=(territory, Role.COORDINATOR)))
    page = client.get(f"{BASE}/{survey.id}/entry").get_data(as_text=True)
    for code in [f"Q{n}" for n in range(1, 14)]:
        assert f'name="q-{code}' in page
    assert "Saint-Nicolas-de-la-Grave" in page


def test_keyed_in_questionnaire_is_recorded_with_channel_and_keyer(client, make_user, territory, survey, login):
    coordinator = make_user(role=(territory, Role.COORDINATOR))
    login(coordinator)
    response = client.post(f"{BASE}/{survey.id}/entry", data=form(channel="phone"))
    assert response.status_code == 302
    assert "channel=phone" in response.headers["Location"]
    stored = db.session.scalar(select(Response))
    assert (stored.channel, stored.keyed_by_id, stored.user_id) == (Channel.PHONE, coordinator.id, None)
    codes = {a.question.code for a in stored.answers}
    assert {"Q1", "Q4", "Q7", "Q8", "Q10"} <= codes


def test_double_click_records_once(client, make_user, territory, survey, login):
    login(make_user(role=(territory, Role.COORDINATOR)))
    client.post(f"{BASE}/{survey.id}/entry", data=form())
    again = client.post(f"{BASE}/{survey.id}/entry", data=form())
    assert again.status_code == 302
    assert count() == 1


def test_invalid_entry_keeps_what_was_typed(client, make_user, territory, survey, login):
    login(make_user(role=(territory, Role.COORDINATOR)))
    response = client.post(f"{BASE}/{survey.id}/entry", data=form(**{"q-Q6": "999", "q-Q2": ""}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Pas de bus le samedi" in page
    assert 'value="999"' in page
    assert count() == 0


def test_entry_allowed_after_closing_but_not_in_draft(client, make_user, territory, make_survey, login):
    login(make_user(role=(territory, Role.COORDINATOR)))
    closed = make_survey(status=SurveyStatus.CLOSED)
    assert client.post(f"{BASE}/{closed.id}/entry", data=form()).status_code == 302
    draft = make_survey(status=SurveyStatus.DRAFT, title="Brouillon")
    client.post(f"{BASE}/{draft.id}/entry", data=form(entry_id="autre"))
    assert count() == 1


def test_web_channel_cannot_be_chosen_for_keyed_entries(client, make_user, territory, survey, login):
    login(make_user(role=(territory, Role.COORDINATOR)))
    client.post(f"{BASE}/{survey.id}/entry", data=form(channel="web"))
    assert count() == 0
