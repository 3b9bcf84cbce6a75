"""The demo's data made ten times larger, for the query budget: a page must run as many statements with 10× the rows.

`grow(times=10)` clones, in bulk (one executemany per table), the rows that lists are made of: accounts, survey
responses and their answers, proposals, supports, comments, followers, reports, priority ballots, group members
(sign-ups), meetings, registrations, attendances, ideas, fiches and their parts, governance sessions and decisions,
audit events, tagged texts. Every copy stays valid: each unique key gets a distinct value (another account, another
number), each reference points at a row that exists. The structure (territories, contracts, axes, surveys and their
questions, calls, groups) is not cloned: a page about one of them then shows ten times the rows it lists — the
original proposal gets ten times the supports and comments, the original meeting ten times the registrations, the
original group ten times the members and meetings, each demo account ten times its own proposals.

Copy `k` (1 … times − 1) of a row refers to copy `k` of the rows it points at when those are cloned ("copy"), to
copy `k` of an account ("accounts": a distinct person for each copy, where a unique key names the person; "people":
a distinct person for even k, the same for odd k — lists show more people, and each demo account's own lists
grow too), or to the same row (any other column).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Table, bindparam, func, insert, select, update

from consult.extensions import db

Change = Callable[[dict, int], dict]


@dataclass
class Clone:
    """How to copy the rows of one table: the columns pointing at copies, at accounts, and values made distinct."""

    table: str
    copy: dict[str, str] = field(default_factory=dict)   # column → cloned table whose copy k it points at
    accounts: tuple[str, ...] = ()                     # columns naming an account: copy k of that account
    people: tuple[str, ...] = ()                       # the same for even k; odd k keep the account
    change: Change | None = None                         # values made distinct for copy k
    where: Callable[[Table], object] | None = None       # which rows (default: all)
    name: str = ""                                       # key of the copies when a table is cloned twice


def _suffix(column: str, width: int) -> Change:
    """The value with "-k" at its end, within the column's `width` (a hash loses its last characters)."""
    def change(row: dict, k: int) -> dict:
        value = row[column]
        if value is None:
            return {}
        end = f"-{k}"
        return {column: f"{value[:width - len(end)]}{end}"}
    return change


def _plus(column: str, step: int) -> Change:
    return lambda row, k: {} if row[column] is None else {column: row[column] + step * k}


def _account(row: dict, k: int) -> dict:
    local, _, domain = row["email"].partition("@")
    return {"email": f"{local}.copie{k}@{domain}", "is_admin": False}


def _response(row: dict, k: int) -> dict:
    return {**_suffix("dedupe_key", 64)(row, k), **_suffix("paper_number", 20)(row, k)}


_VERSIONS: dict[int, int] = {}  # fiche id → its last version number before growing (filled by `grow`)


def _versions(fiche_id: int) -> int:
    """How many versions the fiche had: its copies are numbered on from there (1 … n, n + 1 … 2n…, no gap)."""
    return _VERSIONS[fiche_id]


def _both(*changes: Change) -> Change:
    return lambda row, k: {key: value for change in changes for key, value in change(row, k).items()}


