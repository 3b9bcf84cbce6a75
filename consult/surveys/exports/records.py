"""Responses read back from the database in batches, each as a plain record in the answer format."""
from __future__ import annotations

import contextvars
import datetime as dt
import functools
import mmap
import os
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableSequence, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, Integer, String, any_, bindparam, cast, select, type_coerce
from sqlalchemy.dialects import postgresql

from consult.extensions import db
from consult.surveys.answering.answers import SINGLE_VALUE_TYPES, other_key
from consult.surveys.models import Answer, Channel, Option, Question, QuestionType, Response, Survey

# Responses read per query: the answers of one batch are loaded together, never those of the whole survey.
BATCH_SIZE = 500
# Response ids read from the database per round trip while they are written to the order's temporary file.
_ID_CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """What an export may know of a response: how and which day (or week) it came, and its answers.

    Deliberately without the database id, the account or whoever keyed it in.
    """

    channel: Channel
    submitted_on: dt.date
    data: dict


# A response as an export's order holds it: id, channel, day.
Head = tuple[int, Channel, dt.date]


class AnswerRow(NamedTuple):
    """The stored columns of one Answer, without loading it as an ORM object."""

    response_id: int
    question_id: int
    option_id: int | None
    row_id: int | None
    value_text: str | None
    value_number: float | None
    rank: int | None


def iter_records(survey: Survey, *, batch_size: int = BATCH_SIZE) -> Iterator[ResponseRecord]:
    """The survey's responses in a random order (never the order they arrived), read `batch_size` at a time.

    The ids alone are read first and shuffled with the system's random source: a row's place in a file then
    says nothing about when it came, and nobody can redo the order from a seed. Each batch of that order
    is then loaded with its answers, so no more than one batch of answers is ever held in memory (the shuffled
    ids wait in a temporary file: `_shuffled_ids`). The answers come as the driver's tuples (`_plain_rows`) and
    become answer dicts in one pass (`RecordReader`).
    """
    return records_of(survey.questions, answer_batches(survey, batch_size=batch_size))


def records_of(questions: Iterable[Question], batches: Iterable[tuple[list[Head], Sequence[Sequence]]]
               ) -> Iterator[ResponseRecord]:
    """The records of `answer_batches`' responses, in the order of their heads."""
    reader = RecordReader(questions)
    for heads, answers in batches:
        found = reader.by_response(answers)
        for response_id, channel, submitted_on in heads:
            if response_id in found:
                yield ResponseRecord(channel, submitted_on, found[response_id])
        del heads, answers, found  # not held while the next batch is read: one batch in memory at a time


def answer_batches(survey: Survey, *, batch_size: int = BATCH_SIZE, read_ahead: bool = False
                   ) -> Iterator[tuple[list[Head], list[tuple]]]:
    """The survey's responses in a random order, `batch_size` at a time (`iter_records`), each batch as the heads
    (response id, channel, day) in that order and the stored answer rows of those responses as the driver's tuples
    (response_id, question_id, option_id, row_id, value_text, value_number, rank), by response id, each response's
    rows in the order of the answers' index (`_batch_statement`); a response without answers has one row of None
    after its id, one deleted since the order was drawn has none.

    With `read_ahead`, the next batch is read while the caller works on this one (`_reading_ahead`): the database
    looks its answers up on its own core instead of the export waiting for it batch after batch; two batches are
    then held instead of one."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    statement = _batch_statement(dialect)
    with _shuffled_heads(survey) as order, (_reading_ahead() if read_ahead else _reading_in_turn()) as read:
        def heads_from(start: int) -> list[Head]:
            return [_unpack(packed) for packed in order[start:start + batch_size].tolist()]

        def answers_of(heads: list[Head]):
            ids = _ids_parameter(dialect, [head[0] for head in heads])
            return read(_plain_rows, connection, statement, {"ids": ids})

        batches = (heads_from(start) for start in range(0, len(order), batch_size))
        heads = next(batches, None)
        pending = answers_of(heads) if heads else None
        while heads:
            answers = pending.result()
            following = next(batches, None)
            pending = answers_of(following) if following else None  # read while this batch is worked on
            yield heads, answers
            heads = following
            del answers  # not held while the next batch is read


@functools.cache
def _batch_statement(dialect: str):
    """The answer rows of some responses (`ids`, as `_ids_parameter` gives them), from the responses: one without
    answers still gives a (blank) row, one deleted since gives none.

    Ordered by response only: a response's rows come in the order of the answers' index on their response, the
    order they were stored on SQLite (the index ends with the row id) and their place in the table on PostgreSQL
    (the same, unless rows were written into space freed by deletions). That order only decides between two rows
    storing the same answer, which the app never writes; ordering them by id as well cost PostgreSQL a sort of
    each batch (7 of its 10 ms).

    On PostgreSQL the ids are one parameter, an array written as text (`= ANY(CAST(… AS INTEGER[]))`): a short
    statement whose parsing the driver keeps, and one string to send, where an IN list of 500 parameters was parsed
    again on every batch and a Python list dumped number by number."""
    answers, responses = Answer.__table__.c, Response.__table__.c
    if dialect == "postgresql":
        chosen = responses.id == any_(cast(bindparam("ids", type_=String), postgresql.ARRAY(Integer)))
    else:
        chosen = responses.id.in_(bindparam("ids", expanding=True))
    return (select(responses.id, answers.question_id, answers.option_id, answers.row_id,
                   answers.value_text, answers.value_number, answers.rank)
            .select_from(Response.__table__.outerjoin(Answer.__table__, answers.response_id == responses.id))
            .where(chosen).order_by(responses.id))


def _ids_parameter(dialect: str, ids: list[int]) -> str | list[int]:
    """The `ids` parameter of `_batch_statement`: PostgreSQL's array literal ("{4,8,15}"), else the list."""
    return "{" + ",".join(map(str, ids)) + "}" if dialect == "postgresql" else ids


