"""Shared test helpers: tiny landing folders and the pipeline run as a subprocess."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from utility_warehouse import contract

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PIPELINE = PROJECT_ROOT / "scripts" / "pipeline.py"
VENV_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"

Rows = Sequence[Mapping[str, Any]]

# One consistent record per required entity: a valid landing folder in miniature.
MINIMAL_LANDING: dict[str, list[dict[str, Any]]] = {
    "companies": [{"id": "c1", "name": "Acme", "implied_sewer_fraction": ""}],
    "sites": [
        {
            "id": "s1",
            "company_id": "c1",
            "name": "Head office",
            "address": "1 Main St",
            "city": "Springfield",
            "region": "IL",
            "postal_code": "62701",
            "country": "US",
            "gross_floor_area": "1000",
            "data_collection_stop_date": "",
            "mirror_site_id": "",
        }
    ],
    "accounts": [
        {
            "id": "a1",
            "company_id": "c1",
            "connection_id": "",
            "account_number": "ACC-1",
            "provider_name": "City Power",
            "status": "ONBOARDED",
            "active_account_id": "",
            "primary_identifier_type": "METER",
            "secondary_identifier_type": "",
        }
    ],
    "meters": [
        {
            "id": "m1",
            "company_id": "c1",
            "account_id": "a1",
            "site_id": "s1",
            "datasource_type": "ELECTRICITY",
            "is_tracked": "true",
            "is_duplicated": "false",
            "service_address": "1 Main St",
        }
    ],
    "meter_identifiers": [
        {"meter_id": "m1", "identifier_type": "METER", "value": "E-100"}
    ],
    "documents": [
        {
            "id": "d1",
            "account_id": "a1",
            "start_date": "2026-01-01",
            "bill_date": "2026-02-03",
            "total_charges": "120.50",
            "current_charges": "120.50",
            "charges_units": "USD",
            "revised_document_id": "",
        }
    ],
    "usage_data": [
        {
            "id": "u1",
            "document_id": "d1",
            "meter_id": "m1",
            "start_date": "2026-01-01",
            "end_date": "2026-01-31",
            "raw_usage": "1000",
            "raw_usage_units": "kWh",
            "standard_usage": "",
            "exclusion": "false",
            "net_metering_type": "",
            "demand": "",
            "extracted_identifiers": "",
        }
    ],
}


def _column_names(entity: str, rows: Rows) -> list[str]:
    """The union of the rows' keys in order of first appearance."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    if not names and entity in contract.ENTITY_BY_NAME:
        names.update(dict.fromkeys(contract.ENTITY_BY_NAME[entity].columns))
    return list(names)


def write_table(
    directory: Path, entity: str, rows: Rows, fmt: str = "csv", *, bom: bool = False
) -> Path:
    """Write one landing file ``<entity>.<fmt>``; None values are empty/null."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{entity}.{fmt}"
    columns = _column_names(entity, rows)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(dict(row)) + "\n")
    elif fmt == "parquet":
        if rows:
            table = pa.Table.from_pylist([dict(row) for row in rows])
        else:
            table = pa.table({c: pa.array([], pa.string()) for c in columns})
        pq.write_table(table, path)
    else:
        raise ValueError(f"unknown landing format: {fmt}")
    return path


def write_landing(
    directory: Path, tables: Mapping[str, Rows], fmt: str = "csv"
) -> Path:
    """Write one ``<entity>.<fmt>`` file per entry of ``tables`` into ``directory``."""
    for entity, rows in tables.items():
        write_table(directory, entity, rows, fmt)
    return directory


def run_pipeline(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``python scripts/pipeline.py ARGS`` from the project root."""
    python = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
    return subprocess.run(
        [str(python), str(PIPELINE), *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def copy_of(database: Path, directory: Path) -> Path:
    """A copy of the warehouse file ``database`` in ``directory``."""
    path = directory / "copy.duckdb"
    shutil.copyfile(database, path)
    return path


# A process that opens a DuckDB file for writing and keeps it open until its
# standard input closes, as a run building the warehouse does.
HOLD_FOR_WRITING = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
    "print('held', flush=True); sys.stdin.read()"
)


@contextmanager
def held_for_writing(database: Path) -> Iterator[subprocess.Popen[str]]:
    """``database`` held open for writing by another process (yielded) while
    the block runs: every reader must then answer "in use", exit 3."""
    python = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
    holder = subprocess.Popen(
        [str(python), "-c", HOLD_FOR_WRITING, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.communicate("", timeout=60)


def isolated_dbt_env(base: Path) -> dict[str, str]:
    """Environment giving a pipeline run its own dbt target and log folders."""
    return {"DBT_TARGET_PATH": str(base / "target"), "DBT_LOG_PATH": str(base / "logs")}


@pytest.fixture
def minimal_landing() -> dict[str, list[dict[str, Any]]]:
    """A fresh copy of the one-record-per-entity landing data."""
    return {
        entity: [dict(row) for row in rows] for entity, rows in MINIMAL_LANDING.items()
    }


@pytest.fixture(scope="session", autouse=True)
def worker_dbt_folders(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Under ``pytest -n``, each worker's dbt runs get their own target and log
    folders, so that two workers never write one ``target/`` at once."""
    if os.environ.get("PYTEST_XDIST_WORKER") and "DBT_TARGET_PATH" not in os.environ:
        os.environ.update(isolated_dbt_env(tmp_path_factory.mktemp("dbt")))
