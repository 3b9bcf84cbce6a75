"""Copying fiches of CLS 1 into CLS 2: drafts on the mapped axes with new numbers, `copied_from`, content,
partners, funding, indicators without their values, steps back to « to do », a first version; an axis set to « do
not copy » stays behind; copying twice skips what was copied; every role; bad input."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import (
    Fiche,
    FicheStatus,
    FicheVersion,
    IndicatorValue,
    Step,
    StepState,
)
from consult.territories.models import Axis, Contract, Phase
from tests.conftest import ROLES

SLUG = "terres-des-confluences"
PAGE = f"/t/{SLUG}/manage/plan/copy"


@pytest.fixture
def first_contract(territory, make_fiche):
    """CLS 1 (2019-2022) with two axes and three fiches: one done with steps and indicator values."""
    contract = Contract(territory=territory, generation=1, title="CLS Terres des Confluences 2019-2022",
                        start_date=dt.date(2019, 8, 1), end_date=dt.date(2022, 12, 31), phase=Phase.ENDED)
    contract.axes = [Axis(title="Accès aux soins", position=0), Axis(title="Santé mentale", position=1)]
    db.session.add(contract)
    db.session.commit()
    access, mental = contract.axes
    done = make_fiche("Accueillir les internes en médecine", axis=access, status=FicheStatus.DONE, published=True)
    done.steps = [Step(title="Trouver un logement", state=StepState.DONE, position=0,
                       done_on=dt.date(2020, 5, 1), due_on=dt.date(2020, 6, 1))]
    done.indicators[0].values.append(IndicatorValue(year=2021, value=12))
    abandoned = make_fiche("Un annuaire des professionnels", axis=access, status=FicheStatus.ABANDONED)
    third = make_fiche("Former au 3114", axis=mental, status=FicheStatus.DONE)
    for fiche in (done, abandoned, third):
        fiche.contract = contract   # the factory writes in the current contract
    db.session.commit()
    return contract


def copy_form(source, target, mapping: dict, fiches) -> dict:
    data = {f"axis_{old.id}": str(new.id) if new else "" for old, new in mapping.items()}
    data["fiches"] = [str(f.id) for f in fiches]
    return data


def post_copy(client, source, target, data):
    return client.post(f"{PAGE}?source={source.id}&target={target.id}", data=data)


def copies() -> list[Fiche]:
    return list(db.session.scalars(select(Fiche).where(Fiche.copied_from_id.is_not(None)).order_by(Fiche.id)))


def test_the_page_proposes_every_fiche_of_the_previous_contract(client, as_coordinator, first_contract, territory):
    target = territory.current_contract

    page = client.get(PAGE).get_data(as_text=True)
    assert f'<option selected value="{first_contract.id}">' in page
    chosen = client.get(f"{PAGE}?source={first_contract.id}&target={target.id}")

    text = chosen.get_data(as_text=True)
    assert chosen.status_code == 200
    assert "Accueillir les internes en médecine" in text and "Former au 3114" in text
    assert text.count('type="checkbox"') == 3 and text.count("checked") >= 3


def test_copies_are_drafts_on_the_mapped_axes_with_new_numbers_and_without_values(client, as_coordinator,
                                                                                  first_contract, territory):
    target = territory.current_contract
    access, mental = first_contract.axes
    new_first, new_second = target.active_axes
    fiches = list(db.session.scalars(select(Fiche).where(Fiche.contract_id == first_contract.id).order_by(Fiche.id)))

    response = post_copy(client, first_contract, target,
                         copy_form(first_contract, target, {access: new_second, mental: None}, fiches))

    assert response.status_code == 302
    made = copies()
    assert [(c.title, c.number, c.status, c.contract_id) for c in made] == [
        ("Accueillir les internes en médecine", "2.1", FicheStatus.DRAFT, target.id),
        ("Un annuaire des professionnels", "2.2", FicheStatus.DRAFT, target.id)]
    first = made[0]
    assert first.copied_from.title == "Accueillir les internes en médecine"
    assert first.published_at is None and first.general_objective == fiches[0].general_objective
    assert [p.organisation for p in first.partners] == ["CC Terres des Confluences", "CPTS Quercy Garonne"]
    assert [(f.funder, f.amount) for f in first.fundings] == [("ARS Occitanie (FIR)", 6000)]
    assert [(i.name, i.target, i.values) for i in first.indicators] == [("Nombre de personnes formées", 60, [])]
    assert [(s.title, s.state, s.done_on, s.due_on) for s in first.steps] == [
        ("Trouver un logement", StepState.TODO, None, None)]
    assert [v.number for v in first.versions] == [1]
    assert db.session.scalar(select(func.count(IndicatorValue.id))) == 1      # the original's value only
    assert db.session.scalar(select(func.count(Fiche.id)).where(Fiche.contract_id == first_contract.id)) == 3


def test_copying_the_same_fiche_twice_skips_it(client, as_coordinator, first_contract, territory):
    target = territory.current_contract
    access, mental = first_contract.axes
    fiches = list(db.session.scalars(select(Fiche).where(Fiche.axis_id == access.id).order_by(Fiche.id)))
    data = copy_form(first_contract, target, {access: target.active_axes[0], mental: None}, fiches)
    assert post_copy(client, first_contract, target, data).status_code == 302

    again = post_copy(client, first_contract, target, data)

    assert again.status_code == 302
    assert len(copies()) == 2 and db.session.scalar(select(func.count(FicheVersion.id))) == 2
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "2 fiches were already copied into this contract" in page or "already copied" in page


def test_only_the_ticked_fiches_are_copied(client, as_coordinator, first_contract, territory):
    target = territory.current_contract
    access, mental = first_contract.axes
    third = db.session.scalar(select(Fiche).where(Fiche.title == "Former au 3114"))

    post_copy(client, first_contract, target,
              copy_form(first_contract, target, {access: target.active_axes[0], mental: target.active_axes[0]},
                        [third]))

    assert [(c.title, c.number) for c in copies()] == [("Former au 3114", "1.1")]


def test_a_copy_without_any_ticked_fiche_is_a_form_error(client, as_coordinator, first_contract, territory):
    target = territory.current_contract
    access, mental = first_contract.axes

    response = post_copy(client, first_contract, target,
                         copy_form(first_contract, target, {access: target.active_axes[0], mental: None}, []))

    assert response.status_code == 422 and "Tick at least one fiche." in response.get_data(as_text=True)
    assert not copies()


@pytest.mark.parametrize("query", ["source=1&target=1", "source=999999&target=1", "source=abc&target=",
                                   "source=99999999999999999999999&target=2"])
def test_bad_contract_choices_are_form_errors(client, as_coordinator, first_contract, territory, query):
    response = client.get(f"{PAGE}?{query}")

    assert response.status_code == 422
    assert not copies()


def test_an_axis_of_another_contract_is_refused(client, as_coordinator, first_contract, territory):
    target = territory.current_contract
    access, mental = first_contract.axes
    data = copy_form(first_contract, target, {access: mental, mental: None},
                     db.session.scalars(select(Fiche)).all())

    response = post_copy(client, first_contract, target, data)

    assert response.status_code == 422 and not copies()


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_and_admins_copy(as_role, role, first_contract, territory):
    client = as_role(role)
    target = territory.current_contract
    access, mental = first_contract.axes
    page = client.get(f"{PAGE}?source={first_contract.id}&target={target.id}")
    post = post_copy(client, first_contract, target,
                     copy_form(first_contract, target, {access: target.active_axes[0], mental: None},
                               db.session.scalars(select(Fiche)).all()))

    if role in ("coordinator", "admin"):
        assert (page.status_code, post.status_code) == (200, 302) and len(copies()) == 2
    else:
        expected = 302 if role == "anonymous" else 403
        assert (page.status_code, post.status_code) == (expected, expected) and not copies()


def test_the_copy_form_refuses_a_request_without_its_csrf_token(csrf_app, first_contract, territory, make_user):
    import re

    from consult.accounts.models import Role
    from tests.conftest import PASSWORD

    user = make_user(role=(territory, Role.COORDINATOR))
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/account/login").get_data(as_text=True))[1]
    client.post("/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    target = territory.current_contract
    access, mental = first_contract.axes
    assert client.get(f"{PAGE}?source={first_contract.id}&target={target.id}").status_code == 200

    post_copy(client, first_contract, target, copy_form(first_contract, target, {access: target.active_axes[0],
                                                                                 mental: None},
                                                        db.session.scalars(select(Fiche)).all()))

    assert not copies()
