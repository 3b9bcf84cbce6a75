"""Disclosure control (secret statistique): each table on its own (`tables`), then linked tables together (`audit`)."""
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
