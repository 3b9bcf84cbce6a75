"""The columns of an action plan spreadsheet (French and English headers, other names they go by), the words
each cell may hold, and how a cell is read (text, lines, items, numbers, dates)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import get_locale

from consult.core.text import fold
from consult.synthesis.models import (
    FicheStatus,
    FundingKind,
    IndicatorKind,
    ParticipationLevel,
    Priority,
    TargetPublic,
)
from consult.synthesis.plan_io.sheets import Cell

@dataclass(frozen=True)
class Column:
    """A column of the file: its key, its French and English headers, the other names it is known by."""

    key: str
    fr: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def label(self) -> str:
        return self.en if str(get_locale() or "fr").startswith("en") else self.fr


COLUMNS = (
    Column("axis", "Axe", "Axis", ("axe strategique", "strategic axis"), required=True),
    Column("objective", "Objectif", "Objective", ("objectif strategique", "strategic objective")),
    Column("number", "Numéro", "Number", ("n", "no", "numero de la fiche", "numero de fiche", "fiche")),
    Column("title", "Intitulé", "Title", ("intitule de l action", "titre", "action", "nom", "name"),
           required=True),
    Column("general_objective", "Objectif général", "General objective"),
    Column("specific_objectives", "Objectifs opérationnels", "Operational objectives",
           ("objectifs specifiques", "objectifs specifiques operationnels", "specific objectives")),
    Column("context", "Contexte", "Context", ("constats", "contexte constats", "findings")),
    Column("description", "Description", "Description", ("modalites de mise en oeuvre",)),
    Column("lead", "Porteur", "Lead organisation", ("pilote", "porteur de l action", "lead", "pilot")),
    Column("lead_contact", "Contact porteur", "Lead contact", ("contact", "contact du porteur")),
    Column("partners", "Partenaires", "Partners"),
    Column("funders", "Financeurs", "Funders", ("financements", "budget", "funding", "fundings")),
    Column("indicators", "Indicateurs", "Indicators", ("indicateurs d evaluation",)),
    Column("indicator_values", "Valeurs des indicateurs", "Indicator values", ("valeurs", "values")),
    Column("publics", "Public cible", "Target publics", ("publics", "public", "cibles", "publics cibles",
                                                         "target public")),
    Column("communes", "Communes", "Communes", ("territoire", "territoire d intervention", "territory")),
    Column("starts_on", "Début", "Start", ("date de debut", "start date", "debut de l action")),
    Column("ends_on", "Fin", "End", ("date de fin", "end date", "fin de l action")),
    Column("status", "Statut", "Status", ("etat",)),
    Column("priority", "Priorité", "Priority", ("niveau de priorite",)),
    Column("participation", "Participation des habitants", "Residents' participation",
           ("participation citoyenne", "participation", "residents participation")),
    Column("elected_referent", "Élu référent", "Elected referent", ("elu e referent e", "elue referente",
                                                                    "elu referent")),
    Column("means", "Moyens", "Means", ("moyens humains et techniques", "human and technical means")),
    Column("expected_results", "Résultats attendus", "Expected results", ("effets attendus",)),
)
BY_KEY = {c.key: c for c in COLUMNS}

STATUSES = {
    FicheStatus.DRAFT: ("brouillon", "draft", "en projet", "en reflexion"),
    FicheStatus.GROUP_VALIDATED: ("validee par le groupe de travail", "valide par le groupe de travail",
                                  "validee groupe de travail", "group validated",
                                  "validated by the working group"),
    # « À venir » (Territoires en Transitions): in a signed plan, not started yet.
    FicheStatus.COPIL_VALIDATED: ("validee par le copil", "valide par le copil", "validee par le comite de pilotage",
                                  "validee", "valide", "a venir", "copil validated",
                                  "validated by the steering committee"),
    FicheStatus.IN_PROGRESS: ("en cours", "in progress", "en retard", "bloque", "bloquee"),
    FicheStatus.DONE: ("realisee", "realise", "terminee", "termine", "achevee", "acheve", "done", "completed"),
    FicheStatus.POSTPONED: ("reportee", "reporte", "en pause", "postponed", "on hold"),
    FicheStatus.ABANDONED: ("abandonnee", "abandonne", "abandoned"),
}
PRIORITIES = {
    Priority.HIGH: ("elevee", "eleve", "haute", "forte", "prioritaire", "high"),
    Priority.MEDIUM: ("moyenne", "moyen", "normale", "medium"),
    Priority.LOW: ("faible", "basse", "bas", "low"),
}
PARTICIPATION = {
    ParticipationLevel.NONE: ("aucune", "aucun", "none", "pas de participation", "no participation"),
    ParticipationLevel.INFORMATION: ("information",),
    ParticipationLevel.CONSULTATION: ("consultation",),
    ParticipationLevel.CONCERTATION: ("concertation",),
    ParticipationLevel.CO_CONSTRUCTION: ("co construction", "coconstruction"),
}
PUBLICS = {
    TargetPublic.EVERYONE: ("tout public", "tous publics", "tous", "grand public", "habitants", "everyone"),
    TargetPublic.CHILDREN: ("enfants", "children"),
    TargetPublic.YOUNG_PEOPLE: ("jeunes", "jeunes 12 25 ans", "adolescents", "young people", "young people 12 25"),
    TargetPublic.PARENTS: ("parents", "familles", "families"),
    TargetPublic.OLDER_PEOPLE: ("personnes agees", "aines", "seniors", "older people"),
    TargetPublic.PRECARIOUS: ("personnes en situation de precarite", "precarite", "personnes precaires",
                              "people in precarious situations"),
    TargetPublic.DISABLED: ("personnes en situation de handicap", "handicap", "people with disabilities"),
    TargetPublic.CARERS: ("aidants", "proches aidants", "carers"),
    TargetPublic.HEALTH_PROFESSIONALS: ("professionnels de sante", "health professionals"),
    TargetPublic.SOCIAL_PROFESSIONALS: ("professionnels du social et du medico social", "travailleurs sociaux",
                                        "professionnels du social", "social and medico social professionals"),
    TargetPublic.ELECTED: ("elus", "elus locaux", "elected officials"),
    TargetPublic.VOLUNTEERS: ("benevoles", "benevoles associatifs", "volunteers of associations", "volunteers"),
}
INDICATOR_KINDS = {
    IndicatorKind.PROCESS: ("processus", "process", "realisation", "suivi"),
    IndicatorKind.RESULT: ("resultat", "resultats", "result", "results"),
    IndicatorKind.IMPACT: ("impact", "impacts"),
}
FUNDING_KINDS = {
    FundingKind.OPERATING: ("fonctionnement", "operating"),
    FundingKind.INVESTMENT: ("investissement", "investment"),
}
WHOLE_TERRITORY = ("tout le territoire", "ensemble du territoire", "toutes les communes", "tout le territoire du cls",
                   "whole territory", "all communes")
MAX_AMOUNT = 1_000_000_000
MAX_FIGURE = 1e12
# Text columns and their lengths in the database (None: long text).
TEXTS = {"title": 250, "general_objective": None, "context": None, "description": None, "lead": 200,
         "lead_contact": 300, "elected_referent": 200, "means": None, "expected_results": None}


def key(text) -> str:
    """A header or a word as compared: folded, punctuation as spaces, spaces collapsed."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(str(text))).split())


