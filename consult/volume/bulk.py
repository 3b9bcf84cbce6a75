"""Bulk writing: ids assigned by the seeder, rows sent by chunk (SQLite executemany, PostgreSQL `COPY`).

The ORM would build one object per row and flush them one statement at a time; here a row is a tuple in the
order of the columns named, written as the database stores it (dates and booleans converted for SQLite the way
SQLAlchemy writes them, so that the application reads them back unchanged).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Boolean, Date, DateTime, Table, func, select
from sqlalchemy.types import JSON

from consult.extensions import db


def _sqlite_datetime(value):
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_date(value):
    return None if value is None else value.isoformat()


def _sqlite_bool(value):
    return None if value is None else int(value)


def _json(value):
    return None if value is None else json.dumps(value)


class Bulk:
    """Writes rows of many tables in chunks; `commit()` ends a chunk's transaction."""

    def __init__(self, *, report: Callable[[str], None] = lambda _message: None) -> None:
        self.report = report
        self.postgresql = db.session.get_bind().dialect.name == "postgresql"
        self.written: dict[str, int] = {}
        self._next_id: dict[str, int] = {}

    def next_ids(self, table: Table, count: int) -> int:
        """Reserve `count` ids of `table`; returns the first. Ids follow the largest id stored (the ORM may have
        added rows since) or reserved."""
        stored = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        first = max(stored, self._next_id.get(table.name, 0))
        self._next_id[table.name] = first + count
        return first

    def insert(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        """Write `rows` (tuples in the order of `columns`) into `table`; returns how many."""
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return 0
        connection = db.session.connection()
        if self.postgresql:
            converters = [_json if isinstance(table.c[name].type, JSON) else None for name in columns]
            if any(converters):
                rows = [tuple(c(v) if c else v for c, v in zip(converters, row)) for row in rows]
            cursor = connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.close()
        else:
            converters = [self._sqlite_converter(table.c[name].type) for name in columns]
            if any(converters):
                rows = [tuple(c(v) if c else v for c, v in zip(converters, row)) for row in rows]
            marks = ", ".join("?" for _name in columns)
            connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows)
        self.written[table.name] = self.written.get(table.name, 0) + len(rows)
        return len(rows)

    @staticmethod
    def _sqlite_converter(kind):
        if isinstance(kind, DateTime):
            return _sqlite_datetime
        if isinstance(kind, Date):
            return _sqlite_date
        if isinstance(kind, Boolean):
            return _sqlite_bool
        if isinstance(kind, JSON):
            return _json
        return None

    def commit(self) -> None:
        """End the chunk: on PostgreSQL, move each sequence past the ids written, then commit."""
        if self.postgresql:
            connection = db.session.connection()
            for name in self._next_id:
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 1) FROM {name}))")
        db.session.commit()

