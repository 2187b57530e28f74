"""Which bills make up a month: the audit trail of one site's month.

For one site and calendar month (optionally one commodity) lists every bill and
usage row whose period overlaps the month, counted or not, from the audit
trails of the built warehouse (opened read-only):

- each usage row (``marts.fct_calendarized_usage``): its period, the days of
  the period in the month and the period's days, its type (IMPORT, EXPORT,
  GENERATION; exclusion rows subtract, estimated reads are marked), whether it
  counts (else its ``exclusion_reason``) and its part of the usage, signed;
- each bill x meter cost (``marts.fct_calendarized_costs``, with the bill's
  period and exclusion reason from ``marts.fct_bill_meter_costs``): its days in
  the month and its part of the meter's attributed cost on the bill;

grouped by commodity and currency, with the totals of what counts next to the
metered row of ``marts.fct_portfolio_monthly`` (``is_implied`` false) for that
site, commodity, month and currency, and whether they match (usage, export,
generation, net usage and cost, exactly). A mismatch is a warning line, not a
failure: the command still exits 0. Implied sewer of the site's month (not
metered, not in any bill) is named in a note.

Only sites: meters without a site (``Unassigned`` in the portfolio) are not
inspected here; ``rollup --unassigned`` shows their totals.

Every value reaches DuckDB as a bound parameter.

Exit codes: 0 the month was printed (maybe without bills; a mismatch is a
warning); 2 a bad request (unknown site, malformed or out-of-range month,
unknown commodity, missing or unbuilt database); 3 busy: another process holds
the DuckDB file for writing (a run is building it); a scheduler may retry.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

import duckdb

from utility_warehouse import reading, target_reader
from utility_warehouse.as_of_bound import AsOfError, warehouse_as_of
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_BUSY, EXIT_OK
from utility_warehouse.reading import Warehouse, json_value, money_text, usage_text
from utility_warehouse.rollup import (
    COMMODITIES,
    RollupError,
    normalize_commodity,
    parse_month,
)
from utility_warehouse.safe_output import (
    json_printable,
    printable,
    table_lines,
    table_text,
)

COMMAND = "inspect"
HELP = (
    "Show which bills and usage rows make up one site's month, with their days "
    "and parts, and check the totals against the portfolio."
)

MARTS = "marts"
FORMATS: tuple[str, ...] = ("table", "json")

# The tables read, with the columns each must have.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "dim_sites": ("site_id", "site_name", "company_id"),
    "dim_meters": ("meter_id", "primary_id", "primary_id_type", "usage_unit"),
    "fct_calendarized_usage": (
        "usage_id",
        "document_id",
        "meter_id",
        "site_id",
        "commodity",
        "month",
        "start_date",
        "end_date",
        "overlap_days",
        "period_days",
        "net_metering_type",
        "is_exclusion",
        "is_estimated",
        "row_usage",
        "usage",
        "signed_usage",
        "usage_unit",
        "currency",
        "is_counted",
        "exclusion_reason",
    ),
    "fct_calendarized_costs": (
        "document_id",
        "meter_id",
        "site_id",
        "commodity",
        "month",
        "overlap_days",
        "period_days",
        "attributed_cost",
        "cost",
        "currency",
        "is_counted",
    ),
    "fct_bill_meter_costs": (
        "document_id",
        "meter_id",
        "start_date",
        "bill_date",
        "exclusion_reason",
    ),
    "fct_portfolio_monthly": (
        "site_id",
        "commodity",
        "month",
        "usage",
        "export_usage",
        "generation_usage",
        "net_usage",
        "usage_unit",
        "cost",
        "currency",
        "meter_count",
        "is_implied",
    ),
}

# The figures compared with fct_portfolio_monthly, in order.
FIGURES: tuple[str, ...] = (
    "usage",
    "export_usage",
    "generation_usage",
    "net_usage",
    "cost",
)

ZERO = Decimal("0.000000")  # six decimals, like every amount of the marts

Row: TypeAlias = dict[str, Any]


class InspectError(Exception):
    """A request the command cannot serve; it exits 2 with the message."""

    exit_code = EXIT_BAD_INPUT


class InspectBusyError(InspectError):
    """The warehouse file is held for writing by another process: exit 3."""

    exit_code = EXIT_BUSY


@dataclass(frozen=True)
class InspectRequest:
    """What to inspect: a site, a month (``YYYY-MM``) and maybe a commodity."""

    site: str
    month: str
    commodity: str | None = None


# --- reading ------------------------------------------------------------------------


def _check_tables(warehouse: Warehouse, database: Path) -> None:
    unbuilt = warehouse.unbuilt(
        {(MARTS, table): columns for table, columns in REQUIRED_COLUMNS.items()}
    )
    if unbuilt:
        raise InspectError(
            f"{database} has no {', '.join(unbuilt)} (or lacks columns); run the "
            "pipeline first (python scripts/pipeline.py run ...)"
        )


def _scope(
    alias: str, site: str, month: date, commodity: str | None
) -> tuple[str, list[object]]:
    conditions = [
        f"CAST({alias}.site_id AS VARCHAR) = ?",
        f"{alias}.month = ?",
    ]
    params: list[object] = [site, month]
    if commodity is not None:
        conditions.append(f"{alias}.commodity = ?")
        params.append(commodity)
    return "WHERE " + " AND ".join(conditions), params


def _usage_rows(
    warehouse: Warehouse, site: str, month: date, commodity: str | None
) -> list[Row]:
    where, params = _scope("u", site, month, commodity)
    return warehouse.rows(
        "SELECT u.commodity, u.currency, u.usage_unit, u.document_id, u.meter_id, "
        "u.usage_id, u.start_date, u.end_date, u.overlap_days, u.period_days, "
        "u.net_metering_type, u.is_exclusion, u.is_estimated, u.row_usage, "
        "u.usage, u.signed_usage, u.is_counted, u.exclusion_reason "
        f"FROM {MARTS}.fct_calendarized_usage AS u {where} "
        "ORDER BY u.start_date, u.end_date, u.usage_id",
        params,
    )


def _cost_rows(
    warehouse: Warehouse, site: str, month: date, commodity: str | None
) -> list[Row]:
    where, params = _scope("c", site, month, commodity)
    return warehouse.rows(
        "SELECT c.commodity, c.currency, c.document_id, c.meter_id, "
        "b.start_date, b.bill_date, c.overlap_days, c.period_days, "
        "c.attributed_cost, c.cost, c.is_counted, b.exclusion_reason "
        f"FROM {MARTS}.fct_calendarized_costs AS c "
        f"LEFT JOIN {MARTS}.fct_bill_meter_costs AS b "
        "ON b.document_id = c.document_id AND b.meter_id = c.meter_id "
        f"{where} ORDER BY c.document_id, c.meter_id",
        params,
    )


def _portfolio_rows(
    warehouse: Warehouse,
    site: str,
    month: date,
    commodity: str | None,
    implied: bool,
) -> list[Row]:
    where, params = _scope("p", site, month, commodity)
    return warehouse.rows(
        "SELECT p.commodity, p.currency, p.usage_unit, p.usage, p.export_usage, "
        "p.generation_usage, p.net_usage, p.cost, p.meter_count "
        f"FROM {MARTS}.fct_portfolio_monthly AS p {where} AND p.is_implied = ? "
        "ORDER BY p.commodity, p.currency",
        [*params, implied],
    )


def _meters(warehouse: Warehouse, meter_ids: Sequence[str]) -> dict[str, Row]:
    if not meter_ids:
        return {}
    return {
        str(row["meter_id"]): row
        for row in warehouse.rows(
            "SELECT meter_id, primary_id, primary_id_type, usage_unit "
            f"FROM {MARTS}.dim_meters WHERE list_contains(?::VARCHAR[], meter_id)",
            [list(meter_ids)],
        )
    }


# --- assembling ---------------------------------------------------------------------


def _commodity_rank(commodity: str) -> tuple[int, str]:
    return (
        COMMODITIES.index(commodity) if commodity in COMMODITIES else len(COMMODITIES),
        commodity,
    )


def _group_key(row: Row) -> tuple[str | None, str | None]:
    """A group's commodity and currency (None: the figures have none)."""
    commodity, currency = row["commodity"], row["currency"]
    return (
        None if commodity is None else str(commodity),
        None if currency is None else str(currency),
    )


