"""Words of the volume data: territories, communes, people, proposals and comments that read like the real ones.

Commune names are built from stems and endings found in the South-West's place names; INSEE codes start with a
real département number and are unique within a territory (never checked against the real code list: a volume
territory is not a real one).
"""
from __future__ import annotations

import random
import unicodedata

# (name of the territory, its département, the ending its communes often carry)
COUNTRIES = [
    ("Pays de Lomagne", "32", "-en-Lomagne"), ("Quercy Vert", "82", "-en-Quercy"),
    ("Val de Garonne", "47", "-sur-Garonne"), ("Coteaux du Lot", "46", "-sur-Lot"),
    ("Causses et Vallées", "12", "-sur-Aveyron"), ("Haut Languedoc", "81", "-du-Languedoc"),
    ("Bastides du Rouergue", "12", "-de-Rouergue"), ("Vallée du Tarn", "81", "-sur-Tarn"),
    ("Gascogne toulousaine", "31", "-de-Gascogne"), ("Cœur d'Armagnac", "32", "-d'Armagnac"),
    ("Landes d'Albret", "40", "-d'Albret"), ("Périgord vert", "24", "-en-Périgord"),
    ("Pays de Serres", "47", "-de-Serres"), ("Montagne noire", "11", "-de-la-Montagne"),
    ("Comminges", "31", "-de-Comminges"), ("Pays d'Orthe", "40", "-d'Orthe"),
    ("Astarac", "32", "-d'Astarac"), ("Bas Quercy", "82", "-de-Quercy"),
]
STEMS = [
    "Montbrun", "Castelnau", "Beaumont", "Villeneuve", "Saint-Martin", "Saint-Jean", "Lacourt", "Puylaroque",
    "Roquefort", "Fontanes", "Belmont", "Montaigut", "Saint-Paul", "Larrazet", "Auterive", "Lafitte", "Malause",
    "Sainte-Foy", "Labastide", "Montesquieu", "Saint-Sardos", "Cazals", "Lavit", "Mirabel", "Monclar", "Caylus",
    "Saint-Antonin", "Verfeil", "Bourret", "Escatalens", "Lamothe", "Saint-Porquier", "Angeville", "Castelferrus",
    "Cordes", "Penne", "Bruniquel", "Vaour", "Salvagnac", "Puycelsi", "Sainte-Livrade", "Aubiac", "Laplume",
    "Montréal", "Fourcès", "Larressingle", "Saint-Clar", "Mauvezin", "Cologne", "Sarrant", "Solomiac", "Gimont",
    "Mazères", "Cazères", "Saint-Élix", "Aurignac", "Boulogne", "Saint-Béat", "Castillon", "Lectoure",
]
PRESENTATION = (
    "La communauté de communes porte un contrat local de santé signé avec l'Agence régionale de santé. "
    "Il rassemble les communes, les professionnels de santé et les associations autour d'un plan d'actions.\n\n"
    "Les habitantes et les habitants donnent leur avis dans les questionnaires, proposent des actions et "
    "participent aux groupes de travail."
)
# Axes of a contract and their objectives: what CLS of the region write (four drawn per territory).
AXES = [
    ("Accès aux soins et aux droits", ["Faciliter l'installation de nouveaux professionnels de santé",
                                        "Organiser le transport vers les consultations",
                                        "Aider à ouvrir ses droits à l'assurance maladie"]),
    ("Prévention et promotion de la santé", ["Améliorer le recours aux dépistages des cancers",
                                             "Encourager une activité physique régulière",
                                             "Prévenir les addictions chez les jeunes"]),
    ("Santé mentale", ["Mieux repérer et orienter les personnes en souffrance psychique",
                       "Former les acteurs aux premiers secours en santé mentale"]),
    ("Bien vieillir", ["Prévenir les chutes et la perte d'autonomie", "Soutenir les aidants"]),
    ("Santé environnementale", ["Agir sur l'habitat indigne et la précarité énergétique",
                                "Promouvoir une alimentation de qualité et locale"]),
    ("Santé des jeunes et des familles", ["Accompagner la parentalité", "Développer l'éducation à la santé"]),
]
PARTNERS = ["Caisse primaire d'assurance maladie", "Conseil départemental", "Mutualité sociale agricole",
            "Communauté professionnelle territoriale de santé (CPTS)", "Centre hospitalier de proximité",
            "Caisse d'allocations familiales", "Dispositif d'appui à la coordination (DAC)"]

