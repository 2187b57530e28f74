"""The files of a landing folder: their names and headers (messy or clean),
and the writers that stream rows to CSV, JSON lines and Parquet."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from utility_warehouse import contract
from utility_warehouse.generate.values import JsonNumber, Row, Value, _as_text

EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {"documents": ("source_system",)}
"""Columns outside the contract that the generator writes (the loader keeps them)."""
PARQUET_BATCH_ROWS = 100_000


# Messy names (the default): the loader matches names whatever their case and
# surrounding spaces.
_MESSY_STEMS: dict[str, str] = {"meter_tags": "Meter_Tags"}
_MESSY_UPPER_EXTENSIONS = frozenset({"line_items"})
_MESSY_HEADERS: dict[str, dict[str, str]] = {
    "documents": {"updated_at": " updated_at "},
    "usage_data": {"demand": "Demand ", "is_estimated": "Is_Estimated"},
    "meters": {"is_tracked": "IS_TRACKED"},
    "sites": {"gross_floor_area_units": " Gross_Floor_Area_Units"},
}


def entity_columns(name: str) -> tuple[str, ...]:
    """The columns written for an entity: the contract's, then the extras."""
    columns = contract.ENTITY_BY_NAME[name].all_columns
    extras = tuple(c for c in EXTRA_COLUMNS.get(name, ()) if c not in columns)
    return (*columns, *extras)


def value_columns(name: str) -> tuple[str, ...]:
    """The contract columns whose values tell two versions of a record apart."""
    return tuple(
        column
        for column in contract.ENTITY_BY_NAME[name].all_columns
        if column not in contract.COMMON_OPTIONAL_COLUMNS
    )


def landing_file_name(entity: str, file_format: str, messy_names: bool) -> str:
    """The file name written for an entity, messy (the default) or clean."""
    if not messy_names:
        return f"{entity}.{file_format}"
    stem = _MESSY_STEMS.get(entity, entity)
    extension = (
        file_format.upper() if entity in _MESSY_UPPER_EXTENSIONS else file_format
    )
    return f"{stem}.{extension}"


def column_headers(entity: str, messy_names: bool) -> tuple[str, ...]:
    """The header (or key) written for each column of an entity."""
    renames = _MESSY_HEADERS.get(entity, {}) if messy_names else {}
    return tuple(renames.get(column, column) for column in entity_columns(entity))


def _landing_entity(path: Path) -> str | None:
    """The entity a file of a landing folder is for, whatever its name's case."""
    stem, dot, extension = path.name.rpartition(".")
    if not dot or contract.normalize_name(extension) not in contract.FILE_FORMATS:
        return None
    name = contract.normalize_name(stem)
    return name if name in contract.ENTITY_BY_NAME else None


class _Writer:
    """Streams rows of one entity to its file (headers name the columns)."""

    def __init__(
        self, path: Path, columns: Sequence[str], headers: Sequence[str], encoding: str
    ) -> None:
        self.columns = tuple(columns)
        self.headers = tuple(headers)
        self.rows = 0

    def write(self, row: Row) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _CsvWriter(_Writer):
    def __init__(
        self, path: Path, columns: Sequence[str], headers: Sequence[str], encoding: str
    ) -> None:
        super().__init__(path, columns, headers, encoding)
        self._handle: IO[str] = path.open(
            "w", encoding=encoding, newline="", buffering=1 << 20
        )
        self._csv = csv.writer(self._handle, lineterminator="\n")
        self._csv.writerow(self.headers)

    def write(self, row: Row) -> None:
        self._csv.writerow([_as_text(row.get(column)) for column in self.columns])
        self.rows += 1

    def close(self) -> None:
        self._handle.close()


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")
_KEY_SPELLING_COLUMNS = ("id", "updated_at")
"""Columns whose JSON lines key changes spelling from line to line (messy names)."""


def key_spellings(column: str, header: str) -> tuple[str, ...]:
    """The keys a messy JSON lines file takes turns with for a column, one per
    line: each object holds one spelling, different lines differ."""
    if column not in _KEY_SPELLING_COLUMNS:
        return (header,)
    title = "_".join(part.capitalize() for part in column.split("_"))
    return (header, column.upper(), f" {title}")


class _JsonlWriter(_Writer):
    """One JSON object per line. Number text in ``number_columns`` is written as
    a JSON number on every other line (always for a JsonNumber), so that the
    file holds both forms; keys may change spelling from line to line."""

    def __init__(
        self,
        path: Path,
        columns: Sequence[str],
        headers: Sequence[str],
        encoding: str,
        *,
        number_columns: Sequence[str] = (),
        messy_keys: bool = False,
    ) -> None:
        super().__init__(path, columns, headers, encoding)
        self._handle: IO[str] = path.open(
            "w", encoding=encoding, newline="\n", buffering=1 << 20
        )
        self._keys = tuple(
            (
                column,
                tuple(
                    json.dumps(key, ensure_ascii=False)
                    for key in (
                        key_spellings(column, header) if messy_keys else (header,)
                    )
                ),
                column in number_columns,
            )
            for header, column in zip(self.headers, self.columns, strict=True)
        )

    def _value(self, value: Value, numeric: bool) -> str:
        if (
            numeric
            and isinstance(value, str)
            and (isinstance(value, JsonNumber) or self.rows % 2 == 1)
            and _JSON_NUMBER.fullmatch(value)
        ):
            return str(value)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def write(self, row: Row) -> None:
        fields = ",".join(
            f"{keys[self.rows % len(keys)]}:{self._value(row.get(column), numeric)}"
            for column, keys, numeric in self._keys
        )
        self._handle.write("{" + fields + "}\n")
        self.rows += 1

    def close(self) -> None:
        self._handle.close()


class _ParquetWriter(_Writer):
    """Parquet text is always UTF-8: the encoding does not apply."""

    def __init__(
        self, path: Path, columns: Sequence[str], headers: Sequence[str], encoding: str
    ) -> None:
        super().__init__(path, columns, headers, encoding)
        self._schema = pa.schema([(header, pa.string()) for header in self.headers])
        self._writer = pq.ParquetWriter(str(path), self._schema, compression="snappy")
        self._buffers: list[list[str | None]] = [[] for _ in self.columns]

    def write(self, row: Row) -> None:
        for column, buffer in zip(self.columns, self._buffers, strict=True):
            buffer.append(_as_text(row.get(column)))
        self.rows += 1
        if len(self._buffers[0]) >= PARQUET_BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._buffers[0]:
            return
        arrays = [pa.array(buffer, type=pa.string()) for buffer in self._buffers]
        table = pa.Table.from_arrays(arrays, schema=self._schema)
        self._writer.write_table(table, row_group_size=PARQUET_BATCH_ROWS)
        self._buffers = [[] for _ in self.columns]

    def close(self) -> None:
        self._flush()
        self._writer.close()


_WRITERS: dict[str, type[_Writer]] = {
    "csv": _CsvWriter,
    "jsonl": _JsonlWriter,
    "parquet": _ParquetWriter,
}
