"""Tests of ``pipeline.py generate``: the synthetic landing-data generator alone.

What the warehouse makes of the data is checked end to end in
``test_generated_end_to_end.py``; here the files and the manifest are checked
against each other.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from utility_warehouse import cli, contract
from utility_warehouse.generate import MANIFEST_NAME, generate
from utility_warehouse.generate import landing as generator_landing
from utility_warehouse.generate.parameters import CARBON_ENTITIES, GENERATED_ENTITIES
from utility_warehouse.generate.planted_audits import AUDIT_KEYS, AUDITS

SMALL: dict[str, Any] = {"companies": 2, "sites": 3, "months": 6}
WRITTEN_ENTITIES = (*GENERATED_ENTITIES, *CARBON_ENTITIES)
Rows = list[dict[str, str]]

# Every quarantine reason the generator must plant, written out here on purpose
# (not imported).
REQUIRED_REASONS = {
    "missing_id",
    "bad_date",
    "implausible_date",
    "end_before_start",
    "implausible_period",
    "bad_amount",
    "bad_number",
    "missing_usage",
    "unknown_status",
    "unknown_commodity",
    "unknown_net_metering_type",
    "unknown_charge_type",
    "unknown_unit",
    "missing_value",
    "bad_json",
    "orphan_company",
    "orphan_account",
    "orphan_meter",
    "orphan_document",
    "account_quarantined",
    "meter_quarantined",
    "document_quarantined",
    "active_account_cycle",
    "revision_cycle",
    "missing_meter",
    "unmatched_meter",
    "ambiguous_meter",
}
# Every field issue (entity, column, reason) the generator must plant.
REQUIRED_FIELD_ISSUES = {
    ("companies", "implied_sewer_fraction", "bad_number"),
    ("companies", "implied_sewer_fraction", "out_of_range"),
    ("sites", "gross_floor_area", "bad_number"),
    ("sites", "gross_floor_area", "out_of_range"),
    ("sites", "gross_floor_area_units", "unknown_unit"),
    ("sites", "data_collection_stop_date", "bad_date"),
    ("sites", "data_collection_stop_date", "implausible_date"),
    ("sites", "mirror_site_id", "orphan_site"),
    ("sites", "mirror_site_id", "site_quarantined"),
    ("sites", "mirror_site_id", "self_link"),
    ("connections", "company_id", "orphan_company"),
    ("accounts", "connection_id", "orphan_connection"),
    ("accounts", "active_account_id", "orphan_account"),
    ("accounts", "active_account_id", "account_quarantined"),
    ("meters", "site_id", "orphan_site"),
    ("meters", "site_id", "site_quarantined"),
    ("meters", "is_tracked", "bad_boolean"),
    ("meters", "is_duplicated", "bad_boolean"),
    ("documents", "total_charges", "bad_amount"),
    ("documents", "total_charges", "bad_number"),
    ("documents", "current_charges", "bad_amount"),
    ("documents", "current_charges", "bad_number"),
    ("documents", "revised_document_id", "orphan_document"),
    ("documents", "revised_document_id", "document_quarantined"),
    ("usage_data", "raw_usage", "bad_number"),
    ("usage_data", "standard_usage", "bad_number"),
    ("usage_data", "demand", "bad_number"),
    ("usage_data", "exclusion", "bad_boolean"),
    ("usage_data", "is_estimated", "bad_boolean"),
    ("usage_data", "extracted_identifiers", "bad_json"),
    ("line_items", "meter_id", "orphan_meter"),
    ("line_items", "meter_id", "meter_quarantined"),
    ("line_items", "datasource_type", "unknown_commodity"),
    ("sites", "country", "unknown_country"),
    ("documents", "charges_units", "ambiguous_currency"),
    ("documents", "charges_units", "unknown_currency"),
    ("line_items", "meter_id", "foreign_meter"),
    ("usage_data", "raw_usage", "negative_usage"),
}
# Field issues needing a second company (a line item naming company 1's meter).
TWO_COMPANY_FIELD_ISSUES = {("line_items", "meter_id", "foreign_meter")}
# Field issues whose value cannot be parsed, in columns that hold too few values
# in the folders these tests write to take one more within the warehouse's
# unparsed-share limit (5%): one implied_sewer_fraction per company, a
# data_collection_stop_date on about one site in four. The generator plants
# them only where the column has room.
NO_ROOM_FIELD_ISSUES = {
    ("companies", "implied_sewer_fraction", "bad_number"),
    ("sites", "data_collection_stop_date", "bad_date"),
}
# Field issues planted only in JSON lines files: a JSON object in a link column.
JSONL_FIELD_ISSUES = {
    ("sites", "mirror_site_id", "bad_id"),
    ("accounts", "active_account_id", "bad_id"),
    ("meters", "site_id", "bad_id"),
    ("documents", "revised_document_id", "bad_id"),
    ("line_items", "meter_id", "bad_id"),
}
# Entities with an id column: in a JSON lines file, one row's id is an object.
ID_ENTITIES = {
    "companies",
    "sites",
    "connections",
    "accounts",
    "meters",
    "documents",
    "usage_data",
    "line_items",
}
TRUE_TEXT = {"true", "t", "yes", "y", "1"}
# Every kind of data-quality finding the manifest states (planted_findings),
# written out here on purpose (not imported).
FINDING_KINDS = {
    "gap",
    "overlap",
    "short_period",
    "long_period",
    "future_period",
    "partial_month",
    "missing_month",
    "energy_star_ready",
    "not_energy_star_ready",
    "duplicate_bill",
    "duplicate_meter",
    "anomaly",
    "implied_sewer",
    "mirror_estimate",
    "estimated_read",
    "peak_demand",
}

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
US_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T00:00:00Z")


def parse_date(text: str) -> date:
    text = text.strip()
    if ISO_DATE.fullmatch(text) or ISO_TIMESTAMP.fullmatch(text):
        return date.fromisoformat(text[:10])
    if US_DATE.fullmatch(text):
        month, day, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    raise ValueError(text)


def read_manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(
        (folder / MANIFEST_NAME).read_text(encoding="utf-8")
    )
    return manifest


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def read_rows(folder: Path, entity: str) -> Rows:
    """The rows of an entity's file as text, keyed by the contract's names."""
    manifest = read_manifest(folder)
    path = folder / manifest["files"][entity]
    encoding = manifest["encoding"]
    suffix = path.suffix.lower()
    records: list[dict[str, object]]
    if suffix == ".csv":
        with path.open(encoding=encoding, newline="") as handle:
            records = list(csv.DictReader(handle))
    elif suffix == ".jsonl":  # numbers as written, never through a float
        with path.open(encoding=encoding) as handle:
            records = [
                json.loads(line, parse_float=str, parse_int=str) for line in handle
            ]
    else:
        records = pq.read_table(path).to_pylist()
    return [
        {key.strip().lower(): _text(value) for key, value in record.items()}
        for record in records
    ]


def folder_digest(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


def newest_versions(rows: Rows) -> dict[str, dict[str, str]]:
    """The version of each id that wins: latest updated_at, then the last row."""

    def moment(row: dict[str, str]) -> datetime:
        text = row["updated_at"].strip()
        if not text:
            return datetime.min
        return datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=None)

    newest: dict[str, dict[str, str]] = {}
    for row in rows:
        key = row["id"].strip()
        if key and (key not in newest or moment(row) >= moment(newest[key])):
            newest[key] = row
    return newest


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A default landing folder: 3 companies (the third bills in VND), CSV."""
    folder = tmp_path_factory.mktemp("landing")
    generate(folder)
    return folder


@pytest.fixture(scope="module")
def manifest(landing: Path) -> dict[str, Any]:
    return read_manifest(landing)


@pytest.fixture(scope="module")
def tables(landing: Path) -> dict[str, Rows]:
    return {
        entity.name: read_rows(landing, entity.name) for entity in GENERATED_ENTITIES
    }


@pytest.fixture(scope="module")
def bad_ids(manifest: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (item["entity"], item["record_id"])
        for item in manifest["injected"]
        if item["record_id"] is not None
    }


# --- determinism ---------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "mixed"])
def test_same_arguments_give_identical_bytes(tmp_path: Path, file_format: str) -> None:
    generate(tmp_path / "a", file_format=file_format, **SMALL)
    generate(tmp_path / "b", file_format=file_format, **SMALL)
    first, second = folder_digest(tmp_path / "a"), folder_digest(tmp_path / "b")
    assert len(first) == len(GENERATED_ENTITIES) + len(CARBON_ENTITIES) + 1
    assert first == second


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=1, **SMALL)
    generate(tmp_path / "b", seed=2, **SMALL)
    first, second = folder_digest(tmp_path / "a"), folder_digest(tmp_path / "b")
    assert first["usage_data.csv"] != second["usage_data.csv"]
    assert first["documents.csv"] != second["documents.csv"]


def test_rerun_in_another_format_or_naming_leaves_one_file_per_entity(
    tmp_path: Path,
) -> None:
    generate(tmp_path, **SMALL)
    generate(tmp_path, file_format="parquet", messy_names=False, **SMALL)
    names = sorted(path.name for path in tmp_path.iterdir())
    expected = sorted(
        [f"{entity.name}.parquet" for entity in WRITTEN_ENTITIES] + [MANIFEST_NAME]
    )
    assert names == expected
    generate(tmp_path, without=["meter_tags"], **SMALL)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert "line_items.CSV" in names
    assert not any(name.lower().startswith("meter_tags") for name in names)
    assert len(names) == len(WRITTEN_ENTITIES)


# --- files, names, columns and formats -------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "jsonl", "parquet", "mixed"])
def test_every_format_is_readable_with_the_contract_columns(
    tmp_path: Path, file_format: str
) -> None:
    rows = generate(tmp_path, file_format=file_format, **SMALL)
    files = read_manifest(tmp_path)["files"]
    seen_formats: set[str] = set()
    for entity in GENERATED_ENTITIES:
        path = tmp_path / files[entity.name]
        assert path.is_file()
        seen_formats.add(path.suffix.lower().removeprefix("."))
        records = read_rows(tmp_path, entity.name)
        extra = ["source_system"] if entity.name == "documents" else []
        assert list(records[0]) == [*entity.all_columns, *extra]
        assert len(records) == rows[entity.name] > 0
    expected = set(contract.FILE_FORMATS) if file_format == "mixed" else {file_format}
    assert seen_formats == expected


def test_names_are_messy_by_default_and_clean_on_request(tmp_path: Path) -> None:
    generate(tmp_path / "messy", **SMALL)
    names = {path.name for path in (tmp_path / "messy").iterdir()}
    assert {"Meter_Tags.csv", "line_items.CSV", "usage_data.csv"} <= names
    with (tmp_path / "messy" / "documents.csv").open(encoding="utf-8") as handle:
        assert " updated_at " in next(csv.reader(handle))
    with (tmp_path / "messy" / "usage_data.csv").open(encoding="utf-8") as handle:
        assert "Demand " in next(csv.reader(handle))

    generate(tmp_path / "clean", messy_names=False, **SMALL)
    names = {path.name for path in (tmp_path / "clean").iterdir()}
    assert names == {f"{e.name}.csv" for e in WRITTEN_ENTITIES} | {MANIFEST_NAME}
    for entity in GENERATED_ENTITIES:
        path = tmp_path / "clean" / f"{entity.name}.csv"
        with path.open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert all(name == name.strip().lower() for name in header), header


