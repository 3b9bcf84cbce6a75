"""Raw survey exports at volume: spreadsheets are sent while they are written (the first bytes before any answer is
read), hold the same rows as the CSV, and the memory they take does not grow with the number of responses."""
from __future__ import annotations

import datetime as dt
import gc
import tracemalloc
from collections import Counter

import pytest
from sqlalchemy import event, func, insert, select

from consult.extensions import db
from consult.surveys.answering.answers import score
from consult.surveys.exports import builders
from consult.surveys.exports.records import iter_records
from consult.surveys.models import Answer, Channel, Response
from consult.surveys.services import commune_choices
from tests.surveys.exports_helpers import read_csv, read_ods, read_xlsx


def export_url(survey, name: str) -> str:
    return f"/t/{survey.territory.slug}/manage/surveys/{survey.id}/export/{name}"


def grow(survey, total: int) -> None:
    """Copies of the survey's stored responses (with their answers, weeks apart) until it holds `total`, inserted
    in bulk as a busy survey would have them."""
    heads = db.session.execute(select(Response.id, Response.channel, Response.submitted_on)
                               .where(Response.survey_id == survey.id).order_by(Response.id)).all()
    answers: dict[int, list] = {}
    for row in db.session.execute(select(Answer.response_id, Answer.question_id, Answer.option_id, Answer.row_id,
                                         Answer.value_text, Answer.value_number, Answer.rank)
                                  .where(Answer.response_id.in_([h.id for h in heads])).order_by(Answer.id)):
        answers.setdefault(row.response_id, []).append(row)
    next_id = db.session.scalar(select(func.max(Response.id))) + 1
    copies, rows = [], []
    for number in range(total - len(heads)):
        head = heads[number % len(heads)]
        copies.append({"id": next_id + number, "survey_id": survey.id, "channel": head.channel,
                       "submitted_on": head.submitted_on - dt.timedelta(weeks=number % 30)})
        rows += [{**a._asdict(), "response_id": next_id + number} for a in answers[head.id]]
    # One executemany per table (Core, not the ORM): the ORM's bulk insert split the answers into thousands of
    # small executemany calls (a group per run of equal None columns), each a round trip (30 s on PostgreSQL).
    db.session.execute(insert(Response.__table__), copies)
    db.session.execute(insert(Answer.__table__), rows)
    db.session.commit()


def as_text(value) -> str:
    """A cell read back from any format, as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def rows_without_pseudonym(sheet: list[list]) -> Counter:
    width = len(sheet[0])
    return Counter(tuple(as_text(v) for v in (list(row) + [None] * width)[1:width]) for row in sheet[1:])


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_spreadsheet_starts_before_any_answer_is_read_and_holds_the_csv_rows(app, client, login, coordinator,
                                                                            answered, fmt):
    grow(answered, 520)  # more than one batch of responses
    login(coordinator)
    statements: list[str] = []
    listen = lambda _conn, _cursor, sql, *_args: statements.append(sql)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        response = client.get(export_url(answered, f"responses.{fmt}"), buffered=False)
        chunks = iter(response.response)
        first = next(chunks)
        read_before_first = [sql for sql in statements if "answers.question_id" in sql]
        body = first + b"".join(chunks)
        response.close()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)

    assert response.status_code == 200 and "Content-Length" not in response.headers
    assert first.startswith(b"PK\x03\x04") and read_before_first == []
    # Then the answers come a batch at a time, never all at once.
    assert len([sql for sql in statements if "answers.question_id" in sql]) == 2
    data, dictionary, *_others = (read_xlsx if fmt == "xlsx" else read_ods)(body)
    csv_rows = read_csv(client.get(export_url(answered, "responses.csv")))
    assert len(data) - 1 == db.session.scalar(select(func.count(Response.id))) == 520
    assert [as_text(v) for v in data[0]] == csv_rows[0]
    assert rows_without_pseudonym(data) == rows_without_pseudonym(csv_rows)
    assert dictionary[0][0] == "Colonne"  # the dictionary of codes follows, in French


def test_scores_in_the_export_follow_the_rule_of_the_questionnaire(app, answered):
    """Each scored scale's columns give `answers.score` of the response, rounded (empty when a line is left)."""
    grow(answered, 40)
    question = next(q for q in answered.questions if q.scored)
    columns = builders.raw_columns(answered, commune_choices(answered))
    records = list(iter_records(answered, batch_size=7))
    header, *rows = builders.raw_rows(answered, records, {}, columns=columns)
    raw, percent = header.index(f"{question.code}_score_raw"), header.index(f"{question.code}_score_pct")
    expected = [score(question, r.data) for r in records]
    assert [(row[raw], row[percent]) for row in rows] == [
        (None, None) if s is None else (builders.number_cell(round(s[0], 2)), builders.number_cell(round(s[1], 2)))
        for s in expected]
    assert {s is None for s in expected} == {True, False}