def _group_order(key: tuple[str | None, str | None]) -> tuple[Any, ...]:
    commodity, currency = key
    return (_commodity_rank(commodity or ""), currency is None, currency or "")


def _totals(usage_rows: Sequence[Row], cost_rows: Sequence[Row]) -> dict[str, Decimal]:
    """The counted figures of a group, summed exactly as the marts do."""
    totals = {
        "usage": ZERO,
        "export_usage": ZERO,
        "generation_usage": ZERO,
        "cost": ZERO,
    }
    kinds = {
        "IMPORT": "usage",
        "EXPORT": "export_usage",
        "GENERATION": "generation_usage",
    }
    for row in usage_rows:
        figure = kinds.get(str(row["net_metering_type"]))
        if row["is_counted"] and figure is not None:
            totals[figure] += row["signed_usage"] or ZERO
    for row in cost_rows:
        if row["is_counted"]:
            totals["cost"] += row["cost"] or ZERO
    return {
        "usage": totals["usage"],
        "export_usage": totals["export_usage"],
        "generation_usage": totals["generation_usage"],
        "net_usage": totals["usage"] - totals["export_usage"],
        "cost": totals["cost"],
    }


def _differences(
    totals: dict[str, Decimal], portfolio: Row | None
) -> list[dict[str, Any]]:
    """The figures whose counted total differs from the portfolio (absent = 0)."""
    differences = []
    for figure in FIGURES:
        expected = ZERO if portfolio is None else (portfolio[figure] or ZERO)
        if totals[figure] != expected:
            differences.append(
                {"figure": figure, "bills": totals[figure], "portfolio": expected}
            )
    return differences


