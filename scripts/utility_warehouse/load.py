"""Land a landing folder into the ``raw`` schema of a DuckDB file, every value as text.

A landing folder holds one file per entity of the contract (``<entity>.csv``,
``<entity>.jsonl`` or ``<entity>.parquet``). Every file is checked first and read
into an in-memory staging database; only when no file breaks the contract is the
warehouse file opened and every raw table replaced, all in one transaction.

Each raw table holds the contract columns (optional ones added as NULL text when a
file lacks them), then any extra columns of the file, then ``_row_number`` (the
1-based position of the row in its file) and ``_source_file`` (the file name).
``raw._load_audit`` describes what the raw tables now hold: one row per landed file.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from utility_warehouse import contract
from utility_warehouse.contract import Entity
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_OK

COMMAND = "load"
HELP = (
    "Land a landing folder into the raw schema of a DuckDB file, every value as text."
)


_TARGET_ALIAS = "landing_target"
_UTF8_BOM = b"\xef\xbb\xbf"
_RESERVED_COLUMNS = (contract.ROW_NUMBER_COLUMN, contract.SOURCE_FILE_COLUMN)
_NESTED_TYPE_PREFIXES = ("STRUCT", "MAP", "UNION")


class LandingContractError(Exception):
    """The landing folder breaks the contract; ``problems`` has one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class WarehouseWriteError(Exception):
    """The landing folder is fine but the warehouse file could not be written."""


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


@dataclass(frozen=True)
class LoadReport:
    """The outcome of a load: one entry per entity of the contract."""

    raw_dir: Path
    database: Path
    loaded_at: datetime
    entities: tuple[EntityLoad, ...]

    @property
    def total_rows(self) -> int:
        return sum(item.row_count for item in self.entities)

    def rows_by_entity(self) -> dict[str, int]:
        return {item.entity: item.row_count for item in self.entities}


@dataclass(frozen=True)
class _StagedFile:
    """A landing file read into the staging database as ``c0 .. cN`` text columns."""

    entity: Entity
    path: Path
    file_format: str
    names: tuple[str, ...]
    stage_table: str
    row_count: int
    sha256: str


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
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def locate_files(raw_dir: Path) -> tuple[dict[str, Path], list[str]]:
    """The landing file of each entity present, and the problems in finding them."""
    found: dict[str, Path] = {}
    problems: list[str] = []
    for entity in contract.ENTITIES:
        candidates = [
            raw_dir / f"{entity.name}.{fmt}"
            for fmt in contract.FILE_FORMATS
            if (raw_dir / f"{entity.name}.{fmt}").is_file()
        ]
        if len(candidates) > 1:
            names = ", ".join(path.name for path in candidates)
            problems.append(
                f"{entity.name}: more than one file for one entity: {names} "
                "(keep exactly one)"
            )
        elif candidates:
            found[entity.name] = candidates[0]
        elif not entity.file_optional:
            names = f"{entity.name}." + "|.".join(contract.FILE_FORMATS)
            problems.append(f"missing required file: {names} in {raw_dir}")
    return found, problems


def _column_problems(
    entity: Entity, file_name: str, names: Sequence[str], *, check_required: bool = True
) -> list[str]:
    """Contract problems of a file's column names (compared case-insensitively)."""
    problems: list[str] = []
    seen: set[str] = set()
    for name in names:
        folded = name.lower()
        if folded in seen:
            problems.append(f"{file_name}: duplicate column {name!r}")
        seen.add(folded)
        if folded in _RESERVED_COLUMNS:
            problems.append(
                f"{file_name}: column {name!r} is reserved for the loader; rename it"
            )
    if check_required:
        for column in entity.required_columns:
            if column.lower() not in seen:
                problems.append(f"{file_name}: missing required column {column!r}")
    return problems


def _require_columns(
    entity: Entity, file_name: str, names: Sequence[str], *, check_required: bool = True
) -> None:
    problems = _column_problems(entity, file_name, names, check_required=check_required)
    if problems:
        raise _FileProblems(problems)


def _configure(con: duckdb.DuckDBPyConnection, scratch: Path) -> None:
    con.execute("set preserve_insertion_order = true")
    con.execute(f"set temp_directory = {quote_literal(str(scratch))}")
    # Timestamps with a time zone are rendered in UTC (needs the ICU extension).
    with contextlib.suppress(duckdb.Error):
        con.execute("set TimeZone = 'UTC'")


