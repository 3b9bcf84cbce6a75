"""Responses read back from the database in batches, each as a plain record in the answer format."""
from __future__ import annotations

import datetime as dt
import mmap
import secrets
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select

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
    ids wait in a temporary file: `_shuffled_ids`).
    """
    questions = {q.id: q for q in survey.questions}
    options = {o.id: o for q in questions.values() for o in q.options}
    with _shuffled_ids(survey) as order:
        for start in range(0, len(order), batch_size):
            ids = order[start:start + batch_size].tolist()
            heads = {head.id: head for head in db.session.execute(
                select(Response.id, Response.channel, Response.submitted_on).where(Response.id.in_(ids)))}
            grouped: dict[int, list[AnswerRow]] = defaultdict(list)
            rows = db.session.execute(
                select(Answer.response_id, Answer.question_id, Answer.option_id, Answer.row_id, Answer.value_text,
                       Answer.value_number, Answer.rank)
                .where(Answer.response_id.in_(ids)).order_by(Answer.response_id, Answer.id)
            )
            for row in rows:
                grouped[row.response_id].append(AnswerRow(*row))
            for response_id in ids:
                head = heads.get(response_id)
                if head is not None:  # deleted since the ids were read
                    yield ResponseRecord(head.channel, head.submitted_on,
                                         data_from_rows(questions, options, grouped[response_id]))


@contextmanager
def _shuffled_ids(survey: Survey) -> Iterator[memoryview]:
    """The survey's response ids in a random order (system random source), as 8-byte integers in a temporary file
    mapped in memory: streamed there from the database, shuffled in place, so that the order of 100,000 responses
    takes no memory of the process's own (0.8 MB of the file's pages, which the system may write out)."""
    with tempfile.TemporaryFile() as spill:
        count = 0
        for chunk in db.session.scalars(select(Response.id).where(Response.survey_id == survey.id)
                                        .execution_options(yield_per=_ID_CHUNK)).partitions():
            spill.write(array("q", chunk).tobytes())
            count += len(chunk)
            del chunk  # not kept while the next one is read
        if not count:
            yield memoryview(b"").cast("q")
            return
        spill.flush()
        with mmap.mmap(spill.fileno(), 0) as mapped:
            order = memoryview(mapped).cast("q")
            try:
                secrets.SystemRandom().shuffle(order)
                yield order
            finally:
                order.release()


def data_from_rows(questions: Mapping[int, Question], options: Mapping[int, Option],
                   rows: Iterable[AnswerRow]) -> dict:
    """The answer dict (keyed by question code) that `answers.answer_rows` stored as these rows."""
    data: dict = {}
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        question = questions.get(row.question_id)
        if question is None:
            continue
        code, kind = question.code, question.type
        option = options.get(row.option_id) if row.option_id is not None else None
        if kind in SINGLE_VALUE_TYPES and option is not None:
            data[code] = option.code
        elif kind is QuestionType.MULTIPLE and option is not None:
            data.setdefault(code, []).append(option.code)
        elif kind in (QuestionType.RATING, QuestionType.NUMBER) and row.value_number is not None:
            number = row.value_number
            data[code] = int(number) if number == int(number) else number
        elif kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT, QuestionType.DATE, QuestionType.COMMUNE):
            if row.value_text is not None:
                data[code] = row.value_text
        elif kind is QuestionType.RANKING and option is not None and row.rank is not None:
            ranked[code].append((row.rank, option.code))
        elif kind is QuestionType.MATRIX and option is not None and row.row_id in options:
            data.setdefault(code, {})[options[row.row_id].code] = option.code
        if option is not None and option.is_other and row.value_text:
            data[other_key(question)] = row.value_text
    for code, pairs in ranked.items():
        data[code] = [option_code for _rank, option_code in sorted(pairs)]
    return data