def _bills(
    usage_rows: Sequence[Row], cost_rows: Sequence[Row], meters: dict[str, Row]
) -> list[Row]:
    """One entry per bill x meter: its cost part and its usage rows."""
    bills: dict[tuple[str, str], Row] = {}

    def bill(document_id: str, meter_id: str) -> Row:
        key = (document_id, meter_id)
        if key not in bills:
            meter = meters.get(meter_id, {})
            bills[key] = {
                "document_id": document_id,
                "meter_id": meter_id,
                "primary_id": meter.get("primary_id"),
                "primary_id_type": meter.get("primary_id_type"),
                "cost": None,
                "usage_rows": [],
            }
        return bills[key]

    for row in cost_rows:
        bill(str(row["document_id"]), str(row["meter_id"]))["cost"] = {
            "start_date": row["start_date"],
            "bill_date": row["bill_date"],
            "overlap_days": row["overlap_days"],
            "period_days": row["period_days"],
            "attributed_cost": row["attributed_cost"],
            "cost": row["cost"],
            "is_counted": bool(row["is_counted"]),
            "exclusion_reason": row["exclusion_reason"],
        }
    for row in usage_rows:
        bill(str(row["document_id"]), str(row["meter_id"]))["usage_rows"].append(
            {
                "usage_id": row["usage_id"],
                "start_date": row["start_date"],
                "end_date": row["end_date"],
                "overlap_days": row["overlap_days"],
                "period_days": row["period_days"],
                "net_metering_type": row["net_metering_type"],
                "is_exclusion": bool(row["is_exclusion"]),
                "is_estimated": bool(row["is_estimated"]),
                "row_usage": row["row_usage"],
                "usage": row["usage"],
                "signed_usage": row["signed_usage"],
                "is_counted": bool(row["is_counted"]),
                "exclusion_reason": row["exclusion_reason"],
            }
        )

    def first_day(entry: Row) -> date:
        days = [row["start_date"] for row in entry["usage_rows"] if row["start_date"]]
        if entry["cost"] is not None and entry["cost"]["start_date"] is not None:
            days.append(entry["cost"]["start_date"])
        return min(days) if days else date.max

    return sorted(
        bills.values(),
        key=lambda entry: (first_day(entry), entry["document_id"], entry["meter_id"]),
    )


