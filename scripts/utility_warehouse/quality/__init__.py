"""The data-quality summary of a built warehouse: one screen an analyst can act on.

Reads the data-quality marts of the DuckDB file (opened read-only): the review
queue of ``marts.dq_findings`` (by default the OPEN findings, action first),
the counts of every kind of finding, the sites not ENERGY STAR ready with the
months they miss, the largest gaps and overlaps, the other odd bill periods,
the duplicate bill and meter candidates, the largest year-over-year usage
anomalies, and the field issues and the quarantine of the whole warehouse.

Every filter value reaches DuckDB as a bound parameter; the only SQL text that
varies with the request comes from the fixed table and column names below.

The package: ``findings`` reads the findings into plain values, ``screen``
shows them (``--format table``, a summary by default) or writes them as JSON;
this module is the command.

A warehouse built before some of these marts existed is still summarized: a
section whose table (or column) is missing says "not built".

Exit codes: 0 the summary was printed (findings are warnings, never failures);
2 a bad request (unknown company, site or kind of finding, a bad --limit, a
missing, unbuilt or not-DuckDB database file); 3 busy: another process holds
the DuckDB file for writing (a run is building it); a scheduler may retry.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from utility_warehouse import target_reader
from utility_warehouse.exit_codes import EXIT_OK
from utility_warehouse.quality.findings import (
    _MAX_LIMIT,
    COLUMNS,
    DEFAULT_LIMIT,
    FORMATS,
    ISSUE_TYPES,
    SEVERITIES,
    STATUS_CHOICES,
    TABLE_WIDTH,
    WINDOW_MONTHS,
    QualityBusyError,
    QualityError,
    QualityFilters,
    build_report,
    window_months,
)
from utility_warehouse.quality.screen import (
    MORE_HINT,
    format_json,
    format_table,
    render_table,
)
from utility_warehouse.reading import month_runs

__all__ = [
    "COLUMNS",
    "COMMAND",
    "DEFAULT_LIMIT",
    "FORMATS",
    "HELP",
    "ISSUE_TYPES",
    "MORE_HINT",
    "SUMMARY_ROWS",
    "TABLE_WIDTH",
    "WINDOW_MONTHS",
    "QualityBusyError",
    "QualityError",
    "QualityFilters",
    "add_arguments",
    "build_report",
    "filters_from_args",
    "format_json",
    "format_table",
    "main",
    "month_runs",
    "render_table",
    "window_months",
]

COMMAND = "quality"
HELP = "Summarize the data-quality findings of a built warehouse, ready to act on."
SUMMARY_ROWS = 3  # rows per list on the default screen

_EPILOG = f"""\
First the review queue: the findings of marts.dq_findings (every finding of
the warehouse, one row each, with a stable finding_id, its kind, severity
action or review, what it names and a short detail), by default those still
OPEN, action before review; each line has the finding_id, the severity, the
kind, the company, site, meter, bill and month it names (where set) and the
detail. --status all|open|resolved|dismissed, --kind KIND... and --severity
action|review choose them (an unknown kind is refused, naming the kinds of
reference.finding_severities and of the table). An analyst's decision is a
row of the landing's finding_reviews file (finding_id, status OPEN, RESOLVED
or DISMISSED, note, reviewed_by, reviewed_at); the latest per finding wins.
The counts table counts the findings per severity, kind and status.

Sections: the count of every kind of finding (meter-months partly covered or
missing, site x commodity pairs not ENERGY STAR ready, bill period issues per
type, duplicate bill and meter candidates, usage anomalies, implied sewer
site-months, mirror-estimated site x commodity months, meter-months with
estimated-read usage, unattributed bills per currency, field issues and
quarantined records); the sites not ENERGY STAR ready per commodity with
their latest complete month and the months, of the {WINDOW_MONTHS} ending at the
last complete month, whose coverage is not complete (or absent); the top N gaps and
overlaps (most days first), short, long and future periods, duplicate bills
(latest first), duplicate meters, and usage anomalies (largest change first);
field issues by entity, column and reason, and the quarantine by entity and
reason (the most frequent first on the screen).

