"""A survey's answers counted in the database: GROUP BY queries over the responses not counted yet, added to the
tally stored in `result_tallies`, so that a results page reads a few hundred counts instead of every answer.

What is counted (one statement, a UNION ALL of GROUP BYs; each count is a sum over responses, so counting the
newer responses and adding is the same as counting everything again):
- `cell`   per question, option, matrix row and rank: answer rows, responses, rows with a text;
- `ans`     per question: responses that answered at all, with an option, a number (n1–n3), a text, a text
  that is not blank, a rank, a non-empty text (a, b, c, x);
- `num`    per question and number: answers (ratings, numbers); `txt` per question and text (communes, dates);
- `asked`  per conditional question: responses to which it was shown, and of those, how many answered;
- `score`  per scored matrix and raw score: respondents who answered every item;
- `pair`/`pbase`, `chan`/`chanbase`, `cat`/`catbase`: a closed question's options (and, for a multiple choice,
  its respondents; for any other, the sum of its options) by
  group of a breakdown question, of the channel, of the account's category.

The responses themselves (a small table) are read on every page: per day, channel and category. Their
counts up to the watermark are stored with the tally; when they differ (responses deleted, unlinked, an
account's category changed), or when the questionnaire changed (`structure_digest`), the tally is made again
from every response. The one assumption: answers of a stored response are never edited in place (they are
only added with their response, and deleted with it, its question or its option).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import InitVar, dataclass, field

from sqlalchemy import Float, Integer, String, Text, and_, case, cast, delete, distinct, exists, false, func
from sqlalchemy import literal, literal_column, null, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import SingletonThreadPool, StaticPool
from sqlalchemy.orm import aliased

from consult.accounts.models import User
from consult.core.db import wants_write
from consult.extensions import db
from consult.surveys.models import Answer, Option, Question, QuestionType, Response, Survey, SurveyMode
from consult.surveys.results.models import ResultTally

T = QuestionType
Key = tuple  # (kind, q, a, b, c, x, t)


# --- what the questionnaire looks like -----------------------------------------------------------------

def structure_digest(survey: Survey) -> str:
    """A digest of everything the counts depend on: questions, their types, options (codes, scores, rows),
    conditions, breakdown roles, the survey's mode (category breakdowns)."""
    parts = [survey.id, survey.mode.value]
    for page in survey.pages:
        parts.append(("page", page.id, page.condition_code, page.condition_values))
        for q in page.questions:
            parts.append(("q", q.id, q.code, q.type.value, q.condition_code, q.condition_values, q.scored,
                          q.breakdown_role, [(o.id, o.code, o.is_row, o.score) for o in q.options]))
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def breakdown_sources(survey: Survey) -> list[Question]:
    """The questions a breakdown can group respondents by: the commune question and every closed question with
    a breakdown role (whichever of them `crosstabs.breakdown_variables` keeps)."""
    return [q for q in survey.questions
            if q.type is T.COMMUNE or (q.breakdown_role and q.type in (T.SINGLE, T.AGE_BAND, T.YES_NO, T.LIKERT))]


def crossable(survey: Survey) -> list[Question]:
    """Closed questions other than the commune: those a breakdown can cross."""
    return [q for q in survey.questions if q.type.is_closed and q.type is not T.COMMUNE]


# --- counting ----------------------------------------------------------------------------------------------

def _int(value):
    return cast(null(), Integer) if value is None else value


def _row(kind: str, *, q=None, a=None, b=None, c=None, x=None, t=None, n1=None, n2=None, n3=None):
    """The ten columns every GROUP BY of the union gives (typed NULLs: PostgreSQL unites them by type)."""
    zero = literal(0, Integer)
    return [literal(kind, String).label("kind"), _int(q).label("q"), _int(a).label("a"), _int(b).label("b"),
            _int(c).label("c"), (cast(null(), Float) if x is None else cast(x, Float)).label("x"),
            (cast(null(), String) if t is None else cast(t, String)).label("t"),
            (zero if n1 is None else n1).label("n1"), (zero if n2 is None else n2).label("n2"),
            (zero if n3 is None else n3).label("n3")]


