"""Forms of working groups: the coordinator's group form, a person's sign-up, a coordinator's answer."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField, \
    TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from consult.accounts.models import Category
from consult.core.forms import choices
from consult.groups.models import GROUP_STATUS_LABELS, DEFAULT_CAPACITY, JoinMode


class GroupForm(FlaskForm):
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


class SignupForm(FlaskForm):
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


class DecisionForm(FlaskForm):
    """A coordinator's answer to a sign-up, sent to the person."""

    message = TextAreaField(_l("Message to the person (optional)"), validators=[Optional(), Length(max=2000)])
