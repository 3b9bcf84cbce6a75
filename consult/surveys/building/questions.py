"""What a question is made of while it is built: its data, default options, and the checks on options and
conditions (used by `builder`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from consult.errors import Conflict, InvalidInput
from consult.surveys.building import template
from consult.surveys.models import CHOICE_TYPES, Option, Question, QuestionType, Survey

# The point médian of inclusive writing (« habitant·es »): U+00B7, and the look-alikes typed for it between two
# letters (bullet U+2022, dot operator U+22C5, katakana middle dot U+30FB). Easy-to-read (FALC) rules advise against
# it: screen readers spell it out and many readers stumble on it.
POINT_MEDIAN = re.compile(r"\u00b7|(?<=\w)[\u2022\u22c5\u30fb](?=\w)")


def point_median(text: str) -> str | None:
    """The first point médian in `text` with the word around it (« concerné·e »), or None."""
    found = POINT_MEDIAN.search(text or "")
    if found is None:
        return None
    start, end = found.span()
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    while end < len(text) and (text[end].isalpha() or POINT_MEDIAN.match(text, end)):
        end += 1
    return text[start:end]


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


def check_options(data: QuestionData) -> None:
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


def check_condition(survey: Survey, code: str | None, values: list[str] | None, *, before: int,
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


def next_code(survey: Survey) -> str:
    numbers = [int(m.group(1)) for q in survey.questions if (m := re.fullmatch(r"Q(\d+)", q.code))]
    return f"Q{max(numbers, default=0) + 1}"


def set_options(question: Question, data: QuestionData, *, locked: bool) -> None:
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


def apply_question(question: Question, data: QuestionData) -> None:
    for key in ("text", "falc_text", "help_text", "required", "min_choices", "max_choices", "min_value", "max_value",
                "low_label", "high_label", "max_length", "scored", "score_multiplier", "score_cutoff",
                "score_cutoff_label", "breakdown_role"):
        setattr(question, key, getattr(data, key))
    question.condition_code = data.condition_code or None
    question.condition_values = list(data.condition_values) or None
