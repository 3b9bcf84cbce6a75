"""Forms of the fiches actions: the fiche (repeated rows without JavaScript), avenants, citations, versions."""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.core.db import LARGEST_ID
from consult.core.forms import Form as ConsultForm, choices
from consult.synthesis.fiches import services
from consult.synthesis.models import FundingKind, IndicatorKind, PartnerRole, TargetPublic

EMPTY_ROWS = 2       # empty rows offered under each repeated part
ADD_ROWS = 3         # rows the « Add rows » button adds to each
MAX_ROWS = 60        # a repeated part never grows beyond this (a replayed form cannot build a huge page)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _optional_id(value):
    try:
        return int(value) if value not in (None, "") and 0 < int(value) <= LARGEST_ID else None
    except (TypeError, ValueError):
        return None


class StepRow(Form):
    id = HiddenField(filters=[_optional_id])
    title = StringField(_l("Step"), validators=[Optional(), Length(max=250)])
    due_on = DateField(_l("Due date"), validators=[Optional()])


class PartnerRow(Form):
    role = SelectField(_l("Role"), choices=choices((r.value, r.label) for r in PartnerRole),
                       default=PartnerRole.PARTNER.value)
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    contact = StringField(_l("Contact (name, email, phone)"), validators=[Optional(), Length(max=300)])


