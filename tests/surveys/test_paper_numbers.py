"""Questionnaire numbers: printed on numbered copies for those who key answers in, keyed in on entry, refused
twice (also when two coordinators key the same number at once), and « another commune » kept like a commune."""
from __future__ import annotations

import http.cookiejar
import os
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from consult.accounts.models import Role, TerritoryRole, User
from consult.extensions import db
from consult.surveys import services
from consult.surveys.exports import printable
from consult.surveys.models import Answer, Response, Survey, SurveyStatus
from consult.territories.models import Commune, Epci, Territory
from tests.conftest import NOW, PASSWORD, hash_password, sample_rows, served_database_app, serving
from tests.surveys.conftest import default_pages
from tests.surveys.test_paper_entry import BASE, form

FR = {"Accept-Language": "fr"}


def numbers() -> list[str | None]:
    return list(db.session.scalars(select(Response.paper_number).order_by(Response.id)))


def test_entry_keeps_the_number_and_refuses_it_on_a_second_questionnaire(client, as_coordinator, survey):
    assert client.post(f"{BASE}/{survey.id}/entry", data=form(paper_number="n° 42")).status_code == 302
    second = client.post(f"{BASE}/{survey.id}/entry", headers=FR, data=form(
        entry_id="feuille-0043", paper_number="0042", **{"q-Q10": "Un centre de santé à Lizac"}))
    page = second.get_data(as_text=True)
    assert second.status_code == 422
    error = page.split('id="paper_number-error"')[1].split("</p>")[0]
    assert "Le questionnaire n° 0042 est déjà saisi" in error
    assert 'href="#paper_number"' in page  # in the summary, linked to the field
    # Everything typed is kept, the number too.
    assert 'value="0042"' in page and "Un centre de santé à Lizac" in page and "Pas de bus le samedi" in page
    assert numbers() == ["0042"]
    assert client.post(f"{BASE}/{survey.id}/entry", data=form(entry_id="feuille-0043",
                                                              paper_number="43")).status_code == 302
    assert numbers() == ["0042", "0043"]


def test_double_click_with_a_number_records_once_without_an_error(client, as_coordinator, survey):
    client.post(f"{BASE}/{survey.id}/entry", data=form(paper_number="7"))
    again = client.post(f"{BASE}/{survey.id}/entry", headers=FR, data=form(paper_number="7"), follow_redirects=True)
    assert "déjà été enregistré" in again.get_data(as_text=True)
    assert numbers() == ["0007"]


def test_entry_without_a_number_and_with_a_wrong_one(client, as_coordinator, survey):
    wrong = client.post(f"{BASE}/{survey.id}/entry", data=form(paper_number="12/3"))
    assert wrong.status_code == 422 and 'id="paper_number-error"' in wrong.get_data(as_text=True)
    assert numbers() == []
    client.post(f"{BASE}/{survey.id}/entry", data=form(entry_id="sans-numero"))
    client.post(f"{BASE}/{survey.id}/entry", data=form(entry_id="sans-numero-2"))
    assert numbers() == [None, None]  # questionnaires without a number are not refused


def test_another_commune_is_answered_kept_and_counted(client, as_coordinator, survey):
    assert client.post(f"{BASE}/{survey.id}/entry", data=form(**{"q-Q1": "autre"})).status_code == 302
    stored = db.session.scalar(select(Answer.value_text).join(Answer.question).where(Answer.question.has(code="Q1")))
    assert stored == "autre"
    results = client.get(f"{BASE}/{survey.id}/results", headers=FR)  # the coordinator's live results
    assert results.status_code == 200 and "Autre commune" in results.get_data(as_text=True)
    assert client.post(f"{BASE}/{survey.id}/entry", data=form(entry_id="x", **{"q-Q1": "Paris"})).status_code == 422


@pytest.mark.parametrize("role, sheets", [("anonymous", 1), ("participant", 1), ("observer", 1),
                                          ("other_coordinator", 1), ("coordinator", 3), ("admin", 3)])
