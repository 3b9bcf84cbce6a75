"""Pure row builders of the raw (pseudonymised) export: one row per response, and the codebook that explains its
columns.

The same columns serve two formats: the data package's (machine names such as `Q4_other_text`, stored codes) and
the analysts' files (`labelled`: one header row « Q4_autre_texte – … » in the export's language, answer codes as
numbers, channels as words, one column per “other” answer; their codebook is `dictionary.dictionary_rows`)."""
from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import pgettext

from consult.core.time import week_start
from consult.exports.writers import Cell, Row
from consult.surveys.answering.answers import SINGLE_VALUE_TYPES, other_key
from consult.surveys.exports.records import ResponseRecord
from consult.surveys.models import Channel, Option, Question, QuestionType, Survey, SurveyPage

T = QuestionType


# --------------------------------------------------------------------------- raw responses

@dataclass(frozen=True, slots=True)
class RawColumn:
    """One column of the raw export: its name and how to read it from (row pseudonym, record).

    `name` is the stable machine name (the data package's field). The analysts' files (`labelled` rows) head the
    column with `key – label` in the export's language and write each value through `show` (answer codes as
    numbers, channels as words)."""

    name: str
    read: Callable[[int, ResponseRecord], Cell]
    key: str = ""
    label: str = ""
    show: Callable[[Cell], Cell] | None = None
    question: Question | None = None
    part: str = "value"  # value, option, row, name, other_text, other_flag, score_raw, score_pct, meta
    option: Option | None = None
    numbers: Mapping[str, int] | None = None

    @property
    def header(self) -> str:
        """The header of the column in the analysts' files: “Q8 – Commune de résidence”."""
        key = self.key or self.name
        return f"{key} – {_short(self.label)}" if self.label else key

    def cell(self, pseudonym, record: ResponseRecord) -> Cell:
        value = self.read(pseudonym, record)
        return value if self.show is None or value is None else self.show(value)

    def code_of(self, code: str) -> Cell:
        """An answer code as this column writes it."""
        return code if self.numbers is None else self.numbers.get(code, code)


_NONE: Mapping = {}
_HEADER_LABEL = 60  # characters of a label kept in a header; the codebook has the whole text


def _short(text: str) -> str:
    """A label on one line, cut after a whole word when too long for a header."""
    text = " ".join(str(text).split())
    if len(text) <= _HEADER_LABEL:
        return text
    cut = text[:_HEADER_LABEL]
    words = cut.rsplit(" ", 1)[0] if " " in cut[_HEADER_LABEL // 2:] else cut
    return words.rstrip(" ,;:") + "…"


def option_numbers(question: Question) -> dict[str, int]:
    """The number each answer code is written as in the analysts' files: a code made of digits is that number;
    the others (such as « autre ») follow the largest, in the questionnaire's order. Numbers by position when
    two codes would give the same number (“01” and “1”)."""
    choices = question.choices
    numbers = {o.code: int(o.code) for o in choices if re.fullmatch(r"[0-9]{1,9}", o.code)}
    if len(set(numbers.values())) < len(numbers):
        return {o.code: position for position, o in enumerate(choices, start=1)}
    following = max(numbers.values(), default=0)
    for option in choices:
        if option.code not in numbers:
            following += 1
            numbers[option.code] = following
    return numbers


def number_cell(value) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value) == int(value) else float(value)


def _iso_date(value) -> dt.date | str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value  # stored before validation tightened: keep what is there rather than lose it


def _suffix(name: str) -> str:
    """The translated end of a column key (“other_text” → « texte_autre »)."""
    return {"name": pgettext("export column", "name"), "other_text": pgettext("export column", "other_text"),
            "score_raw": pgettext("export column", "score_raw"),
            "score_pct": pgettext("export column", "score_pct")}[name]


