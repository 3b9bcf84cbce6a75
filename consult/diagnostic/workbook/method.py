"""The first sheet: what the workbook describes, where its figures come from and how they are protected."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from flask_babel import format_date
from flask_babel import gettext as _

from consult.diagnostic.workbook.scope import Scope, day
from consult.exports.writers import Row

METHOD_WIDTHS = (34, 60, 12, 14, 14, 14, 16, 16)
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"


def _month(value) -> str | None:
    return format_date(value, "MMMM yyyy") if value is not None else None


def method_rows(scope: Scope, sheets: Sequence[tuple[str, str]], *, surveys: bool = True) -> Iterator[Row]:
    """Header, the territory and contract, each sheet and what it holds, the protection of figures, the licence;
    then, under a header of their own, the survey releases used (number, date, responses, k, period) when the
    file holds survey figures (`surveys`)."""
    yield [_("Item"), _("Value")]
    yield [_("Territory"), scope.territory.name]
    contract = scope.contract
    if contract is None:
        yield [_("Contract"), _("No current contract")]
    else:
        yield [_("Contract"), contract.title]
        yield [_("Contract start"), contract.start_date]
        yield [_("Contract end"), contract.end_date]
        yield [_("Contract phase"), str(contract.phase.label)]
    yield [_("Made on"), scope.made_on]
    for title, about in sheets:
        yield [_("Sheet “%(title)s”", title=title), about]
    if surveys:
        yield [_("Protection of figures"),
               _("Survey figures come only from each survey's latest release, never from live answers: a count below "
                 "the release's disclosure threshold (k) is never shown (it reads “< k”), and a count that would let "
                 "it be worked out reads “hidden”. Only published proposals and published fiches are listed; survey "
                 "free-text answers and people's names are not in this file.")]
    else:
        yield [_("Scope of the file"), _("Only published fiches actions are listed.")]
    yield [_("Licence"), LICENCE]
    if not surveys:
        return
    yield []
    yield [_("Survey"), _("Release"), _("Made on"), _("Respondents (n)"), _("Disclosure threshold (k)"),
           _("Answers from"), _("Answers until"), _("Results published")]
    if not scope.releases:
        yield [_("No survey has a release yet."), None]
    for survey, release in scope.releases:
        yield [survey.title, release.number, day(release.made_at), release.responses, release.k,
               _month(release.first_month), _month(release.last_month),
               _("yes") if survey.results_published_at is not None else _("no")]
