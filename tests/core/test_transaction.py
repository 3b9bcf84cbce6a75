"""One transaction per action (consult/core/transaction.py), through real views: a refusal or an
exception in the middle of a view leaves nothing written, and the next request starts clean."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.accounts.models import LoginSession
from consult.core.ratelimit import RateLimitEvent
from consult.errors import InvalidInput
from consult.extensions import db
from consult.territories import services as territory_services
from consult.territories.models import Epci, Territory

NEW_TERRITORY = {"name": "Pays de l'Adour", "slug": "pays-de-l-adour", "presentation": "", "controller": "",
                 "dpo_contact": "", "contact_email": "", "epcis": "CC du Pays de l'Adour; 200034411"}


@pytest.fixture
def admin_client(client, make_user, login):
    login(make_user(admin=True))
    return client


def _territory_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Territory))


def test_a_refusal_after_a_first_write_leaves_nothing_and_shows_the_message_on_its_field(admin_client, monkeypatch):
    # The territory is created (flushed), then the second step refuses: both are undone together.
    def refuse(*_args, **_kwargs):
        raise InvalidInput("Ce SIREN n'est pas celui d'une intercommunalité.", field="epcis")

    monkeypatch.setattr(territory_services, "set_epcis", refuse)
    response = admin_client.post("/admin/", data=NEW_TERRITORY)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ce SIREN n&#39;est pas celui d&#39;une intercommunalité." in page
    assert _territory_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Epci)) == 0


def test_a_refusal_without_a_field_is_flashed(admin_client, territory, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise InvalidInput("Refusé pour la démonstration.")

    monkeypatch.setattr(territory_services, "set_epcis", refuse)
    data = {**NEW_TERRITORY, "slug": territory.slug, "name": "Nouveau nom"}
    response = admin_client.post(f"/t/{territory.slug}/manage/edit", data=data, follow_redirects=True)
    assert "Refusé pour la démonstration." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Territory, territory.id).name == "Terres des Confluences"


def test_an_exception_mid_view_writes_nothing_and_the_next_request_works(app, admin_client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer with the 500 page, as in production

    def explode(*_args, **_kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(territory_services, "set_epcis", explode)
    response = admin_client.post("/admin/", data=NEW_TERRITORY)
    assert response.status_code == 500
    assert _territory_count() == 0

    # Same app, same (single, in-memory) connection: a transaction left open would show here.
    monkeypatch.undo()
    response = admin_client.post("/admin/", data=NEW_TERRITORY)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/t/pays-de-l-adour/manage/roles")
    assert db.session.scalars(select(Territory.slug)).all() == ["pays-de-l-adour"]
    assert admin_client.get("/t/pays-de-l-adour/").status_code == 200


def test_a_refused_login_is_still_counted(client, make_user):
    """Rate-limit counters are a record of the refusal itself: kept, while the refusal is shown."""
    user = make_user()
    for _ in range(2):
        response = client.post("/account/login", data={"email": user.email, "password": "pas le bon"})
        assert response.status_code == 200
    failures = db.session.scalars(select(RateLimitEvent.key).where(
        RateLimitEvent.key == f"login-fail:account:{user.id}")).all()
    assert len(failures) == 2
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0
