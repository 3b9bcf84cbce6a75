"""Answering a survey on the web: introduction, pages, drafts and resume links, review, submit, thanks."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import re

import pytest
from flask import current_app
from flask_babel import gettext
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, inspect, select

from consult.core.models import utcnow
from consult.core.time import week_start
from consult.extensions import db
from consult.surveys.models import (
    AccessCode,
    Draft,
    PanelContact,
    Question,
    QuestionType,
    Response,
    Survey,
    SurveyMode,
    SurveyPage,
    SurveyStatus,
)
from consult.territories.models import Territory
from tests.surveys.conftest import default_pages, options

SLUG = "terres-des-confluences"

# The default survey's pages as a browser posts them (the answers of conftest.VALID_ANSWERS).
PAGE_FORMS = [
    {"q-Q1": "82112", "q-Q2": "2", "q-Q3": "1", "q-Q4": ["1", "autre"], "q-Q4-other": "Pas de médecin disponible",
     "q-Q5": "7", "q-Q6": "25"},
    {"q-Q7-r1": "2", "q-Q7-r2": "3", "q-Q8-1": "2", "q-Q8-2": "1", "q-Q8-3": "3", "q-Q9": "Agricultrice",
     "q-Q10": "Un bus vers l'hôpital de Moissac"},
    {"q-Q11": "3", "q-Q12": "1", "q-Q13": "2026-10-02"},
]


# --- helpers ------------------------------------------------------------------------------


def url(survey, path: str = "") -> str:
    return f"/t/{SLUG}/surveys/{survey.id}/{path}"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def t(msgid: str, **variables) -> str:
    """The interface's wording (French by default) for `msgid`, as a page shows it."""
    with current_app.test_request_context("/"):
        return html.unescape(gettext(msgid, **variables))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def start(client, survey, **form):
    response = client.post(url(survey, "start"), data=form)
    assert response.status_code == 302, text(response)[:3000]
    return response


def post_page(client, survey, index: int, fields: dict, *, action: str = "next", number: int | None = None,
              shown: list[str] | None = None):
    """Post the form of survey.pages[index], as displayed with every question of the page."""
    page = survey.pages[index]
    data = {**fields, "page_id": page.id, "action": action,
            "shown": shown or [q.code for q in page.questions]}
    return client.post(url(survey, f"page/{number or index + 1}"), data=data)


def answer_every_page(client, survey) -> None:
    start(client, survey)
    for index, fields in enumerate(PAGE_FORMS):
        response = post_page(client, survey, index, fields)
        assert response.status_code == 302, text(response)[:3000]
    assert response.headers["Location"].endswith("/review")


def submit(client, survey, **form):
    return client.post(url(survey, "submit"), data=form)


def draft_data() -> dict:
    db.session.expire_all()
    return db.session.scalars(select(Draft)).one().data


# --- listing ------------------------------------------------------------------------------


def test_list_shows_open_surveys_but_never_drafts(client, make_survey):
    make_survey(title="Votre santé à Moissac")
    make_survey(title="Brouillon secret", status=SurveyStatus.DRAFT)
    page = text(client.get(f"/t/{SLUG}/surveys/"))
    assert "Votre santé à Moissac" in page
    assert "Brouillon secret" not in page


def test_list_links_results_only_once_published(client, make_survey):
    published = make_survey(title="Enquête 2025", status=SurveyStatus.CLOSED)
    published.results_published_at = dt.datetime(2026, 1, 15, 9, 0)
    make_survey(title="Enquête 2024 non publiée", status=SurveyStatus.CLOSED)
    db.session.commit()
    page = client.get(f"/t/{SLUG}/surveys/").get_data(as_text=True)
    assert f'href="/t/{SLUG}/surveys/{published.id}/results"' in page
    assert "Enquête 2024 non publiée" not in html.unescape(page)


def test_territory_nav_links_to_surveys(client, territory):
    assert f'href="/t/{SLUG}/surveys/"' in client.get(f"/t/{SLUG}/").get_data(as_text=True)


# --- introduction -------------------------------------------------------------------------


