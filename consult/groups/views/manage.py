"""Coordinators run working groups: create and edit them, answer sign-ups, manage members and the waitlist."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.core import audit
from consult.core.forms import choices
from consult.core.time import local_input, stored_utc
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.groups import mails, services
from consult.groups.services import signups, stats
from consult.groups.forms import DecisionForm, GroupForm, target_fields
from consult.groups.models import GroupStatus, JoinMode, Signup, WorkingGroup
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("groups_manage", __name__, url_prefix="/t/<slug>/manage/groups"),
                        managers_only=True)

DECISIONS = {"accept": signups.accept, "decline": signups.decline, "remove": signups.remove}


@bp.get("/")
def index():
    """Every group of the territory with seats, waitlist and requests waiting for an answer."""
    groups = services.groups_of(g.territory, include_closed=True)
    return render_template("groups/manage/index.html", territory=g.territory, groups=groups,
                           counts=services.signup_counts(g.territory))


def _prepare(form: GroupForm) -> None:
    axes = services.current_axes(g.territory)
    form.axis_id.choices = choices((axis.id, axis.title) for axis in axes)
    form.objective_ids.choices = choices(
        (objective.id, objective.title) for axis in axes for objective in axis.objectives
        if objective.archived_at is None)


def _data(form: GroupForm) -> services.GroupData:
    return services.GroupData(
        title=form.title.data, axis_id=form.axis_id.data, mission=form.mission.data or "",
        audience=form.audience.data or "", facilitators=form.facilitators.data or "", capacity=form.capacity.data,
        join_mode=JoinMode(form.join_mode.data), status=GroupStatus(form.status.data),
        signup_opens_at=stored_utc(form.signup_opens_at.data),
        signup_closes_at=stored_utc(form.signup_closes_at.data),
        objective_ids=tuple(form.objective_ids.data or ()),
        targets=tuple((category, f.data) for category, f in target_fields(form) if f.data),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Open a working group on an axis."""
    form = GroupForm()
    _prepare(form)
    if request.method == "GET" and request.args.get("axis", type=int):
        form.axis_id.data = request.args.get("axis", type=int)
    if form.validate_on_submit():
        with transaction(form) as created:
            group = services.create_group(current_user, g.territory, _data(form))
        if created.ok:
            flash(_("The group « %(title)s » is created.", title=group.title), "success")
            return redirect(url_for(".members", group_id=group.id))
    return render_template("groups/manage/form.html", territory=g.territory, form=form, group=None,
                           targets=target_fields(form))


@bp.route("/<int:group_id>/edit", methods=["GET", "POST"])
def edit(group_id: int):
    """Change a group; extra seats go to the waitlist at once."""
    group = get_or_404(WorkingGroup, group_id, g.territory)
    form = GroupForm(obj=group if request.method == "GET" else None)
    _prepare(form)
    if request.method == "GET":
        form.join_mode.data, form.status.data = group.join_mode.value, group.status.value
        form.signup_opens_at.data, form.signup_closes_at.data = local_input(group.signup_opens_at), \
            local_input(group.signup_closes_at)
        form.objective_ids.data = [objective.id for objective in group.objectives]
        minimums = {target.category: target.minimum for target in group.targets}
        for category, target_field in target_fields(form):
            target_field.data = minimums.get(category)
    if form.validate_on_submit():
        with transaction(form) as saved:  # committed before the emails go
            promoted = services.update_group(current_user, group, _data(form), now=utcnow())
        if saved.ok:
            mails.notify_promoted(promoted)
            flash(_("The group is saved."), "success")
            return redirect(url_for(".members", group_id=group.id))
    return render_template("groups/manage/form.html", territory=g.territory, form=form, group=group,
                           targets=target_fields(form))


@bp.get("/<int:group_id>/members")
def members(group_id: int):
    """Requests, members, waitlist and former members, with contact details (each reading in the audit trail)."""
    group = get_or_404(WorkingGroup, group_id, g.territory, options=services.group_page())
    return _members_page(group, read=True)


def _members_page(group: WorkingGroup, form: DecisionForm | None = None, failed: int | None = None,
                  status: int = 200, read: bool = False):
    """The members page; `failed` is the sign-up whose message was refused (shown again with its error). With
    `read`, the reading is recorded in the audit trail once the page has loaded what it shows (its own
    transaction: no read transaction is opened again after it)."""
    by_status = services.signups_by_status(group)
    summary = stats.group_summary(group)
    composition = services.composition(group)
    if read:
        audit.record_read("contacts.read", actor=current_user, territory=g.territory, target=f"group:{group.id}",
                          detail={"people": sum(len(signups) for signups in by_status.values())})
    return render_template("groups/manage/members.html", territory=g.territory, group=group,
                           by_status=by_status, composition=composition,
                           summary=summary, sentence=stats.summary_sentence(summary),
                           decision_form=form or DecisionForm(), decision_failed=failed, now=utcnow()), status


@bp.post("/signups/<int:signup_id>/<any(accept, decline, remove):decision>")
def decide(signup_id: int, decision: str):
    """Accept or decline a request, or remove a member; the person gets the message by email."""
    signup = get_or_404(Signup, signup_id, g.territory)
    form = DecisionForm()
    if form.validate_on_submit():
        with transaction() as decided:  # committed before the email goes
            change = DECISIONS[decision](current_user, signup, form.message.data or "", now=utcnow())
        if decided.ok:
            mails.notify(change, "answered")
            flash(_("%(name)s: %(status)s.", name=signup.user.display_name, status=change.signup.status.label),
                  "success")
    elif "csrf_token" in form.errors:
        flash(_("The form expired or was sent twice. Please check and send it again."), "error")
    else:  # the message is refused: shown again in its box, with the error next to it
        return _members_page(signup.group, form, failed=signup.id, status=422)
    return redirect(url_for(".members", group_id=signup.group_id))
