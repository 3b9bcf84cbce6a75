"""Results counted in the database (`results.tally`) against an oracle: the same figures worked out the obvious way
in Python from the stored answer rows — counts, bases of conditional questions, multiple choices, matrices and
scores, rankings, numbers, dates, breakdowns — on random questionnaires answered by Hypothesis (derandomized).
Also: the stored tally is folded forward with new responses and counted again when stored ones change."""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from consult.extensions import db
from consult.surveys import results
from consult.surveys.answering import answers as answer_rules
from consult.surveys.models import Answer, Channel, Response
from consult.surveys.results import tally
from consult.surveys.results.models import ResultTally
from tests.surveys.test_results import add_response

DAY = dt.date(2026, 10, 5)
COMMUNES = ["82112", "82033", "82169", "autre"]


@pytest.fixture
def conditional_survey(survey):
    """The default questionnaire, its second page shown only to those whose health is good or fair (Q2 ≤ 3):
    Q7–Q10 depend on their page, Q4 on its own condition (Q3 = yes) as well."""
    page = survey.pages[1]
    page.condition_code, page.condition_values = "Q2", ["1", "2", "3"]
    db.session.commit()
    return survey


@st.composite
def respondent(draw) -> tuple[dict, Channel, dt.date]:
    """Answers as a respondent could give them: conditions respected, any question possibly left blank."""
    maybe = st.booleans()
    data: dict = {}
    if draw(maybe):
        data["Q1"] = draw(st.sampled_from(COMMUNES))
    health = draw(st.sampled_from(["1", "2", "3", "4", "5", None]))
    if health:
        data["Q2"] = health
    data["Q3"] = draw(st.sampled_from(["1", "2"]))
    if data["Q3"] == "1" and draw(maybe):
        data["Q4"] = draw(st.lists(st.sampled_from(["1", "2", "3", "autre"]), min_size=1, max_size=3, unique=True))
        if "autre" in data["Q4"]:
            data["Q4.other"] = "Pas de médecin"
    if draw(maybe):
        data["Q5"] = draw(st.integers(0, 10))
    if draw(maybe):
        data["Q6"] = draw(st.sampled_from([0, 5, 12.5, 15, 20, 45, 90, 300]))
    if health in ("1", "2", "3"):
        cells = draw(st.dictionaries(st.sampled_from(["r1", "r2"]), st.sampled_from(["1", "2", "3"])))
        if cells:
            data["Q7"] = cells
        ranking = draw(st.permutations(["1", "2", "3", "4"]))[:draw(st.integers(0, 3))]
        if ranking:
            data["Q8"] = list(ranking)
        if draw(maybe):
            data["Q10"] = draw(st.sampled_from(["Plus de médecins", "Un bus vers l'hôpital"]))
    for code, last in (("Q11", 6), ("Q12", 3)):
        if draw(maybe):
            data[code] = str(draw(st.integers(1, last)))
    if draw(maybe):
        data["Q13"] = draw(st.sampled_from(["2026-09-02", "2026-09-30", "2026-10-01"]))
    return data, draw(st.sampled_from(list(Channel))), DAY + dt.timedelta(days=draw(st.integers(0, 20)))


def _rows(survey) -> dict[int, list]:
    """Every answer row of the survey, by question (the oracle's input)."""
    found = defaultdict(list)
    for row in db.session.execute(select(Answer).join(Response).where(Response.survey_id == survey.id)
                                  .order_by(Answer.id)).scalars():
        found[row.question_id].append(row)
    return found


def _asked(survey, question, rows) -> set[int]:
    everyone = set(db.session.scalars(select(Response.id).where(Response.survey_id == survey.id)))
    given: dict[int, dict] = defaultdict(dict)
    for q in survey.questions:
        for row in rows[q.id]:
            if row.option_id is not None and q.type.is_closed:
                code = next(o.code for o in q.options if o.id == row.option_id)
                if q.type.value == "multiple":
                    given[row.response_id].setdefault(q.code, []).append(code)
                else:
                    given[row.response_id][q.code] = code
    return {rid for rid in everyone if answer_rules.is_visible(question.page, given[rid])
            and answer_rules.is_visible(question, given[rid])}


