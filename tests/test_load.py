"""The loader: a landing folder lands in the raw schema as text, in file order."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import write_landing, write_table
from utility_warehouse import cli, contract, environment, landing_read
from utility_warehouse import load as load_module

ROW_NUMBER = contract.ROW_NUMBER_COLUMN
SOURCE_FILE = contract.SOURCE_FILE_COLUMN


def load(raw_dir: Path, database: Path) -> int:
    return cli.main(["load", "--raw-dir", str(raw_dir), "--database", str(database)])


def fetch(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def column_types(database: Path, entity: str) -> dict[str, str]:
    rows = fetch(database, f"describe {contract.RAW_SCHEMA}.{entity}")
    return {str(row[0]): str(row[1]) for row in rows}


def raw_rows(database: Path, entity: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute(
            f"select * from {contract.RAW_SCHEMA}.{entity} order by {ROW_NUMBER}"
        )
        names = [item[0] for item in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def usage_row(number: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": f"u{number}",
        "document_id": "d1",
        "meter_id": "m1",
        "start_date": "2026-01-01",
        "end_date": "2026-01-31",
        "raw_usage": str(number),
        "raw_usage_units": "kWh",
        "standard_usage": None,
        "exclusion": "false",
        "net_metering_type": None,
        "demand": None,
        "extracted_identifiers": None,
    }
    row.update(values)
    return row


# Typed values as JSON lines and Parquet carry them, and the text they land as.
TYPED_VALUES: list[tuple[dict[str, Any], dict[str, str | None]]] = [
    (
        {"raw_usage": 1234.5, "exclusion": True, "demand": None},
        {"raw_usage": "1234.5", "exclusion": "true", "demand": None},
    ),
    (
        {
            "raw_usage": 7.0,
            "exclusion": False,
            "extracted_identifiers": [{"type": "METER", "value": "E-100"}],
        },
        {"raw_usage": "7.0", "exclusion": "false"},
    ),
]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_each_format_lands_as_text_in_file_order(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]], fmt: str
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing, fmt)
    ids = [f"u{n}" for n in (5, 3, 9, 1, 7)]  # not sorted: order must be the file's
    usage = [usage_row(int(uid[1:]), raw_usage=f"{n}.25") for n, uid in enumerate(ids)]
    write_table(raw_dir, "usage_data", usage, fmt)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    for entity in contract.ENTITIES:
        types = column_types(database, entity.name)
        assert types.pop(ROW_NUMBER) == "BIGINT"
        assert set(types.values()) == {"VARCHAR"}, entity.name
        assert list(types)[: len(entity.all_columns)] == list(entity.all_columns)
    rows = raw_rows(database, "usage_data")
    assert [row["id"] for row in rows] == ids
    assert [row[ROW_NUMBER] for row in rows] == [1, 2, 3, 4, 5]
    assert {row[SOURCE_FILE] for row in rows} == {f"usage_data.{fmt}"}
    assert [row["raw_usage"] for row in rows] == [f"{n}.25" for n in range(5)]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_typed_values_land_as_their_text(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]], fmt: str
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing, fmt)
    usage = [usage_row(n + 1, **values) for n, (values, _) in enumerate(TYPED_VALUES)]
    write_table(raw_dir, "usage_data", usage, fmt)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    rows = raw_rows(database, "usage_data")
    for row, (_, expected) in zip(rows, TYPED_VALUES, strict=True):
        assert {key: row[key] for key in expected} == expected
    assert rows[0]["extracted_identifiers"] is None
    identifiers = rows[1]["extracted_identifiers"]
    assert isinstance(identifiers, str)
    assert json.loads(identifiers) == [{"type": "METER", "value": "E-100"}]


def test_parquet_dates_land_as_iso_text(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing, "csv")
    (raw_dir / "documents.csv").unlink()
    document = dict(minimal_landing["documents"][0])
    document["start_date"] = dt.date(2026, 1, 1)
    document["bill_date"] = dt.date(2026, 2, 3)
    pq.write_table(pa.Table.from_pylist([document]), raw_dir / "documents.parquet")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    [row] = raw_rows(database, "documents")
    assert (row["start_date"], row["bill_date"]) == ("2026-01-01", "2026-02-03")


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        ("America/Los_Angeles", dt.datetime(2026, 2, 3, 20, 0)),
        ("Asia/Tokyo", dt.datetime(2026, 2, 3, 0, 30)),
        ("+05:30", dt.datetime(2026, 2, 3, 1, 0)),
        ("-08:00", dt.datetime(2026, 2, 3, 23, 59)),
    ],
)
def test_parquet_time_zone_dates_land_as_their_local_date(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    zone: str,
    local: dt.datetime,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "documents.csv").unlink()
    document = dict(minimal_landing["documents"][0])
    if zone[0] in "+-":
        sign = -1 if zone[0] == "-" else 1
        offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        tzinfo: dt.tzinfo = dt.timezone(sign * offset)
    else:
        tzinfo = ZoneInfo(zone)
    instant = local.replace(tzinfo=tzinfo)
    kind = pa.timestamp("us", tz=zone)
    table = pa.Table.from_pylist([document]).append_column(
        "updated_at", pa.array([instant], kind)
    )
    table = table.set_column(
        table.schema.get_field_index("bill_date"),
        "bill_date",
        pa.array([instant], kind),
    )
    pq.write_table(table, raw_dir / "documents.parquet")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    [row] = raw_rows(database, "documents")
    assert row["bill_date"] == "2026-02-03"  # the local date, not the UTC one
    utc = instant.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert row["updated_at"] == f"{utc}+00"  # a timestamp keeps its instant


def test_a_file_that_changes_while_it_is_loaded_exits_2_naming_it(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    scan = landing_read.scan_file

    def scan_then_append(path: Path, *args: Any) -> Any:
        scanned = scan(path, *args)
        if path.name == "usage_data.csv":
            with path.open("a", encoding="utf-8") as handle:
                handle.write("u2,d1,m1,2026-01-01,2026-01-31,5,kWh,,false,,,\n")
        return scanned

    monkeypatch.setattr(landing_read, "scan_file", scan_then_append)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 2

    err = capsys.readouterr().err
    assert "  usage_data.csv: changed while it was being loaded (" in err
    assert "load again once it is complete" in err
    assert not database.exists()


def test_jsonl_with_bom_blank_lines_and_keys_missing_from_some_records(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    lines = [
        json.dumps({"meter_id": "m1", "tag_name": "hvac", "note": "x"}),
        "",
        json.dumps({"meter_id": "m1"}),
        json.dumps({"tag_name": "roof", "meter_id": "m2", "updated_at": None}),
    ]
    (raw_dir / "meter_tags.jsonl").write_bytes(
        b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n"
    )
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    rows = raw_rows(database, "meter_tags")
    assert [(r["meter_id"], r["tag_name"], r["note"]) for r in rows] == [
        ("m1", "hvac", "x"),
        ("m1", None, None),
        ("m2", "roof", None),
    ]
    assert [r[ROW_NUMBER] for r in rows] == [1, 2, 3]


def test_empty_jsonl_file_gives_an_empty_table(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "line_items.jsonl").write_text("")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    assert fetch(database, "select count(*) from raw.line_items") == [(0,)]
    assert fetch(
        database,
        "select file_name, row_count from raw._load_audit where entity = 'line_items'",
    ) == [("line_items.jsonl", 0)]


def test_jsonl_line_that_is_not_an_object_exits_2(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    del minimal_landing["meter_identifiers"]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    record = {"meter_id": "m1", "identifier_type": "METER", "value": "E-1"}
    (raw_dir / "meter_identifiers.jsonl").write_text(
        json.dumps(record) + "\n" + json.dumps([record]) + "\n"
    )

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 2

    err = capsys.readouterr().err
    assert "meter_identifiers.jsonl: 1 line(s) are not JSON objects" in err


def test_csv_with_bom_quoted_commas_and_newlines(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    site = dict(minimal_landing["sites"][0])
    site["name"] = 'Plant 7, "North" wing'
    site["address"] = "12 Dock Rd\nUnit 4, Rear"
    site["postal_code"] = "00501"
    write_table(raw_dir, "sites", [site], bom=True)
    assert (raw_dir / "sites.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    [row] = raw_rows(database, "sites")
    assert row["id"] == "s1"  # the BOM is not part of the first column's name
    assert row["name"] == 'Plant 7, "North" wing'
    assert row["address"] == "12 Dock Rd\nUnit 4, Rear"
    assert row["postal_code"] == "00501"  # text: leading zeros kept
    assert row["mirror_site_id"] is None  # an empty field is null


def test_extra_columns_are_kept_as_text(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    minimal_landing["meters"][0]["vendor_note"] = "42"
    minimal_landing["meters"][0]["updated_at"] = "2026-03-01T10:00:00Z"
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    types = column_types(database, "meters")
    assert types["vendor_note"] == "VARCHAR"
    assert list(types)[-3:] == ["vendor_note", ROW_NUMBER, SOURCE_FILE]
    [row] = raw_rows(database, "meters")
    assert row["vendor_note"] == "42"
    assert row["updated_at"] == "2026-03-01T10:00:00Z"


def test_absent_optional_file_gives_an_empty_table_with_its_columns(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    for entity in contract.ENTITIES:
        if entity.name in minimal_landing:
            continue
        assert entity.file_optional, entity.name
        types = column_types(database, entity.name)
        assert list(types) == [*entity.all_columns, ROW_NUMBER, SOURCE_FILE]
        assert fetch(database, f"select count(*) from raw.{entity.name}") == [(0,)]


def test_absent_optional_columns_are_null_text(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    for column in ("demand", "extracted_identifiers"):
        del minimal_landing["usage_data"][0][column]
    del minimal_landing["companies"][0]["implied_sewer_fraction"]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    [usage] = raw_rows(database, "usage_data")
    assert (usage["demand"], usage["extracted_identifiers"], usage["updated_at"]) == (
        None,
        None,
        None,
    )
    assert column_types(database, "usage_data")["demand"] == "VARCHAR"
    [company] = raw_rows(database, "companies")
    assert company["implied_sewer_fraction"] is None


def test_missing_required_file_exits_2_naming_it(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    del minimal_landing["meters"]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 2

    err = capsys.readouterr().err
    assert "missing required file: meters.csv|.jsonl|.parquet" in err
    assert str(raw_dir) in err
    assert not database.exists()


def test_missing_required_column_exits_2_naming_file_and_column(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    del minimal_landing["usage_data"][0]["document_id"]
    del minimal_landing["accounts"][0]["status"]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 2

    err = capsys.readouterr().err
    assert re.search(r"usage_data\.csv: missing required column 'document_id'", err)
    assert re.search(r"accounts\.csv: missing required column 'status'", err)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_file_may_lack_every_optional_column(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    """Only the required columns (and one of each group of alternatives)."""
    for entity in contract.ENTITIES:
        rows = minimal_landing.get(entity.name)
        if rows is None:
            continue
        keep = {*entity.required_columns, *(group[0] for group in entity.one_of)}
        minimal_landing[entity.name] = [
            {key: value for key, value in row.items() if key in keep} for row in rows
        ]
    minimal_landing["usage_data"][0]["standard_usage"] = "1000"
    assert list(minimal_landing["sites"][0]) == ["id", "company_id"]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing, fmt)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0, capsys.readouterr().err

    [site] = raw_rows(database, "sites")
    assert (site["id"], site["company_id"], site["name"], site["country"]) == (
        "s1",
        "c1",
        None,
        None,
    )
    [usage] = raw_rows(database, "usage_data")
    assert (usage["standard_usage"], usage["raw_usage"], usage["meter_id"]) == (
        "1000",
        None,
        "m1",
    )
    out = capsys.readouterr().out
    assert "absent, null: name, address, city" in out


@pytest.mark.parametrize(
    ("dropped", "message"),
    [
        (
            ("standard_usage", "raw_usage"),
            "usage_data.csv: needs one of the columns 'standard_usage' or 'raw_usage'",
        ),
        (
            ("meter_id", "extracted_identifiers"),
            "usage_data.csv: needs one of the columns 'meter_id' or "
            "'extracted_identifiers'",
        ),
    ],
)
def test_usage_needs_one_column_of_each_alternative(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    dropped: tuple[str, str],
    message: str,
) -> None:
    for column in dropped:
        del minimal_landing["usage_data"][0][column]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 2

    err = capsys.readouterr().err
    assert message in err
    assert "missing required column" not in err
    assert not database.exists()
    # Either column of the group will do.
    minimal_landing["usage_data"][0][dropped[1]] = "5"
    write_landing(raw_dir, minimal_landing)
    assert load(raw_dir, database) == 0


def test_two_formats_for_one_entity_exit_2_naming_both(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    write_table(raw_dir, "meters", minimal_landing["meters"], "jsonl")

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 2

    err = capsys.readouterr().err
    assert "meters.csv" in err and "meters.jsonl" in err


def test_every_problem_is_reported_and_nothing_is_loaded(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    good_dir = write_landing(tmp_path / "good", minimal_landing)
    database = tmp_path / "warehouse.duckdb"
    assert load(good_dir, database) == 0
    before = {e.name: raw_rows(database, e.name) for e in contract.ENTITIES}
    audit_before = fetch(database, "select * from raw._load_audit order by entity")
    capsys.readouterr()

    broken = {k: v for k, v in minimal_landing.items() if k != "documents"}
    broken["sites"] = [{"id": "s2", "name": "no company"}]
    broken["usage_data"] = [usage_row(1), usage_row(2)]
    bad_dir = write_landing(tmp_path / "bad", broken)
    write_table(bad_dir, "accounts", minimal_landing["accounts"], "parquet")

    assert load(bad_dir, database) == 2

    problems = [
        line for line in capsys.readouterr().err.splitlines() if line[:2] == "  "
    ]
    assert any("missing required file: documents." in line for line in problems)
    assert any(
        "accounts.csv" in line and "accounts.parquet" in line for line in problems
    )
    assert [line for line in problems if "sites.csv" in line] == [
        "  sites.csv: missing required column 'company_id'"
    ]
    after = {e.name: raw_rows(database, e.name) for e in contract.ENTITIES}
    assert after == before
    assert (
        fetch(database, "select * from raw._load_audit order by entity") == audit_before
    )


def test_malformed_csv_row_exits_2_naming_the_file(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    with (raw_dir / "documents.csv").open("a", encoding="utf-8") as f:
        f.write("d2,a1,2026-01-01,2026-02-01,1,1,USD,,one too many\n")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 2

    assert "documents.csv: cannot be read" in capsys.readouterr().err
    assert not database.exists()


def test_files_not_named_after_an_entity_are_ignored(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "_generator_manifest.json").write_text('{"seed": 1}\n')
    (raw_dir / "notes.csv").write_text("not,a,contract,file\n")
    (raw_dir / "meters.csv.bak").write_text("garbage\n")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    files = fetch(database, "select file_name from raw._load_audit order by 1")
    assert [name for (name,) in files] == sorted(
        f"{entity}.csv" for entity in minimal_landing
    )


def test_loading_twice_gives_identical_raw_tables(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    minimal_landing["usage_data"] = [usage_row(n) for n in range(1, 50)]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    write_table(
        raw_dir, "meter_tags", [{"meter_id": "m1", "tag_name": "hvac"}], "jsonl"
    )
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0
    first = {e.name: raw_rows(database, e.name) for e in contract.ENTITIES}
    first_types = {e.name: column_types(database, e.name) for e in contract.ENTITIES}
    assert load(raw_dir, database) == 0
    second = {e.name: raw_rows(database, e.name) for e in contract.ENTITIES}
    second_types = {e.name: column_types(database, e.name) for e in contract.ENTITIES}

    assert first == second
    assert first_types == second_types
    assert len(second["usage_data"]) == 49


def test_audit_has_one_row_per_file_with_count_and_checksum(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    minimal_landing["usage_data"] = [usage_row(n) for n in range(1, 4)]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    write_table(raw_dir, "line_items", [], "parquet")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    audit = fetch(
        database,
        "select entity, file_name, file_format, row_count, sha256, loaded_at "
        "from raw._load_audit order by entity",
    )
    expected_files = {**{e: f"{e}.csv" for e in minimal_landing}}
    expected_files["line_items"] = "line_items.parquet"
    assert {row[0]: row[1] for row in audit} == expected_files
    for entity, file_name, file_format, row_count, sha256, loaded_at in audit:
        assert file_format == file_name.rsplit(".", 1)[1]
        expected_rows = len(minimal_landing.get(entity, []))
        assert row_count == expected_rows, entity
        assert re.fullmatch(r"[0-9a-f]{64}", sha256)
        assert sha256 == hashlib.sha256((raw_dir / file_name).read_bytes()).hexdigest()
        assert isinstance(loaded_at, dt.datetime)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        assert abs(now - loaded_at) < dt.timedelta(minutes=5)


def write_large_usage(path: Path, rows: int) -> None:
    """``rows`` usage rows with ids u1, u2, ... in file order, written fast."""
    columns = contract.ENTITY_BY_NAME["usage_data"].columns
    ids = [f"u{n}" for n in range(1, rows + 1)]
    fmt = path.suffix
    if fmt == ".csv":
        empty = "," * (len(columns) - 7)
        lines = (f"{uid},d1,m1,2026-01-01,2026-01-31,1.5,kWh{empty}\n" for uid in ids)
        path.write_text(",".join(columns) + "\n" + "".join(lines))
    elif fmt == ".jsonl":
        template = json.dumps(usage_row(0, raw_usage=1.5, exclusion=False))
        path.write_text(
            "".join(template.replace('"u0"', f'"{uid}"') + "\n" for uid in ids)
        )
    else:
        table = pa.table({c: ids if c == "id" else ["x"] * rows for c in columns})
        pq.write_table(table, path, row_group_size=10_000)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_row_numbers_follow_file_order_in_large_files(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]], fmt: str
) -> None:
    """Large enough to be read in parallel: CSV and JSON files of several 8 MB
    chunks, Parquet files of several row groups."""
    del minimal_landing["usage_data"]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    rows = 400_000 if fmt == "csv" else 150_000
    write_large_usage(raw_dir / f"usage_data.{fmt}", rows)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    mismatches = fetch(
        database,
        f"select count(*), count(*) filter (where id <> 'u' || {ROW_NUMBER}) "
        "from raw.usage_data",
    )
    assert mismatches == [(rows, 0)]


# --- file and column names ------------------------------------------------------


def rename(raw_dir: Path, old: str, new: str) -> None:
    (raw_dir / old).rename(raw_dir / new)


def test_file_names_match_whatever_their_case_and_surrounding_spaces(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    rename(raw_dir, "companies.csv", "x")
    write_table(raw_dir, "companies", minimal_landing["companies"], "jsonl")
    rename(raw_dir, "companies.jsonl", " Companies.jsonl")
    (raw_dir / "x").unlink()
    write_table(raw_dir, "line_items", [], "csv")
    rename(raw_dir, "line_items.csv", "line_items.CSV")
    write_table(raw_dir, "meter_tags", [{"meter_id": "m1", "tag_name": "hvac"}])
    rename(raw_dir, "meter_tags.csv", "Meter_Tags.csv")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    out = capsys.readouterr().out
    no_file = [line.split()[0] for line in out.splitlines() if "(no file" in line]
    assert no_file == [
        "connections",
        "emission_factors",
        "contractual_instruments",
        "finding_reviews",
    ]
    assert re.search(r"^  line_items +0 rows  line_items\.CSV$", out, re.M)
    assert re.search(r"^  meter_tags +1 rows  Meter_Tags\.csv$", out, re.M)
    assert re.search(r"^  companies +1 rows   Companies\.jsonl$", out, re.M)
    assert "warning" not in out
    [company] = raw_rows(database, "companies")
    assert (company["id"], company[SOURCE_FILE]) == ("c1", " Companies.jsonl")
    assert raw_rows(database, "meter_tags")[0]["tag_name"] == "hvac"
    audit = dict(fetch(database, "select entity, file_format from raw._load_audit"))
    assert audit["line_items"] == "csv" and audit["companies"] == "jsonl"


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_column_names_match_whatever_their_case_and_surrounding_spaces(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing, fmt)
    usage = usage_row(1, demand="45 kW")
    spelled = {
        ("Demand " if key == "demand" else key): value for key, value in usage.items()
    }
    spelled[" updated_at "] = "2026-02-01"
    spelled["RAW_USAGE"] = spelled.pop("raw_usage")
    write_table(raw_dir, "usage_data", [spelled], fmt)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    [row] = raw_rows(database, "usage_data")
    assert (row["demand"], row["updated_at"], row["raw_usage"]) == (
        "45 kW",
        "2026-02-01",
        "1",
    )
    entity = contract.ENTITY_BY_NAME["usage_data"]
    assert list(column_types(database, "usage_data")) == [
        *entity.all_columns,
        ROW_NUMBER,
        SOURCE_FILE,
    ]
    assert "warning" not in capsys.readouterr().out


def test_one_column_in_two_spellings_exits_2(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "companies.csv").write_text("id,name, ID \nc1,Acme,c2\n")

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 2

    err = capsys.readouterr().err
    assert "companies.csv: columns 'id' and 'ID' are the same column" in err


def test_two_files_for_one_entity_in_any_spelling_exit_2_naming_both(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    write_table(raw_dir, "meters", minimal_landing["meters"], "jsonl")
    rename(raw_dir, "meters.jsonl", "METERS.JSONL ")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 2

    err = capsys.readouterr().err
    assert (
        "meters: more than one file for one entity: 'METERS.JSONL ', 'meters.csv'"
        in err
    )
    assert not database.exists()


def test_unknown_files_and_columns_are_named_in_warnings(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    minimal_landing["meters"][0]["vendor_note"] = "42"
    minimal_landing["meters"][0][" Colour "] = "red"
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "_generator_manifest.json").write_text('{"seed": 1}\n')
    (raw_dir / ".DS_Store").write_bytes(b"\0\0")
    (raw_dir / "invoices.csv").write_text("id\n1\n")
    (raw_dir / "meters.csv.bak").write_text("garbage\n")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    out = capsys.readouterr().out
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: file(s) the contract does not know, not loaded: "
        "'invoices.csv' (did you mean documents.csv?), 'meters.csv.bak'",
        "warning: meters.csv: column(s) the contract does not know, kept as extra "
        "raw columns: 'vendor_note', 'Colour'",
    ]
    [meter] = raw_rows(database, "meters")
    assert (meter["vendor_note"], meter["Colour"]) == ("42", "red")


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("bills.csv", "'bills.csv' (did you mean documents.csv?)"),
        ("usage.csv", "'usage.csv' (did you mean usage_data.csv?)"),
        ("Line-Items.jsonl", "'Line-Items.jsonl' (did you mean line_items.jsonl?)"),
        (
            "documents.xlsx",
            "'documents.xlsx' (format .xlsx is not read; save it as documents.csv, "
            ".jsonl or .parquet)",
        ),
        (
            "sites",
            "'sites' (no file extension; name it sites.csv, .jsonl or .parquet)",
        ),
        ("notes.csv", "'notes.csv'"),
    ],
)
def test_files_the_contract_does_not_know_are_named_with_the_closest_entity(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    name: str,
    hint: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / name).write_text("id\n1\n")

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 0

    out = capsys.readouterr().out
    expected = f"warning: file(s) the contract does not know, not loaded: {hint}"
    assert expected + "\n" in out


def test_a_missing_required_file_names_the_file_that_looks_like_it(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    rename(raw_dir, "documents.csv", "Bills.csv")
    rename(raw_dir, "meters.csv", "meters.xlsx")

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 2

    err = capsys.readouterr().err
    assert (
        f"missing required file: documents.csv|.jsonl|.parquet in {raw_dir} "
        "('Bills.csv' looks like it: rename it documents.csv)"
    ) in err
    assert (
        f"missing required file: meters.csv|.jsonl|.parquet in {raw_dir} "
        "('meters.xlsx': format .xlsx is not read; save it as meters.csv, .jsonl "
        "or .parquet)"
    ) in err


def test_landing_json_is_not_an_unknown_file(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "landing.json").write_text('{"date_order": "mdy"}\n')

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 0

    assert "warning" not in capsys.readouterr().out


# --- entries that name an entity but cannot be read -----------------------------


def make_unreadable(raw_dir: Path, name: str, kind: str) -> None:
    path = raw_dir / name
    path.unlink(missing_ok=True)
    if kind == "dangling symlink":
        path.symlink_to(raw_dir / "gone" / name)
    elif kind == "directory":
        path.mkdir()
        (path / "part-0.csv").write_text("id\n")
    elif kind == "symlink loop":
        path.symlink_to(path)
    else:
        os.mkfifo(path)


UNREADABLE = {
    "dangling symlink": "a symbolic link to a missing file",
    "directory": "a directory, not a file",
    "symlink loop": "Too many levels of symbolic links",
    "fifo": "not a regular file (a FIFO)",
}


@pytest.mark.parametrize("kind", list(UNREADABLE))
@pytest.mark.parametrize("name", ["line_items.csv", "meter_tags.csv", "meters.csv"])
def test_an_entry_naming_an_entity_that_cannot_be_read_exits_2(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    name: str,
    kind: str,
) -> None:
    """Optional entities too: a broken entry is never read as "no file"."""
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    make_unreadable(raw_dir, name, kind)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 2

    err = capsys.readouterr().err
    assert f"  {name}: cannot be read: {UNREADABLE[kind]}" in err
    assert "missing required file" not in err
    assert not database.exists()


def test_a_symlink_to_a_landing_file_elsewhere_is_read(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    elsewhere = tmp_path / "exports"
    elsewhere.mkdir()
    (raw_dir / "meters.csv").rename(elsewhere / "meters.csv")
    (raw_dir / "meters.csv").symlink_to(elsewhere / "meters.csv")
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    assert [row["id"] for row in raw_rows(database, "meters")] == ["m1"]


# --- empty files ----------------------------------------------------------------

REQUIRED_WITH_ROWS = [e.name for e in contract.ENTITIES if e.requires_rows]


def write_empty(raw_dir: Path, entity: str, kind: str) -> Path:
    """An entity file without records: header-only / zero-byte / blank / Parquet."""
    for fmt in contract.FILE_FORMATS:
        (raw_dir / f"{entity}.{fmt}").unlink(missing_ok=True)
    if kind == "header-only csv":
        return write_table(raw_dir, entity, [], "csv")
    if kind == "empty parquet":
        return write_table(raw_dir, entity, [], "parquet")
    fmt = kind.rsplit(" ", 1)[1]
    path = raw_dir / f"{entity}.{fmt}"
    path.write_text("\n \n\n" if kind.startswith("blank") else "")
    return path


EMPTY_KINDS = [
    "header-only csv",
    "zero-byte csv",
    "zero-byte jsonl",
    "blank jsonl",
    "empty parquet",
]


def test_required_entities_are_the_expected_ones() -> None:
    assert REQUIRED_WITH_ROWS == [
        "companies",
        "sites",
        "accounts",
        "meters",
        "documents",
        "usage_data",
    ]


@pytest.mark.parametrize("kind", EMPTY_KINDS)
@pytest.mark.parametrize("entity", REQUIRED_WITH_ROWS)
def test_a_required_file_without_records_exits_2_naming_it(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    entity: str,
    kind: str,
) -> None:
    good = write_landing(tmp_path / "good", minimal_landing)
    database = tmp_path / "warehouse.duckdb"
    assert load(good, database) == 0
    before = raw_rows(database, entity)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    path = write_empty(raw_dir, entity, kind)
    capsys.readouterr()

    assert load(raw_dir, database) == 2

    err = capsys.readouterr().err
    assert f"{path.name}: " in err
    assert f"the {entity} file must hold at least one record" in err
    assert raw_rows(database, entity) == before  # nothing was loaded


@pytest.mark.parametrize("kind", EMPTY_KINDS)
@pytest.mark.parametrize("entity", ["meter_identifiers", "line_items", "meter_tags"])
def test_empty_files_that_may_be_empty_give_empty_tables(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    entity: str,
    kind: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    path = write_empty(raw_dir, entity, kind)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    out = capsys.readouterr().out
    assert re.search(rf"^  {entity} +0 rows  {re.escape(path.name)}$", out, re.M)
    zero_byte_warning = (
        f"warning: {path.name}: zero-byte file, landed as an empty table"
    )
    assert (zero_byte_warning in out) == kind.startswith("zero-byte")
    types = column_types(database, entity)
    assert list(types) == [
        *contract.ENTITY_BY_NAME[entity].all_columns,
        ROW_NUMBER,
        SOURCE_FILE,
    ]
    assert fetch(database, f"select count(*) from raw.{entity}") == [(0,)]
    assert fetch(
        database,
        f"select file_name, row_count from raw._load_audit where entity = '{entity}'",
    ) == [(path.name, 0)]


def test_new_optional_columns_land_as_null_when_absent(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "warehouse.duckdb"

    assert load(raw_dir, database) == 0

    [site] = raw_rows(database, "sites")
    [usage] = raw_rows(database, "usage_data")
    assert (site["gross_floor_area_units"], usage["is_estimated"]) == (None, None)
    minimal_landing["sites"][0]["gross_floor_area_units"] = "SQ_M"
    minimal_landing["usage_data"][0]["is_estimated"] = "yes"
    raw_dir = write_landing(tmp_path / "raw2", minimal_landing)
    assert load(raw_dir, database) == 0
    [site] = raw_rows(database, "sites")
    [usage] = raw_rows(database, "usage_data")
    assert (site["gross_floor_area_units"], usage["is_estimated"]) == ("SQ_M", "yes")


# --- encodings ------------------------------------------------------------------


def load_with(raw_dir: Path, database: Path, *extra: str) -> int:
    try:
        return cli.main(
            ["load", "--raw-dir", str(raw_dir), "--database", str(database), *extra]
        )
    except SystemExit as exc:  # argparse errors
        return int(exc.code or 0)


def cp1252_sites(
    raw_dir: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    site = dict(minimal_landing["sites"][0], name="Café € Nord", city="Zürich")
    columns = list(site)
    text = ",".join(columns) + "\r\n" + ",".join(site[c] for c in columns) + "\r\n"
    (raw_dir / "sites.csv").write_bytes(text.encode("cp1252"))


def test_a_cp1252_csv_loads_with_encoding_cp1252(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    cp1252_sites(raw_dir, minimal_landing)
    document = json.dumps({**minimal_landing["documents"][0], "charges_units": "€"})
    (raw_dir / "documents.csv").unlink()
    (raw_dir / "documents.jsonl").write_bytes(
        (document + "\n").encode("cp1252", "strict").replace(b"\\u20ac", b"\x80")
    )
    database = tmp_path / "warehouse.duckdb"

    assert load_with(raw_dir, database, "--encoding", "cp1252") == 0

    [site] = raw_rows(database, "sites")
    assert (site["name"], site["city"]) == ("Café € Nord", "Zürich")
    [doc] = raw_rows(database, "documents")
    assert doc["charges_units"] == "€"
    # The checksum is the landed file's, not the transcoded copy's.
    [(sha256,)] = fetch(
        database, "select sha256 from raw._load_audit where entity = 'sites'"
    )
    assert sha256 == hashlib.sha256((raw_dir / "sites.csv").read_bytes()).hexdigest()


def test_a_file_not_in_the_encoding_exits_2_naming_it_and_the_option(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    cp1252_sites(raw_dir, minimal_landing)
    database = tmp_path / "warehouse.duckdb"

    assert load_with(raw_dir, database) == 2  # read as UTF-8 (the default)

    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if "sites.csv" in line]
    assert "sites.csv: not valid utf-8 text (line 2, byte offset" in line
    assert "--encoding" in line
    assert not database.exists()
    # 0x81 has no character in cp1252.
    (raw_dir / "sites.csv").write_bytes(
        (raw_dir / "sites.csv").read_bytes().replace(b"\x80", b"\x81")
    )
    assert load_with(raw_dir, database, "--encoding", "cp1252") == 2
    err = capsys.readouterr().err
    assert "sites.csv: not valid cp1252 text (line 2, byte offset" in err
    assert "bytes 81" in err


def test_utf16_with_a_byte_order_mark_is_transcoded(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    minimal_landing["companies"][0]["name"] = "Ça va €"
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    for path in raw_dir.iterdir():
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert (raw_dir / "companies.csv").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    database = tmp_path / "warehouse.duckdb"

    assert load_with(raw_dir, database, "--encoding", "utf-16") == 0

    [company] = raw_rows(database, "companies")
    assert (company["id"], company["name"]) == ("c1", "Ça va €")
    (raw_dir / "meters.csv").write_text("id\n", encoding="utf-8")
    assert load_with(raw_dir, database, "--encoding", "utf-16") == 2
    assert "meters.csv: not valid utf-16 text" in capsys.readouterr().err


def test_an_unknown_encoding_is_a_bad_invocation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_with(tmp_path, tmp_path / "w.duckdb", "--encoding", "klingon") == 2
    assert "unknown text encoding 'klingon'" in capsys.readouterr().err


# --- JSON lines errors name the line --------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (['{"a": 1}', "", "", '{"a": oops}'], "line 4 is not valid JSON"),
        (["", '{"a": oops}'], "line 2 is not valid JSON"),
        (['{"a": oops}'], "line 1 is not valid JSON"),
        (['{"a": 1}', "   ", '{"a": 2', '{"a": 3}'], "line 3 is not valid JSON"),
        (
            ['{"a": 1}', "", "[1]", "2"],
            "2 line(s) are not JSON objects (first: line 3)",
        ),
        (['{"a": 1}', "", "", '{"a": 1, "a": 2}'], "line 4 repeats a key"),
        # DuckDB refuses a lone surrogate that Python's parser accepts.
        (['{"a": 1}', "", '{"a": "\\ud800"}'], "line 3 is not valid JSON"),
    ],
)
def test_jsonl_problems_name_the_line_of_the_file(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    lines: list[str],
    expected: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "line_items.jsonl").write_text("\n".join(lines) + "\n")

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 2

    assert f"line_items.jsonl: {expected}" in capsys.readouterr().err


def test_load_and_profile_share_the_memory_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The load and the dbt build run under one memory limit, from one variable."""
    profile = (Path(__file__).resolve().parents[1] / "profiles.yml").read_text()
    variable, default = (
        environment.MEMORY_LIMIT_ENV_VAR,
        environment.DEFAULT_MEMORY_LIMIT,
    )
    expected = f"env_var('{variable}', '{default}')"
    assert expected in profile
    monkeypatch.delenv(environment.MEMORY_LIMIT_ENV_VAR, raising=False)
    assert load_module.memory_limit() == environment.DEFAULT_MEMORY_LIMIT
    monkeypatch.setenv(environment.MEMORY_LIMIT_ENV_VAR, "3GB")
    assert load_module.memory_limit() == "3GB"