def test_jsonl_holds_native_arrays_objects_numbers_and_strings(tmp_path: Path) -> None:
    """Identifier arrays are JSON arrays; key columns of planted rows hold JSON
    objects; number and amount columns hold JSON numbers on some lines and
    strings on others; everything else is a string or null."""
    generate(tmp_path, file_format="jsonl", **SMALL)
    files = read_manifest(tmp_path)["files"]
    numeric = {
        "usage_data": {"raw_usage", "standard_usage", "demand"},
        "documents": {"total_charges", "current_charges"},
        "line_items": {"amount"},
    }
    for entity, columns in numeric.items():
        kinds: dict[str, set[type]] = defaultdict(set)
        with (tmp_path / files[entity]).open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line, parse_float=Decimal, parse_int=Decimal)
                for key, value in record.items():
                    column = key.strip().lower()
                    kinds[column].add(type(value))
                    if isinstance(value, Decimal):
                        assert column in columns, (key, value)
                    elif isinstance(value, list):
                        assert column == "extracted_identifiers"
                        assert all(set(item) == {"type", "value"} for item in value)
                    elif isinstance(value, dict):
                        assert column in ("id", "meter_id", "revised_document_id")
                    else:
                        assert isinstance(value, str | None), (key, value)
        for column in columns - {"demand", "standard_usage"}:
            assert {Decimal, str} <= kinds[column], (entity, column)
        assert dict in kinds["id"], entity
        if entity == "usage_data":
            assert list in kinds["extracted_identifiers"]


def test_jsonl_numbers_keep_eighteen_significant_digits(tmp_path: Path) -> None:
    """The VND company's bills of 123456789012.345678 and 99999999999.999999 are
    written as JSON numbers (text in CSV), and the manifest states them."""
    generate(tmp_path, file_format="mixed", **SMALL)
    manifest = read_manifest(tmp_path)
    exact = {
        item["document_id"]: item["current_charges"]
        for item in manifest["special_cases"]["exact_charges"]
    }
    assert sorted(exact.values()) == ["123456789012.345678", "99999999999.999999"]
    text = (tmp_path / manifest["files"]["documents"]).read_text(encoding="utf-8")
    assert manifest["files"]["documents"].endswith(".jsonl")
    for value in exact.values():
        assert f'"current_charges":{value},' in text
        assert f'"total_charges":{value},' in text
    unattributed = {
        item["document_id"]: item["unattributed_cost"]
        for item in manifest["unattributed"]
    }
    assert {d: unattributed[d] for d in exact} == exact
    generate(tmp_path, file_format="csv", **SMALL)
    rows = newest_versions(read_rows(tmp_path, "documents"))
    exact = {
        item["document_id"]: item["current_charges"]
        for item in read_manifest(tmp_path)["special_cases"]["exact_charges"]
    }
    assert {d: rows[d]["current_charges"] for d in exact} == exact