def _distinct_if(condition, column=Answer.response_id):
    return func.count(distinct(case((condition, column))))


def _has_text(column):
    return and_(column.is_not(None), column != "")


def _shown(survey: Survey, item, response_id):
    """SQL: the condition of a page or question holds for the response (its answer to the condition question
    is one of the options named), as `answering.answers.is_visible` decides it."""
    if not item.condition_code:
        return None
    source = next((q for q in survey.questions if q.code == item.condition_code), None)
    wanted = set(item.condition_values or ())
    ids = [o.id for o in source.options if o.code in wanted] if source is not None else []
    if not ids:
        return false()
    given = aliased(Answer)
    return exists().where(given.response_id == response_id, given.question_id == source.id, given.option_id.in_(ids))


def _answered(question: Question, response_id):
    """SQL: the response answered the question, in the sense the release uses for "those who answered"."""
    mine = aliased(Answer)
    kind = question.type
    if kind is T.COMMUNE:
        has = _has_text(mine.value_text)
    elif kind.is_closed:
        has = mine.option_id.is_not(None)
    elif kind in (T.RATING, T.NUMBER):
        has = mine.value_number.is_not(None)
    elif kind is T.DATE:
        has = mine.value_text.is_not(None)
    elif kind is T.RANKING:
        has = mine.rank.is_not(None)
    elif kind is T.MATRIX:
        return false()
    else:
        has = func.trim(mine.value_text) != ""
    return exists().where(mine.response_id == response_id, mine.question_id == question.id, has)


