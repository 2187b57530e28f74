"""Land a landing folder into the ``raw`` schema of a DuckDB file, every value as text.

A landing folder holds one file per entity of the contract (``<entity>.csv``,
``<entity>.jsonl`` or ``<entity>.parquet``); file and column names match whatever
their case and surrounding spaces (``utility_warehouse.landing_files``). Every
file is checked first and read into an in-memory staging database
(``landing_read``, ``landing_jsonl``), where the date and amount columns are
searched for proof of another date order or decimal separator than the load's
(``landing_checks``); only when no file breaks the contract is the warehouse file
opened and every raw table replaced, all in one transaction.

The load's settings (date order, decimal separator, encoding) come from the
options ``--date-order``, ``--decimal-separator`` and ``--encoding``, else the
folder's ``landing.json``, else mdy, ``.`` and UTF-8 (``landing_settings``); the
ones that are not the defaults are named on the report's first line. Text files
in another encoding than UTF-8 are transcoded to UTF-8 in a scratch folder,
streaming, before DuckDB reads them; a file that is not valid in the encoding is
refused, naming the file and the line (``landing_scan``).

Each raw table holds the contract columns (optional ones added as NULL text when a
file lacks them), then any extra columns of the file, then ``_row_number`` (the
1-based position of the row in its file) and ``_source_file`` (the file name).
``raw._load_audit`` describes what the raw tables now hold: one row per landed file.
Files and columns the contract does not know, and zero-byte files, are named in a
warning line of the load report. Only a new DuckDB file or a warehouse of this
project is written (``warehouse_marker``).

``load`` holds the warehouse's lock file (``<database>.lock``) while it runs.

Exit codes: 0 loaded; 2 a bad invocation, a landing folder that breaks the
contract, a setting that is not valid or a file that is not this project's
warehouse (nothing is loaded); 3 the warehouse is busy (another run holds its
lock, or another process has the DuckDB file open): a scheduler may retry.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from utility_warehouse import contract, landing_settings, warehouse_marker
from utility_warehouse.contract import Entity, normalize_name
from utility_warehouse.duckdb_text import error_line, quote_identifier, quote_literal
from utility_warehouse.environment import (
    memory_limit,
    setting_problems,
)
from utility_warehouse.exit_codes import (
    EXIT_BAD_INPUT,
    EXIT_BUSY,
    EXIT_OK,
)
from utility_warehouse.landing_checks import convention_problems
from utility_warehouse.landing_errors import (
    FileProblems,
    LandingContractError,
    WarehouseBusyError,
    WarehouseWriteError,
)
from utility_warehouse.landing_files import Located, locate
from utility_warehouse.landing_read import StagedFile, stage_file
from utility_warehouse.landing_scan import DEFAULT_ENCODING as DEFAULT_ENCODING
from utility_warehouse.landing_scan import check_encoding
from utility_warehouse.landing_settings import LandingSettings, resolve_settings
from utility_warehouse.lock import (
    LockFileError,
    WarehouseBusy,
    WarehouseLock,
    duckdb_busy_message,
    is_duckdb_lock_error,
)

COMMAND = "load"
HELP = (
    "Land a landing folder into the raw schema of a DuckDB file, every value as text."
)

_TARGET_ALIAS = "landing_target"


@dataclass(frozen=True)
class EntityLoad:
    """What one raw table holds after a load."""

    entity: str
    file_name: str | None
    file_format: str | None
    row_count: int
    sha256: str | None
    extra_columns: tuple[str, ...] = ()
    null_columns: tuple[str, ...] = ()
    """Contract columns the file lacks, added as NULL text."""
    size_bytes: int | None = None


@dataclass(frozen=True)
class LoadReport:
    """The outcome of a load: one entry per entity of the contract."""

    raw_dir: Path
    database: Path
    loaded_at: datetime
    entities: tuple[EntityLoad, ...]
    warnings: tuple[str, ...] = ()
    settings: LandingSettings = field(default_factory=LandingSettings)

    @property
    def encoding(self) -> str:
        return self.settings.encoding

    @property
    def total_rows(self) -> int:
        return sum(item.row_count for item in self.entities)

    def rows_by_entity(self) -> dict[str, int]:
        return {item.entity: item.row_count for item in self.entities}


def _configure(con: duckdb.DuckDBPyConnection, scratch: Path) -> None:
    con.execute("set preserve_insertion_order = true")
    con.execute(f"set memory_limit = {quote_literal(memory_limit())}")
    con.execute(f"set temp_directory = {quote_literal(str(scratch))}")
    # Timestamps with a time zone are rendered in UTC (needs the ICU extension).
    with contextlib.suppress(duckdb.Error):
        con.execute("set TimeZone = 'UTC'")


def _raw_select(staged: StagedFile) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The select that builds a raw table from its staging table."""
    position = {normalize_name(name): index for index, name in enumerate(staged.names)}
    contract_names = set(staged.entity.all_columns)
    items: list[str] = []
    null_columns: list[str] = []
    for column in staged.entity.all_columns:
        index = position.get(column)
        if index is None:
            items.append(f"cast(null as varchar) as {quote_identifier(column)}")
            null_columns.append(column)
        else:
            items.append(f"c{index} as {quote_identifier(column)}")
    extras = tuple(
        name for name in staged.names if normalize_name(name) not in contract_names
    )
    items.extend(
        f"c{position[normalize_name(name)]} as {quote_identifier(name)}"
        for name in extras
    )
    items.append(f"cast(rowid + 1 as bigint) as {contract.ROW_NUMBER_COLUMN}")
    items.append(f"{quote_literal(staged.path.name)} as {contract.SOURCE_FILE_COLUMN}")
    sql = f"select {', '.join(items)} from {staged.stage_table} order by rowid"
    return sql, extras, tuple(null_columns)


