"""Signing up to a working group: seats, waitlist positions, promotion, approval, withdrawal."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.errors import PermissionDenied
from consult.extensions import db
from consult.groups.services import signups
from consult.groups.models import GroupStatus, Signup, WorkingGroup
from tests.conftest import NOW

SLUG = "terres-des-confluences"


def join(client, group, **fields):
    data = {"motivation": "J'accompagne ma mère à ses rendez-vous à Moissac.", "evening": "y"}
    data.update(fields)
    return client.post(f"/t/{SLUG}/groups/{group.id}/join", data=data)


def statuses(group) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.execute(select(Signup).where(Signup.group_id == group.id)).scalars()
    return {signup.user.display_name.split()[0]: signup.status.value for signup in rows}


def seats_taken(group) -> int:
    db.session.expire_all()
    return db.session.get(WorkingGroup, group.id).member_count


def page(client, group) -> str:
    return client.get(f"/t/{SLUG}/groups/{group.id}").get_data(as_text=True)


def test_sign_up_to_an_open_group_gives_a_seat_and_a_confirmation(group, person, client_for, outbox):
    lea = person("Léa")
    client = client_for(lea)
    response = join(client, group)
    assert response.status_code == 302
    assert statuses(group) == {"Léa": "member"}
    assert seats_taken(group) == 1
    signup = db.session.scalar(select(Signup))
    assert signup.evening and not signup.morning
    assert signup.commune.name == "Saint-Nicolas-de-la-Grave"  # the profile, snapshotted
    assert [mail.to for mail in outbox] == [lea.email]
    assert "Accès aux soins" in outbox[0].subject
    assert "Vous êtes membre de ce groupe" in page(client, group)


def test_sign_up_form_shows_the_profile_it_uses(group, person, client_for):
    client = client_for(person("Léa"))
    html = client.get(f"/t/{SLUG}/groups/{group.id}/join").get_data(as_text=True)
    assert "Saint-Nicolas-de-la-Grave" in html and "Habitant" in html
    assert 'for="motivation"' in html and 'for="shown_to_members"' in html


def test_anonymous_visitor_is_sent_to_log_in_before_signing_up(group, client):
    response = client.get(f"/t/{SLUG}/groups/{group.id}/join")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert statuses(group) == {}


def test_full_group_puts_people_on_a_waitlist_with_their_position(group, person, client_for):
    for name in ("Ana", "Bruno", "Chloé"):
        join(client_for(person(name)), group)
    david, emma = client_for(person("David")), client_for(person("Emma"))
    join(david, group)
    join(emma, group)
    assert seats_taken(group) == 3
    assert statuses(group)["David"] == "waitlisted" and statuses(group)["Emma"] == "waitlisted"
    assert "numéro 1 sur la liste d’attente" in page(david, group).replace("'", "’")
    assert "numéro 2 sur la liste d’attente" in page(emma, group).replace("'", "’")


def test_withdrawal_promotes_the_first_person_waiting_and_emails_them(group, person, client_for, outbox):
    ana = client_for(person("Ana"))
    join(ana, group)
    for name in ("Bruno", "Chloé", "David", "Emma"):
        join(client_for(person(name)), group)
    outbox.clear()
    response = ana.post(f"/t/{SLUG}/groups/{group.id}/withdraw")
    assert response.status_code == 302
    assert statuses(group) == {"Ana": "withdrawn", "Bruno": "member", "Chloé": "member", "David": "member",
                               "Emma": "waitlisted"}
    assert seats_taken(group) == 3
    subjects = {mail.to.split("@")[0]: mail.subject for mail in outbox}
    assert len(outbox) == 2  # Ana's acknowledgement and David's promotion
    assert any("Une place" in subject for subject in subjects.values())


def test_promoted_person_sees_the_waitlist_move_up(group, person, client_for):
    ana = client_for(person("Ana"))
    join(ana, group)
    join(client_for(person("Bruno")), group)
    join(client_for(person("Chloé")), group)
    david, emma = client_for(person("David")), client_for(person("Emma"))
    join(david, group)
    join(emma, group)
    ana.post(f"/t/{SLUG}/groups/{group.id}/withdraw")
    assert "Vous êtes membre de ce groupe" in page(david, group)
    assert "numéro 1 sur la liste" in page(emma, group)


def test_double_submission_signs_up_once(group, person, client_for):
    client = client_for(person("Léa"))
    join(client, group)
    second = join(client, group)
    assert second.status_code == 302  # back to the group page, which says where they stand
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 1
    assert seats_taken(group) == 1


def test_person_who_left_can_sign_up_again_and_queues_from_now(group, person, client_for):
    client = client_for(person("Léa"))
    join(client, group)
    client.post(f"/t/{SLUG}/groups/{group.id}/withdraw")
    join(client, group)
    assert statuses(group) == {"Léa": "member"}
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 1
    assert seats_taken(group) == 1


def test_sign_up_refused_when_the_group_no_longer_recruits(group, person, client_for):
    group.status = GroupStatus.ACTIVE
    db.session.commit()
    client = client_for(person("Léa"))
    response = join(client, group)
    assert response.status_code == 200
    assert "ne prend pas d’inscription" in response.get_data(as_text=True).replace("'", "’")
    assert statuses(group) == {}


def test_sign_up_refused_after_the_window_closes_keeps_the_text(make_group, person, client_for):
    group = make_group(signup_closes_at=NOW.replace(year=2025))
    client = client_for(person("Léa"))
    html = join(client, group, motivation="Je suis aidante à Castelsarrasin").get_data(as_text=True)
    assert statuses(group) == {}
    assert "ne prend pas d’inscription" in html.replace("'", "’")


def test_unconfirmed_account_cannot_sign_up(group, make_user):
    unconfirmed = make_user(confirmed=False)
    with pytest.raises(PermissionDenied):
        signups.sign_up(unconfirmed, group, signups.SignupData(), now=NOW)
    db.session.rollback()
    assert statuses(group) == {}
    assert seats_taken(group) == 0


def test_waitlisted_person_can_leave_the_waitlist(group, person, client_for):
    for name in ("Ana", "Bruno", "Chloé"):
        join(client_for(person(name)), group)
    david = client_for(person("David"))
    join(david, group)
    david.post(f"/t/{SLUG}/groups/{group.id}/withdraw")
    assert statuses(group)["David"] == "withdrawn"
    assert seats_taken(group) == 3


def test_group_listing_shows_places_left_and_the_mix(group, person, client_for, client):
    join(client_for(person("Léa")), group)
    html = client.get(f"/t/{SLUG}/groups/").get_data(as_text=True)
    assert group.title in html
    assert re.search(r"2\s+places restantes sur 3", html)
    assert "Habitant 1" in html or "Habitant·e 1" in html or re.search(r"Habitant\S* 1", html)


def test_territory_home_invites_to_recruiting_groups_only(make_group, client):
    recruiting = make_group(title="Santé des jeunes de Moissac")
    make_group(title="Groupe déjà au travail", status=GroupStatus.ACTIVE)
    html = client.get(f"/t/{SLUG}/").get_data(as_text=True)
    assert f'href="/t/{SLUG}/groups/{recruiting.id}"' in html
    assert "Groupe déjà au travail" not in html
