"""The printable (paper) questionnaire: what the template needs (its PDF comes from `consult.exports.pdf`)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from consult.surveys.models import Question, Survey, SurveyPage

# Above this many communes, the commune question becomes a write-in line instead of a list of boxes.
COMMUNE_LIST_LIMIT = 60


@dataclass(frozen=True)
class Condition:
    """“Answer only if you answered A or B to question N”, ready to print."""

    number: int | None
    labels: list[str]


@dataclass(frozen=True)
class PrintLayout:
    """Question numbers as printed (1, 2, 3… across pages) and the conditions in words."""

    numbers: Mapping[str, int]
    conditions: Mapping[str, Condition]

    def condition(self, item: Question | SurveyPage) -> Condition | None:
        key = _key(item)
        return self.conditions.get(key)


def _key(item: Question | SurveyPage) -> str:
    return f"q:{item.code}" if isinstance(item, Question) else f"p:{item.id}"


def print_layout(survey: Survey) -> PrintLayout:
    """Number the questions in order and spell out each condition with the labels of the expected answers."""
    questions = survey.questions
    numbers = {q.code: index for index, q in enumerate(questions, start=1)}
    by_code = {q.code: q for q in questions}
    conditions: dict[str, Condition] = {}
    for item in [*survey.pages, *questions]:
        if not item.condition_code:
            continue
        source = by_code.get(item.condition_code)
        labels = []
        for value in item.condition_values or ():
            option = source.option_by_code(value) if source is not None else None
            labels.append(option.label if option is not None else str(value))
        conditions[_key(item)] = Condition(numbers.get(item.condition_code), labels)
    return PrintLayout(numbers, conditions)
