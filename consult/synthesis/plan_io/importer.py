"""Import an action plan from a spreadsheet: one row per fiche, the axis path in the first columns (the layout
public tools such as Territoires en Transitions use). Every bad line is listed (line, column, reason); nothing is
imported when any line is wrong.

The columns (French or English headers, in any order, case and accents ignored; only Axe and Intitulé are
required) and the format of each cell are in `COLUMNS` and docs/plan_io.md. Importing is creation only: a line
whose number, or whose title, is already taken on its axis in the contract is an error, so importing the same
file twice creates nothing the second time.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from consult.core.text import fold
from consult.core.time import paris_date
from consult.errors import ImportRejected
from consult.extensions import db
from consult.synthesis.fiches.versions import keep_version
from consult.synthesis.models import (
    Fiche,
    FichePartner,
    FicheStatus,
    FollowUpNote,
    Funding,
    FundingKind,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    ParticipationLevel,
    PartnerRole,
    Priority,
    StatusChange,
    TargetPublic,
)
from consult.synthesis.permissions import can_manage_plan
from consult.synthesis.plan_io.sheets import MAX_CELL, Cell, read_rows
from consult.territories.models import Axis, Commune, Contract, Objective
from consult.territories.permissions import require

# Problems are (line, column header, reason); line 1 is the header, "" the whole file.
Problem = tuple[int, str, str]


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


def _lookup(table: dict) -> dict[str, object]:
    found = {}
    for value, words in table.items():
        found[key(value.value)] = value
        for word in words:
            found[key(word)] = value
    return found


@dataclass
class NewItem:
    """An axis or objective the import creates (when the coordinator allowed it)."""

    title: str
    axis: Axis | NewItem | None = None
    number: int = 0


@dataclass
class Row:
    """One valid line, ready to be written."""

    line: int
    axis: Axis | NewItem
    objective: Objective | NewItem | None
    rank: int | None
    values: dict = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import created."""

    fiches: list[Fiche]
    axes_created: int
    objectives_created: int


# --------------------------------------------------------------------------- cells


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).replace("\r\n", "\n").replace("\r", "\n").strip()


def _lines(cell: Cell) -> list[str]:
    return [line.strip(" \t•-*").strip() for line in _text(cell).split("\n") if line.strip(" \t•-*").strip()]


def _items(cell: Cell) -> list[str]:
    return [item.strip() for line in _lines(cell) for item in line.split(";") if item.strip()]


def _number(text: str) -> float | None:
    """A number as French or English spreadsheets write it: « 6 000 », « 6000,50 », « 12.5 »."""
    cleaned = re.sub(r"[\s\u202f\xa0]", "", text).replace("€", "")
    if re.fullmatch(r"-?\d+(?:[.,]\d+)?", cleaned) is None:
        return None
    return float(cleaned.replace(",", "."))


def _date(cell: Cell, *, end: bool) -> dt.date | None:
    """A date: a date cell, « 2024-03-01 », « 01/03/2024 », « 03/2024 » or a year (« 2024 »: 1 January, or
    31 December for an end). Raises ValueError."""
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, (int, float)) and float(cell).is_integer():
        cell = str(int(cell))
    text = _text(cell)
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


# --------------------------------------------------------------------------- the parser


