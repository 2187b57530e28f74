"""Tests of ``pipeline.py generate``: the synthetic landing-data generator."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from utility_warehouse import cli, contract
from utility_warehouse.generate import MANIFEST_NAME, generate

SMALL: dict[str, Any] = {"companies": 2, "sites": 3, "months": 6}

# Every quarantine reason the generator must inject, written out here on purpose
# (not imported).
REQUIRED_REASONS = {
    "missing_id",
    "bad_date",
    "end_before_start",
    "bad_amount",
    "bad_number",
    "missing_usage",
    "bad_boolean",
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
    "orphan_active_account",
    "active_account_cycle",
    "unmatched_meter",
    "meter_quarantined",
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


def read_csv(folder: Path, entity: str) -> list[dict[str, str]]:
    with (folder / f"{entity}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))


def folder_digest(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


def duckdb_source(path: Path) -> str:
    name = str(path).replace("'", "''")
    if path.suffix == ".csv":
        return f"read_csv('{name}', all_varchar = true, header = true)"
    if path.suffix == ".jsonl":
        return f"read_json('{name}', format = 'newline_delimited')"
    return f"read_parquet('{name}')"


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A default-sized landing folder (CSV) with two companies."""
    folder = tmp_path_factory.mktemp("landing")
    generate(folder, companies=2)
    return folder


@pytest.fixture(scope="module")
def bad_ids(landing: Path) -> set[tuple[str, str]]:
    return {
        (item["entity"], item["record_id"])
        for item in read_manifest(landing)["injected"]
        if item["record_id"] is not None
    }


# --- determinism ---------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "mixed"])
def test_same_arguments_give_identical_bytes(tmp_path: Path, file_format: str) -> None:
    generate(tmp_path / "a", file_format=file_format, **SMALL)
    generate(tmp_path / "b", file_format=file_format, **SMALL)
    first, second = folder_digest(tmp_path / "a"), folder_digest(tmp_path / "b")
    assert len(first) == len(contract.ENTITIES) + 1
    assert first == second


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=1, **SMALL)
    generate(tmp_path / "b", seed=2, **SMALL)
    first, second = folder_digest(tmp_path / "a"), folder_digest(tmp_path / "b")
    assert first["usage_data.csv"] != second["usage_data.csv"]
    assert first["documents.csv"] != second["documents.csv"]


def test_rerun_in_another_format_leaves_one_file_per_entity(tmp_path: Path) -> None:
    generate(tmp_path, **SMALL)
    generate(tmp_path, file_format="parquet", **SMALL)
    names = sorted(path.name for path in tmp_path.iterdir())
    expected = sorted(
        [f"{entity.name}.parquet" for entity in contract.ENTITIES] + [MANIFEST_NAME]
    )
    assert names == expected


# --- files, columns and formats ------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "jsonl", "parquet", "mixed"])
def test_every_format_is_readable_with_the_contract_columns(
    tmp_path: Path, file_format: str
) -> None:
    rows = generate(tmp_path, file_format=file_format, **SMALL)
    seen_formats: set[str] = set()
    con = duckdb.connect()
    for entity in contract.ENTITIES:
        paths = [
            tmp_path / f"{entity.name}.{fmt}"
            for fmt in contract.FILE_FORMATS
            if (tmp_path / f"{entity.name}.{fmt}").is_file()
        ]
        assert len(paths) == 1, entity.name
        path = paths[0]
        seen_formats.add(path.suffix.removeprefix("."))
        source = duckdb_source(path)
        cursor = con.execute(f"select * from {source} limit 0")
        columns = tuple(item[0] for item in cursor.description or ())
        extra = ("source_system",) if entity.name == "documents" else ()
        assert columns == (*entity.all_columns, *extra)
        count = con.execute(f"select count(*) from {source}").fetchone()
        assert count is not None
        assert count[0] == rows[entity.name] > 0
    expected = set(contract.FILE_FORMATS) if file_format == "mixed" else {file_format}
    assert seen_formats == expected