def peak_mib(client, url: str) -> float:
    """Peak traced memory while the download is produced and read (its chunks dropped as they come)."""
    gc.collect()
    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        for _chunk in response.response:
            pass
        response.close()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_spreadsheet_memory_does_not_grow_with_the_responses(app, client, login, coordinator, answered):
    """The peak while 3,300 responses are exported is that of 1,100 (both more than two batches: the next batch is
    read while one is written): no sheet, string table or zip is held whole."""
    login(coordinator)
    names = ("responses.xlsx", "responses.ods")
    grow(answered, 1100)
    peak_mib(client, export_url(answered, "responses.xlsx"))  # warm: compiled statements, translations
    # Each size's peak is the larger of two runs: it depends on whether the batch read ahead is held at the writer's
    # own peak, which the threads' timing decides (a single small run of 2.3 MiB against 3.2 once failed the test).
    small = {name: max(peak_mib(client, export_url(answered, name)) for _run in range(2)) for name in names}
    grow(answered, 3300)
    large = {name: max(peak_mib(client, export_url(answered, name)) for _run in range(2)) for name in names}
    assert {name: round(large[name] / small[name], 1) <= 1.2 for name in names} == dict.fromkeys(names, True), (
        small, large)


# --------------------------------------------------------------------------- rows filled from the answer rows

def odd_answer_rows(survey, count: int, seed: int) -> list[tuple]:
    """Stored answer rows (response_id, question_id, option_id, row_id, value_text, value_number, rank) of `count`
    responses, drawn at random for every question, odd ones included: no option, another question's option, a row
    that is no line of the matrix, a text beside a choice, a choice twice, equal ranks, whole and decimal numbers,
    empty and formula-like texts, a question of no survey; a response with no answer row at all."""
    import random

    draw = random.Random(seed)
    questions = list(survey.questions)
    stray = [o.id for q in questions for o in q.options]
    answers = []
    for response_id in range(1, count + 1):
        if response_id == 3:
            answers.append((response_id, None, None, None, None, None, None))  # no answer at all
            continue
        for question in draw.sample(questions, draw.randint(1, len(questions))):
            # (A scored scale's stray option has no score: the stored answers' checks keep it out.)
            odd = [None] if question.scored else [None, draw.choice(stray)]
            choices, lines = [o.id for o in question.choices], [o.id for o in question.rows]
            for _n in range(draw.choice([1, 1, 1, 2, 3])):
                option = draw.choice(choices + odd) if choices else None
                line = draw.choice(lines + odd) if lines else None
                text = draw.choice([None, None, "", "Autre chose", "=1+1", "2026-10-02", "pas une date", "82112"])
                number = draw.choice([None, 3, 3.0, 12.5, 0])
                rank = draw.choice([None, 1, 2, 2, 3])
                answers.append((response_id, question.id, option, line, text, number, rank))
        if draw.random() < 0.1:
            answers.append((response_id, 999_999, None, None, "nulle part", None, None))
    return answers


def batched(answers: list[tuple], count: int, size: int, seed: int) -> list:
    """`answer_batches`' shape: heads in a random order, `size` at a time, each batch with its responses' answer
    rows by response id (response `count` + 1 has a head but no row: deleted since)."""
    import random

    draw = random.Random(seed)
    heads = [(n, draw.choice(list(Channel)), dt.date(2026, 11, 1) + dt.timedelta(days=n % 40))
             for n in range(1, count + 2)]
    draw.shuffle(heads)
    batches = []
    for start in range(0, len(heads), size):
        chosen = {head[0] for head in heads[start:start + size]}
        batches.append((heads[start:start + size], sorted((a for a in answers if a[0] in chosen),
                                                          key=lambda a: a[0])))
    return batches