class PlanParser:
    """Check every line of a file against a contract and collect the problems; `rows` are the valid lines."""

    def __init__(self, contract: Contract, *, create_missing: bool) -> None:
        self.contract = contract
        self.create_missing = create_missing
        self.problems: list[Problem] = []
        self.rows: list[Row] = []
        self.headers: dict[str, str] = {}
        self.axes = contract.active_axes
        self.new_axes: dict[str, NewItem] = {}
        self.new_objectives: dict[tuple[int, str], NewItem] = {}
        self.communes = {c.insee_code: c for c in db.session.scalars(
            select(Commune).where(Commune.territory_id == contract.territory_id))}
        self.commune_names = {key(c.name): c for c in self.communes.values()}
        existing = db.session.execute(
            select(Fiche.axis_id, Fiche.rank, Fiche.title).where(Fiche.contract_id == contract.id)).all()
        self.ranks: dict[object, dict[int, int]] = defaultdict(dict)     # axis → rank → line (0: in the plan)
        self.titles: dict[object, dict[str, int]] = defaultdict(dict)
        for axis_id, rank, title in existing:
            self.ranks[axis_id][rank] = 0
            self.titles[axis_id][key(title)] = 0
        self.statuses = _lookup(STATUSES)
        self.priorities = _lookup(PRIORITIES)
        self.participation = _lookup(PARTICIPATION)
        self.publics = _lookup(PUBLICS)
        for public in TargetPublic:
            self.publics.setdefault(key(public.label), public)
        self.indicator_kinds = _lookup(INDICATOR_KINDS)
        self.funding_kinds = _lookup(FUNDING_KINDS)

    # ---- whole file

    def parse(self, lines: list[tuple[int, list[Cell]]]) -> None:
        (header_line, header), *body = lines
        columns = self._columns(header_line, header)
        if columns is None:
            return
        if not body:
            self.problems.append((header_line, "", _("The file has no fiche: add one line per fiche under the "
                                                     "header.")))
            return
        for line, cells in body:
            cell = {k: (cells[i] if i < len(cells) else None) for k, i in columns.items()}
            self._row(line, cell)
        self._number_rows()

    def _columns(self, line: int, header: list[Cell]) -> dict[str, int] | None:
        known = {}
        for column in COLUMNS:
            for name in (column.key, column.fr, column.en, *column.aliases):
                known.setdefault(key(name), column)
        columns: dict[str, int] = {}
        for index, raw in enumerate(header):
            name = key(_text(raw).rstrip("*"))
            if not name:
                continue
            column = known.get(name)
            if column is None:
                self.problems.append((line, _text(raw), _("Unknown column: rename or remove it (the template lists "
                                                          "the columns).")))
            elif column.key in columns:
                self.problems.append((line, _text(raw), _("This column appears twice.")))
            else:
                columns[column.key] = index
                self.headers[column.key] = _text(raw)
        for column in COLUMNS:
            if column.required and column.key not in columns:
                self.problems.append((line, column.label, _("This column is required.")))
        if self.problems:
            return None
        return columns

    def _col(self, name: str) -> str:
        return self.headers.get(name) or BY_KEY[name].label

    def _problem(self, line: int, name: str, message: str) -> None:
        self.problems.append((line, self._col(name), message))

    # ---- one line

    def _row(self, line: int, cell: dict[str, Cell]) -> None:
        before = len(self.problems)
        values: dict = {}
        for name, limit in TEXTS.items():
            text = _text(cell.get(name))
            if limit and len(text) > limit:
                self._problem(line, name, _("At most %(max)d characters (here %(n)d).", max=limit, n=len(text)))
            elif len(text) > MAX_CELL:
                self._problem(line, name, _("At most %(max)d characters (here %(n)d).", max=MAX_CELL, n=len(text)))
            values[name] = text
        if not values["title"]:
            self._problem(line, "title", _("The title of the fiche is missing."))
        axis = self._axis(line, cell.get("axis"))
        objective = self._objective(line, axis, cell.get("objective")) if axis is not None else None
        number = self._number(line, axis, cell.get("number")) if axis is not None else None
        values["specific_objectives"] = _lines(cell.get("specific_objectives"))
        values["partners"] = _items(cell.get("partners"))
        for name in values["partners"]:
            if len(name) > 200:
                self._problem(line, "partners", _("“%(name)s…”: a partner's name has at most 200 characters.",
                                                  name=name[:40]))
        values["fundings"] = self._fundings(line, cell.get("funders"))
        values["indicators"] = self._indicators(line, cell.get("indicators"))
        values["indicator_values"] = self._values(line, cell.get("indicator_values"), len(values["indicators"]))
        values["publics"], values["publics_detail"] = self._publics(cell.get("publics"))
        values["whole_territory"], values["communes"] = self._communes(line, cell.get("communes"))
        values["starts_on"] = self._day(line, "starts_on", cell.get("starts_on"), end=False)
        values["ends_on"] = self._day(line, "ends_on", cell.get("ends_on"), end=True)
        if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
            self._problem(line, "ends_on", _("The end comes before the start."))
        values["status"] = self._choice(line, "status", cell.get("status"), self.statuses) or FicheStatus.DRAFT
        values["priority"] = self._choice(line, "priority", cell.get("priority"), self.priorities)
        values["participation_level"] = self._choice(line, "participation", cell.get("participation"),
                                                     self.participation)
        if values["lead_contact"] and not values["lead"]:
            self._problem(line, "lead_contact", _("A contact needs its lead organisation (column Porteur)."))
        if axis is not None and values["title"]:
            axis_key = id(axis) if isinstance(axis, NewItem) else axis.id
            seen = self.titles[axis_key].get(key(values["title"]))
            if seen == 0:
                self._problem(line, "title", _("A fiche with this title already exists on this axis: it is not "
                                               "imported twice (edit the fiche instead)."))
            elif seen:
                self._problem(line, "title", _("Same title as line %(line)d on the same axis.", line=seen))
            else:
                self.titles[axis_key][key(values["title"])] = line
        if len(self.problems) == before and axis is not None:
            self.rows.append(Row(line, axis, objective, number, values))

    def _axis(self, line: int, cell: Cell) -> Axis | NewItem | None:
        text = _text(cell)
        if not text:
            self._problem(line, "axis", _("The axis is missing."))
            return None
        number, title = _numbered(text, r"(?:ax[ei]s?(?:\s+strat[ée]giques?)?\s*)?(?:n°\s*)?")
        if number is not None and 1 <= number <= len(self.axes):
            return self.axes[number - 1]
        wanted = key(title or text)
        for axis in self.axes:
            if key(axis.title) == wanted:
                return axis
        if wanted in self.new_axes:
            return self.new_axes[wanted]
        if not self.create_missing:
            self._problem(line, "axis", _("No axis “%(axis)s” in this contract (give its number, e.g. “Axe 1”, or "
                                          "its title; or tick “create missing axes and objectives”).", axis=text))
            return None
        if not title or len(title) > 250:
            self._problem(line, "axis", _("Axis “%(axis)s” does not exist: give its title to create it (at most 250 "
                                          "characters).", axis=text))
            return None
        item = NewItem(title=title, number=len(self.axes) + len(self.new_axes) + 1)
        self.new_axes[wanted] = item
        return item

    def _objective(self, line: int, axis: Axis | NewItem, cell: Cell) -> Objective | NewItem | None:
        text = _text(cell)
        if not text:
            return None
        number, title = _numbered(text, r"(?:objectifs?(?:\s+(?:strat[ée]gique|g[ée]n[ée]ral|sp[ée]cifique|"
                                        r"op[ée]rationnel))?\s*|objectives?\s*)?(?:n°\s*)?(?:\d+\.)?")
        existing = axis.active_objectives if isinstance(axis, Axis) else []
        if number is not None and 1 <= number <= len(existing):
            return existing[number - 1]
        wanted = key(title or text)
        for objective in existing:
            if key(objective.title) == wanted:
                return objective
        axis_key = id(axis) if isinstance(axis, NewItem) else axis.id
        if (axis_key, wanted) in self.new_objectives:
            return self.new_objectives[axis_key, wanted]
        if not self.create_missing:
            self._problem(line, "objective", _("No objective “%(objective)s” in this axis (give its number or its "
                                               "title; or tick “create missing axes and objectives”).",
                                               objective=text))
            return None
        if not title or len(title) > 250:
            self._problem(line, "objective", _("Objective “%(objective)s” does not exist: give its title to create "
                                               "it (at most 250 characters).", objective=text))
            return None
        item = NewItem(title=title, axis=axis)
        self.new_objectives[axis_key, wanted] = item
        return item

    def _number(self, line: int, axis: Axis | NewItem, cell: Cell) -> int | None:
        text = _text(cell)
        if not text:
            return None
        match = re.fullmatch(r"(?:(?:fa|fiche|action)\s*(?:n°)?\s*)?(?:(\d+)\.)?(\d+)", fold(text).strip())
        axis_number = axis.number
        if match is None or int(match[2]) < 1 or int(match[2]) > 999:
            self._problem(line, "number", _("“%(number)s” is not a fiche number (e.g. “1.2”, or “2” for the "
                                            "second fiche of the axis).", number=text))
            return None
        if match[1] is not None and int(match[1]) != axis_number:
            self._problem(line, "number", _("Number %(number)s does not belong to axis %(axis)d.", number=text,
                                            axis=axis_number))
            return None
        rank = int(match[2])
        axis_key = id(axis) if isinstance(axis, NewItem) else axis.id
        seen = self.ranks[axis_key].get(rank)
        if seen == 0:
            self._problem(line, "number", _("Fiche %(axis)d.%(rank)d already exists in this contract: it is not "
                                            "imported twice (edit the fiche instead).", axis=axis_number, rank=rank))
            return None
        if seen:
            self._problem(line, "number", _("Number %(axis)d.%(rank)d is already on line %(line)d.",
                                            axis=axis_number, rank=rank, line=seen))
            return None
        self.ranks[axis_key][rank] = line
        return rank

    def _fundings(self, line: int, cell: Cell) -> list[tuple[str, FundingKind, int]]:
        fundings = []
        for item in _lines(cell):
            funder, colon, rest = item.rpartition(":")
            kind = FundingKind.OPERATING
            if m := re.fullmatch(r"(.*?)\(([^()]*)\)\s*", rest):
                rest, word = m[1], m[2]
                kind = self.funding_kinds.get(key(word))
                if kind is None:
                    self._problem(line, "funders", _("“%(line)s”: write “(investissement)” or “(fonctionnement)” "
                                                     "after the amount.", line=item))
                    continue
            amount = _number(re.sub(r"(?i)\s*(euros?|eur)\s*$", "", rest.strip()))
            if not colon or not funder.strip() or amount is None:
                self._problem(line, "funders", _("“%(line)s”: write one funder per line as “Funder: amount”, e.g. "
                                                 "“ARS Occitanie (FIR): 6000”.", line=item))
            elif not 0 <= amount < MAX_AMOUNT:
                self._problem(line, "funders", _("“%(line)s”: the amount must be between 0 and 999,999,999 euros.",
                                                 line=item))
            elif len(funder.strip()) > 200:
                self._problem(line, "funders", _("“%(line)s”: the funder's name is too long.", line=item))
            else:
                fundings.append((funder.strip(), kind, round(amount)))
        return fundings

    def _indicators(self, line: int, cell: Cell) -> list[tuple[IndicatorKind, str, float | None, str]]:
        indicators = []
        for item in _lines(cell):
            kind, rest = IndicatorKind.RESULT, item
            prefix, colon, after = item.partition(":")
            if colon and key(prefix) in self.indicator_kinds:
                kind, rest = self.indicator_kinds[key(prefix)], after.strip()
            name, target, unit = rest, None, ""
            if m := re.fullmatch(r"(.+?)\s+(?:—|–|--|\|)\s*(.*)", rest):
                name = m[1].strip()
                figure = re.fullmatch(r"(-?[\d\s\u202f\xa0]*\d(?:[.,]\d+)?)\s*(.*)", m[2].strip())
                target = _number(figure[1]) if figure else None
                if target is None or abs(target) >= MAX_FIGURE:
                    self._problem(line, "indicators", _("“%(line)s”: after the dash comes the target, a number "
                                                        "followed by its unit (e.g. “— 60 personnes”).", line=item))
                    continue
                unit = figure[2].strip()
            if not name or len(name) > 250 or len(unit) > 40:
                self._problem(line, "indicators", _("“%(line)s”: write one indicator per line as “kind: name — "
                                                    "target unit” (name up to 250 characters, unit up to 40).",
                                                    line=item))
                continue
            indicators.append((kind, name, target, unit))
        return indicators

    def _values(self, line: int, cell: Cell, count: int) -> list[tuple[int, int, float]]:
        values, seen = [], set()
        for item in _items(cell):
            m = re.fullmatch(r"(?:#\s*(\d+)\s+)?(\d{4})\s*:\s*(-?[\d\s\u202f\xa0]*\d(?:[.,]\d+)?)\s*[^\d]*", item)
            value = _number(m[3]) if m else None
            if m is None or value is None or abs(value) >= MAX_FIGURE or not 1990 <= int(m[2]) <= 2100:
                self._problem(line, "indicator_values", _("“%(item)s”: write “year: value” (e.g. “2021: 45”), or "
                                                          "“#2 2021: 45” for the second indicator.", item=item))
                continue
            index = int(m[1] or 1)
            if not 1 <= index <= count:
                self._problem(line, "indicator_values", _("“%(item)s”: there is no indicator %(n)d in the "
                                                          "Indicateurs column.", item=item, n=index))
                continue
            if (index, int(m[2])) in seen:
                self._problem(line, "indicator_values", _("“%(item)s”: this indicator already has a value for "
                                                          "that year.", item=item))
                continue
            seen.add((index, int(m[2])))
            values.append((index, int(m[2]), value))
        return values

    def _publics(self, cell: Cell) -> tuple[list[str], str]:
        known, others = [], []
        for item in _items(cell):
            public = self.publics.get(key(item))
            if public is None:
                others.append(item)
            elif public.value not in known:
                known.append(public.value)
        return known, "; ".join(others)

    def _communes(self, line: int, cell: Cell) -> tuple[bool, list[Commune]]:
        text = _text(cell)
        if not text or key(text) in {key(w) for w in WHOLE_TERRITORY}:
            return True, []
        communes, unknown = [], []
        for item in re.split(r"[\n;,]+", text):
            item = item.strip()
            if not item:
                continue
            m = re.match(r"(\d{5}|2[AB]\d{3})\b", item.upper())
            commune = self.communes.get(m[1]) if m else self.commune_names.get(key(item))
            if commune is None:
                unknown.append(item)
            elif commune not in communes:
                communes.append(commune)
        if unknown:
            self._problem(line, "communes", _("Not communes of the territory: %(items)s (give INSEE codes, e.g. "
                                              "82112, or “Tout le territoire”).", items=", ".join(unknown)))
        return not communes, communes

    def _day(self, line: int, name: str, cell: Cell, *, end: bool) -> dt.date | None:
        try:
            return _date(cell, end=end)
        except (ValueError, OverflowError):
            self._problem(line, name, _("“%(value)s” is not a date (write 2024-03-01, 01/03/2024, 03/2024 or "
                                        "2024).", value=_text(cell)))
            return None

    def _choice(self, line: int, name: str, cell: Cell, table: dict):
        text = _text(cell)
        if not text:
            return None
        found = table.get(key(text))
        if found is None:
            words = sorted({str(v.label) for v in table.values()})
            self._problem(line, name, _("“%(value)s” is not one of: %(choices)s.", value=text,
                                        choices=", ".join(words)))
        return found

    def _number_rows(self) -> None:
        """Lines without a number get the next free rank of their axis, in the order of the file."""
        for row in self.rows:
            if row.rank is None:
                axis_key = id(row.axis) if isinstance(row.axis, NewItem) else row.axis.id
                row.rank = 1 + max(self.ranks[axis_key], default=0)
                self.ranks[axis_key][row.rank] = row.line


