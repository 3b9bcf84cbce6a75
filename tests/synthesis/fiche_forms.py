"""What the fiche form posts, filled as a coordinator would (shared by the fiches tests)."""
from __future__ import annotations

from consult.extensions import db
from consult.synthesis.models import Fiche
from tests.conftest import commune_by_code

SLUG = "terres-des-confluences"
PLAN = f"/t/{SLUG}/manage/plan"


def fiche_form(axis, *, token: str = "jeton-unique-1", **changes) -> dict:
    """A complete fiche as the form posts it: two partners, two fundings, an indicator, a step, two communes."""
    data = {
        "form_token": token,
        "title": "Déployer des formations Premiers secours en santé mentale",
        "axis_id": str(axis.id), "objective_id": "0",
        "general_objective": "Améliorer le repérage précoce de la souffrance psychique",
        "specific_objectives-0": "Former 60 habitants et professionnels", "specific_objectives-1": "",
        "context": "Le diagnostic relève une mortalité par suicide supérieure à la moyenne régionale.",
        "description": "Sessions de deux jours animées par un formateur accrédité.",
        "steps-0-id": "", "steps-0-title": "Recruter un formateur accrédité", "steps-0-due_on": "2025-03-31",
        "steps-1-id": "", "steps-1-title": "", "steps-1-due_on": "",
        "partners-0-role": "lead", "partners-0-organisation": "CC Terres des Confluences",
        "partners-0-contact": "Coordinatrice CLS, 05 63 00 00 00",
        "partners-1-role": "funder", "partners-1-organisation": "ARS Occitanie", "partners-1-contact": "",
        "elected_referent": "Vice-présidente déléguée à la santé",
        "publics": ["young_people", "parents"], "publics_detail": "Lycéens de Moissac et leurs parents",
        "scope": "communes",
        "commune_ids": [str(commune_by_code("82112").id), str(commune_by_code("82033").id)],
        "starts_on": "2025-01-01", "ends_on": "2026-12-31", "calendar": "Une session par trimestre",
        "means": "Un formateur, une salle par commune",
        "fundings-0-funder": "ARS Occitanie (FIR)", "fundings-0-kind": "operating", "fundings-0-amount": "6000",
        "fundings-0-year": "2025",
        "fundings-1-funder": "CC Terres des Confluences", "fundings-1-kind": "investment",
        "fundings-1-amount": "3000", "fundings-1-year": "",
        "indicators-0-id": "", "indicators-0-kind": "process", "indicators-0-name": "Nombre de sessions organisées",
        "indicators-0-target": "6", "indicators-0-unit": "sessions", "indicators-0-source": "Feuilles d'émargement",
        "indicators-0-frequency": "Annuelle",
        "expected_results": "60 personnes formées en deux ans",
        "participation_level": "consultation", "participation_detail": "Questionnaire aux lycéens",
        "programme_links": "PRS Occitanie 2023-2028, santé mentale", "priority": "high",
        "governance_body_id": "0", "avenant_id": "0", "save": "1",
    }
    data.update(changes)
    return data


def fiches() -> list[Fiche]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Fiche).order_by(Fiche.id)))
