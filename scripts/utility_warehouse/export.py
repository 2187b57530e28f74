"""Export a built warehouse: every mart as a file, a manifest, and ENERGY STAR bills.

Reads the DuckDB file read-only and writes into an output folder:

- one file per table of schema ``marts`` (``run_metadata`` included), named after
  it (``fct_meter_monthly.parquet`` or ``.csv``), written by DuckDB's ``COPY``
  with its rows sorted on every column (the same warehouse gives the same
  files). Parquet keeps every column's type, so ``decimal(28,6)`` amounts read
  back exactly; CSV has a header row and writes decimals as plain text with all
  six decimals, and a text cell that a spreadsheet would run as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) with a
  leading single quote (see ``safe_output``; numbers stay numbers);
- ``energy_star/``: the counted bills "as billed", one CSV per ENERGY STAR
  Portfolio Manager commodity family (``electricity.csv``, ``natural_gas.csv``,
  ``water.csv``, ``other_energy.csv``; see ``ENERGY_STAR_FILES``), always all
  four (a family without bills gets the header only);
- ``ghg_inventory.csv``: the GHG inventory with each company's name and the
  counts of the findings that make a row partial (``ghg.EXPORT_SQL``); only
  for a warehouse with the carbon marts;
- ``manifest.json`` (written last): per file its row count, size and SHA-256;
  the warehouse's latest run (``run_id``, ``as_of_date``, ``built_at``: its
  ``ended_at``; null without ``marts.run_metadata``), the project version
  (``dbt_project.yml``), the export time (UTC) and format, and what the
  ENERGY STAR files leave out.

ENERGY STAR rows: one per counted usage period, a meter on one bill. Its usage
rows that count in analytics and are IMPORT (consumption; EXPORT and
GENERATION rows are reported apart in the warehouse and are not grid
consumption) make the period: from the earliest start to the latest end of its
non-exclusion rows, and its usage is their standard usage minus that of its
exclusion rows. Its cost is the meter's counted attributed cost on that bill
(``fct_bill_meter_costs``), in the bill's currency; "Estimation" is Yes when
any of its rows is an estimated read. Left out, and counted in the manifest:
SEWER meters (Portfolio Manager has no sewer meter type; its water meters
carry the water), meters without a site (no property to upload them to),
counted costs of a meter on a bill without a counted IMPORT usage row (no
usage to report them with), and flagged bills: the bills (``document_id``)
named by a finding of ``marts.dq_findings`` of severity ``action`` whose
status is neither RESOLVED nor DISMISSED (an analyst has not cleared it), so
that a duplicate or unattributed bill, or one whose figures do not add up, is
not uploaded; ``--include-flagged`` exports them anyway. The manifest names
each bill held out with its finding ids and kinds. A warehouse built before
``dq_findings`` holds nothing out (the manifest says the table is missing).

Every file is written in a private temporary folder inside its destination
folder and renamed into place, so a reader never sees half a file and a link
planted in the output folder is never followed; files of earlier exports that
this one does not write are left alone (the manifest lists what this export
wrote). Before anything is written, an output folder (``--out`` and its
``energy_star``) that is a symlink or not a folder, and a file name the export
writes that is anything but a regular file (a symlink, FIFO, device or folder),
are refused (exit 2, naming it).

Exit codes: 0 the export was written; 2 a bad request (missing, unbuilt or
not-DuckDB database, a warehouse whose recorded as-of date is out of range, an
output folder that cannot be created or written, an output path that is a
symlink or not of its kind, an unknown format); 3 busy: another process holds
the DuckDB file for writing (a run is building it); a scheduler may retry.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse import ghg, metadata, reading, safe_output, target_reader
from utility_warehouse.as_of_bound import AsOfError, warehouse_as_of
from utility_warehouse.duckdb_text import quote_identifier, quote_literal
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_BUSY, EXIT_OK
from utility_warehouse.reading import first_line, money_text
from utility_warehouse.safe_output import (
    csv_select,
    json_printable,
    neutralize_sql,
    printable,
)

COMMAND = "export"
HELP = (
    "Export every mart as Parquet or CSV with a manifest, and the counted bills "
    "as ENERGY STAR Portfolio Manager CSV files."
)

MARTS = "marts"
PROJECT_DIR = Path(__file__).resolve().parents[2]
MANIFEST = "manifest.json"
ENERGY_STAR_DIR = "energy_star"
FORMATS: tuple[str, ...] = ("parquet", "csv")
DEFAULT_FORMAT = "parquet"

# The marts the ENERGY STAR files read, with the columns they need.
ENERGY_STAR_COLUMNS: dict[str, tuple[str, ...]] = {
    "fct_calendarized_usage": (
        "usage_id",
        "document_id",
        "meter_id",
        "start_date",
        "end_date",
        "net_metering_type",
        "is_exclusion",
        "is_estimated",
        "row_usage",
        "usage_unit",
        "currency",
        "is_counted",
    ),
    "fct_bill_meter_costs": (
        "document_id",
        "meter_id",
        "attributed_cost",
        "currency",
        "is_counted",
    ),
    "dim_meters": (
        "meter_id",
        "site_id",
        "commodity",
        "usage_unit",
        "primary_id",
        "primary_id_type",
    ),
    "dim_sites": ("site_id", "site_name"),
}


@dataclass(frozen=True)
class EnergyStarFile:
    """One ENERGY STAR file: its name and the commodities it holds."""

    name: str
    commodities: tuple[str, ...]


ENERGY_STAR_FILES: tuple[EnergyStarFile, ...] = (
    EnergyStarFile("electricity.csv", ("ELECTRICITY",)),
    EnergyStarFile("natural_gas.csv", ("GAS",)),
    EnergyStarFile("water.csv", ("WATER",)),
    EnergyStarFile(
        "other_energy.csv",
        ("STEAM", "FUEL_OIL", "PROPANE", "DISTRICT_HEATING", "DISTRICT_COOLING"),
    ),
)

# The Portfolio Manager meter type of each commodity exported.
PM_METER_TYPES: dict[str, str] = {
    "ELECTRICITY": "Electric - Grid",
    "GAS": "Natural Gas",
    "WATER": "Municipally Supplied Potable Water - Mixed Indoor/Outdoor",
    "STEAM": "District Steam",
    "FUEL_OIL": "Fuel Oil (No. 2)",
    "PROPANE": "Propane",
    "DISTRICT_HEATING": "District Hot Water",
    "DISTRICT_COOLING": "District Chilled Water - Other",
}

# The warehouse's standard units as Portfolio Manager spells them.
PM_UNITS: dict[str, str] = {
    "kWh": "kWh (thousand Watt-hours)",
    "gal": "Gallons (US)",
}

# The ENERGY STAR columns, in order: header -> SQL expression over ``p`` (the
# periods), ``m`` (dim_meters), ``s`` (dim_sites) and ``c`` (counted costs).
# Every column but the numbers is text, neutralized when written.
ENERGY_STAR_HEADER: tuple[tuple[str, str], ...] = (
    ("Property ID", "m.site_id"),
    ("Property Name", "s.site_name"),
    ("Meter ID", "p.meter_id"),
    ("Primary ID", "m.primary_id"),
    ("Primary ID Type", "m.primary_id_type"),
    ("Meter Type", "t.meter_type"),
    ("Commodity", "m.commodity"),
    ("Bill ID", "p.document_id"),
    ("Start Date", "strftime(p.start_date, '%Y-%m-%d')"),
    ("End Date", "strftime(p.end_date, '%Y-%m-%d')"),
    ("Usage", "p.usage"),
    ("Usage Units", "coalesce(u.pm_unit, p.usage_unit)"),
    ("Cost", "c.cost"),
    ("Currency", "p.currency"),
    ("Estimation", "CASE WHEN p.is_estimated THEN 'Yes' ELSE 'No' END"),
)

ENERGY_STAR_NUMBERS: frozenset[str] = frozenset(("Usage", "Cost"))

_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class ExportError(Exception):
    """A request the export cannot serve; the command exits 2 with the message."""

    exit_code = EXIT_BAD_INPUT


class ExportBusyError(ExportError):
    """The warehouse file is held for writing by another process: exit 3."""

    exit_code = EXIT_BUSY


# --- small helpers ------------------------------------------------------------------


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _timestamp_text(value: Any) -> str | None:
    """A UTC timestamp (naive or aware) as ISO text ending in ``Z``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat() + "Z"
    return str(value)


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


