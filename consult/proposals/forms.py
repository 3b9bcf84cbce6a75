"""Forms of calls, proposals, filters, moderation, comments, answers and prioritisation votes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.core.forms import Form, LeanSelect, choices
from consult.proposals.models import AnswerStatus, Public, VoteMethod


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes (templates render them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def public_choices() -> list:
    """The target publics as form choices."""
    return choices((p.value, p.label) for p in Public)


class CallForm(Form):
    """A call for proposals."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    presentation = TextAreaField(_l("Presentation"), validators=[Optional(), Length(max=10000)],
                                 description=_l("What the call is about and what happens to proposals. "
                                                "Markdown: **bold**, *italic*, lists."))
    submission_opens_at = DateTimeLocalField(_l("Proposals accepted from"), format="%Y-%m-%dT%H:%M",
                                             validators=[InputRequired()], description=_l("Paris time."))
    submission_closes_at = DateTimeLocalField(_l("Proposals accepted until"), format="%Y-%m-%dT%H:%M",
                                              validators=[InputRequired()], description=_l("Paris time."))
    voting_opens_at = DateTimeLocalField(_l("Supports accepted from"), format="%Y-%m-%dT%H:%M",
                                         validators=[InputRequired()],
                                         description=_l("Paris time. The windows may overlap."))
    voting_closes_at = DateTimeLocalField(_l("Supports accepted until"), format="%Y-%m-%dT%H:%M",
                                          validators=[InputRequired()], description=_l("Paris time."))
    support_limit = IntegerField(_l("Supports per participant"), validators=[Optional(), NumberRange(min=1, max=100)],
                                 description=_l("Leave empty for no limit."))
    residents_only = BooleanField(_l("Only people whose profile commune is in the territory may take part"))
    axis_ids = MultiCheckboxField(_l("Axes covered by the call"), coerce=int,
                                  validators=[DataRequired(message=_l("Choose at least one axis."))])


class ProposalForm(Form):
    """A participant's proposal."""

    title = StringField(_l("Title of your proposal"), validators=[DataRequired(), Length(max=200)],
                        description=_l("A short sentence saying what should be done."),
                        render_kw={"autocomplete": "off"})
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=8000)],
                                description=_l("What, for whom, where, why. "
                                              "To put a word in bold, write two stars on each side: **word**."))
    axis_id = SelectField(_l("Axis of the contract"), coerce=int,
                          validators=[DataRequired(message=_l("Choose the axis of the contract your proposal serves."))])
    objective_id = SelectField(_l("Objective (optional)"), coerce=int, validators=[Optional()])
    scope = RadioField(_l("Where?"), choices=choices([("whole", _l("The whole territory")),
                                                       ("communes", _l("Some communes"))]), default="whole")
    commune_ids = MultiCheckboxField(_l("Communes concerned"), coerce=int, validators=[Optional()],
                                     description=_l("Only if you chose “Some communes” above."))
    publics = MultiCheckboxField(_l("For whom?"), choices=public_choices(), validators=[Optional()])


class FilterForm(Form):
    """Filters, search and sort of the listing (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    axis = SelectField(_l("Axis"), coerce=int, validators=[Optional()], widget=LeanSelect())
    objective = SelectField(_l("Objective"), coerce=int, validators=[Optional()], widget=LeanSelect())
    commune = SelectField(_l("Commune"), coerce=int, validators=[Optional()], widget=LeanSelect())
    public = SelectField(_l("Public"), validators=[Optional()], widget=LeanSelect())
    status = SelectField(_l("Status"), validators=[Optional()], widget=LeanSelect())
    sort = SelectField(_l("Order"), choices=choices([
        ("random", _l("Random order")), ("supports", _l("Most supported")), ("newest", _l("Newest")),
        ("comments", _l("Most commented"))]), default="random", validators=[Optional()], widget=LeanSelect())


class ManageFilterForm(Form):
    """Filters, search and order of the coordinators' list of a call's proposals (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Words in the title or the text"), validators=[Optional(), Length(max=200)])
    status = SelectField(_l("Status"), default="", validators=[Optional()])
    axis = SelectField(_l("Axis"), coerce=int, default=0, validators=[Optional()])
    public = SelectField(_l("For whom"), default="", validators=[Optional()])
    sort = SelectField(_l("Order"), choices=choices([
        ("newest", _l("Newest first")), ("oldest", _l("Oldest first")), ("supports", _l("Most supported")),
        ("title", _l("By title"))]), default="newest", validators=[Optional()])


class ReasonForm(Form):
    """A moderation action that needs a reason (reject, hide, report)."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give a reason.")), Length(max=2000)])


class CommentForm(Form):
    """A comment or a reply."""

    body = TextAreaField(_l("Your comment"), validators=[DataRequired(message=_l("Write your comment.")),
                                                         Length(max=3000)])
    parent_id = HiddenField()


class AnswerForm(Form):
    """The coordinators' official answer."""

    status = SelectField(_l("Status"), choices=choices(
        (s.value, s.label) for s in AnswerStatus if s is not AnswerStatus.MERGED))
    text = TextAreaField(_l("Public answer"), validators=[Optional(), Length(max=8000)],
                         description=_l("Required when the proposal is not retained. Markdown allowed."))
    existing_reference = StringField(_l("Where the existing action can be found"),
                                     validators=[Optional(), Length(max=300)],
                                     description=_l("Required for “already exists”: the action, service or page "
                                                    "that already does this."))


class MergeForm(Form):
    """Merge a proposal into another one."""

    target_id = SelectField(_l("Keep this proposal"), coerce=int,
                            validators=[DataRequired(message=_l("Choose the proposal to keep."))])


class PriorityVoteForm(Form):
    """Set up a prioritisation vote."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    axis_id = SelectField(_l("Axis"), coerce=int, validators=[DataRequired()])
    size = IntegerField(_l("Number of top proposals in the vote"), default=5,
                        validators=[InputRequired(), NumberRange(min=2, max=20)])
    method = RadioField(_l("Method"), choices=choices((m.value, m.label) for m in VoteMethod), default="rank")
    picks = IntegerField(_l("How many proposals each person may choose or rank"), default=3,
                         validators=[InputRequired(), NumberRange(min=1, max=20)])
    opens_at = DateTimeLocalField(_l("Opens on"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()],
                                  description=_l("Paris time."))
    closes_at = DateTimeLocalField(_l("Closes on"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()],
                                   description=_l("Paris time."))
    hide_results_until_closed = BooleanField(
        _l("Hide the running result until the vote ends, so that everyone chooses without being influenced"),
        default=True, description=_l("You and the other coordinators still see it on the vote's page."))


class ButtonForm(Form):
    """A button: only the CSRF token."""
