"""Making releases and publishing them: the only way figures reach the public and observers."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from consult.core import snapshot
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.surveys import permissions, results
from consult.surveys.models import Survey, SurveyStatus
from consult.surveys.releases.build import build
from consult.surveys.releases.content import Audit, ReleaseContent
from consult.surveys.releases.models import SurveyRelease


def releases_of(survey: Survey) -> list[SurveyRelease]:
    """Every release of the survey, the latest first."""
    return list(db.session.scalars(
        select(SurveyRelease).where(SurveyRelease.survey_id == survey.id).order_by(SurveyRelease.number.desc())))


def latest_release(survey: Survey) -> SurveyRelease | None:
    return db.session.scalars(select(SurveyRelease).where(SurveyRelease.survey_id == survey.id)
                              .order_by(SurveyRelease.number.desc()).limit(1)).first()


def get_release(survey: Survey, number: int) -> SurveyRelease | None:
    return db.session.scalars(select(SurveyRelease).where(SurveyRelease.survey_id == survey.id,
                                                          SurveyRelease.number == number)).first()


def content_of(release: SurveyRelease) -> ReleaseContent:
    """The release's tables as the results templates read them, in the reader's language (decoded once per
    process and language: a release never changes). Once decoded, the deferred `content` column is not even
    loaded: its JSON takes ~30 ms to parse for the demo, most of a results page's time."""
    languages = _LANGUAGES.get(release.digest)
    if languages is None:
        languages = _LANGUAGES[release.digest] = frozenset(release.content)
    key = (release.digest, _language(languages))
    found = _DECODED.get(key)
    if found is None:
        found = snapshot.load(ReleaseContent, release.content[key[1]])
        if len(_DECODED) >= 64:
            _DECODED.pop(next(iter(_DECODED)))
            _LANGUAGES.clear()  # small; refilled as releases are read again
        _DECODED[key] = found
    return found


# Decoded releases by (digest, language), shared by the requests of a process; never modified by readers.
_DECODED: dict[tuple[str, str], ReleaseContent] = {}
# The languages each release (by digest) was made in.
_LANGUAGES: dict[str, frozenset[str]] = {}


def _language(versions) -> str:
    """The reader's language if the release has a version in it, else the site's default one."""
    language = str(get_locale() or "")[:2]
    return language if language in versions else current_app.config["BABEL_DEFAULT_LOCALE"]


def preview_release(survey: Survey, *, now: dt.datetime) -> tuple[SurveyRelease, ReleaseContent] | None:
    """What a release made now would show, in the reader's language, without the joint audit (fast; the
    release may hide a few more figures) and stored nowhere; None without any response. The caller checks
    who asks (coordinators only)."""
    k = results.disclosure_threshold(survey)
    data = results.load(survey)
    if not data.total:
        return None
    language = _language(current_app.config["LANGUAGES"])
    contents, _audit = build(data, k, joint=False, languages=[language])  # the one the coordinator reads
    draft = SurveyRelease(number=0, k=k, responses=data.total, made_at=now, **_months(data))
    return draft, contents[language]


def _months(data: results.SurveyData) -> dict[str, dt.date]:
    """The months of the first and last responses (a release says in which months answers came in)."""
    days = [day for day, _channel, _category, _n in data.tally.responses]
    return {"first_month": min(days).replace(day=1), "last_month": max(days).replace(day=1)}


def audit_of(release: SurveyRelease) -> Audit:
    return snapshot.load(Audit, release.audit)


def responses_needed(survey: Survey, responses: int, *, previous: SurveyRelease | None | bool = False) -> int:
    """How many more responses the survey needs before a new release can be made (0: it can); `previous`: the
    latest release when the caller has it (None: there is none)."""
    latest = latest_release(survey) if previous is False else previous
    return _missing(latest, responses, results.disclosure_threshold(survey))


def _missing(previous: SurveyRelease | None, responses: int, k: int) -> int:
    if previous is None:
        return 0 if responses else 1
    return max(0, previous.responses + k - responses)


def make_release(actor, survey: Survey, *, now: dt.datetime) -> SurveyRelease:
    """Freeze the survey's current answers into a new release, every table protected together.

    Raises PermissionDenied (coordinators and admins only), Conflict (a draft; no response; fewer than
    k responses since the previous release — comparing the two would isolate them; a release made at the
    same moment by someone else).
    """
    if not permissions.can_manage_survey(actor, survey):
        raise PermissionDenied(_("You are not allowed to do this."))
    if survey.status is SurveyStatus.DRAFT:
        raise Conflict(_("A draft survey has no results to publish."))
    return freeze_release(survey, now=now, made_by=actor)


