"""The synthesis per axis and objective, question links, tagging of free texts and the participation dashboard,
under /t/<slug>/manage/synthesis. Observers read the index, the axis and objective pages and the dashboard (no
survey free text, no form); coordinators and admins do everything; everyone else is refused."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.core import audit
from consult.core.forms import Form, one_time_token
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.errors import ConsultError, NotFound
from consult.extensions import db
from consult.surveys.models import Survey, with_questionnaire
from consult.surveys.results import presentation
from consult.surveys.views.results import bar_chart
from consult.synthesis import participation as dashboard
from consult.synthesis.axes import links, tagging
from consult.synthesis.axes.evidence import counts, gather
from consult.synthesis.axes.targets import (axis_of, current_axes, objective_of, parse_id, resolve_target,
                                            target_choices)
from consult.synthesis.models import TextSource
from consult.synthesis.permissions import can_manage_plan, can_read_free_texts
from consult.territories.models import Axis, Objective
from consult.territories.permissions import require
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("synthesis", __name__, url_prefix="/t/<slug>/manage/synthesis"), readers_only=True)



@bp.context_processor
def helpers():
    """What the results macros need, and whether the reader may change the synthesis."""
    territory = g.get("territory")
    if territory is None:  # an error page before the territory was found
        return {}
    return {"figure": presentation.figure, "percent": presentation.percent, "decimal": presentation.decimal,
            "bar_chart": bar_chart, "mean_answer": presentation.mean_answer, "can_manage": can_manage_plan(current_user, territory),
            "can_read_texts": can_read_free_texts(current_user, territory)}


def _require_manager() -> None:
    require(can_manage_plan(current_user, g.territory))


def _axis_or_404(axis_id: int) -> Axis:
    axis = axis_of(g.territory, axis_id)
    if axis is None:
        abort(404)
    return axis


def _objective_or_404(objective_id: int) -> Objective:
    objective = objective_of(g.territory, objective_id)
    if objective is None:
        abort(404)
    return objective


def _survey_or_404(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id, options=with_questionnaire()) if parse_id(survey_id) else None
    if survey is None or survey.territory_id != g.territory.id:
        abort(404)
    return survey


@bp.get("/")
def index():
    """The current contract's axes and objectives, with what each source holds about them."""
    return render_template("synthesis/axes/index.html", territory=g.territory, axes=current_axes(g.territory),
                           counts=counts(current_user, g.territory),
                           surveys=tagging.territory_surveys(g.territory))


def _evidence_page(axis: Axis, objective: Objective | None):
    evidence = gather(current_user, axis, objective, now=utcnow())
    return render_template("synthesis/axes/axis.html", territory=g.territory, axis=axis, objective=objective,
                           evidence=evidence, action_form=Form(), draft_token=one_time_token())


@bp.get("/axes/<int:axis_id>")
def axis(axis_id: int):
    """Everything heard about one axis, from every channel."""
    return _evidence_page(_axis_or_404(axis_id), None)


@bp.get("/objectives/<int:objective_id>")
def objective(objective_id: int):
    """Everything heard about one objective, from every channel."""
    found = _objective_or_404(objective_id)
    return _evidence_page(found.axis, found)


@bp.get("/participation")
def participation():
    """Contributions over time, by channel, by category, by commune per 1,000 inhabitants and per axis."""
    return render_template("synthesis/axes/participation.html", territory=g.territory,
                           board=dashboard.dashboard(g.territory, now=utcnow()))


# --- question links (coordinators) --------------------------------------------------------------------

def _questions_page(survey: Survey, *, error: ConsultError | None = None, question_id: int | None = None,
                    typed: str | None = None, status: int = 200):
    return render_template("synthesis/axes/questions.html", territory=g.territory, survey=survey,
                           links=links.links_of_survey(survey), targets=target_choices(g.territory),
                           action_form=Form(), error=error, error_question=question_id, typed=typed), status


@bp.get("/surveys/<int:survey_id>/links")
def questions(survey_id: int):
    """The survey's questions, each with the axes and objectives it is linked to, and a form to link it."""
    _require_manager()
    return _questions_page(_survey_or_404(survey_id))


