"""Tests of ``pipeline.py rollup`` against a small hand-made marts database."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, held_for_writing, isolated_dbt_env
from utility_warehouse import cli, metadata, rollup
from utility_warehouse.as_of_bound import one_year_after
from utility_warehouse.reading import (
    json_value,
    last_complete_month,
    money_text,
    usage_text,
)
from utility_warehouse.rollup import (
    NUMBER_COLUMNS,
    RollupError,
    RollupFilters,
    normalize_commodity,
    output_columns,
    query_rollup,
)

VENV_DBT = PROJECT_ROOT / ".venv" / "bin" / "dbt"

COMPANIES = [("C1", "Acme"), ("C2", "Globex")]
SITES = [
    # site_id, company_id, site_name, is_archived, data_collection_stop_date
    ("S1", "C1", "Head Office", False, None),
    ("S2", "C1", "Plant", False, None),
    ("S3", "C2", "Depot", False, None),
    ("S4", "C2", "Old Depot", True, "2022-12-31"),
]
METERS = [
    # meter_id, company_id, site_id, commodity, is_active
    ("M1", "C1", "S1", "ELECTRICITY", True),
    ("M2", "C1", "S2", "WATER", True),
    ("M3", "C1", None, "ELECTRICITY", True),
    ("M4", "C2", "S3", "ELECTRICITY", True),
    ("M5", "C2", "S3", "WATER", False),
]
TAGS = [("M1", "hvac"), ("M1", "main"), ("M2", "main"), ("M4", "hvac")]
ELEC = "ELECTRICITY"
FACTS = [
    # meter, site, company, commodity, month, usage, export, generation, net,
    # unit, cost, currency
    ("M1", "S1", "C1", ELEC, "2023-11-01", 100, 10, 20, 90, "kWh", "50", "USD"),
    ("M1", "S1", "C1", ELEC, "2023-12-01", 200, 0, 0, 200, "kWh", "80", "USD"),
    ("M1", "S1", "C1", ELEC, "2024-01-01", 150, 0, 0, 150, "kWh", "60", "USD"),
    ("M1", "S1", "C1", ELEC, "2024-01-01", 50, 0, 0, 50, "kWh", "30", "EUR"),
    ("M2", "S2", "C1", "WATER", "2023-12-01", 1000, 0, 0, 1000, "gal", "12.5", "USD"),
    ("M2", "S2", "C1", "WATER", "2024-02-01", 2000, 0, 0, 2000, "gal", "25", "USD"),
    ("M3", None, "C1", ELEC, "2024-01-01", 300, 0, 0, 300, "kWh", "90", "USD"),
    ("M3", None, "C1", ELEC, "2024-02-01", 400, 0, 0, 400, "kWh", None, None),
    ("M4", "S3", "C2", ELEC, "2024-01-01", 500, 0, 0, 500, "kWh", "100", "EUR"),
    ("M4", "S3", "C2", ELEC, "2024-02-01", 600, 0, 0, 600, "kWh", "120", "EUR"),
    ("M5", "S3", "C2", "WATER", "2024-02-01", 3000.1234, 0, 0, 3000.1234, "gal", "40",
     "EUR"),
]  # fmt: skip


# The last month a command accepts: the month one year after today.
_LAST = one_year_after(date.today())
LAST_MONTH = f"{_LAST.year:04d}-{_LAST.month:02d}"
_NEXT = _LAST.year * 12 + _LAST.month
LAST_MONTH_PLUS_1 = f"{_NEXT // 12:04d}-{_NEXT % 12 + 1:02d}"


# The runs recorded in marts.run_metadata: the latest run (by ended_at) decides
# the as-of month, 2024-02, although an older run was dated later. 2024-02-20
# is not February's last day: the last complete month is 2024-01.
RUNS = [
    # as_of_date, ended_at
    (date(2030, 1, 1), datetime(2024, 2, 1, 8, 0)),
    (date(2024, 2, 20), datetime(2024, 2, 21, 8, 0)),
]


def record_runs(path: Path, runs: list[tuple[date, datetime]]) -> None:
    """Append runs to marts.run_metadata the way ``pipeline.py run`` does."""
    con = duckdb.connect(str(path))
    try:
        for as_of, ended_at in runs:
            metadata.write_run(
                con,
                metadata.RunRecord(
                    run_id=metadata.new_run_id(),
                    as_of_date=as_of,
                    started_at=ended_at,
                    ended_at=ended_at,
                    raw_dir="/landing",
                    landing_files="[]",
                    project_version="0.1.0",
                    dbt_version="1.11.16",
                    gate_status=metadata.GATE_PASSED,
                    tests_passed=1,
                    tests_warned=0,
                    tests_failed=0,
                    exit_code=0,
                ),
            )
    finally:
        con.close()


def build_marts(path: Path, *, runs: bool = True) -> Path:
    """Write the mart contract tables with the rows above into a DuckDB file
    (and, with ``runs``, the run metadata of ``RUNS``)."""
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE TABLE marts.dim_companies "
            "(company_id VARCHAR, company_name VARCHAR)"
        )
        con.executemany("INSERT INTO marts.dim_companies VALUES (?, ?)", COMPANIES)
        con.execute(
            "CREATE TABLE marts.dim_sites (site_id VARCHAR, company_id VARCHAR, "
            "site_name VARCHAR, is_archived BOOLEAN, data_collection_stop_date DATE)"
        )
        con.executemany("INSERT INTO marts.dim_sites VALUES (?, ?, ?, ?, ?)", SITES)
        con.execute(
            "CREATE TABLE marts.dim_meters (meter_id VARCHAR, company_id VARCHAR, "
            "site_id VARCHAR, commodity VARCHAR, is_active BOOLEAN)"
        )
        con.executemany("INSERT INTO marts.dim_meters VALUES (?, ?, ?, ?, ?)", METERS)
        con.execute(
            "CREATE TABLE marts.dim_meter_tags (meter_id VARCHAR, tag_name VARCHAR)"
        )
        con.executemany("INSERT INTO marts.dim_meter_tags VALUES (?, ?)", TAGS)
        con.execute(
            "CREATE TABLE marts.fct_meter_monthly (meter_id VARCHAR, site_id VARCHAR, "
            "company_id VARCHAR, commodity VARCHAR, month DATE, usage DOUBLE, "
            "export_usage DOUBLE, generation_usage DOUBLE, net_usage DOUBLE, "
            "usage_unit VARCHAR, cost DECIMAL(18, 2), currency VARCHAR)"
        )
        con.executemany(
            "INSERT INTO marts.fct_meter_monthly VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            FACTS,
        )
    finally:
        con.close()
    if runs:
        record_runs(path, RUNS)
    return path


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_marts(tmp_path_factory.mktemp("marts") / "warehouse.duckdb")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pipeline.py rollup`` in-process; argparse exits become exit codes."""
    try:
        code = cli.main(["rollup", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rollup_json(
    capsys: pytest.CaptureFixture[str], database: Path, *argv: str
) -> list[dict[str, Any]]:
    """The JSON rows, usage and cost (strings in JSON: exact decimals) read
    back as numbers to compare."""
    code, out, err = run(capsys, "--database", str(database), "--format", "json", *argv)
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list)
    for row in rows:
        for column in NUMBER_COLUMNS & set(row):
            if row[column] is not None:
                assert isinstance(row[column], str), (column, row)
                row[column] = float(row[column])
    return rows


def summary(rows: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    """Project rows on period, the given keys, usage, unit, cost, currency, meters."""
    return [
        (
            row["period"],
            *(row[key] for key in keys),
            row["usage"],
            row["usage_unit"],
            row["cost"],
            row["currency"],
            row["meter_count"],
        )
        for row in rows
    ]


PORTFOLIO_BY_MONTH = [
    ("2023-11", 100, "kWh", 50, "USD", 1),
    ("2023-12", 1000, "gal", 12.5, "USD", 1),
    ("2023-12", 200, "kWh", 80, "USD", 1),
    ("2024-01", 550, "kWh", 130, "EUR", 2),
    ("2024-01", 450, "kWh", 150, "USD", 2),
    ("2024-02", 3000.1234, "gal", 40, "EUR", 1),
    ("2024-02", 2000, "gal", 25, "USD", 1),
    ("2024-02", 600, "kWh", 120, "EUR", 1),
    ("2024-02", 400, "kWh", None, None, 1),
]


# --- the whole portfolio, periods ------------------------------------------------


def test_default_is_whole_portfolio_by_month(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rollup_json(capsys, database)
    assert summary(rows) == PORTFOLIO_BY_MONTH
    assert list(rows[0]) == output_columns(())
    assert rows[0] == {
        "period": "2023-11",
        "usage": 100,
        "export_usage": 10,
        "generation_usage": 20,
        "net_usage": 90,
        "usage_unit": "kWh",
        "cost": 50,
        "currency": "USD",
        "meter_count": 1,
    }


def test_currency_is_never_summed(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    # M1 in 2024-01 was billed in USD and EUR: its usage and cost stay with each
    # currency's row, and no row mixes currencies.
    rows = rollup_json(capsys, database, "--site", "S1", "--from", "2024-01")
    assert summary(rows) == [
        ("2024-01", 50, "kWh", 30, "EUR", 1),
        ("2024-01", 150, "kWh", 60, "USD", 1),
    ]


def test_by_quarter(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    rows = rollup_json(capsys, database, "--by", "quarter")
    assert summary(rows) == [
        ("2023-Q4", 1000, "gal", 12.5, "USD", 1),
        ("2023-Q4", 300, "kWh", 130, "USD", 1),
        ("2024-Q1", 3000.1234, "gal", 40, "EUR", 1),
        ("2024-Q1", 2000, "gal", 25, "USD", 1),
        ("2024-Q1", 1150, "kWh", 250, "EUR", 2),
        ("2024-Q1", 450, "kWh", 150, "USD", 2),
        ("2024-Q1", 400, "kWh", None, None, 1),
    ]


def test_by_year(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    rows = rollup_json(capsys, database, "--by", "year", "--commodity", "electricity")
    assert summary(rows) == [
        ("2023", 300, "kWh", 130, "USD", 1),
        ("2024", 1150, "kWh", 250, "EUR", 2),
        ("2024", 450, "kWh", 150, "USD", 2),
        ("2024", 400, "kWh", None, None, 1),
    ]


def test_by_total(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    rows = rollup_json(capsys, database, "--by", "total", "--commodity", "electricity")
    assert summary(rows) == [
        ("total", 1150, "kWh", 250, "EUR", 2),
        ("total", 750, "kWh", 280, "USD", 2),
        ("total", 400, "kWh", None, None, 1),
    ]


# --- filters --------------------------------------------------------------------


def test_company_filter(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    rows = rollup_json(capsys, database, "--company", "C2")
    assert summary(rows) == [
        ("2024-01", 500, "kWh", 100, "EUR", 1),
        ("2024-02", 3000.1234, "gal", 40, "EUR", 1),
        ("2024-02", 600, "kWh", 120, "EUR", 1),
    ]


def test_site_filter_one_and_many(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    one = rollup_json(capsys, database, "--site", "S2")
    assert summary(one) == [
        ("2023-12", 1000, "gal", 12.5, "USD", 1),
        ("2024-02", 2000, "gal", 25, "USD", 1),
    ]
    many = rollup_json(capsys, database, "--site", "S2", "S3", "--by", "year")
    assert summary(many) == [
        ("2023", 1000, "gal", 12.5, "USD", 1),
        ("2024", 3000.1234, "gal", 40, "EUR", 1),
        ("2024", 2000, "gal", 25, "USD", 1),
        ("2024", 1100, "kWh", 220, "EUR", 1),
    ]
    repeated = rollup_json(
        capsys, database, "--site", "S2", "--site", "S3", "--by", "year"
    )
    assert repeated == many


def test_unassigned_alone_selects_only_meters_without_site(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rollup_json(capsys, database, "--unassigned", "--group-by", "site")
    assert summary(rows, "site_id", "site_name") == [
        ("2024-01", None, "Unassigned", 300, "kWh", 90, "USD", 1),
        ("2024-02", None, "Unassigned", 400, "kWh", None, None, 1),
    ]


def test_unassigned_with_site_selects_both(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rollup_json(capsys, database, "--site", "S1", "--unassigned", "--by", "year")
    assert summary(rows) == [
        ("2023", 300, "kWh", 130, "USD", 1),
        ("2024", 50, "kWh", 30, "EUR", 1),
        ("2024", 450, "kWh", 150, "USD", 2),
        ("2024", 400, "kWh", None, None, 1),
    ]


def test_commodity_filter_is_case_insensitive(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rollup_json(capsys, database, "--commodity", "Water", "--by", "year")
    assert summary(rows) == [
        ("2023", 1000, "gal", 12.5, "USD", 1),
        ("2024", 3000.1234, "gal", 40, "EUR", 1),
        ("2024", 2000, "gal", 25, "USD", 1),
    ]


def test_commodity_normalization() -> None:
    assert normalize_commodity("fuel oil") == "FUEL_OIL"
    assert normalize_commodity(" District-Heating ") == "DISTRICT_HEATING"
    assert normalize_commodity("electricity") == "ELECTRICITY"
    with pytest.raises(RollupError, match="unknown commodity"):
        normalize_commodity("coal")


def test_known_commodity_without_rows_is_an_empty_result(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, err = run(
        capsys, "--database", str(database), "--commodity", "fuel oil", "--format",
        "json",
    )  # fmt: skip
    assert (code, json.loads(out)) == (0, [])
    assert "no rows" in err


def test_tag_filter_any_of_the_tags(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rollup_json(capsys, database, "--tag", "hvac", "--by", "year")
    assert summary(rows) == [
        ("2023", 300, "kWh", 130, "USD", 1),
        ("2024", 1150, "kWh", 250, "EUR", 2),
        ("2024", 150, "kWh", 60, "USD", 1),
    ]
    both = rollup_json(capsys, database, "--tag", "hvac", "main", "--by", "year")
    assert summary(both) == [
        ("2023", 1000, "gal", 12.5, "USD", 1),
        ("2023", 300, "kWh", 130, "USD", 1),
        ("2024", 2000, "gal", 25, "USD", 1),
        ("2024", 1150, "kWh", 250, "EUR", 2),
        ("2024", 150, "kWh", 60, "USD", 1),
    ]


def test_from_to_inclusive(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    rows = rollup_json(capsys, database, "--from", "2023-12", "--to", "2024-01")
    assert summary(rows) == PORTFOLIO_BY_MONTH[1:5]
    only_from = rollup_json(capsys, database, "--from", "2024-02")
    assert summary(only_from) == PORTFOLIO_BY_MONTH[5:]
    only_to = rollup_json(capsys, database, "--to", "2023-11")
    assert summary(only_to) == PORTFOLIO_BY_MONTH[:1]


def test_last_complete_month() -> None:
    # The as-of month when the as-of date is its last day, else the month before.
    assert last_complete_month(date(2026, 11, 1)) == date(2026, 10, 1)
    assert last_complete_month(date(2026, 10, 31)) == date(2026, 10, 1)
    assert last_complete_month(date(2026, 10, 30)) == date(2026, 9, 1)
    assert last_complete_month(date(2024, 2, 29)) == date(2024, 2, 1)  # leap
    assert last_complete_month(date(2023, 2, 28)) == date(2023, 2, 1)
    assert last_complete_month(date(2024, 2, 28)) == date(2024, 1, 1)
    assert last_complete_month(date(2025, 1, 15)) == date(2024, 12, 1)
    assert last_complete_month(date(2024, 12, 31)) == date(2024, 12, 1)
    assert last_complete_month(date(9999, 12, 31)) == date(9999, 12, 1)


def test_last_months_ends_at_the_last_complete_month_of_the_latest_run(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    # As of 2024-02-20, February is in progress: the window ends at 2024-01.
    rows = rollup_json(capsys, database, "--last-months", "2")
    assert summary(rows) == PORTFOLIO_BY_MONTH[1:5]
    assert (
        summary(rollup_json(capsys, database, "--last-months", "1"))
        == (PORTFOLIO_BY_MONTH[3:5])
    )
    # The window ends there whatever the other filters: site S3's only months
    # are 2024-01 and 2024-02, and only 2024-01 is in the window.
    rows = rollup_json(capsys, database, "--last-months", "1", "--site", "S3")
    assert [row["period"] for row in rows] == ["2024-01"]
    everything = rollup_json(capsys, database, "--last-months", "120")
    assert summary(everything) == PORTFOLIO_BY_MONTH[:5]
    # --through complete is the default.
    rows = rollup_json(capsys, database, "--last-months", "2", "--through", "complete")
    assert summary(rows) == PORTFOLIO_BY_MONTH[1:5]


def test_through_as_of_ends_last_months_at_the_as_of_month(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    as_of = ("--through", "as-of")
    rows = rollup_json(capsys, database, "--last-months", "2", *as_of)
    assert summary(rows) == PORTFOLIO_BY_MONTH[3:]
    # Site S1's latest month is 2024-01, but the window is 2024-02 only.
    rows = rollup_json(capsys, database, "--last-months", "1", "--site", "S1", *as_of)
    assert rows == []
    everything = rollup_json(capsys, database, "--last-months", "120", *as_of)
    assert summary(everything) == PORTFOLIO_BY_MONTH
    # --through only moves --last-months: --from/--to are as given.
    rows = rollup_json(capsys, database, "--from", "2024-02", "--through", "complete")
    assert summary(rows) == PORTFOLIO_BY_MONTH[5:]
    assert "invalid choice" in assert_bad(capsys, database, "--through", "today")


def test_a_stray_future_month_in_the_data_does_not_move_the_window(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = build_marts(tmp_path / "typo.duckdb")
    con = duckdb.connect(str(path))
    try:  # a bill typed with the year 2206
        con.execute(
            "INSERT INTO marts.fct_meter_monthly VALUES "
            "('M1', 'S1', 'C1', 'ELECTRICITY', DATE '2206-02-01', 7, 0, 0, 7, "
            "'kWh', 1, 'USD')"
        )
    finally:
        con.close()
    rows = rollup_json(capsys, path, "--last-months", "2", "--through", "as-of")
    assert summary(rows) == PORTFOLIO_BY_MONTH[3:]
    rows = rollup_json(capsys, path, "--last-months", "2")
    assert summary(rows) == PORTFOLIO_BY_MONTH[1:5]


def test_last_months_without_run_metadata_counts_back_from_today(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A warehouse built by plain `dbt build` has no marts.run_metadata.
    path = build_marts(tmp_path / "plain.duckdb", runs=False)
    today = date.today()
    since_first = (today.year * 12 + today.month) - (2023 * 12 + 11) + 1
    # The data ends in 2024-02, long before today: the last month has nothing.
    as_of = ("--through", "as-of")
    assert rollup_json(capsys, path, "--last-months", "1", *as_of) == []
    rows = rollup_json(capsys, path, "--last-months", str(since_first - 1), *as_of)
    assert summary(rows) == PORTFOLIO_BY_MONTH[1:]
    rows = rollup_json(capsys, path, "--last-months", str(since_first), *as_of)
    assert summary(rows) == PORTFOLIO_BY_MONTH
    # By default the window ends at today's last complete month.
    last = last_complete_month(today)
    count = (last.year * 12 + last.month) - (2023 * 12 + 11) + 1
    rows = rollup_json(capsys, path, "--last-months", str(count))
    assert summary(rows) == PORTFOLIO_BY_MONTH


def test_as_of_month_reads_the_latest_run(tmp_path: Path) -> None:
    from utility_warehouse.rollup import as_of_month

    path = build_marts(tmp_path / "runs.duckdb", runs=False)
    with duckdb.connect(str(path), read_only=True) as con:
        assert as_of_month(con, today=date(2031, 7, 9)) == date(2031, 7, 1)
    record_runs(path, RUNS)
    with duckdb.connect(str(path), read_only=True) as con:
        assert as_of_month(con, today=date(2031, 7, 9)) == date(2024, 2, 1)
    record_runs(path, [(date(2025, 6, 30), datetime(2025, 7, 1))])
    with duckdb.connect(str(path), read_only=True) as con:
        assert as_of_month(con) == date(2025, 6, 1)


# --- groupings ------------------------------------------------------------------


def test_group_by_company(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    rows = rollup_json(capsys, database, "--group-by", "company", "--by", "year")
    assert summary(rows, "company_id", "company_name") == [
        ("2023", "C1", "Acme", 1000, "gal", 12.5, "USD", 1),
        ("2023", "C1", "Acme", 300, "kWh", 130, "USD", 1),
        ("2024", "C1", "Acme", 2000, "gal", 25, "USD", 1),
        ("2024", "C1", "Acme", 50, "kWh", 30, "EUR", 1),
        ("2024", "C1", "Acme", 450, "kWh", 150, "USD", 2),
        ("2024", "C1", "Acme", 400, "kWh", None, None, 1),
        ("2024", "C2", "Globex", 3000.1234, "gal", 40, "EUR", 1),
        ("2024", "C2", "Globex", 1100, "kWh", 220, "EUR", 1),
    ]


def test_group_by_site_shows_unassigned(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rollup_json(
        capsys, database, "--group-by", "site", "--by", "year", "--company", "C1"
    )
    assert list(rows[0]) == output_columns(("site",))
    assert summary(rows, "site_id", "site_name") == [
        ("2023", "S1", "Head Office", 300, "kWh", 130, "USD", 1),
        ("2023", "S2", "Plant", 1000, "gal", 12.5, "USD", 1),
        ("2024", "S1", "Head Office", 50, "kWh", 30, "EUR", 1),
        ("2024", "S1", "Head Office", 150, "kWh", 60, "USD", 1),
        ("2024", "S2", "Plant", 2000, "gal", 25, "USD", 1),
        ("2024", None, "Unassigned", 300, "kWh", 90, "USD", 1),
        ("2024", None, "Unassigned", 400, "kWh", None, None, 1),
    ]


def test_group_by_commodity(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    rows = rollup_json(
        capsys, database, "--group-by", "commodity", "--by", "year", "--to", "2023-12"
    )
    assert summary(rows, "commodity") == [
        ("2023", "ELECTRICITY", 300, "kWh", 130, "USD", 1),
        ("2023", "WATER", 1000, "gal", 12.5, "USD", 1),
    ]


def test_group_by_tag_counts_a_meter_under_each_tag(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rollup_json(
        capsys, database, "--group-by", "tag", "--by", "year", "--to", "2023-12"
    )
    # M1 (hvac, main) shows under both tags; M2 (main) only under main.
    assert summary(rows, "tag") == [
        ("2023", "hvac", 300, "kWh", 130, "USD", 1),
        ("2023", "main", 1000, "gal", 12.5, "USD", 1),
        ("2023", "main", 300, "kWh", 130, "USD", 1),
    ]
    untagged = rollup_json(
        capsys, database, "--group-by", "tag", "--unassigned", "--to", "2024-01"
    )
    assert summary(untagged, "tag") == [("2024-01", None, 300, "kWh", 90, "USD", 1)]


def test_group_by_tag_with_tag_filter_shows_only_those_tags(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rollup_json(
        capsys, database, "--group-by", "tag", "--tag", "main", "--by", "year"
    )
    assert {row["tag"] for row in rows} == {"main"}


def test_group_by_several(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    rows = rollup_json(
        capsys, database, "--group-by", "company", "commodity", "--by", "year",
        "--from", "2024-02",
    )  # fmt: skip
    assert list(rows[0]) == output_columns(("company", "commodity"))
    assert summary(rows, "company_id", "commodity") == [
        ("2024", "C1", "ELECTRICITY", 400, "kWh", None, None, 1),
        ("2024", "C1", "WATER", 2000, "gal", 25, "USD", 1),
        ("2024", "C2", "ELECTRICITY", 600, "kWh", 120, "EUR", 1),
        ("2024", "C2", "WATER", 3000.1234, "gal", 40, "EUR", 1),
    ]


# --- formats --------------------------------------------------------------------


def test_table_format(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    code, out, _ = run(
        capsys, "--database", str(database), "--group-by", "site", "--from", "2024-02"
    )
    assert code == 0
    # Short headers; usage with its unit (rounded by size), cost with its
    # currency (to the cent); no export or generation in these rows, so
    # those columns (and net, the usage) are left out and said so.
    assert out == (
        "period   site_id  site            usage        cost  meters\n"
        "-------  -------  ----------  ---------  ----------  ------\n"
        "2024-02  S2       Plant       2,000 gal   25.00 USD       1\n"
        "2024-02  S3       Depot       3,000 gal   40.00 EUR       1\n"
        "2024-02  S3       Depot       600.0 kWh  120.00 EUR       1\n"
        "2024-02           Unassigned  400.0 kWh                   1\n"
        "(no export or generation usage (net = usage); --format csv for every "
        "column)\n"
    )


def test_table_columns_are_aligned(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, _ = run(capsys, "--database", str(database))
    assert code == 0
    header, rule, *body = out.splitlines()
    # The rule under the header has one run of dashes per column.
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    columns = ["period", "usage", "export", "generation", "net", "cost", "meters"]
    assert [header[a:b].strip() for a, b in spans] == columns
    numeric = {"usage", "export", "generation", "net", "cost"}
    for line in body:
        cells = [line[a:b] for a, b in spans]
        for column, cell in zip(columns, cells, strict=True):
            if not cell.strip():
                continue
            if column in numeric or column == "meters":
                assert not cell.endswith(" "), (column, line)  # right-aligned
            else:
                assert not cell.startswith(" "), (column, line)  # left-aligned
        assert [c.strip() for c in cells][:2] in (
            ["2023-11", "100.0 kWh"],
            ["2023-12", "1,000 gal"],
            ["2023-12", "200.0 kWh"],
            ["2024-01", "550.0 kWh"],
            ["2024-01", "450.0 kWh"],
            ["2024-02", "3,000 gal"],
            ["2024-02", "2,000 gal"],
            ["2024-02", "600.0 kWh"],
            ["2024-02", "400.0 kWh"],
        )
    assert len(body) == len(PORTFOLIO_BY_MONTH)


def test_csv_format_full_precision(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, _ = run(
        capsys, "--database", str(database), "--format", "csv", "--company", "C2"
    )
    assert code == 0
    records = list(csv.reader(io.StringIO(out)))
    assert records[0] == output_columns(())
    assert records[1:] == [
        ["2024-01", "500.0", "0.0", "0.0", "500.0", "kWh", "100.00", "EUR", "1"],
        ["2024-02", "3000.1234", "0.0", "0.0", "3000.1234", "gal", "40.00", "EUR", "1"],
        ["2024-02", "600.0", "0.0", "0.0", "600.0", "kWh", "120.00", "EUR", "1"],
    ]


def test_csv_null_cost_and_currency_are_empty(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, _ = run(
        capsys, "--database", str(database), "--format", "csv", "--unassigned",
        "--from", "2024-02", "--group-by", "site",
    )  # fmt: skip
    assert code == 0
    records = list(csv.reader(io.StringIO(out)))
    assert records[1] == [
        "2024-02", "", "Unassigned", "400.0", "0.0", "0.0", "400.0", "kWh", "", "", "1",
    ]  # fmt: skip


def test_json_decimals_are_strings_counts_are_numbers(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, err = run(
        capsys, "--database", str(database), "--format", "json", "--site", "S2",
        "--to", "2023-12",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == [
        {
            "period": "2023-12",
            "usage": "1000.0",
            "export_usage": "0.0",
            "generation_usage": "0.0",
            "net_usage": "1000.0",
            "usage_unit": "gal",
            "cost": "12.50",
            "currency": "USD",
            "meter_count": 1,
        }
    ]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The marts with hostile names: a formula site, a meter id and a tag that
    a spreadsheet would run, a site named with terminal escapes, and a credit
    (negative cost)."""
    path = build_marts(tmp_path / "hostile.duckdb")
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "UPDATE marts.dim_sites SET site_name = ? WHERE site_id = 'S1'",
            ['=HYPERLINK("http://x","y")'],
        )
        con.execute(
            "UPDATE marts.dim_sites SET site_name = ? WHERE site_id = 'S2'",
            ["\x1b[2J\x1b]0;owned\x07Plant\rX"],
        )
        con.execute("UPDATE marts.dim_meter_tags SET tag_name = '@SUM(A1)'")
        con.execute(
            "UPDATE marts.fct_meter_monthly SET meter_id = '=1+2', cost = -12.50 "
            "WHERE meter_id = 'M1' AND month = DATE '2023-11-01'"
        )
        con.execute(
            "UPDATE marts.dim_meter_tags SET meter_id = '=1+2' WHERE meter_id = 'M1'"
        )
    finally:
        con.close()
    return path


def test_csv_neutralizes_formulas_and_keeps_negative_numbers(
    capsys: pytest.CaptureFixture[str], hostile: Path
) -> None:
    code, out, err = run(
        capsys, "--database", str(hostile), "--format", "csv", "--group-by",
        "site", "tag", "--to", "2023-12",
    )  # fmt: skip
    assert code == 0, err
    records = list(csv.reader(io.StringIO(out, newline="")))
    assert records[0][:4] == ["period", "site_id", "site_name", "tag"]
    first = dict(zip(records[0], records[1], strict=True))
    assert (first["site_name"], first["tag"], first["cost"]) == (
        '\'=HYPERLINK("http://x","y")',
        "'@SUM(A1)",
        "-12.50",
    )
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in out  # CSV-quoted as usual
    names = {row[2] for row in records[1:]}
    assert "\x1b[2J\x1b]0;owned\x07Plant\rX" in names  # a CR stays in its cell
    # JSON keeps every value as it is.
    rows = rollup_json(capsys, hostile, "--group-by", "site", "--to", "2023-11")
    assert [(row["site_name"], row["cost"]) for row in rows] == [
        ('=HYPERLINK("http://x","y")', -12.5)
    ]


def test_table_shows_control_characters_visibly(
    capsys: pytest.CaptureFixture[str], hostile: Path
) -> None:
    code, out, err = run(
        capsys, "--database", str(hostile), "--group-by", "site", "--by", "total"
    )
    assert code == 0, err
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", out)
    assert "\\x1b[2J\\x1b]0;owned\\x07" in out  # cut to fit 100 columns
    *lines, note = out.splitlines()
    assert note.startswith("(period: the total")
    assert len({len(line) for line in lines[:2]}) == 1  # still aligned
    assert all(len(line) <= 100 for line in lines)


def test_table_cuts_very_long_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = build_marts(tmp_path / "long.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE marts.dim_sites SET site_name = repeat('N', 5000)")
    code, out, err = run(
        capsys, "--database", str(path), "--group-by", "site", "--by", "total"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "N\u2026" in out  # cut with an ellipsis to fit


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("json", "[]\n"), ("csv", ",".join(output_columns(())) + "\n")],
)
def test_empty_result(
    capsys: pytest.CaptureFixture[str], database: Path, fmt: str, expected: str
) -> None:
    # S4 is a known (archived) site without any data.
    code, out, err = run(
        capsys, "--database", str(database), "--site", "S4", "--format", fmt
    )
    assert (code, out) == (0, expected)
    assert "no rows match" in err


def test_empty_table_prints_the_header(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, err = run(capsys, "--database", str(database), "--site", "S4")
    assert code == 0
    assert out.splitlines()[0].split() == ["period", "usage", "cost", "meters"]
    assert len(out.splitlines()) == 2
    assert "no rows match" in err


# --- the plain function ---------------------------------------------------------


def test_query_rollup_directly(database: Path) -> None:
    rows = query_rollup(
        database,
        RollupFilters(commodities=("WATER",), by="year", group_by=("site", "site")),
    )
    assert [(r["period"], r["site_id"], r["usage"], r["cost"]) for r in rows] == [
        ("2023", "S2", 1000, Decimal("12.50")),
        ("2024", "S2", 2000, Decimal("25.00")),
        ("2024", "S3", 3000.1234, Decimal("40.00")),
    ]
    with pytest.raises(RollupError, match="unknown grouping"):
        query_rollup(database, RollupFilters(group_by=("meter; DROP TABLE x",)))
    with pytest.raises(RollupError, match="unknown period"):
        query_rollup(database, RollupFilters(by="week"))


# --- bad invocations ------------------------------------------------------------


def assert_bad(capsys: pytest.CaptureFixture[str], database: Path, *argv: str) -> str:
    code, out, err = run(capsys, "--database", str(database), *argv)
    assert code == 2
    assert out == ""
    return err


def test_unknown_site_lists_the_unknown_ids(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    err = assert_bad(capsys, database, "--site", "S1", "S9", "X7")
    assert "unknown site(s): S9, X7" in err
    assert len(err.strip().splitlines()) == 1


def test_sql_in_a_filter_value_is_just_a_value(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    err = assert_bad(capsys, database, "--site", "x' or 1=1 --")
    assert "unknown site(s): x' or 1=1 --" in err
    err = assert_bad(capsys, database, "--company", "C1' OR '1'='1")
    assert "unknown company" in err
    err = assert_bad(capsys, database, "--tag", "hvac') OR (1=1")
    assert "unknown tag" in err


def test_unknown_company_and_tag(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    assert "unknown company: C9" in assert_bad(capsys, database, "--company", "C9")
    err = assert_bad(capsys, database, "--tag", "hvac", "nope")
    assert "unknown tag(s): nope" in err


def test_unknown_commodity(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    err = assert_bad(capsys, database, "--commodity", "electricity", "coal")
    assert "unknown commodity 'coal'" in err
    assert "FUEL_OIL" in err


@pytest.mark.parametrize(
    "month", ["2024-13", "2024-1", "abc", "2024-00", "24-01", "", "2024-01-01"]
)
def test_malformed_month(
    capsys: pytest.CaptureFixture[str], database: Path, month: str
) -> None:
    err = assert_bad(capsys, database, "--from", month)
    assert f"--from: malformed month '{month}'; expected YYYY-MM" in err
    err = assert_bad(capsys, database, "--to", month)
    assert f"--to: malformed month '{month}'" in err


def test_from_after_to(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    err = assert_bad(capsys, database, "--from", "2024-02", "--to", "2023-12")
    assert "--from 2024-02 is after --to 2023-12" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--to", "9999-12"), "--to: month 9999-12 is out of range"),
        (("--from", "0001-01"), "--from: month 0001-01 is out of range"),
        (("--from", "1949-12"), "--from: month 1949-12 is out of range"),
        (("--to", "3000-01"), "--to: month 3000-01 is out of range"),
        (("--to", LAST_MONTH_PLUS_1), f"--to: month {LAST_MONTH_PLUS_1} is out of"),
        (("--last-months", "99999999"), "--last-months 99999999 reaches back"),
        (("--last-months", "891"), "--last-months 891 reaches back before 1950-01"),
        (("--last-months", str(10**30)), "reaches back before 1950-01"),
    ],
)
def test_out_of_range_months_exit_2_on_one_line(
    capsys: pytest.CaptureFixture[str],
    database: Path,
    argv: tuple[str, ...],
    expected: str,
) -> None:
    err = assert_bad(capsys, database, *argv)
    assert expected in err
    assert f"months run from 1950-01 to {LAST_MONTH}" in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("as_of", [date(9999, 12, 31), date(1900, 1, 1)])
def test_a_warehouse_as_of_out_of_range_exits_2_on_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, as_of: date
) -> None:
    path = build_marts(tmp_path / "far.duckdb")
    record_runs(path, [(as_of, datetime(2099, 1, 1))])
    for argv in ((), ("--last-months", "3")):
        err = assert_bad(capsys, path, *argv)
        assert f"the warehouse's as-of date {as_of.isoformat()} (its latest" in err
        assert "rebuild it with pipeline.py run" in err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_the_whole_month_range_is_accepted(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rollup_json(capsys, database, "--from", "1950-01", "--to", LAST_MONTH)
    assert summary(rows) == PORTFOLIO_BY_MONTH
    # From the as-of month 2024-02, 890 months reach back exactly to 1950-01;
    # from the last complete month 2024-01, 889 do.
    rows = rollup_json(capsys, database, "--last-months", "890", "--through", "as-of")
    assert summary(rows) == PORTFOLIO_BY_MONTH
    rows = rollup_json(capsys, database, "--last-months", "889")
    assert summary(rows) == PORTFOLIO_BY_MONTH[:5]
    err = assert_bad(capsys, database, "--last-months", "890")
    assert "reaches back before 1950-01 from the last complete month 2024-01" in err


def test_bad_last_months(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    assert "at least 1" in assert_bad(capsys, database, "--last-months", "0")
    assert "at least 1" in assert_bad(capsys, database, "--last-months", "-3")
    err = assert_bad(capsys, database, "--last-months", "3", "--from", "2024-01")
    assert "cannot be combined" in err
    assert "invalid int" in assert_bad(capsys, database, "--last-months", "x")


def test_argparse_errors_exit_2(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    assert "invalid choice" in assert_bad(capsys, database, "--by", "week")
    assert "invalid choice" in assert_bad(capsys, database, "--group-by", "meter")
    assert "invalid choice" in assert_bad(capsys, database, "--format", "xml")


def test_missing_database_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.duckdb"
    err = assert_bad(capsys, missing)
    assert f"database file not found: {missing}" in err
    assert not missing.exists()


def test_database_without_marts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    err = assert_bad(capsys, empty)
    assert "run the pipeline first" in err
    assert "marts.fct_meter_monthly" in err


def test_not_a_duckdb_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("not a database\n")
    err = assert_bad(capsys, bogus)
    assert "cannot open" in err
    assert bogus.read_text() == "not a database\n"


# --- read-only ------------------------------------------------------------------


@pytest.fixture
def written_by_another_process(tmp_path: Path) -> Iterator[Path]:
    """A warehouse another process holds open for writing (a run building it)."""
    path = build_marts(tmp_path / "busy.duckdb")
    with held_for_writing(path):
        yield path


def test_a_warehouse_being_written_exits_3_busy(
    capsys: pytest.CaptureFixture[str], written_by_another_process: Path
) -> None:
    code, out, err = run(capsys, "--database", str(written_by_another_process))
    assert (code, out) == (3, "")
    assert len(err.strip().splitlines()) == 1
    assert f"the warehouse file {written_by_another_process} is in use" in err
    assert "PID" in err


def test_database_is_opened_read_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = build_marts(tmp_path / "readonly.duckdb")
    before = (path.stat().st_mtime_ns, path.read_bytes())
    other = duckdb.connect(str(path), read_only=True)
    try:
        # Another read-only connection is open the whole time.
        for argv in (
            (),
            ("--group-by", "site", "tag", "--format", "csv"),
            ("--last-months", "2", "--tag", "hvac", "--format", "json"),
        ):
            code, out, _ = run(capsys, "--database", str(path), *argv)
            assert code == 0 and out
        assert other.execute(
            "SELECT count(*) FROM marts.fct_meter_monthly"
        ).fetchone() == (len(FACTS),)
    finally:
        other.close()
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert not Path(f"{path}.wal").exists()


# --- implied sewer and mirror-site estimates (--include-implied/-estimated) -----

IMPLIED = [
    # usage_id, meter_id (the water meter), company, site, month, currency,
    # implied_usage (0.75 x the water usage of the month)
    ("U1", "M2", "C1", "S2", "2023-12-01", "USD", 750),
    ("U2", "M2", "C1", "S2", "2024-02-01", "USD", 1000),
    ("U3", "M2", "C1", "S2", "2024-02-01", "USD", 500),
    ("U4", "M5", "C2", "S3", "2024-02-01", "EUR", 2000),
]
ESTIMATED = [
    # site, mirror site, commodity, month, estimated usage, unit, scale factor
    ("S2", "S1", ELEC, "2023-11-01", 50, "kWh", 0.5),
    ("S2", "S1", ELEC, "2023-12-01", 100, "kWh", 0.5),
    ("S4", "S3", "WATER", "2024-02-01", 1500, "gal", 0.5),
]


def add_implied_and_estimates(path: Path) -> Path:
    """Add the implied sewer (meter level) and the mirror-site estimates."""
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA intermediate")
        con.execute(
            "CREATE TABLE intermediate.int_sewer_usage_implied (usage_id VARCHAR, "
            "document_id VARCHAR, meter_id VARCHAR, company_id VARCHAR, "
            "site_id VARCHAR, month DATE, currency VARCHAR, "
            "implied_sewer_fraction DECIMAL(28, 6), "
            "source_water_usage DECIMAL(28, 6), implied_usage DECIMAL(28, 6), "
            "usage_unit VARCHAR)"
        )
        con.executemany(
            "INSERT INTO intermediate.int_sewer_usage_implied VALUES "
            "(?, 'D', ?, ?, ?, ?, ?, 0.75, ? / 0.75, ?, 'gal')",
            [(*row[:6], row[6], row[6]) for row in IMPLIED],
        )
        con.execute(
            "CREATE TABLE marts.fct_site_monthly_estimated (site_id VARCHAR, "
            "mirror_site_id VARCHAR, commodity VARCHAR, month DATE, "
            "estimated_usage DECIMAL(28, 6), usage_unit VARCHAR, "
            "scale_factor DECIMAL(28, 6), is_estimated BOOLEAN)"
        )
        con.executemany(
            "INSERT INTO marts.fct_site_monthly_estimated VALUES "
            "(?, ?, ?, ?, ?, ?, ?, true)",
            ESTIMATED,
        )
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def kinds_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kinds") / "warehouse.duckdb"
    return add_implied_and_estimates(build_marts(path))


def kind_summary(rows: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    """Like ``summary`` with the kind after the given keys."""
    return [
        (
            row["period"],
            *(row[key] for key in keys),
            row["kind"],
            row["usage"],
            row["usage_unit"],
            row["cost"],
            row["currency"],
            row["meter_count"],
        )
        for row in rows
    ]


def with_kind(rows: list[tuple[Any, ...]], kind: str = "metered") -> list[Any]:
    """Rows of ``summary`` (period first) with a kind after the period."""
    return [(row[0], kind, *row[1:]) for row in rows]


def test_without_the_flags_the_output_is_unchanged(
    capsys: pytest.CaptureFixture[str], kinds_database: Path
) -> None:
    # The extra tables exist, but without a flag nothing of them shows.
    rows = rollup_json(capsys, kinds_database)
    assert summary(rows) == PORTFOLIO_BY_MONTH
    assert all(list(row) == output_columns(()) for row in rows)
    code, out, _ = run(capsys, "--database", str(kinds_database))
    assert code == 0
    assert "kind" not in out.splitlines()[0].split()


def test_include_implied_adds_labelled_sewer_rows(
    capsys: pytest.CaptureFixture[str], kinds_database: Path
) -> None:
    rows = rollup_json(capsys, kinds_database, "--include-implied")
    assert list(rows[0]) == output_columns((), kinds=True)
    metered = with_kind(PORTFOLIO_BY_MONTH)
    assert kind_summary(rows) == [
        metered[0],
        *metered[1:3],
        ("2023-12", "implied", 750, "gal", 0, "USD", 1),
        *metered[3:5],
        *metered[5:9],
        ("2024-02", "implied", 2000, "gal", 0, "EUR", 1),
        ("2024-02", "implied", 1500, "gal", 0, "USD", 1),
    ]
    implied = [row for row in rows if row["kind"] == "implied"]
    assert {
        (row["export_usage"], row["generation_usage"], row["net_usage"] == row["usage"])
        for row in implied
    } == {(0, 0, True)}


def test_include_estimated_adds_labelled_rows_without_cost_or_currency(
    capsys: pytest.CaptureFixture[str], kinds_database: Path
) -> None:
    rows = rollup_json(capsys, kinds_database, "--include-estimated", "--by", "year")
    assert kind_summary(rows) == [
        ("2023", "metered", 1000, "gal", 12.5, "USD", 1),
        ("2023", "metered", 300, "kWh", 130, "USD", 1),
        ("2023", "estimated", 150, "kWh", None, None, 0),
        ("2024", "metered", 3000.1234, "gal", 40, "EUR", 1),
        ("2024", "metered", 2000, "gal", 25, "USD", 1),
        ("2024", "metered", 1150, "kWh", 250, "EUR", 2),
        ("2024", "metered", 450, "kWh", 150, "USD", 2),
        ("2024", "metered", 400, "kWh", None, None, 1),
        ("2024", "estimated", 1500, "gal", None, None, 0),
    ]
    estimated = [row for row in rows if row["kind"] == "estimated"]
    assert {
        (row["export_usage"], row["generation_usage"], row["net_usage"])
        for row in estimated
    } == {(None, None, None)}


def test_both_kinds_stay_apart_from_metered_rows(
    capsys: pytest.CaptureFixture[str], kinds_database: Path
) -> None:
    rows = rollup_json(
        capsys, kinds_database, "--include-implied", "--include-estimated",
        "--group-by", "site", "--by", "total",
    )  # fmt: skip
    assert list(rows[0]) == output_columns(("site",), kinds=True)
    assert kind_summary(rows, "site_id") == [
        ("total", "S1", "metered", 50, "kWh", 30, "EUR", 1),
        ("total", "S1", "metered", 450, "kWh", 190, "USD", 1),
        ("total", "S2", "metered", 3000, "gal", 37.5, "USD", 1),
        ("total", "S2", "implied", 2250, "gal", 0, "USD", 1),
        ("total", "S2", "estimated", 150, "kWh", None, None, 0),
        ("total", "S3", "metered", 3000.1234, "gal", 40, "EUR", 1),
        ("total", "S3", "metered", 1100, "kWh", 220, "EUR", 1),
        ("total", "S3", "implied", 2000, "gal", 0, "EUR", 1),
        ("total", "S4", "estimated", 1500, "gal", None, None, 0),
        ("total", None, "metered", 300, "kWh", 90, "USD", 1),
        ("total", None, "metered", 400, "kWh", None, None, 1),
    ]
    assert {row["kind"] for row in rows} == {"metered", "implied", "estimated"}


def test_filters_apply_to_implied_and_estimated_rows(
    capsys: pytest.CaptureFixture[str], kinds_database: Path
) -> None:
    both = ("--include-implied", "--include-estimated", "--by", "total")
    rows = rollup_json(capsys, kinds_database, *both, "--company", "C2")
    assert kind_summary(rows) == [
        ("total", "metered", 3000.1234, "gal", 40, "EUR", 1),
        ("total", "metered", 1100, "kWh", 220, "EUR", 1),
        ("total", "implied", 2000, "gal", 0, "EUR", 1),
        ("total", "estimated", 1500, "gal", None, None, 0),
    ]
    rows = rollup_json(capsys, kinds_database, *both, "--site", "S2", "--to", "2023-12")
    assert kind_summary(rows) == [
        ("total", "metered", 1000, "gal", 12.5, "USD", 1),
        ("total", "implied", 750, "gal", 0, "USD", 1),
        ("total", "estimated", 150, "kWh", None, None, 0),
    ]
    # Implied sewer is SEWER: a commodity filter without it leaves it out.
    rows = rollup_json(capsys, kinds_database, *both, "--commodity", "sewer")
    assert kind_summary(rows) == [
        ("total", "implied", 2000, "gal", 0, "EUR", 1),
        ("total", "implied", 2250, "gal", 0, "USD", 1),
    ]
    rows = rollup_json(capsys, kinds_database, *both, "--commodity", "water")
    assert {row["kind"] for row in rows} == {"metered", "estimated"}
    # Unassigned meters: neither kind has rows without a site.
    rows = rollup_json(capsys, kinds_database, *both, "--unassigned")
    assert {row["kind"] for row in rows} == {"metered"}
    # The months: --last-months 1 --through as-of is 2024-02 (the as-of month).
    rows = rollup_json(
        capsys, kinds_database, "--include-implied", "--include-estimated",
        "--last-months", "1", "--through", "as-of", "--commodity", "water", "sewer",
    )  # fmt: skip
    assert kind_summary(rows) == [
        ("2024-02", "metered", 3000.1234, "gal", 40, "EUR", 1),
        ("2024-02", "metered", 2000, "gal", 25, "USD", 1),
        ("2024-02", "implied", 2000, "gal", 0, "EUR", 1),
        ("2024-02", "implied", 1500, "gal", 0, "USD", 1),
        ("2024-02", "estimated", 1500, "gal", None, None, 0),
    ]


def test_implied_rows_follow_the_water_meters_tags_estimates_have_none(
    capsys: pytest.CaptureFixture[str], kinds_database: Path
) -> None:
    both = ("--include-implied", "--include-estimated", "--by", "total")
    # M2 (tag main) implies sewer at S2; M5 has no tag; estimates have no meter.
    rows = rollup_json(capsys, kinds_database, *both, "--tag", "main")
    assert kind_summary(rows) == [
        ("total", "metered", 3000, "gal", 37.5, "USD", 1),
        ("total", "metered", 50, "kWh", 30, "EUR", 1),
        ("total", "metered", 450, "kWh", 190, "USD", 1),
        ("total", "implied", 2250, "gal", 0, "USD", 1),
    ]
    rows = rollup_json(
        capsys, kinds_database, *both, "--group-by", "tag", "--commodity", "sewer",
        "water",
    )  # fmt: skip
    assert kind_summary(rows, "tag") == [
        ("total", "main", "metered", 3000, "gal", 37.5, "USD", 1),
        ("total", "main", "implied", 2250, "gal", 0, "USD", 1),
        ("total", None, "metered", 3000.1234, "gal", 40, "EUR", 1),
        ("total", None, "implied", 2000, "gal", 0, "EUR", 1),
        ("total", None, "estimated", 1500, "gal", None, None, 0),
    ]


def test_kind_column_in_table_and_csv(
    capsys: pytest.CaptureFixture[str], kinds_database: Path
) -> None:
    code, out, _ = run(
        capsys, "--database", str(kinds_database), "--include-estimated",
        "--site", "S4",
    )  # fmt: skip
    assert code == 0
    header, _, *body = out.splitlines()
    assert header.split() == ["period", "kind", "usage", "cost", "meters"]
    assert body[0].split() == ["2024-02", "estimated", "1,500", "gal", "0"]
    code, out, _ = run(
        capsys, "--database", str(kinds_database), "--include-implied",
        "--include-estimated", "--format", "csv", "--site", "S4", "S3",
        "--from", "2024-02", "--commodity", "water", "sewer",
    )  # fmt: skip
    assert code == 0
    records = list(csv.reader(io.StringIO(out)))
    # (This fixture's metered usage is DOUBLE, so the union's usage is too.)
    assert records == [
        output_columns((), kinds=True),
        ["2024-02", "metered", "3000.1234", "0.0", "0.0", "3000.1234", "gal",
         "40.00", "EUR", "1"],
        ["2024-02", "implied", "2000.0", "0.0", "0.0", "2000.0", "gal", "0.00",
         "EUR", "1"],
        ["2024-02", "estimated", "1500.0", "", "", "", "gal", "", "", "0"],
    ]  # fmt: skip


def test_the_flags_need_their_tables(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    # The plain fixture predates implied sewer and mirror estimates.
    err = assert_bad(capsys, database, "--include-implied")
    assert "--include-implied" in err
    assert "intermediate.int_sewer_usage_implied" in err
    assert len(err.strip().splitlines()) == 1
    err = assert_bad(capsys, database, "--include-estimated")
    assert "marts.fct_site_monthly_estimated" in err


def test_query_rollup_with_kinds_directly(kinds_database: Path) -> None:
    rows = query_rollup(
        kinds_database,
        RollupFilters(
            include_implied=True, include_estimated=True, by="total", sites=("S4",)
        ),
    )
    assert [(r["kind"], r["usage"], r["cost"], r["currency"]) for r in rows] == [
        ("estimated", 1500, None, None)
    ]
    assert RollupFilters().with_kinds is False
    assert RollupFilters(include_estimated=True).with_kinds is True


# --- tags, numbers people read, exact JSON (issue 17) -----------------------------


def test_tags_match_case_insensitively(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = build_marts(tmp_path / "tags.duckdb")
    with duckdb.connect(str(path)) as con:  # M4's tag written HVAC
        con.execute(
            "UPDATE marts.dim_meter_tags SET tag_name = 'HVAC' WHERE meter_id = 'M4'"
        )
    expected = [
        ("2023", 300, "kWh", 130, "USD", 1),
        ("2024", 1150, "kWh", 250, "EUR", 2),
        ("2024", 150, "kWh", 60, "USD", 1),
    ]
    for tag in ("hvac", "HVAC", "Hvac"):
        rows = rollup_json(capsys, path, "--tag", tag, "--by", "year")
        assert summary(rows) == expected, tag
    # Grouped by tag, each spelling stays as the warehouse writes it.
    rows = rollup_json(
        capsys, path, "--tag", "hVaC", "--group-by", "tag", "--by", "total"
    )
    assert sorted({row["tag"] for row in rows}) == ["HVAC", "hvac"]
    code, _, err = run(capsys, "--database", str(path), "--tag", "HVAC", "nope")
    assert code == 2 and "unknown tag(s): nope" in err


def _demo_like(path: Path) -> Path:
    """The marts plus a site with a long name, a VND site with large amounts
    (six decimals, as the marts keep them) and solar export and generation."""
    build_marts(path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "ALTER TABLE marts.fct_meter_monthly ALTER cost TYPE DECIMAL(38, 6)"
        )
        con.execute(
            "INSERT INTO marts.dim_sites VALUES ('S000030', 'C2', "
            "'Ho Chi Minh City Distribution Centre 30', FALSE, NULL)"
        )
        con.executemany(
            "INSERT INTO marts.fct_meter_monthly VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                ("M9", "S000030", "C2", "DISTRICT_COOLING", "2024-01-01",
                 333328729.1234, 942862.5, 2605807.25, 332385866.6234, "kWh",
                 "1553531888492.899432", "VND"),
                ("M9", "S000030", "C2", "DISTRICT_COOLING", "2024-02-01",
                 1.5, 0, 0, 1.5, "kWh", "0.4", "VND"),
            ],
        )  # fmt: skip
    return path


def test_the_table_fits_100_columns_with_money_to_its_minor_unit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _demo_like(tmp_path / "demo_like.duckdb")
    code, out, err = run(
        capsys, "--database", str(path), "--group-by", "site", "commodity",
        "--by", "total",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100, out
    assert lines[0].split() == [
        "site_id",
        "site",
        "commodity",
        "usage",
        "cost",
        "meters",
    ]
    vnd = next(line for line in lines if "VND" in line)
    # VND has no minor unit: no decimals; the long name is cut with an ellipsis.
    assert "1,553,531,888,493 VND" in vnd and "Ho Chi Minh" in vnd and "\u2026" in vnd
    eur = next(line for line in lines if "EUR" in line and "S3" in line)
    assert "220.00 EUR" in eur or "40.00 EUR" in eur  # EUR: two decimals
    # The export and generation of the solar rows are listed under the table.
    assert "rows with export or generation usage:" in lines
    assert any("942,863 kWh" in line and "2,605,807 kWh" in line for line in lines)
    assert lines[-1].startswith("(period: the total of the months selected")


def test_json_keeps_every_digit_of_a_decimal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _demo_like(tmp_path / "demo_like.duckdb")
    code, out, err = run(
        capsys, "--database", str(path), "--format", "json", "--site", "S000030",
        "--to", "2024-01",
    )  # fmt: skip
    assert code == 0, err
    assert '"cost": "1553531888492.899432"' in out  # not 1553531888492.8994
    (row,) = json.loads(out)
    assert Decimal(row["cost"]) == Decimal("1553531888492.899432")
    assert row["meter_count"] == 1  # counts stay numbers


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (Decimal("1553531888492.899432"), "VND", "1,553,531,888,493"),
        (Decimal("1234.565"), "EUR", "1,234.57"),
        (1234.5, "eur", "1,234.50"),
        (Decimal("15400.4"), "JPY", "15,400"),
        (Decimal("-0.001"), "USD", "0.00"),
        (Decimal("12.3456"), "BHD", "12.346"),
        (Decimal("99.5"), None, "99.50"),
        (None, "USD", ""),
    ],
)
def test_money_to_its_currencys_minor_unit(
    value: Any, currency: str | None, text: str
) -> None:
    assert money_text(value, currency) == text


def test_usage_rounded_by_size_and_json_values() -> None:
    values = (Decimal("3000.1234"), 123.456, 4.5678, 0.12345, 0)
    assert [usage_text(v) for v in values] == ["3,000", "123.5", "4.57", "0.123", "0"]
    assert json_value({"a": [Decimal("1.10"), 2.5, 3, date(2024, 1, 1), None]}) == {
        "a": ["1.10", "2.5", 3, "2024-01-01", None]
    }


# --- the dbt macro portfolio_filter and rollup select the same rows ---------------

FILTER_CASES: list[dict[str, Any]] = [
    {},
    {"company": "C1"},
    {"company": "C2"},
    {"sites": ["S1"]},
    {"sites": ["S1", "S3"]},
    {"unassigned": True},
    {"sites": ["S2"], "unassigned": True},
    {"commodities": ["electricity"]},
    {"commodities": ["Water", "fuel oil"]},
    {"tags": ["hvac"]},
    {"tags": ["HVAC", "main"]},
    {"month_from": "2024-01"},
    {"month_to": "2023-12"},
    {"month_from": "2023-12", "month_to": "2024-01"},
    {"company": "C1", "sites": ["S1"], "commodities": ["ELECTRICITY"],
     "tags": ["Main"], "month_from": "2023-11", "month_to": "2024-01"},
    {"company": "C1", "unassigned": True, "month_from": "2024-02"},
]  # fmt: skip

_MACRO_CASES = """\
{%- set cases = fromjson(var('cases')) -%}
{%- for case in cases %}
select {{ loop.index0 }} as case_id, f.meter_id, f.month, f.currency
from marts.fct_meter_monthly as f
where {{ portfolio_filter(case, alias='f', tag_relation='marts.dim_meter_tags') }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
"""


def _rollup_selects(con: duckdb.DuckDBPyConnection, case: dict[str, Any]) -> set[Any]:
    """The (meter, month, currency) rows rollup's filter keeps for ``case``."""
    filters = RollupFilters(
        company=case.get("company"),
        sites=tuple(case.get("sites", ())),
        unassigned=bool(case.get("unassigned")),
        commodities=tuple(case.get("commodities", ())),
        tags=tuple(case.get("tags", ())),
        month_from=case.get("month_from"),
        month_to=case.get("month_to"),
    )
    request = rollup._check_static(filters)
    where, params = rollup._where(request, request.start, request.end, "f")
    return set(
        con.execute(
            f"SELECT f.meter_id, f.month, f.currency FROM marts.fct_meter_monthly "
            f"AS f {where}",
            params,
        ).fetchall()
    )


@pytest.mark.e2e
def test_the_portfolio_filter_macro_and_rollup_select_the_same_rows(
    tmp_path: Path,
) -> None:
    """``macros/portfolio_filter.sql`` (the marts' and the semantic layer's
    filter) compiled by dbt and ``rollup``'s filter, run on the same marts,
    keep the same rows for every combination of filters."""
    path = build_marts(tmp_path / "filters.duckdb")
    with duckdb.connect(str(path)) as con:  # a tag in another case
        con.execute(
            "UPDATE marts.dim_meter_tags SET tag_name = 'HVAC' WHERE meter_id = 'M4'"
        )
    compiled = subprocess.run(
        [
            str(VENV_DBT), "--quiet", "compile", "--profiles-dir", str(PROJECT_ROOT),
            "--project-dir", str(PROJECT_ROOT), "--inline", _MACRO_CASES,
            "--vars", json.dumps({"cases": json.dumps(FILTER_CASES)}),
        ],
        cwd=PROJECT_ROOT,
        env={
            **os.environ, **isolated_dbt_env(tmp_path),
            "UTILITY_WAREHOUSE_DB": ":memory:",
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert compiled.returncode == 0, (compiled.stdout + compiled.stderr)[-4000:]
    sql = compiled.stdout.strip()
    assert sql.count("union all") == len(FILTER_CASES) - 1, sql
    with duckdb.connect(str(path), read_only=True) as con:
        by_macro: dict[int, set[Any]] = {i: set() for i in range(len(FILTER_CASES))}
        for case_id, *row in con.execute(sql).fetchall():
            by_macro[case_id].add(tuple(row))
        for index, case in enumerate(FILTER_CASES):
            expected = _rollup_selects(con, case)
            assert by_macro[index] == expected, case
    assert len(by_macro[0]) == len(FACTS)  # the empty filter keeps every row
