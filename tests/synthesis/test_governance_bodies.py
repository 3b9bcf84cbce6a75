"""Bodies of a contract, their member organisations and their sessions."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from consult.extensions import db
from consult.synthesis.models import BodyKind, BodyMember, BodySession, GovernanceBody
from tests.synthesis.governance_factories import BASE, make_session


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_coordinator_sets_up_the_copil_with_its_members_and_a_session(client, territory, as_coordinator):
    response = client.post(f"{BASE}/bodies", data={"body-kind": "copil", "body-name": "COPIL du CLS",
                                                   "body-description": "Valide les fiches actions."})
    assert response.status_code == 302
    body = db.session.scalar(select(GovernanceBody))
    assert (body.kind, body.name, body.contract_id) == (BodyKind.COPIL, "COPIL du CLS", territory.current_contract.id)
    for organisation, who in [("ARS Occitanie", "Mme Durand"), ("CPAM de Tarn-et-Garonne", ""),
                              ("Conseil départemental", "M. Roques, vice-président")]:
        assert client.post(f"{BASE}/bodies/{body.id}/members",
                           data={"member-organisation": organisation, "member-representative": who}).status_code == 302
    response = client.post(f"{BASE}/bodies/{body.id}/sessions",
                           data={"session-held_on": "2026-03-14", "session-title": "COPIL annuel 2026",
                                 "session-place": "Castelsarrasin", "session-minutes": "Ordre du jour : **bilan**."})
    assert response.status_code == 302
    session = db.session.scalar(select(BodySession))
    assert response.headers["Location"].endswith(f"/sessions/{session.id}")
    assert (session.held_on, session.place) == (dt.date(2026, 3, 14), "Castelsarrasin")
    page = client.get(f"{BASE}/bodies/{body.id}").get_data(as_text=True)
    assert "CPAM de Tarn-et-Garonne" in page and "M. Roques, vice-président" in page and "COPIL annuel 2026" in page
    assert [m.position for m in db.session.scalars(select(BodyMember).order_by(BodyMember.id))] == [0, 1, 2]
    index = client.get(f"{BASE}/").get_data(as_text=True)
    assert "COPIL du CLS" in index and "3 member organisations" in index


def test_members_are_edited_and_removed(client, territory, as_coordinator):
    session = make_session(territory)
    member = session.body.members[0]
    response = client.post(f"{BASE}/members/{member.id}/edit",
                           data={f"member-{member.id}-organisation": "ARS Occitanie — DD 82",
                                 f"member-{member.id}-representative": "M. Nadal"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (member.organisation, member.representative) == ("ARS Occitanie — DD 82", "M. Nadal")
    member_id = member.id
    assert client.post(f"{BASE}/members/{member_id}/remove").status_code == 302
    assert count(BodyMember) == 0
    again = client.post(f"{BASE}/members/{member_id}/remove")  # a double click
    assert again.status_code == 302 and count(BodyMember) == 0


def test_the_same_body_member_or_session_twice_is_one(client, territory, as_coordinator):
    data = {"body-kind": "follow_up", "body-name": "Comité de suivi"}
    assert client.post(f"{BASE}/bodies", data=data).status_code == 302
    twice = client.post(f"{BASE}/bodies", data={**data, "body-name": " comité  de suivi "})
    assert twice.status_code == 422 and "already has a body named" in twice.get_data(as_text=True)
    body = db.session.scalar(select(GovernanceBody))
    for _ in range(2):
        client.post(f"{BASE}/bodies/{body.id}/members", data={"member-organisation": "MSA Midi-Pyrénées Nord"})
        client.post(f"{BASE}/bodies/{body.id}/sessions", data={"session-held_on": "2026-06-02",
                                                              "session-title": "Plénière"})
    assert (count(GovernanceBody), count(BodyMember), count(BodySession)) == (1, 1, 1)


def test_bad_input_is_shown_next_to_the_field_with_what_was_typed(client, territory, as_coordinator):
    response = client.post(f"{BASE}/bodies", data={"body-kind": "senate", "body-name": "x" * 201})
    assert response.status_code == 422 and count(GovernanceBody) == 0
    assert 'id="body-kind-error"' in response.get_data(as_text=True)
    session = make_session(territory)
    response = client.post(f"{BASE}/bodies/{session.body.id}/sessions",
                           data={"session-held_on": "14 mars", "session-title": "Plénière d'automne"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="session-held_on-error"' in page
    assert 'value="14 mars"' in page and "Plénière d&#39;automne" in page
    response = client.post(f"{BASE}/sessions/{session.id}/edit", data={"session-held_on": "2026-02-30"})
    assert response.status_code == 422
    db.session.expire_all()
    assert session.held_on == dt.date(2026, 3, 14)


def test_a_session_is_edited(client, territory, as_coordinator):
    session = make_session(territory)
    response = client.post(f"{BASE}/sessions/{session.id}/edit",
                           data={"session-held_on": "2026-03-21", "session-title": "COPIL reporté",
                                 "session-place": "Moissac", "session-minutes": "Compte rendu validé."})
    assert response.status_code == 302
    db.session.expire_all()
    assert (session.held_on, session.title, session.minutes) == (dt.date(2026, 3, 21), "COPIL reporté",
                                                                 "Compte rendu validé.")
