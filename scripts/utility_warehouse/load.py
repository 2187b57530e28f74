"""Land a landing folder into the ``raw`` schema of a DuckDB file, every value as text.

A landing folder holds one file per entity of the contract (``<entity>.csv``,
``<entity>.jsonl`` or ``<entity>.parquet``); file and column names match whatever
their case and surrounding spaces. Every file is checked first and read into an
in-memory staging database; only when no file breaks the contract is the warehouse
file opened and every raw table replaced, all in one transaction.

Text files (CSV, JSON lines) are read in the encoding given with ``--encoding``
(default UTF-8; a UTF-8 byte order mark is accepted). Files in another encoding are
transcoded to UTF-8 in a scratch folder, streaming, before DuckDB reads them; a file
that is not valid in the encoding is refused, naming the file and the line.

Each raw table holds the contract columns (optional ones added as NULL text when a
file lacks them), then any extra columns of the file, then ``_row_number`` (the
1-based position of the row in its file) and ``_source_file`` (the file name).
``raw._load_audit`` describes what the raw tables now hold: one row per landed file.
Files and columns the contract does not know, and zero-byte files, are named in a
warning line of the load report.

``load`` holds the warehouse's lock file (``<database>.lock``) while it runs.

Exit codes: 0 loaded; 2 a bad invocation or a landing folder that breaks the
contract (nothing is loaded); 3 the warehouse is busy (another run holds its lock,
or another process has the DuckDB file open): a scheduler may retry.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import csv
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from utility_warehouse import contract
from utility_warehouse.contract import Entity, normalize_name
from utility_warehouse.exit_codes import (
    EXIT_BAD_INPUT,
    EXIT_BUSY,
    EXIT_OK,
)
from utility_warehouse.lock import (
    WarehouseBusy,
    WarehouseLock,
    duckdb_busy_message,
    is_duckdb_lock_error,
)

MEMORY_LIMIT_ENV_VAR = "UTILITY_WAREHOUSE_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "5GB"
"""DuckDB's memory limit; 5M usage rows build within it on 2 threads (README)."""

COMMAND = "load"
HELP = (
    "Land a landing folder into the raw schema of a DuckDB file, every value as text."
)

DEFAULT_ENCODING = "utf-8"

_TARGET_ALIAS = "landing_target"
_UTF8_BOM = b"\xef\xbb\xbf"
_RESERVED_COLUMNS = (contract.ROW_NUMBER_COLUMN, contract.SOURCE_FILE_COLUMN)
_NESTED_TYPE_PREFIXES = ("STRUCT", "MAP", "UNION")
_CHUNK_BYTES = 1 << 20
_TEXT_FORMATS = ("csv", "jsonl")
_DUCKDB_JSON_LINE = re.compile(r"\s+at byte \d+ in line (\d+)", re.IGNORECASE)
_ENCODING_REMEDY = (
    "pass the file's encoding with --encoding NAME "
    "(e.g. --encoding cp1252 for spreadsheet exports)"
)


