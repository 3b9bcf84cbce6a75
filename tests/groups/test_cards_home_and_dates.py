"""The territory home's call card says what a resident can do now and until when; dates and times read the same
way on every resident page (« dimanche 11 janvier 2099 à 15 h 00 »), never « 11/01/2099 15:00 »."""
from __future__ import annotations

import datetime as dt
import re

from consult.extensions import db
from consult.proposals.models import Call

SLUG = "terres-des-confluences"
# Proposals until Sunday 11 January 2099, 15:00 in Paris (winter: UTC+1); supports until Saturday 31 January.
SUBMISSION_CLOSES = dt.datetime(2099, 1, 11, 14, 0)
VOTING_CLOSES = dt.datetime(2099, 1, 31, 22, 0)


def make_call(territory, *, submission_closes_at=SUBMISSION_CLOSES) -> Call:
    call = Call(territory=territory, title="Vos idées pour la santé à L'Isle-Jourdain",
                submission_opens_at=dt.datetime(2026, 1, 5, 8, 0), submission_closes_at=submission_closes_at,
                voting_opens_at=dt.datetime(2026, 1, 5, 8, 0), voting_closes_at=VOTING_CLOSES)
    call.axes = list(territory.current_contract.axes)
    db.session.add(call)
    db.session.commit()
    return call


def call_card(home: str) -> str:
    start = home.index("Vos idées pour la santé à L&#39;Isle-Jourdain")
    return home[home.rindex("<li", 0, start):home.index("</li>", start)]


def test_home_card_gives_the_deadline_of_each_step_of_a_call(client, territory):
    call = make_call(territory)

    proposing = call_card(client.get(f"/t/{SLUG}/").get_data(as_text=True))
    call.submission_closes_at = dt.datetime(2026, 2, 1, 8, 0)
    db.session.commit()
    supporting = call_card(client.get(f"/t/{SLUG}/").get_data(as_text=True))

    assert "propositions jusqu’au 11 janvier 2099, soutiens jusqu’au 31 janvier 2099" in proposing
    assert "soutiens jusqu’au 31 janvier 2099" in supporting and "propositions jusqu" not in supporting
    assert "Soutenez les propositions" in supporting and "Proposez des actions" not in supporting


def test_dates_and_times_are_written_out_the_same_way_for_residents(client, territory):
    call = make_call(territory)

    french = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/").get_data(as_text=True)
    english = client.get(f"/t/{SLUG}/proposals/calls/{call.id}/",
                         headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "au dimanche 11 janvier 2099 à 15 h 00" in french
    assert "au samedi 31 janvier 2099 à 23 h 00" in french
    assert "to Sunday, January 11, 2099 at 3:00\u202fPM" in english
    assert not re.search(r"\d{2}/\d{2}/\d{4}", french + english)
