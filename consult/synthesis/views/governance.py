"""The contract's governance under /t/<slug>/manage/governance: bodies and their members, sessions and the
decisions recorded there. Coordinators write; observers read every page without a form."""
from __future__ import annotations


from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.core.db import LARGEST_ID
from consult.core.forms import Form, one_time_token, sent_token
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.errors import ConsultError
from consult.extensions import db
from consult.synthesis.governance import bodies, decisions
from consult.synthesis.governance.forms import (
    BodyForm,
    DecisionForm,
    MemberForm,
    SessionForm,
    priority_choices,
    status_choices,
)
from consult.synthesis.models import FicheStatus, Priority
from consult.synthesis.models.governance import BodyKind, BodyMember, BodySession, DecisionKind, GovernanceBody
from consult.synthesis.axes.targets import load_plan
from consult.synthesis.permissions import can_manage_plan, can_read_plan
from consult.territories.models import Contract
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("governance", __name__, url_prefix="/t/<slug>/manage/governance"), readers_only=True)



@bp.app_context_processor
def plan_predicates():
    """The action plan's predicates for every template (the fiche page's follow-up panel reads them)."""
    return {"can_manage_plan": can_manage_plan, "can_read_plan": can_read_plan}


def load(model, ident: int, *, options=()):
    """A row of the territory, or 404 (ids beyond what the database holds too)."""
    if ident > LARGEST_ID:
        abort(404)
    return get_or_404(model, ident, g.territory, options=options)


def _contract() -> Contract:
    """The contract asked for (`?contract=<id>`), else the territory's current one; 404 when there is none."""
    wanted = request.args.get("contract", type=int)
    contracts = load_plan(g.territory)  # with their axes: fiche numbers need them while the page renders
    contract = next((c for c in contracts if c.id == wanted), None) if wanted else g.territory.current_contract
    if contract is None:
        abort(404)
    return contract


def _can_edit() -> bool:
    return can_manage_plan(current_user, g.territory)


# --- bodies ----------------------------------------------------------------------------------------------

def _index_page(contract: Contract, form: BodyForm | None = None, status: int = 200):
    return render_template(
        "synthesis/governance/index.html", territory=g.territory, contract=contract,
        bodies=bodies.bodies_of(contract), form=form or BodyForm(prefix="body"), can_edit=_can_edit(),
        contracts=sorted(g.territory.contracts, key=lambda c: c.generation)), status


@bp.get("/")
def index():
    """The contract's bodies with their members and latest session."""
    return _index_page(_contract())


def _body_data(form: BodyForm) -> bodies.BodyData:
    return bodies.BodyData(kind=BodyKind(form.kind.data), name=form.name.data, description=form.description.data or "")


@bp.post("/bodies")
def new_body():
    """Add a body (COPIL, comité de suivi, groupe projet…) to the contract."""
    contract = _contract()
    form = BodyForm(prefix="body")
    if form.validate_on_submit():
        with transaction(form) as created:
            body = bodies.create_body(current_user, contract, _body_data(form))
        if created.ok:
            flash(_("Body « %(name)s » added.", name=body.name), "success")
            return redirect(url_for(".body", body_id=body.id))
    return _index_page(contract, form, 422)


def _body_page(body: GovernanceBody, status: int = 200, **forms):
    edit = forms.get("edit") or BodyForm(prefix="body", obj=body)
    if not forms.get("edit"):
        edit.kind.data = body.kind.value
    member_forms = {m.id: MemberForm(prefix=f"member-{m.id}", obj=m) for m in body.members}
    if forms.get("member_id"):
        member_forms[forms["member_id"]] = forms["member_form"]
    session_form = forms.get("session") or SessionForm(prefix="session")
    return render_template(
        "synthesis/governance/body.html", territory=g.territory, body=body, contract=body.contract,
        edit_form=edit, member_form=forms.get("member") or MemberForm(prefix="member"), member_forms=member_forms,
        session_form=session_form, remove_form=Form(), can_edit=_can_edit(),
        decision_counts=bodies.decision_counts(body.contract)), status


def _get_body(body_id: int) -> GovernanceBody:
    body = load(GovernanceBody, body_id, options=bodies.body_page())
    body.contract.active_axes  # noqa: B018
    return body


