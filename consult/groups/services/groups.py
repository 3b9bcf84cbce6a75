"""Creating and running working groups; what their pages show (places, composition, roster)."""
from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from consult.accounts.models import Category
from consult.errors import InvalidInput, PermissionDenied
from consult.extensions import db
from consult.groups import permissions
from consult.groups.services import signups
from consult.groups.models import GroupStatus, GroupTarget, JoinMode, Signup, SignupStatus, WorkingGroup
from consult.territories.models import Axis, Territory


@dataclass(frozen=True)
class GroupData:
    """A group as a coordinator describes it; times are naive UTC."""

    title: str
    axis_id: int
    mission: str = ""
    audience: str = ""
    facilitators: str = ""
    capacity: int = 15
    join_mode: JoinMode = JoinMode.OPEN
    status: GroupStatus = GroupStatus.RECRUITING
    signup_opens_at: dt.datetime | None = None
    signup_closes_at: dt.datetime | None = None
    objective_ids: tuple[int, ...] = ()
    targets: tuple[tuple[Category, int], ...] = ()


def current_axes(territory: Territory) -> list[Axis]:
    """The axes a group can work on: those of the current contract, not archived."""
    contract = territory.current_contract
    return [axis for axis in contract.axes if axis.archived_at is None] if contract else []


def _apply(group: WorkingGroup, territory: Territory, data: GroupData) -> None:
    axis = next((a for a in current_axes(territory) if a.id == data.axis_id), None)
    if axis is None:
        raise InvalidInput(_("Choose an axis of the current contract."), field="axis_id")
    objectives = [o for o in axis.objectives if o.id in set(data.objective_ids) and o.archived_at is None]
    if len(objectives) != len(set(data.objective_ids)):
        raise InvalidInput(_("Choose objectives of the group's axis."), field="objective_ids")
    if data.capacity < 1:
        raise InvalidInput(_("A group needs at least one seat."), field="capacity")
    if data.capacity < group.member_count:
        raise InvalidInput(_("The group already has %(count)s members: the capacity cannot be lower.",
                             count=group.member_count), field="capacity")
    if data.signup_opens_at and data.signup_closes_at and data.signup_closes_at <= data.signup_opens_at:
        raise InvalidInput(_("Sign-ups must close after they open."), field="signup_closes_at")
    if sum(minimum for _category, minimum in data.targets) > data.capacity:
        raise InvalidInput(_("The target composition needs more seats than the group has."), field="capacity")
    group.title, group.axis, group.objectives = data.title.strip(), axis, objectives
    group.mission, group.audience, group.facilitators = data.mission.strip(), data.audience.strip(), \
        data.facilitators.strip()
    group.capacity, group.join_mode, group.status = data.capacity, data.join_mode, data.status
    group.signup_opens_at, group.signup_closes_at = data.signup_opens_at, data.signup_closes_at
    wanted = {category: minimum for category, minimum in data.targets if minimum > 0}
    group.targets = [t for t in group.targets if t.category in wanted]
    for target in group.targets:
        target.minimum = wanted.pop(target.category)
    group.targets.extend(GroupTarget(category=category, minimum=minimum) for category, minimum in wanted.items())


def create_group(actor, territory: Territory, data: GroupData) -> WorkingGroup:
    """Open a working group on an axis of the current contract. Raises PermissionDenied, InvalidInput."""
    if not permissions.can_manage_groups(actor, territory):
        raise PermissionDenied()
    group = WorkingGroup(territory=territory, member_count=0)
    _apply(group, territory, data)
    db.session.add(group)
    db.session.flush()
    return group


def update_group(actor, group: WorkingGroup, data: GroupData, *, now: dt.datetime) -> list[Signup]:
    """Change a group; more seats go to the waitlist at once. Returns the people promoted.
    Raises PermissionDenied, InvalidInput (e.g. capacity below the members already there)."""
    if not permissions.can_manage_groups(actor, group.territory):
        raise PermissionDenied()
    _apply(group, group.territory, data)
    db.session.flush()
    return signups.promote_waitlisted(group, now=now)


# --- what the pages show --------------------------------------------------------------------------

def groups_of(territory: Territory, *, include_closed: bool = False) -> list[WorkingGroup]:
    query = select(WorkingGroup).where(WorkingGroup.territory_id == territory.id)
    if not include_closed:
        query = query.where(WorkingGroup.status != GroupStatus.CLOSED)
    return list(db.session.scalars(query.order_by(WorkingGroup.title).options(joinedload(WorkingGroup.axis))))


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def group_page():
    """Loader options for a group's pages: its axis, objectives, targets and meetings (their templates must not
    query). The few objectives and targets come in the group's statement; the meetings, which grow, in one more."""
    return (joinedload(WorkingGroup.axis), joinedload(WorkingGroup.objectives), joinedload(WorkingGroup.targets),
            selectinload(WorkingGroup.meetings))


def recruiting_groups(territory: Territory, now: dt.datetime) -> list[WorkingGroup]:
    """Groups taking sign-ups now, those with seats left first."""
    groups = [group for group in groups_of(territory) if group.signup_window_open(now)]
    return sorted(groups, key=lambda group: (group.is_full, group.title))


