"""Survey results: the staff pages under /t/<slug>/manage/surveys/<id>/results and the release pages under
/t/<slug>/surveys/<id>/results.

Coordinators and admins (who may read individual answers) see live figures on the staff pages and can
preview a release. Everyone else — observers on the staff pages, the public once published — reads
releases only: frozen, protected together, never recomputed per request."""
from __future__ import annotations

import gc

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from consult.core import audit
from consult.core.db import LARGEST_ID
from consult.core.forms import Form, choices
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.extensions import login_manager
from consult.surveys import results
from consult.surveys.releases import services as releases
from consult.surveys.releases.content import ReleaseContent
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.results import charts, presentation
from consult.surveys.permissions import (
    can_manage_survey,
    can_read_individual_answers,
    can_read_results,
    can_write_key_findings,
)
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
            "mean_answer": presentation.mean_answer, "key_findings_html": presentation.key_findings_html,
            "can_read_texts": bool(survey) and can_read_individual_answers(current_user, survey),
            "may_write_key_findings": bool(survey) and can_write_key_findings(current_user, survey),
            "latest_release": _latest() if survey else None}


def _releases() -> list[SurveyRelease]:
    """The survey's releases, the latest first, read once per request."""
    if "releases" not in g:
        g.releases = releases.releases_of(g.survey)
    return g.releases


def _latest() -> SurveyRelease | None:
    return _releases()[0] if _releases() else None


bp.context_processor(_helpers)
public_bp.context_processor(_helpers)

# Set by wsgi.py once it has frozen the started app's objects out of the collector (gc.freeze()).
FROZEN = "consult_gc_frozen"
# The pages that compute figures now rather than read a stored release.
LIVE = frozenset({"survey_public_results.preview", "survey_public_results.preview_breakdowns"})


def _collect_cycles(response):
    """After a page that computed live figures, collect the reference cycles it left (the release builder's
    steps, the questionnaire's objects: 2,000 to 45,000 objects). Left to the collector's own pace they wait
    for a full collection, which `wsgi.py`'s gc.freeze() makes rare: a worker serving the preview again and
    again grew by 3-8 MB a request (106 -> 121 MB over six previews at 100,000 responses). A collection here
    costs a few milliseconds (what was frozen is not walked). A process that froze nothing (`flask run`, the tests)
    keeps the collector's own pace, which then reaches those cycles soon enough, and a collection there would walk
    every object of the process. (Whether it froze is a flag `wsgi.py` sets: `gc.get_freeze_count()` walks every
    frozen object to count them, ~15 ms.)"""
    if current_app.extensions.get(FROZEN) and (request.blueprint == bp.name or request.endpoint in LIVE):
        gc.collect()
    return response


bp.after_request(_collect_cycles)
public_bp.after_request(_collect_cycles)


def bar_chart(shown: presentation.Shown, ident: str, title: str, k: int | None, by_share: bool = True):
    """The SVG bar chart of a distribution as shown (templates call this)."""
    described = _("Bar chart; the same figures are in the table.")
    return charts.bar_chart(presentation.bars(shown, k, by_share=by_share), ident=ident, title=title,
                            description=described, compact=True)


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

def _exact() -> bool:
    return can_read_individual_answers(current_user, g.survey)


def _no_release():
    """The staff page of a survey without any release (observers read releases only)."""
    return render_template("surveys/results/no_release.html", territory=g.territory, survey=g.survey), 200


@bp.get("", endpoint="results")
def results_page():
    """Coordinators: every question's exact live results and the releases. Observers: the latest release."""
    survey = g.survey
    made = _releases()
    if not _exact():
        if not made:
            return _no_release()
        content = releases.content_of(made[0])
        return render_template(
            "surveys/results/staff.html", territory=g.territory, survey=survey, exact=False, shown_k=made[0].k,
            k=made[0].k, overview=content.overview, weeks_chart=_weeks_chart(content.overview, made[0].k),
            questions=content.questions, release=made[0], releases=made, action_form=Form(), can_publish=False)
    data = results.load(survey)
    overview = presentation.overview(data, None)
    return render_template(
        "surveys/results/staff.html", territory=g.territory, survey=survey, exact=True, shown_k=None,
        overview=overview, weeks_chart=_weeks_chart(overview, None),
        questions=presentation.question_views(data, None), action_form=Form(),
        can_publish=can_manage_survey(current_user, survey), releases=made, release=made[0] if made else None,
        needed=releases.responses_needed(survey, data.total, previous=made[0] if made else None),
    )


