"""The data package: a ZIP archive whose datapackage.json validates with `frictionless` (every resource, every
variant), whose tables read back (csv, json) to what the pages and releases show, with the k-anonymous responses by
default, nothing unpublished, no free text unless asked, formula-looking text made inert in the CSVs."""
from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from consult.diagnostic import kinds
from consult.extensions import db
from consult.surveys.models import Survey
from consult.surveys.releases.services import content_of
from consult.territories.models import territory_by_slug
from tests.conftest import NOW, build_app, discard_database
from tests.diagnostic.datapackage_world import FORMULA_TEXT, FORMULA_TITLE, K, SLUG, World, build_world
from tests.surveys.releasing import release


@pytest.fixture(scope="module")
def world_app() -> Iterator[tuple[Flask, World]]:
    """One app with the world for the whole module: these tests only read."""
    app = build_app(BABEL_DEFAULT_LOCALE="en")
    with app.app_context():
        world = build_world()
        db.session.remove()
    yield app, world
    with app.app_context():
        discard_database()
        db.engine.dispose()


def build_package(app: Flask, kind: str, fmt: str, **options) -> tuple[zipfile.ZipFile, list]:
    """The package built as the jobs build it (locale forced to English), with the progress reported."""
    reported = []
    target = io.BytesIO()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        territory = territory_by_slug(SLUG)
        kinds.build(kind, territory, fmt, target, progress=lambda done, total: reported.append((done, total)),
                    options=options)
        db.session.remove()
    return zipfile.ZipFile(io.BytesIO(target.getvalue())), reported


@pytest.fixture(scope="module")
def packages(world_app, tmp_path_factory) -> dict[str, Path]:
    """Every variant built once, extracted: the default ZIP, the pseudonymised one with free texts, the CSV and
    JSON ones, the action plan."""
    app, _world = world_app
    folders = {}
    for key, kind, fmt, options in (("zip", "datapackage", "zip", {}),
                                    ("pseudonymised", "datapackage", "zip", {"variant": "pseudonymised", "texts": "1"}),
                                    ("csv", "datapackage", "csv", {}), ("json", "datapackage", "json", {}),
                                    ("plan-csv", "action-plan", "csv", {}), ("plan-json", "action-plan", "json", {})):
        archive, reported = build_package(app, kind, fmt, **options)
        folder = tmp_path_factory.mktemp(key)
        archive.extractall(folder)
        folders[key] = folder
        assert reported[0][0] == 0 and reported[-1][0] == reported[-1][1] > 0, reported
    return folders


def descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def resource(folder: Path, name: str) -> dict:
    return next(r for r in descriptor(folder)["resources"] if r["name"] == name)


def read_csv(folder: Path, name: str) -> list[dict]:
    data = (folder / "csv" / f"{name}.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def read_excel(folder: Path, name: str) -> list[dict]:
    data = (folder / "csv-excel-fr" / f"{name}.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_json(folder: Path, name: str) -> list[dict]:
    return json.loads((folder / "json" / f"{name}.json").read_text(encoding="utf-8"))


def validate(folder: Path):
    import frictionless

    described = descriptor(folder)
    assert frictionless.Package.validate_descriptor(json.loads(json.dumps(described))).valid
    return frictionless.validate(described, basepath=str(folder))


def responses_name(world: World) -> str:
    return f"survey-{world.survey_id}-responses"


# --------------------------------------------------------------------------- the package and its schema

@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")
@pytest.mark.parametrize("key", ["zip", "pseudonymised", "plan-csv", "plan-json"])
def test_every_resource_of_every_variant_is_valid_for_frictionless(packages, key):
    report = validate(packages[key])
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])[:10]
    assert all(task.stats["rows"] >= 1 for task in report.tasks), [(t.name, t.stats) for t in report.tasks]


def test_each_format_holds_its_variants_and_describes_only_them(packages):
    expected = {"zip": {"csv", "csv-excel-fr", "json"}, "pseudonymised": {"csv", "csv-excel-fr", "json"},
                "csv": {"csv", "csv-excel-fr"}, "json": {"json"}, "plan-csv": {"csv", "csv-excel-fr"},
                "plan-json": {"json"}}
    for key, folders in expected.items():
        assert {path.name for path in packages[key].iterdir() if path.is_dir()} == folders
        described = descriptor(packages[key])
        assert {r["path"].split("/")[0] for r in described["resources"]} == folders
        assert all((packages[key] / r["path"]).is_file() for r in described["resources"])
    assert [r["name"] for r in descriptor(packages["plan-json"])["resources"]] == ["fiches-json", "indicators-json"]


