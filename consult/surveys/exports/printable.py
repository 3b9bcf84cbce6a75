"""The printable (paper) questionnaire: what the template needs (its PDF comes from `consult.exports.pdf`), and
the coordinator's print choices (one part per page, numbered copies)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from consult.surveys.models import Question, Survey, SurveyPage
from consult.surveys.services import format_paper_number

# Above this many communes, the commune question becomes a write-in line instead of a list of boxes.
COMMUNE_LIST_LIMIT = 60
# Numbered copies in one file: WeasyPrint lays each copy out on its own, about 1.2 s of CPU and 15 MB of memory
# per copy of the demo questionnaire (50 copies: 60 s, 750 MB, 7 MB of PDF). 25 keeps a request near half a minute;
# more copies are printed as several files, the next one starting where this one ends.
MAX_COPIES = 25
LARGEST_NUMBER = 99_999


@dataclass(frozen=True)
class PrintOptions:
    """How to print: `copies` numbered copies from `start` (0 copies: one questionnaire with a blank
    number to write by hand), each part of the questionnaire on a new page or not."""

    part_per_page: bool = False
    copies: int = 0
    start: int = 1

    @property
    def numbers(self) -> list[str | None]:
        """The number of each copy to print, in order (None: a blank number box)."""
        if not self.copies:
            return [None]
        return [format_paper_number(n) for n in range(self.start, self.start + self.copies)]

    @property
    def next_start(self) -> int:
        """The first number of the next batch of copies."""
        return min(self.start + self.copies, LARGEST_NUMBER)

    def query(self) -> dict[str, int]:
        """The query string that asks for these choices again (for the PDF link)."""
        found = {"part_per_page": 1} if self.part_per_page else {}
        return {**found, **({"copies": self.copies, "start": self.start} if self.copies else {})}


def _bounded(value: str | None, low: int, high: int, default: int) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        return default
    return max(low, min(high, number))


def read_print_options(args: Mapping[str, str], *, may_number: bool) -> PrintOptions:
    """The print choices from a query string, brought within bounds (a wrong value never fails: it falls
    back). Numbered copies only for those who key the questionnaires in (`may_number`)."""
    part_per_page = args.get("part_per_page") in ("1", "on", "y")
    if not may_number:
        return PrintOptions(part_per_page=part_per_page)
    copies = _bounded(args.get("copies"), 0, MAX_COPIES, 0)
    start = _bounded(args.get("start"), 1, LARGEST_NUMBER - max(copies, 1) + 1, 1)
    return PrintOptions(part_per_page=part_per_page, copies=copies, start=start)


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
