"""Read one landing file into the in-memory staging database as text columns.

Each file becomes a staging table ``stage_<entity>`` of text columns ``c0 .. cN``
in file order (its ``rowid`` is the record's position); ``StagedFile.names``
are the file's column names in the same order.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from utility_warehouse.contract import DATE, Entity, normalize_name
from utility_warehouse.duckdb_text import (
    error_line,
    number_text,
    quote_identifier,
    quote_literal,
)
from utility_warehouse.landing_columns import (
    MAX_COLUMNS,
    check_column_count,
    require_columns,
)
from utility_warehouse.landing_errors import FileProblems
from utility_warehouse.landing_jsonl import stage_jsonl
from utility_warehouse.landing_scan import UTF8_BOM, Scanned, scan_file

_NESTED_TYPE_PREFIXES = ("STRUCT", "MAP", "UNION")
_NUMERIC_TYPE_PREFIXES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")
MAX_HEADER_BYTES = 1 << 20
"""The longest CSV header row read (1 MiB); see also ``MAX_COLUMNS``."""


@dataclass(frozen=True)
class StagedFile:
    """A landing file read into the staging database as ``c0 .. cN`` text columns.

    ``stage_table`` is None for a file without any content (zero bytes).
    """

    entity: Entity
    path: Path
    file_format: str
    names: tuple[str, ...]
    stage_table: str | None
    row_count: int
    sha256: str
    size_bytes: int
    read_path: Path
    """The file DuckDB read: the landing file, or its UTF-8 copy."""


def _header_names(scanned: Scanned, path: Path) -> list[str] | None:
    """The header row of a CSV (None: the file has no line at all).

    At most ``MAX_HEADER_BYTES`` are read, before DuckDB sees the file: a header
    beyond them, or with more than ``MAX_COLUMNS`` columns, is refused.
    """
    with scanned.read_path.open("rb") as handle:
        head = handle.read(MAX_HEADER_BYTES + 1).removeprefix(UTF8_BOM)
    text = head.decode("utf-8", errors="replace")
    stream = io.StringIO(text, newline="")
    try:
        header = next(csv.reader(stream), None)
    except csv.Error as error:
        raise FileProblems([f"{path.name}: unreadable header row ({error})"]) from error
    if len(head) > MAX_HEADER_BYTES and stream.tell() >= len(text):
        raise FileProblems(
            [
                f"{path.name}: header row longer than {MAX_HEADER_BYTES:,} bytes; "
                f"at most {MAX_COLUMNS:,} columns are read"
            ]
        )
    if header is not None:
        check_column_count(path.name, len(header))
    return header


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    scanned: Scanned,
    stage: str,
) -> tuple[str, ...] | None:
    """Read a CSV (header row, maybe a BOM) as text, in file order.

    Returns None for a file without a header row (no content)."""
    header = _header_names(scanned, path)
    if not header:
        return None
    names = tuple(name.strip() or f"column{index}" for index, name in enumerate(header))
    require_columns(entity, path.name, names)
    columns = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(len(names)))
    # Nothing is sniffed: the dialect and the columns are given and every value is
    # read as text. The CSV reader keeps the rows in file order, also in parallel.
    source = (
        f"read_csv({quote_literal(str(scanned.read_path))}, columns = {{{columns}}}, "
        "all_varchar = true, header = true, auto_detect = false, "
        "delim = ',', quote = '\"', escape = '\"', "
        "strict_mode = true, null_padding = false, encoding = 'utf-8')"
    )
    con.execute(f"create table {stage} as select * from {source}")
    return names


def _text_expression(
    column: str, type_name: str, local_zone: str | None, decimal_separator: str
) -> str:
    """Cast one Parquet column to text; nested values become JSON text; a date
    column with a time zone (``local_zone``) becomes its local date; a number
    is written with the folder's decimal separator."""
    upper = type_name.upper()
    if upper.endswith("]") or upper.startswith(_NESTED_TYPE_PREFIXES):
        return f"cast(to_json({column}) as varchar)"
    if local_zone is not None and upper == "TIMESTAMP WITH TIME ZONE":
        return _local_date(column, local_zone)
    if upper.startswith(_NUMERIC_TYPE_PREFIXES):
        return number_text(f"cast({column} as varchar)", decimal_separator)
    return f"cast({column} as varchar)"


def _local_date(column: str, zone: str) -> str:
    """SQL: the calendar date of a time-zone timestamp where it was written."""
    offset = _OFFSET.fullmatch(zone)
    if offset is not None:
        sign = -1 if offset.group(1) == "-" else 1
        minutes = sign * (int(offset.group(2)) * 60 + int(offset.group(3)))
        local = f"timezone('UTC', {column}) + to_minutes({minutes})"
    else:
        try:
            ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):
            zone = "UTC"
        local = f"timezone({quote_literal(zone)}, {column})"
    return f"strftime({local}, '%Y-%m-%d')"