def _empty_table_ddl(entity: Entity) -> str:
    columns = [f"{quote_identifier(column)} varchar" for column in entity.all_columns]
    columns.append(f"{contract.ROW_NUMBER_COLUMN} bigint")
    columns.append(f"{contract.SOURCE_FILE_COLUMN} varchar")
    return ", ".join(columns)


def _write_error(database: Path, verb: str, error: BaseException) -> Exception:
    if is_duckdb_lock_error(error):
        return WarehouseBusyError(duckdb_busy_message(database, error))
    return WarehouseWriteError(f"cannot {verb} {database}: {error_line(error)}")


def _attach(con: duckdb.DuckDBPyConnection, database: Path) -> None:
    """Attach the warehouse file for writing, refusing another project's file."""
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"attach {quote_literal(str(database))} as {_TARGET_ALIAS}")
    except (OSError, duckdb.Error) as error:
        raise _write_error(database, "open", error) from error
    try:
        warehouse_marker.check_catalog(con, _TARGET_ALIAS, database)
    except warehouse_marker.ForeignWarehouseError as error:
        con.execute(f"detach {_TARGET_ALIAS}")
        raise WarehouseWriteError(str(error)) from error


def _write_raw_table(
    con: duckdb.DuckDBPyConnection, schema: str, entity: Entity, item: StagedFile | None
) -> EntityLoad:
    table = f"{schema}.{quote_identifier(entity.name)}"
    if item is None:
        con.execute(f"create or replace table {table} ({_empty_table_ddl(entity)})")
        return EntityLoad(entity.name, None, None, 0, None)
    if item.stage_table is None:
        con.execute(f"create or replace table {table} ({_empty_table_ddl(entity)})")
        return EntityLoad(
            entity=entity.name,
            file_name=item.path.name,
            file_format=item.file_format,
            row_count=0,
            sha256=item.sha256,
            size_bytes=item.size_bytes,
        )
    sql, extras, null_columns = _raw_select(item)
    if not item.names:  # no record named a column: nothing is "absent"
        null_columns = ()
    con.execute(f"create or replace table {table} as {sql}")
    return EntityLoad(
        entity=entity.name,
        file_name=item.path.name,
        file_format=item.file_format,
        row_count=item.row_count,
        sha256=item.sha256,
        extra_columns=extras,
        null_columns=null_columns,
        size_bytes=item.size_bytes,
    )


def _write_audit(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    loads: Sequence[EntityLoad],
    loaded_at: datetime,
) -> None:
    audit = f"{schema}.{quote_identifier(contract.LOAD_AUDIT_TABLE)}"
    con.execute(
        f"create or replace table {audit} (entity varchar, file_name varchar, "
        "file_format varchar, row_count bigint, sha256 varchar, "
        "loaded_at timestamp)"
    )
    for entry in loads:
        if entry.file_name is None:
            continue
        con.execute(
            f"insert into {audit} values (?, ?, ?, ?, ?, ?)",
            [
                entry.entity,
                entry.file_name,
                entry.file_format,
                entry.row_count,
                entry.sha256,
                loaded_at,
            ],
        )