def count_answers(survey: Survey, after: int, upto: int) -> list[tuple]:
    """Every count of the tally over the responses with after < id <= upto: one statement."""
    within = and_(Response.survey_id == survey.id, Response.id > after, Response.id <= upto)

    def answers(*columns):
        return select(*columns).select_from(Answer).join(Response, Response.id == Answer.response_id).where(within)

    a = Answer
    parts = [
        answers(*_row("cell", q=a.question_id, a=a.option_id, b=a.row_id, c=a.rank, n1=func.count(),
                      n2=func.count(distinct(a.response_id)),
                      n3=func.sum(case((_has_text(a.value_text), 1), else_=0))))
        .group_by(a.question_id, a.option_id, a.row_id, a.rank),
        # Responses that answered, in seven senses: the three columns n1–n3 and a, b, c, x (one scan).
        answers(*_row("ans", q=a.question_id, n1=func.count(distinct(a.response_id)),
                      n2=_distinct_if(a.option_id.is_not(None)), n3=_distinct_if(a.value_number.is_not(None)),
                      a=_distinct_if(a.value_text.is_not(None)), b=_distinct_if(func.trim(a.value_text) != ""),
                      c=_distinct_if(a.rank.is_not(None)), x=_distinct_if(_has_text(a.value_text))))
        .group_by(a.question_id),
        answers(*_row("num", q=a.question_id, x=a.value_number, n1=func.count()))
        .where(a.value_number.is_not(None)).group_by(a.question_id, a.value_number),
    ]
    texts = [q.id for q in survey.questions if q.type in (T.COMMUNE, T.DATE)]
    if texts:
        parts.append(answers(*_row("txt", q=a.question_id, t=a.value_text, n1=func.count()))
                     .where(a.question_id.in_(texts), a.value_text.is_not(None)).group_by(a.question_id, a.value_text))
    for question in survey.questions:
        conditions = [c for c in (_shown(survey, question.page, Response.id), _shown(survey, question, Response.id))
                      if c is not None]
        if conditions:
            parts.append(select(*_row("asked", q=literal(question.id, Integer), n1=func.count(),
                                      n2=func.sum(case((_answered(question, Response.id), 1), else_=0))))
                         .where(within, *conditions))
        if question.type is T.MATRIX and question.scored:
            per_response = (
                select(Answer.response_id, func.count(distinct(Answer.row_id)).label("items"),
                       func.sum(func.coalesce(Option.score, 0)).label("raw"))
                .select_from(Answer).join(Response, Response.id == Answer.response_id)
                .outerjoin(Option, Option.id == Answer.option_id)
                .where(within, Answer.question_id == question.id).group_by(Answer.response_id).subquery())
            parts.append(select(*_row("score", q=literal(question.id, Integer), x=per_response.c.raw, n1=func.count()))
                         .where(per_response.c["items"] >= len(question.rows)).group_by(per_response.c.raw))
    crossed = crossable(survey)
    # A group's base (respondents to the question in the group) is the sum of its options' counts, except for
    # multiple choices (a respondent ticks several): those are counted apart.
    several = [q.id for q in crossed if q.type is T.MULTIPLE]
    sources = breakdown_sources(survey)
    if crossed and sources:
        v = aliased(Answer)
        joined = (select().select_from(a).join(Response, Response.id == a.response_id)
                  .join(v, and_(v.response_id == a.response_id, v.question_id.in_([q.id for q in sources])))
                  .where(within, a.question_id.in_([q.id for q in crossed]), a.option_id.is_not(None)))
        # The group: an option of the breakdown question, or the text of a commune question.
        parts.append(joined.add_columns(*_row("pair", q=a.question_id, a=a.option_id, b=v.question_id, c=v.option_id,
                                              t=v.value_text, n1=func.count(distinct(a.response_id)), n2=func.count()))
                     .group_by(a.question_id, a.option_id, v.question_id, v.option_id, v.value_text))
        if several:
            parts.append(joined.where(a.question_id.in_(several))
                         .add_columns(*_row("pbase", q=a.question_id, b=v.question_id, c=v.option_id, t=v.value_text,
                                            n1=func.count(distinct(a.response_id))))
                         .group_by(a.question_id, v.question_id, v.option_id, v.value_text))
    if crossed:
        chosen = answers().where(a.question_id.in_([q.id for q in crossed]), a.option_id.is_not(None))
        by_group = [("chan", chosen, Response.channel)]
        if survey.mode is SurveyMode.IDENTIFIED:
            by_group.append(("cat", chosen.join(User, and_(User.id == Response.user_id, User.category.is_not(None))),
                             User.category))
        for kind, rows, group in by_group:
            parts.append(rows.add_columns(*_row(kind, q=a.question_id, a=a.option_id, t=group,
                                                n1=func.count(distinct(a.response_id)), n2=func.count()))
                         .group_by(a.question_id, a.option_id, group))
            if several:
                parts.append(rows.where(a.question_id.in_(several))
                             .add_columns(*_row(kind + "base", q=a.question_id, t=group,
                                                n1=func.count(distinct(a.response_id))))
                             .group_by(a.question_id, group))
    return [tuple(row) for row in db.session.execute(union_all(*parts))]


def _per_day_channel_category(survey: Survey, *counts, where=()):
    """The survey's responses (those matching `where`) grouped per day, channel and category, with `counts`."""
    return db.session.execute(
        select(Response.submitted_on, cast(Response.channel, String), cast(User.category, String), *counts)
        .outerjoin(User, User.id == Response.user_id)
        .where(Response.survey_id == survey.id, *where)
        .group_by(Response.submitted_on, Response.channel, User.category))


def count_responses(survey: Survey, watermark: int) -> list[tuple]:
    """The survey's responses per day, channel and category: (day, channel, category, how many are counted in the
    stored tally (id <= watermark), how many in all, the largest id), one statement over the responses alone.
    Grouped by those three only, the counted ones summed apart: with « counted » as a fourth key PostgreSQL expected
    a group per response and sorted them all (on disk at 100,000) where it now hashes a few hundred groups."""
    counted = case((Response.id <= literal_column(str(int(watermark))), 1), else_=0)
    return [tuple(row) for row in _per_day_channel_category(survey, func.sum(counted), func.count(),
                                                             func.max(Response.id))]


