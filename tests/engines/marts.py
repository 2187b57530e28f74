"""Read every mart table of a built warehouse as comparable rows, on any engine.

Values are normalized so that equal figures compare equal whatever the driver
returns: decimals to their exact canonical text (``1.500000`` and ``1.5`` alike,
never through binary floating point or a 28-digit context), floats by their exact
binary value (an integral float equals the int, ``0.1`` never equals a decimal),
dates and booleans as they are. ``document_fingerprint`` columns are
engine-specific hashes (each engine compares them only with itself) and are left
out.
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
# Compared like every mart; named so that a mart the reference lost (not built,
# renamed, moved out of the marts schema) fails instead of passing unseen.
CARBON_MARTS = (
    "dq_emission_findings",
    "fct_meter_monthly_energy",
    "fct_site_energy_performance",
    "fct_site_monthly_emissions",
    "rpt_ghg_inventory",
)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: Counter[tuple[Any, ...]]


def normalize(value: Any) -> Any:
    """Numbers as the canonical text of their exact value: every digit of a
    decimal (no rounding to a context's 28 digits: ``Decimal.normalize`` would
    round a decimal(38, x) value), a float by its exact binary value, so that a
    float equals a decimal only when both are the same number (an integral
    float equals the int; ``0.1`` as a float never equals ``0.1`` as a
    decimal: no mart declares a float, and one returned in a decimal's place is
    a difference)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal | int | float):
        number = Decimal(value)
        if not number.is_finite():
            return str(number)
        text = format(number, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("0", "-0") else text
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
