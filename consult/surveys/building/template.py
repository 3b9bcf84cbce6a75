"""The questionnaire shipped with Consult: « Diagnostic local de santé — questionnaire habitants ».

Built from the blocks real local health surveys use (shared/domain/SURVEYS.md §1.2), in French as
a coordinator would print it, demographics last. Its easy-read (FALC) version — `falc_text`, and `falc_options` /
`row_falc` for the options' `falc_label` — never uses the point médian (tests/core/test_falc_point_median.py). It includes the WHO-5 well-being index (WHO
Collaborating Centre in Mental Health, 1998; French version): five items scored 0–5, raw score
0–25, times 4 for a percentage; a percentage of 50 or less is the usual screening cut-off for low
well-being. Each entry: (code, type, text, options, extras).
"""
from __future__ import annotations

from consult.surveys.models import Option, Question, QuestionType, Survey, SurveyPage

T = QuestionType
TITLE = "Diagnostic local de santé — questionnaire habitants"
INTRODUCTION = (
    "Ce questionnaire prépare le **diagnostic local de santé** du territoire : il nous aide à savoir "
    "comment vous vous sentez, ce qui vous manque pour vous soigner et ce qui devrait être prioritaire.\n\n"
    "Il prend environ **10 minutes**. Il est **anonyme** : ne donnez ni votre nom ni votre adresse. "
    "Les questions marquées « obligatoire » sont les seules auxquelles vous devez répondre."
)
PURPOSE = ("Recueillir l'avis des habitantes et des habitants pour le diagnostic local de santé et le choix des priorités du "
           "Contrat local de santé.")
# No duration here: the page states the survey's retention_months (or the site's SURVEY_RETENTION_MONTHS), which the
# purge applies.
RETENTION = "Elles servent au diagnostic local de santé. Ensuite, seuls les tableaux de résultats sont gardés."

WHO5_ITEMS = [
    "Je me suis senti·e bien et de bonne humeur",
    "Je me suis senti·e calme et tranquille",
    "Je me suis senti·e plein·e d'énergie et vigoureux·se",
    "Je me suis réveillé·e en me sentant frais·che et dispos·e",
    "Ma vie quotidienne a été remplie de choses intéressantes",
]
# The easy-read (FALC) wording of the five items: no point médian, short sentences in the first person.
WHO5_FALC_ITEMS = [
    "J'étais de bonne humeur",
    "J'étais calme",
    "J'avais de l'énergie",
    "Au réveil, je me sentais reposé ou reposée",
    "Mes journées étaient intéressantes",
]
WHO5_SCALE = [("Tout le temps", 5), ("La plupart du temps", 4), ("Plus de la moitié du temps", 3),
              ("Moins de la moitié du temps", 2), ("De temps en temps", 1), ("Jamais", 0)]

AGE_BANDS = ["15-29 ans", "30-44 ans", "45-59 ans", "60-74 ans", "75 ans ou plus", "Je préfère ne pas répondre"]

