"""Every download of the app, fetched from gunicorn over real HTTP and read back: survey raw responses, codebook,
aggregated tables and method (CSV, XLSX, ODS), printable questionnaire (HTML, PDF), groups' rosters and
attendance (CSV, XLSX, ODS), calendar files.

The Flask test client keeps the test's app context around a request, so a streamed body that outlived the
request's database session still worked there (the raw CSV export answered 500 under a real server). Here
the app runs in gunicorn's own processes, on the demo seeded in a SQLite file, with CSRF checked as in
production; the test fails if a download-like route appears that it does not fetch.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import inspect
import io
import random
import re
import weakref
import zlib
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import icalendar
import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from consult.accounts.demo import DEMO_ACCOUNTS
from consult.extensions import db
from consult.groups.models import Attendance, Meeting, Signup, WorkingGroup
from consult.proposals.models import Call, Proposal
from consult.accounts.models import Role, TerritoryRole, User
from consult.surveys import services
from consult.surveys.models import (Answer, Channel, Option, Question, QuestionType, Response, Survey, SurveyPage,
                                    SurveyStatus)
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.results import disclosure_threshold
from consult.territories.models import Commune, Epci, Territory
from tests.conftest import app_on_copy, seeded_template
from tests.core.test_database import gunicorn
from tests.served import Browser
from tests.surveys.exports_helpers import by_code, read_ods, read_xlsx

SLUG = "terres-des-confluences"
PASSWORDS = {email: password for email, password, *_rest in DEMO_ACCOUNTS}
COORDINATOR = "coordination.confluences@example.org"
OBSERVER = "referente.ars@example.org"
FORMULA = '=HYPERLINK("http://example.com/piege","Cliquez")'
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
    "zip": "application/zip",
}
# A route is a download when its endpoint or its address says so; each must be fetched below.
DOWNLOAD_LIKE = re.compile(r"export|print|ics|\.(csv|xlsx|ods|pdf|ics)\b")
SENDS_A_FILE = re.compile(r"send_export\(|send_file\(|_download\(|_ics\(|Content-Disposition")


@dataclass
class Served:
    """The demo served by gunicorn, and what its database holds, read before serving."""

    port: int
    log: Path
    app: Flask
    survey_id: int
    responses: int
    release_responses: int
    threshold: int
    group_id: int
    signups: int
    meeting_id: int
    meeting_attendances: int
    territory_attendances: int
    meeting_titles: set[str] = field(default_factory=set)
    gascogne_id: int = 0
    gascogne_responses: int = 0
    call_id: int = 0
    call_proposals: int = 0


GASCOGNE = "gascogne-toulousaine"
GASCOGNE_K = 5
GASCOGNE_RESPONSES = 60
# (INSEE code, name, population 2021, responses): L'Isle-Jourdain and four smaller communes, two of them
# with fewer than k respondents.
GASCOGNE_COMMUNES = [("32160", "L'Isle-Jourdain", 9207, 31), ("32334", "Pujaudran", 1402, 12),
                     ("32428", "Ségoufielle", 1215, 10), ("32150", "Lias", 1068, 4),
                     ("32256", "Monferran-Savès", 812, 3)]
OCCUPATIONS = ["Agriculteur·rice exploitant·e", "Artisan·e, commerçant·e", "Cadre", "Profession intermédiaire",
               "Employé·e", "Ouvrier·ère", "Retraité·e", "Élève, étudiant·e", "Sans activité professionnelle"]


def gascogne_survey(coordinator: User) -> Survey:
    """A survey of the Gascogne Toulousaine (L'Isle-Jourdain) with 60 anonymous responses, k = 5, coordinated by
    the demo's coordinator: communes of 31 down to 3 respondents, sex, age band, occupation, free texts."""
    def choices(labels, other=None):
        made = [Option(code=str(i), label=label, position=i) for i, label in enumerate(labels, start=1)]
        if other:
            made.append(Option(code="autre", label=other, position=len(made) + 1, is_other=True))
        return made

    territory = Territory(slug=GASCOGNE, name="Gascogne Toulousaine", controller="CC de la Gascogne Toulousaine")
    epci = Epci(name="CC de la Gascogne Toulousaine", siren="243200417", territory=territory)
    for code, name, population, _n in GASCOGNE_COMMUNES:
        db.session.add(Commune(territory=territory, epci=epci, insee_code=code, name=name, population=population,
                               population_year=2021))
    db.session.add(TerritoryRole(user=coordinator, territory=territory, role=Role.COORDINATOR))
    survey = Survey(territory=territory, title="Votre santé en Gascogne toulousaine", status=SurveyStatus.OPEN,
                    disclosure_threshold=GASCOGNE_K)
    survey.pages = [SurveyPage(position=0, title="Vous et votre santé", questions=[
        Question(code="Q1", position=0, type=QuestionType.COMMUNE, text="Dans quelle commune habitez-vous ?"),
        Question(code="Q2", position=1, type=QuestionType.YES_NO, text="Avez-vous renoncé à des soins ?",
                 options=choices(["Oui", "Non"])),
        Question(code="Q3", position=2, type=QuestionType.LONG_TEXT, text="Qu'est-ce qui améliorerait votre santé ?"),
        Question(code="Q4", position=3, type=QuestionType.SINGLE, text="Vous êtes", breakdown_role="sex",
                 options=choices(["Une femme", "Un homme", "Autre ou non précisé"])),
        Question(code="Q5", position=4, type=QuestionType.AGE_BAND, text="Votre âge", breakdown_role="age_band",
                 options=choices(["15-29 ans", "30-44 ans", "45-59 ans", "60-74 ans", "75 ans ou plus"])),
        Question(code="Q6", position=5, type=QuestionType.SINGLE, text="Votre situation", breakdown_role="occupation",
                 options=choices(OCCUPATIONS, other="Autre situation")),
    ])]
    for question in survey.questions:
        question.survey = survey
    db.session.add(survey)
    db.session.flush()
    rng = random.Random("gascogne")
    number = 0
    for code, _name, _population, responses in GASCOGNE_COMMUNES:
        for _ in range(responses):
            number += 1
            data = {"Q1": code, "Q2": rng.choice(["1", "2"]), "Q3": f"Un centre de santé à {_name}, réponse {number}",
                    "Q4": rng.choices(["1", "2", "3"], weights=[55, 42, 3])[0],
                    "Q5": rng.choices(["1", "2", "3", "4", "5"], weights=[12, 22, 26, 25, 15])[0],
                    "Q6": rng.choices([str(i) for i in range(1, 10)] + ["autre"],
                                      weights=[3, 6, 12, 15, 18, 9, 25, 6, 5, 1])[0]}
            if data["Q6"] == "autre":
                data["Q6.other"] = "Sage-femme libérale"
            services.submit_response(survey, data, browser_secret=f"gascogne-{number}",
                                     now=dt.datetime(2026, 10, 1, 12) + dt.timedelta(days=number % 40))
    db.session.commit()
    return survey


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo with its first release (made once for the run, see `seeded_template`), plus one answer that looks
    like a formula, served by one gunicorn worker with CSRF on."""
    folder = tmp_path_factory.mktemp("exports-served")
    database = folder / "served.sqlite3"
    app = app_on_copy(seeded_template(tmp_path_factory, "--publish-results")[0], database)
    with app.app_context():
        territory = db.session.scalar(select(Territory).where(Territory.slug == SLUG))
        survey = db.session.scalar(select(Survey).where(Survey.territory_id == territory.id).order_by(Survey.id))
        question = next(q for q in survey.questions if q.type is QuestionType.LONG_TEXT)
        db.session.add(Response(survey_id=survey.id, channel=Channel.WEB, submitted_on=dt.date(2026, 11, 20),
                                answers=[Answer(question_id=question.id, value_text=FORMULA)]))
        db.session.commit()
        release = db.session.scalars(select(SurveyRelease).where(SurveyRelease.survey_id == survey.id)).one()
        gascogne = gascogne_survey(db.session.scalar(select(User).where(User.email == COORDINATOR)))
        group = db.session.scalar(select(WorkingGroup).join(Signup).where(WorkingGroup.territory_id == territory.id)
                                  .order_by(WorkingGroup.id))
        call = db.session.scalar(select(Call).join(Proposal).where(Call.territory_id == territory.id)
                                 .order_by(Call.id))
        meeting = db.session.scalar(select(Meeting).join(Attendance).where(Meeting.territory_id == territory.id)
                                    .order_by(Meeting.id))
        facts = dict(
            survey_id=survey.id, threshold=disclosure_threshold(survey), release_responses=release.responses,
            responses=db.session.scalar(select(func.count()).select_from(Response)
                                        .where(Response.survey_id == survey.id)),
            group_id=group.id,
            signups=db.session.scalar(select(func.count()).select_from(Signup).where(Signup.group_id == group.id)),
            meeting_id=meeting.id,
            meeting_attendances=db.session.scalar(select(func.count()).select_from(Attendance)
                                                  .where(Attendance.meeting_id == meeting.id)),
            territory_attendances=db.session.scalar(select(func.count()).select_from(Attendance).join(Meeting)
                                                    .where(Meeting.territory_id == territory.id)),
            meeting_titles=set(db.session.scalars(select(Meeting.title))),
            gascogne_id=gascogne.id, gascogne_responses=GASCOGNE_RESPONSES,
            call_id=call.id,
            call_proposals=db.session.scalar(select(func.count()).select_from(Proposal)
                                             .where(Proposal.call_id == call.id)),
        )
        db.session.remove()
        db.engine.dispose()
    log = folder / "gunicorn.log"
    with gunicorn(database, log, workers=1, csrf=True) as port:
        yield Served(port=port, log=log, app=app, **facts)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert " 500 " not in log.read_text() and "Traceback" not in log.read_text(), log.read_text()[-3000:]


@pytest.fixture(scope="module")
def coordinator_http(served):
    """The demo's coordinator, logged in over HTTP."""
    browser = Browser(served.port)
    browser.log_in(COORDINATOR, PASSWORDS[COORDINATOR])
    return browser


@pytest.fixture(scope="module")
def observer_http(served):
    """The demo's observer (the ARS), logged in over HTTP."""
    browser = Browser(served.port)
    browser.log_in(OBSERVER, PASSWORDS[OBSERVER])
    return browser


_downloads: weakref.WeakKeyDictionary[Browser, dict] = weakref.WeakKeyDictionary()  # each file read once


def download(browser: Browser, path: str, fmt: str, filename: str | None = None) -> tuple[dict, bytes]:
    """GET `path` (once per browser): 200, its content type and, for attachments, its file name; the headers
    and the body."""
    fetched = _downloads.setdefault(browser, {})
    if path not in fetched:
        fetched[path] = browser.request("GET", path)
    status, headers, body = fetched[path]
    assert status == 200, (path, status, body[:500])
    assert headers["content-type"] == MIMETYPES[fmt], (path, headers)
    if filename is not None:
        assert re.fullmatch(filename, headers["content-disposition"]), (path, headers["content-disposition"])
    return headers, body


@functools.cache
def sheets(body: bytes, fmt: str) -> list[list[list[str]]]:
    """Every sheet of a CSV, XLSX or ODS file as rows of text (a CSV is one sheet); each file read once."""
    if fmt == "csv":
        text = body.decode("utf-8")
        assert text.startswith("\ufeff")
        return [list(csv.reader(io.StringIO(text[1:], newline="")))]
    read = read_xlsx if fmt == "xlsx" else read_ods
    return [[["" if v is None else str(v) for v in row] for row in sheet] for sheet in read(body)]


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF, counted in its objects (WeasyPrint compresses them in object streams)."""
    objects = [pdf] + [zlib.decompress(stream) for stream in
                       re.findall(rb"/FlateDecode[^>]*>>\s*stream\r?\n(.*?)\r?\nendstream", pdf, re.S)]
    return sum(len(re.findall(rb"/Type\s*/Page\b", part)) for part in objects)


def cells(rows: list[list[str]]) -> list[str]:
    return [value for row in rows for value in row]


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def survey_export(served: Served, name: str) -> str:
    return f"/t/{SLUG}/manage/surveys/{served.survey_id}/export/{name}"


def attachment(stem: str, fmt: str, slug: str = SLUG) -> str:
    return rf'attachment; filename="{re.escape(slug)}-{stem}-\d{{4}}-\d{{2}}-\d{{2}}\.{fmt}"'


# --- survey: raw responses and codebook (coordinators) ---------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_raw_responses_hold_one_row_per_stored_response_with_formulas_made_inert(served, coordinator_http, fmt):
    headers, body = download(coordinator_http, survey_export(served, f"responses.{fmt}"), fmt,
                             attachment(f"survey-{served.survey_id}-responses-pseudonymised", fmt))
    responses = sheets(body, fmt)[0]
    assert len(responses) - 1 == served.responses
    values = cells(responses)
    assert "'" + FORMULA in values
    assert not [value for value in values if value.startswith(("=", "+", "-", "@")) and value != "-"]
    assert headers["cache-control"] == "no-store"
    # Every format is produced while it is sent: no length known in advance.
    assert headers.get("transfer-encoding") == "chunked" and "content-length" not in headers


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_codebook_describes_every_column_of_the_raw_export(served, coordinator_http, fmt):
    _, raw = download(coordinator_http, survey_export(served, f"responses.{fmt}"), fmt)
    columns = by_code(sheets(raw, fmt)[0])[0]
    if fmt == "csv":
        _, body = download(coordinator_http, survey_export(served, "codebook.csv"), "csv",
                           attachment(f"survey-{served.survey_id}-codebook", "csv"))
        codebook = sheets(body, "csv")[0]
    else:
        codebook = sheets(raw, fmt)[1]  # the spreadsheet's second sheet
    described = {row[codebook[0].index("Column")] for row in codebook[1:]}
    assert set(columns) - described == set(), (set(columns) - described)


def test_observers_get_the_codebook_but_no_raw_responses(served, observer_http):
    for fmt in ("csv", "xlsx", "ods"):
        status, _, _ = observer_http.request("GET", survey_export(served, f"responses.{fmt}"))
        assert status == 403
    _, body = download(observer_http, survey_export(served, "codebook.csv"), "csv")
    assert len(sheets(body, "csv")[0]) > 1


# --- survey: k-anonymous raw responses (coordinators) -------------------------------------------------

def gascogne_export(served: Served, name: str) -> str:
    return f"/t/{GASCOGNE}/manage/surveys/{served.gascogne_id}/export/{name}"


FIELDS = ["Q1", "Q4", "Q5", "Q6"]  # commune, sex, age band, occupation


def combination_sizes(rows: list[list[str]], fields: list[str]) -> dict[tuple, int]:
    header, *body = by_code(rows)
    at = [header.index(name) for name in fields]
    sizes: dict[tuple, int] = {}
    for row in body:
        key = tuple(row[i] if i < len(row) else "" for i in at)  # a spreadsheet row stops at its last value
        sizes[key] = sizes.get(key, 0) + 1
    return sizes


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_k_anonymous_export_leaves_no_combination_below_k(served, coordinator_http, fmt):
    _, raw = download(coordinator_http, gascogne_export(served, "responses.csv"), "csv")
    before = combination_sizes(sheets(raw, "csv")[0], FIELDS)
    assert min(before.values()) == 1  # the pseudonymised file singles people out
    _, body = download(coordinator_http, gascogne_export(served, f"responses-k-anonymous.{fmt}"), fmt,
                       attachment(f"survey-{served.gascogne_id}-responses-k-anonymous", fmt, GASCOGNE))
    found = sheets(body, fmt)
    rows = found[0]
    assert len(rows) - 1 == served.gascogne_responses
    sizes = combination_sizes(rows, FIELDS)
    assert min(sizes.values()) >= GASCOGNE_K, sizes
    header = by_code(rows)[0]
    communes = {row[header.index("Q1")] for row in rows[1:]}
    assert "32150" not in communes and "32256" not in communes  # Lias (4) and Monferran-Savès (3) are merged
    assert "32160" in communes  # L'Isle-Jourdain (31) stays itself
    names = {row[header.index("Q1_name")] for row in rows[1:]}
    assert {"L'Isle-Jourdain", "Other communes"} <= names
    # Free texts are left out unless asked for, the occupation's "other" text always.
    assert "Q3" not in header and "Q6_other_text" not in header
    assert len({row[0] for row in rows[1:]}) == served.gascogne_responses  # a pseudonym per row
    if fmt != "csv":
        facts = {row[0]: row[1] for row in found[2][1:]}
        assert facts["Rows unique on these fields in this file"] == "0"
        assert int(facts["Rows unique on these fields in the pseudonymised file"]) == sum(
            1 for n in before.values() if n == 1)


def test_k_anonymous_export_keeps_free_texts_when_asked(served, coordinator_http, observer_http):
    path = gascogne_export(served, "responses-k-anonymous.csv") + "?texts=1"
    _, body = download(coordinator_http, path, "csv")
    rows = sheets(body, "csv")[0]
    header = by_code(rows)[0]
    assert "Q3" in header and "Q6_other_text" not in header
    assert sum(1 for row in rows[1:] if row[header.index("Q3")].startswith("Un centre de santé")) == 60
    assert min(combination_sizes(rows, FIELDS).values()) >= GASCOGNE_K
    assert observer_http.request("GET", survey_export(served, "responses-k-anonymous.csv"))[0] == 403


def test_demo_k_anonymous_export_has_no_combination_below_k(served, coordinator_http):
    _, raw = download(coordinator_http, survey_export(served, "responses.csv"), "csv")
    fields = ["Q1", "Q23", "Q24", "Q25"]  # the template's commune, sex, age band and occupation
    assert min(combination_sizes(sheets(raw, "csv")[0], fields).values()) == 1
    _, body = download(coordinator_http, survey_export(served, "responses-k-anonymous.csv"), "csv",
                       attachment(f"survey-{served.survey_id}-responses-k-anonymous", "csv"))
    rows = sheets(body, "csv")[0]
    assert len(rows) - 1 == served.responses
    assert min(combination_sizes(rows, fields).values()) >= served.threshold


# --- survey: aggregated tables and method (observers and coordinators) ---------------------------------

@pytest.mark.parametrize("who", ["coordinator_http", "observer_http"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_aggregated_tables_show_small_counts_as_below_k(served, request, who, fmt):
    browser = request.getfixturevalue(who)
    _, body = download(browser, survey_export(served, f"tables.{fmt}"), fmt,
                       attachment(f"survey-{served.survey_id}-release-1-tables", fmt))
    found = sheets(body, fmt)
    if fmt == "csv":
        _, method = download(browser, survey_export(served, "method.csv"), "csv",
                             attachment(f"survey-{served.survey_id}-release-1-method", "csv"))
        found = found + sheets(method, "csv")
    tables, method = found[:2]  # the spreadsheets also carry the dictionary of codes
    values = cells(tables)
    assert f"< {served.threshold}" in values
    # No count from 1 to k-1 is written as such: every small count reads "< k".
    small = {str(n) for n in range(1, served.threshold)}
    count_columns = [i for i, name in enumerate(tables[0]) if name in ("Count", "Base", "n")]
    assert count_columns, tables[0]
    assert not [row for row in tables[1:] for i in count_columns if i < len(row) and row[i] in small]
    method_values = cells(method)
    assert str(served.release_responses) in method_values
    assert str(served.threshold) in method_values


# --- the printable questionnaire (everyone who may see the survey) -------------------------------------

def test_printable_questionnaire_as_html_and_pdf(served):
    visitor = Browser(served.port)
    _, page = download(visitor, f"/t/{SLUG}/surveys/{served.survey_id}/print", "html")
    with served.app.app_context():
        survey = db.session.get(Survey, served.survey_id)
        title, questions = survey.title, [q.text for q in survey.questions]
        db.session.remove()
    html = unescape(page.decode())
    assert title in html
    assert all(text in html for text in questions[:5])
    headers, pdf = download(visitor, f"/t/{SLUG}/surveys/{served.survey_id}/print.pdf", "pdf",
                            rf'inline; filename="{SLUG}-survey-{served.survey_id}\.pdf"')
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf_pages(pdf) >= 2  # a questionnaire this long takes pages
    assert "no-store" not in headers.get("cache-control", "")


# --- groups: rosters and attendance (coordinators only) ------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_group_roster_and_attendance_hold_the_stored_rows(served, coordinator_http, observer_http, fmt):
    base = f"/t/{SLUG}/manage/groups"
    expected = [
        (f"{base}/{served.group_id}/roster.{fmt}", f"group-{served.group_id}-roster", served.signups),
        (f"{base}/meetings/{served.meeting_id}/attendance.{fmt}", f"meeting-{served.meeting_id}-attendance",
         served.meeting_attendances),
        (f"{base}/attendance.{fmt}", "attendance", served.territory_attendances),
    ]
    for path, stem, rows in expected:
        headers, body = download(coordinator_http, path, fmt, attachment(stem, fmt))
        found = sheets(body, fmt)[0]
        assert len(found) - 1 == rows, path
        assert not [v for v in cells(found) if v.startswith(("=", "+", "@"))]
        assert headers["cache-control"] == "no-store"
        assert observer_http.request("GET", path)[0] == 403


# --- proposals: a call's list as a file (coordinators only) -------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_a_calls_proposals_export_holds_every_proposal(served, coordinator_http, observer_http, fmt):
    path = f"/t/{SLUG}/manage/proposals/calls/{served.call_id}/proposals.{fmt}"
    headers, body = download(coordinator_http, path, fmt)
    assert re.search(rf'attachment; filename="{SLUG}-proposals-call-{served.call_id}-[0-9-]+\.{fmt}"',
                     headers["content-disposition"])
    found = sheets(body, fmt)[0]
    assert len(found) - 1 == served.call_proposals
    assert not [v for v in cells(found) if v.startswith(("=", "+", "@"))]
    assert headers["cache-control"] == "no-store"
    assert observer_http.request("GET", path)[0] == 403


# --- action plan: the import template (coordinators only) ---------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_the_action_plan_template_has_a_header_and_an_example_line(served, coordinator_http, observer_http, fmt):
    path = f"/t/{SLUG}/manage/plan/import/template.{fmt}"
    _, body = download(coordinator_http, path, fmt, rf'attachment; filename="{SLUG}-action-plan-template\.{fmt}"')
    rows = sheets(body, fmt)[0]
    assert len(rows) == 2 and rows[0][0] in ("Axe", "Axis") and rows[1][0] == "Axe 1"
    assert observer_http.request("GET", path)[0] == 403


# --- action plan: one fiche as a file (anyone for a published fiche) ------------------------------------------

def test_a_published_fiche_downloads_as_pdf_and_odt_for_anyone(served):
    from odf.opendocument import load
    from odf import teletype, text

    with served.app.app_context():
        from consult.synthesis.models import Fiche
        fiche = db.session.scalars(select(Fiche).where(Fiche.published_at.is_not(None)).order_by(Fiche.id)).first()
        fiche_id, number, title = fiche.id, fiche.number, fiche.title
        db.session.remove()
    visitor = Browser(served.port)
    headers, pdf = download(visitor, f"/t/{SLUG}/plan/fiches/{fiche_id}/file.pdf", "pdf",
                            rf'attachment; filename="fiche-action-{re.escape(number)}\.pdf"')
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert "no-store" not in headers.get("cache-control", "")  # published: nothing private in it
    status, headers, odt = visitor.request("GET", f"/t/{SLUG}/plan/fiches/{fiche_id}/file.odt")
    assert status == 200 and headers["content-type"] == "application/vnd.oasis.opendocument.text"
    document = load(io.BytesIO(odt))
    assert f"Action {number} — {title}" in [teletype.extractText(p) for p in document.getElementsByType(text.P)]
    assert "Budget" in [teletype.extractText(h) for h in document.getElementsByType(text.H)]


# --- calendars ---------------------------------------------------------------------------------------

def test_meeting_invitation_and_private_feed_are_calendars(served, coordinator_http):
    _, body = download(Browser(served.port), f"/t/{SLUG}/meetings/{served.meeting_id}.ics", "ics",
                       rf'attachment; filename="{SLUG}-meeting-{served.meeting_id}\.ics"')
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == 1 and str(events[0]["SUMMARY"]).startswith(tuple(served.meeting_titles))

    with served.app.test_request_context():
        participation, create_feed = url_for("participation.index"), url_for("calendar.create_feed")
    token = coordinator_http.csrf_token(participation)
    status, headers, _ = coordinator_http.request("POST", create_feed, {"csrf_token": token})
    assert status == 302
    _, _, page = coordinator_http.request("GET", headers["location"])
    feed = re.search(rb"/calendar/[^\s<\"]+\.ics", page).group(0).decode()
    _, body = download(Browser(served.port), feed, "ics", r'attachment; filename="consult\.ics"')
    calendar = icalendar.Calendar.from_ical(body)
    assert all(str(event["SUMMARY"]).startswith(tuple(served.meeting_titles)) for event in calendar.walk("VEVENT"))


# --- a person's own data ------------------------------------------------------------------------------

def test_my_data_downloads_as_a_zip_of_json_and_csv(served, coordinator_http):
    import json
    import zipfile

    headers, body = download(coordinator_http, "/account/data/download", "zip",
                             r'attachment; filename="consult-my-data-[0-9-]+\.zip"')
    assert headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(body))
    data = json.loads(archive.read("data.json"))["sections"]
    assert [row["email"] for row in data["account"]] == [COORDINATOR]
    assert {row["role"] for row in data["roles"]} == {"coordinator"}
    assert sorted(archive.namelist()) == sorted(["README.txt", "data.json", *(f"{name}.csv" for name in data)])


# --- nothing left out ----------------------------------------------------------------------------------

FETCHED = [  # (endpoint, the formats fetched above)
    ("survey_exports.responses_csv", None), ("survey_exports.responses_spreadsheet", {"xlsx", "ods"}),
    ("survey_exports.responses_k_anonymous", {"csv", "xlsx", "ods"}), ("survey_exports.codebook_csv", None), ("survey_exports.tables_spreadsheet", {"xlsx", "ods"}),
    ("survey_exports.tables_csv", {"tables", "method"}), ("survey_exports.print_version", None),
    ("survey_exports.print_pdf", None), ("groups_exports.roster", {"csv", "xlsx", "ods"}),
    ("groups_exports.meeting_attendance", {"csv", "xlsx", "ods"}),
    ("groups_exports.territory_attendance", {"csv", "xlsx", "ods"}),
    ("calendar.meeting_ics", None), ("calendar.feed", None),
    ("plan_io.template", {"csv", "xlsx", "ods"}), ("proposals_manage.export_proposals", {"csv", "xlsx", "ods"}), ("fiche_files.download", {"pdf", "odt"}),
    ("accounts.download_data", None),
    ("files.download", None),  # a job's file: fetched from gunicorn in tests/diagnostic/test_jobs_served.py
]
NOT_FILES = {"survey_exports.index"}  # the page that lists the survey's files


def test_every_download_route_is_fetched_here(served):
    routes = {}
    for rule in served.app.url_map.iter_rules():
        view = inspect.getsource(served.app.view_functions[rule.endpoint])
        if rule.endpoint in NOT_FILES or not (DOWNLOAD_LIKE.search(f"{rule.endpoint} {rule.rule}")
                                              or SENDS_A_FILE.search(view)):
            continue
        choices = [set(c.items) for c in rule._converters.values() if hasattr(c, "items")]
        routes[rule.endpoint] = choices[0] if choices else None
    assert routes == dict(FETCHED)
