"""Export files of a survey: builders fed by the batched records, handed to a writer."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import IO

from flask_babel import gettext as _

from consult.exports import writers
from consult.extensions import db
from consult.surveys.exports import anonymity, builders
from consult.surveys.exports.records import iter_records
from consult.surveys.models import Survey
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


def k_anonymous_plan(survey: Survey, *, threshold: int) -> anonymity.KAnonymity:
    """How the k-anonymous export merges and blanks the survey's combinations of commune, occupation, age band
    and sex (also what the export page reports)."""
    fields = anonymity.quasi_identifiers(survey)
    return anonymity.plan_k_anonymity(anonymity.combinations(survey, fields), fields, threshold)


def _k_anonymous_rows(survey: Survey, plan: anonymity.KAnonymity, *, texts: bool):
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
        yield from writers.csv_chunks(_k_anonymous_rows(survey, plan, texts=texts))
    return chunks(survey)


def k_anonymous_spreadsheet(survey: Survey, fmt: str, *, threshold: int, texts: bool) -> IO[bytes]:
    """The k-anonymous responses, the codebook and what was merged or blanked, as an XLSX or ODS file."""
    plan = k_anonymous_plan(survey, threshold=threshold)
    communes = commune_choices(survey)
    return writers.write_spreadsheet([
        (_("k-anonymous responses"), _k_anonymous_rows(survey, plan, texts=texts)),
        (_("Codebook"), builders.codebook_rows(survey, communes)),
        (_("Anonymisation"), anonymity.anonymisation_rows(plan, communes, texts=texts)),
    ], fmt)


def aggregated_tables(survey: Survey, *, threshold: int, today: dt.date
                      ) -> tuple[list[builders.FrequencyTable], builders.MethodFacts]:
    """Counts of every closed question with disclosure control applied, and the facts of the method sheet."""
    counts = builders.count_closed_answers(survey, iter_records(survey), commune_choices(survey))
    builders.apply_disclosure_control(counts.tables, threshold)
    facts = builders.MethodFacts(
        survey_title=survey.title, territory=survey.territory.name, total=counts.total, channels=counts.channels,
        threshold=threshold, generated_on=today,
        opens_on=survey.opens_at.date() if survey.opens_at else None,
        closes_on=survey.closes_at.date() if survey.closes_at else None,
        first_day=counts.first_day, last_day=counts.last_day,
    )
    return counts.tables, facts


def tables_spreadsheet(survey: Survey, fmt: str, *, threshold: int, today: dt.date) -> IO[bytes]:
    """Aggregated tables and the method sheet as an XLSX or ODS file, rewound."""
    tables, facts = aggregated_tables(survey, threshold=threshold, today=today)
    return writers.write_spreadsheet([(_("Tables"), builders.table_rows(tables, threshold)),
                   (_("Method"), builders.method_rows(facts, tables))], fmt)


def tables_csv(survey: Survey, *, threshold: int, today: dt.date) -> Iterator[str]:
    """Aggregated tables as CSV chunks (the method sheet is in the spreadsheet files)."""
    tables, _facts = aggregated_tables(survey, threshold=threshold, today=today)
    return writers.csv_chunks(builders.table_rows(tables, threshold))


def method_csv(survey: Survey, *, threshold: int, today: dt.date) -> Iterator[str]:
    """The method notes (n, period, channels, threshold, suppression applied) as CSV chunks."""
    tables, facts = aggregated_tables(survey, threshold=threshold, today=today)
    return writers.csv_chunks(builders.method_rows(facts, tables))
