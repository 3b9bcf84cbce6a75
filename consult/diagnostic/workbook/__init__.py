"""The diagnostic workbook (ODS or XLSX) of a territory and its current contract, and the action plan alone.

Sheets, in a reader's order: method and sources; participation across channels; survey results (every survey's
latest release, stacked, survey first); proposals; ideas by axis; working groups; fiches actions; indicators.
Everything comes from releases and published content (see `contributions` and `plan`); every sheet is a row
generator handed to the streaming writers (bold, frozen header; column widths; numbers and dates typed; text made
inert). Labels are in the locale the caller forced (French by default)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO

from flask_babel import lazy_gettext as _l

from consult.diagnostic.workbook import contributions, plan
from consult.diagnostic.workbook.method import METHOD_WIDTHS, method_rows
from consult.diagnostic.workbook.scope import Scope, scope_of
from consult.exports import writers
from consult.exports.writers import Row


@dataclass(frozen=True)
class Part:
    """One sheet: its title, what it holds (for the method sheet), its rows and its column widths."""

    title: object  # a lazy string
    about: object  # a lazy string
    rows: Callable[[Scope], Iterable[Row]]
    widths: tuple[float, ...]


PARTICIPATION = Part(
    _l("Participation"),
    _l("Contributions and people per channel, survey responses per channel (web, paper, phone…) from each "
       "latest release, people by category, contributions per axis."),
    contributions.participation_rows, contributions.PARTICIPATION_WIDTHS)
SURVEYS = Part(
    _l("Results of the surveys"),
    _l("Every survey's latest release: each question and breakdown as the results pages show it, one line per "
       "figure, the survey and its release first."),
    contributions.survey_rows, contributions.SURVEY_WIDTHS)
PROPOSALS = Part(
    _l("Proposals"),
    _l("Published proposals: call, axis, objective, title, supports, answer and its text."),
    contributions.proposal_rows, contributions.PROPOSAL_WIDTHS)
IDEAS = Part(
    _l("Ideas by axis"),
    _l("Ideas recorded at working-group meetings and events, by axis and objective of the contract."),
    contributions.idea_rows, contributions.IDEA_WIDTHS)
GROUPS = Part(
    _l("Working groups"),
    _l("Working groups per axis: status, seats, members by category, meetings held and attendance."),
    contributions.group_rows, contributions.GROUP_WIDTHS)
FICHES = Part(
    _l("Fiches actions"),
    _l("Published fiches actions, one per line, axis and objective first: status, lead, partners, budget, "
       "dates, publics."),
    plan.fiche_rows, plan.FICHE_WIDTHS)
INDICATORS = Part(
    _l("Indicators"),
    _l("Indicators of the published fiches: baseline (first value recorded), target, latest value and its year."),
    plan.indicator_rows, plan.INDICATOR_WIDTHS)

WORKBOOK = (PARTICIPATION, SURVEYS, PROPOSALS, IDEAS, GROUPS, FICHES, INDICATORS)
ACTION_PLAN = (FICHES, INDICATORS)
METHOD_TITLE = _l("Method and sources")


def sheets(territory, parts: tuple[Part, ...], progress) -> Iterator[writers.Sheet]:
    """The method sheet, then each part's sheet; `progress(done, total)` once each sheet is written."""
    scope = scope_of(territory)
    total = len(parts) + 1
    described = [(str(part.title), str(part.about)) for part in parts]

    def counted(rows: Iterable[Row], done: int) -> Iterator[Row]:
        yield from rows
        progress(done, total)

    method = method_rows(scope, described, surveys=SURVEYS in parts)
    yield writers.Sheet(str(METHOD_TITLE), counted(method, 1), METHOD_WIDTHS)
    for done, part in enumerate(parts, start=2):
        yield writers.Sheet(str(part.title), counted(part.rows(scope), done), part.widths)


def _write(territory, fmt: str, target: IO[bytes], parts: tuple[Part, ...], progress) -> None:
    if fmt not in writers.SPREADSHEET_FORMATS:
        raise KeyError(fmt)
    (writers.write_xlsx if fmt == "xlsx" else writers.write_ods)(sheets(territory, parts, progress), target)


def build(territory, fmt: str, target: IO[bytes], *, progress, options: Mapping[str, str]) -> None:
    """The diagnostic workbook of `territory` as an ODS or XLSX file written into `target`."""
    _write(territory, fmt, target, WORKBOOK, progress)


def build_action_plan(territory, fmt: str, target: IO[bytes], *, progress, options: Mapping[str, str]) -> None:
    """The action plan alone (a short method sheet, then the fiches actions and indicators sheets) as an ODS or XLSX
    file."""
    _write(territory, fmt, target, ACTION_PLAN, progress)
