"""The annual review against a hand-computed fixture: fiches with dated status changes across 2024 and 2025,
indicator values, decisions, notes and the participation rows of each year."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from consult.extensions import db
from consult.groups.models import Attendance, Idea, Meeting, MeetingKind, Registration
from consult.proposals import similarity
from consult.proposals.models import Call, Proposal, Support
from consult.proposals.states import ProposalState
from consult.surveys.models import Channel, Response, Survey, SurveyMode, SurveyStatus
from consult.surveys.releases.models import SurveyRelease
from consult.synthesis.models import (
    BodyKind,
    BodySession,
    Decision,
    DecisionFiche,
    DecisionKind,
    FicheStatus,
    FollowUpNote,
    GovernanceBody,
    IndicatorValue,
    StatusChange,
)
from tests.synthesis.governance_factories import PLAN

S = FicheStatus
JAN_2024 = dt.datetime(2024, 1, 10, 9, 0)


@pytest.fixture
def fixture(territory, make_fiche, make_user, coordinator):
    """Five fiches of CLS 2 (see each comment for its status at the end of 2024 and of 2025)."""
    contract = territory.current_contract
    copil = GovernanceBody(contract=contract, kind=BodyKind.COPIL, name="COPIL du CLS")
    october = BodySession(body=copil, held_on=dt.date(2024, 10, 15), title="COPIL d'automne")
    march = BodySession(body=copil, held_on=dt.date(2025, 3, 1), title="COPIL de printemps")
    db.session.add_all([copil, october, march])
    # A: draft → group (2024-05-01) → COPIL (2024-10-15, decision) → in progress (2025-02-01)
    a = make_fiche("Former les élus aux inégalités de santé", status=S.IN_PROGRESS, created_at=JAN_2024)
    # B: group (2024-06-01) → abandoned (2025-03-01, decision)
    b = make_fiche("Accueillir les internes en médecine", status=S.ABANDONED, created_at=JAN_2024)
    # C: written in 2025, still a draft (absent from 2024)
    c = make_fiche("Créer un conseil local de santé mentale", created_at=dt.datetime(2025, 3, 1, 9, 0))
    # D: in progress → done on 31 December 2024 (the last day counts)
    d = make_fiche("Organiser un forum santé jeunes", status=S.DONE, created_at=dt.datetime(2024, 2, 1, 9, 0))
    # E: its first recorded change is in 2025: in 2024 it had the status that change left
    e = make_fiche("Déployer des ateliers nutrition", status=S.IN_PROGRESS, created_at=JAN_2024)
    validation = Decision(session=october, kind=DecisionKind.VALIDATE, text="Le COPIL valide la fiche 1.1.",
                          created_at=JAN_2024)
    validation.fiches = [DecisionFiche(fiche=a, status=S.COPIL_VALIDATED)]
    abandon = Decision(session=march, kind=DecisionKind.STATUS, text="La fiche 1.2 est abandonnée.",
                       created_at=JAN_2024)
    abandon.fiches = [DecisionFiche(fiche=b, status=S.ABANDONED)]
    db.session.add_all([validation, abandon])
    changes = [(a, S.DRAFT, S.GROUP_VALIDATED, dt.date(2024, 5, 1), None),
               (a, S.GROUP_VALIDATED, S.COPIL_VALIDATED, dt.date(2024, 10, 15), validation),
               (a, S.COPIL_VALIDATED, S.IN_PROGRESS, dt.date(2025, 2, 1), None),
               (b, S.DRAFT, S.GROUP_VALIDATED, dt.date(2024, 6, 1), None),
               (b, S.GROUP_VALIDATED, S.ABANDONED, dt.date(2025, 3, 1), abandon),
               (d, S.IN_PROGRESS, S.DONE, dt.date(2024, 12, 31), None),
               (e, S.COPIL_VALIDATED, S.IN_PROGRESS, dt.date(2025, 1, 1), None)]
    for fiche, previous, status, day, decision in changes:
        db.session.add(StatusChange(fiche=fiche, previous=previous, status=status, decided_on=day, decision=decision,
                                    actor_id=coordinator.id))
    # Indicators (each fiche has « Nombre de personnes formées », target 60).
    for fiche, year, value in [(a, 2024, 60), (b, 2024, 12), (d, 2023, 5), (a, 2025, 30)]:
        db.session.add(IndicatorValue(indicator=fiche.indicators[0], year=year, value=value))
    db.session.add_all([
        FollowUpNote(fiche=a, written_on=dt.date(2024, 6, 15), author_id=coordinator.id,
                     text="Premier comité technique tenu à Moissac."),
        FollowUpNote(fiche=b, written_on=dt.date(2025, 1, 20), author_id=coordinator.id,
                     text="Aucun maître de stage disponible."),
    ])
    # Participation: two surveys (k = 5), proposals, supports, meetings, attendance and ideas.
    big = Survey(territory=territory, title="Votre santé à Terres des Confluences", status=SurveyStatus.OPEN,
                 mode=SurveyMode.ANONYMOUS, disclosure_threshold=5)
    small = Survey(territory=territory, title="Santé des jeunes", status=SurveyStatus.OPEN, mode=SurveyMode.ANONYMOUS,
                   disclosure_threshold=5, created_at=dt.datetime(2024, 3, 1))
    db.session.add_all([big, small])
    for survey, day, n in [(big, dt.date(2024, 3, 4), 4), (big, dt.date(2024, 9, 2), 2), (big, dt.date(2025, 1, 6), 1),
                           (small, dt.date(2024, 4, 1), 3)]:
        db.session.add_all(Response(survey=survey, channel=Channel.WEB, submitted_on=day) for _ in range(n))
    # The big survey's results were released on 1 October 2024 (6 responses) and 3 February 2025 (7); the review
    # reads those releases, never the live count. The small survey has none.
    for number, made_at, responses in [(1, dt.datetime(2024, 10, 1, 9), 6), (2, dt.datetime(2025, 2, 3, 9), 7)]:
        db.session.add(SurveyRelease(survey=big, number=number, made_at=made_at, k=5, responses=responses,
                                     content={}, audit={}, digest=f"{number:064d}"))
    call = Call(territory=territory, title="Vos idées pour la santé", presentation="Proposez.",
                submission_opens_at=dt.datetime(2024, 1, 1), submission_closes_at=dt.datetime(2025, 12, 1),
                voting_opens_at=dt.datetime(2024, 1, 1), voting_closes_at=dt.datetime(2025, 12, 1))
    author = make_user(display_name="Josiane d'Auvillar")
    proposals = []
    for title, submitted in [("Un bus vers l'hôpital le samedi", dt.datetime(2024, 2, 3, 10, 0)),
                             ("Des permanences de PMI", dt.datetime(2024, 12, 31, 23, 30)),  # 1 January in Paris
                             ("Un médecin le samedi", dt.datetime(2024, 7, 8, 10, 0))]:
        proposals.append(Proposal(call=call, author=author, title=title, description="Description de la proposition.",
                                  axis=territory.current_contract.axes[0], state=ProposalState.PUBLISHED,
                                  whole_territory=True, publics="", search_text=similarity.search_document(title, ""),
                                  submitted_at=submitted, published_at=submitted))
    db.session.add_all(proposals)
    people = [make_user(display_name=f"Habitant·e {n}") for n in range(5)]
    for person, when in [(people[0], dt.datetime(2024, 2, 5)), (people[1], dt.datetime(2024, 8, 1)),
                         (people[2], dt.datetime(2024, 8, 2)), (people[3], dt.datetime(2025, 2, 1))]:
        db.session.add(Support(proposal=proposals[0], user=person, created_at=when))
    axis = territory.current_contract.axes[0]
    forum = Meeting(territory=territory, kind=MeetingKind.FORUM, title="Forum santé", starts_at=dt.datetime(2024, 5, 10, 16),
                    registered_count=4)
    workshop = Meeting(territory=territory, kind=MeetingKind.WORKSHOP, title="Atelier nutrition",
                       starts_at=dt.datetime(2024, 11, 5, 17))
    cancelled = Meeting(territory=territory, kind=MeetingKind.WORKSHOP, title="Atelier annulé",
                        starts_at=dt.datetime(2024, 6, 5, 17), cancelled_at=dt.datetime(2024, 6, 1))
    later = Meeting(territory=territory, kind=MeetingKind.FORUM, title="Forum 2025", starts_at=dt.datetime(2025, 5, 10, 16))
    db.session.add_all([forum, workshop, cancelled, later])
    db.session.add_all(Registration(meeting=forum, user=person) for person in people[:4])
    db.session.add_all([Attendance(meeting=forum, user=people[0]), Attendance(meeting=forum, user=people[1]),
                        Attendance(meeting=forum, user=people[2]),
                        Attendance(meeting=forum, name="Marie Lafon", structure="CCAS de Moissac"),
                        Attendance(meeting=forum, name="Paul Nadal", structure="MSA"),
                        Attendance(meeting=workshop, name="marie lafon ", structure="CCAS de Moissac")])
    db.session.add_all([Idea(meeting=forum, axis=axis, text="Un bus le samedi"),
                        Idea(meeting=forum, axis=axis, text="Des consultations avancées"),
                        Idea(meeting=cancelled, axis=axis, text="Jamais dite"),
                        Idea(meeting=later, axis=axis, text="Une idée de 2025")])
    db.session.commit()
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def cells(page: str, label: str) -> str:
    """The text of the row headed `label` in the review's tables."""
    match = re.search(r'<th scope="row">' + re.escape(label) + r'</th>\s*<td class="num">(.*?)</td>', page, re.S)
    assert match, label
    return match.group(1).strip()


