"""A small world for the data package tests, on Terres des Confluences, built once per module.

Survey « Votre santé » (open, k = 3): 24 web responses whose commune, age band and sex make some combinations rare
(so the k-anonymous variant must merge and blank); one of them wrote a formula-looking free text. A draft survey
and its title never appear. Proposals (axis 1): A « Un bus… » with 3 supports, B « =SOMME(A1:A9)… » (answered
« retained ») with 1 support; a pending one and a rejected one never appear. A forum holds an idea; a cancelled
meeting's idea never appears. A published fiche with an indicator (target 60, 42 in 2026); a draft fiche never
appears."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from consult.accounts.models import Category, User
from consult.extensions import db
from consult.groups.models import Idea, Meeting, MeetingKind
from consult.proposals import similarity
from consult.proposals.models import AnswerStatus, Call, Proposal, ProposalState, Support
from consult.surveys.answering import answers as answer_rules
from consult.surveys.models import Channel, Response, Survey, SurveyStatus
from consult.synthesis.models import (
    Fiche,
    FichePartner,
    FicheStatus,
    Funding,
    FundingKind,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    PartnerRole,
)
from consult.territories.models import Axis, Commune, Contract, ContractPartner, Epci, Objective, PartnerKind, Phase
from consult.territories.models import Territory
from tests.conftest import NOW, sample_rows
from tests.surveys.conftest import VALID_ANSWERS, default_pages

SLUG = "terres-des-confluences"
DAY = dt.timedelta(days=1)
K = 3
FORMULA_TEXT = '=HYPERLINK("http://exemple.org")'
FORMULA_TITLE = "=SOMME(A1:A9) des consultations sans rendez-vous"


@dataclass
class World:
    survey_id: int
    draft_survey_title: str
    proposal_a: int
    proposal_b: int
    hidden_proposals: tuple[int, int]
    idea: int
    cancelled_idea: int
    fiche: int
    draft_fiche: int
    indicator: int


def make_territory() -> Territory:
    territory = Territory(slug=SLUG, name="Terres des Confluences", controller="CC Terres des Confluences")
    epci = Epci(name="CC Terres des Confluences", siren="200066322", territory=territory)
    db.session.add(territory)
    for row in sample_rows("200066322"):
        db.session.add(Commune(territory=territory, epci=epci, insee_code=row["insee_code"], name=row["commune_name"],
                               population=int(row["population"]), population_year=int(row["population_year"])))
    contract = Contract(territory=territory, generation=2, title="CLS 2 Terres des Confluences 2023-2027",
                        start_date=dt.date(2023, 1, 1), end_date=dt.date(2027, 12, 31), phase=Phase.SIGNED,
                        is_current=True)
    contract.partners = [ContractPartner(kind=PartnerKind.SIGNATORY, name="ARS Occitanie", position=0)]
    first = Axis(position=0, title="Favoriser la mise en relation des acteurs (élus, professionnels…)")
    first.objectives = [Objective(title="Accueillir les nouveaux praticiens de santé", position=0)]
    contract.axes = [first, Axis(position=1, title="Développer l'essor d'actions complémentaires innovantes")]
    db.session.add(contract)
    db.session.flush()
    return territory


def add_response(survey: Survey, data: dict, channel: Channel = Channel.WEB) -> None:
    response = Response(survey=survey, channel=channel, submitted_on=dt.date(2026, 11, 23))
    for question in survey.questions:
        response.answers.extend(answer_rules.answer_rows(question, data))
    db.session.add(response)


def make_surveys(territory: Territory) -> Survey:
    survey = Survey(territory=territory, title="Votre santé à Terres des Confluences", status=SurveyStatus.OPEN,
                    disclosure_threshold=K, pages=default_pages())
    for page in survey.pages:
        for question in page.questions:
            question.survey = survey
    db.session.add(survey)
    draft = Survey(territory=territory, title="Brouillon : les jeunes et le sport", status=SurveyStatus.DRAFT,
                   pages=default_pages())
    for page in draft.pages:
        for question in page.questions:
            question.survey = draft
    db.session.add(draft)
    db.session.flush()
    communes = sorted(c.insee_code for c in territory_communes(territory))
    # (commune, age band, sex, how many): Moissac's big groups, then rare combinations.
    profiles = [("82112", "3", "1", 8), ("82112", "4", "2", 6), (communes[0], "2", "1", 4), ("82112", "2", "2", 2),
                (communes[1], "5", "1", 1), (communes[2], "1", "3", 1), ("82112", "6", "1", 1), ("82112", "3", "2", 1)]
    number = 0
    for commune, age, sex, count in profiles:
        for _n in range(count):
            number += 1
            add_response(survey, {**VALID_ANSWERS, "Q1": commune, "Q11": age, "Q12": sex, "Q2": str(1 + number % 5),
                                  "Q10": FORMULA_TEXT if number == 1 else VALID_ANSWERS["Q10"]})
    return survey


def territory_communes(territory: Territory) -> list[Commune]:
    return list(db.session.scalars(db.select(Commune).where(Commune.territory_id == territory.id)))


def make_people(count: int) -> list[User]:
    people = [User(email=f"habitant{n}@example.org", display_name=f"Habitant·e {n}", password_hash="x",
                   privacy_consent_at=NOW, email_confirmed_at=NOW, category=Category.RESIDENT) for n in range(count)]
    db.session.add_all(people)
    db.session.flush()
    return people


def make_proposals(territory: Territory, people: list[User]) -> tuple[Proposal, Proposal, list[Proposal]]:
    call = Call(territory=territory, title="Vos idées pour la santé à Terres des Confluences",
                submission_opens_at=NOW - 40 * DAY, submission_closes_at=NOW + 30 * DAY,
                voting_opens_at=NOW - 30 * DAY, voting_closes_at=NOW + 30 * DAY)
    call.axes = list(territory.current_contract.axes)
    db.session.add(call)

    def proposal(title: str, state: ProposalState, **fields) -> Proposal:
        description = "Beaucoup d'habitants de Saint-Nicolas-de-la-Grave n'ont pas de voiture."
        made = Proposal(call=call, author=people[0], title=title, description=description, axis=call.axes[0],
                        state=state, search_text=similarity.search_document(title, description),
                        submitted_at=NOW - 20 * DAY,
                        published_at=NOW - 19 * DAY if state is ProposalState.PUBLISHED else None, **fields)
        db.session.add(made)
        return made

    a = proposal("Un bus vers l'hôpital de Moissac le samedi", ProposalState.PUBLISHED,
                 objective=call.axes[0].objectives[0])
    b = proposal(FORMULA_TITLE, ProposalState.PUBLISHED, answer_status=AnswerStatus.RETAINED,
                 answered_at=NOW - 2 * DAY, answer_text="Reprise dans la fiche 1.1 du plan d'action.")
    hidden = [proposal("Une proposition en attente de modération", ProposalState.PENDING),
              proposal("Une proposition refusée", ProposalState.REJECTED)]
    db.session.flush()
    for person in people[1:4]:
        db.session.add(Support(proposal_id=a.id, user_id=person.id))
    db.session.add(Support(proposal_id=b.id, user_id=people[1].id))
    db.session.add(Support(proposal_id=hidden[0].id, user_id=people[2].id))
    return a, b, hidden


def make_ideas(territory: Territory) -> tuple[Idea, Idea]:
    axis = territory.current_contract.axes[0]
    forum = Meeting(territory=territory, kind=MeetingKind.FORUM, title="Forum Santé des Confluences",
                    starts_at=dt.datetime(2026, 11, 14, 9, 0), minutes="Compte rendu.",
                    minutes_published_at=dt.datetime(2026, 11, 15, 9, 0))
    cancelled = Meeting(territory=territory, kind=MeetingKind.PUBLIC_MEETING, title="Réunion publique annulée",
                        starts_at=dt.datetime(2026, 11, 20, 17, 0), cancelled_at=dt.datetime(2026, 11, 18, 8, 0))
    idea = Idea(meeting=forum, axis=axis, text="Un médecin itinérant pour les villages sans cabinet")
    lost = Idea(meeting=cancelled, axis=axis, text="Une idée d'une réunion annulée")
    db.session.add_all([forum, cancelled, idea, lost])
    return idea, lost


def make_fiches(territory: Territory) -> tuple[Fiche, Fiche]:
    contract = territory.current_contract
    axis = contract.axes[0]
    fiche = Fiche(contract=contract, axis=axis, objective=axis.objectives[0], rank=1,
                  title="Déployer des formations Premiers secours en santé mentale",
                  status=FicheStatus.COPIL_VALIDATED, general_objective="Améliorer le repérage précoce",
                  specific_objectives=["Former 60 personnes", "Créer un réseau de secouristes"],
                  publics=["elected", "volunteers"], starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31),
                  published_at=dt.datetime(2026, 10, 1, 9, 0))
    fiche.partners = [FichePartner(role=PartnerRole.LEAD, organisation="CC Terres des Confluences", position=0),
                      FichePartner(role=PartnerRole.PARTNER, organisation="CPTS Quercy Garonne", position=1)]
    fiche.fundings = [Funding(funder="ARS Occitanie (FIR)", kind=FundingKind.OPERATING, amount=6000, position=0),
                      Funding(funder="Département", kind=FundingKind.INVESTMENT, amount=1500, position=1)]
    indicator = Indicator(kind=IndicatorKind.RESULT, name="Nombre de personnes formées", target=60.5,
                          unit="personnes", source="Organisme de formation", frequency="Annuelle")
    indicator.values = [IndicatorValue(year=2025, value=12), IndicatorValue(year=2026, value=42.5)]
    fiche.indicators = [indicator]
    draft = Fiche(contract=contract, axis=axis, rank=2, title="Une fiche encore en brouillon",
                  status=FicheStatus.DRAFT)
    db.session.add_all([fiche, draft])
    return fiche, draft


def build_world() -> World:
    territory = make_territory()
    survey = make_surveys(territory)
    people = make_people(5)
    a, b, hidden = make_proposals(territory, people)
    idea, lost = make_ideas(territory)
    fiche, draft = make_fiches(territory)
    db.session.commit()
    return World(survey_id=survey.id, draft_survey_title="Brouillon : les jeunes et le sport", proposal_a=a.id,
                 proposal_b=b.id, hidden_proposals=(hidden[0].id, hidden[1].id), idea=idea.id,
                 cancelled_idea=lost.id, fiche=fiche.id, draft_fiche=draft.id, indicator=fiche.indicators[0].id)