def test_intro_shows_privacy_notice_and_publication_threshold(client, survey):
    page = text(client.get(url(survey)))
    assert "Ce questionnaire <strong>anonyme</strong>" in client.get(url(survey)).get_data(as_text=True)
    assert "Préparer le diagnostic local de santé." in page
    assert "18 mois, puis agrégé." in page
    assert "Communauté de communes Terres des Confluences" in page
    assert t("Your answers are anonymous: no email address, IP address or account is stored with them, "
             "and only the week of your answer is kept, not the day or the time.") in page
    assert t("Results are only published for groups of at least %(n)d respondents.", n=11) in page


def test_intro_uses_the_survey_threshold_when_set(client, survey):
    survey.disclosure_threshold = 5
    db.session.commit()
    page = text(client.get(url(survey)))
    assert t("Results are only published for groups of at least %(n)d respondents.", n=5) in page


def test_intro_carries_the_not_a_medical_service_notice(client, survey):
    page = client.get(url(survey)).get_data(as_text=True)
    assert 'class="notice notice-medical"' in page
    assert "<strong>15</strong>" in page.split('class="notice notice-medical"')[1].split("</div>")[0]


@pytest.mark.parametrize("mental_health, notices", [(True, 1), (False, 0)])
def test_intro_shows_the_3114_notice_only_for_mental_health_surveys(client, make_survey, mental_health, notices):
    survey = make_survey(mental_health=mental_health)
    page = client.get(url(survey)).get_data(as_text=True)
    assert page.count('class="notice notice-3114"') == notices
    assert ("<strong>3114</strong>" in page) is bool(notices)


def test_intro_of_an_open_survey_has_a_start_button(client, survey):
    page = client.get(url(survey)).get_data(as_text=True)
    assert f'action="{url(survey, "start")}"' in page


def test_intro_links_to_the_resume_form_for_a_browser_without_answers_in_progress(app, client, survey):
    fresh = app.test_client()
    assert f'href="{url(survey, "resume")}"' in fresh.get(url(survey)).get_data(as_text=True)
    start(client, survey)  # this browser has its own answers in progress: it continues them instead
    assert f'href="{url(survey, "resume")}"' not in client.get(url(survey)).get_data(as_text=True)


def test_closed_survey_says_when_it_closed_and_has_no_start_button(client, make_survey):
    survey = make_survey(opens_at=dt.datetime(2026, 1, 1), closes_at=dt.datetime(2026, 3, 31, 16, 0))
    survey.status = SurveyStatus.CLOSED
    db.session.commit()
    page = text(client.get(url(survey)))
    assert "mardi 31 mars 2026" in page or "Tuesday, March 31, 2026" in page
    assert "18:00" in page  # Paris time, summer
    assert url(survey, "start") not in page


def test_survey_past_its_closing_time_says_so_even_if_still_marked_open(client, make_survey):
    survey = make_survey(closes_at=utcnow() - dt.timedelta(hours=1))
    page = client.get(url(survey)).get_data(as_text=True)
    assert url(survey, "start") not in page
    assert 'class="notice notice-closed"' in page


def test_survey_not_yet_open_gives_its_opening_date_and_no_start_button(client, make_survey):
    opens = (utcnow() + dt.timedelta(days=30)).replace(hour=7, minute=0, second=0, microsecond=0)
    survey = make_survey(opens_at=opens)
    response = client.get(url(survey))
    with current_app.test_request_context("/"):
        from flask_babel import format_date
        day = format_date(opens, "full")
    assert day in text(response)
    assert url(survey, "start") not in text(response)


