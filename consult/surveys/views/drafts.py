"""Drafts: a coordinator tries a draft through the real answering pages (test answers, deleted when the survey
opens), and deletes a draft. Routes are added to the answering (`surveys`) and building (`survey_manage`)
blueprints; only the draft check of public._answering lives elsewhere."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.core.db import LARGEST_ID
from consult.core.models import utcnow
from consult.core.transaction import transaction
from consult.extensions import db
from consult.surveys import permissions
from consult.surveys.answering import respond
from consult.surveys.building import builder
from consult.surveys.forms import ButtonForm
from consult.surveys.models import Survey, SurveyMode
from consult.surveys.views import manage, public

for predicate in (permissions.can_test_survey, permissions.can_delete_survey, permissions.can_archive_survey):
    public.bp.add_app_template_global(predicate)


@public.bp.post("/<int:survey_id>/test")
def test_start(survey_id: int):
    """Start a test answer of a draft (or go on with the one in progress) and open its first page."""
    survey = public._survey(survey_id)  # a draft is a 404 for anyone but its coordinators and admins
    if not permissions.can_test_survey(current_user, survey):
        abort(404)
    public._browser_token(survey)  # what an anonymous survey's submit reads, as for a resident
    draft = public._draft(survey)
    if draft is None:
        with transaction(refusals=()):
            draft, key = respond.start_draft(survey, user=current_user, today=utcnow().date())
        if survey.mode is SurveyMode.ANONYMOUS:
            public._set_cookie(survey, public._resume_cookie(survey.id), key, respond.draft_lifetime_days() * 86400)
    return redirect(public._page_url(survey, draft.page_index + 1))


@manage.bp.route("/<int:survey_id>/delete", methods=["GET", "POST"])
def delete(survey_id: int):
    """Confirm, then delete a draft with all it holds; a survey that was opened is refused (archive it)."""
    found = db.session.get(Survey, survey_id) if 0 < survey_id <= LARGEST_ID else None
    if found is None and request.method == "POST":  # a second click, a replay: it is gone already
        flash(_("This survey does not exist, or was deleted already."), "info")
        return redirect(url_for("survey_manage.index"))
    survey = manage._survey(survey_id)
    if not permissions.can_delete_survey(current_user, survey):
        flash(_("Only a draft can be deleted. A survey that was opened keeps its answers: close it, then archive "
                "it."), "error")
        return redirect(url_for("survey_manage.detail", survey_id=survey.id))
    form = ButtonForm()
    if form.validate_on_submit():
        title = survey.title
        with transaction() as deleted:
            builder.delete_survey(current_user, survey)
        if deleted.ok:
            flash(_("The draft “%(title)s” is deleted.", title=title), "success")
            return redirect(url_for("survey_manage.index"))
        return redirect(url_for("survey_manage.detail", survey_id=survey.id))
    return render_template("surveys/manage/delete.html", territory=g.territory, survey=survey, form=form,
                           tests=builder.test_answer_count(survey))
