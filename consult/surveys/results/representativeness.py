"""Representativeness: respondents per commune against the population."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


from consult.surveys.models import Question, Survey
from consult.territories.models import Commune
from consult.surveys.results.data import T, SurveyData, load


# --- representativeness --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CommuneShare:
    """Who has been heard in one commune, against its population."""

    commune: Commune
    respondents: int
    per_thousand: float             # responses per 1,000 inhabitants
    response_share: float           # of the respondents who gave a commune
    population_share: float         # of the territory's population
    status: str                     # "none" (no response), "under" (rate below half the overall), "ok"


@dataclass(frozen=True)
class Representativeness:
    question: Question | None       # the survey's commune question (None: nothing to compare)
    communes: list[CommuneShare]
    respondents: int                # who gave a commune of the territory
    without_commune: int            # responses without one
    population: int
    per_thousand: float             # the territory's overall rate

    @property
    def unheard(self) -> list[CommuneShare]:
        return [c for c in self.communes if c.status != "ok"]


UNDER_REPRESENTED_RATIO = 0.5


def representativeness(survey: Survey, data: SurveyData | None = None) -> Representativeness:
    """Respondents per commune against each commune's population: rate per 1,000 inhabitants, share of
    responses vs share of population; a commune is flagged when nobody answered, or when its rate is
    below half the territory's overall rate."""
    data = data or load(survey)
    question = next((q for q in survey.questions if q.type is T.COMMUNE), None)
    communes = data.communes
    per_code = Counter(data.tally.texts.get(question.id, {})) if question else Counter()
    known = {c.insee_code for c in communes}
    respondents = sum(n for code, n in per_code.items() if code in known)
    population = sum(c.population for c in communes)
    overall = 1000 * respondents / population if population else 0.0
    shares = []
    for commune in sorted(communes, key=lambda c: (-c.population, c.name)):
        count = per_code.get(commune.insee_code, 0)
        rate = 1000 * count / commune.population if commune.population else 0.0
        if count == 0:
            status = "none"
        elif rate < UNDER_REPRESENTED_RATIO * overall:
            status = "under"
        else:
            status = "ok"
        shares.append(CommuneShare(commune, count, rate, count / respondents if respondents else 0.0,
                                   commune.population / population if population else 0.0, status))
    return Representativeness(question, shares, respondents, data.total - respondents, population, overall)
