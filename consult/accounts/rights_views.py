"""The person's rights over their data, on the accounts blueprint: see and download what Consult holds about them
("My data"), delete their account."""
from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired

from consult.accounts import erasure, rights
from consult.accounts.views import bp
from consult.core.forms import Form
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.exports.responses import send_export


class DeleteAccountForm(Form):
    """Deleting one's account: the password, and a box saying the person understood."""

    password = PasswordField(_l("Your password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    understood = BooleanField(_l("I understand: my account will be deleted for good."),
                              validators=[DataRequired(message=_l("Tick this box to delete your account."))])


@bp.get("/data")
@login_required
def my_data():
    """What Consult holds about the person, part by part, with the download and the way to delete the account."""
    counts = rights.section_counts(current_user)
    parts = [(section.title, counts[section.name]) for section in rights.SECTIONS.values()]
    return render_template("accounts/data.html", parts=parts)


@bp.get("/data/download")
@login_required
def download_data():
    """Everything held about the person, as a ZIP of JSON and CSV files (never kept by a cache)."""
    now = utcnow()
    archive = rights.personal_data_zip(current_user, now=now)
    return send_export(archive, filename=f"consult-my-data-{now:%Y-%m-%d}.zip", fmt="zip")


@bp.route("/data/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete one's account after typing the password: personal data erased, contributions kept without a name."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        with transaction(form) as deleted:  # the waitlist's promotion emails leave once this is stored
            erasure.delete_own_account(current_user._get_current_object(), form.password.data)
        if deleted.ok:
            logout_user()
            session.clear()
            flash(_("Your account is deleted. Thank you for your participation."), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/data_delete.html", form=form)
