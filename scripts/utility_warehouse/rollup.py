"""Filtered portfolio rollups of monthly usage and cost from the built warehouse.

Reads the mart contract in schema ``marts`` of the DuckDB file (opened read-only):
``fct_meter_monthly`` (grain meter x month x currency), ``dim_companies``,
``dim_sites`` and ``dim_meter_tags``; with ``--include-implied`` also the
implied sewer per water usage row, meter and month
(``intermediate.int_sewer_usage_implied``, the rows behind the ``is_implied``
rows of ``marts.fct_portfolio_monthly``), and with ``--include-estimated`` the
mirror-site estimates ``marts.fct_site_monthly_estimated``. Those rows are kept
apart from metered ones: the output then has a ``kind`` column (metered,
implied, estimated) that is part of every row's key.

Every filter value reaches DuckDB as a bound parameter; the only SQL text that
varies with the request comes from the fixed whitelists below (``PERIODS`` and
``GROUPINGS``).

Months run from ``MONTH_MIN`` (1950-01) to the month one year after today, the
months of the as-of dates every command accepts (``as_of_bound``); a month or a
``--last-months`` window outside that range is a bad request, and so is a
warehouse whose recorded as-of date is outside the bound. ``--last-months N``
ends at the last complete month of the warehouse's as-of date (the as-of date
of the latest run in ``marts.run_metadata``, or today when the warehouse has
no such table): the as-of month when the as-of date is its last day, else the
month before (``reading.last_complete_month``); ``--through as-of`` ends it at
the as-of month instead, the month in progress included.

Exit codes: 0 the rollup was printed (maybe empty); 2 a bad request (unknown
filter value, malformed or out-of-range month, missing or unbuilt database);
3 busy: another process holds the DuckDB file for writing (a run is building
it); a scheduler may retry.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeAlias

import duckdb

from utility_warehouse import reading, target_reader
from utility_warehouse.as_of_bound import (
    AsOfError,
    month_bounds,
    months_text,
    warehouse_as_of,
)
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_BUSY, EXIT_OK
from utility_warehouse.reading import (
    json_value,
    last_complete_month,
    money_text,
    month_index,
    month_of_index,
    month_text,
    usage_text,
)
from utility_warehouse.safe_output import csv_line, display_width, pad, table_text

COMMAND = "rollup"
HELP = "Roll up monthly usage and cost by period and company, site, commodity or tag."


MARTS_SCHEMA = "marts"
REQUIRED_TABLES: tuple[str, ...] = (
    "fct_meter_monthly",
    "dim_companies",
    "dim_sites",
    "dim_meter_tags",
)

# The tables the optional kinds read, as (schema, table).
IMPLIED_TABLE: tuple[str, str] = ("intermediate", "int_sewer_usage_implied")
ESTIMATED_TABLE: tuple[str, str] = (MARTS_SCHEMA, "fct_site_monthly_estimated")

# The kinds of rows, in output order: metered usage and cost (always), implied
# sewer (--include-implied) and mirror-site estimates (--include-estimated).
KINDS: tuple[str, ...] = ("metered", "implied", "estimated")

COMMODITIES: tuple[str, ...] = (
    "ELECTRICITY",
    "GAS",
    "WATER",
    "SEWER",
    "STEAM",
    "FUEL_OIL",
    "PROPANE",
    "DISTRICT_HEATING",
    "DISTRICT_COOLING",
)

# Period granularity -> SQL expression of the period label over ``b.month``.
PERIODS: dict[str, str] = {
    "month": "strftime(b.month, '%Y-%m')",
    "quarter": "strftime(b.month, '%Y') || '-Q' || CAST(quarter(b.month) AS VARCHAR)",
    "year": "strftime(b.month, '%Y')",
    "total": "'total'",
}

# Grouping -> the output columns it adds, each with its SQL expression.
GROUPINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "company": (("company_id", "b.company_id"), ("company_name", "c.company_name")),
    "site": (
        ("site_id", "b.site_id"),
        (
            "site_name",
            "CASE WHEN b.site_id IS NULL THEN 'Unassigned' ELSE s.site_name END",
        ),
    ),
    "commodity": (("commodity", "b.commodity"),),
    "tag": (("tag", "t.tag_name"),),
}

# The join each grouping needs (tag's is built with the tag filter, see below).
_GROUPING_JOINS: dict[str, str] = {
    "company": (
        "LEFT JOIN (SELECT company_id, any_value(company_name) AS company_name "
        f"FROM {MARTS_SCHEMA}.dim_companies GROUP BY company_id) AS c "
        "ON c.company_id = b.company_id"
    ),
    "site": (
        "LEFT JOIN (SELECT site_id, any_value(site_name) AS site_name "
        f"FROM {MARTS_SCHEMA}.dim_sites GROUP BY site_id) AS s "
        "ON s.site_id = b.site_id"
    ),
    "commodity": "",
}

MEASURES: tuple[str, ...] = ("usage", "export_usage", "generation_usage", "net_usage")
NUMBER_COLUMNS: frozenset[str] = frozenset((*MEASURES, "cost"))
COUNT_COLUMNS: frozenset[str] = frozenset(("meter_count",))

FORMATS: tuple[str, ...] = ("table", "csv", "json")
# Where --last-months ends: the last complete month (default) or the as-of month.
THROUGH: tuple[str, ...] = ("complete", "as-of")
# --measure besides usage, served by rollup_carbon from the carbon marts.
CARBON_MEASURES: tuple[str, ...] = ("emissions", "site_energy", "source_energy")

_MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

# The months a rollup can name; a window is computed in whole months between them.
# (The last one is the month one year after today: ``month_bounds()``.)
MONTH_MIN = month_bounds()[0]

Value: TypeAlias = str | int | float | Decimal | None
RollupRow: TypeAlias = dict[str, Value]


class RollupError(Exception):
    """A request the rollup cannot serve; the command exits 2 with the message."""

    exit_code = EXIT_BAD_INPUT


class RollupBusyError(RollupError):
    """The warehouse file is held for writing by another process: exit 3."""

    exit_code = EXIT_BUSY


@dataclass(frozen=True)
class RollupFilters:
    """What to roll up: the filters, the period granularity and the groupings.

    Months are ``YYYY-MM`` strings; ``month_from`` and ``month_to`` are inclusive.
    ``last_months`` counts back from the last complete month of the
    warehouse's as-of date (``through`` "complete") or from its as-of month
    ("as-of"; see ``window_end``) and cannot be combined with
    ``month_from``/``month_to``.
    """

    company: str | None = None
    sites: tuple[str, ...] = ()
    unassigned: bool = False
    commodities: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    month_from: str | None = None
    month_to: str | None = None
    last_months: int | None = None
    through: str = "complete"  # see THROUGH
    by: str = "month"
    group_by: tuple[str, ...] = ()
    include_implied: bool = False
    include_estimated: bool = False
    measure: str = "usage"  # or a carbon measure: see rollup_carbon
    unit: str = "kg"  # of --measure emissions: kg or t

    @property
    def with_kinds(self) -> bool:
        """True when rows other than metered ones may appear: the output then
        has a ``kind`` column."""
        return self.include_implied or self.include_estimated


def normalize_commodity(value: str) -> str:
    """``fuel oil`` / ``Fuel-Oil`` -> ``FUEL_OIL``; raises on an unknown commodity."""
    normalized = re.sub(r"[\s\-]+", "_", value.strip()).upper()
    if normalized not in COMMODITIES:
        raise RollupError(
            f"unknown commodity {value!r}; expected one of {', '.join(COMMODITIES)}"
        )
    return normalized


def parse_month(value: str, option: str = "month") -> date:
    """Parse ``YYYY-MM`` into the first day of that month (within the range)."""
    match = _MONTH_PATTERN.match(value)
    if match is None:
        raise RollupError(f"{option}: malformed month {value!r}; expected YYYY-MM")
    year, month = int(match.group(1)), int(match.group(2))
    first, last = month_bounds()
    if not month_index(first) <= year * 12 + month - 1 <= month_index(last):
        raise RollupError(f"{option}: month {value} is out of range; {months_text()}")
    return date(year, month, 1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``day``'s month.

    Raises RollupError when that month is outside ``month_bounds()`` (or the
    month after the last one): never a date overflow.
    """
    index = month_index(day) + months
    first, last = month_bounds()
    if not month_index(first) <= index <= month_index(last) + 1:
        raise RollupError(f"a month computed from {month_text(day)} is out of range")
    return month_of_index(index)


