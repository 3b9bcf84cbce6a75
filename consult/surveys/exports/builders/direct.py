"""The raw export's rows filled straight from the stored answer rows: the same rows as `raw.raw_rows` over
`records.iter_records`, without an answer dict per response nor a function call per cell.

An export of 100,000 responses reads 3.5 million answer rows and writes 7 million cells. Most answers are a choice:
one answer row sets one cell (a single choice, a matrix line) or a few (a multiple choice: its answered options at
0, the chosen one at 1). What a choice writes is worked out once per file by the columns' own reads, on the answer
dict that this answer row alone gives (`RecordReader`), and then copied into every row that holds that answer (a
scored scale's lines too). The other questions (numbers, texts, dates, communes, rankings), a scored scale's score
and the row's own columns (pseudonym, channel, week) are read as `raw_rows` reads them, from an answer dict of those
questions' rows only.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from consult.exports.writers import Row
from consult.surveys.answering.answers import SINGLE_VALUE_TYPES, other_key
from consult.surveys.exports.builders.raw import RawColumn, cell_readers, pseudonyms, raw_columns
from consult.surveys.exports.records import Head, RecordReader, ResponseRecord
from consult.surveys.models import Question, QuestionType, Survey

# Questions whose every answer row is a choice that sets a few cells, whatever else the response holds.
_CHOICES = SINGLE_VALUE_TYPES | {QuestionType.MULTIPLE, QuestionType.MATRIX}

Change = tuple[tuple[int, object], ...]  # (index of a cell, its value) pairs


class _Choice:
    """A choice question's cells: their indices in the row, those set when it is first answered (a multiple choice:
    every option at 0) and whether a written “other” text has a cell. A scored scale's score columns are read from
    the answer dict: its answer rows are read into it too (`read`)."""

    __slots__ = ("question", "indices", "opened", "other", "read")

    def __init__(self, question: Question, indices: list[int]) -> None:
        self.question, self.indices = question, indices
        self.opened: Change = ()
        self.other = False
        self.read = question.scored


# What an answer row of another question does: it is read into the answer dict of its response.
_READ = ((), (), None, True)


class DirectRows:
    """Builds the rows of a batch of responses from their answer rows (`answer_batches`), then gives them in the
    batch's order with their pseudonyms."""

    def __init__(self, survey: Survey, columns: Sequence[RawColumn], *, labelled: bool) -> None:
        self.reader = RecordReader(survey.questions)
        self.cells = cell_readers(columns, labelled=labelled)
        self.width = len(columns)
        indices: dict[int, list[int]] = {}
        self.scores = {index for index, column in enumerate(columns) if column.part in ("score_raw", "score_pct")}
        for index, column in enumerate(columns):
            if column.question is not None:
                indices.setdefault(column.question.id, []).append(index)
        self.choices: dict[int, _Choice] = {}
        for question in survey.questions:
            if question.type in _CHOICES and question.id in indices:
                self.choices[question.id] = choice = _Choice(question, indices[question.id])
                if question.type is QuestionType.MULTIPLE:
                    choice.opened = self._set(choice, {question.code: []})
                choice.other = bool(self._set(choice, {other_key(question): "…"}))
        # (question id, option id, row id) of an answer row → what it does: the cells it sets, those its question
        # sets when first answered, its question when it is the “other” answer (whose text has a cell), and whether
        # it is read into the answer dict; or _READ.
        self.changes: dict[tuple, tuple[Change, Change, _Choice | None, bool]] = {}
        # The cells read as raw_rows reads them: the row's own, those of the other questions and the scores.
        filled = {index for choice in self.choices.values() for index in choice.indices if index not in self.scores}
        self.read_later = [index for index in range(len(columns)) if index not in filled]

    def _set(self, choice: _Choice, data: Mapping) -> Change:
        """The cells of a choice question that the columns' reads fill from `data` (those left empty are not
        written; a score is read later, from the whole answer)."""
        record = ResponseRecord(None, None, data)  # type: ignore[arg-type]  # its columns read the answers only
        return tuple((index, value) for index in choice.indices if index not in self.scores
                     if (value := self.cells[index]("", record)) is not None)

    def _change(self, key: tuple) -> tuple[Change, Change, _Choice | None, bool]:
        """What an answer row (question id, option id, row id) does, worked out the first time it comes in the file:
        the cells that the answer dict it gives on its own fills (`RecordReader`, the columns' reads)."""
        question_id, option_id, row_id = key
        choice = self.choices.get(question_id)
        if choice is None:
            found = _READ
        else:
            data = self.reader.data([(0, question_id, option_id, row_id, None, None, None)])
            option = self.reader.options.get(option_id) if option_id is not None else None
            opened = dict(choice.opened)
            cells = tuple(change for change in self._set(choice, data) if opened.get(change[0]) != change[1])
            other = choice if choice.other and option is not None and option[1] else None
            found = (cells, choice.opened if data else (), other, choice.read)
        self.changes[key] = found
        return found

    def batch(self, heads: Iterable[Head], answers: Iterable[Sequence]) -> Iterator[tuple[Row, ResponseRecord]]:
        """The row of each response of the batch (in the order of `heads`), its choice cells filled, with the
        record (channel, day and the answer dict of the other questions) its other cells are read from."""
        width, changes = self.width, self.changes
        rows: dict[int, Row] = {}
        rest = []  # the answer rows of the other questions, read into answer dicts in one pass
        current, row = None, []
        for answer in answers:
            if answer[0] != current:
                current = answer[0]
                row = rows.get(current)
                if row is None:
                    row = rows[current] = [None] * width
            found = changes.get(answer[1:4])
            if found is None:
                found = self._change(answer[1:4])
            cells, opened, other, read = found
            if read:
                rest.append(answer)
                if found is _READ:
                    continue
            if opened and row[opened[0][0]] is None:
                for index, value in opened:
                    row[index] = value
            for index, value in cells:
                row[index] = value
            if other is not None and answer[4]:
                for index, value in self._set(other, {other_key(other.question): answer[4]}):
                    row[index] = value
        data = self.reader.by_response(rest)
        del rest
        for response_id, channel, submitted_on in heads:
            row = rows.get(response_id)
            if row is not None:
                yield row, ResponseRecord(channel, submitted_on, data.get(response_id, {}))

    def rows(self, batches: Iterable[tuple[Iterable[Head], Iterable[Sequence]]]) -> Iterator[Row]:
        """Every row, batch after batch, each with a random pseudonym."""
        cells, read_later = self.cells, self.read_later
        numbers = pseudonyms()
        for heads, answers in batches:
            for row, record in self.batch(heads, answers):
                pseudonym = next(numbers)
                for index in read_later:
                    row[index] = cells[index](pseudonym, record)
                yield row
            del heads, answers


def direct_rows(survey: Survey, batches: Iterable[tuple[Iterable[Head], Iterable[Sequence]]],
                communes: Mapping[str, str], *, columns: list[RawColumn] | None = None,
                labelled: bool = False) -> Iterator[Row]:
    """Header, then one row per response in the order of the batches' heads: the rows `raw_rows` gives from
    `iter_records` (`answer_batches`' responses as answer dicts), built from the answer rows themselves."""
    columns = raw_columns(survey, communes) if columns is None else columns
    yield [c.header if labelled else c.name for c in columns]
    yield from DirectRows(survey, columns, labelled=labelled).rows(batches)
