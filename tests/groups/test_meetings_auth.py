"""Who may open each meeting route: anonymous, participant, observer, coordinator of another territory,
coordinator, admin. Refusals change nothing stored; another territory's ids give 404."""
from __future__ import annotations


import pytest

from consult.accounts.models import Category
from consult.extensions import db
from consult.groups.models import Idea, Meeting
from tests.conftest import NOW
from tests.groups.factories import add_attendance, make_meeting, register
from tests.conftest import ROLES
from tests.groups.meeting_factories import MANAGERS, SLUG, form_fields, goes_to_login, soon, stored_state




@pytest.fixture
def meetings(territory, make_user):
    """A past workshop with minutes, a registration, an attendance line and an idea; an upcoming forum."""
    past = make_meeting(territory, title="Atelier santé mentale", starts_at=soon(-2), capacity=30,
                        minutes="Relevé de l'atelier.")
    person = make_user(display_name="Inscrite de Moissac")
    register(past, person)
    line = add_attendance(past, name="Josette Marty", category=Category.RESIDENT)
    idea = Idea(meeting=past, axis=territory.current_contract.axes[0], text="Un annuaire des praticiens",
                created_at=NOW, updated_at=NOW)
    db.session.add(idea)
    db.session.commit()
    upcoming = make_meeting(territory, title="Forum Santé 2030", starts_at=soon(30), capacity=100)
    return {"past": past.id, "upcoming": upcoming.id, "line": line.id, "idea": idea.id, "person": person.id}


def state(ids) -> tuple:
    return stored_state(ids["past"]), stored_state(ids["upcoming"])


MANAGE = "/t/{slug}/manage/meetings"
# (method, path, form data, status for coordinators and admins)
MANAGE_ROUTES = [
    ("GET", MANAGE + "/", None, 200),
    ("GET", MANAGE + "/new", None, 200),
    ("POST", MANAGE + "/new", form_fields(), 302),
    ("GET", MANAGE + "/{upcoming}/edit", None, 200),
    ("POST", MANAGE + "/{upcoming}/edit", form_fields(title="Forum Santé 2031"), 302),
    ("GET", MANAGE + "/{upcoming}/cancel", None, 200),
    ("POST", MANAGE + "/{upcoming}/cancel", {}, 302),
    ("GET", MANAGE + "/{past}/attendance", None, 200),
    ("POST", MANAGE + "/{past}/attendance", {"present": "{person}"}, 302),
    ("POST", MANAGE + "/{past}/attendance/guests", {"guest-name": "Paul Cazals"}, 302),
    ("POST", MANAGE + "/{past}/attendance/{line}/remove", {}, 302),
    ("GET", MANAGE + "/{past}/minutes", None, 200),
    ("POST", MANAGE + "/{past}/minutes", {"minutes-minutes": "Nouveau relevé"}, 302),
    ("POST", MANAGE + "/{past}/minutes/publish", {}, 302),
    ("POST", MANAGE + "/{past}/minutes/unpublish", {}, 302),
    ("POST", MANAGE + "/{past}/ideas", {"idea-text": "Une navette", "idea-axis_id": "1"}, 302),
    ("POST", MANAGE + "/{past}/ideas/{idea}/delete", {}, 302),
    ("GET", MANAGE + "/ideas", None, 200),
    ("GET", MANAGE + "/participation", None, 200),
]


def call(client, method: str, path: str, data, ids: dict | None = None):
    if data and ids:
        data = {key: value.format(**ids) for key, value in data.items()}
    return client.get(path) if method == "GET" else client.post(path, data=data)


def prepare(path: str, ids: dict) -> None:
    """Put the past meeting in the state the route changes: unpublishing needs published minutes."""
    if path.endswith("/unpublish"):
        meeting = db.session.get(Meeting, ids["past"])
        meeting.minutes_published_at = NOW
        db.session.commit()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "data", "allowed_status"), MANAGE_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in MANAGE_ROUTES])