def _publish(
    con: duckdb.DuckDBPyConnection,
    database: Path,
    staged: dict[str, StagedFile],
    loaded_at: datetime,
) -> list[EntityLoad]:
    """Replace every raw table and the load audit in one transaction (and mark
    a new warehouse as this project's)."""
    _attach(con, database)
    schema = f"{_TARGET_ALIAS}.{quote_identifier(contract.RAW_SCHEMA)}"
    try:
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {schema}")
        warehouse_marker.mark(con, _TARGET_ALIAS, loaded_at)
        loads = [
            _write_raw_table(con, schema, entity, staged.get(entity.name))
            for entity in contract.ENTITIES
        ]
        _write_audit(con, schema, loads, loaded_at)
        con.execute("commit")
    except duckdb.Error as error:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise _write_error(database, "write", error) from error
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"detach {_TARGET_ALIAS}")
    return loads


def _check_warehouse_file(database: Path) -> None:
    """Before any work: the file must be new or this project's warehouse."""
    try:
        warehouse_marker.check_file(database)
    except warehouse_marker.ForeignWarehouseError as error:
        raise WarehouseWriteError(str(error)) from error
    except duckdb.Error as error:
        raise _write_error(database, "open", error) from error


def _load_warnings(staged: dict[str, StagedFile]) -> list[str]:
    warnings: list[str] = []
    for entity in contract.ENTITIES:
        item = staged.get(entity.name)
        if item is None:
            continue
        if item.size_bytes == 0:
            warnings.append(
                f"{item.path.name}: zero-byte file, landed as an empty table"
            )
        elif item.stage_table is None:
            warnings.append(
                f"{item.path.name}: no header row, landed as an empty table"
            )
        contract_names = set(entity.all_columns)
        unknown = [
            name for name in item.names if normalize_name(name) not in contract_names
        ]
        if unknown:
            warnings.append(
                f"{item.path.name}: column(s) the contract does not know, kept as "
                f"extra raw columns: {', '.join(repr(name) for name in unknown)}"
            )
    return warnings


def _settings(
    raw_dir: Path, given: dict[str, str | None]
) -> tuple[LandingSettings, list[str]]:
    """The load's settings (options, landing.json, defaults) and their warnings."""
    encoding = given.get("encoding")
    if encoding is not None:
        try:
            check_encoding(encoding)
        except LookupError as error:
            raise LandingContractError(
                [f"unknown text encoding {encoding!r}"]
            ) from error
    try:
        return resolve_settings(raw_dir, given)
    except OSError as error:
        raise LandingContractError([f"cannot list {raw_dir}: {error}"]) from error


def _stage_all(
    con: duckdb.DuckDBPyConnection,
    located: Located,
    scratch: Path,
    settings: LandingSettings,
) -> dict[str, StagedFile]:
    """Check and stage every located file; raises LandingContractError."""
    problems = list(located.problems)
    staged: dict[str, StagedFile] = {}
    for entity in contract.ENTITIES:
        path = located.files.get(entity.name)
        if path is None:
            continue
        try:
            item = stage_file(
                con,
                entity,
                path,
                scratch,
                settings.encoding,
                settings.decimal_separator,
            )
            staged[entity.name] = item
            problems.extend(convention_problems(con, item, settings))
        except FileProblems as error:
            problems.extend(error.problems)
        except OSError as error:
            problems.append(f"{path.name}: cannot be read: {error}")
    if problems:
        raise LandingContractError(problems)
    return staged


