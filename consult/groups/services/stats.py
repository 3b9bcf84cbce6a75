"""Participation figures, as a diagnostic reports them ("47 élus et 84 professionnels ont participé").

Counted: meetings and events that have begun and were not cancelled. A person is an account, counted
once however many meetings they came to, or someone without an account, recognised across meetings by
name and structure (case, accents and spacing ignored). A person's category and commune are those
recorded with their attendance (a snapshot taken when the coordinator marked it), the latest stated.

Attendance rate = people present among those expected ÷ people expected, added up over the meetings:
expected at a group's meeting are its members at that time (members who had joined before it began,
and people who left or were removed after it began); at an event, the registrations not cancelled.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.accounts.models import Category
from consult.core.models import utcnow
from consult.core.text import fold
from consult.core.time import paris_to_utc
from consult.extensions import db
from consult.groups.models import Attendance, Meeting, Registration, Signup, SignupStatus, WorkingGroup
from consult.territories.models import Territory

# Who had left a group after a meeting was still one of its members that day.
_FORMER_MEMBER = (SignupStatus.WITHDRAWN, SignupStatus.REMOVED)


@dataclass(frozen=True)
class ParticipationSummary:
    """Participation in a set of meetings.

    `by_category`: every category in its usual order, then None ("not stated"), each with its count of
    people (zeros included). `by_commune`: (commune name, people) for the communes represented, most
    people first, then None ("not stated") when some have none. `attendance_rate`: between 0 and 1, or
    None when nobody was expected.
    """

    meetings: int
    attendances: int
    people: int
    by_category: tuple[tuple[Category | None, int], ...]
    by_commune: tuple[tuple[str | None, int], ...]
    expected: int
    expected_present: int
    attendance_rate: float | None

    def count_of(self, category: Category | None) -> int:
        """People of `category` (None: category not stated)."""
        return dict(self.by_category)[category]


# --------------------------------------------------------------------------- entry points


def meeting_summary(meeting: Meeting, *, now: dt.datetime | None = None) -> ParticipationSummary:
    """Participation in one meeting or event (all zeros until it has begun, or when it was cancelled)."""
    now = now or utcnow()
    counted = meeting.cancelled_at is None and meeting.starts_at <= now
    return summarise([meeting] if counted else [])


def group_summary(group: WorkingGroup, *, now: dt.datetime | None = None) -> ParticipationSummary:
    """Participation in the meetings a group has held (from `group.meetings`: its pages load them already)."""
    now = now or utcnow()
    return summarise(sorted((m for m in group.meetings if m.cancelled_at is None and m.starts_at <= now),
                            key=lambda m: (m.starts_at, m.id)))


def territory_summary(territory: Territory, *, start: dt.date | dt.datetime | None = None,
                      end: dt.date | dt.datetime | None = None,
                      now: dt.datetime | None = None) -> ParticipationSummary:
    """Participation in all the meetings and events of a territory, optionally within a period.

    `start` and `end` are naive UTC datetimes (start included, end excluded) or Paris dates (both
    days included).
    """
    query = select(Meeting).where(Meeting.territory_id == territory.id)
    if start is not None:
        query = query.where(Meeting.starts_at >= _utc_bound(start, end=False))
    if end is not None:
        query = query.where(Meeting.starts_at < _utc_bound(end, end=True))
    return summarise(_held(query, now or utcnow()))


def _utc_bound(value: dt.date | dt.datetime, *, end: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    day = value + dt.timedelta(days=1) if end else value
    return paris_to_utc(dt.datetime.combine(day, dt.time()))


def _held(query, now: dt.datetime) -> list[Meeting]:
    return list(db.session.scalars(query.where(Meeting.cancelled_at.is_(None), Meeting.starts_at <= now)
                                   .order_by(Meeting.starts_at, Meeting.id)))


# --------------------------------------------------------------------------- counting


def person_key(attendance: Attendance) -> tuple:
    """Who an attendance is: the account, or the name and structure of someone without one."""
    if attendance.user_id is not None:
        return ("account", attendance.user_id)
    return ("guest", _fold(attendance.name), _fold(attendance.structure))


def _fold(text: str) -> str:
    return " ".join(fold(text).split())


def summarise(meetings: Iterable[Meeting]) -> ParticipationSummary:
    """The summary of the given meetings (already filtered: held, not cancelled)."""
    meetings = list(meetings)
    ids = [m.id for m in meetings]
    attendances = list(db.session.scalars(
        select(Attendance).where(Attendance.meeting_id.in_(ids)).options(joinedload(Attendance.commune))
    )) if ids else []
    starts = {m.id: m.starts_at for m in meetings}
    attendances.sort(key=lambda a: (starts[a.meeting_id], a.id))

    category: dict[tuple, Category | None] = {}
    commune: dict[tuple, str | None] = {}
    for attendance in attendances:  # oldest first: the latest stated value wins
        key = person_key(attendance)
        if attendance.category is not None or key not in category:
            category[key] = attendance.category
        if attendance.commune is not None or key not in commune:
            commune[key] = attendance.commune.name if attendance.commune is not None else None

    categories = Counter(category.values())
    communes = Counter(commune.values())
    by_commune = sorted(((name, n) for name, n in communes.items() if name is not None),
                        key=lambda item: (-item[1], _fold(item[0])))
    if communes[None]:
        by_commune.append((None, communes[None]))

    expected, present = _expected_and_present(meetings, attendances)
    return ParticipationSummary(
        meetings=len(meetings),
        attendances=len(attendances),
        people=len(category),
        by_category=tuple((c, categories[c]) for c in [*Category, None]),
        by_commune=tuple(by_commune),
        expected=expected,
        expected_present=present,
        attendance_rate=present / expected if expected else None,
    )


def _expected_and_present(meetings: list[Meeting], attendances: list[Attendance]) -> tuple[int, int]:
    came: dict[int, set[int]] = defaultdict(set)
    for attendance in attendances:
        if attendance.user_id is not None:
            came[attendance.meeting_id].add(attendance.user_id)

    group_ids = {m.group_id for m in meetings if m.group_id is not None}
    signups: dict[int, list[Signup]] = defaultdict(list)
    if group_ids:
        for signup in db.session.scalars(select(Signup).where(
                Signup.group_id.in_(group_ids), Signup.status.in_([SignupStatus.MEMBER, *_FORMER_MEMBER]))):
            signups[signup.group_id].append(signup)
    event_ids = [m.id for m in meetings if m.group_id is None]
    registered: dict[int, set[int]] = defaultdict(set)
    if event_ids:
        for meeting_id, user_id in db.session.execute(select(Registration.meeting_id, Registration.user_id).where(
                Registration.meeting_id.in_(event_ids), Registration.cancelled_at.is_(None))):
            registered[meeting_id].add(user_id)

    expected = present = 0
    for meeting in meetings:
        if meeting.group_id is None:
            people = registered[meeting.id]
        else:
            people = {s.user_id for s in signups[meeting.group_id] if _member_at(s, meeting.starts_at)}
        expected += len(people)
        present += len(people & came[meeting.id])
    return expected, present


def _member_at(signup: Signup, moment: dt.datetime) -> bool:
    """Whether the sign-up held a seat at `moment`: joined before it, and still there or left after it."""
    joined = signup.member_since
    if joined is None or joined > moment:
        return False
    if signup.status == SignupStatus.MEMBER:
        return True
    return signup.left_at is not None and signup.left_at > moment


# --------------------------------------------------------------------------- the sentence


def category_phrase(category: Category | None, count: int) -> str:
    """"47 elected officials", in the current language, with its plural form."""
    phrases = {
        Category.RESIDENT: lambda n: ngettext("%(num)d resident", "%(num)d residents", n),
        Category.ELECTED: lambda n: ngettext("%(num)d elected official", "%(num)d elected officials", n),
        Category.HEALTH_PROFESSIONAL: lambda n: ngettext("%(num)d health professional",
                                                         "%(num)d health professionals", n),
        Category.SOCIAL_PROFESSIONAL: lambda n: ngettext("%(num)d social or medico-social professional",
                                                         "%(num)d social or medico-social professionals", n),
        Category.INSTITUTION: lambda n: ngettext("%(num)d representative of an institution or partner",
                                                 "%(num)d representatives of institutions or partners", n),
        Category.ASSOCIATION: lambda n: ngettext("%(num)d association member", "%(num)d association members", n),
        None: lambda n: ngettext("%(num)d person of unstated category", "%(num)d people of unstated category", n),
    }
    return phrases[category](count)


def summary_sentence(summary: ParticipationSummary) -> str:
    """"47 elected officials and 84 health professionals took part", in the current language."""
    if summary.people == 0:
        return _("Nobody has taken part yet")
    parts = [category_phrase(c, n) for c, n in summary.by_category if n]
    return ngettext("%(people)s took part", "%(people)s took part", summary.people,
                    people=format_list(parts, locale=get_locale()))
