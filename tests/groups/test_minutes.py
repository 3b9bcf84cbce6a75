"""Minutes (Markdown, sanitised, published on demand) and ideas tied to the axes of the current contract."""
from __future__ import annotations

import datetime as dt

import pytest

from consult.accounts.models import Role
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.groups.services import minutes
from consult.groups.models import Idea, Meeting
from tests.conftest import NOW
from tests.groups.factories import make_meeting
from tests.groups.meeting_factories import SLUG, count, fresh, soon

STARTED = NOW - dt.timedelta(hours=3)


def axes_of(territory):
    return territory.current_contract.active_axes


def test_minutes_are_saved_unpublished(coordinator, territory):
    meeting = make_meeting(territory, starts_at=STARTED)

    minutes.save_minutes(coordinator, meeting, "## Relevé de décisions\n\n- Créer un annuaire", now=NOW)

    assert meeting.minutes.startswith("## Relevé") and meeting.minutes_published_at is None


def test_minutes_wait_for_the_meeting(coordinator, territory):
    meeting = make_meeting(territory, starts_at=NOW + dt.timedelta(days=1))

    with pytest.raises(Conflict):
        minutes.save_minutes(coordinator, meeting, "Trop tôt", now=NOW)
    assert meeting.minutes == ""


def test_ideas_wait_for_the_meeting(coordinator, territory):
    meeting = make_meeting(territory, starts_at=NOW + dt.timedelta(days=1))

    with pytest.raises(Conflict):
        minutes.add_idea(coordinator, meeting, minutes.IdeaData(
            text="Trop tôt", axis_id=axes_of(territory)[0].id), now=NOW)
    assert count(Idea) == 0


def test_empty_minutes_cannot_be_published(coordinator, territory):
    meeting = make_meeting(territory, starts_at=STARTED)

    with pytest.raises(Conflict):
        minutes.publish_minutes(coordinator, meeting, now=NOW)
    assert meeting.minutes_published_at is None


def test_idea_tied_to_an_axis_and_its_objective(coordinator, territory):
    meeting = make_meeting(territory, starts_at=STARTED)
    axis = axes_of(territory)[0]

    idea = minutes.add_idea(coordinator, meeting, minutes.IdeaData(
        text="Un guichet unique pour les nouveaux médecins", axis_id=axis.id,
        objective_id=axis.objectives[0].id), now=NOW)

    assert (idea.axis_id, idea.objective_id, idea.meeting_id) == (axis.id, axis.objectives[0].id, meeting.id)


def test_idea_refused_with_another_territorys_axis(coordinator, territory, other_territory):
    meeting = make_meeting(territory, starts_at=STARTED)

    with pytest.raises(InvalidInput) as refused:
        minutes.add_idea(coordinator, meeting, minutes.IdeaData(
            text="Une idée venue d'ailleurs", axis_id=axes_of(other_territory)[0].id), now=NOW)

    assert refused.value.field == "axis_id"
    assert count(Idea) == 0


def test_idea_refused_with_an_objective_of_another_axis(coordinator, territory):
    meeting = make_meeting(territory, starts_at=STARTED)
    first, second = axes_of(territory)

    with pytest.raises(InvalidInput) as refused:
        minutes.add_idea(coordinator, meeting, minutes.IdeaData(
            text="Former les élus", axis_id=second.id, objective_id=first.objectives[1].id), now=NOW)

    assert refused.value.field == "objective_id"
    assert count(Idea) == 0


def test_idea_needs_an_axis(coordinator, territory):
    meeting = make_meeting(territory, starts_at=STARTED)

    with pytest.raises(InvalidInput):
        minutes.add_idea(coordinator, meeting, minutes.IdeaData(text="Sans axe", axis_id=None), now=NOW)
    assert count(Idea) == 0


