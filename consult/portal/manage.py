"""Coordinator pages under /t/<slug>/manage: territory, contracts, axes, objectives, communes, roles."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import services as accounts
from consult.accounts.models import Role, TerritoryRole
from consult.core.forms import choices
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.errors import ImportRejected
from consult.portal import cockpit
from consult.territories import forms, permissions, services
from consult.territories.models import Axis, Contract, Objective, Phase
from consult.territories.views import get_or_404, scope_to_territory
from consult.territories.views.admin import _territory_data

bp = scope_to_territory(Blueprint("manage", __name__, url_prefix="/t/<slug>/manage"), managers_only=True)


@bp.get("/")
def dashboard():
    """The coordinator's cockpit: what waits, the figures per month, a way into every capability, and the
    territory's settings (contracts, communes, team)."""
    territory = services.with_contract_axes(g.territory)
    now = utcnow()
    surveys = cockpit.survey_lines(territory)
    calls, votes = cockpit.calls_and_votes(territory)
    communes, population = services.communes_summary(territory)
    return render_template(
        "manage/dashboard.html", territory=territory, communes=communes, population=population,
        roles=accounts.territory_roles(territory), action_form=forms.Form(),
        waiting=cockpit.waiting(territory, surveys, now=now), figures=cockpit.figures(territory, now=now),
        surveys=surveys, calls=calls, votes=votes,
    )


@bp.route("/edit", methods=["GET", "POST"])
def edit_territory():
    """Edit the territory's presentation, EPCIs and data-protection contacts."""
    territory = g.territory
    form = forms.TerritoryForm(obj=territory if request.method == "GET" else None)
    if request.method == "GET":
        form.epcis.data = "\n".join(f"{e.name}; {e.siren}" for e in territory.epcis)
    if form.validate_on_submit():
        with transaction(form) as saved:
            services.update_territory(current_user, territory, _territory_data(form))
            services.set_epcis(current_user, territory, form.epci_pairs())
        if saved.ok:
            flash(_("The territory is saved."), "success")
            return redirect(url_for("manage.dashboard", slug=territory.slug))
    return render_template("manage/territory_form.html", territory=territory, form=form)


def _contract_data(form) -> services.ContractData:
    return services.ContractData(
        generation=form.generation.data, title=form.title.data.strip(), start_date=form.start_date.data,
        end_date=form.end_date.data, phase=Phase(form.phase.data), summary=form.summary.data or "",
        signatories=forms.lines(form.signatories.data), partners=forms.lines(form.partners.data),
    )


@bp.route("/contracts/new", methods=["GET", "POST"])
def new_contract():
    """Add a contract (a new CLS generation), starting from an axes template."""
    territory = g.territory
    form = forms.NewContractForm()
    form.template.choices = choices(
        (key, label) for key, (label, _axes) in services.AXIS_TEMPLATES.items()
        if key != "previous" or territory.current_contract is not None
    )
    if request.method == "GET":
        form.generation.data = max((c.generation for c in territory.contracts), default=0) + 1
    if form.validate_on_submit():
        with transaction(form) as created:
            contract = services.create_contract(current_user, territory, _contract_data(form),
                                                template=form.template.data)
        if created.ok:
            flash(_("The contract is created and is now the current one."), "success")
            return redirect(url_for("manage.contract_axes", contract_id=contract.id))
    return render_template("manage/contract_form.html", territory=territory, form=form, contract=None)


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
def edit_contract(contract_id: int):
    """Edit a contract's period, phase, summary and partners."""
    territory = g.territory
    contract = get_or_404(Contract, contract_id, territory)
    form = forms.ContractForm(obj=contract if request.method == "GET" else None)
    if request.method == "GET":
        form.phase.data = contract.phase.value
        form.signatories.data = "\n".join(p.name for p in contract.signatories)
        form.partners.data = "\n".join(p.name for p in contract.other_partners)
    if form.validate_on_submit():
        with transaction(form) as saved:
            services.update_contract(current_user, contract, _contract_data(form))
        if saved.ok:
            flash(_("The contract is saved."), "success")
            return redirect(url_for("manage.dashboard"))
    return render_template("manage/contract_form.html", territory=territory, form=form, contract=contract)


@bp.post("/contracts/<int:contract_id>/current")
def make_current(contract_id: int):
    """Make a contract the territory's current one."""
    contract = get_or_404(Contract, contract_id, g.territory)
    if forms.Form().validate_on_submit():
        with transaction(refusals=()):
            services.set_current_contract(current_user, contract)
        flash(_("“%(title)s” is now the current contract.", title=contract.title), "success")
    return redirect(url_for("manage.dashboard"))


@bp.route("/contracts/<int:contract_id>/axes", methods=["GET", "POST"])
def contract_axes(contract_id: int):
    """Axes and objectives of a contract; the form on this page adds an axis."""
    contract = get_or_404(Contract, contract_id, g.territory, options=services.contract_page())
    form = forms.ItemForm(prefix="axis")
    if form.validate_on_submit():
        with transaction(refusals=()):
            services.add_axis(current_user, contract, services.ItemData(form.title.data.strip(),
                                                                        form.description.data or ""))
        flash(_("The axis is added."), "success")
        return redirect(url_for("manage.contract_axes", contract_id=contract.id))
    return render_template("manage/axes.html", territory=g.territory, contract=contract, form=form,
                           objective_form=forms.ItemForm(prefix="objective"), action_form=forms.Form())


