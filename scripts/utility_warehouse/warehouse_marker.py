"""Which DuckDB files are this project's warehouses: a marker made at creation.

A warehouse this project creates holds ``raw._warehouse`` (project name, format
version, creation time). Before writing a DuckDB file, ``load`` and ``run``
(``--database`` and ``--publish`` alike) look at it:

* no file, or a DuckDB file holding no table or view: a new warehouse, marked
  when the raw tables are written;
* the marker of this project, of this format version or an older one: ours;
* no marker but ``raw._load_audit``: a warehouse of this project made before the
  marker existed; it is accepted and the marker is added;
* anything else (another project's tables, another project's marker, a newer
  format): refused with exit 2, nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from utility_warehouse.contract import LOAD_AUDIT_TABLE, RAW_SCHEMA

PROJECT = "utility_warehouse"
FORMAT_VERSION = 1
MARKER_TABLE = "_warehouse"
QUALIFIED_MARKER = f"{RAW_SCHEMA}.{MARKER_TABLE}"
_EXAMPLES_SHOWN = 3


class ForeignWarehouseError(Exception):
    """The DuckDB file is not a warehouse of this project; ``str()`` is one line."""


@dataclass(frozen=True)
class Inspection:
    """What a DuckDB catalog holds, as far as the marker is concerned."""

    relations: tuple[str, ...]
    """Every table and view, ``schema.name``."""
    marker: tuple[str, int] | None
    """The marker's project and format version, if it has one."""

    @property
    def is_new(self) -> bool:
        return not self.relations


def inspect(con: duckdb.DuckDBPyConnection, catalog: str) -> Inspection:
    """The tables and views of ``catalog`` (a database attached to ``con``) and
    its marker."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? order by table_schema, table_name",
        [catalog],
    ).fetchall()
    relations = tuple(f"{schema}.{name}" for schema, name in rows)
    marker = None
    if QUALIFIED_MARKER in relations:
        found = con.execute(
            f'select project, format_version from "{catalog}".{QUALIFIED_MARKER} '
            "order by created_at limit 1"
        ).fetchone()
        if found is not None:
            marker = (str(found[0]), int(found[1]))
    return Inspection(relations, marker)


def refusal(database: Path, inspection: Inspection) -> str | None:
    """Why ``database`` must not be written (None: it is ours or new)."""
    if inspection.marker is not None:
        project, version = inspection.marker
        if project != PROJECT:
            return (
                f"{database} is the warehouse of project {project!r}, not of this "
                f"project ({PROJECT}); refusing to write to it"
            )
        if version > FORMAT_VERSION:
            return (
                f"{database} was made by a newer version of this project (format "
                f"{version}; this version writes format {FORMAT_VERSION}); "
                "refusing to write to it"
            )
        return None
    if inspection.is_new:
        return None
    if f"{RAW_SCHEMA}.{LOAD_AUDIT_TABLE}" in inspection.relations:
        return None
    shown = ", ".join(inspection.relations[:_EXAMPLES_SHOWN])
    more = len(inspection.relations) - _EXAMPLES_SHOWN
    if more > 0:
        shown += f" and {more} more"
    return (
        f"{database} is not a warehouse of this project: it holds "
        f"{len(inspection.relations)} table(s) or view(s) ({shown}) and no "
        f"{QUALIFIED_MARKER} marker; refusing to write to it (give a new file or "
        "a warehouse this project built)"
    )


def check_catalog(
    con: duckdb.DuckDBPyConnection, catalog: str, database: Path
) -> Inspection:
    """Raise ForeignWarehouseError unless ``catalog`` is ours or new."""
    inspection = inspect(con, catalog)
    reason = refusal(database, inspection)
    if reason is not None:
        raise ForeignWarehouseError(reason)
    return inspection


def check_file(database: Path) -> None:
    """Look at an existing DuckDB file before any work (read-only).

    Raises ForeignWarehouseError, or duckdb.Error when the file cannot be opened
    (another process writing it, not a DuckDB file).
    """
    if not database.exists():
        return
    with duckdb.connect(str(database), read_only=True) as con:
        catalog = con.execute("select current_database()").fetchone()
        check_catalog(con, str(catalog[0]) if catalog else "", database)


def mark(con: duckdb.DuckDBPyConnection, catalog: str, created_at: datetime) -> None:
    """Add the marker to ``catalog`` unless it has one (inside the caller's
    transaction, with the raw schema already created)."""
    table = f'"{catalog}".{QUALIFIED_MARKER}'
    con.execute(
        f"create table if not exists {table} "
        "(project varchar, format_version integer, created_at timestamp)"
    )
    found = con.execute(f"select count(*) from {table}").fetchone()
    if found and found[0]:
        return
    con.execute(
        f"insert into {table} values (?, ?, ?)", [PROJECT, FORMAT_VERSION, created_at]
    )
