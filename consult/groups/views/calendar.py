"""Calendar downloads: a meeting's .ics file, each person's private feed, and managing that feed's address."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.core.urls import external_url
from consult.groups import permissions
from consult.groups.services import calendar
from consult.groups.models import Meeting
from consult.territories.views import get_or_404, get_territory_or_404

bp = Blueprint("calendar", __name__)

ICS_MIMETYPE = "text/calendar; charset=utf-8"
MEETING_PAGE = "meetings.detail"  # the meeting's public page (consult/groups/views/meetings.py)


def meeting_page_url(meeting: Meeting) -> str:
    """The absolute address of the meeting's page (calendar files and emails are read off the site)."""
    return external_url(MEETING_PAGE, slug=meeting.territory.slug, meeting_id=meeting.id)


def meeting_ics_url(meeting: Meeting) -> str:
    """The absolute address of the meeting's .ics file."""
    return external_url("calendar.meeting_ics", slug=meeting.territory.slug, meeting_id=meeting.id)


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, content_type=ICS_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/t/<slug>/meetings/<int:meeting_id>.ics")
def meeting_ics(slug: str, meeting_id: int):
    """A meeting's invitation; the video link only for the people expected and the coordinators."""
    meeting = get_or_404(Meeting, meeting_id, get_territory_or_404(slug))
    body = calendar.meeting_ics(meeting, url=meeting_page_url(meeting),
                                include_online_link=permissions.can_see_online_link(current_user, meeting))
    response = _ics(body, f"{slug}-meeting-{meeting.id}.ics")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """A person's private feed of their meetings, for calendar apps (no login: the token is the key)."""
    user = calendar.user_for_token(token)
    if user is None:
        abort(404)
    since = utcnow() - dt.timedelta(days=calendar.FEED_HISTORY_DAYS)
    body = calendar.feed_ics(user, calendar.meetings_for(user, since=since), url_for_meeting=meeting_page_url)
    response = _ics(body, "consult.ics")
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/account/calendar")
@login_required
def create_feed():
    """Create the person's private calendar address, or replace it (the old one stops working)."""
    with transaction(refusals=()):
        token = calendar.create_feed(current_user, now=utcnow())
    current_app.logger.info("calendar feed created user=%s", current_user.id)
    flash(_("Your private calendar address is %(url)s — copy it into your calendar application now: "
            "it will not be shown again.", url=external_url("calendar.feed", token=token)), "success")
    return redirect(url_for("participation.index"))


@bp.post("/account/calendar/revoke")
@login_required
def revoke_feed():
    """Delete the person's private calendar address: calendars subscribed to it stop updating."""
    with transaction(refusals=()):
        revoked = calendar.revoke_feed(current_user)
    if revoked:
        flash(_("Your private calendar address no longer works."), "success")
    return redirect(url_for("participation.index"))
