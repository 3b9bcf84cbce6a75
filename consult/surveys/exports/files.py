"""Export files of a survey: builders fed by the batched records, handed to a writer."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from consult.core.models import utcnow
from consult.core.time import week_start

from consult.exports import writers
from consult.exports.writers import Row
from consult.extensions import db
from consult.surveys.exports import anonymity, builders
from consult.surveys.exports.records import answer_batches, iter_records
from consult.surveys.models import Question, Response, Survey, SurveyPage
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import audit_of, content_of
from consult.surveys.services import commune_choices


def _streamed(survey: Survey):
    """The survey again, in the session of the streamed body.

    A streamed body is produced after the view returned: the request's session is closed by then
    (Flask tears the contexts down before the server iterates the body), so the survey the view
    loaded is detached and cannot lazy-load its pages and questions.
    """
    # The survey and its questionnaire in one query, not one per page and per question.
    return db.session.get(Survey, survey.id, populate_existing=True, options=(
        joinedload(Survey.pages).joinedload(SurveyPage.questions).joinedload(Question.options),))


def _analyst_columns(survey: Survey, communes: Mapping[str, str], *, left_out: set[str] = frozenset(),
                     merged: set[str] = frozenset()) -> list[builders.RawColumn]:
    """The columns of the analysts' files, without `left_out` ones; the answers of the `merged` questions are
    written as their (text) codes, since merged groups (“1+2”) are no number."""
    columns = [c for c in builders.raw_columns(survey, communes) if c.name not in left_out]
    columns = [dataclasses.replace(c, show=None, numbers=None)
               if c.question is not None and c.question.code in merged and c.part == "value" else c
               for c in columns]
    return builders.analyst_columns(columns)


def responses_csv(survey: Survey) -> Iterator[str]:
    """The raw responses as CSV chunks, read from the database batch by batch while they are sent (the next batch
    read while one is written)."""
    def chunks(survey: Survey) -> Iterator[str]:
        survey = _streamed(survey)
        communes = commune_choices(survey)
        columns = _analyst_columns(survey, communes)
        batches = answer_batches(survey, read_ahead=True)
        yield from writers.csv_chunks(builders.direct_rows(survey, batches, communes, columns=columns, labelled=True))
    return chunks(survey)


def codebook_csv(survey: Survey) -> Iterator[str]:
    """The dictionary of codes of the raw export as CSV chunks."""
    def chunks(survey: Survey) -> Iterator[str]:
        survey = _streamed(survey)
        communes = commune_choices(survey)
        yield from writers.csv_chunks(builders.dictionary_rows(survey, _analyst_columns(survey, communes),
                                                               communes))
    return chunks(survey)


def _date(value) -> str:
    # The pages' own filter, so that a file writes a date as the pages do.
    return current_app.jinja_env.filters["date"](value, "long")


def _response_span(survey: Survey) -> tuple[int, dt.date | None, dt.date | None]:
    """How many responses the survey has, and the days of the first and the last, in one query."""
    count, first, last = db.session.execute(
        select(func.count(Response.id), func.min(Response.submitted_on), func.max(Response.submitted_on))
        .where(Response.survey_id == survey.id)).one()
    return count or 0, first, last


def responses_period(survey: Survey, span: tuple | None = None) -> str:
    """When the survey's responses came in, as the coordinators' results page says it, by weeks: the files give
    the week of each response, never its day. `span`: `_response_span` when already read."""
    _count, first, last = span or _response_span(survey)
    if first is None:
        return _("no response yet")
    return _("from the week of %(first)s to the week of %(last)s", first=_date(week_start(first)),
             last=_date(week_start(last)))


def release_period(release: SurveyRelease) -> str:
    """A release's collection period exactly as its results pages show it (their own template)."""
    if release.first_month is None:
        return _("no response yet")
    # The template is autoescaped; striptags turns its HTML into plain text for the file (no markup comes out).
    return Markup(render_template("surveys/results/_period.html", r=release)).striptags()  # nosec B704