PLAN = [
    Clone("users", change=_account),
    Clone("territory_roles", accounts=("user_id",)),
    Clone("responses", people=("user_id", "keyed_by_id"), change=_response),
    Clone("answers", copy={"response_id": "responses"}),
    Clone("proposals", copy={"merged_into_id": "proposals"}, people=("author_id",)),
    Clone("proposal_communes", copy={"proposal_id": "proposals"}),
    # The original proposals get ten times the supports (from other accounts); the copies are supported too.
    Clone("proposal_supports", accounts=("user_id",), name="supports of the same proposal"),
    Clone("proposal_supports", copy={"proposal_id": "proposals"}),
    Clone("proposal_followers", accounts=("user_id",)),
    Clone("proposal_comments", copy={"parent_id": "proposal_comments"}, people=("author_id",)),
    Clone("proposal_reports", copy={"comment_id": "proposal_comments"}, accounts=("reporter_id",)),
    Clone("proposal_moderation_events", copy={"comment_id": "proposal_comments"}, people=("actor_id",)),
    Clone("proposal_priority_ballots", accounts=("user_id",)),
    Clone("proposal_priority_choices", copy={"ballot_id": "proposal_priority_ballots"}),
    Clone("group_signups", accounts=("user_id",)),
    Clone("meetings"),
    Clone("meeting_registrations", accounts=("user_id",)),
    Clone("meeting_attendances", accounts=("user_id",)),
    Clone("meeting_ideas"),
    Clone("fiches", change=_both(_plus("rank", 100), _suffix("form_token", 64))),
    Clone("fiche_steps"), Clone("fiche_partners"), Clone("fiche_fundings"), Clone("fiche_notes", people=("author_id",)),
    Clone("fiche_indicators"), Clone("fiche_communes", copy={"fiche_id": "fiches"}),
    Clone("fiche_versions", change=lambda row, k: {"number": row["number"] + k * _versions(row["fiche_id"])},
          people=("saved_by_id",)),
    Clone("governance_sessions"),
    Clone("governance_decisions", copy={"session_id": "governance_sessions"}, change=_suffix("entry_key", 64)),
    Clone("governance_decision_fiches", copy={"decision_id": "governance_decisions"}),
    Clone("fiche_status_changes", copy={"decision_id": "governance_decisions"}),
    Clone("audit_events", people=("actor_id",)),
    Clone("tagged_texts", copy={"comment_id": "proposal_comments", "answer_id": "answers"}, people=("tagged_by_id",),
          where=lambda t: t.c.comment_id.is_not(None) | t.c.answer_id.is_not(None)),
]


def grow(times: int = 10) -> dict[str, int]:
    """Clones the plan's rows so that each table holds `times` as many; returns the rows added per table."""
    copies: dict[str, dict[int, list[int]]] = {}
    added = {}
    tables = {clone.table: db.metadata.tables[clone.table] for clone in PLAN}
    # Only the rows there before: a table cloned twice does not clone its first copies.
    last = {name: db.session.scalar(select(func.max(table.c.id))) or 0
            for name, table in tables.items() if "id" in table.c}
    versions = tables["fiche_versions"]
    _VERSIONS.clear()
    _VERSIONS.update(db.session.execute(select(versions.c.fiche_id, func.max(versions.c.number))
                                        .group_by(versions.c.fiche_id)).all())
    for clone in PLAN:
        table = tables[clone.table]
        query = select(table)
        if clone.where is not None:
            query = query.where(clone.where(table))
        if "id" in table.c:
            query = query.where(table.c.id <= last[clone.table]).order_by(table.c.id)
        originals = [dict(row) for row in db.session.execute(query).mappings()]
        if not originals:
            continue
        self_refs = [c for c, target in clone.copy.items() if target == clone.table]
        rows = [_copy(row, k, clone, copies, self_refs) for k in range(1, times) for row in originals]
        if "id" in table.c:
            ids = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                     rows).scalars().all()
            mine = copies.setdefault(clone.name or clone.table, {})
            for index, new_id in enumerate(ids):
                mine.setdefault(originals[index % len(originals)]["id"], []).append(new_id)
            _point_at_own_copies(table, originals, self_refs, mine, times)
        else:
            db.session.execute(insert(table), rows)
        added[clone.name or clone.table] = len(rows)
    return added


def _copy(row: dict, k: int, clone: Clone, copies: dict, self_refs: list[str]) -> dict:
    new = {column: value for column, value in row.items() if column != "id"}
    for column, target in clone.copy.items():
        if column in self_refs:
            new[column] = None  # set once the copies exist
        elif new[column] is not None and new[column] in copies.get(target, {}):
            new[column] = copies[target][new[column]][k - 1]
    for column in clone.accounts + (clone.people if k % 2 == 0 else ()):
        if new[column] is not None and new[column] in copies["users"]:
            new[column] = copies["users"][new[column]][k - 1]
    if clone.change:
        new.update(clone.change(row, k))
    return new


def _point_at_own_copies(table: Table, originals: list[dict], self_refs: list[str], mine: dict, times: int) -> None:
    """Copy k of a row pointing at a row of its own table (a reply, a merged proposal) points at copy k of it."""
    for column in self_refs:
        pairs = [{"target_id": mine[row["id"]][k - 1], "value": mine[row[column]][k - 1]}
                 for row in originals if row[column] is not None for k in range(1, times)]
        if pairs:
            db.session.execute(
                update(table).where(table.c.id == bindparam("target_id")).values({column: bindparam("value")}),
                pairs)