def check_against_oracle(survey) -> None:
    """Every figure of every question (and the breakdown by sex) equals the one computed from the rows."""
    data = results.load(survey)
    rows = _rows(survey)
    by_code = {q.code: q for q in survey.questions}
    for question in survey.questions:
        mine = results.question_result(survey, question, data)
        own = rows[question.id]
        assert mine.asked == len(_asked(survey, question, rows)), question.code
        if question.type.is_closed and question.type.value != "commune":
            expected = Counter(r.option_id for r in own)
            assert [c.count for c in mine.counts] == [expected[o.id] for o in question.choices], question.code
            assert mine.answered == len({r.response_id for r in own})
            if question.type.value == "likert" and own:
                positions = [n for r in own for n, o in enumerate(question.choices, 1) if o.id == r.option_id]
                assert (mine.mean_position, mine.median_position) == (statistics.fmean(positions),
                                                                      statistics.median(positions))
        elif question.type.value == "commune":
            expected = Counter(r.value_text for r in own)
            assert {c.key: c.count for c in mine.counts if c.count} == dict(expected)
        elif question.type.value in ("rating", "number"):
            values = [r.value_number for r in own]
            assert mine.answered == len(values)
            if values:
                assert (mine.mean, mine.median, mine.minimum, mine.maximum) == (
                    statistics.fmean(values), statistics.median(values), min(values), max(values))
                assert sum(b.count for b in mine.bins) == len(values)
        elif question.type.value == "matrix":
            cells = Counter((r.row_id, r.option_id) for r in own)
            assert [[c.count for c in row.counts] for row in mine.rows] == [
                [cells[(item.id, c.id)] for c in question.choices] for item in question.rows]
            per_response = defaultdict(list)
            for r in own:
                per_response[r.response_id].append(r)
            score_of = {o.id: o.score or 0 for o in question.choices}
            raws = [sum(score_of[a.option_id] for a in answers) for answers in per_response.values()
                    if len({a.row_id for a in answers}) == len(question.rows)]
            percents = [raw * question.score_multiplier for raw in raws]
            assert mine.score.complete == len(raws)
            if raws:
                assert (mine.score.mean_raw, mine.score.mean_percent, mine.score.median_percent) == (
                    statistics.fmean(raws), statistics.fmean(percents), statistics.median(percents))
                assert mine.score.low == sum(1 for p in percents if p <= question.score_cutoff)
        elif question.type.value == "ranking":
            for item in question.choices:
                ranks = [r.rank for r in own if r.option_id == item.id]
                found = next(i for i in mine.items if i.label == item.label)
                assert (found.ranked, found.first) == (len(ranks), ranks.count(1))
                assert found.mean_rank == (statistics.fmean(ranks) if ranks else None)
                assert found.borda == sum(mine.positions - r + 1 for r in ranks)
        elif question.type.value == "date":
            months = Counter(r.value_text[:7] for r in own)
            assert {c.key: c.count for c in mine.months} == dict(months)
        else:
            assert mine.answered == sum(1 for r in own if (r.value_text or "").strip())
    sex = by_code["Q12"]
    sex_of = {r.response_id: r.option_id for r in rows[sex.id]}
    variable = next(v for v in results.breakdown_variables(survey) if v.key == "sex")
    for question in (by_code["Q2"], by_code["Q4"], by_code["Q11"]):
        table = results.crosstab(survey, question, variable, data)
        groups = [*(o.id for o in sex.choices), None]
        expected = [[sum(1 for r in rows[question.id] if sex_of.get(r.response_id) == g and r.option_id == o.id)
                     for o in question.choices] for g in groups]
        bases = [len({r.response_id for r in rows[question.id] if sex_of.get(r.response_id) == g}) for g in groups]
        if not bases[-1]:
            expected, bases = expected[:-1], bases[:-1]
        assert (table.counts, table.bases) == (expected, bases), question.code