def _numbered(text: str, prefix: str) -> tuple[int | None, str]:
    """(number, title) of « Axe 1 : Titre », « 1. Titre », « 1 », or (None, text) when it has no number."""
    m = re.fullmatch(prefix + r"(\d+)\s*(?:[.:\-–—)]+\s*(.*))?", text.strip(), flags=re.IGNORECASE | re.DOTALL)
    if m is None:
        return None, text.strip()
    return int(m[1]), (m[2] or "").strip()


# --------------------------------------------------------------------------- the service


def parse_plan(contract: Contract, data: bytes, *, filename: str = "", create_missing: bool = False) -> PlanParser:
    """Read and check a whole file against `contract`. Raises ImportRejected listing every problem."""
    parser = PlanParser(contract, create_missing=create_missing)
    parser.parse(read_rows(data, filename))
    if parser.problems:
        parser.problems.sort(key=lambda p: (p[0], p[1]))
        raise ImportRejected(_("Nothing was imported: correct these lines and try again."), parser.problems)
    return parser


def import_plan(actor, contract: Contract, data: bytes, *, filename: str = "", create_missing: bool = False,
                now: dt.datetime) -> ImportReport:
    """Create the fiches of a spreadsheet in `contract` (all or nothing), each with a first version, its status
    as the file gives it (a StatusChange without decision) and a dated note saying where it came from.

    Raises PermissionDenied, ImportRejected (every problem as (line, column, reason)).
    """
    require(can_manage_plan(actor, contract.territory))
    parser = parse_plan(contract, data, filename=filename, create_missing=create_missing)
    today = paris_date(now)
    created: dict[int, Axis | Objective] = {}

    def real(item):
        if not isinstance(item, NewItem):
            return item
        if id(item) not in created:
            if item.axis is None:
                made = Axis(contract=contract, title=item.title, position=1 + max((a.position for a in contract.axes),
                                                                                  default=0))
            else:
                axis = real(item.axis)
                made = Objective(axis=axis, title=item.title,
                                 position=1 + max((o.position for o in axis.objectives), default=0))
            db.session.add(made)
            db.session.flush()
            created[id(item)] = made
        return created[id(item)]

    fiches = [_create(actor, contract, row, real(row.axis), real(row.objective), filename, today, now)
              for row in parser.rows]
    db.session.flush()
    return ImportReport(fiches, sum(isinstance(c, Axis) for c in created.values()),
                        sum(isinstance(c, Objective) for c in created.values()))


