"""Forms of governance: a body, a member organisation, a session, a decision and a status change."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.core.forms import Form, choices
from consult.synthesis.models import FicheStatus, Priority
from consult.synthesis.models.governance import BODY_LABELS, DECISION_LABELS, BodyKind, DecisionKind

DATE_MESSAGE = _l("Enter the date, e.g. 14/03/2026.")


class BodyForm(Form):
    """A governance body of the contract."""

    kind = SelectField(_l("Kind of body"), choices=choices((k.value, BODY_LABELS[k]) for k in BodyKind))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       description=_l("E.g. « COPIL du CLS », « Comité de suivi », « Groupe projet santé mentale »."))
    description = TextAreaField(_l("Role"), validators=[Optional(), Length(max=5000)],
                                description=_l("Optional: what the body decides or follows."))


class MemberForm(Form):
    """A member organisation and who represents it."""

    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)],
                               description=_l("E.g. « ARS Occitanie — délégation départementale »."))
    representative = StringField(_l("Represented by"), validators=[Optional(), Length(max=200)],
                                 description=_l("Optional: name and function."))


class SessionForm(Form):
    """A meeting of a body."""

    held_on = DateField(_l("Date"), validators=[DataRequired(message=DATE_MESSAGE)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)],
                        description=_l("Optional, e.g. « COPIL annuel 2026 »."))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=50000)],
                            description=_l("Optional: the minutes or a summary. Markdown: **bold**, *italic*, lists."))


class DecisionForm(Form):
    """A decision; the fiches' statuses and priorities are read from the table of fiches (`status-<id>`,
    `priority-<id>`)."""

    kind = SelectField(_l("Kind of decision"), choices=choices((k.value, DECISION_LABELS[k]) for k in DecisionKind))
    text = TextAreaField(_l("What was decided"), validators=[Optional(), Length(max=10000)],
                         description=_l("E.g. « Le COPIL valide les fiches 1.1 à 1.3 ; la fiche 2.2 est reportée "
                                        "à 2027. »"))
    entry_key = HiddenField()


def status_choices() -> list:
    return choices([("", _l("— no change —"))] + [(s.value, s.label) for s in FicheStatus])


def priority_choices() -> list:
    return choices([("", _l("— no change —"))] + [(p.value, p.label) for p in Priority])


class StatusForm(Form):
    """A status change decided outside a body's session (e.g. the action started)."""

    status = SelectField(_l("New status"), validators=[DataRequired(message=_l("Choose the new status."))])
    decided_on = DateField(_l("Date of the change"), validators=[DataRequired(message=DATE_MESSAGE)])