@pytest.mark.parametrize("labelled", [True, False])
def test_rows_filled_from_the_answer_rows_are_those_of_the_answer_dicts(app, make_survey, labelled):
    """`direct_rows` (the analysts' files) writes what `raw_rows` writes from the records (`iter_records`), for
    every question type — an unscored matrix and a single choice with an “other” answer added — odd answer rows
    included, labelled (analysts' files) or plain."""
    from consult.surveys.exports.files import _analyst_columns
    from consult.surveys.exports.records import records_of
    from consult.surveys.models import Question, QuestionType, SurveyPage
    from tests.surveys.conftest import default_pages, options, rows

    more = SurveyPage(position=3, title="Encore", questions=[
        Question(code="Q14", position=0, type=QuestionType.MATRIX, text="Et ces services ?",
                 options=rows("La pharmacie", "Le cabinet") + options("Oui", "Non", "Je ne sais pas")),
        Question(code="Q15", position=1, type=QuestionType.SINGLE, text="Comment venez-vous ?",
                 options=options("À pied", "En voiture", other="Autrement")),
    ])
    survey = make_survey(pages=[*default_pages(), more])
    communes = commune_choices(survey)
    columns = _analyst_columns(survey, communes) if labelled else builders.raw_columns(survey, communes)
    for seed in range(3):
        answers = odd_answer_rows(survey, 120, seed)
        batches = batched(answers, 120, 50, seed)
        through_dicts = list(builders.raw_rows(survey, records_of(survey.questions, batches), communes,
                                               columns=columns, labelled=labelled))
        direct = list(builders.direct_rows(survey, batches, communes, columns=columns, labelled=labelled))
        assert direct[0] == through_dicts[0]
        assert len(direct) == len(through_dicts) == 121  # every response but the deleted one
        assert [row[1:] for row in direct[1:]] == [row[1:] for row in through_dicts[1:]]
        assert len({row[0] for row in direct[1:]}) == 120
        filled = {index for row in direct[1:] for index, value in enumerate(row) if value not in (None, "")}
        assert filled == set(range(len(columns)))  # every column written somewhere


# --------------------------------------------------------------------------- reading the batches

def answers_by_response(batches) -> tuple[list[int], dict[int, list[tuple]]]:
    """The response ids of `answer_batches` in their order, and each response's answer rows."""
    order, answers = [], {}
    for heads, rows in batches:
        order += [head[0] for head in heads]
        for row in rows:
            answers.setdefault(row[0], []).append(tuple(row))
    return order, answers


def test_batches_read_ahead_are_those_read_in_turn(app, answered):
    """Read ahead or in turn, every response comes once with all its answer rows."""
    from consult.surveys.exports.records import answer_batches

    grow(answered, 230)
    ahead = answers_by_response(answer_batches(answered, batch_size=50, read_ahead=True))
    in_turn = answers_by_response(answer_batches(answered, batch_size=50))
    assert sorted(ahead[0]) == sorted(in_turn[0]) == sorted(db.session.scalars(select(Response.id)))
    assert ahead[1] == in_turn[1] and len(ahead[1]) == 230


@pytest.mark.parametrize("read_ahead", [True, pytest.param(False, marks=pytest.mark.xfail(strict=True))])
def test_the_next_batch_is_read_while_one_is_worked_on(app, answered, read_ahead):
    """With `read_ahead` the database looks the next batch up while the export writes this one (the read runs in
    the request's context, as every statement of the request does); read in turn, it waits to be asked for."""
    import threading

    from flask import has_request_context

    from consult.surveys.exports.records import answer_batches

    grow(answered, 120)
    reads, second_read = [], threading.Event()

    def listen(_conn, _cursor, sql, *_args):
        if "answers.question_id" in sql:
            reads.append(has_request_context())
            if len(reads) == 2:
                second_read.set()

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        with app.test_request_context():
            batches = answer_batches(answered, batch_size=50, read_ahead=read_ahead)
            next(batches)  # the first batch, held by the caller
            assert second_read.wait(timeout=10)
            assert len(list(batches)) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert reads == [True, True, True]


def test_an_export_stopped_early_leaves_no_read_running(app, answered):
    """A download abandoned after its first batch waits for the read under way: the request's connection is free
    when its session ends."""
    import threading
    import time

    from consult.surveys.exports.records import answer_batches

    grow(answered, 120)
    slow = lambda _conn, _cursor, sql, *_args: time.sleep(0.3) if "answers.question_id" in sql else None  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", slow)
    try:
        batches = answer_batches(answered, batch_size=50, read_ahead=True)
        next(batches)
        batches.close()
        assert not [thread for thread in threading.enumerate() if thread.name.startswith("export-reader")]
    finally:
        event.remove(db.engine, "before_cursor_execute", slow)
    assert db.session.scalar(select(func.count(Response.id))) == 120


def test_shuffled_orders_are_all_equally_likely():
    """Every order of three items comes about as often (a bias such as drawing from all positions at each step,
    or a modulo's favourite, would show): 12,000 shuffles, each order 2,000 ± 10 %."""
    from consult.surveys.exports.records import shuffle

    counts = Counter()
    for _n in range(12_000):
        items = [1, 2, 3]
        shuffle(items)
        counts[tuple(items)] += 1
    assert len(counts) == 6 and all(1_800 <= count <= 2_200 for count in counts.values()), counts
    items = list(range(1_000))
    shuffle(items)
    assert sorted(items) == list(range(1_000)) and items != list(range(1_000))