@bp.post("/axes/<int:axis_id>/objectives")
def add_objective(axis_id: int):
    """Add an objective to an axis."""
    axis = get_or_404(Axis, axis_id, g.territory)
    form = forms.ItemForm(prefix="objective")
    if form.validate_on_submit():
        with transaction() as added:  # a refusal as a message (the page is re-rendered with 422)
            services.add_objective(current_user, axis, services.ItemData(form.title.data.strip(),
                                                                        form.description.data or ""))
        if added.ok:
            flash(_("The objective is added."), "success")
            return redirect(url_for("manage.contract_axes", contract_id=axis.contract_id, _anchor=f"axis-{axis.id}"))
    return render_template("manage/axes.html", territory=g.territory, contract=axis.contract,
                           form=forms.ItemForm(prefix="axis", formdata=None), objective_form=form,
                           objective_axis=axis, action_form=forms.Form()), 422


ITEM_MODELS = {"axes": Axis, "objectives": Objective}


def _item(kind: str, item_id: int):
    return get_or_404(ITEM_MODELS[kind], item_id, g.territory)


def _back(item) -> str:
    axis = item if isinstance(item, Axis) else item.axis
    return url_for("manage.contract_axes", contract_id=axis.contract_id, _anchor=f"axis-{axis.id}")


@bp.route("/<any(axes, objectives):kind>/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(kind: str, item_id: int):
    """Edit the wording of an axis or objective."""
    item = _item(kind, item_id)
    form = forms.ItemForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        with transaction(refusals=()):
            services.update_item(current_user, item, services.ItemData(form.title.data.strip(),
                                                                       form.description.data or ""))
        flash(_("Saved."), "success")
        return redirect(_back(item))
    return render_template("manage/item_form.html", territory=g.territory, item=item, kind=kind, form=form,
                           back=_back(item))


@bp.post("/<any(axes, objectives):kind>/<int:item_id>/<any(up, down, archive, restore):action>")
def item_action(kind: str, item_id: int, action: str):
    """Move, archive or restore an axis or objective."""
    item = _item(kind, item_id)
    if forms.Form().validate_on_submit():
        with transaction():
            if action in ("up", "down"):
                services.move_item(current_user, item, -1 if action == "up" else 1)
            elif action == "archive":
                services.archive_item(current_user, item)
                flash(_("“%(title)s” is archived.", title=item.title), "success")
            else:
                services.restore_item(current_user, item)
                flash(_("“%(title)s” is restored.", title=item.title), "success")
    return redirect(_back(item))


@bp.route("/communes", methods=["GET", "POST"])
def communes():
    """The territory's communes and the CSV import."""
    territory = g.territory
    form = forms.ImportCommunesForm()
    problems = []
    if form.validate_on_submit():
        with transaction(show=False, refusals=ImportRejected) as imported:
            report = services.import_communes(current_user, territory, form.file.data.read())
        if not imported.ok:
            form.file.errors = [imported.error.message]
            problems = imported.error.problems
        else:
            flash(_("Import done. Communes added: %(added)d; updated: %(updated)d; unchanged: %(unchanged)d.",
                    added=report.added, updated=report.updated, unchanged=report.unchanged), "success")
            return redirect(url_for("manage.communes"))
    status = 422 if problems else 200
    return render_template("manage/communes.html", territory=territory, form=form, problems=problems,
                           communes=services.territory_communes(territory)), status


@bp.route("/roles", methods=["GET", "POST"])
def roles():
    """Coordinators and observers of the territory; appoint by email."""
    territory = g.territory
    form = forms.AppointForm()
    form.role.choices = [c for c in form.role.choices if permissions.can_appoint(current_user, territory, Role(c.value))]
    if form.validate_on_submit():
        with transaction(form) as appointed:
            appointment = accounts.appoint(current_user, territory, form.email.data, Role(form.role.data))
        if appointed.ok:
            message = (_("%(name)s is now a coordinator of the territory.", name=appointment.user.display_name)
                       if appointment.role is Role.COORDINATOR
                       else _("%(name)s is now an observer of the territory.", name=appointment.user.display_name))
            flash(message, "success")
            return redirect(url_for("manage.roles"))
    return render_template("manage/roles.html", territory=territory, form=form,
                           roles=accounts.territory_roles(territory), action_form=forms.Form())


@bp.post("/roles/<int:role_id>/revoke")
def revoke_role(role_id: int):
    """Remove a coordinator or observer."""
    appointment = get_or_404(TerritoryRole, role_id, g.territory)
    if forms.Form().validate_on_submit():
        with transaction() as revoked:
            accounts.revoke(current_user, appointment)
        if revoked.ok:
            flash(_("The role is removed."), "success")
    return redirect(url_for("manage.roles"))