def test_manage_routes(meetings, as_role, role, method, path, data, allowed_status):
    client = as_role(role)
    prepare(path, meetings)
    before = state(meetings)

    response = call(client, method, path.format(slug=SLUG, **meetings), data, meetings)

    if role == "anonymous":
        assert goes_to_login(response)
    else:
        assert response.status_code == (allowed_status if role in MANAGERS else 403)
    if role not in MANAGERS or method == "GET":
        assert state(meetings) == before
    else:
        assert state(meetings) != before


ID_ROUTES = [(m, p, d) for m, p, d, _ in MANAGE_ROUTES if "{" in p.replace("{slug}", "")]


@pytest.mark.parametrize(("method", "path", "data"), ID_ROUTES, ids=[f"{m} {p}" for m, p, _ in ID_ROUTES])
def test_other_territorys_ids_are_not_found(meetings, other_territory, as_role, method, path, data):
    foreign = make_meeting(other_territory, starts_at=soon(-2))
    foreign_line = add_attendance(foreign, name="Personne d'ailleurs")
    foreign_idea = Idea(meeting=foreign, axis=other_territory.current_contract.axes[0], text="Ailleurs")
    db.session.add(foreign_idea)
    db.session.commit()
    ids = {"past": foreign.id, "upcoming": foreign.id, "line": foreign_line.id, "idea": foreign_idea.id,
           "person": meetings["person"]}
    before = state(meetings), stored_state(foreign.id)

    response = call(as_role("coordinator"), method, path.format(slug=SLUG, **ids), data, ids)

    assert response.status_code == 404
    assert (state(meetings), stored_state(foreign.id)) == before


@pytest.mark.parametrize("path", ["/{past}/attendance/{line}/remove", "/{past}/ideas/{idea}/delete"])
def test_lines_of_another_meeting_are_not_found(meetings, as_role, path):
    before = state(meetings)
    ids = dict(meetings, past=meetings["upcoming"])

    response = as_role("coordinator").post((MANAGE + path).format(slug=SLUG, **ids))

    assert response.status_code == 404
    assert state(meetings) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/t/{slug}/agenda", "/t/{slug}/meetings/{past}", "/t/{slug}/meetings/{upcoming}"])
def test_public_pages_are_open_to_all(meetings, as_role, role, path):
    response = as_role(role).get(path.format(slug=SLUG, **meetings))

    assert response.status_code == 200
    assert ("Relevé de l" in response.get_data(as_text=True)) is False  # minutes not published


@pytest.mark.parametrize("role", ROLES)
def test_registering(meetings, as_role, role):
    before = state(meetings)

    response = as_role(role).post(f"/t/{SLUG}/meetings/{meetings['upcoming']}/register")

    if role == "anonymous":
        assert goes_to_login(response)
        assert state(meetings) == before
    else:
        assert response.status_code == 302
        assert stored_state(meetings["upcoming"])[6] == before[1][6] + 1


@pytest.mark.parametrize("role", ROLES)
def test_unregistering_someone_not_registered(meetings, as_role, role):
    before = state(meetings)

    response = as_role(role).post(f"/t/{SLUG}/meetings/{meetings['upcoming']}/unregister")

    assert goes_to_login(response) if role == "anonymous" else response.status_code == 409
    assert state(meetings) == before


@pytest.mark.parametrize("path", ["/meetings/{id}", "/meetings/{id}/register", "/meetings/{id}/unregister"])
def test_public_routes_of_another_territorys_meeting_are_not_found(meetings, other_territory, as_role, path):
    foreign = make_meeting(other_territory, starts_at=soon())
    before = stored_state(foreign.id)
    client = as_role("participant")

    url = f"/t/{SLUG}" + path.format(id=foreign.id)
    response = client.get(url) if path == "/meetings/{id}" else client.post(url)

    assert response.status_code == 404
    assert stored_state(foreign.id) == before