def freeze_release(survey: Survey, *, now: dt.datetime, made_by=None) -> SurveyRelease:
    """The release itself, once the caller has checked who asks (`make_release`; the demo seed).
    Raises Conflict (no response; fewer than k responses since the previous release; made meanwhile)."""
    results.pin_disclosure_threshold(survey)  # what is released at this k is never shown with a smaller one
    k = results.disclosure_threshold(survey)
    data = results.load(survey)
    count = data.total
    previous = latest_release(survey)
    missing = _missing(previous, count, k)
    if missing and previous is None:
        raise Conflict(_("The survey has no response yet: there is nothing to release."))
    if missing:
        raise Conflict(ngettext(
            "A new release needs %(num)d more response: with fewer than %(k)d new responses, comparing two "
            "releases would reveal the answers of the few people who answered in between.",
            "A new release needs %(num)d more responses: with fewer than %(k)d new responses, comparing two "
            "releases would reveal the answers of the few people who answered in between.", missing, k=k))
    contents, audit = build(data, k)
    content = {language: snapshot.dump(c) for language, c in contents.items()}
    release = SurveyRelease(
        survey_id=survey.id, number=previous.number + 1 if previous else 1, made_at=now,
        made_by_id=getattr(made_by, "id", None), k=k, responses=count, **_months(data), content=content, audit=snapshot.dump(audit),
        digest=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(release)
    except IntegrityError:  # a double click: the first request made this release
        raise Conflict(_("This release has just been made.")) from None
    return release


def publish_results(actor, survey: Survey, *, now: dt.datetime) -> SurveyRelease:
    """Make the latest release public (making the first one if there is none yet).

    Raises PermissionDenied, Conflict (a draft, already published, no response).
    """
    if not permissions.can_manage_survey(actor, survey):
        raise PermissionDenied(_("You are not allowed to do this."))
    if survey.status is SurveyStatus.DRAFT:
        raise Conflict(_("A draft survey has no results to publish."))
    if survey.results_published_at is not None:
        raise Conflict(_("The results are already published."))
    release = latest_release(survey) or make_release(actor, survey, now=now)
    survey.results_published_at = now
    db.session.flush()
    return release


KEY_FINDINGS_MAX = 5000   # characters: a few short paragraphs, read before the figures


def key_findings_draft(release: SurveyRelease) -> tuple[str, SurveyRelease | None]:
    """The text to offer in the key findings form: the release's own, or, while it has none, the text of the
    latest earlier release that has one (returned with it: the coordinator re-reads it against the new
    figures before saving). A release's key findings are its own: a new release starts empty."""
    if release.key_findings:
        return release.key_findings, None
    earlier = db.session.scalars(
        select(SurveyRelease).where(SurveyRelease.survey_id == release.survey_id, SurveyRelease.number < release.number,
                                    SurveyRelease.key_findings != "")
        .order_by(SurveyRelease.number.desc()).limit(1)).first()
    return (earlier.key_findings, earlier) if earlier else ("", None)


def write_key_findings(actor, release: SurveyRelease, text: str) -> SurveyRelease:
    """Replace a release's key findings (Markdown; empty removes them). Only these words change: the figures,
    their digest and the audit stay as made; a published release may be edited.

    Raises PermissionDenied (coordinators and admins of the territory only), InvalidInput (too long).
    """
    if not permissions.can_write_key_findings(actor, release.survey):
        raise PermissionDenied(_("You are not allowed to do this."))
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > KEY_FINDINGS_MAX:
        raise InvalidInput(_("At most %(max)d characters.", max=KEY_FINDINGS_MAX), field="text")
    release.key_findings = text
    db.session.flush()
    return release


def unpublish_results(actor, survey: Survey) -> None:
    """Take the releases off the public pages (observers still read them). Raises PermissionDenied, Conflict."""
    if not permissions.can_manage_survey(actor, survey):
        raise PermissionDenied(_("You are not allowed to do this."))
    if survey.results_published_at is None:
        raise Conflict(_("The results are not published."))
    survey.results_published_at = None
    db.session.flush()
