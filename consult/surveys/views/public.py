"""Answering surveys: list, introduction, page-by-page answers, review, submit, thanks and panel sign-up.

No page needs JavaScript. Answers in progress live in a Draft (see consult/surveys/answering/respond.py); two
cookies scoped to the survey's path carry the anonymous respondent's state: `consult_sv_<id>` (a
signed random browser token, what makes "one response per browser" work) and `consult_sv_<id>_resume`
(the private resume key of the draft).
"""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from consult.core.layout import kept_piece
from consult.core.models import utcnow
from consult.core.pagecache import kept_for_visitors
from consult.core.retention import duration
from consult.core.transaction import transaction
from consult.core.urls import external_url, is_safe_next
from consult.errors import InvalidInput, PermissionDenied
from consult.extensions import login_manager
from consult.surveys import permissions, services
from consult.surveys.forms import RecontactForm, ResumeForm, StartForm, SubmitForm
from consult.extensions import db
from consult.surveys.answering import respond
from consult.surveys.answering.answers import visible_questions
from consult.surveys.answering.structure import structure_of
from consult.surveys.results import disclosure_threshold
from consult.surveys.models import QuestionType, Survey, SurveyMode
from consult.surveys.purges import answers_kept_months
from consult.surveys.views import get_survey_or_404
from consult.territories.views import nobody_signed_in, refuse_impossible_slug, scope_to_territory

# The answering pages read the survey (and the draft) of their address: for a visitor who is not signed in, with the
# territory, in one statement (`_load_with_survey`).
SURVEY_PAGES = frozenset(f"surveys.{view}" for view in (
    "intro", "start", "page", "save_page", "later", "resume", "toggle_falc", "review", "submit", "thanks", "recontact"))
LOADED = "survey_loaded"  # `g` key: (survey id, survey, draft) read with the territory


def _load_with_survey(slug: str, endpoint: str, values: dict):
    """The territory, read with the survey of the address and this browser's draft when nobody is signed in (the
    draft then depends on the resume cookie only); None otherwise (the territory is read as everywhere, with the
    login session, and the view reads its survey itself)."""
    survey_id = values.get("survey_id")
    if endpoint not in SURVEY_PAGES or survey_id is None or not nobody_signed_in():
        return None
    refuse_impossible_slug(slug)
    found = respond.territory_survey_draft(slug, survey_id, key=request.cookies.get(_resume_cookie(survey_id)))
    if found is None:
        abort(404)
    territory, survey, draft = found
    setattr(g, LOADED, (survey_id, survey, draft))
    return territory


bp = scope_to_territory(Blueprint("surveys", __name__, url_prefix="/t/<slug>/surveys"), load=_load_with_survey)

FALC_KEY = "survey_falc"
TOKEN_MAX_AGE = 60 * 60 * 24 * 365
ACTIONS = ("next", "back", "later", "falc")


# --- plumbing -----------------------------------------------------------------------------


@bp.before_request
def keep_after_commit():
    """An answering page commits at most once, then only redirects or renders what it just wrote: nothing needs
    reading again from the database (the default would reload the survey, the draft and the territory)."""
    db.session().expire_on_commit = False


@bp.after_request
def no_store(response):
    """Answers typed on a shared computer must not come back from the browser's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def survey_commune_choices(survey: Survey) -> dict[str, str]:
    """INSEE code → name of the survey's communes, once per request (used by the question macro)."""
    cache = g.setdefault("survey_communes", {})
    if survey.id not in cache:
        cache[survey.id] = services.commune_choices(survey)
    return cache[survey.id]


BLANK_QUESTIONS = "blank_questions"
BLANK_QUESTION_PIECES = 2048  # a questionnaire's questions × languages × easy-read or not, for several surveys


@bp.app_template_global()
def blank_question(question, falc: bool, communes: tuple) -> Markup:
    """A question as the question macro writes it with no answer and no error (how every respondent first sees
    each page), rendered once per process, language and wording: the frozen question is the key (a new version of
    the structure is new objects), with the commune choices it lists (`tuple(communes.items())`)."""
    values = {"q": question, "falc": falc, "communes": communes if question.type is QuestionType.COMMUNE else ()}
    return kept_piece(BLANK_QUESTIONS, BLANK_QUESTION_PIECES, "surveys/respond/_blank_question.html", values)


