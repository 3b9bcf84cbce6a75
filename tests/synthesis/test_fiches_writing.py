"""Writing fiches through their form: what is stored, the version each save keeps, numbering, avenants, double
submission, repeated rows without JavaScript and bad input."""
from __future__ import annotations

import datetime as dt

import pytest

from consult.extensions import db
from consult.synthesis.models import Avenant, FicheVersion, FundingKind, PartnerRole, Step, StepState
from consult.territories.models import Phase
from tests.synthesis.fiche_forms import PLAN, fiche_form, fiches


@pytest.fixture
def axes(territory):
    return territory.current_contract.active_axes


def test_a_coordinator_writes_a_fiche_and_reads_it_as_a_document(client, as_coordinator, axes):
    response = client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[0]))

    assert response.status_code == 302
    (fiche,) = fiches()
    assert (fiche.number, fiche.title, fiche.status.value) == ("1.1", "Déployer des formations Premiers secours en "
                                                                     "santé mentale", "draft")
    assert [(p.role, p.organisation) for p in fiche.partners] == [
        (PartnerRole.LEAD, "CC Terres des Confluences"), (PartnerRole.FUNDER, "ARS Occitanie")]
    assert [(f.funder, f.kind, f.amount, f.year) for f in fiche.fundings] == [
        ("ARS Occitanie (FIR)", FundingKind.OPERATING, 6000, 2025),
        ("CC Terres des Confluences", FundingKind.INVESTMENT, 3000, None)]
    assert [c.insee_code for c in fiche.communes] == ["82033", "82112"]
    assert not fiche.whole_territory and fiche.publics == ["young_people", "parents"]
    assert fiche.specific_objectives == ["Former 60 habitants et professionnels"]
    assert [(s.title, s.due_on) for s in fiche.steps] == [("Recruter un formateur accrédité", dt.date(2025, 3, 31))]
    assert fiche.indicators[0].target == 6 and fiche.indicators[0].kind.value == "process"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Action 1.1" in page and "Castelsarrasin (82033)" in page
    assert "<strong>€9,000</strong>" in page      # the budget's total
    assert "Nombre de sessions organisées" in page and "Vice-présidente déléguée à la santé" in page
    assert "Young people (12–25)" in page


def test_the_first_save_keeps_version_one_with_the_whole_content(client, as_coordinator, axes):
    client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[0]))

    (version,) = db.session.scalars(db.select(FicheVersion)).all()
    assert version.number == 1 and version.saved_by_id == as_coordinator.id
    assert version.content["fundings"][0] == {"funder": "ARS Occitanie (FIR)", "kind": "operating", "amount": 6000,
                                              "year": 2025}
    assert version.content["communes"] == ["82033", "82112"]


def test_each_edit_keeps_a_new_version_and_keeps_steps_state(client, as_coordinator, axes):
    client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[0]))
    (fiche,) = fiches()
    step = fiche.steps[0]
    step.state = StepState.DONE
    db.session.commit()

    response = client.post(f"{PLAN}/fiches/{fiche.id}/edit", data=fiche_form(
        axes[0], **{"title": "Former aux Premiers secours en santé mentale", "steps-0-id": str(step.id),
                    "fundings-0-amount": "7500"}))

    assert response.status_code == 302
    (fiche,) = fiches()
    assert fiche.version_count == 2 and fiche.title == "Former aux Premiers secours en santé mentale"
    assert fiche.versions[1].content["title"] == "Former aux Premiers secours en santé mentale"
    assert fiche.versions[0].content["fundings"][0]["amount"] == 6000
    assert fiche.versions[1].content["fundings"][0]["amount"] == 7500
    assert db.session.get(Step, step.id).state is StepState.DONE


def test_moving_a_fiche_to_another_axis_numbers_it_at_the_end_of_that_axis(client, as_coordinator, axes, make_fiche):
    make_fiche("Créer un annuaire des professionnels", axis=axes[1])
    client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[0]))
    fiche = fiches()[-1]
    assert fiche.number == "1.1"

    client.post(f"{PLAN}/fiches/{fiche.id}/edit", data=fiche_form(axes[1]))

    fiche = fiches()[-1]
    assert (fiche.axis_id, fiche.rank, fiche.number) == (axes[1].id, 2, "2.2")
    assert fiche.versions[-1].content["axis"] == axes[1].title


