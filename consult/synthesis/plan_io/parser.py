"""Check every line of an action plan spreadsheet against a contract: axes and objectives by number or title,
numbers free on their axis, every cell in its format. Collects every problem as (line, column, reason)."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from consult.core.text import fold
from consult.errors import ImportRejected
from consult.extensions import db
from consult.synthesis.models import Fiche, FicheStatus, FundingKind, IndicatorKind, TargetPublic
from consult.synthesis.plan_io.columns import (
    BY_KEY,
    COLUMNS,
    FUNDING_KINDS,
    INDICATOR_KINDS,
    MAX_AMOUNT,
    MAX_FIGURE,
    PARTICIPATION,
    PRIORITIES,
    PUBLICS,
    STATUSES,
    TEXTS,
    WHOLE_TERRITORY,
    cell_items,
    cell_lines,
    cell_text,
    key,
    lookup,
    parse_date,
    parse_number,
)
from consult.synthesis.plan_io.sheets import MAX_CELL, Cell, read_rows
from consult.territories.models import Axis, Commune, Contract, Objective

# Problems are (line, column header, reason); line 1 is the header, "" the whole file.
Problem = tuple[int, str, str]


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
        self.statuses = lookup(STATUSES)
        self.priorities = lookup(PRIORITIES)
        self.participation = lookup(PARTICIPATION)
        self.publics = lookup(PUBLICS)
        for public in TargetPublic:
            self.publics.setdefault(key(public.label), public)
        self.indicator_kinds = lookup(INDICATOR_KINDS)
        self.funding_kinds = lookup(FUNDING_KINDS)

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
            name = key(cell_text(raw).rstrip("*"))
            if not name:
                continue
            column = known.get(name)
            if column is None:
                self.problems.append((line, cell_text(raw), _("Unknown column: rename or remove it (the template lists "
                                                          "the columns).")))
            elif column.key in columns:
                self.problems.append((line, cell_text(raw), _("This column appears twice.")))
            else:
                columns[column.key] = index
                self.headers[column.key] = cell_text(raw)
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
            text = cell_text(cell.get(name))
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
        values["specific_objectives"] = cell_lines(cell.get("specific_objectives"))
        values["partners"] = cell_items(cell.get("partners"))
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
        text = cell_text(cell)
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
        text = cell_text(cell)
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
        text = cell_text(cell)
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
        for item in cell_lines(cell):
            funder, colon, rest = item.rpartition(":")
            kind = FundingKind.OPERATING
            if m := re.fullmatch(r"(.*?)\(([^()]*)\)\s*", rest):
                rest, word = m[1], m[2]
                kind = self.funding_kinds.get(key(word))
                if kind is None:
                    self._problem(line, "funders", _("“%(line)s”: write “(investissement)” or “(fonctionnement)” "
                                                     "after the amount.", line=item))
                    continue
            amount = parse_number(re.sub(r"(?i)\s*(euros?|eur)\s*$", "", rest.strip()))
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
        for item in cell_lines(cell):
            kind, rest = IndicatorKind.RESULT, item
            prefix, colon, after = item.partition(":")
            if colon and key(prefix) in self.indicator_kinds:
                kind, rest = self.indicator_kinds[key(prefix)], after.strip()
            name, target, unit = rest, None, ""
            if m := re.fullmatch(r"(.+?)\s+(?:—|–|--|\|)\s*(.*)", rest):
                name = m[1].strip()
                figure = re.fullmatch(r"(-?[\d\s\u202f\xa0]*\d(?:[.,]\d+)?)\s*(.*)", m[2].strip())
                target = parse_number(figure[1]) if figure else None
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
        for item in cell_items(cell):
            m = re.fullmatch(r"(?:#\s*(\d+)\s+)?(\d{4})\s*:\s*(-?[\d\s\u202f\xa0]*\d(?:[.,]\d+)?)\s*[^\d]*", item)
            value = parse_number(m[3]) if m else None
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
        for item in cell_items(cell):
            public = self.publics.get(key(item))
            if public is None:
                others.append(item)
            elif public.value not in known:
                known.append(public.value)
        return known, "; ".join(others)

    def _communes(self, line: int, cell: Cell) -> tuple[bool, list[Commune]]:
        text = cell_text(cell)
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
            return parse_date(cell, end=end)
        except (ValueError, OverflowError):
            self._problem(line, name, _("“%(value)s” is not a date (write 2024-03-01, 01/03/2024, 03/2024 or "
                                        "2024).", value=cell_text(cell)))
            return None

    def _choice(self, line: int, name: str, cell: Cell, table: dict):
        text = cell_text(cell)
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


def parse_plan(contract: Contract, data: bytes, *, filename: str = "", create_missing: bool = False) -> PlanParser:
    """Read and check a whole file against `contract`. Raises ImportRejected listing every problem."""
    parser = PlanParser(contract, create_missing=create_missing)
    parser.parse(read_rows(data, filename))
    if parser.problems:
        parser.problems.sort(key=lambda p: (p[0], p[1]))
        raise ImportRejected(_("Nothing was imported: correct these lines and try again."), parser.problems)
    return parser
