"""A territory as the API must show it, seeded once per test module on an app of its own: what is public, and
beside it what must never come out (drafts, proposals awaiting moderation, a draft fiche, answers given after
the release, free texts, emails, contacts), each private thing carrying a marker the tests search for."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from consult.accounts.models import Category, Role, TerritoryRole, User
from consult.accounts.services import hash_password
from consult.extensions import db
from consult.groups.models import GroupStatus, Meeting, MeetingKind, Signup, SignupStatus, WorkingGroup
from consult.proposals.models import AnswerStatus, Call, Proposal, ProposalState, Support
from consult.surveys import services as surveys
from consult.surveys.models import Survey, SurveyStatus
from consult.surveys.releases.services import freeze_release
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
    Step,
    StepState,
)
from consult.territories.models import Axis, Commune, Contract, ContractPartner, Epci, Objective, PartnerKind, Phase, Territory
from tests.conftest import NOW, PASSWORD, sample_rows
from tests.surveys.conftest import default_pages

SLUG = "terres-des-confluences"
# Strings that must never appear in any answer of the API.
SECRETS = (
    "BROUILLON-QUESTIONNAIRE", "EN-ATTENTE-DE-MODERATION", "PROPOSITION-BROUILLON", "PROPOSITION-REJETEE",
    "FICHE-BROUILLON", "COMPTE-RENDU-NON-PUBLIE", "visio.example.org", "contact.porteur@example.org",
    "auteure.proposition@example.org", "Autrice Secrète", "membre.groupe@example.org", "Membre Discret",
    "MOTIVATION-PRIVEE", "Un bus vers l'hôpital de Moissac", "Pas de médecin disponible", "REPONSE-TARDIVE",
    "VALEUR-INDICATEUR-NOTE", "dpo.secret@example.org", "AVEYRON-BROUILLON",
)
LATER = 3  # responses given after the release


@dataclass
class World:
    territory: Territory
    survey: Survey
    unpublished: Survey
    draft_survey: Survey
    proposal: Proposal
    pending: Proposal
    group: WorkingGroup
    meeting: Meeting
    fiche: Fiche
    draft_fiche: Fiche
    released: int = 0
    users: dict[str, User] = field(default_factory=dict)


def _user(email: str, name: str, **extra) -> User:
    user = User(email=email, display_name=name, password_hash=hash_password(PASSWORD), privacy_consent_at=NOW,
                email_confirmed_at=NOW, category=extra.pop("category", Category.RESIDENT), **extra)
    db.session.add(user)
    return user


def _territory(slug: str, name: str, siren: str) -> Territory:
    place = Territory(slug=slug, name=name, presentation="Un territoire **rural** au confluent du Tarn et de la "
                      "Garonne.", controller=f"Communauté de communes {name}", dpo_contact="dpo.secret@example.org",
                      contact_email="dpo.secret@example.org")
    epci = Epci(name=f"CC {name}", siren=siren, territory=place)
    db.session.add(place)
    for row in sample_rows(siren):
        db.session.add(Commune(territory=place, epci=epci, insee_code=row["insee_code"], name=row["commune_name"],
                               population=int(row["population"]), population_year=int(row["population_year"])))
    contract = Contract(territory=place, generation=2, title=f"CLS 2 {name} 2023-2027", start_date=dt.date(2023, 1, 1),
                        end_date=dt.date(2027, 12, 31), phase=Phase.SIGNED, is_current=True, summary="Deuxième contrat.")
    contract.partners = [ContractPartner(kind=PartnerKind.SIGNATORY, name="ARS Occitanie", position=0),
                         ContractPartner(kind=PartnerKind.PARTNER, name="CPTS Quercy Garonne", position=1)]
    first = Axis(position=0, title="Favoriser la mise en relation des acteurs (élus, professionnels…)")
    first.objectives = [Objective(title="Accueillir les nouveaux praticiens de santé", position=0),
                        Objective(title="Former les élus aux inégalités de santé", position=1)]
    contract.axes = [first, Axis(position=1, title="Développer l'essor d'actions complémentaires innovantes")]
    db.session.add(contract)
    db.session.add(Contract(territory=place, generation=1, title=f"CLS 1 {name} 2018-2022", phase=Phase.ENDED,
                            start_date=dt.date(2018, 1, 1), end_date=dt.date(2022, 12, 31), is_current=False))
    db.session.flush()
    return place


def _answers(n: int, communes: list[str]) -> dict:
    """Varied answers: communes, health, age band and sex spread so that some groups are small."""
    return {"Q1": communes[n % 3], "Q2": str(1 + n % 5), "Q3": "1" if n % 3 else "2",
            **({"Q4": ["1", "autre"], "Q4.other": "Pas de médecin disponible"} if n % 3 else {}),
            "Q5": n % 11, "Q6": 5 + n, "Q7": {"r1": str(1 + n % 3), "r2": str(1 + (n + 1) % 3)},
            "Q8": ["2", "1"], "Q9": "Agricultrice", "Q10": "Un bus vers l'hôpital de Moissac",
            "Q11": str(1 + n % 4), "Q12": str(1 + n % 2), "Q13": "2026-10-02"}


def _survey(place: Territory, *, title: str, status=SurveyStatus.OPEN) -> Survey:
    survey = Survey(territory=place, title=title, status=status, introduction="Ce questionnaire **anonyme**.",
                    purpose="Préparer le diagnostic local de santé.", retention="18 mois, puis agrégé.")
    survey.pages = default_pages()
    for page in survey.pages:
        for question in page.questions:
            question.survey = survey
    db.session.add(survey)
    db.session.flush()
    return survey


def seed() -> World:
    """The world, committed (call inside the app's context)."""
    place = _territory(SLUG, "Terres des Confluences", "200066322")
    other = _territory("ouest-aveyron", "Ouest Aveyron Communauté", "200069383")
    contract = place.current_contract
    axis = contract.active_axes[0]
    users = {
        "participant": _user("habitante@example.org", "Habitante de Moissac"),
        "author": _user("auteure.proposition@example.org", "Autrice Secrète"),
        "member": _user("membre.groupe@example.org", "Membre Discret"),
        "observer": _user("observatoire@example.org", "Observatoire régional de santé"),
        "coordinator": _user("coordination.confluences@example.org", "Coordination CLS", category=Category.INSTITUTION),
        "other_coordinator": _user("coordination.aveyron@example.org", "Coordination Ouest Aveyron"),
        "admin": _user("admin@example.org", "Administratrice", is_admin=True),
    }
    db.session.flush()
    db.session.add_all([TerritoryRole(user=users["observer"], territory=place, role=Role.OBSERVER),
                        TerritoryRole(user=users["coordinator"], territory=place, role=Role.COORDINATOR),
                        TerritoryRole(user=users["other_coordinator"], territory=other, role=Role.COORDINATOR)])

    # Surveys: one released and published, then answered again; one closed, never published; drafts.
    survey = _survey(place, title="Votre santé à Terres des Confluences")
    communes = [c for c in surveys.commune_choices(survey)][:3]
    for n in range(24):
        surveys.submit_response(survey, _answers(n, communes), browser_secret=f"navigateur-{n}", now=NOW)
    db.session.flush()
    released = freeze_release(survey, now=NOW).responses
    survey.results_published_at = NOW
    for n in range(LATER):
        surveys.submit_response(survey, {**_answers(n, communes), "Q10": "REPONSE-TARDIVE", "Q2": "5"},
                                browser_secret=f"tardif-{n}", now=NOW + dt.timedelta(days=3))
    unpublished = _survey(place, title="Santé mentale des jeunes", status=SurveyStatus.CLOSED)
    draft_survey = _survey(place, title="BROUILLON-QUESTIONNAIRE", status=SurveyStatus.DRAFT)
    _survey(other, title="AVEYRON-BROUILLON", status=SurveyStatus.DRAFT)

    # Proposals: published with an answer and supports, one merged into it, awaiting, draft and rejected ones.
    call = Call(territory=place, title="Vos idées pour la santé à Terres des Confluences", presentation="Proposez.",
                submission_opens_at=NOW - dt.timedelta(days=30), submission_closes_at=NOW + dt.timedelta(days=30),
                voting_opens_at=NOW - dt.timedelta(days=30), voting_closes_at=NOW + dt.timedelta(days=60))
    call.axes = [axis]
    db.session.add(call)

    def proposal(title: str, state: ProposalState, **extra) -> Proposal:
        made = Proposal(call=call, author=users["author"], title=title, description=f"{title} : le détail.",
                        axis=axis, state=state, publics="elderly carers",
                        published_at=NOW if state is ProposalState.PUBLISHED else None, **extra)
        db.session.add(made)
        return made

    published = proposal("Un bus vers la maison de santé de Moissac", ProposalState.PUBLISHED,
                         answer_status=AnswerStatus.RETAINED, answer_text="Retenue dans la fiche 1.1.",
                         answered_at=NOW)
    merged = proposal("Une navette vers Moissac", ProposalState.PUBLISHED, answer_status=AnswerStatus.MERGED)
    merged.merged_into = published
    proposal("Une permanence de l'ARS", ProposalState.PUBLISHED)
    pending = proposal("EN-ATTENTE-DE-MODERATION", ProposalState.PENDING)
    proposal("PROPOSITION-BROUILLON", ProposalState.DRAFT)
    proposal("PROPOSITION-REJETEE", ProposalState.REJECTED, moderation_reason="Hors sujet")
    db.session.flush()
    db.session.add_all([Support(proposal=published, user=users["participant"]),
                        Support(proposal=published, user=users["member"])])

    # A working group with a member, its meeting (video link, unpublished minutes) and an event.
    group = WorkingGroup(territory=place, axis=axis, title="Accès aux soins dans les bourgs",
                         mission="Réfléchir aux **déserts médicaux**.", audience="Habitants, élus, soignants",
                         facilitators="CPTS Quercy Garonne", capacity=15, member_count=1,
                         status=GroupStatus.ACTIVE)
    group.objectives = [axis.objectives[0]]
    db.session.add(group)
    db.session.add(Signup(group=group, user=users["member"], status=SignupStatus.MEMBER, motivation="MOTIVATION-PRIVEE",
                          structure="Association", member_since=NOW))
    meeting = Meeting(territory=place, group=group, kind=MeetingKind.GROUP_MEETING, title="Première réunion",
                      starts_at=NOW + dt.timedelta(days=7), place="Mairie de Castelsarrasin",
                      online_url="https://visio.example.org/salle-secrete", minutes="COMPTE-RENDU-NON-PUBLIE",
                      agenda="1. Tour de table")
    db.session.add(meeting)
    db.session.add(Meeting(territory=place, kind=MeetingKind.FORUM, title="Forum Santé de L'Isle-Jourdain",
                           starts_at=NOW - dt.timedelta(days=20), place="Salle des fêtes", capacity=80,
                           registered_count=12, minutes="Le forum a réuni **80** personnes.",
                           minutes_published_at=NOW - dt.timedelta(days=19)))

    # Fiches: one published with indicators (and a yearly value, not public), one draft.
    def fiche(title: str, rank: int, published: bool) -> Fiche:
        made = Fiche(contract=contract, axis=axis, objective=axis.objectives[0], rank=rank, title=title,
                     status=FicheStatus.IN_PROGRESS if published else FicheStatus.DRAFT,
                     general_objective="Améliorer l'accès aux soins", context="Le diagnostic relève des délais longs.",
                     specific_objectives=["Ouvrir une navette", "Informer les habitants"], publics=["elderly"],
                     published_at=NOW if published else None)
        made.partners = [FichePartner(role=PartnerRole.LEAD, organisation="CC Terres des Confluences",
                                      contact="contact.porteur@example.org", position=0)]
        made.fundings = [Funding(funder="ARS Occitanie (FIR)", kind=FundingKind.OPERATING, amount=6000, position=0)]
        made.indicators = [Indicator(kind=IndicatorKind.RESULT, name="Nombre de trajets", target=500,
                                     unit="trajets", source="Transporteur", frequency="Annuelle")]
        made.indicators[0].values = [IndicatorValue(year=2025, value=123.0, note="VALEUR-INDICATEUR-NOTE")]
        made.steps = [Step(title="Choisir le transporteur", state=StepState.DONE, position=0),
                      Step(title="Lancer la navette", state=StepState.TODO, position=1)]
        db.session.add(made)
        return made

    public_fiche = fiche("Une navette vers la maison de santé", 1, True)
    draft_fiche = fiche("FICHE-BROUILLON", 2, False)
    db.session.commit()
    return World(territory=place, survey=survey, unpublished=unpublished, draft_survey=draft_survey,
                 proposal=published, pending=pending, group=group, meeting=meeting, fiche=public_fiche,
                 draft_fiche=draft_fiche, released=released, users=users)