class BreakdownForm(Form):
    """Which question to break down, and by what (a GET form: no token)."""

    class Meta:
        csrf = False

    question = SelectField(_l("Question"))
    by = SelectField(_l("Break down by"))


def _live_breakdown_page(template: str, **extra):
    """Coordinators' live breakdowns: the GET form and, when both are valid, the table protected on its own.
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
                           enough=bool(offered), responses=data.total,
                           minimum=presentation.minimum_responses(k), too_few=too_few,
                           refused=next((q for q in too_few if q.code == form.question.data), None),
                           asked=bool(request.args), **extra)


def _release_breakdown_page(template: str, release: SurveyRelease, content: ReleaseContent, **extra):
    """A release's breakdowns: the same form, every table read from the release."""
    form = BreakdownForm(request.args)
    offered = content.offered
    form.question.choices = choices((q.code, f"{q.code} — {q.text}") for q in offered)
    form.by.choices = choices((v.key, v.label) for v in content.variables)
    table = None
    if any(q.code == form.question.data for q in offered):
        table = content.table(form.question.data, form.by.data)
    return render_template(template, territory=g.territory, survey=g.survey, form=form, table=table,
                           enough=bool(offered), responses=release.responses,
                           minimum=presentation.minimum_responses(release.k), too_few=content.too_few,
                           refused=next((q for q in content.too_few if q.code == form.question.data), None),
                           asked=bool(request.args), k=release.k, release=release, **extra)


@bp.get("/breakdowns")
def breakdowns():
    """A closed question cross-tabulated by commune, age band, sex, category or channel (protected)."""
    if _exact():
        return _live_breakdown_page("surveys/results/breakdowns.html")
    release = _latest()
    if release is None:
        return _no_release()
    return _release_breakdown_page("surveys/results/breakdowns.html", release, releases.content_of(release))


@bp.get("/representativeness")
def representativeness():
    """Who has been heard: respondents per commune against its population."""
    if _exact():
        view = presentation.representativeness(results.load(g.survey), results.disclosure_threshold(g.survey))
        k = results.disclosure_threshold(g.survey)
    else:
        release = _latest()
        if release is None:
            return _no_release()
        view, k = releases.content_of(release).representativeness, release.k
    return render_template("surveys/results/representativeness.html", territory=g.territory, survey=g.survey,
                           view=view, ratio=results.UNDER_REPRESENTED_RATIO, k=k)


@bp.get("/texts")
def texts():
    """Free-text and "other" answers, searchable: coordinators and admins only (individual answers)."""
    permissions.require(can_read_individual_answers(current_user, g.survey))
    search = request.args.get("q", "").strip()
    code = request.args.get("question", "")
    found = results.text_answers(g.survey, search=search, question_code=code or None,
                                 page=request.args.get("page", 1, type=int))
    audit.record_read("answers.read", actor=current_user, territory=g.territory, target=f"survey:{g.survey.id}",
                      detail={"answers": len(found.items)})
    return render_template("surveys/results/texts.html", territory=g.territory, survey=g.survey, found=found,
                           search=search, code=code, questions=results.text_questions(g.survey))


class KeyFindingsForm(Form):
    """The coordinator's key findings of one release."""

    text = TextAreaField(_l("Key findings"), validators=[Length(max=releases.KEY_FINDINGS_MAX)],
                         description=_l("What to remember from these results, in a few short sentences. Leave "
                                        "empty to show nothing. A line starting with “- ” makes a list; "
                                        "**words** between two stars are shown in bold."),
                         render_kw={"rows": 12})


