"""Accounts in bulk: residents mostly, some elected officials, professionals and associations; most give their
commune and category (registration asks both, optionally), all confirmed and recently active."""
from __future__ import annotations

import datetime as dt
import random

from consult.accounts.models import Category, User
from consult.volume.bulk import Bulk
from consult.volume.names import STRUCTURES, person, slugify

CATEGORIES = [(Category.RESIDENT, 70), (Category.ASSOCIATION, 8), (Category.HEALTH_PROFESSIONAL, 8),
              (Category.SOCIAL_PROFESSIONAL, 6), (Category.ELECTED, 5), (Category.INSTITUTION, 3)]
USER_COLUMNS = ("id", "email", "password_hash", "display_name", "email_confirmed_at", "privacy_consent_at",
                "is_admin", "is_disabled", "commune_id", "category", "structure", "created_at", "updated_at",
                "last_active_at")
ACCOUNTS_PER_CHUNK = 20_000


def add_accounts(bulk: Bulk, count: int, rng: random.Random, *, communes: list[tuple[int, str, int]],
                 password_hash: str, now: dt.datetime) -> list[tuple[int, Category | None, str, int | None]]:
    """Create `count` accounts living in `communes` (id, name, population); returns (id, category, structure,
    commune id) of each, for sign-ups. One password hash for all: hashing each would take hours."""
    people = []
    weights = [max(population, 30) for _id, _name, population in communes]
    categories = [c for c, _w in CATEGORIES]
    category_weights = [w for _c, w in CATEGORIES]
    done = 0
    while done < count:
        size = min(ACCOUNTS_PER_CHUNK, count - done)
        first = bulk.next_ids(User.__table__, size)
        rows = []
        for user_id in range(first, first + size):
            given, family = person(rng)
            commune_id, commune_name, _population = rng.choices(communes, weights)[0]
            category = rng.choices(categories, category_weights)[0] if rng.random() < 0.8 else None
            structure = ""
            if category is not None and category is not Category.RESIDENT:
                structure = rng.choice(STRUCTURES[category.value]).format(commune=commune_name)
            commune = commune_id if rng.random() < 0.75 else None
            joined = now - dt.timedelta(days=rng.randint(30, 700), minutes=rng.randint(0, 1440))
            active = now - dt.timedelta(days=rng.randint(0, 60))
            rows.append((user_id, f"{slugify(given)}.{slugify(family)}.{user_id}@example.org", password_hash,
                         f"{given} {family}", joined, joined, False, False, commune,
                         category.value if category else None, structure, joined, joined, active))
            people.append((user_id, category, structure, commune))
        bulk.insert(User.__table__, USER_COLUMNS, rows)
        bulk.commit()
        done += size
        bulk.report(f"  accounts: {done:,}/{count:,}")
    return people