def output_columns(group_by: Sequence[str], kinds: bool = False) -> list[str]:
    """The output columns, in order, for the given groupings (with ``kinds``,
    the ``kind`` column after the group columns)."""
    columns = ["period"]
    for grouping in _unique(group_by):
        columns.extend(name for name, _ in GROUPINGS[grouping])
    if kinds:
        columns.append("kind")
    return [*columns, *MEASURES, "usage_unit", "cost", "currency", "meter_count"]


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class _Request:
    """A request with its static parts checked and normalized."""

    filters: RollupFilters
    commodities: tuple[str, ...]
    start: date | None
    end: date | None
    group_by: tuple[str, ...]


def _check_static(filters: RollupFilters) -> _Request:
    if filters.by not in PERIODS:
        raise RollupError(
            f"unknown period {filters.by!r}; expected one of {', '.join(PERIODS)}"
        )
    for grouping in filters.group_by:
        if grouping not in GROUPINGS:
            raise RollupError(
                f"unknown grouping {grouping!r}; expected any of {', '.join(GROUPINGS)}"
            )
    commodities = _unique([normalize_commodity(c) for c in filters.commodities])
    start: date | None = None
    end: date | None = None
    if filters.month_from is not None:
        start = parse_month(filters.month_from, "--from")
    if filters.month_to is not None:
        end = parse_month(filters.month_to, "--to")
    if filters.through not in THROUGH:
        raise RollupError(
            f"unknown --through {filters.through!r}; expected one of "
            f"{', '.join(THROUGH)}"
        )
    if filters.last_months is not None:
        if start is not None or end is not None:
            raise RollupError("--last-months cannot be combined with --from or --to")
        if filters.last_months < 1:
            raise RollupError(
                f"--last-months must be at least 1, got {filters.last_months}"
            )
    if start is not None and end is not None and start > end:
        raise RollupError(
            f"--from {filters.month_from} is after --to {filters.month_to}"
        )
    return _Request(filters, commodities, start, end, _unique(filters.group_by))