def _parquet_schema(path: Path) -> pa.Schema | None:
    """The file's schema, from its footer alone (None when it cannot be read:
    DuckDB then says why)."""
    try:
        return pq.read_schema(path)
    except (OSError, pa.ArrowException):
        return None


def _local_zones(entity: Entity, schema: pa.Schema | None) -> dict[str, str]:
    """Date columns stored as timestamps with a time zone: column -> zone."""
    if schema is None:
        return {}
    dates = set(entity.columns_of_kind(DATE))
    return {
        field.name: field.type.tz
        for field in schema
        if pa.types.is_timestamp(field.type)
        and field.type.tz
        and normalize_name(field.name) in dates
    }


def _stage_parquet(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    stage: str,
    decimal_separator: str,
) -> tuple[str, ...]:
    schema = _parquet_schema(path)
    check_column_count(path.name, len(schema) if schema is not None else 0)
    zones = _local_zones(entity, schema)
    source = f"read_parquet({quote_literal(str(path))}, file_row_number = true)"
    described = con.execute(f"describe select * from {source}").fetchall()
    columns = [(str(row[0]), str(row[1])) for row in described]
    columns = [item for item in columns if item[0] != "file_row_number"]
    names = tuple(name for name, _ in columns)
    require_columns(entity, path.name, names)
    values = ", ".join(
        _text_expression(
            quote_identifier(name), kind, zones.get(name), decimal_separator
        )
        + f" as c{index}"
        for index, (name, kind) in enumerate(columns)
    )
    select = values or "file_row_number"
    con.execute(
        f"create table {stage} as select {select} from {source} "
        "order by file_row_number"
    )
    return tuple(name.strip() or f"column{index}" for index, name in enumerate(names))


def _stage(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    scanned: Scanned,
    stage: str,
    scratch: Path,
    file_format: str,
    decimal_separator: str,
) -> tuple[str, ...] | None:
    if file_format == "csv":
        return _stage_csv(con, entity, path, scanned, stage)
    if file_format == "jsonl":
        return stage_jsonl(
            con, entity, path, scanned, stage, scratch, decimal_separator
        )
    return _stage_parquet(con, entity, path, stage, decimal_separator)


def _check_unchanged(path: Path, before: os.stat_result, scanned: Scanned) -> None:
    """A file that changed between its scan and its read is refused: what was
    read is not what was checksummed."""
    try:
        after = os.stat(path)
    except OSError as error:
        raise FileProblems(
            [f"{path.name}: changed while it was being loaded ({error.strerror})"]
        ) from error
    same = (before.st_ino, before.st_size, before.st_mtime_ns) == (
        after.st_ino,
        after.st_size,
        after.st_mtime_ns,
    )
    if same and after.st_size == scanned.size_bytes:
        return
    if after.st_size != before.st_size:
        what = f"size {before.st_size:,} -> {after.st_size:,} bytes"
    else:
        what = "modified or replaced"
    raise FileProblems(
        [
            f"{path.name}: changed while it was being loaded ({what}); load again "
            "once it is complete"
        ]
    )


def _empty_file_problem(entity: Entity, path: Path, size: int) -> str:
    what = "an empty file (0 bytes)" if size == 0 else "no data rows"
    return f"{path.name}: {what}; the {entity.name} file must hold at least one record"


def stage_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    scratch: Path,
    encoding: str,
    decimal_separator: str = ".",
) -> StagedFile:
    """Check one landing file and read it into ``stage_<entity>``; typed
    numbers (JSON numbers, Parquet numeric columns) land as text written with
    ``decimal_separator``, the folder's convention for its text values.

    Raises FileProblems when the file breaks the contract."""
    file_format = normalize_name(path.name).rpartition(".")[2].strip()
    stage = f"stage_{entity.name}"
    before = os.stat(path)
    scanned = scan_file(path, file_format, encoding, scratch)
    names: tuple[str, ...] | None = None
    try:
        if scanned.size_bytes:
            names = _stage(
                con,
                entity,
                path,
                scanned,
                stage,
                scratch,
                file_format,
                decimal_separator,
            )
    except (duckdb.Error, FileProblems) as error:
        _check_unchanged(path, before, scanned)
        if isinstance(error, FileProblems):
            raise
        raise FileProblems(
            [f"{path.name}: cannot be read: {error_line(error)}"]
        ) from error
    _check_unchanged(path, before, scanned)
    row_count = 0
    if names is not None:
        count = con.execute(f"select count(*) from {stage}").fetchone()
        row_count = int(count[0]) if count else 0
    if row_count == 0 and entity.requires_rows:
        raise FileProblems([_empty_file_problem(entity, path, scanned.size_bytes)])
    return StagedFile(
        entity=entity,
        path=path,
        file_format=file_format,
        names=names or (),
        stage_table=stage if names is not None else None,
        row_count=row_count,
        sha256=scanned.sha256,
        size_bytes=scanned.size_bytes,
        read_path=scanned.read_path,
    )
