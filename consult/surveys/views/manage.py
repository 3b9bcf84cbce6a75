"""Coordinator pages for surveys: list, create (from the template), settings, status, pages,
questions, access codes and paper entry — under /t/<slug>/manage/surveys."""
from __future__ import annotations


from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from consult.core.forms import choices, one_time_token, sent_token
from consult.core.time import local_input, stored_utc
from consult.core.transaction import apply_error, transaction
from consult.extensions import db
from consult.surveys import forms, services
from consult.surveys.building import builder
from consult.surveys.answering import answers as answer_rules
from consult.surveys.results import disclosure_threshold
from consult.surveys.models import (CHOICE_TYPES, Channel, Question, QuestionType, Survey, SurveyMode, SurveyPage,
                                    with_questionnaire)
from consult.surveys.views import get_survey_or_404
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("survey_manage", __name__, url_prefix="/t/<slug>/manage/surveys"), managers_only=True)


def _survey(survey_id: int):
    return get_survey_or_404(g.territory, survey_id, options=with_questionnaire())


def _builder_url(survey, anchor: str | None = None) -> str:
    return url_for("survey_manage.detail", survey_id=survey.id, _anchor=anchor)


@bp.route("/", methods=["GET", "POST"])
def index():
    """The territory's surveys, and the form that starts a new one."""
    form = forms.NewSurveyForm()
    if form.validate_on_submit():
        with transaction(refusals=()):
            survey = builder.create_survey(current_user, g.territory, builder.SurveyData(title=form.title.data.strip()),
                                           from_template=form.start.data == "template")
        flash(_("The survey is created as a draft. Check its settings and questions, then open it."), "success")
        return redirect(_builder_url(survey))
    surveys = builder.territory_surveys(g.territory)
    counts = {s.id: builder.response_count(s) for s in surveys}
    return render_template("surveys/manage/index.html", territory=g.territory, form=form, surveys=surveys,
                           counts=counts)


@bp.get("/<int:survey_id>/")
def detail(survey_id: int):
    """The builder: settings summary, status, pages and questions."""
    survey = _survey(survey_id)
    return render_template("surveys/manage/detail.html", territory=g.territory, survey=survey,
                           responses=builder.response_count(survey), threshold=disclosure_threshold(survey),
                           page_form=forms.PageForm(prefix="page"),
                           action_form=forms.ButtonForm(), types=list(QuestionType))


def _settings_choices(form) -> None:
    axes, objectives = builder.axes_and_objectives(g.territory)
    form.axis_ids.choices = choices((a.id, a.title) for a in axes)
    form.objective_ids.choices = choices((o.id, o.title) for o in objectives)


# A constant: get_or_404 keeps one statement per loader options.
SETTINGS_PAGE = (selectinload(Survey.axes), selectinload(Survey.objectives))


@bp.route("/<int:survey_id>/settings", methods=["GET", "POST"])
def settings(survey_id: int):
    """Edit the survey's settings."""
    survey = get_survey_or_404(g.territory, survey_id, options=SETTINGS_PAGE)
    form = forms.SurveyForm(obj=survey if request.method == "GET" else None)
    _settings_choices(form)
    if request.method == "GET":
        form.mode.data = survey.mode.value
        form.opens_at.data, form.closes_at.data = local_input(survey.opens_at), local_input(survey.closes_at)
        form.axis_ids.data = [a.id for a in survey.axes]
        form.objective_ids.data = [o.id for o in survey.objectives]
    if form.validate_on_submit():
        with transaction(form) as saved:
            builder.update_survey(current_user, survey, builder.SurveyData(
                title=form.title.data.strip(), introduction=form.introduction.data or "",
                purpose=form.purpose.data or "", retention=form.retention.data or "",
                retention_months=form.retention_months.data, mode=SurveyMode(form.mode.data),
                opens_at=stored_utc(form.opens_at.data),
                closes_at=stored_utc(form.closes_at.data),
                access_codes_required=form.access_codes_required.data,
                disclosure_threshold=form.disclosure_threshold.data, mental_health=form.mental_health.data,
                recontact_enabled=form.recontact_enabled.data, axis_ids=form.axis_ids.data or [],
                objective_ids=form.objective_ids.data or [],
            ))
        if saved.ok:
            flash(_("The settings are saved."), "success")
            return redirect(_builder_url(survey))
    return render_template("surveys/manage/settings.html", territory=g.territory, survey=survey, form=form)


@bp.post("/<int:survey_id>/status/<any(open, close, archive, unarchive):action>")
def change_status(survey_id: int, action: str):
    """Open, close, archive or unarchive the survey."""
    survey = _survey(survey_id)
    if forms.ButtonForm().validate_on_submit():
        with transaction() as changed:
            builder.change_status(current_user, survey, action)
        if changed.ok:
            flash(_("The survey is now “%(status)s”.", status=survey.status.label), "success")
    return redirect(_builder_url(survey))


# --- pages -------------------------------------------------------------------------------------------