def _check_tables(
    warehouse: reading.Warehouse, database: Path, filters: RollupFilters
) -> None:
    missing = [t for t in REQUIRED_TABLES if not warehouse.has(MARTS_SCHEMA, t)]
    if missing:
        names = ", ".join(f"{MARTS_SCHEMA}.{t}" for t in missing)
        raise RollupError(
            f"{database} has no {names}; run the pipeline first "
            "(python scripts/pipeline.py run ...)"
        )
    for flag, wanted, (schema, table) in (
        ("--include-implied", filters.include_implied, IMPLIED_TABLE),
        ("--include-estimated", filters.include_estimated, ESTIMATED_TABLE),
    ):
        if wanted and not warehouse.has(schema, table):
            raise RollupError(
                f"{flag}: {database} has no {schema}.{table} (built by an older "
                "version); rebuild it with python scripts/pipeline.py run ..."
            )


def _missing(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    values: Sequence[str],
    fold: bool = False,
) -> list[str]:
    """The values (in the given order) absent from a whitelisted table column;
    with ``fold``, compared case-insensitively."""
    key = "lower({})" if fold else "{}"
    expression = key.format(f"CAST({column} AS VARCHAR)")
    wanted = [v.lower() for v in values] if fold else list(values)
    found = {
        str(value)
        for (value,) in con.execute(
            f"SELECT DISTINCT {expression} FROM {MARTS_SCHEMA}.{table} "
            f"WHERE list_contains(?::VARCHAR[], {expression})",
            [wanted],
        ).fetchall()
    }
    return [v for v in _unique(values) if (v.lower() if fold else v) not in found]


def _tag_list(filters: RollupFilters) -> list[str]:
    """The --tag values as compared: tags match case-insensitively."""
    return list(_unique([tag.lower() for tag in filters.tags]))


def _check_values(con: duckdb.DuckDBPyConnection, filters: RollupFilters) -> None:
    if filters.company is not None and _missing(
        con, "dim_companies", "company_id", [filters.company]
    ):
        raise RollupError(f"unknown company: {filters.company}")
    if filters.sites:
        unknown = _missing(con, "dim_sites", "site_id", filters.sites)
        if unknown:
            raise RollupError(f"unknown site(s): {', '.join(unknown)}")
    if filters.tags:
        unknown = _missing(con, "dim_meter_tags", "tag_name", filters.tags, True)
        if unknown:
            raise RollupError(f"unknown tag(s): {', '.join(unknown)}")


def as_of_date(con: duckdb.DuckDBPyConnection, today: date | None = None) -> date:
    """The warehouse's as-of date: that of the latest run in
    ``marts.run_metadata``, or ``today`` (default: the current date) when the
    warehouse has no run metadata (a warehouse built by plain ``dbt build``).
    Raises ``RollupError`` when the recorded as-of date is out of range."""
    try:
        return warehouse_as_of(con, today) or today or date.today()
    except AsOfError as exc:
        raise RollupError(str(exc)) from exc


def as_of_month(con: duckdb.DuckDBPyConnection, today: date | None = None) -> date:
    """The first day of the warehouse's as-of month (see ``as_of_date``)."""
    as_of = as_of_date(con, today)
    return date(as_of.year, as_of.month, 1)


