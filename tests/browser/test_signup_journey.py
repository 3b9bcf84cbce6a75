"""A resident who wants to join a working group creates an account on a phone and lands back on the group, logged in.

Selectors are ids, names and hrefs, not interface wording (the French catalogue may still change).
"""
from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.accounts.models import Category, User
from consult.core.mail import outbox
from consult.extensions import db
from consult.groups.models import Signup, SignupStatus, WorkingGroup
from consult.territories.models import Commune, territory_by_slug
from tests.browser.helpers import checked_page, follow

SLUG = "terres-des-confluences"
PHONE = {"width": 375, "height": 812}
GROUP = "Une offre de services de santé lisible pour tous"
EMAIL = "ines.lafargue@example.org"
PASSWORD = "les tilleuls de la place du marché"


def demo_group_and_commune(live_server) -> tuple[int, int, str]:
    with live_server.app.app_context():
        territory = territory_by_slug(SLUG)
        group_id = db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.title == GROUP))
        commune = db.session.scalars(select(Commune).where(Commune.territory_id == territory.id)
                                     .order_by(Commune.name)).first()
        found = group_id, commune.id, commune.name
        db.session.remove()
    return found


def test_resident_registers_from_a_group_page_and_lands_back_on_it_to_join(page: Page, live_server, axe_check):
    group_id, commune_id, commune_name = demo_group_and_commune(live_server)
    group_path = f"/t/{SLUG}/groups/{group_id}"
    page.set_viewport_size(PHONE)

    page.goto(live_server(group_path))
    checked_page(page, axe_check)
    follow(page, page.locator(f'main a[href="/account/register?next={quote(group_path, safe="/")}"]'))

    # The form: name, email, password, then commune and category (optional, explained), consent.
    checked_page(page, axe_check)
    expect(page.locator('input[name="next"]')).to_have_value(group_path)
    expect(page.locator("#about-you-hint")).to_be_visible()
    page.fill("#display_name", "Inès Lafargue")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.select_option("#commune_id", str(commune_id))
    page.select_option("#category", Category.RESIDENT.value)
    page.check("#consent")
    follow(page, page.locator("main form button[type=submit]"))
    checked_page(page, axe_check)
    expect(page.locator(f'main a[href="{group_path}"]')).to_be_visible()

    with live_server.app.app_context():
        [mail] = [mail for mail in outbox() if mail.to == EMAIL]
    [link] = re.findall(re.escape(live_server.url) + r"/account/confirm/\S+", mail.body)

    # Following the link in the same browser: confirmed, logged in, back on the group.
    page.goto(link)
    expect(page).to_have_url(live_server(group_path))
    checked_page(page, axe_check)
    expect(page.locator(".flashes .notice-success")).to_contain_text("Inès Lafargue")
    expect(page.locator('.account-nav a[href="/account/profile"]')).to_have_count(1)

    follow(page, page.locator(f'main a[href="{group_path}/join"]'))
    checked_page(page, axe_check)
    expect(page.locator(".key-facts")).to_contain_text(commune_name)  # what registration asked is used here
    page.fill("#motivation", "J'habite ici depuis peu et je cherche un médecin traitant.")
    page.check("#evening")
    follow(page, page.locator("main form button[type=submit]"))
    expect(page).to_have_url(live_server(group_path))
    checked_page(page, axe_check)

    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        signup = db.session.scalar(select(Signup).where(Signup.user_id == user.id, Signup.group_id == group_id))
        assert (user.commune_id, user.category, user.email_confirmed_at is not None) == \
            (commune_id, Category.RESIDENT, True)
        assert (signup.status, signup.category) == (SignupStatus.MEMBER, Category.RESIDENT)
        db.session.remove()
