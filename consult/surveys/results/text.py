"""Free-text answers: the questions that hold some, and a searchable page of them."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from consult.core.text import fold
from consult.extensions import db
from consult.surveys.models import Answer, Question, Response, Survey
from consult.surveys.results.data import TEXT_TYPES


# --- free texts --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TextAnswer:
    question: Question
    option_label: str | None  # the "other" option it specifies, for "other" texts
    text: str


@dataclass(frozen=True)
class TextPage:
    items: list[TextAnswer]
    total: int        # matching the search
    page: int
    pages: int
    per_page: int


def text_questions(survey: Survey) -> list[Question]:
    """Questions that hold free text: short and long texts, and choices with an "other" option."""
    return [q for q in survey.questions if q.type in TEXT_TYPES or any(o.is_other for o in q.choices)]


def text_answers(survey: Survey, *, search: str = "", question_code: str | None = None, page: int = 1,
                 per_page: int = 20) -> TextPage:
    """Free-text answers (and "other" texts), searchable ignoring case and accents, a page at a time.

    Individual answers: only for those who may read them (`permissions.can_read_individual_answers`).
    """
    questions = [q for q in text_questions(survey) if question_code in (None, "", q.code)]
    by_id = {q.id: q for q in questions}
    rows = db.session.execute(
        select(Answer.question_id, Answer.option_id, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, Answer.question_id.in_(list(by_id)), Answer.value_text.is_not(None))
        .order_by(Answer.response_id, Answer.id)
    ).all()
    labels = {o.id: o.label for q in questions for o in q.options if o.is_other}
    order = {q.id: n for n, q in enumerate(questions)}
    items = []
    for question_id, option_id, text in sorted(rows, key=lambda r: order[r[0]]):
        question = by_id[question_id]
        if question.type not in TEXT_TYPES and option_id not in labels:
            continue
        if text.strip():
            items.append(TextAnswer(question, labels.get(option_id), text))
    needle = fold(search.strip())
    if needle:
        items = [i for i in items if needle in fold(i.text)]
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(1, page), pages)
    return TextPage(items[(page - 1) * per_page:page * per_page], len(items), page, pages, per_page)
