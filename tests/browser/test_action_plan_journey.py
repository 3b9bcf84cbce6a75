"""From a resident's proposal to a fiche action of the contract, and back: a coordinator opens the synthesis of an
axis from the cockpit, drafts a fiche from the proposal, edits it and compares the versions, has the working
group's validation recorded, records the COPIL's decision and publishes the fiche; the author finds, from her own
participation page, the fiche that took her proposal up — axe on every page, at desktop and phone widths.

Selectors are ids, names and hrefs, not interface wording.
"""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.accounts.models import User
from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import Call, Proposal, ProposalState
from consult.synthesis.models import Citation, Fiche, FicheStatus, GovernanceBody, StatusChange
from tests.browser.helpers import checked_page, follow, signed_in

SLUG = "terres-des-confluences"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
COORDINATOR = ("coordination.confluences@example.org", "demo-coord-consult")
RESIDENT = ("habitante@example.org", "demo-resident-consult")
PROPOSAL = "Des consultations de sage-femme à la maison de santé de Saint-Nicolas-de-la-Grave"
TITLE = "Ouvrir des consultations de sage-femme dans les maisons de santé"


def resident_proposal(live_server) -> tuple[int, int]:
    """A published proposal of the demo resident on the first axis of the current contract: (proposal, axis)."""
    with live_server.app.app_context():
        call = db.session.scalar(select(Call).order_by(Call.id))
        axis = call.territory.current_contract.active_axes[0]
        author = db.session.scalar(select(User).where(User.email == RESIDENT[0]))
        now = utcnow() - dt.timedelta(days=2)
        proposal = Proposal(call=call, author=author, title=PROPOSAL, axis=axis, state=ProposalState.PUBLISHED,
                            description="Les jeunes mamans font 40 km pour un suivi après la naissance.",
                            submitted_at=now, published_at=now)
        db.session.add(proposal)
        db.session.commit()
        ids = (proposal.id, axis.id)
        db.session.remove()
    return ids


def stored(live_server) -> dict:
    with live_server.app.app_context():
        fiche = db.session.scalar(select(Fiche).where(Fiche.title == TITLE))
        result = {} if fiche is None else {
            "id": fiche.id, "versions": fiche.version_count, "status": fiche.status,
            "published": fiche.published_at is not None,
            "cited": sorted(c.proposal_id for c in db.session.scalars(
                select(Citation).where(Citation.fiche_id == fiche.id, Citation.proposal_id.is_not(None)))),
            "by_decision": [c.decision_id is not None for c in db.session.scalars(
                select(StatusChange).where(StatusChange.fiche_id == fiche.id).order_by(StatusChange.id))],
        }
        db.session.remove()
    return result


def copil_id(live_server) -> int:
    with live_server.app.app_context():
        body = db.session.scalar(select(GovernanceBody.id).where(GovernanceBody.kind == "copil"))
        db.session.remove()
    return body


def test_a_proposal_becomes_a_fiche_and_its_author_sees_where_it_went(page: Page, live_server, axe_check):
    proposal_id, axis_id = resident_proposal(live_server)
    page.set_viewport_size(DESKTOP)
    signed_in(page, live_server, *COORDINATOR)
    page.goto(live_server("/"))
    checked_page(page, axe_check)

    # From the cockpit to the synthesis of the axis, and a draft citing the resident's proposal.
    follow(page, page.locator(f'.account-nav a[href="/t/{SLUG}/manage/"]'))
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/manage/synthesis/"]').first)
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/manage/synthesis/axes/{axis_id}"]').first)
    checked_page(page, axe_check)
    page.check(f"#cite-proposal-{proposal_id}")
    page.fill("#draft-title-field", TITLE)
    follow(page, page.locator('#draft-form button[type="submit"]'))
    checked_page(page, axe_check)
    fiche = stored(live_server)
    assert (fiche["versions"], fiche["status"], fiche["cited"]) == (1, FicheStatus.DRAFT, [proposal_id])

    # The writer completes it; the two versions compare side by side.
    page.fill("#general_objective", "Rapprocher le suivi des femmes enceintes et des jeunes mères")
    follow(page, page.locator('button[name="save"]'))
    checked_page(page, axe_check)
    follow(page, page.locator(f'a[href="/t/{SLUG}/manage/plan/fiches/{fiche["id"]}/compare"]'))
    checked_page(page, axe_check)
    expect(page.locator("tr.is-changed")).to_have_count(1)

    # The working group validated it (recorded on its follow-up page), then the COPIL at its session.
    page.goto(live_server(f"/t/{SLUG}/manage/plan/fiches/{fiche['id']}/follow-up"))
    checked_page(page, axe_check)
    page.select_option("#status-status", FicheStatus.GROUP_VALIDATED.value)
    follow(page, page.locator(f'form[action="/t/{SLUG}/manage/plan/fiches/{fiche["id"]}/follow-up/status"] button'))
    checked_page(page, axe_check)
    follow(page, page.locator(f'.account-nav a[href="/t/{SLUG}/manage/"]'))
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/manage/governance/"]').first)
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/manage/governance/bodies/{copil_id(live_server)}"]').first)
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href^="/t/{SLUG}/manage/governance/sessions/"]').first)
    checked_page(page, axe_check)
    page.select_option("#decision-kind", "validate")
    page.fill("#decision-text", "Le COPIL valide la fiche sage-femme.")
    page.select_option(f"#status-{fiche['id']}", FicheStatus.COPIL_VALIDATED.value)
    follow(page, page.locator('form[action$="/decisions"] button[type="submit"]'))
    checked_page(page, axe_check)
    fiche = stored(live_server)
    assert (fiche["status"], fiche["by_decision"]) == (FicheStatus.COPIL_VALIDATED, [False, True])

    # Published from its page, on a phone.
    page.set_viewport_size(PHONE)
    page.goto(live_server(f"/t/{SLUG}/manage/plan/fiches/{fiche['id']}/"))
    checked_page(page, axe_check)
    follow(page, page.locator(f'form[action="/t/{SLUG}/manage/plan/fiches/{fiche["id"]}/publish"] button'))
    checked_page(page, axe_check)
    assert stored(live_server)["published"] is True
    follow(page, page.locator('form[action="/account/logout"] button'))
    checked_page(page, axe_check)

    # The author follows her proposal from « My participation » to the fiche that took it up.
    signed_in(page, live_server, *RESIDENT)
    page.goto(live_server("/"))
    checked_page(page, axe_check)
    follow(page, page.locator('.account-nav a[href="/account/participation"]'))
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/proposals/{proposal_id}/"]').first)
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/t/{SLUG}/plan/fiches/{fiche["id"]}"]').first)
    checked_page(page, axe_check)
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator("main")).to_contain_text(PROPOSAL)
