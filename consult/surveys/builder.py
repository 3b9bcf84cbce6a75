"""Building surveys: settings, status, pages, questions and options, template, access codes.

Once a survey has responses, nothing that would corrupt them may change: no question or option
is removed, no type changes, no mode change; wording can still be corrected. Services flush, never commit.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consult.core.models import utcnow
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.surveys import template
from consult.surveys.models import (
    CHOICE_TYPES,
    AccessCode,
    Option,
    Question,
    QuestionType,
    Response,
    Survey,
    SurveyMode,
    SurveyPage,
    SurveyStatus,
)
from consult.territories.models import Axis, Objective, Territory
from consult.territories.permissions import can_manage_territory

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed from paper


def _require(actor, territory: Territory) -> None:
    if not can_manage_territory(actor, territory):
        raise PermissionDenied(_("You are not allowed to do this."))


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id)) or 0


def _locked(survey: Survey) -> bool:
    return response_count(survey) > 0


def _refuse_if_locked(survey: Survey, message: str) -> None:
    if _locked(survey):
        raise Conflict(message)


# --- settings and status ---------------------------------------------------------------------------

@dataclass
class SurveyData:
    """Editable settings of a survey."""

    title: str
    introduction: str = ""
    purpose: str = ""
    retention: str = ""
    mode: SurveyMode = SurveyMode.ANONYMOUS
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    access_codes_required: bool = False
    disclosure_threshold: int | None = None
    mental_health: bool = False
    recontact_enabled: bool = True
    axis_ids: list[int] = field(default_factory=list)
    objective_ids: list[int] = field(default_factory=list)


def _apply_settings(survey: Survey, data: SurveyData) -> None:
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        raise InvalidInput(_("The survey must close after it opens."), field="closes_at")
    contract = survey.territory.current_contract
    axes = [a for a in (contract.axes if contract else []) if a.id in set(data.axis_ids)]
    objectives = [o for a in (contract.axes if contract else []) for o in a.objectives if o.id in set(data.objective_ids)]
    for key in ("title", "introduction", "purpose", "retention", "opens_at", "closes_at", "access_codes_required",
                "disclosure_threshold", "mental_health", "recontact_enabled"):
        setattr(survey, key, getattr(data, key))
    survey.axes, survey.objectives = axes, objectives


def create_survey(actor, territory: Territory, data: SurveyData, *, from_template: bool = False) -> Survey:
    """A new draft survey, empty or filled with the shipped template. Raises PermissionDenied, InvalidInput."""
    _require(actor, territory)
    survey = Survey(territory=territory, title=data.title, mode=data.mode, status=SurveyStatus.DRAFT)
    db.session.add(survey)
    _apply_settings(survey, data)
    if from_template:
        template.apply_template(survey)
        survey.title = data.title or template.TITLE
    db.session.flush()
    return survey


def update_survey(actor, survey: Survey, data: SurveyData) -> None:
    """Edit settings; the mode cannot change once answers exist. Raises PermissionDenied, Conflict, InvalidInput."""
    _require(actor, survey.territory)
    if data.mode is not survey.mode:
        _refuse_if_locked(survey, _("The answering mode cannot change once answers have been collected."))
        survey.mode = data.mode
    _apply_settings(survey, data)
    db.session.flush()


TRANSITIONS = {
    "open": ({SurveyStatus.DRAFT, SurveyStatus.CLOSED}, SurveyStatus.OPEN),
    "close": ({SurveyStatus.OPEN}, SurveyStatus.CLOSED),
    "archive": ({SurveyStatus.CLOSED}, SurveyStatus.ARCHIVED),
    "unarchive": ({SurveyStatus.ARCHIVED}, SurveyStatus.CLOSED),
}


def change_status(actor, survey: Survey, action: str, *, now: dt.datetime | None = None) -> None:
    """Open, close, archive or unarchive. Raises PermissionDenied, Conflict."""
    _require(actor, survey.territory)
    allowed_from, target = TRANSITIONS[action]
    if survey.status not in allowed_from:
        raise Conflict(_("This survey cannot go from “%(current)s” to “%(target)s”.",
                         current=survey.status.label, target=target.label))
    if target is SurveyStatus.OPEN:
        if not survey.questions:
            raise Conflict(_("Add at least one question before opening the survey."))
        now = now or utcnow()
        if survey.closes_at and survey.closes_at <= now:
            raise Conflict(_("The closing date has passed: change it before opening the survey again."))
    survey.status = target
    db.session.flush()


# --- pages -------------------------------------------------------------------------------------------

def add_page(actor, survey: Survey, title: str, description: str = "", *, mental_health: bool = False) -> SurveyPage:
    """Append a page. Raises PermissionDenied."""
    _require(actor, survey.territory)
    page = SurveyPage(survey=survey, title=title, description=description, mental_health=mental_health,
                      position=max((p.position for p in survey.pages), default=-1) + 1)
    db.session.add(page)
    db.session.flush()
    return page


def update_page(actor, page: SurveyPage, title: str, description: str, *, mental_health: bool,
                condition_code: str | None = None, condition_values: list[str] | None = None) -> None:
    """Edit a page, including the condition that shows it. Raises PermissionDenied, InvalidInput."""
    _require(actor, page.survey.territory)
    _check_condition(page.survey, condition_code, condition_values, before=page.position)
    page.title, page.description, page.mental_health = title, description, mental_health
    page.condition_code = condition_code or None
    page.condition_values = list(condition_values or []) or None
    db.session.flush()


def delete_page(actor, page: SurveyPage) -> None:
    """Remove an empty page, or any page before answers exist. Raises PermissionDenied, Conflict."""
    _require(actor, page.survey.territory)
    if page.questions:
        _refuse_if_locked(page.survey, _("Questions that already have answers cannot be removed."))
    survey = page.survey
    for question in page.questions:
        _clear_conditions_on(survey, question.code)
    survey.pages.remove(page)
    _renumber(survey.pages)
    db.session.flush()


def _renumber(items) -> None:
    for position, item in enumerate(sorted(items, key=lambda i: (i.position, i.id or 0))):
        item.position = position


def move(actor, item: SurveyPage | Question, offset: int) -> None:
    """Move a page among pages, or a question within its page. Raises PermissionDenied, Conflict."""
    survey = item.survey
    _require(actor, survey.territory)
    siblings = survey.pages if isinstance(item, SurveyPage) else item.page.questions
    ordered = sorted(siblings, key=lambda s: (s.position, s.id or 0))
    index = ordered.index(item)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(ordered):
        raise Conflict(_("This item cannot move further."))
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, sibling in enumerate(ordered):
        sibling.position = position
    db.session.flush()


# --- questions ---------------------------------------------------------------------------------------

@dataclass
class QuestionData:
    """What the question form collects. Options, rows and scores come one per line."""

    type: QuestionType
    text: str
    falc_text: str = ""
    help_text: str = ""
    required: bool = False
    options: list[str] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    scores: list[float] | None = None
    other_label: str = ""
    min_choices: int | None = None
    max_choices: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    low_label: str = ""
    high_label: str = ""
    max_length: int | None = None
    scored: bool = False
    score_multiplier: float | None = None
    score_cutoff: float | None = None
    score_cutoff_label: str = ""
    breakdown_role: str | None = None
    condition_code: str | None = None
    condition_values: list[str] = field(default_factory=list)


DEFAULT_OPTIONS = {
    QuestionType.YES_NO: ["Oui", "Non"],
    QuestionType.AGE_BAND: list(template.AGE_BANDS),
    QuestionType.LIKERT: ["Tout à fait d'accord", "Plutôt d'accord", "Plutôt pas d'accord", "Pas du tout d'accord"],
}


def _check_options(data: QuestionData) -> None:
    kind = data.type
    if kind is QuestionType.MATRIX and not data.options:
        raise InvalidInput(_("Give the points of the scale, one per line."), field="options")
    if kind.has_options and kind is not QuestionType.MATRIX and len(data.options) < 2:
        raise InvalidInput(_("Give at least two answer options, one per line."), field="options")
    if kind is QuestionType.MATRIX and not data.rows:
        raise InvalidInput(_("Give the items of the matrix, one per line."), field="rows")
    if data.scores is not None and len(data.scores) != len(data.options):
        raise InvalidInput(_("Give one score per answer option, in the same order."), field="scores")
    if data.min_choices and data.max_choices and data.min_choices > data.max_choices:
        raise InvalidInput(_("The minimum cannot be above the maximum."), field="min_choices")
    if data.min_value is not None and data.max_value is not None and data.min_value > data.max_value:
        raise InvalidInput(_("The minimum cannot be above the maximum."), field="min_value")
    if data.scored and kind not in (QuestionType.MATRIX, QuestionType.LIKERT, QuestionType.SINGLE):
        raise InvalidInput(_("Only a matrix, a scale or a single choice can be scored."), field="scored")
    if data.scored and data.scores is None:
        raise InvalidInput(_("A scored question needs one score per answer option."), field="scores")


def _check_condition(survey: Survey, code: str | None, values: list[str] | None, *, before: int,
                     position: tuple[int, int] | None = None) -> None:
    """The condition must test an earlier choice question: on an earlier page (for a page, `before`),
    or placed before (page position, question position) for a question."""
    if not code:
        return
    target = next((q for q in survey.questions if q.code == code), None)
    if target is None or target.type not in CHOICE_TYPES:
        raise InvalidInput(_("A condition must refer to an earlier choice question."), field="condition_code")
    place = (target.page.position, target.position)
    earlier = place < position if position is not None else target.page.position < before
    if not earlier:
        raise InvalidInput(_("A condition must refer to an earlier choice question."), field="condition_code")
    known = {o.code for o in target.choices}
    if not values or any(v not in known for v in values):
        raise InvalidInput(_("Choose the answers that show this item."), field="condition_values")


def _next_code(survey: Survey) -> str:
    numbers = [int(m.group(1)) for q in survey.questions if (m := re.fullmatch(r"Q(\d+)", q.code))]
    return f"Q{max(numbers, default=0) + 1}"


def _set_options(question: Question, data: QuestionData, *, locked: bool) -> None:
    """Match lines to existing options by position: rewording keeps codes; removing is refused when locked."""
    def sync(existing: list[Option], labels: list[str], *, is_row: bool, prefix: str, scores=None) -> list[Option]:
        if locked and len(labels) < len(existing):
            raise Conflict(_("Answer options that may already have been chosen cannot be removed; "
                             "you can still correct their wording or add new ones."))
        used = {o.code for o in question.options}
        result = []
        for index, label in enumerate(labels):
            if index < len(existing):
                option = existing[index]
            else:
                number = 1
                while f"{prefix}{number}" in used:
                    number += 1
                option = Option(code=f"{prefix}{number}", is_row=is_row)
                used.add(option.code)
            option.label = label
            option.score = scores[index] if scores is not None else None
            result.append(option)
        return result

    plain = [o for o in question.options if not o.is_row and not o.is_other]
    other = [o for o in question.options if o.is_other]
    rows = sync([o for o in question.options if o.is_row], data.rows, is_row=True, prefix="r")
    choices = sync(plain, data.options, is_row=False, prefix="", scores=data.scores)
    if data.other_label and data.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        option = other[0] if other else Option(code="autre", is_other=True)
        option.label = data.other_label
        other = [option]
    elif other:
        if locked:
            raise Conflict(_("The “other” option may already have been chosen: it cannot be removed."))
        other = []
    ordered = rows + choices + other
    for position, option in enumerate(ordered):
        option.position = position
    question.options = ordered


def _apply_question(question: Question, data: QuestionData) -> None:
    for key in ("text", "falc_text", "help_text", "required", "min_choices", "max_choices", "min_value", "max_value",
                "low_label", "high_label", "max_length", "scored", "score_multiplier", "score_cutoff",
                "score_cutoff_label", "breakdown_role"):
        setattr(question, key, getattr(data, key))
    question.condition_code = data.condition_code or None
    question.condition_values = list(data.condition_values) or None


def add_question(actor, page: SurveyPage, data: QuestionData) -> Question:
    """Append a question to a page, with its options. Raises PermissionDenied, InvalidInput."""
    survey = page.survey
    _require(actor, survey.territory)
    if not data.options and data.type in DEFAULT_OPTIONS:
        data.options = list(DEFAULT_OPTIONS[data.type])
    _check_options(data)
    position = max((q.position for q in page.questions), default=-1) + 1
    _check_condition(survey, data.condition_code, data.condition_values, before=page.position,
                     position=(page.position, position))
    question = Question(code=_next_code(survey), type=data.type, position=position)
    _apply_question(question, data)
    _set_options(question, data, locked=False)
    question.survey, question.page = survey, page
    db.session.add(question)
    db.session.flush()
    return question


def update_question(actor, question: Question, data: QuestionData) -> None:
    """Edit a question. Once answers exist its type cannot change and no option can be removed.

    Raises PermissionDenied, Conflict, InvalidInput.
    """
    survey = question.survey
    _require(actor, survey.territory)
    locked = _locked(survey)
    if data.type is not question.type:
        if locked:
            raise Conflict(_("The type of a question cannot change once answers have been collected: "
                             "add a new question instead."))
        question.type = data.type
    _check_options(data)
    _check_condition(survey, data.condition_code, data.condition_values, before=question.page.position,
                     position=(question.page.position, question.position))
    _set_options(question, data, locked=locked)
    _apply_question(question, data)
    db.session.flush()


def duplicate_question(actor, question: Question) -> Question:
    """Copy a question (with a new code) right after the original. Raises PermissionDenied."""
    survey = question.survey
    _require(actor, survey.territory)
    copy = Question(code=_next_code(survey), type=question.type, position=question.position + 1)
    for key in ("text", "falc_text", "help_text", "required", "min_choices", "max_choices", "min_value", "max_value",
                "low_label", "high_label", "max_length", "scored", "score_multiplier", "score_cutoff",
                "score_cutoff_label", "breakdown_role", "condition_code", "condition_values"):
        setattr(copy, key, getattr(question, key))
    copy.options = [Option(code=o.code, label=o.label, falc_label=o.falc_label, is_other=o.is_other,
                           is_row=o.is_row, score=o.score, position=o.position) for o in question.options]
    for sibling in question.page.questions:
        if sibling.position > question.position:
            sibling.position += 1
    copy.survey, copy.page = survey, question.page
    db.session.add(copy)
    db.session.flush()
    return copy


def _clear_conditions_on(survey: Survey, code: str) -> None:
    for item in [*survey.pages, *survey.questions]:
        if item.condition_code == code:
            item.condition_code, item.condition_values = None, None


def delete_question(actor, question: Question) -> None:
    """Remove a question before any answer exists. Raises PermissionDenied, Conflict."""
    survey = question.survey
    _require(actor, survey.territory)
    _refuse_if_locked(survey, _("Questions that already have answers cannot be removed."))
    _clear_conditions_on(survey, question.code)
    page = question.page
    page.questions.remove(question)  # delete-orphan removes the row and its options
    _renumber(page.questions)
    db.session.flush()


# --- access codes ------------------------------------------------------------------------------------

def generate_access_codes(actor, survey: Survey, count: int) -> list[str]:
    """Create `count` new single-use codes (8 characters, no ambiguous letters). Raises PermissionDenied, InvalidInput."""
    _require(actor, survey.territory)
    if not 1 <= count <= 5000:
        raise InvalidInput(_("Generate between 1 and 5,000 codes at a time."), field="count")
    existing = set(db.session.scalars(select(AccessCode.code).where(AccessCode.survey_id == survey.id)))
    made: list[str] = []
    while len(made) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if code not in existing:
            existing.add(code)
            made.append(code)
    db.session.add_all(AccessCode(survey_id=survey.id, code=code) for code in made)
    db.session.flush()
    return made


def access_codes(survey: Survey) -> list[AccessCode]:
    return list(db.session.scalars(select(AccessCode).where(AccessCode.survey_id == survey.id).order_by(AccessCode.id)))


def territory_surveys(territory: Territory) -> list[Survey]:
    """Every survey of a territory, newest first."""
    return list(db.session.scalars(select(Survey).where(Survey.territory_id == territory.id)
                                   .order_by(Survey.created_at.desc(), Survey.id.desc())
                                   .options(selectinload(Survey.pages).selectinload(SurveyPage.questions))))


def axes_and_objectives(territory: Territory) -> tuple[list[Axis], list[Objective]]:
    contract = territory.current_contract
    axes = contract.active_axes if contract else []
    return axes, [o for a in axes for o in a.active_objectives]
