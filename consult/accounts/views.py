"""Accounts blueprint: register, confirm, log in and out, reset, profile."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_login.utils import _create_identifier

from consult.accounts import forms, mails, services, signin
from consult.accounts.models import Category
from consult.core.db import writes_on_get
from consult.core.forms import choices
from consult.core.transaction import transaction
from consult.core.urls import is_safe_next, local_referrer
from consult.errors import RateLimited
from consult.territories.services import list_territories, territory_communes
from consult.territories.views import read_territory_with_login_sessions

bp = Blueprint("accounts", __name__, url_prefix="/account")
REGISTERING = "registering"  # session key: the mark of the email this browser registered (services.registering_mark)


def configure_login(manager: LoginManager) -> None:
    """Load users from server-side login sessions."""
    manager.user_loader(services.load_session)
    read_territory_with_login_sessions(services.territory_and_session)  # one statement for both under /t/<slug>/
    manager.login_message = None
    manager._session_identifier_generator = _session_identifier  # noqa: SLF001 (Flask-Login's hook, no setter)

    @manager.unauthorized_handler
    def unauthorized():
        flash(_("Please log in to continue."), "info")
        # Only a page can be returned to: a form's action URL does not answer GET.
        target = request.full_path.rstrip("?") if request.method == "GET" else local_referrer()
        return redirect(url_for("accounts.login", next=target))


def _session_identifier() -> str | None:
    """Flask-Login's fingerprint of the browser (a SHA-512 of its address and User-Agent), worked out only when
    Flask-Login's own session protection is on: it hashes it on every request and keeps it in the cookie even when
    off, as here (server-side LoginSession rows end sessions instead)."""
    mode = current_app.config.get("SESSION_PROTECTION", current_app.login_manager.session_protection)
    return _create_identifier() if mode in ("basic", "strong") else None


def client_key() -> str:
    return request.remote_addr or "unknown"


@bp.app_template_global()
def return_path() -> str | None:
    """The page that login or registration links should lead back to: this page, or the `next` that an account page
    carries along (None on the home page, the account pages without one, and after a form was sent)."""
    if request.blueprint == "accounts":
        target = request.args.get("next")
        return target if is_safe_next(target) else None
    if request.method != "GET" or request.endpoint in (None, "core.home"):
        return None
    return request.full_path.rstrip("?")


def _safe_next(target: str | None) -> str | None:
    return target if is_safe_next(target) else None


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account; the answer is the same, and takes as long, whether the email is known or not. The page the
    person wanted is carried into the confirmation link. Limited per email and per address (then 429)."""
    form = forms.RegisterForm(next=request.args.get("next", ""))
    form.commune_id.choices = _commune_choices()
    if form.validate_on_submit():
        with transaction(form, show=False) as registered:  # committed before the email goes
            outcome = services.register(services.RegistrationData(
                email=form.email.data, password=form.password.data, display_name=form.display_name.data,
                locale=str(get_locale()), commune_id=int(form.commune_id.data) if form.commune_id.data else None,
                category=Category(form.category.data) if form.category.data else None,
            ), client=client_key())
        if registered.ok:
            target = _safe_next(form.next.data)
            mails.send_registration(outcome, target)
            session[REGISTERING] = services.registering_mark(form.email.data)
            return redirect(url_for("accounts.check_inbox", next=target))
        status = _show_refusal(form, registered.error)
        return render_template("accounts/register.html", form=form), status
    return render_template("accounts/register.html", form=form)


def _show_refusal(form, error) -> int:
    """Show a refusal in the form (next to its field, else in the summary) and return the page's status."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    return 429 if isinstance(error, RateLimited) else 200


@bp.get("/check-inbox")
def check_inbox():
    """Tell the visitor to look for our message."""
    return render_template("accounts/check_inbox.html", back=_safe_next(request.args.get("next")))


@bp.get("/confirm/<token>")
@writes_on_get
def confirm(token: str):
    """Confirm an email address from the emailed link, then go on to the page the person wanted: logged in when the
    link is followed for the first time in the browser that registered, else through the login page."""
    with transaction() as confirmed:
        confirmation = services.confirm_email(token)
        user = confirmation.user
        welcome = confirmation.first_time and session.get(REGISTERING) == services.registering_mark(user.email)
        if welcome:
            services.end_session(session.get("_user_id"))
            session.clear()
            services.start_session(user)
    if not confirmed.ok:
        return redirect(url_for("accounts.resend_confirmation"))
    target = _safe_next(confirmation.next_path)
    if welcome:
        login_user(user)
        flash(_("Your email address is confirmed. Welcome, %(name)s.", name=user.display_name), "success")
        return redirect(target or url_for("core.home"))
    flash(_("Your email address is confirmed. You can now log in."), "success")
    return redirect(url_for("accounts.login", next=target))


@bp.route("/confirm", methods=["GET", "POST"])
def resend_confirmation():
    """Send a new confirmation link (the same answer, and one email, for any address)."""
    form = forms.ResendConfirmationForm()
    if form.validate_on_submit():
        with transaction(show=False, refusals=RateLimited) as asked:  # committed before the email goes
            user = services.request_confirmation_link(form.email.data, client=client_key())
        if not asked.ok:
            status = _show_refusal(form, asked.error)
            return render_template("accounts/resend.html", form=form), status
        mails.send_confirmation_request(form.email.data, user, locale=str(get_locale()))
        return redirect(url_for("accounts.check_inbox"))
    return render_template("accounts/resend.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password; failed attempts are limited per account and per address."""
    form = forms.LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("core.home"))
    if form.validate_on_submit():
        with transaction(show=False, keep_on_refusal=True) as attempt:  # a failed attempt stays counted
            user = signin.authenticate(form.email.data, form.password.data, client=client_key())
            services.end_session(session.get("_user_id"))
            session.clear()
            services.start_session(user)
        if not attempt.ok:
            error = attempt.error
            if isinstance(error, signin.AccountLocked) and error.notice:
                mails.send_lock_notice(error.notice, locale=str(get_locale()))
            if isinstance(error, RateLimited):
                form.form_errors.append(error.message)  # about the account or the connection, not the password
            else:
                form.password.errors = [error.message]
            status = 429 if isinstance(error, RateLimited) else 200
            return render_template("accounts/login.html", form=form, unconfirmed=error.status_code == 409), status
        login_user(user)
        flash(_("Welcome, %(name)s.", name=user.display_name), "success")
        target = form.next.data
        return redirect(target if is_safe_next(target) else url_for("core.home"))
    return render_template("accounts/login.html", form=form, unconfirmed=False)