def window_end(
    con: duckdb.DuckDBPyConnection, through: str, today: date | None = None
) -> date:
    """The month ``--last-months`` ends at: the last complete month of the
    as-of date (``through`` "complete") or the as-of month ("as-of")."""
    as_of = as_of_date(con, today)
    if through == "as-of":
        return date(as_of.year, as_of.month, 1)
    return last_complete_month(as_of)


_END_NAMES = {"complete": "the last complete month", "as-of": "the as-of month"}


def _month_range(request: _Request, last: date) -> tuple[date | None, date | None]:
    """The inclusive first and last month to keep (``None`` = unbounded);
    ``last``: where ``--last-months`` ends (``window_end``)."""
    last_months = request.filters.last_months
    if last_months is None:
        return request.start, request.end
    first_index = month_index(last) - (last_months - 1)
    if first_index < month_index(MONTH_MIN):
        raise RollupError(
            f"--last-months {last_months} reaches back before "
            f"{month_text(MONTH_MIN)} from {_END_NAMES[request.filters.through]} "
            f"{month_text(last)}; "
            f"{months_text()}"
        )
    return month_of_index(first_index), last


def _where(
    request: _Request,
    start: date | None,
    end: date | None,
    alias: str,
    commodity: str | None = "commodity",
    meter: str | None = "meter_id",
) -> tuple[str, list[object]]:
    """The WHERE clause of the filters over the source aliased ``alias``.

    ``commodity`` and ``meter`` name its columns; ``None`` when the source has
    none (the caller leaves the source out when that filter is given).
    """
    filters = request.filters
    conditions: list[str] = []
    params: list[object] = []
    if filters.company is not None:
        conditions.append(f"CAST({alias}.company_id AS VARCHAR) = ?")
        params.append(filters.company)
    site_conditions: list[str] = []
    if filters.sites:
        site_conditions.append(
            f"list_contains(?::VARCHAR[], CAST({alias}.site_id AS VARCHAR))"
        )
        params.append(list(filters.sites))
    if filters.unassigned:
        site_conditions.append(f"{alias}.site_id IS NULL")
    if site_conditions:
        conditions.append("(" + " OR ".join(site_conditions) + ")")
    if request.commodities and commodity is not None:
        conditions.append(f"list_contains(?::VARCHAR[], {alias}.{commodity})")
        params.append(list(request.commodities))
    if filters.tags and meter is not None:
        conditions.append(
            f"{alias}.{meter} IN (SELECT mt.meter_id FROM "
            f"{MARTS_SCHEMA}.dim_meter_tags AS mt "
            "WHERE list_contains(?::VARCHAR[], lower(mt.tag_name)))"
        )
        params.append(_tag_list(filters))
    if start is not None:
        conditions.append(f"{alias}.month >= ?")
        params.append(start)
    if end is not None:
        conditions.append(f"{alias}.month < ?")
        params.append(add_months(end, 1))
    return ("WHERE " + " AND ".join(conditions)) if conditions else "", params


_BASE_COLUMNS = (
    "meter_id, site_id, company_id, commodity, month, usage, export_usage, "
    "generation_usage, net_usage, usage_unit, cost, currency"
)


def _base_sql(
    request: _Request, start: date | None, end: date | None
) -> tuple[str, list[object]]:
    """The rows to roll up (CTE ``b``): the meters' months, and with the flags
    the implied sewer and the mirror estimates, each labelled with its kind."""
    filters = request.filters
    where, params = _where(request, start, end, "f")
    metered = (
        "SELECT f.meter_id, f.site_id, f.company_id, f.commodity, "
        "f.month, f.usage, f.export_usage, f.generation_usage, f.net_usage, "
        "f.usage_unit, f.cost, f.currency "
        f"FROM {MARTS_SCHEMA}.fct_meter_monthly AS f {where}"
    )
    if not filters.with_kinds:
        return metered, params
    parts = [
        f"SELECT {_BASE_COLUMNS}, 'metered' AS kind, 0 AS kind_rank FROM ({metered})"
    ]
    # Implied sewer per water usage row, meter and month: the water meter's
    # site, company and tags; usage only (cost 0, in the water bill's currency).
    if filters.include_implied and (
        not request.commodities or "SEWER" in request.commodities
    ):
        implied_where, implied_params = _where(request, start, end, "i", commodity=None)
        schema, table = IMPLIED_TABLE
        parts.append(
            "SELECT i.meter_id, i.site_id, i.company_id, 'SEWER' AS commodity, "
            "i.month, i.implied_usage AS usage, 0 AS export_usage, "
            "0 AS generation_usage, i.implied_usage AS net_usage, i.usage_unit, "
            "0 AS cost, i.currency, 'implied' AS kind, 1 AS kind_rank "
            f"FROM {schema}.{table} AS i {implied_where}"
        )
        params.extend(implied_params)
    # Mirror-site estimates: a site's usage, no meter (so no tag), no cost and
    # no currency; consumption only (export, generation and net unknown).
    if filters.include_estimated and not filters.tags:
        estimated_where, estimated_params = _where(request, start, end, "e", meter=None)
        schema, table = ESTIMATED_TABLE
        parts.append(
            "SELECT NULL AS meter_id, e.site_id, e.company_id, e.commodity, "
            "e.month, e.usage, NULL AS export_usage, NULL AS generation_usage, "
            "NULL AS net_usage, e.usage_unit, NULL AS cost, NULL AS currency, "
            "'estimated' AS kind, 2 AS kind_rank FROM ("
            "SELECT x.site_id, sc.company_id, x.commodity, x.month, "
            "x.estimated_usage AS usage, x.usage_unit "
            f"FROM {schema}.{table} AS x "
            "LEFT JOIN (SELECT site_id, any_value(company_id) AS company_id "
            f"FROM {MARTS_SCHEMA}.dim_sites GROUP BY site_id) AS sc "
            f"ON sc.site_id = x.site_id) AS e {estimated_where}"
        )
        params.extend(estimated_params)
    return "\nUNION ALL\n".join(parts), params