def _condition_choices(survey, before: tuple[int, int]) -> list:
    """Choice questions placed before (page position, question position): what a condition may test."""
    eligible = [(q.code, f"{q.code} — {q.text[:80]}") for q in survey.questions
                if q.type in CHOICE_TYPES and (q.page.position, q.position) < before]
    return choices([("", _("— Always shown —"))] + eligible)


@bp.post("/<int:survey_id>/pages")
def add_page(survey_id: int):
    """Add a page."""
    survey = _survey(survey_id)
    form = forms.PageForm(prefix="page")
    form.condition_code.choices = choices([("", "")])
    if form.validate_on_submit():
        with transaction(refusals=()):
            page = builder.add_page(current_user, survey, form.title.data.strip(), form.description.data or "",
                                    mental_health=form.mental_health.data)
        flash(_("The page is added."), "success")
        return redirect(_builder_url(survey, f"page-{page.id}"))
    flash(_("Give the page a title."), "error")
    return redirect(_builder_url(survey, "add-page"))


def _page(survey, page_id: int) -> SurveyPage:
    page = db.session.get(SurveyPage, page_id)
    if page is None or page.survey_id != survey.id:
        abort(404)
    return page


@bp.route("/<int:survey_id>/pages/<int:page_id>/edit", methods=["GET", "POST"])
def edit_page(survey_id: int, page_id: int):
    """Edit a page and its display condition."""
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    form = forms.PageForm(obj=page if request.method == "GET" else None)
    form.condition_code.choices = _condition_choices(survey, (page.position, -1))
    if request.method == "GET":
        form.condition_values.data = ", ".join(page.condition_values or [])
    if form.validate_on_submit():
        with transaction(form) as saved:
            builder.update_page(current_user, page, form.title.data.strip(), form.description.data or "",
                                mental_health=form.mental_health.data, condition_code=form.condition_code.data or None,
                                condition_values=[v.strip() for v in (form.condition_values.data or "").split(",")
                                                  if v.strip()])
        if saved.ok:
            flash(_("The page is saved."), "success")
            return redirect(_builder_url(survey, f"page-{page.id}"))
    return render_template("surveys/manage/page_form.html", territory=g.territory, survey=survey, page=page, form=form)


@bp.post("/<int:survey_id>/pages/<int:page_id>/<any(up, down, delete):action>")
def page_action(survey_id: int, page_id: int, action: str):
    """Move or delete a page."""
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    if forms.ButtonForm().validate_on_submit():
        with transaction():
            if action == "delete":
                builder.delete_page(current_user, page)
                flash(_("The page is deleted."), "success")
            else:
                builder.move(current_user, page, -1 if action == "up" else 1)
    return redirect(_builder_url(survey, None if action == "delete" else f"page-{page_id}"))


# --- questions ---------------------------------------------------------------------------------------

