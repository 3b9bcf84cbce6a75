"""What a respondent's answers look like, how they are read from a form, checked and stored.

Answers travel as a dict keyed by question code (the same shape in drafts, validation, paper entry
and storage):

- single choice, Likert, yes/no, age band: the option code (str); "other" text under "<code>.other"
- multiple choice: a list of option codes; "other" text under "<code>.other"
- rating, number: a number (int or float)
- short and long text: str; date: ISO date str; commune: the INSEE code (str), or OTHER_COMMUNE
- ranking: a list of option codes, best first
- matrix: a dict {row code: column code}
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import ngettext

from consult.core.forms import control_character_error
from consult.surveys.models import Answer, Question, QuestionType, SurveyPage

# The answer of someone living outside the territory's communes (stored in place of an INSEE code).
OTHER_COMMUNE = "autre"

SINGLE_VALUE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.LIKERT, QuestionType.YES_NO, QuestionType.AGE_BAND})
TEXT_LIMIT = {QuestionType.SHORT_TEXT: 300, QuestionType.LONG_TEXT: 5000}


def other_commune_label() -> str:
    """How « another commune » reads wherever commune answers are offered or counted."""
    return _("Another commune")


def field_name(question: Question, suffix: str | None = None) -> str:
    """The form field name of a question (or of one of its parts)."""
    return f"q-{question.code}" + (f"-{suffix}" if suffix else "")


def other_key(question: Question) -> str:
    return f"{question.code}.other"


def is_visible(item: Question | SurveyPage, data: Mapping) -> bool:
    """Whether a conditional question or page is shown, given the answers so far."""
    if not item.condition_code:
        return True
    given = data.get(item.condition_code)
    wanted = set(item.condition_values or ())
    if isinstance(given, list):
        return bool(wanted.intersection(given))
    return given in wanted


def visible_questions(page: SurveyPage, data: Mapping) -> list[Question]:
    if not is_visible(page, data):
        return []
    return [q for q in page.questions if is_visible(q, data)]


def read_form(question: Question, form: Mapping) -> dict:
    """The answer to `question` found in submitted form data, as {code: value, [code.other: text]}.

    Keeps what the person typed even when it is invalid, so that the form can show it again.
    """
    name = field_name(question)
    kind = question.type
    found: dict = {}
    if kind in SINGLE_VALUE_TYPES or kind is QuestionType.COMMUNE:
        value = (form.get(name) or "").strip()
        if value:
            found[question.code] = value
    elif kind is QuestionType.MULTIPLE:
        values = [v for v in _getlist(form, name) if v]
        if values:
            found[question.code] = values
    elif kind in (QuestionType.RATING, QuestionType.NUMBER):
        value = (form.get(name) or "").strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
        if value:
            found[question.code] = value
    elif kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        value = (form.get(name) or "").strip()
        if value:
            found[question.code] = value
    elif kind is QuestionType.DATE:
        value = (form.get(name) or "").strip()
        if value:
            found[question.code] = iso_date(value)
    elif kind is QuestionType.RANKING:
        ranks = {}
        for option in question.choices:
            raw = (form.get(field_name(question, option.code)) or "").strip()
            if raw:
                ranks[option.code] = raw
        if ranks:
            found[question.code] = ranks  # normalised into an ordered list by clean()
    elif kind is QuestionType.MATRIX:
        cells = {}
        for row in question.rows:
            value = (form.get(field_name(question, row.code)) or "").strip()
            if value:
                cells[row.code] = value
        if cells:
            found[question.code] = cells
    other = (form.get(field_name(question, "other")) or "").strip()
    if other and any(o.is_other for o in question.options):
        found[other_key(question)] = other
    return found


DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def iso_date(value: str) -> str:
    """A date typed day/month/year (as French respondents and paper forms write it) → ISO; other text as is."""
    match = DAY_MONTH_YEAR.match(value)
    if not match:
        return value
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return value


def _getlist(form: Mapping, name: str) -> list[str]:
    if hasattr(form, "getlist"):
        return form.getlist(name)
    value = form.get(name)
    return value if isinstance(value, list) else ([value] if value else [])


def clean(question: Question, data: Mapping, *, communes: Mapping[str, str] | None = None) -> tuple[dict, str | None]:
    """Validate one question's answer in `data`; return (normalised answer entries, error message or None)."""
    code = question.code
    value = data.get(code)
    other = data.get(other_key(question))
    if value in (None, "", [], {}):
        if question.required:
            return {}, _("This question needs an answer.")
        return {}, None
    kind = question.type
    codes = {o.code for o in question.choices}
    other_codes = {o.code for o in question.choices if o.is_other}
    result: dict = {}

    if kind in SINGLE_VALUE_TYPES:
        if not isinstance(value, str) or value not in codes:
            return {}, _("Choose one of the answers offered.")
        result[code] = value
        if value in other_codes:
            if not other:
                return result, _("Please specify your answer in the text field.")
            if error := control_character_error(other, multiline=False):
                return result, error
            result[other_key(question)] = other[:300]
    elif kind is QuestionType.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        chosen = [v for v in dict.fromkeys(values)]
        if any(v not in codes for v in chosen):
            return {}, _("Choose among the answers offered.")
        result[code] = chosen
        if question.min_choices and len(chosen) < question.min_choices:
            return result, ngettext("Choose at least %(num)d answer.", "Choose at least %(num)d answers.",
                                    question.min_choices)
        if question.max_choices and len(chosen) > question.max_choices:
            return result, ngettext("Choose at most %(num)d answer.", "Choose at most %(num)d answers.",
                                    question.max_choices)
        if other_codes.intersection(chosen):
            if not other:
                return result, _("Please specify your answer in the text field.")
            if error := control_character_error(other, multiline=False):
                return result, error
            result[other_key(question)] = other[:300]
    elif kind in (QuestionType.RATING, QuestionType.NUMBER):
        number = _number(value)
        low, high = _bounds(question)
        if number is None:
            if low is not None and high is not None:
                return {code: value}, _("Enter a number between %(low)s and %(high)s.", low=_fmt(low), high=_fmt(high))
            return {code: value}, _("Enter a number, for example 12 or 3.5.")
        if (low is not None and number < low) or (high is not None and number > high):
            return {code: value}, _("Enter a number between %(low)s and %(high)s.",
                                    low=_fmt(low) if low is not None else "…", high=_fmt(high) if high is not None else "…")
        if kind is QuestionType.RATING and number != int(number):
            return {code: value}, _("Choose a whole number.")
        result[code] = int(number) if number == int(number) else number
    elif kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        limit = question.max_length or TEXT_LIMIT[kind]
        if len(value) > limit:
            return {code: value}, ngettext("At most %(num)d character.", "At most %(num)d characters.", limit)
        # The same rule as every form's text fields: no NUL, ESC…; line breaks only in a long answer.
        if error := control_character_error(value, multiline=kind is QuestionType.LONG_TEXT):
            return {code: value}, error
        result[code] = value
    elif kind is QuestionType.DATE:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return {code: value}, _("Enter a date as day/month/year, for example 21/03/2026.")
        result[code] = day.isoformat()
    elif kind is QuestionType.COMMUNE:
        if communes is not None and value not in communes:
            return {}, _("Choose a commune from the list.")
        result[code] = value
    elif kind is QuestionType.RANKING:
        ranked = _ranking(question, value)
        if ranked is None:
            return {}, _("Give each item a different rank, starting from 1.")
        if question.min_choices and len(ranked) < question.min_choices:
            return {}, ngettext("Rank at least %(num)d item.", "Rank at least %(num)d items.", question.min_choices)
        if question.max_choices and len(ranked) > question.max_choices:
            return {}, ngettext("Rank at most %(num)d item.", "Rank at most %(num)d items.", question.max_choices)
        result[code] = ranked
    elif kind is QuestionType.MATRIX:
        if not isinstance(value, dict):
            return {}, _("Choose one answer per line.")
        rows = {r.code for r in question.rows}
        cells = {r: c for r, c in value.items() if r in rows and c in codes}
        if len(cells) != len(value):
            return {}, _("Choose one answer per line.")
        result[code] = cells
        if question.required and len(cells) < len(rows):
            return result, _("Answer every line.")
    return result, None


