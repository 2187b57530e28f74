"""What every read command (rollup, quality, inspect, report, export) shares:
the first line of an error, a read-only warehouse with the catalog of the
schemas it reads, and calendar months as dates (the first of the month).

A command keeps its own error pair (``XError`` for exit 2, ``XBusyError`` for
exit 3) and passes it to :func:`open_warehouse`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse import target_reader

Row = dict[str, Any]
TableKey = tuple[str, str]
"""(schema, table)."""


def first_line(error: BaseException) -> str:
    """The first line of an error's message, or its type's name."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --- calendar months ----------------------------------------------------------------


def month_index(day: date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> date:
    """The first day of the month ``index`` (see :func:`month_index`)."""
    return date(index // 12, index % 12 + 1, 1)


def shift_month(day: date, months: int) -> date:
    """The first day of the month ``months`` after (negative: before) ``day``'s."""
    return month_of_index(month_index(day) + months)


def month_text(day: date) -> str:
    """``YYYY-MM``."""
    return f"{day.year:04d}-{day.month:02d}"


# --- the warehouse ------------------------------------------------------------------


class Warehouse:
    """A read-only connection with the columns of every table and view of the
    schemas a command reads."""

    def __init__(self, con: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> None:
        self.con = con
        self.catalog: dict[TableKey, set[str]] = {}
        for schema, table, column in con.execute(
            "SELECT table_schema, table_name, column_name "
            "FROM information_schema.columns "
            "WHERE table_catalog = current_database() "
            "AND list_contains(?::VARCHAR[], table_schema)",
            [list(schemas)],
        ).fetchall():
            self.catalog.setdefault((str(schema), str(table)), set()).add(str(column))

    def has(self, schema: str, table: str) -> bool:
        return (schema, table) in self.catalog

    def unbuilt(self, required: Mapping[TableKey, Iterable[str]]) -> list[str]:
        """``schema.table`` of each required table missing or lacking a column."""
        return [
            ".".join(key)
            for key, columns in required.items()
            if not set(columns) <= self.catalog.get(key, set())
        ]

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """The rows of a query as dictionaries by column name."""
        cursor = self.con.execute(sql, list(params))
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def tuples(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def close(self) -> None:
        self.con.close()


def open_warehouse(
    database: Path,
    schemas: Sequence[str],
    error: type[Exception],
    busy: type[Exception],
) -> Warehouse:
    """A read-only :class:`Warehouse`: ``error`` when the file is missing or
    unreadable (exit 2), ``busy`` when a writer holds it (exit 3)."""
    con = target_reader.connect_read_only(database, error, busy)
    try:
        return Warehouse(con, schemas)
    except BaseException:
        con.close()
        raise