@bp.route("/releases/<int:number>/key-findings", methods=["GET", "POST"])
def key_findings(number: int):
    """Write or edit what a release's readers see first (« L'essentiel »); its figures never change."""
    release = _release_or_404(number)
    permissions.require(can_write_key_findings(current_user, g.survey))
    form = KeyFindingsForm()
    earlier = None
    if not form.is_submitted():
        form.text.data, earlier = releases.key_findings_draft(release)
    elif form.validate():
        with transaction(form) as saved:
            releases.write_key_findings(current_user, release, form.text.data)
        if saved.ok:
            flash(_("The key findings of release no. %(number)d are saved.", number=release.number)
                  if release.key_findings else
                  _("Release no. %(number)d has no key findings any more.", number=release.number), "success")
            # Where readers will see them: the release's own page.
            return redirect(url_for("survey_public_results.public", number=release.number))
    return render_template("surveys/results/key_findings.html", territory=g.territory, survey=g.survey,
                           release=release, form=form, earlier=earlier,
                           maximum=releases.KEY_FINDINGS_MAX), 422 if form.errors else 200


@bp.post("/<any(publish, unpublish, release):action>")
def publish(action: str):
    """Publish the latest release (making the first one), make a new release, or take the releases off."""
    if Form().validate_on_submit():
        with transaction(show=False) as done:
            if action == "publish":
                releases.publish_results(current_user, g.survey, now=utcnow())
            elif action == "release":
                made = releases.make_release(current_user, g.survey, now=utcnow())
            else:
                releases.unpublish_results(current_user, g.survey)
        if done.error is not None and done.error.status_code == 403:
            raise done.error
        if done.error is not None:
            flash(done.error.message, "error")
        elif action == "release":
            flash(_("Release no. %(number)d is made.", number=made.number), "success")
        else:
            flash(_("The results are published.") if action == "publish"
                  else _("The results are no longer public."), "success")
    return redirect(url_for("survey_results.results"))


# --- release pages -----------------------------------------------------------------------------------

def _release_or_404(number: int | None) -> SurveyRelease:
    if number is not None and number > LARGEST_ID:
        abort(404)
    release = (_latest() if number is None
               else next((r for r in _releases() if r.number == number), None))
    if release is None:
        abort(404)
    return release


def _release_page(release: SurveyRelease, content: ReleaseContent, *, preview: bool):
    return render_template(
        "surveys/results/public.html", territory=g.territory, survey=g.survey, shown_k=release.k, k=release.k,
        overview=content.overview, questions=content.questions, sections=presentation.sections(content.questions),
        release=release, preview=preview,
        published=g.survey.results_published_at is not None, releases=_releases(),
        enough=bool(content.offered))


@public_bp.get("", defaults={"number": None})
@public_bp.get("/releases/<int:number>")
def public(number: int | None):
    """A release (the latest by default): aggregated figures protected together, the method, no free text."""
    release = _release_or_404(number)
    return _release_page(release, releases.content_of(release), preview=False)


@public_bp.get("/breakdowns", defaults={"number": None})
@public_bp.get("/releases/<int:number>/breakdowns")
def public_breakdowns(number: int | None):
    """A release's breakdowns (protected with the rest of the release)."""
    release = _release_or_404(number)
    return _release_breakdown_page("surveys/results/public_breakdowns.html", release, releases.content_of(release),
                                   preview=False)


@public_bp.get("/releases")
def release_list():
    """Every release of the survey: when, how many responses, which period, which k."""
    made = _releases()
    if not made:
        abort(404)
    return render_template("surveys/results/releases.html", territory=g.territory, survey=g.survey, releases=made)


def _preview() -> tuple[SurveyRelease, ReleaseContent]:
    """What a release made now would show: coordinators only (for anyone else, no such page)."""
    if not can_manage_survey(current_user, g.survey):
        abort(404)
    found = releases.preview_release(g.survey, now=utcnow())
    if found is None:
        abort(404)
    return found


@public_bp.get("/preview")
def preview():
    """The release a coordinator would make now, labelled as a preview (nothing stored or published)."""
    release, content = _preview()
    return _release_page(release, content, preview=True)


@public_bp.get("/preview/breakdowns")
def preview_breakdowns():
    """The breakdowns of that preview."""
    release, content = _preview()
    return _release_breakdown_page("surveys/results/public_breakdowns.html", release, content, preview=True)