def test_jsonl_holds_native_identifier_arrays_and_strings(tmp_path: Path) -> None:
    generate(tmp_path, file_format="jsonl", **SMALL)
    arrays = 0
    with (tmp_path / "usage_data.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            value = record["extracted_identifiers"]
            if isinstance(value, list):
                arrays += 1
                assert all(set(item) == {"type", "value"} for item in value)
            assert all(
                isinstance(v, str | None)
                for k, v in record.items()
                if k != "extracted_identifiers"
            )
    assert arrays > 0


def test_summary_and_manifest_row_counts(tmp_path: Path) -> None:
    rows = generate(tmp_path, **SMALL)
    manifest = read_manifest(tmp_path)
    assert manifest["seed"] == 42
    assert manifest["parameters"]["companies"] == 2
    assert manifest["rows"] == rows
    for entity in contract.ENTITIES:
        assert len(read_csv(tmp_path, entity.name)) == rows[entity.name]


# --- bad rows --------------------------------------------------------------------


def test_manifest_lists_every_reason(landing: Path) -> None:
    injected = read_manifest(landing)["injected"]
    reasons = {item["reason"] for item in injected}
    assert reasons >= REQUIRED_REASONS
    missing = [item for item in injected if item["reason"] == "missing_id"]
    assert {item["entity"] for item in missing} == {e.name for e in contract.ENTITIES}
    assert all(item["record_id"] is None for item in missing)
    cascade = [item for item in injected if item["reason"] == "meter_quarantined"]
    assert {"usage_data", "meter_identifiers"} <= {item["entity"] for item in cascade}


def test_injected_records_are_in_the_files(landing: Path) -> None:
    injected = read_manifest(landing)["injected"]
    for entity in contract.ENTITIES:
        records = read_csv(landing, entity.name)
        if entity.name == "meter_identifiers":
            keys = {
                f"{r['meter_id']}|{r['identifier_type']}|{r['value']}" for r in records
            }
        elif entity.name == "meter_tags":
            keys = {f"{r['meter_id']}|{r['tag_name']}" for r in records}
        else:
            keys = {r["id"] for r in records}
        for item in injected:
            if item["entity"] == entity.name and item["record_id"] is not None:
                assert item["record_id"] in keys, item


def test_bad_rows_are_about_one_percent_per_kind(landing: Path) -> None:
    injected = read_manifest(landing)["injected"]
    rows = read_manifest(landing)["rows"]
    per_kind = Counter(
        item["reason"] for item in injected if item["entity"] == "usage_data"
    )
    per_kind.pop("meter_quarantined")
    for reason, count in per_kind.items():
        assert 1 <= count <= 0.03 * rows["usage_data"], reason


def test_the_cascade_meter_is_the_only_bad_meter_with_usage(
    landing: Path, bad_ids: set[tuple[str, str]]
) -> None:
    bad_meters = {record for entity, record in bad_ids if entity == "meters"}
    used = {row["meter_id"] for row in read_csv(landing, "usage_data")}
    assert len(bad_meters & used) == 1


# --- messiness -------------------------------------------------------------------


def test_dates_come_in_three_formats(landing: Path) -> None:
    values = [row["start_date"] for row in read_csv(landing, "usage_data")]
    values += [row["bill_date"] for row in read_csv(landing, "documents")]
    for pattern in (ISO_DATE, US_DATE, ISO_TIMESTAMP):
        assert any(pattern.fullmatch(value) for value in values), pattern.pattern


def test_amounts_booleans_enums_units_identifiers_are_messy(landing: Path) -> None:
    amounts = [row["amount"] for row in read_csv(landing, "line_items")]
    assert any(re.fullmatch(r"\$\d{1,3}(,\d{3})+\.\d{2}", a) for a in amounts)
    assert any(re.fullmatch(r"-\d+\.\d{2}", a) for a in amounts)
    meters = read_csv(landing, "meters")
    tracked = {row["is_tracked"] for row in meters}
    assert "" in tracked
    assert len(tracked - {""}) >= 4
    commodities = {row["datasource_type"] for row in meters}
    assert any(" " in c for c in commodities)
    assert any(c.islower() for c in commodities)
    statuses = {row["status"] for row in read_csv(landing, "accounts")}
    assert any("-" in s for s in statuses) or any(" " in s for s in statuses)
    units = {row["raw_usage_units"] for row in read_csv(landing, "usage_data")}
    folded = {unit.lower() for unit in units}
    assert {"kwh", "mwh", "ccf", "m3", "gal", "kgal"} <= folded
    assert {"therm", "therms"} & folded
    assert len(units) > len(folded)  # the same unit in several cases
    identifiers = [row["value"] for row in read_csv(landing, "meter_identifiers")]
    assert any(v != v.strip() for v in identifiers)
    assert any("-" in v or "." in v for v in identifiers)


def test_duplicate_ids_with_newer_version_sometimes_first(landing: Path) -> None:
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
        for row in read_csv(landing, entity):
            if row["id"]:
                by_id[row["id"]].append(row["updated_at"])
        for stamps in by_id.values():
            if len(stamps) < 2:
                continue
            duplicated += 1
            assert len(stamps) == 2
            if stamps[0] and stamps[1] and stamps[0][:19] > stamps[1][:19]:
                newer_first += 1
    assert duplicated >= 5
    assert newer_first >= 1


# --- realism ---------------------------------------------------------------------


def test_bills_are_continuous_periods_of_27_to_35_days(
    landing: Path, bad_ids: set[tuple[str, str]]
) -> None:
    periods: dict[str, set[tuple[date, date]]] = defaultdict(set)
    for row in read_csv(landing, "documents"):
        if not row["id"] or ("documents", row["id"]) in bad_ids:
            continue
        start, end = parse_date(row["start_date"]), parse_date(row["bill_date"])
        assert 27 <= (end - start).days + 1 <= 35
        periods[row["account_id"]].add((start, end))
    for account_periods in periods.values():
        ordered = sorted(account_periods)
        for (_, end), (start, _) in itertools.pairwise(ordered):
            assert start == end + timedelta(days=1)
    last_month = max(end for values in periods.values() for _, end in values)
    assert last_month.strftime("%Y-%m") == "2026-10"


def test_special_cases_are_present(landing: Path) -> None:
    accounts = {row["id"]: row for row in read_csv(landing, "accounts") if row["id"]}
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

    documents = read_csv(landing, "documents")
    revised = {row["id"]: row["revised_document_id"] for row in documents}
    assert any(revised.get(target) for target in revised.values() if target)
    assert {row["charges_units"].upper() for row in documents} >= {"USD"}
    assert len({row["charges_units"].upper() for row in documents}) == 2
    assert "source_system" in documents[0]

    usage = read_csv(landing, "usage_data")
    metering = {row["net_metering_type"].upper() for row in usage}
    assert {"", "EXPORT", "GENERATION"} <= metering
    assert any(
        row["exclusion"].lower() in ("true", "t", "yes", "y", "1") for row in usage
    )
    assert any(row["demand"] for row in usage)
    assert any(not row["meter_id"] and row["extracted_identifiers"] for row in usage)

    meters = read_csv(landing, "meters")
    assert any(not row["site_id"] for row in meters)
    assert any(
        row["is_tracked"].lower() in ("false", "f", "no", "n", "0") for row in meters
    )
    assert any(
        row["is_duplicated"].lower() in ("true", "t", "yes", "y", "1") for row in meters
    )
    sites = read_csv(landing, "sites")
    assert sum(1 for row in sites if row["data_collection_stop_date"]) >= 2

    items = read_csv(landing, "line_items")
    charge_types = {row["charge_type"].upper() for row in items}
    assert {"USAGE", "DEMAND", "FEE", "TAX", "CREDIT", "OTHER"} <= charge_types
    assert any(not row["meter_id"] and row["datasource_type"] for row in items)
    with_items = {row["document_id"] for row in items}
    assert any(row["id"] not in with_items for row in documents)


def test_gas_peaks_in_winter_and_electricity_in_summer(landing: Path) -> None:
    meters = {
        row["id"]: row["datasource_type"].upper().replace(" ", "_")
        for row in read_csv(landing, "meters")
    }
    per_day: dict[tuple[str, int], list[float]] = defaultdict(list)
    for row in read_csv(landing, "usage_data"):
        commodity = meters.get(row["meter_id"])
        if commodity not in ("GAS", "ELECTRICITY") or row["net_metering_type"]:
            continue
        try:
            start, end = parse_date(row["start_date"]), parse_date(row["end_date"])
            usage = float(row["raw_usage"].replace(",", ""))
        except ValueError:
            continue  # a bad row
        if row["exclusion"].lower() in ("true", "t", "yes", "y", "1"):
            continue
        unit = row["raw_usage_units"].lower()
        factor = 1000.0 if unit == "mwh" else 1.0
        if commodity == "GAS" or unit in ("kwh", "mwh", "kilowatt hours"):
            middle = start + (end - start) / 2
            days = (end - start).days + 1
            per_day[(f"{commodity}:{unit}", middle.month)].append(usage * factor / days)

    def mean(key: str, months: tuple[int, ...]) -> float:
        values = [v for m in months for v in per_day.get((key, m), [])]
        return sum(values) / len(values)

    assert mean("GAS:ccf", (12, 1, 2)) > 2 * mean("GAS:ccf", (6, 7, 8))
    assert mean("ELECTRICITY:kwh", (7, 8)) > mean("ELECTRICITY:kwh", (4, 5, 10))


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
    ],
)
def test_bad_values_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    code = cli.main(["generate", "--out", str(tmp_path / "out"), *arguments])
    assert code == 2
    assert "error" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("arguments", [["--format", "xml"], ["--months", "many"], []])
def test_bad_invocations_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    out = [] if not arguments else ["--out", str(tmp_path)]
    with pytest.raises(SystemExit) as raised:
        cli.main(["generate", *out, *arguments])
    assert raised.value.code == 2
    assert "error" in capsys.readouterr().err
