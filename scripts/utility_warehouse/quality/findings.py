"""The data-quality findings of a built warehouse, read (opened read-only) into
plain values: the review queue (``marts.dq_findings``: every finding with its
severity and review status, by default the OPEN ones), the counts of every
kind of finding, the sites not ENERGY STAR ready with the months they miss,
the top rows of each list, and the field issues and the quarantine of the
whole warehouse.

The ENERGY STAR window is the 12 months ending at the last complete month of
the as-of date (``reading.last_complete_month``); a coverage row of the month
in progress (status ``in_progress``) is never listed as missing.

Every filter value reaches DuckDB as a bound parameter; the only SQL text that
varies with the request comes from the fixed table and column names below. A
section whose table (or column) a warehouse built by an older version lacks is
"not built".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeAlias

import duckdb

from utility_warehouse import reading, target_reader
from utility_warehouse.as_of_bound import AsOfError, warehouse_as_of
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_BUSY
from utility_warehouse.reading import last_complete_month, month_text, shift_month

MARTS = "marts"
REFERENCE = "reference"
# The seed naming every kind of finding with its severity.
SEVERITY_SEED: tuple[str, str] = (REFERENCE, "finding_severities")
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
    "dq_findings": (
        "finding_id",
        "kind",
        "severity",
        "company_id",
        "site_id",
        "meter_id",
        "document_id",
        "month",
        "detail",
        "status",
        "reviewed_at",
        "reviewed_by",
        "review_note",
    ),
}

# The review statuses of a finding, and what --status accepts.
REVIEW_STATUSES: tuple[str, ...] = ("OPEN", "RESOLVED", "DISMISSED")
STATUS_CHOICES: tuple[str, ...] = ("all", "open", "resolved", "dismissed")
SEVERITIES: tuple[str, ...] = ("action", "review")
IN_PROGRESS = "in_progress"
"""The coverage status of the as-of month when the as-of date is not its
month's last day: neither complete nor missing."""

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
    """Which findings to show: a company, sites (any of them), the list length;
    for the review queue, the status (``STATUS_CHOICES``), the kinds (any of
    them; empty: every kind) and the severity (None: both)."""

    company: str | None = None
    sites: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    status: str = "open"
    kinds: tuple[str, ...] = ()
    severity: str | None = None
    one_per_kind: bool = False
    """The review queue lists the first finding of each kind (the screen's
    summary: every kind with an id), not the first ``limit``."""


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


def window_months(as_of: date) -> list[date]:
    """The 12 months ending at the last complete month of ``as_of`` (its month
    when it is the month's last day, else the month before), oldest first."""
    last = last_complete_month(as_of)
    return [shift_month(last, offset) for offset in range(1 - WINDOW_MONTHS, 1)]


# --- the connection and the catalog -------------------------------------------------


class _Warehouse(reading.Warehouse):
    """The read-only warehouse; tables are named without their schema."""

    def unbuilt(self, tables: Iterable[str]) -> list[str]:  # type: ignore[override]
        """The tables (``marts.<name>``) missing or lacking a needed column."""
        return super().unbuilt({(MARTS, table): COLUMNS[table] for table in tables})


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


def _known_kinds(warehouse: _Warehouse) -> set[str] | None:
    """The kinds of finding: those of the seed ``reference.finding_severities``
    and those in ``marts.dq_findings``; None when neither is built."""
    kinds: set[str] | None = None
    seed_schema, seed_table = SEVERITY_SEED
    if "kind" in warehouse.catalog.get(SEVERITY_SEED, set()):
        kinds = {
            str(kind)
            for (kind,) in warehouse.tuples(
                f"SELECT DISTINCT kind FROM {seed_schema}.{seed_table} "
                "WHERE kind IS NOT NULL"
            )
        }
    if not warehouse.unbuilt(("dq_findings",)):
        kinds = (kinds or set()) | {
            str(kind)
            for (kind,) in warehouse.tuples(
                f"SELECT DISTINCT kind FROM {MARTS}.dq_findings WHERE kind IS NOT NULL"
            )
        }
    return kinds


def _check_review_filters(warehouse: _Warehouse, filters: QualityFilters) -> None:
    if filters.status not in STATUS_CHOICES:
        raise QualityError(
            f"unknown --status {filters.status!r}; expected one of "
            f"{', '.join(STATUS_CHOICES)}"
        )
    if filters.severity is not None and filters.severity not in SEVERITIES:
        raise QualityError(
            f"unknown --severity {filters.severity!r}; expected one of "
            f"{', '.join(SEVERITIES)}"
        )
    if not filters.kinds:
        return
    known = _known_kinds(warehouse)
    if known is None:
        return  # nothing to check against: the section says "not built"
    unknown = [kind for kind in dict.fromkeys(filters.kinds) if kind not in known]
    if unknown:
        raise QualityError(
            f"unknown --kind {', '.join(unknown)}; the kinds of finding are "
            + (", ".join(sorted(known)) or "none (no finding kind is known)")
        )


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
    out.extend(_review_counts(warehouse, filters))
    return out


REVIEW_FINDING = "review"
"""The ``finding`` of the counts rows of ``marts.dq_findings`` (one per
severity, kind and status, named ``review.<severity>.<kind>.<status>``)."""