def count_responses_between(survey: Survey, after: int, upto: int) -> Counter:
    """The survey's responses with after < id <= upto per day, channel and category (as `_responses_json` keys
    them): a fold step's, read over that range of ids alone."""
    return Counter({(day.isoformat(), channel, category or ""): n for day, channel, category, n in
                    _per_day_channel_category(survey, func.count(), where=(Response.id > after, Response.id <= upto))})


def _merge(*lists) -> list[list]:
    """Add counts of the same key (the `ans` rows carry counts in a, b, c, x as well)."""
    added: dict[Key, list] = {}
    for rows in lists:
        for kind, q, a, b, c, x, t, n1, n2, n3 in rows:
            if kind == "ans":
                found = added.setdefault((kind, q), [kind, q, 0, 0, 0, 0, None, 0, 0, 0])
                for i, n in ((2, a), (3, b), (4, c), (5, x)):
                    found[i] += int(n or 0)
            else:
                found = added.setdefault((kind, q, a, b, c, x, t), [kind, q, a, b, c, x, t, 0, 0, 0])
            found[7] += n1 or 0
            found[8] += n2 or 0
            found[9] += n3 or 0
    return list(added.values())


def _responses_json(rows, *, counted_only: bool = False) -> list[list]:
    """Responses per day, channel and category (`count_responses`' rows; with `counted_only`, those the stored tally
    counts), as stored (JSON) and compared."""
    added = Counter()
    for day, channel, category, counted, n, _top in rows:
        added[(day.isoformat(), channel, category or "")] += int(counted if counted_only else n)
    return _counted_json(added)


def _counted_json(added: Counter) -> list[list]:
    return [[*group, n] for group, n in sorted(added.items()) if n]


STEP = 10_000  # response ids counted per step of a fold, each step stored


def tally(survey: Survey) -> Tally:
    """The survey's counts: the stored tally, brought up to date (newer responses added, or everything counted
    again when stored responses changed or the questionnaire did), and stored again when it changed.

    A long fold (a survey's first reading at 100,000 responses) goes by steps of `STEP` response ids, each
    stored: a page stopped half-way (a worker's timeout) leaves what it counted to the next one."""
    digest = structure_digest(survey)
    # The counts as their JSON text: decoded whole only when they are to be added to or stored again.
    stored = db.session.execute(
        select(ResultTally.structure, ResultTally.watermark, ResultTally.responses,
               cast(ResultTally.counts, Text).label("counts"))
        .where(ResultTally.survey_id == survey.id)).first()
    watermark = stored.watermark if stored is not None else 0
    # Every response is read: past a fold step's worth, under the small cache (at 100,000 the 2 MB page cache would
    # be filled for no time gained); below, nothing to gain from the two extra statements.
    with _small_sorter(stored is not None and sum(row[-1] for row in stored.responses) > STEP):
        responses = count_responses(survey, watermark)
    top = max((row[5] for row in responses), default=0)
    everything = _responses_json(responses)
    written = (stored.watermark, stored.structure) if stored is not None else None
    if stored is not None and stored.structure == digest and _responses_json(
            responses, counted_only=True) == stored.responses:
        done = watermark
        if done >= top and stored.responses == everything:  # up to date (a results page's usual case): read as is
            return Tally(responses=[(day, channel, category, n) for day, channel, category, _c, n, _t in responses],
                         counts=_rows(stored.counts))
        counts = json.loads(stored.counts)
        counted = Counter({(day, channel, category): n for day, channel, category, n in stored.responses})
    else:
        counts, done, counted = [], 0, Counter()
    with _small_sorter(top - done > STEP):  # a long fold (a few new responses: nothing to gain)
        while done < top:
            upto = min(top, done + STEP)
            counts = _merge(counts, count_answers(survey, done, upto))
            if upto < top:  # a step of a long fold, stored with the responses it counted (read over its ids alone)
                counted.update(count_responses_between(survey, done, upto))
                written = _store(survey.id, written, digest, upto, _counted_json(counted), counts)
            done = upto
    if stored is None or written != (top, digest) or stored.responses != everything:
        _store(survey.id, written, digest, top, everything, counts)
    return Tally(responses=[(day, channel, category, n) for day, channel, category, _c, n, _t in responses],
                 counts=counts)


