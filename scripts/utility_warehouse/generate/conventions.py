"""The folder's convention (``--locale``): date order and decimal separator.

Rows are built in one canonical spelling (month-first or year-first dates,
decimal points, commas between thousands); the folder's convention rewrites
its date, number and amount columns as the rows are written. So the same seed
gives the same portfolio in every convention, value for value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from utility_warehouse.generate.values import Row, group_thousands

DEFAULT_LOCALE = "mdy-point"
"""Month-first dates and decimal points: the loader's defaults (see LOCALES)."""


DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("start_date", "bill_date"),
    "usage_data": ("start_date", "end_date"),
    "sites": ("data_collection_stop_date",),
    "contractual_instruments": ("start_date", "end_date"),
}
"""Date columns whose order follows the convention (updated_at stays ISO)."""
NUMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": ("implied_sewer_fraction",),
    "sites": ("gross_floor_area",),
    "usage_data": ("raw_usage", "standard_usage", "demand"),
    "emission_factors": ("co2_kg_per_kwh", "ch4_kg_per_kwh", "n2o_kg_per_kwh"),
    "contractual_instruments": ("quantity_kwh", "co2e_kg_per_kwh"),
}
AMOUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("total_charges", "current_charges"),
    "line_items": ("amount",),
}
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(T00:00:00Z)?")
_MONTH_FIRST_DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_DIGIT_RUN = re.compile(r"\d[\d,.]*")
_INDIAN_RUN = re.compile(r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?")
_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})
_EURO_PREFIX = re.compile(r"(-?)€\s*(.+)")


def _is_calendar_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def day_first(text: str) -> str:
    """A canonical date written day-first: 2025-01-13 -> 13.01.2025 and
    01/13/2025 (or an ISO timestamp of midnight) -> 13/01/2025. Text that is
    not a calendar day (2024-13-45, 31/31/2024, soon) stays as it is."""
    match = _ISO_DAY.fullmatch(text)
    if match:
        year, month, day = match.group(1, 2, 3)
        separator = "/" if match.group(4) else "."
    else:
        match = _MONTH_FIRST_DAY.fullmatch(text)
        if not match:
            return text
        month, day, year = match.group(1, 2, 3)
        separator = "/"
    if not _is_calendar_day(int(year), int(month), int(day)):
        return text
    return f"{day}{separator}{month}{separator}{year}"


def _comma_run(run: str) -> str:
    if _INDIAN_RUN.fullmatch(run):  # no Indian grouping with decimal commas
        whole, _, fraction = run.partition(".")
        text = group_thousands(whole.replace(",", ""), ".")
        return f"{text},{fraction}" if fraction else text
    return run.translate(_SWAP_SEPARATORS)


def decimal_comma(text: str, *, amount: bool = False) -> str:
    """Canonical number text written with a decimal comma: 1,234.56 ->
    1.234,56, 12.5 -> 12,5, 12..5 -> 12,,5 (still not a number); an amount
    with a euro sign puts it last (€1,820.55 -> 1.820,55 €). Text around the
    digits (currency tokens such as ``Rs.``, units, exponents) is kept."""
    if amount:
        match = _EURO_PREFIX.fullmatch(text)
        if match:
            return f"{match.group(1)}{decimal_comma(match.group(2))} €"
    return _DIGIT_RUN.sub(lambda match: _comma_run(match.group(0)), text)


@dataclass(frozen=True)
class Convention:
    """How a landing folder writes dates and decimals, as its landing.json
    states them (``date_order``, ``decimal_separator``)."""

    name: str
    date_order: str
    decimal_separator: str

    @property
    def is_default(self) -> bool:
        return (self.date_order, self.decimal_separator) == ("mdy", ".")

    def settings(self) -> dict[str, str]:
        """The landing.json settings that differ from the loader's defaults."""
        settings: dict[str, str] = {}
        if self.date_order != "mdy":
            settings["date_order"] = self.date_order
        if self.decimal_separator != ".":
            settings["decimal_separator"] = self.decimal_separator
        return settings

    def localize(self, entity: str, row: Row) -> Row:
        """The row as the folder writes it (canonical rows are mdy with points)."""
        if self.is_default:
            return row
        written = dict(row)
        if self.date_order == "dmy":
            for column in DATE_COLUMNS.get(entity, ()):
                value = written.get(column)
                if isinstance(value, str):
                    written[column] = day_first(value)
        if self.decimal_separator == ",":
            for columns, amount in (
                (NUMBER_COLUMNS.get(entity, ()), False),
                (AMOUNT_COLUMNS.get(entity, ()), True),
            ):
                for column in columns:
                    value = written.get(column)
                    if isinstance(value, str):
                        written[column] = decimal_comma(str(value), amount=amount)
        return written


LOCALES: dict[str, Convention] = {
    convention.name: convention
    for convention in (
        Convention("mdy-point", "mdy", "."),
        Convention("dmy-comma", "dmy", ","),
        Convention("dmy-point", "dmy", "."),
        Convention("mdy-comma", "mdy", ","),
    )
}
"""The conventions ``--locale`` writes: mdy-point (the default: month-first
dates, decimal points), dmy-comma (day-first dates, decimal commas, as much of
Europe writes them), and the two halves of it on their own."""
LANDING_SETTINGS_NAME = "landing.json"
