"""The territory's structure (EPCIs, communes, contracts, partners, axes, objectives) kept once per process and
version: every change through the ORM gives the territory a new `structure_version`, and a public page shows the
change on the very next request, served by this app or by another one on the same database."""
from __future__ import annotations

import datetime as dt
import html

from sqlalchemy import select

from consult import create_app
from consult.accounts.demo import DEMO_ACCOUNTS
from consult.extensions import db
from consult.territories import services
from consult.territories.models import Axis, Contract, Objective, PartnerKind, Phase, Territory
from consult.territories.structure import CACHE_NAME, structure_of
from tests.conftest import FreshContextClient, make_config
from tests.rendering import RenderGuard

SLUG = "terres-des-confluences"
COORDINATOR = "coordination.confluences@example.org"
PASSWORDS = {email: password for email, password, *_rest in DEMO_ACCOUNTS}


def _territory() -> Territory:
    return db.session.scalar(select(Territory).where(Territory.slug == SLUG))


def test_objective_reworded_on_another_app_is_shown_at_once_on_the_public_pages(seeded_demo):
    here = seeded_demo.app
    there = create_app(make_config(SQLALCHEMY_DATABASE_URI=here.config["SQLALCHEMY_DATABASE_URI"]))
    there.test_client_class = FreshContextClient
    version = _territory().structure_version
    objective = db.session.scalar(select(Objective).join(Axis).join(Contract)
                                  .where(Contract.territory_id == _territory().id, Contract.is_current,
                                         Objective.archived_at.is_(None)).order_by(Axis.position, Objective.position))
    old_title = objective.title
    visitor = here.test_client()
    for path in (f"/t/{SLUG}/", f"/t/{SLUG}/axes"):
        assert old_title in html.unescape(visitor.get(path).get_data(as_text=True))
    copies = here.extensions["consult_caches"][CACHE_NAME]
    built = copies.builds

    coordinator = there.test_client()
    coordinator.environ_base["REMOTE_ADDR"] = "192.0.2.78"
    logged = coordinator.post("/account/login", data={"email": COORDINATOR, "password": PASSWORDS[COORDINATOR]})
    assert logged.status_code == 302
    edited = coordinator.post(f"/t/{SLUG}/manage/objectives/{objective.id}/edit",
                              data={"title": "Réunir les acteurs de santé chaque trimestre", "description": ""})
    assert edited.status_code == 302
    db.session.expire_all()
    assert _territory().structure_version != version
    assert db.session.get(Objective, objective.id).title == "Réunir les acteurs de santé chaque trimestre"

    for path in (f"/t/{SLUG}/", f"/t/{SLUG}/axes"):
        shown = html.unescape(visitor.get(path).get_data(as_text=True))
        assert "Réunir les acteurs de santé chaque trimestre" in shown and old_title not in shown
    assert copies.builds == built + 1  # read again once, then kept for both pages
    with there.app_context():
        db.engine.dispose()


