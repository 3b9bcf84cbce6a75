"""Site administration: open territories (coordinators are appointed from each territory's roles page)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.core.transaction import transaction
from consult.extensions import login_manager
from consult.territories import forms, permissions, services

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _territory_data(form) -> services.TerritoryData:
    return services.TerritoryData(
        name=form.name.data.strip(), slug=form.slug.data.strip(), presentation=form.presentation.data or "",
        controller=form.controller.data or "", dpo_contact=form.dpo_contact.data or "",
        contact_email=form.contact_email.data or "",
    )


@bp.before_request
def require_admin():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    permissions.require(permissions.is_admin(current_user))
    return None


@bp.route("/", methods=["GET", "POST"])
def territories():
    """Every territory, and the form that opens a new one."""
    form = forms.TerritoryForm()
    if form.validate_on_submit():
        with transaction(form) as opened:
            territory = services.create_territory(current_user, _territory_data(form))
            services.set_epcis(current_user, territory, form.epci_pairs())
        if opened.ok:
            flash(_("The territory “%(name)s” is open. Appoint its coordinators now.", name=territory.name), "success")
            return redirect(url_for("manage.roles", slug=territory.slug))
    return render_template("admin/territories.html", form=form, territories=services.list_territories())