def _ranking(question: Question, value) -> list[str] | None:
    """Ranks {option: "1"…} or an ordered list → option codes best first; None when inconsistent."""
    codes = [o.code for o in question.choices]
    if isinstance(value, list):
        return value if all(v in codes for v in value) and len(set(value)) == len(value) else None
    if not isinstance(value, dict):
        return None
    ranks = {}
    for option, raw in value.items():
        if option not in codes:
            return None
        try:
            ranks[option] = int(raw)
        except (TypeError, ValueError):
            return None
    ordered = sorted(ranks.values())
    if ordered != list(range(1, len(ordered) + 1)):
        return None
    return sorted(ranks, key=ranks.get)


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _bounds(question: Question) -> tuple[float | None, float | None]:
    if question.type is QuestionType.RATING:
        return (question.min_value if question.min_value is not None else 0,
                question.max_value if question.max_value is not None else 10)
    return question.min_value, question.max_value


def _fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def clean_page(questions: list[Question], data: Mapping, *, communes: Mapping[str, str] | None = None
               ) -> tuple[dict, dict[str, str]]:
    """Validate several questions; return (normalised answers, {question code: error})."""
    cleaned: dict = {}
    errors: dict[str, str] = {}
    for question in questions:
        entries, error = clean(question, data, communes=communes)
        cleaned.update(entries)
        if error:
            errors[question.code] = error
    return cleaned, errors