def opening_window(survey: Survey) -> str:
    """The dates the survey was set to open and close, when they were set (empty otherwise)."""
    opens, closes = survey.opens_at, survey.closes_at
    if opens and closes:
        return _("from %(start)s to %(end)s", start=_date(opens), end=_date(closes))
    if opens:
        return _("from %(start)s", start=_date(opens))
    if closes:
        return _("until %(end)s", end=_date(closes))
    return ""


def _response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id)) or 0


def about_rows(survey: Survey, description: str):
    """Header, then what is needed to read a file of responses: the survey, how many responses, when they came in,
    what the file is."""
    yield [_("Item"), _("Value")]
    yield [_("Survey"), survey.title]
    yield [_("Territory"), survey.territory.name]
    span = _response_span(survey)
    yield [_("Responses in this file"), span[0]]
    yield [_("Answers collected"), responses_period(survey, span)]
    if window := opening_window(survey):
        yield [_("Open to answers"), window]
    yield [_("File"), description]
    yield [_("Codes"), _("Answer codes are numbers; their labels are in the “%(sheet)s” sheet, with what an empty "
                         "cell means.", sheet=_("Dictionary of codes"))]
    yield [_("Column headers"), _("One header line: each header gives the column's code, then its wording after "
                                  "“ – ”. To keep the codes only, in R: names(d) <- sub(\" – .*\", \"\", names(d)); "
                                  "in pandas: d.columns = d.columns.str.split(\" – \").str[0].")]
    yield [_("Exported on"), _date(utcnow().date())]


def responses_spreadsheet(survey: Survey, fmt: str) -> Iterator[bytes]:
    """The raw responses, their dictionary of codes and a method sheet, as an XLSX or ODS file in chunks sent while
    it is written (the first one before any response is read)."""
    def chunks(survey: Survey) -> Iterator[bytes]:
        survey = _streamed(survey)
        communes = commune_choices(survey)
        columns = _analyst_columns(survey, communes)
        yield from writers.spreadsheet_chunks([
            (_("Pseudonymised responses"),
             builders.direct_rows(survey, answer_batches(survey, read_ahead=True), communes, columns=columns,
                                  labelled=True)),
            (_("Dictionary of codes"), builders.dictionary_rows(survey, columns, communes)),
            (_("Method"), about_rows(survey, _("Pseudonymised responses: one row per response in random order, a "
                                               "random pseudonym per row; no name, account, e-mail address, day or "
                                               "database number. Still personal data: a combination of answers can "
                                               "single someone out."))),
        ], fmt)
    return chunks(survey)


def _release_sheets(release: SurveyRelease):
    content, audit = content_of(release), audit_of(release)
    survey = release.survey
    channels = "; ".join(f"{line.label}: {builders.release_figure(line.cell, release.k)}"
                         for line in content.overview.channels.lines if line.cell.value != 0)
    method = builders.release_method_rows(
        survey_title=survey.title, territory=survey.territory.name, number=release.number,
        made_on=release.made_at.date(), responses=release.responses, period=release_period(release), k=release.k,
        channels=channels, audit=audit, content=content, opening=opening_window(survey))
    return builders.release_table_rows(content, release.k), method


def k_anonymous_plan(survey: Survey, *, threshold: int) -> anonymity.KAnonymity:
    """How the k-anonymous export merges and blanks the survey's combinations of commune, occupation, age band
    and sex (also what the export page reports)."""
    fields = anonymity.quasi_identifiers(survey)
    return anonymity.plan_k_anonymity(anonymity.combinations(survey, fields), fields, threshold)


def _k_anonymous_columns(survey: Survey, plan: anonymity.KAnonymity, communes: Mapping[str, str], *, texts: bool,
                         labelled: bool) -> list[builders.RawColumn]:
    # The "other" texts of the fields themselves are never written: they would undo the merging.
    left_out = {f"{quasi.code}_other_text" for quasi in plan.fields}
    if not texts:
        left_out |= builders.free_text_columns(survey)
    if not labelled:
        return [c for c in builders.raw_columns(survey, communes) if c.name not in left_out]
    merged = {quasi.code for quasi, groups in zip(plan.fields, plan.groups) if groups}
    return _analyst_columns(survey, communes, left_out=left_out, merged=merged)


