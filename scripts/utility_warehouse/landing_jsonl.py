"""Read a JSON lines landing file into the staging database, every value as text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from utility_warehouse.contract import Entity, normalize_name
from utility_warehouse.duckdb_text import error_line, quote_identifier, quote_literal
from utility_warehouse.landing_columns import check_column_count, require_columns
from utility_warehouse.landing_errors import FileProblems
from utility_warehouse.landing_scan import Scanned

_DUCKDB_JSON_LINE = re.compile(r"\s+at byte \d+ in line (\d+)", re.IGNORECASE)


def _is_blank(line: bytes) -> bool:
    return not line.strip()


def line_of_record(path: Path, record: int) -> int | None:
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
) -> FileProblems:
    """Name the first malformed line of a JSON lines file by its line number."""
    found = _first_malformed_line(read_path)
    if found is not None:
        line, reason = found
        return FileProblems([f"{path.name}: line {line} is not valid JSON ({reason})"])
    # Python's parser accepted every line; DuckDB's is stricter somewhere. Its "line"
    # is the 1-based record (blank lines skipped) plus one: map it to the file line.
    message = error_line(error)
    match = _DUCKDB_JSON_LINE.search(message)
    if match:
        line_number = line_of_record(read_path, int(match.group(1)) - 1)
        if line_number is not None:
            reason = message[match.end() :].lstrip(": ").strip() or "malformed"
            return FileProblems(
                [f"{path.name}: line {line_number} is not valid JSON ({reason})"]
            )
    return FileProblems([f"{path.name}: not valid JSON lines: {message}"])


def stage_jsonl(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    scanned: Scanned,
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
        line = line_of_record(scanned.read_path, int(first_not_object))
        raise FileProblems(
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
        line = line_of_record(scanned.read_path, int(duplicated[0]))
        raise FileProblems([f"{path.name}: line {line} repeats a key in one object"])
    rows = con.execute(
        "select key from ("
        "select rowid as record, unnest(json_keys(j)) as key, "
        f"generate_subscripts(json_keys(j), 1) as position from {objects}"
        ") group by key order by min(record), min_by(position, record)"
    ).fetchall()
    names = tuple(str(row[0]) for row in rows)
    check_column_count(path.name, len({normalize_name(name) for name in names}))
    if any(not normalize_name(name) for name in names):
        raise FileProblems([f"{path.name}: an object has a blank key"])
    folded = [normalize_name(name) for name in names]
    clashes = sorted({name for name in names if folded.count(normalize_name(name)) > 1})
    if clashes:  # one column, several spellings: which would win is undefined
        raise FileProblems(
            [
                f"{path.name}: keys name the same column in different spellings: "
                + ", ".join(repr(name) for name in clashes)
            ]
        )
    # JSON lines name their columns only in their records: no record, no check.
    require_columns(entity, path.name, names, check_required=records > 0)
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