def _question(survey, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _question_data(form) -> builder.QuestionData:
    kind = QuestionType(form.type.data)
    return builder.QuestionData(
        type=kind, text=form.text.data.strip(), falc_text=(form.falc_text.data or "").strip(),
        help_text=(form.help_text.data or "").strip(), required=form.required.data,
        options=forms.lines(form.options.data) if kind.has_options else [],
        rows=forms.lines(form.rows.data) if kind is QuestionType.MATRIX else [],
        scores=form.score_list() if form.scored.data else None, other_label=(form.other_label.data or "").strip(),
        min_choices=form.min_choices.data, max_choices=form.max_choices.data, min_value=form.min_value.data,
        max_value=form.max_value.data, low_label=form.low_label.data or "", high_label=form.high_label.data or "",
        max_length=form.max_length.data, scored=form.scored.data, score_multiplier=form.score_multiplier.data,
        score_cutoff=form.score_cutoff.data, score_cutoff_label=form.score_cutoff_label.data or "",
        breakdown_role=form.breakdown_role.data or None, condition_code=form.condition_code.data or None,
        condition_values=form.value_list(),
    )


def _fill_question_form(form, question: Question) -> None:
    form.type.data = question.type.value
    form.options.data = "\n".join(o.label for o in question.choices if not o.is_other)
    form.rows.data = "\n".join(o.label for o in question.rows)
    form.other_label.data = next((o.label for o in question.options if o.is_other), "")
    scores = [o.score for o in question.choices if not o.is_other]
    form.scores.data = ", ".join(f"{s:g}" for s in scores) if question.scored and None not in scores else ""
    form.breakdown_role.data = question.breakdown_role or ""
    form.condition_code.data = question.condition_code or ""
    form.condition_values.data = ", ".join(question.condition_values or [])


@bp.route("/<int:survey_id>/pages/<int:page_id>/questions/new", methods=["GET", "POST"])
def new_question(survey_id: int, page_id: int):
    """Add a question to a page."""
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    form = forms.QuestionForm()
    form.condition_code.choices = _condition_choices(survey, (page.position, len(page.questions)))
    if request.method == "GET":
        requested = request.args.get("type", QuestionType.SINGLE.value)
        form.type.data = requested if requested in {t.value for t in QuestionType} else QuestionType.SINGLE.value
        defaults = builder.DEFAULT_OPTIONS.get(QuestionType(form.type.data))
        if defaults:
            form.options.data = "\n".join(defaults)
    if form.validate_on_submit():
        with transaction(form) as added:
            question = builder.add_question(current_user, page, _question_data(form))
        if added.ok:
            flash(_("Question %(code)s is added.", code=question.code), "success")
            return redirect(_builder_url(survey, f"question-{question.id}"))
    return render_template("surveys/manage/question_form.html", territory=g.territory, survey=survey, page=page,
                           question=None, form=form, locked=builder.response_count(survey) > 0)


@bp.route("/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(survey_id: int, question_id: int):
    """Edit a question; once answers exist, only wording can change and options can only be added."""
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    form = forms.QuestionForm(obj=question if request.method == "GET" else None)
    form.condition_code.choices = _condition_choices(survey, (question.page.position, question.position))
    if request.method == "GET":
        _fill_question_form(form, question)
    if form.validate_on_submit():
        with transaction(form) as saved:
            builder.update_question(current_user, question, _question_data(form))
        if saved.ok:
            flash(_("Question %(code)s is saved.", code=question.code), "success")
            return redirect(_builder_url(survey, f"question-{question.id}"))
    return render_template("surveys/manage/question_form.html", territory=g.territory, survey=survey,
                           page=question.page, question=question, form=form,
                           locked=builder.response_count(survey) > 0)


@bp.post("/<int:survey_id>/questions/<int:question_id>/<any(up, down, duplicate, delete):action>")
def question_action(survey_id: int, question_id: int, action: str):
    """Move, duplicate or delete a question."""
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    anchor = f"question-{question.id}"
    if forms.ButtonForm().validate_on_submit():
        with transaction():
            if action == "duplicate":
                copy = builder.duplicate_question(current_user, question)
                anchor = f"question-{copy.id}"
                flash(_("Question %(code)s is a copy of %(original)s.", code=copy.code, original=question.code), "success")
            elif action == "delete":
                builder.delete_question(current_user, question)
                anchor = f"page-{question.page_id}"
                flash(_("The question is deleted."), "success")
            else:
                builder.move(current_user, question, -1 if action == "up" else 1)
    return redirect(_builder_url(survey, anchor))


# --- access codes ------------------------------------------------------------------------------------

@bp.route("/<int:survey_id>/codes", methods=["GET", "POST"])
def codes(survey_id: int):
    """Generate single-use access codes and print them."""
    survey = _survey(survey_id)
    form = forms.AccessCodesForm()
    if form.validate_on_submit():
        with transaction(form) as generated:
            made = builder.generate_access_codes(current_user, survey, form.count.data)
        if generated.ok:
            flash(ngettext("%(num)d code generated.", "%(num)d codes generated.", len(made)), "success")
            return redirect(url_for("survey_manage.codes", survey_id=survey.id))
    return render_template("surveys/manage/codes.html", territory=g.territory, survey=survey, form=form,
                           codes=builder.access_codes(survey), print_view=request.args.get("print") == "1")


# --- paper entry ------------------------------------------------------------------------------------

@bp.route("/<int:survey_id>/entry", methods=["GET", "POST"])
def entry(survey_id: int):
    """Key in a paper, phone or workshop questionnaire: every question on one page, same validation."""
    survey = _survey(survey_id)
    meta = forms.EntryMetaForm()
    data, errors = {}, {}
    if request.method == "GET":
        meta.entry_id.data = one_time_token()
        meta.channel.data = request.args.get("channel", Channel.PAPER.value)
    elif meta.validate_on_submit():
        for question in survey.questions:
            data.update(answer_rules.read_form(question, request.form))
        with transaction(show=False) as recorded:
            services.key_in_response(current_user, survey, data, channel=Channel(meta.channel.data),
                                     entry_id=sent_token(meta.entry_id.data), paper_number=meta.paper_number.data)
        if isinstance(recorded.error, services.InvalidAnswers):
            errors = recorded.error.errors
            flash(ngettext("%(num)d answer needs correcting.", "%(num)d answers need correcting.", len(errors)),
                  "error")
        elif isinstance(recorded.error, services.AlreadyResponded):
            flash(_("This questionnaire was already recorded (the form was sent twice)."), "info")
            return redirect(url_for("survey_manage.entry", survey_id=survey.id, channel=meta.channel.data))
        elif recorded.error is not None:
            apply_error(meta, recorded.error)  # a number already keyed in: shown next to its field
        else:
            flash(_("Questionnaire recorded (%(count)d so far). Enter the next one.",
                    count=builder.response_count(survey)), "success")
            return redirect(url_for("survey_manage.entry", survey_id=survey.id, channel=meta.channel.data))
    return render_template("surveys/manage/entry.html", territory=g.territory, survey=survey, meta=meta, data=data,
                           errors=errors, communes=services.commune_choices(survey),
                           responses=builder.response_count(survey)), (422 if errors or meta.errors else 200)
