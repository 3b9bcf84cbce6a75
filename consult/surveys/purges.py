"""What surveys keep for a stated period: answers in progress and their resume keys, re-contact (panel) addresses,
and the raw answers of a closed survey. Each purge is registered with consult.core.retention."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import delete, func, or_, select

from consult.core.retention import cutoff, purge
from consult.extensions import db
from consult.surveys.answering.respond import purge_stale_drafts
from consult.surveys.models import Draft, PanelContact, Response, Survey, SurveyStatus
from consult.surveys.results import tally


def answers_kept_months(survey: Survey) -> int:
    """Months the raw answers are kept after the survey closes: its own number, else the site's rule."""
    return survey.retention_months or int(current_app.config["SURVEY_RETENTION_MONTHS"])


@purge("survey_drafts", "DRAFT_RETENTION_DAYS", "days")
def purge_drafts(now: dt.datetime) -> int:
    """Answers in progress untouched for the period, and with them their resume keys (only their hash is kept,
    on the draft)."""
    return purge_stale_drafts(now.date())


@purge("panel_contacts", "PANEL_CONTACT_MONTHS", "months")
def purge_panel_contacts(now: dt.datetime) -> int:
    """Re-contact addresses whose period, counted from the month of consent, is over."""
    limit = cutoff(now, int(current_app.config["PANEL_CONTACT_MONTHS"]), "months").date()
    result = db.session.execute(delete(PanelContact).where(PanelContact.consent_month <= limit))
    return result.rowcount or 0


@purge("survey_answers", "SURVEY_RETENTION_MONTHS", "months")
def purge_survey_answers(now: dt.datetime) -> int:
    """The responses (and their answers) of every survey closed longer ago than its retention; its published
    releases are frozen apart and stay. Returns the number of responses deleted."""
    candidates = db.session.scalars(select(Survey).where(
        Survey.status != SurveyStatus.DRAFT,
        or_(Survey.closed_at.is_not(None), Survey.closes_at <= now),
        select(Response.id).where(Response.survey_id == Survey.id).exists()))
    removed = 0
    for survey in candidates:
        ended = survey.answering_ended_at(now)
        if ended is not None and ended <= cutoff(now, answers_kept_months(survey), "months"):
            count = db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id))
            db.session.execute(delete(Response).where(Response.survey_id == survey.id))
            tally.forget(survey.id)  # ids of deleted responses may be given again: count afresh
            db.session.execute(delete(Draft).where(Draft.survey_id == survey.id))
            removed += count
    return removed