def inspect_month(database: Path, request: InspectRequest) -> Row:
    """The bills and usage rows of one site's month, grouped by commodity and
    currency, with the counted totals next to ``fct_portfolio_monthly``.

    Raises ``InspectError`` on a malformed month, an unknown commodity or site,
    or a missing, unbuilt or unreadable database; ``InspectBusyError`` when
    another process holds the file for writing.
    """
    try:
        month = parse_month(request.month, "--month")
        commodity = (
            None
            if request.commodity is None
            else normalize_commodity(request.commodity)
        )
    except RollupError as exc:
        raise InspectError(str(exc)) from exc
    warehouse = reading.open_warehouse(
        database, (MARTS,), InspectError, InspectBusyError
    )
    try:
        _check_tables(warehouse, database)
        run_as_of = warehouse_as_of(warehouse.con)
        site = warehouse.rows(
            "SELECT site_id, site_name, company_id FROM "
            f"{MARTS}.dim_sites WHERE CAST(site_id AS VARCHAR) = ? LIMIT 1",
            [request.site],
        )
        if not site:
            raise InspectError(f"unknown site: {request.site}")
        usage_rows = _usage_rows(warehouse, request.site, month, commodity)
        cost_rows = _cost_rows(warehouse, request.site, month, commodity)
        portfolio = _portfolio_rows(warehouse, request.site, month, commodity, False)
        implied = _portfolio_rows(warehouse, request.site, month, commodity, True)
        meters = _meters(
            warehouse,
            sorted({str(r["meter_id"]) for r in [*usage_rows, *cost_rows]}),
        )
    except AsOfError as exc:
        raise InspectError(str(exc)) from exc
    except duckdb.Error as exc:
        raise InspectError(
            f"querying {database} failed: {reading.first_line(exc)}"
        ) from exc
    finally:
        warehouse.close()

    keys = {_group_key(r) for r in [*usage_rows, *cost_rows, *portfolio]}
    portfolio_by_key = {_group_key(r): r for r in portfolio}
    groups = []
    for key in sorted(keys, key=_group_order):
        group_usage = [r for r in usage_rows if _group_key(r) == key]
        group_costs = [r for r in cost_rows if _group_key(r) == key]
        bills = _bills(group_usage, group_costs, meters)
        row = portfolio_by_key.get(key)
        totals = _totals(group_usage, group_costs)
        differences = _differences(totals, row)
        unit = next(
            (r["usage_unit"] for r in group_usage if r["usage_unit"]),
            None if row is None else row["usage_unit"],
        )
        if unit is None:
            unit = next(
                (
                    meters[b["meter_id"]]["usage_unit"]
                    for b in bills
                    if b["meter_id"] in meters
                ),
                None,
            )
        groups.append(
            {
                "commodity": key[0],
                "currency": key[1],
                "usage_unit": unit,
                "bill_count": len({b["document_id"] for b in bills}),
                "usage_row_count": sum(len(b["usage_rows"]) for b in bills),
                "bills": bills,
                "totals": totals,
                "portfolio": None
                if row is None
                else {
                    **{figure: row[figure] for figure in FIGURES},
                    "meter_count": row["meter_count"],
                },
                "matches": not differences,
                "differences": differences,
            }
        )
    return {
        "database": str(database),
        "as_of_date": (run_as_of or date.today()).isoformat(),
        "as_of_source": "latest run" if run_as_of else "today",
        "site": {
            "site_id": site[0]["site_id"],
            "site_name": site[0]["site_name"],
            "company_id": site[0]["company_id"],
        },
        "month": f"{month.year:04d}-{month.month:02d}",
        "commodity": commodity,
        "groups": groups,
        "implied_sewer": [
            {
                "currency": r["currency"],
                "usage": r["usage"],
                "usage_unit": r["usage_unit"],
                "water_meter_count": r["meter_count"],
            }
            for r in implied
        ],
        "matches": all(group["matches"] for group in groups),
    }