def _build_sql(
    request: _Request, start: date | None, end: date | None
) -> tuple[str, list[object]]:
    filters = request.filters
    base, params = _base_sql(request, start, end)

    joins: list[str] = []
    for grouping in request.group_by:
        if grouping == "tag":
            # A meter counts under each of its tags (only the selected tags when
            # --tag is given); a meter without tags gets a NULL tag.
            tag_where = ""
            if filters.tags:
                tag_where = "WHERE list_contains(?::VARCHAR[], lower(tag_name)) "
                params.append(_tag_list(filters))
            joins.append(
                "LEFT JOIN (SELECT DISTINCT meter_id, tag_name "
                f"FROM {MARTS_SCHEMA}.dim_meter_tags {tag_where}) AS t "
                "ON t.meter_id = b.meter_id"
            )
        elif _GROUPING_JOINS[grouping]:
            joins.append(_GROUPING_JOINS[grouping])

    group_columns = [
        (name, expression)
        for grouping in request.group_by
        for name, expression in GROUPINGS[grouping]
    ]
    kind_columns = [("kind", "b.kind")] if filters.with_kinds else []
    keys = [
        ("period", PERIODS[request.filters.by]),
        *group_columns,
        *kind_columns,
        ("usage_unit", "b.usage_unit"),
        ("currency", "b.currency"),
    ]
    select = [
        f"{PERIODS[request.filters.by]} AS period",
        *(f"{expression} AS {name}" for name, expression in group_columns),
        *(f"{expression} AS {name}" for name, expression in kind_columns),
        *(f"sum(b.{measure}) AS {measure}" for measure in MEASURES),
        "b.usage_unit AS usage_unit",
        "sum(b.cost) AS cost",
        "b.currency AS currency",
        "count(DISTINCT b.meter_id) AS meter_count",
    ]
    group_by = [expression for _, expression in keys]
    # Kinds sort metered, implied, estimated (their rank), not by name.
    order = [
        "b.kind_rank" if name == "kind" else f"{name} NULLS LAST" for name, _ in keys
    ]
    if filters.with_kinds:
        group_by.append("b.kind_rank")
    sql = (
        f"WITH b AS ({base})\n"
        f"SELECT {', '.join(select)}\nFROM b\n"
        + "".join(f"{join}\n" for join in joins)
        + f"GROUP BY {', '.join(group_by)}\n"
        + f"ORDER BY {', '.join(order)}"
    )
    return sql, params


def query_rollup(database: Path, filters: RollupFilters) -> list[RollupRow]:
    """Roll up ``marts.fct_meter_monthly`` of ``database`` (opened read-only).

    Returns one row per period, group, (kind,) usage unit and currency, with the
    keys of ``output_columns(filters.group_by, filters.with_kinds)``. Raises
    ``RollupError`` on a missing or unbuilt database (or one without the table
    a flag needs) and on a filter value that is malformed or unknown.
    """
    request = _check_static(filters)
    warehouse = reading.open_warehouse(
        database,
        (MARTS_SCHEMA, IMPLIED_TABLE[0]),
        RollupError,
        RollupBusyError,
    )
    con = warehouse.con
    try:
        _check_tables(warehouse, database, filters)
        last = window_end(con, filters.through)
        _check_values(con, filters)
        start, end = _month_range(request, last)
        sql, params = _build_sql(request, start, end)
        return warehouse.rows(sql, params)
    except duckdb.Error as exc:
        raise RollupError(f"querying {database} failed: {exc}") from exc
    finally:
        con.close()