def groups_by_axis(territory: Territory, *, include_closed: bool = False) -> list[tuple[Axis, list[WorkingGroup]]]:
    """Groups under the axis they work on, in the contract's order (axes without a group are left out)."""
    groups = groups_of(territory, include_closed=include_closed)
    by_axis: dict[int, list[WorkingGroup]] = {}
    for group in groups:
        by_axis.setdefault(group.axis_id, []).append(group)
    axes = sorted({group.axis for group in groups}, key=lambda axis: (axis.contract_id, axis.position))
    return [(axis, by_axis[axis.id]) for axis in axes]


@dataclass(frozen=True)
class CompositionLine:
    """Members of one category against the group's target for it."""

    category: Category | None
    members: int
    minimum: int

    @property
    def missing(self) -> int:
        return max(self.minimum - self.members, 0)


def compositions(groups: list[WorkingGroup]) -> dict[int, list[CompositionLine]]:
    """Each group's current mix of members by category, with its targets, in the order of the categories
    (one query for all the groups)."""
    counts: dict[int, Counter] = {group.id: Counter() for group in groups}
    if groups:
        for group_id, category, count in db.session.execute(
                select(Signup.group_id, Signup.category, func.count())
                .where(Signup.group_id.in_(counts), Signup.status == SignupStatus.MEMBER)
                .group_by(Signup.group_id, Signup.category)):
            counts[group_id][category] = count
    result = {}
    for group in groups:
        members, targets = counts[group.id], {target.category: target.minimum for target in group.targets}
        lines = [CompositionLine(category, members.get(category, 0), targets.get(category, 0))
                 for category in Category if members.get(category) or targets.get(category)]
        if members.get(None):
            lines.append(CompositionLine(None, members[None], 0))
        result[group.id] = lines
    return result


def composition(group: WorkingGroup) -> list[CompositionLine]:
    """The group's current mix of members by category, with its targets."""
    return compositions([group])[group.id]


def signups_by_status(group: WorkingGroup) -> dict[SignupStatus, list[Signup]]:
    """Everyone who signed up, by status; the waitlist in order of arrival (people and communes loaded with
    them, for the pages that list them)."""
    rows = db.session.scalars(select(Signup).where(Signup.group_id == group.id)
                              .options(joinedload(Signup.user), joinedload(Signup.commune))
                              .order_by(Signup.queued_at, Signup.id))
    result: dict[SignupStatus, list[Signup]] = {status: [] for status in SignupStatus}
    for signup in rows:
        result[signup.status].append(signup)
    return result


def signup_counts(territory: Territory) -> dict[int, Counter]:
    """Sign-ups of each group of the territory by status (one query)."""
    counts: dict[int, Counter] = {}
    for group_id, status, count in db.session.execute(
            select(Signup.group_id, Signup.status, func.count()).join(WorkingGroup)
            .where(WorkingGroup.territory_id == territory.id).group_by(Signup.group_id, Signup.status)):
        counts.setdefault(group_id, Counter())[status] = count
    return counts


@dataclass(frozen=True)
class RosterLine:
    """What members may see of each other: first name, category and structure, when the person agreed."""

    first_name: str
    category: Category | None
    structure: str
    is_you: bool


def member_roster(viewer, group: WorkingGroup) -> tuple[list[RosterLine], int]:
    """The members who agreed to be shown, and how many others did not. Raises PermissionDenied unless the
    viewer is a member (coordinators use the management roster, which has contact details)."""
    if not permissions.is_member(viewer, group):
        raise PermissionDenied()
    members = signups_by_status(group)[SignupStatus.MEMBER]
    shown = [RosterLine(first_name(s.user.display_name), s.category, s.structure, s.user_id == viewer.id)
             for s in members if s.shown_to_members]
    return shown, len(members) - len(shown)


TITLES = {"dr", "dr.", "pr", "pr.", "m.", "mme", "mlle", "me"}


def first_name(display_name: str) -> str:
    """The first name in a display name, skipping a title (« Dr Anne Roques » → « Anne »)."""
    parts = [part for part in display_name.split() if part.lower() not in TITLES]
    return parts[0] if parts else ""


def groups_of_user(user) -> list[Signup]:
    """The person's sign-ups that still count (member, waitlist, pending), newest group first."""
    return [signup for signup, _position in signups_with_positions(user)]


def signups_with_positions(user) -> list[tuple[Signup, int | None]]:
    """The person's sign-ups that still count, newest group first, each with its place on the waitlist (as
    `signups.waitlist_position`: 1 for the first person waiting, None when not waiting) — one statement however
    many groups the person waits for."""
    ahead = aliased(Signup)
    waiting_before = (select(func.count()).select_from(ahead).where(
        ahead.group_id == Signup.group_id, ahead.status == SignupStatus.WAITLISTED,
        or_(ahead.queued_at < Signup.queued_at, and_(ahead.queued_at == Signup.queued_at, ahead.id < Signup.id)))
        .correlate(Signup).scalar_subquery())
    rows = db.session.execute(
        select(Signup, waiting_before).where(
            Signup.user_id == user.id,
            Signup.status.in_([SignupStatus.MEMBER, SignupStatus.WAITLISTED, SignupStatus.PENDING]))
        .order_by(Signup.queued_at.desc())
        .options(joinedload(Signup.group).options(joinedload(WorkingGroup.territory), joinedload(WorkingGroup.axis)))
    ).all()
    return [(signup, before + 1 if signup.status == SignupStatus.WAITLISTED else None) for signup, before in rows]