def load_landing(
    raw_dir: Path,
    database: Path,
    *,
    encoding: str | None = None,
    date_order: str | None = None,
    decimal_separator: str | None = None,
) -> LoadReport:
    """Land ``raw_dir`` into the raw schema of ``database``.

    The settings given (None: not given) override the folder's ``landing.json``.
    Raises LandingContractError (nothing written) when any file breaks the contract,
    WarehouseBusyError when another process has the database file open, and
    WarehouseWriteError when the database file cannot be written or is not a
    warehouse of this project (``utility_warehouse.warehouse_marker``). The caller holds
    the warehouse's lock file (see ``utility_warehouse.lock``).
    """
    raw_dir = Path(raw_dir)
    database = Path(database)
    if not raw_dir.is_dir():
        raise LandingContractError([f"landing folder not found: {raw_dir}"])
    given = {
        "encoding": encoding,
        "date_order": date_order,
        "decimal_separator": decimal_separator,
    }
    settings, settings_warnings = _settings(raw_dir, given)
    _check_warehouse_file(database)
    try:
        located = locate(raw_dir)
    except OSError as error:
        raise LandingContractError([f"cannot list {raw_dir}: {error}"]) from error
    with (
        tempfile.TemporaryDirectory(prefix="utility-load-") as scratch_dir,
        duckdb.connect(":memory:") as con,
    ):
        scratch = Path(scratch_dir)
        _configure(con, scratch)
        staged = _stage_all(con, located, scratch, settings)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        loads = _publish(con, database, staged, loaded_at)
    return LoadReport(
        raw_dir=raw_dir,
        database=database,
        loaded_at=loaded_at,
        entities=tuple(loads),
        warnings=(*settings_warnings, *located.warnings, *_load_warnings(staged)),
        settings=settings,
    )


def report_problems(raw_dir: Path, problems: Sequence[str]) -> None:
    """Print contract problems to stderr, one line each."""
    print(
        f"error: the landing folder {raw_dir} breaks the contract "
        f"({len(problems)} problem(s)); nothing was loaded:",
        file=sys.stderr,
    )
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)


def format_report(report: LoadReport, *, detail: bool = True) -> str:
    """The load report: a first line of totals, one line per entity (unless
    ``detail`` is False) and the warnings."""
    width = max(len(item.entity) for item in report.entities)
    described = report.settings.describe()
    settings = f"; {', '.join(described)}" if described else ""
    files = ""
    if not detail:
        count = sum(1 for item in report.entities if item.file_name is not None)
        files = f" from {count} file" + ("" if count == 1 else "s")
    lines = [
        f"loaded {report.raw_dir} into {report.database} "
        f"(schema {contract.RAW_SCHEMA}, {report.total_rows} rows{files}{settings})"
    ]
    absent_columns: list[str] = []
    for item in report.entities:
        source = item.file_name or "(no file: optional, empty table)"
        notes: list[str] = []
        if item.extra_columns:
            notes.append("extra: " + ", ".join(item.extra_columns))
        absent = [
            column
            for column in item.null_columns
            if column not in contract.COMMON_OPTIONAL_COLUMNS
        ]
        if absent and item.file_name is not None:
            notes.append("absent, null: " + ", ".join(absent))
            absent_columns.extend(f"{item.entity}.{column}" for column in absent)
        suffix = f"  [{'; '.join(notes)}]" if notes else ""
        if detail:
            lines.append(
                f"  {item.entity:<{width}}  {item.row_count:>10,} rows  "
                f"{source}{suffix}"
            )
    if absent_columns and not detail:
        lines.append("columns absent, loaded as null: " + ", ".join(absent_columns))
    lines.extend(f"warning: {warning}" for warning in report.warnings)
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--raw-dir, --database, --encoding, --date-order and --decimal-separator:
    the arguments of ``load`` and ``run``."""
    parser.add_argument(
        "--raw-dir",
        type=Path,
        required=True,
        help="landing folder: one <entity>.csv|.jsonl|.parquet file per entity "
        "(names match in any case, surrounding spaces ignored)",
    )
    parser.add_argument(
        "--database", type=Path, required=True, help="DuckDB file of the warehouse"
    )
    landing_settings.add_arguments(parser)


def busy_exit(message: str) -> int:
    """Report a busy warehouse on one line of stderr: exit 3."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    return EXIT_BUSY


def settings_exit(problems: Sequence[str]) -> int:
    """Report settings that would fail the command, one line each: exit 2."""
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return EXIT_BAD_INPUT


def main(args: argparse.Namespace) -> int:
    problems = setting_problems(threads=False)
    if problems:
        return settings_exit(problems)
    database = Path(args.database)
    lock = WarehouseLock(database, getattr(args, "command_line", None))
    try:
        lock.acquire()
    except WarehouseBusy as error:
        return busy_exit(str(error))
    except LockFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(
            f"error: cannot create the lock file {lock.path}: {error}", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    try:
        report = load_landing(
            args.raw_dir, database, **landing_settings.given_settings(args)
        )
    except LandingContractError as error:
        report_problems(args.raw_dir, error.problems)
        return EXIT_BAD_INPUT
    except WarehouseBusyError as error:
        return busy_exit(str(error))
    except WarehouseWriteError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        lock.release()
    print(format_report(report))
    return EXIT_OK
