"""Read a JSON lines landing file into the staging database, every value as text.

Each line holds one JSON object; its keys match the contract's columns like CSV
headers do (any case, surrounding spaces), and different lines may spell a
column differently; only one object holding two spellings of one column is an
error. A string lands as itself, ``true``/``false`` as that text, an object or
an array as its JSON text, and a number as its exact source text
(``123456789012.345678``, ``1e5``), never through binary floating point.

DuckDB's JSON functions read numbers as doubles, so a number's text is taken
from the line itself: a regular expression finds ``"<key>": <number>`` in the
line. Where that could be ambiguous (the key also appears inside an object or
array of the line, a key holds a quote or a backslash, or a nested number would
be rewritten) the file is first rewritten in a streaming Python pass, line for
line, with every top-level value as a JSON string of its source text, and the
rewritten file is read instead. Line numbers in errors are the file's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse.contract import Entity, normalize_name
from utility_warehouse.duckdb_text import error_line, number_text, quote_literal
from utility_warehouse.landing_columns import check_column_count, require_columns
from utility_warehouse.landing_errors import FileProblems
from utility_warehouse.landing_scan import Scanned

_DUCKDB_JSON_LINE = re.compile(r"\s+at byte \d+ in line (\d+)", re.IGNORECASE)
_NUMBER = r"\s*:\s*(-?[0-9][0-9.eE+-]*)"
# A number with a fraction or an exponent inside DuckDB's text of an object or
# array: DuckDB wrote it back from a double.
_NESTED_DOUBLE = r"[:\[,]-?[0-9]+[.eE]"
_CONTAINERS = ("OBJECT", "ARRAY")


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


# --- the exact rewrite ---------------------------------------------------------


class _Number(str):
    """A JSON number's source text."""

    __slots__ = ()


_DECODE = json.JSONDecoder(
    parse_float=_Number, parse_int=_Number, parse_constant=_Number
).decode
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _nested_text(value: Any) -> str:
    """JSON text of a value inside an object or array, numbers as written."""
    if isinstance(value, _Number):
        return str.__str__(value)
    if isinstance(value, dict):
        members = (
            f"{_ENCODE(key)}:{_nested_text(item)}" for key, item in value.items()
        )
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_nested_text(item) for item in value) + "]"
    return str(_ENCODE(value))


def _top_level_text(value: Any, decimal_separator: str = ".") -> str | None:
    """What a top-level value lands as: its text (None for null); a number's
    text is written with the folder's decimal separator."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Number):
        return str.__str__(value).replace(".", decimal_separator)
    if isinstance(value, str):
        return str.__str__(value)
    return _nested_text(value)


def textual_line(line: str, decimal_separator: str = ".") -> str:
    """One JSON object with every top-level value as a string of its text."""
    content = _DECODE(line)
    if not isinstance(content, dict):
        raise ValueError("not a JSON object")
    return str(
        _ENCODE(
            {
                key: _top_level_text(item, decimal_separator)
                for key, item in content.items()
            }
        )
    )


def rewrite_textual(
    path: Path, source: Path, target: Path, decimal_separator: str = "."
) -> None:
    """Rewrite a JSON lines file, line for line (blank lines kept), with every
    top-level value as a JSON string of its source text."""
    with source.open("rb") as reader, target.open("w", encoding="utf-8") as writer:
        for number, raw in enumerate(reader, start=1):
            if _is_blank(raw):
                writer.write("\n")
                continue
            try:
                writer.write(
                    textual_line(raw.decode("utf-8"), decimal_separator) + "\n"
                )
            except (ValueError, RecursionError) as error:
                raise FileProblems(
                    [f"{path.name}: line {number} is not valid JSON ({error})"]
                ) from error


# --- reading with DuckDB ---------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """One column of the file: its first spelling and every spelling of it."""

    name: str
    spellings: tuple[int, ...]
    """Positions (1-based) in the list of the file's keys."""


