"""Demo data: the template survey, open, with a few hundred plausible responses (deterministic)."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from consult.extensions import db
from consult.surveys import services
from consult.surveys.building import builder
from consult.surveys.releases.services import freeze_release, latest_release
from consult.surveys.models import Channel, Survey, SurveyStatus
from consult.surveys.building.template import TITLE
from consult.territories.models import Commune, Territory

# How likely each commune is to answer, relative to its population: the small rural communes of
# the south answer less, so the representativeness table has something to show.
UNDER_HEARD = {"82058", "82046", "82118", "82081", "82156", "82003"}
CHANNELS = [(Channel.WEB, 70), (Channel.PAPER, 20), (Channel.PHONE, 4), (Channel.WORKSHOP, 6)]
IDEAS = [
    "Un médecin qui prenne de nouveaux patients à Castelsarrasin.",
    "Des navettes vers l'hôpital de Moissac pour les personnes sans voiture.",
    "Plus d'activités sportives gratuites pour les jeunes le mercredi.",
    "Un lieu d'écoute pour les aidants, près de chez nous.",
    "Des ateliers cuisine à petit prix au centre social.",
    "Des horaires de consultation le soir pour ceux qui travaillent.",
    "Un dentiste ! Il faut attendre six mois.",
    "Des pistes cyclables entre les villages.",
    "Une permanence de psychologue gratuite.",
    "Mieux informer sur les dépistages, on ne sait pas à qui s'adresser.",
]


def _pick(rng: random.Random, weighted: list[tuple[object, float]]):
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _answers(rng: random.Random, communes: list[Commune]) -> dict:
    weights = [(c.insee_code, c.population * (0.25 if c.insee_code in UNDER_HEARD else 1)) for c in communes]
    age = _pick(rng, [("1", 12), ("2", 20), ("3", 24), ("4", 27), ("5", 12), ("6", 5)])
    older = age in ("4", "5")
    data: dict = {
        "Q1": _pick(rng, weights),
        "Q2": _pick(rng, [("1", 14), ("2", 38), ("3", 30), ("4", 13 + 6 * older), ("5", 5)]),
        "Q3": _pick(rng, [("1", 30 + 25 * older), ("2", 70)]),
        "Q4": _pick(rng, [("1", 8), ("2", 20), ("3", 72)]),
        "Q5": _pick(rng, [("1", 84), ("2", 13), ("3", 3)]),
        "Q6": _pick(rng, [("1", 30), ("2", 38), ("3", 18), ("4", 10), ("5", 4)]),
        "Q7": _pick(rng, [("1", 31), ("2", 69)]),
        "Q13": _pick(rng, [("1", 30), ("2", 40), ("3", 22), ("4", 8)]),
        "Q16": rng.choice([3, 4, 5, 5, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 9, 10]),
        "Q17": rng.choice([0, 0, 1, 2, 2, 3, 3, 4, 5, 7]),
        "Q19": _pick(rng, [("1", 62), ("2", 38)]),
        "Q20": _pick(rng, [("1", 25), ("2", 30), ("3", 28), ("4", 13), ("5", 4)]),
        "Q23": _pick(rng, [("1", 61), ("2", 36), ("3", 3)]),
        "Q24": age,
        "Q25": "7" if older and rng.random() < 0.8 else _pick(rng, [(str(i), w) for i, w in
                                                                   enumerate([3, 6, 8, 14, 22, 12, 0, 8, 12, 5], 1)]),
        "Q26": _pick(rng, [("1", 28), ("2", 30), ("3", 27), ("4", 9), ("5", 6)]),
        "Q27": _pick(rng, [("1", 12), ("2", 41), ("3", 29), ("4", 13), ("5", 5)]),
    }
    if data["Q7"] == "1":
        reasons = rng.sample(["1", "2", "3", "4", "5", "6"], k=rng.choice([1, 1, 2, 2, 3]))
        data["Q8"] = reasons
        if rng.random() < 0.1:
            data["Q8"] = reasons + ["autre"]
            data["Q8.other"] = rng.choice(["Pas de garde pour mes enfants", "Peur des examens", "Trop de papiers"])
    data["Q9"] = {f"r{i}": _pick(rng, [("1", 20), ("2", 30), ("3", 25), ("4", 15 + 10 * (i in (2, 3, 5))), ("5", 10)])
                  for i in range(1, 6)}
    data["Q12"] = rng.sample(["1", "2", "3", "4", "5", "6"], k=rng.choice([1, 1, 1, 2]))
    data["Q14"] = rng.sample(["1", "2", "3", "4", "5", "6", "7", "8"], k=rng.choice([1, 2, 3]))
    data["Q15"] = [_pick(rng, [("1", 15), ("2", 20), ("3", 10), ("4", 8), ("5", 47)])]
    mood = rng.gauss(3.0 - 0.6 * (data["Q27"] == "4"), 1.1)
    data["Q18"] = {f"r{i}": str(min(6, max(1, round(6 - mood + rng.gauss(0, 0.7))))) for i in range(1, 6)}
    data["Q21"] = rng.sample(["1", "2", "3", "4", "5", "6", "7"], k=3)
    if rng.random() < 0.35:
        data["Q22"] = rng.choice(IDEAS)
    return data


def seed_survey(territory: Territory, operator, *, count: int = 320, today: dt.date | None = None) -> Survey | None:
    """Create the template survey on `territory`, open it and add `count` responses, unless it exists."""
    exists = db.session.scalar(select(Survey.id).where(Survey.territory_id == territory.id, Survey.title == TITLE))
    if exists:
        return None
    survey = builder.create_survey(operator, territory, builder.SurveyData(title=TITLE), from_template=True)
    survey.status = SurveyStatus.OPEN
    db.session.flush()
    communes = list(db.session.scalars(select(Commune).where(Commune.territory_id == territory.id)))
    rng = random.Random(f"consult-demo-{territory.slug}")
    today = today or dt.date.today()
    for number in range(count):
        # Answers trickle in over eight weeks, more at the start (the launch) and at the reminder.
        days_ago = min(55, int(rng.expovariate(1 / 14))) if rng.random() < 0.8 else rng.randint(20, 27)
        when = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(12))
        data = _answers(rng, communes)
        channel = _pick(rng, CHANNELS)
        if channel is Channel.WEB:
            services.submit_response(survey, data, browser_secret=f"demo-{number}", now=when)
        else:
            services.key_in_response(operator, survey, data, channel=channel, entry_id=f"demo-{number}", now=when)
    db.session.flush()
    return survey


def publish_demo_results(territory: Territory, *, now: dt.datetime) -> bool:
    """Make and publish a first release of the demo survey's results, unless it has one (what `make run`
    shows: the public results page and the observers' view). Returns whether a release was made."""
    survey = db.session.scalar(select(Survey).where(Survey.territory_id == territory.id, Survey.title == TITLE))
    if survey is None or latest_release(survey) is not None:
        return False
    freeze_release(survey, now=now)
    survey.results_published_at = now
    db.session.flush()
    return True
