"""Submitting responses (web and keyed-in), with the rules that keep them single and anonymous."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from consult.core.models import utcnow
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.surveys.answering import answers as answer_rules
from consult.surveys import permissions
from consult.surveys.answering.structure import structure_of
from consult.surveys.models import AccessCode, Answer, Channel, QuestionType, Response, Survey, SurveyMode, SurveyStatus
from consult.surveys.results.data import pin_disclosure_threshold
from consult.territories.models import Commune


class SurveyClosed(Conflict):
    """The survey does not accept answers (not yet open, closed, archived)."""


class AlreadyResponded(Conflict):
    """This browser, account or code has already answered."""


class PaperNumberTaken(Conflict):
    """Another questionnaire of the survey was keyed in with this printed number."""


class InvalidAnswers(InvalidInput):
    """Some answers do not pass validation; `errors` maps question codes to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Some answers need your attention."))
        self.errors = errors


def dedupe_key(survey: Survey, secret: str) -> str:
    """A one-way key that tells two responses from the same source apart without saying who it is.

    An HMAC-SHA256 keyed with the server's RESPONSE_KEY_SECRET: whoever holds a browser's cookie (or an
    account id), even with a copy of the database, cannot compute it, so cannot point to the response.
    """
    message = f"consult:{survey.id}:{secret}".encode()
    return hmac.new(current_app.config["RESPONSE_KEY_SECRET"].encode(), message, hashlib.sha256).hexdigest()


@functools.cache
def _communes_statement():
    # Built once per process (each answering page with a commune question reads it: building it cost more than
    # running it).
    return (select(Commune.insee_code, Commune.name).where(Commune.territory_id == bindparam("territory_id"))
            .order_by(Commune.name))


def commune_choices(survey: Survey) -> dict[str, str]:
    """What a commune question offers, on the web, on paper and on the entry form alike: INSEE code → name of
    the territory's communes by name, then « another commune » (people from outside the territory answer too)."""
    rows = db.session.execute(_communes_statement(), {"territory_id": survey.territory_id})
    return {**{code: name for code, name in rows}, answer_rules.OTHER_COMMUNE: answer_rules.other_commune_label()}


# The number printed on a paper questionnaire: digits, zero-padded to this width ("0042").
PAPER_NUMBER_DIGITS = 4
PAPER_NUMBER_PATTERN = re.compile(r"^[0-9A-Z-]{1,20}$")


def format_paper_number(number: int) -> str:
    """A printed questionnaire number as it appears on paper and is stored: 42 → "0042"."""
    return f"{number:0{PAPER_NUMBER_DIGITS}d}"


def clean_paper_number(typed: str | None) -> str | None:
    """A questionnaire number as keyed in → its stored form: "42", "0042" and "n° 42" all give "0042"; letters
    and dashes are kept for numbers written by hand ("A-12"); None when empty. Raises InvalidInput."""
    text = re.sub(r"^N\s*°", "", (typed or "").strip().upper()).replace(" ", "")
    if not text:
        return None
    if not PAPER_NUMBER_PATTERN.match(text):
        raise InvalidInput(_("Write the number as printed on the questionnaire: digits, 20 characters at most."),
                           field="paper_number")
    return format_paper_number(int(text)) if text.isdigit() and len(text) <= 18 else text


def _paper_number_refusal(survey: Survey, number: str, key: str | None) -> Conflict | None:
    """Why `number` cannot be recorded again, if it was: the same form sent twice, or another form with it."""
    taken_by = db.session.execute(
        select(Response.dedupe_key).where(Response.survey_id == survey.id, Response.paper_number == number)
    ).first()
    if taken_by is None:
        return None
    if key is not None and taken_by.dedupe_key == key:
        return AlreadyResponded(_("An answer to this survey has already been recorded from here. Thank you!"))
    return PaperNumberTaken(_("Questionnaire number %(number)s is already keyed in. Check the number written on "
                              "the paper: if it is the same questionnaire, do not key it in again.", number=number),
                            field="paper_number")


def validate_all(survey: Survey, data: Mapping) -> dict:
    """Clean every visible question of the survey. Raises InvalidAnswers."""
    structure = structure_of(survey)
    asks_commune = any(q.type is QuestionType.COMMUNE for q in structure.questions)
    communes = commune_choices(survey) if asks_commune else {}
    cleaned: dict = {}
    errors: dict[str, str] = {}
    for page in structure.pages:
        # Visibility follows the answers already cleaned, so hidden branches never keep stale answers.
        page_clean, page_errors = answer_rules.clean_page(
            answer_rules.visible_questions(page, {**data, **cleaned}), data, communes=communes)
        cleaned.update(page_clean)
        errors.update(page_errors)
    if errors:
        raise InvalidAnswers(errors)
    return cleaned