@bp.app_template_filter("survey_time")
def survey_time(value) -> str:
    """The time of a datetime, in the visitor's language and time zone (e.g. 18:00)."""
    return format_time(value, "short") if value else ""


def _loaded(survey_id: int):
    """(survey, draft) read with the territory for this survey (`_load_with_survey`), or None."""
    loaded = g.pop(LOADED, None)
    return loaded[1:] if loaded is not None and loaded[0] == survey_id else None


def _survey(survey_id: int) -> Survey:
    loaded = _loaded(survey_id)
    survey = get_survey_or_404(g.territory, survey_id) if loaded is None else loaded[0]
    if survey is None or not permissions.can_see_survey(current_user, survey):
        abort(404)  # drafts do not exist for the public
    return survey


def _threshold(survey: Survey) -> int:
    return disclosure_threshold(survey)


def _cookie_path(survey: Survey) -> str:
    return url_for("surveys.intro", survey_id=survey.id).rstrip("/")


def _resume_cookie(survey_id: int) -> str:
    return f"consult_sv_{survey_id}_resume"


def _set_cookie(survey: Survey, name: str, value: str, max_age: int) -> None:
    @after_this_request
    def set_it(response):
        response.set_cookie(name, value, max_age=max_age, path=_cookie_path(survey), httponly=True,
                            samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        return response


def _forget_resume_key(survey: Survey) -> None:
    @after_this_request
    def delete_it(response):
        response.delete_cookie(_resume_cookie(survey.id), path=_cookie_path(survey))
        return response


def _browser_token(survey: Survey, *, create: bool = True) -> str | None:
    """This browser's random token for the survey, created (and sent as a signed cookie) when missing."""
    name = f"consult_sv_{survey.id}"
    token = respond.read_token(request.cookies.get(name), current_app.secret_key)
    if token is None and create:
        token = g.setdefault("survey_tokens", {}).setdefault(survey.id, respond.new_secret())
        _set_cookie(survey, name, respond.sign_token(token, current_app.secret_key), TOKEN_MAX_AGE)
    return token


def _draft(survey: Survey):
    return respond.find_draft(survey, key=request.cookies.get(_resume_cookie(survey.id)), user=current_user)


def _code_key(survey: Survey) -> str:
    return f"survey_code_{survey.id}"


def _falc() -> bool:
    return bool(session.get(FALC_KEY))


def _page_url(survey: Survey, number: int, **args) -> str:
    return url_for("surveys.page", survey_id=survey.id, number=number, **args)


def _closed(survey: Survey, data: dict):
    """The survey stopped accepting answers: say so, and show everything they typed."""
    pages = respond.review(survey, data, survey_commune_choices(survey), falc=_falc())
    status = 409 if request.method == "POST" else 200
    return render_template("surveys/respond/closed.html", territory=g.territory, survey=survey, pages=pages,
                           text=respond.review_text(pages, falc=_falc()), now=utcnow()), status


def _already(survey: Survey):
    return render_template("surveys/respond/already.html", territory=g.territory, survey=survey,
                           threshold=_threshold(survey)), 409


def _survey_and_draft(survey_id: int):
    """The survey (404 as `_survey`) and this respondent's draft or None, in one statement."""
    loaded = _loaded(survey_id)
    if loaded is None:
        key = request.cookies.get(_resume_cookie(survey_id))
        loaded = respond.survey_with_draft(g.territory, survey_id, key=key, user=current_user)
    survey, draft = loaded
    if survey is None or not permissions.can_see_survey(current_user, survey):
        abort(404)  # drafts do not exist for the public
    return survey, draft


def _answering(survey_id: int):
    """The survey and the draft being answered, or the page to show instead (login, closed, intro)."""
    survey, draft = _survey_and_draft(survey_id)
    if permissions.needs_account(survey) and not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    # A draft is answered only by its coordinators, in test mode (started from views/drafts.py).
    if not survey.is_accepting(utcnow()) and not permissions.can_test_survey(current_user, survey):
        data = dict(draft.data) if draft is not None else {}
        if request.method == "POST":
            data.update(respond.read_page(structure_of(survey).questions, request.form))
        abort(make_response(_closed(survey, data)))
    if draft is None:
        if respond.has_responded(survey, browser_secret=_browser_token(survey, create=False), user=current_user):
            abort(make_response(_already(survey)))
        flash(_("Start the survey from its introduction page."), "info")
        abort(redirect(url_for("surveys.intro", survey_id=survey.id)))
    return survey, draft


# --- pages --------------------------------------------------------------------------------


@bp.get("/")
@kept_for_visitors
def index():
    """The territory's open surveys, and ended ones whose results are published."""
    listing = respond.list_public_surveys(g.territory, utcnow())
    return render_template("surveys/respond/index.html", territory=g.territory, listing=listing)


@bp.get("/<int:survey_id>/")
def intro(survey_id: int):
    """Introduction: purpose, privacy, publication rule, notices, and the Start button when open."""
    survey, draft = _survey_and_draft(survey_id)
    token = _browser_token(survey, create=False)
    return render_template(
        "surveys/respond/intro.html", territory=g.territory, survey=survey, form=StartForm(),
        **_intro_state(survey, token, draft))


def _intro_state(survey: Survey, token: str | None, draft) -> dict:
    return {
        "now": utcnow(), "threshold": _threshold(survey), "falc": _falc(),
        "responded": respond.has_responded(survey, browser_secret=token, user=current_user),
        "draft": draft, "code_known": bool(session.get(_code_key(survey))),
        "has_falc": structure_of(survey).has_falc,
        "answers_kept": duration(answers_kept_months(survey), "months"),
    }


@bp.post("/<int:survey_id>/start")
def start(survey_id: int):
    """Check the access code (without spending it), open a draft and go to the first page."""
    survey, draft = _survey_and_draft(survey_id)
    if not survey.is_accepting(utcnow()):
        return redirect(url_for("surveys.intro", survey_id=survey.id))
    if permissions.needs_account(survey) and not current_user.is_authenticated:
        return login_manager.unauthorized()
    token = _browser_token(survey)
    if respond.has_responded(survey, browser_secret=token, user=current_user):
        return _already(survey)
    form = StartForm()
    if form.validate_on_submit() and survey.access_codes_required and not session.get(_code_key(survey)):
        try:
            session[_code_key(survey)] = respond.check_access_code(survey, form.access_code.data)
        except InvalidInput as error:
            form.access_code.errors = [*form.access_code.errors, error.message]
    if form.errors:
        return render_template("surveys/respond/intro.html", territory=g.territory, survey=survey, form=form,
                               **_intro_state(survey, token, draft)), 422
    if draft is None:
        with transaction(refusals=()):
            draft, key = respond.start_draft(survey, user=current_user, today=utcnow().date())
        if survey.mode is SurveyMode.ANONYMOUS:
            _set_cookie(survey, _resume_cookie(survey.id), key, respond.draft_lifetime_days() * 86400)
    return redirect(_page_url(survey, draft.page_index + 1))


@bp.get("/<int:survey_id>/page/<int:number>")
def page(survey_id: int, number: int):
    """One page of questions (number among the pages visible given the answers so far)."""
    survey, draft = _answering(survey_id)
    pages = respond.visible_pages(survey, draft.data)
    if not 1 <= number <= len(pages):
        return redirect(_page_url(survey, 1) if number < 1 and pages
                        else url_for("surveys.review", survey_id=survey.id))
    current = pages[number - 1]
    errors = (respond.page_errors(current, draft.data, _communes(survey, current.questions))
              if request.args.get("check") else {})
    return _render_page(survey, draft, current, errors=errors), 422 if errors else 200


@bp.post("/<int:survey_id>/page/<int:number>")
def save_page(survey_id: int, number: int):
    """Next checks the page; Back, "resume later" and the easy-read switch keep it as typed."""
    survey, draft = _answering(survey_id)
    current = respond.page_by_id(survey, request.form.get("page_id"))
    if current is None:
        return redirect(_page_url(survey, number))
    action = request.form.get("action") if request.form.get("action") in ACTIONS else "next"
    with transaction(refusals=()):
        result = respond.record_page(survey, draft, current, request.form, shown=request.form.getlist("shown") or None,
                                     validate=action == "next", communes=_communes(survey, current.questions),
                                     today=utcnow().date())
    pages = respond.visible_pages(survey, draft.data)
    position = pages.index(current) + 1 if current in pages else 1
    if action == "falc":
        session[FALC_KEY] = not _falc()
        return redirect(_page_url(survey, position))
    if action == "later":
        return redirect(url_for("surveys.later", survey_id=survey.id, back=position))
    if action == "back":
        return redirect(_page_url(survey, position - 1) if position > 1
                        else url_for("surveys.intro", survey_id=survey.id))
    if result.done:
        return redirect(_page_url(survey, position + 1) if position < len(pages)
                        else url_for("surveys.review", survey_id=survey.id))
    return _render_page(survey, draft, current, errors=result.errors, appeared=result.appeared), \
        422 if result.errors else 200


def _communes(survey: Survey, questions) -> dict[str, str]:
    """The commune choices when one of `questions` asks for a commune (read from the database only then)."""
    return survey_commune_choices(survey) if any(q.type is QuestionType.COMMUNE for q in questions) else {}


def _render_page(survey: Survey, draft, current, *, errors: dict, appeared=()):
    pages = respond.visible_pages(survey, draft.data)
    questions = visible_questions(current, draft.data)
    communes = _communes(survey, questions)
    return render_template(
        "surveys/respond/page.html", territory=g.territory, survey=survey, page=current,
        number=pages.index(current) + 1, total=len(pages), data=draft.data, errors=errors,
        questions=questions, appeared=list(appeared), falc=_falc(), has_falc=structure_of(survey).has_falc,
        communes=communes, blank_communes=tuple(communes.items()), mental_health=respond.shows_3114(survey, current))


@bp.get("/<int:survey_id>/later")
def later(survey_id: int):
    """The "resume later" page: the private resume key of the draft, and where to enter it elsewhere."""
    survey = _answering(survey_id)[0]
    key = request.cookies.get(_resume_cookie(survey.id))
    back = request.args.get("back", type=int) or 1
    return render_template("surveys/respond/later.html", territory=g.territory, survey=survey, key=key,
                           resume_url=external_url("surveys.resume", slug=g.territory.slug, survey_id=survey.id),
                           back=back)


@bp.route("/<int:survey_id>/resume", methods=["GET", "POST"])
def resume(survey_id: int):
    """Continue a draft on this device: the key is posted in a form, so no URL (nor access log) holds it."""
    survey = _survey(survey_id)
    form = ResumeForm()
    key = (form.key.data or "").strip()
    draft = None
    if form.validate_on_submit():
        draft = respond.find_draft(survey, key=key) if survey.mode is SurveyMode.ANONYMOUS else None
        if draft is None:
            form.key.errors = [*form.key.errors, _(
                "This key does not open any answers in progress: check it, or the answers were sent already "
                "or deleted after a long time without change.")]
    if draft is None:
        return render_template("surveys/respond/resume.html", territory=g.territory, survey=survey,
                               form=form), 422 if form.errors else 200
    _set_cookie(survey, _resume_cookie(survey.id), key, respond.draft_lifetime_days() * 86400)
    _browser_token(survey)
    return redirect(_page_url(survey, draft.page_index + 1))


@bp.post("/<int:survey_id>/falc")
def toggle_falc(survey_id: int):
    """Switch the easy-read wording on or off (for the introduction and review pages)."""
    survey = _survey(survey_id)  # (CSRFProtect has checked the token)
    session[FALC_KEY] = not _falc()
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("surveys.intro", survey_id=survey.id))