def _question_columns(question: Question, communes: Mapping[str, str]) -> list[RawColumn]:
    code, kind, text = question.code, question.type, question.text
    columns: list[RawColumn] = []
    numbers = option_numbers(question) if kind.has_options else None

    def column(name: str, read, label: str, **extra) -> RawColumn:
        key = extra.pop("key", name)
        return RawColumn(name, read, key=key, label=label, question=question, **extra)

    def coded(value: Cell) -> Cell:
        return numbers.get(value, value) if isinstance(value, str) else value

    # Each read looks the answer up itself (no helper call, not even int()): it runs once per row and column, millions
    # of times.
    if kind in SINGLE_VALUE_TYPES:
        columns.append(column(code, lambda n, r: r.data.get(code), text, show=coded, numbers=numbers))
    elif kind is T.MULTIPLE:
        for option in question.choices:
            chosen = (lambda n, r, o=option.code:
                      None if (v := r.data.get(code)) is None else 1 if o in v else 0)
            columns.append(column(f"{code}_{option.code}", chosen, option.label,
                                  part="other_flag" if option.is_other else "option", option=option))
    elif kind in (T.RATING, T.NUMBER):
        columns.append(column(code, lambda n, r: number_cell(r.data.get(code)), text))
    elif kind in (T.SHORT_TEXT, T.LONG_TEXT):
        columns.append(column(code, lambda n, r: r.data.get(code), text))
    elif kind is T.DATE:
        columns.append(column(code, lambda n, r: _iso_date(r.data.get(code)), text))
    elif kind is T.COMMUNE:
        columns.append(column(code, lambda n, r: r.data.get(code), text))
        columns.append(column(f"{code}_name", lambda n, r: communes.get(v) if (v := r.data.get(code)) else None,
                              _("Name of the commune"), key=f"{code}_{_suffix('name')}", part="name"))
    elif kind is T.RANKING:
        for option in question.choices:
            rank = (lambda n, r, o=option.code:
                    v.index(o) + 1 if (v := r.data.get(code)) and o in v else None)
            columns.append(column(f"{code}_{option.code}", rank, option.label, part="option", option=option))
    elif kind is T.MATRIX:
        for row in question.rows:
            columns.append(column(f"{code}_{row.code}", lambda n, r, c=row.code: (r.data.get(code) or _NONE).get(c),
                                  row.label, show=coded, part="row", option=row, numbers=numbers))
    other = next((o for o in question.choices if o.is_other), None)
    if other is not None:
        columns.append(column(f"{code}_other_text", lambda n, r: r.data.get(other_key(question)),
                              _("“%(answer)s”: the text written", answer=other.label),
                              key=f"{code}_{_suffix('other_text')}", part="other_text", option=other))
    if question.scored:
        scored = _scorer(question)
        columns.append(column(f"{code}_score_raw", lambda n, r: _score_part(scored(r.data), 0), _("Raw score"),
                              key=f"{code}_{_suffix('score_raw')}", part="score_raw"))
        columns.append(column(f"{code}_score_pct", lambda n, r: _score_part(scored(r.data), 1),
                              _("Score as a percentage"), key=f"{code}_{_suffix('score_pct')}", part="score_pct"))
    return columns


def _scorer(question: Question) -> Callable[[Mapping], tuple[float, float] | None]:
    """`answers.score` of one question, with its options' points read once (not on every row), and the last
    response's result kept for the next column (the raw score and the percentage come from one computation)."""
    code, matrix, line_count = question.code, question.type is T.MATRIX, len(question.rows)
    points = {o.code: o.score or 0 for o in question.options}
    multiplier = question.score_multiplier or 1
    last: list = [None, None]

    def scored(data: Mapping) -> tuple[float, float] | None:
        if last[0] is data:
            return last[1]
        value = data.get(code)
        if matrix:
            raw = sum(points[c] for c in value.values()) \
                if isinstance(value, dict) and len(value) >= line_count else None
        else:
            raw = points[value] if isinstance(value, str) and value in points else None
        last[0], last[1] = data, None if raw is None else (raw, raw * multiplier)
        return last[1]

    return scored


def _score_part(result: tuple[float, float] | None, index: int) -> int | float | None:
    return None if result is None else number_cell(round(result[index], 2))


def raw_columns(survey: Survey, communes: Mapping[str, str]) -> list[RawColumn]:
    """The columns of the raw export. No database id, account or keyer, no day: a random pseudonym per row and
    the week the response came in."""
    columns = [
        RawColumn("pseudonym", lambda n, r: n, key=_("pseudonym"), part="meta"),
        RawColumn("channel", lambda n, r: r.channel.value, key=_("channel"), part="meta",
                  show=lambda value: str(Channel(value).label)),
        # An account's response keeps its day in the database; no file carries it, only the week.
        RawColumn("submitted_week", lambda n, r: week_start(r.submitted_on), key=_("week"),
                  label=_("Monday of the week the response came in"), part="meta"),
    ]
    for question in survey.questions:
        columns.extend(_question_columns(question, communes))
    return columns


def free_text_columns(survey: Survey) -> set[str]:
    """The columns that hold what respondents wrote in their own words (text questions and “other” answers)."""
    names = {q.code for q in survey.questions if q.type in (T.SHORT_TEXT, T.LONG_TEXT)}
    return names | {f"{q.code}_other_text" for q in survey.questions if any(o.is_other for o in q.choices)}


_HALF_BITS = 20  # a pseudonym is 40 bits (10 hex digits): two halves of 20
_WORD = (1 << 64) - 1


