"""Working groups and meetings in bulk: two groups per axis, sign-ups (members up to the capacity, then a waitlist;
requests waiting on the groups « on approval »; some who left), group meetings past and coming (attendance and
minutes for the past ones) and territory events with their registrations."""
from __future__ import annotations

import datetime as dt
import math
import random

from consult.accounts.models import Category
from consult.groups import services as group_services
from consult.groups.models import (
    Attendance,
    GroupStatus,
    JoinMode,
    Meeting,
    MeetingKind,
    Registration,
    Signup,
    SignupStatus,
    WorkingGroup,
)
from consult.territories.models import Axis, Territory
from consult.volume.bulk import Bulk
from consult.volume.names import PLACES

SIGNUP_COLUMNS = ("id", "group_id", "user_id", "status", "category", "structure", "commune_id", "motivation",
                  "morning", "afternoon", "evening", "shown_to_members", "decision_message", "queued_at",
                  "decided_at", "member_since", "left_at", "created_at", "updated_at")
MEETING_COLUMNS = ("id", "territory_id", "group_id", "kind", "title", "starts_at", "duration_minutes", "place",
                   "address", "accessibility", "online_url", "agenda", "capacity", "registered_count", "minutes",
                   "minutes_published_at", "cancelled_at", "sequence", "created_at", "updated_at")
REGISTRATION_COLUMNS = ("id", "meeting_id", "user_id", "cancelled_at", "created_at", "updated_at")
ATTENDANCE_COLUMNS = ("id", "meeting_id", "user_id", "name", "category", "structure", "commune_id", "recorded_at")
EVENTS = [(MeetingKind.FORUM, "Forum santé"), (MeetingKind.PLENARY, "Assemblée plénière du contrat local de santé"),
          (MeetingKind.WORKSHOP, "Atelier prévention"), (MeetingKind.PUBLIC_MEETING, "Réunion publique santé")]
MOTIVATIONS = ["Je souhaite contribuer au contrat local de santé.", "Je connais bien les besoins de ma commune.",
               "Je travaille dans ce domaine et je veux aider.", "Je veux que les habitants soient écoutés."]
Person = tuple[int, Category | None, str, int | None]  # account id, category, structure, commune id