def _full_precision(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    return str(value)


# The table: short headers (CSV and JSON keep the full column names), usage
# with its unit and cost with its currency in one cell.
TABLE_WIDTH = 100
NAME_MIN_WIDTH = 10  # a name column is cut (ending in an ellipsis) down to this
_SHORT_HEADERS: dict[str, str] = {
    "company_name": "company",
    "site_name": "site",
    "export_usage": "export",
    "generation_usage": "generation",
    "net_usage": "net",
    "meter_count": "meters",
}
_NAME_COLUMNS: tuple[str, ...] = ("site_name", "company_name", "tag")
_FLOWS: tuple[str, ...] = ("export_usage", "generation_usage", "net_usage")
_MERGED: tuple[str, ...] = ("usage_unit", "currency")  # shown inside other cells


def _has_flows(row: RollupRow) -> bool:
    """True when a row has export or generation usage (net differs)."""
    net = row.get("net_usage")
    flows = row.get("export_usage") or row.get("generation_usage")
    return bool(flows) or (net is not None and net != row.get("usage"))


def _cell(column: str, row: RollupRow) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if column == "cost" and not isinstance(value, str):
        currency = row.get("currency")
        return f"{money_text(value, currency)} {table_text(currency)}".rstrip()
    if column in NUMBER_COLUMNS and not isinstance(value, str):
        return f"{usage_text(value)} {table_text(row.get('usage_unit'))}".rstrip()
    if column in COUNT_COLUMNS and isinstance(value, int):
        return f"{value:,}"
    return table_text(value, None)


def _cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending in an ellipsis when cut."""
    if display_width(text) <= width:
        return text
    kept = ""
    for char in text:
        if display_width(kept + char) > width - 1:
            break
        kept += char
    return kept + "\u2026"


def _lines(rows: Sequence[RollupRow], shown: Sequence[str]) -> list[str]:
    """The aligned table of ``shown`` columns within ``TABLE_WIDTH`` when the
    names can be cut enough."""
    headers = [_SHORT_HEADERS.get(column, column) for column in shown]
    cells = [[_cell(column, row) for column in shown] for row in rows]
    right = [c in NUMBER_COLUMNS or c in COUNT_COLUMNS for c in shown]
    widths = [
        max([display_width(header), *(display_width(line[i]) for line in cells)])
        for i, header in enumerate(headers)
    ]
    names = [i for i, column in enumerate(shown) if column in _NAME_COLUMNS]

    def total() -> int:
        return sum(widths) + 2 * (len(widths) - 1)

    while total() > TABLE_WIDTH:
        wider = [i for i in names if widths[i] > NAME_MIN_WIDTH]
        if not wider:
            break
        widest = max(wider, key=lambda i: widths[i])
        widths[widest] = max(widths[widest] - (total() - TABLE_WIDTH), NAME_MIN_WIDTH)

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            pad(_cut(value, width), width, is_right)
            for value, width, is_right in zip(values, widths, right, strict=True)
        ).rstrip()

    return [
        line(headers),
        line(["-" * width for width in widths]),
        *(line(values) for values in cells),
    ]


def format_table(rows: Sequence[RollupRow], columns: Sequence[str]) -> str:
    """Aligned columns within 100 characters under short headers, for people:
    usage with its unit, rounded by size, and cost with its currency, to its
    minor unit (no decimals for VND or JPY), both with thousands separators;
    text with control characters shown visibly, names cut with an ellipsis to
    fit. Columns that say nothing are left out and said so under the table: a
    period that is ``total`` on every row, and export, generation and net
    usage when no row has any; when they do not fit, the rows having them are
    listed again below with those three."""
    shown = [column for column in columns if column not in _MERGED]
    notes = []
    if rows and "period" in shown and all(row.get("period") == "total" for row in rows):
        shown.remove("period")
        notes.append("period: the total of the months selected")
    flows = [row for row in rows if _has_flows(row)]
    if not flows:
        if rows and set(_FLOWS) <= set(shown):
            notes.append("no export or generation usage (net = usage)")
        shown = [column for column in shown if column not in _FLOWS]
    out = _lines(rows, shown)
    if flows and max(display_width(line) for line in out) > TABLE_WIDTH:
        main = [column for column in shown if column not in _FLOWS]
        out = _lines(rows, main)
        keys = [column for column in main if column not in NUMBER_COLUMNS]
        keys = [column for column in keys if column not in COUNT_COLUMNS]
        out += ["", "rows with export or generation usage:"]
        out += _lines(flows, [*keys, *_FLOWS])
    if notes:
        out.append(f"({'; '.join(notes)}; --format csv for every column)")
    return "\n".join(out) + "\n"


def format_csv(rows: Sequence[RollupRow], columns: Sequence[str]) -> str:
    """A header row and one row per result, numbers in full precision; text a
    spreadsheet would run as a formula gets a leading single quote."""
    lines = [csv_line(columns)]
    for row in rows:
        values = [row.get(column) for column in columns]
        lines.append(csv_line(values, _full_precision))
    return "".join(lines)


def format_json(rows: Sequence[RollupRow], columns: Sequence[str]) -> str:
    """A JSON list of objects: usage and cost as strings with every digit (a
    JSON number would be read as a binary float), counts as numbers, NULL as
    null."""
    objects = [
        {column: json_value(row.get(column)) for column in columns} for row in rows
    ]
    return json.dumps(objects, indent=2) + "\n"


_FORMATTERS = {"table": format_table, "csv": format_csv, "json": format_json}

_EPILOG = """\
Output: one row per period, group, usage_unit and currency, with columns
period, the group columns, usage, export_usage, generation_usage, net_usage,
usage_unit, cost, currency and meter_count (distinct meters contributing).

Usage in different units is never added, and cost in different currencies is
never added. A meter whose bills for a month came in two currencies has two
rows in the mart; each output row carries the usage and cost of its own
currency's rows, so the usage of such a meter and month is split across the
currency rows (add them up per usage_unit for its total usage).

--group-by site shows site_id and site_name; meters without a site show the
site_name 'Unassigned' and an empty site_id. --group-by tag puts a meter under
each of its tags (only the --tag tags when given; untagged meters get an empty
tag), so totals across tags double count meters with several tags.

--last-months N keeps the last N months up to the last complete month of the
warehouse's as-of date: the as-of month when the as-of date is its month's last
day, else the month before (bills for the rest of a month in progress cannot
be in yet). The as-of date is that of the latest run recorded in
marts.run_metadata (today when the warehouse has no marts.run_metadata, e.g.
built by plain dbt build). --through as-of ends the window at the as-of month
instead, the month in progress included. A stray future month in the data
does not move the window.

Months (--from, --to and the --last-months window) run from 1950-01 to the
month one year after today, the months of the as-of dates every command
accepts; a month outside that range is refused (exit 2), and so is a warehouse
whose latest run's as-of date is outside them (rebuild it).

The table, for people, fits 100 columns: short headers, usage with its unit
rounded by size, cost with its currency to its minor unit (no decimals for
VND or JPY), names cut with an ellipsis to fit; a total period and export,
generation and net usage when no row has any are left out (said under the
table), and when those do not fit, the rows having them are listed again below
with them. It shows control characters in names visibly (ESC as \\x1b, a
carriage return as \\r). CSV and JSON keep every column and value whole; JSON
writes usage and cost as strings with every digit.

--format csv writes a text cell starting with =, +, -, @, a tab or a carriage
return with a leading single quote (OWASP's guidance on CSV injection), so
that a spreadsheet shows it instead of running it; numbers stay numbers.

--tag matches tags case-insensitively (hvac = HVAC), like --commodity.

--measure emissions (CO2e, location and market, in kg or with --unit t),
site_energy or source_energy (kBtu) rolls up the carbon marts instead, with
the same periods, groupings and filters (emissions are per site: no --tag).
A group's figure is empty ("missing") when any of its rows lacks it (no
emission factor or source-site ratio), never a partial sum or 0; lacking_kwh
is the activity of those rows.

--include-implied and --include-estimated add rows that are not metered: the
output then has a column kind (metered, implied or estimated) after the group
columns, part of each row's key, so implied or estimated usage is never added
into a metered row (rows sort metered, implied, estimated). Every filter
applies to them: implied sewer is commodity SEWER at the site and company of
the water meter that implies it, with that meter's tags; estimates belong to
the estimated site and its company, have no meter and no tag (left out by
--tag), and never have a currency or a cost.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    target_reader.add_source_arguments(parser)
    filters = parser.add_argument_group("filters")
    filters.add_argument("--company", metavar="ID", help="Only this company.")
    filters.add_argument(
        "--site",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="Only these sites (with --unassigned: these sites and unassigned meters).",
    )
    filters.add_argument(
        "--unassigned",
        action="store_true",
        help="Meters without a site (alone: only those; with --site: added to "
        "the sites).",
    )
    filters.add_argument(
        "--commodity",
        nargs="+",
        action="extend",
        default=[],
        metavar="C",
        help="Only these commodities, case-insensitive ('fuel oil' = FUEL_OIL): "
        + ", ".join(COMMODITIES)
        + ".",
    )
    filters.add_argument(
        "--tag",
        nargs="+",
        action="extend",
        default=[],
        metavar="T",
        help="Only meters having any of these tags (any case: hvac = HVAC).",
    )
    filters.add_argument(
        "--from",
        dest="month_from",
        metavar="YYYY-MM",
        help="First month, inclusive.",
    )
    filters.add_argument(
        "--to", dest="month_to", metavar="YYYY-MM", help="Last month, inclusive."
    )
    filters.add_argument(
        "--last-months",
        type=int,
        metavar="N",
        help="The last N months up to the last complete month of the "
        "warehouse's as-of date (the latest run's; today without run "
        "metadata). Not with --from/--to.",
    )
    filters.add_argument(
        "--through",
        choices=THROUGH,
        default="complete",
        help="Where --last-months ends: complete (default) = the last complete "
        "month (the as-of month when the as-of date is its last day, else the "
        "month before); as-of = the as-of month, the month in progress "
        "included.",
    )
    kinds = parser.add_argument_group(
        "rows besides metered usage (labelled in an extra column 'kind')"
    )
    kinds.add_argument(
        "--include-implied",
        action="store_true",
        help="Add implied sewer (kind 'implied'): SEWER usage implied from the "
        "water usage of sites without a metered sewer, cost 0, in the water "
        "bill's currency. Each row follows its water meter: company, site and "
        "tag filters and groupings apply as for that meter; meter_count counts "
        "the water meters.",
    )
    kinds.add_argument(
        "--include-estimated",
        action="store_true",
        help="Add mirror-site estimates (kind 'estimated'): months a site with a "
        "mirror has no usage of a commodity, estimated from its mirror site by "
        "floor area. Usage only: cost, currency, export, generation and net "
        "usage are empty and meter_count is 0. They have no meter, hence no "
        "tag: a --tag filter leaves them out and --group-by tag shows them "
        "under an empty tag.",
    )
    shape = parser.add_argument_group("shape")
    shape.add_argument(
        "--by",
        choices=tuple(PERIODS),
        default="month",
        help="Period granularity (default: month); total = one row per group "
        "for the whole selected range.",
    )
    shape.add_argument(
        "--group-by",
        nargs="+",
        action="extend",
        default=[],
        choices=tuple(GROUPINGS),
        metavar="GROUP",
        help="Group by any of: "
        + ", ".join(GROUPINGS)
        + " (default: none, the whole portfolio). Grouping by tag counts a meter "
        "under each of its tags, so totals across tags double count.",
    )
    shape.add_argument(
        "--measure",
        choices=("usage", *CARBON_MEASURES),
        default="usage",
        help="What to roll up (default: usage and cost). emissions: location- and "
        "market-based CO2e of the carbon marts (per site: no --tag); "
        "site_energy, source_energy: kBtu. A figure some row of a group lacks "
        "(no factor or ratio) is empty, never a partial sum.",
    )
    shape.add_argument(
        "--unit",
        choices=("kg", "t"),
        default="kg",
        help="CO2e unit of --measure emissions (default: kg; t = round(kg/1000, 6)).",
    )
    shape.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="Output format (default: table).",
    )


