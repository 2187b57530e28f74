"""Land a landing folder, build the warehouse with ``dbt build``, print a summary.

Exit codes: 0 every error-severity test passed; 1 a test failed or errored, a
node errored or dbt raised; 2 a bad invocation or a landing folder that breaks
the contract (then dbt does not run).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

import duckdb

from utility_warehouse import dbt_build, load, summary
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_GATE_FAILED, EXIT_OK
from utility_warehouse.load import (
    LandingContractError,
    WarehouseWriteError,
    format_report,
    load_landing,
    report_problems,
)

COMMAND = "run"
HELP = "Load a landing folder, run dbt build on it and print a summary."


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(text: str) -> date:
    """An argparse type: a calendar date written YYYY-MM-DD."""
    if not _ISO_DATE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a calendar date: {text!r}") from error


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from error
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    load.add_arguments(parser)
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the run's reference date (default: today)",
    )
    parser.add_argument(
        "--select",
        nargs="+",
        action="extend",
        default=[],
        metavar="SELECTOR",
        help="dbt node selection for the build (default: everything)",
    )
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild incremental models from scratch",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        metavar="N",
        help="dbt threads (default: the profile's, UTILITY_WAREHOUSE_THREADS or 2)",
    )


def _print_summary(
    database: Path, as_of: date, outcome: dbt_build.BuildOutcome
) -> None:
    lines = [f"== summary (as of {as_of.isoformat()}) =="]
    try:
        lines.extend(summary.format_summary(summary.collect_summary(database)))
    except duckdb.Error as error:
        lines.append(f"(cannot read {database}: {error})")
    lines.append(outcome.nodes_line())
    lines.append(outcome.tally_line())
    problems = outcome.problem_lines()
    if problems:
        lines.append(f"quality gate FAILED ({len(problems)} problem(s)):")
        lines.extend(f"  {line}" for line in problems)
    else:
        lines.append("quality gate passed")
    print("\n".join(lines), flush=True)


def main(args: argparse.Namespace) -> int:
    as_of: date = args.as_of or date.today()
    database = Path(args.database)
    try:
        report = load_landing(args.raw_dir, database)
    except LandingContractError as error:
        report_problems(args.raw_dir, error.problems)
        return EXIT_BAD_INPUT
    except WarehouseWriteError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(format_report(report), flush=True)

    outcome = dbt_build.run_dbt_build(
        database,
        as_of,
        select=args.select,
        full_refresh=args.full_refresh,
        threads=args.threads,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    if outcome.exception is not None:
        print(
            f"error: dbt raised {type(outcome.exception).__name__}: "
            f"{outcome.exception}",
            file=sys.stderr,
            flush=True,
        )
        return EXIT_GATE_FAILED
    _print_summary(database, as_of, outcome)
    return EXIT_GATE_FAILED if outcome.gate_failed else EXIT_OK