def test_the_2024_review_against_the_hand_computed_fixture(client, as_observer, fixture):
    response = client.get(f"{PLAN}/reviews/2024")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Fiches by status on 31 December 2024: A and E validated by the COPIL, B by the group, D done; C not yet written.
    assert cells(page, "Draft") == "0"
    assert cells(page, "Validated by the working group") == "1"
    assert cells(page, "Validated by the steering committee") == "2"
    assert cells(page, "In progress") == "0"
    assert cells(page, "Done") == "1"
    assert cells(page, "Abandoned") == "0"
    assert cells(page, "Total") == "4"
    assert "Créer un conseil local de santé mentale" not in page
    # Indicators of 2024: A reached (60/60), B not reached (12), D and E without a value.
    assert "Indicators: 1 reached, 1 not reached, 2 without a value for the year." in page
    # Decisions and notes of the year only.
    assert "Le COPIL valide la fiche 1.1." in page and "La fiche 1.2 est abandonnée." not in page
    assert "Premier comité technique tenu à Moissac." in page and "Aucun maître de stage" not in page
    # Participation: the big survey's release of the year (6 responses), none for the small one; the proposal of
    # 31 December 23:30 UTC was 1 January 2025 in Paris.
    assert cells(page, "Responses to « Votre santé à Terres des Confluences », release no. 1 of "
                       "October 1, 2024") == "6"
    assert cells(page, "Responses to « Santé des jeunes »") == "no release yet"
    assert cells(page, "Proposals submitted") == "2"
    assert cells(page, "Supports given to proposals") == "3"
    assert cells(page, "Meetings and events held") == "2"
    assert cells(page, "Attendances recorded") == "6"
    assert cells(page, "People who came (each counted once)") == "5"
    assert cells(page, "Attendance rate") == "75 %"
    assert cells(page, "Ideas recorded at meetings") == "2"
    assert "<form" not in page.split('<main')[-1]  # an observer reads it without any form


