"""``rollup --measure emissions|site_energy|source_energy``: the carbon marts
rolled up with the rollup's periods, groupings and filters.

- ``emissions`` reads ``marts.fct_site_monthly_emissions`` (company x site x
  commodity x month): activity kWh, location- and market-based CO2e in kg or
  (``--unit t``) tonnes, ``round(kg / 1000, 6)``. Its grain is the site
  (market-based emissions are allocated per site), so meter tags neither
  filter nor group it: ``--tag`` and ``--group-by tag`` are refused.
- ``site_energy`` and ``source_energy`` read ``marts.fct_meter_monthly_energy``
  (meter x month): activity kWh and site or source energy in kBtu, with the
  meters counted; tags filter and group them as in the usage rollup.

The filters are the rollup's own (``rollup._where``, the SQL the
``portfolio_filter`` macro agrees with), over the same columns. A figure of a
group is NULL ("missing" in the table) when any of its rows lacks it (no
emission factor, no source-site ratio): a partial sum is never shown as a
whole, nor as zero. ``lacking_kwh`` says how much activity lacks it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from utility_warehouse import reading, rollup
from utility_warehouse.exit_codes import EXIT_OK
from utility_warehouse.reading import usage_text
from utility_warehouse.rollup import (
    GROUPINGS,
    MARTS_SCHEMA,
    PERIODS,
    RollupBusyError,
    RollupError,
    RollupFilters,
    RollupRow,
)
from utility_warehouse.safe_output import table_lines, table_text

UNITS: tuple[str, ...] = ("kg", "t")
MISSING = "missing"


@dataclass(frozen=True)
class Measure:
    """A carbon measure: its mart, whether the mart has meters (tags), and its
    value columns as (output name stem, source column, unit)."""

    table: str
    has_meters: bool
    values: tuple[tuple[str, str, str], ...]


MEASURES: dict[str, Measure] = {
    "emissions": Measure(
        "fct_site_monthly_emissions",
        False,
        (
            ("co2e_location", "co2e_location_kg", "kg"),
            ("co2e_market", "co2e_market_kg", "kg"),
        ),
    ),
    "site_energy": Measure(
        "fct_meter_monthly_energy",
        True,
        (("site_energy", "site_energy_kbtu", "kbtu"),),
    ),
    "source_energy": Measure(
        "fct_meter_monthly_energy",
        True,
        (("source_energy", "source_energy_kbtu", "kbtu"),),
    ),
}


def value_columns(measure: str, unit: str = "kg") -> list[str]:
    """The value columns of a measure, named with their unit."""
    return [
        f"{stem}_{unit if source_unit == 'kg' else source_unit}"
        for stem, _, source_unit in MEASURES[measure].values
    ]


def output_columns(
    measure: str, group_by: Sequence[str], unit: str = "kg"
) -> list[str]:
    columns = ["period"]
    for grouping in dict.fromkeys(group_by):
        columns.extend(name for name, _ in GROUPINGS[grouping])
    columns += ["activity_kwh", *value_columns(measure, unit), "lacking_kwh"]
    if MEASURES[measure].has_meters:
        columns.append("meter_count")
    return columns


def _check(filters: RollupFilters) -> Measure:
    if filters.measure not in MEASURES:
        raise RollupError(
            f"unknown measure {filters.measure!r}; expected usage or one of "
            f"{', '.join(MEASURES)}"
        )
    if filters.unit not in UNITS:
        raise RollupError(f"unknown unit {filters.unit!r}; expected kg or t")
    measure = MEASURES[filters.measure]
    if filters.with_kinds:
        raise RollupError(
            f"--measure {filters.measure}: --include-implied and "
            "--include-estimated add usage only (they carry no energy or emissions)"
        )
    if not measure.has_meters and (filters.tags or "tag" in filters.group_by):
        raise RollupError(
            f"--measure {filters.measure}: emissions are per site (market-based "
            "emissions are allocated to sites), so meter tags cannot filter or "
            "group them; leave out --tag and --group-by tag"
        )
    return measure


def _value_sql(source: str, unit: str, target_unit: str) -> str:
    """The sum of ``b.<source>``, NULL when any row of the group lacks it."""
    total = f"sum(b.{source})"
    if unit == "kg" and target_unit == "t":
        total = f"round({total} * CAST(0.001 AS DECIMAL(4, 3)), 6)"
    return f"CASE WHEN count(*) = count(b.{source}) THEN {total} END"


def _build_sql(
    request: rollup._Request,
    measure: Measure,
    start: date | None,
    end: date | None,
) -> tuple[str, list[object]]:
    filters = request.filters
    meter = "meter_id" if measure.has_meters else None
    where, params = rollup._where(request, start, end, "f", meter=meter)
    sources = [source for _, source, _ in measure.values]
    meter_column = "f.meter_id" if measure.has_meters else "NULL AS meter_id"
    base = (
        f"SELECT {meter_column}, f.site_id, f.company_id, f.commodity, f.month, "
        f"f.activity_kwh, {', '.join(f'f.{s}' for s in sources)} "
        f"FROM {MARTS_SCHEMA}.{measure.table} AS f {where}"
    )
    joins: list[str] = []
    for grouping in request.group_by:
        if grouping == "tag":
            tag_where = ""
            if filters.tags:
                tag_where = "WHERE list_contains(?::VARCHAR[], lower(tag_name)) "
                params.append(rollup._tag_list(filters))
            joins.append(
                "LEFT JOIN (SELECT DISTINCT meter_id, tag_name "
                f"FROM {MARTS_SCHEMA}.dim_meter_tags {tag_where}) AS t "
                "ON t.meter_id = b.meter_id"
            )
        elif rollup._GROUPING_JOINS[grouping]:
            joins.append(rollup._GROUPING_JOINS[grouping])
    groups = [
        (name, expression)
        for grouping in request.group_by
        for name, expression in GROUPINGS[grouping]
    ]
    names = value_columns(filters.measure, filters.unit)
    lacking = " OR ".join(f"b.{source} IS NULL" for source in sources)
    select = [
        f"{PERIODS[filters.by]} AS period",
        *(f"{expression} AS {name}" for name, expression in groups),
        "sum(b.activity_kwh) AS activity_kwh",
        *(
            f"{_value_sql(source, unit, filters.unit)} AS {name}"
            for (_, source, unit), name in zip(measure.values, names, strict=True)
        ),
        "coalesce(sum(CASE WHEN "
        + lacking
        + " THEN b.activity_kwh END), 0) AS lacking_kwh",
    ]
    if measure.has_meters:
        select.append("count(DISTINCT b.meter_id) AS meter_count")
    keys = [PERIODS[filters.by], *(expression for _, expression in groups)]
    order = ["period", *(f"{name} NULLS LAST" for name, _ in groups)]
    sql = (
        f"WITH b AS ({base})\n"
        f"SELECT {', '.join(select)}\nFROM b\n"
        + "".join(f"{join}\n" for join in joins)
        + f"GROUP BY {', '.join(keys)}\n"
        + f"ORDER BY {', '.join(order)}"
    )
    return sql, params


def query_carbon(database: Path, filters: RollupFilters) -> list[RollupRow]:
    """Roll up the carbon mart of ``filters.measure`` of ``database``."""
    measure = _check(filters)
    request = rollup._check_static(filters)
    warehouse = reading.open_warehouse(
        database, (MARTS_SCHEMA,), RollupError, RollupBusyError
    )
    con = warehouse.con
    try:
        rollup._check_tables(warehouse, database, filters)
        if not warehouse.has(MARTS_SCHEMA, measure.table):
            raise RollupError(
                f"--measure {filters.measure}: {database} has no "
                f"{MARTS_SCHEMA}.{measure.table} (built by an older version); "
                "rebuild it with python scripts/pipeline.py run ..."
            )
        last = rollup.window_end(con, filters.through)
        rollup._check_values(con, filters)
        start, end = rollup._month_range(request, last)
        sql, params = _build_sql(request, measure, start, end)
        return warehouse.rows(sql, params)
    except duckdb.Error as exc:
        raise RollupError(f"querying {database} failed: {exc}") from exc
    finally:
        con.close()


_UNIT_TEXT = {"kwh": "kWh", "kg": "kg", "t": "t", "kbtu": "kBtu"}
_SHORT = {
    "company_name": "company",
    "site_name": "site",
    "activity_kwh": "activity",
    "co2e_location_kg": "CO2e location",
    "co2e_location_t": "CO2e location",
    "co2e_market_kg": "CO2e market",
    "co2e_market_t": "CO2e market",
    "site_energy_kbtu": "site energy",
    "source_energy_kbtu": "source energy",
    "lacking_kwh": "lacking",
    "meter_count": "meters",
}


def _cell(column: str, row: RollupRow) -> str:
    value = row.get(column)
    if column == "meter_count":
        return f"{value:,}" if isinstance(value, int) else ""
    if column.endswith(("_kwh", "_kg", "_t", "_kbtu")):
        if value is None:
            return MISSING
        unit = _UNIT_TEXT[column.rsplit("_", 1)[1]]
        return f"{usage_text(value)} {unit}"
    return table_text(value, None)


def format_table(rows: Sequence[RollupRow], columns: Sequence[str]) -> str:
    """Aligned columns under short headers; a figure some row of its group
    lacks shows ``missing`` (never 0) and ``lacking`` the activity without
    it. A ``total`` period on every row is left out and said."""
    shown = list(columns)
    notes = []
    if rows and all(row.get("period") == "total" for row in rows):
        shown.remove("period")
        notes.append("period: the total of the months selected")
    if any(row.get("lacking_kwh") for row in rows):
        notes.append("missing: some activity (lacking) has no factor or ratio")
    headers = [_SHORT.get(column, column) for column in shown]
    right = [
        column.endswith(("_kwh", "_kg", "_t", "_kbtu", "_count")) for column in shown
    ]
    cells = [[_cell(column, row) for column in shown] for row in rows]
    out = table_lines(headers, cells, right)
    if notes:
        out.append(f"({'; '.join(notes)}; --format csv: every digit)")
    return "\n".join(out) + "\n"


def main(format_name: str, database: Path, filters: RollupFilters) -> int:
    """``rollup --measure`` (not usage): print the rows in ``format_name``."""
    try:
        rows = query_carbon(database, filters)
    except RollupError as exc:
        message = " ".join(str(exc).split())
        print(f"pipeline.py rollup: error: {message}", file=sys.stderr)
        return exc.exit_code
    columns = output_columns(filters.measure, filters.group_by, filters.unit)
    formatters = {
        "table": format_table,
        "csv": rollup.format_csv,
        "json": rollup.format_json,
    }
    sys.stdout.write(formatters[format_name](rows, columns))
    if not rows:
        print("pipeline.py rollup: no rows match the filters", file=sys.stderr)
    return EXIT_OK
