"""Coordinators open and edit calls: windows typed in Paris time, support limit, eligibility, axes."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from consult.extensions import db
from consult.proposals.models import Call
from tests.proposals.conftest import SLUG


def call_form(territory, **changes) -> dict:
    axes = territory.current_contract.axes
    return {"title": "Vos idées pour la santé en 2027", "presentation": "Proposez, soutenez, suivez.",
            "submission_opens_at": "2027-01-04T09:00", "submission_closes_at": "2027-02-28T18:00",
            "voting_opens_at": "2027-02-01T09:00", "voting_closes_at": "2027-03-31T18:00",
            "support_limit": "5", "residents_only": "y", "axis_ids": [str(a.id) for a in axes], **changes}


def test_coordinator_opens_a_call_with_paris_windows_stored_in_utc(client, login, coordinator, territory):
    login(coordinator)

    response = client.post(f"/t/{SLUG}/manage/proposals/calls/new", data=call_form(territory), follow_redirects=True)

    assert "The call is created." in response.get_data(as_text=True)
    call = db.session.scalar(select(Call))
    assert call.submission_opens_at == dt.datetime(2027, 1, 4, 8, 0)  # 09:00 in Paris, winter time
    assert call.voting_closes_at == dt.datetime(2027, 3, 31, 16, 0)  # 18:00 in Paris, summer time
    assert (call.support_limit, call.residents_only, len(call.axes)) == (5, True, 2)


def test_call_window_in_the_wrong_order_is_refused_and_the_form_kept(client, login, coordinator, territory):
    login(coordinator)

    response = client.post(f"/t/{SLUG}/manage/proposals/calls/new",
                           data=call_form(territory, voting_closes_at="2027-01-01T09:00"))

    page = response.get_data(as_text=True)
    assert "The voting window must end after it starts." in page
    assert 'value="Vos idées pour la santé en 2027"' in page
    assert db.session.scalar(select(func.count(Call.id))) == 0


def test_call_needs_an_axis(client, login, coordinator, territory):
    login(coordinator)

    response = client.post(f"/t/{SLUG}/manage/proposals/calls/new", data=call_form(territory, axis_ids=[]))

    assert "Choose at least one axis." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Call.id))) == 0


def test_empty_limit_means_unlimited_supports(client, login, coordinator, territory, make_call):
    call = make_call(support_limit=3)
    login(coordinator)

    client.post(f"/t/{SLUG}/manage/proposals/calls/{call.id}/edit", data=call_form(territory, support_limit=""))

    db.session.expire_all()
    assert db.session.get(Call, call.id).support_limit is None


def test_edit_page_shows_windows_in_paris_time(client, login, coordinator, make_call):
    call = make_call(submission_opens_at=dt.datetime(2026, 7, 1, 7, 0))
    login(coordinator)

    page = client.get(f"/t/{SLUG}/manage/proposals/calls/{call.id}/edit").get_data(as_text=True)

    assert 'value="2026-07-01T09:00"' in page


def test_open_call_is_listed_publicly(client, call):
    page = client.get(f"/t/{SLUG}/proposals/").get_data(as_text=True)

    assert call.title in page and "Open calls" in page