def test_package_states_the_licence_and_describes_each_field(packages, world_app):
    _app, world = world_app
    described = descriptor(packages["zip"])
    assert described["name"] == "consult-terres-des-confluences"
    assert described["licenses"] == [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
                                      "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}]
    assert described["created"].endswith("Z") and described["sources"]
    names = [r["name"] for r in described["resources"]]
    assert names[:7] == [responses_name(world), f"survey-{world.survey_id}-codebook", "proposals", "supports",
                         "ideas", "fiches", "indicators"]
    assert len(names) == len(set(names)) == 21
    fields = {f["name"]: f for f in resource(packages["zip"], responses_name(world))["schema"]["fields"]}
    # Coded answers carry their codes (the k-anonymous merged groups too) and their labels.
    assert fields["Q2"]["constraints"]["enum"] == ["1", "2", "3", "4", "5"]
    assert "1 = Très bon" in fields["Q2"]["description"] and fields["Q2"]["title"].startswith("Q2 — Comment est")
    assert fields["Q4_1"]["type"] == "integer" and fields["Q4_1"]["constraints"]["enum"] == [0, 1]
    assert fields["submitted_week"]["type"] == "date" and fields["Q6"]["type"] == "number"
    assert "other" in fields["Q1"]["constraints"]["enum"]
    supports = resource(packages["zip"], "supports")["schema"]
    assert supports["foreignKeys"] == [{"fields": ["proposal_id"],
                                        "reference": {"resource": "proposals", "fields": ["id"]}}]
    excel = resource(packages["zip"], "indicators-excel-fr")
    assert (excel["encoding"], excel["dialect"]["delimiter"]) == ("utf-8-sig", ";")
    assert {f["name"]: f.get("decimalChar") for f in excel["schema"]["fields"]}["target"] == ","


def test_french_package_describes_its_fields_in_french(world_app):
    app, _world = world_app
    target = io.BytesIO()
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        app.config["BABEL_DEFAULT_LOCALE"] = "fr"
        try:
            kinds.build("action-plan", territory_by_slug(SLUG), "json", target)
        finally:
            app.config["BABEL_DEFAULT_LOCALE"] = "en"
            db.session.remove()
    described = json.loads(zipfile.ZipFile(target).read("datapackage.json"))
    fields = {f["name"]: f for f in described["resources"][0]["schema"]["fields"]}
    assert described["resources"][0]["title"] == "Fiches actions"
    assert fields["axis"]["title"] == "Axe" and fields["budget"]["title"] == "Budget prévu (euros)"


# --------------------------------------------------------------------------- published content, as the pages show it

def test_proposals_and_supports_read_back_as_their_pages_show_them(packages, world_app):
    app, world = world_app
    proposals = {int(row["id"]): row for row in read_csv(packages["zip"], "proposals")}
    assert set(proposals) == {world.proposal_a, world.proposal_b}  # pending and rejected never appear
    client = app.test_client()
    for proposal_id, row in proposals.items():
        page = client.get(f"/t/{SLUG}/proposals/{proposal_id}/", headers={"Accept-Language": "en"})
        shown = page.get_data(as_text=True)
        assert f'<strong>{row["supports"]}</strong> support' in shown
    assert (proposals[world.proposal_a]["supports"], proposals[world.proposal_b]["supports"]) == ("3", "1")
    assert proposals[world.proposal_b]["status"] == "retained"
    assert proposals[world.proposal_b]["answer"] == "Reprise dans la fiche 1.1 du plan d'action."
    supports = {int(row["proposal_id"]): int(row["supports"]) for row in read_json(packages["zip"], "supports")}
    assert supports == {world.proposal_a: 3, world.proposal_b: 1}
    assert set(read_json(packages["zip"], "supports")[0]) == {"proposal_id", "supports"}  # never who supported


def test_formula_looking_text_is_inert_in_the_csvs_and_kept_in_the_json(packages, world_app):
    _app, world = world_app
    title = {int(r["id"]): r["title"] for r in read_csv(packages["zip"], "proposals")}[world.proposal_b]
    assert title == "'" + FORMULA_TITLE
    excel = {int(r["id"]): r["title"] for r in read_excel(packages["zip"], "proposals")}[world.proposal_b]
    assert excel == "'" + FORMULA_TITLE
    assert {r["id"]: r["title"] for r in read_json(packages["zip"], "proposals")}[world.proposal_b] == FORMULA_TITLE
    texts = [row["Q10"] for row in read_csv(packages["pseudonymised"], responses_name(world))]
    assert "'" + FORMULA_TEXT in texts and FORMULA_TEXT not in texts


def test_excel_variant_has_a_bom_semicolons_and_decimal_commas(packages):
    data = (packages["csv"] / "csv-excel-fr" / "indicators.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid;fiche_id;fiche_number;kind;name;target;")
    row = read_excel(packages["csv"], "indicators")[0]
    assert (row["target"], row["last_year"], row["last_value"]) == ("60,5", "2026", "42,5")
    assert read_csv(packages["csv"], "indicators")[0]["target"] == "60.5"
    assert (packages["csv"] / "csv" / "indicators.csv").read_bytes().split(b"\r\n")[0] == (
        b"id,fiche_id,fiche_number,kind,name,target,unit,source,frequency,last_year,last_value")


def test_only_published_fiches_ideas_of_held_meetings_and_opened_surveys_appear(packages, world_app):
    _app, world = world_app
    fiches = read_json(packages["plan-json"], "fiches")
    assert [f["id"] for f in fiches] == [world.fiche]
    fiche = fiches[0]
    assert list(fiche)[:4] == ["axis_number", "axis", "objective", "number"]  # axis path first
    assert (fiche["number"], fiche["budget"], fiche["whole_territory"]) == ("1.1", 7500, True)
    assert fiche["lead_organisations"] == "CC Terres des Confluences"
    indicators = read_json(packages["plan-json"], "indicators")
    assert [(i["id"], i["fiche_id"], i["target"], i["last_value"]) for i in indicators] == [
        (world.indicator, world.fiche, 60.5, 42.5)]
    assert [i["id"] for i in read_json(packages["zip"], "ideas")] == [world.idea]
    described = descriptor(packages["zip"])
    assert world.draft_survey_title not in json.dumps(described, ensure_ascii=False)
    assert sum(1 for r in described["resources"] if r["name"].endswith("-responses")) == 1


# --------------------------------------------------------------------------- the responses

def test_k_anonymous_by_default_every_combination_holds_k_rows_and_no_free_text(packages, world_app):
    _app, world = world_app
    rows = read_csv(packages["zip"], responses_name(world))
    assert len(rows) == 24
    combinations = Counter((row["Q1"], row["Q11"], row["Q12"]) for row in rows)
    assert min(combinations.values()) >= K, combinations
    assert {"Q9", "Q10", "Q4_other_text"}.isdisjoint(rows[0])  # free texts left out
    assert any("+" in row["Q11"] for row in rows) and "other" in {row["Q1"] for row in rows}  # merged
    # The same rows in every variant: same pseudonyms, same answers.
    as_json = {row["pseudonym"]: row for row in read_json(packages["zip"], responses_name(world))}
    excel = {row["pseudonym"]: row for row in read_excel(packages["zip"], responses_name(world))}
    assert set(as_json) == set(excel) == {row["pseudonym"] for row in rows}
    for row in rows:
        assert (as_json[row["pseudonym"]]["Q2"], excel[row["pseudonym"]]["Q6"]) == (row["Q2"], row["Q6"])


def test_pseudonymised_variant_keeps_the_rare_combinations_and_the_texts_asked_for(packages, world_app):
    _app, world = world_app
    rows = read_csv(packages["pseudonymised"], responses_name(world))
    assert min(Counter((row["Q1"], row["Q11"], row["Q12"]) for row in rows).values()) == 1
    assert {row["Q9"] for row in rows} == {"Agricultrice"}
    assert "pseudonymised" in resource(packages["pseudonymised"], responses_name(world))["description"]


def test_counts_by_answer_agree_with_a_release_of_the_survey(packages, world_app):
    app, world = world_app
    with app.test_request_context(headers={"Accept-Language": "en"}):
        survey = db.session.get(Survey, world.survey_id)
        made = release(survey, now=NOW)
        codes = {o.label: o.code for o in survey.questions[1].choices}
        view = next(v for v in content_of(made).questions if v.question.code == "Q2")
        shown = {codes[line.label]: line.cell.value for line in view.shown.lines if not line.cell.hidden}
        db.session.remove()
    counted = Counter(row["Q2"] for row in read_csv(packages["zip"], responses_name(world)))
    assert shown and all(counted[code] == value for code, value in shown.items()), (shown, counted)


# --------------------------------------------------------------------------- flat memory

# Responses of the small and the large survey (ten times more). Under tracemalloc, 100,000 responses take about
# 50 s of CPU, more than the whole suite can spare: the suite runs 600 and 6,000;
# CONSULT_MEMORY_TEST_SIZES=10000,100000 runs the full-size check.
SMALL, LARGE = (int(n) for n in os.environ.get("CONSULT_MEMORY_TEST_SIZES", "600,6000").split(","))

def volume_survey(territory, title: str) -> Survey:
    """Three questions, the three a k-anonymous file protects: commune, age band, sex."""
    from consult.surveys.models import Question, QuestionType, SurveyPage, SurveyStatus
    from tests.surveys.conftest import options

    page = SurveyPage(position=0, title="Vous", questions=[
        Question(code="Q1", position=0, type=QuestionType.COMMUNE, text="Dans quelle commune habitez-vous ?"),
        Question(code="Q2", position=1, type=QuestionType.AGE_BAND, text="Votre âge", breakdown_role="age_band",
                 options=options("15-29 ans", "30-44 ans", "45-59 ans", "60-74 ans", "75 ans ou plus")),
        Question(code="Q3", position=2, type=QuestionType.SINGLE, text="Vous êtes", breakdown_role="sex",
                 options=options("Une femme", "Un homme", "Autre ou non précisé")),
    ])
    survey = Survey(territory=territory, title=title, status=SurveyStatus.CLOSED, pages=[page])
    for question in page.questions:
        question.survey = survey
    db.session.add(survey)
    db.session.flush()
    return survey


def fill(survey: Survey, count: int, *, first_id: int, communes: list[str]) -> None:
    """`count` responses inserted with core executemany (the ORM would take minutes), answers drawn at random."""
    import datetime as dt
    import random

    from consult.surveys.models import Answer, Response

    draw = random.Random(first_id)
    commune, age, sex = survey.questions
    for start in range(first_id, first_id + count, 10_000):
        ids = range(start, min(start + 10_000, first_id + count))
        db.session.connection().execute(Response.__table__.insert(), [
            {"id": i, "survey_id": survey.id, "channel": "web", "submitted_on": dt.date(2026, 11, 23)} for i in ids])
        db.session.connection().execute(Answer.__table__.insert(), [
            {"response_id": i, "question_id": question.id, "option_id": option, "value_text": text}
            for i in ids for question, option, text in (
                (commune, None, draw.choice(communes)), (age, draw.choice(age.choices).id, None),
                (sex, draw.choice(sex.choices).id, None))])
    db.session.commit()


def test_responses_are_written_in_flat_memory_whatever_the_number_of_responses():
    """Peak traced memory of the data package (JSON) of a survey with ten times more responses within +20 % of the
    smaller one's: the responses are read a batch at a time and written as they come."""
    import gc
    import tempfile
    import tracemalloc

    from consult.surveys.models import SurveyStatus
    from tests.diagnostic.datapackage_world import make_territory, territory_communes

    app = build_app()
    try:
        with app.test_request_context(headers={"Accept-Language": "en"}):
            territory = make_territory()
            small, large = volume_survey(territory, "Petite enquête"), volume_survey(territory, "Grande enquête")
            communes = [c.insee_code for c in territory_communes(territory)]
            fill(small, SMALL, first_id=1, communes=communes)
            fill(large, LARGE, first_id=SMALL + 1, communes=communes)

            def peak_of(survey: Survey, *, traced: bool = True) -> tuple[int, int]:
                """The peak traced memory of building the package of the territory with this survey alone."""
                for each in (small, large):
                    each.status = SurveyStatus.CLOSED if each is survey else SurveyStatus.DRAFT
                db.session.commit()
                reported = []

                def reported_with_garbage_collected(done: int, total: int) -> None:
                    # What is measured is the memory still in use: the cycles each batch of queries leaves are
                    # garbage the collector frees at its own pace, which would blur a tenfold comparison.
                    if len(reported) % 4 == 0:  # every 2,000 rows: a full collection costs
                        gc.collect()
                    reported.append(total)

                with tempfile.TemporaryFile() as target:
                    gc.collect()
                    if traced:
                        tracemalloc.start()
                    try:
                        kinds.build("datapackage", territory, "json", target, progress=reported_with_garbage_collected)
                        peak = tracemalloc.get_traced_memory()[1] if traced else 0
                    finally:
                        tracemalloc.stop()
                return peak, reported[-1]

            peak_of(small, traced=False)  # first use: locale data, compiled queries
            small_peak, small_rows = peak_of(small)
            large_peak, large_rows = peak_of(large)
            db.session.remove()
    finally:
        with app.app_context():
            discard_database()
            db.engine.dispose()
    assert (small_rows, large_rows) == (SMALL + 44, LARGE + 44)  # responses + the codebook's 44 lines
    print(f"peak traced memory: {small_peak / 2**20:.2f} MiB ({SMALL} responses), {large_peak / 2**20:.2f} MiB ({LARGE})")
    assert large_peak <= 1.2 * small_peak, (small_peak, large_peak)
