"""Survey results: the staff pages under /t/<slug>/manage/surveys/<id>/results (observers, coordinators,
admins) and the public page /t/<slug>/surveys/<id>/results, shown once the results are published."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from consult.core.forms import choices
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.extensions import login_manager
from consult.surveys import results
from consult.surveys.results import charts, presentation
from consult.surveys.permissions import can_manage_survey, can_read_individual_answers, can_read_results
from consult.surveys.views import get_survey_or_404
from consult.territories import permissions
from consult.territories.views import get_territory_or_404

bp = Blueprint("survey_results", __name__, url_prefix="/t/<slug>/manage/surveys/<int:survey_id>/results")
public_bp = Blueprint("survey_public_results", __name__, url_prefix="/t/<slug>/surveys/<int:survey_id>/results")


def _load_ids(_endpoint, values):
    """Territory from the slug (404 if unknown); the survey id is kept for the permission check."""
    g.territory = get_territory_or_404(values.pop("slug"))
    g.survey_id = values.pop("survey_id")


def _add_ids(_endpoint, values):
    if "territory" in g:
        values.setdefault("slug", g.territory.slug)
    if "survey" in g:
        values.setdefault("survey_id", g.survey.id)


for blueprint in (bp, public_bp):
    blueprint.url_value_preprocessor(_load_ids)
    blueprint.url_defaults(_add_ids)


@bp.before_request
def require_staff():
    """Observers, coordinators and admins of the territory (published or not)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    permissions.require(permissions.can_observe_territory(current_user, g.territory))
    g.survey = get_survey_or_404(g.territory, g.survey_id)
    return None


@public_bp.before_request
def require_published():
    """Everyone once published; before that, only the territory's staff (as a preview); else 404."""
    g.survey = get_survey_or_404(g.territory, g.survey_id)
    if not can_read_results(current_user, g.survey):
        abort(404)


def _helpers():
    """Formatting and chart helpers for the results templates; `k` is the survey's threshold."""
    survey = g.get("survey")
    return {"figure": presentation.figure, "percent": presentation.percent, "decimal": presentation.decimal,
            "bar_chart": bar_chart, "k": results.disclosure_threshold(survey) if survey else None,
            "can_read_texts": bool(survey) and can_read_individual_answers(current_user, survey)}


bp.context_processor(_helpers)
public_bp.context_processor(_helpers)


def bar_chart(shown: presentation.Shown, ident: str, title: str, k: int | None, by_share: bool = True):
    """The SVG bar chart of a distribution as shown (templates call this)."""
    described = _("Bar chart; the same figures are in the table.")
    return charts.bar_chart(presentation.bars(shown, k, by_share=by_share), ident=ident, title=title,
                            description=described)


def _weeks_chart(view: presentation.OverviewView, k: int | None):
    """Responses per week as columns; heights relative to the highest shown week (hidden weeks: no column)."""
    peak = max((line.cell.value or 0 for line in view.weeks.lines), default=0) or 1
    columns = [charts.Bar(format_date(day, "d MMM"), None if line.cell.hidden else line.cell.value / peak,
                          presentation.figure(line.cell, k))
               for day, line in zip(view.week_starts, view.weeks.lines)]
    return charts.column_chart(columns, ident="chart-weeks", title=_("Responses per week"),
                               description=_("Column chart; the same figures are in the table."),
                               peak_label=_("highest week: %(num)s", num=format_decimal(peak)))


# --- staff pages -------------------------------------------------------------------------------------

@bp.get("", endpoint="results")
def results_page():
    """Every question's results; exact figures for coordinators, disclosure control for observers."""
    survey = g.survey
    exact = can_read_individual_answers(current_user, survey)
    k = results.disclosure_threshold(survey)
    shown_k = None if exact else k
    data = results.load(survey)
    overview = presentation.overview(data, shown_k)
    return render_template(
        "surveys/results/staff.html", territory=g.territory, survey=survey, exact=exact, shown_k=shown_k,
        overview=overview, weeks_chart=_weeks_chart(overview, shown_k),
        questions=presentation.question_views(data, shown_k), action_form=FlaskForm(),
        can_publish=can_manage_survey(current_user, survey),
    )


