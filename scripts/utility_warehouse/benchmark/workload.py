"""The benchmark's workload: the sizes, the landing CSVs as the loader finds them,
and the folder a month before (the generated folder without its last month)."""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse import contract
from utility_warehouse.duckdb_text import quote_identifier as sql_identifier
from utility_warehouse.duckdb_text import quote_literal as sql_literal


@dataclass(frozen=True)
class Size:
    """A generated landing folder: the arguments of ``pipeline.py generate``."""

    name: str
    companies: int
    sites: int
    meters_per_site: int
    months: int

    def generator_arguments(self) -> list[str]:
        return [
            "--companies",
            str(self.companies),
            "--sites",
            str(self.sites),
            "--meters-per-site",
            str(self.meters_per_site),
            "--months",
            str(self.months),
        ]

    def as_dict(self) -> dict[str, int]:
        return {
            "companies": self.companies,
            "sites": self.sites,
            "meters_per_site": self.meters_per_site,
            "months": self.months,
        }


# One shape (65 sites a company, 4 meters a site, 36 months), scaled by companies:
# about 12k usage rows a company, planted cases included.
SIZES: dict[str, Size] = {
    size.name: size
    for size in (
        Size("tiny", companies=1, sites=1, meters_per_site=3, months=3),
        Size("100k", companies=8, sites=65, meters_per_site=4, months=36),
        Size("1m", companies=80, sites=65, meters_per_site=4, months=36),
        Size("5m", companies=400, sites=65, meters_per_site=4, months=36),
    )
}
DEFAULT_SIZES: tuple[str, ...] = ("100k", "1m", "5m")


class BenchmarkError(Exception):
    """A step could not run (not a timing: the benchmark asserts none)."""


# --- landing files, resolved like the loader resolves them ------------------------


def landing_csv(raw_dir: Path, entity: str, *, required: bool = True) -> Path | None:
    """The CSV file of ``entity``: its name matched in any case, spaces ignored."""
    wanted = f"{entity}.csv"
    found = [
        path
        for path in sorted(raw_dir.iterdir())
        if path.is_file()
        and not contract.is_ignored_file_name(path.name)
        and contract.normalize_name(path.name) == wanted
    ]
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        raise BenchmarkError(f"{raw_dir}: several files for {entity}: {names}")
    if not found:
        if required:
            raise BenchmarkError(
                f"{raw_dir}: no {entity}.csv (the benchmark reads CSV landing "
                "folders; generate one with --format csv)"
            )
        return None
    return found[0]


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise BenchmarkError(f"{path}: no header row")
    return header


def read_csv_text(path: Path, column_count: int) -> str:
    """DuckDB's reader of a landing CSV: every column text, named c0, c1, ..."""
    columns = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(column_count))
    return (
        f"read_csv({sql_literal(str(path))}, columns = {{{columns}}}, "
        "header = true, auto_detect = false, delim = ',', quote = '\"', "
        "escape = '\"', encoding = 'utf-8')"
    )


def csv_relation(path: Path, columns: Sequence[str]) -> str:
    """A subquery of ``columns`` of a landing CSV, found by their normalized names."""
    header = csv_header(path)
    position = {contract.normalize_name(name): i for i, name in enumerate(header)}
    missing = [column for column in columns if column not in position]
    if missing:
        raise BenchmarkError(f"{path.name}: no column {', '.join(missing)}")
    selected = ", ".join(f"c{position[column]} as {column}" for column in columns)
    return f"(select {selected} from {read_csv_text(path, len(header))})"


def parse_date_sql(column: str) -> str:
    """2024-01-31, 01/31/2024 or an ISO timestamp (its written date); else null."""
    return (
        f"cast(coalesce(try_strptime(trim({column}), ['%Y-%m-%d', '%m/%d/%Y']), "
        f"try_strptime(left(trim({column}), 10), '%Y-%m-%d')) as date)"
    )


def parse_number_sql(column: str) -> str:
    """Spaces and thousands separators dropped, as staging's parse_number."""
    return (
        f"cast(try_cast(regexp_replace(trim({column}), '[\\s,]', '', 'g') "
        "as decimal(38, 6)) as double)"
    )


# --- the folder without its last month ---------------------------------------------


def month_start(text: str) -> date:
    year, month = (int(part) for part in text.split("-"))
    return date(year, month, 1)


def month_before(day: date) -> date:
    """The first day of the month before ``day``'s month."""
    return (
        date(day.year - 1, 12, 1)
        if day.month == 1
        else date(day.year, day.month - 1, 1)
    )


def derive_prior_folder(
    raw_dir: Path, prior_dir: Path, drop_from: date, drop_before: date, threads: int
) -> dict[str, int]:
    """``raw_dir`` without the bills starting from ``drop_from`` until before
    ``drop_before``, their usage rows and line items (rewritten with DuckDB COPY,
    in file order; dates parsed as staging parses them). The other landing files
    are linked (or copied). Returns the rows dropped per entity."""
    if prior_dir.exists():
        shutil.rmtree(prior_dir)
    prior_dir.mkdir(parents=True)
    filtered = {
        "documents": "id",
        "usage_data": "document_id",
        "line_items": "document_id",
    }
    dropped: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"set threads = {int(threads)}")
        documents = landing_csv(raw_dir, "documents")
        assert documents is not None
        con.execute(
            "create temp table dropped_bills as select distinct trim(id) as id "
            f"from {csv_relation(documents, ('id', 'start_date'))} "
            f"where {parse_date_sql('start_date')} >= "
            f"{sql_literal(drop_from.isoformat())}::date "
            f"and {parse_date_sql('start_date')} < "
            f"{sql_literal(drop_before.isoformat())}::date "
            "and trim(id) is not null"
        )
        for entity, key in filtered.items():
            path = landing_csv(raw_dir, entity, required=entity != "line_items")
            if path is None:
                continue
            header = csv_header(path)
            position = {
                contract.normalize_name(name): i for i, name in enumerate(header)
            }
            key_column = f"c{position[key]}"
            columns = ", ".join(
                f"c{index} as {sql_identifier(name)}"
                for index, name in enumerate(header)
            )
            source = read_csv_text(path, len(header))
            keep = (
                f"trim({key_column}) is null or trim({key_column}) not in "
                "(select id from dropped_bills)"
            )
            total = con.execute(f"select count(*) from {source}").fetchone()
            con.execute(
                f"copy (select {columns} from {source} where {keep}) "
                f"to {sql_literal(str(prior_dir / path.name))} "
                "(format csv, header true, delimiter ',', quote '\"')"
            )
            kept = con.execute(f"select count(*) from {source} where {keep}").fetchone()
            assert total is not None and kept is not None
            dropped[entity] = int(total[0]) - int(kept[0])
    for path in sorted(raw_dir.iterdir()):
        if not path.is_file() or contract.is_ignored_file_name(path.name):
            continue
        target = prior_dir / path.name
        if target.exists():
            continue
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
    return dropped


def read_manifest(raw_dir: Path) -> dict[str, Any] | None:
    path = raw_dir / "_generator_manifest.json"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as handle:
        manifest: dict[str, Any] = json.load(handle)
    return manifest


def manifest_matches(manifest: dict[str, Any] | None, size: Size) -> bool:
    if manifest is None:
        return False
    parameters = manifest.get("parameters", {})
    return all(parameters.get(key) == value for key, value in size.as_dict().items())
