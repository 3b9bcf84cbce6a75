"""Demo data: a working group per axis (one full with a waitlist), meetings past and coming with attendance,
minutes and ideas, a Forum Santé and a plenary session (deterministic, dated from the day it is loaded)."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select

from consult.accounts.models import Category, User
from consult.accounts.services import hash_password
from consult.core.time import paris_date, paris_to_utc
from consult.extensions import db
from consult.groups import services
from consult.groups.services import signups
from consult.groups.models import (
    Attendance,
    GroupStatus,
    Idea,
    JoinMode,
    Meeting,
    MeetingKind,
    Registration,
    WorkingGroup,
)
from consult.territories.models import Commune, Territory


# display name, category, structure, commune INSEE code
PEOPLE = [
    ("Martine Delpech", Category.RESIDENT, "", "82112"),
    ("Karim Benali", Category.RESIDENT, "", "82033"),
    ("Sylvie Carrère", Category.RESIDENT, "Association des aidants du Moissagais", "82112"),
    ("Jean-Pierre Lafon", Category.ELECTED, "Mairie de Saint-Nicolas-de-la-Grave", "82169"),
    ("Hélène Fabre", Category.ELECTED, "Mairie de Castelsarrasin", "82033"),
    ("Dr Anne Roques", Category.HEALTH_PROFESSIONAL, "Maison de santé de Moissac", "82112"),
    ("Thomas Garrigues", Category.HEALTH_PROFESSIONAL, "CPTS Quercy Garonne", "82033"),
    ("Nadia Ouali", Category.SOCIAL_PROFESSIONAL, "CCAS de Castelsarrasin", "82033"),
    ("Pascale Vidal", Category.INSTITUTION, "Caisse primaire d'assurance maladie de Tarn-et-Garonne", None),
    ("Laurent Bessières", Category.ASSOCIATION, "Familles rurales 82", "82096"),
    ("Chantal Mouysset", Category.RESIDENT, "", "82171"),
    ("Yannick Teulières", Category.RESIDENT, "", "82031"),
    ("Amandine Rivière", Category.HEALTH_PROFESSIONAL, "Infirmière libérale", "82096"),
    ("Gérard Pouget", Category.ELECTED, "Mairie de Lizac", "82099"),
    ("Sophie Lacombe", Category.SOCIAL_PROFESSIONAL, "Mission locale de Moissac", "82112"),
    ("Élise Castan", Category.RESIDENT, "", "82063"),
    ("Mohamed Haddad", Category.RESIDENT, "", "82112"),
    ("Claudine Bories", Category.ASSOCIATION, "Club des aînés de Saint-Porquier", "82171"),
    ("Patrick Soulié", Category.HEALTH_PROFESSIONAL, "Pharmacie de La Ville-Dieu-du-Temple", "82096"),
    ("Inès Marty", Category.RESIDENT, "", "82030"),
    ("Bernard Calvet", Category.ELECTED, "Mairie de Montesquieu", "82127"),
    ("Julie Ferrié", Category.INSTITUTION, "Conseil départemental de Tarn-et-Garonne", None),
    ("Rachid Amrani", Category.SOCIAL_PROFESSIONAL, "Centre social de Moissac", "82112"),
    ("Odile Barrau", Category.RESIDENT, "", "82152"),
]

GROUPS = [
    # axis index, title, capacity, join mode, status, members (indexes in PEOPLE), waitlist, pending, targets
    (0, "Une offre de services de santé lisible pour tous", 12, JoinMode.OPEN, GroupStatus.RECRUITING,
     [0, 1, 5, 7, 8, 3, 14], [], [], [(Category.RESIDENT, 3), (Category.ELECTED, 2)]),
    (1, "Plan de communication sur les services de santé", 10, JoinMode.APPROVAL, GroupStatus.RECRUITING,
     [9, 4, 21, 15], [], [17, 22], [(Category.RESIDENT, 2)]),
    (2, "Accueillir les nouveaux praticiens", 8, JoinMode.OPEN, GroupStatus.RECRUITING,
     [5, 6, 12, 3, 4, 13, 8, 18], [10, 19, 11], [], [(Category.ELECTED, 2), (Category.HEALTH_PROFESSIONAL, 3)]),
    (3, "Foodtruck santé itinérant et intergénérationnel", 15, JoinMode.OPEN, GroupStatus.ACTIVE,
     [2, 9, 17, 22, 10, 20], [], [], [(Category.RESIDENT, 4)]),
]

MISSIONS = {
    0: ("Recenser l'offre de santé et de services du territoire et proposer une **fiche action** pour la rendre "
        "lisible : annuaire, permanences, transport vers les consultations.",
        "Habitants, élus, professionnels de santé et du social, partenaires institutionnels."),
    1: ("Construire avec les acteurs un plan de communication sur les services de santé et choisir les supports "
        "(bulletin intercommunal, affichage en mairie, réseaux sociaux).",
        "Associations, habitants relais, services communication des communes."),
    2: ("Préparer l'accueil des internes et des nouveaux praticiens : logement, découverte du territoire, "
        "mise en relation avec la CPTS.",
        "Élus, professionnels de santé, partenaires (CPAM, Conseil départemental)."),
    3: ("Concevoir le parcours et les animations du foodtruck social et solidaire : alimentation, dépistages, "
        "rencontres entre générations dans les villages.",
        "Habitants de toutes les communes, associations, centres sociaux."),
}


def _paris(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A Paris wall-clock time as stored: naive UTC."""
    return paris_to_utc(dt.datetime(day.year, day.month, day.day, hour, minute))


