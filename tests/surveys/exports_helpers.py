"""Read exported files back (CSV, XLSX, ODS), for the survey and group export tests."""
from __future__ import annotations

import csv
import io
import zipfile
from xml.etree import ElementTree

import openpyxl


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


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _ods_text(element) -> str:
    """The text of a paragraph as an office suite shows it (text:s spaces, tabs and line breaks expanded)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{_TEXT}s":
            parts.append(" " * int(child.get(f"{_TEXT}c", "1")))
        elif child.tag == f"{_TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{_TEXT}line-break":
            parts.append("\n")
        else:
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_value(cell):
    kind = cell.get(f"{_OFFICE}value-type")
    if kind == "float":
        number = float(cell.get(f"{_OFFICE}value"))
        return int(number) if number == int(number) else number
    if kind == "date":
        return cell.get(f"{_OFFICE}date-value")
    if kind == "string":
        return "\n".join(_ods_text(p) for p in cell.iter(f"{_TEXT}p"))
    return None


def read_ods(data: bytes) -> list[list[list]]:
    """Every table of an ODS file as rows of values (numbers as numbers, dates as ISO text).

    Its content.xml read with ElementTree (odfpy's DOM took ~10× longer: the attacker and export tests read
    hundreds of sheets)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    return [[[_ods_value(c) for c in row.iter(f"{_TABLE}table-cell")] for row in table.iter(f"{_TABLE}table-row")]
            for table in root.iter(f"{_TABLE}table")]


def as_dicts(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row)) for row in body]


def column_code(header) -> str:
    """The code of a column of the analysts' files: what its header shows before “ – ” (« Q8 – Votre commune » → Q8)."""
    return str(header).split(" – ", 1)[0]


def by_code(rows: list[list]) -> list[list]:
    """The rows of a sheet with each header reduced to its column code."""
    header, *body = rows
    return [[column_code(h) for h in header], *body]


def answered_rows(rows: list[dict]) -> tuple[dict, dict, dict]:
    """The `answered` fixture's three rows, found by their answers (exports come in random order): the first
    web response (health 2), the second (4), the paper one (rows keyed by column code, English export)."""
    by = {}
    for row in rows:
        role = "paper" if row["channel"] == "Paper" else {"2": "first", "4": "second"}[str(row["Q2"])]
        by[role] = row
    assert len(by) == len(rows) == 3
    return by["first"], by["second"], by["paper"]