def pseudonyms() -> Iterator[str]:
    """Random row pseudonyms, all different, drawn afresh for each file (stored nowhere, so no two files can be
    joined on them, and none leads back to a response).

    The n-th pseudonym is n encrypted with fresh random keys (a four-round Feistel network over 40 bits whose
    round function is a keyed multiply-shift hash): a permutation, so no two rows share one, without remembering
    the pseudonyms already given (memory stays flat however many rows the file has).
    """
    draw = secrets.SystemRandom()
    rounds = [(draw.getrandbits(64), draw.getrandbits(64) | 1) for _round in range(4)]
    mask = (1 << _HALF_BITS) - 1
    for number in itertools.count():
        left, right = number >> _HALF_BITS, number & mask
        for offset, factor in rounds:
            left, right = right, left ^ ((((right ^ offset) * factor) & _WORD) >> (64 - _HALF_BITS))
        yield f"{(left << _HALF_BITS) | right:010x}"


def analyst_columns(columns: Iterable[RawColumn]) -> list[RawColumn]:
    """The columns of the analysts' files: one column per “other” answer — its text when the file has it (the
    text is required with that answer, so a written text means it was chosen), else the 0/1 column."""
    columns = list(columns)
    texts = {c.question.code for c in columns if c.part == "other_text"}
    return [c for c in columns if not (c.part == "other_flag" and c.question.code in texts)]


def raw_rows(survey: Survey, records: Iterable[ResponseRecord], communes: Mapping[str, str], *,
             columns: list[RawColumn] | None = None, labelled: bool = False) -> Iterator[Row]:
    """Header, then one row per response in the order given, each with a random pseudonym (not a number:
    a number would follow that order).

    Plain rows head each column with its machine name and write the stored codes (the data package's format);
    `labelled` rows (the analysts' files) head it with “key – label” in the export's language and write answer
    codes as numbers and channels as words."""
    columns = raw_columns(survey, communes) if columns is None else columns
    yield [c.header if labelled else c.name for c in columns]
    cells = cell_readers(columns, labelled=labelled)
    for pseudonym, record in zip(pseudonyms(), records):
        yield [cell(pseudonym, record) for cell in cells]


def cell_readers(columns: Iterable[RawColumn], *, labelled: bool) -> list[Callable[[str, ResponseRecord], Cell]]:
    """How each column reads its cell from (pseudonym, record): plain rows write what is stored, `labelled` ones
    what the column `show`s."""
    return [_shown(c.read, c.show) if labelled and c.show is not None else c.read for c in columns]


def _shown(read: Callable[[str, ResponseRecord], Cell], show: Callable[[Cell], Cell]
           ) -> Callable[[str, ResponseRecord], Cell]:
    """A column's read, then its `show` (which depends on the value only): each value's shown form is worked out
    once per file — a column holds a handful of distinct codes, repeated on every row."""
    memo: dict = {}

    def cell(pseudonym: str, record: ResponseRecord) -> Cell:
        value = read(pseudonym, record)
        if value.__class__ is not str:  # None stays empty; numbers are rare here and not kept (1 == 1.0)
            return None if value is None else show(value)
        shown = memo.get(value, memo)
        if shown is memo:
            memo[value] = shown = show(value)
        return shown

    return cell


# --------------------------------------------------------------------------- codebook

def codebook_header() -> Row:
    return [_("Question"), _("Element"), _("Export column"), _("Code"), _("Text or label"), _("FALC wording"),
            _("Type"), _("Required"), _("Shown when"), _("Score"), _("Notes")]


def condition_text(item: Question | SurveyPage, by_code: Mapping[str, Question]) -> str:
    """“Q3 = 1 (Oui)”: when a conditional question or page is shown; empty when always shown."""
    if not item.condition_code:
        return ""
    source = by_code.get(item.condition_code)
    values = []
    for value in item.condition_values or ():
        option = source.option_by_code(value) if source is not None else None
        values.append(f"{value} ({option.label})" if option is not None else str(value))
    return _("%(question)s = %(values)s", question=item.condition_code, values=_(" or ").join(values))


def score_rule(question: Question) -> str:
    """How the score of a scored scale is computed, in words."""
    if not question.scored:
        return ""
    rule = _("Raw score: sum of the scores of the chosen answers; percentage: raw score × %(multiplier)s.",
             multiplier=number_cell(question.score_multiplier or 1))
    if question.score_cutoff is not None:
        rule += " " + _("At or below %(cutoff)s %%: %(label)s.", cutoff=number_cell(question.score_cutoff),
                        label=question.score_cutoff_label or _("low score"))
    return rule