@settings(max_examples=12, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=st.lists(respondent(), min_size=1, max_size=14), later=st.lists(respondent(), max_size=6))
def test_figures_counted_in_the_database_equal_the_oracle(conditional_survey, monkeypatch, first, later):
    survey = conditional_survey
    monkeypatch.setattr(tally, "STEP", 5)  # long folds go by steps, each stored
    db.session.execute(delete(Response).where(Response.survey_id == survey.id))
    tally.forget(survey.id)
    for data, channel, day in first:
        add_response(survey, data, channel, day)
    db.session.commit()
    check_against_oracle(survey)
    for data, channel, day in later:  # folded into the stored tally
        add_response(survey, data, channel, day)
    db.session.commit()
    check_against_oracle(survey)


def test_tally_adds_new_responses_and_counts_again_when_one_is_unlinked(conditional_survey):
    survey = conditional_survey
    add_response(survey, {"Q1": "82112", "Q2": "1", "Q3": "1", "Q4": ["2"], "Q12": "1"})
    db.session.commit()
    assert results.load(survey).total == 1
    stored = db.session.get(ResultTally, survey.id)
    first_watermark = stored.watermark

    add_response(survey, {"Q1": "82033", "Q2": "2", "Q3": "1", "Q4": ["2", "3"], "Q12": "2"}, Channel.PAPER)
    db.session.commit()
    reasons = next(q for q in survey.questions if q.code == "Q4")
    assert [c.count for c in results.question_result(survey, reasons).counts] == [0, 2, 1, 0]
    db.session.refresh(stored)
    assert stored.watermark > first_watermark  # folded forward, not made again
    check_against_oracle(survey)

    # An erasure unlinks a response and moves it to its week's Monday: the stored counts no longer hold.
    paper = db.session.scalar(select(Response).where(Response.survey_id == survey.id, Response.channel == Channel.PAPER))
    paper.submitted_on = paper.submitted_on - dt.timedelta(days=paper.submitted_on.weekday() + 7)
    db.session.commit()
    overview = results.overview(survey)
    assert overview.first_day == paper.submitted_on
    assert db.session.scalar(select(func.count()).select_from(ResultTally)) == 1
    check_against_oracle(survey)


def cache_sizes_seen_by(patch, name: str) -> list[int]:
    """The SQLite page cache size (PRAGMA cache_size) in force at each call of `tally.<name>`, as a list that fills."""
    seen, counted = [], getattr(tally, name)

    def recorded(*args):
        seen.append(db.session.connection().exec_driver_sql("PRAGMA cache_size").scalar())
        return counted(*args)

    patch.setattr(tally, name, recorded)
    return seen


def test_a_reading_past_a_fold_step_of_responses_counts_them_with_a_small_sqlite_cache(conditional_survey,
                                                                                       monkeypatch):
    survey = conditional_survey
    add_response(survey, {"Q1": "82112", "Q2": "1", "Q3": "1", "Q4": ["2"], "Q12": "1"})
    db.session.commit()
    results.load(survey)  # the tally stored: the next reading has nothing to fold
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("a SQLite connection's page cache (PostgreSQL sizes its work memory itself)")
    own = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    seen = cache_sizes_seen_by(monkeypatch, "count_responses")
    assert results.load(survey).total == 1
    monkeypatch.setattr(tally, "STEP", 0)  # as many stored responses as a fold step (10,000)
    assert results.load(survey).total == 1

    assert seen == [own, -tally.FOLD_CACHE_KIB]  # a few: no extra statement; many: no 2 MB page cache filled
    assert db.session.connection().exec_driver_sql("PRAGMA cache_size").scalar() == own


def test_a_results_page_holds_the_indexed_counts_not_the_stored_rows(conditional_survey):
    survey = conditional_survey
    add_response(survey, {"Q1": "82112", "Q2": "1", "Q3": "1", "Q4": ["2", "3"], "Q12": "1"})
    db.session.commit()
    data = results.load(survey)
    stored = db.session.get(ResultTally, survey.id).counts
    assert stored and data.tally.per_option(next(q for q in survey.questions if q.code == "Q4"))
    held = [value for value in vars(data.tally).values() if isinstance(value, list)]
    assert all(value is not stored and value != stored for value in held)  # the ~1.5 MB at 100,000 responses
    check_against_oracle(survey)