FIRST_NAMES = [
    "Martine", "Karim", "Sylvie", "Jean-Pierre", "Hélène", "Anne", "Thomas", "Nadia", "Pascale", "Laurent",
    "Chantal", "Yannick", "Amandine", "Gérard", "Sophie", "Élise", "Mohamed", "Claudine", "Patrick", "Inès",
    "Bernard", "Julie", "Rachid", "Odile", "Louise", "Hugo", "Camille", "Léa", "Nathalie", "Christophe",
    "Isabelle", "Philippe", "Fatima", "Mathieu", "Céline", "Joël", "Monique", "Kevin", "Sandrine", "Aurélien",
    "Françoise", "Éric", "Marie-Claude", "Sébastien", "Zoé", "Nicolas", "Aïcha", "Romain", "Brigitte", "Lucas",
]
LAST_NAMES = [
    "Delpech", "Benali", "Carrère", "Lafon", "Fabre", "Roques", "Garrigues", "Ouali", "Vidal", "Bessières",
    "Mouysset", "Teulières", "Rivière", "Pouget", "Lacombe", "Castan", "Haddad", "Bories", "Soulié", "Marty",
    "Calvet", "Ferrié", "Amrani", "Barrau", "Lagarde", "Puech", "Cabrol", "Delmas", "Couderc", "Bouyssou",
    "Labarthe", "Sabatier", "Vergnes", "Lamothe", "Cassagne", "Dupuy", "N'Diaye", "Nguyen", "Garcia", "Martinez",
    "Lopez", "Dos Santos", "Moreau", "Laurent", "Bonnet", "Faure", "Mercier", "Blanc", "Guerin", "Rouquette",
]
STRUCTURES = {
    "elected": ["Mairie de {commune}", "Conseil municipal de {commune}"],
    "health_professional": ["Maison de santé de {commune}", "Pharmacie de {commune}", "Infirmière libérale",
                            "Cabinet de kinésithérapie de {commune}"],
    "social_professional": ["CCAS de {commune}", "Centre social de {commune}", "Mission locale"],
    "institution": ["Caisse primaire d'assurance maladie", "Conseil départemental", "ARS, délégation départementale"],
    "association": ["Club des aînés de {commune}", "Familles rurales", "Association des aidants",
                    "Comité des fêtes de {commune}"],
}

# Proposals: what, for whom; their descriptions.
ACTIONS = [
    ("Une navette vers les consultations", "Beaucoup de personnes n'ont plus de voiture. Une navette réservée la "
     "veille les mènerait chez le médecin et à l'hôpital."),
    ("Un annuaire des professionnels de santé", "Savoir qui prend de nouveaux patients, avec les horaires et "
     "l'accessibilité, sur papier en mairie et en ligne."),
    ("Des permanences de la CPAM en mairie", "Une demi-journée par mois pour ouvrir ses droits sans faire une "
     "heure de route."),
    ("Des ateliers d'équilibre", "Une séance par semaine animée par un kinésithérapeute pour prévenir les chutes."),
    ("Un café des aidants", "Un moment pour souffler et s'informer, avec une garde de la personne aidée."),
    ("Des ateliers cuisine à petit prix", "Cuisiner de saison avec peu de moyens, avec une diététicienne."),
    ("Un jardin partagé", "Pour bouger, manger mieux et rencontrer ses voisins."),
    ("Du sport sur ordonnance", "Des créneaux encadrés pour les personnes atteintes de maladies chroniques."),
    ("Une permanence de psychologue gratuite", "Une fois par semaine à la maison France services, sans avance "
     "de frais."),
    ("Un point écoute", "Un lieu anonyme et gratuit pour parler de ce qui ne va pas."),
    ("Un bus de dépistage", "Un bus qui passe dans les petites communes pour les dépistages des cancers et du "
     "diabète."),
    ("Des consultations le soir", "Une maison de santé ouverte jusqu'à 20 heures deux fois par semaine."),
    ("Un référent santé en mairie", "Une personne qui sait vers qui orienter les habitants."),
    ("Des cours de natation gratuits", "Apprendre à nager avant l'entrée au collège."),
    ("Des groupes de parole", "Parler des écrans, du sommeil et de l'adolescence avec une professionnelle."),
    ("Des visites de bénévoles", "Un appel par semaine et une visite par mois pour rompre l'isolement."),
    ("Du covoiturage vers les soins", "Mettre en relation voisins et patients pour les trajets."),
    ("Un logement pour les internes", "Un logement à prix réduit pour donner envie aux jeunes médecins de "
     "s'installer."),
    ("Des pistes cyclables entre les villages", "Aller à l'école et au travail à vélo en sécurité."),
    ("Des distributeurs de protections périodiques", "Gratuits, au collège, au lycée et à la maison France "
     "services."),
]
AUDIENCES = [("pour les aînés", "elderly"), ("pour les jeunes", "young"), ("pour les familles", "families"),
             ("pour les aidants", "carers"), ("pour tous les habitants", "everyone"),
             ("pour les personnes sans voiture", "precarity"), ("pour les enfants", "children"),
             ("pour les personnes en situation de handicap", "disability")]