# --- the warehouse ------------------------------------------------------------------


def latest_run(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The latest run of ``marts.run_metadata`` (the one ``rollup`` and
    ``quality`` take the as-of date from): its id, as-of date and end time;
    nulls when the table is absent or empty."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_catalog = current_database() "
        "AND table_schema = ? AND table_name = ?",
        [metadata.SCHEMA, metadata.TABLE],
    ).fetchone()
    row = None
    if found and found[0]:
        row = con.execute(
            f"SELECT run_id, as_of_date, ended_at FROM {metadata.QUALIFIED_TABLE} "
            "ORDER BY ended_at DESC NULLS LAST, started_at DESC NULLS LAST LIMIT 1"
        ).fetchone()
    if row is None:
        return {"run_id": None, "as_of_date": None, "built_at": None}
    run_id, as_of_date, ended_at = row
    return {
        "run_id": None if run_id is None else str(run_id),
        "as_of_date": _date_text(as_of_date),
        "built_at": _timestamp_text(ended_at),
    }


# --- writing files ------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """The output folder, and the private staging folder (see
    ``safe_output.staging_folder``) inside it and inside ``energy_star/``:
    every file is written there, then moved into place."""

    out_dir: Path
    staging: dict[str, Path]

    def staged(self, name: str) -> Path:
        """Where the file ``name`` (relative to the output folder) is written."""
        folder, _, base = name.rpartition("/")
        return self.staging[folder] / base

    def publish(self, name: str) -> None:
        path = self.out_dir / name
        try:
            safe_output.publish(self.staged(name), path)
        except OSError as exc:
            raise ExportError(f"writing {path} failed: {exc.strerror or exc}") from exc


def _check_out(out_dir: Path, names: Sequence[str] = ()) -> None:
    """Refuse a symlink or a non-folder at the output folders, and anything but
    a regular file at the ``names`` (relative), before anything is written."""
    safe_output.refuse_unsafe_folder(out_dir)
    safe_output.refuse_unsafe_folder(out_dir / ENERGY_STAR_DIR)
    for name in names:
        safe_output.refuse_unsafe_file(out_dir / name)


@contextlib.contextmanager
def _staged(out_dir: Path) -> Iterator[_Target]:
    """The output folders (created when missing) with their staging folders,
    removed on the way out."""
    with contextlib.ExitStack() as stack:
        staging = {}
        for folder in ("", ENERGY_STAR_DIR):
            path = out_dir / folder if folder else out_dir
            safe_output.make_folder(path)
            staging[folder] = stack.enter_context(safe_output.staging_folder(path))
        yield _Target(out_dir, staging)


def _copy(
    con: duckdb.DuckDBPyConnection,
    query: str,
    params: Sequence[object],
    target: _Target,
    name: str,
    options: str,
) -> dict[str, Any]:
    """``COPY (query)`` to the file ``name`` (staged, then moved into place);
    its manifest entry."""
    staged = target.staged(name)
    try:
        result = con.execute(
            f"COPY ({query}) TO {quote_literal(str(staged))} ({options})",
            list(params),
        ).fetchone()
    except duckdb.Error as exc:
        raise ExportError(
            f"writing {target.out_dir / name} failed: {first_line(exc)}"
        ) from exc
    entry = {
        "file": name,
        "rows": int(result[0]) if result else 0,
        "size_bytes": staged.stat().st_size,
        "sha256": file_digest(staged),
    }
    target.publish(name)
    return entry


_COPY_OPTIONS = {
    "parquet": "FORMAT parquet",
    "csv": "FORMAT csv, HEADER true",
}


def _export_marts(
    con: duckdb.DuckDBPyConnection, target: _Target, fmt: str, tables: Sequence[str]
) -> list[dict[str, Any]]:
    entries = []
    for table in tables:
        relation = f"{MARTS}.{quote_identifier(table)}"
        query = (
            csv_select(con, relation)
            if fmt == "csv"
            else f"SELECT * FROM {relation} ORDER BY ALL"
        )
        entry = _copy(con, query, [], target, f"{table}.{fmt}", _COPY_OPTIONS[fmt])
        entries.append({**entry, "table": table})
    return entries


# --- ENERGY STAR --------------------------------------------------------------------

# Per meter and bill: the counted IMPORT usage rows (one per usage_id; the
# audit trail has a row per month) collapsed into one period.
_PERIODS_SQL = f"""
WITH usage_rows AS (
    SELECT
        usage_id,
        any_value(document_id) AS document_id,
        any_value(meter_id) AS meter_id,
        any_value(start_date) AS start_date,
        any_value(end_date) AS end_date,
        coalesce(any_value(is_exclusion), false) AS is_exclusion,
        coalesce(any_value(is_estimated), false) AS is_estimated,
        any_value(row_usage) AS row_usage,
        any_value(usage_unit) AS usage_unit,
        any_value(currency) AS currency
    FROM {MARTS}.fct_calendarized_usage
    WHERE is_counted AND net_metering_type = 'IMPORT'
    GROUP BY usage_id
),
periods AS (
    SELECT
        meter_id,
        document_id,
        coalesce(
            min(start_date) FILTER (WHERE NOT is_exclusion), min(start_date)
        ) AS start_date,
        coalesce(
            max(end_date) FILTER (WHERE NOT is_exclusion), max(end_date)
        ) AS end_date,
        sum(CASE WHEN is_exclusion THEN -row_usage ELSE row_usage END) AS usage,
        bool_or(is_estimated) AS is_estimated,
        any_value(usage_unit) AS usage_unit,
        any_value(currency) AS currency
    FROM usage_rows
    GROUP BY meter_id, document_id
),
costs AS (
    SELECT document_id, meter_id, sum(attributed_cost) AS cost
    FROM {MARTS}.fct_bill_meter_costs
    WHERE is_counted
    GROUP BY document_id, meter_id
)"""

_TYPES_SQL = "SELECT * FROM (VALUES {}) AS t(commodity, meter_type)".format(
    ", ".join(
        f"({quote_literal(commodity)}, {quote_literal(meter_type)})"
        for commodity, meter_type in PM_METER_TYPES.items()
    )
)
_UNITS_SQL = "SELECT * FROM (VALUES {}) AS u(usage_unit, pm_unit)".format(
    ", ".join(
        f"({quote_literal(unit)}, {quote_literal(pm)})" for unit, pm in PM_UNITS.items()
    )
)


def _energy_star_column(header: str, expression: str) -> str:
    if header not in ENERGY_STAR_NUMBERS:
        expression = neutralize_sql(f"CAST({expression} AS VARCHAR)")
    return f"{expression} AS {quote_identifier(header)}"


_ENERGY_STAR_SQL = f"""{_PERIODS_SQL}
SELECT {
    ", ".join(
        _energy_star_column(header, expression)
        for header, expression in ENERGY_STAR_HEADER
    )
}
FROM periods AS p
INNER JOIN {MARTS}.dim_meters AS m ON m.meter_id = p.meter_id
LEFT JOIN (
    SELECT site_id, any_value(site_name) AS site_name
    FROM {MARTS}.dim_sites GROUP BY site_id
) AS s ON s.site_id = m.site_id
LEFT JOIN ({_TYPES_SQL}) AS t ON t.commodity = m.commodity
LEFT JOIN ({_UNITS_SQL}) AS u ON u.usage_unit = p.usage_unit
LEFT JOIN costs AS c ON c.document_id = p.document_id AND c.meter_id = p.meter_id
WHERE m.site_id IS NOT NULL AND list_contains(?::VARCHAR[], m.commodity)
AND NOT list_contains(?::VARCHAR[], CAST(p.document_id AS VARCHAR))
ORDER BY m.site_id, p.meter_id, p.start_date, p.end_date, p.document_id
"""

# The findings that hold a bill out of the ENERGY STAR files: severity action,
# not cleared by a review (RESOLVED or DISMISSED).
FINDINGS_TABLE = "dq_findings"
FINDINGS_COLUMNS: tuple[str, ...] = (
    "finding_id",
    "kind",
    "severity",
    "document_id",
    "status",
)
HOLDING_SEVERITY = "action"
CLEARED_STATUSES: tuple[str, ...] = ("RESOLVED", "DISMISSED")
_FLAGGED_BILLS_SQL = f"""
SELECT CAST(document_id AS VARCHAR) AS document_id,
    list(DISTINCT CAST(finding_id AS VARCHAR) ORDER BY CAST(finding_id AS VARCHAR))
        AS finding_ids,
    list(DISTINCT CAST(kind AS VARCHAR) ORDER BY CAST(kind AS VARCHAR)) AS kinds