def add_groups(bulk: Bulk, territory: Territory, operator, rng: random.Random, *, axes: list[Axis],
               people: list[Person], now: dt.datetime) -> list[tuple[int, list[Person]]]:
    """Two groups per axis and their sign-ups (about a fifth of `people`); returns (group id, members) of each."""
    specs = []
    for axis in axes:
        for title, mode in ((f"Groupe de travail : {axis.title}", JoinMode.OPEN),
                            (f"Atelier citoyen : {axis.title}", JoinMode.APPROVAL)):
            specs.append((axis, title[:200], mode))
    volunteers = rng.sample(people, min(len(people), max(len(specs), len(people) // 5)))
    share = math.ceil(len(volunteers) / max(len(specs), 1))
    result = []
    for n, (axis, title, mode) in enumerate(specs):
        wanting = volunteers[n * share:(n + 1) * share]
        full = n % 2 == 0  # half the groups are full with a waitlist, half still have seats
        capacity = max(8, int(len(wanting) * 0.9)) if full else max(15, len(wanting) + 5)
        group = group_services.create_group(operator, territory, group_services.GroupData(
            title=title, axis_id=axis.id, capacity=capacity, join_mode=mode,
            mission="Construire avec les habitantes, les habitants et les professionnels une fiche action de l'axe "
                    f"« {axis.title} ».",
            audience="Habitants, élus, professionnels de santé et du social, associations.",
            facilitators="Coordination du contrat local de santé",
            objective_ids=tuple(o.id for o in axis.active_objectives[:1]),
            targets=((Category.RESIDENT, min(3, capacity)),)))
        members = _sign_up(bulk, group, wanting, rng, now=now)
        group.member_count = len(members)
        if rng.random() < 0.25:
            group.status = GroupStatus.ACTIVE
        result.append((group.id, members))
    bulk.commit()
    bulk.report(f"  working groups: {len(specs)}, sign-ups: {bulk.written.get('group_signups', 0):,}")
    return result


def _sign_up(bulk: Bulk, group: WorkingGroup, wanting: list[Person], rng: random.Random, *,
             now: dt.datetime) -> list[Person]:
    """Sign-ups of `wanting` in order of arrival; returns the members."""
    first = bulk.next_ids(Signup.__table__, len(wanting))
    start = now - dt.timedelta(days=120)
    rows, members = [], []
    approval = group.join_mode is JoinMode.APPROVAL
    for n, person in enumerate(wanting):
        user_id, category, structure, commune_id = person
        queued = start + dt.timedelta(minutes=n * 37 + rng.randint(0, 30))
        decided = member_since = left = None
        if approval and n >= len(wanting) - max(1, len(wanting) // 10):
            status = SignupStatus.PENDING
        elif approval and rng.random() < 0.05:
            status, decided = SignupStatus.DECLINED, queued + dt.timedelta(days=2)
        elif len(members) < group.capacity:
            status, member_since = SignupStatus.MEMBER, queued + dt.timedelta(days=2 if approval else 0)
            decided = member_since if approval else None
            if rng.random() < 0.05:
                status, left = SignupStatus.WITHDRAWN, member_since + dt.timedelta(days=rng.randint(5, 60))
        else:
            status = SignupStatus.WAITLISTED
        if status is SignupStatus.MEMBER:
            members.append(person)
        rows.append((first + n, group.id, user_id, status.value, category.value if category else None, structure,
                      commune_id, rng.choice(MOTIVATIONS), rng.random() < 0.3, rng.random() < 0.4,
                      rng.random() < 0.7, rng.random() < 0.6, "", queued, decided, member_since, left, queued,
                      left or decided or queued))
    bulk.insert(Signup.__table__, SIGNUP_COLUMNS, rows)
    return members


def add_meetings(bulk: Bulk, territory: Territory, count: int, rng: random.Random, *,
                 groups: list[tuple[int, list[Person]]], people: list[Person], communes: list[tuple[int, str, int]],
                 now: dt.datetime) -> None:
    """`count` meetings: seven in ten of the groups (past ones with minutes and attendance), the others territory
    events with registrations."""
    if count <= 0:
        return
    first = bulk.next_ids(Meeting.__table__, count)
    meetings, registrations, attendances = [], [], []
    for meeting_id in range(first, first + count):
        _id, name, _population = rng.choice(communes[:5])
        place, address, access = (part.format(commune=name) for part in rng.choice(PLACES))
        days = rng.randint(-200, 120)
        starts = (now + dt.timedelta(days=days)).replace(hour=rng.choice([8, 12, 16, 17]), minute=0, second=0,
                                                         microsecond=0)
        past = days < 0
        cancelled = starts - dt.timedelta(days=3) if rng.random() < 0.03 and starts - dt.timedelta(days=3) < now else None
        group_meeting = groups and rng.random() < 0.7
        if group_meeting:
            group_id, members = rng.choice(groups)
            minutes = ("## Ce qui a été dit\n- Les horaires des consultations ne conviennent pas à ceux qui travaillent."
                       "\n- Il manque une information claire sur les permanences.") if past and not cancelled else ""
            meetings.append((meeting_id, territory.id, group_id, MeetingKind.GROUP_MEETING.value,
                             f"Réunion du groupe de travail n° {meeting_id - first + 1}", starts, 120, place, address,
                             access, "", "1. Tour de table\n2. Avancement de la fiche action\n3. Prochaines étapes",
                             None, 0, minutes, starts + dt.timedelta(days=2) if minutes else None, cancelled, 0,
                             min(now, starts - dt.timedelta(days=20)), min(now, starts - dt.timedelta(days=20))))
            if minutes:
                for user_id, category, structure, commune_id in rng.sample(members, int(len(members) * 0.7)):
                    attendances.append((meeting_id, user_id, "", category.value if category else None, structure,
                                        commune_id, starts + dt.timedelta(hours=2)))
        else:
            kind, title = rng.choice(EVENTS)
            capacity = rng.choice([40, 80, 150, 300])
            coming = rng.sample(people, min(len(people), int(capacity * rng.uniform(0.3, 1.0))))
            registered = 0
            for user_id, *_rest in coming:
                withdrawn = rng.random() < 0.05
                registered += not withdrawn
                created = min(now, starts) - dt.timedelta(days=rng.randint(1, 30))
                registrations.append((meeting_id, user_id, created + dt.timedelta(days=1) if withdrawn else None,
                                      created, created))
            meetings.append((meeting_id, territory.id, None, kind.value, f"{title} à {name}", starts, 180, place,
                             address, access, "", "Échanges avec les habitants et les partenaires du contrat.",
                             capacity, registered, "", None, cancelled, 0, min(now, starts - dt.timedelta(days=30)),
                             min(now, starts - dt.timedelta(days=30))))
    bulk.insert(Meeting.__table__, MEETING_COLUMNS, meetings)
    first_registration = bulk.next_ids(Registration.__table__, len(registrations))
    bulk.insert(Registration.__table__, REGISTRATION_COLUMNS,
                [(first_registration + n, *row) for n, row in enumerate(registrations)])
    first_attendance = bulk.next_ids(Attendance.__table__, len(attendances))
    bulk.insert(Attendance.__table__, ATTENDANCE_COLUMNS,
                [(first_attendance + n, *row) for n, row in enumerate(attendances)])
    bulk.commit()
    bulk.report(f"  meetings: {count:,} ({len(registrations):,} registrations, {len(attendances):,} attendances)")