def _stage_csv(
    con: duckdb.DuckDBPyConnection, entity: Entity, path: Path, stage: str
) -> tuple[str, ...]:
    """Read a CSV (header row, UTF-8, maybe a BOM) as text, in file order."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as error:
        raise _FileProblems([f"{path.name}: not UTF-8 text ({error})"]) from error
    except csv.Error as error:
        raise _FileProblems(
            [f"{path.name}: unreadable header row ({error})"]
        ) from error
    if not header:
        raise _FileProblems([f"{path.name}: empty file, no header row"])
    names = tuple(name or f"column{index}" for index, name in enumerate(header))
    _require_columns(entity, path.name, names)
    columns = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(len(names)))
    # Nothing is sniffed: the dialect and the columns are given and every value is
    # read as text. The CSV reader keeps the rows in file order, also in parallel.
    source = (
        f"read_csv({quote_literal(str(path))}, columns = {{{columns}}}, "
        "all_varchar = true, header = true, auto_detect = false, "
        "delim = ',', quote = '\"', escape = '\"', "
        "strict_mode = true, null_padding = false, encoding = 'utf-8')"
    )
    con.execute(f"create table {stage} as select * from {source}")
    return names


def _stage_jsonl(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    stage: str,
    scratch: Path,
) -> tuple[str, ...]:
    """Read JSON lines: scalars as their text, arrays and objects as JSON text."""
    source_path = path
    with path.open("rb") as handle:
        starts_with_bom = handle.read(len(_UTF8_BOM)) == _UTF8_BOM
    if starts_with_bom:  # DuckDB's JSON reader refuses a byte order mark
        source_path = scratch / f"{path.stem}.nobom.jsonl"
        with path.open("rb") as source, source_path.open("wb") as target:
            source.seek(len(_UTF8_BOM))
            shutil.copyfileobj(source, target, 1 << 20)
    objects = f"{stage}_objects"
    con.execute(
        f"create table {objects} as select json as j from read_json_objects("
        f"{quote_literal(str(source_path))}, format = 'newline_delimited')"
    )
    counted = con.execute(
        "select count(*), count(*) filter (where not_object), "
        "min(record) filter (where not_object) + 1 from ("
        "select rowid as record, json_type(j) is distinct from 'OBJECT' "
        f"as not_object from {objects})"
    ).fetchone()
    records, not_objects, first_not_object = counted or (0, 0, None)
    if not_objects:
        raise _FileProblems(
            [
                f"{path.name}: {not_objects} line(s) are not JSON objects "
                f"(first: record {first_not_object})"
            ]
        )
    duplicated = con.execute(
        f"select min(rowid) + 1 from {objects} "
        "where len(json_keys(j)) <> len(list_distinct(json_keys(j)))"
    ).fetchone()
    if duplicated and duplicated[0] is not None:
        raise _FileProblems(
            [f"{path.name}: record {duplicated[0]} repeats a key in one object"]
        )
    rows = con.execute(
        "select key from ("
        "select rowid as record, unnest(json_keys(j)) as key, "
        f"generate_subscripts(json_keys(j), 1) as position from {objects}"
        ") group by key order by min(record), min_by(position, record)"
    ).fetchall()
    names = tuple(str(row[0]) for row in rows)
    if any(not name for name in names):
        raise _FileProblems([f"{path.name}: an object has a blank key"])
    folded = [name.lower() for name in names]
    clashes = sorted({name for name in names if folded.count(name.lower()) > 1})
    if clashes:  # DuckDB column names are case-insensitive
        raise _FileProblems(
            [f"{path.name}: keys differ only in case: {', '.join(clashes)}"]
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
    return names


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
    return names


def _stage_file(
    con: duckdb.DuckDBPyConnection, entity: Entity, path: Path, scratch: Path
) -> _StagedFile:
    file_format = path.suffix.removeprefix(".")
    stage = f"stage_{entity.name}"
    try:
        if file_format == "csv":
            names = _stage_csv(con, entity, path, stage)
        elif file_format == "jsonl":
            names = _stage_jsonl(con, entity, path, stage, scratch)
        else:
            names = _stage_parquet(con, entity, path, stage)
    except duckdb.Error as error:
        raise _FileProblems(
            [f"{path.name}: cannot be read: {_error_line(error)}"]
        ) from error
    count = con.execute(f"select count(*) from {stage}").fetchone()
    row_count = int(count[0]) if count else 0
    return _StagedFile(
        entity=entity,
        path=path,
        file_format=file_format,
        names=names,
        stage_table=stage,
        row_count=row_count,
        sha256=file_sha256(path),
    )


def _raw_select(staged: _StagedFile) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The select that builds a raw table from its staging table."""
    position = {name.lower(): index for index, name in enumerate(staged.names)}
    contract_names = {column.lower() for column in staged.entity.all_columns}
    items: list[str] = []
    null_columns: list[str] = []
    for column in staged.entity.all_columns:
        index = position.get(column.lower())
        if index is None:
            items.append(f"cast(null as varchar) as {quote_identifier(column)}")
            null_columns.append(column)
        else:
            items.append(f"c{index} as {quote_identifier(column)}")
    extras = tuple(name for name in staged.names if name.lower() not in contract_names)
    items.extend(
        f"c{position[name.lower()]} as {quote_identifier(name)}" for name in extras
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
        raise WarehouseWriteError(
            f"cannot open {database}: {_error_line(error)}"
        ) from error
    schema = f"{_TARGET_ALIAS}.{quote_identifier(contract.RAW_SCHEMA)}"
    loads: list[EntityLoad] = []
    try:
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {schema}")
        for entity in contract.ENTITIES:
            table = f"{schema}.{quote_identifier(entity.name)}"
            item = staged.get(entity.name)
            if item is None:
                con.execute(
                    f"create or replace table {table} ({_empty_table_ddl(entity)})"
                )
                loads.append(EntityLoad(entity.name, None, None, 0, None))
                continue
            sql, extras, null_columns = _raw_select(item)
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
        raise WarehouseWriteError(
            f"cannot write {database}: {_error_line(error)}"
        ) from error
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"detach {_TARGET_ALIAS}")
    return loads


