"""Smoke test of scripts/benchmark.py: every step runs on a tiny folder.

The dbt runs build the seeds only (``--select seeds``) to stay quick; nothing is
asserted about timings, only that every figure is there.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import duckdb
import pytest

import benchmark

pytestmark = pytest.mark.e2e


def test_benchmark_smoke_on_a_tiny_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workdir = tmp_path / "bench"
    exit_code = benchmark.main(
        ["--sizes", "tiny", "--workdir", str(workdir), "--select", "seeds"]
    )
    captured = capsys.readouterr()
    printed = captured.out
    assert exit_code == 0, printed + captured.err

    # The Markdown table: the header, the rule and one row with every figure.
    lines = [line for line in printed.splitlines() if line.startswith("|")]
    assert len(lines) == 3, printed
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == list(benchmark.TABLE_COLUMNS)
    row = [cell.strip() for cell in lines[2].strip("|").split("|")]
    assert len(row) == len(header)
    assert row[0] == "tiny"
    assert "n/a" not in row
    assert all(cell for cell in row)

    document = json.loads((workdir / "results.json").read_text(encoding="utf-8"))
    assert date.fromisoformat(document["date"])
    machine = document["machine"]
    assert machine["cpu_model"]
    assert machine["cpus"] >= 1
    assert machine["memory_bytes"] > 0
    assert document["threads"] == benchmark.DEFAULT_THREADS
    assert document["table_columns"] == list(benchmark.TABLE_COLUMNS)

    [result] = document["sizes"]
    assert result["size"] == "tiny"
    assert result["usage_rows"] > 0
    assert result["prior_month"]["dropped_rows"]["documents"] > 0
    assert result["prior_month"]["dropped_rows"]["usage_data"] > 0
    for name in ("generate", "baseline", "load", "build", "incremental"):
        step = result["steps"][name]
        assert step["exit_code"] == 0, name
        assert step["seconds"] > 0, name
        assert step["peak_rss_bytes"] > 0, name
    for name in ("build", "prior_month_build", "incremental"):
        step = result["steps"][name]
        assert step["gate"] == "passed", name
        assert step["load_seconds"] is not None, name
        assert step["dbt_seconds"] > 0, name
    assert result["steps"]["baseline"]["site_commodity_months"] > 0

    figures = result["figures"]
    for key in (
        "baseline_seconds",
        "load_seconds",
        "build_seconds",
        "pipeline_seconds",
        "pipeline_over_baseline",
        "incremental_seconds",
        "incremental_over_full_build_percent",
    ):
        value = figures[key]
        assert isinstance(value, int | float) and math.isfinite(value), key
        assert value > 0, key
    assert set(figures["peak_rss_gb"]) == {"baseline", "load", "build", "incremental"}
    assert all(value > 0 for value in figures["peak_rss_gb"].values())


def test_baseline_spreads_usage_over_months_by_days(tmp_path: Path) -> None:
    """The baseline reads messy spellings and prorates by inclusive days."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "Usage_Data.CSV").write_text(
        "id,document_id,meter_id, Start_Date ,end_date,raw_usage,"
        "raw_usage_units,standard_usage\n"
        # 31 + 29 days (2024 is a leap year): 3,100 and 2,900 kWh.
        'u1,d1,m1,01/01/2024,2024-02-29T00:00:00Z,"6,000", KWH ,\n'
        # A given standard usage wins over the raw one.
        "u2,d1,m2,2024-01-01,2024-01-31,5,therms,100\n"
        # Gas in therms: 10 therms = 293.071 kWh.
        "u3,d1,m2,2024-02-01,2024-02-29,10,Therms,\n"
        # Unparseable dates and a bill that does not exist are left out.
        "u4,d1,m1,someday,2024-01-31,1,kWh,\n"
        "u5,d9,m1,2024-01-01,2024-01-31,1,kWh,\n",
        encoding="utf-8",
    )
    (raw / "documents.csv").write_text("id,account_id\nd1,a1\n", encoding="utf-8")
    (raw / "meters.csv").write_text(
        "id,site_id,datasource_type\nm1,s1,electricity\nm2,s1,Gas\n",
        encoding="utf-8",
    )
    (raw / "sites.csv").write_text("id,name\ns1,Head office\n", encoding="utf-8")
    output = tmp_path / "baseline.parquet"

    found = benchmark.run_baseline(raw, output, threads=1)

    assert found["site_commodity_months"] == 4
    with duckdb.connect() as con:
        rows = con.execute(
            "select commodity, month, round(usage, 6), site_name "
            "from read_parquet(?) order by commodity, month",
            [str(output)],
        ).fetchall()
    assert rows == [
        ("ELECTRICITY", date(2024, 1, 1), 3100.0, "Head office"),
        ("ELECTRICITY", date(2024, 2, 1), 2900.0, "Head office"),
        ("GAS", date(2024, 1, 1), 100.0, "Head office"),
        ("GAS", date(2024, 2, 1), 293.071, "Head office"),
    ]
