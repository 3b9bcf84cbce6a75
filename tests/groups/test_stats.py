"""Participation figures against a small territory counted by hand (see `season` for the counts)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from consult.accounts.models import Category
from consult.extensions import db
from consult.groups.services import stats
from consult.groups.models import SignupStatus
from tests.conftest import NOW, commune_by_code
from tests.groups.factories import add_attendance, add_member, make_group, make_meeting, register

C = Category
DAY = dt.timedelta(days=1)


@pytest.fixture
def season(make_user, territory, other_territory):
    """One group, two held meetings, one cancelled and one to come; a Forum Santé; an event elsewhere.

    Group « Accès aux soins »: Élue (ELECTED, Moissac), Médecin (HEALTH, Castelsarrasin), Habitant
    (RESIDENT) members for 60 days; Infirmière (HEALTH, Moissac) left 10 days ago; Éducateur (SOCIAL,
    Saint-Nicolas-de-la-Grave) joined 5 days ago.

    first  (20 days ago)  expected Élue, Médecin, Habitant, Infirmière = 4
                          came Élue, Médecin, Infirmière, « Jeanne Dupré » (CCAS de Moissac, INSTITUTION,
                          Moissac) = 4 rows, 3 of the expected
    second (3 days ago)   expected Élue, Médecin, Habitant, Éducateur = 4
                          came Élue, Éducateur, « JEANNE DUPRE » (ccas de  moissac, category not stated
                          this time), « Paul Martin » (nothing stated) = 4 rows, 2 of the expected
    cancelled (1 day ago) Habitant marked: never counted
    forum  (7 days ago)   registered Élue, Élu (ELECTED, Castelsarrasin), Bénévole (ASSOCIATION, cancelled)
                          expected 2; came Élue, Élu, Bénévole, « Éloïse Bénard » (RESIDENT,
                          Castelsarrasin) = 4 rows, 2 of the expected
    """
    moissac, castelsarrasin = commune_by_code("82112"), commune_by_code("82033")
    saint_nicolas = commune_by_code("82169")
    people = SimpleNamespace(
        elue=make_user(display_name="Élue de Moissac", category=C.ELECTED, commune=moissac),
        medecin=make_user(display_name="Médecin de Castelsarrasin", category=C.HEALTH_PROFESSIONAL,
                          commune=castelsarrasin),
        habitant=make_user(display_name="Habitant de Lizac", category=C.RESIDENT),
        infirmiere=make_user(display_name="Infirmière de Moissac", category=C.HEALTH_PROFESSIONAL, commune=moissac),
        educateur=make_user(display_name="Éducateur spécialisé", category=C.SOCIAL_PROFESSIONAL,
                            commune=saint_nicolas),
        elu=make_user(display_name="Élu de Castelsarrasin", category=C.ELECTED, commune=castelsarrasin),
        benevole=make_user(display_name="Bénévole de la Croix-Rouge", category=C.ASSOCIATION),
    )
    group = make_group(territory, title="Accès aux soins")
    for person in (people.elue, people.medecin, people.habitant):
        add_member(group, person)
    add_member(group, people.infirmiere, status=SignupStatus.WITHDRAWN, left_at=NOW - 10 * DAY)
    add_member(group, people.educateur, queued_at=NOW - 5 * DAY, decided_at=None)
    # Someone who waited and left before any meeting: never expected.
    add_member(group, make_user(display_name="Pharmacienne"), status=SignupStatus.WAITLISTED,
               queued_at=NOW - 2 * DAY, decided_at=None)

    first = make_meeting(territory, group, title="Première réunion", starts_at=NOW - 20 * DAY)
    for person in (people.elue, people.medecin, people.infirmiere):
        add_attendance(first, person)
    add_attendance(first, name="Jeanne Dupré", structure="CCAS de Moissac", category=C.INSTITUTION, commune=moissac)

    second = make_meeting(territory, group, title="Deuxième réunion", starts_at=NOW - 3 * DAY)
    add_attendance(second, people.elue)
    add_attendance(second, people.educateur)
    add_attendance(second, name="JEANNE DUPRE", structure="ccas de  moissac")
    add_attendance(second, name="Paul Martin")

    cancelled = make_meeting(territory, group, title="Réunion annulée", starts_at=NOW - DAY,
                             cancelled_at=NOW - 2 * DAY)
    add_attendance(cancelled, people.habitant)
    upcoming = make_meeting(territory, group, title="Réunion à venir", starts_at=NOW + 2 * DAY)

    forum = make_meeting(territory, title="Forum Santé", starts_at=NOW - 7 * DAY)
    register(forum, people.elue)
    register(forum, people.elu)
    register(forum, people.benevole, cancelled_at=NOW - 8 * DAY)
    for person in (people.elue, people.elu, people.benevole):
        add_attendance(forum, person)
    add_attendance(forum, name="Éloïse Bénard", category=C.RESIDENT, commune=castelsarrasin)

    elsewhere = make_meeting(other_territory, title="Forum de l'Aveyron", starts_at=NOW - 4 * DAY)
    add_attendance(elsewhere, people.elu)
    add_attendance(elsewhere, name="Marc Aubin", category=C.ELECTED)

    # A profile changed after the meetings: the figures keep what was recorded then.
    people.medecin.category = C.RESIDENT
    db.session.commit()
    return SimpleNamespace(group=group, first=first, second=second, cancelled=cancelled, upcoming=upcoming,
                           forum=forum, territory=territory, **vars(people))


def test_territory_counts_meetings_rows_and_people(season):
    summary = stats.territory_summary(season.territory, now=NOW)

    assert summary.meetings == 3  # first, second, forum
    assert summary.attendances == 12  # 4 + 4 + 4
    # Élue, Médecin, Infirmière, Jeanne Dupré, Éducateur, Paul Martin, Élu, Bénévole, Éloïse Bénard
    assert summary.people == 9


def test_territory_people_by_category_use_the_recorded_category(season):
    summary = stats.territory_summary(season.territory, now=NOW)

    assert summary.by_category == (
        (C.RESIDENT, 1),              # Éloïse Bénard (the Médecin's new profile does not count)
        (C.ELECTED, 2),               # Élue, Élu
        (C.HEALTH_PROFESSIONAL, 2),   # Médecin, Infirmière
        (C.SOCIAL_PROFESSIONAL, 1),   # Éducateur
        (C.INSTITUTION, 1),           # Jeanne Dupré, stated at the first meeting
        (C.ASSOCIATION, 1),           # Bénévole
        (None, 1),                    # Paul Martin
    )


def test_territory_people_by_commune(season):
    summary = stats.territory_summary(season.territory, now=NOW)

    assert summary.by_commune == (
        ("Castelsarrasin", 3),             # Médecin, Élu, Éloïse Bénard
        ("Moissac", 3),                    # Élue, Infirmière, Jeanne Dupré
        ("Saint-Nicolas-de-la-Grave", 1),  # Éducateur
        (None, 2),                         # Paul Martin, Bénévole
    )


def test_territory_attendance_rate(season):
    summary = stats.territory_summary(season.territory, now=NOW)

    assert (summary.expected, summary.expected_present) == (10, 7)  # 4 + 4 + 2 expected; 3 + 2 + 2 came
    assert summary.attendance_rate == pytest.approx(0.7)


def test_territory_period_in_paris_dates(season):
    # 10 to 22 November 2026: the forum (16 Nov) and the second meeting (20 Nov), not the first (3 Nov).
    summary = stats.territory_summary(season.territory, start=dt.date(2026, 11, 10), end=dt.date(2026, 11, 22),
                                      now=NOW)

    assert summary.meetings == 2
    assert summary.attendances == 8
    assert summary.people == 7  # Élue, Éducateur, Jeanne Dupré, Paul Martin, Élu, Bénévole, Éloïse Bénard
    assert (summary.expected, summary.expected_present) == (6, 4)


def test_group_summary(season):
    summary = stats.group_summary(season.group, now=NOW)

    assert summary.meetings == 2
    assert summary.attendances == 8
    assert summary.people == 6  # Élue, Médecin, Infirmière, Jeanne Dupré, Éducateur, Paul Martin
    assert (summary.expected, summary.expected_present) == (8, 5)
    assert summary.attendance_rate == pytest.approx(0.625)
    assert summary.count_of(C.HEALTH_PROFESSIONAL) == 2
    assert summary.count_of(None) == 1


def test_meeting_summary_counts_members_of_that_day(season):
    summary = stats.meeting_summary(season.first, now=NOW)

    assert (summary.meetings, summary.attendances, summary.people) == (1, 4, 4)
    # The Infirmière, who left later, was expected; the Éducateur, who joined later, was not.
    assert (summary.expected, summary.expected_present) == (4, 3)
    assert summary.attendance_rate == pytest.approx(0.75)


def test_event_summary_expects_registrations_not_cancelled(season):
    summary = stats.meeting_summary(season.forum, now=NOW)

    assert (summary.attendances, summary.people) == (4, 4)
    assert (summary.expected, summary.expected_present) == (2, 2)
    assert summary.attendance_rate == 1


def test_cancelled_and_upcoming_meetings_count_nothing(season):
    for meeting in (season.cancelled, season.upcoming):
        summary = stats.meeting_summary(meeting, now=NOW)

        assert (summary.meetings, summary.attendances, summary.people, summary.expected) == (0, 0, 0, 0)
        assert summary.attendance_rate is None


def test_rate_is_none_when_nobody_was_expected(territory):
    workshop = make_meeting(territory, title="Atelier mobilité", starts_at=NOW - DAY)
    add_attendance(workshop, name="Sans inscription")

    summary = stats.meeting_summary(workshop, now=NOW)

    assert summary.people == 1
    assert summary.attendance_rate is None


def test_sentence_uses_plural_forms_and_the_locale_list(season):
    with force_locale("en"):
        sentence = stats.summary_sentence(stats.group_summary(season.group, now=NOW))

    # Médecin and Infirmière (health), Élue, Éducateur, Jeanne Dupré, Paul Martin
    assert sentence == ("1 elected official, 2 health professionals, 1 social or medico-social professional, "
                        "1 representative of an institution or partner, and 1 person of unstated category took part")


def test_sentence_joins_with_the_french_conjunction(territory):
    meeting = make_meeting(territory, starts_at=NOW - DAY)
    for n in range(3):
        add_attendance(meeting, name=f"Élu n° {n}", category=C.ELECTED)
    add_attendance(meeting, name="Habitante", category=C.RESIDENT)

    with force_locale("fr"):
        sentence = stats.summary_sentence(stats.meeting_summary(meeting, now=NOW))

    assert sentence.startswith("1 ")
    assert " et 3 " in sentence
    assert ", et" not in sentence


def test_sentence_when_nobody_came(territory):
    with force_locale("en"):
        assert stats.summary_sentence(stats.territory_summary(territory, now=NOW)) == "Nobody has taken part yet"


def test_person_who_only_waited_is_not_expected_at_a_meeting_held_while_waiting(make_user, territory):
    group = make_group(territory, title="Santé mentale des jeunes", capacity=1)
    add_member(group, make_user(display_name="Membre"))
    waited = make_user(display_name="Attendait")
    add_member(group, waited, status=SignupStatus.WITHDRAWN, queued_at=NOW - 30 * DAY, decided_at=None,
               member_since=None, left_at=NOW - DAY)  # waited on the list, then withdrew
    meeting = make_meeting(territory, group, starts_at=NOW - 10 * DAY)
    summary = stats.meeting_summary(meeting, now=NOW)
    assert summary.expected == 1  # the member only