def _constraints(question: Question) -> str:
    notes = []
    if question.min_choices:
        notes.append(_("at least %(num)d answers", num=question.min_choices))
    if question.max_choices:
        notes.append(_("at most %(num)d answers", num=question.max_choices))
    if question.min_value is not None or question.max_value is not None:
        low = number_cell(question.min_value) if question.min_value is not None else "…"
        high = number_cell(question.max_value) if question.max_value is not None else "…"
        notes.append(_("from %(low)s to %(high)s", low=low, high=high))
    if question.low_label or question.high_label:
        notes.append(f"{question.low_label} … {question.high_label}".strip())
    if question.max_length:
        notes.append(_("at most %(num)d characters", num=question.max_length))
    if question.help_text:
        notes.append(question.help_text)
    return "; ".join(notes)


def _question_notes(question: Question) -> str:
    kind = question.type
    meaning = {
        T.MULTIPLE: _("One column per answer: 1 = chosen, 0 = not chosen, empty = question not answered."),
        T.RANKING: _("One column per item holding the rank it was given (1 = first); empty = not ranked."),
        T.MATRIX: _("One column per line holding the code of the chosen column."),
        T.COMMUNE: _("INSEE code of the commune; its name is in the next column."),
        T.DATE: _("Date (year-month-day)."),
        T.RATING: _("Number from 0 to 10."),
    }.get(kind, "")
    return " ".join(part for part in (meaning, _constraints(question)) if part)


def codebook_rows(survey: Survey, communes: Mapping[str, str]) -> Iterator[Row]:
    """Header, then every column and code of the raw export, with the questions' wording and rules."""
    yes, no = _("yes"), _("no")
    yield codebook_header()
    column, value = _("Column"), _("Value")
    yield ["", _("File"), "", "", _("Pseudonymised responses: no name, account, e-mail address, day or database "
                                    "number, rows in random order. Still personal data: a combination of answers "
                                    "(commune, age, occupation…) can single someone out."), "", "", "", "", "", ""]
    yield ["", column, "pseudonym", "", _("Random pseudonym of the row, drawn again for each file: it identifies "
                                         "nothing and cannot be matched with another file. Rows are in random "
                                         "order."), "", "", "", "", "", ""]
    yield ["", column, "channel", "", _("How the response was collected."), "", "", "", "", "", ""]
    for channel in Channel:
        yield ["", value, "channel", channel.value, str(channel.label), "", "", "", "", "", ""]
    yield ["", column, "submitted_week", "", _("Week the response was submitted or keyed in, as the date of its "
                                              "Monday (no day, no time)."), "", "", "", "", "", ""]
    by_code = {q.code: q for q in survey.questions}
    for page in survey.pages:
        yield ["", _("Page"), "", "", page.title, "", "", "", condition_text(page, by_code), "", page.description]
        for question in page.questions:
            yield from _question_codebook(question, by_code, communes, yes=yes, no=no)


def _question_codebook(question: Question, by_code, communes, *, yes: str, no: str) -> Iterator[Row]:
    code, kind = question.code, question.type
    yield [code, _("Question"), code if kind not in (T.MULTIPLE, T.RANKING, T.MATRIX) else "", "", question.text,
           question.falc_text, str(kind.label), yes if question.required else no, condition_text(question, by_code),
           score_rule(question), _question_notes(question)]
    if kind is T.MATRIX:
        for row in question.rows:
            yield [code, _("Matrix line"), f"{code}_{row.code}", row.code, row.label, row.falc_label,
                   "", "", "", "", ""]
        for option in question.choices:
            yield [code, _("Matrix column"), "", option.code, option.label, option.falc_label, "", "", "",
                   number_cell(option.score) if option.score is not None else None, ""]
    elif kind.has_options:
        option_label = _("Item") if kind is T.RANKING else _("Answer")
        for option in question.choices:
            target = f"{code}_{option.code}" if kind in (T.MULTIPLE, T.RANKING) else code
            note = _("Its text is in %(column)s.", column=f"{code}_other_text") if option.is_other else ""
            yield [code, option_label, target, option.code, option.label, option.falc_label, "", "", "",
                   number_cell(option.score) if option.score is not None else None, note]
    elif kind is T.COMMUNE:
        yield [code, _("Column"), f"{code}_name", "", _("Name of the commune."), "", "", "", "", "", ""]
        for insee_code, name in communes.items():
            yield [code, _("Commune"), code, insee_code, name, "", "", "", "", "", ""]
    if any(o.is_other for o in question.choices):
        yield [code, _("Column"), f"{code}_other_text", "", _("Text written for the “other” answer."),
               "", "", "", "", "", ""]
    if question.scored:
        yield [code, _("Column"), f"{code}_score_raw", "", _("Raw score (empty unless every line is answered)."),
               "", "", "", "", "", ""]
        yield [code, _("Column"), f"{code}_score_pct", "", _("Score as a percentage."), "", "", "", "", "", ""]
