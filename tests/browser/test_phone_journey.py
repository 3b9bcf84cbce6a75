"""A resident answers the demo survey on a 375 px phone: the first question is in sight without scrolling, the
territory menu is a disclosure that opens with the keyboard and without JavaScript, no sideways scroll, axe clean."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import checked_page, follow, next_button

SLUG = "terres-des-confluences"
SURVEY = f"/t/{SLUG}/surveys/1/"
PHONE = {"width": 375, "height": 812}
CHROME = 300  # px: header, menu and the survey's title block end above this on every page (308 px before issue 13)
FOLD = 600  # px of 812: the first question (or the 3114 notice) starts well inside the screen


def first_question_top(page: Page) -> float:
    """Where the first question starts — or, on a mental-health page, the 3114 notice that comes before it."""
    return page.locator("main :is(.question, .notice-3114)").first.bounding_box()["y"]


def test_resident_answers_the_demo_survey_on_a_phone(page: Page, live_server, axe_check, browser):
    page.set_viewport_size(PHONE)
    page.goto(live_server(SURVEY))
    checked_page(page, axe_check)

    # The territory menu: closed, opened with Enter on its summary, its links then reachable with Tab.
    menu = page.locator(".territory-menu")
    surveys_link = menu.locator(f'a[href="/t/{SLUG}/surveys/"]')
    expect(surveys_link).to_be_hidden()
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    expect(surveys_link).to_be_visible()
    expect(surveys_link).to_have_attribute("aria-current", "page")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.territory-menu nav') !== null")
    checked_page(page, axe_check)  # the open menu is axe clean too
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(surveys_link).to_be_hidden()
    assert page.locator("header").bounding_box()["height"] < 130

    follow(page, page.locator(f'form[action="{SURVEY}start"] button[type="submit"]'))
    answers = {1: lambda: page.select_option("#q-Q1", "82112"), 2: lambda: page.check("#q-Q2-2"),
               3: lambda: (page.check("#q-Q5-1"), page.check("#q-Q7-2"))}
    for number in range(1, 9):
        checked_page(page, axe_check)
        expect(page.locator("progress")).to_have_attribute("value", str(number))
        head = page.locator("main .survey-head").bounding_box()
        assert head["y"] + head["height"] < CHROME, f"page {number}: the title block ends at {head} px"
        assert first_question_top(page) < FOLD, f"page {number}: first question at {first_question_top(page)} px"
        if number in answers:
            answers[number]()
        if number == 5:
            expect(page.locator("#q-Q17")).to_have_attribute("inputmode", "numeric")
        follow(page, next_button(page))
    checked_page(page, axe_check)  # the review page
    expect(page.locator(f'form[action="{SURVEY}submit"], main form button[type="submit"]').first).to_be_visible()

    # Without JavaScript the menu still opens: a <details> needs none.
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="fr-FR")
    try:
        bare = context.new_page()
        bare.goto(live_server(SURVEY))
        bare_menu = bare.locator(".territory-menu")
        expect(bare_menu.locator(f'a[href="/t/{SLUG}/groups/"]')).to_be_hidden()
        bare_menu.locator("summary").click()
        expect(bare_menu.locator(f'a[href="/t/{SLUG}/groups/"]')).to_be_visible()
        with bare.expect_navigation():
            bare_menu.locator(f'a[href="/t/{SLUG}/groups/"]').click()
        assert bare.url == live_server(f"/t/{SLUG}/groups/")
    finally:
        context.close()
