"""Answering a survey on the web: drafts, resume keys, the browser token, review and panel sign-up.

A draft holds the answers in progress (the dict shape of consult/surveys/answers.py). In anonymous mode
it is found through a random resume key that only the respondent holds (a cookie, and the private key
they may copy); the database keeps the key's sha256 only. In identified mode it is found by account.
Functions here add and flush, never commit, and never touch the request.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, delete, exists, or_, select
from sqlalchemy.exc import IntegrityError

from consult.errors import InvalidInput
from consult.extensions import db
from consult.surveys.answering import answers as answer_rules
from consult.surveys.answering.structure import FrozenPage, FrozenQuestion, structure_of
from consult.surveys.models import (
    AccessCode,
    Draft,
    PanelContact,
    QuestionType,
    Response,
    Survey,
    SurveyMode,
    SurveyStatus,
)
from consult.surveys.services import dedupe_key, normalise_access_code
from consult.territories.models import Territory

TOKEN_SALT = "consult-survey-browser"

def draft_lifetime_days() -> int:
    """How long a draft untouched is kept (DRAFT_RETENTION_DAYS): its resume key works as long, then the purge
    deletes it."""
    return int(current_app.config["DRAFT_RETENTION_DAYS"])


# --- secrets ------------------------------------------------------------------------------


def new_secret() -> str:
    """A random secret for a resume key or a browser token."""
    return secrets.token_urlsafe(24)


def key_hash(key: str) -> str:
    """What the database keeps of a resume key."""
    return hashlib.sha256(key.encode()).hexdigest()


def sign_token(token: str, secret_key: str) -> str:
    """The browser token as stored in its cookie (signed, so that a client cannot pick its own)."""
    return URLSafeSerializer(secret_key, salt=TOKEN_SALT).dumps(token)


def read_token(value: str | None, secret_key: str) -> str | None:
    """The browser token from its cookie value, or None when absent or tampered with."""
    if not value:
        return None
    try:
        token = URLSafeSerializer(secret_key, salt=TOKEN_SALT).loads(value)
    except BadSignature:
        return None
    return token if isinstance(token, str) and token else None


# --- statements ---------------------------------------------------------------------------

# Every answering request reads the survey and the draft, some ask whether this browser answered already: their
# statements are built once per process, with bound parameters (building and keying a statement again at each
# request cost SQLAlchemy about three times what running it costs).


def _draft_found():
    """The draft a survey's mode finds: the account's in identified mode, the resume key's (never an account's) in
    anonymous mode; at most one matches (unique keys)."""
    return or_((Survey.mode != SurveyMode.IDENTIFIED) & (Draft.key_hash == bindparam("key_hash"))
               & Draft.user_id.is_(None),
               (Survey.mode == SurveyMode.IDENTIFIED) & (Draft.user_id == bindparam("user_id")))


@functools.cache
def _survey_with_draft_statement():
    """The survey (of a territory) and, in the same row, the draft its mode finds (`_draft_found`)."""
    return (select(Survey, Draft).outerjoin(Draft, (Draft.survey_id == Survey.id) & _draft_found())
            .where(Survey.id == bindparam("survey_id"), Survey.territory_id == bindparam("territory_id")))


@functools.cache
def _territory_survey_draft_statement():
    """The territory by slug, its survey and the survey's draft (`_draft_found`) in one row; the survey and the draft
    outer joined, so that a survey of another territory (or none) gives the territory alone."""
    return (select(Territory, Survey, Draft).select_from(Territory)
            .outerjoin(Survey, (Survey.territory_id == Territory.id) & (Survey.id == bindparam("survey_id")))
            .outerjoin(Draft, (Draft.survey_id == Survey.id) & _draft_found())
            .where(Territory.slug == bindparam("slug")))


@functools.cache
def _draft_statement(identified: bool):
    by = (Draft.user_id == bindparam("user_id")) if identified else (
        (Draft.key_hash == bindparam("key_hash")) & Draft.user_id.is_(None))
    return select(Draft).where(Draft.survey_id == bindparam("survey_id"), by)


@functools.cache
def _responded_statement():
    return select(exists().where(Response.survey_id == bindparam("survey_id"),
                                 Response.dedupe_key == bindparam("dedupe_key")))


@functools.cache
def _delete_draft_statement():
    return delete(Draft).where(Draft.id == bindparam("draft_id"))


def survey_with_draft(territory: Territory, survey_id: int, *, key: str | None, user=None
                      ) -> tuple[Survey | None, Draft | None]:
    """The territory's survey and the draft of this account or resume key, in one statement: (None, None) when
    the territory has no such survey, (survey, None) when there is no draft (see `find_draft`)."""
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    row = db.session.execute(_survey_with_draft_statement(), {
        "survey_id": survey_id, "territory_id": territory.id, "user_id": user.id if signed_in else None,
        "key_hash": key_hash(key) if key else None}).first()
    return (None, None) if row is None else (row[0], row[1])


def territory_survey_draft(slug: str, survey_id: int, *, key: str | None
                           ) -> tuple[Territory, Survey | None, Draft | None] | None:
    """For a visitor who is not signed in: the territory with this slug, its survey and the draft of this resume key,
    in one statement (what `survey_with_draft` finds, without the territory's own statement first); None when no
    territory has this slug, (territory, None, None) when it has no such survey."""
    row = db.session.execute(_territory_survey_draft_statement(), {
        "slug": slug, "survey_id": survey_id, "user_id": None, "key_hash": key_hash(key) if key else None}).first()
    return None if row is None else (row[0], row[1], row[2])


# --- public listing -----------------------------------------------------------------------


@dataclass
class PublicSurveys:
    """What a territory's survey page lists."""

    open: list[Survey] = field(default_factory=list)
    upcoming: list[Survey] = field(default_factory=list)
    published: list[Survey] = field(default_factory=list)   # results published, whether still open or not

    @property
    def published_ended(self) -> list[Survey]:
        """Published results of surveys that no longer take answers (an open one already has its own card)."""
        return [s for s in self.published if s not in self.open and s not in self.upcoming]


def list_public_surveys(territory: Territory, now: dt.datetime) -> PublicSurveys:
    """Open surveys, surveys opening later, and every survey whose results are published, even while it is
    still open (never drafts; never archived surveys, whose published results stay reachable at their own
    address)."""
    surveys = db.session.scalars(
        select(Survey).where(Survey.territory_id == territory.id,
                             Survey.status.not_in((SurveyStatus.DRAFT, SurveyStatus.ARCHIVED)))
        .order_by(Survey.closes_at.is_(None), Survey.closes_at, Survey.id.desc())
    ).all()
    listing = PublicSurveys()
    for survey in surveys:
        if survey.is_accepting(now):
            listing.open.append(survey)
        elif survey.status is SurveyStatus.OPEN and survey.opens_at is not None and now < survey.opens_at:
            listing.upcoming.append(survey)
        if survey.results_published_at is not None:
            listing.published.append(survey)
    listing.published.sort(key=lambda s: s.results_published_at, reverse=True)
    return listing


# --- who has answered ---------------------------------------------------------------------


def has_responded(survey: Survey, *, browser_secret: str | None, user=None) -> bool:
    """Whether this account (identified mode) or this browser (anonymous mode) has already answered."""
    if survey.mode is SurveyMode.IDENTIFIED:
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        key = dedupe_key(survey, f"user:{user.id}")
    elif browser_secret:
        key = dedupe_key(survey, f"browser:{browser_secret}")
    else:
        return False
    return bool(db.session.scalar(_responded_statement(), {"survey_id": survey.id, "dedupe_key": key}))


def check_access_code(survey: Survey, code: str | None) -> str:
    """The normalised code if it exists and is unused; nothing is spent. Raises InvalidInput."""
    normalised = normalise_access_code(code)
    if not normalised:
        raise InvalidInput(_("Enter the access code printed on your invitation."), field="access_code")
    found = db.session.scalar(select(exists().where(
        AccessCode.survey_id == survey.id, AccessCode.code == normalised, AccessCode.spent.is_(False))))
    if not found:
        raise InvalidInput(_("This access code is not valid or has already been used."), field="access_code")
    return normalised


# --- drafts -------------------------------------------------------------------------------


def find_draft(survey: Survey, *, key: str | None, user=None) -> Draft | None:
    """The draft of this account (identified mode) or of this resume key (anonymous mode; an anonymous draft never
    has an account: an identified draft cannot be opened by a key). At most one matches (unique keys)."""
    identified = survey.mode is SurveyMode.IDENTIFIED
    if identified:
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        owner = {"user_id": user.id}
    else:
        if not key:
            return None
        owner = {"key_hash": key_hash(key)}
    return db.session.scalars(_draft_statement(identified), {"survey_id": survey.id, **owner}).first()


def start_draft(survey: Survey, *, user=None, today: dt.date) -> tuple[Draft, str]:
    """A new empty draft and its resume key (shown to anonymous respondents only).

    In identified mode the draft belongs to the account; in anonymous mode to nobody: even a
    logged-in visitor's anonymous draft stores no account.
    """
    key = new_secret()
    identified = survey.mode is SurveyMode.IDENTIFIED
    draft = Draft(survey_id=survey.id, key_hash=key_hash(key), user_id=user.id if identified else None,
                  data={}, page_index=0, updated_on=today)
    try:
        with db.session.begin_nested():
            db.session.add(draft)
            db.session.flush()
    except IntegrityError:
        # Two tabs started at once: the account's draft already exists, carry on with it.
        return find_draft(survey, key=None, user=user), key
    return draft, key


def delete_draft(draft: Draft) -> None:
    """Remove a draft (a plain DELETE: a concurrent twin may already have removed it)."""
    db.session.execute(_delete_draft_statement(), {"draft_id": draft.id})


def purge_stale_drafts(today: dt.date, *, days: int | None = None) -> int:
    """Delete drafts (and so their resume keys) untouched for `days` days, DRAFT_RETENTION_DAYS by default;
    returns how many. Run by `flask purge` (consult/surveys/purges.py)."""
    days = draft_lifetime_days() if days is None else days
    result = db.session.execute(delete(Draft).where(Draft.updated_on < today - dt.timedelta(days=days)))
    return result.rowcount or 0


# --- pages --------------------------------------------------------------------------------


def visible_pages(survey: Survey, data: Mapping) -> list[FrozenPage]:
    """The pages shown given the answers so far: page condition met and at least one question shown."""
    return [page for page in structure_of(survey).pages if answer_rules.visible_questions(page, data)]


def shows_3114(survey: Survey, page: FrozenPage) -> bool:
    """The 3114 line goes around the mental-health pages; around every page only when the survey is
    flagged as a whole and no page is singled out."""
    if page.mental_health:
        return True
    return survey.mental_health and not any(p.mental_health for p in structure_of(survey).pages)


def page_by_id(survey: Survey, page_id) -> FrozenPage | None:
    """The page of this survey with this id (as posted by a form), or None."""
    return structure_of(survey).page_by_id(page_id)


def read_page(questions: list[FrozenQuestion], form: Mapping) -> dict:
    """What the form holds for these questions, as typed."""
    found: dict = {}
    for question in questions:
        found.update(answer_rules.read_form(question, form))
    return found


@dataclass
class PageResult:
    """What happened to a page of answers: the errors, and questions that appeared on the same page."""

    errors: dict[str, str]
    appeared: list[FrozenQuestion]

    @property
    def done(self) -> bool:
        return not self.errors and not self.appeared


def record_page(survey: Survey, draft: Draft, page: FrozenPage, form: Mapping, *, shown: list[str] | None,
                validate: bool, communes: Mapping[str, str], today: dt.date) -> PageResult:
    """Save the answers of one page into the draft, checked (Next) or as typed (Back, save for later).

    `shown` lists the question codes the form displayed; a question that a new answer reveals on the
    same page (e.g. "why?" after "yes") is reported in `appeared`, so the page is shown again with it.
    Typed values are always kept, valid or not, so that nothing is lost.
    """
    old = dict(draft.data or {})
    if shown is None:
        displayed = answer_rules.visible_questions(page, old)
    else:
        displayed = [q for q in page.questions if q.code in set(shown)]
    data = {k: v for k, v in old.items()
            if not any(k in (q.code, answer_rules.other_key(q)) for q in displayed)}
    data.update(read_page(displayed, form))
    result = PageResult(errors={}, appeared=[])
    if validate:
        now_visible = answer_rules.visible_questions(page, data)
        shown_codes = {q.code for q in displayed}
        result.appeared = [q for q in now_visible if q.code not in shown_codes]
        cleaned, result.errors = answer_rules.clean_page(
            [q for q in now_visible if q.code in shown_codes], data, communes=communes)
        if not result.errors:
            data.update(cleaned)
    pages = visible_pages(survey, data)
    if page in pages:
        draft.page_index = pages.index(page)
    draft.data = data  # a new dict: JSON columns do not see in-place changes
    draft.updated_on = today
    db.session.flush()
    return result


def page_errors(page: FrozenPage, data: Mapping, communes: Mapping[str, str]) -> dict[str, str]:
    """The errors of a page's visible questions (to show where a final check failed)."""
    return answer_rules.clean_page(answer_rules.visible_questions(page, data), data, communes=communes)[1]


def first_page_with_error(survey: Survey, data: Mapping, codes) -> int:
    """1-based number of the first visible page holding one of the question `codes` (1 if none)."""
    for number, page in enumerate(visible_pages(survey, data), start=1):
        if any(q.code in codes for q in page.questions):
            return number
    return 1


# --- review -------------------------------------------------------------------------------


@dataclass
class ReviewItem:
    """A question and its answer as lines of text."""

    question: FrozenQuestion
    lines: list[str]


@dataclass
class ReviewPage:
    """A visible page (1-based `number` among visible pages) and its questions' answers."""

    number: int
    page: FrozenPage
    items: list[ReviewItem]


def review(survey: Survey, data: Mapping, communes: Mapping[str, str], *, falc: bool = False) -> list[ReviewPage]:
    """Every visible question with its answer in words, page by page (empty `lines`: not answered)."""
    return [
        ReviewPage(number=number, page=page, items=[
            ReviewItem(question=q, lines=describe(q, data, communes, falc=falc))
            for q in answer_rules.visible_questions(page, data)
        ])
        for number, page in enumerate(visible_pages(survey, data), start=1)
    ]


def describe(question: FrozenQuestion, data: Mapping, communes: Mapping[str, str], *, falc: bool = False) -> list[str]:
    """A question's answer as lines of readable text: option labels, commune names, ranks, matrix cells."""
    value = data.get(question.code)
    if value in (None, "", [], {}):
        return []
    by_code = {o.code: o for o in question.options}

    def label(code) -> str:
        option = by_code.get(code)
        if option is None:
            return str(code)
        return (option.falc_label if falc and option.falc_label else option.label)

    other = data.get(answer_rules.other_key(question))
    kind = question.type
    if kind in answer_rules.SINGLE_VALUE_TYPES or kind is QuestionType.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        lines = []
        for code in values:
            option = by_code.get(code)
            if option is not None and option.is_other and other:
                lines.append(_("%(option)s: %(text)s", option=label(code), text=other))
            else:
                lines.append(label(code))
        return lines
    if kind is QuestionType.COMMUNE:
        return [communes.get(value, str(value))]
    if kind in (QuestionType.RATING, QuestionType.NUMBER):
        try:
            return [format_decimal(float(str(value).replace(",", ".")))]
        except ValueError:
            return [str(value)]
    if kind is QuestionType.DATE:
        try:
            return [format_date(dt.date.fromisoformat(str(value)), "long")]
        except ValueError:
            return [str(value)]
    if kind is QuestionType.RANKING:
        if isinstance(value, dict):  # as typed, not yet checked
            ordered = sorted(value.items(), key=lambda item: (str(item[1]).zfill(4), item[0]))
            return [f"{rank}. {label(code)}" for code, rank in ordered]
        return [f"{rank}. {label(code)}" for rank, code in enumerate(value, start=1)]
    if kind is QuestionType.MATRIX and isinstance(value, dict):
        return [_("%(item)s: %(answer)s", item=label(row.code), answer=label(value[row.code]))
                for row in question.rows if row.code in value]
    return [str(value)]


def review_text(pages: list[ReviewPage], *, falc: bool = False) -> str:
    """The review as plain text, for a respondent to copy when the survey closed under them."""
    blocks = []
    for page in pages:
        lines = [page.page.title]
        for item in page.items:
            text = item.question.falc_text if falc and item.question.falc_text else item.question.text
            lines.append(f"- {text}")
            lines += [f"    {line}" for line in item.lines] or [f"    {_('Not answered')}"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# --- panel --------------------------------------------------------------------------------


def join_panel(survey: Survey, email: str, *, today: dt.date) -> PanelContact:
    """Record consent to be re-contacted, kept apart from the answers.

    Nothing that could join it to a response is stored: no response, draft or session id, and only
    the month of consent. Signing up twice with the same address for the same survey keeps one row.
    """
    address = email.strip().lower()
    existing = db.session.scalars(select(PanelContact).where(
        PanelContact.territory_id == survey.territory_id, PanelContact.survey_id == survey.id,
        PanelContact.email == address)).first()
    if existing is not None:
        return existing
    contact = PanelContact(territory_id=survey.territory_id, survey_id=survey.id, email=address,
                           consent_month=today.replace(day=1))
    db.session.add(contact)
    db.session.flush()
    return contact