@bp.get("/<int:survey_id>/review")
def review(survey_id: int):
    """Every visible answer in words, each with a link to change it, and the Submit button."""
    survey, draft = _answering(survey_id)
    return _render_review(survey, draft, SubmitForm())


def _render_review(survey: Survey, draft, form: SubmitForm, status: int = 200):
    pages = respond.review(survey, draft.data, survey_commune_choices(survey), falc=_falc())
    return render_template("surveys/respond/review.html", territory=g.territory, survey=survey, pages=pages,
                           form=form, falc=_falc(), code_known=bool(session.get(_code_key(survey))),
                           has_falc=structure_of(survey).has_falc), status


@bp.post("/<int:survey_id>/submit")
def submit(survey_id: int):
    """Record the response once, delete the draft in the same transaction, and thank."""
    survey, draft = _survey_and_draft(survey_id)
    if permissions.needs_account(survey) and not current_user.is_authenticated:
        return login_manager.unauthorized()
    token = _browser_token(survey)
    if draft is None:
        if respond.has_responded(survey, browser_secret=token, user=current_user):
            return _already(survey)  # a replay, a double click or another tab
        return redirect(url_for("surveys.intro", survey_id=survey.id))
    form = SubmitForm()
    if not form.validate_on_submit():
        return _render_review(survey, draft, form, 422)
    data = dict(draft.data)
    with transaction(show=False, refusals=(services.SurveyClosed, services.AlreadyResponded, PermissionDenied,
                                           InvalidInput)) as submitted:
        services.submit_response(survey, data, browser_secret=token, user=current_user,
                                 access_code=form.access_code.data or session.get(_code_key(survey)), now=utcnow())
        respond.delete_draft(draft)
    error = submitted.error
    if isinstance(error, services.SurveyClosed):
        return _closed(survey, data)
    if isinstance(error, services.AlreadyResponded):
        return _already(survey)
    if isinstance(error, services.InvalidAnswers):
        flash(_("Some answers need your attention."), "error")
        return redirect(_page_url(survey, respond.first_page_with_error(survey, data, error.errors), check=1))
    if isinstance(error, PermissionDenied):
        return login_manager.unauthorized()
    if isinstance(error, InvalidInput):  # the access code
        if respond.has_responded(survey, browser_secret=token, user=current_user):
            return _already(survey)
        session.pop(_code_key(survey), None)
        form.access_code.errors = [*form.access_code.errors, error.message]
        return _render_review(survey, draft, form, 422)
    session.pop(_code_key(survey), None)
    _forget_resume_key(survey)
    return redirect(url_for("surveys.thanks", survey_id=survey.id))