def test_an_up_to_date_tally_is_read_one_stored_row_at_a_time(conditional_survey, monkeypatch):
    """Nothing to add: the stored counts go into the indexes row by row (never every row at once: ~1.6 MB of small
    lists at 100,000 responses, which left a worker's memory fragmented), and give the same figures."""
    survey = conditional_survey
    add_response(survey, {"Q1": "82112", "Q2": "1", "Q3": "1", "Q4": ["2", "3"], "Q12": "1"})
    add_response(survey, {"Q1": "82033", "Q2": "2", "Q3": "1", "Q4": ["2"], "Q12": "2"}, Channel.PAPER)
    db.session.commit()
    folded = results.load(survey).tally  # counted and stored
    decoded, rows = [], tally._rows

    def one_at_a_time(text):
        for row in rows(text):
            decoded.append(row)
            yield row

    monkeypatch.setattr(tally, "_rows", one_at_a_time)
    again = results.load(survey).tally
    assert decoded == db.session.get(ResultTally, survey.id).counts  # every stored row, through the row reader
    assert vars(again) == vars(folded)
    check_against_oracle(survey)


def test_a_long_fold_counts_with_a_small_sqlite_cache_then_gives_the_connection_its_own_back(conditional_survey,
                                                                                             monkeypatch):
    survey = conditional_survey
    monkeypatch.setattr(tally, "STEP", 1)  # three responses: a fold of several steps
    for commune in ("82112", "82033", "82169"):
        add_response(survey, {"Q1": commune, "Q2": "1", "Q3": "1", "Q4": ["2"], "Q12": "1"})
    db.session.commit()
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("a SQLite connection's page cache (PostgreSQL sizes its work memory itself)")
    own = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    with pytest.MonkeyPatch.context() as patch:
        seen = cache_sizes_seen_by(patch, "count_answers")
        assert results.load(survey).total == 3

    assert seen and set(seen) == {-tally.FOLD_CACHE_KIB}  # the GROUP BYs' sorters bounded by the smaller cache
    assert db.session.connection().exec_driver_sql("PRAGMA cache_size").scalar() == own
    check_against_oracle(survey)


def test_a_long_fold_stopped_half_way_stores_the_responses_it_counted_and_the_next_page_goes_on(conditional_survey,
                                                                                                 monkeypatch):
    """Each step of a long fold is stored with the responses up to its watermark (counted over the step's ids
    alone, not by reading every response again at each step): a page stopped half-way (a worker's timeout)
    leaves a tally the next page accepts and goes on from, without counting again what was counted."""
    survey = conditional_survey
    monkeypatch.setattr(tally, "STEP", 1)  # four responses: a fold of four steps
    for commune, channel, day in (("82112", Channel.WEB, DAY), ("82033", Channel.PAPER, DAY),
                                  ("82169", Channel.WEB, DAY + dt.timedelta(days=1)),
                                  ("82112", Channel.PAPER, DAY + dt.timedelta(days=2))):
        add_response(survey, {"Q1": commune, "Q2": "1", "Q3": "1", "Q4": ["2"], "Q12": "1"}, channel, day)
    db.session.commit()
    ids = db.session.scalars(select(Response.id).where(Response.survey_id == survey.id).order_by(Response.id)).all()
    steps, counted = [], tally.count_answers

    def stopped_at_the_third_step(survey, after, upto):
        steps.append((after, upto))
        if len(steps) == 3:
            raise TimeoutError("the worker's timeout")
        return counted(survey, after, upto)

    monkeypatch.setattr(tally, "count_answers", stopped_at_the_third_step)
    with pytest.raises(TimeoutError):
        results.load(survey)
    db.session.commit()  # what a page's own connection committed at each step
    stored = db.session.get(ResultTally, survey.id)
    assert stored.watermark == ids[1]
    assert stored.responses == [[DAY.isoformat(), "paper", "", 1], [DAY.isoformat(), "web", "", 1]]

    steps.clear()
    monkeypatch.setattr(tally, "count_answers", lambda *args: (steps.append(args[1:]), counted(*args))[1])
    assert results.load(survey).total == 4
    assert steps == [(ids[1], ids[2]), (ids[2], ids[3])]  # folded forward from the stored step, not made again
    db.session.refresh(stored)
    assert (stored.watermark, sum(row[-1] for row in stored.responses)) == (ids[3], 4)
    check_against_oracle(survey)
