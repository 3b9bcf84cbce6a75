"""Demo accounts: a site admin, two coordinators, an observer and a resident, with their roles."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from consult.accounts import services as accounts
from consult.accounts.models import Category, Role, User
from consult.core.cli import cli_operator
from consult.extensions import db
from consult.territories.models import Commune, territory_by_slug

# Demo accounts use the reserved example.org domain; `make run` prints them.
DEMO_ACCOUNTS = [
    # email, password, display name, admin, (territory slug, role) list, category, commune INSEE
    ("admin@example.org", "demo-admin-consult", "Administration (démo)", True, [], None, None),
    ("coordination.confluences@example.org", "demo-coord-consult", "Coordination CLS Terres des Confluences",
     False, [("terres-des-confluences", Role.COORDINATOR)], Category.INSTITUTION, "82033"),
    ("coordination.aveyron@example.org", "demo-coord-consult", "Coordination CLS Ouest Aveyron",
     False, [("ouest-aveyron", Role.COORDINATOR)], Category.INSTITUTION, "12300"),
    ("referente.ars@example.org", "demo-observer-consult", "Référente ARS (démo)", False,
     [("terres-des-confluences", Role.OBSERVER), ("ouest-aveyron", Role.OBSERVER)], Category.INSTITUTION, None),
    ("habitante@example.org", "demo-resident-consult", "Habitante de Moissac (démo)", False, [],
     Category.RESIDENT, "82112"),
]


def seed_accounts() -> None:
    """Create the demo accounts and their roles unless they exist."""
    now = dt.datetime(2026, 1, 5, 9, 0)
    for email, password, name, admin, roles, category, insee in DEMO_ACCOUNTS:
        if accounts.find_user_by_email(email) is not None:
            continue
        user = User(email=email, display_name=name, password_hash=accounts.hash_password(password),
                    privacy_consent_at=now, email_confirmed_at=now, is_admin=admin, category=category)
        if insee:
            user.commune = db.session.scalar(select(Commune).where(Commune.insee_code == insee))
        db.session.add(user)
        db.session.flush()
        for slug, role in roles:
            accounts.appoint(cli_operator(), territory_by_slug(slug), email, role)