def load_landing(raw_dir: Path, database: Path) -> LoadReport:
    """Land ``raw_dir`` into the raw schema of ``database``.

    Raises LandingContractError (nothing written) when any file breaks the contract,
    and WarehouseWriteError when the database file cannot be written.
    """
    raw_dir = Path(raw_dir)
    database = Path(database)
    if not raw_dir.is_dir():
        raise LandingContractError([f"landing folder not found: {raw_dir}"])
    found, problems = locate_files(raw_dir)
    staged: dict[str, _StagedFile] = {}
    with (
        tempfile.TemporaryDirectory(prefix="utility-load-") as scratch_dir,
        duckdb.connect(":memory:") as con,
    ):
        scratch = Path(scratch_dir)
        _configure(con, scratch)
        for entity in contract.ENTITIES:
            path = found.get(entity.name)
            if path is None:
                continue
            try:
                staged[entity.name] = _stage_file(con, entity, path, scratch)
            except _FileProblems as error:
                problems.extend(error.problems)
        if problems:
            raise LandingContractError(problems)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        loads = _publish(con, database, staged, loaded_at)
    return LoadReport(
        raw_dir=raw_dir,
        database=database,
        loaded_at=loaded_at,
        entities=tuple(loads),
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


def format_report(report: LoadReport) -> str:
    width = max(len(item.entity) for item in report.entities)
    lines = [
        f"loaded {report.raw_dir} into {report.database} "
        f"(schema {contract.RAW_SCHEMA}, {report.total_rows} rows)"
    ]
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
        suffix = f"  [{'; '.join(notes)}]" if notes else ""
        lines.append(
            f"  {item.entity:<{width}}  {item.row_count:>10,} rows  {source}{suffix}"
        )
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--raw-dir and --database: the arguments of ``load`` and ``run``."""
    parser.add_argument(
        "--raw-dir",
        type=Path,
        required=True,
        help="landing folder: one <entity>.csv|.jsonl|.parquet file per entity",
    )
    parser.add_argument(
        "--database", type=Path, required=True, help="DuckDB file of the warehouse"
    )


def main(args: argparse.Namespace) -> int:
    try:
        report = load_landing(args.raw_dir, args.database)
    except LandingContractError as error:
        report_problems(args.raw_dir, error.problems)
        return EXIT_BAD_INPUT
    except WarehouseWriteError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(format_report(report))
    return EXIT_OK