def _review_conditions(
    filters: QualityFilters, *, status: bool = True
) -> tuple[list[str], list[object]]:
    """The conditions (and their parameters) of the review-queue filters:
    kinds, severity and (with ``status``) the status."""
    conditions: list[str] = []
    params: list[object] = []
    if filters.kinds:
        conditions.append("list_contains(?::VARCHAR[], CAST(kind AS VARCHAR))")
        params.append(list(filters.kinds))
    if filters.severity is not None:
        conditions.append("lower(CAST(severity AS VARCHAR)) = ?")
        params.append(filters.severity)
    if status and filters.status != "all":
        conditions.append("upper(CAST(status AS VARCHAR)) = ?")
        params.append(filters.status.upper())
    return conditions, params


def _review_counts(warehouse: _Warehouse, filters: QualityFilters) -> list[Row]:
    """The findings of ``marts.dq_findings`` counted per severity, kind and
    status (every status; the kind and severity filters apply), action first;
    one row without a count when the table is not built."""
    table = "dq_findings"
    if warehouse.unbuilt((table,)):
        row = _count_row(REVIEW_FINDING, "findings to review", table, None)
        row.update(severity=None, kind=None, status=None)
        return [row]
    conditions, params = _review_conditions(filters, status=False)
    where, scope_params = _where(_DIRECT, filters, *conditions)
    out = []
    for found in warehouse.rows(
        "SELECT * FROM (SELECT lower(CAST(severity AS VARCHAR)) AS sev, "
        "CAST(kind AS VARCHAR) AS knd, upper(CAST(status AS VARCHAR)) AS st, "
        f"count(*) AS n FROM {MARTS}.{table} {where} GROUP BY sev, knd, st) "
        "ORDER BY sev = 'action' DESC, sev, knd, "
        "list_position(['OPEN', 'RESOLVED', 'DISMISSED'], st), st",
        [*params, *scope_params],
    ):
        severity, kind, status = found["sev"], found["knd"], found["st"]
        row = _count_row(
            f"{REVIEW_FINDING}.{severity}.{kind}.{str(status).lower()}",
            f"{kind} ({severity}), {str(status).lower()}",
            table,
            int(found["n"]),
        )
        row.update(severity=severity, kind=kind, status=status)
        out.append(row)
    return out


def _review_queue(warehouse: _Warehouse, filters: QualityFilters) -> Report:
    """The findings of ``marts.dq_findings`` the filters select (by default
    the OPEN ones), action before review, then by kind, company, site, meter,
    bill, month and id; the first ``limit`` of them and how many in all."""
    table = "dq_findings"
    unbuilt = warehouse.unbuilt((table,))
    if unbuilt:
        section = _section(unbuilt, [])
    else:
        conditions, params = _review_conditions(filters)
        where, scope_params = _where(_DIRECT, filters, *conditions)
        params = [*params, *scope_params]
        query = (
            "SELECT finding_id, lower(CAST(severity AS VARCHAR)) AS severity, "
            "kind, upper(CAST(status AS VARCHAR)) AS status, company_id, site_id, "
            "meter_id, document_id, month, detail, reviewed_at, reviewed_by, "
            f"review_note FROM {MARTS}.{table} {where}"
        )
        total = warehouse.rows(f"SELECT count(*) AS n FROM ({query})", params)[0]["n"]
        order = (
            "severity = 'action' DESC, severity, kind, company_id NULLS FIRST, "
            "site_id NULLS FIRST, meter_id NULLS FIRST, document_id NULLS FIRST, "
            "month NULLS FIRST, finding_id"
        )
        if filters.one_per_kind:
            query = (
                f"SELECT * FROM ({query}) QUALIFY row_number() OVER "
                f"(PARTITION BY kind ORDER BY {order}) = 1"
            )
        rows = warehouse.rows(
            f"SELECT * FROM ({query}) ORDER BY {order} LIMIT ?",
            [
                *params,
                _MAX_LIMIT if filters.one_per_kind else min(filters.limit, _MAX_LIMIT),
            ],
        )
        for row in rows:  # a month, as YYYY-MM
            row["month"] = month_text(row["month"]) if row["month"] else None
        section = _section([], rows, int(total))
    section["status"] = filters.status
    section["one_per_kind"] = filters.one_per_kind
    section["kinds"] = list(filters.kinds)
    section["severity"] = filters.severity
    return section


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
    # A month is not missing when every coverage row is complete or in
    # progress (the as-of month: its bills cannot all be in yet).
    complete = {
        (str(row["site_id"]), str(row["commodity"]), row["month"])
        for row in warehouse.rows(
            "SELECT site_id, commodity, month FROM ("
            "SELECT site_id, commodity, month, "
            f"bool_and(status IN ('complete', '{IN_PROGRESS}')) "
            f"AS is_complete FROM {MARTS}.dq_meter_month_coverage {where} "
            "GROUP BY site_id, commodity, month) WHERE is_complete",
            [months[0], months[-1], *params],
        )
    }
    rows = []
    for pair in pairs:
        missing = [
            month_text(month)
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
                "latest_complete_month": month_text(latest) if latest else None,
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
        row["month"] = month_text(row["month"]) if row["month"] else None
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
    con = target_reader.connect_read_only(database, QualityError, QualityBusyError)
    try:
        warehouse = _Warehouse(con, (MARTS, REFERENCE))
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
        _check_review_filters(warehouse, filters)
        as_of = run_as_of or today or date.today()
        months = window_months(as_of)
        return {
            "database": str(database),
            "as_of_date": as_of.isoformat(),
            "as_of_source": "latest run" if run_as_of else "today",
            "window": {"from": month_text(months[0]), "to": month_text(months[-1])},
            "filters": {"company": filters.company, "sites": list(filters.sites)},
            "limit": filters.limit,
            "findings": _review_queue(warehouse, filters),
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
        raise QualityError(
            f"querying {database} failed: {reading.first_line(exc)}"
        ) from exc
    finally:
        con.close()