# --- resources and settings -----------------------------------------------------


def wide_header(columns: int) -> str:
    return ",".join(["id", *(f"extra_column_{n}" for n in range(columns - 1))])


@pytest.mark.parametrize(
    ("columns", "rows", "reason"),
    [
        (100_000, 1, "header row longer than 1,048,576 bytes"),
        (1_200_000, 0, "header row longer than 1,048,576 bytes"),
        (1_001, 1, "1,001 columns; at most 1,000 are read"),
    ],
)
def test_a_csv_header_beyond_the_caps_is_refused_at_once(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    columns: int,
    rows: int,
    reason: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    body = "".join(",".join(["c9", *["x"] * (columns - 1)]) + "\n" for _ in range(rows))
    (raw_dir / "companies.csv").write_text(wide_header(columns) + "\n" + body)
    database = tmp_path / "warehouse.duckdb"

    started = time.monotonic()
    assert load(raw_dir, database) == 2
    assert time.monotonic() - started < 5

    assert f"companies.csv: {reason}" in capsys.readouterr().err
    assert not database.exists()


def test_the_caps_are_named_constants() -> None:
    assert landing_read.MAX_COLUMNS == 1_000
    assert landing_read.MAX_HEADER_BYTES == 1 << 20
    assert (
        max(len(e.all_columns) for e in contract.ENTITIES) <= landing_read.MAX_COLUMNS
    )


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_jsonl_and_parquet_beyond_the_column_cap_are_refused(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    wide = {"id": "c1", **{f"extra_column_{n}": "x" for n in range(1_500)}}
    (raw_dir / "companies.csv").unlink()
    write_table(raw_dir, "companies", [wide], fmt)

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 2

    assert (
        f"companies.{fmt}: 1,501 columns; at most 1,000 are read"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize("value", ["garbage", "0", "", "0GB", "-1GB", "12 parsecs"])
def test_a_bad_memory_limit_exits_2_before_any_work(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv(environment.MEMORY_LIMIT_ENV_VAR, value)

    assert load(raw_dir, database) == 2

    err = capsys.readouterr().err
    assert f"UTILITY_WAREHOUSE_MEMORY_LIMIT={value!r}" in err
    assert "e.g. 5GB, 512MB or 80%" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


@pytest.mark.parametrize("value", ["512MB", " 5GB ", "80%", "1.5GiB"])
def test_memory_limits_in_duckdb_forms_are_accepted(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    monkeypatch.setenv(environment.MEMORY_LIMIT_ENV_VAR, value)

    assert load(raw_dir, tmp_path / "warehouse.duckdb") == 0


# --- landing.json and the locale options ----------------------------------------


def day_first_with_decimal_commas(
    minimal_landing: dict[str, list[dict[str, Any]]],
) -> None:
    """The minimal landing written as a European spreadsheet would."""
    document = minimal_landing["documents"][0]
    document.update(
        start_date="01/01/2026",
        bill_date="03/02/2026",
        total_charges="1.820,55 €",
        current_charges="120,50",
        charges_units="EUR",
    )
    minimal_landing["usage_data"][0].update(
        start_date="01/01/2026", end_date="31/01/2026"
    )


def first_line(out: str) -> str:
    return out.splitlines()[0]


def test_landing_json_settings_are_used_and_reported(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    day_first_with_decimal_commas(minimal_landing)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    cp1252_sites(raw_dir, minimal_landing)
    (raw_dir / "landing.json").write_text(
        json.dumps(
            {"date_order": "dmy", "decimal_separator": ",", "encoding": "cp1252"}
        )
    )
    database = tmp_path / "warehouse.duckdb"

    assert load_with(raw_dir, database) == 0

    line = first_line(capsys.readouterr().out)
    assert line.endswith(
        "rows; date_order dmy from landing.json, decimal_separator ',' from "
        "landing.json, encoding cp1252 from landing.json)"
    )
    [site] = raw_rows(database, "sites")
    assert site["name"] == "Café € Nord"


def test_options_override_landing_json(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    day_first_with_decimal_commas(minimal_landing)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "landing.json").write_text(
        '{"date_order": "mdy", "encoding": "latin-1"}'
    )
    database = tmp_path / "warehouse.duckdb"

    options = ["--date-order", "dmy", "--decimal-separator", ",", "--encoding", "utf-8"]
    assert load_with(raw_dir, database, *options) == 0

    line = first_line(capsys.readouterr().out)
    assert line.endswith(
        "rows; date_order dmy from --date-order, decimal_separator ',' from "
        "--decimal-separator)"
    )
    report = load_module.load_landing(
        raw_dir, database, date_order="dmy", decimal_separator=","
    )
    assert report.settings.dbt_vars() == {"date_order": "dmy", "decimal_separator": ","}
    assert (report.settings.encoding, report.settings.source("encoding")) == (
        "latin-1",
        "landing.json",
    )


def test_default_settings_are_not_printed(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "landing.json").write_text('{"date_order": "mdy", "extra": 1}')

    assert load_with(raw_dir, tmp_path / "w.duckdb", "--decimal-separator", ".") == 0

    out = capsys.readouterr().out
    assert first_line(out).endswith(" rows)")
    assert (
        "warning: landing.json: unknown key(s) ignored: 'extra' (known: date_order, "
        "decimal_separator, encoding)"
    ) in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "landing.json: not valid JSON (Expecting property name"),
        ('["dmy"]', "landing.json: must be a JSON object"),
        (
            '{"date_order": "ymd"}',
            'landing.json: \'date_order\' must be "mdy" or "dmy", not "ymd"',
        ),
        (
            '{"date_order": 1}',
            'landing.json: \'date_order\' must be "mdy" or "dmy", not 1',
        ),
        (
            '{"decimal_separator": ";"}',
            'landing.json: \'decimal_separator\' must be "." or ",", not ";"',
        ),
        ('{"encoding": "klingon"}', "landing.json: 'encoding' must be a text encoding"),
    ],
)
def test_a_bad_landing_json_exits_2_naming_it_and_the_key(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "landing.json").write_text(content)
    database = tmp_path / "w.duckdb"

    assert load_with(raw_dir, database) == 2

    assert f"  {message}" in capsys.readouterr().err
    assert not database.exists()


@pytest.mark.parametrize(
    ("option", "value"), [("--date-order", "ymd"), ("--decimal-separator", ";")]
)
def test_a_bad_locale_option_is_a_bad_invocation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    assert load_with(tmp_path, tmp_path / "w.duckdb", option, value) == 2
    assert f"argument {option}: invalid choice: {value!r}" in capsys.readouterr().err