def _store(survey: Survey, cleaned: Mapping, *, channel: Channel, key: str | None, user_id: int | None,
           keyed_by_id: int | None, today: dt.date, test: bool = False,
           paper_number: str | None = None) -> Response:
    response = Response(survey_id=survey.id, channel=channel, dedupe_key=key,
                        submitted_on=Response.day_kept(today, account=user_id is not None),
                        user_id=user_id, keyed_by_id=keyed_by_id, paper_number=paper_number)
    values = [row for question in structure_of(survey).questions
              for row in answer_rules.answer_values(question, cleaned)]
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        # Two coordinators keying in the same number at once: the unique constraint lets one through.
        refusal = _paper_number_refusal(survey, paper_number, key) if paper_number else None
        raise refusal or AlreadyResponded(
            _("An answer to this survey has already been recorded from here. Thank you!")) from None
    if values:  # one INSERT for all the rows (executemany); the ORM's bulk insert would split it by columns set
        db.session.execute(insert(Answer.__table__), [{**row, "response_id": response.id} for row in values])
    if survey.disclosure_floor is None and not test:
        pin_disclosure_threshold(survey)  # the k promised to this respondent: it never goes down
        # Written as it was, so that the survey's updated_at does not become the moment of its first response.
        flag_modified(survey, "updated_at")
    return response


def submit_response(survey: Survey, data: Mapping, *, browser_secret: str | None, user=None,
                    access_code: str | None = None, now: dt.datetime | None = None) -> Response:
    """Record a respondent's web answers, once.

    Anonymous mode: no account or address is stored; duplicates are refused through a hash of the
    browser's secret (and the single-use access code when the survey requires one). Identified mode:
    one response per account.
    A draft takes test answers from its coordinators (permissions.can_test_survey), checked the same way: each
    one is new (a coordinator may try again and again), spends no access code, does not pin the disclosure
    threshold, and is deleted when the survey opens (see building.builder.discard_test_answers).
    Raises SurveyClosed, PermissionDenied (account needed), InvalidAnswers, AlreadyResponded, InvalidInput (code).
    """
    now = now or utcnow()
    test = survey.status is SurveyStatus.DRAFT and permissions.can_test_survey(user, survey)
    if not test and not survey.is_accepting(now):
        raise SurveyClosed(_("This survey is not accepting answers."))
    if test:
        key = dedupe_key(survey, f"test:{secrets.token_urlsafe(24)}")
        user_id = user.id if survey.mode is SurveyMode.IDENTIFIED else None
    elif survey.mode is SurveyMode.IDENTIFIED:
        if user is None or not getattr(user, "is_authenticated", False):
            raise PermissionDenied(_("Please log in to answer this survey."))
        key = dedupe_key(survey, f"user:{user.id}")
        user_id = user.id
    else:
        if not browser_secret:
            raise InvalidInput(_("Your browser did not send the survey token. Please reload the page."))
        key = dedupe_key(survey, f"browser:{browser_secret}")
        user_id = None
    cleaned = validate_all(survey, data)
    if survey.access_codes_required:
        (require_unspent_code if test else use_access_code)(survey, access_code)
    return _store(survey, cleaned, channel=Channel.WEB, key=key, user_id=user_id, keyed_by_id=None,
                  today=now.date(), test=test)


def normalise_access_code(code: str | None) -> str:
    """An access code as printed or typed (any case, spaces, dashes) → its stored form."""
    return (code or "").strip().upper().replace(" ", "").replace("-", "")


def use_access_code(survey: Survey, code: str | None) -> None:
    """Spend a single-use code (atomically: two requests cannot both spend it). Raises InvalidInput.

    No moment of use is stored: a spent code holds the same constant mark as every other one.
    """
    normalised = normalise_access_code(code)
    spent = db.session.execute(
        update(AccessCode)
        .where(AccessCode.survey_id == survey.id, AccessCode.code == normalised, AccessCode.spent.is_(False))
        .values(spent=True)
    ).rowcount
    if spent != 1:
        raise InvalidInput(_("This access code is not valid or has already been used."), field="access_code")


def require_unspent_code(survey: Survey, code: str | None) -> None:
    """Refuse a code that does not exist or is spent, without spending it (test answers). Raises InvalidInput."""
    found = db.session.scalar(select(exists().where(
        AccessCode.survey_id == survey.id, AccessCode.code == normalise_access_code(code), AccessCode.spent.is_(False))))
    if not found:
        raise InvalidInput(_("This access code is not valid or has already been used."), field="access_code")


def key_in_response(actor, survey: Survey, data: Mapping, *, channel: Channel, entry_id: str | None = None,
                    paper_number: str | None = None, now: dt.datetime | None = None) -> Response:
    """Record a paper, phone or workshop questionnaire keyed in by a coordinator.

    `entry_id` (a random id carried by the entry form) makes a double click or a replay record it once;
    `paper_number`, the number printed (or written) on the questionnaire, is kept and may be keyed in once.
    Raises PermissionDenied, SurveyClosed (draft or archived survey), InvalidInput (the number),
    PaperNumberTaken, InvalidAnswers, AlreadyResponded.
    """
    if not permissions.can_manage_survey(actor, survey):
        raise PermissionDenied(_("You are not allowed to do this."))
    if survey.status not in (SurveyStatus.OPEN, SurveyStatus.CLOSED):
        raise SurveyClosed(_("Answers can be keyed in only while the survey is open or closed, not in draft or archived."))
    if channel is Channel.WEB:
        raise InvalidInput(_("Choose how the answers were collected."), field="channel")
    now = now or utcnow()
    key = dedupe_key(survey, f"entry:{entry_id}") if entry_id else None
    number = clean_paper_number(paper_number)
    refusal = _paper_number_refusal(survey, number, key) if number else None
    if refusal is not None:
        raise refusal
    cleaned = validate_all(survey, data)
    return _store(survey, cleaned, channel=channel, key=key, user_id=None, keyed_by_id=actor.id, today=now.date(),
                  paper_number=number)
