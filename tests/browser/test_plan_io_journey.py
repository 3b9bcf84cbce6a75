"""A coordinator imports an action plan (a file with bad lines first: every problem listed next to the form, the
choices kept), then copies fiches of CLS 1 into CLS 2 — in Chromium at 375 and 1280 px, axe on every page."""
from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import Fiche
from tests.browser.helpers import checked_page, follow, signed_in

SLUG = "terres-des-confluences"
SIZES = [{"width": 375, "height": 812}, {"width": 1280, "height": 900}]


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def _count(live_server) -> int:
    with live_server.app.app_context():
        count = db.session.scalar(select(func.count(Fiche.id)))
        db.session.remove()
    return count


@pytest.mark.parametrize("size", SIZES, ids=["375", "1280"])
def test_coordinator_imports_a_plan_then_copies_fiches_into_the_next_contract(page: Page, live_server, axe_check,
                                                                              tmp_path, size):
    page.set_viewport_size(size)
    signed_in(page, live_server, "coordination.confluences@example.org", "demo-coord-consult")
    before = _count(live_server)
    bad = tmp_path / "plan.csv"
    bad.write_bytes(_csv([["Axe", "Intitulé", "Financeurs"], ["Axe 9", "Une action", "ARS 6000"],
                          ["2", "", ""]]))
    good = tmp_path / "plan-corrige.csv"
    good.write_bytes(_csv([["Axe", "Intitulé", "Financeurs"], ["Axe 4", "Des ateliers cuisine au centre social",
                                                               "CAF 82: 3000"]]))

    page.goto(live_server(f"/t/{SLUG}/manage/plan/import"))
    checked_page(page, axe_check)
    page.set_input_files("#file", str(bad))
    page.check("#create_missing")
    page.uncheck("#create_missing")
    follow(page, page.locator("main form button[type=submit]"))
    checked_page(page, axe_check)
    expect(page.locator(".plan-import-problems tbody tr")).to_have_count(3)
    page.screenshot(path=str(tmp_path / f"import-problems-{size['width']}.png"), full_page=True)
    assert _count(live_server) == before

    page.set_input_files("#file", str(good))
    follow(page, page.locator("main form button[type=submit]"))
    checked_page(page, axe_check)
    assert _count(live_server) == before + 1

    page.goto(live_server(f"/t/{SLUG}/manage/plan/import"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/manage/plan/copy"]'))
    checked_page(page, axe_check)
    follow(page, page.locator("main form[method=get] button[type=submit]"))
    checked_page(page, axe_check)
    for select_box in page.locator("main form[method=post] select").all():
        select_box.select_option(index=1)
    page.screenshot(path=str(tmp_path / f"copy-{size['width']}.png"), full_page=True)
    follow(page, page.locator("main form[method=post] button[type=submit]"))
    checked_page(page, axe_check)
    with live_server.app.app_context():
        copies = db.session.scalar(select(func.count(Fiche.id)).where(Fiche.copied_from_id.is_not(None)))
        db.session.remove()
    assert copies == 1 + 7   # the demo's own copy, and the seven CLS 1 fiches not copied yet
