"""The GHG inventory of a built warehouse: ``marts.rpt_ghg_inventory`` per
company x calendar year x scope x method, with what lacks factors.

Reads schema ``marts`` of the DuckDB file (opened read-only): the inventory
(activity kWh, CO2e in tonnes, the share of the activity with a factor) and
``dq_emission_findings``, counted per company x year by kind, so that every
row whose figure is partial says why. A CO2e that no factor serves is shown as
``missing``, never as zero, and a partial figure as its share below 100%.

Every filter value reaches DuckDB as a bound parameter; the only SQL text is
fixed here.

Exit codes: 0 the inventory was printed (maybe empty); 2 a bad request (an
unknown company, a missing or unbuilt database, an unsafe --out path); 3 busy:
another process holds the DuckDB file for writing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import duckdb

from utility_warehouse import reading, safe_output, target_reader
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_BUSY, EXIT_OK
from utility_warehouse.reading import Row, to_decimal, usage_text
from utility_warehouse.safe_output import csv_line, table_lines, table_text

COMMAND = "ghg"
HELP = (
    "Print the GHG inventory (company x year x scope x method) and what lacks "
    "emission factors."
)

MARTS_SCHEMA = "marts"
INVENTORY = "rpt_ghg_inventory"
FINDINGS = "dq_emission_findings"
COMPANIES = "dim_companies"

COLUMNS: tuple[str, ...] = (
    "company_id",
    "year",
    "scope",
    "method",
    "activity_kwh",
    "co2e_t",
    "share_with_factor",
)
REQUIRED: dict[reading.TableKey, tuple[str, ...]] = {
    (MARTS_SCHEMA, INVENTORY): COLUMNS,
    (MARTS_SCHEMA, FINDINGS): ("kind", "company_id", "commodity", "month"),
}

# The kinds of finding, in the order they are listed, with what each counts.
# The first three are emissions or source energy without a factor or ratio;
# an instrument's unused quantity is listed too, as it changes no figure.
FINDING_KINDS: dict[str, str] = {
    "no_emission_factor": "meter-months without an emission factor",
    "residual_mix_unavailable": "site-months without a residual mix "
    "(location factor used)",
    "no_source_ratio": "meter-months without a source-site ratio",
    "unused_instrument_quantity": "instrument-months with quantity left over",
}
MISSING = "missing"
"""What the table shows for a CO2e no factor serves (never 0)."""


class GhgError(Exception):
    """A request the command cannot serve: exit 2 with the message."""

    exit_code = EXIT_BAD_INPUT


class GhgBusyError(GhgError):
    """The warehouse file is held for writing by another process: exit 3."""

    exit_code = EXIT_BUSY


@dataclass(frozen=True)
class GhgFilters:
    """Only this company (None: all) and these years (empty: all)."""

    company: str | None = None
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class FindingCount:
    """The findings of one kind for a company x year."""

    company_id: str
    year: int
    kind: str
    count: int
    commodities: tuple[str, ...]


@dataclass(frozen=True)
class Inventory:
    rows: list[Row]
    findings: list[FindingCount]


def _where(filters: GhgFilters, year: str) -> tuple[str, list[object]]:
    conditions = ["true"]
    params: list[object] = []
    if filters.company is not None:
        conditions.append("company_id = ?")
        params.append(filters.company)
    if filters.years:
        conditions.append(f"list_contains(?::INTEGER[], {year})")
        params.append(list(filters.years))
    return " AND ".join(conditions), params


def _check_company(warehouse: reading.Warehouse, company: str) -> None:
    table = COMPANIES if warehouse.has(MARTS_SCHEMA, COMPANIES) else INVENTORY
    found = warehouse.tuples(
        f"SELECT count(*) FROM {MARTS_SCHEMA}.{table} WHERE company_id = ?",
        [company],
    )
    if not found[0][0]:
        raise GhgError(f"unknown company: {company}")


def query_inventory(database: Path, filters: GhgFilters) -> Inventory:
    """The inventory rows (ordered company, year, scope, method) and the
    finding counts per company x year x kind of ``database``."""
    warehouse = reading.open_warehouse(
        database, (MARTS_SCHEMA,), GhgError, GhgBusyError
    )
    try:
        unbuilt = warehouse.unbuilt(REQUIRED)
        if unbuilt:
            raise GhgError(
                f"{database} has no {', '.join(unbuilt)}; run the pipeline first "
                "(python scripts/pipeline.py run ...)"
            )
        if filters.company is not None:
            _check_company(warehouse, filters.company)
        where, params = _where(filters, "year")
        rows = warehouse.rows(
            f"SELECT {', '.join(COLUMNS)} FROM {MARTS_SCHEMA}.{INVENTORY} "
            f"WHERE {where} ORDER BY company_id, year, scope, method",
            params,
        )
        year = "CAST(extract(year FROM month) AS INTEGER)"
        where, params = _where(filters, year)
        counts = warehouse.tuples(
            f"SELECT company_id, {year} AS year, kind, count(*), "
            "list_sort(list_distinct(list(commodity))) "
            f"FROM {MARTS_SCHEMA}.{FINDINGS} WHERE {where} "
            "GROUP BY ALL ORDER BY company_id, year, kind",
            params,
        )
    except duckdb.Error as exc:
        raise GhgError(f"querying {database} failed: {exc}") from exc
    finally:
        warehouse.close()
    order = list(FINDING_KINDS)
    findings = [
        FindingCount(
            str(company),
            int(year_),
            str(kind),
            int(count),
            tuple(str(c) for c in commodities or () if c is not None),
        )
        for company, year_, kind, count, commodities in counts
    ]
    findings.sort(
        key=lambda f: (
            f.company_id,
            f.year,
            order.index(f.kind) if f.kind in order else len(order),
            f.kind,
        )
    )
    return Inventory(rows, findings)


# --- output -------------------------------------------------------------------------


def percent_text(share: object) -> str:
    """A share (0..1) as a percent with one decimal, cut down (never rounded
    up): 0.999996 is ``99.9%``, not 100%; a share above zero is never ``0.0%``
    (``<0.1%``); empty for None."""
    number = to_decimal(share)
    if number is None:
        return ""
    percent = (number * 100).quantize(Decimal("0.1"), ROUND_DOWN)
    if percent == 0 and number > 0:
        return "<0.1%"
    return f"{percent}%"


def _cells(row: Row) -> list[str]:
    co2e = row.get("co2e_t")
    activity = row.get("activity_kwh")
    return [
        table_text(row.get("company_id")),
        str(row.get("year")),
        str(row.get("scope")),
        str(row.get("method")),
        f"{usage_text(activity)} kWh" if activity is not None else "",
        MISSING if co2e is None else f"{usage_text(co2e)} t",
        percent_text(row.get("share_with_factor")),
    ]


def finding_lines(findings: Sequence[FindingCount]) -> list[str]:
    """What lacks factors: a table of the finding counts per company x year x
    kind with their commodities, then what each kind counts."""
    if not findings:
        return ["Every meter-month has its emission factor and source-site ratio."]
    rows = [
        [
            table_text(item.company_id),
            str(item.year),
            table_text(item.kind),
            f"{item.count:,}",
            ",".join(table_text(c) for c in item.commodities),
        ]
        for item in findings
    ]
    headers = ["company", "year", "finding", "count", "commodities"]
    right = [False, False, False, True, False]
    lines = ["What lacks factors (marts.dq_emission_findings):"]
    lines.extend(table_lines(headers, rows, right))
    kinds = dict.fromkeys(item.kind for item in findings)
    lines.extend(
        f"({kind}: {FINDING_KINDS[kind]})" for kind in kinds if kind in FINDING_KINDS
    )
    return lines


def format_table(inventory: Inventory) -> str:
    """The inventory for people, then the counts of what lacks factors."""
    headers = ["company", "year", "scope", "method", "activity", "CO2e", "with factor"]
    right = [False, False, True, False, True, True, True]
    out = table_lines(headers, [_cells(row) for row in inventory.rows], right)
    partial = [
        row
        for row in inventory.rows
        if row.get("co2e_t") is None
        or (row.get("share_with_factor") is not None and row["share_with_factor"] < 1)
    ]
    if partial:
        out.append(
            f"({len(partial)} rows partial or missing: CO2e adds only the "
            "activity with a factor, 'with factor' of it)"
        )
    out.append("")
    out.extend(finding_lines(inventory.findings))
    return "\n".join(out) + "\n"


def _full_precision(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def format_csv(rows: Sequence[Row]) -> str:
    """The columns of ``rpt_ghg_inventory`` with every digit (share as the
    mart's fraction, CO2e empty where no factor serves), text cells made safe
    for spreadsheets (``safe_output.csv_line``)."""
    lines = [csv_line(COLUMNS)]
    lines.extend(
        csv_line([row.get(column) for column in COLUMNS], _full_precision)
        for row in rows
    )
    return "".join(lines)


# The GHG inventory file of ``pipeline.py export`` (``ghg_inventory.csv``):
# each inventory row with its company's name and the findings that make it
# partial, by the scope of their commodity (as the emissions mart has it):
# meter-months without an emission factor (location and market rows) and
# site-months without a residual mix (market rows).
EXPORT_FILE = "ghg_inventory.csv"
EXPORT_SQL = f"""
SELECT g.company_id, c.company_name, g.year, g.scope, g.method,
    g.activity_kwh, g.co2e_t, g.share_with_factor,
    coalesce(f.no_emission_factor, 0) AS no_emission_factor_count,
    CASE WHEN g.method = 'market' THEN coalesce(f.residual_mix_unavailable, 0)
        ELSE 0 END AS residual_mix_unavailable_count
FROM {MARTS_SCHEMA}.{INVENTORY} AS g
LEFT JOIN (
    SELECT company_id, any_value(company_name) AS company_name
    FROM {MARTS_SCHEMA}.{COMPANIES} GROUP BY company_id
) AS c ON c.company_id = g.company_id
LEFT JOIN (
    SELECT x.company_id, CAST(extract(year FROM x.month) AS INTEGER) AS year,
        s.scope,
        count(*) FILTER (WHERE x.kind = 'no_emission_factor')
            AS no_emission_factor,
        count(*) FILTER (WHERE x.kind = 'residual_mix_unavailable')
            AS residual_mix_unavailable
    FROM {MARTS_SCHEMA}.{FINDINGS} AS x
    INNER JOIN (
        SELECT DISTINCT commodity, scope
        FROM {MARTS_SCHEMA}.fct_site_monthly_emissions
    ) AS s ON s.commodity = x.commodity
    GROUP BY ALL
) AS f ON f.company_id = g.company_id AND f.year = g.year AND f.scope = g.scope
"""
EXPORT_TABLES: tuple[str, ...] = (
    INVENTORY,
    FINDINGS,
    COMPANIES,
    "fct_site_monthly_emissions",
)


_EPILOG = """\
Output: one row per company, calendar year, scope (1: on-site combustion, 2:
purchased energy) and method (location, market) of marts.rpt_ghg_inventory:
the activity in kWh, CO2e in tonnes and the share of the activity with a
factor. CO2e adds only the activity that has an emission factor; where none
has one it shows 'missing' (empty in CSV), never 0. Below the table, one line
per company and year counts the findings of marts.dq_emission_findings by kind
(meter-months without an emission factor or a source-site ratio, site-months
without a residual mix, instrument quantity left over) with their commodities.

--out FILE also writes the rows as CSV: the mart's columns with every digit
(share_with_factor as a fraction, 0.875 = 87.5%); a text cell starting with
=, +, -, @, a tab or a carriage return gets a leading single quote.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    target_reader.add_source_arguments(parser)
    parser.add_argument("--company", metavar="ID", help="Only this company.")
    parser.add_argument(
        "--year",
        nargs="+",
        action="extend",
        type=int,
        default=[],
        metavar="YYYY",
        help="Only these calendar years.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="Also write the inventory rows to this CSV file.",
    )


def filters_from_args(args: argparse.Namespace) -> GhgFilters:
    return GhgFilters(company=args.company, years=tuple(dict.fromkeys(args.year)))


def main(args: argparse.Namespace) -> int:
    return target_reader.run_reader(
        args, COMMAND, lambda database: _main(args, database)
    )


def _main(args: argparse.Namespace, database: Path) -> int:
    try:
        if args.out is not None:
            safe_output.refuse_unsafe_file(args.out)
            if args.out.resolve() == database.resolve():
                raise GhgError(f"--out {args.out} is the database itself")
        inventory = query_inventory(database, filters_from_args(args))
        if args.out is not None:
            safe_output.write_text(args.out, format_csv(inventory.rows))
    except (GhgError, safe_output.OutputPathError, OSError) as exc:
        message = " ".join(str(exc).split())
        print(f"pipeline.py ghg: error: {message}", file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_BAD_INPUT)
    sys.stdout.write(format_table(inventory))
    if not inventory.rows:
        print("pipeline.py ghg: no inventory rows match the filters", file=sys.stderr)
    if args.out is not None:
        print(f"pipeline.py ghg: wrote {args.out}", file=sys.stderr)
    return EXIT_OK
