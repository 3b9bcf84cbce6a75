"""Axes and objectives of a contract: add, reword, reorder, archive and restore."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.territories.models import Axis, Objective
from tests.territories.helpers import contract_rows, page_text

FIRST_AXIS = "Favoriser la mise en relation des acteurs (élus, professionnels…)"
SECOND_AXIS = "Développer l'essor d'actions complémentaires innovantes"


@pytest.fixture
def contract(territory):
    return territory.current_contract


@pytest.fixture
def axes(contract):
    """The two axes of the current contract, in order."""
    return list(contract.axes)


def manage_axes_url(contract) -> str:
    return f"/t/{contract.territory.slug}/manage/contracts/{contract.id}/axes"


def act(client, item, action: str):
    kind = "axes" if isinstance(item, Axis) else "objectives"
    return client.post(f"/t/{item.territory.slug}/manage/{kind}/{item.id}/{action}")


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def positions(items) -> dict[str, int]:
    db.session.expire_all()
    return {i.title: i.position for i in items}


def test_adding_an_axis_appends_it_after_the_others(client, contract, as_coordinator):
    response = client.post(manage_axes_url(contract), data={
        "axis-title": "Santé mentale : prévenir la souffrance psychique des jeunes",
        "axis-description": "Avec le **conseil local de santé mentale**.",
    })

    assert response.status_code == 302
    assert response.headers["Location"] == manage_axes_url(contract)
    axis = db.session.scalar(select(Axis).where(Axis.title.startswith("Santé mentale")))
    assert (axis.contract_id, axis.position, axis.description) == (
        contract.id, 2, "Avec le **conseil local de santé mentale**.")
    manage_page = page_text(client.get(manage_axes_url(contract)))
    assert "Santé mentale : prévenir la souffrance psychique des jeunes" in manage_page


def test_axis_without_title_is_refused(client, territory, contract, as_coordinator):
    before = contract_rows(territory)

    response = client.post(manage_axes_url(contract), data={"axis-title": "   ", "axis-description": "Sans titre"})

    assert response.status_code == 200
    assert contract_rows(territory) == before


def test_adding_an_objective_appends_it_to_its_axis(client, contract, axes, as_coordinator):
    first = axes[0]

    response = client.post(f"/t/{contract.territory.slug}/manage/axes/{first.id}/objectives",
                           data={"objective-title": "Créer un guichet d'accueil à L'Isle-Jourdain"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"{manage_axes_url(contract)}#axis-{first.id}"
    objective = db.session.scalar(select(Objective).where(Objective.title.startswith("Créer un guichet")))
    assert (objective.axis_id, objective.position) == (first.id, 2)
    assert objective.title == "Créer un guichet d'accueil à L'Isle-Jourdain"


def test_objective_without_title_is_refused(client, territory, axes, as_coordinator):
    before = contract_rows(territory)

    response = client.post(f"/t/{territory.slug}/manage/axes/{axes[0].id}/objectives", data={"objective-title": ""})

    assert response.status_code == 422
    assert contract_rows(territory) == before


def test_editing_an_axis_stores_the_new_wording(client, contract, axes, as_coordinator):
    response = client.post(f"/t/{contract.territory.slug}/manage/axes/{axes[1].id}/edit", data={
        "title": "Développer des actions innovantes : « foodtruck » solidaire", "description": "À l'essai en 2027.",
    })

    assert response.status_code == 302
    assert response.headers["Location"] == f"{manage_axes_url(contract)}#axis-{axes[1].id}"
    axis = reload(Axis, axes[1].id)
    assert (axis.title, axis.description) == ("Développer des actions innovantes : « foodtruck » solidaire",
                                              "À l'essai en 2027.")
    assert axis.position == 1


def test_editing_an_objective_stores_the_new_wording(client, contract, axes, as_coordinator):
    objective = axes[0].objectives[1]

    response = client.post(f"/t/{contract.territory.slug}/manage/objectives/{objective.id}/edit",
                           data={"title": "Former les élus aux inégalités sociales et territoriales de santé"})

    assert response.status_code == 302
    stored = reload(Objective, objective.id)
    assert stored.title == "Former les élus aux inégalités sociales et territoriales de santé"


def test_edit_form_shows_the_current_wording(client, contract, axes, as_coordinator):
    page = page_text(client.get(f"/t/{contract.territory.slug}/manage/axes/{axes[1].id}/edit"))

    assert f'value="{SECOND_AXIS}"' in page


def test_edit_with_an_empty_title_is_refused(client, contract, axes, as_coordinator):
    response = client.post(f"/t/{contract.territory.slug}/manage/axes/{axes[1].id}/edit", data={"title": ""})

    assert response.status_code == 200
    assert reload(Axis, axes[1].id).title == SECOND_AXIS


def test_moving_an_axis_down_swaps_it_with_the_next(client, visitor, territory, contract, axes, as_coordinator):
    response = act(client, axes[0], "down")

    assert response.status_code == 302
    assert response.headers["Location"] == f"{manage_axes_url(contract)}#axis-{axes[0].id}"
    assert positions(axes) == {FIRST_AXIS: 1, SECOND_AXIS: 0}
    page = page_text(visitor.get(f"/t/{territory.slug}/axes"))
    assert page.index(SECOND_AXIS) < page.index(FIRST_AXIS)


def test_moving_an_objective_up_swaps_it_with_the_previous(client, axes, as_coordinator):
    objectives = list(axes[0].objectives)

    response = act(client, objectives[1], "up")

    assert response.status_code == 302
    assert positions(objectives) == {"Former les élus aux inégalités de santé": 0,
                                     "Accueillir les nouveaux praticiens de santé": 1}


def test_moving_the_first_axis_up_is_refused_without_error(client, territory, axes, as_coordinator):
    before = contract_rows(territory)

    response = act(client, axes[0], "up")

    assert response.status_code == 302
    assert contract_rows(territory) == before


def test_moving_the_last_objective_down_is_refused_without_error(client, territory, axes, as_coordinator):
    before = contract_rows(territory)

    response = act(client, axes[0].objectives[-1], "down")

    assert response.status_code == 302
    assert contract_rows(territory) == before


def test_archived_axis_disappears_from_the_public_pages(client, visitor, territory, axes, as_coordinator):
    response = act(client, axes[1], "archive")

    assert response.status_code == 302
    assert reload(Axis, axes[1].id).archived_at is not None
    assert SECOND_AXIS not in page_text(visitor.get(f"/t/{territory.slug}/axes"))
    assert SECOND_AXIS not in page_text(visitor.get(f"/t/{territory.slug}/"))
    assert FIRST_AXIS in page_text(visitor.get(f"/t/{territory.slug}/axes"))


def test_archived_axis_stays_in_the_database_and_the_manage_page(client, contract, axes, as_coordinator):
    act(client, axes[1], "archive")

    assert db.session.scalar(select(func.count(Axis.id)).where(Axis.contract_id == contract.id)) == 2
    assert SECOND_AXIS in page_text(client.get(manage_axes_url(contract)))
    assert f"/manage/axes/{axes[1].id}/restore" in page_text(client.get(manage_axes_url(contract)))


def test_archived_objective_disappears_from_the_public_pages(client, visitor, territory, axes, as_coordinator):
    objective = axes[0].objectives[0]

    act(client, objective, "archive")

    assert reload(Objective, objective.id).archived_at is not None
    assert "Accueillir les nouveaux praticiens de santé" not in page_text(visitor.get(f"/t/{territory.slug}/axes"))
    assert "Accueillir les nouveaux praticiens de santé" not in page_text(visitor.get(f"/t/{territory.slug}/"))
    assert "Former les élus aux inégalités de santé" in page_text(visitor.get(f"/t/{territory.slug}/axes"))


def test_restored_axis_is_public_again(client, visitor, territory, axes, as_coordinator):
    act(client, axes[1], "archive")

    response = act(client, axes[1], "restore")

    assert response.status_code == 302
    assert reload(Axis, axes[1].id).archived_at is None
    assert SECOND_AXIS in page_text(visitor.get(f"/t/{territory.slug}/axes"))


def test_archiving_twice_keeps_the_first_archive_date(client, axes, as_coordinator):
    axes[1].archived_at = dt.datetime(2026, 3, 2, 9, 30)
    db.session.commit()

    response = act(client, axes[1], "archive")

    assert response.status_code == 302
    assert reload(Axis, axes[1].id).archived_at == dt.datetime(2026, 3, 2, 9, 30)


def test_restoring_an_active_axis_is_refused_without_error(client, territory, axes, as_coordinator):
    before = contract_rows(territory)

    response = act(client, axes[0], "restore")

    assert response.status_code == 302
    assert contract_rows(territory) == before


def test_no_objective_can_be_added_to_an_archived_axis(client, territory, axes, as_coordinator):
    axes[1].archived_at = dt.datetime(2026, 3, 2, 9, 30)
    db.session.commit()
    before = contract_rows(territory)

    response = client.post(f"/t/{territory.slug}/manage/axes/{axes[1].id}/objectives",
                           data={"objective-title": "Un objectif de trop"})

    assert response.status_code == 422
    assert contract_rows(territory) == before


def test_unknown_action_on_an_axis_is_404(client, territory, axes, as_coordinator):
    before = contract_rows(territory)

    response = client.post(f"/t/{territory.slug}/manage/axes/{axes[0].id}/delete")

    assert response.status_code == 404
    assert contract_rows(territory) == before


def test_moving_skips_archived_neighbours_so_the_public_order_changes(client, visitor, territory, contract, axes,
                                                                      as_coordinator):
    middle = Axis(contract=contract, title="Axe archivé entre les deux", position=1,
                  archived_at=dt.datetime(2026, 1, 1))
    axes[1].position = 2
    db.session.add(middle)
    db.session.commit()

    act(client, axes[0], "down")

    assert positions([axes[0], middle, axes[1]]) == {SECOND_AXIS: 0, "Axe archivé entre les deux": 1, FIRST_AXIS: 2}
    page = page_text(visitor.get(f"/t/{territory.slug}/axes"))
    assert page.index(SECOND_AXIS) < page.index(FIRST_AXIS)


def test_a_button_posted_after_the_session_expired_returns_to_the_page_after_login(app, axes):
    anonymous = app.test_client()
    response = anonymous.post(
        f"/t/{axes[0].territory.slug}/manage/axes/{axes[0].id}/archive",
        headers={"Referer": f"http://localhost{manage_axes_url(axes[0].contract)}"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=" + manage_axes_url(axes[0].contract)
    assert reload(Axis, axes[0].id).archived_at is None
