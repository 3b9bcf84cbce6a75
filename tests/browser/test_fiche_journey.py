"""A coordinator writes a fiche action without JavaScript-only tricks (more rows by a button), edits it, compares
the two versions and publishes it; a resident reads it on the public action plan — axe on every page, at phone
and desktop widths.

Selectors are ids, names and hrefs, not interface wording.
"""
from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.extensions import db
from consult.synthesis.models import Fiche
from tests.browser.helpers import checked_page, follow, signed_in

SLUG = "terres-des-confluences"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
COORDINATOR = ("coordination.confluences@example.org", "demo-coord-consult")
TITLE = "Déployer des formations Premiers secours en santé mentale"


def stored(live_server) -> Fiche | None:
    with live_server.app.app_context():
        fiche = db.session.scalar(select(Fiche).where(Fiche.title == TITLE))
        found = (fiche.id, fiche.title, fiche.version_count, fiche.published_at is not None) if fiche else None
        db.session.remove()
        return found


def test_coordinator_writes_edits_compares_and_publishes_a_fiche(page: Page, live_server, axe_check):
    page.set_viewport_size(PHONE)
    signed_in(page, live_server, *COORDINATOR)

    page.goto(live_server(f"/t/{SLUG}/manage/plan/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'a[href="/t/{SLUG}/manage/plan/fiches/new"]').first)
    checked_page(page, axe_check)

    page.fill("#title", TITLE)
    page.select_option("#axis_id", index=1)
    page.fill("#partners-0-organisation", "CC Terres des Confluences")
    page.select_option("#partners-0-role", "lead")
    page.fill("#fundings-0-funder", "ARS Occitanie (FIR)")
    page.fill("#fundings-0-amount", "6000")
    follow(page, page.locator('button[name="add_rows"]'))
    checked_page(page, axe_check)
    expect(page.locator("#partners-4-organisation")).to_be_visible()
    expect(page.locator("#partners-0-organisation")).to_have_value("CC Terres des Confluences")
    page.fill("#indicators-0-name", "Nombre de personnes formées")
    page.fill("#indicators-0-target", "60")
    follow(page, page.locator('button[name="save"]'))
    checked_page(page, axe_check)
    fiche_id, title, versions, published = stored(live_server)
    assert (title, versions, published) == (TITLE, 1, False)

    follow(page, page.locator(f'a[href="/t/{SLUG}/manage/plan/fiches/{fiche_id}/edit"]'))
    checked_page(page, axe_check)
    page.fill("#fundings-0-amount", "7500")
    follow(page, page.locator('button[name="save"]'))
    checked_page(page, axe_check)
    follow(page, page.locator(f'a[href="/t/{SLUG}/manage/plan/fiches/{fiche_id}/compare"]'))
    checked_page(page, axe_check)
    expect(page.locator("tr.is-changed")).to_have_count(1)
    page.set_viewport_size(DESKTOP)
    checked_page(page, axe_check)

    page.goto(live_server(f"/t/{SLUG}/manage/plan/fiches/{fiche_id}/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'form[action="/t/{SLUG}/manage/plan/fiches/{fiche_id}/publish"] button'))
    checked_page(page, axe_check)
    assert stored(live_server)[3] is True

    page.goto(live_server(f"/t/{SLUG}/plan/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'a[href="/t/{SLUG}/plan/fiches/{fiche_id}"]'))
    checked_page(page, axe_check)
    page.set_viewport_size(PHONE)
    checked_page(page, axe_check)
