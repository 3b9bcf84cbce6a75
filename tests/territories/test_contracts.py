"""Contracts (CLS generations): creation from a template, the current contract, dates, partners."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.territories.models import Axis, Contract, ContractPartner, PartnerKind, Phase
from tests.territories.helpers import contract_rows, item_counts, page_text, tag_with_id

NEW_CONTRACT = {
    "generation": "3", "title": "CLS 3 Terres des Confluences 2028-2032", "start_date": "2028-01-01",
    "end_date": "2032-12-31", "phase": "elaboration", "summary": "Troisième contrat, en cours d'élaboration.",
    "signatories": "Communauté de communes Terres des Confluences\nARS Occitanie",
    "partners": "CPTS Quercy Garonne", "template": "empty",
}


def new_contract(client, slug, **changes):
    return client.post(f"/t/{slug}/manage/contracts/new", data={**NEW_CONTRACT, **changes})


def contract_of(territory, generation: int) -> Contract:
    db.session.expire_all()
    return db.session.scalar(select(Contract).where(Contract.territory_id == territory.id,
                                                    Contract.generation == generation))


def current_count(territory) -> int:
    return db.session.scalar(select(func.count(Contract.id)).where(Contract.territory_id == territory.id,
                                                                   Contract.is_current.is_(True)))


@pytest.fixture
def first_contract(territory):
    """CLS 1 (2019-2022), ended, with one axis: not the current contract."""
    contract = Contract(territory=territory, generation=1, title="CLS Terres des Confluences 2019-2022",
                        start_date=dt.date(2019, 8, 1), end_date=dt.date(2022, 12, 31), phase=Phase.ENDED,
                        is_current=False)
    contract.axes = [Axis(title="Santé mentale", position=0)]
    db.session.add(contract)
    db.session.commit()
    return contract


def test_occitanie_template_creates_four_axes_with_an_objective_each(client, territory, as_coordinator):
    response = new_contract(client, territory.slug, template="occitanie")

    contract = contract_of(territory, 3)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{territory.slug}/manage/contracts/{contract.id}/axes"
    assert contract.title == "CLS 3 Terres des Confluences 2028-2032"
    assert [a.position for a in contract.axes] == [0, 1, 2, 3]
    assert [len(a.objectives) for a in contract.axes] == [1, 1, 1, 1]
    assert all(a.title and a.objectives[0].title for a in contract.axes)


def test_new_contract_becomes_the_only_current_one(client, territory, as_coordinator):
    new_contract(client, territory.slug, template="occitanie")

    assert contract_of(territory, 3).is_current
    assert not contract_of(territory, 2).is_current
    assert current_count(territory) == 1


def test_empty_template_creates_a_current_contract_without_axes(client, territory, as_coordinator):
    response = new_contract(client, territory.slug, template="empty")

    contract = contract_of(territory, 3)
    assert response.status_code == 302
    assert contract.axes == []
    assert contract.is_current
    assert (contract.start_date, contract.end_date, contract.phase) == (dt.date(2028, 1, 1), dt.date(2032, 12, 31),
                                                                         Phase.ELABORATION)


def test_previous_template_copies_the_active_axes_and_objectives(client, territory, as_coordinator):
    current = contract_of(territory, 2)
    current.axes[0].objectives[1].archived_at = dt.datetime(2026, 3, 1)
    current.axes.append(Axis(title="Axe abandonné en cours de route", position=2,
                             archived_at=dt.datetime(2026, 3, 1)))
    db.session.commit()

    response = new_contract(client, territory.slug, template="previous")

    assert response.status_code == 302
    copy = contract_of(territory, 3)
    assert [(a.title, [o.title for o in a.objectives]) for a in copy.axes] == [
        ("Favoriser la mise en relation des acteurs (élus, professionnels…)",
         ["Accueillir les nouveaux praticiens de santé"]),
        ("Développer l'essor d'actions complémentaires innovantes", []),
    ]
    assert all(a.archived_at is None for a in copy.axes)


def test_previous_template_works_without_sqlalchemy_warnings(client, territory, as_coordinator):
    response = new_contract(client, territory.slug, template="previous")

    assert response.status_code == 302
    assert len(contract_of(territory, 3).axes) == 2


def test_previous_template_leaves_the_old_contract_untouched(client, territory, as_coordinator):
    old_axes = [(a.id, a.title, a.position, [o.id for o in a.objectives]) for a in contract_of(territory, 2).axes]

    new_contract(client, territory.slug, template="previous")

    assert [(a.id, a.title, a.position, [o.id for o in a.objectives])
            for a in contract_of(territory, 2).axes] == old_axes
    assert db.session.scalar(select(func.count(Axis.id))) == 4


def test_previous_template_copies_descriptions(client, territory, as_coordinator):
    current = contract_of(territory, 2)
    current.axes[0].description = "Réunir élus, professionnels et habitants **deux fois par an**."
    current.axes[0].objectives[0].description = "Un livret d'accueil pour chaque praticien."
    db.session.commit()

    new_contract(client, territory.slug, template="previous")

    copy = contract_of(territory, 3)
    assert copy.axes[0].description == "Réunir élus, professionnels et habitants **deux fois par an**."
    assert copy.axes[0].objectives[0].description == "Un livret d'accueil pour chaque praticien."


def test_previous_template_is_refused_when_there_is_no_current_contract(client, make_territory, make_user, login):
    from consult.accounts.models import Role

    bare = make_territory("gascogne-toulousaine", "Gascogne Toulousaine", siren="243200417",
                          epci_name="CC de la Gascogne Toulousaine", with_contract=False)
    login(make_user(role=(bare, Role.COORDINATOR)))

    response = new_contract(client, bare.slug, generation="1", template="previous")

    assert response.status_code == 200
    assert item_counts() == (0, 0, 0, 0)


def test_end_date_before_start_date_is_refused_and_the_form_keeps_the_values(client, territory, as_coordinator):
    before = contract_rows(territory)

    response = new_contract(client, territory.slug, title="CLS 3 — Lomagne & Garonne, l'après-2028",
                            start_date="2032-12-31", end_date="2028-01-01", template="occitanie")

    assert response.status_code == 200
    page = page_text(response)
    assert 'value="CLS 3 — Lomagne & Garonne, l\'après-2028"' in page
    assert 'value="2032-12-31"' in page
    assert 'value="2028-01-01"' in page
    assert 'aria-invalid="true"' in tag_with_id(page, "end_date")
    assert contract_rows(territory) == before


def test_same_generation_twice_is_refused(client, territory, as_coordinator):
    before = contract_rows(territory)

    response = new_contract(client, territory.slug, generation="2", title="CLS 2 bis")

    assert response.status_code == 200
    assert 'aria-invalid="true"' in tag_with_id(response.get_data(as_text=True), "generation")
    assert contract_rows(territory) == before


def test_new_contract_form_proposes_the_next_generation(client, territory, as_coordinator):
    page = client.get(f"/t/{territory.slug}/manage/contracts/new").get_data(as_text=True)

    assert 'value="3"' in tag_with_id(page, "generation")


def edit_data(contract: Contract, **changes) -> dict:
    return {"generation": str(contract.generation), "title": contract.title,
            "start_date": contract.start_date.isoformat(), "end_date": contract.end_date.isoformat(),
            "phase": contract.phase.value, "summary": contract.summary, "signatories": "", "partners": "", **changes}


def test_editing_partners_stores_one_row_per_line_in_order(client, territory, as_coordinator):
    contract = contract_of(territory, 2)
    data = edit_data(
        contract,
        signatories=("Communauté de communes Terres des Confluences\r\nARS Occitanie\r\n\r\n"
                     "  Préfecture de Tarn-et-Garonne  "),
        partners=("Caisse primaire d'assurance maladie de Tarn-et-Garonne\nMSA Midi-Pyrénées Nord\n"
                  "CPTS Quercy Garonne"),
    )

    response = client.post(f"/t/{territory.slug}/manage/contracts/{contract.id}/edit", data=data)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{territory.slug}/manage/"
    rows = db.session.execute(select(ContractPartner.kind, ContractPartner.name, ContractPartner.position)
                              .where(ContractPartner.contract_id == contract.id)
                              .order_by(ContractPartner.kind, ContractPartner.position)).all()
    assert [tuple(r) for r in rows] == [
        (PartnerKind.PARTNER, "Caisse primaire d'assurance maladie de Tarn-et-Garonne", 0),
        (PartnerKind.PARTNER, "MSA Midi-Pyrénées Nord", 1),
        (PartnerKind.PARTNER, "CPTS Quercy Garonne", 2),
        (PartnerKind.SIGNATORY, "Communauté de communes Terres des Confluences", 0),
        (PartnerKind.SIGNATORY, "ARS Occitanie", 1),
        (PartnerKind.SIGNATORY, "Préfecture de Tarn-et-Garonne", 2),
    ]


def test_edit_form_shows_partners_one_per_line(client, territory, as_coordinator):
    contract = contract_of(territory, 2)

    page = page_text(client.get(f"/t/{territory.slug}/manage/contracts/{contract.id}/edit"))

    assert re.search(r'<textarea[^>]*id="signatories"[^>]*>\s*ARS Occitanie</textarea>', page)
    assert re.search(r'<textarea[^>]*id="partners"[^>]*>\s*CPTS Quercy Garonne</textarea>', page)


def test_editing_the_period_to_end_before_it_starts_is_refused(client, territory, as_coordinator):
    contract = contract_of(territory, 2)
    before = contract_rows(territory)

    response = client.post(f"/t/{territory.slug}/manage/contracts/{contract.id}/edit",
                           data=edit_data(contract, start_date="2027-12-31", end_date="2023-01-01",
                                          signatories="ARS Occitanie"))

    assert response.status_code == 200
    assert contract_rows(territory) == before


def test_editing_to_the_generation_of_another_contract_is_refused(client, territory, first_contract,
                                                                  as_coordinator):
    contract = contract_of(territory, 2)
    before = contract_rows(territory)

    response = client.post(f"/t/{territory.slug}/manage/contracts/{contract.id}/edit",
                           data=edit_data(contract, generation="1"))

    assert response.status_code == 200
    assert contract_rows(territory) == before


def test_make_current_switches_the_current_contract(client, territory, first_contract, as_coordinator):
    response = client.post(f"/t/{territory.slug}/manage/contracts/{first_contract.id}/current")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{territory.slug}/manage/"
    assert contract_of(territory, 1).is_current
    assert not contract_of(territory, 2).is_current
    assert current_count(territory) == 1
    assert "CLS Terres des Confluences 2019-2022" in page_text(client.get(f"/t/{territory.slug}/"))


def test_make_current_on_the_current_contract_changes_nothing(client, territory, first_contract, as_coordinator):
    current = contract_of(territory, 2)

    response = client.post(f"/t/{territory.slug}/manage/contracts/{current.id}/current")

    assert response.status_code == 302
    assert contract_of(territory, 2).is_current
    assert current_count(territory) == 1


def test_dashboard_lists_every_contract(client, territory, first_contract, as_coordinator):
    page = page_text(client.get(f"/t/{territory.slug}/manage/"))

    assert "CLS 2 Terres des Confluences 2023-2027" in page
    assert "CLS Terres des Confluences 2019-2022" in page
    assert f"/t/{territory.slug}/manage/contracts/{first_contract.id}/current" in page


def test_database_refuses_a_second_current_contract(territory, first_contract):
    from sqlalchemy.exc import IntegrityError

    first_contract.is_current = True
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert current_count(territory) == 1

