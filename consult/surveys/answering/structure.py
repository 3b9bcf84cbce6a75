"""A survey's structure (pages, questions, options, matrix rows, conditions) as frozen copies, built in three
queries and kept per process under the survey's `structure_version` (consult/core/cache.py).

Answering reads the structure on every page (which pages and questions are shown, how an answer is checked and
stored); loading it through the ORM cost 8 + 27 queries a page. The copies answer the same attributes as the
models (`question.code`, `.choices`, `.rows`, `page.questions`…), so the answer rules, the question macro and the
review take either. They are read-only and shared between threads.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from consult.core.cache import versioned_cache
from consult.extensions import db
from consult.surveys.models import Option, Question, QuestionType, Survey, SurveyPage

CACHE_NAME = "survey_structure"


@dataclass(frozen=True, eq=False)
class FrozenOption:
    """An answer option, or a matrix row (`is_row`)."""

    id: int
    question_id: int
    position: int
    code: str
    label: str
    falc_label: str
    is_other: bool
    is_row: bool
    score: float | None


@dataclass(frozen=True, eq=False)
class FrozenQuestion:
    """A question with its options, in order."""

    id: int
    survey_id: int
    page_id: int
    position: int
    code: str
    type: QuestionType
    text: str
    falc_text: str
    help_text: str
    required: bool
    min_choices: int | None
    max_choices: int | None
    min_value: float | None
    max_value: float | None
    low_label: str
    high_label: str
    max_length: int | None
    scored: bool
    score_multiplier: float | None
    score_cutoff: float | None
    score_cutoff_label: str
    breakdown_role: str | None
    condition_code: str | None
    condition_values: tuple | None
    options: tuple[FrozenOption, ...] = ()
    choices: tuple[FrozenOption, ...] = field(init=False)
    rows: tuple[FrozenOption, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", tuple(o for o in self.options if not o.is_row))
        object.__setattr__(self, "rows", tuple(o for o in self.options if o.is_row))

    def option_by_code(self, code: str) -> FrozenOption | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True, eq=False)
class FrozenPage:
    """A page with its questions, in order."""

    id: int
    survey_id: int
    position: int
    title: str
    description: str
    mental_health: bool
    condition_code: str | None
    condition_values: tuple | None
    questions: tuple[FrozenQuestion, ...] = ()


@dataclass(frozen=True, eq=False)
class Structure:
    """Every page of a survey, in order, as it was at `version`."""

    survey_id: int
    version: str
    pages: tuple[FrozenPage, ...]
    questions: tuple[FrozenQuestion, ...] = field(init=False)
    has_falc: bool = field(init=False)           # some question has an easy-read wording
    _pages_by_id: Mapping[str, FrozenPage] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        questions = tuple(q for page in self.pages for q in page.questions)
        object.__setattr__(self, "questions", questions)
        object.__setattr__(self, "has_falc", any(q.falc_text for q in questions))
        object.__setattr__(self, "_pages_by_id", {str(p.id): p for p in self.pages})

    def page_by_id(self, page_id) -> FrozenPage | None:
        """The page with this id (as a form posts it: text), or None."""
        return self._pages_by_id.get(str(page_id))


def _frozen(values: Mapping, kind, **extra):
    """`kind` built from a row's columns (those it declares), with `extra` fields."""
    names = [f.name for f in kind.__dataclass_fields__.values() if f.init and f.name not in extra]
    made = {name: values[name] for name in names}
    if "condition_values" in made and made["condition_values"] is not None:
        made["condition_values"] = tuple(made["condition_values"])
    return kind(**made, **extra)


def load_structure(survey_id: int, version: str) -> Structure:
    """Read a survey's structure from the database: three queries, whatever its size."""
    def rows(model, *where, order):
        columns = [column for column in model.__table__.columns]
        return db.session.execute(select(*columns).where(*where).order_by(*order)).mappings().all()

    options: dict[int, list[FrozenOption]] = {}
    for row in rows(Option, Option.question_id.in_(select(Question.id).where(Question.survey_id == survey_id)),
                    order=(Option.question_id, Option.position, Option.id)):
        options.setdefault(row["question_id"], []).append(_frozen(row, FrozenOption))
    questions: dict[int, list[FrozenQuestion]] = {}
    for row in rows(Question, Question.survey_id == survey_id, order=(Question.position, Question.id)):
        questions.setdefault(row["page_id"], []).append(
            _frozen(row, FrozenQuestion, options=tuple(options.get(row["id"], ()))))
    pages = tuple(_frozen(row, FrozenPage, questions=tuple(questions.get(row["id"], ())))
                  for row in rows(SurveyPage, SurveyPage.survey_id == survey_id,
                                  order=(SurveyPage.position, SurveyPage.id)))
    return Structure(survey_id=survey_id, version=version, pages=pages)


def structure_of(survey: Survey) -> Structure:
    """The survey's structure at its current version: this process's copy, or read once and kept."""
    # Changes not yet flushed would be read under the version they are about to replace: flush them first (a
    # no-op on a clean session), so that the version read is theirs.
    db.session.flush()
    return versioned_cache(CACHE_NAME).get(survey.id, survey.structure_version,
                                           lambda: load_structure(survey.id, survey.structure_version))
