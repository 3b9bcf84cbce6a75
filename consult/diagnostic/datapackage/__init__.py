"""The data package: a ZIP archive holding a Frictionless `datapackage.json` (the convention of
schema.data.gouv.fr: a Table Schema per file, every field typed, titled and described in the reader's language,
coded answers with their codes) and the tables it describes, each in up to three variants:

- `csv/<table>.csv`: UTF-8, comma-separated, RFC 4180 (CRLF, double quotes), no byte order mark;
- `csv-excel-fr/<table>.csv`: what French Excel opens with a double click: `;`-separated, UTF-8 with a byte order
  mark, decimal comma (the schema says so: `encoding` utf-8-sig, `dialect.delimiter` ";", `decimalChar` ",");
- `json/<table>.json`: an array of objects, one per row.

Text cells of both CSV variants are made inert for spreadsheets (`writers.spreadsheet_value`); the JSON keeps the
text as typed. Everything streams: responses are read a batch at a time and every table is written as its rows
come (see `tables.write_table`), so memory stays flat whatever the number of responses.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import IO

from flask_babel import gettext as _

from consult.core.models import utcnow
from consult.diagnostic.datapackage import published, responses
from consult.diagnostic.datapackage.tables import CSV, CSV_EXCEL_FR, JSON, Table, Variant, write_package
from consult.diagnostic.kinds import Progress, no_progress

VARIANTS: dict[str, tuple[Variant, ...]] = {
    "zip": (CSV, CSV_EXCEL_FR, JSON),
    "csv": (CSV, CSV_EXCEL_FR),
    "json": (JSON,),
}
LICENCE = {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}


def _descriptor(territory, *, name: str, title: str, description: str) -> dict:
    contract = territory.current_contract
    sources = [{"title": _("Consult, participation platform of %(territory)s", territory=territory.name)}]
    if contract is not None:
        sources.append({"title": contract.title})
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": description,
        "created": utcnow().replace(microsecond=0).isoformat() + "Z",
        "licenses": [LICENCE],
        "sources": sources,
        "keywords": ["contrat local de santé", "CLS", "participation", territory.name],
    }


def _variants(fmt: str) -> tuple[Variant, ...]:
    if fmt not in VARIANTS:
        raise KeyError(fmt)
    return VARIANTS[fmt]


def build(territory, fmt: str, target: IO[bytes], *, progress: Progress = no_progress,
          options: Mapping[str, str] | None = None) -> None:
    """The territory's data package: every survey's anonymised responses (k-anonymous unless
    options["variant"] == "pseudonymised"; free texts only with options["texts"] == "1") and codebook, the
    published proposals, the supports per proposal, the ideas of meetings, the published fiches and their
    indicators. `fmt`: "zip" (every variant), "csv" (both CSV variants) or "json"."""
    options = options or {}
    variant = options.get("variant") or responses.K_ANONYMOUS
    if variant not in responses.VARIANTS:
        raise ValueError(f"Unknown variant of the responses: {variant!r}")
    contract = territory.current_contract
    tables: list[Table] = [
        *responses.survey_tables(territory, variant=variant, texts=options.get("texts") == "1"),
        *published.proposal_tables(contract),
        published.ideas_table(territory, contract),
        *published.plan_tables(contract),
    ]
    kind = _("k-anonymous") if variant == responses.K_ANONYMOUS else _("pseudonymised")
    descriptor = _descriptor(
        territory, name=f"consult-{territory.slug}",
        title=_("Consultation of %(territory)s: data package", territory=territory.name),
        description=_("What the consultation of %(territory)s gathered: the %(kind)s responses to its surveys and "
                      "their codebooks, the published proposals and their supports, the ideas of meetings and "
                      "events, the published fiches actions and their indicators. The responses are record-level "
                      "data: check the rules of the surveys' privacy notices before passing them on.",
                      territory=territory.name, kind=kind))
    write_package(target, descriptor, tables, _variants(fmt), progress)


def build_action_plan(territory, fmt: str, target: IO[bytes], *, progress: Progress = no_progress,
                      options: Mapping[str, str] | None = None) -> None:
    """The action plan as a data package: the published fiches actions of the current contract and their
    indicators. `fmt`: "csv" (both CSV variants) or "json"."""
    if fmt not in ("csv", "json"):
        raise KeyError(fmt)
    descriptor = _descriptor(
        territory, name=f"consult-{territory.slug}-action-plan",
        title=_("Action plan of %(territory)s", territory=territory.name),
        description=_("The published fiches actions of the local health contract of %(territory)s, axis by axis, "
                      "and their indicators.", territory=territory.name))
    write_package(target, descriptor, published.plan_tables(territory.current_contract), _variants(fmt), progress)
