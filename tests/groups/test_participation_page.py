"""The "my participation" page: groups with waitlist positions, coming meetings, meetings attended."""
from __future__ import annotations

import datetime as dt

from consult.core.models import utcnow
from tests.groups.factories import add_attendance, make_meeting, register
from tests.groups.test_signups import join


def test_participation_page_lists_groups_waitlist_position_and_meetings(make_group, person, client_for, territory):
    full = make_group(title="Santé mentale des jeunes", capacity=1)
    join(client_for(person("Ana")), full)
    open_group = make_group(title="Accès aux soins à Moissac")
    lea = person("Léa")
    client = client_for(lea)
    join(client, full)
    join(client, open_group)
    soon = utcnow() + dt.timedelta(days=3)
    make_meeting(territory, open_group, title="Deuxième réunion du groupe", starts_at=soon)
    make_meeting(territory, full, title="Réunion d'un groupe où Léa attend", starts_at=soon)
    forum = make_meeting(territory, title="Forum Santé des Confluences", starts_at=soon + dt.timedelta(days=1))
    register(forum, lea)
    past = make_meeting(territory, open_group, title="Réunion de lancement", starts_at=utcnow() - dt.timedelta(days=20))
    add_attendance(past, lea)

    html = client.get("/account/participation").get_data(as_text=True)
    assert "Accès aux soins à Moissac" in html and "Santé mentale des jeunes" in html
    assert "numéro 1" in html  # Léa waits behind nobody for the full group
    assert "Deuxième réunion du groupe" in html and "Forum Santé des Confluences" in html
    assert "Réunion d&#39;un groupe où Léa attend" not in html  # not a member yet: not expected there
    assert "Réunion de lancement" in html.split('id="attended-title"')[1]
    assert "id=\"calendar-feed-title\"" in html


def test_participation_page_needs_a_login(client):
    response = client.get("/account/participation")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
