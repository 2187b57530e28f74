"""Benchmark: generate a landing folder, then time the load and the dbt build.

Prints figures, asserts nothing. The default size gives about 1M usage rows::

    python scripts/benchmark.py --workdir bench
    python scripts/benchmark.py --companies 250 --sites 130   # about 5M usage rows

Besides the times and the peak memory it prints the quality-gate figures of the
built warehouse: raw usage rows against counted + excluded + quarantined, the
attributed costs against the bills' current charges, and the calendarized usage
against the counted rows.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb

from utility_warehouse import dbt_build, generate, load

T = TypeVar("T")

GATE_QUERIES: dict[str, str] = {
    "raw usage rows (distinct ids)": (
        "select count(distinct id) + count(*) filter (where id is null "
        "or trim(id) = '') from raw.usage_data"
    ),
    "counted usage rows": (
        "select count(*) from intermediate.int_usage_inclusion_assessed "
        "where is_counted"
    ),
    "excluded usage rows": "select count(*) from marts.fct_usage_exclusions",
    "quarantined usage rows": (
        "select count(*) from marts.dq_quarantine where entity = 'usage_data'"
    ),
    "quarantined rows by reason": (
        "select entity || ' ' || reason, count(*) from marts.dq_quarantine "
        "group by all order by 1"
    ),
    "field issues by column and reason": (
        "select entity || '.' || column_name || ' ' || reason, count(*) "
        "from marts.dq_field_issues group by all order by 1"
    ),
    "replaced versions (differing from the winner)": (
        "select entity, count(*), count(*) filter (where differs_from_winner) "
        "from marts.dq_duplicate_key_versions group by all order by 1"
    ),
    "charges of current clean bills per currency": (
        "select d.currency, sum(coalesce(d.current_charges, l.amount, 0)) "
        "from intermediate.int_documents_resolved_to_current as d "
        "left join (select document_id, sum(amount) as amount "
        "from staging.stg_utility__line_items group by all) as l "
        "using (document_id) where not d.is_superseded group by all order by 1"
    ),
    "attributed costs per currency": (
        "select currency, sum(attributed_cost) from marts.fct_bill_meter_costs "
        "group by all order by 1"
    ),
    "unattributed bills and costs per currency": (
        "select currency, count(*), sum(unattributed_cost) "
        "from marts.fct_unattributed_bill_costs group by all order by 1"
    ),
    "bills whose costs differ from their charges": (
        "select count(*) from (select c.document_id from "
        "marts.fct_bill_meter_costs c join "
        "intermediate.int_documents_resolved_to_current d using (document_id) "
        "where d.current_charges is not null group by c.document_id, "
        "d.current_charges having sum(c.attributed_cost) != d.current_charges)"
    ),
    "counted usage, signed": (
        "select sum(case when is_exclusion then -standard_usage "
        "else standard_usage end) from intermediate.int_usage_inclusion_assessed "
        "where is_counted"
    ),
    "calendarized usage, counted, signed": (
        "select sum(signed_usage) from marts.fct_calendarized_usage where is_counted"
    ),
    "usage rows whose months differ from the row": (
        "select count(*) from (select usage_id from marts.fct_calendarized_usage "
        "group by usage_id having sum(usage) != max(row_usage))"
    ),
    "portfolio metered usage minus meter months": (
        "select (select sum(usage) from marts.fct_portfolio_monthly "
        "where not is_implied) - (select sum(usage) from marts.fct_meter_monthly)"
    ),
    "implied sewer in the portfolio minus implied sewer months": (
        "select (select sum(usage) from marts.fct_portfolio_monthly "
        "where is_implied) - (select sum(usage) from marts.fct_implied_sewer_monthly)"
    ),
}


def timed(label: str, action: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = action()
    print(f"{label:<10} {time.perf_counter() - started:8.1f} s", flush=True)
    return result


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return own / 1024


def print_gate_figures(database: Path) -> None:
    with duckdb.connect(str(database), read_only=True) as con:
        for label, sql in GATE_QUERIES.items():
            found = con.execute(sql).fetchall()
            if len(found) == 1 and len(found[0]) == 1:
                print(f"  {label:<48} {found[0][0]}")
                continue
            print(f"  {label}:")
            for row in found:
                print("    " + "  ".join(str(value) for value in row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("bench"))
    parser.add_argument("--companies", type=int, default=100)
    parser.add_argument("--sites", type=int, default=65)
    parser.add_argument("--meters-per-site", type=int, default=4)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--reuse", action="store_true", help="keep an already generated folder"
    )
    args = parser.parse_args()

    raw_dir = args.workdir / "raw"
    database = args.workdir / "bench.duckdb"
    args.workdir.mkdir(parents=True, exist_ok=True)
    if not (args.reuse and raw_dir.exists()):
        rows = timed(
            "generate",
            lambda: generate.generate(
                raw_dir,
                companies=args.companies,
                sites=args.sites,
                months=args.months,
                meters_per_site=args.meters_per_site,
            ),
        )
        print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    database.unlink(missing_ok=True)
    report = timed("load", lambda: load.load_landing(raw_dir, database))
    print(load.format_report(report))
    outcome = timed(
        "build",
        lambda: dbt_build.run_dbt_build(
            database, date(2026, 11, 1), threads=args.threads
        ),
    )
    print(outcome.nodes_line())
    print(outcome.tally_line())
    for line in outcome.problem_lines():
        print(f"  {line}")
    print(f"peak RSS   {peak_rss_mb():8.0f} MB (this process, DuckDB included)")
    print(f"database   {database.stat().st_size / 2**20:8.0f} MB")
    print("quality-gate figures:")
    print_gate_figures(database)
    return 1 if outcome.gate_failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