class LandingContractError(Exception):
    """The landing folder breaks the contract; ``problems`` has one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class WarehouseWriteError(Exception):
    """The landing folder is fine but the warehouse file could not be written."""


class WarehouseBusyError(WarehouseWriteError):
    """The warehouse file is held open by another process (DuckDB's file lock)."""


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
    encoding: str = DEFAULT_ENCODING

    @property
    def total_rows(self) -> int:
        return sum(item.row_count for item in self.entities)

    def rows_by_entity(self) -> dict[str, int]:
        return {item.entity: item.row_count for item in self.entities}


@dataclass(frozen=True)
class _StagedFile:
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


@dataclass
class _Located:
    """The landing file of each entity found, and what was wrong or odd."""

    files: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Scanned:
    """A landing file read once: its checksum, size and the UTF-8 file to read."""

    read_path: Path
    sha256: str
    size_bytes: int


class _FileProblems(Exception):
    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _error_line(error: BaseException) -> str:
    """A DuckDB error message on one line, without its advice section."""
    lines: list[str] = []
    for line in str(error).splitlines():
        if line.strip().lower().startswith("possible"):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or type(error).__name__


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def check_encoding(name: str) -> codecs.CodecInfo:
    """The codec of an encoding name; raises LookupError for an unknown one."""
    info = codecs.lookup(name)
    if not getattr(info, "_is_text_encoding", True):
        raise LookupError(f"{name!r} is not a text encoding")
    return info


def encoding_argument(text: str) -> str:
    """An argparse type: a text encoding Python knows (utf-8, cp1252, latin-1, ...)."""
    name = text.strip()
    try:
        check_encoding(name)
    except LookupError as error:
        raise argparse.ArgumentTypeError(
            f"unknown text encoding {text!r} (e.g. utf-8, cp1252, latin-1)"
        ) from error
    return name


def _is_utf8(codec: codecs.CodecInfo) -> bool:
    return codec.name in ("utf-8", "utf-8-sig")


def locate_files(raw_dir: Path) -> tuple[dict[str, Path], list[str]]:
    """The landing file of each entity present, and the problems in finding them."""
    located = _locate(raw_dir)
    return located.files, located.problems


def _split_file_name(name: str) -> tuple[str, str] | None:
    """``(entity, format)`` of a landing file name, ignoring case and spaces."""
    normalized = normalize_name(name)
    stem, dot, suffix = normalized.rpartition(".")
    if not dot:
        return None
    return stem.strip(), suffix.strip()


def _locate(raw_dir: Path) -> _Located:
    located = _Located()
    candidates: dict[str, list[Path]] = {
        entity.name: [] for entity in contract.ENTITIES
    }
    unknown: list[str] = []
    for path in sorted(raw_dir.iterdir(), key=lambda item: item.name):
        if contract.is_ignored_file_name(path.name) or not path.is_file():
            continue
        parts = _split_file_name(path.name)
        if (
            parts is not None
            and parts[0] in candidates
            and parts[1] in contract.FILE_FORMATS
        ):
            candidates[parts[0]].append(path)
        else:
            unknown.append(path.name)
    for entity in contract.ENTITIES:
        paths = candidates[entity.name]
        if len(paths) > 1:
            names = ", ".join(repr(path.name) for path in paths)
            located.problems.append(
                f"{entity.name}: more than one file for one entity: {names} "
                "(keep exactly one)"
            )
        elif paths:
            located.files[entity.name] = paths[0]
        elif not entity.file_optional:
            names = f"{entity.name}." + "|.".join(contract.FILE_FORMATS)
            located.problems.append(f"missing required file: {names} in {raw_dir}")
    if unknown:
        located.warnings.append(
            f"file(s) the contract does not know, not loaded: "
            f"{', '.join(repr(name) for name in unknown)}"
        )
    return located


def _column_problems(
    entity: Entity, file_name: str, names: Sequence[str], *, check_required: bool = True
) -> list[str]:
    """Contract problems of a file's column names (case and spaces ignored)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name in names:
        folded = normalize_name(name)
        if folded in seen:
            if seen[folded] == name:
                problems.append(f"{file_name}: duplicate column {name!r}")
            else:
                problems.append(
                    f"{file_name}: columns {seen[folded]!r} and {name!r} are the "
                    "same column"
                )
        seen.setdefault(folded, name)
        if folded in _RESERVED_COLUMNS:
            problems.append(
                f"{file_name}: column {name!r} is reserved for the loader; rename it"
            )
    if check_required:
        for column in entity.required_columns:
            if column not in seen:
                problems.append(f"{file_name}: missing required column {column!r}")
    return problems


def _require_columns(
    entity: Entity, file_name: str, names: Sequence[str], *, check_required: bool = True
) -> None:
    problems = _column_problems(entity, file_name, names, check_required=check_required)
    if problems:
        raise _FileProblems(problems)


def memory_limit() -> str:
    """DuckDB's memory limit for the load and the build (``profiles.yml`` agrees)."""
    return os.environ.get(MEMORY_LIMIT_ENV_VAR, DEFAULT_MEMORY_LIMIT)


def _configure(con: duckdb.DuckDBPyConnection, scratch: Path) -> None:
    con.execute("set preserve_insertion_order = true")
    con.execute(f"set memory_limit = {quote_literal(memory_limit())}")
    con.execute(f"set temp_directory = {quote_literal(str(scratch))}")
    # Timestamps with a time zone are rendered in UTC (needs the ICU extension).
    with contextlib.suppress(duckdb.Error):
        con.execute("set TimeZone = 'UTC'")


def _decode_problem(
    path: Path,
    encoding: str,
    error: UnicodeDecodeError,
    *,
    chunk: bytes,
    consumed: int,
    newlines: int | None,
) -> _FileProblems:
    """A file not valid in its encoding: name the file, the place and the remedy."""
    data = error.object if isinstance(error.object, bytes | bytearray) else chunk
    carried = max(len(data) - len(chunk), 0)  # bytes held over from the last chunk
    offset = consumed - carried + error.start
    bad = bytes(data[error.start : error.end][:4]).hex(" ")
    where = f"byte offset {offset}"
    if newlines is not None:
        line = newlines - data[:carried].count(b"\n") + data[: error.start].count(b"\n")
        where = f"line {line + 1}, {where}"
    return _FileProblems(
        [
            f"{path.name}: not valid {encoding} text ({where}: bytes {bad}); "
            f"{_ENCODING_REMEDY}"
        ]
    )


def _scan_file(path: Path, file_format: str, encoding: str, scratch: Path) -> _Scanned:
    """Read a landing file once: checksum, size, and for text files the check that
    it is valid in ``encoding``; a copy in UTF-8 (without a byte order mark) is
    written to ``scratch`` when DuckDB cannot read the file as it is."""
    digest = hashlib.sha256()
    size = 0
    if file_format not in _TEXT_FORMATS:
        with path.open("rb") as source:
            while chunk := source.read(_CHUNK_BYTES):
                digest.update(chunk)
                size += len(chunk)
        return _Scanned(path, digest.hexdigest(), size)
    codec = check_encoding(encoding)
    utf8 = _is_utf8(codec)
    decoder = codecs.getincrementaldecoder("utf-8" if utf8 else codec.name)("strict")
    ascii_compatible = "\n".encode(codec.name, "ignore") == b"\n"
    newlines: int | None = 0 if ascii_compatible else None
    read_path = path
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(path.open("rb"))
        first = source.read(_CHUNK_BYTES)
        # DuckDB reads UTF-8 only, and its JSON reader refuses a byte order mark.
        copy = not utf8 or (file_format == "jsonl" and first.startswith(_UTF8_BOM))
        target = None
        if copy:
            read_path = scratch / f"{path.name.strip()}.utf8"
            target = stack.enter_context(read_path.open("wb"))
        chunk = first
        start = True
        while chunk:
            digest.update(chunk)
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise _decode_problem(
                    path,
                    encoding,
                    error,
                    chunk=chunk,
                    consumed=size,
                    newlines=newlines,
                ) from error
            except UnicodeError as error:  # e.g. "UTF-16 stream does not start..."
                raise _FileProblems(
                    [
                        f"{path.name}: not valid {encoding} text ({error}); "
                        f"{_ENCODING_REMEDY}"
                    ]
                ) from error
            size += len(chunk)
            if newlines is not None:
                newlines += chunk.count(b"\n")
            if target is not None:
                if start and text.startswith("\ufeff"):
                    text = text[1:]
                target.write(text.encode("utf-8"))
            start = False
            chunk = source.read(_CHUNK_BYTES)
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise _decode_problem(
                path, encoding, error, chunk=b"", consumed=size, newlines=newlines
            ) from error
        except UnicodeError as error:
            raise _FileProblems(
                [
                    f"{path.name}: not valid {encoding} text ({error}); "
                    f"{_ENCODING_REMEDY}"
                ]
            ) from error
        if target is not None and tail:
            target.write(tail.encode("utf-8"))
    return _Scanned(read_path, digest.hexdigest(), size)


def _header_names(scanned: _Scanned, path: Path) -> list[str] | None:
    """The header row of a CSV (None: the file has no line at all)."""
    try:
        with scanned.read_path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), None)
    except csv.Error as error:
        raise _FileProblems(
            [f"{path.name}: unreadable header row ({error})"]
        ) from error


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    scanned: _Scanned,
    stage: str,
) -> tuple[str, ...] | None:
    """Read a CSV (header row, maybe a BOM) as text, in file order.

    Returns None for a file without a header row (no content)."""
    header = _header_names(scanned, path)
    if not header:
        return None
    names = tuple(name.strip() or f"column{index}" for index, name in enumerate(header))
    _require_columns(entity, path.name, names)
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


