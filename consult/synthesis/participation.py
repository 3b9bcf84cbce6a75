"""The territory's participation dashboard: contributions over time, by channel, by category, by commune per 1,000
inhabitants (least-heard communes first) and per axis.

Two kinds of figures, never mixed: contributions (an attendance, a proposal, a support, a comment, an idea) and
people (an account, or someone without one recognised by name and structure, counted once). Survey figures come
from each survey's latest release only — its channels and who has been heard — never from live answers, and survey
respondents are never matched with accounts."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, union_all

from consult.accounts.models import Category, User
from consult.core.disclosure import Cell
from consult.extensions import db
from consult.groups.models import Attendance, Idea, Meeting, MeetingKind, Signup, WorkingGroup
from consult.groups.services.stats import person_key
from consult.proposals.models import Call, Comment, Proposal, ProposalState, Support
from consult.surveys.models import Survey
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import content_of
from consult.surveys.results.presentation import Shown
from consult.synthesis.axes.targets import current_contract
from consult.synthesis.sources import latest_releases
from consult.territories.models import Axis, Commune, Territory

CHANNELS = {
    "members": _l("Working-group members (seats taken)"),
    "group_meetings": _l("Working-group meetings (attendance)"),
    "events": _l("Forums, workshops and public meetings (attendance)"),
    "proposals": _l("Proposals"),
    "supports": _l("Supports"),
    "comments": _l("Comments"),
    "ideas": _l("Ideas recorded at meetings"),
}
# Ideas are written down by the coordinator for the meeting: they are contributions of no one person.
PEOPLE_CHANNELS = [key for key in CHANNELS if key != "ideas"]


@dataclass(frozen=True)
class Contribution:
    channel: str
    month: dt.date                 # the 1st of the month
    person: tuple | None
    category: Category | None
    commune_id: int | None
    axis_id: int | None


@dataclass
class SurveyChannels:
    """A survey's latest release: its responses per channel (web, paper, phone…) as the release shows them."""

    survey: Survey
    release: SurveyRelease
    channels: Shown
    k: int
    by_commune: dict[str, Cell] = field(default_factory=dict)   # respondents per commune name (who has been heard)


@dataclass
class CommuneRow:
    commune: Commune
    people: int
    per_thousand: float | None


@dataclass
class AxisRow:
    axis: Axis
    by_channel: Counter
    people: int


@dataclass
class Dashboard:
    channels: list[tuple[str, str, int, int | None]]          # key, label, contributions, people (None: not people)
    months: list[tuple[dt.date, Counter]]
    categories: list[tuple[Category | None, Counter, int]]    # people per channel, and in all (once)
    communes: list[CommuneRow]
    without_commune: int
    axes: list[AxisRow]
    surveys: list[SurveyChannels]
    people: int
    channel_labels: dict[str, str]


def _month(value: dt.datetime | dt.date) -> dt.date:
    return dt.date(value.year, value.month, 1)


