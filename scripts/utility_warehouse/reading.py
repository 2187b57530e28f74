"""What every read command (rollup, quality, inspect, report, export) shares:
the first line of an error, a read-only warehouse with the catalog of the
schemas it reads, calendar months as dates (the first of the month), and
numbers as people read them (money to its currency's minor unit, usage
rounded by size) or as JSON keeps them (exact decimals as strings).

A command keeps its own error pair (``XError`` for exit 2, ``XBusyError`` for
exit 3) and passes it to :func:`open_warehouse`.
"""

from __future__ import annotations

import calendar
import csv
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse import target_reader

Row = dict[str, Any]
TableKey = tuple[str, str]
"""(schema, table)."""


def first_line(error: BaseException) -> str:
    """The first line of an error's message, or its type's name."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --- calendar months ----------------------------------------------------------------


def month_index(day: date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> date:
    """The first day of the month ``index`` (see :func:`month_index`)."""
    return date(index // 12, index % 12 + 1, 1)


def shift_month(day: date, months: int) -> date:
    """The first day of the month ``months`` after (negative: before) ``day``'s."""
    return month_of_index(month_index(day) + months)


def last_complete_month(as_of: date) -> date:
    """The first day of the last complete month at ``as_of``: ``as_of``'s own
    month when ``as_of`` is that month's last day, else the month before.
    Bills for the rest of a month still running cannot be in yet, so windows
    read as "the last N months" end here."""
    month = date(as_of.year, as_of.month, 1)
    if as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]:
        return month
    return shift_month(month, -1)


def month_text(day: date) -> str:
    """``YYYY-MM``."""
    return f"{day.year:04d}-{day.month:02d}"


def month_runs(months: Sequence[str]) -> str:
    """``YYYY-MM`` months (sorted) as runs: ``2024-04, 2024-09..2025-01``."""
    runs: list[list[str]] = []
    previous: date | None = None
    for text in months:
        day = date(int(text[:4]), int(text[5:7]), 1)
        if previous is not None and shift_month(previous, 1) == day:
            runs[-1][1] = text
        else:
            runs.append([text, text])
        previous = day
    return ", ".join(
        first if first == last else f"{first}..{last}" for first, last in runs
    )


# --- numbers people read, and numbers JSON keeps -----------------------------------

CURRENCIES_SEED = Path(__file__).resolve().parents[2] / "seeds" / "currencies.csv"
DEFAULT_MINOR_UNITS = 2
"""Decimals of a currency the seed does not know (or without minor units)."""


@functools.cache
def minor_units() -> dict[str, int]:
    """ISO 4217 minor units (decimals) by currency code, from the
    ``currencies`` seed (``seeds/currencies.csv``, column ``minor_units``);
    empty when the seed cannot be read."""
    try:
        with CURRENCIES_SEED.open(encoding="utf-8", newline="") as handle:
            return {
                str(row["currency_code"]).strip().upper(): int(row["minor_units"])
                for row in csv.DictReader(handle)
                if str(row.get("minor_units") or "").strip().isdigit()
            }
    except (OSError, KeyError, ValueError):
        return {}


def currency_decimals(currency: object) -> int:
    """The decimals an amount in ``currency`` is shown with: 0 for VND, JPY,
    KRW, CLP, ISK..., 3 for BHD, KWD..., 2 otherwise (and without a currency)."""
    if currency is None:
        return DEFAULT_MINOR_UNITS
    return minor_units().get(str(currency).strip().upper(), DEFAULT_MINOR_UNITS)


def to_decimal(value: object) -> Decimal | None:
    """An exact decimal of a number (a float by its shortest text); None when
    ``value`` is None or not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _rounded(number: Decimal, places: int) -> str:
    text = f"{number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def money_text(value: object, currency: object) -> str:
    """An amount with thousands separators, rounded half up to its currency's
    minor unit: ``1,234.57`` (USD), ``1,553,531,888,493`` (VND); empty for None."""
    number = to_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return _rounded(number, currency_decimals(currency))


def usage_text(value: object) -> str:
    """A quantity with thousands separators and decimals by its size: none from
    1,000 up, one from 100, two from 1, three below (zero: ``0``); empty for
    None."""
    number = to_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    size = abs(number)
    if size == 0:
        return "0"
    places = 0 if size >= 1000 else 1 if size >= 100 else 2 if size >= 1 else 3
    return _rounded(number, places)


def json_value(value: Any) -> Any:
    """A value for JSON: exact decimals (and floats) as strings with every
    digit, dates as ISO text, lists and mappings item by item; ints, text,
    booleans and None as they are."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value


# --- the warehouse ------------------------------------------------------------------


class Warehouse:
    """A read-only connection with the columns of every table and view of the
    schemas a command reads."""

    def __init__(self, con: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> None:
        self.con = con
        self.catalog: dict[TableKey, set[str]] = {}
        for schema, table, column in con.execute(
            "SELECT table_schema, table_name, column_name "
            "FROM information_schema.columns "
            "WHERE table_catalog = current_database() "
            "AND list_contains(?::VARCHAR[], table_schema)",
            [list(schemas)],
        ).fetchall():
            self.catalog.setdefault((str(schema), str(table)), set()).add(str(column))

    def has(self, schema: str, table: str) -> bool:
        return (schema, table) in self.catalog

    def unbuilt(self, required: Mapping[TableKey, Iterable[str]]) -> list[str]:
        """``schema.table`` of each required table missing or lacking a column."""
        return [
            ".".join(key)
            for key, columns in required.items()
            if not set(columns) <= self.catalog.get(key, set())
        ]

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """The rows of a query as dictionaries by column name."""
        cursor = self.con.execute(sql, list(params))
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def tuples(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def close(self) -> None:
        self.con.close()


def open_warehouse(
    database: Path,
    schemas: Sequence[str],
    error: type[Exception],
    busy: type[Exception],
) -> Warehouse:
    """A read-only :class:`Warehouse`: ``error`` when the file is missing or
    unreadable (exit 2), ``busy`` when a writer holds it (exit 3)."""
    con = target_reader.connect_read_only(database, error, busy)
    try:
        return Warehouse(con, schemas)
    except BaseException:
        con.close()
        raise
