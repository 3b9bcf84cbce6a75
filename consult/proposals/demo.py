"""Demo data: an open call with proposals across axes and communes, supports, comments, a merged pair and
official answers in every status (deterministic; seeded once)."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from consult.accounts.models import User
from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import (
    AnswerStatus,
    Call,
    Comment,
    Follower,
    Proposal,
    ProposalState,
    Support,
    VoteMethod,
)
from consult.proposals.services import answers, calls, moderation, priority
from consult.proposals.services.answers import AnswerData
from consult.territories.models import Commune, Territory

TITLE = "Vos idées pour la santé à Terres des Confluences"
PRESENTATION = (
    "Le nouveau contrat local de santé se construit avec vous. Proposez des actions concrètes pour votre santé "
    "et celle de vos voisins, soutenez celles qui vous parlent (**cinq soutiens par personne**) et suivez ce qu'elles "
    "deviennent : chaque proposition publiée reçoit une réponse de la coordination.\n\n"
    "Les propositions sont relues avant publication : pas de nom de tiers, pas de propos injurieux."
)
# title, description, axis index, communes (INSEE, empty: whole territory), publics
PROPOSALS = [
    ("Une navette vers l'hôpital de Moissac le samedi", "Beaucoup d'aînés de Saint-Nicolas-de-la-Grave n'ont "
     "plus de voiture. Une navette hebdomadaire, réservée la veille, les mènerait aux consultations.", 0,
     ["82167", "82112"], "elderly precarity"),
    ("Un annuaire des professionnels de santé du territoire", "Savoir qui prend de nouveaux patients, avec les "
     "horaires et l'accessibilité, sur papier en mairie et en ligne.", 0, [], "everyone"),
    ("Des permanences de la CPAM dans les mairies", "Une demi-journée par mois dans chaque bourg pour ouvrir ses "
     "droits sans aller à Montauban.", 0, ["82044", "82094"], "precarity elderly"),
    ("Accueillir les internes en médecine au gîte communal", "Un logement à prix réduit pour les internes en stage "
     "chez nos médecins, pour leur donner envie de s'installer.", 0, ["82033"], "professionals"),
    ("Des ateliers d'équilibre pour prévenir les chutes", "Avec le club des aînés, une séance par semaine animée "
     "par un kinésithérapeute.", 1, ["82033", "82112"], "elderly"),
    ("Un forum annuel des associations de santé", "Faire connaître les associations de patients, d'aidants et de "
     "prévention, un samedi de septembre.", 1, [], "everyone carers"),
    ("Soutenir les aidants : un café mensuel", "Un moment pour souffler et s'informer, avec une garde de la "
     "personne aidée pendant ce temps.", 1, ["82112"], "carers"),
    ("Valoriser les actions de prévention des écoles", "Les écoles font déjà beaucoup (petits déjeuners, "
     "dents) : les faire connaître aux familles.", 1, [], "children families"),
    ("Des ateliers cuisine à petit prix au centre social", "Cuisiner de saison avec peu de moyens, avec la "
     "diététicienne de la MSA.", 2, ["82033"], "families precarity"),
    ("Un jardin partagé près de la résidence des Cèdres", "Pour bouger, manger mieux et rencontrer ses voisins.",
     2, ["82112"], "elderly families"),
    ("Sport sur ordonnance dans les salles communales", "Des créneaux encadrés pour les personnes atteintes de "
     "maladies chroniques.", 2, [], "elderly"),
    ("Des pistes cyclables entre les villages", "Relier Castelsarrasin, Moissac et les bourgs pour aller à "
     "l'école et au travail à vélo en sécurité.", 2, ["82033", "82112", "82044"], "young everyone"),
    ("Une permanence de psychologue gratuite", "Une fois par semaine à la maison France services, sans avance de "
     "frais.", 3, [], "young precarity"),
    ("Former les élus et secrétaires de mairie aux premiers secours en santé mentale", "Savoir repérer une "
     "personne en souffrance et l'orienter.", 3, [], "professionals"),
    ("Un lieu d'écoute pour les jeunes", "Un point écoute jeunes au lycée et au collège, anonyme et gratuit.", 3,
     ["82033"], "young"),
    ("Mieux faire connaître le 3114", "Des affiches et des cartes dans les commerces, les mairies et les "
     "cabinets.", 3, [], "everyone"),
    ("Des dépistages itinérants avec un bus santé", "Un bus qui passe dans les petites communes pour les "
     "dépistages des cancers et du diabète.", 0, ["82081", "82058"], "elderly precarity"),
    ("Des consultations le soir pour ceux qui travaillent", "Une maison de santé ouverte jusqu'à 20 h deux fois "
     "par semaine.", 0, [], "everyone"),
    ("Un référent santé dans chaque mairie", "Une personne qui sait vers qui orienter les habitants.", 1, [],
     "everyone"),
    ("Des cours de natation gratuits pour les enfants", "Apprendre à nager avant l'entrée en sixième.", 2,
     ["82112"], "children"),
    ("Une navette pour aller à l'hôpital de Moissac", "Pour ceux qui n'ont pas de voiture, un transport vers les "
     "consultations de l'hôpital.", 0, ["82167"], "elderly"),
    ("Des groupes de parole pour les parents", "Parler des écrans, du sommeil et de l'adolescence avec une "
     "professionnelle.", 3, [], "families"),
    ("Réduire les pesticides près des écoles", "Des zones sans traitement autour des écoles et des crèches.", 2,
     ["82033", "82112"], "children"),
    ("Un dentiste pour le territoire", "Il faut six mois pour un rendez-vous : aider un dentiste à s'installer.",
     0, [], "everyone"),
    ("Lutter contre l'isolement des aînés", "Des visites de bénévoles et un appel par semaine aux personnes "
     "seules.", 3, [], "elderly"),
    ("Une application pour covoiturer vers les soins", "Mettre en relation voisins et patients pour les trajets.",
     0, [], "elderly everyone"),
    ("Des distributeurs de protections périodiques gratuites", "Au collège, au lycée et à la maison France "
     "services.", 1, [], "young precarity"),
    ("Mon voisin vend des compléments miracles, faites-lui de la pub", "Appelez-le au 06…", 1, [], ""),
]
COMMENTS = [
    "Très bonne idée, ma mère ne peut plus conduire depuis l'an dernier.",
    "Il faudrait penser aussi aux horaires du marché.",
    "Oui ! Et en lien avec la CPTS Quercy Garonne.",
    "Le bus du mardi existe déjà mais personne ne le sait.",
    "Je suis prête à donner un coup de main bénévolement.",
]


def _people() -> list[User]:
    """Demo participants who support and comment (the working-group members and the demo resident)."""
    people = db.session.scalars(select(User).where(User.email.like("participant.%@example.org"))
                                .order_by(User.email)).all()
    resident = db.session.scalar(select(User).where(User.email == "habitante@example.org"))
    return ([resident] if resident else []) + list(people)


def seed_proposals(territory: Territory, operator, *, now: dt.datetime) -> None:
    """Load the demo call once (running it again changes nothing)."""
    if db.session.scalar(select(Call.id).where(Call.territory_id == territory.id, Call.title == TITLE)):
        return
    people = _people()
    axes = calls.available_axes(territory)
    if len(people) < 2 or not axes:
        return
    rng = random.Random(82033)
    call = calls.create_call(operator, territory, calls.CallData(
        title=TITLE, presentation=PRESENTATION, submission_opens_at=now - dt.timedelta(days=20),
        submission_closes_at=now + dt.timedelta(days=40), voting_opens_at=now - dt.timedelta(days=15),
        voting_closes_at=now + dt.timedelta(days=60), support_limit=5, axis_ids=[a.id for a in axes]))
    communes = {c.insee_code: c for c in db.session.scalars(select(Commune).where(Commune.territory_id == territory.id))}
    proposals = []
    for n, (title, description, axis_index, codes, publics) in enumerate(PROPOSALS):
        author = people[n % len(people)]
        submitted = now - dt.timedelta(days=18, hours=-n * 7)
        proposal = Proposal(call=call, author=author, title=title, description=description,
                            axis=axes[axis_index % len(axes)], whole_territory=not codes, publics=publics,
                            state=ProposalState.PENDING, submitted_at=submitted, created_at=submitted,
                            communes=[communes[c] for c in codes if c in communes],
                            search_text=similarity.search_document(title, description))
        db.session.add(proposal)
        proposals.append(proposal)
    db.session.flush()
    # The last one is rejected, the two before it wait for moderation, the others are published.
    published, rejected = proposals[:-3], proposals[-1]
    for proposal in published:
        moderation.publish_proposal(operator, proposal, now=proposal.submitted_at + dt.timedelta(days=1))
    moderation.reject_proposal(operator, rejected, "Une proposition ne peut pas faire la promotion d'un commerce "
                               "ni donner de coordonnées personnelles.", now=now - dt.timedelta(days=5))
    _support(rng, published, people, now)
    for proposal in rng.sample(published, 8):
        for body in rng.sample(COMMENTS, rng.randint(1, 3)):
            db.session.add(Comment(proposal=proposal, author=rng.choice(people), body=body,
                                   created_at=now - dt.timedelta(days=rng.randint(1, 9))))
        db.session.add(Follower(proposal_id=proposal.id, user_id=proposal.author_id))
    db.session.flush()
    moderation.merge_proposals(operator, published[20], published[0], now=now - dt.timedelta(days=3))
    for proposal, data in (
        (published[1], AnswerData(AnswerStatus.RETAINED, "Cet annuaire sera la **fiche action 1.2** du CLS 2 ; "
                                  "il paraîtra au printemps.")),
        (published[3], AnswerData(AnswerStatus.UNDER_STUDY, "Nous étudions la question avec la mairie de "
                                  "Castelsarrasin et la faculté de médecine de Toulouse.")),
        (published[9], AnswerData(AnswerStatus.NOT_RETAINED, "Le terrain envisagé est inondable ; nous "
                                  "chercherons un autre lieu avec le bailleur.")),
        (published[15], AnswerData(AnswerStatus.ALREADY_EXISTS, "Des cartes 3114 sont déjà distribuées.",
                                   "Campagne départementale « Parlons-en », disponible en mairie")),
        (published[4], AnswerData(AnswerStatus.RETAINED, "Les ateliers commenceront en janvier à Moissac.")),
    ):
        answers.answer_proposal(operator, proposal, data, now=now - dt.timedelta(days=2))
    _priority_vote(rng, operator, call, people, now)
    moderation.hide_proposal(operator, published[22], "Le texte cite une exploitation agricole par son nom : "
                             "à reformuler sans viser personne.", now=now - dt.timedelta(days=1))


def _support(rng: random.Random, published: list[Proposal], people: list[User], now: dt.datetime) -> None:
    """Each person supports up to five proposals, the popular ones more often."""
    weights = [1 + (len(published) - i) % 7 for i in range(len(published))]
    for person in people:
        chosen = set()
        for _ in range(rng.randint(1, 5)):
            chosen.add(rng.choices(range(len(published)), weights=weights)[0])
        for index in chosen:
            db.session.add(Support(proposal_id=published[index].id, user_id=person.id,
                                   created_at=now - dt.timedelta(days=rng.randint(1, 12))))
    db.session.flush()


def _priority_vote(rng: random.Random, operator, call: Call, people: list[User], now: dt.datetime) -> None:
    """A ranking vote between the four most supported proposals of the first axis, with a few ballots."""
    vote = priority.create_priority_vote(operator, call, priority.VoteData(
        title="Accès aux soins : quelles priorités pour 2027 ?", axis_id=call.axes[0].id, size=4,
        method=VoteMethod.RANK, picks=3, opens_at=now - dt.timedelta(days=2), closes_at=now + dt.timedelta(days=20)))
    options = [p.id for p in vote.options]
    for person in people[1:9]:
        priority.cast_ballot(person, vote, rng.sample(options, rng.randint(1, 3)), now=now - dt.timedelta(hours=5))
