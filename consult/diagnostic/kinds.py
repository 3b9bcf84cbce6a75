"""The territory-wide files Consult builds, their formats, who may get them and the function that builds each.

Every builder has the same signature, so the background jobs, the command line and the tests call them alike:

    build(territory, fmt, target, *, progress, options) -> None

`territory` is a Territory (its current contract is the one described), `fmt` one of the kind's formats,
`target` a binary file open for writing (the builder writes the whole file and does not close it),
`progress(done, total)` is called as work advances (any unit: sheets, surveys, rows), `options` a mapping of
plain strings (e.g. {"variant": "pseudonymised"} for the data package). Builders run inside an application
context with the requested locale forced; they read the database and never write to it.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Protocol

from flask_babel import lazy_gettext as _l

from consult.diagnostic.permissions import can_download_published_files, can_download_records


class Progress(Protocol):
    def __call__(self, done: int, total: int) -> None: ...


Builder = Callable[..., None]


def no_progress(done: int, total: int) -> None:
    """The progress callback of a build nobody watches (tests, the command line without --verbose)."""


@dataclass(frozen=True)
class FileKind:
    """One kind of file: its key in URLs and jobs, its formats and where each format's builder lives."""

    key: str
    label: object  # a lazy string
    builders: Mapping[str, str]  # format -> "module:function"
    records: bool  # True when it holds record-level data (coordinators only, each download recorded)

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self.builders)

    def builder(self, fmt: str) -> Builder:
        module, _, name = self.builders[fmt].partition(":")
        return getattr(importlib.import_module(module), name)

    def extension(self, fmt: str) -> str:
        """The file's extension: CSV and JSON come as data packages, ZIP archives holding the tables and their
        datapackage.json."""
        return "zip" if self.key == "datapackage" or fmt in ("csv", "json") else fmt

    def allowed(self, user, territory) -> bool:
        return (can_download_records if self.records else can_download_published_files)(user, territory)


KINDS: dict[str, FileKind] = {kind.key: kind for kind in (
    FileKind("workbook", _l("Diagnostic workbook"), {
        "ods": "consult.diagnostic.workbook:build",
        "xlsx": "consult.diagnostic.workbook:build",
    }, records=False),
    FileKind("report", _l("Consultation report"), {
        "pdf": "consult.diagnostic.reports:build_report",
        "odt": "consult.diagnostic.reports:build_report",
    }, records=False),
    FileKind("action-plan", _l("Action plan (book of fiches actions)"), {
        "pdf": "consult.diagnostic.reports:build_action_plan",
        "odt": "consult.diagnostic.reports:build_action_plan",
        "ods": "consult.diagnostic.workbook:build_action_plan",
        "xlsx": "consult.diagnostic.workbook:build_action_plan",
        "csv": "consult.diagnostic.datapackage:build_action_plan",
        "json": "consult.diagnostic.datapackage:build_action_plan",
    }, records=False),
    FileKind("datapackage", _l("Data package (open data and anonymised responses)"), {
        "zip": "consult.diagnostic.datapackage:build",
        "csv": "consult.diagnostic.datapackage:build",
        "json": "consult.diagnostic.datapackage:build",
    }, records=True),
)}


def build(kind: str, territory, fmt: str, target: IO[bytes], *, progress: Progress = no_progress,
          options: Mapping[str, str] | None = None) -> None:
    """Build one file of a kind into `target` (KeyError for an unknown kind or format)."""
    KINDS[kind].builder(fmt)(territory, fmt, target, progress=progress, options=dict(options or {}))
