"""Follow-up of the fiches and the annual review, under /t/<slug>/manage/plan: a fiche's status, steps,
indicator values and notes (`/fiches/<id>/follow-up`), and the review of each year (`/reviews/<year>`).
Coordinators write; observers read every page without a form."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.core.models import utcnow
from consult.core.time import paris_date
from consult.core.transaction import transaction
from consult.synthesis.followup import review as reviews
from consult.synthesis.axes.targets import load_plan
from consult.synthesis.fiches import pages
from consult.synthesis.followup import services
from consult.synthesis.followup.forms import NoteForm, StepForm, StepStateForm, ValueForm
from consult.synthesis.governance.forms import StatusForm
from consult.synthesis.governance.statuses import change_status, next_statuses
from consult.synthesis.models import Fiche, FicheStatus, Indicator, StepState
from consult.synthesis.permissions import can_manage_plan
from consult.synthesis.views.governance import load
from consult.territories.models import Contract
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("plan_followup", __name__, url_prefix="/t/<slug>/manage/plan"), readers_only=True)



def _today():
    return paris_date(utcnow())


# --- a fiche's follow-up ---------------------------------------------------------------------------------

def _get_fiche(fiche_id: int) -> Fiche:
    return load(Fiche, fiche_id, options=pages.followup_options())


def _status_form(fiche: Fiche, form: StatusForm | None = None) -> StatusForm:
    """The moves the fiche may make (the COPIL's validation is a decision, not offered here); a posted form
    accepts any status, so that `change_status` says why a move is refused, naming the fiche."""
    if form is None:
        form = StatusForm(prefix="status", data={"decided_on": _today()})
        form.status.choices = [(s.value, s.label) for s in next_statuses(fiche)
                               if s is not FicheStatus.COPIL_VALIDATED]
    else:
        form.status.choices = [(s.value, s.label) for s in FicheStatus]
    return form


def _fiche_page(fiche: Fiche, code: int = 200, **forms):
    step_forms = {s.id: StepStateForm(prefix=f"step-{s.id}", data={"state": s.state.value, "done_on": s.done_on})
                  for s in fiche.steps}
    value_forms = {i.id: ValueForm(prefix=f"indicator-{i.id}", data={"year": _today().year}) for i in fiche.indicators}
    if "step_id" in forms:
        step_forms[forms["step_id"]] = forms["step_form"]
    if "indicator_id" in forms:
        value_forms[forms["indicator_id"]] = forms["value_form"]
    return render_template(
        "synthesis/followup/fiche.html", territory=g.territory, fiche=fiche, can_edit=can_manage_plan(
            current_user, g.territory), status_form=_status_form(fiche, forms.get("status_form")),
        step_form=forms.get("step") or StepForm(prefix="step"), step_forms=step_forms, value_forms=value_forms,
        note_form=forms.get("note") or NoteForm(prefix="note", data={"written_on": _today()}),
        verdict=services.verdict, copil_next=FicheStatus.COPIL_VALIDATED in next_statuses(fiche)), code


@bp.get("/fiches/<int:fiche_id>/follow-up")
def fiche(fiche_id: int):
    """A fiche's follow-up: status and its history, steps, indicator values per year, notes."""
    return _fiche_page(_get_fiche(fiche_id))


def _back(fiche: Fiche, anchor: str):
    return redirect(url_for(".fiche", fiche_id=fiche.id, _anchor=anchor))


@bp.post("/fiches/<int:fiche_id>/follow-up/status")
def status(fiche_id: int):
    """Change the status outside a session (the action started, is done…); the COPIL's validation is a decision."""
    fiche = _get_fiche(fiche_id)
    form = _status_form(fiche, StatusForm(prefix="status"))
    if form.validate_on_submit():
        if form.decided_on.data > _today():
            form.decided_on.errors.append(_("The date cannot be after today."))
        else:
            with transaction(form) as changed:
                change_status(current_user, fiche, FicheStatus(form.status.data), decided_on=form.decided_on.data,
                              now=utcnow())
            if changed.ok:
                flash(_("Status changed: %(status)s.", status=fiche.status.label), "success")
                return _back(fiche, "status")
            fiche = _get_fiche(fiche_id)
    return _fiche_page(fiche, 422, status_form=form)


@bp.post("/fiches/<int:fiche_id>/follow-up/steps")
def add_step(fiche_id: int):
    """Add a step to the action."""
    fiche = _get_fiche(fiche_id)
    form = StepForm(prefix="step")
    if form.validate_on_submit():
        with transaction(form) as added:
            services.add_step(current_user, fiche, form.title.data, due_on=form.due_on.data, now=utcnow())
        if added.ok:
            flash(_("Step added."), "success")
            return _back(fiche, "steps")
    return _fiche_page(fiche, 422, step=form)


@bp.post("/fiches/<int:fiche_id>/follow-up/steps/<int:step_id>")
def step(fiche_id: int, step_id: int):
    """Set a step to do, under way or done (with the day it was done)."""
    fiche = _get_fiche(fiche_id)
    step = next((s for s in fiche.steps if s.id == step_id), None) or abort(404)
    form = StepStateForm(prefix=f"step-{step.id}")
    if form.validate_on_submit():
        with transaction(form) as saved:
            services.set_step_state(current_user, step, StepState(form.state.data), done_on=form.done_on.data,
                                    today=_today())
        if saved.ok:
            flash(_("Step « %(title)s »: %(state)s.", title=step.title, state=step.state.label), "success")
            return _back(fiche, "steps")
        fiche = _get_fiche(fiche_id)
    return _fiche_page(fiche, 422, step_id=step_id, step_form=form)


@bp.post("/fiches/<int:fiche_id>/follow-up/indicators/<int:indicator_id>")
def value(fiche_id: int, indicator_id: int):
    """Record the value an indicator reached in a year (a second entry for that year replaces the first)."""
    fiche = _get_fiche(fiche_id)
    indicator: Indicator = next((i for i in fiche.indicators if i.id == indicator_id), None) or abort(404)
    form = ValueForm(prefix=f"indicator-{indicator.id}")
    if form.validate_on_submit():
        with transaction(form) as saved:
            services.record_value(current_user, indicator, form.year.data, form.value.data, note=form.note.data or "",
                                  now=utcnow())
        if saved.ok:
            flash(_("Value for %(year)s recorded.", year=form.year.data), "success")
            return _back(fiche, "indicators")
        fiche = _get_fiche(fiche_id)
    return _fiche_page(fiche, 422, indicator_id=indicator_id, value_form=form)


@bp.post("/fiches/<int:fiche_id>/follow-up/notes")
def add_note(fiche_id: int):
    """Write a dated follow-up note."""
    fiche = _get_fiche(fiche_id)
    form = NoteForm(prefix="note")
    if form.validate_on_submit():
        with transaction(form) as added:
            services.add_note(current_user, fiche, form.text.data, written_on=form.written_on.data, now=utcnow())
        if added.ok:
            flash(_("Note added."), "success")
            return _back(fiche, "notes")
        fiche = _get_fiche(fiche_id)
    return _fiche_page(fiche, 422, note=form)


# --- the annual review -----------------------------------------------------------------------------------

def _contract() -> Contract:
    wanted = request.args.get("contract", type=int)
    contracts = load_plan(g.territory)  # with their axes: fiche numbers need them while the page renders
    contract = next((c for c in contracts if c.id == wanted), None) if wanted else g.territory.current_contract
    if contract is None:
        abort(404)
    return contract


@bp.get("/reviews", endpoint="reviews")
def reviews_index():
    """The years of the contract that have begun, each with its review."""
    contract = _contract()
    return render_template("synthesis/followup/reviews.html", territory=g.territory, contract=contract,
                           years=reviews.review_years(contract, today=_today()),
                           contracts=sorted(g.territory.contracts, key=lambda c: c.generation))


@bp.get("/reviews/<int:year>")
def review(year: int):
    """The annual review of a year of the contract: the document a COPIL reads (printable)."""
    contract = _contract()
    if year not in reviews.review_years(contract, today=_today()):
        abort(404)
    return render_template("synthesis/followup/review.html", territory=g.territory, contract=contract,
                           review=reviews.annual_review(contract, year, now=utcnow()))