_DECODER = json.JSONDecoder()
_BETWEEN = frozenset(" ,\n\r\t")


def _rows(text: str) -> Iterator[list]:
    """The stored counts (a JSON array of rows) decoded one row at a time: `json.loads` would hold every row at
    once (~6,000 small lists at 100,000 responses, ~1.6 MB) beside the indexes `Tally` makes of them, and once
    freed they leave a worker's memory fragmented (its next results page peaked 2-3 MB higher)."""
    at = text.index("[") + 1
    while True:
        while text[at] in _BETWEEN:
            at += 1
        if text[at] == "]":
            return
        row, at = _DECODER.raw_decode(text, at)
        yield row


FOLD_CACHE_KIB = 512  # SQLite's page cache while folding, which also bounds each GROUP BY's in-memory sorter


@contextmanager
def _small_sorter(wanted: bool):
    """On SQLite, a smaller page cache for the connection while GROUP BYs over many rows run — a long fold's, and
    the responses' one every results page reads: their sorters spill to temporary files sooner (SQLite sizes them
    by the cache) and the pages they read are not kept. At 10,000 responses a fold step, SQLite's memory peaks at
    13 MB instead of 22 (a worker's at 108 MB instead of 117) for the same CPU time; at 100,000 responses, reading
    them with it lowers a results page's peak by 1.5-3 MB, same CPU. Below 512 KiB it gets slower for no less
    memory. The connection's own setting is put back afterwards (shrinking the cache frees its pages)."""
    connection = db.session.connection() if wanted else None
    if connection is None or connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{FOLD_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _store(survey_id: int, written: tuple[int, str] | None, digest: str, watermark: int, responses: list,
           counts: list) -> tuple[int, str]:
    """Keep the tally for the next reading (`written`: the watermark and structure stored before, None if none).
    A page that only reads (a GET served by the app: its transaction is never committed) writes on a
    connection of its own, committed at once; a writer (making a release, the CLI) writes in its own
    transaction. Two readers folding at the same moment: the first one's write stands."""
    values = dict(structure=digest, watermark=watermark, responses=responses, counts=counts)
    if written is None:  # made meanwhile by another page: that one stands (its counts are the same)
        upsert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        statement = upsert(ResultTally).values(survey_id=survey_id, **values).on_conflict_do_nothing()
    else:
        statement = update(ResultTally).where(
            ResultTally.survey_id == survey_id, ResultTally.watermark == written[0],
            ResultTally.structure == written[1]).values(**values)
    if wants_write() or isinstance(db.engine.pool, (StaticPool, SingletonThreadPool)):
        # Part of the request's own transaction: a failure is the request's (a lock timeout is a 503), never
        # swallowed here — on PostgreSQL it would leave the transaction aborted for every later statement.
        db.session.execute(statement)
    else:
        try:
            with db.engine.begin() as connection:
                connection.execute(statement)
        except OperationalError:
            pass  # SQLite busy beyond its timeout: nothing of the request is lost, a later page stores it
    return watermark, digest


def forget(survey_id: int) -> None:
    """Drop a survey's stored tally (made again at the next reading)."""
    db.session.execute(delete(ResultTally).where(ResultTally.survey_id == survey_id))


# --- reading ---------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """The counts of a survey, indexed for the results: see the module's docstring for each kind. The stored rows
    (`counts`) are read into the indexes and not kept: at 100,000 responses they are ~1.5 MB of small lists that
    a results page would otherwise hold beside the indexes until it is rendered."""

    responses: list[tuple[dt.date, str, str | None, int]]
    counts: InitVar[Iterable[list]]
    cells: dict[int, list[tuple[int | None, int | None, int | None, int, int, int]]] = field(default_factory=dict)
    answered: dict[int, dict[str, int]] = field(default_factory=dict)
    numbers: dict[int, Counter] = field(default_factory=dict)
    texts: dict[int, Counter] = field(default_factory=dict)
    shown: dict[int, tuple[int, int]] = field(default_factory=dict)
    scores: dict[int, Counter] = field(default_factory=dict)
    pairs: dict[tuple[str, int], dict[tuple, tuple[int, int]]] = field(default_factory=dict)
    bases: dict[tuple[str, int], dict] = field(default_factory=dict)

    def __post_init__(self, counts: Iterable[list]) -> None:
        cells, numbers, texts, scores = defaultdict(list), defaultdict(Counter), defaultdict(Counter), defaultdict(Counter)
        answered: dict[int, dict[str, int]] = defaultdict(dict)
        pairs, bases = defaultdict(dict), defaultdict(dict)
        for kind, q, a, b, c, x, t, n1, n2, n3 in counts:
            if kind == "cell":
                cells[q].append((a, b, c, n1, n2, n3))
            elif kind == "ans":
                answered[q].update(any=n1, option=n2, number=n3, text=a, nonblank=b, rank=c, filled=int(x))
            elif kind == "num":
                numbers[q][x] += n1
            elif kind == "txt":
                texts[q][t] += n1
            elif kind == "asked":
                self.shown[q] = (n1, n2)
            elif kind == "score":
                scores[q][x] += n1
            elif kind in ("pair", "chan", "cat"):
                source = f"q{b}" if kind == "pair" else kind
                group = (c if c is not None else t, a)
                before = pairs[(source, q)].get(group, (0, 0))
                pairs[(source, q)][group] = (before[0] + n1, before[1] + n2)
            elif kind in ("pbase", "chanbase", "catbase"):
                source = f"q{b}" if kind == "pbase" else kind[:-4]
                group = c if c is not None else t
                bases[(source, q)][group] = bases[(source, q)].get(group, 0) + n1
        # A question answered with one option at most: a group's respondents are the sum of its options'.
        for (source, q), found in pairs.items():
            if (source, q) not in bases:
                per_group = bases[(source, q)]
                for (group, _option), (n, _rows) in found.items():
                    per_group[group] = per_group.get(group, 0) + n
        self.cells, self.numbers, self.texts, self.scores = dict(cells), dict(numbers), dict(texts), dict(scores)
        self.answered, self.pairs, self.bases = dict(answered), dict(pairs), dict(bases)

    @property
    def total(self) -> int:
        return sum(n for *_key, n in self.responses)

    def count(self, question: Question, what: str = "any") -> int:
        """Responses that answered the question (`what`: any, option, number, text, nonblank, rank, filled)."""
        return self.answered.get(question.id, {}).get(what, 0)

    def asked(self, question: Question) -> int:
        """Responses to which the question was shown (its page's and its own condition)."""
        if not question.condition_code and not question.page.condition_code:
            return self.total
        return self.shown.get(question.id, (0, 0))[0]

    def asked_and_answered(self, question: Question, what: str) -> int:
        if not question.condition_code and not question.page.condition_code:
            return self.count(question, what)
        return self.shown.get(question.id, (0, 0))[1]

    def per_option(self, question: Question, *, responses: bool = False) -> Counter:
        """Answer rows (or responses) per option id."""
        found = Counter()
        for option, _row, _rank, rows, distinct_responses, _texts in self.cells.get(question.id, ()):
            found[option] += distinct_responses if responses else rows
        return found

    def per_cell(self, question: Question) -> Counter:
        return Counter({(row, option): rows for option, row, _rank, rows, _r, _t in self.cells.get(question.id, ())})

    def per_rank(self, question: Question) -> Counter:
        return Counter({(option, rank): rows for option, _row, rank, rows, _r, _t in self.cells.get(question.id, ())
                        if rank is not None})

    def texts_with_option(self, question: Question, option_ids: set[int]) -> int:
        return sum(texts for option, _row, _rank, _rows, _r, texts in self.cells.get(question.id, ())
                   if option in option_ids)