def test_every_change_of_the_structure_gives_a_new_version_and_a_new_copy(app, territory, coordinator):
    def version_and_structure():
        db.session.commit()
        db.session.expire_all()
        current = db.session.get(Territory, territory.id)
        return current.structure_version, structure_of(current)

    def changed(change):
        version, _copy = version_and_structure()
        change(db.session.get(Territory, territory.id))
        new_version, copy = version_and_structure()
        assert new_version != version, change.__name__
        return copy

    def current_contract(current: Territory) -> Contract:
        return current.current_contract

    def rename_epci(current):
        services.set_epcis(coordinator, current, [("CC Terres des Confluences (Tarn-et-Garonne)", e.siren)
                                                  for e in current.epcis])

    def add_commune(current):
        services.import_communes(coordinator, current, "code_insee;nom;population;annee;siren_epci\n"
                                 "82999;Saint-Essai;120;2021;\n".encode())

    def retitle_contract(current):
        contract = current_contract(current)
        services.update_contract(coordinator, contract, services.ContractData(
            generation=contract.generation, title="CLS 2 — signé", start_date=contract.start_date,
            end_date=contract.end_date, phase=Phase.EVALUATION, summary=contract.summary,
            signatories=("Préfecture de Tarn-et-Garonne",), partners=("CPAM",)))

    def add_axis(current):
        services.add_axis(coordinator, current_contract(current), services.ItemData("Santé des jeunes"))

    def add_objective(current):
        axis = current_contract(current).active_axes[0]
        services.add_objective(coordinator, axis, services.ItemData("Ouvrir un point écoute"))

    def reword_objective(current):
        objective = current_contract(current).active_axes[0].active_objectives[0]
        services.update_item(coordinator, objective, services.ItemData("Un objectif reformulé"))

    def move_axis(current):
        services.move_item(coordinator, current_contract(current).active_axes[-1], -1)

    def archive_axis(current):
        services.archive_item(coordinator, current_contract(current).active_axes[0])

    def new_contract(current):
        services.create_contract(coordinator, current, services.ContractData(
            generation=3, title="CLS 3", start_date=dt.date(2028, 1, 1), end_date=dt.date(2032, 12, 31),
            phase=Phase.DIAGNOSTIC), template="previous")

    def former_current(current):
        services.set_current_contract(coordinator, next(c for c in current.contracts if c.generation == 2))

    copy = changed(rename_epci)
    assert [e.name for e in copy.epcis] == ["CC Terres des Confluences (Tarn-et-Garonne)"]
    communes = copy.commune_count
    copy = changed(add_commune)
    assert copy.commune_count == communes + 1 and "Saint-Essai" in [c.name for c in copy.communes]
    copy = changed(retitle_contract)
    assert (copy.current_contract.title, copy.current_contract.phase) == ("CLS 2 — signé", Phase.EVALUATION)
    assert [(p.kind, p.name) for p in copy.current_contract.partners] == [
        (PartnerKind.SIGNATORY, "Préfecture de Tarn-et-Garonne"), (PartnerKind.PARTNER, "CPAM")]
    axes = [a.title for a in changed(add_axis).current_contract.active_axes]
    assert axes[-1] == "Santé des jeunes"
    assert changed(add_objective).current_contract.active_axes[0].active_objectives[-1].title == "Ouvrir un point écoute"
    assert changed(reword_objective).current_contract.active_axes[0].active_objectives[0].title == "Un objectif reformulé"
    moved = [a.title for a in changed(move_axis).current_contract.active_axes]
    assert moved == axes[:-2] + [axes[-1], axes[-2]]
    assert [a.title for a in changed(archive_axis).current_contract.active_axes] == moved[1:]
    copy = changed(new_contract)
    assert [(c.generation, c.is_current) for c in copy.contracts][:2] == [(3, True), (2, False)]
    assert [(c.generation, c.is_current) for c in changed(former_current).contracts][:2] == [(3, False), (2, True)]

    # What is not the structure (the territory's own text, read with its row at each request) keeps the copy.
    version, _copy = version_and_structure()
    copies = app.extensions["consult_caches"][CACHE_NAME]
    built = copies.builds
    db.session.get(Territory, territory.id).presentation = "Un territoire rural."
    assert version_and_structure()[0] == version and copies.builds == built


def test_home_page_reads_the_structure_once_then_only_the_territory_row(app, client, territory, views_only):
    with RenderGuard(app) as guard:
        assert client.get(f"/t/{SLUG}/").status_code == 200
        first = guard.count
        assert client.get(f"/t/{SLUG}/").status_code == 200
        again = [s.sql for s in guard.statements]
    assert not guard.while_rendering
    # Six statements fewer once the copy is kept: EPCIs, contracts, partners, axes, objectives, communes.
    assert len(again) == first - 6
    assert sum("FROM territories" in sql for sql in again) == 1
    assert not any(f"FROM {table}" in sql for sql in again
                   for table in ("epcis", "contracts", "contract_partners", "axes", "objectives", "communes"))
