"""Forms of working groups (group, sign-up, decision) and of meetings (meeting, attendance, guest, minutes, idea)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, \
    StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.accounts.models import Category
from consult.core.forms import Form, choices
from consult.groups.models import GROUP_STATUS_LABELS, DEFAULT_CAPACITY, JoinMode
from consult.groups.services.schedule import EVENT_KINDS, MAX_DURATION_MINUTES


class GroupForm(Form):
    """A working group as the coordinator describes it."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    axis_id = SelectField(_l("Axis of the contract"), coerce=int, validators=[DataRequired()])
    objective_ids = SelectMultipleField(_l("Objectives the group works on"), coerce=int, validators=[Optional()],
                                        description=_l("Optional. Objectives of the chosen axis."))
    mission = TextAreaField(_l("Mission"), validators=[Optional(), Length(max=5000)],
                            description=_l("What the group will produce, e.g. two action sheets. "
                                           "Markdown: **bold**, *italic*, lists."))
    audience = TextAreaField(_l("Who it is for"), validators=[Optional(), Length(max=2000)],
                             description=_l("E.g. residents concerned, health professionals of the area, "
                                            "elected officials."))
    facilitators = StringField(_l("Facilitators"), validators=[Optional(), Length(max=300)],
                               description=_l("Names and structures, e.g. « Dr Anne Roques (MSP de Lectoure) »."))
    capacity = IntegerField(_l("Seats"), default=DEFAULT_CAPACITY,
                            validators=[DataRequired(), NumberRange(min=1, max=500)],
                            description=_l("Working groups work best with 8 to 15 people. When the group is full, "
                                           "sign-ups join a waitlist."))
    join_mode = SelectField(_l("Sign-ups"), choices=choices((m.value, m.label) for m in JoinMode))
    status = SelectField(_l("Status"), choices=choices((s.value, label) for s, label in GROUP_STATUS_LABELS.items()))
    signup_opens_at = DateTimeLocalField(_l("Sign-ups open on"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                         description=_l("Paris time. Leave empty to take sign-ups at once."))
    signup_closes_at = DateTimeLocalField(_l("Sign-ups close on"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                          description=_l("Paris time. Leave empty to keep them open."))


def add_target_fields(form_class: type[GroupForm]) -> type[GroupForm]:
    """One "at least N" field per participant category (the target composition)."""
    for category in Category:
        setattr(form_class, f"target_{category.value}", IntegerField(
            category.label, validators=[Optional(), NumberRange(min=0, max=500)]))
    return form_class


add_target_fields(GroupForm)


def target_fields(form: GroupForm):
    return [(category, form[f"target_{category.value}"]) for category in Category]


class SignupForm(Form):
    """What a person adds to their profile when signing up."""

    motivation = TextAreaField(_l("Why would you like to take part? (optional)"),
                               validators=[Optional(), Length(max=2000)],
                               description=_l("Your experience, what you would bring, what you expect. "
                                              "Only the coordinators read it."))
    morning = BooleanField(_l("Morning"))
    afternoon = BooleanField(_l("Afternoon"))
    evening = BooleanField(_l("Evening"))
    shown_to_members = BooleanField(
        _l("Show my first name, category and structure to the other members of the group"),
        description=_l("Optional. Without your agreement, other members do not see that you take part."))


class DecisionForm(Form):
    """A coordinator's answer to a sign-up, sent to the person."""

    message = TextAreaField(_l("Message to the person (optional)"), validators=[
        Optional(), Length(max=2000, message=_l("The message is too long (2,000 characters at most)."))])


# --- meetings -------------------------------------------------------------------------------------

def optional_int(value) -> int | None:
    """Coerce a select value to an int, the empty choice to None."""
    return int(value) if value not in (None, "", "None") else None


class MeetingForm(Form):
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


class AttendanceForm(Form):
    """Tick who came among the people expected."""

    present = SelectMultipleField(_l("Present"), coerce=int, validators=[Optional()],
                                  option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


class GuestForm(Form):
    """Someone who came without an account."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Category"), validators=[Optional()],
                           choices=choices([("", _l("— Not known —"))] + [(c.value, c.label) for c in Category]))
    structure = StringField(_l("Structure"), validators=[Optional(), Length(max=160)],
                            description=_l("Organisation, service or association, if any."))
    commune_id = SelectField(_l("Commune"), coerce=optional_int, validators=[Optional()])


class MinutesForm(Form):
    """The minutes of a meeting."""

    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=50000)],
                            description=_l("Markdown: **bold**, *italic*, lists, links. Published only when you "
                                           "choose to."))


class IdeaForm(Form):
    """An idea raised during the meeting."""

    text = TextAreaField(_l("Idea"), validators=[DataRequired(), Length(max=2000)])
    axis_id = SelectField(_l("Axis"), coerce=optional_int,
                          validators=[DataRequired(message=_l("Choose an axis."))])
    objective_id = SelectField(_l("Objective"), coerce=optional_int, validators=[Optional()],
                               description=_l("Optional. It must belong to the chosen axis."))