FROM {MARTS}.{FINDINGS_TABLE}
WHERE document_id IS NOT NULL
AND lower(CAST(severity AS VARCHAR)) = ?
AND NOT list_contains(?::VARCHAR[], upper(coalesce(CAST(status AS VARCHAR), 'OPEN')))
GROUP BY CAST(document_id AS VARCHAR)
ORDER BY document_id
"""

# The counted periods of flagged bills that the files would hold otherwise.
_FLAGGED_PERIODS_SQL = f"""{_PERIODS_SQL}
SELECT CAST(p.document_id AS VARCHAR) AS document_id, count(*) AS periods
FROM periods AS p
INNER JOIN {MARTS}.dim_meters AS m ON m.meter_id = p.meter_id
WHERE m.site_id IS NOT NULL AND list_contains(?::VARCHAR[], m.commodity)
AND list_contains(?::VARCHAR[], CAST(p.document_id AS VARCHAR))
GROUP BY CAST(p.document_id AS VARCHAR)
"""

# What the files leave out: counted periods of meters without a site
# (unassigned_meter) or of a commodity no file holds (sewer_meter), and
# counted costs without a counted IMPORT usage row.
_LEFT_OUT_SQL = f"""{_PERIODS_SQL}
SELECT reason, count(*) AS periods
FROM (
    SELECT CASE
        WHEN m.site_id IS NULL THEN 'unassigned_meter'
        ELSE lower(m.commodity) || '_meter'
    END AS reason
    FROM periods AS p
    INNER JOIN {MARTS}.dim_meters AS m ON m.meter_id = p.meter_id
    WHERE m.site_id IS NULL OR NOT list_contains(?::VARCHAR[], m.commodity)
)
GROUP BY reason
ORDER BY reason
"""

_COST_WITHOUT_USAGE_SQL = f"""{_PERIODS_SQL}
SELECT b.currency, count(*) AS periods, sum(b.attributed_cost) AS cost
FROM {MARTS}.fct_bill_meter_costs AS b
LEFT JOIN periods AS p ON p.document_id = b.document_id AND p.meter_id = b.meter_id
WHERE b.is_counted AND p.meter_id IS NULL
GROUP BY b.currency
ORDER BY b.currency
"""


def _energy_star_names() -> list[str]:
    return [f"{ENERGY_STAR_DIR}/{spec.name}" for spec in ENERGY_STAR_FILES]


def _flagged_bills(
    con: duckdb.DuckDBPyConnection, catalog: dict[str, set[str]], exported: list[str]
) -> list[dict[str, Any]] | None:
    """The bills with an open (not RESOLVED or DISMISSED) finding of severity
    action that have periods the ENERGY STAR files would hold: document_id,
    finding_ids, kinds and periods. None when the warehouse has no
    ``marts.dq_findings`` (built before it)."""
    if not set(FINDINGS_COLUMNS) <= catalog.get(FINDINGS_TABLE, set()):
        return None
    flagged = {
        str(document_id): (list(finding_ids), list(kinds))
        for document_id, finding_ids, kinds in con.execute(
            _FLAGGED_BILLS_SQL, [HOLDING_SEVERITY, list(CLEARED_STATUSES)]
        ).fetchall()
    }
    if not flagged:
        return []
    periods = dict(
        con.execute(_FLAGGED_PERIODS_SQL, [exported, sorted(flagged)]).fetchall()
    )
    return [
        {
            "document_id": document_id,
            "finding_ids": [str(item) for item in finding_ids],
            "kinds": [str(item) for item in kinds],
            "periods": int(periods[document_id]),
        }
        for document_id, (finding_ids, kinds) in sorted(flagged.items())
        if periods.get(document_id)
    ]


def _export_energy_star(
    con: duckdb.DuckDBPyConnection,
    target: _Target,
    catalog: dict[str, set[str]],
    include_flagged: bool = False,
) -> dict[str, Any]:
    exported = [c for spec in ENERGY_STAR_FILES for c in spec.commodities]
    flagged = _flagged_bills(con, catalog, exported)
    held = [] if include_flagged or not flagged else flagged
    held_ids = [bill["document_id"] for bill in held]
    files = []
    for spec, name in zip(ENERGY_STAR_FILES, _energy_star_names(), strict=True):
        entry = _copy(
            con,
            _ENERGY_STAR_SQL,
            [list(spec.commodities), held_ids],
            target,
            name,
            "FORMAT csv, HEADER true",
        )
        files.append(
            {
                **entry,
                "commodities": list(spec.commodities),
                "meter_types": [PM_METER_TYPES[c] for c in spec.commodities],
            }
        )
    left_out: list[dict[str, Any]] = [
        {"reason": str(reason), "periods": int(count)}
        for reason, count in con.execute(_LEFT_OUT_SQL, [exported]).fetchall()
    ]
    costs = con.execute(_COST_WITHOUT_USAGE_SQL).fetchall()
    if costs:
        left_out.append(
            {
                "reason": "cost_without_counted_usage",
                "periods": sum(int(count) for _, count, _ in costs),
                "cost": [
                    {
                        "currency": None if currency is None else str(currency),
                        "amount": _decimal_text(amount),
                    }
                    for currency, _, amount in costs
                ],
            }
        )
    if held:
        left_out.append(
            {
                "reason": "flagged_bill",
                "periods": sum(bill["periods"] for bill in held),
                "bills": held,
            }
        )
    return {
        "columns": [header for header, _ in ENERGY_STAR_HEADER],
        "files": files,
        "left_out": left_out,
        "flagged_bills": {
            "source": f"{MARTS}.{FINDINGS_TABLE}",
            "built": flagged is not None,
            "rule": "a finding of severity action whose status is neither "
            "RESOLVED nor DISMISSED holds its bill (document_id) out",
            "include_flagged": include_flagged,
            "held_out": len(held),
            "included": [] if not include_flagged else (flagged or []),
        },
    }


def _decimal_text(value: Any) -> str | None:
    if value is None:
        return None
    return format(Decimal(value), "f")


# --- the export ---------------------------------------------------------------------


def _checked_tables(database: Path, catalog: dict[str, set[str]]) -> list[str]:
    """The marts tables to export; raises when the warehouse is not built or a
    table's name cannot be a file name."""
    unbuilt = [
        f"{MARTS}.{table}"
        for table, columns in ENERGY_STAR_COLUMNS.items()
        if not set(columns) <= catalog.get(table, set())
    ]
    if unbuilt:
        raise ExportError(
            f"{database} has no {', '.join(unbuilt)} (or lacks columns); run "
            "the pipeline first (python scripts/pipeline.py run ...)"
        )
    tables = sorted(catalog)
    odd = [table for table in tables if not _PLAIN_NAME.match(table)]
    if odd:
        raise ExportError(
            f"{database} has marts tables whose names cannot be file names: "
            + ", ".join(repr(table) for table in odd)
        )
    return tables


