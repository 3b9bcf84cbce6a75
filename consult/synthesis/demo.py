"""Demo action plan of Terres des Confluences: the CLS 1 fiches imported from a spreadsheet (done or abandoned, with
their indicator values), the CLS 2 fiches drafted from the demo contributions (citations, partners, funders,
indicators) in several statuses, a COPIL with its members and a session that validated fiches, and one year of
follow-up (steps, indicator values for 2025 and 2026, dated notes). Idempotent: a contract that has fiches is left
as it is."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from consult.extensions import db
from consult.groups.models import Idea, WorkingGroup
from consult.proposals.models import Proposal, ProposalState
from consult.surveys.building.template import TITLE as SURVEY_TITLE
from consult.surveys.models import Survey
from consult.surveys.releases.services import latest_release
from consult.synthesis.fiches.versions import keep_version, next_rank
from consult.synthesis.models import (
    BodyKind,
    BodyMember,
    BodySession,
    Citation,
    CitationKind,
    Decision,
    DecisionFiche,
    DecisionKind,
    Fiche,
    FichePartner,
    FicheStatus,
    FollowUpNote,
    Funding,
    FundingKind,
    GovernanceBody,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    ParticipationLevel,
    PartnerRole,
    Priority,
    StatusChange,
    Step,
    StepState,
)
from consult.synthesis.plan_io.copy import copy_fiches
from consult.synthesis.plan_io.importer import import_plan
from consult.territories.models import Commune, Contract, Territory

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
CLS1_FILE = "plan-cls1-terres-des-confluences.csv"

COPIL_MEMBERS = [
    ("ARS Occitanie — délégation départementale de Tarn-et-Garonne", "Délégué départemental"),
    ("Conseil départemental de Tarn-et-Garonne", "Vice-présidente chargée des solidarités"),
    ("Caisse primaire d'assurance maladie de Tarn-et-Garonne", "Responsable du service prévention"),
    ("Mutualité sociale agricole Midi-Pyrénées Nord", "Chargée de développement sanitaire et social"),
    ("Communauté de communes Terres des Confluences", "Président et vice-présidente déléguée à la santé"),
    ("Centre hospitalier intercommunal de Castelsarrasin-Moissac", "Directeur"),
    ("CAF 82", "Responsable de l'action sociale"),
    ("CPTS Quercy Garonne", "Présidente"),
]
COPIL_DAY = dt.date(2025, 3, 14)
GROUP_DAY = dt.date(2025, 2, 6)
START_DAY = dt.date(2025, 4, 1)

# axis index, objective index, title, status, general objective, context, description, lead, partners, funders
# (funder, amount, kind), indicators (kind, name, target, unit, values for 2025 and 2026), publics, communes,
# steps (title, state, done on), notes (date, text), participation, priority
FICHES = [
    dict(axis=0, objective=1, status=FicheStatus.IN_PROGRESS,
         title="Réunir une commission de coordination sanitaire territoriale",
         general="Faire travailler ensemble élus, professionnels de santé et institutions sur l'offre de soins",
         specific=["Réunir la commission deux fois par an", "Suivre l'installation des nouveaux professionnels"],
         context="Le premier CLS a montré que les acteurs du soin se connaissent mal d'une commune à l'autre ; la "
                 "commission prend la suite du comité de suivi des élus.",
         description="Deux séances par an, préparées par la coordination du CLS, avec un tableau de bord de "
                     "l'offre de soins et des départs à la retraite annoncés.",
         lead=("CC Terres des Confluences", "Coordinatrice du CLS"),
         partners=["CPTS Quercy Garonne", "Conseil départemental de Tarn-et-Garonne",
                   "Centre hospitalier intercommunal de Castelsarrasin-Moissac"],
         funders=[("ARS Occitanie (FIR)", 3000, FundingKind.OPERATING),
                  ("CC Terres des Confluences", 3000, FundingKind.OPERATING)],
         indicators=[(IndicatorKind.PROCESS, "Nombre de séances de la commission", 2, "séances", (2, 1)),
                     (IndicatorKind.RESULT, "Nombre de structures représentées", 15, "structures", (11, 14))],
         publics=["health_professionals", "elected"], communes=[],
         steps=[("Installer la commission", StepState.DONE, dt.date(2025, 5, 20)),
                ("Construire le tableau de bord de l'offre de soins", StepState.DONE, dt.date(2025, 11, 4)),
                ("Présenter le premier bilan en plénière", StepState.IN_PROGRESS, None)],
         notes=[(dt.date(2025, 11, 4), "Deuxième séance : 14 structures présentes. Le tableau de bord est partagé "
                                      "avec la CPTS."),
                (dt.date(2026, 6, 12), "Séance de juin : les médecins libéraux demandent des horaires en soirée.")],
         participation=ParticipationLevel.INFORMATION, priority=Priority.HIGH, group=0),
    dict(axis=0, objective=0, status=FicheStatus.GROUP_VALIDATED,
         title="Éditer un annuaire des services de santé lisible pour tous",
         general="Que chaque habitant sache où se soigner et qui prend de nouveaux patients",
         specific=["Recenser l'offre de soins et de services de chaque commune",
                   "Distribuer l'annuaire dans toutes les boîtes aux lettres et le mettre en ligne"],
         context="Dans l'enquête habitants, un répondant sur trois dit avoir renoncé à des soins ; beaucoup ne "
                 "savent pas à qui s'adresser. Le groupe de travail « offre de services » et plusieurs "
                 "propositions d'habitants demandent un annuaire simple.",
         description="Recensement avec les mairies et la CPTS, maquette relue par des habitants du groupe de "
                     "travail, impression en gros caractères, mise à jour en ligne chaque trimestre.",
         lead=("CC Terres des Confluences", "Coordinatrice du CLS"),
         partners=["CPTS Quercy Garonne", "Mairies du territoire", "Maison France services de Moissac"],
         funders=[("ARS Occitanie (FIR)", 2500, FundingKind.OPERATING),
                  ("CPAM de Tarn-et-Garonne", 1000, FundingKind.OPERATING)],
         indicators=[(IndicatorKind.PROCESS, "Nombre d'exemplaires distribués", 18000, "exemplaires", None),
                     (IndicatorKind.RESULT, "Part des habitants qui savent où trouver un médecin", 70, "%", None)],
         publics=["everyone", "older_people"], communes=[], steps=[], notes=[],
         participation=ParticipationLevel.CO_CONSTRUCTION, priority=Priority.HIGH, group=0,
         proposals=["Un annuaire des professionnels de santé du territoire"],
         ideas=["Un annuaire des services de santé distribué dans toutes les boîtes aux lettres."], figure=True),
    dict(axis=0, objective=0, status=FicheStatus.DRAFT,
         title="Mettre en place une navette vers les consultations de l'hôpital de Moissac",
         general="Permettre aux personnes sans voiture de se rendre à leurs consultations",
         specific=["Une navette hebdomadaire sur réservation depuis les bourgs du sud du territoire"],
         context="Deux propositions d'habitants, parmi les plus soutenues, demandent un transport vers l'hôpital ; "
                 "la distance et le transport sont une raison de renoncer aux soins citée dans l'enquête.",
         description="Étude des besoins avec les CCAS, puis test d'une navette le samedi matin pendant six mois.",
         lead=("CC Terres des Confluences", "Service mobilité"),
         partners=["CCAS de Castelsarrasin", "Centre hospitalier intercommunal de Castelsarrasin-Moissac",
                   "Familles rurales 82"],
         funders=[("CC Terres des Confluences", 8000, FundingKind.OPERATING),
                  ("MSA Midi-Pyrénées Nord", 2000, FundingKind.OPERATING)],
         indicators=[(IndicatorKind.RESULT, "Nombre de trajets réalisés", 400, "trajets", None)],
         publics=["older_people", "precarious"], communes=["82169", "82112", "82081", "82058"], steps=[], notes=[],
         participation=ParticipationLevel.CONSULTATION, priority=None, group=None,
         proposals=["Une navette vers l'hôpital de Moissac le samedi", "Une navette pour aller à l'hôpital de Moissac"],
         figure=True),
    dict(axis=1, objective=0, status=FicheStatus.COPIL_VALIDATED,
         title="Construire avec les acteurs un plan de communication sur les services de santé",
         general="Faire connaître les services de santé disponibles sur le territoire",
         specific=["Choisir les supports avec les associations et les habitants relais",
                   "Publier un calendrier commun des actions de prévention"],
         context="Les partenaires mènent de nombreuses actions que les habitants ne connaissent pas ; le groupe de "
                 "travail « plan de communication » propose des supports simples.",
         description="Ateliers avec les services communication des communes, bulletin intercommunal, affichage en "
                     "mairie, réseaux sociaux, forum annuel des associations de santé.",
         lead=("CC Terres des Confluences", "Service communication"),
         partners=["Familles rurales 82", "Conseil départemental de Tarn-et-Garonne", "Associations de patients"],
         funders=[("CC Terres des Confluences", 4000, FundingKind.OPERATING)],
         indicators=[(IndicatorKind.PROCESS, "Nombre de supports publiés", 6, "supports", None)],
         publics=["everyone"], communes=[], steps=[("Choisir les supports", StepState.TODO, None),
                                                   ("Organiser le premier forum des associations", StepState.TODO,
                                                    None)],
         notes=[], participation=ParticipationLevel.CONCERTATION, priority=Priority.MEDIUM, group=1,
         proposals=["Un forum annuel des associations de santé"]),
    dict(axis=1, objective=1, status=FicheStatus.IN_PROGRESS,
         title="Diffuser une lettre d'information numérique sur la santé",
         general="Tenir élus, professionnels et habitants informés de l'actualité santé du territoire",
         specific=["Une lettre tous les deux mois", "Relayer les actions des partenaires"],
         context="Lancée en 2023, la lettre est lue surtout par les professionnels ; les élus demandent une version "
                 "à afficher en mairie.",
         description="Rédaction par la coordination du CLS, diffusion par courriel et sur la page du réseau des "
                     "acteurs de santé, version imprimable pour les mairies.",
         lead=("CC Terres des Confluences", "Coordinatrice du CLS"),
         partners=["CPTS Quercy Garonne", "DAC 82"],
         funders=[("CC Terres des Confluences", 1200, FundingKind.OPERATING)],
         indicators=[(IndicatorKind.PROCESS, "Nombre de lettres publiées", 6, "lettres", (5, 6)),
                     (IndicatorKind.RESULT, "Nombre d'abonnés", 500, "abonnés", (320, 455))],
         publics=["health_professionals", "elected", "everyone"], communes=[],
         steps=[("Créer la liste de diffusion", StepState.DONE, dt.date(2025, 4, 15)),
                ("Proposer une version imprimable aux mairies", StepState.DONE, dt.date(2025, 10, 1)),
                ("Mesurer la lecture auprès des habitants", StepState.TODO, None)],
         notes=[(dt.date(2025, 12, 15), "Cinq lettres en 2025 ; la version affichée en mairie est appréciée."),
                (dt.date(2026, 9, 30), "Plus de 450 abonnés ; un tiers sont des habitants.")],
         participation=ParticipationLevel.INFORMATION, priority=Priority.LOW, group=None),
    dict(axis=2, objective=0, status=FicheStatus.IN_PROGRESS, copy_from="2.1",
         title="Accueillir les internes et les nouveaux praticiens de santé",
         general="Donner envie aux jeunes professionnels de santé de s'installer sur le territoire",
         specific=["Une journée d'accueil à chaque semestre", "Un logement meublé réservé aux internes",
                   "Un guide d'accueil des praticiens"],
         context="Suite de la fiche 2.1 du premier CLS (deux médecins installés). Le groupe de travail « accueillir "
                 "les nouveaux praticiens » et une proposition d'habitants demandent un logement pour les internes.",
         description="Journées d'accueil avec la CPTS, logement meublé à Castelsarrasin mis à disposition par la "
                     "commune, guide d'accueil, mise en relation avec les maisons de santé.",
         lead=("CC Terres des Confluences", "Coordinatrice du CLS"),
         partners=["CPTS Quercy Garonne", "Conseil départemental de Tarn-et-Garonne", "Commune de Castelsarrasin",
                   "Département de médecine générale de la faculté de Toulouse"],
         funders=[("CC Terres des Confluences", 6000, FundingKind.OPERATING),
                  ("Commune de Castelsarrasin", 15000, FundingKind.INVESTMENT),
                  ("Conseil départemental de Tarn-et-Garonne", 4000, FundingKind.OPERATING)],
         indicators=[(IndicatorKind.PROCESS, "Nombre d'internes accueillis en stage", 12, "internes", (5, 7)),
                     (IndicatorKind.IMPACT, "Nombre de praticiens installés", 4, "praticiens", (1, 2))],
         publics=["health_professionals"], communes=["82033", "82112"],
         steps=[("Journée d'accueil du semestre de printemps", StepState.DONE, dt.date(2025, 5, 12)),
                ("Aménager le logement des internes", StepState.DONE, dt.date(2025, 10, 20)),
                ("Rédiger le guide d'accueil", StepState.IN_PROGRESS, None),
                ("Journée d'accueil du semestre d'automne 2026", StepState.TODO, None)],
         notes=[(dt.date(2025, 11, 3), "Le logement des internes est occupé depuis novembre."),
                (dt.date(2026, 7, 8), "Une médecin généraliste, ancienne interne, s'installe à Moissac en septembre.")],
         participation=ParticipationLevel.CONSULTATION, priority=Priority.HIGH, group=2,
         proposals=["Accueillir les internes en médecine au gîte communal"],
         ideas=["Un logement meublé réservé aux internes à Castelsarrasin."]),
    dict(axis=2, objective=1, status=FicheStatus.IN_PROGRESS,
         title="Former les élus aux inégalités sociales et territoriales de santé",
         general="Donner aux élus des repères pour agir sur les déterminants de santé",
         specific=["Une formation par an ouverte aux élus des 22 communes"],
         context="La formation de 2023 a réuni une vingtaine d'élus ; les nouveaux conseils municipaux demandent "
                 "une nouvelle session.",
         description="Une demi-journée animée par l'IREPS Occitanie, suivie d'un atelier sur les projets de chaque "
                     "commune.",
         lead=("CC Terres des Confluences", "Coordinatrice du CLS"),
         partners=["IREPS Occitanie", "Association des maires de Tarn-et-Garonne"],
         funders=[("ARS Occitanie (FIR)", 2000, FundingKind.OPERATING)],
         indicators=[(IndicatorKind.RESULT, "Nombre d'élus formés", 40, "élus", (18, 27))],
         publics=["elected"], communes=[],
         steps=[("Session 2025", StepState.DONE, dt.date(2025, 6, 19)), ("Session 2026", StepState.TODO, None)],
         notes=[(dt.date(2025, 6, 20), "18 élus de 12 communes ; demande d'un atelier sur l'habitat indigne.")],
         participation=ParticipationLevel.NONE, priority=Priority.MEDIUM, group=None),
    dict(axis=3, objective=0, status=FicheStatus.GROUP_VALIDATED,
         title="Faire circuler un foodtruck santé social, solidaire et intergénérationnel",
         general="Aller vers les habitants des villages avec des repas, de la prévention et des rencontres",
         specific=["Une tournée mensuelle dans les communes sans commerce",
                   "Des ateliers cuisine et des dépistages à chaque étape"],
         context="Le projet lancé en 2024 a été retravaillé par le groupe de travail « foodtruck » ; les habitants "
                 "proposent des étapes aux marchés et des ateliers cuisine à petit prix.",
         description="Tournée avec les centres sociaux et les associations, animations de la diététicienne de la "
                     "MSA, dépistages avec la CPAM.",
         lead=("Centre social de Moissac", "Direction"),
         partners=["MSA Midi-Pyrénées Nord", "CPAM de Tarn-et-Garonne", "Club des aînés de Saint-Porquier",
                   "Familles rurales 82"],
         funders=[("CC Terres des Confluences", 10000, FundingKind.OPERATING),
                  ("Région Occitanie", 25000, FundingKind.INVESTMENT),
                  ("CAF 82", 5000, FundingKind.OPERATING)],
         indicators=[(IndicatorKind.PROCESS, "Nombre d'étapes du foodtruck", 40, "étapes", None),
                     (IndicatorKind.RESULT, "Nombre de personnes rencontrées", 1500, "personnes", None)],
         publics=["everyone", "older_people", "parents"], communes=[], steps=[], notes=[],
         participation=ParticipationLevel.CO_CONSTRUCTION, priority=Priority.MEDIUM, group=3,
         proposals=["Des ateliers cuisine à petit prix au centre social"],
         ideas=["Faire étape avec le foodtruck aux marchés de plein vent."]),
    dict(axis=3, objective=1, status=FicheStatus.COPIL_VALIDATED,
         title="Conduire un projet de santé environnement avec dix communes",
         general="Réduire l'exposition des habitants aux pollutions de l'environnement proche",
         specific=["Un diagnostic santé environnement dans chaque commune volontaire",
                   "Un plan d'actions par commune (air intérieur, eau, bruit, pesticides près des écoles)"],
         context="Dix communes se sont portées volontaires en 2024 ; une proposition d'habitants demande des zones "
                 "sans traitement autour des écoles.",
         description="Accompagnement par un bureau d'études, réunions publiques dans chaque commune, plans d'actions "
                     "votés en conseil municipal.",
         lead=("CC Terres des Confluences", "Service environnement"),
         partners=["Communes volontaires", "Chambre d'agriculture de Tarn-et-Garonne", "ARS Occitanie"],
         funders=[("ARS Occitanie (FIR)", 12000, FundingKind.OPERATING),
                  ("CC Terres des Confluences", 6000, FundingKind.OPERATING)],
         indicators=[(IndicatorKind.PROCESS, "Nombre de communes accompagnées", 10, "communes", None)],
         publics=["everyone", "children"], communes=["82033", "82112", "82096", "82171", "82031", "82063", "82030",
                                                     "82152", "82045", "82035"],
         steps=[("Choisir le bureau d'études", StepState.TODO, None)], notes=[],
         participation=ParticipationLevel.CONCERTATION, priority=Priority.MEDIUM, group=None,
         proposals=["Réduire les pesticides près des écoles"]),
]
# The fiches the COPIL of 14 March 2025 validated (by title); some of them then started.
COPIL_VALIDATES = [f["title"] for f in FICHES if f["status"] in (FicheStatus.COPIL_VALIDATED, FicheStatus.IN_PROGRESS)]


def seed_plan(territory: Territory | None, operator, *, now: dt.datetime) -> None:
    """The demo action plan of `territory` (Terres des Confluences), unless its contracts have fiches already."""
    if territory is None:
        return
    contracts = {c.generation: c for c in territory.contracts}
    first, second = contracts.get(1), contracts.get(2)
    if first is None or second is None:
        return
    if not _has_fiches(first):
        import_plan(operator, first, (DEMO_DATA / CLS1_FILE).read_bytes(), filename=CLS1_FILE, now=now)
    if not _has_fiches(second):
        _seed_current(territory, first, second, operator, now=now)
    cite_survey_figures(territory)


def _has_fiches(contract: Contract) -> bool:
    return bool(db.session.scalar(select(func.count(Fiche.id)).where(Fiche.contract_id == contract.id)))


def _seed_current(territory: Territory, first: Contract, second: Contract, operator, *, now: dt.datetime) -> None:
    axes = second.active_axes
    groups = list(db.session.scalars(select(WorkingGroup).where(WorkingGroup.territory_id == territory.id)
                                     .order_by(WorkingGroup.id)))
    communes = {c.insee_code: c for c in db.session.scalars(select(Commune).where(
        Commune.territory_id == territory.id))}
    fiches = []
    for spec in FICHES:
        axis = axes[spec["axis"]]
        if spec.get("copy_from"):
            original = next(f for f in db.session.scalars(select(Fiche).where(Fiche.contract_id == first.id))
                            if f.number == spec["copy_from"])
            fiche = copy_fiches(operator, first, second, {original.axis_id: axis.id}, {original.id},
                                now=now - dt.timedelta(days=700)).copies[0]
        else:
            fiche = Fiche(contract=second, axis=axis, rank=next_rank(axis), title=spec["title"])
            db.session.add(fiche)
        _fill(fiche, spec, axis, communes)
        recent = spec["status"] in (FicheStatus.DRAFT, FicheStatus.GROUP_VALIDATED)
        keep_version(fiche, actor=operator, now=now - dt.timedelta(days=3) if recent else dt.datetime(2025, 2, 3, 9))
        _cite(fiche, spec, territory, groups)
        fiches.append(fiche)
    body = _copil(second)
    _history(fiches, body, today=now.date())
    for fiche, spec in zip(fiches, FICHES):
        _follow_up(fiche, spec)
        if fiche.status in (FicheStatus.COPIL_VALIDATED, FicheStatus.IN_PROGRESS):
            fiche.published_at = dt.datetime.combine(START_DAY, dt.time(9))
            fiche.governance_body = body
    db.session.flush()


def _fill(fiche: Fiche, spec: dict, axis, communes: dict) -> None:
    fiche.title = spec["title"]
    fiche.objective = axis.active_objectives[spec["objective"]] if axis.active_objectives else None
    fiche.general_objective, fiche.specific_objectives = spec["general"], spec["specific"]
    fiche.context, fiche.description = spec["context"], spec["description"]
    fiche.publics = spec["publics"]
    fiche.communes = [communes[code] for code in spec["communes"] if code in communes]
    fiche.whole_territory = not fiche.communes
    fiche.starts_on, fiche.ends_on = dt.date(2025, 1, 1), dt.date(2027, 12, 31)
    fiche.participation_level, fiche.priority = spec["participation"], spec["priority"]
    fiche.elected_referent = "Vice-présidente déléguée à la santé"
    lead, contact = spec["lead"]
    fiche.partners = [FichePartner(role=PartnerRole.LEAD, organisation=lead, contact=contact, position=0)] + [
        FichePartner(role=PartnerRole.PARTNER, organisation=name, position=n)
        for n, name in enumerate(spec["partners"], 1)] + [
        FichePartner(role=PartnerRole.FUNDER, organisation=funder, position=len(spec["partners"]) + n)
        for n, (funder, _amount, _kind) in enumerate(spec["funders"], 1) if funder != lead]
    fiche.fundings = [Funding(funder=funder, amount=amount, kind=kind, position=n)
                      for n, (funder, amount, kind) in enumerate(spec["funders"])]
    fiche.indicators = [Indicator(kind=kind, name=name, target=target, unit=unit, position=n,
                                  source="Coordination du CLS", frequency="Annuelle")
                        for n, (kind, name, target, unit, _values) in enumerate(spec["indicators"])]
    fiche.steps = [Step(title=title, state=StepState.TODO, position=n) for n, (title, *_rest) in
                   enumerate(spec["steps"])]
    db.session.flush()


def _cite(fiche: Fiche, spec: dict, territory: Territory, groups: list[WorkingGroup]) -> None:
    position = len(fiche.citations)
    if spec.get("group") is not None and spec["group"] < len(groups):
        group = groups[spec["group"]]
        fiche.citations.append(Citation(kind=CitationKind.WORKING_GROUP, group=group, position=position,
                                        note="Membres du groupe de travail, partenaires pressentis."))
        position += 1
    for title in spec.get("proposals", ()):
        proposal = db.session.scalars(select(Proposal).where(
            Proposal.title == title, Proposal.state == ProposalState.PUBLISHED).order_by(Proposal.id)).first()
        if proposal is not None and proposal.call.territory_id == territory.id:
            fiche.citations.append(Citation(kind=CitationKind.PROPOSAL, proposal=proposal, position=position))
            position += 1
    for text in spec.get("ideas", ()):
        idea = db.session.scalars(select(Idea).where(Idea.text == text).order_by(Idea.id)).first()
        if idea is not None:
            fiche.citations.append(Citation(kind=CitationKind.IDEA, idea=idea, position=position))
            position += 1


def cite_survey_figures(territory: Territory | None) -> int:
    """Quote the share of respondents who forwent care (Q7) from the demo survey's latest release in the fiches
    drafted from the survey, unless they quote it already; nothing when the survey has no release yet (seed-demo
    without --publish-results). Returns how many citations were added."""
    if territory is None:
        return 0
    survey = db.session.scalar(select(Survey).where(Survey.territory_id == territory.id, Survey.title == SURVEY_TITLE))
    release = latest_release(survey) if survey is not None else None
    contract = next((c for c in territory.contracts if c.generation == 2), None)
    if release is None or contract is None:
        return 0
    titles = [f["title"] for f in FICHES if f.get("figure")]
    added = 0
    for fiche in db.session.scalars(select(Fiche).where(Fiche.contract_id == contract.id, Fiche.title.in_(titles))):
        if any(c.kind is CitationKind.SURVEY_FIGURE for c in fiche.citations):
            continue
        fiche.citations.append(Citation(kind=CitationKind.SURVEY_FIGURE, release=release, question_code="Q7",
                                        figure={"option": "1"}, position=len(fiche.citations),
                                        note="Part des répondants qui ont renoncé à des soins dans l'année."))
        added += 1
    db.session.flush()
    return added


def _copil(contract: Contract) -> GovernanceBody:
    body = GovernanceBody(contract=contract, kind=BodyKind.COPIL, name="Comité de pilotage du CLS 2",
                          description="Instance de décision du contrat : valide les fiches actions, arrête les "
                                      "priorités et suit le bilan annuel.")
    body.members = [BodyMember(organisation=name, representative=who, position=n)
                    for n, (name, who) in enumerate(COPIL_MEMBERS)]
    db.session.add(body)
    db.session.flush()
    return body


def _history(fiches: list[Fiche], body: GovernanceBody, *, today: dt.date) -> None:
    """Every fiche's statuses from its draft; the COPIL of 14 March 2025 validates some of them. The fiches drafted
    from this year's contributions were written in the last days."""
    session = BodySession(body=body, held_on=COPIL_DAY, title="COPIL de programmation 2025",
                          place="Salle du conseil communautaire, Castelsarrasin",
                          minutes="Présentation des fiches validées par les groupes de travail. Le COPIL valide six "
                                  "fiches et demande un premier bilan en plénière à l'automne 2026.")
    db.session.add(session)
    decision = Decision(session=session, kind=DecisionKind.VALIDATE,
                        text="Le comité de pilotage valide les fiches présentées, qui entrent dans le plan d'actions "
                             "du CLS 2.")
    session.decisions.append(decision)
    db.session.flush()
    for fiche, spec in zip(fiches, FICHES):
        wanted = spec["status"]
        recent = wanted in (FicheStatus.DRAFT, FicheStatus.GROUP_VALIDATED)
        steps = [(None, FicheStatus.DRAFT, today - dt.timedelta(days=10) if recent else dt.date(2024, 11, 15), None)]
        if wanted is not FicheStatus.DRAFT:
            steps.append((FicheStatus.DRAFT, FicheStatus.GROUP_VALIDATED, today - dt.timedelta(days=3) if recent
                          else GROUP_DAY, None))
        if fiche.title in COPIL_VALIDATES:
            decision.fiches.append(DecisionFiche(fiche=fiche, status=FicheStatus.COPIL_VALIDATED))
            steps.append((FicheStatus.GROUP_VALIDATED, FicheStatus.COPIL_VALIDATED, COPIL_DAY, decision))
        if wanted is FicheStatus.IN_PROGRESS:
            steps.append((FicheStatus.COPIL_VALIDATED, FicheStatus.IN_PROGRESS, START_DAY, None))
        for previous, status, day, by in steps:
            db.session.add(StatusChange(fiche=fiche, previous=previous, status=status, decided_on=day,
                                        decision=by))
        fiche.status = wanted


def _follow_up(fiche: Fiche, spec: dict) -> None:
    for step, (_title, state, done_on) in zip(fiche.steps, spec["steps"]):
        step.state, step.done_on = state, done_on
    for indicator, (*_rest, values) in zip(fiche.indicators, spec["indicators"]):
        for year, value in zip((2025, 2026), values or ()):
            indicator.values.append(IndicatorValue(year=year, value=value,
                                                   recorded_at=dt.datetime(year, 12, 1, 9) if year == 2025
                                                   else dt.datetime(2026, 10, 1, 9)))
    for day, text in spec["notes"]:
        fiche.notes.append(FollowUpNote(written_on=day, text=text))