The as-of date is that of the latest run recorded in marts.run_metadata
(today when the warehouse has none, e.g. built by plain dbt build). The last
complete month is the as-of month when the as-of date is its month's last
day, else the month before: the month in progress (coverage status
in_progress) is never listed as missing and never makes a site ready or
unready.

--company and --site narrow every section with a company or site (findings
by their company_id and site_id: with --site, a finding without a site is
not shown): duplicate
bills by the account's company and the sites of either bill's meters,
duplicate meters by either meter's site, mirror estimates by the estimated
site, unattributed bills (no meter, hence no site) by the companies of the
selected sites. Field issues and quarantined records have neither: they are
always for the whole warehouse.

A section whose mart a warehouse built by an older version lacks says "not
built" (null counts in JSON). The JSON object has the same sections: counts
are JSON numbers, decimals strings with every digit, dates ISO strings, months
YYYY-MM.

The screen (--format table) is a summary by default: the review queue's
first finding of each kind (every kind with an id to review), the counts of
the findings without a list, then each list with its count in its title, its
first 3 rows and how many more there are (--limit N: N rows of each list,
the queue's first N findings; --all: every row, both with every count in the
findings table). Money shows
to its currency's minor unit (no decimals for VND or JPY), usage rounded by
size.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    target_reader.add_source_arguments(parser)
    parser.add_argument("--company", metavar="ID", help="Only this company.")
    parser.add_argument(
        "--site",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="Only these sites.",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="Output format (default: table, for a 100-column terminal).",
    )
    review = parser.add_argument_group("the review queue (marts.dq_findings)")
    review.add_argument(
        "--status",
        choices=STATUS_CHOICES,
        default="open",
        help="Findings of this review status (default: open; all: every one).",
    )
    review.add_argument(
        "--kind",
        nargs="+",
        action="extend",
        default=[],
        metavar="KIND",
        help="Only findings of these kinds (e.g. duplicate_bill gap); an unknown "
        "kind is refused with the list of kinds.",
    )
    review.add_argument(
        "--severity",
        choices=SEVERITIES,
        default=None,
        help="Only findings of this severity (default: both).",
    )
    rows = parser.add_mutually_exclusive_group()
    rows.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help=f"Rows per list (default: {SUMMARY_ROWS} on the screen, a summary; "
        f"{DEFAULT_LIMIT} in JSON).",
    )
    rows.add_argument(
        "--all",
        action="store_true",
        help="Every row of every list (the screen's default is a summary).",
    )


def _rows(args: argparse.Namespace) -> int | None:
    """Rows per list: None for every row."""
    if getattr(args, "all", False):
        return None
    if args.limit is not None:
        return int(args.limit)
    return SUMMARY_ROWS if args.format == "table" else DEFAULT_LIMIT


def _is_summary(args: argparse.Namespace) -> bool:
    """The screen's default: neither --all nor --limit."""
    return not getattr(args, "all", False) and args.limit is None


def filters_from_args(args: argparse.Namespace) -> QualityFilters:
    """The ``QualityFilters`` of parsed command-line arguments."""
    rows = _rows(args)
    return QualityFilters(
        company=args.company,
        sites=tuple(args.site),
        limit=_MAX_LIMIT if rows is None else rows,
        status=str(getattr(args, "status", "open")),
        kinds=tuple(getattr(args, "kind", ())),
        severity=getattr(args, "severity", None),
        one_per_kind=args.format == "table" and _is_summary(args),
    )


def main(args: argparse.Namespace) -> int:
    return target_reader.run_reader(
        args, COMMAND, lambda database: _main(args, database)
    )


def _main(args: argparse.Namespace, database: Path) -> int:
    try:
        report = build_report(database, filters_from_args(args))
    except QualityError as exc:
        message = " ".join(str(exc).split())
        print(f"pipeline.py quality: error: {message}", file=sys.stderr)
        return exc.exit_code
    if args.format == "json":
        sys.stdout.write(format_json(report))
    else:
        sys.stdout.write(format_table(report, _rows(args), summary=_is_summary(args)))
    return EXIT_OK
