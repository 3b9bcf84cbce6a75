"""The residents' panel page: coordinators and admins of the territory see the re-contact addresses with the day
each expires and delete them, one or all; nobody else reaches them; every reading is in the audit trail."""
from __future__ import annotations

import datetime as dt
import html
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from consult.core.audit import AuditEvent
from consult.extensions import db
from consult.surveys.models import PanelContact
from tests.conftest import ROLES

PANEL = "/t/terres-des-confluences/manage/surveys/panel"
MANAGERS = {"coordinator", "admin"}


@pytest.fixture
def contacts(survey, other_territory):
    """Two addresses of Terres des Confluences, one of Ouest Aveyron."""
    rows = [PanelContact(territory_id=survey.territory_id, survey_id=survey.id, email="josiane.castera@example.org",
                         consent_month=dt.date(2026, 10, 1)),
            PanelContact(territory_id=survey.territory_id, survey_id=survey.id, email="l.isle-jourdain@example.org",
                         consent_month=dt.date(2026, 11, 1)),
            PanelContact(territory_id=other_territory.id, email="decazeville@example.org",
                         consent_month=dt.date(2026, 11, 1))]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def emails() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(PanelContact.email)))


def refused(response) -> bool:
    """403, or anonymous sent to log in."""
    return response.status_code == 403 or (response.status_code == 302 and
                                           urlsplit(response.headers["Location"]).path == "/account/login")


@pytest.mark.parametrize("role", ROLES)
def test_panel_page_and_deletion_by_role(as_role, role, contacts):
    client = as_role(role)

    page = client.get(PANEL)
    one = client.post(f"{PANEL}/{contacts[0]}/delete")
    everything = client.post(f"{PANEL}/delete-all")

    if role in MANAGERS:
        text = html.unescape(page.get_data(as_text=True))
        assert page.status_code == 200
        assert "josiane.castera@example.org" in text and "decazeville@example.org" not in text
        assert "1 octobre 2028" in text  # given in October 2026, kept 24 months
        assert one.status_code == everything.status_code == 302
        assert emails() == ["decazeville@example.org"]
        reading = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "contacts.read")).one()
        assert (reading.target, reading.detail) == ("panel", {"addresses": 2})
    else:
        assert refused(page) and refused(one) and refused(everything)
        assert emails() == ["decazeville@example.org", "josiane.castera@example.org", "l.isle-jourdain@example.org"]
        assert db.session.scalars(select(AuditEvent)).all() == []


def test_deleting_an_address_twice_says_it_is_gone(as_role, contacts):
    client = as_role("coordinator")

    client.post(f"{PANEL}/{contacts[0]}/delete")
    again = client.post(f"{PANEL}/{contacts[0]}/delete", follow_redirects=True)
    other = client.post(f"{PANEL}/{contacts[2]}/delete", follow_redirects=True)  # another territory's
    odd = client.post(f"{PANEL}/%00{'9' * 40}/delete", follow_redirects=True)

    assert "Cette adresse n'est plus dans le panel." in html.unescape(again.get_data(as_text=True))
    assert other.status_code == odd.status_code == 200
    assert emails() == ["decazeville@example.org", "l.isle-jourdain@example.org"]


def test_delete_all_asks_first(as_role, contacts):
    client = as_role("coordinator")

    confirm = client.get(f"{PANEL}/delete-all")

    assert "Supprimer toutes les adresses du panel ?" in html.unescape(confirm.get_data(as_text=True))
    assert len(emails()) == 3
    done = client.post(f"{PANEL}/delete-all", follow_redirects=True)
    assert "2 adresses supprimées." in done.get_data(as_text=True)
    assert emails() == ["decazeville@example.org"]


def test_survey_settings_keep_the_retention_in_months_and_the_intro_states_it(as_role, survey):
    client = as_role("coordinator")
    fields = {"title": survey.title, "mode": "anonymous", "retention_months": "30", "recontact_enabled": "y",
              "purpose": "Préparer le diagnostic local de santé."}

    wrong = client.post(f"/t/terres-des-confluences/manage/surveys/{survey.id}/settings",
                        data={**fields, "retention_months": "999"})
    assert wrong.status_code == 200 and 'value="999"' in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert survey.retention_months is None
    client.post(f"/t/terres-des-confluences/manage/surveys/{survey.id}/settings", data=fields)

    db.session.expire_all()
    assert survey.retention_months == 30
    intro = html.unescape(client.get(f"/t/terres-des-confluences/surveys/{survey.id}/").get_data(as_text=True))
    assert "Vos réponses sont gardées 30 mois après la clôture de l'enquête." in intro
