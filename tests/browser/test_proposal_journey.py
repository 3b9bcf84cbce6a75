"""A resident submits a proposal, a coordinator publishes it, a neighbour supports and comments it, the
coordinator answers "retained" and the author sees it — on a phone-sized screen, axe on every page.

Selectors are ids, names and hrefs, not interface wording (the French catalogue may still change).
"""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.services import hash_password
from consult.extensions import db
from consult.proposals.models import AnswerStatus, Call, Proposal, ProposalState, Support
from tests.browser.helpers import checked_page, follow, log_in, signed_in

SLUG = "terres-des-confluences"
PHONE = {"width": 375, "height": 812}
RESIDENT = ("habitante@example.org", "demo-resident-consult")
COORDINATOR = ("coordination.confluences@example.org", "demo-coord-consult")
NEIGHBOUR = ("voisin.lafrancaise@example.org", "un voisin de Lafrançaise")
TITLE = "Une navette vers les hôpitaux pour les habitants sans voiture"


def add_neighbour(live_server) -> None:
    with live_server.app.app_context():
        moment = dt.datetime(2026, 1, 5, 9, 0)
        db.session.add(User(email=NEIGHBOUR[0], display_name="Jean-Pierre de Lafrançaise",
                            password_hash=hash_password(NEIGHBOUR[1]), privacy_consent_at=moment,
                            email_confirmed_at=moment))
        db.session.commit()
        db.session.remove()


def stored(live_server, title: str) -> tuple:
    with live_server.app.app_context():
        proposal = db.session.scalar(select(Proposal).where(Proposal.title == title))
        supports = len(db.session.scalars(select(Support).where(Support.proposal_id == proposal.id)).all())
        result = (proposal.id, proposal.state, proposal.answer_status, supports)
        db.session.remove()
    return result


def log_out(page: Page, axe_check) -> None:
    follow(page, page.locator('form[action="/account/logout"] button'))
    checked_page(page, axe_check)


def test_a_proposal_from_submission_to_official_answer(page: Page, live_server, axe_check):
    add_neighbour(live_server)
    with live_server.app.app_context():
        call_id = db.session.scalar(select(Call.id))
        db.session.remove()
    page.set_viewport_size(PHONE)

    # The resident finds the call and writes a proposal; the title already has a look-alike.
    log_in(page, live_server, axe_check, *RESIDENT)
    page.goto(live_server(f"/t/{SLUG}/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'.territory-bar a[href="/t/{SLUG}/proposals/"]'))
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/proposals/calls/{call_id}/"]'))
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/proposals/calls/{call_id}/new"]'))
    checked_page(page, axe_check)
    page.fill("#title", TITLE)
    follow(page, page.locator('button[name="action"][value="check"]'))
    checked_page(page, axe_check)
    expect(page.locator(".similar-proposals li")).not_to_have_count(0)
    expect(page.locator("#title")).to_have_value(TITLE)
    page.fill("#description", "Le samedi, une navette **réservée la veille** vers Moissac et Castelsarrasin.")
    page.select_option("#axis_id", index=1)
    page.check('input[name="publics"][value="elderly"]')
    follow(page, page.locator('button[name="action"][value="submit"]'))
    checked_page(page, axe_check)
    proposal_id, state, _, _ = stored(live_server, TITLE)
    assert state is ProposalState.PENDING
    expect(page.locator("h1")).to_have_text(TITLE)
    log_out(page, axe_check)

    # The coordinator publishes it from the moderation queue.
    signed_in(page, live_server, *COORDINATOR)
    page.goto(live_server(f"/t/{SLUG}/manage/proposals/calls/{call_id}/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/manage/proposals/{proposal_id}/"]').first)
    checked_page(page, axe_check)
    follow(page, page.locator(f'form[action="/t/{SLUG}/manage/proposals/{proposal_id}/publish"] button'))
    checked_page(page, axe_check)
    assert stored(live_server, TITLE)[1] is ProposalState.PUBLISHED
    log_out(page, axe_check)

    # A neighbour supports it and comments.
    signed_in(page, live_server, *NEIGHBOUR)
    page.goto(live_server(f"/t/{SLUG}/proposals/{proposal_id}/"))
    checked_page(page, axe_check)
    expect(page.locator(".supports-left")).to_be_visible()
    follow(page, page.locator(f'form[action="/t/{SLUG}/proposals/{proposal_id}/support"] button'))
    checked_page(page, axe_check)
    expect(page.locator(".support-total strong")).to_have_text("1")
    assert stored(live_server, TITLE)[3] == 1
    page.fill("#body", "Excellente idée : ma mère ne conduit plus depuis l'an dernier.")
    follow(page, page.locator(f'form[action="/t/{SLUG}/proposals/{proposal_id}/comments"] button[type="submit"]').last)
    checked_page(page, axe_check)
    expect(page.locator(".comment-body").last).to_contain_text("ma mère ne conduit plus")
    log_out(page, axe_check)

    # The coordinator answers "retained".
    signed_in(page, live_server, *COORDINATOR)
    page.goto(live_server(f"/t/{SLUG}/manage/proposals/{proposal_id}/"))
    checked_page(page, axe_check)
    page.select_option("#answer-status", "retained")
    page.fill("#answer-text", "La navette sera testée au printemps avec le transport à la demande.")
    follow(page, page.locator(f'form[action="/t/{SLUG}/manage/proposals/{proposal_id}/answer"] button'))
    checked_page(page, axe_check)
    assert stored(live_server, TITLE)[2] is AnswerStatus.RETAINED
    log_out(page, axe_check)

    # The author sees it on her participation page and on the proposal.
    signed_in(page, live_server, *RESIDENT)
    page.goto(live_server("/account/participation"))
    checked_page(page, axe_check)
    mine = page.locator(f'.my-proposals a[href="/t/{SLUG}/proposals/{proposal_id}/"]').first
    expect(mine.locator("xpath=..").locator(".badge-answer-retained")).to_have_count(1)
    follow(page, mine)
    checked_page(page, axe_check)
    expect(page.locator(".official-answer.answer-retained")).to_contain_text("transport à la demande")
