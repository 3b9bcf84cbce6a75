"""The workspaces in Chromium: a coordinator reaches the cockpit from the header, an observer their workspace,
a visitor the page « Ce que sont devenues vos contributions » from the territory menu; axe-clean and without
horizontal scroll at 1280 and 375 px."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import checked_page, follow, signed_in

SLUG = "terres-des-confluences"
WIDTHS = [{"width": 1280, "height": 900}, {"width": 375, "height": 812}]


def both_widths(page: Page, axe_check) -> None:
    for size in WIDTHS:
        page.set_viewport_size(size)
        checked_page(page, axe_check)


@pytest.mark.shared_server  # reads only (its login session apart)
def test_a_coordinator_opens_the_cockpit_from_the_header(page: Page, live_server, axe_check):
    signed_in(page, live_server, "coordination.confluences@example.org", "demo-coord-consult")
    page.goto(live_server("/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'.account-nav a.staff-link[href="/t/{SLUG}/manage/"]'))
    both_widths(page, axe_check)
    expect(page.locator("#waiting-title")).to_be_visible()
    expect(page.locator(".figures-table tbody tr")).to_have_count(12)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/manage/surveys/"]').first)
    checked_page(page, axe_check)


@pytest.mark.shared_server  # reads only (its login session apart)
def test_an_observer_opens_their_workspace_from_the_header(page: Page, live_server, axe_check):
    # Released surveys on the workspace are tested through the test client (tests/territories/test_observe.py):
    # a release of the demo costs a minute of audit here, for the same page.
    signed_in(page, live_server, "referente.ars@example.org", "demo-observer-consult")
    page.goto(live_server("/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'.account-nav a.staff-link[href="/t/{SLUG}/observe/"]'))
    both_widths(page, axe_check)
    expect(page.locator('main form[method="post"]')).to_have_count(0)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/manage/synthesis/participation"]').first)
    checked_page(page, axe_check)
    expect(page.locator('main form[method="post"]')).to_have_count(0)


@pytest.mark.shared_server
def test_a_visitor_finds_what_became_of_the_contributions(page: Page, live_server, axe_check):
    page.goto(live_server(f"/t/{SLUG}/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'.territory-bar a[href="/t/{SLUG}/outcomes"]'))
    both_widths(page, axe_check)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce que sont devenues vos contributions")
