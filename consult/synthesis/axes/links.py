"""Survey questions linked by coordinators to the axes (and objectives) of the current contract."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.errors import InvalidInput, NotFound
from consult.extensions import db
from consult.surveys.models import Question, Survey
from consult.synthesis.axes.targets import Target, parse_id
from consult.synthesis.models import QuestionLink
from consult.synthesis.permissions import can_manage_plan
from consult.territories.models import Axis, Territory
from consult.territories.permissions import require


def links_of_survey(survey: Survey) -> dict[int, list[QuestionLink]]:
    """The links of every question of the survey, by question id (axes of the current contract first)."""
    links = db.session.scalars(
        select(QuestionLink).join(Question, Question.id == QuestionLink.question_id)
        .where(Question.survey_id == survey.id)
        .options(selectinload(QuestionLink.axis), selectinload(QuestionLink.objective))
        .order_by(QuestionLink.id))
    found: dict[int, list[QuestionLink]] = {}
    for link in links:
        found.setdefault(link.question_id, []).append(link)
    return found


def question_of(survey: Survey, value) -> Question:
    """The survey's question a form names by id. Raises InvalidInput (field `question`)."""
    ident = parse_id(value)
    question = next((q for q in survey.questions if q.id == ident), None)
    if question is None:
        raise InvalidInput(_("Choose a question of this survey."), field="question")
    return question


def link_question(actor, question: Question, target: Target) -> QuestionLink:
    """Link the question to the target's axis (and objective). Linking it again to the same axis only changes the
    objective: a double click changes nothing. Raises PermissionDenied (coordinators of the survey's territory and
    admins), InvalidInput (an axis of another territory)."""
    territory = question.survey.territory
    require(can_manage_plan(actor, territory))
    if target.axis.territory.id != territory.id:
        raise InvalidInput(_("Choose an axis or an objective of the current contract."), field="target")
    link = db.session.scalar(select(QuestionLink).where(QuestionLink.question_id == question.id,
                                                        QuestionLink.axis_id == target.axis.id))
    if link is None:
        link = QuestionLink(question=question, axis=target.axis)
        db.session.add(link)
    link.objective = target.objective
    db.session.flush()
    return link


def get_link(territory: Territory, survey: Survey, value) -> QuestionLink:
    """A link of this survey's questions. Raises NotFound (unknown, or of another survey or territory)."""
    ident = parse_id(value)
    link = db.session.get(QuestionLink, ident) if ident is not None else None
    if link is None or link.question.survey_id != survey.id or survey.territory_id != territory.id:
        raise NotFound(_("This link no longer exists."))
    return link


def unlink_question(actor, link: QuestionLink) -> None:
    """Remove the link. Raises PermissionDenied (coordinators of the question's territory and admins)."""
    require(can_manage_plan(actor, link.question.survey.territory))
    db.session.delete(link)
    db.session.flush()


def links_of(axis: Axis, objective_id: int | None = None) -> list[QuestionLink]:
    """The questions linked to the axis (to one of its objectives when `objective_id` is given), survey by survey."""
    query = (select(QuestionLink).join(Question, Question.id == QuestionLink.question_id)
             .where(QuestionLink.axis_id == axis.id)
             .options(selectinload(QuestionLink.question).selectinload(Question.survey))
             .order_by(Question.survey_id, Question.id))
    if objective_id is not None:
        query = query.where(QuestionLink.objective_id == objective_id)
    return list(db.session.scalars(query))