class _Later:
    """A read done when its result is asked for (`_reading_in_turn`)."""

    __slots__ = ("read", "arguments")

    def __init__(self, read: Callable, arguments: tuple) -> None:
        self.read, self.arguments = read, arguments

    def result(self):
        return self.read(*self.arguments)


@contextmanager
def _reading_in_turn() -> Iterator[Callable[..., _Later]]:
    """Reads done by the caller itself, each when its result is asked for: one batch held at a time."""
    yield lambda read, *arguments: _Later(read, arguments)


@contextmanager
def _reading_ahead() -> Iterator[Callable[..., Future]]:
    """Runs reads on one thread of their own, each in a copy of the caller's context (its request, app and
    session), one after the other; the caller must not use the connection while a read it asked for runs.
    Leaving waits for the read under way, so the connection is free again when the export stops."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-reader") as pool:
        yield lambda read, *arguments: pool.submit(contextvars.copy_context().run, read, *arguments)


# A response's head (id, channel, day) packed in one unsigned 64-bit integer, so that the shuffled order of a
# survey's responses is an array of numbers: the id in the high 40 bits, the channel in 4, the day's ordinal in 20
# (days up to the year 2870).
_CHANNELS = list(Channel)
_DAY_BITS, _CHANNEL_BITS = 20, 4


_STORED_CHANNELS = {channel.value: number for number, channel in enumerate(_CHANNELS)}


def _pack(response_id: int, channel: str, submitted_on: dt.date) -> int:
    """A head read with its channel as stored (the enum's value), packed."""
    return ((response_id << (_CHANNEL_BITS + _DAY_BITS)) | (_STORED_CHANNELS[channel] << _DAY_BITS)
            | submitted_on.toordinal())


def _unpack(packed: int) -> tuple[int, Channel, dt.date]:
    return (packed >> (_CHANNEL_BITS + _DAY_BITS), _CHANNELS[(packed >> _DAY_BITS) & ((1 << _CHANNEL_BITS) - 1)],
            dt.date.fromordinal(packed & ((1 << _DAY_BITS) - 1)))


def _plain_rows(connection: Connection, statement, parameters: Mapping | None = None) -> list[tuple]:
    """The rows of a Core statement as the database driver gives them (tuples).

    The statement goes through SQLAlchemy as usual (parameters, events, logging); only the rows are taken from
    the driver's cursor, skipping the result row objects: for the millions of answers of an export, building them
    cost twice the fetching itself. Only for columns the driver already returns as Python wants them (integers,
    floats, text)."""
    result = connection.execute(statement, parameters)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


@contextmanager
def _shuffled_heads(survey: Survey) -> Iterator[memoryview]:
    """The survey's responses (`_pack`ed id, channel and day) in a random order (system random source), as 8-byte
    integers in a temporary file mapped in memory: streamed there from the database, shuffled in place, so that
    the order of 100,000 responses takes no memory of the process's own (0.8 MB of the file's pages, which the
    system may write out). Read with their channel and day, the responses are not queried again batch by batch."""
    responses = Response.__table__.c
    # The channel as the stored text (no enum per row), a thousand rows per round trip.
    heads = db.session.connection().execute(
        select(responses.id, type_coerce(responses.channel, String), responses.submitted_on)
        .where(responses.survey_id == survey.id).execution_options(yield_per=_ID_CHUNK))
    with tempfile.TemporaryFile() as spill:
        count = 0
        for chunk in heads.partitions():
            spill.write(array("Q", [_pack(*head) for head in chunk]).tobytes())
            count += len(chunk)
            del chunk  # not kept while the next one is read
        if not count:
            yield memoryview(b"").cast("Q")
            return
        spill.flush()
        with mmap.mmap(spill.fileno(), 0) as mapped:
            order = memoryview(mapped).cast("Q")
            try:
                shuffle(order)
                yield order
            finally:
                order.release()


_DRAWS = 4_096  # random numbers asked of the system at a time
_SPAN = 1 << 64


def shuffle(items: MutableSequence) -> None:
    """Shuffle `items` in place, every order equally likely, from the system's random source (os.urandom, as
    `secrets`), its random numbers asked for up to 4,096 at a time: `secrets.SystemRandom().shuffle` asks the system
    once or more per item (100,000 items: 0.10 s of CPU, here 0.02 s)."""
    draws: Iterator[int] = iter(())
    for last in range(len(items) - 1, 0, -1):  # Fisher–Yates: items[last] takes one of items[0..last]
        choices = last + 1
        fair = _SPAN - _SPAN % choices  # numbers from `fair` up would favour the first positions: drawn again
        while True:
            number = next(draws, None)
            if number is None:
                draws = iter(memoryview(os.urandom(8 * min(choices, _DRAWS))).cast("Q"))
                continue
            if number < fair:
                break
        chosen = number % choices
        items[last], items[chosen] = items[chosen], items[last]


# How a question's answers are read back (`RecordReader`): one small integer per question type.
_SINGLE, _MULTIPLE, _NUMBER, _TEXT, _RANKING, _MATRIX, _IGNORED = range(7)


def _reading(kind: QuestionType) -> int:
    if kind in SINGLE_VALUE_TYPES:
        return _SINGLE
    return {QuestionType.MULTIPLE: _MULTIPLE, QuestionType.RATING: _NUMBER, QuestionType.NUMBER: _NUMBER,
            QuestionType.SHORT_TEXT: _TEXT, QuestionType.LONG_TEXT: _TEXT, QuestionType.DATE: _TEXT,
            QuestionType.COMMUNE: _TEXT, QuestionType.RANKING: _RANKING,
            QuestionType.MATRIX: _MATRIX}.get(kind, _IGNORED)


class RecordReader:
    """Turns the stored answer rows of a response back into the answer dict (keyed by question code) that
    `answers.answer_rows` stored as these rows.

    The questions and options are read once into plain tables: an export reads millions of answer rows, and each
    one must cost a few dictionary look-ups, not the attribute access of ORM objects."""

    def __init__(self, questions: Iterable[Question]) -> None:
        self.questions: dict[int, tuple[str, int, str]] = {}
        self.options: dict[int, tuple[str, bool]] = {}
        for question in questions:
            self.questions[question.id] = (question.code, _reading(question.type), other_key(question))
            for option in question.options:
                self.options[option.id] = (option.code, option.is_other)

    def data(self, rows: Iterable[Sequence]) -> dict:
        """The answer dict of one response's rows."""
        return next(iter(self.by_response(rows).values()), {})

    def by_response(self, rows: Iterable[Sequence]) -> dict[int, dict]:
        """The answer dict of each response, from its rows (response_id, question_id, option_id, row_id,
        value_text, value_number, rank) in the order they were stored, read in one pass."""
        questions, options = self.questions, self.options
        found: dict[int, dict] = {}
        ranked: dict[int, dict[str, list[tuple[int, str]]]] = {}
        current, data = None, {}
        for response_id, question_id, option_id, row_id, text, number, rank in rows:
            if response_id != current:
                current = response_id
                data = found.get(response_id)
                if data is None:
                    data = found[response_id] = {}
            question = questions.get(question_id)
            if question is None:
                continue
            code, reading, other = question
            option = options.get(option_id) if option_id is not None else None
            if reading == _SINGLE:
                if option is not None:
                    data[code] = option[0]
            elif reading == _MULTIPLE:
                if option is not None:
                    data.setdefault(code, []).append(option[0])
            elif reading == _NUMBER:
                if number is not None:
                    data[code] = int(number) if number == int(number) else number
            elif reading == _TEXT:
                if text is not None:
                    data[code] = text
            elif reading == _RANKING:
                if option is not None and rank is not None:
                    ranked.setdefault(response_id, {}).setdefault(code, []).append((rank, option[0]))
            elif reading == _MATRIX:
                if option is not None and row_id in options:
                    data.setdefault(code, {})[options[row_id][0]] = option[0]
            if option is not None and option[1] and text:
                data[other] = text
        for response_id, pairs_by_code in ranked.items():
            for code, pairs in pairs_by_code.items():
                found[response_id][code] = [option_code for _rank, option_code in sorted(pairs)]
        return found


def data_from_rows(questions: Mapping[int, Question], options: Mapping[int, Option],
                   rows: Iterable[AnswerRow]) -> dict:
    """The answer dict (keyed by question code) that `answers.answer_rows` stored as these rows."""
    return RecordReader(questions.values()).data(rows)
