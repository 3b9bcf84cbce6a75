"""Building surveys: settings, status, pages, questions and options, template, access codes.

Once a survey has responses, nothing that would corrupt them may change: no question or option
is removed, no type changes, no mode change; wording can still be corrected. Services flush, never commit.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from consult.core import audit
from consult.core.models import utcnow
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.surveys.building import template
from consult.surveys.building.questions import (
    DEFAULT_OPTIONS,
    QuestionData,
    apply_question,
    check_condition,
    check_options,
    next_code,
    set_options,
)
from consult.surveys.models import (
    AccessCode,
    Draft,
    Option,
    Question,
    Response,
    Survey,
    SurveyMode,
    SurveyPage,
    SurveyStatus,
)
from consult.surveys.results.data import disclosure_threshold, pin_disclosure_threshold, site_threshold
from consult.territories.models import Axis, Contract, Objective, Territory
from consult.territories.permissions import can_manage_territory
from consult.surveys.results import tally

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed from paper


def _require(actor, territory: Territory) -> None:
    if not can_manage_territory(actor, territory):
        raise PermissionDenied(_("You are not allowed to do this."))


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id)) or 0


def _locked(survey: Survey) -> bool:
    """Answers exist that changes must not corrupt. A draft's answers are test answers: they never lock it."""
    return survey.status is not SurveyStatus.DRAFT and response_count(survey) > 0


def test_answer_count(survey: Survey) -> int:
    """The test answers a draft holds (0 for a survey that was opened: its answers are real)."""
    return response_count(survey) if survey.status is SurveyStatus.DRAFT else 0


def discard_test_answers(survey: Survey) -> None:
    """Delete what trying a draft left: its responses (their answers and tags go with them), answers in
    progress and their resume keys, and access codes spent; k is free again. Only for a draft."""
    if survey.status is not SurveyStatus.DRAFT:
        raise Conflict(_("Only a draft holds test answers."))
    # Bulk deletes: the database cascades to answers (and what links to them) in the same transaction.
    db.session.execute(delete(Response).where(Response.survey_id == survey.id))
    tally.forget(survey.id)  # ids of deleted responses may be given again: count afresh
    db.session.execute(delete(Draft).where(Draft.survey_id == survey.id))
    db.session.execute(update(AccessCode).where(AccessCode.survey_id == survey.id, AccessCode.spent.is_(True))
                       .values(spent=False))
    survey.disclosure_floor = None


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
    retention_months: int | None = None
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
    for key in ("title", "introduction", "purpose", "retention", "retention_months", "opens_at", "closes_at",
                "access_codes_required", "disclosure_threshold", "mental_health", "recontact_enabled"):
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
    """Edit settings; the mode cannot change and k (the smallest group shown) cannot go down once answers
    exist. Raises PermissionDenied, Conflict, InvalidInput (field "disclosure_threshold")."""
    _require(actor, survey.territory)
    locked = _locked(survey)
    if data.mode is not survey.mode:
        if locked:
            raise Conflict(_("The answering mode cannot change once answers have been collected."))
        if survey.status is SurveyStatus.DRAFT:
            discard_test_answers(survey)  # tried in the other mode
        survey.mode = data.mode
    if locked:
        _refuse_lower_threshold(survey, data.disclosure_threshold)
    if data.disclosure_threshold != survey.disclosure_threshold:
        audit.record("threshold.change", actor=actor, territory=survey.territory_id, target=f"survey:{survey.id}",
                     detail={"before": survey.disclosure_threshold, "after": data.disclosure_threshold})
    _apply_settings(survey, data)
    if locked:
        pin_disclosure_threshold(survey)
    else:
        survey.disclosure_floor = None  # nothing collected, nothing shown: k is free until the first answer
    db.session.flush()


def _refuse_lower_threshold(survey: Survey, wanted: int | None) -> None:
    """Figures already shown at k must not be shown again with a smaller k (cells between the two
    would appear), so once answers exist the survey's own value, or the site's rule it falls back
    to when left empty, may not be below the k in force."""
    current = disclosure_threshold(survey)
    if (wanted or site_threshold()) < current:
        raise InvalidInput(_("Answers have been collected: the smallest group shown can no longer go below "
                             "%(k)d respondents (enter %(k)d or more).", k=current), field="disclosure_threshold")


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
        if survey.status is SurveyStatus.DRAFT:
            discard_test_answers(survey)  # test answers are never counted
        survey.closed_at = None
    elif target is SurveyStatus.CLOSED and survey.status is SurveyStatus.OPEN:
        survey.closed_at = now or utcnow()  # the retention of its raw answers runs from here
    survey.status = target
    db.session.flush()


def delete_survey(actor, survey: Survey) -> None:
    """Delete a draft with its pages, questions, options, access codes and test answers. A survey that was
    opened is never deleted (archive it once closed). Raises PermissionDenied, Conflict."""
    _require(actor, survey.territory)
    if survey.status is not SurveyStatus.DRAFT:
        raise Conflict(_("Only a draft can be deleted. A survey that was opened keeps its answers: close it, "
                         "then archive it."))
    # One DELETE: the database cascades to every row of the survey in the same transaction.
    db.session.execute(delete(Survey).where(Survey.id == survey.id))


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
    check_condition(page.survey, condition_code, condition_values, before=page.position)
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



def add_question(actor, page: SurveyPage, data: QuestionData) -> Question:
    """Append a question to a page, with its options. Raises PermissionDenied, InvalidInput."""
    survey = page.survey
    _require(actor, survey.territory)
    if not data.options and data.type in DEFAULT_OPTIONS:
        data.options = list(DEFAULT_OPTIONS[data.type])
    check_options(data)
    position = max((q.position for q in page.questions), default=-1) + 1
    check_condition(survey, data.condition_code, data.condition_values, before=page.position,
                     position=(page.position, position))
    question = Question(code=next_code(survey), type=data.type, position=position)
    apply_question(question, data)
    set_options(question, data, locked=False)
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
        if survey.status is SurveyStatus.DRAFT:
            discard_test_answers(survey)  # answers of the old type would not fit
        question.type = data.type
    check_options(data)
    check_condition(survey, data.condition_code, data.condition_values, before=question.page.position,
                     position=(question.page.position, question.position))
    set_options(question, data, locked=locked)
    apply_question(question, data)
    db.session.flush()


def duplicate_question(actor, question: Question) -> Question:
    """Copy a question (with a new code) right after the original. Raises PermissionDenied."""
    survey = question.survey
    _require(actor, survey.territory)
    copy = Question(code=next_code(survey), type=question.type, position=question.position + 1)
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
    """The current contract's axes and objectives still in use, in order: one query."""
    axes = db.session.scalars(
        select(Axis).join(Contract, Contract.id == Axis.contract_id)
        .where(Contract.territory_id == territory.id, Contract.is_current, Axis.archived_at.is_(None))
        .order_by(Axis.position, Axis.id).options(joinedload(Axis.objectives))).unique().all()
    return list(axes), [o for a in axes for o in a.active_objectives]
