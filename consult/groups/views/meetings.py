"""Public pages of meetings and events: the territory's agenda, a meeting's page, registration to events."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.core.forms import Form
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.errors import ConsultError
from consult.groups import permissions
from consult.groups import mails
from consult.groups.services import registrations, schedule
from consult.groups.models import Meeting
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("meetings", __name__, url_prefix="/t/<slug>"))


@bp.get("/agenda")
def agenda():
    """Upcoming meetings and events of the territory, and past ones whose minutes are published."""
    return render_template("groups/meetings/agenda.html", territory=g.territory,
                           agenda=schedule.agenda(g.territory, now=utcnow()))


@bp.get("/meetings/<int:meeting_id>")
def detail(meeting_id: int):
    """A meeting's page: when, where, agenda, registration, published minutes and ideas."""
    return _render(get_or_404(Meeting, meeting_id, g.territory, options=schedule.meeting_page()))


def _render(meeting: Meeting, status: int = 200):
    return render_template(
        "groups/meetings/detail.html", territory=g.territory, meeting=meeting, now=utcnow(),
        registration=registrations.registration_of(current_user, meeting),
        show_link=permissions.can_see_online_link(current_user, meeting),
        can_manage=permissions.can_manage_groups(current_user, g.territory), action_form=Form()), status


def _page(meeting: Meeting):
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


def _refused(meeting: Meeting, error: ConsultError):
    """Show why on the meeting's page, with the error's status (409 full or closed, 403 not allowed)."""
    return _render(meeting, error.status_code)


@bp.post("/meetings/<int:meeting_id>/register")
@login_required
def register(meeting_id: int):
    """Register to an event; a confirmation with the calendar file follows by email."""
    meeting = get_or_404(Meeting, meeting_id, g.territory)
    if not Form().validate_on_submit():
        flash(_("The form expired or was sent twice. Please check and send it again."), "error")
        return _page(meeting)
    with transaction() as registered:  # committed before the email goes
        registrations.register(current_user, meeting, now=utcnow())
    if not registered.ok:
        return _refused(meeting, registered.error)
    mails.send_registration(meeting, current_user)
    flash(_("You are registered. A confirmation is on its way to your inbox."), "success")
    return _page(meeting)


@bp.post("/meetings/<int:meeting_id>/unregister")
@login_required
def unregister(meeting_id: int):
    """Cancel one's registration: the seat goes back to others."""
    meeting = get_or_404(Meeting, meeting_id, g.territory)
    if not Form().validate_on_submit():
        flash(_("The form expired or was sent twice. Please check and send it again."), "error")
        return _page(meeting)
    with transaction() as cancelled:
        registrations.cancel_registration(current_user, meeting, now=utcnow())
    if not cancelled.ok:
        return _refused(meeting, cancelled.error)
    flash(_("Your registration is cancelled."), "success")
    return _page(meeting)
