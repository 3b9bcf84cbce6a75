""""Files and reports" of a territory under /t/<slug>/files: the files a person may ask for, their jobs with
progress (the page refreshes itself, no JavaScript needed) and the downloads."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user

from consult.core.db import writes_on_get
from consult.core.forms import one_time_token, sent_token
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.diagnostic import jobs, services
from consult.diagnostic.kinds import KINDS
from consult.diagnostic.models import ExportJob
from consult.diagnostic.permissions import can_download_published_files
from consult.errors import Conflict
from consult.extensions import login_manager
from consult.territories.permissions import require
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("files", __name__, url_prefix="/t/<slug>/files"))

REFRESH_SECONDS = 2
DESCRIPTIONS = {
    "workbook": _l("Every sheet of the diagnostic in one spreadsheet: method and sources, participation, the "
                   "surveys' published tables, proposals, ideas, groups, fiches actions and indicators."),
    "report": _l("The consultation report to print or to edit: method, participation, key figures per axis, "
                 "proposals and what became of them, the fiches actions."),
    "action-plan": _l("The book of fiches actions, one fiche after another, or their table."),
    "datapackage": _l("The raw material as open data files described by a datapackage.json: responses, "
                      "proposals, supports, ideas and fiches."),
}
FORMAT_LABELS = {"csv": _l("CSV (ZIP)"), "json": _l("JSON (ZIP)")}
VARIANT_LABELS = {"k-anonymous": _l("k-anonymous"), "pseudonymised": _l("pseudonymised")}


def _labels() -> dict:
    """What the templates name kinds, formats and variants with."""
    return {"labels": {key: kind.label for key, kind in KINDS.items()}, "format_labels": FORMAT_LABELS,
            "variant_labels": VARIANT_LABELS}


@bp.before_request
def require_reader():
    """Observers, coordinators and admins of the territory; anonymous visitors are sent to log in."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(can_download_published_files(current_user, g.territory))
    return None


def _job_or_404(job_id: int) -> ExportJob:
    job = services.job_of(current_user, g.territory, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/")
def index():
    """Each file the person may ask for, one button per format, and their recent jobs."""
    territory = g.territory
    offered = [kind for kind in KINDS.values() if kind.allowed(current_user, territory)]
    return render_template("diagnostic/files/index.html", territory=territory, kinds=offered,
                           descriptions=DESCRIPTIONS, token=one_time_token(),
                           jobs=services.recent_jobs(current_user, territory), now=utcnow(),
                           is_expired=services.is_expired, **_labels())


@bp.post("/<kind>")
def ask(kind: str):
    """Queue the building of a file (a form sent twice gets the job of the first) and show its job."""
    options = {"variant": request.form.get("variant", ""), "texts": "1" if request.form.get("texts") else "0"}
    token = sent_token(request.form.get("form_token"))
    with transaction(refusals=()):
        job, created = services.request_export(current_user, g.territory, kind, request.form.get("fmt", ""),
                                               options, now=utcnow(), locale=str(get_locale()), token=token)
        job_id = job.id
    if created:
        jobs.enqueue_export(job_id)  # once committed, so that the worker finds it
    return redirect(url_for(".job", job_id=job_id))


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    """A job's progress (refreshing itself while it runs), then its file, its failure or its expiry."""
    found = _job_or_404(job_id)
    return render_template("diagnostic/files/job.html", territory=g.territory, job=found,
                           expired=services.is_expired(found, utcnow()),
                           refresh=REFRESH_SECONDS if found.active else None, **_labels())


@bp.get("/jobs/<int:job_id>/download")
@writes_on_get
def download(job_id: int):
    """The job's file, to its requester only, each download recorded; never cached."""
    found = _job_or_404(job_id)
    with transaction(show=False, refusals=Conflict) as taken:
        path = services.take_file(current_user, found, now=utcnow())
        name, mimetype = services.download_name(found), services.mimetype(found)
    if not taken.ok:
        flash(_("This file is not available any more: ask for it again."), "error")
        return redirect(url_for(".job", job_id=job_id))
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name, conditional=False,
                         etag=False, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
