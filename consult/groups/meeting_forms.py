"""Forms of meetings and events: scheduling, attendance, people without an account, minutes and ideas."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.accounts.models import Category
from consult.core.forms import choices
from consult.groups.meetings.schedule import EVENT_KINDS, MAX_DURATION_MINUTES


def optional_int(value) -> int | None:
    """Coerce a select value to an int, the empty choice to None."""
    return int(value) if value not in (None, "", "None") else None


class MeetingForm(FlaskForm):
    """A group's meeting or a territory event; date and time are Paris time."""

    group_id = SelectField(_l("Working group"), coerce=optional_int, validators=[Optional()],
                           description=_l("Leave empty for an event of the whole territory (forum, plenary, workshop)."))
    kind = SelectField(_l("Kind of event"), choices=choices((k.value, k.label) for k in EVENT_KINDS),
                       description=_l("Only for events of the whole territory: a group's meeting is a working group meeting."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date, e.g. 12/03/2027."))])
    start_time = TimeField(_l("Start time"), validators=[DataRequired(message=_l("Enter the start time, e.g. 18:30."))],
                           description=_l("Paris time."))
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=120,
                                    validators=[DataRequired(), NumberRange(min=1, max=MAX_DURATION_MINUTES)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)],
                        description=_l("For example: Salle des fêtes. Leave empty for a meeting held only online."))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    accessibility = TextAreaField(_l("Accessibility"), validators=[Optional(), Length(max=2000)],
                                  description=_l("Step-free access, hearing loop, parking, public transport, "
                                                 "sign-language interpreting…"))
    online_url = StringField(_l("Online meeting link"), validators=[Optional(), Length(max=500)],
                             description=_l("Starts with https://. Only people expected and coordinators see it."))
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=10000)],
                           description=_l("Markdown: **bold**, *italic*, lists."))
    capacity = IntegerField(_l("Number of places"), validators=[Optional(), NumberRange(min=1, max=100000)],
                            description=_l("Events only. Leave empty for no limit."))


class AttendanceForm(FlaskForm):
    """Tick who came among the people expected."""

    present = SelectMultipleField(_l("Present"), coerce=int, validators=[Optional()],
                                  option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


class GuestForm(FlaskForm):
    """Someone who came without an account."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Category"), validators=[Optional()],
                           choices=choices([("", _l("— Not known —"))] + [(c.value, c.label) for c in Category]))
    structure = StringField(_l("Structure"), validators=[Optional(), Length(max=160)],
                            description=_l("Organisation, service or association, if any."))
    commune_id = SelectField(_l("Commune"), coerce=optional_int, validators=[Optional()])


class MinutesForm(FlaskForm):
    """The minutes of a meeting."""

    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=50000)],
                            description=_l("Markdown: **bold**, *italic*, lists, links. Published only when you "
                                           "choose to."))


class IdeaForm(FlaskForm):
    """An idea raised during the meeting."""

    text = TextAreaField(_l("Idea"), validators=[DataRequired(), Length(max=2000)])
    axis_id = SelectField(_l("Axis"), coerce=optional_int,
                          validators=[DataRequired(message=_l("Choose an axis."))])
    objective_id = SelectField(_l("Objective"), coerce=optional_int, validators=[Optional()],
                               description=_l("Optional. It must belong to the chosen axis."))