def test_numbered_copies_only_for_those_who_key_answers_in(as_role, survey, role, sheets):
    page = as_role(role).get(f"/t/terres-des-confluences/surveys/{survey.id}/print?copies=3&start=98",
                             headers=FR).get_data(as_text=True)
    assert page.count('<article class="sheet"') == sheets
    if sheets == 3:
        assert [f"Questionnaire n° {n:04d}" in page for n in (98, 99, 100, 101)] == [True, True, True, False]
    else:
        assert "Questionnaire n° ________" in page and 'name="copies"' not in page


def test_print_choices_out_of_bounds_fall_back(client, as_coordinator, survey):
    url = f"/t/terres-des-confluences/surveys/{survey.id}/print"
    expected = {"?copies=100000&start=-5": (25, "0001"), "?copies=abc&start=": (1, None),
                "?start=99999999999999999999&copies=2": (2, "99998")}
    for query, (sheets, first) in expected.items():
        response = client.get(url + query, headers=FR)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and page.count('<article class="sheet"') == sheets
        assert f"Questionnaire n° {first}" in page if first else "Questionnaire n° ________" in page
    assert printable.MAX_COPIES == 25


# --- two coordinators keying in the same number at once -----------------------------------------------------

def test_number_taken_between_the_check_and_the_write_is_refused_cleanly(client, as_coordinator, survey,
                                                                         monkeypatch):
    """The other coordinator's questionnaire is committed after this one's check: the unique constraint refuses
    the write, and the refusal is the same as the check's, on the field (never a 500)."""
    client.post(f"{BASE}/{survey.id}/entry", data=form(paper_number="0150"))
    check = services._paper_number_refusal
    calls = []

    def too_early(survey, number, key):
        calls.append(number)
        return None if len(calls) == 1 else check(survey, number, key)

    monkeypatch.setattr(services, "_paper_number_refusal", too_early)
    raced = client.post(f"{BASE}/{survey.id}/entry", headers=FR, data=form(entry_id="poste-2", paper_number="150"))
    assert raced.status_code == 422 and len(calls) == 2
    assert "Le questionnaire n° 0150 est déjà saisi" in raced.get_data(as_text=True).split('id="paper_number-error"')[1]
    assert numbers() == ["0150"]



@pytest.fixture
def served(tmp_path):
    """A served app with an open survey and two coordinators of its territory."""
    app = served_database_app(tmp_path)
    with app.app_context():
        territory = Territory(slug="terres-des-confluences", name="Terres des Confluences")
        epci = Epci(name="CC Terres des Confluences", siren="200066322", territory=territory)
        for row in sample_rows("200066322"):
            db.session.add(Commune(territory=territory, epci=epci, insee_code=row["insee_code"],
                                   name=row["commune_name"], population=int(row["population"]),
                                   population_year=int(row["population_year"])))
        survey = Survey(territory=territory, title="Votre santé", status=SurveyStatus.OPEN, pages=default_pages())
        for question in survey.questions:
            question.survey = survey
        db.session.add(survey)
        emails = ["coordination.confluences@example.org", "animatrice.cls@example.org"]
        for email in emails:
            user = User(email=email, display_name=email.split("@")[0], password_hash=hash_password(PASSWORD),
                        privacy_consent_at=NOW, email_confirmed_at=NOW)
            db.session.add(TerritoryRole(user=user, territory=territory, role=Role.COORDINATOR))
        db.session.commit()
        survey_id = survey.id
        db.session.remove()
    with serving(app) as port:
        yield app, port, survey_id, emails


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="SQLite queues writers from their BEGIN (BEGIN IMMEDIATE): the check always sees the other")
def test_same_number_keyed_at_once_gives_one_response_and_clean_refusals(served):
    app, port, survey_id, emails = served
    base = f"http://127.0.0.1:{port}"
    openers = []
    for email in emails:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        opener.open(f"{base}/account/login", urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode())
        openers.append(opener)
    start, statuses = threading.Barrier(6), []

    def key_in(n: int) -> None:
        data = urllib.parse.urlencode(form(entry_id=f"poste-{n}", paper_number="0150"), doseq=True).encode()
        start.wait()
        try:
            statuses.append(openers[n % 2].open(f"{base}{BASE}/{survey_id}/entry", data).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=key_in, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [200] + [422] * 5  # one recorded (then the empty form), five refused on the field
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id)).where(Response.paper_number == "0150")) == 1
        db.session.remove()
