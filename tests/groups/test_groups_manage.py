"""Coordinators open groups, answer requests, remove members, change capacity; members see a consented roster."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from consult.accounts.models import Category
from consult.extensions import db
from consult.groups.models import GroupTarget, JoinMode, Signup, WorkingGroup
from tests.conftest import NOW
from tests.groups.test_signups import SLUG, join, page, seats_taken, statuses

M = f"/t/{SLUG}/manage/groups"


def group_form(territory, **changes) -> dict:
    axis = territory.current_contract.axes[0]
    data = {"title": "Santé des aidants de L'Isle-Jourdain", "axis_id": str(axis.id),
            "objective_ids": [str(axis.objectives[0].id)], "mission": "Rédiger **deux** fiches actions.",
            "audience": "Aidants familiaux, associations, CCAS.", "facilitators": "Dr Anne Roques",
            "capacity": "12", "join_mode": "approval", "status": "recruiting", "signup_opens_at": "",
            "signup_closes_at": "2027-01-15T18:00", "target_resident": "3", "target_elected": "2"}
    data.update(changes)
    return data


def test_coordinator_creates_a_group_with_a_target_composition(territory, coordinator, client_for):
    client = client_for(coordinator)
    response = client.post(f"{M}/new", data=group_form(territory))
    assert response.status_code == 302
    group = db.session.scalar(select(WorkingGroup))
    assert group.title == "Santé des aidants de L'Isle-Jourdain"
    assert group.join_mode == JoinMode.APPROVAL and group.capacity == 12
    assert [o.title for o in group.objectives] == ["Accueillir les nouveaux praticiens de santé"]
    assert {(t.category, t.minimum) for t in group.targets} == {(Category.RESIDENT, 3), (Category.ELECTED, 2)}
    # 18:00 in Paris on 15 January is 17:00 UTC.
    assert group.signup_closes_at.isoformat() == "2027-01-15T17:00:00"
    html = client.get(f"/t/{SLUG}/groups/{group.id}").get_data(as_text=True)
    assert "au moins 3" in html and "3 manquants" in html


def test_group_form_refuses_an_objective_of_another_axis_and_keeps_the_input(territory, coordinator, client_for):
    other_objective = territory.current_contract.axes[0].objectives[1]
    second_axis = territory.current_contract.axes[1]
    client = client_for(coordinator)
    response = client.post(f"{M}/new", data=group_form(territory, axis_id=str(second_axis.id),
                                                         objective_ids=[str(other_objective.id)]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choisissez des objectifs de l’axe du groupe." in html
    assert "Santé des aidants de L&#39;Isle-Jourdain" in html
    assert db.session.scalar(select(func.count()).select_from(WorkingGroup)) == 0


def test_capacity_cannot_go_below_the_members(group, coordinator, person, client_for, territory):
    for name in ("Ana", "Bruno"):
        join(client_for(person(name)), group)
    client = client_for(coordinator)
    response = client.post(f"{M}/{group.id}/edit", data=group_form(territory, capacity="1", join_mode="open",
                                                                     target_resident="", target_elected=""))
    assert "déjà 2 membres" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(WorkingGroup, group.id).capacity == 3


def test_more_seats_promote_the_waitlist_at_once(group, coordinator, person, client_for, territory, outbox):
    for name in ("Ana", "Bruno", "Chloé", "David", "Emma"):
        join(client_for(person(name)), group)
    outbox.clear()
    client = client_for(coordinator)
    response = client.post(f"{M}/{group.id}/edit", data=group_form(
        territory, capacity="4", join_mode="open", target_resident="", target_elected=""))
    assert response.status_code == 302
    assert statuses(group)["David"] == "member" and statuses(group)["Emma"] == "waitlisted"
    assert seats_taken(group) == 4
    assert len(outbox) == 1 and "Une place vous revient" in outbox[0].subject


def test_approval_flow_accept_with_a_message(approval_group, coordinator, person, client_for, outbox):
    lea = person("Léa")
    join(client_for(lea), approval_group)
    assert statuses(approval_group) == {"Léa": "pending"}
    # Léa is told her request is received; the coordinator that it waits for an answer.
    assert sorted(mail.to for mail in outbox) == sorted([lea.email, coordinator.email])
    assert "Léa Dupré-L'Hermite" in next(mail.body for mail in outbox if mail.to == coordinator.email)
    assert seats_taken(approval_group) == 0
    signup = db.session.scalar(select(Signup))
    client = client_for(coordinator)
    assert "J&#39;accompagne ma mère" in client.get(f"{M}/{approval_group.id}/members").get_data(as_text=True)
    outbox.clear()
    response = client.post(f"{M}/signups/{signup.id}/accept", data={"message": "Bienvenue ! Première réunion le 3."})
    assert response.status_code == 302
    assert statuses(approval_group) == {"Léa": "member"}
    assert seats_taken(approval_group) == 1
    assert outbox[0].to == lea.email and "Bienvenue ! Première réunion le 3." in outbox[0].body


def test_approval_flow_decline_tells_the_reason_and_blocks_a_new_request(approval_group, coordinator, person,
                                                                         client_for, outbox):
    lea = person("Léa")
    lea_client = client_for(lea)
    join(lea_client, approval_group)
    signup = db.session.scalar(select(Signup))
    outbox.clear()
    client_for(coordinator).post(f"{M}/signups/{signup.id}/decline",
                                 data={"message": "Le groupe réunit des professionnels de Moissac."})
    assert statuses(approval_group) == {"Léa": "declined"}
    assert "professionnels de Moissac" in outbox[0].body
    assert "professionnels de Moissac" in page(lea_client, approval_group)
    join(lea_client, approval_group)
    assert statuses(approval_group) == {"Léa": "declined"}


def test_answering_a_request_twice_changes_nothing(approval_group, coordinator, person, client_for, outbox):
    join(client_for(person("Léa")), approval_group)
    signup = db.session.scalar(select(Signup))
    client = client_for(coordinator)
    client.post(f"{M}/signups/{signup.id}/accept", data={"message": ""})
    outbox.clear()
    client.post(f"{M}/signups/{signup.id}/accept", data={"message": ""})
    assert seats_taken(approval_group) == 1 and outbox == []


def test_accepted_request_joins_the_waitlist_when_the_group_filled_up(make_group, coordinator, person, client_for):
    group = make_group(join_mode=JoinMode.APPROVAL, capacity=1)
    join(client_for(person("Ana")), group)
    join(client_for(person("Bruno")), group)
    ana, bruno = db.session.scalars(select(Signup).order_by(Signup.id)).all()
    client = client_for(coordinator)
    client.post(f"{M}/signups/{ana.id}/accept", data={"message": ""})
    client.post(f"{M}/signups/{bruno.id}/accept", data={"message": ""})
    assert statuses(group) == {"Ana": "member", "Bruno": "waitlisted"}


def test_removing_a_member_promotes_the_waitlist(group, coordinator, person, client_for, outbox):
    for name in ("Ana", "Bruno", "Chloé", "David"):
        join(client_for(person(name)), group)
    ana = db.session.scalar(select(Signup).order_by(Signup.id))
    outbox.clear()
    client_for(coordinator).post(f"{M}/signups/{ana.id}/remove", data={"message": "Absences répétées."})
    assert statuses(group) == {"Ana": "removed", "Bruno": "member", "Chloé": "member", "David": "member"}
    assert sorted(mail.subject.split(" «")[0] for mail in outbox) == ["Une place vous revient dans",
                                                                      "Vous n’êtes plus membre de"]


def test_members_see_only_consenting_members_first_names(group, person, client_for, coordinator):
    ana = client_for(person("Ana", structure="CCAS de Moissac"))
    join(ana, group, shown_to_members="y")
    join(client_for(person("Bruno")), group)
    chloe = person("Chloé")
    outsider = client_for(chloe)
    html = page(ana, group)
    assert "<strong>Ana</strong>" in html and "Dupré-L" not in html.split('id="roster-title"')[1].split("</section>")[0]
    assert "Bruno" not in html
    assert "1 membre préfère ne pas apparaître." in html
    assert "Ana" not in page(outsider, group)  # not a member: no roster
    staff = client_for(coordinator).get(f"{M}/{group.id}/members").get_data(as_text=True)
    assert "Bruno Dupré-L&#39;Hermite" in staff and re.search(r"mailto:personne\d+@example.org", staff)


def test_group_form_targets_need_no_more_seats_than_capacity(territory, coordinator, client_for):
    response = client_for(coordinator).post(f"{M}/new", data=group_form(territory, capacity="4",
                                                                          target_resident="3", target_elected="2"))
    assert "plus de places" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(GroupTarget)) == 0


def test_members_page_shows_the_groups_participation(group, coordinator, person, client_for, territory):
    from tests.groups.factories import add_attendance, make_meeting

    lea = person("Léa")
    join(client_for(lea), group)
    db.session.scalars(select(Signup)).one().member_since = NOW.replace(year=2025, month=1)  # a member since January
    meeting = make_meeting(territory, group, starts_at=NOW.replace(year=2025))
    add_attendance(meeting, lea)
    add_attendance(meeting, name="Josiane Pujol", category=Category.ELECTED)
    html = client_for(coordinator).get(f"{M}/{group.id}/members").get_data(as_text=True)
    section = html.split('id="participation-title"')[1].split("</section>")[0]
    assert "1 habitant et 1 élu ont participé" in section
    assert "100 % des personnes attendues sont venues (1 sur 1)" in section.replace("\u202f", " ").replace("\xa0", " ")
