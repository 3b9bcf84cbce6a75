"""Parse a communes CSV (INSEE code, name, population, year) and report every bad line at once."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from consult.errors import ImportRejected

INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
SIREN_RE = re.compile(r"^\d{9}$")

# Accepted header names (lower-cased, accents kept) for each field.
HEADERS = {
    "insee_code": {"insee_code", "code_insee", "code insee", "insee", "codgeo", "code_commune", "com"},
    "name": {"name", "commune_name", "nom", "commune", "nom_commune", "libelle", "libellé"},
    "population": {"population", "pmun", "population_municipale", "population municipale"},
    "population_year": {"population_year", "annee", "année", "year", "millesime", "millésime"},
    "epci_siren": {"epci_siren", "siren_epci", "siren"},
}
REQUIRED = ("insee_code", "name", "population", "population_year")


@dataclass(frozen=True)
class CommuneRow:
    """One valid line of the file."""

    line: int
    insee_code: str
    name: str
    population: int
    population_year: int
    epci_siren: str | None


def _decode(data: bytes) -> tuple[str, list[tuple[int, str]]]:
    """The text, and a problem for each line that is not valid UTF-8 (decoded with replacements)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines, problems = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("utf-8", errors="replace"))
            problems.append((number, _("This line is not valid UTF-8: save the file as “CSV UTF-8” and try again.")))
    return "\n".join(lines), problems


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = raw.strip().lower()
        for field, aliases in HEADERS.items():
            if name in aliases and field not in found:
                found[field] = index
    return found


def parse_communes_csv(data: bytes, *, known_sirens: set[str] | None = None) -> list[CommuneRow]:
    """Return the rows of a communes file, or raise ImportRejected listing every bad line."""
    text, problems = _decode(data)
    if not text.strip():
        raise ImportRejected(_("The file is empty."), [(1, _("The file is empty."))])
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if first_line.count("\t") > max(first_line.count(";"), first_line.count(",")):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    columns = _columns(header)
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise ImportRejected(
            _("The header line does not name the expected columns."),
            problems + [(1, _("Expected columns: insee_code, name, population, population_year "
                   "(separated by commas or semicolons); missing: %(missing)s.",
                   missing=", ".join(missing)))],
        )
    encoding_problems = {line for line, _message in problems}
    rows: list[CommuneRow] = []
    seen: dict[str, int] = {}
    last_line = reader.line_num
    for values in reader:
        # Physical line where this record starts (a quoted name may span several lines).
        line_number, last_line = last_line + 1, reader.line_num
        if line_number in encoding_problems:
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append((line_number, _("%(found)d fields instead of %(expected)d: check the separator.",
                                            found=len(values), expected=len(header))))
            continue
        get = lambda field: values[columns[field]].strip() if field in columns else ""  # noqa: E731
        code, name = get("insee_code").upper(), get("name")
        line_problems = []
        if not INSEE_RE.match(code):
            line_problems.append(_("“%(code)s” is not an INSEE commune code (5 characters, e.g. 82033 or 2A004).", code=code))
        elif code in seen:
            line_problems.append(_("INSEE code %(code)s already appears on line %(line)d.", code=code, line=seen[code]))
        else:
            seen[code] = line_number
        if not name:
            line_problems.append(_("The commune name is missing."))
        population = _whole_number(get("population"))
        if population is None:
            line_problems.append(_("Population “%(value)s” is not a whole number.", value=get("population")))
        year = _whole_number(get("population_year"))
        if year is None or not 1800 <= year <= 2200:
            line_problems.append(_("Year “%(value)s” is not a valid year.", value=get("population_year")))
        siren = get("epci_siren") or None
        if siren is not None and not SIREN_RE.match(siren):
            line_problems.append(_("SIREN “%(value)s” must have 9 digits.", value=siren))
        elif siren is not None and known_sirens is not None and siren not in known_sirens:
            line_problems.append(_("SIREN %(value)s is not one of this territory's EPCIs.", value=siren))
        if line_problems:
            problems.extend((line_number, p) for p in line_problems)
            continue
        rows.append(CommuneRow(line_number, code, name, population, year, siren))
    if problems:
        problems.sort()
        raise ImportRejected(_("Nothing was imported: correct these lines and try again."), problems)
    if not rows:
        raise ImportRejected(_("The file has no commune."), [(2, _("No data line after the header."))])
    return rows


def _whole_number(text: str) -> int | None:
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not (cleaned.isascii() and cleaned.isdigit()):  # "²" is a digit to str.isdigit, not to int()
        return None
    return int(cleaned)
