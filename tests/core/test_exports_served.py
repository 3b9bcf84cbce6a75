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
from consult.surveys.models import Answer, Channel, QuestionType, Response, Survey
from consult.surveys.results import disclosure_threshold
from consult.territories.models import Territory
from tests.conftest import build_app
from tests.core.test_database import gunicorn
from tests.served import Browser
from tests.surveys.exports_helpers import read_ods, read_xlsx

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
    threshold: int
    group_id: int
    signups: int
    meeting_id: int
    meeting_attendances: int
    territory_attendances: int
    meeting_titles: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo, plus one answer that looks like a formula, served by one gunicorn worker with CSRF on."""
    folder = tmp_path_factory.mktemp("exports-served")
    database = folder / "served.sqlite3"
    app = build_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        territory = db.session.scalar(select(Territory).where(Territory.slug == SLUG))
        survey = db.session.scalar(select(Survey).where(Survey.territory_id == territory.id).order_by(Survey.id))
        question = next(q for q in survey.questions if q.type is QuestionType.LONG_TEXT)
        db.session.add(Response(survey_id=survey.id, channel=Channel.WEB, submitted_on=dt.date(2026, 11, 20),
                                answers=[Answer(question_id=question.id, value_text=FORMULA)]))
        db.session.commit()
        group = db.session.scalar(select(WorkingGroup).join(Signup).where(WorkingGroup.territory_id == territory.id)
                                  .order_by(WorkingGroup.id))
        meeting = db.session.scalar(select(Meeting).join(Attendance).where(Meeting.territory_id == territory.id)
                                    .order_by(Meeting.id))
        facts = dict(
            survey_id=survey.id, threshold=disclosure_threshold(survey),
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


def attachment(stem: str, fmt: str) -> str:
    return rf'attachment; filename="{re.escape(SLUG)}-{stem}-\d{{4}}-\d{{2}}-\d{{2}}\.{fmt}"'


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
    if fmt == "csv":  # produced while it is sent: no length known in advance
        assert headers.get("transfer-encoding") == "chunked" and "content-length" not in headers
    else:
        assert int(headers["content-length"]) == len(body)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_codebook_describes_every_column_of_the_raw_export(served, coordinator_http, fmt):
    _, raw = download(coordinator_http, survey_export(served, f"responses.{fmt}"), fmt)
    columns = sheets(raw, fmt)[0][0]
    if fmt == "csv":
        _, body = download(coordinator_http, survey_export(served, "codebook.csv"), "csv",
                           attachment(f"survey-{served.survey_id}-codebook", "csv"))
        codebook = sheets(body, "csv")[0]
    else:
        codebook = sheets(raw, fmt)[1]  # the spreadsheet's second sheet
    described = {row[codebook[0].index("Export column")] for row in codebook[1:]}
    assert set(columns) - described == set(), (set(columns) - described)


def test_observers_get_the_codebook_but_no_raw_responses(served, observer_http):
    for fmt in ("csv", "xlsx", "ods"):
        status, _, _ = observer_http.request("GET", survey_export(served, f"responses.{fmt}"))
        assert status == 403
    _, body = download(observer_http, survey_export(served, "codebook.csv"), "csv")
    assert len(sheets(body, "csv")[0]) > 1


# --- survey: aggregated tables and method (observers and coordinators) ---------------------------------

@pytest.mark.parametrize("who", ["coordinator_http", "observer_http"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_aggregated_tables_show_small_counts_as_below_k(served, request, who, fmt):
    browser = request.getfixturevalue(who)
    _, body = download(browser, survey_export(served, f"tables.{fmt}"), fmt,
                       attachment(f"survey-{served.survey_id}-tables", fmt))
    found = sheets(body, fmt)
    if fmt == "csv":
        _, method = download(browser, survey_export(served, "method.csv"), "csv",
                             attachment(f"survey-{served.survey_id}-method", "csv"))
        found = found + sheets(method, "csv")
    tables, method = found
    values = cells(tables)
    assert f"< {served.threshold}" in values
    # No count from 1 to k-1 is written as such: every small count reads "< k".
    small = {str(n) for n in range(1, served.threshold)}
    count_columns = [i for i, name in enumerate(tables[0]) if name in ("Count", "Base", "n")]
    assert count_columns, tables[0]
    assert not [row for row in tables[1:] for i in count_columns if i < len(row) and row[i] in small]
    method_values = cells(method)
    assert str(served.responses) in method_values
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


# --- nothing left out ----------------------------------------------------------------------------------

FETCHED = [  # (endpoint, the formats fetched above)
    ("survey_exports.responses_csv", None), ("survey_exports.responses_spreadsheet", {"xlsx", "ods"}),
    ("survey_exports.codebook_csv", None), ("survey_exports.tables_spreadsheet", {"xlsx", "ods"}),
    ("survey_exports.tables_csv", {"tables", "method"}), ("survey_exports.print_version", None),
    ("survey_exports.print_pdf", None), ("groups_exports.roster", {"csv", "xlsx", "ods"}),
    ("groups_exports.meeting_attendance", {"csv", "xlsx", "ods"}),
    ("groups_exports.territory_attendance", {"csv", "xlsx", "ods"}),
    ("calendar.meeting_ics", None), ("calendar.feed", None),
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