@bp.get("/bodies/<int:body_id>")
def body(body_id: int):
    """A body: its members, its sessions and what it decided."""
    return _body_page(_get_body(body_id))


@bp.post("/bodies/<int:body_id>/edit")
def edit_body(body_id: int):
    """Rename a body or change its kind or role."""
    body = _get_body(body_id)
    form = BodyForm(prefix="body")
    if form.validate_on_submit():
        with transaction(form) as saved:
            bodies.update_body(current_user, body, _body_data(form))
        if saved.ok:
            flash(_("Body saved."), "success")
            return redirect(url_for(".body", body_id=body.id))
    return _body_page(body, 422, edit=form)


@bp.post("/bodies/<int:body_id>/members")
def add_member(body_id: int):
    """Add a member organisation and its representative."""
    body = _get_body(body_id)
    form = MemberForm(prefix="member")
    if form.validate_on_submit():
        with transaction(form) as added:
            member = bodies.add_member(current_user, body, bodies.MemberData(form.organisation.data,
                                                                               form.representative.data or ""))
        if added.ok:
            flash(_("« %(name)s » added to the members.", name=member.organisation), "success")
            return redirect(url_for(".body", body_id=body.id, _anchor="members"))
    return _body_page(body, 422, member=form)


def _get_member(member_id: int) -> BodyMember:
    """A member organisation of one of the territory's bodies, or 404."""
    member = db.session.get(BodyMember, member_id) if member_id <= LARGEST_ID else None
    if member is None or member.body.territory.id != g.territory.id:
        abort(404)
    return member


@bp.post("/members/<int:member_id>/edit")
def edit_member(member_id: int):
    """Change a member organisation or who represents it."""
    member = _get_member(member_id)
    body = _get_body(member.body_id)
    form = MemberForm(prefix=f"member-{member.id}")
    if form.validate_on_submit():
        with transaction(form) as saved:
            bodies.update_member(current_user, member, bodies.MemberData(form.organisation.data,
                                                                         form.representative.data or ""))
        if saved.ok:
            flash(_("Member saved."), "success")
            return redirect(url_for(".body", body_id=body.id, _anchor="members"))
    return _body_page(body, 422, member_id=member.id, member_form=form)


@bp.post("/members/<int:member_id>/remove")
def remove_member(member_id: int):
    """Take a member organisation out of the body."""
    if member_id <= LARGEST_ID and db.session.get(BodyMember, member_id) is None:
        flash(_("This member was already removed."), "info")  # a double click: the first request removed it
        return redirect(url_for(".index"))
    member = _get_member(member_id)
    body_id, name = member.body_id, member.organisation
    if Form().validate_on_submit():
        with transaction() as removed:
            bodies.remove_member(current_user, member)
        if removed.ok:
            flash(_("« %(name)s » removed from the members.", name=name), "success")
    else:
        flash(_("The form expired or was sent twice. Please check and send it again."), "error")
    return redirect(url_for(".body", body_id=body_id, _anchor="members"))


def _session_data(form: SessionForm) -> bodies.SessionData:
    return bodies.SessionData(held_on=form.held_on.data, title=form.title.data or "", place=form.place.data or "",
                              minutes=form.minutes.data or "")


@bp.post("/bodies/<int:body_id>/sessions")
def new_session(body_id: int):
    """Record a meeting of the body."""
    body = _get_body(body_id)
    form = SessionForm(prefix="session")
    if form.validate_on_submit():
        with transaction(form) as created:
            session = bodies.create_session(current_user, body, _session_data(form))
        if created.ok:
            flash(_("Session recorded. Record its decisions below."), "success")
            return redirect(url_for(".session", session_id=session.id))
    return _body_page(body, 422, session=form)


# --- sessions and decisions ------------------------------------------------------------------------------

def _get_session(session_id: int) -> BodySession:
    load_plan(g.territory)  # fiche numbers read their contract's axes while the page renders
    return load(BodySession, session_id, options=bodies.session_page())


def _fiche_rows(fiches, typed=None, errors=None):
    """One row per fiche of the contract: what was chosen for its status and priority, and its error."""
    typed, errors = typed or {}, errors or {}
    return [{"fiche": f, "status": typed.get(f"status-{f.id}", ""), "priority": typed.get(f"priority-{f.id}", ""),
             "error": errors.get(f"status-{f.id}") or errors.get(f"priority-{f.id}")} for f in fiches]


