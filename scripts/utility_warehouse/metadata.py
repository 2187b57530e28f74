"""The run ledger ``marts.run_metadata``: one row per pipeline run that ran dbt.

``run`` appends a row after the build, whatever its outcome: the run's id, its
as-of date, when it started and ended (UTC), the landing folder and its files
(entity, file name, size, SHA-256 and row count, as JSON text), the project and
dbt versions, the quality gate's status and test counts, the exit code, and the
landing's settings (``date_order``, ``decimal_separator``, ``encoding``: how its
dates, numbers and text were read).

The table is written by the pipeline, not by dbt (dbt never drops it). The as-of
date of the latest run is the warehouse's as-of date: ``rollup --last-months``
counts back from it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    from utility_warehouse.landing_settings import LandingSettings
    from utility_warehouse.load import EntityLoad

SCHEMA = "marts"
TABLE = "run_metadata"
QUALIFIED_TABLE = f"{SCHEMA}.{TABLE}"

# Column name -> DuckDB type, in table order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "varchar"),
    ("as_of_date", "date"),
    ("started_at", "timestamp"),
    ("ended_at", "timestamp"),
    ("raw_dir", "varchar"),
    ("landing_files", "varchar"),
    ("project_version", "varchar"),
    ("dbt_version", "varchar"),
    ("gate_status", "varchar"),
    ("tests_passed", "integer"),
    ("tests_warned", "integer"),
    ("tests_failed", "integer"),
    ("exit_code", "integer"),
    ("published_path", "varchar"),
    ("publish_status", "varchar"),
    ("volume_gate_findings", "varchar"),
    ("date_order", "varchar"),
    ("decimal_separator", "varchar"),
    ("encoding", "varchar"),
)

_PROJECT_VERSION = re.compile(
    r"^version:[ \t]*([\"']?)([^\"'\s#]+)\1[ \t]*(?:#.*)?$", re.MULTILINE
)

GATE_PASSED = "passed"
GATE_FAILED = "failed"

# publish_status: what became of the run's build.
PUBLISHED = "published"  # swapped into place as the published warehouse
HELD_BY_VOLUME_GATE = "held_by_volume_gate"  # the volume gate held it back
PUBLISH_GATE_FAILED = "gate_failed"  # an error gate failed or dbt raised
NOT_PUBLISHED = "not_published"  # built in place (--database), or the swap failed


@dataclass(frozen=True)
class RunRecord:
    """One row of ``marts.run_metadata``."""

    run_id: str
    as_of_date: date
    started_at: datetime
    ended_at: datetime
    raw_dir: str
    landing_files: str
    project_version: str | None
    dbt_version: str | None
    gate_status: str
    tests_passed: int
    tests_warned: int
    tests_failed: int
    exit_code: int
    published_path: str | None = None
    publish_status: str | None = None
    volume_gate_findings: str | None = None
    date_order: str | None = None
    decimal_separator: str | None = None
    encoding: str | None = None

    def values(self) -> list[Any]:
        return [getattr(self, name) for name, _ in COLUMNS]


def settings_columns(settings: LandingSettings) -> dict[str, str]:
    """The run's landing settings, as ``RunRecord`` keywords."""
    return {
        "date_order": settings.date_order,
        "decimal_separator": settings.decimal_separator,
        "encoding": settings.encoding,
    }


def new_run_id() -> str:
    return uuid.uuid4().hex


def utc_now() -> datetime:
    """The current time in UTC, without a time zone (a DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None)


def landing_files_json(entities: Sequence[EntityLoad]) -> str:
    """The landed files as a JSON list of {entity, file_name, size_bytes, sha256,
    row_count} (entities without a file are left out)."""
    files = [
        {
            "entity": item.entity,
            "file_name": item.file_name,
            "size_bytes": item.size_bytes,
            "sha256": item.sha256,
            "row_count": item.row_count,
        }
        for item in entities
        if item.file_name is not None
    ]
    return json.dumps(files, ensure_ascii=False)


def project_version(project_dir: Path) -> str | None:
    """The top-level ``version`` of ``dbt_project.yml`` (None when it has none)."""
    try:
        text = (project_dir / "dbt_project.yml").read_text(encoding="utf-8")
    except OSError:
        return None
    match = _PROJECT_VERSION.search(text)
    return match.group(2) if match else None


def dbt_version() -> str | None:
    try:
        from dbt.version import __version__
    except ImportError:  # pragma: no cover - dbt-core is a dependency
        return None
    return str(__version__)


def _table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() "
        "and table_schema = ? and table_name = ?",
        [SCHEMA, TABLE],
    ).fetchone()
    return bool(found and found[0])


def write_run(con: duckdb.DuckDBPyConnection, record: RunRecord) -> None:
    """Append ``record`` to ``marts.run_metadata``, creating the table if missing.

    Columns added in later versions are added to an older table first.
    """
    columns = ", ".join(f"{name} {type_name}" for name, type_name in COLUMNS)
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(f"create table if not exists {QUALIFIED_TABLE} ({columns})")
    for name, type_name in COLUMNS:
        con.execute(
            f"alter table {QUALIFIED_TABLE} add column if not exists {name} {type_name}"
        )
    names = ", ".join(name for name, _ in COLUMNS)
    placeholders = ", ".join("?" for _ in COLUMNS)
    con.execute(
        f"insert into {QUALIFIED_TABLE} ({names}) values ({placeholders})",
        record.values(),
    )


def set_publish_status(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str
) -> None:
    """Change the ``publish_status`` of run ``run_id`` (a publish that failed after
    its row was written)."""
    con.execute(
        f"update {QUALIFIED_TABLE} set publish_status = ? where run_id = ?",
        [status, run_id],
    )


def latest_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    """The as-of date of the latest run in ``marts.run_metadata``.

    None when the table is absent (a warehouse built by plain ``dbt build``) or
    holds no dated run.
    """
    if not _table_exists(con):
        return None
    row = con.execute(
        f"select as_of_date from {QUALIFIED_TABLE} where as_of_date is not null "
        "order by ended_at desc nulls last, started_at desc nulls last limit 1"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    value = row[0]
    return value if isinstance(value, date) else date.fromisoformat(str(value))