class BreakdownForm(FlaskForm):
    """Which question to break down, and by what (a GET form: no token)."""

    class Meta:
        csrf = False

    question = SelectField(_l("Question"))
    by = SelectField(_l("Break down by"))


def _breakdown_page(template: str, **extra):
    """The GET form (question, variable) and, when both are valid, the protected cross-tabulation.
    Only questions answered by at least 2k respondents are offered; the others are named, with why."""
    survey = g.survey
    k = results.disclosure_threshold(survey)
    data = results.load(survey)
    variables = results.breakdown_variables(survey)
    form = BreakdownForm(request.args)
    offered, too_few = presentation.breakdown_questions(data, results.crossable_questions(survey, variables), k)
    form.question.choices = choices((q.code, f"{q.code} — {q.text}") for q in offered)
    form.by.choices = choices((v.key, v.label) for v in variables)
    question = next((q for q in offered if q.code == form.question.data), None)
    variable = next((v for v in variables if v.key == form.by.data), None)
    table = None
    if question is not None and variable is not None and results.can_cross(question, variable):
        table = presentation.breakdown(data, question, variable, k)
    return render_template(template, territory=g.territory, survey=survey, form=form, table=table,
                           enough=bool(offered), responses=len(data.responses),
                           minimum=presentation.minimum_responses(k), too_few=too_few,
                           refused=next((q for q in too_few if q.code == form.question.data), None),
                           asked=bool(request.args), **extra)


@bp.get("/breakdowns")
def breakdowns():
    """A closed question cross-tabulated by commune, age band, sex, category or channel (protected)."""
    return _breakdown_page("surveys/results/breakdowns.html")


@bp.get("/representativeness")
def representativeness():
    """Who has been heard: respondents per commune against its population."""
    k = results.disclosure_threshold(g.survey)
    view = presentation.representativeness(results.load(g.survey), k)
    return render_template("surveys/results/representativeness.html", territory=g.territory, survey=g.survey,
                           view=view, ratio=results.UNDER_REPRESENTED_RATIO)


@bp.get("/texts")
def texts():
    """Free-text and "other" answers, searchable: coordinators and admins only (individual answers)."""
    permissions.require(can_read_individual_answers(current_user, g.survey))
    search = request.args.get("q", "").strip()
    code = request.args.get("question", "")
    found = results.text_answers(g.survey, search=search, question_code=code or None,
                                 page=request.args.get("page", 1, type=int))
    return render_template("surveys/results/texts.html", territory=g.territory, survey=g.survey, found=found,
                           search=search, code=code, questions=results.text_questions(g.survey))


@bp.post("/<any(publish, unpublish):action>")
def publish(action: str):
    """Publish the aggregated results on the public page, or take them off."""
    if FlaskForm().validate_on_submit():
        with transaction(show=False) as done:
            if action == "publish":
                results.publish_results(current_user, g.survey, now=utcnow())
            else:
                results.unpublish_results(current_user, g.survey)
        if done.error is not None and done.error.status_code == 403:
            raise done.error
        if done.error is not None:
            flash(done.error.message, "error")
        else:
            flash(_("The results are published.") if action == "publish"
                  else _("The results are no longer public."), "success")
    return redirect(url_for("survey_results.results"))


# --- public page -------------------------------------------------------------------------------------

@public_bp.get("")
def public():
    """Published results: aggregated figures with disclosure control, the method, no free text."""
    survey = g.survey
    k = results.disclosure_threshold(survey)
    data = results.load(survey)
    overview = presentation.overview(data, k)
    return render_template("surveys/results/public.html", territory=g.territory, survey=survey, shown_k=k,
                           overview=overview, questions=presentation.question_views(data, k),
                           preview=survey.results_published_at is None,
                           enough=any(presentation.can_break_down(data, q, k) for q in
                                      results.crossable_questions(survey, results.breakdown_variables(survey))))


@public_bp.get("/breakdowns")
def public_breakdowns():
    """Published breakdowns (protected, as on the staff page)."""
    return _breakdown_page("surveys/results/public_breakdowns.html",
                           preview=g.survey.results_published_at is None)