def _session_page(session: BodySession, status: int = 200, *, edit=None, form=None, rows=None, table_error=None):
    fiches = decisions.decidable_fiches(session.body.contract)
    if form is None:
        form = DecisionForm(prefix="decision")
        form.entry_key.data = one_time_token()
    return render_template(
        "synthesis/governance/session.html", territory=g.territory, session=session, body=session.body,
        edit_form=edit or SessionForm(prefix="session", obj=session), form=form,
        rows=rows if rows is not None else _fiche_rows(fiches), table_error=table_error,
        status_choices=status_choices(), priority_choices=priority_choices(), can_edit=_can_edit(),
        is_copil=session.body.kind is BodyKind.COPIL), status


@bp.get("/sessions/<int:session_id>")
def session(session_id: int):
    """A session: minutes, the decisions recorded and, for coordinators, the form to record one."""
    return _session_page(_get_session(session_id))


@bp.post("/sessions/<int:session_id>/edit")
def edit_session(session_id: int):
    """Change a session's date, title, place or minutes."""
    session = _get_session(session_id)
    form = SessionForm(prefix="session")
    if form.validate_on_submit():
        with transaction(form) as saved:
            bodies.update_session(current_user, session, _session_data(form))
        if saved.ok:
            flash(_("Session saved."), "success")
            return redirect(url_for(".session", session_id=session.id))
    return _session_page(session, 422, edit=form)


def _read_outcomes(fiches, data) -> tuple[list[decisions.FicheOutcome], dict[str, str]]:
    """The status and priority chosen for each fiche of the table (a value outside the lists is an error)."""
    outcomes, errors = [], {}
    statuses, priorities = {s.value: s for s in FicheStatus}, {p.value: p for p in Priority}
    for fiche in fiches:
        status, priority = data.get(f"status-{fiche.id}", ""), data.get(f"priority-{fiche.id}", "")
        if status and status not in statuses:
            errors[f"status-{fiche.id}"] = _("Choose a status from the list.")
        if priority and priority not in priorities:
            errors[f"priority-{fiche.id}"] = _("Choose a priority from the list.")
        if statuses.get(status) or priorities.get(priority):
            outcomes.append(decisions.FicheOutcome(fiche, statuses.get(status), priorities.get(priority)))
    return outcomes, errors


@bp.post("/sessions/<int:session_id>/decisions")
def record_decision(session_id: int):
    """Record a decision and apply it to the fiches it concerns, all or nothing; sent twice, it is recorded once."""
    session = _get_session(session_id)
    fiches = decisions.decidable_fiches(session.body.contract)
    form = DecisionForm(prefix="decision")
    outcomes, errors = _read_outcomes(fiches, request.form)
    table_error = None
    if form.validate_on_submit() and not errors:
        data = decisions.DecisionData(DecisionKind(form.kind.data), form.text.data or "", tuple(outcomes))
        with transaction(show=False) as recorded:
            decisions.record_decision(current_user, session, data, now=utcnow(), entry_key=sent_token(form.entry_key.data))
        if recorded.ok:
            flash(_("Decision recorded."), "success")
            return redirect(url_for(".session", session_id=session.id, _anchor="decisions"))
        if isinstance(recorded.error, decisions.AlreadyRecorded):
            flash(recorded.error.message, "info")
            return redirect(url_for(".session", session_id=session.id, _anchor="decisions"))
        table_error = _place(recorded.error, form, errors)
        session = _get_session(session_id)  # the rollback expired what the page shows
        fiches = decisions.decidable_fiches(session.body.contract)
    return _session_page(session, 422, form=form, rows=_fiche_rows(fiches, request.form, errors),
                         table_error=table_error)


def _place(error: ConsultError, form: DecisionForm, errors: dict[str, str]) -> str | None:
    """Put a refusal next to its field: a fiche's row, a field of the form, or above the table of fiches."""
    if error.field and error.field.startswith(("status-", "priority-")):
        errors[error.field] = error.message
        return _("The decision was not recorded: %(reason)s", reason=error.message)
    if error.field in ("kind", "text"):
        form[error.field].errors = [*form[error.field].errors, error.message]
        return None
    return error.message
