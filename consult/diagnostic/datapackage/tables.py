"""The tables of a data package and how each is written: a Table Schema per table, and the three variants of its
file (CSV, the French-Excel CSV, JSON) written together from one pass over its rows, then stored in the ZIP archive
with their `datapackage.json`."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from consult.exports.writers import spreadsheet_value

# The rows of a table are reported to `progress` at least this often.
PROGRESS_EVERY = 500
COPY_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Field:
    """One column: its name in the files, its Table Schema type and what it means, in the reader's language."""

    name: str
    type: str  # "integer", "number", "string", "date" or "boolean"
    title: str
    description: str = ""
    enum: tuple = ()  # the codes it may hold (coded answers, states)

    def schema(self, variant: Variant) -> dict:
        described: dict = {"name": self.name, "type": self.type, "title": str(self.title)}
        if self.description:
            described["description"] = str(self.description)
        if self.enum:
            described["constraints"] = {"enum": list(self.enum)}
        if self.type == "number" and variant.decimal_comma:
            described["decimalChar"] = ","
        return described


@dataclass
class Table:
    """A table of the package: its fields and a function giving its rows (lists in field order), read as they
    are written."""

    name: str  # the resource name: lower case, digits, "-"
    title: str
    description: str
    fields: list[Field]
    rows: Callable[[], Iterable[Sequence]]
    count: int  # rows expected, for the progress
    primary_key: list[str] = field(default_factory=list)
    # (fields, table name, its fields): each variant refers to the same variant of the other table
    foreign_keys: list[tuple[list[str], str, list[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Variant:
    """One way of writing every table: a folder of the archive and its file format."""

    key: str
    folder: str
    suffix: str  # added to the resource names, which must differ across the package
    extension: str
    delimiter: str = ","
    encoding: str = "utf-8"  # "utf-8-sig": a byte order mark first, which French Excel needs to read UTF-8
    decimal_comma: bool = False

    def resource_name(self, table_name: str) -> str:
        return table_name + self.suffix

    def path(self, table: Table) -> str:
        return f"{self.folder}/{table.name}.{self.extension}"

    def resource(self, table: Table) -> dict:
        schema: dict = {"fields": [f.schema(self) for f in table.fields]}
        if table.primary_key:
            schema["primaryKey"] = table.primary_key
        if table.foreign_keys:
            schema["foreignKeys"] = [{"fields": mine, "reference": {"resource": self.resource_name(other),
                                                                    "fields": theirs}}
                                     for mine, other, theirs in table.foreign_keys]
        described = {"name": self.resource_name(table.name), "title": str(table.title),
                     "description": str(table.description), "path": self.path(table),
                     "profile": "tabular-data-resource", "format": self.extension,
                     "mediatype": "application/json" if self.extension == "json" else "text/csv",
                     "encoding": self.encoding}
        if self.extension == "csv":
            described["dialect"] = {"delimiter": self.delimiter, "lineTerminator": "\r\n", "quoteChar": '"',
                                    "doubleQuote": True, "header": True}
        described["schema"] = schema
        return described


CSV = Variant("csv", "csv", "", "csv")
CSV_EXCEL_FR = Variant("csv-excel-fr", "csv-excel-fr", "-excel-fr", "csv", delimiter=";", encoding="utf-8-sig",
                       decimal_comma=True)
JSON = Variant("json", "json", "-json", "json")


def _number_text(value: int | float, variant: Variant) -> str:
    text = str(value)
    return text.replace(".", ",") if variant.decimal_comma and isinstance(value, float) else text


def csv_cell(value, kind: str, variant: Variant) -> str:
    """A cell as CSV text: text made inert for spreadsheets, ISO dates, numbers (decimal comma in French Excel's
    variant), booleans as true/false."""
    if value is None or value == "":
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind in ("integer", "number") and isinstance(value, (int, float)):
        return _number_text(value, variant)
    return str(spreadsheet_value(str(value)))


def json_value(value, kind: str):
    """A cell as a JSON value of its field's type (the JSON files are read by programs: text is kept as typed)."""
    if value is None or value == "":
        return None
    if kind == "boolean":
        return bool(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind == "string":
        return str(value)
    return value


class _Writer:
    """One variant of one table, written to a temporary file on disk as the rows come."""

    def __init__(self, variant: Variant, table: Table, spool: IO[bytes]):
        self.variant, self.kinds, self.names = variant, [f.type for f in table.fields], [f.name for f in table.fields]
        self.spool = spool
        self.text = io.TextIOWrapper(spool, encoding=variant.encoding, newline="")
        self.first = True
        if variant.extension == "csv":
            self.csv = csv.writer(self.text, delimiter=variant.delimiter, lineterminator="\r\n")
            self.csv.writerow(self.names)
        else:
            self.text.write("[")

    def write(self, row: Sequence) -> None:
        if self.variant.extension == "csv":
            self.csv.writerow([csv_cell(v, k, self.variant) for v, k in zip(row, self.kinds)])
            return
        item = {name: json_value(v, k) for name, v, k in zip(self.names, row, self.kinds)}
        self.text.write(("\n" if self.first else ",\n") + json.dumps(item, ensure_ascii=False))
        self.first = False

    def finish(self) -> IO[bytes]:
        if self.variant.extension == "json":
            self.text.write("\n]\n")
        self.text.flush()
        self.text.detach()
        self.spool.seek(0)
        return self.spool


class Progress:
    """Counts the rows written across the tables and reports them every PROGRESS_EVERY rows."""

    def __init__(self, report: Callable[[int, int], None], total: int):
        self.report, self.total, self.done = report, total, 0
        report(0, total)

    def advance(self, rows: int = 1) -> None:
        before, self.done = self.done, self.done + rows
        if self.done // PROGRESS_EVERY != before // PROGRESS_EVERY:
            self.report(min(self.done, self.total), self.total)

    def finish_table(self) -> None:
        self.report(min(self.done, self.total), self.total)


def write_table(archive: zipfile.ZipFile, table: Table, variants: Sequence[Variant], progress: Progress) -> None:
    """Write every variant of a table in one pass over its rows (so all variants hold the same rows, in the same
    order, with the same pseudonyms), each to a temporary file, then copy each into the archive."""
    with contextlib.ExitStack() as stack:
        writers = [_Writer(v, table, stack.enter_context(tempfile.TemporaryFile())) for v in variants]
        for row in table.rows():
            for writer in writers:
                writer.write(row)
            progress.advance()
        for variant, writer in zip(variants, writers):
            spool = writer.finish()
            with archive.open(variant.path(table), "w", force_zip64=True) as entry:
                shutil.copyfileobj(spool, entry, COPY_CHUNK)
    progress.finish_table()


def write_package(target: IO[bytes], descriptor: Mapping, tables: Sequence[Table], variants: Sequence[Variant],
                  report: Callable[[int, int], None]) -> None:
    """The ZIP archive: `datapackage.json` describing every variant of every table, then the tables' files."""
    described = {**descriptor, "resources": [v.resource(t) for v in variants for t in tables]}
    progress = Progress(report, sum(t.count for t in tables))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(described, ensure_ascii=False, indent=2) + "\n")
        for table in tables:
            write_table(archive, table, variants, progress)
