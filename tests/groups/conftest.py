"""Fixtures of the working-group tests: a coordinator, an open group, people to sign up."""
from __future__ import annotations

import itertools

import pytest

from consult.accounts.models import Category
from consult.extensions import db
from consult.groups import services
from consult.groups.models import JoinMode
from tests.conftest import PASSWORD, commune_by_code

_addresses = itertools.count(30)


@pytest.fixture
def make_group(territory, coordinator):
    """`make_group(capacity=3, join_mode=JoinMode.APPROVAL, …)`: a recruiting group on the first axis."""

    def factory(**changes):
        values = dict(title="Accès aux soins à Saint-Nicolas-de-la-Grave", axis_id=territory.current_contract.axes[0].id,
                      mission="Écrire la fiche action « Maison de santé pluriprofessionnelle ».",
                      audience="Habitants, élus et professionnels de santé du secteur de L'Isle-Jourdain.",
                      facilitators="Dr Anne Roques (MSP de Lectoure)", capacity=3)
        values.update(changes)
        group = services.create_group(coordinator, territory, services.GroupData(**values))
        db.session.commit()
        return group

    return factory


@pytest.fixture
def group(make_group):
    return make_group()


@pytest.fixture
def approval_group(make_group):
    return make_group(title="Santé mentale des jeunes", join_mode=JoinMode.APPROVAL)


@pytest.fixture
def person(make_user):
    """`person("Léa")`: a confirmed resident of Saint-Nicolas-de-la-Grave named Léa …"""

    def factory(first_name: str = "Léa", *, structure: str = "", **changes):
        values = dict(display_name=f"{first_name} Dupré-L'Hermite", commune=commune_by_code("82169"),
                      category=Category.RESIDENT)
        values.update(changes)
        user = make_user(**values)
        user.structure = structure
        db.session.commit()
        return user

    return factory


@pytest.fixture
def client_for(app):
    """`client_for(user)`: a fresh client logged in as `user` (its own address: no login rate limit)."""

    def make(user=None):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(_addresses) % 250}"
        if user is not None:
            response = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 302
        return client

    return make
