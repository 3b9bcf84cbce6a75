"""A resident votes in the demo's prioritisation vote on a phone: no running score while the vote is open, each
title links to its proposal, one mistake (the same rank twice) shown on both fields, then the vote recorded.

Selectors are ids, names and hrefs, not interface wording (the French catalogue may still change).
"""
from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.accounts.models import User
from consult.extensions import db
from consult.proposals.models import PriorityBallot, PriorityChoice, PriorityVote
from tests.browser.helpers import checked_page, follow, signed_in

SLUG = "terres-des-confluences"
PHONE = {"width": 375, "height": 812}
RESIDENT = ("habitante@example.org", "demo-resident-consult")


def demo_vote(live_server) -> tuple[int, list[int], bool]:
    with live_server.app.app_context():
        vote = db.session.scalar(select(PriorityVote))
        found = (vote.id, [p.id for p in vote.options], vote.hide_results_until_closed)
        db.session.remove()
    return found


def stored_ranks(live_server) -> dict[int, int]:
    with live_server.app.app_context():
        resident = db.session.scalar(select(User).where(User.email == RESIDENT[0]))
        ranks = dict(db.session.execute(select(PriorityChoice.proposal_id, PriorityChoice.rank).join(PriorityBallot)
                                        .where(PriorityBallot.user_id == resident.id)).all())
        db.session.remove()
    return ranks


def test_resident_ranks_the_demo_vote_on_a_phone(page: Page, live_server, axe_check):
    vote_id, options, hidden = demo_vote(live_server)
    first, second, third = options[:3]
    url = f"/t/{SLUG}/proposals/votes/{vote_id}/"
    page.set_viewport_size(PHONE)
    signed_in(page, live_server, *RESIDENT)

    page.goto(live_server(url))
    checked_page(page, axe_check)
    # The demo vote hides its running result (the default): no score, no count of ballots, no result list.
    assert hidden
    expect(page.locator(".vote-result, .result-points")).to_have_count(0)
    expect(page.locator(f'#ballot-choices a[href="/t/{SLUG}/proposals/{first}/"]')).to_be_visible()
    expect(page.locator('#ballot-choices a[target]')).to_have_count(0)

    # One mistake: rank 1 given twice.
    page.select_option(f"#rank-{first}", "1")
    page.select_option(f"#rank-{second}", "1")
    page.select_option(f"#rank-{third}", "2")
    follow(page, page.locator('main form button[type="submit"]'))
    checked_page(page, axe_check)
    for twice in (first, second):
        expect(page.locator(f"#rank-{twice}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#rank-{twice}-error")).to_be_visible()
        expect(page.locator(f'.error-summary a[href="#rank-{twice}"]')).to_be_visible()
    expect(page.locator(f"#rank-{third}")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#rank-{third}")).to_have_value("2")  # what was chosen is kept
    expect(page.locator(".vote-result")).to_have_count(0)
    assert stored_ranks(live_server) == {}

    # Fixed: the second proposal goes to rank 3.
    page.select_option(f"#rank-{second}", "3")
    follow(page, page.locator('main form button[type="submit"]'))
    checked_page(page, axe_check)
    expect(page.locator(".flashes .notice-success")).to_be_visible()
    expect(page.locator(".vote-result, .result-points")).to_have_count(0)
    assert stored_ranks(live_server) == {first: 1, third: 2, second: 3}
