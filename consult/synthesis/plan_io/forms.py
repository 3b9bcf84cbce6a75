"""Forms of the plan import and of the copy from one contract to the next."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from consult.core.forms import choices
from consult.territories.models import Contract


def contract_choices(contracts: list[Contract]) -> list:
    return choices((str(c.id), c.title) for c in contracts)


class ImportPlanForm(FlaskForm):
    """Upload an action plan spreadsheet into one of the territory's contracts."""

    file = FileField(_l("Spreadsheet"), validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("XLSX, ODS or CSV (UTF-8, separated by semicolons or commas), one line per "
                                    "fiche, at most 2 MB. Your browser forgets the file if the page comes back with "
                                    "problems: choose it again once corrected."))
    contract = SelectField(_l("Contract"), description=_l("The fiches are added to this contract."))
    create_missing = BooleanField(_l("Create missing axes and objectives"))


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChooseContractsForm(FlaskForm):
    """Step 1 of a copy (sent by GET): the contract to copy from and the one to copy into."""

    class Meta:
        csrf = False

    source = SelectField(_l("Copy fiches from"))
    target = SelectField(_l("Into"))


def copy_form(source_axes, target_axes, fiches, formdata=None):
    """Step 2 of a copy: a select per old axis (a new axis, or « do not copy ») and the fiches to copy."""

    class CopyForm(FlaskForm):
        pass

    targets = choices([("", _l("Do not copy"))] + [(str(a.id), f"{a.number}. {a.title}") for a in target_axes])
    for axis in source_axes:
        setattr(CopyForm, f"axis_{axis.id}", SelectField(f"{axis.number}. {axis.title}", choices=targets))
    setattr(CopyForm, "fiches", MultiCheckboxField(_l("Fiches to copy"), coerce=int,
                                                   choices=choices((f.id, f"{f.number} {f.title}") for f in fiches)))
    return CopyForm(formdata=formdata) if formdata is not None else CopyForm()