PAGES = [
    ("Votre commune", False, "", [
        ("Q1", T.COMMUNE, "Dans quelle commune habitez-vous ?", [],
         dict(required=True, falc_text="Où habitez-vous ?",
              help_text="Ce questionnaire est pour les personnes qui habitent le territoire.")),
    ]),
    ("Votre santé", False, "", [
        ("Q2", T.LIKERT, "Comment est votre état de santé en général ?",
         ["Très bon", "Bon", "Assez bon", "Mauvais", "Très mauvais"],
         dict(required=True, falc_text="Vous sentez-vous en bonne santé ?")),
        ("Q3", T.YES_NO, "Avez-vous une maladie ou un problème de santé qui dure depuis longtemps (au moins 6 mois) ?",
         ["Oui", "Non"], dict(falc_text="Êtes-vous malade depuis longtemps ?")),
        ("Q4", T.SINGLE, "Êtes-vous limité·e, depuis au moins 6 mois, dans les activités que les gens font habituellement ?",
         ["Oui, fortement limité·e", "Oui, limité·e mais pas fortement", "Non, pas limité·e du tout"],
         dict(falc_text="Depuis 6 mois ou plus, un problème de santé vous empêche-t-il de faire les choses de tous "
                        "les jours ?", falc_options=["Oui, beaucoup", "Oui, un peu", "Non, pas du tout"])),
    ]),
    ("Votre accès aux soins", False, "", [
        ("Q5", T.SINGLE, "Avez-vous un médecin traitant ?", ["Oui", "Non", "Je ne sais pas"],
         dict(required=True, falc_text="Avez-vous un médecin de famille ?")),
        ("Q6", T.SINGLE, "Combien de temps vous faut-il pour aller chez votre médecin généraliste ?",
         ["Moins de 10 minutes", "De 10 à 20 minutes", "De 20 à 30 minutes", "Plus de 30 minutes",
          "Je n'y vais jamais"], {}),
        ("Q7", T.YES_NO, "Au cours des 12 derniers mois, avez-vous renoncé à des soins dont vous aviez besoin ?",
         ["Oui", "Non"], dict(required=True, falc_text="Cette année, n'avez-vous pas pu vous soigner alors que vous en aviez besoin ?")),
        ("Q8", T.MULTIPLE, "Pour quelles raisons avez-vous renoncé à ces soins ?",
         ["Le coût, le reste à charge", "La distance ou le transport", "Les délais pour obtenir un rendez-vous",
          "Aucun professionnel ne prend de nouveaux patients", "Je ne savais pas où aller", "La langue"],
         dict(other="Autre raison", condition=("Q7", ["1"]))),
        ("Q9", T.MATRIX, "Combien de temps avez-vous attendu votre dernier rendez-vous chez…",
         ["Moins d'une semaine", "1 à 4 semaines", "1 à 3 mois", "Plus de 3 mois", "Pas concerné·e"],
         dict(falc_options=["", "", "", "", "Je n'y vais pas"], rows=["un médecin généraliste", "un ou une dentiste", "un ou une ophtalmologiste",
                    "un ou une gynécologue", "un ou une psychologue ou psychiatre"])),
        ("Q10", T.YES_NO, "Au cours des 12 derniers mois, êtes-vous allé·e aux urgences pour un problème qui aurait pu "
                          "être soigné par un médecin de ville ?", ["Oui", "Non"],
         dict(falc_text="Cette année, avez-vous été aux urgences pour un problème qu'un médecin de ville aurait pu "
                        "soigner ?")),
        ("Q11", T.YES_NO, "Avez-vous déjà consulté un médecin par vidéo (téléconsultation) ?", ["Oui", "Non"], {}),
    ]),
    ("Vous déplacer", False, "", [
        ("Q12", T.MULTIPLE, "Comment vous rendez-vous habituellement à vos rendez-vous de santé ?",
         ["En voiture, seul·e", "Conduit·e par un proche", "En transport en commun", "Transport à la demande",
          "À pied ou à vélo", "En taxi ou VSL"],
         dict(other="Autrement", falc_options=["En voiture, je conduis", "Un proche m'emmène", "En bus ou en train",
                                               "", "", "En taxi ou en véhicule sanitaire"])),
        ("Q13", T.LIKERT, "Vous rendre à un rendez-vous de santé, c'est…",
         ["Très facile", "Plutôt facile", "Plutôt difficile", "Très difficile"], {}),
    ]),
    ("Prévention et cadre de vie", False, "", [
        ("Q14", T.MULTIPLE, "Sur quels sujets aimeriez-vous plus d'information ou des ateliers près de chez vous ?",
         ["Alimentation", "Activité physique", "Sommeil", "Dépistage des cancers", "Vaccination",
          "Santé mentale, stress", "Addictions (tabac, alcool, écrans…)", "Vieillir en bonne santé"],
         dict(max_choices=3)),
        ("Q15", T.MULTIPLE, "Votre logement a-t-il l'un de ces problèmes ?",
         ["Humidité ou moisissures", "Difficulté à le chauffer", "Bruit", "Trop petit pour le foyer",
          "Aucun de ces problèmes"], {}),
        ("Q16", T.RATING, "De 0 à 10, quelle note donnez-vous à votre cadre de vie pour votre santé "
                          "(air, eau, espaces verts, commerces) ?", [],
         dict(low_label="Très mauvais", high_label="Excellent")),
        ("Q17", T.NUMBER, "Combien de jours par semaine pratiquez-vous au moins 30 minutes d'activité physique "
                          "(marche rapide, vélo, jardinage…) ?", [], dict(min_value=0, max_value=7)),
    ]),
    ("Votre bien-être", True, "Ces questions portent sur votre moral. Vous pouvez les passer.", [
        ("Q18", T.MATRIX, "Au cours des deux dernières semaines…", [label for label, _s in WHO5_SCALE],
         dict(rows=WHO5_ITEMS, row_falc=WHO5_FALC_ITEMS, scores=[s for _l, s in WHO5_SCALE], scored=True, score_multiplier=4,
              score_cutoff=50, score_cutoff_label="Bien-être faible (score OMS-5 ≤ 50)",
              falc_text="Ces deux dernières semaines, comment alliez-vous ?",
              help_text="Une réponse par ligne.")),
        ("Q19", T.YES_NO, "Si vous n'alliez pas bien moralement, sauriez-vous vers qui vous tourner ?", ["Oui", "Non"], {}),
        ("Q20", T.LIKERT, "Vous arrive-t-il de vous sentir seul·e ?",
         ["Jamais", "Rarement", "Parfois", "Souvent", "Tout le temps"],
         dict(falc_text="Vous sentez-vous seule ou seul ?")),
    ]),
    ("Vos priorités", False, "", [
        ("Q21", T.RANKING, "Parmi ces thèmes, lesquels devraient être prioritaires pour le territoire ? "
                           "Classez-en trois, du plus important (1) au moins important (3).",
         ["L'accès aux médecins et aux soins", "La santé mentale", "La prévention et le dépistage",
          "L'alimentation et l'activité physique", "Le logement et l'environnement", "Le bien vieillir",
          "La santé des jeunes"], dict(min_choices=1, max_choices=3)),
        ("Q22", T.LONG_TEXT, "Qu'est-ce qui améliorerait votre santé ici ?", [],
         dict(max_length=2000, help_text="Ne donnez pas d'information sur la santé d'une personne que l'on pourrait "
                                         "reconnaître, ni de nom.")),
    ]),
    ("Pour mieux vous connaître", False, "Ces questions servent à vérifier que toutes et tous ont été entendus. "
                                          "Vous pouvez répondre « je préfère ne pas répondre ».", [
        ("Q23", T.SINGLE, "Vous êtes…", ["Une femme", "Un homme", "Autre ou non précisé"],
         dict(breakdown_role="sex")),
        ("Q24", T.AGE_BAND, "Votre âge", AGE_BANDS, dict(breakdown_role="age_band")),
        ("Q25", T.SINGLE, "Votre situation actuelle (ou votre dernier métier)",
         ["Agriculteur·rice exploitant·e", "Artisan·e, commerçant·e, chef·fe d'entreprise",
          "Cadre, profession intellectuelle supérieure", "Profession intermédiaire", "Employé·e", "Ouvrier·ère",
          "Retraité·e", "Élève, étudiant·e", "Sans activité professionnelle", "Je préfère ne pas répondre"],
         dict(breakdown_role="occupation",
              falc_options=["Je travaille dans l'agriculture", "J'ai mon entreprise, mon commerce ou mon atelier",
                            "Je suis cadre ou j'ai un métier intellectuel", "J'ai un métier de niveau intermédiaire",
                            "Je suis employée ou employé", "Je suis ouvrière ou ouvrier", "Je suis à la retraite",
                            "Je fais des études", "Je ne travaille pas", ""])),
        ("Q26", T.SINGLE, "Vous vivez…", ["Seul·e", "En couple sans enfant", "En couple avec enfant(s)",
                                         "Seul·e avec enfant(s)", "Autre situation"],
         dict(falc_options=["Seule ou seul", "", "En couple avec un ou des enfants",
                            "Seule ou seul avec un ou des enfants", ""])),
        ("Q27", T.SINGLE, "Financièrement, vous diriez que…",
         ["Vous êtes à l'aise", "Ça va", "C'est juste", "C'est difficile", "Je préfère ne pas répondre"],
         dict(breakdown_role="finances")),
    ]),
]