def test_the_2025_review_takes_the_statuses_of_its_year_end(client, as_coordinator, fixture):
    page = client.get(f"{PLAN}/reviews/2025").get_data(as_text=True)
    assert cells(page, "Draft") == "1"
    assert cells(page, "Validated by the steering committee") == "0"
    assert cells(page, "In progress") == "2"
    assert cells(page, "Done") == "1"
    assert cells(page, "Abandoned") == "1"
    assert cells(page, "Total") == "5"
    assert "Indicators: 0 reached, 1 not reached, 4 without a value for the year." in page
    assert "La fiche 1.2 est abandonnée." in page and "Le COPIL valide la fiche 1.1." not in page
    assert cells(page, "Responses to « Votre santé à Terres des Confluences », release no. 2 of "
                       "February 3, 2025") == "7"
    assert cells(page, "Proposals submitted") == "1"
    assert cells(page, "Supports given to proposals") == "1"
    assert cells(page, "Ideas recorded at meetings") == "1"


def test_the_reviews_list_the_years_of_the_contract_that_have_begun(client, as_coordinator, territory):
    page = client.get(f"{PLAN}/reviews").get_data(as_text=True)
    for year in range(2023, dt.date.today().year + 1):
        assert f"{PLAN}/reviews/{year}" in page
    assert f"{PLAN}/reviews/2027" not in page or dt.date.today().year >= 2027
    assert client.get(f"{PLAN}/reviews/2022").status_code == 404
    assert client.get(f"{PLAN}/reviews/2099").status_code == 404
    assert client.get(f"{PLAN}/reviews/99999999999999999999").status_code == 404
    # A query-string id beyond the database's integers is read as absent, like a word: the current contract.
    assert client.get(f"{PLAN}/reviews/2024?contract=99999999999999999999").status_code == 200
    assert client.get(f"{PLAN}/reviews/2024?contract=2147483647").status_code == 404


def test_the_review_prints_without_navigation(client, as_coordinator, fixture):
    page = client.get(f"{PLAN}/reviews/2024").get_data(as_text=True)
    assert 'class="subnav no-print"' in page
    css = Path("static/consult.css").read_text(encoding="utf-8").split("Governance, follow-up")[-1]
    assert re.search(r"@media print \{[^@]*\.subnav", css)


def test_a_past_plan_imported_later_is_reviewed_with_its_fiches(client, as_coordinator, territory, make_fiche):
    """CLS 1 (2019-2022) typed in afterwards: its fiches were created in 2026, yet they are the 2021 plan."""
    from consult.territories.models import Contract, Phase, Axis

    old = Contract(territory=territory, generation=1, title="CLS 1 Terres des Confluences 2019-2022",
                   start_date=dt.date(2019, 8, 1), end_date=dt.date(2022, 12, 31), phase=Phase.ENDED)
    old.axes = [Axis(position=0, title="Accès aux soins")]
    db.session.add(old)
    db.session.commit()
    from consult.synthesis.models import Fiche
    fiche = Fiche(contract=old, axis=old.axes[0], rank=1, title="Maison de santé de Lafrançaise", status=S.DONE,
                  created_at=dt.datetime(2026, 11, 2, 9, 0))
    db.session.add(fiche)
    db.session.commit()
    page = client.get(f"{PLAN}/reviews?contract={old.id}").get_data(as_text=True)
    assert f"{PLAN}/reviews/2021?contract={old.id}" in page and "/reviews/2023" not in page
    page = client.get(f"{PLAN}/reviews/2021?contract={old.id}").get_data(as_text=True)
    assert cells(page, "Done") == "1" and "Maison de santé de Lafrançaise" in page
    assert client.get(f"{PLAN}/reviews/2023?contract={old.id}").status_code == 404
