"""Helpers for the meeting tests: form data, reading rows back."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from sqlalchemy import func, select

from consult.core.models import utcnow
from consult.extensions import db
from consult.groups.services.schedule import MeetingData
from consult.groups.models import Attendance, Idea, Meeting, Registration

SLUG = "terres-des-confluences"
MANAGERS = {"coordinator", "admin"}


def soon(days: int = 3) -> dt.datetime:
    """A naive-UTC moment `days` from the real clock (views use the real time)."""
    return utcnow().replace(second=0, microsecond=0) + dt.timedelta(days=days)


def meeting_data(**kw) -> MeetingData:
    """A Forum Santé on 12 March 2027 at 18:30, Paris time."""
    values = {"title": "Forum Santé des Confluences", "day": dt.date(2027, 3, 12), "start_time": dt.time(18, 30),
              "duration_minutes": 150, "place": "Salle des fêtes de Saint-Nicolas-de-la-Grave",
              "address": "Place du Château, 82210 Saint-Nicolas-de-la-Grave",
              "accessibility": "Salle de plain-pied, boucle magnétique.", "agenda": "1. Accueil\n2. **Ateliers**"}
    values.update(kw)
    return MeetingData(**values)


def form_fields(**kw) -> dict:
    """The fields of the meeting form, as a browser sends them."""
    values = {"group_id": "", "kind": "forum", "title": "Forum Santé des Confluences", "day": "2027-03-12",
              "start_time": "18:30", "duration_minutes": "150",
              "place": "Salle des fêtes de Saint-Nicolas-de-la-Grave", "address": "Place du Château",
              "accessibility": "Salle de plain-pied.", "online_url": "", "agenda": "1. Accueil", "capacity": ""}
    values.update(kw)
    return values


def goes_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/account/login"


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def stored_state(meeting_id: int) -> tuple:
    """Everything a refused request must leave untouched."""
    meeting = fresh(Meeting, meeting_id)
    return (meeting.title, meeting.starts_at, meeting.sequence, meeting.cancelled_at, meeting.minutes,
            meeting.minutes_published_at, meeting.registered_count,
            count(Registration, Registration.meeting_id == meeting_id),
            count(Attendance, Attendance.meeting_id == meeting_id), count(Idea, Idea.meeting_id == meeting_id),
            count(Meeting))
