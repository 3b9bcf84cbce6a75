"""A new volume territory, made through the territories' services like a site admin would: its EPCI and communes,
a current contract with four axes and their objectives, and a coordinator's account."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from consult.accounts.models import Role, TerritoryRole, User
from consult.extensions import db
from consult.territories import services as territories
from consult.territories.models import Commune, Epci, Phase, Territory
from consult.volume.names import AXES, COUNTRIES, PARTNERS, PRESENTATION, communes, slugify


def _free_slug(name: str) -> str:
    base = slugify(name)
    taken = set(db.session.scalars(select(Territory.slug).where(Territory.slug.like(f"{base}%"))))
    return next(slug for slug in (base, *(f"{base}-{n}" for n in range(2, 10_000))) if slug not in taken)


def make_territory(operator, rng: random.Random, *, today: dt.date) -> Territory:
    """A territory named after a real « pays » of the South-West, with 12 to 30 communes and its contract."""
    country, department, ending = rng.choice(COUNTRIES)
    epci_name = f"Communauté de communes {country}"
    territory = territories.create_territory(operator, territories.TerritoryData(
        name=country, slug=_free_slug(country), presentation=PRESENTATION, controller=epci_name,
        dpo_contact="Personne déléguée à la protection des données de la communauté de communes"))
    siren = f"2000{rng.randrange(10**5):05d}"
    territories.set_epcis(operator, territory, [(epci_name, siren)])
    epci = db.session.scalar(select(Epci).where(Epci.territory_id == territory.id))
    for code, name, population in communes(rng, department, ending, rng.randint(12, 30)):
        db.session.add(Commune(territory=territory, epci=epci, insee_code=code, name=name, population=population,
                               population_year=2023))
    start = dt.date(today.year - 1, 1, 1)
    contract = territories.create_contract(operator, territory, territories.ContractData(
        generation=1, title=f"Contrat local de santé {country} {start.year}-{start.year + 4}",
        start_date=start, end_date=dt.date(start.year + 4, 12, 31), phase=Phase.SIGNED,
        summary="Un contrat de cinq ans construit à partir du diagnostic local de santé, avec les habitants, les "
                "élus et les professionnels.",
        signatories=(epci_name, "Agence régionale de santé"), partners=tuple(rng.sample(PARTNERS, 4))))
    for title, objectives in rng.sample(AXES, 4):
        axis = territories.add_axis(operator, contract, territories.ItemData(title))
        for objective in objectives:
            territories.add_objective(operator, axis, territories.ItemData(objective))
    db.session.flush()
    return territory


def coordinator(territory: Territory, *, password_hash: str, now: dt.datetime) -> User:
    """The territory's first coordinator, or a new one (« coordination.<slug>@example.org »)."""
    found = db.session.scalar(select(User).join(TerritoryRole, TerritoryRole.user_id == User.id).where(
        TerritoryRole.territory_id == territory.id, TerritoryRole.role == Role.COORDINATOR).order_by(User.id))
    if found is not None:
        return found
    user = User(email=f"coordination.{territory.slug}@example.org", password_hash=password_hash,
                display_name=f"Coordination {territory.name}", privacy_consent_at=now, email_confirmed_at=now,
                last_active_at=now)
    db.session.add(user)
    db.session.add(TerritoryRole(user=user, territory_id=territory.id, role=Role.COORDINATOR))
    db.session.flush()
    return user