def _read_objects(
    con: duckdb.DuckDBPyConnection, path: Path, read_path: Path, objects: str
) -> int:
    """Read the lines into ``objects`` (``j``: each line's text); the record count."""
    try:
        con.execute(
            f"create or replace table {objects} as select json as j from "
            f"read_json_objects({quote_literal(str(read_path))}, "
            "format = 'newline_delimited')"
        )
    except duckdb.InvalidInputException as error:
        raise _malformed_json_problem(path, read_path, error) from error
    counted = con.execute(
        "select count(*), count(*) filter (where not_object), "
        "min(record) filter (where not_object) + 1 from ("
        "select rowid as record, json_type(j) is distinct from 'OBJECT' "
        f"as not_object from {objects})"
    ).fetchone()
    records, not_objects, first_not_object = counted or (0, 0, None)
    if not_objects:
        line = line_of_record(read_path, int(first_not_object))
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
        line = line_of_record(read_path, int(duplicated[0]))
        raise FileProblems([f"{path.name}: line {line} repeats a key in one object"])
    return int(records)


def _keys(con: duckdb.DuckDBPyConnection, objects: str) -> list[str]:
    """The file's keys (as spelled) in order of first appearance."""
    rows = con.execute(
        "select key from ("
        "select rowid as record, unnest(json_keys(j)) as key, "
        f"generate_subscripts(json_keys(j), 1) as position from {objects}"
        ") group by key order by min(record), min_by(position, record)"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _columns(path: Path, keys: Sequence[str]) -> list[_Column]:
    """The file's columns: keys grouped by their folded name, in order."""
    if any(not normalize_name(key) for key in keys):
        raise FileProblems([f"{path.name}: an object has a blank key"])
    grouped: dict[str, list[int]] = {}
    for position, key in enumerate(keys, start=1):
        grouped.setdefault(normalize_name(key), []).append(position)
    check_column_count(path.name, len(grouped))
    return [
        _Column(keys[positions[0] - 1].strip(), tuple(positions))
        for positions in grouped.values()
    ]


def _check_one_spelling_per_object(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    read_path: Path,
    values: str,
    columns: Sequence[_Column],
    keys: Sequence[str],
) -> None:
    """Only one object holding two spellings of one column is an error."""
    for column in columns:
        if len(column.spellings) < 2:
            continue
        flags = [f"v[{k}] is not null" for k in column.spellings]
        found = con.execute(
            f"select record + 1, [{', '.join(flags)}] from {values} "
            f"where {' + '.join(f'({flag})::int' for flag in flags)} > 1 "
            "order by record limit 1"
        ).fetchone()
        if found is None:
            continue
        line = line_of_record(read_path, int(found[0]))
        spelled = ", ".join(
            repr(keys[k - 1])
            for k, present in zip(column.spellings, found[1], strict=True)
            if present
        )
        raise FileProblems(
            [
                f"{path.name}: line {line} holds one column in two spellings "
                f"({spelled}); keep one"
            ]
        )


_NUMBERS = ("BIGINT", "UBIGINT", "HUGEINT", "DOUBLE")
_NOT_FOUND = "chr(0)"
"""The text of a number whose key the regular expression did not find."""


def _spelled(key: str) -> str:
    """How a key is written in a line (JSON string syntax)."""
    return json.dumps(key, ensure_ascii=False)


def _types(keys: Sequence[str]) -> str:
    return ", ".join(f"json_type(v[{k}]) as t{k}" for k in range(1, len(keys) + 1))


def _value_text(position: int, key: str, decimal_separator: str) -> str:
    """SQL: the text of the value of the key at ``position`` (its JSON type is
    ``t<position>``); a number's is the text after ``"<key>":`` in the line,
    written with the folder's decimal separator."""
    value, kind = f"v[{position}]", f"t{position}"
    pattern = quote_literal(re.escape(_spelled(key)) + _NUMBER)
    number = number_text(
        f"nullif(regexp_extract(j, {pattern}, 1), '')", decimal_separator
    )
    return (
        f"case when {kind} = 'VARCHAR' then json_extract_string({value}, '$') "
        f"when {kind} in ('BOOLEAN', 'OBJECT', 'ARRAY') then cast({value} as varchar) "
        f"when {kind} in {_NUMBERS} "
        f"then coalesce({number}, {_NOT_FOUND}) end"
    )


def _ambiguous(
    con: duckdb.DuckDBPyConnection, values: str, keys: Sequence[str]
) -> bool:
    """True when a number's text may not be read from its line: its key is also
    inside an object or an array of the file, which may hold numbers DuckDB
    wrote back from doubles."""
    if not keys:
        return False
    if any('"' in key or "\\" in key for key in keys):
        return True
    positions = range(1, len(keys) + 1)
    summary = ", ".join(
        f"bool_or(t{k} in {_NUMBERS}), bool_or(t{k} in {_CONTAINERS})"
        for k in positions
    )
    found = con.execute(
        f"select {summary} from (select {_types(keys)} from {values})"
    ).fetchone()
    flags = list(found or ())
    numbers = [keys[k - 1] for k in positions if flags[2 * (k - 1)]]
    containers = [k for k in positions if flags[2 * (k - 1) + 1]]
    if not containers:
        return False
    doubts = [f"regexp_matches(x, '{_NESTED_DOUBLE}')"]
    doubts.extend(f"contains(x, {quote_literal(_spelled(key))})" for key in numbers)
    texts = " union all ".join(
        f"select cast(v[{k}] as varchar) as x from {values} "
        f"where json_type(v[{k}]) in {_CONTAINERS}"
        for k in containers
    )
    ambiguous = con.execute(
        f"select bool_or({' or '.join(doubts)}) from ({texts})"
    ).fetchone()
    return bool(ambiguous and ambiguous[0])


def _create_stage(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    values: str,
    columns: Sequence[_Column],
    keys: Sequence[str],
    decimal_separator: str,
) -> bool:
    """Create the staging table; False when a number's key was not found in its
    line (written with escapes): then nothing is created."""
    if not columns:
        con.execute(
            f"create table {stage} as select record from {values} order by record"
        )
        return True
    items = []
    for index, column in enumerate(columns):
        texts = [
            _value_text(k, keys[k - 1], decimal_separator) for k in column.spellings
        ]
        joined = texts[0] if len(texts) == 1 else f"coalesce({', '.join(texts)})"
        items.append(f"{joined} as c{index}")
    con.execute(
        f"create table {stage} as select {', '.join(items)} from ("
        f"select record, j, v, {_types(keys)} from {values}) order by record"
    )
    missed = " or ".join(f"c{index} = {_NOT_FOUND}" for index in range(len(columns)))
    found = con.execute(f"select bool_or({missed}) from {stage}").fetchone()
    if found and found[0]:
        con.execute(f"drop table {stage}")
        return False
    return True


def stage_jsonl(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    scanned: Scanned,
    stage: str,
    scratch: Path,
    decimal_separator: str = ".",
) -> tuple[str, ...]:
    """Read JSON lines: strings as themselves, numbers as their source text
    (with the folder's decimal separator),
    booleans as ``true``/``false``, arrays and objects as JSON text."""
    read_path = scanned.read_path
    objects, values = f"{stage}_objects", f"{stage}_values"
    records = _read_objects(con, path, read_path, objects)
    keys = _keys(con, objects)
    columns = _columns(path, keys)
    # JSON lines name their columns only in their records: no record, no check.
    require_columns(
        entity, path.name, [c.name for c in columns], check_required=records > 0
    )
    paths = "[" + ", ".join(quote_literal(f"$.{json.dumps(k)}") for k in keys) + "]"
    extracted = f"json_extract(j, {paths})" if keys else "[]::json[]"
    con.execute(
        f"create or replace table {values} as select rowid as record, j, "
        f"{extracted} as v from {objects}"
    )
    _check_one_spelling_per_object(con, path, read_path, values, columns, keys)
    if _ambiguous(con, values, keys) or not _create_stage(
        con, stage, values, columns, keys, decimal_separator
    ):
        textual = scratch / f"{path.name.strip()}.textual"
        rewrite_textual(path, read_path, textual, decimal_separator)
        _read_objects(con, path, textual, objects)
        con.execute(
            f"create or replace table {values} as select rowid as record, j, "
            f"{extracted} as v from {objects}"
        )
        _create_stage(con, stage, values, columns, keys, decimal_separator)
    con.execute(f"drop table {objects}")
    con.execute(f"drop table {values}")
    return tuple(column.name for column in columns)
