"""The read commands on a warehouse whose names are hostile.

The landing (one company, as of 2026-11-01) names its sites and meters the
way an attacker or a careless export would:

- site HS1 ``=HYPERLINK("http://x","y")`` with meter ``=1+2`` (tagged
  ``@SUM(A1)``), billed 120.50 USD; a line item described ``@SUM(A1)``;
- site HS2 named with terminal escapes (clear screen, a window title ending in
  BEL, an 8-bit CSI, a carriage return that would overwrite the line), billed a
  credit of -12.50 USD;
- site HS3 named with a newline and a tab, HS4 with East Asian wide
  characters, HS5 with 300 characters.

CSV outputs must neutralize formulas (a leading single quote) and keep numbers,
negatives included; table outputs must show control characters visibly and
keep their columns aligned; JSON and Parquet keep every value as it is.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import MINIMAL_LANDING, isolated_dbt_env, run_pipeline, write_landing
from utility_warehouse import cli
from utility_warehouse.safe_output import display_width

pytestmark = pytest.mark.e2e

AS_OF = "2026-11-01"
FORMULA = '=HYPERLINK("http://x","y")'
METER = "=1+2"
TAG = "@SUM(A1)"
ESCAPES = "\x1b[2J\x1b]0;owned\x07Evil\x9b31m\rHQ"
ESCAPES_SHOWN = "\\x1b[2J\\x1b]0;owned\\x07Evil\\x9b31m\\rHQ"
LINES = "Line\nbreak\tTab"
LINES_SHOWN = "Line\\nbreak\\tTab"
WIDE = "東京本社ビル"
LONG = "L" * 300
SITES = {"HS1": FORMULA, "HS2": ESCAPES, "HS3": LINES, "HS4": WIDE, "HS5": LONG}
METERS = {"HS1": METER, "HS2": "HM2", "HS3": "HM3", "HS4": "HM4", "HS5": "HM5"}
CHARGES = {"HS1": "120.50", "HS2": "-12.50", "HS3": "10", "HS4": "20", "HS5": "30"}
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

Row = dict[str, Any]


def hostile_landing() -> dict[str, list[Row]]:
    base = MINIMAL_LANDING
    landing: dict[str, list[Row]] = {
        "companies": [dict(row) for row in base["companies"]],
        "accounts": [dict(row) for row in base["accounts"]],
        "sites": [],
        "meters": [],
        "meter_identifiers": [],
        "meter_tags": [{"meter_id": METER, "tag_name": TAG}],
        "documents": [],
        "usage_data": [],
        "line_items": [],
    }
    for number, (site_id, name) in enumerate(SITES.items(), start=1):
        meter_id = METERS[site_id]
        landing["sites"].append({**base["sites"][0], "id": site_id, "name": name})
        landing["meters"].append(
            {**base["meters"][0], "id": meter_id, "site_id": site_id}
        )
        landing["meter_identifiers"].append(
            {"meter_id": meter_id, "identifier_type": "METER", "value": f"E-{number}"}
        )
        bill = f"HB{number}"
        charges = CHARGES[site_id]
        landing["documents"].append(
            {
                **base["documents"][0],
                "id": bill,
                "total_charges": charges,
                "current_charges": charges,
            }
        )
        landing["usage_data"].append(
            {
                **base["usage_data"][0],
                "id": f"HU{number}",
                "document_id": bill,
                "meter_id": meter_id,
            }
        )
    landing["line_items"].append(
        {
            "id": "HL1",
            "document_id": "HB1",
            "meter_id": METER,
            "charge_type": "USAGE",
            "datasource_type": "",
            "description": TAG,
            "amount": "120.50",
        }
    )
    return landing


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    raw_dir = base / "raw"
    tables = hostile_landing()
    sites = tables.pop("sites")
    write_landing(raw_dir, tables)
    write_landing(raw_dir, {"sites": sites}, fmt="jsonl")
    database = base / "warehouse.duckdb"
    completed = run_pipeline(
        "run",
        "--raw-dir",
        str(raw_dir),
        "--database",
        str(database),
        "--as-of",
        AS_OF,
        env=isolated_dbt_env(base),
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    with duckdb.connect(str(database), read_only=True) as con:
        names = dict(
            con.execute("SELECT site_id, site_name FROM marts.dim_sites").fetchall()
        )
    assert names == SITES  # the landing kept every name as written
    return database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def csv_file(path: Path) -> str:
    """The text of a CSV file, line ends as written."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def assert_no_formula(rows: list[dict[str, str]], where: str) -> None:
    """No cell starts a formula; a cell starting with '-' is a number."""
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (where, column)
            if cell.startswith("-"):
                try:
                    Decimal(cell)
                except InvalidOperation:
                    pytest.fail(f"{where}: {column} = {cell!r} is text")


