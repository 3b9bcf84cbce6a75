"""A fiche's status moves only along the allowed transitions, each move writing one history row."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.governance.statuses import TRANSITIONS, IllegalTransition, change_status
from consult.synthesis.models import FicheStatus, StatusChange
from tests.conftest import NOW
from tests.synthesis.governance_factories import PLAN

S = FicheStatus


def move(client, fiche, status, day="2026-09-01"):
    return client.post(f"{PLAN}/fiches/{fiche.id}/follow-up/status",
                       data={"status-status": status, "status-decided_on": day})


def history(fiche) -> list[tuple]:
    return [(c.previous, c.status, c.decided_on) for c in db.session.scalars(
        select(StatusChange).where(StatusChange.fiche_id == fiche.id).order_by(StatusChange.id))]


def test_the_lifecycle_of_a_fiche_after_the_copil(client, as_coordinator, make_fiche):
    fiche = make_fiche(status=S.COPIL_VALIDATED)
    assert move(client, fiche, "in_progress", "2026-04-02").status_code == 302
    assert move(client, fiche, "postponed", "2026-06-30").status_code == 302
    assert move(client, fiche, "in_progress", "2026-09-01").status_code == 302
    response = move(client, fiche, "done", "2026-11-20")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Status changed: Done." in page and f"recorded by {as_coordinator.display_name}" in page
    db.session.expire_all()
    assert fiche.status is S.DONE and fiche.progress == 100
    assert history(fiche) == [(S.COPIL_VALIDATED, S.IN_PROGRESS, dt.date(2026, 4, 2)),
                              (S.IN_PROGRESS, S.POSTPONED, dt.date(2026, 6, 30)),
                              (S.POSTPONED, S.IN_PROGRESS, dt.date(2026, 9, 1)),
                              (S.IN_PROGRESS, S.DONE, dt.date(2026, 11, 20))]
    assert all(c.actor_id == as_coordinator.id and c.decision_id is None
               for c in db.session.scalars(select(StatusChange)))


@pytest.mark.parametrize("start, wanted", [(S.DRAFT, "in_progress"), (S.DONE, "in_progress"),
                                           (S.ABANDONED, "draft"), (S.IN_PROGRESS, "group_validated"),
                                           (S.POSTPONED, "done")])
def test_an_illegal_move_is_refused_with_the_fiche_named(client, as_coordinator, make_fiche, start, wanted):
    fiche = make_fiche("Créer un conseil local de santé mentale", status=start)
    response = move(client, fiche, wanted)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # The list offers only the allowed moves: a forged value is refused next to the field.
    assert "Not a valid choice" in page or "cannot go from" in page
    db.session.expire_all()
    assert fiche.status is start and history(fiche) == []


def test_the_copil_validation_is_not_offered_outside_a_decision(client, as_coordinator, make_fiche):
    fiche = make_fiche(status=S.GROUP_VALIDATED)
    page = client.get(f"{PLAN}/fiches/{fiche.id}/follow-up").get_data(as_text=True)
    assert 'value="copil_validated"' not in page and "record the COPIL's decision" in page
    assert move(client, fiche, "copil_validated").status_code == 422
    db.session.expire_all()
    assert fiche.status is S.GROUP_VALIDATED and history(fiche) == []


def test_change_status_refuses_a_copil_validation_without_a_copil_decision(app, coordinator, make_fiche):
    fiche = make_fiche(status=S.GROUP_VALIDATED)
    with pytest.raises(IllegalTransition, match="only a decision of the steering committee"):
        change_status(coordinator, fiche, S.COPIL_VALIDATED, decided_on=dt.date(2026, 3, 14), now=NOW)
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 0


def test_any_unfinished_status_may_be_abandoned_and_finals_are_final():
    for status, allowed in TRANSITIONS.items():
        assert (S.ABANDONED in allowed) is (status not in (S.DONE, S.ABANDONED))
    assert TRANSITIONS[S.DONE] == TRANSITIONS[S.ABANDONED] == frozenset()


def test_a_date_after_today_or_not_a_date_is_refused(client, as_coordinator, make_fiche):
    fiche = make_fiche(status=S.COPIL_VALIDATED)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    assert "cannot be after today" in move(client, fiche, "in_progress", future).get_data(as_text=True)
    response = move(client, fiche, "in_progress", "31/02/2026")
    assert response.status_code == 422 and "Enter the date" in response.get_data(as_text=True)
    assert 'value="31/02/2026"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert fiche.status is S.COPIL_VALIDATED and history(fiche) == []


def test_the_fiche_panel_shows_who_decided_and_when(client, as_coordinator, make_fiche):
    fiche = make_fiche(status=S.COPIL_VALIDATED)
    move(client, fiche, "in_progress", "2026-04-02")
    page = client.get(f"{PLAN}/fiches/{fiche.id}/follow-up").get_data(as_text=True)
    assert "April 2, 2026" in page and "Validated by the steering committee → <strong>In progress</strong>" in page
