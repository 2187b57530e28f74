"""Before anything is written: look for proof that a landing file follows the
other date order or decimal separator than the load's settings.

Date columns (every date and ``updated_at``): a value ``A<sep>B<sep>YYYY`` (sep
one of ``/ . -``, the same twice, A and B one or two digits, maybe followed by a
time) that is a calendar day only when A is the day (A from 13 to 31, B a month
that has day A) proves day-first dates when ``date_order`` is ``mdy``; one that
is a calendar day only when B is the day proves month-first dates when
``date_order`` is ``dmy``. A value no order can read (``31/06/2024``) proves
nothing: it is a bad date in either convention. February 29 is left out (it
exists in leap years only), so it never proves anything on its own.

Amount columns: under decimal separator ``.``, a value whose number ends in a
comma and one or two digits (``1.820,55 €``, ``12,5``) proves decimal commas;
under ``,``, one ending in a point and one or two digits proves decimal points.

Each file and column gets one line naming the first proof (its file line, the
header being line 1), and the option to pass. The search is one SQL query per
file over its staging table (regular expressions), never a Python loop over rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from utility_warehouse import contract
from utility_warehouse.contract import normalize_name
from utility_warehouse.duckdb_text import quote_literal
from utility_warehouse.landing_jsonl import line_of_record
from utility_warehouse.landing_read import StagedFile
from utility_warehouse.landing_settings import (
    DATE_ORDER,
    DECIMAL_SEPARATOR,
    LANDING_SETTINGS_FILE,
    LandingSettings,
)

# Days above 12 with the months that have them (February 29 left out).
_DAYS_AND_MONTHS = (
    ("(?:1[3-9]|2[0-8])", "(?:0?[1-9]|1[0-2])"),
    ("(?:29|30)", "(?:0?1|0?[3-9]|1[0-2])"),
    ("31", "(?:0?[13578]|1[02])"),
)


def _year_last(day_first: bool) -> str:
    """A year-last date A<sep>B<sep>YYYY (the same separator twice, maybe a time
    after) that is a calendar day with the day first (or second) only."""
    alternatives = []
    for day, month in _DAYS_AND_MONTHS:
        first, second = (day, month) if day_first else (month, day)
        for separator in ("/", r"\.", "-"):
            alternatives.append(f"{first}{separator}{second}{separator}")
    return rf"^\s*(?:{'|'.join(alternatives)})[0-9]{{4}}(?:[ T].*)?$"


# Under mdy, a day above 12 first proves day-first dates; under dmy, second.
DATE_PROOF = {"mdy": _year_last(day_first=True), "dmy": _year_last(day_first=False)}
_GROUPING = "'\u2019 \u00a0\u202f"  # apostrophes, spaces, no-break spaces
# A number part ending in a comma (or a point) and one or two digits, a currency
# token or spaces around it.
_ENDS_IN = r"^[^0-9]*[0-9][0-9.,{grouping}]*{separator}[0-9]{{1,2}}[^0-9]*$"
AMOUNT_PROOF = {
    ".": _ENDS_IN.format(grouping=_GROUPING, separator=","),
    ",": _ENDS_IN.format(grouping=_GROUPING, separator=r"\."),
}
_DATE_PARTS = re.compile(r"\s*([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]")
_OTHER = {"mdy": "dmy", "dmy": "mdy", ".": ",", ",": "."}


@dataclass(frozen=True)
class _Column:
    name: str
    index: int
    is_date: bool


@dataclass(frozen=True)
class _Proof:
    column: _Column
    record: int
    value: str


def _pattern(column: _Column, settings: LandingSettings) -> str:
    if column.is_date:
        return DATE_PROOF[settings.date_order]
    return AMOUNT_PROOF[settings.decimal_separator]


def _checked_columns(staged: StagedFile) -> list[_Column]:
    entity = staged.entity
    dates = set(entity.columns_of_kind(*contract.DATE_KINDS))
    amounts = set(entity.columns_of_kind(*contract.AMOUNT_KINDS))
    columns = []
    for index, name in enumerate(staged.names):
        folded = normalize_name(name)
        if folded in dates or folded in amounts:
            columns.append(_Column(folded, index, folded in dates))
    return columns


def _find_proofs(
    con: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    columns: Sequence[_Column],
    settings: LandingSettings,
) -> list[_Proof]:
    """The first proof per column: one query over the staging table."""
    projected = ", ".join(
        f"c{column.index} as v{position}, "
        f"regexp_matches(c{column.index}, {quote_literal(_pattern(column, settings))}) "
        f"as f{position}"
        for position, column in enumerate(columns)
    )
    items = []
    for position in range(len(columns)):
        items.append(f"min(record) filter (where f{position})")
        items.append(f"arg_min(v{position}, record) filter (where f{position})")
    row = con.execute(
        f"select {', '.join(items)} from ("
        f"select rowid as record, {projected} from {staged.stage_table})"
    ).fetchone()
    if row is None:
        return []
    proofs = []
    for position, column in enumerate(columns):
        record, value = row[2 * position], row[2 * position + 1]
        if record is not None:
            proofs.append(_Proof(column, int(record), str(value)))
    return proofs


def _csv_line(staged: StagedFile, record: int) -> int | None:
    """The file line where the CSV's ``record``-th (0-based) data row starts."""
    with staged.read_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        if next(reader, None) is None:
            return None
        seen = -1
        before = reader.line_num
        for row in reader:
            if row:  # DuckDB skips blank lines
                seen += 1
                if seen == record:
                    return before + 1
            before = reader.line_num
    return None


def _where(staged: StagedFile, record: int) -> str:
    if staged.file_format == "csv":
        line = _csv_line(staged, record)
    elif staged.file_format == "jsonl":
        line = line_of_record(staged.read_path, record + 1)
    else:
        return f"row {record + 1}"
    return f"line {line}" if line is not None else f"record {record + 1}"


def _date_reason(value: str, date_order: str) -> str:
    match = _DATE_PARTS.match(value)
    first, second = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    day = first if date_order == "mdy" else second
    kind = "day-first" if date_order == "mdy" else "month-first"
    return f"is {kind} (day {day} where date_order {date_order} reads the month)"


def _remedy(key: str, value: str) -> str:
    option = "--date-order" if key == DATE_ORDER else "--decimal-separator"
    return f'pass {option} {value} or set "{key}": "{value}" in {LANDING_SETTINGS_FILE}'


def _problem(staged: StagedFile, proof: _Proof, settings: LandingSettings) -> str:
    where = f"{staged.path.name}: column {proof.column.name}, "
    where += f"{_where(staged, proof.record)}: {proof.value!r}"
    if proof.column.is_date:
        reason = _date_reason(proof.value, settings.date_order)
        return f"{where} {reason}; {_remedy(DATE_ORDER, _OTHER[settings.date_order])}"
    separator = settings.decimal_separator
    other = _OTHER[separator]
    mark = "decimal comma" if other == "," else "decimal point"
    reason = (
        f"ends in a {mark} (decimal_separator {separator!r} reads {other!r} as a "
        "thousands separator, in groups of three)"
    )
    return f"{where} {reason}; {_remedy(DECIMAL_SEPARATOR, other)}"


def convention_problems(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, settings: LandingSettings
) -> list[str]:
    """One line per column of ``staged`` holding proof of the other convention."""
    if staged.stage_table is None or not staged.row_count:
        return []
    columns = _checked_columns(staged)
    if not columns:
        return []
    proofs = _find_proofs(con, staged, columns, settings)
    return [_problem(staged, proof, settings) for proof in proofs]
