"""Read the first sheet of an uploaded XLSX, ODS or CSV file as rows of cells, refusing what is not a
spreadsheet, too large or too long, before anything is parsed further.

Every reader returns (line number, cells) pairs: the line is the spreadsheet's row number, cells are text, numbers or
dates as the file holds them. A CSV record holding line breaks in quotes is one row, numbered as a spreadsheet
program shows it (not by the text file's lines).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator

from defusedxml import ElementTree
from flask_babel import gettext as _

from consult.errors import ImportRejected

MAX_BYTES = 2 * 1024 * 1024            # an action plan of a few dozen fiches weighs a few hundred KiB
MAX_UNPACKED = 40 * 1024 * 1024        # what a zipped spreadsheet may unpack to (no zip bombs)
MAX_ROWS = 200                         # 8–25 fiches per CLS: 200 lines is plenty (200 fiches: 2 s)
MAX_COLUMNS = 60
MAX_CELL = 20_000                      # characters in one cell

Cell = str | int | float | dt.date | None
Line = tuple[int, list[Cell]]

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _refuse(message: str) -> ImportRejected:
    return ImportRejected(message, [(1, "", message)])


def read_rows(data: bytes, filename: str = "") -> list[Line]:
    """The non-empty rows of the file's first sheet, header first. Raises ImportRejected when the file is empty,
    too large, not a spreadsheet (XLSX, ODS, or CSV in UTF-8) or has too many rows."""
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is too large (more than %(size)d MB): an action plan fits in much less.",
                        size=MAX_BYTES // (1024 * 1024)))
    if data.startswith(b"PK\x03\x04"):
        rows = _zipped(data)
    else:
        name = filename.lower()
        if name.endswith((".xlsx", ".ods", ".xls")) or b"\x00" in data[:4096]:
            raise _refuse(_("This file cannot be read: send an XLSX, ODS or CSV (UTF-8) file."))
        rows = _csv_rows(data)
    lines = []
    for number, cells in rows:
        if any(_filled(c) for c in cells):
            lines.append((number, cells))
            if len(lines) > MAX_ROWS + 1:
                raise _refuse(_("The file has more than %(max)d lines: import the plan in several files.",
                                max=MAX_ROWS))
    if not lines:
        raise _refuse(_("The file is empty."))
    return lines


def _filled(cell: Cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or cell.strip() != "")


def _zipped(data: bytes) -> Iterator[Line]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise _refuse(_("The file is too large once unpacked."))
    except zipfile.BadZipFile:
        raise _refuse(_("This file cannot be read: send an XLSX, ODS or CSV (UTF-8) file.")) from None
    try:
        if "content.xml" in names:
            return list(_ods_rows(archive.read("content.xml")))
        if "xl/workbook.xml" in names:
            return list(_xlsx_rows(data))
    except ImportRejected:
        raise
    except Exception:  # noqa: BLE001 — a damaged spreadsheet is the sender's problem, never a 500
        raise _refuse(_("This spreadsheet is damaged and cannot be read.")) from None
    raise _refuse(_("This file cannot be read: send an XLSX, ODS or CSV (UTF-8) file."))


def _xlsx_rows(data: bytes) -> Iterator[Line]:
    import openpyxl  # here: it loads NumPy and PIL, which no other request of a worker needs

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > 4 * MAX_ROWS:
                break
            yield number, [_cell(v) for v in row]
    finally:
        workbook.close()


def _cell(value) -> Cell:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return value[:MAX_CELL + 1]
    if isinstance(value, bool):
        return int(value)
    return value


def _ods_text(element) -> str:
    """A text:p paragraph's text, with its spaces, tabs and line breaks."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "s":
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c", "1") or 1))
        elif tag == "tab":
            parts.append("\t")
        elif tag == "line-break":
            parts.append("\n")
        else:
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_value(cell) -> Cell:
    kind = cell.get(f"{{{_OFFICE}}}value-type")
    if kind in ("float", "percentage", "currency"):
        number = float(cell.get(f"{{{_OFFICE}}}value"))
        return int(number) if number.is_integer() else number
    if kind == "date":
        try:
            return dt.date.fromisoformat(cell.get(f"{{{_OFFICE}}}date-value")[:10])
        except (TypeError, ValueError):
            return None
    paragraphs = [_ods_text(p) for p in cell if p.tag == f"{{{_TEXT}}}p"]
    return "\n".join(paragraphs)[:MAX_CELL + 1] if paragraphs else None


def _ods_rows(content: bytes) -> Iterator[Line]:
    # defusedxml refuses a DTD's entities (an uploaded file could expand one into gigabytes, or read a local file).
    root = ElementTree.fromstring(content)
    table = next(root.iter(f"{{{_TABLE}}}table"), None)
    if table is None:
        return
    number = 0
    for row in table.iter(f"{{{_TABLE}}}table-row"):
        cells: list[Cell] = []
        for cell in row:
            if cell.tag not in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
                continue
            repeat = min(int(cell.get(f"{{{_TABLE}}}number-columns-repeated", "1")), MAX_COLUMNS)
            value = _ods_value(cell)
            cells.extend([value] * repeat)
            if len(cells) >= MAX_COLUMNS:
                break
        # LibreOffice writes the empty rows below the data as one row repeated a million times.
        repeat = int(row.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
        if not any(_filled(c) for c in cells):
            number += repeat
            continue
        for _time in range(min(repeat, MAX_ROWS + 2)):
            number += 1
            yield number, cells[:MAX_COLUMNS]
        if number > 4 * MAX_ROWS:
            break


def _csv_rows(data: bytes) -> list[Line]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ImportRejected(
            _("This file is not in UTF-8."),
            [(line, "", _("This line is not valid UTF-8: save the file as “CSV UTF-8” and try again."))]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    if first_line.count("\t") > max(first_line.count(";"), first_line.count(",")):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for line_number, values in enumerate(reader, start=1):
            rows.append((line_number, [v[:MAX_CELL + 1] for v in values[:MAX_COLUMNS]]))
            if len(rows) > 4 * MAX_ROWS:
                break
    except csv.Error:
        raise _refuse(_("This file cannot be read: send an XLSX, ODS or CSV (UTF-8) file.")) from None
    return rows
