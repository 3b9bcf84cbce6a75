"""The action plan for its writers and readers (/t/<slug>/manage/plan): the plan by axis, a fiche as the COPIL
reads it, writing and editing, versions and their comparison, publication, avenants, citations, and the draft
from an axis's synthesis. Observers read every page; only coordinators and admins see forms."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from consult.core.forms import choices, one_time_token, sent_token
from consult.core.models import utcnow
from consult.core.transaction import Outcome, transaction
from consult.errors import InvalidInput
from consult.synthesis.axes.targets import current_contract, load_plan
from consult.synthesis.fiches import evidence, forms, pages, services
from consult.synthesis.fiches.compare import compare
from consult.synthesis.models import Fiche, ParticipationLevel, Priority
from consult.synthesis.permissions import can_manage_plan
from consult.territories.models import Axis, Contract
from consult.territories.permissions import require
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("plan_manage", __name__, url_prefix="/t/<slug>/manage/plan"), readers_only=True)



@bp.context_processor
def _helpers():
    # The error page of an unknown territory renders under this blueprint too, without g.territory.
    if "territory" not in g:
        return {}
    return {"can_write": can_manage_plan(current_user, g.territory), **pages.template_helpers()}


def get_in_territory(model, ident: int, *, options=()):
    """A row of this territory, or 404 (an id too large for the database too)."""
    if not 0 < ident <= evidence.MAX_ID:
        abort(404)
    return get_or_404(model, ident, g.territory, options=options)


def _fiche(fiche_id: int, options=None) -> Fiche:
    return get_in_territory(Fiche, fiche_id, options=pages.fiche_page_options() if options is None else options)


def _contract(contract_id: int | None) -> Contract:
    contracts = load_plan(g.territory)
    if contract_id is not None:
        found = next((c for c in contracts if c.id == contract_id), None)
        if found is None:
            abort(404)
        return found
    contract = g.territory.current_contract or (contracts[0] if contracts else None)
    if contract is None:
        abort(404)
    return contract


@bp.get("/")
def index():
    """The fiches of a contract (the current one by default) by axis and objective."""
    contract = _contract(request.args.get("contract", type=int))
    return render_template("synthesis/fiches/index.html", territory=g.territory, contract=contract,
                           plan=pages.plan_of(contract), contracts=g.territory.contracts,
                           avenants=services.avenants_of(contract), signed=services.is_signed(contract))


def _choices(form: forms.FicheForm, contract: Contract, communes=None) -> None:
    axes = contract.active_axes
    form.axis_id.choices = choices([(0, _("— Choose an axis —"))] +
                                   [(a.id, _("Axis %(n)d — %(title)s", n=a.number, title=a.title)) for a in axes])
    form.objective_id.choices = choices([(0, _("— No particular objective —"))]) + [
        choice for axis in axes
        for choice in choices(((o.id, o.title) for o in axis.active_objectives),
                              optgroup=_("Axis %(n)d", n=axis.number))]
    form.commune_ids.choices = choices((c.id, c.label) for c in (
        pages.communes_of(contract.territory) if communes is None else communes))
    form.participation_level.choices = choices([("", _("— Not said —"))] +
                                               [(p.value, p.label) for p in ParticipationLevel])
    form.priority.choices = choices([("", _("— Not said —"))] + [(p.value, p.label) for p in Priority])
    form.governance_body_id.choices = choices([(0, _("— None —"))] +
                                              [(b.id, b.name) for b in services.bodies_of(contract)])
    form.avenant_id.choices = choices([(0, _("— None —"))] + [
        (a.id, _("Avenant no. %(n)d — %(title)s", n=a.number, title=a.title))
        for a in services.avenants_of(contract)])


def _render_form(form, contract, fiche=None, status: int = 200):
    return render_template("synthesis/fiches/form.html", territory=g.territory, contract=contract, fiche=fiche,
                           form=form, signed=services.is_signed(contract)), status


@bp.route("/fiches/new", methods=["GET", "POST"])
def new():
    """Write a new fiche (on the axis given by `?axis=`); a form sent twice creates it once."""
    contract = current_contract(g.territory)
    if contract is None:
        abort(404)
    require(can_manage_plan(current_user, g.territory))
    form = forms.FicheForm()
    _choices(form, contract)
    if request.method == "GET":
        form.form_token.data = one_time_token()
        axis_id = request.args.get("axis", type=int)
        if axis_id and any(a.id == axis_id for a in contract.active_axes):
            form.axis_id.data = axis_id
        return _render_form(form, contract)
    if "add_rows" in request.form:
        form.add_rows()
        return _render_form(form, contract)
    if not form.validate_on_submit():
        return _render_form(form, contract, status=422)
    token = sent_token(form.form_token.data)
    try:
        with transaction(form) as saved:
            fiche = services.create_fiche(current_user, contract, form.data_for_service(), now=utcnow(), token=token)
    except IntegrityError:  # the same form sent twice at once: the first request created the fiche
        fiche, saved = services.fiche_by_token(token), Outcome()
        if fiche is None:
            raise
    if not saved.ok:
        return _render_form(form, contract, status=422)
    flash(_("Fiche %(number)s is saved as a draft.", number=fiche.number), "success")
    return redirect(url_for("plan_manage.fiche", fiche_id=fiche.id))


@bp.route("/fiches/<int:fiche_id>/edit", methods=["GET", "POST"])
def edit(fiche_id: int):
    """Edit a fiche: each save keeps a version."""
    fiche = _fiche(fiche_id, pages.form_options())
    require(can_manage_plan(current_user, g.territory))
    communes = pages.communes_for_form(g.territory, fiche)  # fills fiche.communes too
    if request.method == "GET":
        data = services.FicheData.of(fiche)
        form = forms.FicheForm(obj=data)
        form.scope.data = "whole" if data.whole_territory else "communes"
        form.avenant_id.data = data.avenant_id or 0
        form.pad()
    else:
        form = forms.FicheForm()
    _choices(form, fiche.contract, communes)
    if request.method == "GET" or "add_rows" in request.form:
        if request.method == "POST":
            form.add_rows()
        return _render_form(form, fiche.contract, fiche)
    if not form.validate_on_submit():
        return _render_form(form, fiche.contract, fiche, status=422)
    with transaction(form) as saved:
        services.update_fiche(current_user, fiche, form.data_for_service(), now=utcnow())
    if not saved.ok:
        return _render_form(form, fiche.contract, fiche, status=422)
    flash(_("Fiche %(number)s is saved (version %(version)d).", number=fiche.number, version=fiche.version_count),
          "success")
    return redirect(url_for("plan_manage.fiche", fiche_id=fiche.id))


@bp.get("/fiches/<int:fiche_id>/")
def fiche(fiche_id: int):
    """A fiche as a COPIL reads it: every field, the budget, the indicators and the evidence it cites."""
    item = _fiche(fiche_id)
    writer = can_manage_plan(current_user, g.territory)
    return render_template("synthesis/fiches/fiche.html", territory=g.territory, fiche=item,
                           page=pages.fiche_page(item, free_texts=writer), button=forms.ButtonForm())


@bp.get("/fiches/<int:fiche_id>/citations", endpoint="cite_form")
def cite_page(fiche_id: int):
    """The form to cite more evidence: the survey figures, proposals, ideas, tagged texts of the fiche's axis and
    the working groups (coordinators and admins)."""
    item = _fiche(fiche_id, pages.core_options())
    require(can_manage_plan(current_user, g.territory))
    form = forms.CitationForm()
    shown = []
    for name, options in evidence.citable(item).items():
        form[name].choices = choices([("", _("— Choose —"))] + options)
        if options:
            shown.append(name)
    return render_template("synthesis/fiches/cite.html", territory=g.territory, fiche=item, cite_form=form,
                           shown=shown)


@bp.get("/fiches/<int:fiche_id>/versions")
def versions(fiche_id: int):
    """Every version of the fiche: when, by whom, under which avenant."""
    item = _fiche(fiche_id, pages.versions_options())
    return render_template("synthesis/fiches/versions.html", territory=g.territory, fiche=item)


def _version_number(name: str, default: int) -> int:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else default


@bp.get("/fiches/<int:fiche_id>/compare", endpoint="compare")
def compare_versions(fiche_id: int):
    """Two versions side by side (the last two by default), the changed fields marked."""
    item = _fiche(fiche_id, pages.versions_options())
    if not item.versions:
        abort(404)
    last = item.versions[-1].number
    a_number = _version_number("a", max(1, last - 1))
    b_number = _version_number("b", last)
    found = {v.number: v for v in item.versions}
    if a_number not in found or b_number not in found:
        abort(404)
    a, b = found[a_number], found[b_number]
    rows = compare(a, b, {c.insee_code: c.name for c in pages.communes_of(g.territory)})
    return render_template("synthesis/fiches/compare.html", territory=g.territory, fiche=item, a=a, b=b, rows=rows,
                           changed=sum(r.changed for r in rows))


@bp.post("/fiches/<int:fiche_id>/publish")
def publish(fiche_id: int):
    """Show the fiche on the public action plan."""
    item = _fiche(fiche_id)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    with transaction(refusals=()):
        services.publish_fiche(current_user, item, now=utcnow())
    flash(_("Fiche %(number)s is on the public action plan.", number=item.number), "success")
    return redirect(url_for("plan_manage.fiche", fiche_id=item.id))


@bp.post("/fiches/<int:fiche_id>/unpublish")
def unpublish(fiche_id: int):
    """Take the fiche off the public action plan."""
    item = _fiche(fiche_id)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    with transaction(refusals=()):
        services.unpublish_fiche(current_user, item, now=utcnow())
    flash(_("Fiche %(number)s is no longer public.", number=item.number), "success")
    return redirect(url_for("plan_manage.fiche", fiche_id=item.id))


@bp.route("/contracts/<int:contract_id>/avenants", methods=["GET", "POST"])
def avenants(contract_id: int):
    """The avenants of a contract, and a form to record one (signed contracts)."""
    contract = _contract(contract_id)
    form = forms.AvenantForm()
    status = 200
    if request.method == "POST":
        require(can_manage_plan(current_user, g.territory))
        if form.validate_on_submit():
            with transaction(form) as saved:
                avenant = services.add_avenant(current_user, contract, form.title.data, form.signed_on.data)
            if saved.ok:
                flash(_("Avenant no. %(n)d is recorded.", n=avenant.number), "success")
                return redirect(url_for("plan_manage.avenants", contract_id=contract.id))
        status = 422
    return render_template("synthesis/fiches/avenants.html", territory=g.territory, contract=contract, form=form,
                           avenants=services.avenants_of(contract), signed=services.is_signed(contract),
                           fiches=pages.fiches_by_avenant(contract)), status


@bp.post("/axes/<int:axis_id>/draft")
def draft_from_axis(axis_id: int):
    """Draft a fiche from an axis's synthesis: the evidence chosen there becomes its citations. A reference
    unknown or of another territory is refused (422) and nothing is created."""
    axis = get_in_territory(Axis, axis_id)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    token = sent_token(request.form.get("form_token"))
    try:
        with transaction(refusals=()):
            chosen = request.form.get("objective_id", "").strip()
            objective_id = evidence.parse_id(chosen) if chosen not in ("", "0") else None
            fiche = evidence.draft_from_evidence(current_user, axis, title=request.form.get("title", "")[:250],
                                                 objective_id=objective_id, refs=evidence.refs_from(request.form),
                                                 now=utcnow(), token=token)
    except IntegrityError:
        fiche = services.fiche_by_token(token)
        if fiche is None:
            raise
    flash(_("Fiche %(number)s is drafted with %(count)d citations. Complete it, and remove the partners who do "
            "not take part.", number=fiche.number, count=len(fiche.citations)), "success")
    return redirect(url_for("plan_manage.edit", fiche_id=fiche.id))


@bp.post("/fiches/<int:fiche_id>/citations")
def cite(fiche_id: int):
    """Cite more evidence on the fiche."""
    item = _fiche(fiche_id)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    with transaction(refusals=InvalidInput) as saved:  # a refusal of permission is a 403, not a message
        added = evidence.add_citations(current_user, item, evidence.refs_from(request.form))
    if saved.ok:
        flash(_("%(count)d citations added.", count=added) if added else _("The fiche already cites this."),
              "success")
    return redirect(url_for("plan_manage.fiche", fiche_id=item.id, _anchor="evidence"))


@bp.post("/fiches/<int:fiche_id>/citations/<int:citation_id>/remove")
def uncite(fiche_id: int, citation_id: int):
    """Stop citing one piece of evidence."""
    item = _fiche(fiche_id)
    if not forms.ButtonForm().validate_on_submit():
        abort(400)
    with transaction(refusals=()):
        evidence.remove_citation(current_user, item, citation_id)
    flash(_("The citation is removed."), "success")
    return redirect(url_for("plan_manage.fiche", fiche_id=item.id, _anchor="evidence"))
