"""The audit trail: every read of individual answers or contact details, every file downloaded, every moderation,
role and threshold change leaves exactly one event, stored with the action (a refused action leaves none); the
territory's coordinators and the site admins read it, nobody else; it is kept AUDIT_RETENTION_DAYS."""
from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import select

from consult.accounts.models import TerritoryRole
from consult.core import audit, retention
from consult.core.audit import AuditEvent
from consult.extensions import db
from consult.proposals.models import Comment, ProposalState
from tests.conftest import NOW, PASSWORD, ROLES
from tests.groups.factories import add_member, make_group, make_meeting
from tests.proposals.conftest import add_comment, call, make_call, make_proposal, proposal  # noqa: F401 (fixtures)
from tests.surveys.conftest import answered, make_survey, survey  # noqa: F401 (fixtures)

SLUG = "terres-des-confluences"
MANAGE = f"/t/{SLUG}/manage"


def events(action: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    return list(db.session.scalars(query if action is None else query.where(AuditEvent.action == action)))


def only_event(action: str) -> AuditEvent:
    found = events()
    assert [e.action for e in found] == [action], [(e.action, e.target) for e in found]
    return found[0]


# --- moderation: one event per action, none when refused ---------------------------------------------------

@pytest.mark.parametrize(("action", "state", "form", "expected"), [
    ("publish", ProposalState.PENDING, {}, "moderation.publish"),
    ("reject", ProposalState.PENDING, {"reject-reason": "Hors du champ du contrat local de santé."},
     "moderation.reject"),
    ("hide", ProposalState.PUBLISHED, {"hide-reason": "Propos injurieux envers un élu."}, "moderation.hide"),
    ("restore", ProposalState.HIDDEN, {}, "moderation.restore"),
])
def test_each_moderation_leaves_one_event_with_its_proposal(client, as_coordinator, territory, call, make_proposal,
                                                           action, state, form, expected):
    item = make_proposal(call, state=state)

    response = client.post(f"{MANAGE}/proposals/{item.id}/{action}", data=form)

    assert response.status_code == 302
    event = only_event(expected)
    assert (event.actor_id, event.territory_id, event.target) == (as_coordinator.id, territory.id,
                                                                  f"proposal:{item.id}")
    assert event.detail == {}


def test_a_refused_moderation_leaves_no_event(client, as_coordinator, call, proposal, make_user, login):
    client.post(f"{MANAGE}/proposals/{proposal.id}/publish")  # already published: WrongState
    client.post(f"{MANAGE}/proposals/{proposal.id}/reject", data={"reject-reason": "x"})  # not pending
    client.post(f"{MANAGE}/proposals/{proposal.id}/hide", data={"hide-reason": ""})  # no reason

    assert events() == []
    assert db.session.get(type(proposal), proposal.id).state is ProposalState.PUBLISHED


def test_merge_and_comment_moderation_each_leave_one_event(client, as_coordinator, call, make_proposal, participant):
    source, target = make_proposal(call, title="Navette vers l'hôpital"), make_proposal(call)
    comment = add_comment(target, participant)

    client.post(f"{MANAGE}/proposals/{source.id}/merge", data={"merge-target_id": target.id})
    client.post(f"{MANAGE}/proposals/comments/{comment.id}/hide",
                data={f"comment-{comment.id}-reason": "Numéro de téléphone personnel."})
    client.post(f"{MANAGE}/proposals/{source.id}/merge", data={"merge-target_id": target.id})  # a replay

    assert [(e.action, e.target, e.detail) for e in events()] == [
        ("moderation.merge", f"proposal:{source.id}", {"into": target.id}),
        ("moderation.hide_comment", f"comment:{comment.id}", {}),
    ]
    assert db.session.get(Comment, comment.id).hidden_at is not None


# --- roles and thresholds ------------------------------------------------------------------------------------

def test_appointing_and_removing_a_role_each_leave_one_event(client, admin, login, territory, make_user):
    person = make_user("referente.ars@example.org", display_name="Référente ARS Occitanie")
    login(admin)

    client.post(f"{MANAGE}/roles", data={"email": "personne@example.org", "role": "observer"})  # no such account
    assert events() == []
    client.post(f"{MANAGE}/roles", data={"email": person.email, "role": "observer"})
    role = db.session.scalar(select(TerritoryRole).where(TerritoryRole.user_id == person.id))
    client.post(f"{MANAGE}/roles", data={"email": person.email, "role": "observer"})  # the same role again: no change
    client.post(f"{MANAGE}/roles/{role.id}/revoke")

    assert [(e.action, e.actor_id, e.territory_id, e.target, e.detail) for e in events()] == [
        ("role.appoint", admin.id, territory.id, f"user:{person.id}", {"role": "observer"}),
        ("role.revoke", admin.id, territory.id, f"user:{person.id}", {"role": "observer"}),
    ]


def test_create_admin_from_the_command_line_is_recorded_without_actor(runner, participant):
    result = runner.invoke(args=["create-admin", "--email", participant.email, "--password", PASSWORD])

    assert result.exit_code == 0, result.output
    event = only_event("role.admin")
    assert (event.actor_id, event.territory_id, event.target) == (None, None, f"user:{participant.id}")


def test_changing_k_is_recorded_with_both_values_and_a_refused_lowering_is_not(client, as_coordinator, answered):
    def settings(value: str):
        return client.post(f"{MANAGE}/surveys/{answered.id}/settings", data={
            "title": answered.title, "mode": answered.mode.value, "recontact_enabled": "y",
            "disclosure_threshold": value})

    settings("15")
    settings("5")  # answers exist: k cannot go down (refused next to the field)
    settings("15")  # unchanged: nothing to record

    event = only_event("threshold.change")
    assert (event.target, event.detail) == (f"survey:{answered.id}", {"before": None, "after": 15})


# --- reading answers or contact details, downloading ------------------------------------------------------

def test_reads_and_downloads_of_personal_data_each_leave_one_event(client, as_coordinator, territory, answered,
                                                                  call, participant):
    group = make_group(territory)
    add_member(group, participant)
    meeting = make_meeting(territory, group)
    pages = [
        (f"{MANAGE}/surveys/{answered.id}/results/texts", "answers.read", f"survey:{answered.id}"),
        (f"{MANAGE}/surveys/{answered.id}/export/responses.csv", "export", f"survey:{answered.id}"),
        (f"{MANAGE}/surveys/{answered.id}/export/responses-k-anonymous.xlsx", "export", f"survey:{answered.id}"),
        (f"{MANAGE}/groups/{group.id}/members", "contacts.read", f"group:{group.id}"),
        (f"{MANAGE}/groups/{group.id}/roster.ods", "export", f"group:{group.id}"),
        (f"{MANAGE}/meetings/{meeting.id}/attendance", "contacts.read", f"meeting:{meeting.id}"),
        (f"{MANAGE}/groups/attendance.csv", "export", f"territory:{territory.id}"),
        (f"{MANAGE}/proposals/calls/{call.id}/proposals.csv", "export", f"call:{call.id}"),
    ]
    bodies = []
    for url, _action, _target in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.get_data())  # a streamed file is read to its end

    found = events()
    assert [(e.action, e.target) for e in found] == [(action, target) for _url, action, target in pages]
    assert {(e.actor_id, e.territory_id) for e in found} == {(as_coordinator.id, territory.id)}
    shown = bodies[0].count(b'<blockquote class="text-answer">')
    assert shown > 0 and found[0].detail == {"answers": shown}  # counts only: no answer, no name, no address
    assert found[3].detail == {"people": 1}
    assert found[1].detail == {"file": "responses-pseudonymised", "format": "csv"}
    trail = html.unescape(client.get(f"{MANAGE}/audit/").get_data(as_text=True))
    assert "Réponses pseudonymisées, CSV" in trail and "1 personne" in trail
    assert participant.email not in trail and participant.display_name not in trail