def test_start_refused_while_the_survey_is_not_open(client, make_survey):
    survey = make_survey(opens_at=utcnow() + dt.timedelta(days=3))
    response = client.post(url(survey, "start"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(survey))
    assert count(Draft) == 0


def test_draft_survey_does_not_exist_for_the_public(client, make_survey):
    survey = make_survey(status=SurveyStatus.DRAFT)
    assert client.get(url(survey)).status_code == 404
    assert client.post(url(survey, "start")).status_code == 404


def test_draft_survey_is_visible_to_its_coordinators_without_start_button(client, login, coordinator, make_survey):
    survey = make_survey(status=SurveyStatus.DRAFT, title="Enquête en préparation")
    login(coordinator)
    response = client.get(url(survey))
    assert response.status_code == 200
    assert "Enquête en préparation" in text(response)
    assert url(survey, "start") not in text(response)


def test_survey_of_another_territory_is_not_found(client, survey, other_territory):
    assert client.get(f"/t/ouest-aveyron/surveys/{survey.id}/").status_code == 404


@pytest.mark.parametrize("path", ["", "page/1", "review", "thanks", "resume"])
def test_answering_pages_of_another_territorys_survey_or_an_unknown_territory_are_not_found(client, survey,
                                                                                            other_territory, path):
    """The territory is read with the survey and the draft (not signed in): the survey must still be its own."""
    start(client, survey)  # a draft, and its resume cookie, exist for this survey
    assert client.get(f"/t/ouest-aveyron/surveys/{survey.id}/{path}").status_code == 404
    assert client.get(f"/t/nulle-part/surveys/{survey.id}/{path}").status_code == 404
    assert client.post(f"/t/ouest-aveyron/surveys/{survey.id}/submit").status_code == 404


def test_territory_survey_and_draft_read_together_give_only_this_resume_keys_draft(client, survey, other_territory,
                                                                                   make_survey):
    from consult.surveys.answering import respond

    start(client, survey)
    key = client.get_cookie(f"consult_sv_{survey.id}_resume", path=f"/t/{SLUG}/surveys/{survey.id}").value
    draft = db.session.scalars(select(Draft)).one()
    territory = survey.territory

    assert respond.territory_survey_draft(SLUG, survey.id, key=key) == (territory, survey, draft)
    assert respond.territory_survey_draft(SLUG, survey.id, key="une autre clé") == (territory, survey, None)
    assert respond.territory_survey_draft(SLUG, survey.id, key=None) == (territory, survey, None)
    assert respond.territory_survey_draft("ouest-aveyron", survey.id, key=key) == (other_territory, None, None)
    assert respond.territory_survey_draft("nulle-part", survey.id, key=key) is None
    identified = make_survey(mode=SurveyMode.IDENTIFIED)
    assert respond.territory_survey_draft(SLUG, identified.id, key=key) == (territory, identified, None)


# --- identified mode ----------------------------------------------------------------------


def test_identified_survey_asks_visitors_to_log_in_with_a_return_link(client, make_survey):
    survey = make_survey(mode=SurveyMode.IDENTIFIED)
    page = client.get(url(survey)).get_data(as_text=True)
    assert f'href="/account/login?next=/t/{SLUG}/surveys/{survey.id}/"' in page
    assert url(survey, "start") not in page


def test_identified_survey_pages_need_an_account(client, make_survey):
    survey = make_survey(mode=SurveyMode.IDENTIFIED)
    response = client.get(url(survey, "page/1"))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_identified_draft_is_found_again_through_the_account(app, client, login, make_user, make_survey):
    survey = make_survey(mode=SurveyMode.IDENTIFIED)
    user = make_user()
    login(user)
    start(client, survey)
    post_page(client, survey, 0, {**PAGE_FORMS[0], "q-Q6": "45"}, action="back")
    assert db.session.scalars(select(Draft)).one().user_id == user.id

    other_device = app.test_client()
    other_device.post("/account/login", data={"email": user.email, "password": "un mot de passe très sûr"})
    page = other_device.get(url(survey, "page/1")).get_data(as_text=True)
    assert 'name="q-Q6" value="45"' in page


# --- starting, drafts and resume links ----------------------------------------------------


def test_start_keeps_only_the_hash_of_the_resume_key(client, survey):
    start(client, survey)
    key = client.get_cookie(f"consult_sv_{survey.id}_resume", path=url(survey).rstrip("/")).value
    draft = db.session.scalars(select(Draft)).one()
    assert draft.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(draft.data) and draft.user_id is None


def test_anonymous_draft_of_a_logged_in_visitor_stores_no_account(client, login, make_user, survey):
    login(make_user())
    start(client, survey)
    assert db.session.scalars(select(Draft)).one().user_id is None


def test_first_page_shows_progress(client, survey):
    start(client, survey)
    page = text(client.get(url(survey, "page/1")))
    assert t("Page %(number)d of %(total)d", number=1, total=3) in page
    assert '<progress max="3" value="1"' in page


def test_pages_outside_the_visible_range_redirect(client, survey):
    start(client, survey)
    assert client.get(url(survey, "page/9")).headers["Location"].endswith("/review")
    assert client.get(url(survey, "page/0")).headers["Location"].endswith("/page/1")


def test_page_without_a_draft_sends_back_to_the_introduction(client, survey):
    response = client.get(url(survey, "page/2"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(survey))


def test_conditional_question_is_not_shown_when_its_condition_is_not_met(client, survey):
    start(client, survey)
    post_page(client, survey, 0, {**PAGE_FORMS[0], "q-Q3": "2"}, shown=["Q1", "Q2", "Q3", "Q5", "Q6"])
    page = client.get(url(survey, "page/1")).get_data(as_text=True)
    assert 'name="q-Q3" value="2" checked' in page
    assert 'name="q-Q4"' not in page


def test_answer_that_reveals_a_question_shows_the_page_again_with_it(client, survey):
    start(client, survey)
    fields = {k: v for k, v in PAGE_FORMS[0].items() if not k.startswith("q-Q4")}
    response = post_page(client, survey, 0, fields, shown=["Q1", "Q2", "Q3", "Q5", "Q6"])
    assert response.status_code == 200
    assert 'name="q-Q4"' in response.get_data(as_text=True)
    assert draft_data()["Q3"] == "1"


def test_conditional_page_is_skipped_and_the_count_follows(client, make_survey):
    pages = default_pages()
    pages[1].condition_code, pages[1].condition_values = "Q3", ["1"]
    survey = make_survey(pages=pages)
    start(client, survey)
    response = post_page(client, survey, 0, {**PAGE_FORMS[0], "q-Q3": "2"}, shown=["Q1", "Q2", "Q3", "Q5", "Q6"])
    assert response.headers["Location"].endswith("/page/2")
    page = text(client.get(url(survey, "page/2")))
    assert "Vous" in page and 'name="q-Q11"' in page  # the third page comes second
    assert t("Page %(number)d of %(total)d", number=2, total=2) in page


def test_back_keeps_what_was_typed_without_checking_it(client, survey):
    start(client, survey)
    post_page(client, survey, 0, PAGE_FORMS[0])
    response = post_page(client, survey, 1, {"q-Q9": "Infirmière", "q-Q8-1": "1", "q-Q8-2": "1"}, action="back")
    assert response.headers["Location"].endswith("/page/1")
    page = text(client.get(url(survey, "page/2")))
    assert 'name="q-Q9" value="Infirmière"' in page
    assert "error-summary" not in page


def test_next_with_invalid_answers_shows_them_again_with_errors(client, survey):
    start(client, survey)
    response = post_page(client, survey, 0, {**PAGE_FORMS[0], "q-Q6": "beaucoup", "q-Q2": ""})
    page = text(response)
    assert response.status_code == 422
    assert 'name="q-Q6" value="beaucoup"' in page
    assert 'id="q-Q6-error"' in page and 'aria-describedby="q-Q6-hint q-Q6-error"' in page
    assert t("Enter a number between %(low)s and %(high)s.", low="0", high="300") in page  # its bounds, no decimal example
    assert t("This question needs an answer.") in page
    assert '<a href="#q-Q2-1">' in page and '<a href="#q-Q6">' in page  # the summary links to the fields
    assert 'name="q-Q1"' in page and 'value="82112" selected' in page


def test_next_with_valid_answers_moves_on_and_stores_cleaned_values(client, survey):
    start(client, survey)
    response = post_page(client, survey, 0, {**PAGE_FORMS[0], "q-Q6": "12,5"})
    assert response.headers["Location"].endswith("/page/2")
    data = draft_data()
    assert data["Q6"] == 12.5 and data["Q5"] == 7 and data["Q4"] == ["1", "autre"]


def test_date_written_day_month_year_is_understood(client, survey):
    start(client, survey)
    post_page(client, survey, 0, PAGE_FORMS[0])
    post_page(client, survey, 1, PAGE_FORMS[1])
    response = post_page(client, survey, 2, {**PAGE_FORMS[2], "q-Q13": "2/10/2026"})
    assert response.headers["Location"].endswith("/review")
    assert draft_data()["Q13"] == "2026-10-02"


def later_key(client, survey, path: str = "later") -> str:
    return re.search(r'id="resume-key" value="([^"]+)"', client.get(url(survey, path)).get_data(as_text=True)).group(1)


def test_resume_key_posted_in_a_form_restores_the_draft_in_a_fresh_browser(app, client, survey):
    start(client, survey)
    post_page(client, survey, 0, PAGE_FORMS[0])
    post_page(client, survey, 1, {"q-Q9": "Boulanger"}, action="later")
    later = client.get(url(survey, "later?back=2")).get_data(as_text=True)
    key = re.search(r'id="resume-key" value="([^"]+)"', later).group(1)
    assert f'href="http://localhost{url(survey, "resume")}"' in later
    assert later.count(key) == 1  # shown in its field, never in a link

    fresh = app.test_client()
    assert 'name="key"' in text(fresh.get(url(survey, "resume")))
    response = fresh.post(url(survey, "resume"), data={"key": f" {key} "})
    assert response.status_code == 302 and response.headers["Location"].endswith("/page/2")
    assert key not in response.headers["Location"]
    assert 'name="q-Q9" value="Boulanger"' in fresh.get(url(survey, "page/2")).get_data(as_text=True)


def test_resume_key_can_be_shown_again(client, survey):
    start(client, survey)
    assert later_key(client, survey) == later_key(client, survey)


def test_resume_key_in_the_url_path_no_longer_opens_the_answers(app, client, survey):
    start(client, survey)
    post_page(client, survey, 0, PAGE_FORMS[0])
    key = later_key(client, survey)
    fresh = app.test_client()
    response = fresh.get(url(survey, f"resume/{key}"))
    assert response.status_code == 404
    assert fresh.get_cookie(f"consult_sv_{survey.id}_resume", path=url(survey).rstrip("/")) is None
    assert "82112" not in text(response) and "82112" not in text(fresh.get(url(survey, "page/1")))


def test_unknown_resume_key_is_refused_next_to_the_field(client, survey):
    response = client.post(url(survey, "resume"), data={"key": "not-a-key"})
    assert response.status_code == 422
    assert 'id="key-error"' in text(response) and 'aria-invalid="true"' in text(response)
    assert client.get_cookie(f"consult_sv_{survey.id}_resume", path=url(survey).rstrip("/")) is None


def test_survey_pages_are_not_cached(client, survey):
    start(client, survey)
    assert client.get(url(survey, "page/1")).headers["Cache-Control"] == "no-store"


# --- easy read and notices ----------------------------------------------------------------


def test_falc_switch_shows_the_easy_read_wording_and_keeps_typed_answers(client, survey):
    start(client, survey)
    response = post_page(client, survey, 0, {"q-Q6": "30"}, action="falc")
    page = text(client.get(response.headers["Location"]))
    assert "Vous sentez-vous en bonne santé ?" in page
    assert "Comment est votre état de santé en général ?" not in page
    assert 'name="q-Q6" value="30"' in page


def test_falc_switch_turns_back_to_the_usual_wording(client, survey):
    start(client, survey)
    post_page(client, survey, 0, {}, action="falc")
    post_page(client, survey, 0, {}, action="falc")
    assert "Comment est votre état de santé en général ?" in text(client.get(url(survey, "page/1")))


def test_mental_health_page_shows_the_3114_notice_before_and_after_its_questions(client, survey):
    survey.pages[1].mental_health = True
    db.session.commit()
    start(client, survey)
    post_page(client, survey, 0, PAGE_FORMS[0])
    page = client.get(url(survey, "page/2")).get_data(as_text=True)
    assert page.count('class="notice notice-3114"') == 2
    first, last = page.index("notice-3114"), page.rindex("notice-3114")
    assert first < page.index('name="q-Q7-r1"') and page.rindex('name="q-Q10"') < last
    assert "notice-3114" not in client.get(url(survey, "page/1")).get_data(as_text=True)


# --- review and submit --------------------------------------------------------------------


def test_review_shows_answers_in_words_with_links_to_change_them(client, survey):
    answer_every_page(client, survey)
    page = text(client.get(url(survey, "review")))
    assert "Moissac" in page and "Bon" in page
    assert t("%(option)s: %(text)s", option="Autre raison", text="Pas de médecin disponible") in page
    assert t("%(item)s: %(answer)s", item="Je me suis senti·e calme et tranquille", answer="Tout le temps") in page
    assert page.index("1. Santé mentale") < page.index("2. Accès aux soins") < page.index("3. Alimentation")
    assert f'href="{url(survey, "page/2")}#question-Q9"' in page


def test_submit_records_one_response_deletes_the_draft_and_thanks(client, survey):
    answer_every_page(client, survey)
    response = submit(client, survey)
    assert response.status_code == 302 and response.headers["Location"].endswith("/thanks")
    assert count(Response) == 1 and count(Draft) == 0
    stored = db.session.scalars(select(Response)).one()
    assert {a.question.code for a in stored.answers} >= {"Q1", "Q4", "Q7", "Q8", "Q13"}
    assert client.get_cookie(f"consult_sv_{survey.id}_resume", path=url(survey).rstrip("/")) is None


def test_replayed_submit_says_the_answer_is_already_recorded(client, survey):
    answer_every_page(client, survey)
    submit(client, survey)
    replay = submit(client, survey)
    assert replay.status_code == 409
    assert t("Your answer has already been recorded") in text(replay)
    assert count(Response) == 1


def test_answering_again_from_the_same_browser_is_refused_at_start(client, survey):
    answer_every_page(client, survey)
    submit(client, survey)
    assert url(survey, "start") not in client.get(url(survey)).get_data(as_text=True)
    response = client.post(url(survey, "start"))
    assert response.status_code == 409 and count(Draft) == 0


def test_one_response_key_cannot_be_computed_from_the_cookie_without_the_server_secret(app, client, survey):
    answer_every_page(client, survey)
    assert submit(client, survey).status_code == 302
    cookie = client.get_cookie(f"consult_sv_{survey.id}", path=url(survey).rstrip("/")).value
    token = URLSafeSerializer(app.secret_key, salt="consult-survey-browser").loads(cookie)
    stored = db.session.scalars(select(Response)).one().dedupe_key

    guesses = [cookie, token, f"browser:{token}", f"consult:{survey.id}:browser:{token}",
               f"consult:{survey.id}:{token}", f"{survey.id}:{token}", f"{token}:{survey.id}"]
    digests = {algorithm(g.encode()).hexdigest() for g in guesses
               for algorithm in (hashlib.sha256, hashlib.sha1, hashlib.md5, hashlib.sha512)}
    assert stored not in digests and token not in stored and cookie not in stored
    # With the server's secret it can be computed: that is how the rule keeps working.
    secret = app.config["RESPONSE_KEY_SECRET"].encode()
    assert stored == hmac.new(secret, f"consult:{survey.id}:browser:{token}".encode(), hashlib.sha256).hexdigest()
    assert secret.decode() != app.secret_key

    # And the rule holds: the same browser cannot send a second response.
    client.post(url(survey, "start"))
    assert submit(client, survey).status_code == 409
    assert count(Response) == 1


def test_response_key_secret_can_be_set_apart_from_the_secret_key(monkeypatch, survey):
    from config import load_config
    monkeypatch.setenv("RESPONSE_KEY_SECRET", "une clé à part")
    assert load_config("testing").RESPONSE_KEY_SECRET == "une clé à part"
    monkeypatch.delenv("RESPONSE_KEY_SECRET")
    derived = load_config("testing")
    assert derived.RESPONSE_KEY_SECRET == hmac.new(derived.SECRET_KEY.encode(), b"consult:response-dedupe-key:v1",
                                                   hashlib.sha256).hexdigest()


def test_submit_after_closing_shows_everything_that_was_typed(client, survey):
    answer_every_page(client, survey)
    survey.closes_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    response = submit(client, survey)
    page = text(response)
    assert response.status_code == 409
    assert t("This survey is closed") in page
    assert "Un bus vers l'hôpital de Moissac" in page and "Pas de médecin disponible" in page
    assert "Agricultrice" in page.split('id="answers-text"')[1].split("</textarea>")[0]
    assert count(Response) == 0


def test_page_posted_after_closing_keeps_what_was_just_typed(client, survey):
    start(client, survey)
    survey.closes_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    response = post_page(client, survey, 0, {**PAGE_FORMS[0], "q-Q6": "42"})
    assert response.status_code == 409
    assert "42" in text(response).split('id="answers-text"')[1]


def test_submit_with_an_emptied_required_answer_goes_back_to_its_page_with_the_error(client, survey):
    answer_every_page(client, survey)
    post_page(client, survey, 0, {**PAGE_FORMS[0], "q-Q2": ""}, action="back")
    response = submit(client, survey)
    assert response.status_code == 302 and "/page/1?check=1" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert page.status_code == 422 and 'id="q-Q2-error"' in page.get_data(as_text=True)
    assert count(Response) == 0 and count(Draft) == 1


def test_submit_without_a_draft_or_answer_goes_to_the_introduction(client, survey):
    response = submit(client, survey)
    assert response.status_code == 302 and response.headers["Location"].endswith(url(survey))


# --- access codes -------------------------------------------------------------------------


@pytest.fixture
def coded_survey(make_survey):
    survey = make_survey(access_codes=True)
    db.session.add_all([AccessCode(survey_id=survey.id, code="K7M2PQ9X"),
                        AccessCode(survey_id=survey.id, code="ZZ44AA11")])
    db.session.commit()
    return survey


def test_wrong_access_code_is_refused_at_start_next_to_the_field(client, coded_survey):
    response = client.post(url(coded_survey, "start"), data={"access_code": "K7M2-PQ9Y"})
    page = text(response)
    assert response.status_code == 422
    assert 'value="K7M2-PQ9Y"' in page and 'id="access_code-error"' in page
    assert count(Draft) == 0


def test_access_code_checked_at_start_is_not_spent(client, coded_survey):
    start(client, coded_survey, access_code="k7m2-pq9x")
    assert db.session.scalars(select(AccessCode).where(AccessCode.code == "K7M2PQ9X")).one().spent is False


def test_access_code_is_spent_on_submit_and_cannot_start_again(app, client, coded_survey):
    start(client, coded_survey, access_code="K7M2 PQ9X")
    for index, fields in enumerate(PAGE_FORMS):
        post_page(client, coded_survey, index, fields)
    assert submit(client, coded_survey).status_code == 302
    spent = db.session.scalars(select(AccessCode).where(AccessCode.code == "K7M2PQ9X")).one()
    assert spent.spent is True

    neighbour = app.test_client()
    response = neighbour.post(url(coded_survey, "start"), data={"access_code": "K7M2PQ9X"})
    assert response.status_code == 422 and count(Draft) == 0


def test_spent_access_code_stores_no_moment_of_use(client, coded_survey):
    start(client, coded_survey, access_code="K7M2PQ9X")
    for index, fields in enumerate(PAGE_FORMS):
        post_page(client, coded_survey, index, fields)
    assert submit(client, coded_survey).status_code == 302
    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    spent = db.session.scalars(select(AccessCode).where(AccessCode.code == "K7M2PQ9X")).one()
    unused = db.session.scalars(select(AccessCode).where(AccessCode.code != "K7M2PQ9X")).first()
    assert response.submitted_on == week_start(utcnow().date())  # anonymous: the week's Monday, not the day
    # Every stored column of the spent code, apart from "spent", is as it was when it was printed.
    stored = {c.key: getattr(spent, c.key) for c in inspect(AccessCode).column_attrs}
    assert stored["spent"] is True
    assert not any(isinstance(v, (dt.date, dt.datetime)) for v in stored.values())
    assert unused.spent is False


def test_code_spent_meanwhile_is_asked_again_on_the_review_page(app, client, coded_survey):
    start(client, coded_survey, access_code="K7M2PQ9X")
    for index, fields in enumerate(PAGE_FORMS):
        post_page(client, coded_survey, index, fields)
    db.session.scalars(select(AccessCode).where(AccessCode.code == "K7M2PQ9X")).one().spent = True
    db.session.commit()
    response = submit(client, coded_survey)
    assert response.status_code == 422 and 'id="access_code-error"' in response.get_data(as_text=True)
    assert submit(client, coded_survey, access_code="ZZ44-AA11").status_code == 302
    assert count(Response) == 1


# --- thanks and panel ---------------------------------------------------------------------


def test_thanks_page_says_what_happens_next(client, survey):
    answer_every_page(client, survey)
    page = text(client.get(submit(client, survey).headers["Location"]))
    assert t("Results are only published for groups of at least %(n)d respondents.", n=11) in page
    assert f'href="/t/{SLUG}/"' in page
    assert t("This is separate from your answers:") in page


def test_panel_sign_up_stores_the_month_only_and_nothing_linking_it_to_the_response(client, survey):
    answer_every_page(client, survey)
    submit(client, survey)
    response = client.post(url(survey, "recontact"), data={"consent": "y", "email": "Habitante@Example.org"})
    assert response.status_code == 302
    contact = db.session.scalars(select(PanelContact)).one()
    assert contact.email == "habitante@example.org" and contact.survey_id == survey.id
    assert contact.consent_month == utcnow().date().replace(day=1)
    assert {c.key for c in inspect(PanelContact).columns} == {"id", "territory_id", "survey_id", "email",
                                                              "consent_month"}
    assert not re.fullmatch(r"\d+", contact.id)  # a random key, not a counter that follows responses
    response_columns = {c.key for c in inspect(Response).columns}
    assert not {"email", "ip", "user_agent", "created_at"} & response_columns
    assert db.session.scalars(select(Response)).one().user_id is None


def test_panel_sign_up_needs_the_consent_box(client, survey):
    answer_every_page(client, survey)
    submit(client, survey)
    response = client.post(url(survey, "recontact"), data={"email": "habitante@example.org"})
    assert response.status_code == 422
    assert 'value="habitante@example.org"' in response.get_data(as_text=True)
    assert count(PanelContact) == 0


def test_panel_sign_up_is_offered_only_after_answering(client, survey):
    assert url(survey, "recontact") not in client.get(url(survey, "thanks")).get_data(as_text=True)
    response = client.post(url(survey, "recontact"), data={"consent": "y", "email": "x@example.org"})
    assert response.status_code == 404 and count(PanelContact) == 0


def test_panel_sign_up_is_not_offered_when_the_survey_does_not_recontact(client, survey):
    survey.recontact_enabled = False
    db.session.commit()
    answer_every_page(client, survey)
    submit(client, survey)
    assert url(survey, "recontact") not in client.get(url(survey, "thanks")).get_data(as_text=True)


# --- anonymity ----------------------------------------------------------------------------


def test_anonymous_answer_leaves_no_address_or_user_agent_in_any_table(app, survey):
    agent = "NavigateurTémoin/7.3 (Consult anonymity probe)"
    address = "198.51.100.73"
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    answer_every_page(client, survey)
    assert submit(client, survey).status_code == 302
    client.post(url(survey, "recontact"), data={"consent": "y", "email": "panel@example.org"})

    db.session.expire_all()
    dump = "\n".join(repr(row) for table in db.metadata.sorted_tables
                     for row in db.session.execute(select(table)).all())
    assert count(Response) == 1 and count(PanelContact) == 1
    assert address not in dump
    assert "NavigateurTémoin" not in dump and "anonymity probe" not in dump


# --- CSRF ---------------------------------------------------------------------------------


def test_answer_forms_are_protected_against_cross_site_requests(csrf_app):
    territory = Territory(slug=SLUG, name="Terres des Confluences")
    survey_page = SurveyPage(position=0, title="Une page", questions=[
        Question(code="Q1", position=0, type=QuestionType.YES_NO, text="Êtes-vous d'accord ?",
                 options=options("Oui", "Non"))])
    survey = Survey(territory=territory, title="Enquête", status=SurveyStatus.OPEN, pages=[survey_page])
    survey_page.questions[0].survey = survey
    db.session.add(survey)
    db.session.commit()
    client = csrf_app.test_client()
    assert client.post(url(survey, "start")).status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get(url(survey)).get_data(as_text=True)).group(1)
    assert client.post(url(survey, "start"), data={"csrf_token": token}).status_code == 302
    assert client.post(url(survey, "page/1"), data={"page_id": survey_page.id, "q-Q1": "1"}).status_code == 400


def test_a_flagged_page_limits_the_3114_notice_to_that_page_even_in_a_mental_health_survey(client, make_survey):
    survey = make_survey(mental_health=True)
    survey.pages[1].mental_health = True
    db.session.commit()
    start(client, survey)
    assert "notice-3114" not in client.get(url(survey, "page/1")).get_data(as_text=True)
    post_page(client, survey, 0, PAGE_FORMS[0])
    assert client.get(url(survey, "page/2")).get_data(as_text=True).count('class="notice notice-3114"') == 2


def test_a_mental_health_survey_without_flagged_pages_shows_the_notice_on_every_page(client, make_survey):
    survey = make_survey(mental_health=True)
    start(client, survey)
    assert client.get(url(survey, "page/1")).get_data(as_text=True).count('class="notice notice-3114"') == 2