def _cells(question: Question, data: Mapping) -> list[tuple]:
    """(option, row, value_text, value_number, rank) of each stored value of a question's (cleaned) answer."""
    value = data.get(question.code)
    if value in (None, "", [], {}):
        return []
    by_code = {o.code: o for o in question.options}
    other = data.get(other_key(question))
    kind = question.type
    if kind in SINGLE_VALUE_TYPES:
        option = by_code[value]
        return [(option, None, other if option.is_other else None, None, None)]
    if kind is QuestionType.MULTIPLE:
        return [(by_code[v], None, other if by_code[v].is_other else None, None, None) for v in value]
    if kind in (QuestionType.RATING, QuestionType.NUMBER):
        return [(None, None, None, float(value), None)]
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT, QuestionType.DATE, QuestionType.COMMUNE):
        return [(None, None, str(value), None, None)]
    if kind is QuestionType.RANKING:
        return [(by_code[v], None, None, None, rank) for rank, v in enumerate(value, start=1)]
    if kind is QuestionType.MATRIX:
        return [(by_code[column], by_code[row], None, None, None) for row, column in value.items()]
    raise ValueError(kind)


def answer_rows(question: Question, data: Mapping) -> list[Answer]:
    """The Answer rows that store a question's (already cleaned) answer."""
    return [Answer(question=question, option=option, row=row, value_text=text, value_number=number, rank=rank)
            for option, row, text, number, rank in _cells(question, data)]


def answer_values(question, data: Mapping) -> list[dict]:
    """The same rows as `answer_rows`, as column values for one INSERT of many rows (without `response_id`);
    `question` is a model or its frozen copy (answering/structure.py)."""
    return [{"question_id": question.id, "option_id": option.id if option is not None else None,
             "row_id": row.id if row is not None else None, "value_text": text, "value_number": number, "rank": rank}
            for option, row, text, number, rank in _cells(question, data)]


def score(question: Question, data: Mapping) -> tuple[float, float] | None:
    """(raw score, percentage) of a scored matrix or scale, or None when not every item is answered."""
    if not question.scored:
        return None
    value = data.get(question.code)
    by_code = {o.code: o for o in question.options}
    if question.type is QuestionType.MATRIX:
        if not isinstance(value, dict) or len(value) < len(question.rows):
            return None
        raw = sum(by_code[c].score or 0 for c in value.values())
    elif isinstance(value, str) and value in by_code:
        raw = by_code[value].score or 0
    else:
        return None
    return raw, raw * (question.score_multiplier or 1)