def test_jsonl_keys_change_spelling_from_line_to_line(tmp_path: Path) -> None:
    """Messy names: a JSON lines file spells some keys differently on different
    lines, never twice in one object; clean names use the contract's."""
    generate(tmp_path / "messy", file_format="jsonl", **SMALL)
    generate(tmp_path / "clean", file_format="jsonl", messy_names=False, **SMALL)
    for folder, expected in (("messy", 3), ("clean", 1)):
        spellings: dict[str, set[str]] = defaultdict(set)
        with (tmp_path / folder / "documents.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                keys = list(json.loads(line))
                normalized = [key.strip().lower() for key in keys]
                assert len(set(normalized)) == len(keys)
                for key in keys:
                    spellings[key.strip().lower()].add(key)
        assert len(spellings["id"]) == expected
        assert len(spellings["updated_at"]) == expected


def test_summary_and_manifest_row_counts(tmp_path: Path) -> None:
    rows = generate(tmp_path, **SMALL)
    manifest = read_manifest(tmp_path)
    assert manifest["seed"] == 42
    assert manifest["parameters"]["companies"] == 2
    assert manifest["as_of"] == "2026-11-01"
    assert manifest["rows"] == rows
    for entity in GENERATED_ENTITIES:
        assert len(read_rows(tmp_path, entity.name)) == rows[entity.name]


# --- shape options -----------------------------------------------------------------


def test_without_connections_accounts_name_no_connection(tmp_path: Path) -> None:
    rows = generate(tmp_path, without=["connections"], **SMALL)
    manifest = read_manifest(tmp_path)
    assert "connections" not in rows
    assert "connections" not in manifest["files"]
    assert not any("connections" in path.name.lower() for path in tmp_path.iterdir())
    assert all(item["entity"] != "connections" for item in manifest["injected"])
    orphans = {
        item["record_id"]
        for item in manifest["field_issues"]
        if item["column_name"] == "connection_id"
    }
    assert orphans
    linked = {
        row["id"] for row in read_rows(tmp_path, "accounts") if row["connection_id"]
    }
    assert linked == orphans


def test_without_line_items_nothing_depends_on_them(tmp_path: Path) -> None:
    generate(tmp_path, without=["line_items", "meter_tags"], **SMALL)
    manifest = read_manifest(tmp_path)
    assert set(manifest["files"]) == {
        e.name for e in WRITTEN_ENTITIES if e.name not in ("line_items", "meter_tags")
    }
    entities = {item["entity"] for item in manifest["injected"]}
    entities |= {item["entity"] for item in manifest["field_issues"]}
    assert not entities & {"line_items", "meter_tags"}
    assert "line_item_meter_bills" not in manifest["special_cases"]
    # A bill whose only usage row is quarantined has no meter now: unattributed.
    quarantined = {
        item["record_id"]
        for item in manifest["injected"]
        if item["entity"] == "usage_data"
    }
    usage = read_rows(tmp_path, "usage_data")
    usage_documents = {r["document_id"] for r in usage if r["id"] not in quarantined}
    unattributed = {item["document_id"] for item in manifest["unattributed"]}
    assert not unattributed & usage_documents
    assert {r["document_id"] for r in usage if r["raw_usage_units"] == "furlongs"} & (
        unattributed
    )


def test_encoding_writes_text_files_in_that_encoding(tmp_path: Path) -> None:
    generate(tmp_path, encoding="cp1252", file_format="mixed", **SMALL)
    manifest = read_manifest(tmp_path)
    assert manifest["encoding"] == "cp1252"
    sites_file = tmp_path / manifest["files"]["sites"]
    assert sites_file.suffix == ".jsonl"
    data = sites_file.read_bytes()
    assert "Café Zürich".encode("cp1252") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    names = {row["name"] for row in read_rows(tmp_path, "sites")}
    assert "Café Zürich" in names
    # The dong sign has no cp1252 byte: amounts are spelled with the code.
    amounts = [row["current_charges"] for row in read_rows(tmp_path, "documents")]
    assert not any("₫" in amount for amount in amounts)
    assert any(amount.startswith("VND ") for amount in amounts)


def test_utf8_files_spell_the_dong_sign(
    tables: dict[str, Rows], manifest: dict[str, Any]
) -> None:
    assert manifest["encoding"] == "utf-8"
    amounts = [row["current_charges"] for row in tables["documents"]]
    assert any(amount.startswith("₫") for amount in amounts)


# --- planted cases and the manifest -----------------------------------------------


def test_manifest_lists_every_reason_and_field_issue(manifest: dict[str, Any]) -> None:
    injected = manifest["injected"]
    assert {item["reason"] for item in injected} >= REQUIRED_REASONS
    missing = [item for item in injected if item["reason"] == "missing_id"]
    assert {item["entity"] for item in missing} == {e.name for e in GENERATED_ENTITIES}
    assert all(item["record_id"] is None for item in missing)
    issues = {
        (item["entity"], item["column_name"], item["reason"])
        for item in manifest["field_issues"]
    }
    assert issues == REQUIRED_FIELD_ISSUES - NO_ROOM_FIELD_ISSUES


def assert_no_room(folder: Path, issues: set[tuple[str, str, str]]) -> None:
    """Each issue's column could not take one more value that cannot be parsed
    within the unparsed-share limit, even among all the values it holds."""
    shares = unparsed_shares(folder)
    for entity, column, _ in issues:
        values, unparsed = shares[(entity, column)]
        assert unparsed + 1 > MAX_UNPARSED_SHARE * (values + 1), (entity, column)


def test_kinds_are_left_out_only_where_their_column_has_no_room(
    landing: Path,
) -> None:
    assert_no_room(landing, NO_ROOM_FIELD_ISSUES)


def test_a_kind_is_planted_once_its_column_has_room(tmp_path: Path) -> None:
    """80 sites hold enough stop dates for a bad one among them."""
    generate(tmp_path, companies=1, sites=80, months=1, meters_per_site=1)
    manifest = read_manifest(tmp_path)
    issues = {
        (item["entity"], item["column_name"], item["reason"])
        for item in manifest["field_issues"]
    }
    assert ("sites", "data_collection_stop_date", "bad_date") in issues
    values, unparsed = unparsed_shares(tmp_path)[("sites", "data_collection_stop_date")]
    assert 1 <= unparsed <= MAX_UNPARSED_SHARE * values


def test_without_room_no_value_that_cannot_be_parsed_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no room at all, every kind that spoils a value is skipped and the
    manifest states none of them; the account whose status would be Active
    and the meter whose type would be Electric are written clean, and nothing
    cascades from them."""
    # _Landing.has_room reads the limit where the landing module holds it.
    monkeypatch.setattr(generator_landing, "MAX_UNPARSED_SHARE", Fraction(0))
    generate(tmp_path, file_format="mixed", **SMALL)
    manifest = read_manifest(tmp_path)
    assert all(unparsed == 0 for _, unparsed in unparsed_shares(tmp_path).values())
    assert manifest["rejected_values"] == []
    reasons = {item["reason"] for item in manifest["injected"]}
    assert not reasons & {"unknown_status", "unknown_commodity", "unknown_unit"}
    assert "meter_quarantined" not in {
        item["reason"]
        for item in manifest["injected"]
        if item["entity"] == "usage_data"
    }
    assert {item["reason"] for item in manifest["field_issues"]} >= {
        "out_of_range",
        "implausible_date",
        "orphan_site",
    }
    accounts = {row["status"] for row in read_rows(tmp_path, "accounts")}
    assert "Active" not in accounts


def test_every_kind_is_planted_in_the_first_company(tmp_path: Path) -> None:
    """Company 1 alone plants every kind its columns have room for: with four
    sites, all but the two whose columns hold too few values."""
    generate(tmp_path, companies=1, sites=4, months=2)
    manifest = read_manifest(tmp_path)
    assert {item["reason"] for item in manifest["injected"]} >= REQUIRED_REASONS
    issues = {
        (item["entity"], item["column_name"], item["reason"])
        for item in manifest["field_issues"]
    }
    assert issues == REQUIRED_FIELD_ISSUES - TWO_COMPANY_FIELD_ISSUES - (
        NO_ROOM_FIELD_ISSUES
    )
    assert_no_room(tmp_path, NO_ROOM_FIELD_ISSUES)
    assert manifest["unattributed"]
    assert manifest["expected_meter_matches"]
    special = manifest["special_cases"]
    for key in (
        "self_linked_accounts",
        "reused_document_ids",
        "line_item_meter_bills",
        "large_currency_bill",
        "big_water_usage",
        "currency_bills",
        "negative_usage_bill",
        "exact_charges",
    ):
        assert special[key], key
    assert "foreign_meter_bills" not in special  # one company: no other's meter


def test_every_finding_kind_is_planted_in_the_first_company(tmp_path: Path) -> None:
    """Company 1 alone plants every finding kind (15 months: a year to compare
    with and twelve complete months for a ready site)."""
    generate(tmp_path, companies=1, sites=4, months=15)
    findings = read_manifest(tmp_path)["planted_findings"]
    assert {item["kind"] for item in findings} == FINDING_KINDS
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in findings:
        by_kind[item["kind"]].append(item)
    # A missing bill: its gap, its months partly or wholly uncovered, and its
    # site and commodity not ENERGY STAR ready. A meter billed no longer
    # (stale_meter and its near-miss) leaves its last months uncovered too.
    manifest = read_manifest(tmp_path)
    gap_meters = {item["meter_id"] for item in by_kind["gap"]}
    stale_meters = {
        item["meter_id"]
        for item in (
            *manifest["expected_bill_audits"],
            *manifest["bill_audit_near_misses"],
        )
        if item["audit"] == "stale_meter"
    }
    assert {item["meter_id"] for item in by_kind["partial_month"]} <= (
        gap_meters | stale_meters
    )
    assert any(
        item["cause"] == "missing_bills" for item in by_kind["not_energy_star_ready"]
    )
    assert all(item["issue_days"] < 20 for item in by_kind["short_period"])
    assert all(item["issue_days"] > 40 for item in by_kind["long_period"])
    as_of = read_manifest(tmp_path)["as_of"]
    for item in by_kind["future_period"]:
        assert as_of < item["period_end"] <= "2027-11-01"  # plausible: within a year
    assert "spike" in {item["cause"] for item in by_kind["anomaly"]}
    scales = {item["scale_factor"] for item in by_kind["mirror_estimate"]}
    assert "1" in scales and scales - {"1"}  # with and without floor area
    assert len({item["site_id"] for item in by_kind["mirror_estimate"]}) == 2
    assert {item["site_id"] for item in by_kind["energy_star_ready"]}


def test_planted_findings_are_counted_and_name_records_in_the_files(
    manifest: dict[str, Any], tables: dict[str, Rows], bad_ids: set[tuple[str, str]]
) -> None:
    findings = manifest["planted_findings"]
    assert Counter(item["kind"] for item in findings) == Counter(
        manifest["counts"]["planted_findings"]
    )
    assert {item["kind"] for item in findings} <= FINDING_KINDS
    ids = {
        entity: {row["id"] for row in tables[entity] if row["id"]}
        for entity in ("sites", "meters", "documents", "usage_data", "accounts")
    }
    for item in findings:
        for key, entity in (
            ("meter_id", "meters"),
            ("duplicate_of_meter_id", "meters"),
            ("site_id", "sites"),
            ("mirror_site_id", "sites"),
            ("document_id", "documents"),
            ("duplicate_of_document_id", "documents"),
            ("usage_id", "usage_data"),
            ("account_id", "accounts"),
        ):
            if key in item:
                assert item[key] in ids[entity], item
                assert (entity, item[key]) not in bad_ids, item
    # The bill entered twice: the same account, dates, charges and currency.
    documents = newest_versions(tables["documents"])
    for item in findings:
        if item["kind"] == "duplicate_bill":
            first = documents[item["document_id"]]
            second = documents[item["duplicate_of_document_id"]]
            for column in ("account_id", "start_date", "bill_date", "current_charges"):
                assert first[column] == second[column], column
            assert first["charges_units"].upper() == second["charges_units"].upper()


def test_counts_match_the_lists(manifest: dict[str, Any]) -> None:
    counts = manifest["counts"]
    injected = Counter((i["entity"], i["reason"]) for i in manifest["injected"])
    assert injected == Counter(
        {
            (entity, reason): count
            for entity, reasons in counts["injected"].items()
            for reason, count in reasons.items()
        }
    )
    assert counts["unattributed"] == len(manifest["unattributed"])
    assert counts["expected_meter_matches"] == len(manifest["expected_meter_matches"])


def _record_keys(entity: str, rows: Rows) -> set[str]:
    if entity == "meter_identifiers":
        return {f"{r['meter_id']}|{r['identifier_type']}|{r['value']}" for r in rows}
    if entity == "meter_tags":
        return {f"{r['meter_id']}|{r['tag_name']}" for r in rows}
    return {r["id"] for r in rows}


def test_planted_records_are_in_the_files(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    for entity in GENERATED_ENTITIES:
        keys = _record_keys(entity.name, tables[entity.name])
        for item in manifest["injected"]:
            if item["entity"] == entity.name and item["record_id"] is not None:
                assert item["record_id"] in keys, item
    for item in manifest["field_issues"]:
        rows = [r for r in tables[item["entity"]] if r["id"] == item["record_id"]]
        assert len(rows) == 1, item
        assert rows[0][item["column_name"]].strip(), item


def test_quarantined_and_flagged_records_are_distinct(
    manifest: dict[str, Any],
) -> None:
    quarantined = {
        (item["entity"], item["record_id"])
        for item in manifest["injected"]
        if item["record_id"] is not None
    }
    assert len(quarantined) == sum(
        1 for item in manifest["injected"] if item["record_id"] is not None
    )
    flagged = {(item["entity"], item["record_id"]) for item in manifest["field_issues"]}
    assert not quarantined & flagged


def test_planted_rows_are_about_one_percent_per_kind(manifest: dict[str, Any]) -> None:
    rows = manifest["rows"]
    per_kind = Counter(
        item["reason"]
        for item in manifest["injected"]
        if item["entity"] == "usage_data"
    )
    per_kind.pop("meter_quarantined")
    per_kind.pop("document_quarantined")
    for reason, count in per_kind.items():
        assert 1 <= count <= 0.03 * rows["usage_data"], reason
    issues = Counter(
        item["column_name"]
        for item in manifest["field_issues"]
        if item["entity"] == "usage_data"
    )
    for column, count in issues.items():
        assert 1 <= count <= 0.03 * rows["usage_data"], column


def test_the_cascade_meters_are_the_only_bad_meters_with_usage(
    bad_ids: set[tuple[str, str]], tables: dict[str, Rows]
) -> None:
    """The meter of type Electric and the meter of the account whose status is
    Active (company 1) are billed; no other quarantined meter is."""
    bad_meters = {record for entity, record in bad_ids if entity == "meters"}
    used = {row["meter_id"] for row in tables["usage_data"]}
    meters = {row["id"]: row for row in tables["meters"] if row["id"]}
    accounts = {row["id"]: row for row in tables["accounts"] if row["id"]}
    causes = {
        meters[meter_id]["datasource_type"]
        if meters[meter_id]["datasource_type"] == "Electric"
        else accounts[meters[meter_id]["account_id"]]["status"]
        for meter_id in bad_meters & used
    }
    assert causes == {"Electric", "Active"}


def test_replaced_versions_are_the_repeated_keys(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    def identifier_key(row: dict[str, str]) -> str:
        kind = re.sub(r"[\s\-]+", "_", row["identifier_type"].strip()).upper()
        value = re.sub(r"[\s\-._/]", "", row["value"]).upper()
        return f"{row['meter_id'].strip()}|{kind}|{value}"

    found: dict[str, int] = {}
    for entity in GENERATED_ENTITIES:
        rows = tables[entity.name]
        if entity.name == "meter_identifiers":
            keys = [identifier_key(r) for r in rows if r["meter_id"].strip()]
        elif entity.name == "meter_tags":
            keys = [
                f"{r['meter_id'].strip()}|{r['tag_name'].strip()}"
                for r in rows
                if r["meter_id"].strip()
            ]
        else:
            keys = [r["id"].strip() for r in rows if r["id"].strip()]
        repeated = len(keys) - len(set(keys))
        if repeated:
            found[entity.name] = repeated
    assert found == manifest["replaced_versions"]
    differing = manifest["replaced_versions_differing"]
    assert set(differing) <= set(found)
    assert all(differing[e] <= found[e] for e in differing)
    assert found.keys() >= {"companies", "sites", "documents", "meters"}


def test_reused_document_ids_name_another_bill(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    reused = manifest["special_cases"]["reused_document_ids"]
    assert reused
    by_id: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["documents"]:
        by_id[row["id"]].append(row)
    for document_id in reused:
        accounts = {row["account_id"] for row in by_id[document_id]}
        assert len(accounts) == 2, document_id


def test_revision_cycles_and_self_links(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    cycles = {
        item["record_id"]
        for item in manifest["injected"]
        if item["entity"] == "documents" and item["reason"] == "revision_cycle"
    }
    revised = {row["id"]: row["revised_document_id"] for row in tables["documents"]}
    assert any(revised[d] == d for d in cycles)
    assert any(revised[d] != d and revised[revised[d]] == d for d in cycles)
    children = {
        row["document_id"]
        for entity in ("usage_data", "line_items")
        for row in tables[entity]
        if row["document_id"] in cycles
    }
    assert children == cycles
    accounts = {row["id"]: row for row in tables["accounts"] if row["id"]}
    for account_id in manifest["special_cases"]["self_linked_accounts"]:
        assert accounts[account_id]["active_account_id"] == account_id
    sites = {row["id"]: row for row in tables["sites"] if row["id"]}
    assert any(row["mirror_site_id"] == site_id for site_id, row in sites.items())


def test_unattributed_bills_have_no_meter_or_no_currency(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    reasons = Counter(item["reason"] for item in manifest["unattributed"])
    assert set(reasons) == {"no_meter_on_bill", "unknown_currency"}
    assert reasons["unknown_currency"] == 2  # an ambiguous and an unknown currency
    for item in manifest["unattributed"]:
        assert (item["currency"] is None) == (item["reason"] == "unknown_currency")
    unattributed = {
        item["document_id"]
        for item in manifest["unattributed"]
        if item["reason"] == "no_meter_on_bill"
    }
    assert len(unattributed) >= 3
    with_usage = {row["document_id"] for row in tables["usage_data"]}
    with_item_meter = {
        row["document_id"] for row in tables["line_items"] if row["meter_id"]
    }
    assert not unattributed & with_usage
    flagged_items = {
        item["record_id"]
        for item in manifest["field_issues"]
        if item["entity"] == "line_items" and item["column_name"] == "meter_id"
    }
    for row in tables["line_items"]:
        if row["document_id"] in unattributed and row["meter_id"]:
            assert row["id"] in flagged_items
    assert unattributed - with_item_meter
    bills = manifest["special_cases"]["line_item_meter_bills"]
    assert {bill["document_id"] for bill in bills} <= with_item_meter - unattributed


def test_identifier_cases_are_in_the_usage_file(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    def identifier_set(text: str) -> frozenset[tuple[str, str]] | None:
        try:
            items = json.loads(text)
        except ValueError:
            return None  # planted bad JSON
        return frozenset(
            (item["type"].upper(), re.sub(r"[\s\-._/]", "", item["value"]).upper())
            for item in items
        )

    without_meter = [row for row in tables["usage_data"] if not row["meter_id"]]
    sets = Counter(
        identifier_set(row["extracted_identifiers"])
        for row in without_meter
        if row["extracted_identifiers"].startswith("[")
    )
    for wanted in (
        {("METER", "X1"), ("ACCOUNT", "ACC1")},  # matched: X1 is on one meter
        {("METER", "X2"), ("METER", "Z9")},  # unmatched: no meter holds Z-9
        {("POD", "X1")},  # unmatched: X-1 is a METER identifier
        {("PREMISE", "PRSHARED7")},  # ambiguous: two meters with this set
        {("SERVICE POINT", "SP77")},  # matched: one candidate has exactly this
    ):
        assert sets[frozenset(wanted)] >= 1, wanted
    assert sets[frozenset()] >= 1  # "[]": missing_meter
    assert any(not row["extracted_identifiers"] for row in without_meter)
    matches = manifest["expected_meter_matches"]
    by_id = {row["id"]: row for row in without_meter}
    assert set(matches) <= set(by_id)
    # A row naming an identifier a meter shares with its duplicated twin.
    meters = {row["id"]: row for row in tables["meters"] if row["id"]}
    twins = {
        meter_id
        for meter_id, row in meters.items()
        if row["is_duplicated"].lower() in TRUE_TEXT
    }
    assert twins
    assert not set(matches.values()) & twins


def test_the_vnd_company_bills_in_the_billions(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    special = manifest["special_cases"]
    bill = special["large_currency_bill"]
    documents = {row["id"]: row for row in tables["documents"] if row["id"]}
    assert documents[bill["document_id"]]["current_charges"] == "VND 3,580,892,862.63"
    usage = {
        row["meter_id"]: (row["raw_usage"], row["raw_usage_units"])
        for row in tables["usage_data"]
        if row["document_id"] == bill["document_id"]
    }
    assert usage == {
        meter_id: (f"{float(value):,.3f}", "kWh")
        for meter_id, value in bill["meter_usage_kwh"].items()
    }
    assert sorted(bill["meter_usage_kwh"].values()) == [
        "144655.561",
        "20736.123",
        "596079.843",
    ]
    water = special["big_water_usage"]
    row = next(r for r in tables["usage_data"] if r["id"] == water["usage_id"])
    assert (row["raw_usage"], row["raw_usage_units"]) == ("6,227,440,270.173", "gal")
    assert (parse_date(row["start_date"]), parse_date(row["end_date"])) == (
        date(2026, 1, 15),
        date(2026, 2, 14),
    )
    vnd = [
        row["current_charges"]
        for row in tables["documents"]
        if row["charges_units"].upper() == "VND"
    ]
    assert any(re.fullmatch(r"₫\d{1,3}(,\d{3}){3,}\.\d{2}", a) for a in vnd)
    assert any(re.fullmatch(r"\d{10,}\.\d{2}", a) for a in vnd)
    assert any(re.fullmatch(r"VND \d{1,3}(,\d{3}){3,}\.\d{2}", a) for a in vnd)
    amounts = [row["amount"] for row in tables["line_items"]]
    assert any(re.fullmatch(r"-?vnd \d+(\.\d{1,2})?", a) for a in amounts)
    assert any(re.fullmatch(r"-?usd \d+(\.\d{1,2})?", a) for a in amounts)


def test_implausible_and_out_of_range_values(tables: dict[str, Rows]) -> None:
    dates = [
        text
        for entity, columns in (
            ("documents", ("start_date", "bill_date")),
            ("usage_data", ("start_date", "end_date")),
        )
        for row in tables[entity]
        for text in (row[columns[0]], row[columns[1]])
    ]
    for year in ("0025", "2206", "9999", "0001"):
        assert any(year in text[:4] or text.endswith(year) for text in dates), year
    usage = tables["usage_data"]
    assert any(row["raw_usage"] == "5e19" for row in usage)
    assert any(row["standard_usage"] and row["raw_usage"] == "12..5" for row in usage)
    assert any(re.fullmatch(r"\d+\.\d ?kw", row["demand"].lower()) for row in usage)
    items = [row["amount"] for row in tables["line_items"]]
    assert any(re.sub(r"[^\d.]", "", a) == "10000000000000.00" for a in items)


def test_optional_values_estimates_and_floor_area_units(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    estimated = {row["is_estimated"] for row in tables["usage_data"]}
    assert "" in estimated
    assert len({e for e in estimated if e.lower() in TRUE_TEXT}) >= 3
    assert "maybe" in estimated
    sites = tables["sites"]
    countries = manifest["site_countries"]
    units = Counter(
        re.sub(r"[\s_]", "", row["gross_floor_area_units"].upper())
        for row in sites
        if countries.get(row["id"]) == "US"
    )
    assert units[""] and units["SQFT"]
    metric = {
        re.sub(r"[\s_]", "", row["gross_floor_area_units"].upper())
        for row in sites
        if countries.get(row["id"]) not in (None, "US")
    }
    assert "SQM" in metric
    areas = {row["gross_floor_area"] for row in sites}
    assert "12,000 sq ft" in areas
    stops = {row["data_collection_stop_date"] for row in sites}
    assert "0025-06-30" in stops  # a bad date has no room among so few
    fractions = {row["implied_sewer_fraction"] for row in tables["companies"]}
    assert "1.7" in fractions


# --- messiness -------------------------------------------------------------------


def test_dates_come_in_three_formats(tables: dict[str, Rows]) -> None:
    values = [row["start_date"] for row in tables["usage_data"]]
    values += [row["bill_date"] for row in tables["documents"]]
    for pattern in (ISO_DATE, US_DATE, ISO_TIMESTAMP):
        assert any(pattern.fullmatch(value) for value in values), pattern.pattern


def test_amounts_booleans_enums_units_identifiers_are_messy(
    tables: dict[str, Rows],
) -> None:
    amounts = [row["amount"] for row in tables["line_items"]]
    assert any(re.fullmatch(r"\$\d{1,3}(,\d{3})+\.\d{2}", a) for a in amounts)
    assert any(re.fullmatch(r"-\d+\.\d{2}", a) for a in amounts)
    assert any(re.fullmatch(r"\(\d{1,3}(,\d{3})*\.\d{2}\)", a) for a in amounts)
    meters = tables["meters"]
    tracked = {row["is_tracked"] for row in meters}
    assert "" in tracked
    assert len(tracked - {""}) >= 4
    commodities = {row["datasource_type"] for row in meters}
    assert any(" " in c for c in commodities)
    assert any(c.islower() for c in commodities)
    statuses = {row["status"] for row in tables["accounts"]}
    assert any("-" in s for s in statuses) or any(" " in s for s in statuses)
    units = {row["raw_usage_units"] for row in tables["usage_data"]}
    folded = {unit.lower() for unit in units}
    assert {"kwh", "mwh", "ccf", "m3", "gal", "kgal"} <= folded
    assert {"therm", "therms"} & folded
    assert len(units) > len(folded)  # the same unit in several cases
    identifiers = [row["value"] for row in tables["meter_identifiers"]]
    assert any(v != v.strip() for v in identifiers)
    assert any("-" in v or "." in v for v in identifiers)


def test_duplicate_ids_with_newer_version_sometimes_first(
    tables: dict[str, Rows],
) -> None:
    newer_first = 0
    duplicated = 0
    for entity in (
        "companies",
        "sites",
        "accounts",
        "meters",
        "documents",
        "usage_data",
    ):
        by_id: dict[str, list[str]] = defaultdict(list)
        for row in tables[entity]:
            if row["id"]:
                by_id[row["id"]].append(row["updated_at"])
        for stamps in by_id.values():
            if len(stamps) < 2:
                continue
            duplicated += 1
            if stamps[0] and stamps[1] and stamps[0][:19] > stamps[1][:19]:
                newer_first += 1
    assert duplicated >= 5
    assert newer_first >= 1


# --- realism ---------------------------------------------------------------------


def test_bills_are_continuous_periods_of_27_to_35_days_but_the_planted_ones(
    manifest: dict[str, Any],
    tables: dict[str, Rows],
    bad_ids: set[tuple[str, str]],
) -> None:
    """Every account's bills with usage follow each other day after day, 27-35
    days long (calendar months included), up to the last day of the end month;
    the exceptions are exactly the planted findings: a missing bill leaves a gap,
    and overlapping, short, long, future and duplicated bills are named; a bill
    planted with usage outside its period (usage_outside_bill_period, found or
    near-miss) starts a day or two after its usage."""
    outside = {
        item["document_id"]
        for item in (
            *manifest["expected_bill_audits"],
            *manifest["bill_audit_near_misses"],
        )
        if item["audit"] == "usage_outside_bill_period"
    }
    planted: dict[str, set[str]] = defaultdict(set)
    for item in manifest["planted_findings"]:
        if "document_id" in item:
            planted[item["kind"]].add(item["document_id"])
    assert set(planted) >= {
        "gap",
        "overlap",
        "short_period",
        "long_period",
        "future_period",
        "duplicate_bill",
    }
    with_usage = {
        row["document_id"]
        for row in tables["usage_data"]
        if ("usage_data", row["id"]) not in bad_ids
    }
    periods: dict[str, dict[tuple[date, date], str]] = defaultdict(dict)
    for document_id, row in newest_versions(tables["documents"]).items():
        if ("documents", document_id) in bad_ids or document_id not in with_usage:
            continue
        if document_id in planted["duplicate_bill"]:
            continue  # the same period as the bill it duplicates
        start, end = parse_date(row["start_date"]), parse_date(row["bill_date"])
        days = (end - start).days + 1
        if 20 <= days <= 40 and document_id in planted["overlap"]:
            pass  # a few days longer: it starts before the last one ends
        elif document_id in outside:
            assert 25 <= days <= 35, document_id
        elif days < 20:
            assert document_id in planted["short_period"], document_id
        elif days > 40:
            assert document_id in planted["long_period"], document_id
        else:
            assert 27 <= days <= 35, document_id
        periods[row["account_id"]][(start, end)] = document_id
    as_of = date.fromisoformat(manifest["as_of"])
    for account_periods in periods.values():
        ordered = sorted(account_periods.items())
        for ((_, end), _), ((start, _), document_id) in itertools.pairwise(ordered):
            if start > end + timedelta(days=1):
                assert document_id in planted["gap"] | outside, document_id
            elif start <= end:
                assert document_id in planted["overlap"], document_id
        (_, last), document_id = ordered[-1]
        if last >= as_of:
            assert document_id in planted["future_period"], document_id
    last_ends = {
        end
        for values in periods.values()
        for (_, end), document_id in values.items()
        if document_id not in planted["future_period"]
    }
    assert max(last_ends) == as_of - timedelta(days=1)


def test_special_cases_are_present(tables: dict[str, Rows]) -> None:
    accounts = {row["id"]: row for row in tables["accounts"] if row["id"]}
    statuses = {
        re.sub(r"[\s-]+", "_", row["status"].upper()) for row in accounts.values()
    }
    assert {"ONBOARDED", "OLD_ACCOUNT", "DUPLICATE", "INACTIVE", "DETECTED"} <= statuses

    def depth(account_id: str) -> int:
        steps, seen = 0, {account_id}
        link = accounts[account_id]["active_account_id"]
        while link and link in accounts and link not in seen:
            seen.add(link)
            steps += 1
            link = accounts[link]["active_account_id"]
        return steps

    assert max(depth(account_id) for account_id in accounts) >= 3

    documents = tables["documents"]
    revised = {row["id"]: row["revised_document_id"] for row in documents}
    assert any(
        revised.get(target) and revised[target] != target
        for source, target in revised.items()
        if target and target != source
    )
    currencies = {row["charges_units"].upper() for row in documents}
    assert {"USD", "VND", "US$", "$", "", "₫"} <= currencies
    assert currencies & {"EUR", "CAD"}
    assert "source_system" in documents[0]

    usage = tables["usage_data"]
    metering = {row["net_metering_type"].upper() for row in usage}
    assert {"", "EXPORT", "GENERATION"} <= metering
    assert any(row["exclusion"].lower() in TRUE_TEXT for row in usage)
    assert any(row["demand"] for row in usage)

    meters = tables["meters"]
    assert any(not row["site_id"] for row in meters)
    assert any(
        row["is_tracked"].lower() in ("false", "f", "no", "n", "0") for row in meters
    )
    assert any(row["is_duplicated"].lower() in TRUE_TEXT for row in meters)
    sites = tables["sites"]
    assert sum(1 for row in sites if row["data_collection_stop_date"]) >= 2
    assert any("é" in row["name"] or "ü" in row["city"] for row in sites)

    items = tables["line_items"]
    charge_types = {row["charge_type"].upper() for row in items}
    assert {"USAGE", "DEMAND", "FEE", "TAX", "CREDIT", "OTHER"} <= charge_types
    assert any(not row["meter_id"] and row["datasource_type"] for row in items)
    with_items = {row["document_id"] for row in items}
    assert any(row["id"] not in with_items for row in documents)


def test_gas_peaks_in_winter_and_electricity_in_summer(
    tables: dict[str, Rows],
) -> None:
    meters = {
        row["id"]: row["datasource_type"].upper().replace(" ", "_")
        for row in tables["meters"]
    }
    per_day: dict[tuple[str, int], list[float]] = defaultdict(list)
    for row in tables["usage_data"]:
        commodity = meters.get(row["meter_id"], "")
        metering = row["net_metering_type"].strip().upper()
        if commodity not in ("GAS", "ELECTRICITY") or metering not in ("", "IMPORT"):
            continue
        try:
            start, end = parse_date(row["start_date"]), parse_date(row["end_date"])
            usage = float(row["raw_usage"].replace(",", ""))
        except ValueError:
            continue  # a bad row
        if row["exclusion"].lower() in TRUE_TEXT:
            continue
        days = (end - start).days + 1
        if not 27 <= days <= 35:
            continue  # a planted period
        middle = start + (end - start) / 2
        per_day[(row["meter_id"], middle.month)].append(usage / days)

    def ratio(meter_id: str, high: tuple[int, ...], low: tuple[int, ...]) -> float:
        def mean(months: tuple[int, ...]) -> float:
            values = [v for m in months for v in per_day.get((meter_id, m), [])]
            return sum(values) / len(values)

        return mean(high) / mean(low)

    # Compared meter by meter (planted rows aside, a meter reads in one unit).
    complete = {
        meter_id
        for meter_id in meters
        if all((meter_id, month) in per_day for month in range(1, 13))
    }
    gas = sorted(
        ratio(m, (12, 1, 2), (6, 7, 8)) for m in complete if meters[m] == "GAS"
    )
    power = sorted(
        ratio(m, (7, 8), (4, 5, 10)) for m in complete if meters[m] == "ELECTRICITY"
    )
    assert gas and power
    assert gas[len(gas) // 2] > 2
    assert power[len(power) // 2] > 1


# --- currencies, countries, odd links, rejected values ------------------------------


def test_bills_carry_every_currency_form(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    """charges_units as codes in any case, symbols of one currency, ambiguous
    symbols, nothing, an ambiguous $ and Dollars; amounts with the same tokens,
    Indian grouping and apostrophes."""
    units = {row["charges_units"] for row in tables["documents"]}
    assert {"US$", "CA$", "A$", "£", "€", "₫", "Fr.", "kr", "¥", "Rs.", "$"} <= units
    assert {"", "eUr", "Dollars", "USD", "usd", "Usd", "VND", "vnd"} <= units
    amounts = {row["amount"] for row in tables["line_items"]}
    amounts |= {row["current_charges"] for row in tables["documents"]}
    for written in (
        "US$ 5",
        "CA$100",
        "A$ 5",
        "12.00 kr",
        "Rs. 500",
        "Rs. 1,23,456.00",
        "₹2,500.00",
        "CHF 1'234.50",
        "1\u2019987.65",
        "¥12,000",
        "£1,234.56",
        "€1,820.55",
    ):
        assert written in amounts, written
    assert any(a.startswith("US$ ") and "," in a for a in amounts)


def test_currency_bills_state_their_currency_and_attribution(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    bills = {
        bill["document_id"]: bill
        for bill in manifest["special_cases"]["currency_bills"]
    }
    documents = newest_versions(tables["documents"])
    items: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["line_items"]:
        items[row["document_id"]].append(row)
    meters = {row["id"]: row for row in tables["meters"] if row["id"]}
    countries = manifest["site_countries"]
    currency_of = {"US": "USD", "CA": "CAD", "GB": "GBP", "AU": "AUD", "SE": "SEK"}
    currency_of |= {"JP": "JPY", "IN": "INR", "CH": "CHF", "DE": "EUR"}
    issues = {
        item["record_id"]: item["reason"]
        for item in manifest["field_issues"]
        if item["column_name"] == "charges_units"
    }
    unattributed = {
        item["document_id"]: item
        for item in manifest["unattributed"]
        if item["reason"] == "unknown_currency"
    }
    resolved_by_country = 0
    for document_id, bill in bills.items():
        document = documents[document_id]
        assert (document["charges_units"] or None) == bill["charges_units"]
        sites = {meters[row["meter_id"]]["site_id"] for row in items[document_id]}
        site_currencies = {currency_of[countries[site]] for site in sites}
        if bill["currency"] is None:
            assert set(unattributed[document_id]) >= {"unattributed_cost"}
            assert bill["attributed"] == {}
            expected = "ambiguous_currency" if len(site_currencies) > 1 else None
            assert issues[document_id] == (expected or "unknown_currency")
            continue
        assert document_id not in issues and document_id not in unattributed
        if bill["charges_units"] in (None, "$", "kr", "¥", "Rs."):
            assert site_currencies == {bill["currency"]}
            resolved_by_country += 1
        assert set(bill["attributed"]) == {
            row["meter_id"] for row in items[document_id]
        }
    assert resolved_by_country == 5
    assert {bill["currency"] for bill in bills.values()} >= set(currency_of.values())


def test_sites_write_countries_in_every_form(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    written = {row["id"]: row["country"] for row in tables["sites"] if row["id"]}
    expected = manifest["site_countries"]
    assert set(expected) <= set(written)
    spellings = {written[site] for site in expected}
    assert {"usa", "UK", "AUS", "JPN", "che", "Canada", "India", "Germany"} <= spellings
    assert {"US", "us", "USA"} & spellings
    unknown = [
        site
        for site, country in expected.items()
        if country is None and written[site].strip()
    ]
    assert [written[site] for site in unknown] == ["Atlantis"]
    # Company 1's site without a country (no field issue: nothing to match).
    assert [site for site in expected if not written[site].strip()]
    flagged = {
        item["record_id"]
        for item in manifest["field_issues"]
        if item["column_name"] == "country"
    }
    assert flagged == set(unknown)
    assert set(expected.values()) >= {"US", "CA", "GB", "AU", "SE", "JP", "IN", "CH"}


def test_rejected_enumerations_cascade_and_are_counted(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    """An account with status Active and a meter of type Electric (company 1):
    the account, its meter, the meter's identifiers and tags, its bills, their
    usage rows and line items are quarantined; the Electric meter's usage rows
    too. The manifest counts every rejected enumeration value."""
    injected = {
        (item["entity"], item["record_id"]): item["reason"]
        for item in manifest["injected"]
    }
    accounts = [row for row in tables["accounts"] if row["status"] == "Active"]
    assert len(accounts) == 1
    account = accounts[0]["id"]
    assert injected[("accounts", account)] == "unknown_status"
    meters = [row["id"] for row in tables["meters"] if row["account_id"] == account]
    assert len(meters) == 1
    assert injected[("meters", meters[0])] == "account_quarantined"
    for row in tables["meter_identifiers"]:
        if row["meter_id"] == meters[0]:
            key = f"{row['meter_id']}|{row['identifier_type']}|{row['value']}"
            assert injected[("meter_identifiers", key)] == "meter_quarantined"
    bills = {
        row["id"]
        for row in newest_versions(tables["documents"]).values()
        if row["account_id"] == account
    }
    assert bills
    assert {injected[("documents", bill)] for bill in bills} == {"account_quarantined"}
    for entity in ("usage_data", "line_items"):
        rows = [row for row in tables[entity] if row["document_id"] in bills]
        assert rows, entity
        assert {injected[(entity, row["id"])] for row in rows} == {
            "document_quarantined"
        }
    electric = [r["id"] for r in tables["meters"] if r["datasource_type"] == "Electric"]
    assert len(electric) == 1
    assert injected[("meters", electric[0])] == "unknown_commodity"
    usage = [row for row in tables["usage_data"] if row["meter_id"] == electric[0]]
    assert usage
    assert {injected[("usage_data", row["id"])] for row in usage} == {
        "meter_quarantined"
    }
    rejected = {
        (item["entity"], item["column_name"], item["raw_value"]): item["row_count"]
        for item in manifest["rejected_values"]
    }
    assert rejected[("accounts", "status", "Active")] == 1
    assert rejected[("meters", "datasource_type", "Electric")] == 1
    newest = {
        "accounts": newest_versions(tables["accounts"]),
        "usage_data": newest_versions(tables["usage_data"]),
        "line_items": newest_versions(tables["line_items"]),
    }
    for (entity, column, value), count in rejected.items():
        if entity in newest:
            winners = newest[entity].values()
            assert sum(1 for row in winners if row[column] == value) == count, value


def test_a_line_item_names_another_companys_meter(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    (bill,) = manifest["special_cases"]["foreign_meter_bills"]
    meters = {row["id"]: row for row in tables["meters"] if row["id"]}
    accounts = {row["id"]: row for row in tables["accounts"] if row["id"]}
    documents = newest_versions(tables["documents"])
    item = next(r for r in tables["line_items"] if r["id"] == bill["line_item_id"])
    assert item["meter_id"] == bill["foreign_meter_id"]
    company = accounts[documents[bill["document_id"]]["account_id"]]["company_id"]
    assert company == bill["company_id"]
    assert meters[bill["foreign_meter_id"]]["company_id"] != company
    (own,) = bill["attributed"]
    assert meters[own]["company_id"] == company
    amounts = [
        Decimal(row["amount"].split()[-1].replace(",", "").lstrip("$€₫"))
        for row in tables["line_items"]
        if row["document_id"] == bill["document_id"]
    ]
    assert sum(amounts) == Decimal(bill["attributed"][own])
    assert {
        (item["entity"], item["record_id"], item["column_name"], item["reason"])
        for item in manifest["field_issues"]
        if item["reason"] == "foreign_meter"
    } == {("line_items", bill["line_item_id"], "meter_id", "foreign_meter")}


def test_a_negative_import_usage_is_planted_with_its_attribution(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    bill = manifest["special_cases"]["negative_usage_bill"]
    rows = [r for r in tables["usage_data"] if r["document_id"] == bill["document_id"]]
    assert len(rows) == 2
    negative = next(row for row in rows if row["id"] == bill["usage_id"])
    assert negative["meter_id"] == bill["meter_id"]
    assert Decimal(negative["raw_usage"]) == Decimal(bill["usage_kwh"]) < 0
    assert not negative["net_metering_type"] and not negative["exclusion"]
    assert not negative["standard_usage"]
    charges = newest_versions(tables["documents"])[bill["document_id"]]
    attributed = {m: Decimal(a) for m, a in bill["attributed"].items()}
    assert attributed[bill["meter_id"]] == 0
    assert sum(attributed.values()) == Decimal(charges["current_charges"])
    assert {
        (item["record_id"], item["column_name"])
        for item in manifest["field_issues"]
        if item["reason"] == "negative_usage"
    } == {(bill["usage_id"], "raw_usage")}


def test_key_columns_hold_json_objects_only_in_jsonl(tmp_path: Path) -> None:
    """A JSON lines file holds, per entity with an id, a row whose id is a JSON
    object (quarantined bad_id, no record named) and links holding objects
    (field issues bad_id); CSV and Parquet files hold none."""
    generate(tmp_path / "jsonl", file_format="jsonl", **SMALL)
    manifest = read_manifest(tmp_path / "jsonl")
    bad = Counter(
        item["entity"] for item in manifest["injected"] if item["reason"] == "bad_id"
    )
    assert set(bad) == ID_ENTITIES
    assert all(
        item["record_id"] is None
        for item in manifest["injected"]
        if item["reason"] == "bad_id"
    )
    for entity, count in bad.items():
        rows = read_rows(tmp_path / "jsonl", entity)
        assert sum(1 for row in rows if row["id"].startswith("{")) == count, entity
    issues = {
        (item["entity"], item["column_name"], item["reason"])
        for item in manifest["field_issues"]
    }
    assert issues == (REQUIRED_FIELD_ISSUES | JSONL_FIELD_ISSUES) - (
        NO_ROOM_FIELD_ISSUES
    )
    generate(tmp_path / "mixed", file_format="mixed", **SMALL)
    manifest = read_manifest(tmp_path / "mixed")
    carbon_inputs = {entity.name for entity in CARBON_ENTITIES}
    jsonl = {
        e
        for e, name in manifest["files"].items()
        if name.endswith(".jsonl") and e not in carbon_inputs
    }
    bad_entities = {
        item["entity"]
        for item in (*manifest["injected"], *manifest["field_issues"])
        if item["reason"] == "bad_id"
    }
    assert bad_entities == jsonl


# --- conventions: day-first dates and decimal commas -----------------------------

DATE_COLUMNS = {
    "documents": ("start_date", "bill_date"),
    "usage_data": ("start_date", "end_date"),
    "sites": ("data_collection_stop_date",),
}
NUMBER_COLUMNS = {
    "companies": ("implied_sewer_fraction",),
    "sites": ("gross_floor_area",),
    "usage_data": ("raw_usage", "standard_usage", "demand"),
}
AMOUNT_COLUMNS = {
    "documents": ("total_charges", "current_charges"),
    "line_items": ("amount",),
}
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_YEAR_LAST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ].*")
_GROUPS = "[ \u00a0\u202f'\u2019]"
_POINT_NUMBER = re.compile(
    rf"(\d+|\d{{1,3}}(,\d{{3}})+|\d{{1,2}}(,\d{{2}})*,\d{{3}}|\d{{1,3}}({_GROUPS}\d{{3}})+)"
    r"?(\.\d+)?"
)
_COMMA_NUMBER = re.compile(
    rf"(\d+|\d{{1,3}}([.]\d{{3}})+|\d{{1,3}}({_GROUPS}\d{{3}})+)?(,\d+)?"
)
_EXPONENT = re.compile(r"\d+(\.\d+)?[eE][+-]?\d+")
_CURRENCY = r"(US\$|CA\$|C\$|AU\$|A\$|Rs\.?|Fr\.|kr\.?|[A-Za-z]{3}|[$€£¥₫₹])"
_PREFIXED = re.compile(rf"{_CURRENCY}\s*(.+)")
_SUFFIXED = re.compile(rf"(.+?)\s*{_CURRENCY}")


def reference_date(text: str, order: str) -> date | None:
    """A date as the warehouse reads it under a date order (a reference)."""
    text = text.strip()
    parts: tuple[str, str, str]
    if match := _YEAR_FIRST.fullmatch(text):
        parts = (match.group(1), match.group(3), match.group(4))
    elif match := _TIMESTAMP.fullmatch(text):
        parts = (match.group(1), match.group(2), match.group(3))
    elif match := _YEAR_LAST.fullmatch(text):
        first, second, year = match.group(1), match.group(3), match.group(4)
        month, day = (first, second) if order == "mdy" else (second, first)
        parts = (year, month, day)
    else:
        return None
    try:
        return date(*(int(part) for part in parts))
    except ValueError:
        return None


def reference_number(
    text: str, separator: str, *, amount: bool = False
) -> Decimal | None:
    """A number (or amount) as the warehouse reads it under a decimal
    separator: one currency token, a sign or accounting parentheses, then
    the digits in that convention's grammar (a reference)."""
    text = text.strip()
    sign = 1
    if amount and text.startswith("(") and text.endswith(")"):
        text, sign = text[1:-1].strip(), -1
    if text and text[0] in "+-":
        sign, text = (-1 if text[0] == "-" else 1) * sign, text[1:].strip()
    if amount:
        if match := _PREFIXED.fullmatch(text):
            text = match.group(2)
        elif match := _SUFFIXED.fullmatch(text):
            text = match.group(1)
    elif _EXPONENT.fullmatch(text):
        return sign * Decimal(text)
    grammar = _POINT_NUMBER if separator == "." else _COMMA_NUMBER
    if not re.search(r"\d", text) or not grammar.fullmatch(text):
        return None
    if separator == ",":
        text = re.sub(rf"[.]|{_GROUPS}", "", text).replace(",", ".")
    else:
        text = re.sub(rf",|{_GROUPS}", "", text)
    return sign * Decimal(text)


def read_values(folder: Path) -> dict[str, list[dict[str, object]]]:
    """Every row of a folder as the reference reads it under the folder's own
    landing.json: dates, numbers and amounts as values, the rest as text."""
    settings_path = folder / "landing.json"
    settings = json.loads(settings_path.read_text()) if settings_path.exists() else {}
    order = settings.get("date_order", "mdy")
    separator = settings.get("decimal_separator", ".")
    values: dict[str, list[dict[str, object]]] = {}
    for entity in GENERATED_ENTITIES:
        rows: list[dict[str, object]] = []
        for row in read_rows(folder, entity.name):
            value: dict[str, object] = dict(row)
            for column in DATE_COLUMNS.get(entity.name, ()):
                value[column] = reference_date(row[column], order)
            for column in NUMBER_COLUMNS.get(entity.name, ()):
                value[column] = reference_number(row[column], separator)
            for column in AMOUNT_COLUMNS.get(entity.name, ()):
                value[column] = reference_number(row[column], separator, amount=True)
            rows.append(value)
        values[entity.name] = rows
    return values


def proofs(folder: Path) -> set[tuple[str, str, str]]:
    """The loader's proof of a convention, per (convention, entity, column): a
    year-last date whose first part is above 12 (dmy) or whose second is (mdy);
    an amount whose number ends in a comma (",") or a point (".") and one or
    two digits."""
    found: set[tuple[str, str, str]] = set()
    for entity, columns in DATE_COLUMNS.items():
        for row in read_rows(folder, entity):
            for column in (*columns, "updated_at"):
                if match := _YEAR_LAST.fullmatch(row[column].strip()):
                    first, second = int(match.group(1)), int(match.group(3))
                    if 13 <= first <= 31 and 1 <= second <= 12:
                        found.add(("dmy", entity, column))
                    if 13 <= second <= 31 and 1 <= first <= 12:
                        found.add(("mdy", entity, column))
    for entity, columns in AMOUNT_COLUMNS.items():
        for row in read_rows(folder, entity):
            for column in columns:
                number = re.sub(r"[^\d.,]", "", row[column])
                for mark in (",", "."):
                    if re.search(rf"[{mark}]\d{{1,2}}$", number):
                        found.add((mark, entity, column))
    return found


_BOOLEAN_SPELLINGS = {"true", "t", "yes", "y", "1", "false", "f", "no", "n", "0"}
_COMMODITIES = {
    "ELECTRICITY",
    "GAS",
    "WATER",
    "SEWER",
    "STEAM",
    "FUEL_OIL",
    "PROPANE",
    "DISTRICT_HEATING",
    "DISTRICT_COOLING",
}
ENUMERATIONS = {
    "account_status": {"DETECTED", "ONBOARDED", "OLD_ACCOUNT", "DUPLICATE", "INACTIVE"},
    "commodity": _COMMODITIES,
    "charge_type": {"USAGE", "DEMAND", "FEE", "TAX", "CREDIT", "OTHER"},
    "net_metering_type": {"IMPORT", "EXPORT", "GENERATION"},
}
# The columns the warehouse's unparsed-share gate judges, per entity, and how
# each is read: written out here on purpose (not imported).
JUDGED_COLUMNS: dict[str, dict[str, str]] = {
    "companies": {"implied_sewer_fraction": "number", "updated_at": "timestamp"},
    "sites": {
        "gross_floor_area": "number",
        "gross_floor_area_units": "floor_area_unit",
        "data_collection_stop_date": "date",
        "country": "country",
        "updated_at": "timestamp",
    },
    "connections": {"updated_at": "timestamp"},
    "accounts": {"status": "account_status", "updated_at": "timestamp"},
    "meters": {
        "datasource_type": "commodity",
        "is_tracked": "boolean",
        "is_duplicated": "boolean",
        "updated_at": "timestamp",
    },
    "documents": {
        "start_date": "date",
        "bill_date": "date",
        "total_charges": "amount",
        "current_charges": "amount",
        "charges_units": "currency",
        "updated_at": "timestamp",
    },
    "usage_data": {
        "start_date": "date",
        "end_date": "date",
        "raw_usage": "number",
        "raw_usage_units": "unit",
        "standard_usage": "number",
        "demand": "number",
        "exclusion": "boolean",
        "is_estimated": "boolean",
        "net_metering_type": "net_metering_type",
        "updated_at": "timestamp",
    },
    "line_items": {
        "amount": "amount",
        "charge_type": "charge_type",
        "datasource_type": "commodity",
        "updated_at": "timestamp",
    },
}
MAX_UNPARSED_SHARE = Decimal("0.05")
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _readers(folder: Path) -> dict[str, Any]:
    """How the warehouse reads each kind of judged column in a folder (under
    its landing.json): a function giving None for a value it cannot parse."""
    settings_path = folder / "landing.json"
    settings = json.loads(settings_path.read_text()) if settings_path.exists() else {}
    order = settings.get("date_order", "mdy")
    separator = settings.get("decimal_separator", ".")
    units = {row["spelling"] for row in _seed("unit_spellings")}
    countries = {
        name.lower().replace("'", "\u2019")
        for row in _seed("countries")
        for name in (row["alpha2"], row["alpha3"], row["country_name"])
    } | {
        row["alias"].lower().replace("'", "\u2019") for row in _seed("country_aliases")
    }

    def enumeration(accepted: set[str]) -> Any:
        return lambda v: re.sub(r"[\s-]+", "_", v.strip()).upper() in accepted or None

    readers: dict[str, Any] = {
        "date": lambda v: reference_date(v, order),
        "timestamp": lambda v: reference_date(v, order),
        "number": lambda v: reference_number(
            re.sub(r"\s*kw$", "", v, flags=re.I), separator
        ),
        "amount": lambda v: reference_number(v, separator, amount=True),
        "boolean": lambda v: v.strip().lower() in _BOOLEAN_SPELLINGS or None,
        "unit": lambda v: v.strip().lower().replace(" ", "") in units or None,
        "floor_area_unit": lambda v: (
            re.sub(r"[\s_-]", "", v).upper() in {"SQFT", "SQM"} or None
        ),
        "country": lambda v: (
            v.strip().lower().replace("'", "\u2019") in countries or None
        ),
    }
    for name, accepted in ENUMERATIONS.items():
        readers[name] = enumeration(accepted)
    return readers


def unparsed_shares(folder: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(non-empty, unparsed) values per column the warehouse's unparsed-share
    gate judges, over the rows that win their key (rows without an id each on
    their own): what the gate measures. charges_units counts over clean bills
    only; a currency code or a symbol of one currency parses, one several
    currencies use parses unless its bill's sites leave it unsettled (the
    manifest's ambiguous_currency issues)."""
    manifest = read_manifest(folder)
    readers = _readers(folder)
    codes = {row["currency_code"].upper() for row in _seed("currencies")}
    symbols = {
        row["symbol"].replace(" ", "").upper(): row["currency_code"]
        for row in _seed("currency_symbols")
    }
    quarantined = {
        item["record_id"]
        for item in manifest["injected"]
        if item["entity"] == "documents"
    }
    unsettled = {
        item["record_id"]
        for item in manifest["field_issues"]
        if item["column_name"] == "charges_units"
        and item["reason"] == "ambiguous_currency"
    }
    shares: dict[tuple[str, str], tuple[int, int]] = {}
    for entity, columns in JUDGED_COLUMNS.items():
        if entity not in manifest["files"]:
            continue
        rows = read_rows(folder, entity)
        rows = [*newest_versions(rows).values(), *(r for r in rows if not r["id"])]
        for column, kind in columns.items():
            judged = rows
            if column == "charges_units":  # ids blank or an object: quarantined
                judged = [
                    r
                    for r in rows
                    if r["id"].strip()
                    and not r["id"].startswith("{")
                    and r["id"] not in quarantined
                ]
            values = [row for row in judged if row[column].strip()]
            if column == "charges_units":
                unparsed = 0
                for row in values:
                    key = row[column].strip().replace(" ", "").upper()
                    if key in codes or symbols.get(key):
                        continue
                    if key not in symbols or row["id"] in unsettled:
                        unparsed += 1
            else:
                read = readers[kind]
                unparsed = sum(1 for row in values if read(row[column]) is None)
            shares[(entity, column)] = (len(values), unparsed)
    return shares


@pytest.mark.parametrize(
    "options",
    [
        # The end-to-end folders, the demo folder (the defaults) and the
        # engines' folder.
        {"companies": 3, "sites": 4, "months": 15, "seed": 7, "file_format": "mixed"},
        {
            "companies": 3,
            "sites": 4,
            "months": 15,
            "seed": 7,
            "file_format": "mixed",
            "locale": "dmy-comma",
        },
        {
            "companies": 1,
            "sites": 2,
            "months": 3,
            "seed": 11,
            "file_format": "mixed",
            "without": ["connections"],
            "encoding": "cp1252",
        },
        {},
        {"companies": 1, "sites": 2, "months": 6, "file_format": "mixed"},
        {"companies": 2, "sites": 3, "months": 6, "seed": 11, "messy_names": False},
        {"companies": 1, "sites": 1, "months": 2},
        {"companies": 1, "sites": 1, "months": 1, "file_format": "jsonl"},
        {"companies": 2, "sites": 3, "months": 6, "file_format": "parquet"},
    ],
)
def test_planted_bad_values_stay_a_small_share_of_every_judged_column(
    tmp_path: Path, options: dict[str, Any]
) -> None:
    """At most 5% of the non-empty values of every column the warehouse's
    unparsed-share gate judges are unparseable, however small the folder (the
    end-to-end, demo and engines' folders, and tiny ones): the gate passes
    them. The columns of every kind of value are judged."""
    generate(tmp_path, **options)
    shares = unparsed_shares(tmp_path)
    assert {entity for entity, _ in shares} >= {"companies", "usage_data"}
    stated = {
        (item["entity"], item["column_name"]): (
            item["non_empty_count"],
            item["unparsed_count"],
        )
        for item in read_manifest(tmp_path)["unparsed_values"]
    }
    assert stated == shares  # the manifest states what the gate will count
    for (entity, column), (values, unparsed) in shares.items():
        assert unparsed <= MAX_UNPARSED_SHARE * values, (
            entity,
            column,
            values,
            unparsed,
        )


@pytest.fixture(scope="module")
def conventions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One seed in every convention (mixed formats: JSON numbers too)."""
    base = tmp_path_factory.mktemp("conventions")
    folders: dict[str, Path] = {}
    for locale in ("mdy-point", "dmy-comma", "dmy-point", "mdy-comma"):
        folders[locale] = base / locale
        generate(folders[locale], locale=locale, file_format="mixed", seed=5, **SMALL)
    return folders


def test_every_convention_writes_the_same_values(conventions: dict[str, Path]) -> None:
    """Read under its own landing.json, each folder holds the default folder's
    values, row for row: every date, number and amount the same (or not a
    value in both), every other text identical."""
    expected = read_values(conventions["mdy-point"])
    parsed = sum(
        1
        for entity, columns in (*DATE_COLUMNS.items(), *AMOUNT_COLUMNS.items())
        for row in expected[entity]
        for column in columns
        if row[column] is not None
    )
    assert parsed > 1000
    for locale in ("dmy-comma", "dmy-point", "mdy-comma"):
        found = read_values(conventions[locale])
        for entity, rows in expected.items():
            assert len(found[entity]) == len(rows), (locale, entity)
            for want, got in zip(rows, found[entity], strict=True):
                assert got == want, (
                    locale,
                    entity,
                    want.get("id", want),
                )


def test_every_convention_keeps_bad_values_a_small_share_of_every_column(
    conventions: dict[str, Path],
) -> None:
    """Each convention's folder passes the unparsed-share gate read under its
    own landing.json."""
    for locale, folder in conventions.items():
        for (entity, column), (values, unparsed) in unparsed_shares(folder).items():
            assert unparsed <= MAX_UNPARSED_SHARE * values, (
                locale,
                entity,
                column,
                values,
                unparsed,
            )


def test_the_day_first_folder_is_written_day_first_with_decimal_commas(
    conventions: dict[str, Path],
) -> None:
    folder = conventions["dmy-comma"]
    assert json.loads((folder / "landing.json").read_text()) == {
        "date_order": "dmy",
        "decimal_separator": ",",
    }
    manifest = read_manifest(folder)
    assert manifest["landing"]["date_order"] == "dmy"
    assert manifest["parameters"]["locale"] == "dmy-comma"
    documents = read_rows(folder, "documents")
    dates = [row["start_date"] for row in documents]
    assert any(re.fullmatch(r"\d{2}/\d{2}/\d{4}", d) for d in dates)
    assert any(re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", d) for d in dates)
    year_first = {d for d in dates if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", d)}
    assert year_first <= {"2024-13-45"}  # not a day: written as planted
    amounts = {row["amount"] for row in read_rows(folder, "line_items")}
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{2} €", a) for a in amounts)
    assert "12,00 kr" in amounts and "Rs. 123.456,00" in amounts
    usage = {row["raw_usage"] for row in read_rows(folder, "usage_data")}
    assert any(re.fullmatch(r"\d+,\d", u) for u in usage)
    text = (folder / manifest["files"]["documents"]).read_text(encoding="utf-8")
    assert manifest["files"]["documents"].endswith(".jsonl")
    assert '"current_charges":"123456789012,345678"' in text  # no JSON numbers
    assert not (conventions["mdy-point"] / "landing.json").exists()


@pytest.mark.parametrize(
    ("locale", "own"),
    [
        ("mdy-point", set()),
        ("dmy-comma", {"dmy", ","}),
        ("dmy-point", {"dmy"}),
        ("mdy-comma", {","}),
    ],
)
def test_each_convention_proves_itself_and_nothing_else(
    conventions: dict[str, Path], locale: str, own: set[str]
) -> None:
    """What the loader looks for before loading: the folder proves its own
    convention where it is not the default (so that without landing.json it
    is refused), and never the other one (so that with it, it loads)."""
    found = {convention for convention, _, _ in proofs(conventions[locale])}
    others = {"dmy": "mdy", ",": "."}
    assert found - {"mdy", "."} == own
    assert not {others[mark] for mark in own} & found


def test_no_landing_json_leaves_the_convention_unsaid(tmp_path: Path) -> None:
    generate(tmp_path, locale="dmy-comma", **SMALL)
    assert (tmp_path / "landing.json").is_file()
    generate(tmp_path, locale="dmy-comma", landing_json=False, **SMALL)
    assert not (tmp_path / "landing.json").exists()
    manifest = read_manifest(tmp_path)
    assert manifest["landing"] == {
        "date_order": "dmy",
        "decimal_separator": ",",
        "landing_json": {},
    }
    assert manifest["parameters"]["landing_json"] is False


# --- the command line ------------------------------------------------------------


def test_cli_writes_a_landing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(
        ["generate", "--out", str(tmp_path), "--companies", "2", "--months", "3"]
    )
    assert code == 0
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1
    assert "usage_data" in out
    assert (tmp_path / "usage_data.csv").is_file()
    assert (tmp_path / MANIFEST_NAME).is_file()


def test_cli_shape_options(tmp_path: Path) -> None:
    code = cli.main(
        [
            "generate",
            "--out",
            str(tmp_path),
            "--companies",
            "1",
            "--months",
            "2",
            "--without",
            "connections",
            "--without",
            "meter_tags",
            "--clean-names",
            "--encoding",
            "cp1252",
        ]
    )
    assert code == 0
    manifest = read_manifest(tmp_path)
    assert manifest["parameters"]["without"] == ["connections", "meter_tags"]
    assert manifest["encoding"] == "cp1252"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [
            f"{e.name}.csv"
            for e in WRITTEN_ENTITIES
            if e.name not in ("connections", "meter_tags")
        ]
        + [MANIFEST_NAME, "landing.json"]
    )
    # A folder in another encoding than UTF-8 says so in its landing.json.
    assert json.loads((tmp_path / "landing.json").read_text()) == {"encoding": "cp1252"}
    text = (tmp_path / "sites.csv").read_bytes().decode("cp1252")
    assert "Café Zürich" in text
    assert next(csv.reader(io.StringIO(text)))[-1] == "updated_at"


def test_cli_locale_and_landing_json(tmp_path: Path) -> None:
    common = ["generate", "--companies", "1", "--sites", "1", "--months", "2"]
    assert (
        cli.main([*common, "--out", str(tmp_path / "a"), "--locale", "dmy-comma"]) == 0
    )
    assert json.loads((tmp_path / "a" / "landing.json").read_text()) == {
        "date_order": "dmy",
        "decimal_separator": ",",
    }
    code = cli.main(
        [
            *common,
            "--out",
            str(tmp_path / "b"),
            "--locale",
            "mdy-comma",
            "--no-landing-json",
        ]
    )
    assert code == 0
    assert not (tmp_path / "b" / "landing.json").exists()
    assert read_manifest(tmp_path / "b")["landing"]["decimal_separator"] == ","
    with pytest.raises(SystemExit) as raised:
        cli.main([*common, "--out", str(tmp_path / "c"), "--locale", "de_DE"])
    assert raised.value.code == 2
    with pytest.raises(ValueError, match="--locale"):
        generate(tmp_path / "d", locale="de_DE")
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize(
    "arguments",
    [
        ["--months", "0"],
        ["--companies", "0"],
        ["--sites", "-1"],
        ["--meters-per-site", "0"],
        ["--end-month", "2026-13"],
        ["--end-month", "2026/10"],
        ["--end-month", "soon"],
        ["--encoding", "no-such-encoding"],
        ["--encoding", "base64"],
    ],
)
def test_bad_values_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    code = cli.main(["generate", "--out", str(tmp_path / "out"), *arguments])
    assert code == 2
    assert "error" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "arguments",
    [["--format", "xml"], ["--months", "many"], ["--without", "meters"], []],
)
def test_bad_invocations_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    out = [] if not arguments else ["--out", str(tmp_path)]
    with pytest.raises(SystemExit) as raised:
        cli.main(["generate", *out, *arguments])
    assert raised.value.code == 2
    assert "error" in capsys.readouterr().err


# --- carbon inputs: grid regions, instruments, the expected inventory ---------------

ENERGY_COMMODITIES = {
    "ELECTRICITY",
    "GAS",
    "STEAM",
    "FUEL_OIL",
    "PROPANE",
    "DISTRICT_HEATING",
    "DISTRICT_COOLING",
}


def _counted_commodities(tables: dict[str, Rows]) -> tuple[set[str], set[str]]:
    """Commodities of meters on an ONBOARDED account with usage rows, and
    those of such meters without a site."""
    onboarded = {
        row["id"]
        for row in tables["accounts"]
        if row["status"].strip().upper() == "ONBOARDED"
    }
    used = {row["meter_id"] for row in tables["usage_data"]}
    counted, unassigned = set(), set()
    for row in tables["meters"]:
        if row["account_id"] in onboarded and row["id"] in used:
            commodity = row["datasource_type"].strip().upper().replace(" ", "_")
            counted.add(commodity)
            if not row["site_id"].strip():
                unassigned.add(commodity)
    return counted, unassigned


def test_us_sites_name_egrid_subregions_of_the_factor_seed(
    tables: dict[str, Rows], manifest: dict[str, Any]
) -> None:
    regions = {row["region"] for row in _seed("emission_factors")}
    written = [
        row["grid_region"]
        for row in tables["sites"]
        if row["id"] and row["grid_region"].strip()
    ]
    assert {region.strip().upper() for region in written} <= regions
    assert len({region.strip().upper() for region in written}) >= 3
    # Spelled in any case and with stray spaces (compared trimmed, upper case).
    assert any(region != region.strip() for region in written)
    assert any(region != region.upper() for region in written)
    countries = manifest["site_countries"]
    assert all(  # None: the planted annex whose country is unknown
        countries.get(row["id"]) in ("US", None)
        for row in tables["sites"]
        if row["id"] in countries and row["grid_region"].strip()
    )


def test_every_energy_commodity_and_an_unassigned_meter_have_counted_usage(
    tables: dict[str, Rows],
) -> None:
    counted, unassigned = _counted_commodities(tables)
    assert counted >= ENERGY_COMMODITIES
    assert unassigned & ENERGY_COMMODITIES


def test_the_carbon_inputs_are_written_in_the_folders_format(tmp_path: Path) -> None:
    for file_format in ("csv", "jsonl", "parquet"):
        folder = tmp_path / file_format
        generate(folder, file_format=file_format, **SMALL)
        files = read_manifest(folder)["files"]
        for entity in CARBON_ENTITIES:
            assert files[entity.name].endswith(f".{file_format}")
            rows = read_rows(folder, entity.name)
            assert rows and list(rows[0]) == list(entity.all_columns)
    generate(tmp_path / "dmy", locale="dmy-comma", **SMALL)
    rows = read_rows(tmp_path / "dmy", "contractual_instruments")
    assert any(row["co2e_kg_per_kwh"] == "0,21" for row in rows)
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4}", row["start_date"]) for row in rows)


@pytest.fixture(scope="module")
def carbon_rows(landing: Path) -> dict[str, Rows]:
    return {entity.name: read_rows(landing, entity.name) for entity in CARBON_ENTITIES}


def test_instruments_hold_a_rec_a_contract_an_unlimited_and_an_oversized_one(
    carbon_rows: dict[str, Rows], manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    rows = carbon_rows["contractual_instruments"]
    company = manifest["expected_inventory"]["company_id"]
    assert {row["company_id"] for row in rows} == {company}
    sites = {row["id"] for row in tables["sites"] if row["company_id"] == company}
    recs = [r for r in rows if r["site_id"] and Decimal(r["co2e_kg_per_kwh"]) == 0]
    spanning = [
        r
        for r in recs
        if r["quantity_kwh"]
        and parse_date(r["start_date"]).day > 1
        and parse_date(r["start_date"]).month != parse_date(r["end_date"]).month
    ]
    assert spanning and all(r["site_id"] in sites for r in recs)
    contracts = [r for r in rows if not r["site_id"]]
    assert [Decimal(r["co2e_kg_per_kwh"]) for r in contracts] == [Decimal("0.21")]
    assert contracts[0]["quantity_kwh"]
    assert [r for r in rows if not r["quantity_kwh"]]
    assert max(Decimal(r["quantity_kwh"] or 0) for r in rows) >= 1_000_000
    (factor,) = carbon_rows["emission_factors"]
    assert (factor["region"], factor["method"]) == ("US", "residual_mix")
    assert "generator" in factor["source"]


def test_instruments_are_valid_in_a_folder_of_one_month(tmp_path: Path) -> None:
    generate(tmp_path, companies=1, sites=1, months=1)
    for row in read_rows(tmp_path, "contractual_instruments"):
        assert parse_date(row["start_date"]) <= parse_date(row["end_date"]), row
    assert read_manifest(tmp_path)["expected_inventory"]["rows"]


def test_the_manifest_states_the_carbon_companys_inventory(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    inventory = manifest["expected_inventory"]
    company = inventory["company_id"]
    assert company in {row["id"] for row in tables["companies"]}
    assert company in inventory["note"] or "carbon company" in inventory["note"]
    rows = inventory["rows"]
    assert {(r["scope"], r["method"]) for r in rows} == {
        (scope, method) for scope in (1, 2) for method in ("location", "market")
    }
    years = {r["year"] for r in rows}
    assert years == {2024, 2025, 2026}
    for row in rows:
        assert row["company_id"] == company
        assert Decimal(row["activity_kwh"]) > 0
        assert Decimal(row["co2e_t"]) > 0
        assert Decimal(row["co2e_t"]) == Decimal(row["co2e_t"]).quantize(
            Decimal("0.000001")
        )
    by_key = {(r["year"], r["scope"], r["method"]): r for r in rows}
    for year in years:  # Scope 1: market = location; Scope 2 differs
        assert by_key[(year, 1, "market")] == {
            **by_key[(year, 1, "location")],
            "method": "market",
        }
    assert any(
        by_key[(year, 2, "market")]["co2e_t"] != by_key[(year, 2, "location")]["co2e_t"]
        for year in years
    )
    # Its bills each cover exactly one calendar month.
    accounts = {r["id"] for r in tables["accounts"] if r["company_id"] == company}
    bills = [r for r in tables["documents"] if r["account_id"] in accounts]
    assert bills
    for bill in bills:
        start, end = parse_date(bill["start_date"]), parse_date(bill["bill_date"])
        assert start.day == 1 and (end + timedelta(days=1)).day == 1
        assert (start.year, start.month) == (end.year, end.month)


def test_the_inventory_oracle_follows_the_spec_example() -> None:
    """The worked example of docs/methodology.md: A 1,000 kWh, B 3,000; A's own
    instrument 600 at 0; a company-wide one 2,000 at 0.1; residual co2e rate 0.5."""
    from utility_warehouse.generate import carbon

    january = date(2025, 1, 1)
    spread = carbon.spread(Decimal(3100), date(2025, 1, 15), date(2025, 2, 14))
    assert spread == {january: Decimal(1700), date(2025, 2, 1): Decimal(1400)}
    factors = carbon.factor_rows(
        [
            {
                "region": region,
                "commodity": "ELECTRICITY",
                "year": "2025",
                "method": method,
                "co2_kg_per_kwh": rate,
                "ch4_kg_per_kwh": "",
                "n2o_kg_per_kwh": "",
            }
            for region, method, rate in (
                ("XX", "residual_mix", "0.5"),
                ("XX", "location", "0.3"),
            )
        ]
    )

    def instrument(
        key: str, site: str | None, quantity: int, rate: str
    ) -> carbon.Instrument:
        return carbon.Instrument(
            key,
            "C",
            site,
            None,
            "ELECTRICITY",
            january,
            date(2025, 1, 31),
            Decimal(quantity),
            Decimal(rate),
        )

    months = [
        carbon.MeterMonth(
            "C", f"M{site}", site, "ELECTRICITY", january, Decimal(kwh), None, "XX"
        )
        for site, kwh in (("A", 1000), ("B", 3000))
    ]
    instruments = [instrument("I1", "A", 600, "0"), instrument("I2", None, 2000, "0.1")]
    rows = carbon.expected_inventory(months, instruments, factors)
    market = next(r for r in rows if r["method"] == "market")
    location = next(r for r in rows if r["method"] == "location")
    assert market["co2e_t"] == "0.900000"  # 105.882353 + 794.117647 kg
    assert location["co2e_t"] == "1.200000"
    covered = carbon._allocate(
        {"A": Decimal(1000), "B": Decimal(3000)},
        {"A": "XX", "B": "XX"},
        [(instruments[0], Decimal(600))],
        [(instruments[1], Decimal(2000))],
    )
    assert covered == {
        "A": [(Decimal(600), Decimal(0)), (Decimal("235.294118"), Decimal("0.1"))],
        "B": [(Decimal("1764.705882"), Decimal("0.1"))],
    }


# --- bill audits -------------------------------------------------------------------


def _audit_key(entry: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(entry[key] for key in AUDIT_KEYS)


def test_every_bill_audit_is_planted_with_a_near_miss(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    """Each audit of dq_bill_audits has a finding and a near-miss in the manifest,
    naming records in the files; only stale_meter is claimed complete (regular
    bills trip the others too); the VND company's home site is implausible for
    water."""
    expected = manifest["expected_bill_audits"]
    near = manifest["bill_audit_near_misses"]
    assert manifest["bill_audits_complete"] == {
        audit: audit == "stale_meter" for audit in AUDITS
    }
    assert {item["audit"] for item in expected} == set(AUDITS)
    assert {item["audit"] for item in near} == set(AUDITS)
    found_keys = {_audit_key(item) for item in expected}
    near_keys = {_audit_key(item) for item in near}
    assert len(found_keys) == len(expected) and len(near_keys) == len(near)
    assert not found_keys & near_keys
    ids = {
        entity: {row["id"] for row in tables[entity] if row["id"]}
        for entity in ("sites", "meters", "documents", "usage_data", "line_items")
    }
    for item in (*expected, *near):
        assert item["site_id"] in ids["sites"], item
        assert item["company_id"].startswith("CO"), item
        if item["document_id"] is not None:
            assert item["document_id"] in ids["documents"], item
        if item["meter_id"] is not None:
            assert item["meter_id"] in ids["meters"], item
        if item["item_id"] is not None:
            assert item["item_id"] in ids["line_items"] | ids["usage_data"], item
        assert (item["year"] is None) == (item["audit"] != "implausible_intensity")
    vnd_water = {
        (item["company_id"], item["commodity"])
        for item in expected
        if item["audit"] == "implausible_intensity" and item["commodity"] == "WATER"
    }
    assert vnd_water == {("CO0003", "WATER")}


def test_planted_bill_audits_sit_on_either_side_of_their_thresholds(
    manifest: dict[str, Any], tables: dict[str, Rows]
) -> None:
    """The planted rows (written plainly) show each finding past its threshold
    and each near-miss exactly at it, or just inside it, by the spec's rules."""
    documents = {row["id"]: row for row in tables["documents"]}
    items_of: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["line_items"]:
        items_of[row["document_id"]].append(row)
    items = {row["id"]: row for row in tables["line_items"]}
    usage = {row["id"]: row for row in tables["usage_data"]}
    usage_of: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["usage_data"]:
        if row["meter_id"]:
            usage_of[row["meter_id"]].append(row)
    sites = {row["id"]: row for row in tables["sites"]}
    as_of = date.fromisoformat(manifest["as_of"])

    def charges(document_id: str) -> Decimal:
        return Decimal(documents[document_id]["current_charges"])

    def meter_bills(meter_id: str) -> list[tuple[str, Decimal, Decimal, bool]]:
        """(document, charges, kWh, estimated) of a meter's bills, in order."""
        rows = sorted(usage_of[meter_id], key=lambda row: row["start_date"])
        return [
            (
                row["document_id"],
                charges(row["document_id"]),
                Decimal(row["raw_usage"]),
                row["is_estimated"] == "true",
            )
            for row in rows
        ]

    def measure(item: dict[str, Any]) -> tuple[Decimal, Decimal]:
        """(observed, allowed) of an entry, worked out from the files."""
        audit, document_id = item["audit"], item["document_id"]
        if audit == "line_items_mismatch":
            total = sum(
                (Decimal(i["amount"]) for i in items_of[document_id]), Decimal(0)
            )
            current = charges(document_id)
            return abs(current - total), max(Decimal("1.00"), current / 100)
        if audit == "high_demand_share":
            demand = sum(
                (
                    Decimal(i["amount"])
                    for i in items_of[document_id]
                    if i["charge_type"] == "DEMAND"
                ),
                Decimal(0),
            )
            return demand, charges(document_id) / 2
        if audit == "repeated_charges":  # 1 when equal to the previous bill's
            account = documents[document_id]["account_id"]
            ordered = sorted(
                (row["start_date"], row["id"])
                for row in documents.values()
                if row["account_id"] == account
            )
            position = [d for _, d in ordered].index(document_id)
            previous = ordered[position - 1][1]
            return Decimal(1) - abs(charges(document_id) - charges(previous)), Decimal(
                "0.99"
            )
        if audit == "late_fee":
            row = items[item["item_id"]]
            matches = re.search(
                "late|penalty|interest|overdue", row["description"], re.IGNORECASE
            )
            positive = Decimal(row["amount"]) > 0
            return Decimal(bool(matches and positive)), Decimal(0)
        if audit == "usage_outside_bill_period":
            row = usage[item["item_id"]]
            start = date.fromisoformat(documents[document_id]["start_date"])
            days = (start - date.fromisoformat(row["start_date"])).days
            return Decimal(days), Decimal(1)
        if audit == "unit_cost_outlier":
            bills = meter_bills(item["meter_id"])
            costs = {d: c / kwh for d, c, kwh, _ in bills}
            others = sorted(c for d, c in costs.items() if d != document_id)
            middle = len(others) // 2
            median = (
                others[middle]
                if len(others) % 2
                else (others[middle - 1] + others[middle]) / 2
            )
            return abs(costs[document_id] - median), median / 2
        if audit == "estimated_streak":
            streak = 0
            for d, _, _, estimated in meter_bills(item["meter_id"]):
                streak = streak + 1 if estimated else 0
                if d == document_id:
                    return Decimal(streak), Decimal(2)
            raise AssertionError(item)
        if audit == "stale_meter":
            last = max(row["end_date"] for row in usage_of[item["meter_id"]])
            return Decimal((as_of - date.fromisoformat(last)).days), Decimal(90)
        assert audit == "implausible_intensity"
        meters = {
            row["id"] for row in tables["meters"] if row["site_id"] == item["site_id"]
        }
        kwh = sum(
            Decimal(row["raw_usage"])
            for meter_id in meters
            for row in usage_of[meter_id]
            if row["start_date"].startswith(str(item["year"]))
        )
        return kwh / Decimal(sites[item["site_id"]]["gross_floor_area"]), Decimal(500)

    planted = [
        item
        for item in manifest["expected_bill_audits"]
        if item["company_id"] == "CO0001"
    ]
    for item in planted:
        observed, allowed = measure(item)
        assert observed > allowed, (item, observed, allowed)
    for item in manifest["bill_audit_near_misses"]:
        observed, allowed = measure(item)
        assert observed <= allowed, (item, observed, allowed)
        if item["audit"] in (
            "line_items_mismatch",
            "high_demand_share",
            "usage_outside_bill_period",
            "unit_cost_outlier",
            "stale_meter",
            "implausible_intensity",
        ):
            assert observed == allowed, (item, observed, allowed)
