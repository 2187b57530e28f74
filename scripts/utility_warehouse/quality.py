"""The data-quality summary of a built warehouse: one screen an analyst can act on.

Reads the data-quality marts of the DuckDB file (opened read-only): the counts
of every kind of finding, the sites not ENERGY STAR ready with the months they
miss, the largest gaps and overlaps, the other odd bill periods, the duplicate
bill and meter candidates, the largest year-over-year usage anomalies, and the
field issues and the quarantine of the whole warehouse.

Every filter value reaches DuckDB as a bound parameter; the only SQL text that
varies with the request comes from the fixed table and column names below.

A warehouse built before some of these marts existed is still summarized: a
section whose table (or column) is missing says "not built".

Exit codes: 0 the summary was printed (findings are warnings, never failures);
2 a bad request (unknown company or site, a bad --limit, a missing, unbuilt or
not-DuckDB database file); 3 busy: another process holds the DuckDB file for
writing (a run is building it); a scheduler may retry.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

import duckdb

from utility_warehouse import target_reader
from utility_warehouse.as_of_bound import AsOfError, warehouse_as_of
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_BUSY, EXIT_OK
from utility_warehouse.safe_output import (
    display_width,
    json_printable,
    pad,
    printable,
    shorten,
)

COMMAND = "quality"
HELP = "Summarize the data-quality findings of a built warehouse, ready to act on."

MARTS = "marts"
# Needed to check the filter values: without them the warehouse is not built.
REQUIRED_TABLES: tuple[str, ...] = ("dim_companies", "dim_sites")

# The columns each table must have for the sections that read it (a warehouse
# built by an older version may lack a table or a column).
COLUMNS: dict[str, tuple[str, ...]] = {
    "dim_companies": ("company_id",),
    "dim_sites": ("site_id", "company_id", "site_name"),
    "dim_accounts": ("account_id", "company_id"),
    "dim_meters": ("meter_id", "site_id"),
    "fct_bill_meter_costs": ("document_id", "site_id"),
    "dq_meter_month_coverage": (
        "site_id",
        "company_id",
        "commodity",
        "month",
        "status",
    ),
    "dq_site_energy_star_readiness": (
        "site_id",
        "company_id",
        "commodity",
        "latest_complete_month",
        "is_energy_star_ready",
    ),
    "dq_bill_period_issues": (
        "meter_id",
        "document_id",
        "issue_type",
        "issue_days",
        "period_start",
        "period_end",
        "site_id",
        "company_id",
        "commodity",
    ),
    "dq_duplicate_bill_candidates": (
        "document_id",
        "duplicate_of_document_id",
        "account_id",
        "start_date",
        "bill_date",
        "current_charges",
        "currency",
    ),
    "dq_duplicate_meter_candidates": (
        "meter_id",
        "duplicate_of_meter_id",
        "company_id",
        "identifier_type",
        "normalized_value",
    ),
    "dq_usage_anomalies": (
        "meter_id",
        "site_id",
        "company_id",
        "commodity",
        "month",
        "usage",
        "usage_prior_year",
        "change_ratio",
        "usage_unit",
    ),
    "fct_implied_sewer_monthly": (
        "company_id",
        "site_id",
        "month",
        "usage",
        "usage_unit",
    ),
    "fct_site_monthly_estimated": (
        "site_id",
        "commodity",
        "month",
        "estimated_usage",
        "usage_unit",
    ),
    "fct_meter_monthly": (
        "meter_id",
        "site_id",
        "company_id",
        "month",
        "usage_unit",
        "estimated_usage",
    ),
    "fct_unattributed_bill_costs": (
        "document_id",
        "company_id",
        "currency",
        "unattributed_cost",
    ),
    "dq_field_issues": ("entity", "column_name", "reason"),
    "dq_quarantine": ("entity", "reason"),
}

ISSUE_TYPES: tuple[str, ...] = (
    "gap",
    "overlap",
    "short_period",
    "long_period",
    "future_period",
)

FORMATS: tuple[str, ...] = ("table", "json")
DEFAULT_LIMIT = 10
_MAX_LIMIT = 2**63 - 1  # DuckDB's LIMIT is a BIGINT: a larger --limit is "all"
WINDOW_MONTHS = 12  # ENERGY STAR needs 12 consecutive complete months
TABLE_WIDTH = 100

Value: TypeAlias = Any
Row: TypeAlias = dict[str, Value]
Report: TypeAlias = dict[str, Any]


class QualityError(Exception):
    """A request the summary cannot serve; the command exits 2 with the message."""

    exit_code = EXIT_BAD_INPUT


class QualityBusyError(QualityError):
    """The warehouse file is held for writing by another process: exit 3."""

    exit_code = EXIT_BUSY


@dataclass(frozen=True)
class QualityFilters:
    """Which findings to show: a company, sites (any of them), the list length."""

    company: str | None = None
    sites: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT


# --- scoping: how each table is narrowed to a company and sites ---------------------

_SITE_LIST = "list_contains(?::VARCHAR[], CAST({column} AS VARCHAR))"


@dataclass(frozen=True)
class _Scope:
    """SQL conditions narrowing one table (its columns unqualified) to the
    filters: ``company`` holds ``?`` for the company id, ``sites`` holds ``?``
    for the list of site ids (each ``?`` gets the same value);
    ``company_tables`` and ``site_tables`` are the other tables a condition
    reads. ``None``: the filter does not apply."""

    company: str | None
    sites: str | None
    company_tables: tuple[str, ...] = ()
    site_tables: tuple[str, ...] = ()


_DIRECT = _Scope(
    company="CAST(company_id AS VARCHAR) = ?",
    sites=_SITE_LIST.format(column="site_id"),
)

# Mirror estimates: the company of the estimated site.
_ESTIMATE_SCOPE = _Scope(
    company=(
        f"site_id IN (SELECT site_id FROM {MARTS}.dim_sites "
        "WHERE CAST(company_id AS VARCHAR) = ?)"
    ),
    sites=_SITE_LIST.format(column="site_id"),
    company_tables=("dim_sites",),
)

# Duplicate bills: the account's company; a site when either bill has a meter
# there.
_BILLS_AT_SITES = (
    f"SELECT document_id FROM {MARTS}.fct_bill_meter_costs "
    f"WHERE {_SITE_LIST.format(column='site_id')}"
)
_DUPLICATE_BILL_SCOPE = _Scope(
    company=(
        f"account_id IN (SELECT account_id FROM {MARTS}.dim_accounts "
        "WHERE CAST(company_id AS VARCHAR) = ?)"
    ),
    sites=(
        f"(document_id IN ({_BILLS_AT_SITES}) "
        f"OR duplicate_of_document_id IN ({_BILLS_AT_SITES}))"
    ),
    company_tables=("dim_accounts",),
    site_tables=("fct_bill_meter_costs",),
)

# Duplicate meters: a site when either meter is there.
_METERS_AT_SITES = (
    f"SELECT meter_id FROM {MARTS}.dim_meters "
    f"WHERE {_SITE_LIST.format(column='site_id')}"
)
_DUPLICATE_METER_SCOPE = _Scope(
    company="CAST(company_id AS VARCHAR) = ?",
    sites=(
        f"(meter_id IN ({_METERS_AT_SITES}) "
        f"OR duplicate_of_meter_id IN ({_METERS_AT_SITES}))"
    ),
    site_tables=("dim_meters",),
)

# Unattributed bills have no meter, hence no site: with --site they are shown
# for the companies of those sites.
_UNATTRIBUTED_SCOPE = _Scope(
    company="CAST(company_id AS VARCHAR) = ?",
    sites=(
        "CAST(company_id AS VARCHAR) IN (SELECT CAST(company_id AS VARCHAR) "
        f"FROM {MARTS}.dim_sites WHERE {_SITE_LIST.format(column='site_id')})"
    ),
    site_tables=("dim_sites",),
)

# Field issues and quarantined records have no company or site.
_WAREHOUSE = _Scope(company=None, sites=None)


def _where(
    scope: _Scope, filters: QualityFilters, *extra: str
) -> tuple[str, list[object]]:
    """A WHERE clause (maybe empty) of the extra conditions and the scope's."""
    conditions = list(extra)
    params: list[object] = []
    if filters.company is not None and scope.company is not None:
        conditions.append(scope.company)
        params.extend([filters.company] * scope.company.count("?"))
    if filters.sites and scope.sites is not None:
        conditions.append(scope.sites)
        params.extend([list(filters.sites)] * scope.sites.count("?"))
    return ("WHERE " + " AND ".join(conditions)) if conditions else "", params


