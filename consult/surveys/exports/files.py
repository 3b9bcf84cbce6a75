"""Export files of a survey: builders fed by the batched records, handed to a writer."""
from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from flask_babel import format_date
from flask_babel import gettext as _

from consult.exports import writers
from consult.extensions import db
from consult.surveys.exports import builders
from consult.surveys.exports.records import iter_records
from consult.surveys.models import Survey
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import audit_of, content_of
from consult.surveys.services import commune_choices


def _streamed(survey: Survey):
    """The survey again, in the session of the streamed body.

    A streamed body is produced after the view returned: the request's session is closed by then
    (Flask tears the contexts down before the server iterates the body), so the survey the view
    loaded is detached and cannot lazy-load its pages and questions.
    """
    return db.session.get(Survey, survey.id)


def responses_csv(survey: Survey) -> Iterator[str]:
    """The raw responses as CSV chunks, read from the database batch by batch while they are sent."""
    def chunks(survey: Survey) -> Iterator[str]:
        survey = _streamed(survey)
        communes = commune_choices(survey)
        yield from writers.csv_chunks(builders.raw_rows(survey, iter_records(survey), communes))
    return chunks(survey)


def codebook_csv(survey: Survey) -> Iterator[str]:
    """The codebook of the raw export as CSV chunks."""
    def chunks(survey: Survey) -> Iterator[str]:
        survey = _streamed(survey)
        yield from writers.csv_chunks(builders.codebook_rows(survey, commune_choices(survey)))
    return chunks(survey)


def responses_spreadsheet(survey: Survey, fmt: str) -> IO[bytes]:
    """The raw responses and the codebook as two sheets of an XLSX or ODS file, rewound."""
    communes = commune_choices(survey)
    return writers.write_spreadsheet([(_("Responses"), builders.raw_rows(survey, iter_records(survey), communes)),
                   (_("Codebook"), builders.codebook_rows(survey, communes))], fmt)


def _release_sheets(release: SurveyRelease):
    content, audit = content_of(release), audit_of(release)
    survey = release.survey
    channels = "; ".join(f"{line.label}: {builders.release_figure(line.cell, release.k)}"
                         for line in content.overview.channels.lines if line.cell.value != 0)
    if release.first_month is None:
        period = "—"
    else:
        period = _("%(first)s to %(last)s", first=format_date(release.first_month, "MMMM yyyy"),
                   last=format_date(release.last_month, "MMMM yyyy"))
    method = builders.release_method_rows(
        survey_title=survey.title, territory=survey.territory.name, number=release.number,
        made_on=release.made_at.date(), responses=release.responses, period=period, k=release.k,
        channels=channels, audit=audit, content=content)
    return builders.release_table_rows(content, release.k), method


def tables_spreadsheet(release: SurveyRelease, fmt: str) -> IO[bytes]:
    """A release's tables and its method sheet as an XLSX or ODS file, rewound."""
    tables, method = _release_sheets(release)
    return writers.write_spreadsheet([(_("Tables"), tables), (_("Method"), method)], fmt)


def tables_csv(release: SurveyRelease) -> Iterator[str]:
    """A release's tables as CSV chunks (the method sheet is in the spreadsheet files)."""
    tables, _method = _release_sheets(release)
    return writers.csv_chunks(tables)


def method_csv(release: SurveyRelease) -> Iterator[str]:
    """A release's method notes (n, period, channels, threshold, protection) as CSV chunks."""
    _tables, method = _release_sheets(release)
    return writers.csv_chunks(method)
