"""A survey with one question of every type, on the Terres des Confluences territory, and the same survey answered."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.surveys import services
from consult.surveys.models import Channel, Option, Question, QuestionType, Survey, SurveyMode, SurveyPage, SurveyStatus
from consult.surveys.results.models import ResultTally
from tests.conftest import NOW

T = QuestionType


def options(*labels: str, other: str | None = None, scores: list[float] | None = None) -> list[Option]:
    """Options coded 1, 2, 3… (and "other" last, with is_other)."""
    made = [Option(code=str(i), label=label, position=i, score=scores[i - 1] if scores else None)
            for i, label in enumerate(labels, start=1)]
    if other:
        made.append(Option(code="autre", label=other, position=len(made) + 1, is_other=True))
    return made


def rows(*labels: str) -> list[Option]:
    return [Option(code=f"r{i}", label=label, position=i, is_row=True) for i, label in enumerate(labels, start=1)]


@pytest.fixture
def make_survey(app, territory):
    """Build a survey on `territory`; by default open, anonymous, with the questions below."""

    def factory(*, status=SurveyStatus.OPEN, mode=SurveyMode.ANONYMOUS, title="Votre santé à Terres des Confluences",
                access_codes=False, mental_health=False, opens_at=None, closes_at=None, pages=None) -> Survey:
        survey = Survey(territory=territory, title=title, status=status, mode=mode,
                        introduction="Ce questionnaire **anonyme** prend dix minutes.",
                        purpose="Préparer le diagnostic local de santé.", retention="18 mois, puis agrégé.",
                        access_codes_required=access_codes, mental_health=mental_health,
                        opens_at=opens_at, closes_at=closes_at)
        survey.pages = pages if pages is not None else default_pages()
        for page in survey.pages:
            for question in page.questions:
                question.survey = survey
        db.session.add(survey)
        db.session.commit()
        return survey

    return factory


def default_pages() -> list[SurveyPage]:
    """Page 1: where and how; page 2 (only for those who forwent care): why; page 3: about you."""
    first = SurveyPage(position=0, title="Votre commune et votre santé", questions=[
        Question(code="Q1", position=0, type=T.COMMUNE, text="Dans quelle commune habitez-vous ?", required=True),
        Question(code="Q2", position=1, type=T.LIKERT, text="Comment est votre état de santé en général ?",
                 falc_text="Vous sentez-vous en bonne santé ?", required=True,
                 options=options("Très bon", "Bon", "Assez bon", "Mauvais", "Très mauvais")),
        Question(code="Q3", position=2, type=T.YES_NO, text="Avez-vous renoncé à des soins depuis un an ?",
                 required=True, options=options("Oui", "Non")),
        Question(code="Q4", position=3, type=T.MULTIPLE, text="Pour quelles raisons ?", max_choices=3,
                 condition_code="Q3", condition_values=["1"],
                 options=options("Le coût", "La distance", "Les délais d'attente", other="Autre raison")),
        Question(code="Q5", position=4, type=T.RATING, text="Votre qualité de vie, de 0 à 10 ?",
                 low_label="Très mauvaise", high_label="Excellente"),
        Question(code="Q6", position=5, type=T.NUMBER, text="Combien de minutes pour aller chez votre médecin ?",
                 min_value=0, max_value=300),
    ])
    second = SurveyPage(position=1, title="Votre bien-être", questions=[
        Question(code="Q7", position=0, type=T.MATRIX, text="Au cours des deux dernières semaines…", scored=True,
                 score_multiplier=4, score_cutoff=50, score_cutoff_label="Bien-être faible",
                 options=rows("Je me suis senti·e bien et de bonne humeur", "Je me suis senti·e calme et tranquille")
                 + options("Jamais", "De temps en temps", "Tout le temps", scores=[0, 1, 2])),
        Question(code="Q8", position=1, type=T.RANKING, text="Classez ces thèmes par priorité", max_choices=3,
                 options=options("Accès aux soins", "Santé mentale", "Alimentation", "Logement")),
        Question(code="Q9", position=2, type=T.SHORT_TEXT, text="Votre métier ?"),
        Question(code="Q10", position=3, type=T.LONG_TEXT, text="Qu'est-ce qui améliorerait votre santé ici ?"),
    ])
    third = SurveyPage(position=2, title="Vous", questions=[
        Question(code="Q11", position=0, type=T.AGE_BAND, text="Votre âge", breakdown_role="age_band",
                 options=options("15-29 ans", "30-44 ans", "45-59 ans", "60-74 ans", "75 ans ou plus",
                                 "Je préfère ne pas répondre")),
        Question(code="Q12", position=1, type=T.SINGLE, text="Vous êtes", breakdown_role="sex",
                 options=options("Une femme", "Un homme", "Autre ou non précisé")),
        Question(code="Q13", position=2, type=T.DATE, text="Date de votre dernière consultation"),
    ])
    return [first, second, third]


# Answers that pass validation for the default survey (data dict keyed by question code).
VALID_ANSWERS = {
    "Q1": "82112", "Q2": "2", "Q3": "1", "Q4": ["1", "autre"], "Q4.other": "Pas de médecin disponible",
    "Q5": 7, "Q6": 25, "Q7": {"r1": "2", "r2": "3"}, "Q8": ["2", "1", "3"], "Q9": "Agricultrice",
    "Q10": "Un bus vers l'hôpital de Moissac", "Q11": "3", "Q12": "1", "Q13": "2026-10-02",
}


@pytest.fixture
def survey(make_survey):
    return make_survey()


# Answers of the second web response: another commune, no reason given, formula-like texts.
SECOND = {
    "Q1": None,  # set to another commune of the territory by `answered`
    "Q2": "4", "Q3": "2", "Q5": 0, "Q6": 12.5, "Q7": {"r1": "1"}, "Q8": ["4"],
    "Q9": "+33 6 12 34 56 78", "Q10": '=HYPERLINK("http://x")', "Q11": "6", "Q12": "2",
}
# A paper questionnaire keyed in by the coordinator.
PAPER = {
    "Q1": "82112", "Q2": "2", "Q3": "1", "Q4": ["3"], "Q7": {"r1": "3", "r2": "3"}, "Q9": "-",
    "Q10": "@SUM(A1)", "Q12": "1",
}


def other_commune(survey) -> str:
    return next(code for code in services.commune_choices(survey) if code != "82112")


@pytest.fixture
def answered(survey, coordinator):
    """The default survey with two web responses and one keyed-in paper questionnaire."""
    services.submit_response(survey, VALID_ANSWERS, browser_secret="premier", now=NOW)
    services.submit_response(survey, {**SECOND, "Q1": other_commune(survey)}, browser_secret="second", now=NOW)
    services.key_in_response(coordinator, survey, PAPER, channel=Channel.PAPER, entry_id="fiche-1", now=NOW)
    db.session.commit()
    return survey


# --- releases: the same answers give the same release -----------------------------------------------------

_RELEASES: dict = {}


def stored_counts(survey_id: int) -> tuple:
    """The survey's counts as stored by the tally the release was built from (a Tally keeps only its indexes)."""
    counts = db.session.execute(select(ResultTally.counts).where(ResultTally.survey_id == survey_id)).scalar_one()
    return tuple(sorted((tuple(row) for row in counts), key=repr))


@pytest.fixture(autouse=True)
def same_answers_same_release(monkeypatch):
    """Many tests release the same fixture answers (30 responses, k = 11) again and again: `build` is a pure
    function of the survey's questionnaire, answers and k, so each distinct input is built once per worker.
    Tests of the build itself call it directly and are not affected."""
    from consult.surveys.releases import build as building
    from consult.surveys.releases import services as releasing

    def built_once(data, k, **options):
        if options:
            return building.build(data, k, **options)
        survey = data.survey
        key = (k, survey.id, tuple((q.id, q.code, q.text, q.type, tuple((o.id, o.code, o.label) for o in q.options))
                                   for q in survey.questions),
               tuple(sorted(data.tally.responses)), stored_counts(survey.id))
        if key not in _RELEASES:
            _RELEASES[key] = building.build(data, k)
        return _RELEASES[key]

    monkeypatch.setattr(releasing, "build", built_once)
