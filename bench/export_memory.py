"""Benchmark: do the survey export writers run in flat memory, whatever the number of responses?

Builds a temporary SQLite file with two copies of the test survey (13 questions, one of every
type), one with SMALL and one with LARGE synthetic responses (seeded random answers, about 17
answer rows per response), then measures with tracemalloc the peak Python memory of each export
as the app runs it: the batched records, the builders and the writer, into a temporary file on
disk (what the download spools beyond its first 8 MiB), and the time of a second, untraced run.
The LARGE figure is reported as a ratio of the SMALL one measured in the same run: flat memory
gives a ratio near 1, memory that grows with the data gives a ratio near LARGE / SMALL.

A reference that loads every response with its answers as ORM objects at once is measured the
same way, to show what growing memory looks like on this machine.

    .venv/bin/python bench/export_memory.py [--small 2000] [--large 20000]

Exits with status 1 when a streaming writer's ratio exceeds --max-ratio (default 2).
Not a test: pytest never collects bench/.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_app(url: str):
    from config import TestingConfig
    from consult import create_app

    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    return create_app(config)


def make_territory():
    from consult.extensions import db
    from consult.territories.models import Commune, Epci, Territory
    from tests.conftest import sample_rows

    territory = Territory(slug="terres-des-confluences", name="Terres des Confluences")
    epci = Epci(name="CC Terres des Confluences", siren="200066322", territory=territory)
    db.session.add(territory)
    for row in sample_rows("200066322"):
        db.session.add(Commune(territory=territory, epci=epci, insee_code=row["insee_code"],
                               name=row["commune_name"], population=int(row["population"]),
                               population_year=int(row["population_year"])))
    db.session.flush()
    return territory


def make_survey(territory, title: str):
    from consult.extensions import db
    from consult.surveys.models import Survey, SurveyStatus
    from tests.surveys.conftest import default_pages

    survey = Survey(territory=territory, title=title, status=SurveyStatus.OPEN)
    survey.pages = default_pages()
    for page in survey.pages:
        for question in page.questions:
            question.survey = survey
    db.session.add(survey)
    db.session.flush()
    return survey


TEXTS = ["Un bus vers l'hôpital de Moissac", "Plus de médecins", "=HYPERLINK(\"x\")", "Des pistes cyclables",
         "Une maison de santé à Castelsarrasin", "Je ne sais pas"]


def synthetic_answers(survey, communes: list[str], rng: random.Random, n: int) -> list[dict]:
    """Answer rows (as dicts for an executemany insert) of one random but valid-looking response."""
    from consult.surveys.models import QuestionType as T

    rows: list[dict] = []

    def add(question, **values):
        rows.append({"question_id": question.id, "option_id": None, "row_id": None, "value_text": None,
                     "value_number": None, "rank": None, **values})

    for question in survey.questions:
        kind, choices = question.type, question.choices
        if kind in (T.SINGLE, T.LIKERT, T.YES_NO, T.AGE_BAND):
            add(question, option_id=rng.choice(choices).id)
        elif kind is T.MULTIPLE:
            for option in rng.sample(choices, rng.randint(1, 3)):
                add(question, option_id=option.id, value_text=f"Autre {n}" if option.is_other else None)
        elif kind in (T.RATING, T.NUMBER):
            add(question, value_number=float(rng.randint(0, 10 if kind is T.RATING else 120)))
        elif kind in (T.SHORT_TEXT, T.LONG_TEXT):
            add(question, value_text=f"{rng.choice(TEXTS)} (réponse {n})")
        elif kind is T.DATE:
            add(question, value_text=(dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))).isoformat())
        elif kind is T.COMMUNE:
            add(question, value_text=rng.choice(communes))
        elif kind is T.RANKING:
            for rank, option in enumerate(rng.sample(choices, 3), start=1):
                add(question, option_id=option.id, rank=rank)
        elif kind is T.MATRIX:
            for row in question.rows:
                add(question, row_id=row.id, option_id=rng.choice(choices).id)
    return rows


def fill(survey, count: int, seed: int) -> None:
    """Insert `count` responses with core executemany (the ORM would take minutes for 20,000)."""
    from sqlalchemy import insert

    from consult.extensions import db
    from consult.surveys.models import Answer, Channel, Response
    from consult.surveys.services import commune_choices

    rng = random.Random(seed)
    communes = list(commune_choices(survey))
    batch = 1000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        heads = [{"survey_id": survey.id, "channel": rng.choice([Channel.WEB, Channel.WEB, Channel.PAPER]),
                  "submitted_on": dt.date(2026, 10, 1) + dt.timedelta(days=rng.randint(0, 50))}
                 for _ in range(size)]
        ids = [db.session.execute(insert(Response).values(**head).returning(Response.id)).scalar_one()
               for head in heads]
        answers = []
        for number, response_id in zip(range(start, start + size), ids):
            for row in synthetic_answers(survey, communes, rng, number):
                answers.append({"response_id": response_id, **row})
        db.session.execute(insert(Answer), answers)
        db.session.commit()


def measure(work: Callable[[], object]) -> tuple[float, float]:
    """(peak traced memory in MiB, seconds): the peak from a run under tracemalloc, the time from
    another run without it (tracing slows Python code down two to three times)."""
    gc.collect()
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    started = time.perf_counter()
    work()
    return peak / 2**20, time.perf_counter() - started


def exporters(survey) -> dict[str, Callable[[], object]]:
    """Each export as the view runs it, written to a file on disk (or drained, for CSV)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session, selectinload

    from consult.extensions import db
    from consult.exports import writers
    from consult.surveys.exports import builders, files
    from consult.surveys.exports.records import iter_records
    from consult.surveys.models import Response
    from consult.surveys.services import commune_choices

    def csv():
        for _chunk in files.responses_csv(survey):
            pass

    def spreadsheet(writer):
        def run():
            communes = commune_choices(survey)
            with tempfile.TemporaryFile() as target:
                writer([("Responses", builders.raw_rows(survey, iter_records(survey), communes)),
                        ("Codebook", builders.codebook_rows(survey, communes))], target)
        return run

    def tables():
        with tempfile.TemporaryFile() as target:
            handle = files.tables_spreadsheet(survey, "xlsx", threshold=11, today=dt.date(2026, 12, 1))
            target.write(handle.read())
            handle.close()

    survey_id = survey.id

    def everything_at_once():
        db.session.commit()  # release the app session's transaction (SQLite has a single writer lock)
        with Session(db.engine) as session:
            loaded = session.scalars(select(Response).where(Response.survey_id == survey_id)
                                     .options(selectinload(Response.answers))).all()
            return sum(len(r.answers) for r in loaded)

    return {
        "CSV (responses)": csv,
        "XLSX (responses + codebook)": spreadsheet(writers.write_xlsx),
        "ODS (responses + codebook)": spreadsheet(writers.write_ods),
        "XLSX aggregated tables": tables,
        "reference: all answers loaded as ORM objects": everything_at_once,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--max-ratio", type=float, default=2.0)
    args = parser.parse_args()

    from consult.extensions import db
    from consult.surveys.models import Answer

    with tempfile.TemporaryDirectory() as folder:
        app = build_app(f"sqlite:///{folder}/bench.sqlite3")
        with app.app_context(), app.test_request_context():
            db.create_all()
            territory = make_territory()
            small, large = make_survey(territory, "Petite enquête"), make_survey(territory, "Grande enquête")
            db.session.commit()
            started = time.perf_counter()
            fill(small, args.small, seed=1)
            fill(large, args.large, seed=2)
            answers = db.session.query(Answer).count()
            print(f"{args.small} + {args.large} responses, {answers} answer rows, "
                  f"inserted in {time.perf_counter() - started:.0f} s")
            db.session.expire_all()
            results = {}
            for label, survey in (("small", small), ("large", large)):
                for name, work in exporters(survey).items():
                    results[(name, label)] = measure(work)
                    db.session.commit()
                    print(f"  measured {name} ({label})", flush=True)
    failed = False
    print(f"\n{'export':48} {'peak ' + str(args.small):>12} {'peak ' + str(args.large):>13} {'ratio':>7} "
          f"{'time ' + str(args.small):>11} {'time ' + str(args.large):>12}")
    for name in dict.fromkeys(n for n, _label in results):
        (small_peak, small_time), (large_peak, large_time) = results[(name, "small")], results[(name, "large")]
        ratio = large_peak / small_peak
        print(f"{name:48} {small_peak:9.1f} MiB {large_peak:10.1f} MiB {ratio:6.2f}× "
              f"{small_time:9.1f} s {large_time:10.1f} s")
        if not name.startswith("reference") and ratio > args.max_ratio:
            failed = True
    print("\nClaim " + ("NOT confirmed: a writer's memory grows with the responses." if failed
                        else "confirmed: every writer's peak memory stays flat."))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
