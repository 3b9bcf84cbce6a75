"""The « Dictionnaire des codes » of the analysts' files: one line per column of the data sheet and one per code it
may hold, with the question's wording, its type, the unit or bounds and what an empty cell means."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from flask_babel import gettext as _

from consult.exports.writers import Row
from consult.surveys.exports.builders.raw import RawColumn, condition_text, number_cell, score_rule
from consult.surveys.models import Channel, Question, QuestionType, Survey

T = QuestionType


def dictionary_header() -> Row:
    return [_("Column"), _("Question"), _("Question text"), _("Type"), _("Code"), _("Code label"),
            _("Unit or bounds"), _("An empty cell means"), _("Shown when"), _("Notes")]


def _bounds(question: Question) -> str:
    if question.type is T.RATING:
        ends = " … ".join(label for label in (question.low_label, question.high_label) if label)
        return _("from 0 to 10") + (f" ({ends})" if ends else "")
    if question.type is T.NUMBER:
        if question.min_value is None and question.max_value is None:
            return _("number")
        low = number_cell(question.min_value) if question.min_value is not None else "…"
        high = number_cell(question.max_value) if question.max_value is not None else "…"
        return _("number from %(low)s to %(high)s", low=low, high=high)
    if question.type is T.DATE:
        return _("date (year-month-day)")
    if question.type in (T.SHORT_TEXT, T.LONG_TEXT):
        return _("text written by the respondent")
    if question.type is T.COMMUNE:
        return _("INSEE code of the commune (text)")
    return ""


def _notes(question: Question) -> str:
    notes = []
    if question.min_choices:
        notes.append(_("at least %(num)d answers", num=question.min_choices))
    if question.max_choices:
        notes.append(_("at most %(num)d answers", num=question.max_choices))
    if question.falc_text:
        notes.append(_("Easy-to-read wording: %(text)s", text=question.falc_text))
    return "; ".join(notes)


def _not_answered(question: Question, by_code: Mapping[str, Question]) -> str:
    if question.condition_code:
        return _("no answer, or question not asked (asked only when %(condition)s)",
                 condition=condition_text(question, by_code))
    return _("no answer")


def _column_lines(column: RawColumn, by_code: Mapping[str, Question], communes: Mapping[str, str],
                  withheld: set[str], groups: Mapping[str, str]) -> Iterator[Row]:
    """The line of one column, then a line per code it may hold."""
    question = column.question
    kind = question.type
    text = question.text if column.option is None else f"{question.text} — {column.option.label}"
    empty = _not_answered(question, by_code)
    bounds, codes, kind_label = _bounds(question), [], str(kind.label)
    notes = _notes(question)
    if column.part == "value" and kind.has_options:
        codes = [(column.code_of(o.code), o.label) for o in question.choices]
        bounds = _("code of the answer (number)") if column.numbers is not None else _("code of the answer")
    elif column.part == "row":
        codes = [(column.code_of(o.code), o.label) for o in question.choices]
        bounds = _("code of the column chosen on this line")
        empty = _("line not answered, or question not asked") if question.condition_code else _("line not answered")
    elif column.part in ("option", "other_flag") and kind is T.MULTIPLE:
        codes = [(1, _("chosen")), (0, _("not chosen"))]
        bounds = _("1 = chosen, 0 = not chosen")
        empty = _not_answered(question, by_code) + "; " + _("0 means not chosen")
    elif column.part == "option":  # ranking
        bounds = _("rank given to this item (1 = first)")
        empty = _("item not ranked, or question not answered")
    elif column.part == "name":
        name = _("Name of the commune")
        text, bounds = f"{question.text} — {name}", _("text")
    elif column.part == "other_text":
        written = _("text written")
        text = f"{question.text} — {column.option.label} ({written})"
        bounds, kind_label = _("text written by the respondent"), _("Text of the “other” answer")
        empty = _("“%(answer)s” not chosen, or question not answered", answer=column.option.label)
    elif column.part in ("score_raw", "score_pct"):
        kind_label = _("Score")
        part = _("Raw score") if column.part == "score_raw" else _("Score as a percentage")
        text = f"{question.text} — {part}"
        bounds = _("number from 0 to 100") if column.part == "score_pct" else _("number")
        empty = _("at least one line not answered")
        notes = score_rule(question)
    elif kind is T.COMMUNE and column.part == "value":
        codes = list(communes.items())
    if column.part == "value":
        codes += list(groups.items())
    if question.code in withheld and column.part in ("value", "name"):
        empty += " " + _("or withheld to protect anonymity (see the “Anonymisation” sheet)")
    shown = condition_text(question, by_code)
    yield [column.key, question.code, text, kind_label, None, "", bounds, empty, shown, notes]
    for code, label in codes:
        yield [column.key, question.code, text, kind_label, code, label, "", "", "", ""]


def dictionary_rows(survey: Survey, columns: Iterable[RawColumn], communes: Mapping[str, str], *,
                    withheld: Iterable[str] = (), merged: Mapping[str, Mapping[str, str]] | None = None
                    ) -> Iterator[Row]:
    """Header, then each column of the data sheet (as written there) with the codes it may hold.

    `withheld`: the questions whose values the k-anonymous file may leave blank; `merged`: per question, the codes
    of the groups it merged answers into, with their labels."""
    yield dictionary_header()
    by_code = {q.code: q for q in survey.questions}
    withheld = set(withheld)
    yield [_("(every column)"), "", _("Empty cell"), "", None, "", "",
           _("no answer, or question not asked. 0 is never used for a missing answer."), "",
           _("Counts below the disclosure threshold (“< k”) only appear in the aggregated tables, never here.")]
    for column in columns:
        if column.question is not None:
            yield from _column_lines(column, by_code, communes, withheld, (merged or {}).get(column.question.code, {}))
            continue
        if column.name == "pseudonym":
            yield [column.key, "", _("Random pseudonym of the row, drawn again for each file: it identifies nothing "
                                     "and cannot be matched with another file."), _("Text"), None, "", "", "", "", ""]
        elif column.name == "channel":
            yield [column.key, "", _("How the response was collected."), _("Text"), None, "",
                   ", ".join(str(c.label) for c in Channel), "", "", ""]
        else:
            yield [column.key, "", _("Week the response was submitted or keyed in, as the date of its Monday (no day, "
                                     "no time)."), _("Date"), None, "", _("date (year-month-day)"), "", "", ""]


def tables_dictionary_rows(k: int) -> Iterator[Row]:
    """Header, then what the columns and special values of the aggregated tables mean."""
    yield [_("Column or value"), _("Meaning")]
    yield [_("Question"), _("Code of the question (Q1, Q2…), as in the questionnaire.")]
    yield [_("Table"), _("What the figures count: the distribution of the answers, or a breakdown by a group.")]
    yield [_("Group"), _("Who is counted: all respondents, or one group of a breakdown.")]
    yield [_("Answer"), _("Label of the answer.")]
    yield [_("Count"), _("Number of respondents who gave the answer (a number), or one of the two values below.")]
    yield [f"< {k}", _("A count from 1 to %(below)d, hidden so that nobody can be recognised; its percentage is "
                       "left empty.", below=k - 1)]
    yield [_("hidden"), _("A count hidden because it could otherwise be worked out from the others; its "
                          "percentage is left empty.")]
    yield [_("Percentage"), _("Share of the base, from 0 to 100 (a number); empty when the count is hidden.")]
    yield [_("Base (respondents)"), _("Respondents who answered the question in that group (a number, or “< %(k)d”).",
                                      k=k)]
