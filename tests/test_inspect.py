"""Tests of ``pipeline.py inspect`` on the warehouse of ``test_export``.

May 2024 at site QS1 (see ``test_export`` and ``test_quality_end_to_end``):

- ELECTRICITY: QE1's bill ``B-E1-202405`` (May 1-31, 1,000 kWh and an
  exclusion row of 100 kWh, 100 USD) and its superseded earlier version
  ``B-E1-202405-V0`` (1,200 kWh, not counted: superseded_bill);
- WATER: QW1's ``B-W1-20240501`` (May 1-31, 3,000 gal, 30 USD) and
  ``B-W1-20240520`` (May 20 - June 15: 12 of its 27 days in May);
- STEAM: QT1's ``B-T1-202405`` (1,000 kWh, 40 USD) and the fee bill
  ``B-T1-FEE`` (12 USD, no usage row);
- implied sewer: 0.75 x the counted water of May.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import copy_of, held_for_writing, run_pipeline
from test_export import build_warehouse
from utility_warehouse import cli
from utility_warehouse.inspect_month import (
    InspectError,
    InspectRequest,
    inspect_month,
)

pytestmark = pytest.mark.e2e

D = Decimal
Row = dict[str, Any]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("inspect"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pipeline.py inspect`` in-process; argparse exits become exit codes."""
    try:
        code = cli.main(["inspect", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def report_json(
    capsys: pytest.CaptureFixture[str], database: Path, *argv: str
) -> dict[str, Any]:
    code, out, err = run(capsys, "--database", str(database), "--format", "json", *argv)
    assert code == 0, err
    report = json.loads(out)
    assert isinstance(report, dict)
    return report


def group(report: dict[str, Any], commodity: str) -> dict[str, Any]:
    (found,) = [g for g in report["groups"] if g["commodity"] == commodity]
    assert isinstance(found, dict)
    return found


def cost_line(bill: dict[str, Any]) -> tuple[Any, ...] | None:
    cost = bill["cost"]
    if cost is None:
        return None
    return (
        cost["start_date"],
        cost["bill_date"],
        cost["overlap_days"],
        cost["period_days"],
        cost["attributed_cost"],
        cost["cost"],
        cost["is_counted"],
        cost["exclusion_reason"],
    )


def usage_lines(bill: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            row["usage_id"],
            row["start_date"],
            row["end_date"],
            row["overlap_days"],
            row["period_days"],
            row["net_metering_type"],
            row["is_exclusion"],
            row["signed_usage"],
            row["is_counted"],
            row["exclusion_reason"],
        )
        for row in bill["usage_rows"]
    ]


def portfolio(
    database: Path, site: str, month: str, commodity: str
) -> tuple[Decimal, Decimal]:
    with duckdb.connect(str(database), read_only=True) as con:
        found = con.execute(
            "SELECT usage, cost FROM marts.fct_portfolio_monthly WHERE site_id = ? "
            "AND month = CAST(? AS DATE) AND commodity = ? AND NOT is_implied",
            [site, f"{month}-01", commodity],
        ).fetchone()
    assert found is not None
    return found[0], found[1]


# --- a month with several bills ------------------------------------------------------


def test_every_bill_and_usage_row_of_the_month_with_its_days_and_parts(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse, "--site", "QS1", "--month", "2024-05")
    assert report["site"] == {"site_id": "QS1", "site_name": "HQ", "company_id": "Q1"}
    assert (report["month"], report["commodity"]) == ("2024-05", None)
    assert (report["as_of_date"], report["as_of_source"]) == (
        "2025-01-31",
        "latest run",
    )
    assert [
        (g["commodity"], g["currency"], g["usage_unit"]) for g in report["groups"]
    ] == [
        ("ELECTRICITY", "USD", "kWh"),
        ("WATER", "USD", "gal"),
        ("STEAM", "USD", "kWh"),
    ]

    electricity = group(report, "ELECTRICITY")
    assert [(b["document_id"], b["meter_id"]) for b in electricity["bills"]] == [
        ("B-E1-202405", "QE1"),
        ("B-E1-202405-V0", "QE1"),
    ]
    current, superseded = electricity["bills"]
    assert current["primary_id"] == "QE1-1"
    assert cost_line(current) == (
        "2024-05-01", "2024-05-31", 31, 31, "100.000000", "100.000000", True, None,
    )  # fmt: skip
    assert usage_lines(current) == [
        ("U-B-E1-202405", "2024-05-01", "2024-05-31", 31, 31, "IMPORT", False,
         "1000.000000", True, None),
        ("U-B-E1-202405-EXCL", "2024-05-01", "2024-05-31", 31, 31, "IMPORT", True,
         "-100.000000", True, None),
    ]  # fmt: skip
    # A superseded bill has no attributed cost; its row is listed, not counted.
    assert cost_line(superseded) is None
    assert usage_lines(superseded) == [
        ("U-B-E1-202405-V0", "2024-05-01", "2024-05-31", 31, 31, "IMPORT", False,
         "1200.000000", False, "superseded_bill"),
    ]  # fmt: skip
    assert (electricity["bill_count"], electricity["usage_row_count"]) == (2, 3)
    assert electricity["totals"] == {
        "usage": "900.000000",
        "export_usage": "0.000000",
        "generation_usage": "0.000000",
        "net_usage": "900.000000",
        "cost": "100.000000",
    }

    water = group(report, "WATER")
    assert [b["document_id"] for b in water["bills"]] == [
        "B-W1-20240501",
        "B-W1-20240520",
    ]
    may, overlapping = water["bills"]
    assert cost_line(may) == (
        "2024-05-01", "2024-05-31", 31, 31, "30.000000", "30.000000", True, None,
    )  # fmt: skip
    assert cost_line(overlapping) == (
        "2024-05-20", "2024-06-15", 12, 27, "30.000000", "13.333333", True, None,
    )  # fmt: skip
    assert usage_lines(overlapping) == [
        ("U-B-W1-20240520", "2024-05-20", "2024-06-15", 12, 27, "IMPORT", False,
         "1333.333333", True, None),
    ]  # fmt: skip
    assert (water["totals"]["usage"], water["totals"]["cost"]) == (
        "4333.333333",
        "43.333333",
    )

    steam = group(report, "STEAM")
    assert [(b["document_id"], len(b["usage_rows"])) for b in steam["bills"]] == [
        ("B-T1-202405", 1),
        ("B-T1-FEE", 0),
    ]
    assert cost_line(steam["bills"][1]) == (
        "2024-05-01", "2024-05-31", 31, 31, "12.000000", "12.000000", True, None,
    )  # fmt: skip
    assert (steam["totals"]["usage"], steam["totals"]["cost"]) == (
        "1000.000000",
        "52.000000",
    )

    # Implied sewer is named, not listed: 0.75 x 4,333.333333 gal.
    assert report["implied_sewer"] == [
        {
            "currency": "USD",
            "usage": "3250.000000",
            "usage_unit": "gal",
            "water_meter_count": 1,
        }
    ]


def test_totals_equal_the_portfolio(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse, "--site", "QS1", "--month", "2024-05")
    assert report["matches"] is True
    for found in report["groups"]:
        assert found["matches"] is True and found["differences"] == []
        totals, row = found["totals"], found["portfolio"]
        assert {k: row[k] for k in totals} == totals
        usage, cost = portfolio(warehouse, "QS1", "2024-05", found["commodity"])
        assert (D(totals["usage"]), D(totals["cost"])) == (usage, cost)
    assert group(report, "WATER")["portfolio"]["meter_count"] == 1


def test_the_table_lists_every_row_and_says_the_totals_match(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    code, out, err = run(
        capsys, "--database", str(warehouse), "--site", "QS1", "--month", "2024-05"
    )
    assert (code, err) == (0, "")
    assert out.startswith("Site QS1 HQ (company Q1), month 2024-05; warehouse as of ")
    for text in [
        "ELECTRICITY in USD (usage in kWh): 2 bill(s), 3 usage row(s)",
        "WATER in USD (usage in gal): 2 bill(s), 2 usage row(s)",
        "STEAM in USD (usage in kWh): 2 bill(s), 1 usage row(s)",
        "U-B-E1-202405-EXCL",
        "IMPORT excl.",
        # Usage rounded by size, cost to the cent (JSON keeps every digit).
        "-100.0",
        "superseded_bill",
        "2024-05-20..2024-06-15  12/27",
        " 1,333\n",
        " 13.33",
        "counted total:          usage 900.0 kWh, cost 100.00 USD",
        "fct_portfolio_monthly:  usage 900.0 kWh, cost 100.00 USD",
        "counted total:          usage 4,333 gal, cost 43.33 USD",
        "Note: implied sewer of 3,250 gal",
    ]:
        assert text in out, text
    assert out.count("the counted totals match fct_portfolio_monthly") == 3
    assert "WARNING" not in out


def test_commodity_filter(capsys: pytest.CaptureFixture[str], warehouse: Path) -> None:
    report = report_json(
        capsys, warehouse, "--site", "QS1", "--month", "2024-05", "--commodity", "water"
    )
    assert report["commodity"] == "WATER"
    assert [g["commodity"] for g in report["groups"]] == ["WATER"]
    assert report["implied_sewer"] == []  # implied sewer is SEWER, not WATER
    steam = report_json(
        capsys,
        warehouse,
        "--site",
        "QS1",
        "--month",
        "2024-05",
        "--commodity",
        "Steam",
    )
    assert [g["commodity"] for g in steam["groups"]] == ["STEAM"]


def test_a_month_that_does_not_count(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    # QS4 is archived on 2024-06-30: its July bill is listed with its reason.
    report = report_json(capsys, warehouse, "--site", "QS4", "--month", "2024-07")
    (electricity,) = report["groups"]
    (bill,) = electricity["bills"]
    assert bill["document_id"] == "B-E4-202407"
    assert cost_line(bill) == (
        "2024-07-01", "2024-07-31", 31, 31, "20.000000", "20.000000", False,
        "archived_site_after_stop_date",
    )  # fmt: skip
    assert [line[-2:] for line in usage_lines(bill)] == [
        (False, "archived_site_after_stop_date")
    ]
    assert electricity["totals"]["usage"] == "0.000000"
    assert electricity["portfolio"] is None
    assert electricity["matches"] is True
    code, out, _ = run(
        capsys, "--database", str(warehouse), "--site", "QS4", "--month", "2024-07"
    )
    assert code == 0
    assert "no metered row (nothing counted)" in out


def test_a_month_without_bills(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse, "--site", "QS3", "--month", "2023-01")
    assert (report["groups"], report["matches"]) == ([], True)
    code, out, _ = run(
        capsys, "--database", str(warehouse), "--site", "QS3", "--month", "2023-01"
    )
    assert code == 0
    assert "No bill or usage row of this site overlaps this month." in out


def test_a_mismatch_is_a_warning_and_exits_0(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    path = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE marts.fct_portfolio_monthly SET cost = cost + 1 WHERE "
            "site_id = 'QS1' AND month = DATE '2024-05-01' AND commodity = 'WATER'"
        )
    code, out, err = run(
        capsys, "--database", str(path), "--site", "QS1", "--month", "2024-05"
    )
    assert code == 0
    assert (
        "WARNING: the counted totals do not match fct_portfolio_monthly "
        "(cost: bills 43.333333 vs portfolio 44.333333)"
    ) in out
    assert out.count("the counted totals match fct_portfolio_monthly") == 2
    assert "warning" in err
    report = report_json(capsys, path, "--site", "QS1", "--month", "2024-05")
    assert report["matches"] is False
    assert group(report, "WATER")["differences"] == [
        {"figure": "cost", "bills": "43.333333", "portfolio": "44.333333"}
    ]


# --- bad values, read-only, busy ---------------------------------------------------


def test_bad_values_exit_2(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    db = str(warehouse)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    cases = [
        (("--site", "NOPE", "--month", "2024-05"), "unknown site: NOPE"),
        (("--site", "QS1' OR '1'='1", "--month", "2024-05"), "unknown site"),
        (("--site", "QS1", "--month", "2024-5"), "malformed month"),
        (("--site", "QS1", "--month", "2024-13"), "malformed month"),
        (("--site", "QS1", "--month", "1800-01"), "out of range"),
        (("--site", "QS1", "--month", "2024-05", "--commodity", "coal"),
         "unknown commodity"),
        (("--site", "QS1", "--month", "2024-05", "--format", "csv"),
         "invalid choice"),
        (("--month", "2024-05"), "required: --site"),
        (("--site", "QS1"), "required: --month"),
    ]  # fmt: skip
    for argv, message in cases:
        code, out, err = run(capsys, "--database", db, *argv)
        assert (code, out) == (2, ""), argv
        assert message in err, (argv, err)
    for database, message in [
        (tmp_path / "none.duckdb", "database file not found"),
        (empty, "run the pipeline first"),
    ]:
        code, out, err = run(
            capsys, "--database", str(database), "--site", "QS1", "--month", "2024-05"
        )
        assert (code, out) == (2, "")
        assert message in err
    with pytest.raises(InspectError, match="unknown site"):
        inspect_month(warehouse, InspectRequest(site="QS9", month="2024-05"))


def test_the_database_is_opened_read_only(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    path = copy_of(warehouse, tmp_path)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    other = duckdb.connect(str(path), read_only=True)
    try:
        for argv in ((), ("--format", "json"), ("--commodity", "gas")):
            code, out, _ = run(
                capsys,
                "--database",
                str(path),
                "--site",
                "QS1",
                "--month",
                "2024-05",
                *argv,
            )
            assert code == 0 and out
    finally:
        other.close()
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert not Path(f"{path}.wal").exists()


@pytest.fixture
def written_by_another_process(warehouse: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the warehouse another process holds open for writing."""
    path = copy_of(warehouse, tmp_path)
    with held_for_writing(path):
        yield path


def test_a_warehouse_being_written_exits_3_busy(
    capsys: pytest.CaptureFixture[str], written_by_another_process: Path
) -> None:
    code, out, err = run(
        capsys,
        "--database",
        str(written_by_another_process),
        "--site",
        "QS1",
        "--month",
        "2024-05",
    )
    assert (code, out) == (3, "")
    assert len(err.strip().splitlines()) == 1
    assert f"the warehouse file {written_by_another_process} is in use" in err


def test_the_command_line_runs_as_a_subprocess(warehouse: Path) -> None:
    completed = run_pipeline(
        "inspect", "--database", str(warehouse), "--site", "QS1", "--month", "2024-05"
    )
    assert completed.returncode == 0, completed.stderr
    assert "the counted totals match fct_portfolio_monthly" in completed.stdout
