"""A self-contained HTML report of a built warehouse, its charts drawn as inline SVG.

Reads the marts of the DuckDB file (opened read-only) and writes one HTML file
that needs nothing else: no script, no stylesheet or font to fetch, no image
file, no URL (a Content-Security-Policy forbids the page any request). It opens
offline in any browser and prints on paper.

Sections (every one for the company given, else for the whole warehouse):

- the header: the warehouse's as-of date and build time (the latest run in
  ``marts.run_metadata``), the quality gate, the filters and the period;
- monthly usage by commodity, one chart per standard unit (kWh and gallons are
  never added), and monthly cost by commodity, one chart per currency
  (currencies are never added): counted figures of ``marts.fct_meter_monthly``;
- year over year per commodity and unit: the 12 months ending at the period's
  last month next to the 12 months before them;
- top sites by cost (one chart per currency) and by energy intensity (kWh per
  ft2 over the last 12 months of the period, from ``dim_sites``'
  ``gross_floor_area`` in ``gross_floor_area_units``; 1 m2 = 10.7639 ft2; sites
  whose area or unit is unknown are named apart);
- cost by charge type per currency: the cost components of
  ``intermediate.int_bill_costs_allocated`` (line items by charge type, and the
  part of the bill not itemized) of the counted bill x meter costs of
  ``marts.fct_bill_meter_costs``, each spread over its bill's days as the
  monthly costs are, keeping the days inside the period;
- the coverage heatmap: meter (or site x commodity) x month status of
  ``marts.dq_meter_month_coverage`` (complete, partial, missing, and in
  progress: the as-of month when the as-of date is not its last day, never
  drawn as missing);
- the site x commodity pairs not ENERGY STAR ready
  (``marts.dq_site_energy_star_readiness``, as of the as-of date) with the 12
  months ending at the last complete month;
- energy and emissions (``report.carbon``): where emission factors are
  missing (``marts.dq_emission_findings``), monthly CO2e by scope and method
  (``marts.fct_site_monthly_emissions``), the GHG inventory
  (``marts.rpt_ghg_inventory``) and site and source EUI per site against floor
  area (``marts.fct_site_energy_performance``);
- the meters without a site (``marts.dim_meters``), with their counted usage
  and cost in the period.

The period defaults to the 24 months ending at the last complete month of the
warehouse's as-of date (the latest run's as-of date; today for a warehouse
without ``marts.run_metadata``): the as-of month when the as-of date is its
last day, else the month before. ``--through as-of`` ends it at the as-of month
instead, the month in progress included. ``--from`` alone runs to that end;
``--to`` alone starts 23 months earlier. A period spans at most ``MAX_MONTHS``
months.

Every filter value reaches DuckDB as a bound parameter; the only SQL text that
varies comes from the fixed table and column names below.

The package: ``data`` reads the figures, ``page`` assembles the HTML,
``charts`` draws the chart sections, ``style`` holds the colours, labels,
rounding and CSS; this module is the command.

Exit codes: 0 the report was written (maybe with "no data" sections); 2 a bad
request (unknown company, malformed, out-of-range or reversed months, a period
too long, a missing or unbuilt database, an output path that cannot be
written); 3 busy: another process holds the DuckDB file for writing (a run is
building it); a scheduler may retry.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import date
from pathlib import Path

from utility_warehouse import safe_output, target_reader
from utility_warehouse.exit_codes import EXIT_OK
from utility_warehouse.reading import month_text
from utility_warehouse.report.charts import Charts, _yoy_change, render_html
from utility_warehouse.report.data import (
    COLUMNS,
    DEFAULT_MONTHS,
    MAX_MONTHS,
    CoverageCell,
    CoverageRow,
    Intensity,
    NotReady,
    ReportBusyError,
    ReportData,
    ReportError,
    ReportRequest,
    RunInfo,
    Site,
    UnassignedMeter,
    collect,
    resolve_period,
)
from utility_warehouse.report.page import Page
from utility_warehouse.report.style import (
    CSP,
    CSS,
    commodity_label,
    fmt_money,
    fmt_number,
    month_label,
)

__all__ = [
    "COLUMNS",
    "COMMAND",
    "CSP",
    "CSS",
    "DEFAULT_MONTHS",
    "HELP",
    "MAX_MONTHS",
    "Charts",
    "CoverageCell",
    "CoverageRow",
    "Intensity",
    "NotReady",
    "Page",
    "ReportBusyError",
    "ReportData",
    "ReportError",
    "ReportRequest",
    "RunInfo",
    "Site",
    "UnassignedMeter",
    "_yoy_change",
    "add_arguments",
    "build_report",
    "collect",
    "commodity_label",
    "fmt_money",
    "fmt_number",
    "main",
    "month_label",
    "render_html",
    "resolve_period",
    "write_report",
]

COMMAND = "report"
HELP = "Write a self-contained HTML report with inline SVG charts of a built warehouse."


def write_report(out: Path, html: str) -> None:
    """Write ``html`` to ``out`` atomically (staged beside it, then renamed);
    refuses an ``out`` that exists and is not a regular file."""
    try:
        safe_output.write_text(out, html)
    except safe_output.OutputPathError as exc:
        raise ReportError(str(exc)) from exc
    except OSError as exc:
        raise ReportError(f"cannot write {out}: {exc.strerror or exc}") from exc


def build_report(
    database: Path, out: Path, request: ReportRequest, today: date | None = None
) -> ReportData:
    """Read the warehouse and write the report to ``out``; returns its data."""
    database, out = Path(database), Path(out)
    try:
        safe_output.refuse_unsafe_file(out)
    except safe_output.OutputPathError as exc:
        raise ReportError(str(exc)) from exc
    with contextlib.suppress(OSError):
        if out.exists() and database.exists() and out.samefile(database):
            raise ReportError(f"--out {out} is the database itself")
    if out.suffix.lower() in (".duckdb", ".db"):
        raise ReportError(f"--out {out} looks like a database; give an .html file")
    data = collect(database, request, today)
    write_report(out, render_html(data))
    return data


_EPILOG = """\
Sections: monthly usage by commodity (one chart per standard unit: kWh and
gallons are never added), monthly cost by commodity (one chart per currency:
currencies are never added), year over year per commodity (the 12 months
ending at the period's last month against the 12 before), top sites by cost
(per currency) and by energy intensity (kWh per ft2 over the period's last 12
months; 1 m2 = 10.7639 ft2; sites without a known floor area are named apart),
cost by charge type (per currency), the coverage heatmap (meter or site x
commodity by month: complete, partial, missing, in progress), the site x
commodity pairs not ENERGY STAR ready, energy and emissions (where factors are
missing, monthly CO2e by scope and method, the GHG inventory, site and source
EUI per site against floor area; a CO2e without a factor is left out and said,
never counted as zero), and the meters without a site with their usage.

The period defaults to the 24 months ending at the last complete month of the
warehouse's as-of date (the latest run's as-of date in marts.run_metadata;
today without it): the as-of month when the as-of date is its month's last
day, else the month before. --through as-of ends it at the as-of month
instead; that month, in progress, is drawn as such (never as missing
coverage). --from alone runs to that end, --to alone starts 23 months before
it; a period spans
at most 120 months between 1950-01 and the month one year after today (the
months of the as-of dates every command accepts). A warehouse whose latest
run's as-of date is outside that bound is refused: rebuild it.