def _write_manifest(target: _Target, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    try:
        target.staged(MANIFEST).write_text(json_printable(text), encoding="utf-8")
    except OSError as exc:
        raise ExportError(
            f"writing {target.out_dir / MANIFEST} failed: {exc.strerror or exc}"
        ) from exc
    target.publish(MANIFEST)


def _export(
    con: duckdb.DuckDBPyConnection,
    database: Path,
    out_dir: Path,
    fmt: str,
    include_flagged: bool = False,
) -> dict[str, Any]:
    catalog = {
        table: columns
        for (_, table), columns in reading.Warehouse(con, (MARTS,)).catalog.items()
    }
    tables = _checked_tables(database, catalog)
    try:
        warehouse_as_of(con)  # the bound of every command
    except AsOfError as exc:
        raise ExportError(str(exc)) from exc
    has_ghg = set(ghg.EXPORT_TABLES) <= set(tables)
    ghg_names = [ghg.EXPORT_FILE] if has_ghg else []
    _check_out(
        out_dir,
        [f"{table}.{fmt}" for table in tables]
        + _energy_star_names()
        + ghg_names
        + [MANIFEST],
    )
    run = latest_run(con)
    with _staged(out_dir) as target:
        files = _export_marts(con, target, fmt, tables)
        energy_star = _export_energy_star(con, target, catalog, include_flagged)
        ghg_inventory = None
        if has_ghg:  # a warehouse built before the carbon marts has none
            query = csv_select(con, f"({ghg.EXPORT_SQL})")
            ghg_inventory = _copy(
                con, query, [], target, ghg.EXPORT_FILE, _COPY_OPTIONS["csv"]
            )
        manifest: dict[str, Any] = {
            "exported_at": _timestamp_text(datetime.now(UTC)),
            "format": fmt,
            "database": str(database),
            "project_version": metadata.project_version(PROJECT_DIR),
            "warehouse": run,
            "files": files,
            "energy_star": energy_star,
            "ghg_inventory": ghg_inventory,
        }
        _write_manifest(target, manifest)  # last: it names what was written
    return manifest


def export_warehouse(
    database: Path,
    out_dir: Path,
    fmt: str = DEFAULT_FORMAT,
    include_flagged: bool = False,
) -> dict[str, Any]:
    """Write the export of ``database`` (opened read-only) into ``out_dir`` and
    return its manifest (also written as ``manifest.json``); the ENERGY STAR
    files hold out flagged bills unless ``include_flagged``.

    Raises ``ExportError`` on an unknown format, a missing, unbuilt or unreadable
    database, an output folder that cannot be written, or an output path that is
    a symlink or not a regular file (folder); ``ExportBusyError`` when another
    process holds the file for writing.
    """
    if fmt not in FORMATS:
        raise ExportError(
            f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}"
        )
    try:
        _check_out(out_dir)
        con = target_reader.connect_read_only(database, ExportError, ExportBusyError)
        try:
            return _export(con, database, out_dir, fmt, include_flagged)
        finally:
            con.close()
    except safe_output.OutputPathError as exc:
        raise ExportError(str(exc)) from exc
    except duckdb.Error as exc:
        raise ExportError(f"querying {database} failed: {first_line(exc)}") from exc


