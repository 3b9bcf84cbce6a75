"""Forms of the survey builder, access codes, paper entry and answering (start, submit, re-contact)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from consult.core.forms import Form, choices
from consult.surveys.building.questions import point_median
from consult.surveys.models import QUESTION_TYPE_LABELS, Channel, QuestionType, SurveyMode

BREAKDOWN_ROLES = [
    ("", _l("— None —")),
    ("sex", _l("Sex")),
    ("age_band", _l("Age band")),
    ("occupation", _l("Occupation (PCS)")),
    ("finances", _l("Financial situation")),
    ("category", _l("Participant category")),
]


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SurveyForm(Form):
    """Settings of a survey."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    introduction = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=10000)],
                                 description=_l("Shown before the first question. Markdown: **bold**, *italic*, lists."))
    purpose = TextAreaField(_l("Purpose of the survey"), validators=[Optional(), Length(max=2000)],
                            description=_l("Part of the privacy notice shown to respondents."))
    retention_months = IntegerField(
        _l("Months the individual answers are kept after the survey closes"),
        validators=[Optional(), NumberRange(min=1, max=120)],
        description=_l("Then they are deleted for good; published results stay. Leave empty for the site's rule."))
    retention = TextAreaField(_l("More about how answers are kept (optional)"),
                              validators=[Optional(), Length(max=2000)],
                              description=_l("Do not write a duration here: the number above is the one shown "
                                             "and applied."))
    mode = SelectField(_l("Answering mode"), choices=choices((m.value, m.label) for m in SurveyMode),
                       description=_l("Anonymous: no account needed, nothing personal stored with answers, one "
                                      "response per browser. Identified: one response per account."))
    opens_at = DateTimeLocalField(_l("Opens on"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                  description=_l("Paris time. Leave empty for the survey to start as soon as you open it."))
    closes_at = DateTimeLocalField(_l("Closes on"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                   description=_l("Paris time. Answers sent after this moment are refused."))
    access_codes_required = BooleanField(_l("Require a single-use access code (paper invitations, panel)"))
    disclosure_threshold = IntegerField(_l("Smallest group shown in results"),
                                        validators=[Optional(), NumberRange(min=3, max=100)],
                                        description=_l("Leave empty to use the site's rule. Once the survey "
                                                       "has answers, this number can only go up: it cannot be "
                                                       "lowered, nor emptied if the site's rule is smaller, and "
                                                       "a later change of the site's rule never lowers it."))
    mental_health = BooleanField(_l("This survey touches on mental health (shows the 3114 prevention line)"))
    recontact_enabled = BooleanField(_l("Offer respondents to be re-contacted (residents' panel)"), default=True)
    axis_ids = SelectMultipleField(_l("Axes this survey informs"), coerce=int, validators=[Optional()])
    objective_ids = SelectMultipleField(_l("Objectives this survey informs"), coerce=int, validators=[Optional()])


class NewSurveyForm(Form):
    """Start a survey, empty or from the template."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    start = SelectField(_l("Start from"), choices=choices([
        ("template", _l("The local health diagnostic questionnaire (27 questions, WHO-5 well-being index)")),
        ("empty", _l("An empty survey")),
    ]))


class PageForm(Form):
    """A page of a survey."""

    title = StringField(_l("Page title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Text shown at the top of the page"), validators=[Optional(), Length(max=2000)])
    mental_health = BooleanField(_l("Mental health page (shows the 3114 line before and after it)"))
    condition_code = SelectField(_l("Show this page only if question…"), choices=[], validators=[Optional()])
    condition_values = StringField(_l("…has one of these answer codes"), validators=[Optional(), Length(max=200)],
                                   description=_l("Codes separated by commas, e.g. 1, 2 (see the codes in the question list)."))


class QuestionForm(Form):
    """A question of any type."""

    type = SelectField(_l("Type"), choices=choices((t.value, label) for t, label in QUESTION_TYPE_LABELS.items()))
    text = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    falc_text = TextAreaField(_l("Easy-to-read wording (FALC)"), validators=[Optional(), Length(max=2000)],
                              description=_l("Short words, short sentences. Respondents can switch to it."))
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=500)])
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(_l("Answer options"), validators=[Optional()],
                            description=_l("One per line. For a matrix: the scale, one point per line."))
    other_label = StringField(_l("“Other, please specify” option"), validators=[Optional(), Length(max=300)],
                              description=_l("Single or multiple choice only. Leave empty for none."))
    rows = TextAreaField(_l("Matrix items"), validators=[Optional()], description=_l("One per line."))
    scored = BooleanField(_l("Scored scale (score per answer option)"))
    scores = StringField(_l("Score of each answer option"), validators=[Optional(), Length(max=500)],
                         description=_l("In the order of the options, separated by commas, e.g. 5, 4, 3, 2, 1, 0."))
    score_multiplier = FloatField(_l("Multiply the raw score by"), validators=[Optional()],
                                  description=_l("To get a percentage: 4 for the WHO-5 index."))
    score_cutoff = FloatField(_l("Cut-off (at or below)"), validators=[Optional()])
    score_cutoff_label = StringField(_l("Name of the group at or below the cut-off"),
                                     validators=[Optional(), Length(max=200)])
    min_choices = IntegerField(_l("Minimum number of answers"), validators=[Optional(), NumberRange(min=0, max=50)])
    max_choices = IntegerField(_l("Maximum number of answers"), validators=[Optional(), NumberRange(min=1, max=50)])
    min_value = FloatField(_l("Smallest value"), validators=[Optional()])
    max_value = FloatField(_l("Largest value"), validators=[Optional()])
    low_label = StringField(_l("Label of the lowest point"), validators=[Optional(), Length(max=120)])
    high_label = StringField(_l("Label of the highest point"), validators=[Optional(), Length(max=120)])
    max_length = IntegerField(_l("Maximum length (characters)"), validators=[Optional(), NumberRange(min=1, max=5000)])
    breakdown_role = SelectField(_l("Use in breakdowns as"), choices=choices(BREAKDOWN_ROLES), validators=[Optional()])
    condition_code = SelectField(_l("Show this question only if question…"), choices=[], validators=[Optional()])
    condition_values = StringField(_l("…has one of these answer codes"), validators=[Optional(), Length(max=200)],
                                   description=_l("Codes separated by commas, e.g. 1, 2."))

    def validate_falc_text(self, field):
        word = point_median(field.data or "")
        if word:
            raise ValidationError(_l("Easy-to-read wording does not use the point médian (here “%(word)s”): many "
                                     "readers stumble on it and screen readers spell it out. Write both words in "
                                     "full, e.g. “les habitantes et les habitants”.", word=word))

    def validate_scores(self, field):
        if field.data:
            try:
                [float(v.replace(",", ".")) for v in field.data.replace(";", ",").split(",") if v.strip()]
            except ValueError:
                raise ValidationError(_l("Numbers separated by commas, e.g. 5, 4, 3.")) from None

    def score_list(self) -> list[float] | None:
        if not self.scores.data:
            return None
        return [float(v.strip()) for v in self.scores.data.replace(";", ",").split(",") if v.strip()]

    def value_list(self) -> list[str]:
        return [v.strip() for v in (self.condition_values.data or "").split(",") if v.strip()]


class AccessCodesForm(Form):
    """Generate access codes."""

    count = IntegerField(_l("Number of codes to generate"), validators=[DataRequired(), NumberRange(min=1, max=5000)],
                         default=50)


class EntryMetaForm(Form):
    """The part of the paper-entry form that is not the questionnaire."""

    channel = SelectField(_l("How were these answers collected?"),
                          choices=choices((c.value, c.label) for c in Channel if c is not Channel.WEB))
    # Checked by the service (the same number keyed in twice is refused there, where the race is settled).
    paper_number = StringField(_l("Questionnaire number"), validators=[Optional(), Length(max=40)],
                               description=_l("The number printed or written at the top of the questionnaire, "
                                              "if it has one. The same number cannot be keyed in twice."))
    entry_id = HiddenField()


class ButtonForm(Form):
    """A button: only the CSRF token."""


def question_type(value: str) -> QuestionType:
    return QuestionType(value)


class StartForm(Form):
    """Start answering; asks for the access code when the survey requires one."""

    access_code = StringField(
        _l("Access code"), validators=[Optional(), Length(max=32)],
        description=_l("Printed on your invitation letter, for example K7M2-PQ9X."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class ResumeForm(Form):
    """Continue a draft on another device with its private resume key (posted, so never in a URL)."""

    key = StringField(
        _l("Your resume key"), validators=[DataRequired(), Length(max=64)],
        description=_l("Paste or type the key shown on the \"Resume later\" page."),
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})


class SubmitForm(StartForm):
    """Send the answers (the access code is asked again only if this browser does not have it)."""


class RecontactForm(Form):
    """Optional, separate consent to be re-contacted."""

    consent = BooleanField(_l("I would like to be contacted again (residents' panel)"),
                           validators=[DataRequired(message=_l("Tick the box to give your consent."))])
    email = EmailField(_l("Email address"), validators=[
        DataRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address, e.g. name@example.fr.")), Length(max=254)],
        render_kw={"autocomplete": "email", "spellcheck": "false"})
