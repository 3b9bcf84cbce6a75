"""Import an action plan from a spreadsheet: one row per fiche, the axis path in the first columns (the layout
public tools such as Territoires en Transitions use). Every bad line is listed (line, column, reason); nothing is
imported when any line is wrong.

The columns (French or English headers, in any order, case and accents ignored; only Axe and Intitulé are
required) and the format of each cell are in `columns.py` and docs/plan_io.md; `parser.py` checks the lines. Importing is creation only: a line
whose number, or whose title, is already taken on its axis in the contract is an error, so importing the same
file twice creates nothing the second time.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _

from consult.core.time import paris_date
from consult.extensions import db
from consult.synthesis.fiches.versions import keep_version
from consult.synthesis.models import (
    Fiche,
    FichePartner,
    FollowUpNote,
    Funding,
    Indicator,
    IndicatorValue,
    PartnerRole,
    StatusChange,
)
from consult.synthesis.permissions import can_manage_plan
from consult.synthesis.plan_io.columns import COLUMNS
from consult.synthesis.plan_io.parser import NewItem, Row, parse_plan
from consult.synthesis.plan_io.sheets import Cell
from consult.territories.models import Axis, Contract, Objective
from consult.territories.permissions import require

__all__ = ["COLUMNS", "ImportReport", "import_plan", "template_rows"]


@dataclass
class ImportReport:
    """What an import created."""

    fiches: list[Fiche]
    axes_created: int
    objectives_created: int


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