def format_summary(manifest: dict[str, Any], out_dir: Path) -> str:
    """What was written, one line per file."""
    run = manifest["warehouse"]
    built = (
        f"as of {run['as_of_date']}, built {run['built_at']} (run {run['run_id']})"
        if run["run_id"]
        else "no run recorded in marts.run_metadata"
    )
    lines = [
        f"exported {manifest['database']} ({built}) to {out_dir} "
        f"as {manifest['format']}, project version {manifest['project_version']}"
    ]
    entries = [*manifest["files"], *manifest["energy_star"]["files"]]
    if manifest.get("ghg_inventory"):
        entries.append(manifest["ghg_inventory"])
    width = max(len(entry["file"]) for entry in entries)
    for entry in entries:
        lines.append(
            f"  {entry['file'].ljust(width)}  {entry['rows']:>10,} rows  "
            f"{entry['size_bytes']:>12,} bytes"
        )
    for item in manifest["energy_star"]["left_out"]:
        detail = ""
        if "cost" in item:
            detail = (
                " ("
                + ", ".join(
                    f"{money_text(cost['amount'], cost['currency'])} "
                    f"{cost['currency'] or '(no currency)'}"
                    for cost in item["cost"]
                )
                + ")"
            )
        if item["reason"] == "flagged_bill":
            bills = len(item["bills"])
            detail = (
                f" ({bills:,} bill{'s' if bills != 1 else ''} with an open "
                "action finding, named in the manifest; --include-flagged "
                "exports them)"
            )
        lines.append(
            f"  energy_star left out: {item['periods']:,} {item['reason']}{detail}"
        )
    flagged = manifest["energy_star"].get("flagged_bills") or {}
    if flagged.get("include_flagged") and flagged.get("included"):
        bills = len(flagged["included"])
        lines.append(
            f"  energy_star includes {bills:,} flagged bill"
            f"{'s' if bills != 1 else ''} (--include-flagged)"
        )
    elif flagged and not flagged.get("built"):
        lines.append(
            f"  energy_star: no flagged bills held out ({flagged['source']} "
            "missing: the warehouse predates it)"
        )
    lines.append(f"  {MANIFEST}: row counts, sizes and SHA-256 of every file")
    return "\n".join(printable(line) for line in lines) + "\n"


