"""Free-text answers: the questions that hold some, and a searchable page of them."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from consult.core.text import fold
from consult.extensions import db
from consult.surveys.models import Answer, Question, Response, Survey
from consult.surveys.results.data import TEXT_TYPES, questionnaire


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
    return [q for q in questionnaire(survey).questions if q.type in TEXT_TYPES or any(o.is_other for o in q.choices)]


def text_answers(survey: Survey, *, search: str = "", question_code: str | None = None, page: int = 1,
                 per_page: int = 20) -> TextPage:
    """Free-text answers (and "other" texts), searchable ignoring case and accents, a page at a time.

    Without a search, the page is cut in the database (a count and one page of rows); with one, the texts
    are read as a stream and only the page's are kept (accents are folded in Python). Individual answers:
    only for those who may read them (`permissions.can_read_individual_answers`).
    """
    questions = [q for q in text_questions(survey) if question_code in (None, "", q.code)]
    by_id = {q.id: q for q in questions}
    labels = {o.id: o.label for q in questions for o in q.options if o.is_other}
    free = [q.id for q in questions if q.type in TEXT_TYPES]
    if not questions:
        return TextPage([], 0, 1, 1, per_page)
    order = case({q.id: n for n, q in enumerate(questions)}, value=Answer.question_id)
    found = (select(Answer.question_id, Answer.option_id, Answer.value_text)
             .join(Response, Response.id == Answer.response_id)
             .where(Response.survey_id == survey.id, Answer.question_id.in_(list(by_id)),
                    or_(Answer.question_id.in_(free), Answer.option_id.in_(list(labels))),
                    Answer.value_text.is_not(None), func.trim(Answer.value_text) != ""))
    needle = fold(search.strip())
    if not needle:
        total = db.session.scalar(select(func.count()).select_from(found.subquery()))
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        rows = db.session.execute(found.order_by(order, Answer.response_id, Answer.id)
                                  .limit(per_page).offset((page - 1) * per_page))
        items = [TextAnswer(by_id[q], labels.get(o), text) for q, o, text in rows]
        return TextPage(items, total, page, pages, per_page)
    matching, total = [], 0
    first = (max(1, page) - 1) * per_page
    for q, o, text in db.session.execute(found.order_by(order, Answer.response_id, Answer.id)
                                         .execution_options(yield_per=2000)):
        if needle in fold(text):
            if first <= total < first + per_page:
                matching.append(TextAnswer(by_id[q], labels.get(o), text))
            total += 1
    pages = max(1, math.ceil(total / per_page))
    if page > pages:  # past the last page: show the last one (read again, only then)
        return text_answers(survey, search=search, question_code=question_code, page=pages, per_page=per_page)
    return TextPage(matching, total, max(1, page), pages, per_page)
