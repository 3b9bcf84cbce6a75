"""Export files of a survey: builders fed by the batched records, handed to a writer."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import IO

from flask_babel import format_date
from flask_babel import gettext as _

from consult.exports import writers
from consult.extensions import db
from consult.surveys.exports import anonymity, builders
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
    return writers.write_spreadsheet([(_("Pseudonymised responses"),
                                       builders.raw_rows(survey, iter_records(survey), communes)),
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


def k_anonymous_plan(survey: Survey, *, threshold: int) -> anonymity.KAnonymity:
    """How the k-anonymous export merges and blanks the survey's combinations of commune, occupation, age band
    and sex (also what the export page reports)."""
    fields = anonymity.quasi_identifiers(survey)
    return anonymity.plan_k_anonymity(anonymity.combinations(survey, fields), fields, threshold)


def k_anonymous_rows(survey: Survey, plan: anonymity.KAnonymity, *, texts: bool):
    """Header, then the k-anonymous rows (the plan's merging and blanking applied; free texts only when `texts`)."""
    communes = {**commune_choices(survey), anonymity.OTHER_COMMUNES: _("Other communes")}
    # The "other" texts of the fields themselves are never written: they would undo the merging.
    left_out = {f"{quasi.code}_other_text" for quasi in plan.fields}
    if not texts:
        left_out |= builders.free_text_columns(survey)
    columns = [c for c in builders.raw_columns(survey, communes) if c.name not in left_out]
    records = (dataclasses.replace(r, data=anonymity.released_data(r.data, plan)) for r in iter_records(survey))
    return builders.raw_rows(survey, records, communes, columns=columns)


def k_anonymous_csv(survey: Survey, *, threshold: int, texts: bool) -> Iterator[str]:
    """The k-anonymous variant of the raw responses as CSV chunks (free texts only when `texts`)."""
    def chunks(survey: Survey) -> Iterator[str]:
        survey = _streamed(survey)
        plan = k_anonymous_plan(survey, threshold=threshold)
        yield from writers.csv_chunks(k_anonymous_rows(survey, plan, texts=texts))
    return chunks(survey)


def k_anonymous_spreadsheet(survey: Survey, fmt: str, *, threshold: int, texts: bool) -> IO[bytes]:
    """The k-anonymous responses, the codebook and what was merged or blanked, as an XLSX or ODS file."""
    plan = k_anonymous_plan(survey, threshold=threshold)
    communes = commune_choices(survey)
    return writers.write_spreadsheet([
        (_("k-anonymous responses"), k_anonymous_rows(survey, plan, texts=texts)),
        (_("Codebook"), builders.codebook_rows(survey, communes)),
        (_("Anonymisation"), anonymity.anonymisation_rows(plan, communes, texts=texts)),
    ], fmt)


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
