"""Disclosure control (secret statistique): each table on its own (`tables`), then a release's linked tables
together (`audit`, with its `attacker`; import them from there: they load SciPy)."""
from consult.core.disclosure.tables import (
    Cell,
    ProtectedCounts,
    ProtectedTable,
    Reason,
    Relation,
    Unprotectable,
    protect_counts,
    protect_table,
    share,
    suppress,
    unprotected_counts,
)

__all__ = [
    "Cell",
    "ProtectedCounts",
    "ProtectedTable",
    "Reason",
    "Relation",
    "Unprotectable",
    "protect_counts",
    "protect_table",
    "share",
    "suppress",
    "unprotected_counts",
]
