"""Forms of the follow-up: a step's state, a new step, an indicator's value for a year, a note."""
from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from wtforms import DateField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from consult.core.forms import Form, choices
from consult.synthesis.followup.services import FIRST_YEAR, LAST_YEAR
from consult.synthesis.models import StepState
from consult.synthesis.models.fiches import LABELS

DATE_MESSAGE = _l("Enter the date, e.g. 14/03/2026.")
LARGEST_VALUE = 1e12


class FrenchFloatField(FloatField):
    """A number typed the French way too: « 12,5 », « 1 250 »."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")]
        super().process_formdata(valuelist)


def reasonable_number(_form, field) -> None:
    if field.data is not None and (not math.isfinite(field.data) or abs(field.data) > LARGEST_VALUE):
        raise ValidationError(_l("Enter a number, e.g. 12 or 12,5."))


class StepStateForm(Form):
    """Where a step stands."""

    state = SelectField(_l("State"), choices=choices((s.value, LABELS[StepState][s]) for s in StepState))
    done_on = DateField(_l("Done on"), validators=[Optional()],
                        description=_l("For a done step; today when left empty."))


class StepForm(Form):
    """A new step of the action."""

    title = StringField(_l("Step"), validators=[DataRequired(), Length(max=250)],
                        description=_l("E.g. « Recruter l'organisme de formation »."))
    due_on = DateField(_l("Planned for"), validators=[Optional()], description=_l("Optional."))


class ValueForm(Form):
    """The value an indicator reached in a year."""

    year = IntegerField(_l("Year"), validators=[DataRequired(message=_l("Enter a year, e.g. 2026.")),
                                                NumberRange(min=FIRST_YEAR, max=LAST_YEAR)])
    value = FrenchFloatField(_l("Value"), validators=[InputRequired(message=_l("Enter a number, e.g. 12 or 12,5.")),
                                                      reasonable_number])
    note = StringField(_l("Comment"), validators=[Optional(), Length(max=500)], description=_l("Optional: source, remark."))


class NoteForm(Form):
    """A dated follow-up note."""

    written_on = DateField(_l("Date"), validators=[DataRequired(message=DATE_MESSAGE)])
    text = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=10000)],
                         description=_l("What happened, what needs attention (« point de vigilance »)."))