def filters_from_args(args: argparse.Namespace) -> RollupFilters:
    """The ``RollupFilters`` of parsed command-line arguments."""
    return RollupFilters(
        company=args.company,
        sites=tuple(args.site),
        unassigned=bool(args.unassigned),
        commodities=tuple(args.commodity),
        tags=tuple(args.tag),
        month_from=args.month_from,
        month_to=args.month_to,
        last_months=args.last_months,
        through=str(getattr(args, "through", "complete")),
        by=args.by,
        group_by=tuple(args.group_by),
        include_implied=bool(args.include_implied),
        include_estimated=bool(args.include_estimated),
        measure=str(getattr(args, "measure", "usage")),
        unit=str(getattr(args, "unit", "kg")),
    )


def main(args: argparse.Namespace) -> int:
    return target_reader.run_reader(
        args, COMMAND, lambda database: _main(args, database)
    )


def _main(args: argparse.Namespace, database: Path) -> int:
    filters = filters_from_args(args)
    if filters.measure != "usage":
        from utility_warehouse import rollup_carbon  # it imports this module

        return rollup_carbon.main(args.format, database, filters)
    try:
        rows = query_rollup(database, filters)
    except RollupError as exc:
        message = " ".join(str(exc).split())
        print(f"pipeline.py rollup: error: {message}", file=sys.stderr)
        return exc.exit_code
    columns = output_columns(filters.group_by, filters.with_kinds)
    sys.stdout.write(_FORMATTERS[args.format](rows, columns))
    if not rows:
        print("pipeline.py rollup: no rows match the filters", file=sys.stderr)
    return EXIT_OK