def _people() -> list[User]:
    users = []
    for n, (name, category, structure, insee) in enumerate(PEOPLE, 1):
        email = f"participant.{n:02d}@example.org"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            # Demo members cannot log in: their password is random and never shown.
            user = User(email=email, display_name=name, password_hash=hash_password(secrets.token_urlsafe(24)),
                        privacy_consent_at=dt.datetime(2026, 1, 5, 9, 0), email_confirmed_at=dt.datetime(2026, 1, 5),
                        category=category, structure=structure)
            if insee:
                user.commune = db.session.scalar(select(Commune).where(Commune.insee_code == insee))
            db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def _attend(meeting: Meeting, users: list[User]) -> None:
    for user in users:
        meeting.attendances.append(Attendance(user=user, category=user.category, structure=user.structure,
                                              commune=user.commune, recorded_at=meeting.ends_at))


def seed_groups(territory: Territory, operator, *, now: dt.datetime) -> None:
    """Groups, meetings, attendance, minutes, ideas and events for `territory` unless it has groups already."""
    if db.session.scalar(select(func.count()).select_from(WorkingGroup)
                         .where(WorkingGroup.territory_id == territory.id)):
        return
    people = _people()
    resident = db.session.scalar(select(User).where(User.email == "habitante@example.org"))
    axes = services.current_axes(territory)
    today = paris_date(now)
    groups = []
    for axis_index, title, capacity, mode, status, members, waitlist, pending, targets in GROUPS:
        axis = axes[axis_index]
        mission, audience = MISSIONS[axis_index]
        group = services.create_group(operator, territory, services.GroupData(
            title=title, axis_id=axis.id, mission=mission, audience=audience, capacity=capacity,
            join_mode=mode, status=GroupStatus.RECRUITING, objective_ids=(axis.objectives[0].id,),
            facilitators="Coordination du contrat local de santé, " + PEOPLE[members[0]][0],
            targets=tuple(targets)))
        joined = now - dt.timedelta(days=75)
        for offset, index in enumerate(members + waitlist):
            _join(operator, group, people[index], joined + dt.timedelta(hours=offset), mode)
        for offset, index in enumerate(pending):
            _join(operator, group, people[index], now - dt.timedelta(days=2, hours=offset), JoinMode.APPROVAL, decide=False)
        group.status = status
        groups.append(group)
    if resident is not None:
        _join(operator, groups[0], resident, now - dt.timedelta(days=30), JoinMode.OPEN)
        _join(operator, groups[2], resident, now - dt.timedelta(days=12), JoinMode.OPEN)  # full: waitlisted, 4th
    db.session.flush()
    _meetings(territory, groups, people, resident, today)


def _join(operator, group: WorkingGroup, user: User, when: dt.datetime, mode: JoinMode, *,
          decide: bool = True) -> None:
    change = signups.sign_up(user, group, signups.SignupData(
        motivation="Je souhaite contribuer au contrat local de santé.", evening=True,
        shown_to_members=user.id % 3 != 0), now=when)
    if mode == JoinMode.APPROVAL and decide:
        signups.accept(operator, change.signup, "", now=when)


