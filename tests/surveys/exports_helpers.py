"""Shared by the export and print tests: people in every role, answered surveys, file readers."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from odf import teletype
from odf.opendocument import load as load_ods
from odf.table import Table, TableCell, TableRow
from odf.text import P

from consult.accounts.models import Role
from consult.extensions import db
from consult.surveys import services
from consult.surveys.models import Channel
from tests.conftest import NOW
from tests.surveys.conftest import VALID_ANSWERS

# Answers of the second web response: another commune, no reason given, formula-like texts.
SECOND = {
    "Q1": None,  # set to another commune of the territory by `answered`
    "Q2": "4", "Q3": "2", "Q5": 0, "Q6": 12.5, "Q7": {"r1": "1"}, "Q8": ["4"],
    "Q9": "+33 6 12 34 56 78", "Q10": '=HYPERLINK("http://x")', "Q11": "6", "Q12": "2",
}
# A paper questionnaire keyed in by the coordinator.
PAPER = {
    "Q1": "82112", "Q2": "2", "Q3": "1", "Q4": ["3"], "Q7": {"r1": "3", "r2": "3"}, "Q9": "-",
    "Q10": "@SUM(A1)", "Q12": "1",
}


@pytest.fixture
def coordinator(make_user, territory):
    return make_user("coordination.confluences@example.org", display_name="Coordination Terres des Confluences",
                     role=(territory, Role.COORDINATOR))


@pytest.fixture
def observer(make_user, territory):
    return make_user("observatoire@example.org", display_name="Observatoire régional de santé",
                     role=(territory, Role.OBSERVER))


@pytest.fixture
def participant(make_user):
    return make_user("habitante@example.org", display_name="Habitante de Moissac")


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.org", display_name="Administratrice", admin=True)


@pytest.fixture
def other_coordinator(make_user, other_territory):
    return make_user("coordination.aveyron@example.org", display_name="Coordination Ouest Aveyron",
                     role=(other_territory, Role.COORDINATOR))


def other_commune(survey) -> str:
    return next(code for code in services.commune_choices(survey) if code != "82112")


@pytest.fixture
def answered(survey, coordinator):
    """The default survey with two web responses and one keyed-in paper questionnaire."""
    services.submit_response(survey, VALID_ANSWERS, browser_secret="premier", now=NOW)
    services.submit_response(survey, {**SECOND, "Q1": other_commune(survey)}, browser_secret="second", now=NOW)
    services.key_in_response(coordinator, survey, PAPER, channel=Channel.PAPER, entry_id="fiche-1", now=NOW)
    db.session.commit()
    return survey


def read_csv(response) -> list[list[str]]:
    """A CSV download as rows, checking the byte order mark is there."""
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_xlsx(data: bytes) -> list[list[list]]:
    """Every sheet of an XLSX file as rows of values."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheets = [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets]
    workbook.close()
    return sheets


def _ods_value(cell):
    kind = cell.getAttribute("valuetype")
    if kind == "float":
        number = float(cell.getAttribute("value"))
        return int(number) if number == int(number) else number
    if kind == "date":
        return cell.getAttribute("datevalue")
    if kind == "string":
        return "\n".join(teletype.extractText(p) for p in cell.getElementsByType(P))
    return None


def read_ods(data: bytes) -> list[list[list]]:
    """Every table of an ODS file as rows of values (numbers as numbers, dates as ISO text)."""
    document = load_ods(io.BytesIO(data))
    return [[[_ods_value(c) for c in row.getElementsByType(TableCell)] for row in table.getElementsByType(TableRow)]
            for table in document.spreadsheet.getElementsByType(Table)]


def as_dicts(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row)) for row in body]
