"""Forms for managing territories, contracts, axes, objectives, communes and roles."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from consult.core.forms import Form, choices
from consult.territories.models import PHASE_LABELS, ROLE_LABELS

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def lines(text: str | None) -> tuple[str, ...]:
    """Non-empty stripped lines of a textarea."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


class TerritoryForm(Form):
    """Create or edit a territory."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    slug = StringField(
        _l("Web address"), validators=[DataRequired(), Length(max=80),
                                       Regexp(SLUG_RE, message=_l("Lower-case letters, digits and hyphens only."))],
        description=_l("Appears in links: /t/<address>/. Lower-case letters, digits and hyphens."),
    )
    presentation = TextAreaField(_l("Presentation"), validators=[Optional(), Length(max=10000)],
                                 description=_l("Markdown: **bold**, *italic*, lists, links."))
    epcis = TextAreaField(
        _l("Intercommunalities (EPCI)"), validators=[Optional()],
        description=_l("One per line: name; SIREN (9 digits)."),
    )
    controller = StringField(_l("Data controller"), validators=[Optional(), Length(max=200)],
                             description=_l("Usually the intercommunality carrying the CLS."))
    dpo_contact = StringField(_l("Data protection officer (contact)"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(_l("Contact email of the coordination"),
                               validators=[Optional(), Email(), Length(max=254)])

    def validate_epcis(self, field):
        for number, line in enumerate(lines(field.data), start=1):
            name, _sep, siren = line.rpartition(";")
            if not name.strip() or not re.fullmatch(r"\d{9}", siren.strip()):
                raise ValidationError(_l("Line %(n)d: write “name; SIREN” with a 9-digit SIREN.", n=number))

    def epci_pairs(self) -> list[tuple[str, str]]:
        return [(name.strip(), siren.strip()) for name, _s, siren in (l.rpartition(";") for l in lines(self.epcis.data))]


class ContractForm(Form):
    """Create or edit a contract."""

    generation = IntegerField(_l("Generation"), validators=[DataRequired(), NumberRange(min=1, max=20)],
                              description=_l("1 for the first CLS, 2 for its renewal…"))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date"), validators=[DataRequired()])
    phase = SelectField(_l("Phase"), choices=choices((p.value, label) for p, label in PHASE_LABELS.items()))
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=10000)],
                            description=_l("Markdown: **bold**, *italic*, lists, links."))
    signatories = TextAreaField(_l("Signatories"), validators=[Optional()], description=_l("One per line."))
    partners = TextAreaField(_l("Other partners"), validators=[Optional()], description=_l("One per line."))


class NewContractForm(ContractForm):
    """Create a contract, choosing where its axes come from."""

    template = SelectField(_l("Axes to start with"), choices=[])


class ItemForm(Form):
    """An axis or an objective."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=250)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class ImportCommunesForm(Form):
    """Upload a communes CSV."""

    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a file.")), FileAllowed(["csv", "txt"], _l("A .csv file, please."))],
        description=_l("Columns: insee_code, name, population, population_year (optional: epci_siren). "
                       "Comma or semicolon separated, UTF-8."),
    )


class AppointForm(Form):
    """Give a role to an existing account."""

    email = EmailField(_l("Email of the account"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=choices((r.value, label) for r, label in ROLE_LABELS.items()))