def _create(actor, contract: Contract, row: Row, axis: Axis, objective: Objective | None, filename: str,
            today: dt.date, now: dt.datetime) -> Fiche:
    v = row.values
    fiche = Fiche(contract=contract, axis=axis, objective=objective, rank=row.rank, title=v["title"],
                  general_objective=v["general_objective"], specific_objectives=v["specific_objectives"],
                  context=v["context"], description=v["description"], elected_referent=v["elected_referent"],
                  publics=v["publics"], publics_detail=v["publics_detail"], whole_territory=v["whole_territory"],
                  starts_on=v["starts_on"], ends_on=v["ends_on"], means=v["means"],
                  expected_results=v["expected_results"], participation_level=v["participation_level"],
                  priority=v["priority"], status=v["status"])
    fiche.communes = v["communes"]
    partners = []
    if v["lead"]:
        partners.append(FichePartner(role=PartnerRole.LEAD, organisation=v["lead"], contact=v["lead_contact"]))
    partners += [FichePartner(role=PartnerRole.PARTNER, organisation=name) for name in v["partners"]]
    for position, partner in enumerate(partners):
        partner.position = position
    fiche.partners = partners
    fiche.fundings = [Funding(funder=funder, kind=kind, amount=amount, position=position)
                      for position, (funder, kind, amount) in enumerate(v["fundings"])]
    fiche.indicators = [Indicator(kind=kind, name=name, target=target, unit=unit, position=position)
                        for position, (kind, name, target, unit) in enumerate(v["indicators"])]
    for index, year, value in v["indicator_values"]:
        fiche.indicators[index - 1].values.append(IndicatorValue(year=year, value=value, recorded_at=now))
    db.session.add(fiche)
    keep_version(fiche, actor=actor, now=now)
    actor_id = getattr(actor, "id", None)
    db.session.add(StatusChange(fiche=fiche, previous=None, status=fiche.status, decided_on=today, actor_id=actor_id,
                                created_at=now))
    source = filename or _("a spreadsheet")
    db.session.add(FollowUpNote(fiche=fiche, written_on=today, author_id=actor_id, created_at=now, text=_(
        "Imported from “%(file)s” (line %(line)d) with the status “%(status)s”.", file=source, line=row.line,
        status=fiche.status.label)))
    return fiche


