"""Read every mart table of a built warehouse as comparable rows, on any engine.

Values are normalized so that equal figures compare equal whatever the driver
returns: decimals to their exact canonical text (``1.500000`` and ``1.5`` alike,
never through binary floating point), integral floats to ints, dates and booleans
as they are. ``document_fingerprint`` columns are engine-specific hashes (each
engine compares them only with itself) and are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

ENGINE_SPECIFIC_COLUMNS = frozenset({"document_fingerprint"})
# Written by the pipeline after dbt (DuckDB runs only), not by a model.
PIPELINE_TABLES = frozenset({"run_metadata"})


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: Counter[tuple[Any, ...]]


def normalize(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal | int):
        number = Decimal(value)
        if number == 0:
            return "0"
        return format(number.normalize(), "f")
    if isinstance(value, float):
        if value.is_integer():
            return format(Decimal(int(value)), "f")
        return repr(value)
    if isinstance(value, datetime | date | str):
        return value
    return repr(value)


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    keep = [i for i, name in enumerate(columns) if name not in ENGINE_SPECIFIC_COLUMNS]
    names = tuple(columns[i] for i in keep)
    order = sorted(range(len(names)), key=lambda i: names[i])
    counted: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        values = [normalize(row[i]) for i in keep]
        counted[tuple(values[i] for i in order)] += 1
    return Table(tuple(names[i] for i in order), counted)


def duckdb_marts(database: Path) -> dict[str, Table]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' "
                "order by table_name"
            ).fetchall()
            if name not in PIPELINE_TABLES
        ]
        result = {}
        for name in names:
            cursor = con.execute(f'select * from marts."{name}"')
            columns = [item[0] for item in cursor.description]
            result[name] = _table(columns, cursor.fetchall())
        return result
    finally:
        con.close()


def postgres_marts(connection: Any) -> dict[str, Table]:
    with connection.cursor() as cursor:
        cursor.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE' "
            "order by table_name"
        )
        names = [name for (name,) in cursor.fetchall() if name not in PIPELINE_TABLES]
        result = {}
        for name in names:
            cursor.execute(f'select * from marts."{name}"')
            columns = [item[0] for item in cursor.description]
            result[name] = _table(columns, cursor.fetchall())
    connection.rollback()
    return result


def spark_marts(session: Any) -> dict[str, Table]:
    names = [
        row.tableName
        for row in session.sql("show tables in marts").collect()
        if not row.isTemporary and row.tableName not in PIPELINE_TABLES
    ]
    result = {}
    for name in sorted(names):
        frame = session.sql(f"select * from marts.`{name}`")
        result[name] = _table(frame.columns, (tuple(row) for row in frame.collect()))
    return result


def differences(
    reference: Mapping[str, Table], other: Mapping[str, Table], *, limit: int = 5
) -> list[str]:
    """Every way ``other`` differs from ``reference``: tables, columns, rows."""
    problems: list[str] = []
    for name in sorted(set(reference) | set(other)):
        if name not in other:
            problems.append(f"{name}: missing")
            continue
        if name not in reference:
            problems.append(f"{name}: not in the reference")
            continue
        expected, actual = reference[name], other[name]
        if expected.columns != actual.columns:
            problems.append(
                f"{name}: columns {actual.columns} instead of {expected.columns}"
            )
            continue
        missing = expected.rows - actual.rows
        extra = actual.rows - expected.rows
        if missing or extra:
            problems.append(
                f"{name}: {sum(missing.values())} row(s) missing, "
                f"{sum(extra.values())} extra of {sum(expected.rows.values())}"
            )
            for row in list(missing)[:limit]:
                problems.append(f"  - {dict(zip(expected.columns, row, strict=True))}")
            for row in list(extra)[:limit]:
                problems.append(f"  + {dict(zip(expected.columns, row, strict=True))}")
    return problems
