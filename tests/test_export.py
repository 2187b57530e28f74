"""Tests of ``pipeline.py export`` on a warehouse built from a known landing.

The landing is the hand-built portfolio of ``test_quality_end_to_end`` (company
Q1, sites QS1-QS4, run as of 2025-01-31) plus, in May 2024:

- at QS1, an exclusion row of 100 kWh on QE1's bill ``B-E1-202405`` (1,000 kWh,
  100 USD), and ``B-E1-202405-V0``, an earlier version of that bill that it
  revises (1,200 kWh, 110 USD; superseded, so it does not count);
- at QS1, steam meter QT1 billed 1,000 kWh for 40 USD on ``B-T1-202405``, and
  a fee bill ``B-T1-FEE`` of 12 USD whose only line item names QT1 (a cost
  without any usage row);
- electricity meter QE0 without a site, billed 50 kWh for 10 USD.

The quality fixture already has an estimated read (QE1, February 2024), a
sewer meter (QX3), a gas meter on an OLD_ACCOUNT account (QG5), an archived
site whose July bill does not count (QE4), and a duplicate bill
``B-E2-202406-DUP`` (QE2, June 2024): an open finding of severity action in
``marts.dq_findings`` that holds the bill out of the ENERGY STAR files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import (
    PROJECT_ROOT,
    copy_of,
    held_for_writing,
    isolated_dbt_env,
    run_pipeline,
    write_landing,
)
from test_quality_end_to_end import AS_OF, _landing
from utility_warehouse import cli, metadata
from utility_warehouse.export import (
    ENERGY_STAR_FILES,
    ENERGY_STAR_HEADER,
    ExportError,
    export_warehouse,
)

pytestmark = pytest.mark.e2e

D = Decimal
Row = dict[str, Any]


def export_landing() -> dict[str, list[Row]]:
    """The quality fixture plus the May 2024 bills described above."""
    landing = _landing()
    meter = landing["meters"][0]
    for meter_id, site_id, commodity in [
        ("QT1", "QS1", "STEAM"),
        ("QE0", "", "ELECTRICITY"),
    ]:
        added = dict(meter)
        added.update(id=meter_id, site_id=site_id, datasource_type=commodity)
        landing["meters"].append(added)
        landing["meter_identifiers"].append(
            {"meter_id": meter_id, "identifier_type": "METER", "value": f"{meter_id}-1"}
        )
    document = landing["documents"][0]
    for bill, charges, revised in [
        ("B-E1-202405-V0", "110", "B-E1-202405"),
        ("B-T1-202405", "40", ""),
        ("B-T1-FEE", "12", ""),
        ("B-E0-202405", "10", ""),
    ]:
        added = dict(document)
        added.update(id=bill, account_id="QA1", start_date="2024-05-01")
        added.update(bill_date="2024-05-31", total_charges=charges)
        added.update(current_charges=charges, revised_document_id=revised)
        landing["documents"].append(added)
    usage = landing["usage_data"][0]
    for usage_id, bill, meter_id, amount, exclusion in [
        ("U-B-E1-202405-EXCL", "B-E1-202405", "QE1", "100", "true"),
        ("U-B-E1-202405-V0", "B-E1-202405-V0", "QE1", "1200", ""),
        ("U-B-T1-202405", "B-T1-202405", "QT1", "1000", ""),
        ("U-B-E0-202405", "B-E0-202405", "QE0", "50", ""),
    ]:
        added = dict(usage)
        added.update(id=usage_id, document_id=bill, meter_id=meter_id)
        added.update(start_date="2024-05-01", end_date="2024-05-31")
        added.update(raw_usage=amount, raw_usage_units="kWh", exclusion=exclusion)
        added.update(demand="", is_estimated="")
        landing["usage_data"].append(added)
    landing["line_items"] = [
        {
            "id": "LI-T1-FEE",
            "document_id": "B-T1-FEE",
            "meter_id": "QT1",
            "charge_type": "FEE",
            "datasource_type": "",
            "description": "Meter fee",
            "amount": "12",
        }
    ]
    return landing


def build_warehouse(base: Path) -> Path:
    """Run the pipeline on ``export_landing()`` into ``base``; the database."""
    raw_dir = write_landing(base / "raw", export_landing())
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
    return database


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("export"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pipeline.py export`` in-process; argparse exits become exit codes."""
    try:
        code = cli.main(["export", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def parquet_export(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parquet_export") / "out"
    export_warehouse(warehouse, out)
    return out


def manifest_of(out: Path) -> dict[str, Any]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert isinstance(manifest, dict)
    return manifest


def marts_tables(database: Path) -> dict[str, int]:
    """Every table of schema marts with its row count."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = [
            str(name)
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'marts'"
            ).fetchall()
        ]
        counts = {}
        for name in names:
            found = con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()
            assert found is not None
            counts[name] = int(found[0])
    return counts


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the marts and the manifest -----------------------------------------------------


def test_every_mart_is_exported_with_its_rows_size_and_checksum(
    warehouse: Path, parquet_export: Path
) -> None:
    tables = marts_tables(warehouse)
    assert "run_metadata" in tables and "fct_meter_monthly" in tables
    manifest = manifest_of(parquet_export)
    entries = {entry["table"]: entry for entry in manifest["files"]}
    assert set(entries) == set(tables)
    for table, count in tables.items():
        entry = entries[table]
        path = parquet_export / f"{table}.parquet"
        assert entry["file"] == path.name
        assert entry["rows"] == count, table
        assert entry["size_bytes"] == path.stat().st_size
        assert entry["sha256"] == sha256(path)
    marts_files = {p.name for p in parquet_export.glob("*.parquet")}
    assert marts_files == {f"{table}.parquet" for table in tables}


def test_parquet_reads_back_exactly_the_marts(
    warehouse: Path, parquet_export: Path
) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in marts_tables(warehouse):
            path = str(parquet_export / f"{table}.parquet")
            # Same columns and types (decimal(28,6) stays a decimal) ...
            assert (
                con.execute(
                    "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
                    "read_parquet(?))",
                    [path],
                ).fetchall()
                == con.execute(
                    f"SELECT column_name, column_type FROM (DESCRIBE marts.{table})"
                ).fetchall()
            ), table
            # ... and the same rows, value for value.
            for first, second in [
                ("read_parquet(?)", f"marts.{table}"),
                (f"marts.{table}", "read_parquet(?)"),
            ]:
                assert con.execute(
                    f"SELECT count(*) FROM (SELECT * FROM {first} "
                    f"EXCEPT ALL SELECT * FROM {second})",
                    [path],
                ).fetchone() == (0,), table
        row = con.execute(
            "SELECT usage, cost FROM read_parquet(?) "
            "WHERE meter_id = 'QW1' AND month = DATE '2024-06-01'",
            [str(parquet_export / "fct_meter_monthly.parquet")],
        ).fetchone()
    # 15 of 27 days of 3,000 gal and 30 USD, the short bill's 3,000 and 30.
    assert row == (D("1666.666667") + D("3000"), D("16.666667") + D("30"))


def test_manifest_names_the_run_the_project_and_the_export(
    warehouse: Path, parquet_export: Path
) -> None:
    manifest = manifest_of(parquet_export)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        run_row = con.execute(
            "SELECT run_id, as_of_date, ended_at FROM marts.run_metadata"
        ).fetchone()
    assert run_row is not None
    run_id, as_of_date, ended_at = run_row
    assert manifest["warehouse"] == {
        "run_id": run_id,
        "as_of_date": AS_OF,
        "built_at": ended_at.isoformat() + "Z",
    }
    assert as_of_date.isoformat() == AS_OF
    assert manifest["project_version"] == metadata.project_version(PROJECT_ROOT)
    assert manifest["project_version"] == "0.1.0"
    assert manifest["format"] == "parquet"
    assert manifest["database"] == str(warehouse)
    exported_at = datetime.fromisoformat(manifest["exported_at"].rstrip("Z"))
    assert exported_at >= ended_at


def test_csv_format_writes_plain_text_with_full_precision(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "csv"
    code, stdout, err = run(
        capsys, "--database", str(warehouse), "--out", str(out), "--format", "csv"
    )
    assert code == 0, err
    assert "fct_meter_monthly.csv" in stdout
    tables = marts_tables(warehouse)
    manifest = manifest_of(out)
    assert manifest["format"] == "csv"
    assert {entry["file"] for entry in manifest["files"]} == {
        f"{table}.csv" for table in tables
    }
    assert not list(out.glob("*.parquet"))
    for entry in manifest["files"]:
        path = out / entry["file"]
        assert entry["rows"] == tables[entry["table"]] == len(read_csv(path))
        assert entry["sha256"] == sha256(path)
        assert entry["size_bytes"] == path.stat().st_size
    rows = read_csv(out / "fct_meter_monthly.csv")
    june = next(
        row for row in rows if row["meter_id"] == "QW1" and row["month"] == "2024-06-01"
    )
    assert (june["usage"], june["cost"], june["currency"]) == (
        "4666.666667",
        "46.666667",
        "USD",
    )
    may = next(
        row for row in rows if row["meter_id"] == "QE1" and row["month"] == "2024-05-01"
    )
    assert (may["usage"], may["cost"]) == ("900.000000", "100.000000")
    # Every decimal of the mart survives the text exactly.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = {
            (meter, month.isoformat(), currency): (usage, cost)
            for meter, month, currency, usage, cost in con.execute(
                "SELECT meter_id, month, currency, usage, cost "
                "FROM marts.fct_meter_monthly"
            ).fetchall()
        }
    assert {
        (row["meter_id"], row["month"], row["currency"]): (
            D(row["usage"]),
            D(row["cost"]),
        )
        for row in rows
    } == expected


def test_the_same_warehouse_exports_the_same_files(
    warehouse: Path, parquet_export: Path, tmp_path: Path
) -> None:
    again = export_warehouse(warehouse, tmp_path / "again")
    first = manifest_of(parquet_export)
    assert [(e["file"], e["sha256"]) for e in again["files"]] == [
        (e["file"], e["sha256"]) for e in first["files"]
    ]
    assert [(e["file"], e["sha256"]) for e in again["energy_star"]["files"]] == [
        (e["file"], e["sha256"]) for e in first["energy_star"]["files"]
    ]


def test_export_replaces_its_files_and_leaves_others_alone(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "energy_star").mkdir(parents=True)
    (out / "notes.txt").write_text("mine\n")
    (out / "dim_sites.parquet").write_text("stale\n")
    export_warehouse(warehouse, out)
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / "dim_sites.parquet").read_bytes()[:4] == b"PAR1"
    assert not [p for p in out.rglob("*") if ".partial" in p.name]


# --- ENERGY STAR ------------------------------------------------------------------

ES_COLUMNS = [header for header, _ in ENERGY_STAR_HEADER]


def energy_star(out: Path, name: str) -> list[dict[str, str]]:
    path = out / "energy_star" / name
    with path.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(io.StringIO(handle.readline()))) == ES_COLUMNS
    return read_csv(path)


def by_bill(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        assert row["Bill ID"] not in found
        found[row["Bill ID"]] = row
    return found


def test_one_energy_star_file_per_commodity_family(parquet_export: Path) -> None:
    files = sorted(p.name for p in (parquet_export / "energy_star").iterdir())
    assert files == sorted(spec.name for spec in ENERGY_STAR_FILES)
    assert files == [
        "electricity.csv",
        "natural_gas.csv",
        "other_energy.csv",
        "water.csv",
    ]
    manifest = manifest_of(parquet_export)["energy_star"]
    assert manifest["columns"] == ES_COLUMNS
    for entry in manifest["files"]:
        path = parquet_export / entry["file"]
        assert entry["rows"] == len(read_csv(path))
        assert entry["sha256"] == sha256(path)
        assert entry["size_bytes"] == path.stat().st_size
    assert [(e["file"], e["rows"]) for e in manifest["files"]] == [
        # QE1: 13 bills; QE2: 7 less its duplicate June bill (a flagged bill,
        # held out); QE4: January to June (its July bill is after the site's
        # stop date).
        ("energy_star/electricity.csv", 13 + 7 - 1 + 6),
        ("energy_star/natural_gas.csv", 3),
        # QW1's 8 bills and QW3's one.
        ("energy_star/water.csv", 9),
        ("energy_star/other_energy.csv", 1),
    ]


def test_energy_star_rows_are_the_counted_bills_as_billed(
    parquet_export: Path,
) -> None:
    electricity = energy_star(parquet_export, "electricity.csv")
    bills = by_bill(electricity)
    # The exclusion row subtracts; the superseded version is not there.
    assert bills["B-E1-202405"] == {
        "Property ID": "QS1",
        "Property Name": "HQ",
        "Meter ID": "QE1",
        "Primary ID": "QE1-1",
        "Primary ID Type": "METER",
        "Meter Type": "Electric - Grid",
        "Commodity": "ELECTRICITY",
        "Bill ID": "B-E1-202405",
        "Start Date": "2024-05-01",
        "End Date": "2024-05-31",
        "Usage": "900.000000",
        "Usage Units": "kWh (thousand Watt-hours)",
        "Cost": "100.000000",
        "Currency": "USD",
        "Estimation": "No",
    }
    assert "B-E1-202405-V0" not in bills
    assert bills["B-E1-202402"]["Estimation"] == "Yes"
    assert bills["B-E1-202402"]["End Date"] == "2024-02-29"
    assert [row["Estimation"] for row in electricity].count("Yes") == 1
    assert "B-E4-202407" not in bills  # after QS4's stop date
    assert "B-E0-202405" not in bills  # QE0 has no site
    assert {row["Property ID"] for row in electricity} == {"QS1", "QS2", "QS4"}
    # Sorted by site, meter and dates.
    keys = [(r["Property ID"], r["Meter ID"], r["Start Date"]) for r in electricity]
    assert keys == sorted(keys)

    water = by_bill(energy_star(parquet_export, "water.csv"))
    long_bill = water["B-W1-20240520"]
    assert (
        long_bill["Start Date"],
        long_bill["End Date"],
        long_bill["Usage"],
        long_bill["Usage Units"],
        long_bill["Cost"],
        long_bill["Meter Type"],
    ) == (
        "2024-05-20",
        "2024-06-15",
        "3000.000000",
        "Gallons (US)",
        "30.000000",
        "Municipally Supplied Potable Water - Mixed Indoor/Outdoor",
    )
    assert not any(bill.startswith("B-X3") for bill in water)  # sewer

    gas = energy_star(parquet_export, "natural_gas.csv")
    assert [(r["Meter ID"], r["Meter Type"], r["Usage"], r["Cost"]) for r in gas] == [
        ("QG5", "Natural Gas", "10.000000", "7.000000")
    ] * 3

    other = energy_star(parquet_export, "other_energy.csv")
    assert [
        (r["Meter ID"], r["Meter Type"], r["Bill ID"], r["Usage"], r["Cost"])
        for r in other
    ] == [("QT1", "District Steam", "B-T1-202405", "1000.000000", "40.000000")]


DUPLICATE = "B-E2-202406-DUP"


def finding_ids(database: Path, document_id: str) -> list[str]:
    """The ids of the action findings of a bill in marts.dq_findings."""
    with duckdb.connect(str(database), read_only=True) as con:
        return [
            str(finding_id)
            for (finding_id,) in con.execute(
                "SELECT finding_id FROM marts.dq_findings WHERE document_id = ? "
                "AND severity = 'action' ORDER BY finding_id",
                [document_id],
            ).fetchall()
        ]


def test_energy_star_says_what_it_leaves_out(
    warehouse: Path, parquet_export: Path
) -> None:
    ids = finding_ids(warehouse, DUPLICATE)
    assert len(ids) == 1
    energy_star_manifest = manifest_of(parquet_export)["energy_star"]
    assert energy_star_manifest["left_out"] == [
        {"reason": "sewer_meter", "periods": 1},
        {"reason": "unassigned_meter", "periods": 1},
        {
            "reason": "cost_without_counted_usage",
            "periods": 1,
            "cost": [{"currency": "USD", "amount": "12.000000"}],
        },
        {
            "reason": "flagged_bill",
            "periods": 1,
            "bills": [
                {
                    "document_id": DUPLICATE,
                    "finding_ids": ids,
                    "kinds": ["duplicate_bill"],
                    "periods": 1,
                }
            ],
        },
    ]
    flagged = energy_star_manifest["flagged_bills"]
    assert (flagged["built"], flagged["include_flagged"]) == (True, False)
    assert (flagged["held_out"], flagged["included"]) == (1, [])


def test_a_flagged_bill_is_held_out_unless_included(
    warehouse: Path, parquet_export: Path, tmp_path: Path
) -> None:
    held = by_bill(energy_star(parquet_export, "electricity.csv"))
    assert DUPLICATE not in held
    assert "B-E2-202406" in held  # the bill it duplicates is exported
    # A finding of severity review does not hold its bill: QW1's gap.
    assert "B-W1-20240501" in by_bill(energy_star(parquet_export, "water.csv"))

    out = tmp_path / "included"
    manifest = export_warehouse(warehouse, out, include_flagged=True)
    included = by_bill(energy_star(out, "electricity.csv"))
    assert included[DUPLICATE]["Meter ID"] == "QE2"
    assert set(included) - set(held) == {DUPLICATE}
    assert all(
        item["reason"] != "flagged_bill" for item in manifest["energy_star"]["left_out"]
    )
    flagged = manifest["energy_star"]["flagged_bills"]
    assert flagged["include_flagged"] is True and flagged["held_out"] == 0
    assert [bill["document_id"] for bill in flagged["included"]] == [DUPLICATE]


@pytest.mark.parametrize("status", ["RESOLVED", "dismissed"])
def test_a_reviewed_flag_no_longer_holds_its_bill(
    warehouse: Path, tmp_path: Path, status: str
) -> None:
    path = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE marts.dq_findings SET status = ? WHERE document_id = ?",
            [status, DUPLICATE],
        )
    manifest = export_warehouse(path, tmp_path / "out")
    assert DUPLICATE in by_bill(energy_star(tmp_path / "out", "electricity.csv"))
    assert all(
        item["reason"] != "flagged_bill" for item in manifest["energy_star"]["left_out"]
    )
    # Still OPEN under another action finding of the same bill: held again.
    with duckdb.connect(str(path)) as con:
        con.execute(
            "INSERT INTO marts.dq_findings (finding_id, kind, severity, "
            "document_id, status) VALUES ('f-open', 'line_items_mismatch', "
            "'action', ?, 'OPEN')",
            [DUPLICATE],
        )
    manifest = export_warehouse(path, tmp_path / "again")
    assert DUPLICATE not in by_bill(energy_star(tmp_path / "again", "electricity.csv"))
    assert manifest["energy_star"]["left_out"][-1]["bills"] == [
        {
            "document_id": DUPLICATE,
            "finding_ids": ["f-open"],
            "kinds": ["line_items_mismatch"],
            "periods": 1,
        }
    ]


def test_a_warehouse_without_findings_holds_nothing_out(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE marts.dq_findings")
    code, out, err = run(capsys, "--database", str(path), "--out", str(tmp_path / "o"))
    assert (code, err) == (0, "")
    assert "no flagged bills held out (marts.dq_findings missing" in out
    assert DUPLICATE in by_bill(energy_star(tmp_path / "o", "electricity.csv"))
    flagged = manifest_of(tmp_path / "o")["energy_star"]["flagged_bills"]
    assert flagged["built"] is False and flagged["held_out"] == 0


# --- bad values, read-only, busy ---------------------------------------------------


def test_bad_values_exit_2(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("x\n")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("not a database\n")
    cases = [
        (("--database", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "o")),
         "database file not found"),
        (("--database", str(warehouse), "--out", str(a_file)),
         "is a regular file, not a folder"),
        (("--database", str(warehouse), "--out", str(a_file / "sub")),
         "cannot create the output folder"),
        (("--database", str(warehouse), "--out", str(tmp_path / "o"), "--format",
          "xlsx"), "invalid choice"),
        (("--database", str(empty), "--out", str(tmp_path / "o")),
         "run the pipeline first"),
        (("--database", str(bogus), "--out", str(tmp_path / "o")), "cannot open"),
        (("--database", str(warehouse)), "required"),
    ]  # fmt: skip
    for argv, message in cases:
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, ""), argv
        assert message in err, (argv, err)
    assert not (tmp_path / "o").exists()
    with pytest.raises(ExportError, match="unknown format"):
        export_warehouse(warehouse, tmp_path / "o", "xlsx")


@pytest.mark.parametrize(
    ("planted", "described"),
    [
        ("out", "is a symbolic link, not a folder"),
        ("energy_star", "is a symbolic link, not a folder"),
        ("manifest.json", "is a symbolic link, not a regular file"),
        ("dim_sites.parquet", "is a symbolic link, not a regular file"),
        ("energy_star/water.csv", "is a symbolic link, not a regular file"),
    ],
)
def test_a_planted_symlink_is_refused_before_anything_is_written(
    capsys: pytest.CaptureFixture[str],
    warehouse: Path,
    tmp_path: Path,
    planted: str,
    described: str,
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("victim\n")
    out = tmp_path / "out"
    link = tmp_path / planted if planted == "out" else out / planted
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim if "." not in planted else victim / "keep.txt")
    code, stdout, err = run(capsys, "--database", str(warehouse), "--out", str(out))
    assert (code, stdout) == (2, "")
    assert err == (
        f"pipeline.py export: error: --out {link} {described}; nothing was written\n"
    )
    assert link.is_symlink()
    assert [p.name for p in victim.iterdir()] == ["keep.txt"]
    assert (victim / "keep.txt").read_text() == "victim\n"
    if planted != "out":  # nothing written besides the planted link
        assert [p for p in out.rglob("*") if p.is_symlink() or not p.is_dir()] == [link]


def test_a_fifo_or_folder_where_a_file_goes_is_refused(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "energy_star").mkdir(parents=True)
    os.mkfifo(out / "energy_star" / "electricity.csv")
    code, _, err = run(capsys, "--database", str(warehouse), "--out", str(out))
    assert code == 2 and "electricity.csv is a FIFO (named pipe)" in err
    os.unlink(out / "energy_star" / "electricity.csv")
    (out / "manifest.json").mkdir()
    code, _, err = run(capsys, "--database", str(warehouse), "--out", str(out))
    assert code == 2 and "manifest.json is a folder, not a regular file" in err


def test_temporary_names_planted_in_the_folder_are_never_followed(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    """Links at the names an export could write first (a probe, a partial file
    named after the process) do not make it write elsewhere."""
    victim = tmp_path / "victim.txt"
    victim.write_text("victim\n")
    out = tmp_path / "out"
    (out / "energy_star").mkdir(parents=True)
    pid = os.getpid()
    planted = [
        out / f".export-probe-{pid}",
        out / "energy_star" / f".export-probe-{pid}",
        out / f".dim_sites.parquet.partial-{pid}",
        out / f".manifest.json.partial-{pid}",
        out / "energy_star" / f".water.csv.partial-{pid}",
    ]
    for link in planted:
        link.symlink_to(victim)
    code, _, err = run(capsys, "--database", str(warehouse), "--out", str(out))
    assert code == 0, err
    assert victim.read_text() == "victim\n"
    assert all(link.is_symlink() for link in planted)
    assert (out / "dim_sites.parquet").is_file()
    hidden = {p.name for p in out.rglob(".*")} - {p.name for p in planted}
    assert hidden == set()  # no temporary file or folder left behind


def test_the_database_is_opened_read_only(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    path = copy_of(warehouse, tmp_path)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    other = duckdb.connect(str(path), read_only=True)
    try:
        code, _, err = run(
            capsys, "--database", str(path), "--out", str(tmp_path / "o")
        )
        assert code == 0, err
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
    capsys: pytest.CaptureFixture[str],
    written_by_another_process: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "busy_out"
    code, stdout, err = run(
        capsys, "--database", str(written_by_another_process), "--out", str(out)
    )
    assert (code, stdout) == (3, "")
    assert len(err.strip().splitlines()) == 1
    assert f"the warehouse file {written_by_another_process} is in use" in err
    assert not out.exists()


def test_the_command_line_runs_as_a_subprocess(warehouse: Path, tmp_path: Path) -> None:
    completed = run_pipeline(
        "export", "--database", str(warehouse), "--out", str(tmp_path / "cli")
    )
    assert completed.returncode == 0, completed.stderr
    assert "energy_star/electricity.csv" in completed.stdout
    assert "left out: 1 sewer_meter" in completed.stdout
    assert "left out: 1 flagged_bill (1 bill with an open action finding" in (
        completed.stdout
    )
    completed = run_pipeline(
        "export", "--database", str(warehouse), "--out", str(tmp_path / "all"),
        "--include-flagged",
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "flagged_bill" not in completed.stdout
    assert "energy_star includes 1 flagged bill (--include-flagged)" in completed.stdout
    assert (tmp_path / "cli" / "manifest.json").is_file()