class FundingRow(Form):
    funder = StringField(_l("Funder"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices((k.value, k.label) for k in FundingKind),
                       default=FundingKind.OPERATING.value)
    amount = IntegerField(_l("Amount (€)"), validators=[Optional(), NumberRange(
        min=0, max=services.MAX_AMOUNT, message=_l("A whole number of euros, from 0 to one billion."))])
    year = IntegerField(_l("Year (optional)"), validators=[Optional(), NumberRange(
        min=1990, max=2100, message=_l("A year between 1990 and 2100."))])


class IndicatorRow(Form):
    id = HiddenField(filters=[_optional_id])
    kind = SelectField(_l("Kind"), choices=choices((k.value, k.label) for k in IndicatorKind),
                       default=IndicatorKind.RESULT.value)
    name = StringField(_l("Indicator"), validators=[Optional(), Length(max=250)])
    target = FloatField(_l("Target"), validators=[Optional(), NumberRange(
        min=-services.MAX_TARGET, max=services.MAX_TARGET, message=_l("This target is too large."))])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    source = StringField(_l("Data source"), validators=[Optional(), Length(max=250)])
    frequency = StringField(_l("Frequency"), validators=[Optional(), Length(max=120)])


class FicheForm(ConsultForm):
    """A fiche action, in the order of FICHE_ACTION.md §A.2."""

    form_token = HiddenField()
    title = StringField(_l("Title of the action"), validators=[DataRequired(), Length(max=250)],
                        description=_l("Starts with a verb: « Développer… », « Créer… »."))
    axis_id = SelectField(_l("Strategic axis"), coerce=int,
                          validators=[DataRequired(message=_l("Choose an axis of this contract."))])
    objective_id = SelectField(_l("Objective of the contract (optional)"), coerce=int, validators=[Optional()])
    general_objective = TextAreaField(_l("General objective"), validators=[Optional(), Length(max=5000)])
    specific_objectives = FieldList(StringField(_l("Specific objective"), validators=[Optional(), Length(max=500)]),
                                    label=_l("Specific and operational objectives"), min_entries=EMPTY_ROWS,
                                    max_entries=MAX_ROWS)
    context = TextAreaField(_l("Context and findings"), validators=[Optional(), Length(max=20000)],
                            description=_l("Why this action: the findings of the diagnostic. The evidence cited "
                                           "below is quoted on the fiche."))
    description = TextAreaField(_l("Description and implementation"), validators=[Optional(), Length(max=20000)])
    steps = FieldList(FormField(StepRow), label=_l("Steps"), min_entries=EMPTY_ROWS, max_entries=MAX_ROWS)
    partners = FieldList(FormField(PartnerRow), label=_l("Lead organisation and partners"), min_entries=EMPTY_ROWS,
                         max_entries=MAX_ROWS)
    elected_referent = StringField(_l("Elected referent"), validators=[Optional(), Length(max=200)])
    publics = MultiCheckboxField(_l("Target publics"), choices=choices((p.value, p.label) for p in TargetPublic),
                                 validators=[Optional()])
    publics_detail = TextAreaField(_l("Target publics, details"), validators=[Optional(), Length(max=2000)])
    scope = RadioField(_l("Area of intervention"), choices=choices([("whole", _l("The whole territory")),
                                                                    ("communes", _l("Some communes"))]),
                       default="whole")
    commune_ids = MultiCheckboxField(_l("Communes concerned"), coerce=int, validators=[Optional()],
                                     description=_l("Only if you chose “Some communes” above."))
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    ongoing = BooleanField(_l("Permanent action"))
    calendar = TextAreaField(_l("Calendar"), validators=[Optional(), Length(max=2000)],
                             description=_l("For example « 2024-2026, one session per term »."))
    means = TextAreaField(_l("Human and technical means"), validators=[Optional(), Length(max=5000)])
    fundings = FieldList(FormField(FundingRow), label=_l("Budget and funding"), min_entries=EMPTY_ROWS,
                         max_entries=MAX_ROWS)
    indicators = FieldList(FormField(IndicatorRow), label=_l("Evaluation indicators"), min_entries=EMPTY_ROWS,
                           max_entries=MAX_ROWS)
    expected_results = TextAreaField(_l("Expected results"), validators=[Optional(), Length(max=5000)])
    participation_level = SelectField(_l("Participation of residents"), validators=[Optional()])
    participation_detail = TextAreaField(_l("Participation of residents, details"),
                                         validators=[Optional(), Length(max=5000)])
    programme_links = TextAreaField(_l("Links with the PRS, PTSM and other programmes"),
                                    validators=[Optional(), Length(max=5000)])
    priority = SelectField(_l("Priority"), validators=[Optional()])
    governance_body_id = SelectField(_l("Governance body"), coerce=int, validators=[Optional()])
    avenant_id = SelectField(_l("Avenant"), coerce=int, validators=[Optional()],
                             description=_l("The contract is signed: a fiche added or revised now belongs to an "
                                            "avenant."))

    def add_rows(self) -> None:
        """A few more empty rows in every repeated part (the « Add rows » button)."""
        for rows in (self.specific_objectives, self.steps, self.partners, self.fundings, self.indicators):
            for _n in range(min(ADD_ROWS, MAX_ROWS - len(rows))):
                rows.append_entry()

    def pad(self) -> None:
        """Empty rows after the filled ones, so a writer can add without asking."""
        for rows in (self.specific_objectives, self.steps, self.partners, self.fundings, self.indicators):
            for _n in range(min(EMPTY_ROWS, MAX_ROWS - len(rows))):
                rows.append_entry()

    def data_for_service(self) -> services.FicheData:
        """What was typed, as the services take it."""
        return services.FicheData(
            title=self.title.data or "", axis_id=self.axis_id.data or None, objective_id=self.objective_id.data or None,
            general_objective=self.general_objective.data or "",
            specific_objectives=[o or "" for o in self.specific_objectives.data],
            context=self.context.data or "", description=self.description.data or "",
            steps=[services.StepData(r["title"] or "", r["due_on"], r["id"]) for r in self.steps.data],
            partners=[services.PartnerData(r["role"] or "", r["organisation"] or "", r["contact"] or "")
                      for r in self.partners.data],
            elected_referent=self.elected_referent.data or "", publics=self.publics.data or [],
            publics_detail=self.publics_detail.data or "", whole_territory=self.scope.data != "communes",
            commune_ids=self.commune_ids.data or [], starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            ongoing=bool(self.ongoing.data), calendar=self.calendar.data or "", means=self.means.data or "",
            fundings=[services.FundingData(r["funder"] or "", r["amount"] if r["amount"] is not None else 0,
                                           r["kind"] or "", r["year"])
                      for r in self.fundings.data if (r["funder"] or "").strip()],
            indicators=[services.IndicatorData(r["name"] or "", r["kind"] or "", r["target"], r["unit"] or "",
                                               r["source"] or "", r["frequency"] or "", r["id"])
                        for r in self.indicators.data],
            expected_results=self.expected_results.data or "",
            participation_level=self.participation_level.data or None,
            participation_detail=self.participation_detail.data or "",
            programme_links=self.programme_links.data or "", priority=self.priority.data or None,
            governance_body_id=self.governance_body_id.data or None, avenant_id=self.avenant_id.data or None)




class AvenantForm(ConsultForm):
    """An avenant to the signed contract."""

    title = StringField(_l("Title of the avenant"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example « Avenant n° 1 : santé mentale des jeunes »."))
    signed_on = DateField(_l("Signed on (optional)"), validators=[Optional()])


class ButtonForm(ConsultForm):
    """A button: only the CSRF token."""


class CitationForm(ConsultForm):
    """Cite more evidence on a fiche: the same kinds as a draft from the synthesis (choices set by the view; the
    service checks each reference belongs to the territory)."""

    proposal = SelectField(_l("A proposal"), validate_choice=False)
    idea = SelectField(_l("An idea from a meeting"), validate_choice=False)
    tagged_text = SelectField(_l("A tagged text"), validate_choice=False)
    group = SelectField(_l("A working group"), validate_choice=False)
    figure = SelectField(_l("A survey figure (question of a release)"), validate_choice=False)
