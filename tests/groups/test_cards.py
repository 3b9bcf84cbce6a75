"""Group cards never contradict themselves (a full group is not also "sign-ups open"), and a request waiting
for the coordinators' answer has one message box, labelled, with its error next to it."""
from __future__ import annotations

import re

from consult.extensions import db
from consult.groups.models import JoinMode, Signup, SignupStatus
from tests.groups.factories import add_member

SLUG = "terres-des-confluences"


def card(page: str, title: str) -> str:
    start = page.index(title)
    return page[page.rindex("<li", 0, start):page.index("</li>", start)]


def test_a_full_recruiting_group_says_waitlist_open_and_never_open_and_full(client, make_group, person):
    full = make_group(title="Santé mentale des jeunes", capacity=1)
    add_member(full, person("Léa"))
    make_group(title="Accès aux soins à Saint-Nicolas-de-la-Grave", capacity=12)

    listing = client.get(f"/t/{SLUG}/groups/").get_data(as_text=True)
    detail = client.get(f"/t/{SLUG}/groups/{full.id}").get_data(as_text=True)
    home = client.get(f"/t/{SLUG}/").get_data(as_text=True)

    full_card = card(listing, "Santé mentale des jeunes")
    assert "Liste d’attente ouverte" in full_card and "La place est prise" in full_card
    assert "Inscriptions ouvertes" not in full_card and "Complet" not in full_card
    open_card = card(listing, "Accès aux soins à Saint-Nicolas-de-la-Grave")
    assert "Inscriptions ouvertes" in open_card and "12 places restantes sur 12" in open_card
    assert "Inscriptions ouvertes" not in detail and "Liste d’attente ouverte" in detail and "Complet" not in detail
    assert "liste d’attente ouverte" in card(home, "Santé mentale des jeunes")


def test_a_request_has_one_message_box_with_its_error_next_to_it(client, login, coordinator, make_group, person):
    group = make_group(title="Santé mentale des jeunes", join_mode=JoinMode.APPROVAL)
    request = add_member(group, person("Léa"), status=SignupStatus.PENDING, decided_at=None)
    login(coordinator)
    members = f"/t/{SLUG}/manage/groups/{group.id}/members"

    page = client.get(members).get_data(as_text=True)
    pending = page[page.index('id="pending-title"'):page.index('id="members-title"')]
    refused = client.post(f"/t/{SLUG}/manage/groups/signups/{request.id}/accept", data={"message": "Bienvenue ! " * 200})

    assert pending.count("<textarea") == 1 and pending.count("<form") == 1
    assert f'<label class="label" for="message-{request.id}">Message à Léa Dupré-L&#39;Hermite (facultatif)</label>' \
        in pending
    assert f'formaction="/t/{SLUG}/manage/groups/signups/{request.id}/decline"' in pending  # "Decline" in the same form
    again = refused.get_data(as_text=True)
    assert refused.status_code == 422
    box = re.search(rf'<textarea[^>]*id="message-{request.id}"[^>]*>([^<]*)</textarea>', again)
    assert 'aria-invalid="true"' in box.group(0) and f"message-{request.id}-error" in box.group(0)
    assert box.group(1).startswith("Bienvenue ! Bienvenue !")  # what was typed is kept
    assert re.search(rf'id="message-{request.id}-error">.*Le message est trop long', again)
    db.session.expire_all()
    assert db.session.get(Signup, request.id).status is SignupStatus.PENDING
