"""Streaming writers: rows (from any row builder) → CSV text chunks, an XLSX file or an ODS file.

Every cell goes through `spreadsheet_value`, the single place where text that a spreadsheet would
run as a formula (=, +, -, @, tab, carriage return) gets a leading apostrophe; numbers stay numbers.

- CSV: UTF-8 with a byte order mark (so that Excel recognises the encoding), comma-separated,
  CRLF line ends (RFC 4180). Chunks are yielded as rows come in.
- XLSX: written by hand, row by row, into each worksheet's zip entry, text inline in its cell (openpyxl kept the
  table of distinct strings in memory and took three times as long).
- ODS: written by hand, row by row, into the zip's content.xml (odfpy would build the whole
  document tree in memory first). Rows are never kept.
- `spreadsheet_chunks`: either spreadsheet as chunks of the zip, sent while it is written (an unseekable
  output: zipfile puts a data descriptor after each entry), so the first bytes leave before the first row is read;
  `write_spreadsheet` writes one into a spooled file instead (a download with its length).

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
# zlib level of the spreadsheets' zip entries: the fastest, since the XML of a sheet shrinks well at any level
# (about a fifth bigger than the default level 6, for a third of the time).
_COMPRESSION = 1


_PLAIN_NUMBERS = frozenset((int, float))  # exactly these types: a bool is an int, and is written as 0 or 1


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


# Distinct texts and dates a CSV file keeps the written form of; past that many it starts again (free texts seldom
# repeat), so that its memory stays flat.
_CSV_WRITTEN = 4096


def _csv_written(written: dict[Cell, str], value: Cell) -> str:
    """A text or date cell as the CSV writes it, kept in `written`."""
    if len(written) >= _CSV_WRITTEN:
        written.clear()
    written[value] = text = _csv_text(spreadsheet_value(value))
    return text


def csv_chunks(rows: Iterable[Sequence[Cell]], *, bom: bool = True) -> Iterator[str]:
    """CSV text in chunks: the header row (with the byte order mark) alone, then about 64 KiB at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    rows = iter(rows)
    header = next(rows, None)
    if header is not None:  # sent at once: the download starts before the first data row is built
        writer.writerow([_csv_text(spreadsheet_value(v)) for v in header])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    written: dict[Cell, str] = {}  # texts and dates as written, each worked out once (a commune or a week repeats)
    for row in rows:
        # None, whole numbers and decimals go to the csv module as they are (it writes None as an empty field and
        # numbers as str() does); only the other cells take the slower path.
        writer.writerow([v if v is None or (kind := type(v)) is int or kind is float
                         else written.get(v) or _csv_written(written, v) for v in row])
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


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Cell styles of styles.xml: 0 plain, 1 bold (header rows), 2 a date shown as year-month-day.
_XLSX_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_XLSX_ROOT_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# Day 0 of the spreadsheet calendar (Excel's 1900 system, counted so that 1 March 1900 onwards is right).
_EPOCH = dt.datetime(1899, 12, 30)
# Freeze the header row: the pane below row 1 is frozen and selected.
_XLSX_FROZEN = ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                'state="frozen"/><selection pane="bottomLeft" activeCell="A1" sqref="A1"/></sheetView></sheetViews>')


def _xlsx_workbook_parts(titles: Sequence[str]) -> dict[str, str]:
    """The parts of a workbook other than its sheets: content types, relationships, workbook and styles."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(titles) + 1))
    sheets = "".join(f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
                     for n, title in enumerate(titles, start=1))
    relations = "".join(f'<Relationship Id="rId{n}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                        for n in range(1, len(titles) + 1))
    styles_id = len(titles) + 1
    return {
        "[Content_Types].xml": (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{overrides}</Types>'),
        "_rels/.rels": _XLSX_ROOT_RELS,
        "xl/workbook.xml": (f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
                            f'<sheets>{sheets}</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_REL_NS}">{relations}'
            f'<Relationship Id="rId{styles_id}" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": _XLSX_STYLES,
    }


def column_letter(number: int) -> str:
    """A spreadsheet's name of column `number` (1 → A, 26 → Z, 27 → AA…). Ours rather than openpyxl's: importing
    openpyxl loads NumPy and PIL too, ~19 MB and ~0.2 s in every worker (only reading an XLSX needs it)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xlsx_columns(widths: Sequence[float]) -> str:
    return "<cols>" + "".join(f'<col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>'
                              for n, width in enumerate(widths, start=1)) + "</cols>"


def _xlsx_row(number: int, row: Sequence[Cell], letters: list[str], style: str) -> str:
    """A <row> of a worksheet: empty cells left out (each cell says where it goes), text inline, dates as day
    numbers with the date style. `style` is the attribute of the row's non-date cells (bold in the header)."""
    if len(letters) < len(row):
        letters.extend(column_letter(n) for n in range(len(letters) + 1, len(row) + 1))
    cells = []
    for letter, value in zip(letters, row):
        if value is None:
            continue
        kind = type(value)
        if kind is not int and kind is not float:
            value = spreadsheet_value(value)
            if value is None:
                continue
            kind = type(value)
        if kind is int or kind is float:
            cells.append(f'<c r="{letter}{number}"{style}><v>{value!r}</v></c>')
        elif kind is str:
            if not value:  # an empty text: a cell without a value, as openpyxl wrote it
                cells.append(f'<c r="{letter}{number}"{style}/>')
                continue
            cells.append(f'<c r="{letter}{number}"{style} t="inlineStr"><is><t xml:space="preserve">'
                         f'{escape(value)}</t></is></c>')
        else:  # a date (or a datetime): its day number, shown by the date style
            moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            days = (moment.replace(tzinfo=None) - _EPOCH) / dt.timedelta(days=1)
            cells.append(f'<c r="{letter}{number}" s="2"><v>{days:g}</v></c>')
    return f'<row r="{number}">' + "".join(cells) + "</row>"


