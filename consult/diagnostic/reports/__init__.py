"""The printable files: the consultation report and the action plan (« livre des fiches actions ») of a
territory, and one fiche action, as a tagged PDF (WeasyPrint) and as an ODT to edit (odfpy). Each is first built
as a Document of plain blocks (document.py), so both formats carry the same sections and the same figures."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import IO

from consult.core.models import utcnow
from consult.diagnostic.kinds import Progress, no_progress
from consult.diagnostic.reports.consultation import consultation_report
from consult.diagnostic.reports.document import Document
from consult.diagnostic.reports.fiches import action_plan, fiche_document
from consult.synthesis.models import Fiche
from consult.territories.models import Territory

FORMATS = ("pdf", "odt")


def _write(document: Document, fmt: str, target: IO[bytes]) -> None:
    if fmt == "pdf":
        from consult.diagnostic.reports.pdf import document_pdf

        target.write(document_pdf(document))
    elif fmt == "odt":
        from consult.diagnostic.reports.odt import write_odt

        write_odt(document, target)
    else:
        raise KeyError(fmt)


def _build(make, territory: Territory, fmt: str, target: IO[bytes], progress: Progress,
           now: dt.datetime | None) -> None:
    """Make the document (its steps reported as they go), then write it: one more step for the file itself."""
    if fmt not in FORMATS:
        raise KeyError(fmt)
    seen = {"total": 1}

    def step(done: int, total: int) -> None:
        seen["total"] = total + 1
        progress(done, total + 1)

    _write(make(territory, now=now or utcnow(), progress=step), fmt, target)
    progress(seen["total"], seen["total"])


def build_report(territory: Territory, fmt: str, target: IO[bytes], *, progress: Progress = no_progress,
                 options: Mapping[str, str] | None = None, now: dt.datetime | None = None) -> None:
    """The consultation report of the territory's current contract (pdf or odt) into `target`; KeyError for
    another format. Progress counts the sections, then one more step for the file itself."""
    _build(consultation_report, territory, fmt, target, progress, now)


def build_action_plan(territory: Territory, fmt: str, target: IO[bytes], *, progress: Progress = no_progress,
                      options: Mapping[str, str] | None = None, now: dt.datetime | None = None) -> None:
    """Every published fiche of the current contract, in axis and objective order after a table of contents
    (pdf or odt) into `target`; KeyError for another format. Progress counts the fiches, then the file."""
    _build(action_plan, territory, fmt, target, progress, now)


def fiche_file(fiche: Fiche, fmt: str, *, now: dt.datetime | None = None) -> bytes:
    """One fiche as a PDF or an ODT (the caller checks that the reader may see it)."""
    if fmt not in FORMATS:
        raise KeyError(fmt)
    target = io.BytesIO()
    _write(fiche_document(fiche, now=now or utcnow()), fmt, target)
    return target.getvalue()
