"""A coordinator publishes the first results of a survey that is still open and writes what to remember; a
resident finds them from the survey list and reads them on a phone: no horizontal scroll, axe on every page.

Selectors are ids, names and hrefs, not interface wording (the French catalogue may still change)."""
from __future__ import annotations

import functools

from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.accounts.models import User
from consult.core.models import utcnow
from consult.extensions import db
from consult.surveys.models import Survey
from consult.surveys.releases import services as releasing
from consult.surveys.releases.models import SurveyRelease
from consult.territories.models import territory_by_slug
from tests.browser.helpers import checked_page, follow, signed_in

SLUG = "terres-des-confluences"
PHONE = {"width": 375, "height": 812}
COORDINATOR = "coordination.confluences@example.org"
FINDINGS = "Une personne sur trois a **renoncé à des soins**.\n\n- Les délais d’attente d’abord.\n- Puis la distance."


def test_published_results_read_as_a_report_on_a_phone(page: Page, live_server, axe_check, monkeypatch):
    # The joint audit of a release (tests/surveys/test_release_*.py) takes longer than a page may wait here:
    # this journey is about reading the release, so the release protects each table on its own.
    monkeypatch.setattr(releasing, "build", functools.partial(releasing.build, joint=False))
    with live_server.app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.territory_id == territory_by_slug(SLUG).id))
        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        releasing.publish_results(coordinator, survey, now=utcnow())   # what the staff results page's button does
        db.session.commit()
        survey_id = survey.id
        db.session.remove()
    public = f"/t/{SLUG}/surveys/{survey_id}/results"
    page.set_viewport_size(PHONE)

    # The coordinator writes what to remember and lands on the page readers will see, every table opened.
    signed_in(page, live_server, COORDINATOR, "demo-coord-consult")
    page.goto(live_server(f"/t/{SLUG}/manage/surveys/{survey_id}/results/releases/1/key-findings"))
    checked_page(page, axe_check)
    page.fill("#text", FINDINGS)
    follow(page, page.locator("main form button[type=submit]"))
    assert page.url == live_server(f"{public}/releases/1")
    for details in page.locator("details.figures").all():   # every table shown: still no page-wide scroll
        details.locator("summary").click()
    checked_page(page, axe_check)
    expect(page.locator("main h2").first).to_have_attribute("id", "essentials-title")
    expect(page.locator("#essentials strong")).to_have_text("renoncé à des soins")
    expect(page.locator("#essentials li")).to_have_count(2)
    assert page.locator("#method").bounding_box()["y"] > page.locator(".question-result").last.bounding_box()["y"]
    page.locator('nav.toc a[href="#method"]').click()   # the table of contents leads to each part
    expect(page.locator("#method")).to_be_in_viewport()

    # Residents: the survey is still open, and its card on the list links to the results (a link that takes clicks).
    page.context.clear_cookies()
    page.goto(live_server(f"/t/{SLUG}/surveys/"))
    checked_page(page, axe_check)
    page.locator(f'.card a[href="{public}"]').click(trial=True, timeout=5000)

    with live_server.app.app_context():
        stored = db.session.scalar(select(SurveyRelease.key_findings).where(SurveyRelease.survey_id == survey_id))
        db.session.remove()
    assert stored == FINDINGS