def _xlsx_steps(sheets: Iterable[SheetLike], target: IO[bytes]) -> Iterator[None]:
    """Write an XLSX workbook into `target` (which may be unseekable), pausing after each row.

    Each worksheet is written by hand, row by row, into its zip entry: nothing of a sheet is kept in memory, and
    text goes inline in its cell (no table of distinct strings to hold)."""
    specs = [as_sheet(item) for item in sheets]
    titles = _unique_titles(specs)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_COMPRESSION) as archive:
        for name, text in _xlsx_workbook_parts(titles).items():
            archive.writestr(name, text)
        yield
        for number, spec in enumerate(specs, start=1):
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as raw, \
                    io.TextIOWrapper(raw, encoding="utf-8", write_through=False) as out:
                out.write(f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">{_XLSX_FROZEN}')
                header, rest = _first_and_rest(spec.rows)
                letters: list[str] = []
                if header is not None:
                    # The columns (and their widths) come before the rows.
                    out.write(_xlsx_columns(column_widths(spec, header)) + "<sheetData>")
                    out.write(_xlsx_row(1, header, letters, ' s="1"'))
                    for line, row in enumerate(rest, start=2):
                        out.write(_xlsx_row(line, row, letters, ""))
                        yield
                else:
                    out.write("<sheetData>")
                out.write("</sheetData></worksheet>")


def write_xlsx(sheets: Iterable[SheetLike], target: IO[bytes]) -> None:
    """Write the sheets as an XLSX workbook (first row of each in bold, frozen; columns sized)."""
    for _step in _xlsx_steps(sheets, target):
        pass


def _unique_titles(specs: Sequence[Sheet]) -> list[str]:
    """The sheets' titles as both formats accept them, made distinct (“Sheet”, “Sheet 2”) like spreadsheets do."""
    titles: list[str] = []
    for spec in specs:
        title = base = sheet_title(spec.title)
        number = 1
        while title in titles:
            number += 1
            suffix = f" {number}"
            title = base[:31 - len(suffix)] + suffix
        titles.append(title)
    return titles


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
    if header:
        return ("<table:table-row>" + "".join(_ods_cell(spreadsheet_value(v), True) for v in row)
                + "</table:table-row>")
    # The cells of a data row, the most frequent ones (empty, numbers) without a function call each.
    return ("<table:table-row>" + "".join(
        "<table:table-cell/>" if v is None else
        f'<table:table-cell office:value-type="float" office:value="{v!r}"><text:p>{v!r}</text:p></table:table-cell>'
        if type(v) in _PLAIN_NUMBERS else _ods_cell(spreadsheet_value(v), False) for v in row)
            + "</table:table-row>")


def _ods_steps(sheets: Iterable[SheetLike], target: IO[bytes]) -> Iterator[None]:
    """Write the sheets as an OpenDocument spreadsheet into `target` (which may be unseekable), streaming
    content.xml row by row and pausing after each row.

    Column widths are automatic styles, which come before the body: every sheet's header row is read ahead
    (its rows are generators, only their first row is taken) so that all the widths are known first.
    """
    specs = [as_sheet(item) for item in sheets]
    titles = _unique_titles(specs)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_COMPRESSION) as archive:
        # The mimetype entry must come first and be stored uncompressed (ODF packaging rule).
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("styles.xml", _STYLES)
        archive.writestr("meta.xml", _META)
        archive.writestr("settings.xml", _ods_settings(titles))
        yield
        heads = [_first_and_rest(spec.rows) for spec in specs]
        columns = [_ods_columns(number, column_widths(spec, header or []) or [MIN_WIDTH])
                   for number, (spec, (header, _rest)) in enumerate(zip(specs, heads))]
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
                        yield
                out.write("</table:table>")
            out.write(_CONTENT_TAIL)


def write_ods(sheets: Iterable[SheetLike], target: IO[bytes]) -> None:
    """Write the sheets as an OpenDocument spreadsheet, streaming content.xml row by row."""
    for _step in _ods_steps(sheets, target):
        pass


# --------------------------------------------------------------------------- files


def write_spreadsheet(sheets: Iterable[Sheet], fmt: str) -> IO[bytes]:
    """The sheets as an XLSX or ODS file, spooled (memory, then disk) and rewound, for `file_chunks`."""
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT, mode="w+b")
    (write_xlsx if fmt == "xlsx" else write_ods)(sheets, target)
    target.seek(0)
    return target


class _Outbox(io.RawIOBase):
    """An unseekable file whose written bytes wait until they are taken (the zip writes into it, the response
    sends what it holds): zipfile then follows each entry with a data descriptor instead of seeking back."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def spreadsheet_chunks(sheets: Iterable[SheetLike], fmt: str, *, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """The sheets as an XLSX or ODS file, in chunks sent while the file is being written: the first one (the
    package's fixed parts) before any row is read, then about `chunk_size` bytes at a time. Memory stays flat
    whatever the number of rows, and nothing is written to disk."""
    outbox = _Outbox()
    steps = _xlsx_steps if fmt == "xlsx" else _ods_steps
    first = True
    for _step in steps(sheets, outbox):
        if first or outbox.size >= chunk_size:
            first = False
            yield outbox.take()
    if outbox.size:
        yield outbox.take()


def file_chunks(target: IO[bytes], *, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """Send a written (spooled) file in chunks, and close it once sent or abandoned."""
    try:
        while chunk := target.read(chunk_size):
            yield chunk
    finally:
        target.close()
