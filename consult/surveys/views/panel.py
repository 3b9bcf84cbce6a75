"""The residents' panel page of a territory, on the survey management blueprint: the re-contact addresses
with the day each expires, delete one, delete all (after a confirmation page)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from consult.core.transaction import transaction
from consult.errors import NotFound
from consult.surveys import forms, panel
from consult.surveys.views.manage import bp


@bp.get("/panel")
def panel_list():
    """The territory's re-contact addresses and when each expires (the reading is recorded)."""
    lines = panel.read_panel(current_user, g.territory)  # records the reading in a transaction of its own
    return render_template("surveys/manage/panel.html", territory=g.territory, lines=lines,
                           action_form=forms.ButtonForm())


@bp.post("/panel/<contact_id>/delete")
def panel_delete(contact_id: str):
    """Delete one address (a second click finds it gone and says so)."""
    if forms.ButtonForm().validate_on_submit():
        with transaction(refusals=NotFound) as deleted:
            panel.delete_panel_contact(current_user, g.territory, contact_id)
        if deleted.ok:
            flash(_("The address is deleted."), "success")
    return redirect(url_for("survey_manage.panel_list"))


@bp.route("/panel/delete-all", methods=["GET", "POST"])
def panel_clear():
    """Confirm, then delete every address of the territory's panel."""
    form = forms.ButtonForm()
    if form.validate_on_submit():
        with transaction(refusals=()):
            count = panel.clear_panel(current_user, g.territory)
        flash(ngettext("%(num)d address deleted.", "%(num)d addresses deleted.", count), "success")
        return redirect(url_for("survey_manage.panel_list"))
    return render_template("surveys/manage/panel_clear.html", territory=g.territory, form=form)