def _is_blank(line: bytes) -> bool:
    return not line.strip()


def _line_of_record(path: Path, record: int) -> int | None:
    """The 1-based line of the ``record``-th (1-based) non-blank line of a file."""
    seen = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if _is_blank(line):
                continue
            seen += 1
            if seen == record:
                return number
    return None


def _first_malformed_line(path: Path) -> tuple[int, str] | None:
    """The first line (1-based, blank lines counted) that is not valid JSON."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if _is_blank(line):
                continue
            try:
                json.loads(line)
            except ValueError as error:
                reason = getattr(error, "msg", None) or str(error)
                column = getattr(error, "colno", None)
                at = f" at column {column}" if column else ""
                return number, f"{reason}{at}"
    return None


def _malformed_json_problem(
    path: Path, read_path: Path, error: duckdb.Error
) -> _FileProblems:
    """Name the first malformed line of a JSON lines file by its line number."""
    found = _first_malformed_line(read_path)
    if found is not None:
        line, reason = found
        return _FileProblems([f"{path.name}: line {line} is not valid JSON ({reason})"])
    # Python's parser accepted every line; DuckDB's is stricter somewhere. Its "line"
    # is the 1-based record (blank lines skipped) plus one: map it to the file line.
    message = _error_line(error)
    match = _DUCKDB_JSON_LINE.search(message)
    if match:
        line_number = _line_of_record(read_path, int(match.group(1)) - 1)
        if line_number is not None:
            reason = message[match.end() :].lstrip(": ").strip() or "malformed"
            return _FileProblems(
                [f"{path.name}: line {line_number} is not valid JSON ({reason})"]
            )
    return _FileProblems([f"{path.name}: not valid JSON lines: {message}"])


def _stage_jsonl(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    scanned: _Scanned,
    stage: str,
) -> tuple[str, ...]:
    """Read JSON lines: scalars as their text, arrays and objects as JSON text."""
    objects = f"{stage}_objects"
    try:
        con.execute(
            f"create table {objects} as select json as j from read_json_objects("
            f"{quote_literal(str(scanned.read_path))}, format = 'newline_delimited')"
        )
    except duckdb.InvalidInputException as error:
        raise _malformed_json_problem(path, scanned.read_path, error) from error
    counted = con.execute(
        "select count(*), count(*) filter (where not_object), "
        "min(record) filter (where not_object) + 1 from ("
        "select rowid as record, json_type(j) is distinct from 'OBJECT' "
        f"as not_object from {objects})"
    ).fetchone()
    records, not_objects, first_not_object = counted or (0, 0, None)
    if not_objects:
        line = _line_of_record(scanned.read_path, int(first_not_object))
        raise _FileProblems(
            [
                f"{path.name}: {not_objects} line(s) are not JSON objects "
                f"(first: line {line})"
            ]
        )
    duplicated = con.execute(
        f"select min(rowid) + 1 from {objects} "
        "where len(json_keys(j)) <> len(list_distinct(json_keys(j)))"
    ).fetchone()
    if duplicated and duplicated[0] is not None:
        line = _line_of_record(scanned.read_path, int(duplicated[0]))
        raise _FileProblems([f"{path.name}: line {line} repeats a key in one object"])
    rows = con.execute(
        "select key from ("
        "select rowid as record, unnest(json_keys(j)) as key, "
        f"generate_subscripts(json_keys(j), 1) as position from {objects}"
        ") group by key order by min(record), min_by(position, record)"
    ).fetchall()
    names = tuple(str(row[0]) for row in rows)
    if any(not normalize_name(name) for name in names):
        raise _FileProblems([f"{path.name}: an object has a blank key"])
    folded = [normalize_name(name) for name in names]
    clashes = sorted({name for name in names if folded.count(normalize_name(name)) > 1})
    if clashes:  # one column, several spellings: which would win is undefined
        raise _FileProblems(
            [
                f"{path.name}: keys name the same column in different spellings: "
                + ", ".join(repr(name) for name in clashes)
            ]
        )
    # JSON lines name their columns only in their records: no record, no check.
    _require_columns(entity, path.name, names, check_required=records > 0)
    if names:
        spec = quote_literal(json.dumps({name: "JSON" for name in names}))
        values = ", ".join(
            f"case when json_type(v.{quote_identifier(name)}) in ('OBJECT', 'ARRAY') "
            f"then cast(v.{quote_identifier(name)} as varchar) "
            f"else json_extract_string(v.{quote_identifier(name)}, '$') end "
            f"as c{index}"
            for index, name in enumerate(names)
        )
        con.execute(
            f"create table {stage} as select {values} from ("
            f"select rowid as record, json_transform(j, {spec}) as v from {objects}"
            ") order by record"
        )
    else:
        con.execute(
            f"create table {stage} as select rowid as record from {objects} "
            "order by rowid"
        )
    con.execute(f"drop table {objects}")
    return tuple(name.strip() for name in names)


def _text_expression(column: str, type_name: str) -> str:
    """Cast one Parquet column to text; nested values become JSON text."""
    upper = type_name.upper()
    if upper.endswith("]") or upper.startswith(_NESTED_TYPE_PREFIXES):
        return f"cast(to_json({column}) as varchar)"
    return f"cast({column} as varchar)"


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, entity: Entity, path: Path, stage: str
) -> tuple[str, ...]:
    source = f"read_parquet({quote_literal(str(path))}, file_row_number = true)"
    described = con.execute(f"describe select * from {source}").fetchall()
    columns = [(str(row[0]), str(row[1])) for row in described]
    columns = [item for item in columns if item[0] != "file_row_number"]
    names = tuple(name for name, _ in columns)
    _require_columns(entity, path.name, names)
    values = ", ".join(
        f"{_text_expression(quote_identifier(name), type_name)} as c{index}"
        for index, (name, type_name) in enumerate(columns)
    )
    select = values or "file_row_number"
    con.execute(
        f"create table {stage} as select {select} from {source} "
        "order by file_row_number"
    )
    return tuple(name.strip() or f"column{index}" for index, name in enumerate(names))


def _empty_file_problem(entity: Entity, path: Path, size: int) -> str:
    what = "an empty file (0 bytes)" if size == 0 else "no data rows"
    return f"{path.name}: {what}; the {entity.name} file must hold at least one record"


def _stage_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    scratch: Path,
    encoding: str,
) -> _StagedFile:
    file_format = normalize_name(path.name).rpartition(".")[2].strip()
    stage = f"stage_{entity.name}"
    scanned = _scan_file(path, file_format, encoding, scratch)
    names: tuple[str, ...] | None = None
    if scanned.size_bytes:
        try:
            if file_format == "csv":
                names = _stage_csv(con, entity, path, scanned, stage)
            elif file_format == "jsonl":
                names = _stage_jsonl(con, entity, path, scanned, stage)
            else:
                names = _stage_parquet(con, entity, path, stage)
        except duckdb.Error as error:
            raise _FileProblems(
                [f"{path.name}: cannot be read: {_error_line(error)}"]
            ) from error
    row_count = 0
    if names is not None:
        count = con.execute(f"select count(*) from {stage}").fetchone()
        row_count = int(count[0]) if count else 0
    if row_count == 0 and entity.requires_rows:
        raise _FileProblems([_empty_file_problem(entity, path, scanned.size_bytes)])
    return _StagedFile(
        entity=entity,
        path=path,
        file_format=file_format,
        names=names or (),
        stage_table=stage if names is not None else None,
        row_count=row_count,
        sha256=scanned.sha256,
        size_bytes=scanned.size_bytes,
    )


def _raw_select(staged: _StagedFile) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
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
    return WarehouseWriteError(f"cannot {verb} {database}: {_error_line(error)}")


def _publish(
    con: duckdb.DuckDBPyConnection,
    database: Path,
    staged: dict[str, _StagedFile],
    loaded_at: datetime,
) -> list[EntityLoad]:
    """Replace every raw table and the load audit in one transaction."""
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"attach {quote_literal(str(database))} as {_TARGET_ALIAS}")
    except (OSError, duckdb.Error) as error:
        raise _write_error(database, "open", error) from error
    schema = f"{_TARGET_ALIAS}.{quote_identifier(contract.RAW_SCHEMA)}"
    loads: list[EntityLoad] = []
    try:
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {schema}")
        for entity in contract.ENTITIES:
            table = f"{schema}.{quote_identifier(entity.name)}"
            item = staged.get(entity.name)
            if item is None or item.stage_table is None:
                con.execute(
                    f"create or replace table {table} ({_empty_table_ddl(entity)})"
                )
                if item is None:
                    loads.append(EntityLoad(entity.name, None, None, 0, None))
                else:
                    loads.append(
                        EntityLoad(
                            entity=entity.name,
                            file_name=item.path.name,
                            file_format=item.file_format,
                            row_count=0,
                            sha256=item.sha256,
                            size_bytes=item.size_bytes,
                        )
                    )
                continue
            sql, extras, null_columns = _raw_select(item)
            if not item.names:  # no record named a column: nothing is "absent"
                null_columns = ()
            con.execute(f"create or replace table {table} as {sql}")
            loads.append(
                EntityLoad(
                    entity=entity.name,
                    file_name=item.path.name,
                    file_format=item.file_format,
                    row_count=item.row_count,
                    sha256=item.sha256,
                    extra_columns=extras,
                    null_columns=null_columns,
                    size_bytes=item.size_bytes,
                )
            )
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
        con.execute("commit")
    except duckdb.Error as error:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise _write_error(database, "write", error) from error
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"detach {_TARGET_ALIAS}")
    return loads


def _load_warnings(staged: dict[str, _StagedFile]) -> list[str]:
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


def load_landing(
    raw_dir: Path, database: Path, *, encoding: str = DEFAULT_ENCODING
) -> LoadReport:
    """Land ``raw_dir`` into the raw schema of ``database``.

    Raises LandingContractError (nothing written) when any file breaks the contract,
    WarehouseBusyError when another process has the database file open, and
    WarehouseWriteError when the database file cannot be written. The caller holds
    the warehouse's lock file (see ``utility_warehouse.lock``).
    """
    raw_dir = Path(raw_dir)
    database = Path(database)
    if not raw_dir.is_dir():
        raise LandingContractError([f"landing folder not found: {raw_dir}"])
    try:
        check_encoding(encoding)
    except LookupError as error:
        raise LandingContractError([f"unknown text encoding {encoding!r}"]) from error
    try:
        located = _locate(raw_dir)
    except OSError as error:
        raise LandingContractError([f"cannot list {raw_dir}: {error}"]) from error
    problems = list(located.problems)
    staged: dict[str, _StagedFile] = {}
    with (
        tempfile.TemporaryDirectory(prefix="utility-load-") as scratch_dir,
        duckdb.connect(":memory:") as con,
    ):
        scratch = Path(scratch_dir)
        _configure(con, scratch)
        for entity in contract.ENTITIES:
            path = located.files.get(entity.name)
            if path is None:
                continue
            try:
                staged[entity.name] = _stage_file(con, entity, path, scratch, encoding)
            except _FileProblems as error:
                problems.extend(error.problems)
            except OSError as error:
                problems.append(f"{path.name}: cannot be read: {error}")
        if problems:
            raise LandingContractError(problems)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        loads = _publish(con, database, staged, loaded_at)
    return LoadReport(
        raw_dir=raw_dir,
        database=database,
        loaded_at=loaded_at,
        entities=tuple(loads),
        warnings=(*located.warnings, *_load_warnings(staged)),
        encoding=encoding,
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
    encoding = ""
    if not _is_utf8(check_encoding(report.encoding)):
        encoding = f", text files read as {report.encoding}"
    files = ""
    if not detail:
        count = sum(1 for item in report.entities if item.file_name is not None)
        files = f" from {count} file" + ("" if count == 1 else "s")
    lines = [
        f"loaded {report.raw_dir} into {report.database} "
        f"(schema {contract.RAW_SCHEMA}, {report.total_rows} rows{files}{encoding})"
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
    """--raw-dir, --database and --encoding: the arguments of ``load`` and ``run``."""
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
    parser.add_argument(
        "--encoding",
        type=encoding_argument,
        default=DEFAULT_ENCODING,
        metavar="NAME",
        help="encoding of the CSV and JSON lines files (default: utf-8; e.g. "
        "cp1252 or latin-1 for spreadsheet exports); others are transcoded to "
        "UTF-8 before loading",
    )


def busy_exit(message: str) -> int:
    """Report a busy warehouse on one line of stderr: exit 3."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    return EXIT_BUSY


def main(args: argparse.Namespace) -> int:
    database = Path(args.database)
    lock = WarehouseLock(database, getattr(args, "command_line", None))
    try:
        lock.acquire()
    except WarehouseBusy as error:
        return busy_exit(str(error))
    except OSError as error:
        print(
            f"error: cannot create the lock file {lock.path}: {error}", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    try:
        report = load_landing(args.raw_dir, database, encoding=args.encoding)
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