_EPILOG = """\
Writes into --out (created when missing):

  <mart>.parquet|csv   every table of schema marts, run_metadata included,
                       sorted on all columns (parquet keeps exact decimals
                       and every value as it is; CSV writes decimals as
                       plain text with six decimals)
  energy_star/         the counted bills as billed, for ENERGY STAR Portfolio
                       Manager, always CSV: electricity.csv (Electric - Grid),
                       natural_gas.csv, water.csv (potable water; sewer is not
                       a Portfolio Manager meter type and is left out) and
                       other_energy.csv (district steam, fuel oil No. 2,
                       propane, district hot and chilled water)
  ghg_inventory.csv    the GHG inventory (marts.rpt_ghg_inventory) with each
                       company's name and the findings that make a row partial
                       (meter-months without an emission factor, market rows'
                       site-months without a residual mix); always CSV, not
                       written for a warehouse without the carbon marts
  manifest.json        per file its rows, size and SHA-256; the latest run's
                       run_id, as_of_date and built_at; project version,
                       export time and format; what ENERGY STAR leaves out

ENERGY STAR rows: one per meter and bill with counted IMPORT usage, from the
earliest start to the latest end of its usage rows, usage in the warehouse's
standard unit (kWh, or US gallons for water) net of exclusion rows, the
meter's counted attributed cost on the bill, and Estimation Yes when any of
its rows is an estimated read. Meters without a site and costs without a
counted usage row are left out too (counted in the manifest).

Flagged bills are held out of the ENERGY STAR files: a bill (document_id)
with a finding in marts.dq_findings of severity action whose status is
neither RESOLVED nor DISMISSED (record a review in the landing's
finding_reviews file to clear it). The manifest's energy_star.left_out names
each (document_id, finding_ids, kinds, periods) and the summary prints their
count; --include-flagged exports them anyway.

CSV cells: a text cell starting with =, +, -, @, a tab or a carriage return
is written with a leading single quote (OWASP's guidance on CSV injection), so
that a spreadsheet shows it instead of running it as a formula; numbers,
negative ones included, and dates are written as they are.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    target_reader.add_source_arguments(parser)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="The output folder (created when missing; regular files of the same "
        "name are replaced). Refused when it, its energy_star folder or a file "
        "name the export writes is a symlink or not of its kind (a FIFO, a "
        "device, a file where a folder goes).",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=DEFAULT_FORMAT,
        help=f"File format of the marts (default: {DEFAULT_FORMAT}); the ENERGY "
        "STAR files are always CSV.",
    )
    parser.add_argument(
        "--include-flagged",
        action="store_true",
        help="Keep flagged bills in the ENERGY STAR files: those with an open "
        "finding of severity action (by default they are held out and named "
        "in the manifest).",
    )


def main(args: argparse.Namespace) -> int:
    return target_reader.run_reader(
        args, COMMAND, lambda database: _main(args, database)
    )


def _main(args: argparse.Namespace, database: Path) -> int:
    out_dir = Path(args.out)
    try:
        manifest = export_warehouse(
            database,
            out_dir,
            args.format,
            include_flagged=bool(getattr(args, "include_flagged", False)),
        )
    except ExportError as exc:
        message = " ".join(str(exc).split())
        print(f"pipeline.py export: error: {message}", file=sys.stderr)
        return exc.exit_code
    sys.stdout.write(format_summary(manifest, out_dir))
    return EXIT_OK