def _question(code: str, kind: QuestionType, text: str, labels: list[str], extras: dict, position: int) -> Question:
    extras = dict(extras)
    rows = extras.pop("rows", [])
    row_falc = extras.pop("row_falc", [""] * len(rows))
    falc_options = extras.pop("falc_options", [""] * len(labels))
    scores = extras.pop("scores", None)
    other = extras.pop("other", None)
    condition = extras.pop("condition", None)
    options = [Option(code=f"r{i}", label=label, falc_label=falc, position=i, is_row=True)
               for i, (label, falc) in enumerate(zip(rows, row_falc, strict=True), start=1)]
    options += [Option(code=str(i), label=label, falc_label=falc, position=len(rows) + i,
                       score=scores[i - 1] if scores else None)
                for i, (label, falc) in enumerate(zip(labels, falc_options, strict=True), start=1)]
    if other:
        options.append(Option(code="autre", label=other, position=len(options) + 1, is_other=True))
    question = Question(code=code, type=kind, text=text, position=position, options=options, **extras)
    if condition:
        question.condition_code, question.condition_values = condition[0], list(condition[1])
    return question


def build_pages() -> list[SurveyPage]:
    """Fresh, unsaved pages and questions of the template."""
    pages = []
    for position, (title, mental_health, description, questions) in enumerate(PAGES):
        page = SurveyPage(title=title, position=position, mental_health=mental_health, description=description)
        page.questions = [_question(*spec, position=i) for i, spec in enumerate(questions)]
        pages.append(page)
    return pages


def apply_template(survey: Survey) -> None:
    """Fill an empty survey with the template's wording and questions."""
    survey.title = survey.title or TITLE
    survey.introduction, survey.purpose, survey.retention = INTRODUCTION, PURPOSE, RETENTION
    survey.mental_health = True
    survey.pages = build_pages()
    for question in survey.questions:
        question.survey = survey
