"""Survey exports under /t/<slug>/manage/surveys/<id>/export/ (raw answers for coordinators, aggregated
tables for observers too) and the printable questionnaire under /t/<slug>/surveys/<id>/print."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_login import current_user

from consult.core import audit
from consult.core.models import utcnow
from consult.exports.pdf import render_pdf_copies
from consult.exports.responses import send_export
from consult.extensions import login_manager
from consult.surveys import permissions as survey_permissions
from consult.surveys.answering.answers import OTHER_COMMUNE
from consult.surveys.exports import anonymity, files, printable
from consult.surveys.models import Survey, SurveyStatus, with_questionnaire
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import latest_release
from consult.surveys.results import disclosure_threshold
from consult.surveys.services import commune_choices
from consult.surveys.views import get_survey_or_404
from consult.territories import permissions
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("survey_exports", __name__, url_prefix="/t/<slug>"))

EXPORT = "/manage/surveys/<int:survey_id>/export"


def _allowed_survey(survey_id: int, allowed, *, options=()) -> Survey:
    """The survey (with what `options` load), once the user is logged in and `allowed(user, survey)`; else login,
    403 or 404."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    survey = get_survey_or_404(g.territory, survey_id, options=options)
    permissions.require(allowed(current_user, survey))
    return survey


def _filename(survey: Survey, what: str, fmt: str) -> str:
    return f"{g.territory.slug}-survey-{survey.id}-{what}-{utcnow().date().isoformat()}.{fmt}"


def _download(survey: Survey, body, what: str, fmt: str) -> Response:
    """An attachment that no cache keeps; CSV bodies are streamed as they are produced."""
    current_app.logger.info("export survey=%s what=%s format=%s user=%s", survey.id, what, fmt, current_user.id)
    audit.record_read("export", actor=current_user, territory=g.territory, target=f"survey:{survey.id}",
                      detail={"file": what, "format": fmt})
    return send_export(body, filename=_filename(survey, what, fmt), fmt=fmt)


@bp.get(f"{EXPORT}/")
def index(survey_id: int):
    """The files this user may download for the survey."""
    survey = _allowed_survey(survey_id, survey_permissions.can_download_tables, options=with_questionnaire())
    raw = survey_permissions.can_read_individual_answers(current_user, survey)
    threshold = disclosure_threshold(survey)
    plan = files.k_anonymous_plan(survey, threshold=threshold) if raw else None
    return render_template("surveys/exports/index.html", territory=g.territory, survey=survey, raw=raw,
                           threshold=threshold, plan=plan, field_names=anonymity.field_names(plan.fields) if raw else "",
                           release=latest_release(survey))


@bp.get(f"{EXPORT}/responses.csv")
def responses_csv(survey_id: int):
    """Pseudonymised raw responses, one row per response in random order (coordinators and admins)."""
    survey = _allowed_survey(survey_id, survey_permissions.can_read_individual_answers)
    return _download(survey, files.responses_csv(survey), "responses-pseudonymised", "csv")


@bp.get(f"{EXPORT}/responses.<any(xlsx, ods):fmt>")
def responses_spreadsheet(survey_id: int, fmt: str):
    """Pseudonymised raw responses, their dictionary of codes and a method sheet as a spreadsheet (coordinators and
    admins)."""
    survey = _allowed_survey(survey_id, survey_permissions.can_read_individual_answers)
    return _download(survey, files.responses_spreadsheet(survey, fmt), "responses-pseudonymised", fmt)


@bp.get(f"{EXPORT}/responses-k-anonymous.<any(csv, xlsx, ods):fmt>")
def responses_k_anonymous(survey_id: int, fmt: str):
    """The k-anonymous variant of the raw responses; free texts only with ?texts=1 (coordinators and admins)."""
    survey = _allowed_survey(survey_id, survey_permissions.can_read_individual_answers)
    texts, threshold = request.args.get("texts") == "1", disclosure_threshold(survey)
    if fmt == "csv":
        body = files.k_anonymous_csv(survey, threshold=threshold, texts=texts)
    else:
        body = files.k_anonymous_spreadsheet(survey, fmt, threshold=threshold, texts=texts)
    return _download(survey, body, "responses-k-anonymous", fmt)


@bp.get(f"{EXPORT}/codebook.csv")
def codebook_csv(survey_id: int):
    """The dictionary of codes: what every column and code of the raw export means (no answers in it)."""
    survey = _allowed_survey(survey_id, survey_permissions.can_download_tables)
    return _download(survey, files.codebook_csv(survey), "codebook", "csv")


def _latest_release(survey: Survey) -> SurveyRelease:
    """The release the aggregated tables come from (404 before the first one: no figures to give yet)."""
    release = latest_release(survey)
    if release is None:
        abort(404)
    return release


@bp.get(f"{EXPORT}/tables.<any(xlsx, ods):fmt>")
def tables_spreadsheet(survey_id: int, fmt: str):
    """The latest release's tables and its method sheet (observers, coordinators, admins)."""
    survey = _allowed_survey(survey_id, survey_permissions.can_download_tables)
    release = _latest_release(survey)
    return _download(survey, files.tables_spreadsheet(release, fmt), f"release-{release.number}-tables", fmt)


@bp.get(f"{EXPORT}/<any(tables, method):what>.csv")
def tables_csv(survey_id: int, what: str):
    """The latest release's tables, or its method notes, as CSV (observers, coordinators, admins)."""
    survey = _allowed_survey(survey_id, survey_permissions.can_download_tables)
    release = _latest_release(survey)
    make = files.tables_csv if what == "tables" else files.method_csv
    return _download(survey, make(release), f"release-{release.number}-{what}", "csv")


def _visible_survey(survey_id: int) -> Survey:
    """A survey this visitor may see (drafts: its managers only; others get 404, not a hint it exists)."""
    survey = get_survey_or_404(g.territory, survey_id, options=with_questionnaire())
    if not survey_permissions.can_see_survey(current_user, survey):
        abort(404)
    return survey


def _print_options(survey: Survey) -> printable.PrintOptions:
    return printable.read_print_options(request.args,
                                        may_number=survey_permissions.can_manage_survey(current_user, survey))


def _print_html(survey: Survey, options: printable.PrintOptions, numbers: list[str | None], *, pdf: bool) -> str:
    return render_template("surveys/print.html", territory=g.territory, survey=survey, pdf=pdf, options=options,
                           numbers=numbers, max_copies=printable.MAX_COPIES,
                           may_number=survey_permissions.can_manage_survey(current_user, survey),
                           layout=printable.print_layout(survey), communes=commune_choices(survey),
                           other_commune=OTHER_COMMUNE,
                           commune_list_limit=printable.COMMUNE_LIST_LIMIT)


@bp.get("/surveys/<int:survey_id>/print")
def print_version(survey_id: int):
    """The paper questionnaire, to print from the browser, with the print choices."""
    survey = _visible_survey(survey_id)
    options = _print_options(survey)
    return _print_html(survey, options, options.numbers, pdf=False)


@bp.get("/surveys/<int:survey_id>/print.pdf")
def print_pdf(survey_id: int):
    """The paper questionnaire as an A4 PDF: one copy, or numbered copies (one after the other)."""
    survey = _visible_survey(survey_id)
    options = _print_options(survey)
    pdf = render_pdf_copies([_print_html(survey, options, [number], pdf=True) for number in options.numbers],
                            base_url=request.url_root)
    return send_export(pdf, filename=f"{g.territory.slug}-survey-{survey.id}.pdf", fmt="pdf", inline=True,
                       private=bool(options.copies) or survey.status == SurveyStatus.DRAFT)  # a draft: its managers only
