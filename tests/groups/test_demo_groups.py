"""`seed-demo` gives Terres des Confluences a working group per axis, meetings with attendance and events."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.core.models import utcnow
from consult.extensions import db
from consult.groups.services import stats
from consult.groups.models import Meeting, MeetingKind, Signup, SignupStatus, WorkingGroup
from consult.territories.models import Territory


def test_demo_has_a_group_per_axis_one_full_with_a_waitlist(demo):
    assert demo.seeding.exit_code == 0
    territory = db.session.scalar(select(Territory).where(Territory.slug == "terres-des-confluences"))
    groups = db.session.scalars(select(WorkingGroup).where(WorkingGroup.territory_id == territory.id)).all()
    assert {group.axis_id for group in groups} == {axis.id for axis in territory.current_contract.active_axes}
    full = [group for group in groups if group.is_full]
    assert len(full) == 1
    waiting = db.session.scalar(select(func.count()).select_from(Signup).where(
        Signup.group_id == full[0].id, Signup.status == SignupStatus.WAITLISTED))
    assert waiting == 4
    for group in groups:  # the seat counter agrees with the members stored
        members = db.session.scalar(select(func.count()).select_from(Signup).where(
            Signup.group_id == group.id, Signup.status == SignupStatus.MEMBER))
        assert group.member_count == members


def test_demo_has_past_and_coming_meetings_with_attendance_and_a_forum(demo):
    now = utcnow()
    meetings = db.session.scalars(select(Meeting)).all()
    assert any(m.is_past(now) and m.attendances for m in meetings if m.group_id)
    assert any(not m.is_past(now) for m in meetings if m.group_id)
    forum = next(m for m in meetings if m.kind == MeetingKind.FORUM)
    assert forum.registered_count == len(forum.registrations) and forum.attendances
    territory = db.session.scalar(select(Territory).where(Territory.slug == "terres-des-confluences"))
    summary = stats.territory_summary(territory)
    assert summary.people == 15 + 5  # fifteen accounts at the forum (members among them), five without account


def test_demo_groups_are_loaded_once(seeded_demo):
    before = db.session.scalar(select(func.count()).select_from(Meeting)), \
        db.session.scalar(select(func.count()).select_from(Signup))
    seeded_demo.app.test_cli_runner().invoke(args=["seed-demo"])
    assert (db.session.scalar(select(func.count()).select_from(Meeting)),
            db.session.scalar(select(func.count()).select_from(Signup))) == before