# --------------------------------------------------------------------------- the template


def template_rows() -> list[list[Cell]]:
    """The header (in the reader's language) and one example line, for the downloadable template."""
    english = str(get_locale() or "fr").startswith("en")
    header = [c.label for c in COLUMNS]
    example = {
        "axis": "Axe 1", "objective": "Objectif 1", "number": "1.1",
        "title": "Déployer des formations Premiers secours en santé mentale",
        "general_objective": "Améliorer le repérage précoce de la souffrance psychique",
        "specific_objectives": "Former au moins 60 habitants, bénévoles et agents des communes en 3 ans\n"
                               "Organiser au moins une session par an dans les communes de moins de 1 000 habitants",
        "context": "Le diagnostic local de santé (ORS, 2022) relève une mortalité par suicide supérieure à la "
                   "moyenne régionale.",
        "description": "Sessions de deux jours animées par un formateur accrédité, dans les salles communales.",
        "lead": "CC Terres des Confluences", "lead_contact": "Coordinatrice CLS — sante@example.org",
        "partners": "CPTS Quercy Garonne\nMSA Midi-Pyrénées Nord\nMission locale",
        "funders": "ARS Occitanie (FIR): 6000\nCC Terres des Confluences: 3000\n"
                   "Conseil départemental: 1500 (investissement)",
        "indicators": "processus: Nombre de sessions organisées — 6 sessions\n"
                      "résultat: Nombre de personnes formées — 60 personnes",
        "indicator_values": "2024: 2\n2025: 4\n#2 2024: 18\n#2 2025: 41",
        "publics": "Élus\nBénévoles associatifs\nHabitants des petites communes",
        "communes": "Tout le territoire", "starts_on": "2024-01-01", "ends_on": "2026-12-31",
        "status": "in progress" if english else "En cours", "priority": "high" if english else "Élevée",
        "participation": "consultation", "elected_referent": "Vice-présidente déléguée à la santé",
        "means": "Un formateur PSSM, salles prêtées par les communes",
        "expected_results": "Des habitants capables de repérer une personne en souffrance et de l'orienter",
    }
    return [header, [example[c.key] for c in COLUMNS]]
