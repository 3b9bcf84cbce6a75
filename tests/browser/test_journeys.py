"""Journeys through the served app in Chromium: what visitors, new members and coordinators see and do.

Selectors are roles, hrefs and form-field ids, not interface wording, so that the tests hold while the
French catalogue is being completed; where a test is about the language, expected wording comes from the
app's own catalogue.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from consult.core.mail import outbox
from tests.browser.helpers import assert_fits_the_screen, follow, in_language, log_in

SLUG = "terres-des-confluences"
TERRITORY = f"/t/{SLUG}/"
AXES = f"/t/{SLUG}/axes"
MANAGE = f"/t/{SLUG}/manage/"
CLS2_TITLE = "CLS 2 Terres des Confluences 2023-2027"
CLS2_AXES = [
    "Redimensionner le volet santé de la compétence action sociale d'intérêt communautaire",
    "Valoriser les actions mises en œuvre par les partenaires sur le territoire",
    "Favoriser la mise en relation des acteurs (élus, professionnels…)",
    "Développer l'essor d'actions complémentaires innovantes",
]
AXIS1_OBJECTIVES = [
    "Offrir à la population une offre de services organisée et lisible",
    "Coordonner une commission de coordination sanitaire territoriale",
]
COORDINATOR = ("coordination.confluences@example.org", "demo-coord-consult")
PASSWORD = "une phrase de passe assez longue"


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang")


# --- a. a visitor browses --------------------------------------------------------------------------------

@pytest.mark.shared_server
def test_visitor_browses_from_home_to_the_axes_of_the_current_contract(page: Page, live_server, axe_check):
    page.goto(live_server("/"))
    axe_check(page)
    assert html_lang(page) == "fr"
    emergency = page.locator("footer .emergency-notice")
    expect(emergency).to_be_visible()
    expect(emergency.locator("strong", has_text=re.compile(r"^15$"))).to_have_count(1)
    expect(emergency.locator("strong", has_text=re.compile(r"^112$"))).to_have_count(1)
    cards = page.locator(".card-grid > li")
    expect(cards).to_have_count(2)

    follow(page, page.get_by_role("link", name="Terres des Confluences", exact=True))
    expect(page).to_have_url(live_server(TERRITORY))
    axe_check(page)
    assert html_lang(page) == "fr"
    expect(page.get_by_role("heading", level=1)).to_have_text("Terres des Confluences")
    expect(page.locator("#contract-title")).to_have_text(CLS2_TITLE)
    expect(page.locator(".axis-list > li h3")).to_have_text(
        [re.compile(re.escape(title) + "$") for title in CLS2_AXES])

    territory_nav = page.locator(".territory-bar nav")
    follow(page, territory_nav.locator(f'a[href="{AXES}"]'))
    expect(page).to_have_url(live_server(AXES))
    axe_check(page)
    expect(territory_nav.locator(f'a[href="{AXES}"]')).to_have_attribute("aria-current", "page")
    first_axis = page.locator("section#axe-1")
    expect(first_axis.get_by_role("heading", level=2)).to_contain_text(CLS2_AXES[0])
    expect(first_axis.locator(".objective-detail > li .objective-title")).to_have_text(
        [re.compile(r"^1\.\d\s+" + re.escape(title) + "$") for title in AXIS1_OBJECTIVES])
    expect(page.locator("section.axis-detail")).to_have_count(4)
    expect(page.locator("footer .emergency-notice")).to_contain_text("112")


# --- b. registration, confirmation, login, language ------------------------------------------------------

def test_person_registers_confirms_logs_in_and_switches_language(page: Page, live_server, axe_check):
    name, email = "Zoé L'Hermitte", "zoe.lhermitte@example.org"
    page.goto(live_server("/"))
    axe_check(page)
    follow(page, page.locator('.account-nav a[href="/account/register"]'))
    expect(page).to_have_url(live_server("/account/register"))
    axe_check(page)
    page.fill("#display_name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.check("#consent")
    follow(page, page.locator("main form button[type=submit]"))
    expect(page).to_have_url(live_server("/account/check-inbox"))
    axe_check(page)

    with live_server.app.app_context():
        mails = [mail for mail in outbox() if mail.to == email]
    assert len(mails) == 1, mails
    assert name in mails[0].body
    links = re.findall(re.escape(live_server.url) + r"/account/confirm/\S+", mails[0].body)
    assert len(links) == 1, mails[0].body

    # Confirmed on another device (a phone's mail app): through the login page. (The browser that registered lands
    # logged in: tests/browser/test_signup_journey.py.)
    page.context.clear_cookies()
    page.goto(links[0])
    expect(page).to_have_url(live_server("/account/login"))
    axe_check(page)
    confirmed = in_language(live_server, "fr", "Your email address is confirmed. You can now log in.")
    expect(page.locator(".flashes .notice-success")).to_have_text(confirmed)

    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    follow(page, page.locator("main form button[type=submit]"))
    expect(page).to_have_url(live_server("/"))
    axe_check(page)
    account_link = page.locator('.account-nav a[href="/account/profile"]')
    expect(account_link).to_be_visible()
    expect(account_link).to_contain_text(name)  # the visually hidden part names who is logged in
    expect(page.locator(".flashes .notice-success")).to_contain_text(name)

    # English, from the header, on the page we are on
    page.goto(live_server(TERRITORY))
    axe_check(page)
    english = page.locator('.account-nav a[hreflang="en"]')
    expect(english).to_contain_text("EN")
    follow(page, english)
    expect(page).to_have_url(live_server(TERRITORY))
    axe_check(page)
    assert html_lang(page) == "en"
    expect(page.locator(".skip-link")).to_have_text("Skip to content")
    expect(page.locator(".account-nav button[type=submit]")).to_have_text("Log out")
    expect(page.locator("#axes-title")).to_have_text("Strategic axes")
    expect(page.locator(".lang-current")).to_contain_text("EN")

    page.reload()
    axe_check(page)
    assert html_lang(page) == "en", "the language choice is remembered"

    # and back to French
    french = page.locator('.account-nav a[hreflang="fr"]')
    expect(french).to_contain_text("FR")
    follow(page, french)
    expect(page).to_have_url(live_server(TERRITORY))
    axe_check(page)
    assert html_lang(page) == "fr"
    expect(page.locator(".lang-current")).to_contain_text("FR")
    expect(page.locator(".skip-link")).to_have_text(in_language(live_server, "fr", "Skip to content"))
    expect(page.locator("#axes-title")).to_have_text(in_language(live_server, "fr", "Strategic axes"))

    follow(page, page.locator(".territory-bar nav").locator(f'a[href="{AXES}"]'))
    expect(page).to_have_url(live_server(AXES))
    axe_check(page)
    assert html_lang(page) == "fr", "the language choice persists on the next page"
    expect(page.locator('.account-nav a[href="/account/profile"]')).to_be_visible()


# --- c. keyboard -----------------------------------------------------------------------------------------

@pytest.mark.shared_server
def test_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(page: Page, live_server, axe_check):
    page.goto(live_server("/"))
    axe_check(page)
    skip = page.locator("a.skip-link")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#content")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, f"focused skip link is off screen: {box}"

    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")
    # the next Tab goes on from the content, to its first link (a territory card), not back to the header
    expect(page.locator("main a[href]").first).to_be_focused()
    expect(page.locator("main .card-grid a").first).to_be_focused()


# --- d. a form error keeps what was typed ----------------------------------------------------------------

@pytest.mark.shared_server
def test_register_with_mismatched_passwords_keeps_what_was_typed(page: Page, live_server, axe_check):
    name, email = "Zoé L'Hermitte", "zoe@example.org"
    page.goto(live_server("/account/register"))
    axe_check(page)
    page.fill("#display_name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD + " mais autre")
    page.check("#consent")
    follow(page, page.locator("main form button[type=submit]"))
    expect(page).to_have_url(live_server("/account/register"))
    axe_check(page)

    differ = in_language(live_server, "fr", "The two passwords differ.")
    error = page.locator("#password_confirm-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(differ)
    confirm = page.locator("#password_confirm")
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_attribute("aria-describedby", re.compile(r"\bpassword_confirm-error\b"))
    # the error sits next to its field: same wrapper, just above the input
    expect(page.locator(".field-error").filter(has=confirm).locator(".error-message")).to_have_count(1)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator('a[href="#password_confirm"]')).to_contain_text(differ)

    expect(page.locator("#display_name")).to_have_value(name)
    expect(page.locator("#email")).to_have_value(email)
    expect(page.locator("#consent")).to_be_checked()
    expect(page.locator("#password")).to_have_value("")  # passwords are never sent back
    expect(page.locator("#display_name")).not_to_have_attribute("aria-invalid", "true")

    with live_server.app.app_context():
        assert outbox() == []


# --- e. a coordinator edits the axes ---------------------------------------------------------------------

def test_coordinator_adds_moves_and_archives_an_axis(page: Page, live_server, axe_check):
    new_axis = "Santé mentale des jeunes : l'écoute d'abord"
    log_in(page, live_server, axe_check, *COORDINATOR)

    page.goto(live_server(TERRITORY))
    axe_check(page)
    follow(page, page.locator(f'.territory-bar nav a[href="{MANAGE}"]'))
    expect(page).to_have_url(live_server(MANAGE))
    axe_check(page)

    current = page.locator(".contract-item.is-current")
    expect(current.get_by_role("heading")).to_contain_text(CLS2_TITLE)  # an h4 under « Territory settings »
    follow(page, current.locator('a[href$="/axes"]'))
    expect(page).to_have_url(re.compile(r"/manage/contracts/\d+/axes$"))
    axes_page = page.url
    axe_check(page)
    expect(page.locator(".page-head .subtitle")).to_have_text(CLS2_TITLE)
    headings = page.locator("section.manage-axis h2")
    expect(headings).to_have_count(4)

    page.fill("#axis-title", new_axis)
    page.fill("#axis-description", "Un axe **ajouté** pendant le test.")
    follow(page, page.locator("section.add-axis button[type=submit]"))
    expect(page).to_have_url(axes_page)
    axe_check(page)
    expect(page.locator(".flashes .notice-success")).to_have_text(in_language(live_server, "fr", "The axis is added."))
    expect(headings).to_have_count(5)
    expect(headings.nth(4)).to_contain_text(new_axis)

    def axis_section():
        return page.locator("section.manage-axis").filter(has=page.get_by_role("heading", name=new_axis))

    section_id = axis_section().get_attribute("id")
    follow(page, axis_section().locator('form[action$="/up"] button'))
    expect(page).to_have_url(f"{axes_page}#{section_id}")  # back where the coordinator was
    axe_check(page)
    expect(headings.nth(3)).to_contain_text(new_axis)
    expect(headings.nth(4)).to_contain_text(CLS2_AXES[3])

    page.goto(live_server(AXES))
    axe_check(page)
    expect(page.locator("section#axe-4 h2")).to_contain_text(new_axis)
    expect(page.locator("section.axis-detail")).to_have_count(5)

    page.goto(axes_page)
    axe_check(page)
    follow(page, axis_section().locator('form[action$="/archive"] button'))
    expect(page).to_have_url(f"{axes_page}#{section_id}")
    axe_check(page)
    expect(axis_section()).to_have_class(re.compile(r"\bis-archived\b"))
    expect(axis_section().locator('form[action$="/restore"]')).to_have_count(1)
    expect(page.locator(".flashes .notice-success")).to_contain_text(new_axis)

    page.goto(live_server(AXES))
    axe_check(page)
    expect(page.locator("section.axis-detail")).to_have_count(4)
    expect(page.locator("main")).not_to_contain_text(new_axis)
    expect(page.locator("section.axis-detail h2")).to_have_text(
        [re.compile(re.escape(title) + "$") for title in CLS2_AXES])

    page.goto(live_server(TERRITORY))
    axe_check(page)
    expect(page.locator(".axis-list > li")).to_have_count(4)
    expect(page.locator("main")).not_to_contain_text(new_axis)


# --- f. small screens ------------------------------------------------------------------------------------

@pytest.mark.shared_server
@pytest.mark.parametrize("width", [375, 320])
def test_small_screens_have_no_horizontal_scroll(page: Page, live_server, axe_check, width):
    page.set_viewport_size({"width": width, "height": 740})
    for path in (TERRITORY, "/account/register", AXES):
        page.goto(live_server(path))
        axe_check(page)
        assert_fits_the_screen(page)

    # errors make the register page longer and wider-worded: still no sideways scroll
    page.goto(live_server("/account/register"))
    axe_check(page)
    follow(page, page.locator("main form button[type=submit]"))
    axe_check(page)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_fits_the_screen(page)
