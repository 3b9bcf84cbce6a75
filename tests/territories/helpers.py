"""Helpers for the territory tests: HTML text, flashes, CSV uploads, stored-state snapshots."""
from __future__ import annotations

import html
import io
import re

from sqlalchemy import func, select

from consult.extensions import db
from consult.territories.models import Axis, Commune, Contract, ContractPartner, Objective, Territory


def page_text(response) -> str:
    """The response body with HTML entities decoded (so « L'Isle-Jourdain » reads as typed)."""
    return html.unescape(response.get_data(as_text=True))


def flashed(client) -> list[str]:
    """Messages waiting in the session to be shown on the next page."""
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def numbers_in(text: str) -> list[int]:
    """The numbers of a message, in order: an import report's added, updated, unchanged, whatever the wording."""
    return [int(n) for n in re.findall(r"\d+", text)]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def contract_rows(territory: Territory) -> list[tuple]:
    """Every stored contract, partner, axis and objective of a territory, as plain tuples."""
    db.session.expire_all()
    contracts = db.session.scalars(select(Contract).where(Contract.territory_id == territory.id)
                                   .order_by(Contract.id)).all()
    rows = []
    for c in contracts:
        rows.append(("contract", c.id, c.generation, c.title, c.start_date, c.end_date, c.phase, c.is_current,
                     c.summary))
        rows += [("partner", p.id, p.kind, p.name, p.position) for p in c.partners]
        for a in c.axes:
            rows.append(("axis", a.id, a.title, a.description, a.position, a.archived_at))
            rows += [("objective", o.id, o.title, o.description, o.position, o.archived_at) for o in a.objectives]
    return rows


def item_counts() -> tuple[int, int, int, int]:
    return count(Contract), count(ContractPartner), count(Axis), count(Objective)


def csv_bytes(*lines: str) -> bytes:
    """A UTF-8 file of these lines."""
    return ("\n".join(lines) + "\n").encode()


def upload(client, slug: str, data: bytes, filename: str = "communes.csv"):
    """Post a communes file to the coordinator's import form."""
    return client.post(f"/t/{slug}/manage/communes", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def problem_lines(response) -> list[int]:
    """Line numbers in the problems table of a rejected import."""
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td><td>", response.get_data(as_text=True))]


def communes_of(territory: Territory) -> dict[str, tuple]:
    """{INSEE code: (id, name, population, year, EPCI SIREN)} as stored."""
    db.session.expire_all()
    rows = db.session.scalars(select(Commune).where(Commune.territory_id == territory.id))
    return {c.insee_code: (c.id, c.name, c.population, c.population_year, c.epci.siren if c.epci else None)
            for c in rows}


def tag_with_id(page: str, element_id: str) -> str:
    """The opening tag of the element with this id (e.g. an <input>), to read its attributes."""
    match = re.search(rf'<(?:input|textarea|select)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', page)
    assert match, f"no form field with id {element_id!r}"
    return match.group(0)

