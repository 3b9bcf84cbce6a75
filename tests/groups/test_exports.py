"""Rosters and attendance as CSV, XLSX and ODS: contents read back, formula-like cells made inert, only
coordinators and admins may download, another territory's ids are not found, downloads are logged."""
from __future__ import annotations

import datetime as dt
import io
import logging
from types import SimpleNamespace
from urllib.parse import urlsplit

import openpyxl
import pytest

from consult.accounts.models import Category
from consult.groups.models import SignupStatus
from tests.conftest import NOW, PASSWORD, ROLES, commune_by_code
from tests.groups.factories import add_attendance, add_member, make_group, make_meeting
from tests.surveys.exports_helpers import as_dicts, read_csv, read_ods, read_xlsx

SLUG = "terres-des-confluences"
BASE = f"/t/{SLUG}/manage/groups"
FORMATS = ["csv", "xlsx", "ods"]
HYPERLINK = '=HYPERLINK("http://example.com/piege","Cliquez")'
PHONE = "+33 5 62 04 00 00"


def read(response, fmt: str) -> list[list[str]]:
    """The first sheet's rows as text (dates in ISO form, empty cells as "")."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    if fmt == "csv":
        rows = read_csv(response)
    else:
        rows = (read_xlsx if fmt == "xlsx" else read_ods)(response.data)[0]

    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        return str(value)

    width = len(rows[0])  # XLSX readers drop empty trailing cells
    return [[text(v) for v in row] + [""] * (width - len(row)) for row in rows]


@pytest.fixture
def staff(app, coordinator):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # headers and labels as their msgids
    assert client.post("/account/login", data={"email": coordinator.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def season(make_user, territory):
    """A group with members (one whose structure is a formula, one a phone number), a waitlist, a pending
    request and a withdrawal; a meeting with an account and a person without one."""
    moissac = commune_by_code("82112")
    people = SimpleNamespace(
        elue=make_user("elue.moissac@example.org", display_name="Élue de Moissac", category=Category.ELECTED,
                       commune=moissac),
        piege=make_user("piege@example.org", display_name="Structure piégée",
                        category=Category.ASSOCIATION),
        phone=make_user("cpts@example.org", display_name="CPTS Quercy Garonne",
                        category=Category.HEALTH_PROFESSIONAL),
        first_waiting=make_user("attente1@example.org", display_name="Zoé En Attente"),
        second_waiting=make_user("attente2@example.org", display_name="Ahmed En Attente"),
        pending=make_user("demande@example.org", display_name="Demande en cours"),
        gone=make_user("partie@example.org", display_name="Partie du groupe"),
    )
    group = make_group(territory, title="Santé mentale des jeunes", capacity=3)
    add_member(group, people.elue, structure="Mairie de Moissac", motivation="Porter la voix des élus.",
               morning=True, evening=True, shown_to_members=True, queued_at=dt.datetime(2026, 10, 1, 22, 30))
    add_member(group, people.piege, structure=HYPERLINK)
    add_member(group, people.phone, structure=PHONE)
    add_member(group, people.second_waiting, status=SignupStatus.WAITLISTED, queued_at=NOW - dt.timedelta(days=2))
    add_member(group, people.first_waiting, status=SignupStatus.WAITLISTED, queued_at=NOW - dt.timedelta(days=3))
    add_member(group, people.pending, status=SignupStatus.PENDING)
    add_member(group, people.gone, status=SignupStatus.WITHDRAWN, left_at=NOW)

    meeting = make_meeting(territory, group, title="Réunion de lancement", starts_at=dt.datetime(2026, 3, 28, 23, 30))
    add_attendance(meeting, people.elue)
    add_attendance(meeting, name="Jeanne Dupré", category=Category.INSTITUTION, structure=HYPERLINK,
                   commune=commune_by_code("82033"))
    forum = make_meeting(territory, title="Forum Santé", starts_at=dt.datetime(2026, 11, 14, 9, 0))
    add_attendance(forum, name="Paul Martin", structure=PHONE)
    cancelled = make_meeting(territory, title="Plénière annulée", cancelled_at=NOW)
    add_attendance(cancelled, name="Jamais venu")
    return SimpleNamespace(group=group, meeting=meeting, forum=forum, **vars(people))


# --------------------------------------------------------------------------- contents


@pytest.mark.parametrize("fmt", FORMATS)
def test_roster_lists_every_signup_with_status_and_contact(staff, season, fmt):
    rows = read(staff.get(f"{BASE}/{season.group.id}/roster.{fmt}"), fmt)

    assert rows[0] == ["Name", "Email", "Category", "Structure", "Commune", "Status", "Availability", "Motivation",
                       "Signed up on", "Shown to other members"]
    by_name = {row["Name"]: row for row in as_dicts(rows)}
    assert [row[0] for row in rows[1:]] == [
        "CPTS Quercy Garonne", "Élue de Moissac", "Structure piégée",  # members, by name
        "Demande en cours",  # awaiting approval
        "Zoé En Attente", "Ahmed En Attente",  # waitlist, in order of arrival
        "Partie du groupe",
    ]
    assert by_name["Élue de Moissac"] == {
        "Name": "Élue de Moissac", "Email": "elue.moissac@example.org", "Category": "Elected official",
        "Structure": "Mairie de Moissac", "Commune": "Moissac", "Status": "Member",
        "Availability": "morning, evening", "Motivation": "Porter la voix des élus.",
        "Signed up on": "2026-10-02",  # 22:30 UTC is already the 2nd in Paris
        "Shown to other members": "Yes",
    }
    assert by_name["Zoé En Attente"]["Status"] == "On the waitlist (position 1)"
    assert by_name["Ahmed En Attente"]["Status"] == "On the waitlist (position 2)"
    assert by_name["Partie du groupe"]["Status"] == "Withdrawn"


@pytest.mark.parametrize("fmt", FORMATS)
def test_formula_like_cells_are_made_inert(staff, season, fmt):
    roster = as_dicts(read(staff.get(f"{BASE}/{season.group.id}/roster.{fmt}"), fmt))
    attendance = as_dicts(read(staff.get(f"{BASE}/meetings/{season.meeting.id}/attendance.{fmt}"), fmt))

    structures = {row["Name"]: row["Structure"] for row in roster}
    assert structures["Structure piégée"] == "'" + HYPERLINK
    assert structures["CPTS Quercy Garonne"] == "'" + PHONE
    assert {row["Name"]: row["Structure"] for row in attendance}["Jeanne Dupré"] == "'" + HYPERLINK


def test_xlsx_cells_are_text_not_formulas(staff, season):
    response = staff.get(f"{BASE}/{season.group.id}/roster.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]

    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value and "HYPERLINK" in str(cell.value)]
    assert [cell.data_type for cell in cells] == ["s"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_meeting_attendance_lists_accounts_and_people_without_one(staff, season, fmt):
    rows = read(staff.get(f"{BASE}/meetings/{season.meeting.id}/attendance.{fmt}"), fmt)

    assert rows == [
        ["Name", "Account", "Category", "Structure", "Commune"],
        ["Élue de Moissac", "Yes", "Elected official", "", "Moissac"],
        ["Jeanne Dupré", "No", "Institution or partner", "'" + HYPERLINK, "Castelsarrasin"],
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_territory_attendance_has_one_row_per_attendance(staff, season, fmt):
    rows = read(staff.get(f"{BASE}/attendance.{fmt}"), fmt)

    assert rows == [
        ["Date", "Meeting", "Working group", "Name", "Category", "Structure", "Commune"],
        # 23:30 UTC on 28 March is 00:30 on the 29th in Paris
        ["2026-03-29", "Réunion de lancement", "Santé mentale des jeunes", "Élue de Moissac", "Elected official", "",
         "Moissac"],
        ["2026-03-29", "Réunion de lancement", "Santé mentale des jeunes", "Jeanne Dupré", "Institution or partner",
         "'" + HYPERLINK, "Castelsarrasin"],
        ["2026-11-14", "Forum Santé", "", "Paul Martin", "", "'" + PHONE, ""],
    ]


def test_download_headers(staff, season):
    response = staff.get(f"{BASE}/{season.group.id}/roster.xlsx")

    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{SLUG}-group-{season.group.id}-roster-')
    assert disposition.endswith('.xlsx"')
    assert response.headers["Cache-Control"] == "no-store"


def test_exports_are_logged_without_their_content(staff, season, coordinator, caplog):
    with caplog.at_level(logging.INFO):
        staff.get(f"{BASE}/{season.group.id}/roster.csv")

    assert f"what=roster group={season.group.id} format=csv user={coordinator.id}" in caplog.text
    assert "elue.moissac@example.org" not in caplog.text
    assert "Mairie de Moissac" not in caplog.text


# --------------------------------------------------------------------------- who may download


def routes(season) -> list[str]:
    return [f"{BASE}/{season.group.id}/roster", f"{BASE}/meetings/{season.meeting.id}/attendance",
            f"{BASE}/attendance"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", [0, 1, 2], ids=["roster", "meeting-attendance", "territory-attendance"])
def test_only_coordinators_and_admins_download(season, as_role, role, route):
    response = as_role(role).get(routes(season)[route] + ".csv")

    if role == "anonymous":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/account/login"
    else:
        assert response.status_code == (200 if role in {"coordinator", "admin"} else 403)
        assert ("elue.moissac@example.org" in response.get_data(as_text=True)) is (route == 0 and role in {
            "coordinator", "admin"})


def test_another_territorys_group_and_meeting_are_not_found(staff, other_territory):
    group = make_group(other_territory, title="Groupe de l'Aveyron")
    meeting = make_meeting(other_territory, group)

    assert staff.get(f"{BASE}/{group.id}/roster.csv").status_code == 404
    assert staff.get(f"{BASE}/meetings/{meeting.id}/attendance.csv").status_code == 404


def test_unknown_format_is_not_found(staff, season):
    assert staff.get(f"{BASE}/{season.group.id}/roster.pdf").status_code == 404