@bp.route("/unlock/<token>", methods=["GET", "POST"])
def unlock(token: str):
    """Unlock one's account from the link emailed when too many wrong passwords locked it. Opening the link only
    shows a button: a mail scanner that follows links must not unlock the account for a guesser."""
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return render_template("accounts/unlock.html", form=form)
    with transaction() as unlocked:  # a refused link is flashed as an error
        signin.unlock_account(token)
    if unlocked.ok:
        flash(_("Your account is unlocked. You can log in now."), "success")
    return redirect(url_for("accounts.login"))


@bp.post("/logout")
def logout():
    """End this browser's session on the server, so a copied cookie stops working."""
    form = forms.ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        with transaction(refusals=()):
            services.end_session(current_user.session_key)
        logout_user()
        session.clear()
        flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a reset link; the answer is the same, and takes as long (one email either way), whether the email is
    known or not. Limited per email and per address (then 429)."""
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        with transaction(show=False, refusals=RateLimited) as asked:  # committed before the email goes
            user = services.request_password_reset(form.email.data, client=client_key())
        if not asked.ok:
            status = _show_refusal(form, asked.error)
            return render_template("accounts/reset_request.html", form=form), status
        mails.send_reset(form.email.data, user, locale=str(get_locale()))
        return redirect(url_for("accounts.check_inbox"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    with transaction() as valid:
        services.user_for_reset_token(token)
    if not valid.ok:
        return redirect(url_for("accounts.reset_request"))
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        with transaction(refusals=()):
            services.reset_password(token, form.password.data)
        flash(_("Your password has been changed. You can log in with it now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def _commune_choices() -> list:
    options = choices([("", _("— Not specified —"))])
    for territory in list_territories():
        options += choices(((str(c.id), c.label) for c in territory_communes(territory)), optgroup=territory.name)
    return options


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit one's profile."""
    user = current_user
    form = forms.ProfileForm(obj=None if request.method == "POST" else _profile_defaults(user))
    form.commune_id.choices = _commune_choices()
    if form.validate_on_submit():
        with transaction(form) as saved:
            services.update_profile(user, services.ProfileData(
                display_name=form.display_name.data,
                commune_id=int(form.commune_id.data) if form.commune_id.data else None,
                category=Category(form.category.data) if form.category.data else None,
                structure=form.structure.data or "", locale=form.locale.data or None,
            ))
        if saved.ok:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


def _profile_defaults(user):
    class Defaults:
        display_name = user.display_name
        commune_id = str(user.commune_id or "")
        category = user.category.value if user.category else ""
        structure = user.structure
        locale = user.locale or ""

    return Defaults()


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; other browsers are logged out."""
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        with transaction(form) as changed:
            services.change_password(current_user, form.current_password.data, form.password.data)
        if changed.ok:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@login_required
def change_email():
    """Change one's email: a link is sent to the new address."""
    form = forms.ChangeEmailForm()
    if form.validate_on_submit():
        with transaction(form) as asked:  # committed before the email goes
            token = services.request_email_change(current_user, form.password.data, form.email.data)
        if asked.ok:
            mails.send_email_change(current_user, form.email.data, token)
            flash(_("We sent a confirmation link to the new address. Your address changes when you follow it."),
                  "info")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/email.html", form=form)


@bp.get("/email/confirm/<token>")
@writes_on_get
def confirm_email_change(token: str):
    """Switch to the new address from the emailed link."""
    with transaction() as confirmed:
        services.confirm_email_change(token)
    if not confirmed.ok:
        return redirect(url_for("core.home"))
    flash(_("Your email address has been changed."), "success")
    return redirect(url_for("accounts.profile") if current_user.is_authenticated else url_for("accounts.login"))

from consult.accounts import rights_views  # noqa: E402,F401  (the "My data" routes, on this blueprint)
