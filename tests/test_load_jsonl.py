"""JSON lines: numbers land as their exact source text; keys match like headers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import write_landing
from utility_warehouse import cli, landing_jsonl


def load(raw_dir: Path, database: Path) -> int:
    return cli.main(["load", "--raw-dir", str(raw_dir), "--database", str(database)])


def raw_rows(database: Path, entity: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute(f"select * from raw.{entity} order by _row_number")
        names = [item[0] for item in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def write_lines(raw_dir: Path, entity: str, lines: list[str]) -> None:
    (raw_dir / f"{entity}.csv").unlink(missing_ok=True)
    (raw_dir / f"{entity}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


DOCUMENT = (
    '{{"id": "d{n}", "account_id": "a1", "start_date": "2026-01-01", '
    '"bill_date": "2026-02-03", "total_charges": {total}, '
    '"current_charges": {current}, "charges_units": "USD"}}'
)
EXACT = [
    ("123456789012.345678", "99999999999.999999"),
    ("1e5", "-0"),
    ("7.0", "1E-7"),
    ("12345678901234567890123", "-12.50"),
]


def test_json_numbers_land_as_their_exact_source_text(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    lines = [
        DOCUMENT.format(n=n, total=total, current=current)
        for n, (total, current) in enumerate(EXACT, start=1)
    ]
    write_lines(raw_dir, "documents", lines)
    database = tmp_path / "w.duckdb"

    assert load(raw_dir, database) == 0

    rows = raw_rows(database, "documents")
    assert [(row["total_charges"], row["current_charges"]) for row in rows] == EXACT


@pytest.mark.parametrize(
    "usage",
    [
        # A nested number: the object lands with its numbers as written.
        '{"id": "u1", "raw_usage": 1.10, "extracted_identifiers": '
        '[{"type": "METER", "value": 2.50}]}',
        # The key is also inside an object of the line.
        '{"id": "u1", "extracted_identifiers": [{"raw_usage": 9.90}], '
        '"raw_usage": 1.10}',
        # The key written with an escape.
        '{"id": "u1", "r\\u0061w_usage": 1.10}',
    ],
)
def test_numbers_are_exact_where_their_line_is_ambiguous(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]], usage: str
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    common = (
        '"document_id": "d1", "meter_id": "m1", "start_date": "2026-01-01", '
        '"end_date": "2026-01-31", "raw_usage_units": "kWh", "exclusion": false'
    )
    write_lines(raw_dir, "usage_data", ["", usage[:-1] + ", " + common + "}"])
    database = tmp_path / "w.duckdb"

    assert load(raw_dir, database) == 0

    [row] = raw_rows(database, "usage_data")
    assert (row["raw_usage"], row["exclusion"], row["_row_number"]) == (
        "1.10",
        "false",
        1,
    )
    if "2.50" in usage:
        assert row["extracted_identifiers"] == '[{"type":"METER","value":2.50}]'


def test_the_rewrite_keeps_every_line_and_every_value_as_text(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"a": 1e5, "b": true, "c": null, "d": "x", "e": {"f": [1.50, "g"]}}\n'
        "\n"
        '  {"A": -0 }\r\n'
    )
    target = tmp_path / "out.jsonl"

    landing_jsonl.rewrite_textual(source, source, target)

    assert target.read_text().split("\n") == [
        '{"a":"1e5","b":"true","c":null,"d":"x","e":"{\\"f\\":[1.50,\\"g\\"]}"}',
        "",
        '{"A":"-0"}',
        "",
    ]


def test_keys_in_another_spelling_on_another_line_are_one_column(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    write_lines(
        raw_dir,
        "companies",
        [
            '{"ID": "c1", "Name": "Acme"}',
            '{" id ": "c2", "name ": "Beta", "Implied_Sewer_Fraction": 0.25}',
            '{"id": "c3"}',
        ],
    )
    database = tmp_path / "w.duckdb"

    assert load(raw_dir, database) == 0

    rows = raw_rows(database, "companies")
    assert [(r["id"], r["name"], r["implied_sewer_fraction"]) for r in rows] == [
        ("c1", "Acme", None),
        ("c2", "Beta", "0.25"),
        ("c3", None, None),
    ]
    assert "warning" not in capsys.readouterr().out


def test_one_object_holding_two_spellings_of_a_column_exits_2_naming_the_line(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    write_lines(
        raw_dir,
        "companies",
        ['{"ID": "c1"}', "", '{"id": "c2", " ID": "c3"}'],
    )
    database = tmp_path / "w.duckdb"

    assert load(raw_dir, database) == 2

    err = capsys.readouterr().err
    assert (
        "companies.jsonl: line 3 holds one column in two spellings ('id', ' ID'); "
        "keep one"
    ) in err
    assert not database.exists()


def test_an_object_or_array_where_a_value_is_expected_lands_as_json_text(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    write_lines(
        raw_dir,
        "companies",
        [
            json.dumps({"id": {"id": "CO0001"}, "name": ["a", "b"]}),
            json.dumps({"id": "c2", "name": {"x": 1.5}}),
        ],
    )
    database = tmp_path / "w.duckdb"

    assert load(raw_dir, database) == 0

    rows = raw_rows(database, "companies")
    assert [(row["id"], row["name"]) for row in rows] == [
        ('{"id":"CO0001"}', '["a","b"]'),
        ("c2", '{"x":1.5}'),
    ]


@pytest.mark.parametrize("rewrite", [False, True])
def test_json_numbers_follow_a_decimal_comma_folder(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]], rewrite: bool
) -> None:
    """A JSON number always has a decimal point; in a folder whose text values
    use a decimal comma it lands written with a comma, so it parses as the
    same value."""
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    # A key repeated inside an array forces the line-by-line rewrite.
    extra = ', "notes": [{"current_charges": 1.5}]' if rewrite else ""
    line = DOCUMENT.format(n=1, total="1820.55", current="-12.5")
    write_lines(raw_dir, "documents", [line[:-1] + extra + "}"])
    (raw_dir / "landing.json").write_text('{"decimal_separator": ","}')
    database = tmp_path / "w.duckdb"

    assert load(raw_dir, database) == 0

    rows = raw_rows(database, "documents")
    assert [(row["total_charges"], row["current_charges"]) for row in rows] == [
        ("1820,55", "-12,5")
    ]
