"""The residents' panel of a territory: the re-contact addresses its surveys collected, each kept
PANEL_CONTACT_MONTHS from its month of consent; coordinators see them and delete them (one, or all)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from consult.core import audit
from consult.core.retention import expiry
from consult.errors import NotFound
from consult.extensions import db
from consult.surveys.models import PanelContact, Survey
from consult.surveys.permissions import can_manage_panel
from consult.territories.models import Territory
from consult.territories.permissions import require

CONTACT_ID = re.compile(r"[0-9a-f]{32}")  # PanelContact ids: uuid4().hex


@dataclass(frozen=True)
class PanelLine:
    """One address as the coordinators' page shows it."""

    id: str
    email: str
    survey_title: str | None
    consent_month: dt.date
    expires_on: dt.date


def expires_on(consent_month: dt.date) -> dt.date:
    """The day the purge deletes an address given in this month."""
    return expiry(consent_month, int(current_app.config["PANEL_CONTACT_MONTHS"]), "months")


def read_panel(actor, territory: Territory) -> list[PanelLine]:
    """The territory's addresses, newest consent first; the reading is recorded in the audit trail (contact
    details). Raises PermissionDenied."""
    require(can_manage_panel(actor, territory))
    rows = db.session.execute(
        select(PanelContact.id, PanelContact.email, Survey.title, PanelContact.consent_month)
        .outerjoin(Survey, Survey.id == PanelContact.survey_id)
        .where(PanelContact.territory_id == territory.id)
        .order_by(PanelContact.consent_month.desc(), PanelContact.email)).all()
    audit.record_read("contacts.read", actor=actor, territory=territory, target="panel",
                      detail={"addresses": len(rows)})
    return [PanelLine(id, email, title, month, expires_on(month)) for id, email, title, month in rows]


def delete_panel_contact(actor, territory: Territory, contact_id: str) -> None:
    """Delete one address of the territory. Raises PermissionDenied, NotFound (already deleted, or another
    territory's)."""
    require(can_manage_panel(actor, territory))
    if not CONTACT_ID.fullmatch(contact_id):  # never send what a URL held to the database unchecked (NUL…)
        raise NotFound(_("This address is no longer in the panel."))
    result = db.session.execute(delete(PanelContact).where(PanelContact.id == contact_id,
                                                           PanelContact.territory_id == territory.id))
    if not result.rowcount:
        raise NotFound(_("This address is no longer in the panel."))
    audit.record("contacts.delete", actor=actor, territory=territory, target="panel", detail={"addresses": 1})


def clear_panel(actor, territory: Territory) -> int:
    """Delete every address of the territory; returns how many. Raises PermissionDenied."""
    require(can_manage_panel(actor, territory))
    count = db.session.execute(delete(PanelContact).where(PanelContact.territory_id == territory.id)).rowcount or 0
    audit.record("contacts.delete", actor=actor, territory=territory, target="panel", detail={"addresses": count})
    return count