def test_a_refused_read_leaves_no_event(client, as_observer, answered, territory):
    group = make_group(territory)

    assert client.get(f"{MANAGE}/surveys/{answered.id}/export/responses.csv").status_code == 403
    assert client.get(f"{MANAGE}/surveys/{answered.id}/results/texts").status_code == 403
    assert client.get(f"{MANAGE}/groups/{group.id}/members").status_code == 403
    assert events() == []


# --- who reads the trail ------------------------------------------------------------------------------------

EXPECTED = {"anonymous": 302, "participant": 403, "observer": 403, "other_coordinator": 403, "coordinator": 200,
            "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_the_territory_trail_is_for_its_coordinators_and_admins(as_role, role, territory, other_territory):
    audit.record("export", territory=territory, target="survey:7", detail={"file": "codebook", "format": "csv"})
    audit.record("export", territory=other_territory, target="survey:8", detail={"file": "codebook", "format": "csv"})
    db.session.commit()
    client = as_role(role)

    territory_page = client.get(f"{MANAGE}/audit/")
    site_page = client.get("/admin/audit/")

    assert territory_page.status_code == EXPECTED[role]
    assert site_page.status_code == (200 if role == "admin" else 302 if role == "anonymous" else 403)
    if role in ("coordinator", "admin"):
        body = html.unescape(territory_page.get_data(as_text=True))
        assert "n° 7" in body or "no. 7" in body
        assert "n° 8" not in body and "no. 8" not in body  # another territory's trail
    if role == "admin":
        body = html.unescape(site_page.get_data(as_text=True))
        assert ("n° 8" in body or "no. 8" in body) and "Ouest Aveyron" in body


def test_the_trail_names_actors_filters_and_pages(client, login, admin, coordinator, territory, app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    for day in range(60):
        audit.record("contacts.read", actor=coordinator, territory=territory, target="group:3",
                     detail={"people": 12}, now=NOW - dt.timedelta(days=day))
    audit.record("role.appoint", actor=admin, territory=territory, target=f"user:{coordinator.id}",
                 detail={"role": "coordinator"}, now=NOW - dt.timedelta(days=200))
    db.session.commit()
    login(coordinator)

    first = html.unescape(client.get(f"{MANAGE}/audit/").get_data(as_text=True))
    by_admin = html.unescape(client.get(f"{MANAGE}/audit/?person={admin.id}").get_data(as_text=True))
    in_may = html.unescape(client.get(f"{MANAGE}/audit/?month=2026-05&action=role.appoint").get_data(as_text=True))
    bad = client.get(f"{MANAGE}/audit/?month=2026-13&person=99999999999999999999&page=%00&action=%1B")

    assert "61 events" in first and "Page 1 of 2" in first
    assert first.count("Coordination CLS Terres des Confluences") >= 50
    assert coordinator.email not in first
    assert "1 event" in by_admin and "Gave a role" in by_admin and "Administratrice" in by_admin
    assert "1 event" in in_may
    assert bad.status_code == 200
    assert "Write the month as year-month" in html.unescape(bad.get_data(as_text=True))
    assert "61 events" in html.unescape(bad.get_data(as_text=True))  # the meaningless filters are ignored


# --- kept one year -----------------------------------------------------------------------------------------

def test_events_older_than_the_retention_period_are_purged(app, territory):
    app.config["AUDIT_RETENTION_DAYS"] = 365
    audit.record("export", territory=territory, target="survey:1", now=NOW - dt.timedelta(days=365, minutes=1))
    audit.record("export", territory=territory, target="survey:2", now=NOW - dt.timedelta(days=364, hours=23))
    db.session.commit()

    removed = retention.PERIODS["audit_events"].remove(NOW)
    db.session.commit()

    assert removed == 1
    assert [e.target for e in events()] == ["survey:2"]
    assert retention.PERIODS["audit_events"].config_key == "AUDIT_RETENTION_DAYS"