@bp.get("/<int:survey_id>/thanks")
def thanks(survey_id: int):
    """What happens next, and the optional, separate panel sign-up."""
    survey = _survey(survey_id)
    return _render_thanks(survey, RecontactForm())


def _render_thanks(survey: Survey, form: RecontactForm, status: int = 200):
    responded = respond.has_responded(survey, browser_secret=_browser_token(survey, create=False),
                                      user=current_user)
    return render_template("surveys/respond/thanks.html", territory=g.territory, survey=survey, form=form,
                           threshold=_threshold(survey), offer_panel=survey.recontact_enabled and responded), status


@bp.post("/<int:survey_id>/recontact")
def recontact(survey_id: int):
    """Store a panel contact apart from the answers (no link to the response, month of consent only)."""
    survey = _survey(survey_id)
    responded = respond.has_responded(survey, browser_secret=_browser_token(survey, create=False),
                                      user=current_user)
    if not survey.recontact_enabled or not responded:
        abort(404)
    form = RecontactForm()
    if not form.validate_on_submit():
        return _render_thanks(survey, form, 422)
    with transaction(refusals=()):
        respond.join_panel(survey, form.email.data, today=utcnow().date())
    flash(_("Thank you. Your address is stored apart from your answers; you can ask us to delete it at any time."),
          "success")
    return redirect(url_for("surveys.thanks", survey_id=survey.id))
