"""Coordinator pages for meetings and events under /t/<slug>/manage/meetings: list, schedule, cancel,
attendance, minutes and ideas, ideas by axis, the territory's participation summary."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from consult.accounts.models import Category
from consult.core import audit
from consult.core.forms import Form, choices
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.extensions import db
from consult.groups import forms, mails
from consult.groups.services import attendance, minutes, schedule, stats
from consult.groups.models import Attendance, Idea, Meeting, MeetingKind, WorkingGroup
from consult.territories.services import territory_communes
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("meetings_manage", __name__, url_prefix="/t/<slug>/manage/meetings"),
                        managers_only=True)


def _meeting(meeting_id: int) -> Meeting:
    return get_or_404(Meeting, meeting_id, g.territory, options=schedule.meeting_page())


@bp.get("/")
def index():
    """Upcoming and past meetings and events, with who is expected and who came."""
    now = utcnow()
    return render_template("groups/meetings/manage/index.html", territory=g.territory, now=now,
                           listing=schedule.manage_listing(g.territory, now=now))


# --- scheduling --------------------------------------------------------------------------------------

def _group_choices(form: forms.MeetingForm) -> None:
    form.group_id.choices = choices([("", _("— None: an event of the whole territory —"))]
                                    + [(group.id, group.title) for group in schedule.territory_groups(g.territory)])


def _data(form: forms.MeetingForm) -> schedule.MeetingData:
    # A group's meeting has neither a kind to choose nor places: the edit form drops those fields.
    kind = MeetingKind(form.kind.data) if "kind" in form else MeetingKind.GROUP_MEETING
    return schedule.MeetingData(
        title=form.title.data or "", day=form.day.data, start_time=form.start_time.data,
        duration_minutes=form.duration_minutes.data, kind=kind,
        place=form.place.data or "", address=form.address.data or "", accessibility=form.accessibility.data or "",
        online_url=form.online_url.data or "", agenda=form.agenda.data or "",
        capacity=form.capacity.data if "capacity" in form else None)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Schedule a group's meeting (?group=<id> or the group select) or a territory event."""
    form = forms.MeetingForm()
    _group_choices(form)
    if request.method == "GET" and request.args.get("group", type=int):
        form.group_id.data = get_or_404(WorkingGroup, request.args.get("group", type=int), g.territory).id
    if form.validate_on_submit():
        group = get_or_404(WorkingGroup, form.group_id.data, g.territory) if form.group_id.data else None
        with transaction(form) as scheduled:
            meeting = schedule.create_meeting(current_user, g.territory, _data(form), group=group, now=utcnow())
        if scheduled.ok:
            flash(_("The meeting is scheduled."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("groups/meetings/manage/form.html", territory=g.territory, form=form, meeting=None)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    """Change a meeting: its calendar entry is updated for everyone (sequence bumped)."""
    meeting = _meeting(meeting_id)
    form = forms.MeetingForm(obj=meeting if request.method == "GET" else None)
    del form.group_id
    if not meeting.is_event:
        del form.kind, form.capacity
    if request.method == "GET":
        local = schedule.utc_to_paris(meeting.starts_at)
        form.day.data, form.start_time.data = local.date(), local.time()
        if meeting.is_event:
            form.kind.data = meeting.kind.value
    if form.validate_on_submit():
        with transaction(form) as updated:
            schedule.update_meeting(current_user, meeting, _data(form), now=utcnow())
        if updated.ok:
            flash(_("The meeting is updated."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("groups/meetings/manage/form.html", territory=g.territory, form=form, meeting=meeting)


@bp.route("/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id: int):
    """Ask for confirmation, then cancel the meeting and tell the people expected by email."""
    meeting = _meeting(meeting_id)
    form = Form()
    if form.validate_on_submit():
        with transaction() as cancelled:  # committed before the emails go
            people = schedule.cancel_meeting(current_user, meeting, now=utcnow())
        if cancelled.ok:
            mails.send_cancellation(meeting, people)
            flash(ngettext("The meeting is cancelled; %(num)d person was told by email.",
                           "The meeting is cancelled; %(num)d people were told by email.", len(people)), "success")
            return redirect(url_for("meetings_manage.index"))
    return render_template("groups/meetings/manage/cancel.html", territory=g.territory, meeting=meeting, form=form,
                           expected=schedule.expected_people(meeting), now=utcnow())


# --- attendance --------------------------------------------------------------------------------------

def _guest_form(formdata=None) -> forms.GuestForm:
    form = forms.GuestForm(formdata=formdata, prefix="guest")
    communes = territory_communes(g.territory)
    form.commune_id.choices = choices([("", _("— Not known —"))] + [(c.id, c.name) for c in communes])
    return form


def _render_attendance(meeting: Meeting, form: forms.AttendanceForm | None = None,
                       guest_form: forms.GuestForm | None = None, status: int = 200, read: bool = False):
    """The attendance page; with `read`, the reading is recorded in the audit trail once the page has loaded what
    it shows (its own transaction: no read transaction is opened again after it)."""
    expected = schedule.expected_people(meeting)
    lines = attendance.attendance_list(meeting)
    summary = stats.meeting_summary(meeting)
    guest_form = guest_form or _guest_form(formdata=None)
    if read:
        audit.record_read("contacts.read", actor=current_user, territory=g.territory, target=f"meeting:{meeting.id}")
    present = {line.user_id for line in lines if line.user_id is not None}
    if form is None:
        form = forms.AttendanceForm()
        form.present.data = sorted(present)
    form.present.choices = [(person.id, person.display_name) for person in expected]
    return render_template(
        "groups/meetings/manage/attendance.html", territory=g.territory, meeting=meeting, form=form,
        guest_form=guest_form, expected=expected, lines=lines,
        summary=summary, action_form=Form(), now=utcnow()), status


@bp.get("/<int:meeting_id>/attendance")
def attendance_page(meeting_id: int):
    """Who was expected, who came, people without an account, and the meeting's participation summary (each
    reading in the audit trail)."""
    return _render_attendance(_meeting(meeting_id), read=True)


@bp.post("/<int:meeting_id>/attendance")
def record_attendance(meeting_id: int):
    """Save the ticked list: ticking twice never adds a line twice."""
    meeting = _meeting(meeting_id)
    form = forms.AttendanceForm()
    form.present.choices = [(person.id, person.display_name) for person in schedule.expected_people(meeting)]
    if not form.validate_on_submit():
        return _render_attendance(meeting, form, status=422)
    with transaction() as recorded:
        change = attendance.record_attendance(current_user, meeting, form.present.data or [], now=utcnow())
    if not recorded.ok:
        return _render_attendance(meeting, status=recorded.error.status_code)
    flash(_("Attendance saved: %(added)d added, %(removed)d removed.", added=change.added, removed=change.removed),
          "success")
    return redirect(url_for("meetings_manage.attendance_page", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/attendance/guests")
def add_guest(meeting_id: int):
    """Add someone who came without an account."""
    meeting = _meeting(meeting_id)
    form = _guest_form(formdata=request.form)
    if not form.validate_on_submit():
        return _render_attendance(meeting, guest_form=form, status=422)
    with transaction(form) as added:
        attendance.add_guest(current_user, meeting, attendance.GuestData(
            name=form.name.data, category=Category(form.category.data) if form.category.data else None,
            structure=form.structure.data or "", commune_id=form.commune_id.data), now=utcnow())
    if not added.ok:
        return _render_attendance(meeting, guest_form=form, status=added.error.status_code)
    flash(_("%(name)s is added to the attendance.", name=form.name.data.strip()), "success")
    return redirect(url_for("meetings_manage.attendance_page", meeting_id=meeting.id, _anchor="attendance-list"))


@bp.post("/<int:meeting_id>/attendance/<int:attendance_id>/remove")
def remove_attendance(meeting_id: int, attendance_id: int):
    """Remove one line of the attendance."""
    meeting = _meeting(meeting_id)
    line = db.session.get(Attendance, attendance_id)
    if line is None or line.meeting_id != meeting.id:
        abort(404)
    if Form().validate_on_submit():
        name = line.display_name
        with transaction(refusals=()):
            attendance.remove_attendance(current_user, line)
        flash(_("%(name)s is removed from the attendance.", name=name), "success")
    return redirect(url_for("meetings_manage.attendance_page", meeting_id=meeting.id, _anchor="attendance-list"))


# --- minutes and ideas -------------------------------------------------------------------------------

def _idea_form(formdata=None) -> forms.IdeaForm:
    form = forms.IdeaForm(formdata=formdata, prefix="idea")
    axes = minutes.contract_axes(g.territory)
    form.axis_id.choices = choices([("", _("— Choose an axis —"))]
                                   + [(a.id, _("Axis %(number)d: %(title)s", number=a.number, title=a.title))
                                      for a in axes])
    form.objective_id.choices = choices([("", _("— None —"))])
    for axis in axes:
        form.objective_id.choices += choices(((o.id, o.title) for o in axis.active_objectives),
                                             optgroup=_("Axis %(number)d", number=axis.number))
    return form


def _render_minutes(meeting: Meeting, minutes_form=None, idea_form=None, status: int = 200):
    if minutes_form is None:
        minutes_form = forms.MinutesForm(formdata=None, prefix="minutes", minutes=meeting.minutes)
    return render_template("groups/meetings/manage/minutes.html", territory=g.territory, meeting=meeting,
                           minutes_form=minutes_form, idea_form=idea_form or _idea_form(formdata=None),
                           action_form=Form(), now=utcnow()), status


@bp.get("/<int:meeting_id>/minutes")
def minutes_page(meeting_id: int):
    """The minutes (draft or published) and the ideas recorded for the meeting."""
    return _render_minutes(_meeting(meeting_id))


@bp.post("/<int:meeting_id>/minutes")
def save_minutes(meeting_id: int):
    """Save the minutes; publishing is a separate step."""
    meeting = _meeting(meeting_id)
    form = forms.MinutesForm(prefix="minutes")
    if not form.validate_on_submit():
        return _render_minutes(meeting, minutes_form=form, status=422)
    with transaction(form) as saved:
        minutes.save_minutes(current_user, meeting, form.minutes.data or "", now=utcnow())
    if not saved.ok:
        return _render_minutes(meeting, minutes_form=form, status=saved.error.status_code)
    flash(_("The minutes are saved."), "success")
    return redirect(url_for("meetings_manage.minutes_page", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/minutes/<any(publish, unpublish):action>")
def publish_minutes(meeting_id: int, action: str):
    """Publish the minutes on the meeting's page, or withdraw them."""
    meeting = _meeting(meeting_id)
    if Form().validate_on_submit():
        with transaction() as done:
            if action == "publish":
                minutes.publish_minutes(current_user, meeting, now=utcnow())
            else:
                minutes.unpublish_minutes(current_user, meeting)
        if done.ok:
            flash(_("The minutes are published.") if action == "publish" else _("The minutes are no longer published."),
                  "success")
    return redirect(url_for("meetings_manage.minutes_page", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/ideas")
def add_idea(meeting_id: int):
    """Record an idea raised in the meeting, tied to an axis and maybe an objective."""
    meeting = _meeting(meeting_id)
    form = _idea_form(formdata=request.form)
    if not form.validate_on_submit():
        return _render_minutes(meeting, idea_form=form, status=422)
    with transaction(form) as recorded:
        minutes.add_idea(current_user, meeting, minutes.IdeaData(
            text=form.text.data, axis_id=form.axis_id.data, objective_id=form.objective_id.data), now=utcnow())
    if not recorded.ok:
        return _render_minutes(meeting, idea_form=form, status=recorded.error.status_code)
    flash(_("The idea is recorded."), "success")
    return redirect(url_for("meetings_manage.minutes_page", meeting_id=meeting.id, _anchor="ideas"))


@bp.post("/<int:meeting_id>/ideas/<int:idea_id>/delete")
def delete_idea(meeting_id: int, idea_id: int):
    """Remove an idea."""
    meeting = _meeting(meeting_id)
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.meeting_id != meeting.id:
        abort(404)
    if Form().validate_on_submit():
        with transaction(refusals=()):
            minutes.delete_idea(current_user, idea)
        flash(_("The idea is removed."), "success")
    return redirect(url_for("meetings_manage.minutes_page", meeting_id=meeting.id, _anchor="ideas"))


# --- territory-wide pages ----------------------------------------------------------------------------

@bp.get("/ideas")
def ideas():
    """Every idea recorded in the territory's meetings, by axis of the current contract."""
    return render_template("groups/meetings/manage/ideas.html", territory=g.territory,
                           grouped=minutes.ideas_by_axis(g.territory))


@bp.get("/participation")
def participation():
    """Who took part in the territory's meetings: by category and commune, attendance rate, one sentence."""
    summary = stats.territory_summary(g.territory)
    return render_template("groups/meetings/manage/participation.html", territory=g.territory, summary=summary,
                           sentence=stats.summary_sentence(summary))
