"""Streaming writers: rows (from any row builder) → CSV text chunks, an XLSX file or an ODS file.

Every cell goes through `spreadsheet_value`, the single place where text that a spreadsheet would
run as a formula (=, +, -, @, tab, carriage return) gets a leading apostrophe; numbers stay numbers.

- CSV: UTF-8 with a byte order mark (so that Excel recognises the encoding), comma-separated,
  CRLF line ends (RFC 4180). Chunks are yielded as rows come in.
- XLSX: openpyxl in write-only mode: rows are written to a temporary file as they come in; only
  the table of distinct strings stays in memory.
- ODS: written by hand, row by row, into the zip's content.xml (odfpy would build the whole
  document tree in memory first). Rows are never kept.

Both spreadsheets get the header row of every sheet in bold and frozen (XLSX panes; ODS header rows and
LibreOffice's split view in settings.xml) and column widths: those of a `Sheet` when given, else from the
header's labels. A sheet is a `Sheet` or a plain (title, rows) pair.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A cell as the row builders yield it; writers turn it into CSV text, an XLSX or an ODS cell.
Cell = str | int | float | dt.date | None
Row = list[Cell]


@dataclass(frozen=True)
class Sheet:
    """A sheet to write: its title, its rows (header first, built as they are written) and, optionally, the width
    of each column in characters (columns without one get the width of their header label)."""

    title: str
    rows: Iterable[Sequence[Cell]]
    widths: Sequence[float] = ()


SheetLike = Sheet | tuple[str, Iterable[Sequence[Cell]]]


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot carry (and openpyxl refuses): control characters other than tab and newlines.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CSV_CHUNK = 64 * 1024
SPREADSHEET_FORMATS = ("xlsx", "ods")
# A spreadsheet stays in memory up to this size, then spills to a temporary file on disk.
SPOOL_LIMIT = 8 * 1024 * 1024
# Widths guessed from a header label, in characters.
MIN_WIDTH, MAX_WIDTH = 8, 40
# One character of the default font, in centimetres (ODS widths are lengths).
CHARACTER_CM = 0.21


def spreadsheet_value(value) -> Cell:
    """A cell as every writer stores it: text made inert when it would start a formula, numbers kept."""
    if value is None or isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return int(value)
    text = _ILLEGAL_XML.sub("", str(value))
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


# --------------------------------------------------------------------------- CSV

def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_chunks(rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> Iterator[str]:
    """CSV text in chunks of about 64 KiB, starting as soon as the first rows are built."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    for row in rows:
        writer.writerow([_csv_text(spreadsheet_value(v)) for v in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


# --------------------------------------------------------------------------- XLSX

def sheet_title(title: str) -> str:
    """A worksheet name both formats accept: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Sheet"


def as_sheet(item: SheetLike) -> Sheet:
    """A `Sheet`, from a `Sheet` or a (title, rows) pair."""
    return item if isinstance(item, Sheet) else Sheet(*item)


def column_widths(sheet: Sheet, header: Sequence[Cell]) -> list[float]:
    """The width of each column: the sheet's own, else one fitting the header label (within bounds)."""
    widths = list(sheet.widths)
    for value in header[len(widths):]:
        label = "" if value is None else str(value)
        widths.append(float(min(max(len(label) + 2, MIN_WIDTH), MAX_WIDTH)))
    return widths


def _first_and_rest(rows: Iterable[Sequence[Cell]]) -> tuple[Sequence[Cell] | None, Iterator[Sequence[Cell]]]:
    """The header row, read ahead (the columns are declared before any row), and the rows after it."""
    iterator = iter(rows)
    return next(iterator, None), iterator


def write_xlsx(sheets: Iterable[SheetLike], target: IO[bytes]) -> None:
    """Write the sheets as an XLSX workbook (first row of each in bold, frozen; columns sized)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for item in sheets:
        spec = as_sheet(item)
        sheet = workbook.create_sheet(title=sheet_title(spec.title))
        sheet.freeze_panes = "A2"
        header, rest = _first_and_rest(spec.rows)
        if header is None:
            continue
        # Write-only sheets take their column widths before the first row.
        for index, width in enumerate(column_widths(spec, header), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.append([_xlsx_cell(sheet, spreadsheet_value(v), bold) for v in header])
        for row in rest:
            sheet.append([_xlsx_cell(sheet, spreadsheet_value(v), None) for v in row])
    workbook.save(target)


def _xlsx_cell(sheet, value: Cell, font):
    if font is None and not isinstance(value, dt.date):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


# --------------------------------------------------------------------------- ODS

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
       'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
       'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/>'
    '</manifest:manifest>'
)
_STYLES = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_NS} office:version="1.2">'
           '<office:styles/></office:document-styles>')
_META = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_NS} office:version="1.2">'
         '<office:meta><meta:generator>Consult</meta:generator></office:meta></office:document-meta>')
_CONTENT_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS} office:version="1.2">'
    '<office:automatic-styles>'
    '<number:date-style style:name="iso-date"><number:year number:style="long"/><number:text>-</number:text>'
    '<number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/>'
    '</number:date-style>'
    '<style:style style:name="header" style:family="table-cell"><style:text-properties fo:font-weight="bold"/>'
    '</style:style>'
    '<style:style style:name="date" style:family="table-cell" style:data-style-name="iso-date"/>'
)
_BODY_HEAD = '</office:automatic-styles><office:body><office:spreadsheet>'
_CONTENT_TAIL = '</office:spreadsheet></office:body></office:document-content>'
_CONFIG_NS = 'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"'
# How LibreOffice freezes the first row of a sheet: a split view below row 1 (mode 2 is "frozen").
_FROZEN_HEADER = {"HorizontalSplitMode": ("short", 0), "VerticalSplitMode": ("short", 2),
                  "HorizontalSplitPosition": ("int", 0), "VerticalSplitPosition": ("int", 1),
                  "ActiveSplitRange": ("short", 2), "PositionLeft": ("int", 0), "PositionRight": ("int", 0),
                  "PositionTop": ("int", 0), "PositionBottom": ("int", 1)}


def _ods_settings(titles: Sequence[str]) -> str:
    """settings.xml: every sheet's first row frozen."""
    items = "".join(f'<config:config-item config:name="{name}" config:type="{kind}">{value}</config:config-item>'
                    for name, (kind, value) in _FROZEN_HEADER.items())
    tables = "".join(f"<config:config-item-map-entry config:name={quoteattr(title)}>{items}"
                     "</config:config-item-map-entry>" for title in titles)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-settings {_NS} {_CONFIG_NS} '
            'office:version="1.2"><office:settings><config:config-item-set config:name="ooo:view-settings">'
            '<config:config-item-map-indexed config:name="Views"><config:config-item-map-entry>'
            '<config:config-item config:name="ViewId" config:type="string">view1</config:config-item>'
            f'<config:config-item-map-named config:name="Tables">{tables}</config:config-item-map-named>'
            '</config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set>'
            '</office:settings></office:document-settings>')


def _ods_columns(sheet_number: int, widths: Sequence[float]) -> tuple[str, str]:
    """The automatic styles of a sheet's column widths, and its table:table-column elements."""
    styles, columns = [], []
    for index, width in enumerate(widths):
        name = f"co{sheet_number}-{index}"
        styles.append(f'<style:style style:name="{name}" style:family="table-column">'
                      f'<style:table-column-properties style:column-width="{width * CHARACTER_CM:.2f}cm"/>'
                      "</style:style>")
        columns.append(f'<table:table-column table:style-name="{name}"/>')
    return "".join(styles), "".join(columns)


def _ods_paragraphs(text: str) -> str:
    """Text as ODF paragraphs: one per line (as LibreOffice stores a cell's line breaks), tabs as elements."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "".join("<text:p>" + "<text:tab/>".join(escape(part) for part in line.split("\t")) + "</text:p>"
                   for line in lines)


def _ods_cell(value: Cell, header: bool) -> str:
    style = ' table:style-name="header"' if header else ""
    if value is None:
        return f"<table:table-cell{style}/>"
    if isinstance(value, (int, float)):
        return (f'<table:table-cell{style} office:value-type="float" office:value="{value!r}">'
                f"<text:p>{value!r}</text:p></table:table-cell>")
    if isinstance(value, dt.date):
        iso = value.isoformat()
        return (f'<table:table-cell table:style-name="date" office:value-type="date" office:date-value="{iso}">'
                f"<text:p>{iso}</text:p></table:table-cell>")
    return f'<table:table-cell{style} office:value-type="string">{_ods_paragraphs(value)}</table:table-cell>'


def _ods_row(row: Sequence[Cell], header: bool) -> str:
    return ("<table:table-row>" + "".join(_ods_cell(spreadsheet_value(v), header) for v in row)
            + "</table:table-row>")


def write_ods(sheets: Iterable[SheetLike], target: IO[bytes]) -> None:
    """Write the sheets as an OpenDocument spreadsheet, streaming content.xml row by row.

    Column widths are automatic styles, which come before the body: every sheet's header row is read ahead
    (its rows are generators, only their first row is taken) so that all the widths are known first.
    """
    specs = [as_sheet(item) for item in sheets]
    heads = [_first_and_rest(spec.rows) for spec in specs]
    titles = [sheet_title(spec.title) for spec in specs]
    columns = [_ods_columns(number, column_widths(spec, header or []) or [MIN_WIDTH])
               for number, (spec, (header, _rest)) in enumerate(zip(specs, heads))]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The mimetype entry must come first and be stored uncompressed (ODF packaging rule).
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("styles.xml", _STYLES)
        archive.writestr("meta.xml", _META)
        archive.writestr("settings.xml", _ods_settings(titles))
        with archive.open("content.xml", "w", force_zip64=True) as raw, \
                io.TextIOWrapper(raw, encoding="utf-8", write_through=False) as out:
            out.write(_CONTENT_HEAD + "".join(styles for styles, _columns in columns) + _BODY_HEAD)
            for title, (header, rest), (_styles, declared) in zip(titles, heads, columns):
                out.write(f"<table:table table:name={quoteattr(title)}>")
                # The schema wants the columns declared before the first row.
                out.write(declared)
                if header is not None:
                    out.write("<table:table-header-rows>" + _ods_row(header, True) + "</table:table-header-rows>")
                    for row in rest:
                        out.write(_ods_row(row, False))
                out.write("</table:table>")
            out.write(_CONTENT_TAIL)


# --------------------------------------------------------------------------- files


def write_spreadsheet(sheets: Iterable[Sheet], fmt: str) -> IO[bytes]:
    """The sheets as an XLSX or ODS file, spooled (memory, then disk) and rewound, for `file_chunks`."""
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT, mode="w+b")
    (write_xlsx if fmt == "xlsx" else write_ods)(sheets, target)
    target.seek(0)
    return target


def file_chunks(target: IO[bytes], *, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """Send a written (spooled) file in chunks, and close it once sent or abandoned."""
    try:
        while chunk := target.read(chunk_size):
            yield chunk
    finally:
        target.close()