The file is self-contained: charts are inline SVG, there is no script and
nothing to download; it opens offline in any browser. Hover a mark for its
value, or open the table of values under a chart. On a narrow screen (a
phone) every chart is drawn in a narrow variant whose text stays at least
11 px, and tables scroll sideways inside their box.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    target_reader.add_source_arguments(parser)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="The HTML file to write (replaced atomically; folders are created). "
        "Refused when it exists and is not a regular file (a symlink, FIFO, "
        "device or folder).",
    )
    parser.add_argument("--company", metavar="ID", help="Only this company.")
    parser.add_argument(
        "--from",
        dest="month_from",
        metavar="YYYY-MM",
        help="First month, inclusive (default: 23 months before --to).",
    )
    parser.add_argument(
        "--to",
        dest="month_to",
        metavar="YYYY-MM",
        help="Last month, inclusive (default: see --through).",
    )
    parser.add_argument(
        "--through",
        choices=("complete", "as-of"),
        default="complete",
        help="Where the period ends without --to: complete (default) = the "
        "last complete month of the warehouse's as-of date (its month when it "
        "is the month's last day, else the month before); as-of = the as-of "
        "month, the month in progress included.",
    )


def main(args: argparse.Namespace) -> int:
    return target_reader.run_reader(
        args, COMMAND, lambda database: _main(args, database)
    )


def _main(args: argparse.Namespace, database: Path) -> int:
    request = ReportRequest(
        company=args.company,
        month_from=args.month_from,
        month_to=args.month_to,
        through=str(getattr(args, "through", "complete")),
    )
    try:
        data = build_report(database, Path(args.out), request)
    except ReportError as exc:
        message = " ".join(str(exc).split())
        print(f"pipeline.py report: error: {message}", file=sys.stderr)
        return exc.exit_code
    scope = data.company[0] if data.company else "all companies"
    print(
        f"report written: {args.out} ({scope}, "
        f"{month_text(data.first)} to {month_text(data.last)}, as of "
        f"{data.as_of.isoformat()})"
    )
    return EXIT_OK
