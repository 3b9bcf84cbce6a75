"""A resident answers a health survey on a phone-sized screen, in Chromium, with axe on every page.

Selectors are ids, names and hrefs, not interface wording (the French catalogue may still change).
"""
from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from consult.extensions import db
from consult.surveys.models import Draft, PanelContact, Response, Survey, SurveyStatus
from consult.territories.models import territory_by_slug
from tests.surveys.conftest import default_pages
from tests.browser.helpers import checked_page, follow, next_button

SLUG = "terres-des-confluences"
PHONE = {"width": 375, "height": 812}


def create_survey(live_server) -> int:
    """An open anonymous survey with every question type (the one of tests/surveys/conftest.py)."""
    with live_server.app.app_context():
        survey = Survey(territory=territory_by_slug(SLUG), title="Votre santé au quotidien", status=SurveyStatus.OPEN,
                        introduction="Ce questionnaire **anonyme** prend dix minutes.",
                        purpose="Préparer le diagnostic local de santé.", retention="18 mois, puis agrégé.",
                        mental_health=True, pages=default_pages())
        for question in survey.questions:
            question.survey = survey
        db.session.add(survey)
        db.session.commit()
        survey_id = survey.id
        db.session.remove()
    return survey_id


def test_resident_answers_a_survey_on_a_phone(page: Page, live_server, axe_check):
    survey_id = create_survey(live_server)
    base = f"/t/{SLUG}/surveys/{survey_id}/"
    page.set_viewport_size(PHONE)

    page.goto(live_server(f"/t/{SLUG}/surveys/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="{base}"]'))
    checked_page(page, axe_check)
    expect(page.locator(".notice-3114")).to_have_count(1)
    expect(page.locator(".survey-privacy")).to_be_visible()
    follow(page, page.locator(f'form[action="{base}start"] button[type="submit"]'))

    # Page 1 — one deliberate mistake (a number written in words), and a question that appears after "yes".
    checked_page(page, axe_check)
    expect(page.locator("progress")).to_have_attribute("value", "1")
    page.select_option("#q-Q1", "82112")
    page.check("#q-Q2-2")
    page.check("#q-Q3-1")
    page.check("#q-Q5-8")
    page.fill("#q-Q6", "vingt-cinq")
    expect(page.locator('[name="q-Q4"]')).to_have_count(0)
    follow(page, next_button(page))
    checked_page(page, axe_check)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator('a[href="#q-Q6"]')).to_have_count(1)
    expect(page.locator("#q-Q6")).to_have_value("vingt-cinq")
    expect(page.locator("#q-Q6")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q-Q1")).to_have_value("82112")
    page.check("#q-Q4-1")
    page.fill("#q-Q6", "25")
    follow(page, next_button(page))

    # Page 2 — a matrix, a ranking, texts; the 3114 notice before and after (mental-health survey).
    checked_page(page, axe_check)
    expect(page.locator(".notice-3114")).to_have_count(2)
    page.check("#q-Q7-1-2")
    page.check("#q-Q7-2-3")
    page.select_option("#q-Q8-2", "1")
    page.select_option("#q-Q8-1", "2")
    page.fill("#q-Q9", "Agricultrice")
    page.fill("#q-Q10", "Un bus vers l'hôpital de Moissac")
    follow(page, next_button(page))

    # Page 3, then Back: what was typed stays.
    checked_page(page, axe_check)
    page.check("#q-Q11-3")
    follow(page, page.locator('button[name="action"][value="back"]'))
    checked_page(page, axe_check)
    expect(page.locator("#q-Q9")).to_have_value("Agricultrice")
    follow(page, next_button(page))
    checked_page(page, axe_check)
    expect(page.locator("#q-Q11-3")).to_be_checked()
    page.check("#q-Q12-1")
    page.fill("#q-Q13", "2026-10-02")
    follow(page, next_button(page))

    # Review, submit, thanks, and the separate panel sign-up.
    checked_page(page, axe_check)
    assert page.url.endswith(f"{base}review")
    review = page.locator("main")
    expect(review).to_contain_text("Moissac")
    expect(review).to_contain_text("Agricultrice")
    expect(page.locator(f'a[href="{base}page/2#question-Q9"]')).to_have_count(1)
    follow(page, page.locator(f'form[action="{base}submit"] button[type="submit"]'))
    checked_page(page, axe_check)
    assert page.url.endswith(f"{base}thanks")
    page.check("#consent")
    page.fill("#email", "habitante.moissac@example.org")
    follow(page, page.locator(f'form[action="{base}recontact"] button[type="submit"]'))
    checked_page(page, axe_check)
    expect(page.locator(".notice-success")).to_be_visible()

    with live_server.app.app_context():
        assert db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey_id)) == 1
        assert db.session.scalar(select(func.count(Draft.id)).where(Draft.survey_id == survey_id)) == 0
        assert db.session.scalar(select(func.count(PanelContact.id)).where(PanelContact.survey_id == survey_id)) == 1
        db.session.remove()


def test_resident_resumes_on_another_phone_by_typing_the_key(page: Page, browser, live_server, axe_check, tmp_path):
    survey_id = create_survey(live_server)
    base = f"/t/{SLUG}/surveys/{survey_id}/"
    page.set_viewport_size(PHONE)
    page.goto(live_server(base))
    checked_page(page, axe_check)
    follow(page, page.locator(f'form[action="{base}start"] button[type="submit"]'))
    checked_page(page, axe_check)
    page.check("#q-Q2-2")
    page.fill("#q-Q6", "25")
    follow(page, page.locator('button[name="action"][value="later"]'))

    # "Resume later": the key in a field, the address to open elsewhere without it.
    checked_page(page, axe_check)
    page.screenshot(path=str(tmp_path / "later-375.png"), full_page=True)
    key = page.locator("#resume-key").input_value()
    expect(page.locator(f'main a[href$="{base}resume"]')).to_have_count(1)
    assert key not in page.url

    other = browser.new_context(locale="fr-FR", viewport=PHONE).new_page()
    other.goto(live_server(f"{base}resume"))
    checked_page(other, axe_check)
    other.fill("#key", "une-clé-erronée")
    follow(other, other.locator(f'form[action="{base}resume"] button[type="submit"]'))
    checked_page(other, axe_check)
    expect(other.locator("#key")).to_have_attribute("aria-invalid", "true")
    other.screenshot(path=str(tmp_path / "resume-error-375.png"), full_page=True)
    other.fill("#key", key)
    follow(other, other.locator(f'form[action="{base}resume"] button[type="submit"]'))
    checked_page(other, axe_check)
    assert other.url.endswith(f"{base}page/1") and key not in other.url
    expect(other.locator("#q-Q6")).to_have_value("25")
    other.context.close()