# --- CSV: formulas neutralized, numbers kept ----------------------------------------


@pytest.fixture(scope="module")
def csv_export(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("csv_export") / "out"
    code = cli.main(
        ["export", "--database", str(warehouse), "--out", str(out), "--format", "csv"]
    )
    assert code == 0
    return out


def test_export_csv_neutralizes_formulas_and_keeps_numbers(csv_export: Path) -> None:
    files = sorted(csv_export.glob("*.csv")) + sorted(
        (csv_export / "energy_star").glob("*.csv")
    )
    assert len(files) > 10
    for path in files:
        assert_no_formula(read_csv(csv_file(path)), path.name)
    sites = {
        row["site_id"]: row["site_name"]
        for row in read_csv(csv_file(csv_export / "dim_sites.csv"))
    }
    assert sites["HS1"] == "'" + FORMULA
    assert sites["HS2"] == ESCAPES  # not a formula: as it is
    meters = read_csv(csv_file(csv_export / "dim_meters.csv"))
    assert "'" + METER in {row["meter_id"] for row in meters}
    tags = read_csv(csv_file(csv_export / "dim_meter_tags.csv"))
    assert [(row["meter_id"], row["tag_name"]) for row in tags] == [
        ("'" + METER, "'" + TAG)
    ]
    costs = read_csv(csv_file(csv_export / "fct_bill_meter_costs.csv"))
    by_bill = {row["document_id"]: row for row in costs}
    assert Decimal(by_bill["HB2"]["attributed_cost"]) == Decimal("-12.50")
    assert by_bill["HB2"]["attributed_cost"].startswith("-12.5")


def test_energy_star_csv_neutralizes_formulas(csv_export: Path) -> None:
    text = csv_file(csv_export / "energy_star" / "electricity.csv")
    rows = {row["Property ID"]: row for row in read_csv(text)}
    assert rows["HS1"]["Property Name"] == "'" + FORMULA
    assert rows["HS1"]["Meter ID"] == "'" + METER
    assert Decimal(rows["HS2"]["Cost"]) == Decimal("-12.50")
    # The quotes inside the formula are CSV-quoted as usual.
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in text


def test_parquet_and_json_keep_values_as_they_are(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "parquet"
    assert cli.main(["export", "--database", str(warehouse), "--out", str(out)]) == 0
    sites = pq.read_table(out / "dim_sites.parquet").to_pylist()
    assert {row["site_id"]: row["site_name"] for row in sites} == SITES
    capsys.readouterr()
    code, stdout, _ = run(
        capsys, "rollup", "--database", str(warehouse), "--group-by", "site",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    names = {row["site_id"]: row["site_name"] for row in json.loads(stdout)}
    assert names == SITES


def test_rollup_csv_neutralizes_formulas_and_keeps_numbers(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = run(
        capsys, "rollup", "--database", str(warehouse), "--group-by", "site", "tag",
        "--by", "total", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    rows = read_csv(stdout)
    assert_no_formula(rows, "rollup")
    by_site = {row["site_id"]: row for row in rows}
    assert by_site["HS1"]["site_name"] == "'" + FORMULA
    assert by_site["HS1"]["tag"] == "'" + TAG
    assert Decimal(by_site["HS2"]["cost"]) == Decimal("-12.50")
    assert by_site["HS2"]["site_name"] == ESCAPES


# --- tables: control characters shown, columns aligned -----------------------------


def assert_safe_for_a_terminal(text: str) -> None:
    assert not RAW_CONTROLS.search(text), repr(RAW_CONTROLS.search(text))


def test_rollup_table_escapes_controls_and_stays_aligned(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = run(
        capsys, "rollup", "--database", str(warehouse), "--group-by", "site",
        "--by", "total",
    )  # fmt: skip
    assert code == 0, err
    assert_safe_for_a_terminal(stdout)
    *lines, note = stdout.splitlines()
    assert note.startswith("(period: the total of the months selected")
    assert len(lines) == 2 + len(SITES)
    assert any(ESCAPES_SHOWN[:12] in line for line in lines)
    assert any(WIDE in line for line in lines)
    # Every line ends with the right-aligned meter count: same display width.
    assert len({display_width(line) for line in lines}) == 1, lines
    # A very long name is cut in the table to fit 100 columns, with an
    # ellipsis (CSV and JSON keep it whole).
    assert not any(LONG in line for line in lines)
    assert any("\u2026" in line for line in lines)
    assert display_width(lines[0]) <= 100


def test_quality_table_escapes_controls(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = run(capsys, "quality", "--database", str(warehouse))
    assert code == 0, err
    assert_safe_for_a_terminal(stdout)
    assert "\\x1b[2J" in stdout
    assert max(display_width(line) for line in stdout.splitlines()) <= 100


def test_quality_json_keeps_names_and_shows_no_raw_control(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = run(
        capsys, "quality", "--database", str(warehouse), "--format", "json"
    )
    assert code == 0, err
    assert_safe_for_a_terminal(stdout)
    report = json.loads(stdout)
    names = {row["site_name"] for row in report["energy_star_not_ready"]["rows"]}
    assert ESCAPES in names


def test_inspect_table_escapes_controls_and_stays_aligned(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for site in SITES:
        code, stdout, err = run(
            capsys, "inspect", "--database", str(warehouse), "--site", site,
            "--month", "2026-01",
        )  # fmt: skip
        assert code == 0, err
        assert_safe_for_a_terminal(stdout)
        table = [line for line in stdout.splitlines() if line.startswith("  ")]
        header, rule = table[0], table[1]
        columns = [match.start() for match in re.finditer(r"-+", rule)]
        assert header.startswith("  bill")
        assert len(columns) == 10
    code, stdout, _ = run(
        capsys, "inspect", "--database", str(warehouse), "--site", "HS2",
        "--month", "2026-01",
    )  # fmt: skip
    assert stdout.startswith(f"Site HS2 {ESCAPES_SHOWN} (company c1)")


def test_export_summary_is_safe_for_a_terminal(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = run(
        capsys, "export", "--database", str(warehouse), "--out", str(tmp_path / "o")
    )
    assert code == 0, err
    assert_safe_for_a_terminal(stdout)


def test_report_html_shows_controls_visibly(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    code, _, err = run(
        capsys, "report", "--database", str(warehouse), "--out", str(out)
    )
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", html)
    assert "\\x1b[2J" in html
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html


# --- NULLs ---------------------------------------------------------------------


@pytest.fixture
def without_currency(warehouse: Path, tmp_path: Path) -> Path:
    """A copy of the warehouse whose HS2 figures have no currency (a bill whose
    currency could not be told)."""
    path = tmp_path / "null_currency.duckdb"
    shutil.copyfile(warehouse, path)
    with duckdb.connect(str(path)) as con:
        for table in (
            "fct_calendarized_usage",
            "fct_calendarized_costs",
            "fct_portfolio_monthly",
            "fct_bill_meter_costs",
            "fct_meter_monthly",
        ):
            con.execute(
                f"UPDATE marts.{table} SET currency = NULL WHERE site_id = 'HS2'"
            )
    return path


def test_inspect_shows_a_missing_currency_as_such(
    without_currency: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("inspect", "--database", str(without_currency), "--site", "HS2",
            "--month", "2026-01")  # fmt: skip
    code, stdout, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    report = json.loads(stdout)
    assert [group["currency"] for group in report["groups"]] == [None]
    assert report["matches"] is True
    code, stdout, err = run(capsys, *argv)
    assert code == 0, err
    assert "None" not in stdout
    assert "ELECTRICITY in no currency" in stdout


def test_export_manifest_keeps_a_missing_currency_null(
    without_currency: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(without_currency)) as con:
        # A cost without a counted usage row, in no currency.
        con.execute(
            "UPDATE marts.fct_calendarized_usage SET is_counted = false "
            "WHERE site_id = 'HS2'"
        )
    out = tmp_path / "o"
    code, stdout, err = run(
        capsys, "export", "--database", str(without_currency), "--out", str(out)
    )
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (left_out,) = [
        item
        for item in manifest["energy_star"]["left_out"]
        if item["reason"] == "cost_without_counted_usage"
    ]
    assert left_out["cost"] == [{"currency": None, "amount": "-12.500000"}]
    assert "None" not in stdout


def test_quality_names_an_amount_in_no_currency(
    without_currency: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(without_currency)) as con:
        con.execute(
            "INSERT INTO marts.fct_unattributed_bill_costs BY NAME "
            "SELECT 'HB9' AS document_id, 'c1' AS company_id, NULL AS currency, "
            "75 AS unattributed_cost"
        )
    code, stdout, err = run(capsys, "quality", "--database", str(without_currency))
    assert code == 0, err
    (line,) = [line for line in stdout.splitlines() if "unattributed bills" in line]
    assert line.split()[-4:] == ["1", "75.00", "no", "currency"]
    code, stdout, err = run(
        capsys, "quality", "--database", str(without_currency), "--format", "json"
    )
    (row,) = [
        r for r in json.loads(stdout)["counts"] if r["finding"] == "unattributed_bill"
    ]
    # An exact decimal, a string in JSON.
    assert (row["count"], Decimal(row["amount"]), row["unit"]) == (1, 75, None)
