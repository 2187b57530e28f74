"""The loader's look for proof of another date order or decimal separator."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import write_landing
from utility_warehouse import cli

DAY_FIRST_REMEDY = 'pass --date-order dmy or set "date_order": "dmy" in landing.json'
MONTH_FIRST_REMEDY = 'pass --date-order mdy or set "date_order": "mdy" in landing.json'
COMMA_REMEDY = (
    'pass --decimal-separator , or set "decimal_separator": "," in landing.json'
)
POINT_REMEDY = (
    'pass --decimal-separator . or set "decimal_separator": "." in landing.json'
)


def load(raw_dir: Path, database: Path, *extra: str) -> int:
    try:
        return cli.main(
            ["load", "--raw-dir", str(raw_dir), "--database", str(database), *extra]
        )
    except SystemExit as exc:
        return int(exc.code or 0)


def problems(err: str) -> list[str]:
    return [line.strip() for line in err.splitlines() if line.startswith("  ")]


def documents(*rows: dict[str, str]) -> list[dict[str, Any]]:
    base = {
        "id": "d1",
        "account_id": "a1",
        "start_date": "2026-01-01",
        "bill_date": "2026-02-03",
        "total_charges": "120.50",
        "current_charges": "120.50",
        "charges_units": "USD",
        "revised_document_id": "",
    }
    return [{**base, "id": f"d{n}", **row} for n, row in enumerate(rows, start=1)]


def test_a_day_first_date_under_mdy_exits_2_naming_file_column_line_and_option(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    minimal_landing["documents"] = documents(
        {"start_date": "12/01/2025"},  # either order: no proof
        {"start_date": "13/01/2025"},
        {"start_date": "14/01/2025"},  # a later proof in the same column
    )
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"

    assert load(raw_dir, database) == 2

    assert problems(capsys.readouterr().err) == [
        "documents.csv: column start_date, line 3: '13/01/2025' is day-first "
        "(day 13 where date_order mdy reads the month); " + DAY_FIRST_REMEDY
    ]
    assert not database.exists()


def test_a_month_first_date_under_dmy_exits_2(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    minimal_landing["documents"] = documents(
        {"start_date": "01.02.2025", "bill_date": "2025-02-28"}
    )
    minimal_landing["usage_data"][0]["end_date"] = "01-31-2026"
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)

    assert load(raw_dir, tmp_path / "w.duckdb", "--date-order", "dmy") == 2

    assert problems(capsys.readouterr().err) == [
        "usage_data.csv: column end_date, line 2: '01-31-2026' is month-first "
        "(day 31 where date_order dmy reads the month); " + MONTH_FIRST_REMEDY
    ]


@pytest.mark.parametrize(
    ("value", "proof"),
    [
        ("1.820,55 €", True),
        ("12,5", True),
        ("(1 234,50) EUR", True),
        ("kr. 12,50", True),
        ("$1,234.56", False),
        ("12,345", False),
        ("1,23,45,678.00", False),
        ("VND 3,580,892,862.63", False),
        ("", False),
    ],
)
def test_amounts_ending_in_a_decimal_comma_under_point_are_proof(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    value: str,
    proof: bool,
) -> None:
    minimal_landing["documents"] = documents({}, {"total_charges": value})
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)

    code = load(raw_dir, tmp_path / "w.duckdb")

    if not proof:
        assert code == 0
        return
    assert code == 2
    assert problems(capsys.readouterr().err) == [
        f"documents.csv: column total_charges, line 3: {value!r} ends in a decimal "
        "comma (decimal_separator '.' reads ',' as a thousands separator, in "
        "groups of three); " + COMMA_REMEDY
    ]


def test_amounts_ending_in_a_decimal_point_under_comma_are_proof(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    minimal_landing["documents"] = documents(
        {"total_charges": "1.234", "current_charges": "1.234,56"}
    )
    items = [
        {"id": "l1", "document_id": "d1", "charge_type": "FEE", "amount": "3,5"},
        {"id": "l2", "document_id": "d1", "charge_type": "FEE", "amount": "$12.50"},
    ]
    minimal_landing["line_items"] = items
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "landing.json").write_text('{"decimal_separator": ","}')

    assert load(raw_dir, tmp_path / "w.duckdb") == 2

    assert problems(capsys.readouterr().err) == [
        "line_items.csv: column amount, line 3: '$12.50' ends in a decimal point "
        "(decimal_separator ',' reads '.' as a thousands separator, in groups of "
        "three); " + POINT_REMEDY
    ]


def test_one_line_per_file_and_column_with_every_file_named(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    minimal_landing["documents"] = documents(
        {"bill_date": "31/01/2026", "current_charges": "9,99"},
        {"start_date": "15/01/2026", "bill_date": "30/01/2026"},
    )
    minimal_landing["sites"][0]["data_collection_stop_date"] = "25/12/2026"
    minimal_landing["sites"][0]["updated_at"] = "13/02/2026 10:00:00"
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)

    assert load(raw_dir, tmp_path / "w.duckdb") == 2

    found = problems(capsys.readouterr().err)
    assert [line.split(": '")[0] for line in found] == [
        "sites.csv: column data_collection_stop_date, line 2",
        "sites.csv: column updated_at, line 2",
        "documents.csv: column start_date, line 3",
        "documents.csv: column bill_date, line 2",
        "documents.csv: column current_charges, line 2",
    ]


def test_lines_are_file_lines_in_csv_and_jsonl_and_rows_in_parquet(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    # A quoted newline and a blank line before the proof: its record is on line 5.
    (raw_dir / "documents.csv").write_text(
        "id,account_id,start_date,bill_date,charges_units\n"
        'd1,a1,2026-01-01,2026-02-03,"US\nD"\n'
        "\n"
        "d2,a1,13/01/2026,2026-02-03,USD\n"
    )
    usage = dict(minimal_landing["usage_data"][0], start_date="2026-01-01")
    (raw_dir / "usage_data.csv").unlink()
    lines = [
        json.dumps(usage),
        "",
        json.dumps({**usage, "id": "u2", "start_date": "20/1/2026"}),
    ]
    (raw_dir / "usage_data.jsonl").write_text("\n".join(lines) + "\n")
    (raw_dir / "sites.csv").unlink()
    site = dict(minimal_landing["sites"][0], updated_at="2025-12-31")
    pq.write_table(
        pa.Table.from_pylist([site, {**site, "id": "s2", "updated_at": "31.12.2025"}]),
        raw_dir / "sites.parquet",
    )

    assert load(raw_dir, tmp_path / "w.duckdb") == 2

    found = [line.split(": '")[0] for line in problems(capsys.readouterr().err)]
    assert found == [
        "sites.parquet: column updated_at, row 2",
        "documents.csv: column start_date, line 5",
        "usage_data.jsonl: column start_date, line 3",
    ]


def test_a_day_first_folder_with_its_settings_loads(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
) -> None:
    minimal_landing["documents"] = documents(
        {
            "start_date": "13/01/2025",
            "bill_date": "12.02.2025",
            "total_charges": "1.820,55 €",
            "current_charges": "12,5",
        }
    )
    minimal_landing["usage_data"][0].update(
        start_date="13/01/2025", end_date="12/02/2025"
    )
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "landing.json").write_text(
        '{"date_order": "dmy", "decimal_separator": ","}'
    )

    assert load(raw_dir, tmp_path / "w.duckdb") == 0


def test_the_look_is_quick_on_a_large_file(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    """SQL over the staged table: 300,000 usage rows add well under seconds."""
    del minimal_landing["usage_data"]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    row = "u{n},d1,m1,01/{day:02d}/2026,01/31/2026,1.5,kWh,,,,,,\n"
    header = (
        "id,document_id,meter_id,start_date,end_date,raw_usage,raw_usage_units,"
        "standard_usage,exclusion,net_metering_type,demand,extracted_identifiers,"
        "updated_at\n"
    )
    body = "".join(row.format(n=n, day=1 + n % 28) for n in range(300_000))
    (raw_dir / "usage_data.csv").write_text(
        header + body + "u0,d1,m1,31/01/2026,x,,,,,,,,\n"
    )

    started = time.monotonic()
    assert load(raw_dir, tmp_path / "w.duckdb") == 2
    assert time.monotonic() - started < 30


def test_typed_parquet_numbers_follow_a_decimal_comma_folder(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
) -> None:
    """A Parquet number is no text to read: it lands written with the folder's
    decimal separator, so it is neither proof of the other convention nor a
    different value."""
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "documents.csv").unlink()
    base = documents({})[0]
    rows = [{**base, "total_charges": 1820.55, "current_charges": -12.5}]
    pq.write_table(pa.Table.from_pylist(rows), raw_dir / "documents.parquet")
    (raw_dir / "landing.json").write_text('{"decimal_separator": ","}')
    database = tmp_path / "w.duckdb"

    assert load(raw_dir, database) == 0

    with duckdb.connect(str(database), read_only=True) as con:
        landed = con.execute(
            "select total_charges, current_charges from raw.documents"
        ).fetchall()
    assert landed == [("1820,55", "-12,5")]