def _contributions(territory: Territory, now: dt.datetime) -> list[Contribution]:
    """Every contribution of the territory, as plain rows (no object per row) in four queries."""
    found: list[Contribution] = []
    # Everyone who took a seat in a working group, even if they left since (their category and commune are the
    # snapshot taken at sign-up).
    for row in db.session.execute(
            select(Signup.member_since, Signup.user_id, Signup.category, Signup.commune_id, WorkingGroup.axis_id)
            .join(WorkingGroup, WorkingGroup.id == Signup.group_id)
            .where(WorkingGroup.territory_id == territory.id, Signup.member_since.is_not(None)).order_by(Signup.id)):
        found.append(Contribution("members", _month(row.member_since), ("account", row.user_id), row.category,
                                  row.commune_id, row.axis_id))
    for a in db.session.execute(
            select(Meeting.kind, Meeting.starts_at, Meeting.group_id, WorkingGroup.axis_id, Attendance.user_id,
                   Attendance.name, Attendance.structure, Attendance.category, Attendance.commune_id,
                   User.category.label("user_category"), User.commune_id.label("user_commune_id"))
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .outerjoin(WorkingGroup, WorkingGroup.id == Meeting.group_id)
            .outerjoin(User, User.id == Attendance.user_id)
            .where(Meeting.territory_id == territory.id, Meeting.cancelled_at.is_(None), Meeting.starts_at <= now)
            .order_by(Attendance.id)):
        channel = "group_meetings" if a.kind is MeetingKind.GROUP_MEETING and a.group_id else "events"
        category = a.category if a.category is not None else a.user_category
        commune = a.commune_id if a.commune_id is not None else a.user_commune_id
        found.append(Contribution(channel, _month(a.starts_at), person_key(a), category, commune,
                                  a.axis_id if a.group_id else None))
    # Published proposals, their supports and their visible comments: each by an account, on the proposal's axis.
    published = [Call.territory_id == territory.id, Proposal.state == ProposalState.PUBLISHED]
    by_account = union_all(
        select(literal(0).label("part"), Proposal.id.label("id"), Proposal.author_id.label("user_id"),
               func.coalesce(Proposal.published_at, Proposal.created_at).label("at"), User.category,
               User.commune_id, Proposal.axis_id)
        .join(Call, Call.id == Proposal.call_id).join(User, User.id == Proposal.author_id).where(*published),
        select(literal(1), Support.id, Support.user_id, Support.created_at, User.category, User.commune_id,
               Proposal.axis_id)
        .join(Proposal, Proposal.id == Support.proposal_id).join(Call, Call.id == Proposal.call_id)
        .join(User, User.id == Support.user_id).where(*published),
        select(literal(2), Comment.id, Comment.author_id, Comment.created_at, User.category, User.commune_id,
               Proposal.axis_id)
        .join(Proposal, Proposal.id == Comment.proposal_id).join(Call, Call.id == Proposal.call_id)
        .join(User, User.id == Comment.author_id).where(*published, Comment.hidden_at.is_(None))).subquery()
    channels = ("proposals", "supports", "comments")
    for row in db.session.execute(select(by_account).order_by(by_account.c.part, by_account.c.id)):
        found.append(Contribution(channels[row.part], _month(row.at), ("account", row.user_id), row.category,
                                  row.commune_id, row.axis_id))
    for axis_id, starts_at in db.session.execute(
            select(Idea.axis_id, Meeting.starts_at).join(Meeting, Meeting.id == Idea.meeting_id)
            .where(Meeting.territory_id == territory.id, Meeting.cancelled_at.is_(None)).order_by(Idea.id)):
        found.append(Contribution("ideas", _month(starts_at), None, None, None, axis_id))
    return found


def _surveys(territory: Territory) -> list[SurveyChannels]:
    found = []
    for release in latest_releases(territory).values():
        content = content_of(release)
        heard = content.representativeness
        by_commune = {row.name: row.respondents for row in heard.rows} if heard.available else {}
        found.append(SurveyChannels(release.survey, release, content.overview.channels, release.k, by_commune))
    return found


def dashboard(territory: Territory, *, now: dt.datetime) -> Dashboard:
    """The participation figures of the territory (the caller checks that the reader may read the plan)."""
    contributions = _contributions(territory, now)
    channels = []
    for key, label in CHANNELS.items():
        mine = [c for c in contributions if c.channel == key]
        people = len({c.person for c in mine}) if key in PEOPLE_CHANNELS else None
        channels.append((key, str(label), len(mine), people))

    months: dict[dt.date, Counter] = defaultdict(Counter)
    for c in contributions:
        months[c.month][c.channel] += 1

    # One person, one category and one commune: the first stated, in the order contributions were gathered.
    category_of: dict[tuple, Category | None] = {}
    commune_of: dict[tuple, int | None] = {}
    per_channel: dict[str, dict[tuple, Category | None]] = defaultdict(dict)
    for c in contributions:
        if c.person is None:
            continue
        if category_of.get(c.person) is None:
            category_of[c.person] = c.category
        if commune_of.get(c.person) is None:
            commune_of[c.person] = c.commune_id
        if per_channel[c.channel].get(c.person) is None:
            per_channel[c.channel][c.person] = c.category
    totals = Counter(category_of.values())
    categories = []
    for category in [*Category, None]:
        by_channel = Counter({key: sum(1 for v in per_channel[key].values() if v is category)
                              for key in PEOPLE_CHANNELS})
        if totals[category] or category is not None:
            categories.append((category, by_channel, totals[category]))

    heard = Counter(commune_of.values())
    rows = []
    for commune in db.session.scalars(select(Commune).where(Commune.territory_id == territory.id)):
        people = heard[commune.id]
        rate = people * 1000 / commune.population if commune.population else None
        rows.append(CommuneRow(commune, people, rate))
    rows.sort(key=lambda r: (r.per_thousand if r.per_thousand is not None else float("inf"), r.commune.name))

    axes_rows = []
    contract = current_contract(territory)
    for axis in contract.active_axes if contract else []:
        mine = [c for c in contributions if c.axis_id == axis.id]
        axes_rows.append(AxisRow(axis, Counter(c.channel for c in mine),
                                 len({c.person for c in mine if c.person is not None})))

    return Dashboard(channels, sorted(months.items()), categories, rows, heard[None], axes_rows,
                     _surveys(territory), len(category_of), {k: str(v) for k, v in CHANNELS.items()})
