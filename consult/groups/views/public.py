"""Working groups for everyone: the list by axis, a group's page, signing up, leaving."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.core.forms import Form
from consult.core.models import utcnow
from consult.core.pagecache import kept_for_visitors
from consult.core.transaction import transaction
from consult.groups import mails, permissions, services
from consult.groups.services import signups
from consult.groups.forms import SignupForm
from consult.groups.models import Meeting, SignupStatus, WorkingGroup
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("groups", __name__, url_prefix="/t/<slug>/groups"))

OUTCOME_MESSAGES = {
    SignupStatus.MEMBER: lambda: _("You are a member of the group. A confirmation has been sent by email."),
    SignupStatus.WAITLISTED: lambda: _("The group is full: you are on its waitlist. You will get an email if a "
                                       "seat frees up."),
    SignupStatus.PENDING: lambda: _("Your request has been sent to the coordinators. You will get their answer "
                                    "by email."),
}


@bp.get("/")
@kept_for_visitors
def index():
    """Working groups by axis, with places left and the current mix."""
    now = utcnow()
    by_axis = services.groups_by_axis(g.territory)
    mixes = services.compositions([group for _axis, groups in by_axis for group in groups])
    by_axis = [(axis, [(group, mixes[group.id]) for group in groups]) for axis, groups in by_axis]
    return render_template("groups/index.html", territory=g.territory, by_axis=by_axis, now=now)


@bp.get("/<int:group_id>")
def detail(group_id: int):
    """A group: mission, seats, composition, meetings, and the visitor's own sign-up."""
    group = get_or_404(WorkingGroup, group_id, g.territory, options=services.group_page())
    signup = permissions.membership(current_user, group)
    is_member = signup is not None and signup.status == SignupStatus.MEMBER
    roster = services.member_roster(current_user, group) if is_member else None
    return render_template(
        "groups/detail.html", territory=g.territory, group=group, signup=signup, roster=roster,
        position=signups.waitlist_position(signup) if signup else None, now=utcnow(),
        composition=services.composition(group), meetings=_meetings(group), action_form=Form())


def _meetings(group: WorkingGroup) -> dict[str, list[Meeting]]:
    now = utcnow()
    visible = [m for m in group.meetings if m.cancelled_at is None]
    return {"upcoming": [m for m in visible if not m.is_past(now)],
            "past": [m for m in reversed(visible) if m.is_past(now)]}


@bp.route("/<int:group_id>/join", methods=["GET", "POST"])
@login_required
def join(group_id: int):
    """Sign up: profile details shown for checking, motivation, availability, consent to the roster."""
    group = get_or_404(WorkingGroup, group_id, g.territory)
    signup = permissions.membership(current_user, group)
    if signup is not None and signup.status.is_active:
        return redirect(url_for(".detail", group_id=group.id))
    form = SignupForm()
    if form.validate_on_submit():
        with transaction(form) as signed_up:  # committed before the email goes
            change = signups.sign_up(current_user, group, signups.SignupData(
                motivation=form.motivation.data or "", morning=form.morning.data, afternoon=form.afternoon.data,
                evening=form.evening.data, shown_to_members=form.shown_to_members.data), now=utcnow())
        if signed_up.ok:
            mails.notify(change, "signed_up")
            flash(OUTCOME_MESSAGES[change.signup.status](), "success")
            return redirect(url_for(".detail", group_id=group.id))
    return render_template("groups/join.html", territory=g.territory, group=group, form=form,
                           open=group.signup_window_open(utcnow()))


@bp.post("/<int:group_id>/withdraw")
@login_required
def withdraw(group_id: int):
    """Leave the group, its waitlist, or withdraw a pending request."""
    group = get_or_404(WorkingGroup, group_id, g.territory)
    with transaction() as left:  # committed before the email goes
        change = signups.withdraw(current_user, group, now=utcnow())
    if left.ok:
        mails.notify(change, "left")
        flash(_("You have left the group. Thank you for your participation."), "success")
    return redirect(url_for(".detail", group_id=group.id))