def _meetings(territory: Territory, groups: list[WorkingGroup], people: list[User], resident: User | None,
              today: dt.date) -> None:
    offer, communication, newcomers, foodtruck = groups
    hall = ("Salle des fêtes de Saint-Nicolas-de-la-Grave", "Place du Château, 82210 Saint-Nicolas-de-la-Grave",
            "Salle de plain-pied, places de stationnement réservées devant l'entrée, boucle magnétique.")
    hub = ("Pôle social intercommunal, Castelsarrasin", "5 place de la Liberté, 82100 Castelsarrasin",
           "Accès par rampe, ascenseur, toilettes adaptées.")
    first = Meeting(territory=territory, group=offer, kind=MeetingKind.GROUP_MEETING,
                    title="Réunion de lancement : état des lieux de l'offre",
                    starts_at=_paris(today - dt.timedelta(days=40), 18), duration_minutes=120,
                    place=hub[0], address=hub[1], accessibility=hub[2],
                    agenda="1. Tour de table\n2. Ce que dit le diagnostic\n3. Choisir deux pistes d'action",
                    minutes=("## Présents\nSept membres et une habitante venue sans compte.\n\n"
                             "## Ce qui a été dit\n- Les habitants ne savent pas où trouver les permanences.\n"
                             "- Les horaires des consultations ne conviennent pas à ceux qui travaillent.\n\n"
                             "## Suite\nUn annuaire papier et en ligne, à préparer pour la prochaine réunion."),
                    minutes_published_at=_paris(today - dt.timedelta(days=38), 10))
    db.session.add(first)
    offer_members = [s.user for s in offer.signups if s.status.value == "member"]
    _attend(first, offer_members[:6])
    first.attendances.append(Attendance(name="Josiane Pujol", category=Category.RESIDENT,
                                        structure="", commune=people[0].commune, recorded_at=first.ends_at))
    axis = offer.axis
    first.ideas.extend([
        Idea(axis=axis, objective=axis.objectives[0] if axis.objectives else None,
             text="Un annuaire des services de santé distribué dans toutes les boîtes aux lettres."),
        Idea(axis=axis, text="Des consultations le samedi matin à la maison de santé de Moissac."),
    ])
    db.session.add(Meeting(territory=territory, group=offer, kind=MeetingKind.GROUP_MEETING,
                           title="Deuxième réunion : l'annuaire des services",
                           starts_at=_paris(today + dt.timedelta(days=10), 18), duration_minutes=120,
                           place=hub[0], address=hub[1], accessibility=hub[2],
                           agenda="1. Relire le projet d'annuaire\n2. Qui le distribue ?\n3. Rédiger la fiche action"))
    welcome = Meeting(territory=territory, group=newcomers, kind=MeetingKind.GROUP_MEETING,
                      title="Accueil des internes : retours d'expérience",
                      starts_at=_paris(today - dt.timedelta(days=20), 12, 30), duration_minutes=90,
                      place=hall[0], address=hall[1], accessibility=hall[2],
                      online_url="https://visio.example.org/accueil-internes",
                      agenda="Déjeuner de travail avec deux internes en stage à Moissac.",
                      minutes="Les internes demandent un logement meublé et une présentation du territoire.",
                      minutes_published_at=_paris(today - dt.timedelta(days=19), 9))
    db.session.add(welcome)
    _attend(welcome, [s.user for s in newcomers.signups if s.status.value == "member"][:5])
    welcome.ideas.append(Idea(axis=newcomers.axis, text="Un logement meublé réservé aux internes à Castelsarrasin."))
    db.session.add(Meeting(territory=territory, group=newcomers, kind=MeetingKind.GROUP_MEETING,
                           title="Préparer le guide d'accueil des praticiens",
                           starts_at=_paris(today + dt.timedelta(days=2), 12, 30), duration_minutes=90,
                           place=hall[0], address=hall[1], accessibility=hall[2],
                           online_url="https://visio.example.org/accueil-internes"))
    db.session.add(Meeting(territory=territory, group=communication, kind=MeetingKind.GROUP_MEETING,
                           title="Choisir les supports de communication",
                           starts_at=_paris(today + dt.timedelta(days=16), 14), duration_minutes=120,
                           place=hub[0], address=hub[1], accessibility=hub[2]))
    forum = Meeting(territory=territory, kind=MeetingKind.FORUM, title="Forum Santé des Terres des Confluences",
                    starts_at=_paris(today - dt.timedelta(days=60), 9, 30), duration_minutes=360,
                    place="Hall de Paris, Moissac", address="Boulevard Léon-Cladel, 82200 Moissac",
                    accessibility="Plain-pied, interprète en langue des signes le matin, espace calme.",
                    agenda="Restitution du diagnostic local de santé, puis ateliers par axe du contrat.",
                    capacity=150)
    db.session.add(forum)
    for user in people[:18]:
        forum.registrations.append(Registration(user=user))
    forum.registered_count = 18
    _attend(forum, people[:15])
    walk_ins = [("Francis Delmas", Category.ELECTED, "Mairie de Castelmayran"),
                ("Dr Paul Guiraud", Category.HEALTH_PROFESSIONAL, "Centre hospitalier de Castelsarrasin-Moissac"),
                ("Marie Lagarde", Category.RESIDENT, ""), ("Cécile Roux", Category.SOCIAL_PROFESSIONAL, "CAF 82")]
    for name, category, structure in walk_ins:
        forum.attendances.append(Attendance(name=name, category=category, structure=structure,
                                            recorded_at=forum.ends_at))
    forum.ideas.append(Idea(axis=foodtruck.axis, text="Faire étape avec le foodtruck aux marchés de plein vent."))
    plenary = Meeting(territory=territory, kind=MeetingKind.PLENARY,
                      title="Séance plénière du contrat local de santé : bilan à mi-parcours",
                      starts_at=_paris(today + dt.timedelta(days=30), 18, 30), duration_minutes=120,
                      place="Salle du conseil communautaire", address="Castelsarrasin",
                      accessibility="Accès de plain-pied, boucle magnétique.",
                      agenda="Avancement des fiches actions, paroles d'habitants, prochaines étapes.", capacity=80)
    db.session.add(plenary)
    for user in people[3:9]:
        plenary.registrations.append(Registration(user=user))
    plenary.registered_count = 6
    if resident is not None:
        plenary.registrations.append(Registration(user=resident))
        plenary.registered_count += 1
    db.session.flush()
