"""Coordinator pages to import an action plan from a spreadsheet, download its template, and copy fiches from one
contract to the next (/t/<slug>/manage/plan/import, /copy)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.errors import ImportRejected
from consult.exports.responses import send_export
from consult.exports.writers import csv_chunks, write_spreadsheet
from consult.synthesis.plan_io import copy as copying
from consult.synthesis.plan_io import forms
from consult.synthesis.plan_io.importer import COLUMNS, import_plan as import_plan_file, template_rows
from consult.territories.models import Contract
from consult.territories.views import get_or_404, scope_to_territory

bp = scope_to_territory(Blueprint("plan_io", __name__, url_prefix="/t/<slug>/manage/plan"), managers_only=True)


def _plan_url(contract: Contract) -> str:
    """Where to go after an import or a copy: the contract's plan once the fiches' pages are mounted."""
    if "plan_manage.index" in current_app.view_functions:
        return url_for("plan_manage.index", contract=contract.id)
    return url_for("plan_io.import_plan")


@bp.route("/import", methods=["GET", "POST"])
def import_plan():
    """Upload a spreadsheet of fiches into a contract; every problem is listed next to the form."""
    territory = g.territory
    form = forms.ImportPlanForm()
    form.contract.choices = forms.contract_choices(territory.contracts)
    if request.method == "GET" and territory.current_contract:
        form.contract.data = str(territory.current_contract.id)
    problems = []
    if form.validate_on_submit():
        contract = get_or_404(Contract, int(form.contract.data), territory)
        with transaction(show=False, refusals=ImportRejected) as imported:
            report = import_plan_file(current_user, contract, form.file.data.read(), filename=form.file.data.filename,
                                      create_missing=form.create_missing.data, now=utcnow())
        if imported.ok:
            flash(ngettext("%(num)d fiche imported into “%(contract)s”.",
                           "%(num)d fiches imported into “%(contract)s”.", len(report.fiches),
                           contract=contract.title), "success")
            return redirect(_plan_url(contract))
        form.file.errors = [imported.error.message]
        problems = imported.error.problems
    status = 422 if problems or form.errors else 200
    return render_template("synthesis/plan_io/import.html", territory=territory, form=form, problems=problems,
                           columns=COLUMNS), status


@bp.get("/import/template.<any(xlsx, ods, csv):fmt>")
def template(fmt: str):
    """The template of the import: the header (in the reader's language) and one example line."""
    rows = template_rows()
    filename = f"{g.territory.slug}-action-plan-template.{fmt}"
    if fmt == "csv":
        return send_export(csv_chunks(rows), filename=filename, fmt="csv", private=False)
    return send_export(write_spreadsheet([(_("Action plan"), rows)], fmt), filename=filename, fmt=fmt, private=False)


@bp.route("/copy", methods=["GET", "POST"])
def copy():
    """Copy fiches of a contract into another: choose both contracts (GET), map the old axes, tick the fiches."""
    territory = g.territory
    choose = forms.ChooseContractsForm(request.args)
    choose.source.choices = choose.target.choices = forms.contract_choices(territory.contracts)
    if not request.args or not choose.validate():
        if not request.args:
            choose.preselect(territory.contracts)
        return render_template("synthesis/plan_io/copy.html", territory=territory, choose=choose,
                               form=None), 422 if choose.errors else 200
    source = get_or_404(Contract, int(choose.source.data), territory)
    target = get_or_404(Contract, int(choose.target.data), territory)
    fiches, done = copying.contract_fiches(source), copying.copied_ids(source, target)
    form = forms.copy_form(source, target, fiches, done, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        with transaction(form) as copied:
            report = copying.copy_fiches(current_user, source, target, form.mapping(), set(form.fiches.data),
                                         now=utcnow())
        if copied.ok:
            _flash_copied(report, target)
            return redirect(_plan_url(target))
    return render_template("synthesis/plan_io/copy.html", territory=territory, choose=choose, form=form,
                           source=source, target=target, fiches=fiches, done=done), 422 if form.errors else 200


def _flash_copied(report: copying.CopyReport, target: Contract) -> None:
    flash(ngettext("%(num)d fiche copied as a draft into “%(contract)s”.",
                   "%(num)d fiches copied as drafts into “%(contract)s”.", len(report.copies),
                   contract=target.title), "success")
    if report.already_copied:
        flash(ngettext("%(num)d fiche was already copied into this contract: not copied again.",
                       "%(num)d fiches were already copied into this contract: not copied again.",
                       len(report.already_copied)), "info")