def test_ideas_by_axis_lists_every_axis(coordinator, territory):
    first, second = axes_of(territory)
    early = make_meeting(territory, starts_at=NOW - dt.timedelta(days=20), title="Atelier de janvier")
    late = make_meeting(territory, starts_at=STARTED, title="Atelier de mars")
    minutes.add_idea(coordinator, late, minutes.IdeaData(text="Navette vers la MSP", axis_id=first.id), now=NOW)
    minutes.add_idea(coordinator, early, minutes.IdeaData(text="Annuaire des praticiens", axis_id=first.id), now=NOW)

    grouped = minutes.ideas_by_axis(territory)

    assert [(axis.id, [i.text for i in ideas]) for axis, ideas in grouped] == [
        (first.id, ["Annuaire des praticiens", "Navette vers la MSP"]), (second.id, [])]


def test_script_in_published_minutes_is_not_rendered(client, territory):
    meeting = make_meeting(territory, starts_at=soon(-2), minutes_published_at=NOW,
                           minutes="**Décision** : ouvrir un atelier.\n\n<script>alert('x')</script>")

    page = client.get(f"/t/{SLUG}/meetings/{meeting.id}").get_data(as_text=True)

    assert "<strong>Décision</strong>" in page
    assert "<script>alert" not in page


def test_unpublished_minutes_are_not_shown(client, territory):
    meeting = make_meeting(territory, starts_at=soon(-2), minutes="Relevé confidentiel de la séance")

    page = client.get(f"/t/{SLUG}/meetings/{meeting.id}").get_data(as_text=True)

    assert "Relevé confidentiel" not in page


def test_coordinator_writes_and_publishes_from_the_page(client, login, coordinator, territory):
    meeting = make_meeting(territory, starts_at=soon(-1))
    login(coordinator)

    client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/minutes",
                data={"minutes-minutes": "Nous avons retenu **trois** pistes."})
    client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/minutes/publish")
    page = client.get(f"/t/{SLUG}/meetings/{meeting.id}").get_data(as_text=True)

    assert "Nous avons retenu <strong>trois</strong> pistes." in page
    assert fresh(Meeting, meeting.id).minutes_published_at is not None


def test_idea_form_keeps_input_and_shows_the_error(client, login, coordinator, territory, other_territory):
    meeting = make_meeting(territory, starts_at=soon(-1))
    login(coordinator)

    response = client.post(f"/t/{SLUG}/manage/meetings/{meeting.id}/ideas", data={
        "idea-text": "Une maison des aidants", "idea-axis_id": str(axes_of(other_territory)[0].id)})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Une maison des aidants" in page and 'id="idea-axis_id-error"' in page
    assert count(Idea) == 0


def test_ideas_page_groups_by_axis(client, login, coordinator, territory):
    meeting = make_meeting(territory, starts_at=soon(-1), title="Atelier mobilité")
    db.session.add(Idea(meeting=meeting, axis=axes_of(territory)[1], text="Transport solidaire vers Moissac"))
    db.session.commit()
    login(coordinator)

    page = client.get(f"/t/{SLUG}/manage/meetings/ideas").get_data(as_text=True)

    assert "Axe 2 : Développer l&#39;essor" in page
    assert "Transport solidaire vers Moissac" in page and "Atelier mobilité" in page


@pytest.mark.parametrize("role", ["participant", "observer", "other_coordinator"])
def test_only_coordinators_write_minutes_and_ideas(make_user, territory, other_territory, role):
    actor = {"participant": lambda: make_user(),
             "observer": lambda: make_user(role=(territory, Role.OBSERVER)),
             "other_coordinator": lambda: make_user(role=(other_territory, Role.COORDINATOR))}[role]()
    meeting = make_meeting(territory, starts_at=STARTED, minutes="Relevé")
    idea = Idea(meeting=meeting, axis=axes_of(territory)[0], text="Une idée")
    db.session.add(idea)
    db.session.commit()

    for attempt in (lambda: minutes.save_minutes(actor, meeting, "Réécrit", now=NOW),
                    lambda: minutes.publish_minutes(actor, meeting, now=NOW),
                    lambda: minutes.add_idea(actor, meeting, minutes.IdeaData(text="Autre", axis_id=idea.axis_id),
                                             now=NOW),
                    lambda: minutes.delete_idea(actor, idea)):
        with pytest.raises(PermissionDenied):
            attempt()
    stored = fresh(Meeting, meeting.id)
    assert (stored.minutes, stored.minutes_published_at, count(Idea)) == ("Relevé", None, 1)