def test_a_fiche_revised_under_an_avenant_records_it(client, as_coordinator, axes, territory):
    contract = territory.current_contract
    assert contract.phase is Phase.SIGNED
    client.post(f"{PLAN}/contracts/{contract.id}/avenants",
                data={"title": "Avenant santé mentale des jeunes", "signed_on": "2026-03-14"})
    client.post(f"{PLAN}/contracts/{contract.id}/avenants", data={"title": "Avenant n° 2", "signed_on": ""})
    avenants = db.session.scalars(db.select(Avenant).order_by(Avenant.number)).all()
    assert [(a.number, a.title, a.signed_on) for a in avenants] == [
        (1, "Avenant santé mentale des jeunes", dt.date(2026, 3, 14)), (2, "Avenant n° 2", None)]

    client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[0], avenant_id=str(avenants[0].id)))

    (fiche,) = fiches()
    assert fiche.avenant_id == avenants[0].id and fiche.versions[0].avenant_id == avenants[0].id
    page = client.get(f"{PLAN}/contracts/{contract.id}/avenants").get_data(as_text=True)
    assert "Avenant no. 1 — Avenant santé mentale des jeunes" in page and fiche.title in page


def test_an_avenant_is_refused_before_the_contract_is_signed(client, as_coordinator, territory):
    contract = territory.current_contract
    contract.phase = Phase.ELABORATION
    db.session.commit()

    response = client.post(f"{PLAN}/contracts/{contract.id}/avenants", data={"title": "Avenant 1"})

    assert response.status_code == 422
    assert "not signed yet" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Avenant)) == 0


def test_the_same_form_sent_twice_creates_one_fiche(client, as_coordinator, axes):
    first = client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[0], token="double-clic"))
    second = client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[0], token="double-clic"))

    assert len(fiches()) == 1
    assert first.headers["Location"] == second.headers["Location"]
    assert fiches()[0].version_count == 1


def test_a_new_form_gets_a_new_token(client, as_coordinator, axes):
    import re

    pages = [client.get(f"{PLAN}/fiches/new").get_data(as_text=True) for _ in range(2)]
    tokens = [re.search(r'name="form_token" type="hidden" value="([^"]+)"', p).group(1) for p in pages]
    assert tokens[0] != tokens[1]
    for token in tokens:
        client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[0], token=token))
    assert [f.number for f in fiches()] == ["1.1", "1.2"]


def test_add_rows_redisplays_the_form_with_more_rows_and_what_was_typed(client, as_coordinator, axes):
    data = fiche_form(axes[0])
    data.pop("save")
    data["add_rows"] = "1"

    response = client.post(f"{PLAN}/fiches/new", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and fiches() == []
    assert 'name="partners-4-organisation"' in page and 'name="fundings-4-amount"' in page
    assert 'value="CC Terres des Confluences"' in page and "Lycéens de Moissac et leurs parents" in page


@pytest.mark.parametrize("changes, message", [
    ({"fundings-0-amount": "-5"}, "A whole number of euros"),
    ({"fundings-0-amount": "99999999999999999999"}, "This number is too large"),  # any whole-number field
    ({"starts_on": "2025-02-31"}, "Not a valid date"),
    ({"steps-0-due_on": "demain"}, "Not a valid date"),
    ({"starts_on": "2026-01-01", "ends_on": "2025-01-01"}, "The end comes before the start"),
    ({"axis_id": "99999999999999999999"}, "Not a valid choice"),
    ({"commune_ids": ["99999999"]}, "is not a valid choice"),
    ({"objective_id": "424242"}, "Not a valid choice"),
    ({"title": ""}, "This field is required"),
    ({"indicators-0-target": "1e300"}, "This target is too large"),
    ({"partners-0-role": "boss"}, "Not a valid choice"),
])
def test_bad_input_is_shown_on_the_form_and_stores_nothing(client, as_coordinator, axes, changes, message):
    response = client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[0], **changes))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="CC Terres des Confluences"' in page    # what was typed is kept
    assert fiches() == []


def test_an_objective_of_another_axis_is_refused_on_its_field(client, as_coordinator, axes):
    objective = axes[0].active_objectives[0]

    response = client.post(f"{PLAN}/fiches/new", data=fiche_form(axes[1], objective_id=str(objective.id)))

    assert response.status_code == 422
    assert "This objective does not belong to the chosen axis." in response.get_data(as_text=True)
    assert fiches() == []


def test_editing_an_unknown_or_huge_fiche_id_is_a_404(client, as_coordinator, axes):
    assert client.get(f"{PLAN}/fiches/4242/edit").status_code == 404
    assert client.get(f"{PLAN}/fiches/99999999999999999999/").status_code == 404
    assert client.get(f"{PLAN}/fiches/4242/compare?a=1&b=2").status_code == 404
