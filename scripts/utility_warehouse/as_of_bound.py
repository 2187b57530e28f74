"""The one bound of the as-of date, and of every month a command is asked for.

An as-of date runs from ``PLAUSIBLE_DATE_MIN`` (1950-01-01, the floor of
plausible dates: dbt var ``plausible_date_min``) to one year after today (the
plausible dates of a bill end there too). ``run --as-of`` refuses a date outside
it; the read commands refuse a month outside the months of those dates
(``--from``, ``--to``, ``--month``, a ``--last-months`` window), and refuse a
warehouse whose recorded as-of date is outside it (a warehouse built before the
bound existed), each with exit 2 and a message instead of a date overflow.
"""

from __future__ import annotations

import argparse
import re
from datetime import date

import duckdb

from utility_warehouse import metadata

# The floor of plausible dates: dbt var plausible_date_min (dbt_project.yml).
PLAUSIBLE_DATE_MIN = date(1950, 1, 1)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class AsOfError(ValueError):
    """An as-of date or month outside the bound, or one that cannot be read."""


def _today(today: date | None) -> date:
    return today if today is not None else date.today()


def one_year_after(day: date) -> date:
    """The same day a year later (29 February: 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February, or the last year of the calendar
        if day.year >= date.max.year:
            return date.max
        return day.replace(year=day.year + 1, day=28)


def bounds(today: date | None = None) -> tuple[date, date]:
    """The first and last accepted as-of date (both included)."""
    return PLAUSIBLE_DATE_MIN, one_year_after(_today(today))


def bounds_text(today: date | None = None) -> str:
    first, last = bounds(today)
    return f"as-of dates run from {first.isoformat()} to {last.isoformat()}"


def check(value: date, today: date | None = None) -> date:
    """``value`` when it is within the bound; raises ``AsOfError`` otherwise."""
    first, last = bounds(today)
    if not first <= value <= last:
        raise AsOfError(
            f"{value.isoformat()} is out of range: {bounds_text(today)} "
            "(one year after today)"
        )
    return value


def _month_text(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(today: date | None = None) -> tuple[date, date]:
    """The first days of the first and last month a command may name."""
    first, last = bounds(today)
    return date(first.year, first.month, 1), date(last.year, last.month, 1)


def months_text(today: date | None = None) -> str:
    first, last = month_bounds(today)
    return (
        f"months run from {_month_text(first)} to {_month_text(last)} "
        "(the month one year after today)"
    )


def warehouse_as_of(
    con: duckdb.DuckDBPyConnection, today: date | None = None
) -> date | None:
    """The as-of date of the warehouse's latest run (``marts.run_metadata``),
    None without one; raises ``AsOfError`` when it is outside the bound or
    cannot be read as a date."""
    try:
        value = metadata.latest_as_of(con)
    except (ValueError, OverflowError) as error:
        raise AsOfError(
            "the as-of date of the warehouse's latest run (marts.run_metadata) "
            f"cannot be read as a date ({error}); rebuild it with pipeline.py run"
        ) from error
    if value is None:
        return None
    first, last = bounds(today)
    if not first <= value <= last:
        raise AsOfError(
            f"the warehouse's as-of date {value.isoformat()} (its latest run in "
            f"marts.run_metadata) is out of range: {bounds_text(today)}; rebuild "
            "it with pipeline.py run --as-of YYYY-MM-DD"
        )
    return value


def as_of_argument(text: str) -> date:
    """An argparse type: an as-of date written YYYY-MM-DD, within the bound."""
    if not _ISO_DATE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}")
    try:
        value = date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a calendar date: {text!r}") from error
    try:
        return check(value)
    except AsOfError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
