"""Meeting reminders: an email to everyone expected at a meeting starting within 48 hours, sent once.

"Once" rests on the unique (meeting, person) row of `meeting_reminders`: the row is inserted, in a
savepoint, before the message leaves; a second run (or one running at the same time) hits the
constraint and skips that person. A message that cannot be sent has its row deleted, so that the
next run tries again. This is a batch job: unlike services, it commits, once per meeting.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.core.mail import Mail, render_mail, send
from consult.extensions import db
from consult.groups.models import Meeting, Registration, Reminder, Signup, SignupStatus

REMINDER_WINDOW = dt.timedelta(hours=48)
AGENDA_EXCERPT_CHARS = 600


@dataclass
class ReminderRun:
    """What a run did: reminders sent, and the (meeting id, email, error) of those that failed."""

    sent: int = 0
    failed: list[tuple[int, str, str]] = field(default_factory=list)


def due_meetings(*, now: dt.datetime) -> list[Meeting]:
    """Meetings not cancelled that start after `now` and within the reminder window (naive UTC)."""
    return list(db.session.scalars(
        select(Meeting)
        .where(Meeting.cancelled_at.is_(None), Meeting.starts_at > now, Meeting.starts_at <= now + REMINDER_WINDOW)
        .order_by(Meeting.starts_at, Meeting.id)
    ))


def expected_people(meeting: Meeting) -> list[User]:
    """Members of the meeting's group, or people registered to the event (registration not cancelled);
    disabled accounts left out."""
    if meeting.group_id is not None:
        query = (select(User).join(Signup, Signup.user_id == User.id)
                 .where(Signup.group_id == meeting.group_id, Signup.status == SignupStatus.MEMBER))
    else:
        query = (select(User).join(Registration, Registration.user_id == User.id)
                 .where(Registration.meeting_id == meeting.id, Registration.cancelled_at.is_(None)))
    return list(db.session.scalars(query.where(User.is_disabled.is_(False)).order_by(User.id)))


def agenda_excerpt(agenda: str, limit: int = AGENDA_EXCERPT_CHARS) -> str:
    """The agenda's beginning, cut at a word boundary, with an ellipsis when cut."""
    text = agenda.strip().replace("\r\n", "\n")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip() + " …"


def reminder_mail(meeting: Meeting, user: User, *, page_url: str, ics_url: str) -> Mail:
    """The reminder, in the recipient's language, times in Europe/Paris."""
    return render_mail("meeting_reminder", user.email, locale=user.locale, user=user, meeting=meeting,
                       agenda=agenda_excerpt(meeting.agenda), page_url=page_url, ics_url=ics_url)


def _claim(meeting: Meeting, user: User, now: dt.datetime) -> Reminder | None:
    """Insert the "sent" mark in a savepoint; None when someone already holds it."""
    try:
        with db.session.begin_nested():
            reminder = Reminder(meeting_id=meeting.id, user_id=user.id, sent_at=now)
            db.session.add(reminder)
        return reminder
    except IntegrityError:
        return None


def send_reminders(*, now: dt.datetime, page_url: Callable[[Meeting], str], ics_url: Callable[[Meeting], str],
                   deliver: Callable[[Mail], None] = send) -> ReminderRun:
    """Remind everyone expected at each due meeting who has not been reminded yet; commits per meeting.

    Raises nothing: a failed delivery is counted in `failed` and its mark removed for the next run.
    """
    run = ReminderRun()
    for meeting in due_meetings(now=now):
        done = set(db.session.scalars(select(Reminder.user_id).where(Reminder.meeting_id == meeting.id)))
        for user in expected_people(meeting):
            reminder = None if user.id in done else _claim(meeting, user, now)
            if reminder is None:
                continue
            try:
                deliver(reminder_mail(meeting, user, page_url=page_url(meeting), ics_url=ics_url(meeting)))
            except Exception as error:  # noqa: BLE001  (SMTP, network, template: retried next run)
                db.session.delete(reminder)
                db.session.flush()
                run.failed.append((meeting.id, user.email, f"{type(error).__name__}: {error}"))
            else:
                run.sent += 1
        db.session.commit()
    return run
