"""A consultation on Terres des Confluences for the report tests, seeded with plain functions (no function-scoped
fixture) so that a module can seed it once and render each file once.

Survey « Votre santé » (k = 11), published: 14 web « Oui », 11 paper « Non » (n = 25), two free texts in Q2; one
more web « Oui » with a free text arrives after the release (never counted). Q1 is linked to axis 1.
Proposals on axis 1: A « Un bus… » (3 supports), B « Une permanence de PMI… » (1 support, retained, taken up by
fiche 1.2), a formula-looking one « =HYPERLINK(…) » (no support); C on axis 2 is a draft (never shown).
Working group « Accès aux soins <b>urgents</b> & rapides » (axis 1, 2 members, 1 meeting held); forum « Forum santé de Moissac ».
Fiches: 1.1 and 1.2 published (objective 1.1 and none), 1.3 a draft « Brouillon confidentiel … », 2.1 published."""
from __future__ import annotations

import datetime as dt
import itertools

from consult.accounts.models import Category, Role, TerritoryRole, User
from consult.accounts.services import hash_password
from consult.extensions import db
from consult.groups.models import Attendance, Idea, Meeting, MeetingKind, Signup, SignupStatus, WorkingGroup
from consult.proposals.models import AnswerStatus, Call, Proposal, ProposalState, Support
from consult.surveys.models import Channel
from consult.synthesis.models import (
    Citation,
    CitationKind,
    Fiche,
    FichePartner,
    FicheStatus,
    Funding,
    FundingKind,
    Indicator,
    IndicatorKind,
    PartnerRole,
    QuestionLink,
    Step,
    StepState,
)
from consult.territories.models import Axis, Commune, Contract, ContractPartner, Epci, Objective, PartnerKind, Phase, Territory
from tests.conftest import NOW, PASSWORD, commune_by_code, sample_rows
from tests.surveys.releasing import publish
from tests.synthesis.world import add_response, build_survey, when

SLUG = "terres-des-confluences"
LATE_FREE_TEXT = "Réponse arrivée après la publication : un secret"
FORMULA = '=HYPERLINK("http://exemple.invalid";"cliquez")'
DRAFT_TITLE = "Brouillon confidentiel sur la télémédecine"
MARKUP = "Accès aux soins <b>urgents</b> & rapides"
_emails = itertools.count(1)


def person(name: str, *, email: str | None = None, category=Category.RESIDENT, commune=None, admin=False,
           role: tuple | None = None) -> User:
    user = User(email=email or f"personne.rapport{next(_emails)}@example.org", display_name=name,
                password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW,
                is_admin=admin, category=category, commune=commune)
    db.session.add(user)
    db.session.flush()
    if role is not None:
        db.session.add(TerritoryRole(user=user, territory=role[0], role=role[1]))
    db.session.commit()
    return user


def territory(slug=SLUG, name="Terres des Confluences", siren="200066322") -> Territory:
    place = Territory(slug=slug, name=name, presentation="Un territoire rural.", controller=f"CC {name}")
    epci = Epci(name=f"CC {name}", siren=siren, territory=place)
    db.session.add(place)
    for row in sample_rows(siren):
        db.session.add(Commune(territory=place, epci=epci, insee_code=row["insee_code"], name=row["commune_name"],
                               population=int(row["population"]), population_year=int(row["population_year"])))
    contract = Contract(territory=place, generation=2, title=f"CLS 2 {name} 2023-2027", start_date=dt.date(2023, 1, 1),
                        end_date=dt.date(2027, 12, 31), phase=Phase.SIGNED, is_current=True, summary="Deuxième contrat.")
    contract.partners = [ContractPartner(kind=PartnerKind.SIGNATORY, name="ARS Occitanie", position=0)]
    first = Axis(position=0, title="Favoriser la mise en relation des acteurs (élus, professionnels…)")
    first.objectives = [Objective(title="Accueillir les nouveaux praticiens de santé", position=0),
                        Objective(title="Former les élus aux inégalités de santé", position=1)]
    contract.axes = [first, Axis(position=1, title="Développer l'essor d'actions complémentaires innovantes")]
    db.session.add(contract)
    db.session.commit()
    return place


def fiche(place: Territory, axis, rank: int, title: str, *, published: bool, objective=None, steps=()) -> Fiche:
    made = Fiche(contract=place.current_contract, axis=axis, objective=objective, rank=rank, title=title,
                 status=FicheStatus.IN_PROGRESS if published else FicheStatus.DRAFT,
                 general_objective="Améliorer l'accès aux soins des habitants éloignés de Moissac",
                 context="Le diagnostic relève **trois communes** sans médecin.\n\n- peu de transports\n- des délais",
                 description="Une navette le samedi matin, avec l'association L'Isle-Jourdain Solidarité.",
                 publics=["older_people"], published_at=when(11, 25) if published else None)
    made.partners = [FichePartner(role=PartnerRole.LEAD, organisation="CC Terres des Confluences", position=0),
                     FichePartner(role=PartnerRole.PARTNER, organisation="CPTS Quercy Garonne", position=1)]
    made.fundings = [Funding(funder="ARS Occitanie (FIR)", kind=FundingKind.OPERATING, amount=6000, position=0),
                     Funding(funder="Département", kind=FundingKind.INVESTMENT, amount=1500, position=1)]
    made.indicators = [Indicator(kind=IndicatorKind.RESULT, name="Nombre de trajets assurés", target=120,
                                 unit="trajets", source="Association", frequency="Annuelle")]
    made.steps = [Step(title=t, state=s, position=n) for n, (t, s) in enumerate(steps)]
    db.session.add(made)
    db.session.commit()
    return made