COMMENTS = [
    "Très bonne idée, ma mère ne peut plus conduire depuis l'an dernier.",
    "Il faudrait penser aussi aux horaires du marché.",
    "Oui ! Et en lien avec la communauté professionnelle de santé.",
    "Cela existe déjà dans la commune voisine, il faudrait s'en inspirer.",
    "Je suis prête à donner un coup de main bénévolement.",
    "Attention au coût pour les petites communes.",
    "Bravo, c'est exactement ce qui manque ici.",
    "Et pour les personnes qui ne lisent pas bien le français ?",
    "Il faudrait que ce soit accessible en fauteuil.",
    "Pourquoi pas, mais qui va l'animer ?",
]
REPLIES = ["Merci, nous en parlerons au groupe de travail.", "Tout à fait d'accord.",
           "La mairie pourrait prêter une salle.", "Bonne remarque, je n'y avais pas pensé."]
# Free answers to a survey's open questions.
IDEAS = [
    "Un médecin qui prenne de nouveaux patients près de chez moi.",
    "Des navettes vers l'hôpital pour les personnes sans voiture.",
    "Plus d'activités sportives gratuites pour les jeunes le mercredi.",
    "Un lieu d'écoute pour les aidants, près de chez nous.",
    "Des ateliers cuisine à petit prix au centre social.",
    "Des horaires de consultation le soir pour ceux qui travaillent.",
    "Un dentiste ! Il faut attendre six mois.",
    "Des pistes cyclables entre les villages.",
    "Une permanence de psychologue gratuite.",
    "Mieux informer sur les dépistages, on ne sait pas à qui s'adresser.",
    "Moins de pesticides près des écoles.",
    "Une maison de santé avec plusieurs médecins.",
    "Des bancs et de l'ombre sur le chemin du marché.",
    "Qu'on nous explique mieux nos droits à la complémentaire santé.",
]
OTHER_TEXTS = ["Pas de garde pour mes enfants", "Peur des examens", "Trop de papiers", "Mon voisin m'emmène",
               "Je ne sais pas", "Les horaires ne vont pas"]
PLACES = [("Salle des fêtes de {commune}", "Place de la mairie, {commune}",
           "Salle de plain-pied, places de stationnement réservées devant l'entrée."),
          ("Maison France services de {commune}", "Rue de la République, {commune}",
           "Accès par rampe, toilettes adaptées, boucle magnétique."),
          ("Médiathèque de {commune}", "Allée des Tilleuls, {commune}", "Ascenseur, toilettes adaptées.")]


def slugify(text: str) -> str:
    """A territory's address word: lower case, accents and punctuation gone, words joined by dashes."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def communes(rng: random.Random, department: str, ending: str, count: int) -> list[tuple[str, str, int]]:
    """`count` communes (INSEE code, name, population): one town of a few thousand people, villages around."""
    codes = rng.sample(range(1, 999), count)
    names: list[str] = []
    for stem in rng.sample(STEMS, min(count, len(STEMS))) + [f"{s}-le-Haut" for s in STEMS][:max(0, count - len(STEMS))]:
        names.append(stem + (ending if rng.random() < 0.3 else ""))
    result = []
    for n, (code, name) in enumerate(zip(codes, names)):
        population = rng.randint(6000, 16000) if n == 0 else int(min(4000, rng.paretovariate(1.3) * 180))
        result.append((f"{department}{code:03d}", name, population))
    return result


def person(rng: random.Random) -> tuple[str, str]:
    """(first name, last name)."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