def _scope_tables(scope: _Scope, filters: QualityFilters) -> tuple[str, ...]:
    tables: tuple[str, ...] = ()
    if filters.company is not None:
        tables += scope.company_tables
    if filters.sites:
        tables += scope.site_tables
    return tables


# --- months -------------------------------------------------------------------------


def _month_text(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def window_months(as_of: date) -> list[date]:
    """The 12 months ending at the as-of month, oldest first."""
    last = date(as_of.year, as_of.month, 1)
    return [_shift_month(last, offset) for offset in range(1 - WINDOW_MONTHS, 1)]


def month_runs(months: Sequence[str]) -> str:
    """``YYYY-MM`` months (sorted) as runs: ``2024-04, 2024-09..2025-01``."""
    runs: list[list[str]] = []
    previous: date | None = None
    for text in months:
        day = date(int(text[:4]), int(text[5:7]), 1)
        if previous is not None and _shift_month(previous, 1) == day:
            runs[-1][1] = text
        else:
            runs.append([text, text])
        previous = day
    return ", ".join(
        first if first == last else f"{first}..{last}" for first, last in runs
    )


# --- the connection and the catalog -------------------------------------------------


def _connect(database: Path) -> duckdb.DuckDBPyConnection:
    return target_reader.connect_read_only(database, QualityError, QualityBusyError)


def _catalog(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The columns of every table and view in schema ``marts``."""
    catalog: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = ? AND table_catalog = current_database()",
        [MARTS],
    ).fetchall():
        catalog.setdefault(str(table), set()).add(str(column))
    return catalog


class _Warehouse:
    """A read-only connection with the catalog of its marts."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.catalog = _catalog(con)

    def unbuilt(self, tables: Iterable[str]) -> list[str]:
        """The tables (``marts.<name>``) missing or lacking a needed column."""
        missing = []
        for table in dict.fromkeys(tables):
            present = self.catalog.get(table)
            if present is None or not set(COLUMNS[table]) <= present:
                missing.append(f"{MARTS}.{table}")
        return missing

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        cursor = self.con.execute(sql, list(params))
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _missing_values(
    warehouse: _Warehouse, table: str, column: str, values: Sequence[str]
) -> list[str]:
    """The values (in the given order, once each) absent from a table column."""
    found = {
        str(value)
        for (value,) in warehouse.con.execute(
            f"SELECT DISTINCT CAST({column} AS VARCHAR) FROM {MARTS}.{table} "
            f"WHERE list_contains(?::VARCHAR[], CAST({column} AS VARCHAR))",
            [list(values)],
        ).fetchall()
    }
    return [value for value in dict.fromkeys(values) if value not in found]


def _check_values(warehouse: _Warehouse, filters: QualityFilters) -> None:
    problems = []
    if filters.company is not None and _missing_values(
        warehouse, "dim_companies", "company_id", [filters.company]
    ):
        problems.append(f"unknown company: {filters.company}")
    if filters.sites:
        unknown = _missing_values(warehouse, "dim_sites", "site_id", filters.sites)
        if unknown:
            problems.append(f"unknown site(s): {', '.join(unknown)}")
    if problems:
        raise QualityError("; ".join(problems))


# --- the sections -------------------------------------------------------------------


def _section(unbuilt: list[str], rows: list[Row], total: int | None = None) -> Report:
    return {
        "built": not unbuilt,
        "missing_tables": unbuilt,
        "total": None if unbuilt else (len(rows) if total is None else total),
        "rows": rows,
    }


def _count_row(
    finding: str,
    label: str,
    source: str,
    count: int | None,
    amount: Value = None,
    unit: str | None = None,
) -> Row:
    return {
        "finding": finding,
        "label": label,
        "source": f"{MARTS}.{source}",
        "built": count is not None,
        "count": count,
        "amount": amount,
        "unit": unit,
    }


_ISSUE_LABELS: dict[str, str] = {
    "gap": "bill period gaps",
    "overlap": "bill period overlaps",
    "short_period": "short bill periods",
    "long_period": "long bill periods",
    "future_period": "bill periods ending after the as-of date",
}

# Findings counted with an amount, one row per unit (or currency): finding,
# label, table, scope, and the query ({where}: the filters) of n, amount, unit.
_AMOUNTS: tuple[tuple[str, str, str, _Scope, str], ...] = (
    (
        "implied_sewer",
        "implied sewer site-months",
        "fct_implied_sewer_monthly",
        _DIRECT,
        "SELECT usage_unit AS unit, count(*) AS n, sum(usage) AS amount FROM ("
        "SELECT site_id, month, usage_unit, sum(usage) AS usage "
        f"FROM {MARTS}.fct_implied_sewer_monthly {{where}} "
        "GROUP BY site_id, month, usage_unit) GROUP BY usage_unit",
    ),
    (
        "mirror_estimate",
        "mirror-estimated site x commodity months",
        "fct_site_monthly_estimated",
        _ESTIMATE_SCOPE,
        "SELECT usage_unit AS unit, count(*) AS n, sum(estimated_usage) AS amount "
        f"FROM {MARTS}.fct_site_monthly_estimated {{where}} GROUP BY usage_unit",
    ),
    (
        "estimated_read",
        "meter-months with estimated-read usage",
        "fct_meter_monthly",
        _DIRECT,
        "SELECT usage_unit AS unit, count(*) AS n, sum(estimated_usage) AS amount "
        "FROM (SELECT meter_id, month, usage_unit, sum(estimated_usage) "
        f"AS estimated_usage FROM {MARTS}.fct_meter_monthly {{where}} "
        "GROUP BY meter_id, month, usage_unit) WHERE estimated_usage > 0 "
        "GROUP BY usage_unit",
    ),
    (
        "unattributed_bill",
        "unattributed bills (no meter on the bill)",
        "fct_unattributed_bill_costs",
        _UNATTRIBUTED_SCOPE,
        "SELECT currency AS unit, count(*) AS n, sum(unattributed_cost) AS amount "
        f"FROM {MARTS}.fct_unattributed_bill_costs {{where}} GROUP BY currency",
    ),
)


def _counts(warehouse: _Warehouse, filters: QualityFilters) -> list[Row]:
    """One row per kind of finding (per unit or currency for those with an
    amount); the count is None when its table is not built."""
    out: list[Row] = []

    def count_by(
        table: str, scope: _Scope, key: str, *extra: str, counted: str = "count(*)"
    ) -> dict[str, int] | None:
        """``counted`` per value of the ``key`` expression; None: not built."""
        if warehouse.unbuilt((table, *_scope_tables(scope, filters))):
            return None
        where, params = _where(scope, filters, *extra)
        found = warehouse.rows(
            f"SELECT {key} AS key, {counted} AS n FROM {MARTS}.{table} {where} "
            f"GROUP BY {key}",
            params,
        )
        return {str(row["key"]): int(row["n"]) for row in found}

    def add(
        finding: str, label: str, table: str, found: dict[str, int] | None, key: str
    ) -> None:
        count = None if found is None else found.get(key, 0)
        out.append(_count_row(finding, label, table, count))

    table = "dq_meter_month_coverage"
    found = count_by(table, _DIRECT, "status", "status IN ('partial', 'missing')")
    add("coverage_partial", "meter-months partly covered", table, found, "partial")
    add("coverage_missing", "meter-months missing", table, found, "missing")

    table = "dq_site_energy_star_readiness"
    found = count_by(table, _DIRECT, "'all'", "NOT is_energy_star_ready")
    label = "site x commodity not ENERGY STAR ready"
    add("energy_star_not_ready", label, table, found, "all")

    table = "dq_bill_period_issues"
    found = count_by(table, _DIRECT, "issue_type")
    for issue_type in (*ISSUE_TYPES, *sorted(set(found or ()) - set(ISSUE_TYPES))):
        label = _ISSUE_LABELS.get(issue_type, f"bill periods: {issue_type}")
        add(f"bill_period_{issue_type}", label, table, found, issue_type)

    table = "dq_duplicate_bill_candidates"
    found = count_by(table, _DUPLICATE_BILL_SCOPE, "'all'")
    add("duplicate_bill", "duplicate bill candidates (pairs)", table, found, "all")

    table = "dq_duplicate_meter_candidates"
    found = count_by(
        table,
        _DUPLICATE_METER_SCOPE,
        "'all'",
        counted="count(DISTINCT [meter_id, duplicate_of_meter_id])",
    )
    label = "duplicate meter candidates (pairs)"
    add("duplicate_meter", label, table, found, "all")

    table = "dq_usage_anomalies"
    found = count_by(table, _DIRECT, "'all'")
    label = "usage anomalies (meter-months, year on year)"
    add("usage_anomaly", label, table, found, "all")

    for finding, label, table, scope, query in _AMOUNTS:
        if warehouse.unbuilt((table, *_scope_tables(scope, filters))):
            out.append(_count_row(finding, label, table, None))
            continue
        where, params = _where(scope, filters)
        found_rows = warehouse.rows(
            f"SELECT * FROM ({query.replace('{where}', where)}) "
            "ORDER BY unit NULLS LAST",
            params,
        )
        if not found_rows:
            out.append(_count_row(finding, label, table, 0))
        for row in found_rows:
            out.append(
                _count_row(finding, label, table, row["n"], row["amount"], row["unit"])
            )

    for finding, label, table in (
        ("field_issue", "field issues (whole warehouse)", "dq_field_issues"),
        ("quarantined", "quarantined records (whole warehouse)", "dq_quarantine"),
    ):
        add(finding, label, table, count_by(table, _WAREHOUSE, "'all'"), "all")
    return out


def _energy_star(
    warehouse: _Warehouse, filters: QualityFilters, months: list[date]
) -> Report:
    """The site x commodity pairs not ENERGY STAR ready, with the months of the
    window whose site x commodity coverage is not complete or absent."""
    unbuilt = warehouse.unbuilt(
        ("dq_site_energy_star_readiness", "dq_meter_month_coverage", "dim_sites")
    )
    if unbuilt:
        return _section(unbuilt, [])
    where, params = _where(_DIRECT, filters, "NOT is_energy_star_ready")
    pairs = warehouse.rows(
        "SELECT r.company_id, r.site_id, s.site_name, r.commodity, "
        "r.latest_complete_month FROM ("
        "SELECT company_id, site_id, commodity, latest_complete_month "
        f"FROM {MARTS}.dq_site_energy_star_readiness {where}) AS r "
        "LEFT JOIN (SELECT site_id, any_value(site_name) AS site_name "
        f"FROM {MARTS}.dim_sites GROUP BY site_id) AS s ON s.site_id = r.site_id "
        "ORDER BY r.company_id, r.site_id, r.commodity",
        params,
    )
    where, params = _where(
        _DIRECT, filters, "site_id IS NOT NULL", "month >= ?", "month <= ?"
    )
    complete = {
        (str(row["site_id"]), str(row["commodity"]), row["month"])
        for row in warehouse.rows(
            "SELECT site_id, commodity, month FROM ("
            "SELECT site_id, commodity, month, bool_and(status = 'complete') "
            f"AS is_complete FROM {MARTS}.dq_meter_month_coverage {where} "
            "GROUP BY site_id, commodity, month) WHERE is_complete",
            [months[0], months[-1], *params],
        )
    }
    rows = []
    for pair in pairs:
        missing = [
            _month_text(month)
            for month in months
            if (str(pair["site_id"]), str(pair["commodity"]), month) not in complete
        ]
        latest = pair["latest_complete_month"]
        rows.append(
            {
                "company_id": pair["company_id"],
                "site_id": pair["site_id"],
                "site_name": pair["site_name"],
                "commodity": pair["commodity"],
                "latest_complete_month": _month_text(latest) if latest else None,
                "missing_month_count": len(missing),
                "missing_months": missing,
            }
        )
    return _section([], rows)


def _limited(
    warehouse: _Warehouse,
    filters: QualityFilters,
    tables: Sequence[str],
    scope: _Scope,
    select: str,
    order: str,
    *extra: str,
) -> Report:
    """The first ``limit`` rows of ``select ... {where} ORDER BY order`` and how
    many there are in all."""
    unbuilt = warehouse.unbuilt((*tables, *_scope_tables(scope, filters)))
    if unbuilt:
        return _section(unbuilt, [])
    where, params = _where(scope, filters, *extra)
    query = select.replace("{where}", where)
    total = warehouse.rows(f"SELECT count(*) AS n FROM ({query})", params)[0]["n"]
    rows = warehouse.rows(
        f"SELECT * FROM ({query}) ORDER BY {order} LIMIT ?",
        [*params, min(filters.limit, _MAX_LIMIT)],
    )
    return _section([], rows, int(total))


_PERIOD_ISSUE_SELECT = (
    "SELECT issue_type, issue_days, meter_id, site_id, company_id, commodity, "
    f"document_id, period_start, period_end FROM {MARTS}.dq_bill_period_issues "
    "{where}"
)


def _gaps_and_overlaps(warehouse: _Warehouse, filters: QualityFilters) -> Report:
    return _limited(
        warehouse,
        filters,
        ("dq_bill_period_issues",),
        _DIRECT,
        _PERIOD_ISSUE_SELECT,
        "issue_days DESC, meter_id, period_start, issue_type, document_id",
        "issue_type IN ('gap', 'overlap')",
    )


def _other_period_issues(warehouse: _Warehouse, filters: QualityFilters) -> Report:
    # Per type, the most extreme first: the shortest short period, the longest
    # long or future one.
    return _limited(
        warehouse,
        filters,
        ("dq_bill_period_issues",),
        _DIRECT,
        _PERIOD_ISSUE_SELECT,
        "issue_type, CASE WHEN issue_type = 'short_period' THEN issue_days "
        "ELSE -issue_days END, meter_id, period_start, document_id",
        "issue_type NOT IN ('gap', 'overlap')",
    )


def _duplicate_bills(warehouse: _Warehouse, filters: QualityFilters) -> Report:
    return _limited(
        warehouse,
        filters,
        ("dq_duplicate_bill_candidates",),
        _DUPLICATE_BILL_SCOPE,
        "SELECT document_id, duplicate_of_document_id, account_id, start_date, "
        "bill_date, current_charges, currency "
        f"FROM {MARTS}.dq_duplicate_bill_candidates {{where}}",
        "bill_date DESC, start_date DESC, document_id, duplicate_of_document_id",
    )


def _duplicate_meters(warehouse: _Warehouse, filters: QualityFilters) -> Report:
    section = _limited(
        warehouse,
        filters,
        ("dq_duplicate_meter_candidates", "dim_meters"),
        _DUPLICATE_METER_SCOPE,
        "SELECT p.meter_id, m.site_id, p.duplicate_of_meter_id, "
        "d.site_id AS duplicate_of_site_id, p.company_id, p.identifiers FROM ("
        "SELECT meter_id, duplicate_of_meter_id, company_id, "
        "list({'identifier_type': identifier_type, "
        "'normalized_value': normalized_value} "
        "ORDER BY identifier_type, normalized_value) AS identifiers "
        f"FROM {MARTS}.dq_duplicate_meter_candidates {{where}} "
        "GROUP BY meter_id, duplicate_of_meter_id, company_id) AS p "
        "LEFT JOIN (SELECT meter_id, any_value(site_id) AS site_id "
        f"FROM {MARTS}.dim_meters GROUP BY meter_id) AS m "
        "ON m.meter_id = p.meter_id "
        "LEFT JOIN (SELECT meter_id, any_value(site_id) AS site_id "
        f"FROM {MARTS}.dim_meters GROUP BY meter_id) AS d "
        "ON d.meter_id = p.duplicate_of_meter_id",
        "company_id, meter_id, duplicate_of_meter_id",
    )
    for row in section["rows"]:
        row["identifiers"] = [dict(item) for item in row["identifiers"] or []]
    return section


def _anomalies(warehouse: _Warehouse, filters: QualityFilters) -> Report:
    section = _limited(
        warehouse,
        filters,
        ("dq_usage_anomalies",),
        _DIRECT,
        "SELECT meter_id, site_id, company_id, commodity, month, usage, "
        "usage_prior_year, change_ratio, usage_unit "
        f"FROM {MARTS}.dq_usage_anomalies {{where}}",
        "abs(change_ratio) DESC, meter_id, month",
    )
    for row in section["rows"]:  # a month, as YYYY-MM
        row["month"] = _month_text(row["month"]) if row["month"] else None
    return section


def _grouped(warehouse: _Warehouse, table: str, keys: Sequence[str]) -> Report:
    """Counts of a whole-warehouse ledger per the key columns."""
    unbuilt = warehouse.unbuilt((table,))
    if unbuilt:
        section = _section(unbuilt, [])
    else:
        columns = ", ".join(keys)
        rows = warehouse.rows(
            f"SELECT {columns}, count(*) AS count FROM {MARTS}.{table} "
            f"GROUP BY {columns} ORDER BY {columns}"
        )
        section = _section([], rows)
    section["records"] = (
        None if unbuilt else sum(int(row["count"]) for row in section["rows"])
    )
    section["scope"] = "warehouse"
    return section


def build_report(
    database: Path, filters: QualityFilters, today: date | None = None
) -> Report:
    """The quality summary of ``database`` (opened read-only) as plain values.

    Raises ``QualityError`` on a missing, unbuilt or unreadable database, an
    unknown company or site, or a bad limit; ``QualityBusyError`` when another
    process holds the file for writing.
    """
    if filters.limit < 1:
        raise QualityError(f"--limit must be at least 1, got {filters.limit}")
    con = _connect(database)
    try:
        warehouse = _Warehouse(con)
        unbuilt = warehouse.unbuilt(REQUIRED_TABLES)
        if unbuilt:
            raise QualityError(
                f"{database} has no {', '.join(unbuilt)}; run the pipeline first "
                "(python scripts/pipeline.py run ...)"
            )
        try:
            run_as_of = warehouse_as_of(con, today)
        except AsOfError as exc:
            raise QualityError(str(exc)) from exc
        _check_values(warehouse, filters)
        as_of = run_as_of or today or date.today()
        months = window_months(as_of)
        return {
            "database": str(database),
            "as_of_date": as_of.isoformat(),
            "as_of_source": "latest run" if run_as_of else "today",
            "window": {"from": _month_text(months[0]), "to": _month_text(months[-1])},
            "filters": {"company": filters.company, "sites": list(filters.sites)},
            "limit": filters.limit,
            "counts": _counts(warehouse, filters),
            "energy_star_not_ready": _energy_star(warehouse, filters, months),
            "gaps_and_overlaps": _gaps_and_overlaps(warehouse, filters),
            "other_period_issues": _other_period_issues(warehouse, filters),
            "duplicate_bills": _duplicate_bills(warehouse, filters),
            "duplicate_meters": _duplicate_meters(warehouse, filters),
            "usage_anomalies": _anomalies(warehouse, filters),
            "field_issues": _grouped(
                warehouse, "dq_field_issues", ("entity", "column_name", "reason")
            ),
            "quarantine": _grouped(warehouse, "dq_quarantine", ("entity", "reason")),
        }
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise QualityError(f"querying {database} failed: {first_line}") from exc
    finally:
        con.close()


# --- output -------------------------------------------------------------------------


def _plain(value: Value) -> Value:
    """JSON values: numbers as numbers, dates as ISO strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def format_json(report: Report) -> str:
    """One JSON object with every section (control characters as escapes)."""
    return (
        json_printable(json.dumps(_plain(report), indent=2, ensure_ascii=False)) + "\n"
    )


def _number(value: Value, decimals: int = 2) -> str:
    if value is None:
        return ""
    return f"{value:,.{decimals}f}"


def _count(value: Value) -> str:
    return "" if value is None else f"{int(value):,}"


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _unit(row: Row) -> str:
    """A count's unit; an amount of unattributed bills without one is in no
    currency (a bill whose currency could not be told)."""
    if row["unit"] is None and row["amount"] is not None:
        return "no currency" if row["finding"] == "unattributed_bill" else "no unit"
    return _text(row["unit"])


def _percent(value: Value) -> str:
    return "" if value is None else f"{Decimal(value) * 100:+,.1f}%"


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[bool],
    *,
    wrap: int | None = None,
    width: int = TABLE_WIDTH,
    indent: str = "  ",
) -> list[str]:
    """Aligned columns within ``width`` characters: the ``wrap`` column (an
    index) wraps onto further lines, then the widest text columns are cut
    (ending in ``~``) until the table fits. Control characters in cells are
    shown visibly (``\\x1b``)."""
    gap = 2
    rows = [[printable(value) for value in row] for row in rows]
    widths = [
        max([display_width(header), *(display_width(row[i]) for row in rows)])
        for i, header in enumerate(headers)
    ]

    def total() -> int:
        return len(indent) + sum(widths) + gap * (len(widths) - 1)

    if wrap is not None and total() > width:
        others = total() - widths[wrap]
        widths[wrap] = max(width - others, len(headers[wrap]), 16)
    while total() > width:
        candidates = [
            i
            for i in range(len(widths))
            if not right[i] and i != wrap and widths[i] > 8
        ]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] = max(
            widths[widest] - (total() - width), 8, len(headers[widest])
        )

    def line(values: Sequence[str]) -> str:
        cells = [
            pad(value, size, is_right)
            for value, size, is_right in zip(values, widths, right, strict=True)
        ]
        return (indent + (" " * gap).join(cells)).rstrip()

    out = [line(headers), line(["-" * size for size in widths])]
    for row in rows:
        cells = [
            shorten(value, widths[i]) if i != wrap else value
            for i, value in enumerate(row)
        ]
        if wrap is None:
            out.append(line(cells))
            continue
        pieces = textwrap.wrap(cells[wrap], widths[wrap]) or [""]
        out.append(line([*cells[:wrap], pieces[0], *cells[wrap + 1 :]]))
        for piece in pieces[1:]:
            blank = ["" for _ in cells]
            blank[wrap] = piece
            out.append(line(blank))
    return out


def _not_built(section: Report) -> list[str]:
    names = ", ".join(section["missing_tables"])
    return [
        f"  not built ({names} missing: the warehouse predates it; "
        "rebuild with pipeline.py run)"
    ]


def _shown(section: Report) -> str:
    shown, total = len(section["rows"]), section["total"]
    return f" ({shown} of {total} shown)" if total and shown < total else ""


def format_table(report: Report) -> str:
    """The summary for a terminal of 100 columns."""
    filters = report["filters"]
    filtered = bool(filters["company"] or filters["sites"])
    lines = [f"Data quality of {printable(report['database'])}"]
    window = report["window"]
    lines.append(
        f"as of {report['as_of_date']} ({report['as_of_source']}); "
        f"ENERGY STAR window {window['from']}..{window['to']}"
    )
    scope = []
    if filters["company"]:
        scope.append(f"company {filters['company']}")
    if filters["sites"]:
        scope.append(f"site(s) {', '.join(filters['sites'])}")
    lines.append(
        "filters: "
        + (printable("; ".join(scope)) if scope else "none (the whole warehouse)")
    )

    def title(text: str) -> None:
        lines.extend(["", f"== {text} =="])

    title("Findings")
    count_rows = []
    for row in report["counts"]:
        count_rows.append(
            [
                row["label"],
                _count(row["count"]) if row["built"] else "not built",
                _number(row["amount"]),
                _unit(row),
            ]
        )
    lines.extend(
        render_table(
            ["finding", "count", "amount", "unit"],
            count_rows,
            [False, True, True, False],
        )
    )
    if filtered and filters["sites"]:
        lines.append(
            "  unattributed bills have no site: shown for the companies of the "
            "selected sites"
        )

    def section(
        key: str,
        heading: str,
        headers: Sequence[str],
        right: Sequence[bool],
        cells: Any,
        *,
        wrap: int | None = None,
        note: str | None = None,
    ) -> None:
        data = report[key]
        title(heading + ("" if not data["built"] else _shown(data)))
        if note:
            lines.append(f"  {note}")
        if not data["built"]:
            lines.extend(_not_built(data))
        elif not data["rows"]:
            lines.append("  none")
        else:
            lines.extend(
                render_table(
                    headers, [cells(row) for row in data["rows"]], right, wrap=wrap
                )
            )

    section(
        "energy_star_not_ready",
        "Sites not ENERGY STAR ready: months not complete in "
        f"{window['from']}..{window['to']}",
        ["site_id", "site_name", "commodity", "latest_complete", "missing",
         "missing_months"],
        [False, False, False, False, True, False],
        lambda row: [
            _text(row["site_id"]),
            _text(row["site_name"]),
            _text(row["commodity"]),
            _text(row["latest_complete_month"]) or "never",
            str(row["missing_month_count"]),
            month_runs(row["missing_months"]),
        ],
        wrap=5,
    )  # fmt: skip
    period_headers = ["issue", "days", "meter_id", "site_id", "commodity",
                      "document_id", "from", "to"]  # fmt: skip
    period_right = [False, True, False, False, False, False, False, False]

    def period_cells(row: Row) -> list[str]:
        return [
            _text(row["issue_type"]),
            _count(row["issue_days"]),
            _text(row["meter_id"]),
            _text(row["site_id"]),
            _text(row["commodity"]),
            _text(row["document_id"]),
            _text(row["period_start"]),
            _text(row["period_end"]),
        ]

    limit = report["limit"]
    section(
        "gaps_and_overlaps",
        f"Gaps and overlaps: top {limit} by days",
        period_headers,
        period_right,
        period_cells,
    )
    section(
        "other_period_issues",
        f"Short, long and future bill periods: top {limit}",
        period_headers,
        period_right,
        period_cells,
    )
    section(
        "duplicate_bills",
        f"Duplicate bill candidates: latest {limit}",
        ["document_id", "duplicate_of", "account_id", "start_date", "bill_date",
         "current_charges", "currency"],
        [False, False, False, False, False, True, False],
        lambda row: [
            _text(row["document_id"]),
            _text(row["duplicate_of_document_id"]),
            _text(row["account_id"]),
            _text(row["start_date"]),
            _text(row["bill_date"]),
            _number(row["current_charges"]),
            _text(row["currency"]),
        ],
    )  # fmt: skip
    section(
        "duplicate_meters",
        f"Duplicate meter candidates: first {limit}",
        ["meter_id", "site_id", "duplicate_of", "its_site_id", "company_id",
         "shared_identifiers"],
        [False] * 6,
        lambda row: [
            _text(row["meter_id"]),
            _text(row["site_id"]),
            _text(row["duplicate_of_meter_id"]),
            _text(row["duplicate_of_site_id"]),
            _text(row["company_id"]),
            ", ".join(
                f"{item['identifier_type']} {item['normalized_value']}"
                for item in row["identifiers"]
            ),
        ],
        wrap=5,
    )  # fmt: skip
    section(
        "usage_anomalies",
        f"Usage anomalies year on year: top {limit} by change",
        ["meter_id", "site_id", "commodity", "month", "usage", "prior_year",
         "change", "unit"],
        [False, False, False, False, True, True, True, False],
        lambda row: [
            _text(row["meter_id"]),
            _text(row["site_id"]),
            _text(row["commodity"]),
            _text(row["month"]),
            _number(row["usage"]),
            _number(row["usage_prior_year"]),
            _percent(row["change_ratio"]),
            _text(row["usage_unit"]),
        ],
    )  # fmt: skip
    warehouse_note = (
        "whole warehouse: these records have no company or site, so "
        "--company/--site do not apply"
        if filtered
        else None
    )
    section(
        "field_issues",
        "Field issues (value set to null or its default) by entity, column, reason",
        ["entity", "column", "reason", "count"],
        [False, False, False, True],
        lambda row: [
            _text(row["entity"]),
            _text(row["column_name"]),
            _text(row["reason"]),
            _count(row["count"]),
        ],
        note=warehouse_note,
    )
    section(
        "quarantine",
        "Quarantined records by entity and reason",
        ["entity", "reason", "count"],
        [False, False, True],
        lambda row: [_text(row["entity"]), _text(row["reason"]), _count(row["count"])],
        note=warehouse_note,
    )
    return "\n".join(lines) + "\n"


_FORMATTERS = {"table": format_table, "json": format_json}

_EPILOG = f"""\
Sections: the count of every kind of finding (meter-months partly covered or
missing, site x commodity pairs not ENERGY STAR ready, bill period issues per
type, duplicate bill and meter candidates, usage anomalies, implied sewer
site-months, mirror-estimated site x commodity months, meter-months with
estimated-read usage, unattributed bills per currency, field issues and
quarantined records); the sites not ENERGY STAR ready per commodity with
their latest complete month and the months, of the {WINDOW_MONTHS} ending at the
as-of month, whose coverage is not complete (or absent); the top N gaps and
overlaps (most days first), short, long and future periods, duplicate bills
(latest first), duplicate meters, and usage anomalies (largest change first);
field issues by entity, column and reason, and the quarantine by entity and
reason.

The as-of month is that of the latest run recorded in marts.run_metadata
(today when the warehouse has none, e.g. built by plain dbt build).

--company and --site narrow every section with a company or site: duplicate
bills by the account's company and the sites of either bill's meters,
duplicate meters by either meter's site, mirror estimates by the estimated
site, unattributed bills (no meter, hence no site) by the companies of the
selected sites. Field issues and quarantined records have neither: they are
always for the whole warehouse.

A section whose mart a warehouse built by an older version lacks says "not
built" (null counts in JSON). The JSON object has the same sections: numbers
are JSON numbers, dates ISO strings, months YYYY-MM.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    target_reader.add_source_arguments(parser)
    parser.add_argument("--company", metavar="ID", help="Only this company.")
    parser.add_argument(
        "--site",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="Only these sites.",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="Output format (default: table, for a 100-column terminal).",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"Rows per top-N list (default: {DEFAULT_LIMIT}).",
    )


def filters_from_args(args: argparse.Namespace) -> QualityFilters:
    """The ``QualityFilters`` of parsed command-line arguments."""
    return QualityFilters(
        company=args.company, sites=tuple(args.site), limit=int(args.limit)
    )


def main(args: argparse.Namespace) -> int:
    return target_reader.run_reader(
        args, COMMAND, lambda database: _main(args, database)
    )


def _main(args: argparse.Namespace, database: Path) -> int:
    try:
        report = build_report(database, filters_from_args(args))
    except QualityError as exc:
        message = " ".join(str(exc).split())
        print(f"pipeline.py quality: error: {message}", file=sys.stderr)
        return exc.exit_code
    sys.stdout.write(_FORMATTERS[args.format](report))
    return EXIT_OK
