"""Messages about meetings: cancellation to the people expected, registration confirmation with the .ics link."""
from __future__ import annotations

from flask import current_app

from consult.accounts.models import User
from consult.core.mail import render_mail, send
from consult.core.urls import external_url
from consult.groups.models import Meeting

ICS_ENDPOINT = "calendar.meeting_ics"


def ics_url(meeting: Meeting) -> str | None:
    """The absolute address of the meeting's invitation file, when the calendar blueprint is installed."""
    if ICS_ENDPOINT not in current_app.view_functions:
        return None
    return external_url(ICS_ENDPOINT, slug=meeting.territory.slug, meeting_id=meeting.id)


def meeting_url(meeting: Meeting) -> str:
    return external_url("meetings.detail", slug=meeting.territory.slug, meeting_id=meeting.id)


def send_cancellation(meeting: Meeting, people: list[User]) -> None:
    """Tell each expected person, in their language, that the meeting will not take place."""
    for person in people:
        send(render_mail("meeting_cancelled", person.email, locale=person.locale, user=person, meeting=meeting,
                         agenda_url=external_url("meetings.agenda", slug=meeting.territory.slug)))


def send_registration(meeting: Meeting, person: User) -> None:
    """Confirm a registration to an event, with the page and the calendar file."""
    send(render_mail("meeting_registered", person.email, locale=person.locale, user=person, meeting=meeting,
                     link=meeting_url(meeting), ics_link=ics_url(meeting)))
