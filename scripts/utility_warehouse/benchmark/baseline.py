"""The one-query baseline: a hand-written DuckDB query over the landing CSVs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse.benchmark.workload import (
    csv_relation,
    landing_csv,
    parse_date_sql,
    parse_number_sql,
    sql_literal,
)
from utility_warehouse.load import memory_limit

SEEDS_DIR = Path(__file__).resolve().parents[3] / "seeds"
BASELINE_RESULT_PREFIX = "baseline-result: "
MAX_PERIOD_DAYS = 400
"""Longer periods are not calendarized (staging's implausible_period_days)."""

BASELINE_SQL = """
copy (
    with
    usage_rows as (
        select
            trim(document_id) as document_id,
            trim(meter_id) as meter_id,
            {start_date} as start_date,
            {end_date} as end_date,
            {raw_usage} as raw_usage,
            {standard_usage} as standard_usage,
            lower(replace(trim(raw_usage_units), ' ', '')) as unit_spelling
        from {usage_data}
    ),
    bills as (
        select distinct trim(id) as document_id from {documents}
    ),
    meters as (
        select
            trim(id) as meter_id,
            any_value(nullif(trim(site_id), '')) as site_id,
            any_value(
                upper(regexp_replace(trim(datasource_type), '[\\s\\-]+', '_', 'g'))
            ) as commodity
        from {meters}
        group by 1
    ),
    sites as (
        select trim(id) as site_id, any_value(trim(name)) as site_name
        from {sites}
        group by 1
    ),
    spellings as (
        select spelling, unit from read_csv(
            {unit_spellings}, header = true, auto_detect = false,
            columns = {{'spelling': 'VARCHAR', 'unit': 'VARCHAR'}}
        )
    ),
    factors as (
        select commodity, unit, factor_to_standard from read_csv(
            {unit_factors}, header = true, auto_detect = false,
            columns = {{
                'commodity': 'VARCHAR', 'unit': 'VARCHAR',
                'factor_to_standard': 'DOUBLE', 'source': 'VARCHAR'
            }}
        )
    ),
    standardized as (
        select
            meters.site_id,
            meters.commodity,
            usage_rows.start_date,
            usage_rows.end_date,
            coalesce(
                usage_rows.standard_usage,
                usage_rows.raw_usage * factors.factor_to_standard
            ) as usage
        from usage_rows
        inner join meters on usage_rows.meter_id = meters.meter_id
        left join spellings on usage_rows.unit_spelling = spellings.spelling
        left join factors
            on meters.commodity = factors.commodity and spellings.unit = factors.unit
        where
            usage_rows.document_id in (select document_id from bills)
            and usage_rows.end_date - usage_rows.start_date
                between 0 and {max_period_days} - 1
    ),
    month_starts as (
        select
            standardized.*,
            unnest(generate_series(
                date_trunc('month', start_date),
                date_trunc('month', end_date),
                interval 1 month
            )) as month_start
        from standardized
        where usage is not null
    ),
    month_parts as (
        select
            site_id,
            commodity,
            cast(month_start as date) as month,
            usage
            * (
                least(end_date, last_day(month_start))
                - greatest(start_date, cast(month_start as date)) + 1
            )
            / (end_date - start_date + 1) as usage_in_month
        from month_starts
    ),
    site_months as (
        select
            site_id,
            commodity,
            month,
            sum(usage_in_month) as usage,
            count(*) as usage_row_parts
        from month_parts
        group by site_id, commodity, month
    )
    select site_months.*, sites.site_name
    from site_months
    left join sites on site_months.site_id = sites.site_id
) to {output} (format parquet)
"""


def baseline_sql(raw_dir: Path, output: Path, seeds_dir: Path = SEEDS_DIR) -> str:
    """The baseline query over the landing CSVs of ``raw_dir``."""

    def relation(entity: str, columns: Sequence[str]) -> str:
        path = landing_csv(raw_dir, entity)
        assert path is not None
        return csv_relation(path, columns)

    return BASELINE_SQL.format(
        usage_data=relation(
            "usage_data",
            (
                "document_id",
                "meter_id",
                "start_date",
                "end_date",
                "raw_usage",
                "raw_usage_units",
                "standard_usage",
            ),
        ),
        documents=relation("documents", ("id",)),
        meters=relation("meters", ("id", "site_id", "datasource_type")),
        sites=relation("sites", ("id", "name")),
        unit_spellings=sql_literal(str(seeds_dir / "unit_spellings.csv")),
        unit_factors=sql_literal(str(seeds_dir / "unit_factors.csv")),
        start_date=parse_date_sql("start_date"),
        end_date=parse_date_sql("end_date"),
        raw_usage=parse_number_sql("raw_usage"),
        standard_usage=parse_number_sql("standard_usage"),
        max_period_days=MAX_PERIOD_DAYS,
        output=sql_literal(str(output)),
    )


def duckdb_settings(threads: int, temp_directory: Path) -> list[str]:
    """The settings the build runs with (profiles.yml)."""
    return [
        f"set threads = {int(threads)}",
        f"set memory_limit = {sql_literal(memory_limit())}",
        f"set temp_directory = {sql_literal(str(temp_directory))}",
        "set preserve_insertion_order = false",
    ]


def run_baseline(raw_dir: Path, output: Path, threads: int) -> dict[str, Any]:
    """Run the baseline query in this process; its figures."""
    output.unlink(missing_ok=True)
    started = time.perf_counter()
    sql = baseline_sql(raw_dir, output)
    with duckdb.connect() as con:
        for setting in duckdb_settings(threads, output.parent / "baseline.tmp"):
            con.execute(setting)
        con.execute(sql)
        query_seconds = time.perf_counter() - started
        found = con.execute(
            "select count(*), coalesce(sum(usage_row_parts), 0) "
            f"from read_parquet({sql_literal(str(output))})"
        ).fetchone()
    assert found is not None
    return {
        "query_seconds": round(query_seconds, 3),
        "site_commodity_months": int(found[0]),
        "usage_row_month_parts": int(found[1]),
    }