# --- output -------------------------------------------------------------------------


def format_json(report: Row) -> str:
    """One JSON object (control characters as escapes)."""
    text = json.dumps(json_value(report), indent=2, ensure_ascii=False)
    return json_printable(text) + "\n"


def _number(value: Any) -> str:
    """An exact decimal with separators and all its six decimals."""
    if value is None:
        return ""
    number = Decimal(value)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -6:
        number = number.quantize(Decimal("0.000001"))
    return f"{number:,f}"


def _period(first: date | None, last: date | None) -> str:
    return f"{first.isoformat() if first else '?'}..{last.isoformat() if last else '?'}"


def _days(overlap: int | None, period: int | None) -> str:
    return f"{'' if overlap is None else overlap}/{'' if period is None else period}"


_HEADERS = (
    "bill",
    "meter",
    "line",
    "period",
    "days",
    "type",
    "counted",
    "usage part",
    "cost part",
    "exclusion reason",
)
_RIGHT = (False, False, False, False, True, False, False, True, True, False)


def _bill_lines(bill: Row, currency: Any) -> list[list[str]]:
    lines = []
    first = True

    def lead() -> list[str]:
        nonlocal first
        cells = [bill["document_id"], bill["meter_id"]] if first else ["", ""]
        first = False
        return cells

    cost = bill["cost"]
    if cost is not None:
        lines.append(
            [
                *lead(),
                "cost",
                _period(cost["start_date"], cost["bill_date"]),
                _days(cost["overlap_days"], cost["period_days"]),
                "",
                "yes" if cost["is_counted"] else "no",
                "",
                money_text(cost["cost"], currency),
                cost["exclusion_reason"] or "",
            ]
        )
    for row in bill["usage_rows"]:
        kind = str(row["net_metering_type"] or "")
        if row["is_exclusion"]:
            kind += " excl."
        if row["is_estimated"]:
            kind += " est."
        lines.append(
            [
                *lead(),
                str(row["usage_id"]),
                _period(row["start_date"], row["end_date"]),
                _days(row["overlap_days"], row["period_days"]),
                kind,
                "yes" if row["is_counted"] else "no",
                usage_text(row["signed_usage"]),
                "",
                row["exclusion_reason"] or "",
            ]
        )
    return lines


def _render(rows: Sequence[Sequence[str]]) -> list[str]:
    """The bills' table: control characters shown visibly, text cut at 60
    columns, aligned by display width."""
    cells = [[table_text(value) for value in row] for row in rows]
    return table_lines(_HEADERS, cells, _RIGHT, indent="  ")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _currency(value: Any) -> str:
    return "no currency" if value is None else str(value)


def _figures(values: Row, unit: str, currency: str | None) -> str:
    """Usage rounded by size, cost to its currency's minor unit."""
    parts = [f"usage {usage_text(values['usage'])} {unit}".rstrip()]
    if values["export_usage"] or values["generation_usage"]:
        parts.append(f"export {usage_text(values['export_usage'])}")
        parts.append(f"generation {usage_text(values['generation_usage'])}")
        parts.append(f"net {usage_text(values['net_usage'])}")
    cost = money_text(values["cost"], currency)
    parts.append(
        f"cost {cost} {currency}" if currency else f"cost {cost} (no currency)"
    )
    return ", ".join(parts)


