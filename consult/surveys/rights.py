"""What surveys hold about a person (their "My data" download): responses given with their account and their
answers, drafts in progress, re-contact addresses equal to their address. What an erased account lets go of: drafts
and re-contact addresses are deleted; its responses stay in the results but are unlinked from it, keeping only the
week like any response given without an account."""
from __future__ import annotations

import datetime as dt
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.erasure import lets_go_of
from consult.accounts.models import User
from consult.accounts.rights import Row, counted, holds_personal_data
from consult.core.time import week_start
from consult.extensions import db
from consult.surveys.models import Answer, Draft, PanelContact, Response, Survey
from consult.territories.models import Territory


def _responses(user: User) -> list[Response]:
    return list(db.session.scalars(
        select(Response).where(Response.user_id == user.id).order_by(Response.id)
        .options(joinedload(Response.survey),
                 selectinload(Response.answers).options(selectinload(Answer.question), selectinload(Answer.option),
                                                        selectinload(Answer.row)))))


@holds_personal_data("survey_responses", _l("Your answers to surveys, given with your account"),
                     ("id", "survey", "submitted_on", "channel"),
                     count=lambda user: counted(select(Response.id).where(Response.user_id == user.id)))
def _survey_responses(user: User) -> list[Row]:
    return [{"id": response.id, "survey": response.survey.title, "submitted_on": response.submitted_on,
             "channel": response.channel} for response in _responses(user)]


@holds_personal_data("survey_answers", _l("The details of your survey answers"),
                     ("response_id", "question", "row", "option", "text", "number", "rank"),
                     count=lambda user: counted(select(Answer.id).join(Response).where(Response.user_id == user.id)))
def _survey_answers(user: User) -> list[Row]:
    return [{"response_id": response.id, "question": answer.question.text,
             "row": answer.row.label if answer.row else None, "option": answer.option.label if answer.option else None,
             "text": answer.value_text, "number": answer.value_number, "rank": answer.rank}
            for response in _responses(user) for answer in sorted(response.answers, key=lambda a: a.id)]


@holds_personal_data("survey_drafts", _l("Your answers in progress"), ("survey", "updated_on", "page", "answers"),
                     count=lambda user: counted(select(Draft.id).where(Draft.user_id == user.id)))
def _drafts(user: User) -> list[Row]:
    drafts = db.session.execute(select(Survey.title, Draft).join(Survey, Survey.id == Draft.survey_id)
                                .where(Draft.user_id == user.id).order_by(Draft.id))
    return [{"survey": title, "updated_on": draft.updated_on, "page": draft.page_index,
             "answers": json.dumps(draft.data, ensure_ascii=False, sort_keys=True)} for title, draft in drafts]


@holds_personal_data("panel_addresses", _l("Your address, left to be contacted again"),
                     ("territory", "survey", "consent_month"),
                     count=lambda user: counted(select(PanelContact.id).where(PanelContact.email == user.email)))
def _panel(user: User) -> list[Row]:
    contacts = db.session.execute(
        select(Territory.name, Survey.title, PanelContact.consent_month)
        .join(Territory, Territory.id == PanelContact.territory_id)
        .outerjoin(Survey, Survey.id == PanelContact.survey_id)
        .where(PanelContact.email == user.email).order_by(PanelContact.consent_month, PanelContact.id))
    return [{"territory": territory, "survey": survey, "consent_month": month} for territory, survey, month in contacts]


@lets_go_of("surveys")
def release_surveys(user: User, now: dt.datetime) -> dict[str, int]:
    """Delete drafts and re-contact addresses; unlink responses, keeping only their week (counts unchanged)."""
    drafts = db.session.execute(delete(Draft).where(Draft.user_id == user.id)).rowcount
    panel = db.session.execute(delete(PanelContact).where(PanelContact.email == user.email)).rowcount
    unlinked = 0
    for response_id, day in db.session.execute(select(Response.id, Response.submitted_on)
                                               .where(Response.user_id == user.id)).all():
        db.session.execute(update(Response).where(Response.id == response_id)
                           .values(user_id=None, submitted_on=week_start(day)))
        unlinked += 1
    return {"drafts": drafts, "panel_addresses": panel, "responses_unlinked": unlinked}