def _k_anonymous_communes(survey: Survey) -> dict[str, str]:
    return {**commune_choices(survey), anonymity.OTHER_COMMUNES: _("Other communes")}


def k_anonymous_rows(survey: Survey, plan: anonymity.KAnonymity, *, texts: bool, labelled: bool = False):
    """Header, then the k-anonymous rows (the plan's merging and blanking applied; free texts only when `texts`):
    plain rows (the data package's) or `labelled` ones (the analysts' files)."""
    communes = _k_anonymous_communes(survey)
    columns = _k_anonymous_columns(survey, plan, communes, texts=texts, labelled=labelled)
    records = (dataclasses.replace(r, data=anonymity.released_data(r.data, plan)) for r in iter_records(survey))
    return builders.raw_rows(survey, records, communes, columns=columns, labelled=labelled)


def k_anonymous_csv(survey: Survey, *, threshold: int, texts: bool) -> Iterator[str]:
    """The k-anonymous variant of the raw responses as CSV chunks (free texts only when `texts`)."""
    def chunks(survey: Survey) -> Iterator[str]:
        survey = _streamed(survey)
        plan = k_anonymous_plan(survey, threshold=threshold)
        yield from writers.csv_chunks(k_anonymous_rows(survey, plan, texts=texts, labelled=True))
    return chunks(survey)


def k_anonymous_spreadsheet(survey: Survey, fmt: str, *, threshold: int, texts: bool) -> Iterator[bytes]:
    """The k-anonymous responses, their dictionary of codes, what was merged or blanked and a method sheet, as an
    XLSX or ODS file in chunks sent while it is written.

    The plan (which reads the answers of the protected fields) is made when the first sheet's rows are asked
    for, after the package's first bytes are sent."""
    def chunks(survey: Survey) -> Iterator[bytes]:
        survey = _streamed(survey)
        communes = commune_choices(survey)

        @functools.cache
        def plan() -> anonymity.KAnonymity:
            return k_anonymous_plan(survey, threshold=threshold)

        def dictionary():
            made = plan()
            columns = _k_anonymous_columns(survey, made, _k_anonymous_communes(survey), texts=texts, labelled=True)
            merged = {quasi.code: {group: anonymity.group_label(quasi, codes, communes)
                                   for group, codes in groups.items()}
                      for quasi, groups in zip(made.fields, made.groups) if groups}
            yield from builders.dictionary_rows(survey, columns, communes, withheld=[q.code for q in made.fields],
                                                merged=merged)

        yield from writers.spreadsheet_chunks([
            (_("k-anonymous responses"), _later(lambda: k_anonymous_rows(survey, plan(), texts=texts, labelled=True))),
            (_("Dictionary of codes"), dictionary()),
            (_("Anonymisation"), _later(lambda: anonymity.anonymisation_rows(plan(), communes, texts=texts))),
            (_("Method"), about_rows(survey, _("Pseudonymised responses made k-anonymous (k = %(k)d): rare answers "
                                               "merged or left blank, as the “%(sheet)s” sheet says.", k=threshold,
                                               sheet=_("Anonymisation")))),
        ], fmt)
    return chunks(survey)


def _later(make: Callable[[], Iterable[Row]]) -> Iterator[Row]:
    """The rows `make()` gives, made only when the first one is asked for."""
    yield from make()


def tables_spreadsheet(release: SurveyRelease, fmt: str) -> IO[bytes]:
    """A release's tables, its method sheet and what their columns and special values mean, as an XLSX or ODS file,
    rewound."""
    tables, method = _release_sheets(release)
    return writers.write_spreadsheet([(_("Tables"), tables), (_("Method"), method),
                                      (_("Dictionary of codes"), builders.tables_dictionary_rows(release.k))], fmt)


def tables_csv(release: SurveyRelease) -> Iterator[str]:
    """A release's tables as CSV chunks (the method sheet is in the spreadsheet files)."""
    tables, _method = _release_sheets(release)
    return writers.csv_chunks(tables)


def method_csv(release: SurveyRelease) -> Iterator[str]:
    """A release's method notes (n, period, channels, threshold, protection) as CSV chunks."""
    _tables, method = _release_sheets(release)
    return writers.csv_chunks(method)