def format_table(report: Row) -> str:
    site = report["site"]
    scope = f", {report['commodity']}" if report["commodity"] else ""
    lines = [
        f"Site {_text(site['site_id'])} {_text(site['site_name'])} (company "
        f"{_text(site['company_id'])}), month {report['month']}{scope}; "
        f"warehouse as of {report['as_of_date']} ({report['as_of_source']})",
        "Days: the period's days in the month / the period's days. Usage and cost "
        "parts are the month's share; exclusion rows (excl.) subtract; rows not "
        "counted are shown but not added.",
    ]
    if not report["groups"]:
        lines.append("")
        lines.append("No bill or usage row of this site overlaps this month.")
    for group in report["groups"]:
        unit = group["usage_unit"] or ""
        currency = group["currency"]
        lines.append("")
        lines.append(
            f"{_text(group['commodity'])} in {_currency(currency)} (usage in {unit}): "
            f"{group['bill_count']} bill(s), {group['usage_row_count']} usage row(s)"
        )
        cells = [
            line for bill in group["bills"] for line in _bill_lines(bill, currency)
        ]
        if cells:
            lines.extend(_render(cells))
        lines.append(
            "  counted total:          " + _figures(group["totals"], unit, currency)
        )
        if group["portfolio"] is None:
            lines.append("  fct_portfolio_monthly:  no metered row (nothing counted)")
        else:
            lines.append(
                "  fct_portfolio_monthly:  "
                + _figures(group["portfolio"], unit, currency)
                + f" ({group['portfolio']['meter_count']} meter(s))"
            )
        if group["matches"]:
            lines.append("  the counted totals match fct_portfolio_monthly")
        else:
            detail = "; ".join(
                f"{d['figure']}: bills {_number(d['bills'])} vs portfolio "
                f"{_number(d['portfolio'])}"
                for d in group["differences"]
            )
            lines.append(
                "  WARNING: the counted totals do not match fct_portfolio_monthly "
                f"({detail})"
            )
    for implied in report["implied_sewer"]:
        lines.append("")
        lines.append(
            f"Note: implied sewer of {usage_text(implied['usage'])} "
            f"{_text(implied['usage_unit'])} ({_currency(implied['currency'])}, from "
            f"{implied['water_meter_count']} water meter(s)) is in "
            "fct_portfolio_monthly with is_implied; it has no bill and is not "
            "listed above."
        )
    # Names and ids come from the data: no control character reaches the screen.
    return "\n".join(printable(line) for line in lines) + "\n"


_FORMATTERS = {"table": format_table, "json": format_json}

_EPILOG = """\
Lists, per commodity and currency, every bill x meter of the site whose period
overlaps the month (its cost part: the meter's attributed cost on the bill
prorated by days, from marts.fct_calendarized_costs) and every usage row
(marts.fct_calendarized_usage: its days in the month / period days, type,
whether it counts or its exclusion reason, and its part of the usage, signed:
exclusion rows subtract). Rows that do not count are listed and not added.

The counted totals (usage of IMPORT rows, export, generation, net usage and
cost) are shown next to the metered row of marts.fct_portfolio_monthly for the
site, commodity, month and currency; equal totals say so, a difference prints
a WARNING line (the exit code stays 0). Implied sewer has no bill: a note
names it.

--site is required: meters without a site are not inspected here (see
rollup --unassigned). JSON: the same content as one object; amounts are
strings holding the exact decimal.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    target_reader.add_source_arguments(parser)
    parser.add_argument("--site", required=True, metavar="ID", help="The site.")
    parser.add_argument(
        "--month", required=True, metavar="YYYY-MM", help="The calendar month."
    )
    parser.add_argument(
        "--commodity",
        metavar="C",
        help="Only this commodity, case-insensitive: " + ", ".join(COMMODITIES) + ".",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="Output format (default: table).",
    )


def main(args: argparse.Namespace) -> int:
    return target_reader.run_reader(
        args, COMMAND, lambda database: _main(args, database)
    )


def _main(args: argparse.Namespace, database: Path) -> int:
    request = InspectRequest(site=args.site, month=args.month, commodity=args.commodity)
    try:
        report = inspect_month(database, request)
    except InspectError as exc:
        message = " ".join(str(exc).split())
        print(f"pipeline.py inspect: error: {message}", file=sys.stderr)
        return exc.exit_code
    sys.stdout.write(_FORMATTERS[args.format](report))
    if not report["matches"]:
        print(
            "pipeline.py inspect: warning: the bills' counted totals do not match "
            "fct_portfolio_monthly",
            file=sys.stderr,
        )
    return EXIT_OK
