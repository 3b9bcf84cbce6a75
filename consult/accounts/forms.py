"""Forms of the accounts blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from consult.accounts.models import CATEGORY_LABELS
from consult.core.forms import Form, choices
from consult.i18n import LANGUAGE_NAMES

PASSWORD_MIN = 12


def _email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address, e.g. name@example.fr.")),
                    Length(max=254)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def _new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200,
                                           message=_l("At least %(min)d characters.", min=PASSWORD_MIN))],
        description=_l("At least %(min)d characters. A sentence is easy to remember.", min=PASSWORD_MIN),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def _category_field():
    return SelectField(
        _l("You take part as"),
        choices=choices([("", _l("— Not specified —"))] + [(c.value, label) for c, label in CATEGORY_LABELS.items()]),
        validators=[Optional()],
    )


class RegisterForm(Form):
    """Create an account; commune and category are optional, `next` is the page the person wanted."""

    display_name = StringField(
        _l("Name shown to others"), validators=[DataRequired(), Length(max=80)],
        description=_l("A first name or a pseudonym is enough."), render_kw={"autocomplete": "nickname"},
    )
    email = _email_field()
    password, password_confirm = _new_password_fields()
    commune_id = SelectField(_l("Commune of residence"), coerce=str, validators=[Optional()],
                             description=_l("Never shown publicly."))
    category = _category_field()
    consent = BooleanField(
        _l("I have read the privacy notice and agree that my account data is processed as it describes."),
        validators=[DataRequired(message=_l("You must accept the privacy notice to create an account."))],
    )
    next = HiddenField()


class LoginForm(Form):
    """Log in."""

    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ResendConfirmationForm(Form):
    """Ask for a new confirmation link."""

    email = _email_field()


class ResetRequestForm(Form):
    """Ask for a password reset link."""

    email = _email_field()


class ResetPasswordForm(Form):
    """Choose a new password from a reset link."""

    password, password_confirm = _new_password_fields()


class ProfileForm(Form):
    """Edit one's profile."""

    display_name = StringField(_l("Name shown to others"), validators=[DataRequired(), Length(max=80)])
    commune_id = SelectField(_l("Commune of residence"), coerce=str, validators=[Optional()],
                             description=_l("Used to count participation per commune; never shown publicly."))
    category = _category_field()
    structure = StringField(_l("Structure or organisation"), validators=[Optional(), Length(max=160)],
                            description=_l("For professionals, elected officials and partners: e.g. “CCAS de Moissac”."))
    locale = SelectField(_l("Language"), choices=choices([("", _l("— Automatic —"))] + list(LANGUAGE_NAMES.items())),
                         validators=[Optional()])


class ChangePasswordForm(Form):
    """Change one's password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    password, password_confirm = _new_password_fields()


class ChangeEmailForm(Form):
    """Change one's email address (confirmed by a link sent to the new one)."""

    email = _email_field(_l("New email address"))
    password = PasswordField(_l("Current password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})


class ConfirmForm(Form):
    """An action button: only the CSRF token."""
