"""Forms of the plan import and of the copy from one contract to the next."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, ValidationError
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from consult.core.forms import Form, choices
from consult.synthesis.models import Fiche
from consult.synthesis.plan_io.copy import suggested_mapping
from consult.territories.models import Contract


def contract_choices(contracts: list[Contract]) -> list:
    return choices((str(c.id), c.title) for c in contracts)


class ImportPlanForm(Form):
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


class ChooseContractsForm(Form):
    """Step 1 of a copy (sent by GET): the contract to copy from and the one to copy into."""

    class Meta:
        csrf = False

    source = SelectField(_l("Copy fiches from"))
    target = SelectField(_l("Into"))

    def validate_target(self, field) -> None:
        if field.data == self.source.data:
            raise ValidationError(_l("Choose two different contracts: fiches are copied from one contract to "
                                     "another."))

    def preselect(self, contracts: list[Contract]) -> None:
        """From the previous contract into the current one (contracts come newest first)."""
        if len(contracts) >= 2:
            self.source.data, self.target.data = str(contracts[1].id), str(contracts[0].id)


def copy_form(source: Contract, target: Contract, fiches: list[Fiche], done: set[int], formdata=None):
    """Step 2 of a copy: a select per old axis that has fiches (a new axis, or « do not copy »; the axis of the same
    title by default) and the fiches to copy (all but those copied already, by default)."""
    source_axes = [a for a in source.axes if any(f.axis_id == a.id for f in fiches)]

    class CopyForm(Form):
        def mapping(self) -> dict[int, int | None]:
            """Old axis id → new axis id, or None for « do not copy »."""
            return {a.id: int(self[f"axis_{a.id}"].data) if self[f"axis_{a.id}"].data else None
                    for a in self.source_axes}

    targets = choices([("", _l("Do not copy"))] + [(str(a.id), f"{a.number}. {a.title}") for a in target.active_axes])
    for axis in source_axes:
        setattr(CopyForm, f"axis_{axis.id}", SelectField(f"{axis.number}. {axis.title}", choices=targets))
    CopyForm.fiches = MultiCheckboxField(_l("Fiches to copy"), coerce=int,
                                         validators=[DataRequired(message=_l("Tick at least one fiche."))],
                                         choices=choices((f.id, f"{f.number} {f.title}") for f in fiches))
    if formdata is not None:
        form = CopyForm(formdata=formdata)
    else:
        suggested = suggested_mapping(source, target)
        form = CopyForm(fiches=[f.id for f in fiches if f.id not in done],
                        **{f"axis_{a.id}": str(suggested.get(a.id) or "") for a in source_axes})
    form.source_axes = source_axes
    return form