def seed() -> dict:
    """The world of the module docstring; returns its rows by name."""
    place = territory()
    other = territory("ouest-aveyron", "Ouest Aveyron Communauté", "200069383")
    axis, axis2 = place.current_contract.axes
    objective1 = axis.objectives[0]
    moissac, saint_nicolas = commune_by_code("82112"), commune_by_code("82169")
    people = {
        "coordinator": person("Coordination CLS", role=(place, Role.COORDINATOR), category=Category.INSTITUTION),
        "observer": person("Observatoire régional de santé", role=(place, Role.OBSERVER)),
        "participant": person("Habitante de Moissac", commune=moissac),
        "other_coordinator": person("Coordination Ouest Aveyron", role=(other, Role.COORDINATOR)),
        "admin": person("Administratrice", admin=True),
    }
    alice = person("Alice Martin", commune=moissac)
    bruno = person("Bruno Lefèvre", category=Category.HEALTH_PROFESSIONAL, commune=saint_nicolas)
    sam = person("Sam Garcia", commune=moissac)
    sophie = person("Sophie N'Diaye", commune=saint_nicolas)
    serge = person("Serge Roux", category=Category.ASSOCIATION)

    survey = build_survey(place)
    q1 = survey.questions[0]
    db.session.add(QuestionLink(question=q1, axis=axis, objective=objective1))
    db.session.commit()
    release = publish(survey, now=when(11, 1))
    add_response(survey, {"Q1": "1", "Q2": LATE_FREE_TEXT}, Channel.WEB, dt.date(2026, 11, 16))
    db.session.commit()

    call = Call(territory=place, title="Vos idées pour la santé", submission_opens_at=when(9, 1),
                submission_closes_at=when(12, 31), voting_opens_at=when(9, 1), voting_closes_at=when(12, 31))
    call.axes = [axis, axis2]
    bus = Proposal(call=call, author=alice, title="Un bus vers l'hôpital de Moissac le samedi",
                   description="Beaucoup d'habitants n'ont pas de voiture.", axis=axis, objective=objective1,
                   state=ProposalState.PUBLISHED, submitted_at=when(10, 9), published_at=when(10, 10))
    pmi = Proposal(call=call, author=bruno, title="Une permanence de PMI à Saint-Nicolas",
                   description="Les jeunes parents attendent trois mois.", axis=axis, state=ProposalState.PUBLISHED,
                   submitted_at=when(11, 1), published_at=when(11, 2), answer_status=AnswerStatus.RETAINED,
                   answer_text="Reprise dans la fiche 1.2.", answered_at=when(11, 20))
    formula = Proposal(call=call, author=sam, title=FORMULA, description="Un titre qui ressemble à une formule.",
                       axis=axis, state=ProposalState.PUBLISHED, submitted_at=when(11, 3), published_at=when(11, 4))
    draft = Proposal(call=call, author=bruno, title="Un brouillon jamais publié", axis=axis2,
                     state=ProposalState.DRAFT)
    db.session.add_all([call, bus, pmi, formula, draft])
    db.session.flush()
    for who in (sam, sophie, serge):
        db.session.add(Support(proposal=bus, user=who, created_at=when(10, 12)))
    db.session.add(Support(proposal=pmi, user=sam, created_at=when(11, 3)))

    group = WorkingGroup(territory=place, axis=axis, title=MARKUP, capacity=15, member_count=1)
    db.session.add(group)
    db.session.add(Signup(group=group, user=alice, status=SignupStatus.MEMBER, category=Category.RESIDENT,
                          commune=moissac, member_since=when(9, 20)))
    meeting = Meeting(territory=place, group=group, kind=MeetingKind.GROUP_MEETING, title="Première réunion du groupe",
                      starts_at=when(10, 5, 16), minutes="Compte rendu.", minutes_published_at=when(10, 6))
    forum = Meeting(territory=place, kind=MeetingKind.FORUM, title="Forum santé de Moissac", place="Salle des fêtes",
                    starts_at=when(11, 14, 14))
    db.session.add_all([meeting, forum])
    db.session.flush()
    db.session.add_all([
        Attendance(meeting=meeting, user=alice, category=Category.RESIDENT, commune=moissac),
        Attendance(meeting=forum, name="Jean Dupont", category=Category.RESIDENT, commune=moissac),
        Idea(meeting=meeting, axis=axis, text="Créer un annuaire des professionnels de santé"),
    ])
    db.session.commit()

    fiches = {
        "1.1": fiche(place, axis, 1, "Une navette santé le samedi", published=True, objective=objective1,
                     steps=[("Choisir le transporteur", StepState.DONE), ("Premier trajet", StepState.TODO)]),
        "1.2": fiche(place, axis, 2, "Une permanence de PMI itinérante", published=True),
        "1.3": fiche(place, axis, 3, DRAFT_TITLE, published=False),
        "2.1": fiche(place, axis2, 1, "Des ateliers cuisine pour les familles", published=True),
    }
    db.session.add(Citation(fiche=fiches["1.2"], kind=CitationKind.PROPOSAL, proposal=pmi, position=0))
    db.session.commit()
    return {"territory": place, "other": other, "survey": survey, "release": release, "axis": axis, "axis2": axis2,
            "fiches": fiches, "people": people, "proposals": {"bus": bus, "pmi": pmi, "formula": formula}}
