"""The coordinators' file of a call's proposals (the filtered list of the management page) as CSV, XLSX or ODS.

Two steps: `listing.managed_with_counts` reads the proposals with their counts; `proposal_rows` (pure) yields
a header row in the reader's language then one row per proposal; the shared writers serialise them and
neutralise any cell a spreadsheet would run as a formula. The file holds what the coordinators already see on
the page: the authors' display names, never an email address.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from flask_babel import gettext as _
from flask_babel import pgettext

from consult.core.time import paris_date
from consult.exports import writers
from consult.exports.writers import Row
from consult.proposals.models import Proposal, ProposalState

FORMATS = ("csv", "xlsx", "ods")
WIDTHS = (10, 60, 40, 22, 22, 10, 12, 40, 14, 14, 30, 14)


def answer_label(proposal: Proposal) -> str:
    """The official answer as the list shows it: its status, « awaiting an answer » when published without one."""
    if proposal.answer_status is not None:
        return str(proposal.answer_status.label)
    return _("Awaiting an answer") if proposal.state is ProposalState.PUBLISHED else ""


def labels() -> dict[str, str]:
    """The column labels by name, in the reader's language (the list page shows some of them too)."""
    return {"number": pgettext("proposal export", "Number"), "title": _("Title"), "axis": _("Axis"),
            "status": _("Status"), "answer": _("Official answer"), "supports": _("Supports"),
            "comments": _("Comments"), "publics": _("For whom"),
            "submitted": pgettext("proposal export", "Submitted on"),
            "published": pgettext("proposal export", "Published on"),
            "author": pgettext("proposal export", "Author"),
            "merged_into": pgettext("proposal export", "Merged into number")}


def header() -> Row:
    """The header row of the file."""
    return list(labels().values())


def proposal_rows(items: Iterable[tuple[Proposal, int, int]]) -> Iterator[Row]:
    """The header, then one row per (proposal, supports, visible comments)."""
    yield header()
    for proposal, supports, comments in items:
        yield [proposal.id, proposal.title, proposal.axis.title, str(proposal.state.label), answer_label(proposal),
               supports, comments, ", ".join(str(p.label) for p in proposal.public_list),
               paris_date(proposal.submitted_at), paris_date(proposal.published_at), proposal.author.public_name,
               proposal.merged_into_id]


def write(rows: Iterable[Row], fmt: str, *, sheet: str) -> Iterator[str] | IO[bytes]:
    """CSV chunks as rows come, or an XLSX / ODS file (rewound, to be sent and closed by `send_export`)."""
    if fmt == "csv":
        return writers.csv_chunks(rows)
    return writers.write_spreadsheet([writers.Sheet(sheet, rows, WIDTHS)], fmt)