@bp.post("/surveys/<int:survey_id>/links")
def link(survey_id: int):
    """Link a question to an axis or objective of the current contract."""
    _require_manager()
    survey = _survey_or_404(survey_id)
    if not Form().validate_on_submit():
        return redirect(url_for(".questions", survey_id=survey.id))
    with transaction(show=False) as done:
        question = links.question_of(survey, request.form.get("question"))
        links.link_question(current_user, question, resolve_target(g.territory, request.form.get("target")))
    if done.ok:
        flash(_("The question %(code)s is linked.", code=question.code), "success")
        return redirect(url_for(".questions", survey_id=survey.id, _anchor=f"question-{question.id}"))
    if done.error.status_code == 403:
        raise done.error
    return _questions_page(survey, error=done.error, question_id=parse_id(request.form.get("question")),
                           typed=request.form.get("target"), status=422)


@bp.post("/surveys/<int:survey_id>/links/<int:link_id>/delete")
def unlink(survey_id: int, link_id: int):
    """Remove a question's link to an axis."""
    _require_manager()
    survey = _survey_or_404(survey_id)
    if Form().validate_on_submit():
        with transaction(show=False) as done:
            found = links.get_link(g.territory, survey, link_id)
            code = found.question.code
            links.unlink_question(current_user, found)
        if done.ok:
            flash(_("The link of question %(code)s is removed.", code=code), "success")
        elif done.error.status_code == 403:
            raise done.error
        else:
            flash(done.error.message, "error")
    return redirect(url_for(".questions", survey_id=survey.id))


# --- tagging free texts (coordinators) ----------------------------------------------------------------

def _filters() -> dict:
    """The list's filters as sent (unknown values ignored)."""
    source = request.values.get("source", "")
    return {"source": source if source in set(TextSource) else "",
            "survey": parse_id(request.values.get("survey")),
            "page": parse_id(request.values.get("page")) or 1}


def _back(filters: dict) -> str:
    return url_for(".texts", source=filters["source"] or None, survey=filters["survey"],
                   page=filters["page"] if filters["page"] > 1 else None)


def _texts_page(filters: dict, *, error: ConsultError | None = None, status: int = 200):
    found = tagging.text_page(current_user, g.territory, source=TextSource(filters["source"]) if filters["source"]
                              else None, survey_id=filters["survey"], page=filters["page"])
    return render_template("synthesis/axes/texts.html", territory=g.territory, found=found, filters=filters,
                           surveys=tagging.territory_surveys(g.territory), targets=target_choices(g.territory),
                           action_form=Form(), error=error, typed=request.form if error else {},
                           sources=list(TextSource)), status


@bp.get("/texts")
def texts():
    """The territory's free-text contributions (survey answers among them), filterable, each with a form to tag it
    with an axis; each reading in the audit trail."""
    _require_manager()
    filters = _filters()
    audit.record_read("answers.read", actor=current_user, territory=g.territory,
                      target=f"survey:{filters['survey']}" if filters["survey"] else "texts")
    return _texts_page(filters)


@bp.post("/texts/tag")
def tag():
    """Tag a free text (or an excerpt of published minutes) with an axis or objective."""
    _require_manager()
    filters = _filters()
    if not Form().validate_on_submit():
        return redirect(_back(filters))
    source = request.form.get("kind", "")
    with transaction(show=False) as done:
        if source not in set(TextSource):
            raise NotFound(_("This text no longer exists."))
        _tagged, created = tagging.tag_text(current_user, g.territory, TextSource(source), request.form.get("item"),
                                            resolve_target(g.territory, request.form.get("target")),
                                            excerpt=request.form.get("excerpt", ""))
    if done.ok:
        flash(_("The text is tagged.") if created else _("The text already had this tag."), "success")
        return redirect(_back(filters))
    if done.error.status_code == 403:
        raise done.error
    return _texts_page(filters, error=done.error, status=422)


@bp.post("/texts/<int:tagged_id>/untag")
def untag(tagged_id: int):
    """Remove a tag (a fiche's citation of it stops the removal)."""
    _require_manager()
    filters = _filters()
    if Form().validate_on_submit():
        with transaction(show=False) as done:
            tagging.untag_text(current_user, tagging.get_tagged(g.territory, tagged_id))
        if done.ok:
            flash(_("The tag is removed."), "success")
        elif done.error.status_code == 403:
            raise done.error
        else:
            flash(done.error.message, "error")
    return redirect(_back(filters))