def lookup(table: dict) -> dict[str, object]:
    found = {}
    for value, words in table.items():
        found[key(value.value)] = value
        for word in words:
            found[key(word)] = value
    return found


def cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).replace("\r\n", "\n").replace("\r", "\n").strip()


def cell_lines(cell: Cell) -> list[str]:
    return [line.strip(" \t•-*").strip() for line in cell_text(cell).split("\n") if line.strip(" \t•-*").strip()]


def cell_items(cell: Cell) -> list[str]:
    return [item.strip() for line in cell_lines(cell) for item in line.split(";") if item.strip()]


def parse_number(text: str) -> float | None:
    """A number as French or English spreadsheets write it: « 6 000 », « 6000,50 », « 12.5 »."""
    cleaned = re.sub(r"[\s\u202f\xa0]", "", text).replace("€", "")
    if re.fullmatch(r"-?\d+(?:[.,]\d+)?", cleaned) is None:
        return None
    return float(cleaned.replace(",", "."))


def parse_date(cell: Cell, *, end: bool) -> dt.date | None:
    """A date: a date cell, « 2024-03-01 », « 01/03/2024 », « 03/2024 » or a year (« 2024 »: 1 January, or
    31 December for an end). Raises ValueError."""
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, (int, float)) and float(cell).is_integer():
        cell = str(int(cell))
    text = cell_text(cell)
    if not text:
        return None
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        day = dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    elif m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text):
        day = dt.date(int(m[3]), int(m[2]), int(m[1]))
    elif m := re.fullmatch(r"(\d{1,2})[/.](\d{4})", text):
        month, year = int(m[1]), int(m[2])
        first = dt.date(year, month, 1)
        day = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1) if end else first
    else:
        raise ValueError(text)
    if not 1990 <= day.year <= 2100:
        raise ValueError(text)
    return day
