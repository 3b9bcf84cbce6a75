"""Messages about sign-ups and meetings, sent once the change is committed, in each person's language:
sign-up changes, a meeting's cancellation to the people expected, a registration confirmation with the .ics link."""
from __future__ import annotations

from flask import current_app

from consult.accounts.models import Role, User
from consult.accounts.services import territory_roles
from consult.core.mail import render_mail, send, send_after_commit
from consult.core.urls import external_url
from consult.groups.models import Meeting, Signup, SignupStatus
from consult.groups.services.signups import Change, waitlist_position

# The message a person gets for the status their sign-up has just taken.
TEMPLATES = {
    ("signed_up", SignupStatus.MEMBER): "group_signup_member",
    ("signed_up", SignupStatus.WAITLISTED): "group_signup_waitlisted",
    ("signed_up", SignupStatus.PENDING): "group_signup_pending",
    ("answered", SignupStatus.MEMBER): "group_signup_accepted",
    ("answered", SignupStatus.WAITLISTED): "group_signup_waitlisted",
    ("answered", SignupStatus.DECLINED): "group_signup_declined",
    ("answered", SignupStatus.REMOVED): "group_signup_removed",
    ("left", SignupStatus.WITHDRAWN): "group_signup_withdrawn",
}


def _send(signup: Signup, template: str, deliver=send) -> None:
    group = signup.group
    deliver(render_mail(template, signup.user.email, locale=signup.user.locale, signup=signup, group=group,
                     user=signup.user, position=waitlist_position(signup),
                     link=external_url("groups.detail", slug=group.territory.slug, group_id=group.id)))


def notify(change: Change, event: str) -> None:
    """Tell the person what happened (`event`: signed_up, answered, left) and the people promoted."""
    template = TEMPLATES.get((event, change.signup.status))
    if template:
        _send(change.signup, template)
    if event == "signed_up" and change.signup.status == SignupStatus.PENDING:
        _tell_coordinators(change.signup)
    for promoted in change.promoted:
        _send(promoted, "group_signup_promoted")


def notify_promoted(promoted: list[Signup], *, after_commit: bool = False) -> None:
    """Tell the people promoted from the waitlist (`after_commit`: once the current transaction is stored)."""
    for signup in promoted:
        _send(signup, "group_signup_promoted", send_after_commit if after_commit else send)


def _tell_coordinators(signup: Signup) -> None:
    """A request waits for an answer: the territory's coordinators are told (name and group only)."""
    group = signup.group
    link = external_url("groups_manage.members", slug=group.territory.slug, group_id=group.id)
    for role in territory_roles(group.territory):
        if role.role == Role.COORDINATOR and role.user.is_active:
            send(render_mail("group_signup_request", role.user.email, locale=role.user.locale, signup=signup,
                             group=group, user=role.user, link=link))


# --- meetings -------------------------------------------------------------------------------------

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
