"""Land a landing folder, build the warehouse with ``dbt build``, print a summary.

A run holds the warehouse for its whole duration: the lock file ``<database>.lock``
from start to end (a second run on the same warehouse is refused at once), and
the DuckDB file itself from the end of the load until the end of the run (dbt
shares this process's database instance, so no other process can open the file
between the load and the build). After the build, whatever its outcome, the run
appends one row to ``marts.run_metadata`` (see ``utility_warehouse.metadata``).

With ``--publish PATH`` instead of ``--database FILE`` the run builds in
``PATH.building`` (a copy of ``PATH``) under the lock ``PATH.lock`` and swaps the
build into place by an atomic rename only when every error gate and the volume
gate pass; readers of ``PATH`` never see a half-built or failed warehouse (see
``utility_warehouse.publish``).

With ``--target postgres`` or ``--target spark`` (default ``duckdb``) the run goes
to that engine instead (``utility_warehouse.engines``: the folder is checked as
``load`` does, lands in the engine's raw schema, ``dbt build --target <engine>``
runs and a row goes to the engine's ``marts.run_metadata``), with the same exit
codes; the DuckDB-only options (``--database``, ``--publish``, ``--accept-changes``,
``--volume-threshold``) are refused there, and ``--spark-dir`` is for Spark only.

Every target goes through the same run, ``utility_warehouse.run_pipeline`` (load,
build, record the run, summarize); this module holds the command line and the
DuckDB adapter (``DuckdbAdapter``: lock, publish, open file, run log, summary),
``utility_warehouse.engines`` the PostgreSQL and Spark ones.

Output: the load report's totals, the path of the run log, the build's progress
(in a terminal one line rewritten in place; otherwise a plain line when the build
starts, every ~10 s and at its end) and a compact summary that names every failed
and warned test. The run log (``<dbt log folder>/<warehouse file name>-<hash>.log``,
the hash a short digest of the warehouse's absolute path)
holds the full load report, dbt's log and the full summary; ``--verbose`` prints
those instead (dbt's log as dbt prints it).

Exit codes: 0 every error-severity test passed (and, with --publish, the build
is published); 1 a test failed or errored, a node errored or dbt raised, or the
volume gate held a publish; 2 a bad invocation or a landing folder that breaks
the contract (then dbt does not run); 3 busy: another run holds the warehouse's
lock, or another process has the DuckDB file open (one line names the holder);
a scheduler may retry.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from utility_warehouse import (
    dbt_build,
    landing_settings,
    load,
    metadata,
    publish,
    run_pipeline,
    summary,
    target_reader,
)
from utility_warehouse.as_of_bound import as_of_argument
from utility_warehouse.environment import setting_problems
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_GATE_FAILED
from utility_warehouse.load import (
    LoadReport,
    WarehouseBusyError,
    WarehouseWriteError,
    busy_exit,
    format_report,
    load_landing,
    settings_exit,
)
from utility_warehouse.lock import (
    LockFileError,
    WarehouseBusy,
    WarehouseLock,
    duckdb_busy_message,
    is_duckdb_lock_error,
)
from utility_warehouse.progress import RunLog, display_path, run_log_path
from utility_warehouse.run_pipeline import (
    RecordError,
    RunAdapter,
    RunRequest,
    RunResult,
    RunStop,
    stop_busy,
    stop_error,
)

COMMAND = "run"
HELP = "Load a landing folder, run dbt build on it and print a summary."


WARNED_TESTS_SHOWN = 10
"""The compact summary names this many warned tests (the run log names all)."""


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


PUBLISH_EPILOG = f"""\
publishing (--publish PATH, instead of --database):
  the run takes the lock PATH.lock and builds in PATH.building, a copy of PATH
  (a new file the first time); only when every error gate passes and the volume
  gate passes does an atomic rename put the build in place, the old file kept as
  PATH.previous. Otherwise PATH stays as it was and the build is kept as
  PATH.failed. Readers opening PATH read-only see the old file until the rename
  and the new one after, never a lock error or a half-built warehouse.
  The volume gate compares the build with PATH: per company and commodity the
  counted usage, and per currency the cost, of marts.fct_meter_monthly; a move
  beyond the threshold (from 0 to anything counts), or a company of
  marts.dim_companies gone, holds the publish (exit 1) unless --accept-changes.
  Threshold: --volume-threshold, else ${publish.THRESHOLD_ENV_VAR}, else \
{publish.DEFAULT_THRESHOLD}.
"""


def _relax_database_option(parser: argparse.ArgumentParser) -> None:
    """``load``'s --database is required; for ``run`` it is --publish's alternative.

    argparse offers no public way to reach an action already added, so the
    action list is searched (the check moves to ``main``).
    """
    for action in parser._actions:
        if "--database" in action.option_strings:
            action.required = False
            action.metavar = "FILE"
            action.help = (
                "DuckDB file of the warehouse, built in place "
                "(or give --publish PATH; one of the two is required with "
                "--target duckdb, and neither with the other targets)"
            )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    load.add_arguments(parser)
    _relax_database_option(parser)
    target_reader.add_target_arguments(parser, reading=False)
    parser.add_argument(
        "--publish",
        type=Path,
        default=None,
        metavar="PATH",
        help="build beside PATH (in PATH.building) and swap the build in by an "
        "atomic rename only when every gate passes, keeping the old file as "
        "PATH.previous; readers of PATH are never blocked (instead of --database)",
    )
    parser.add_argument(
        "--accept-changes",
        action="store_true",
        help="with --publish: publish even when the volume gate finds changes "
        "beyond the threshold (they are printed and recorded as accepted)",
    )
    parser.add_argument(
        "--volume-threshold",
        type=publish.threshold_argument,
        default=None,
        metavar="FRACTION",
        help="with --publish: the largest accepted move of a company's usage or "
        "cost per commodity, as a fraction of the published value (default: "
        f"${publish.THRESHOLD_ENV_VAR} or {publish.DEFAULT_THRESHOLD} = 50%%)",
    )
    parser.epilog = PUBLISH_EPILOG
    parser.add_argument(
        "--as-of",
        type=as_of_argument,
        default=None,
        metavar="YYYY-MM-DD",
        help="the run's reference date (default: today), from 1950-01-01 to one "
        "year after today",
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
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print the full load report, dbt's log as it comes and the full "
        "summary (by default they go to the run log, whose path is printed, and "
        "the screen shows the build's progress and the totals)",
    )


@dataclass(frozen=True)
class _Output:
    """Where a run's details go: the screen (``verbose``) and the run log."""

    verbose: bool
    log: RunLog | None

    def log_lines(self, lines: list[str]) -> None:
        if self.log is not None:
            self.log.write_lines(lines)

    def details_hint(self) -> str | None:
        """The compact summary's pointer to the details."""
        if self.verbose:
            return None
        where = (
            display_path(self.log.path)
            if self.log is not None and self.log.writable
            else None
        )
        if where is None:
            return "details: run with --verbose"
        return f"details (per table, entity, column and reason): {where}, or --verbose"


def _summary_lines(
    database: Path,
    as_of: date,
    outcome: dbt_build.BuildOutcome,
    collected: summary.WarehouseSummary | None,
    read_error: str | None,
    run_line: str,
    publish_lines: list[str] | None = None,
    *,
    detail: bool = True,
    hint: str | None = None,
) -> list[str]:
    """The summary: full (``detail``) or compact with a pointer to the details.

    Either names every failed test and errored node; the compact one names at
    most ten warned tests.
    """
    lines = [f"== summary (as of {as_of.isoformat()}) =="]
    if collected is not None:
        if detail:
            lines.extend(summary.format_summary(collected))
        else:
            lines.extend(summary.format_compact_summary(collected))
    else:
        lines.append(f"(cannot read {database}: {read_error})")
    if hint is not None:
        lines.append(hint)
    lines.append(run_line)
    lines.append(outcome.nodes_line())
    lines.append(outcome.tally_line())
    lines.extend(outcome.warning_lines(limit=None if detail else WARNED_TESTS_SHOWN))
    problems = outcome.problem_lines()
    if problems:
        lines.append(f"quality gate FAILED ({len(problems)} problem(s)):")
        lines.extend(f"  {line}" for line in problems)
    else:
        lines.append("quality gate passed")
    lines.extend(publish_lines or [])
    return lines


def _dbt_busy_error(outcome: dbt_build.BuildOutcome) -> str | None:
    """DuckDB's lock error if dbt could not open the warehouse file."""
    if is_duckdb_lock_error(outcome.exception):
        return str(outcome.exception)
    for node in outcome.errored_nodes:
        if is_duckdb_lock_error(node.message):
            return node.message
    for test in outcome.failed_tests:
        if is_duckdb_lock_error(test.message):
            return test.message
    return None


def _open_run_log(
    command_line: str | None,
    warehouse: Path,
    run_id: str,
    started_at: datetime,
    report: LoadReport,
) -> RunLog:
    """The run log, headed by the run and the full load report; its path printed.

    A run log that cannot be written is named in a warning; the run goes on.
    """
    log = RunLog.create(run_log_path(warehouse, dbt_build.PROJECT_DIR))
    if log.error is not None:
        print(f"warning: no run log: {log.error}", file=sys.stderr, flush=True)
        return log
    log.write_lines(
        [
            f"run {run_id} of {warehouse}, started {started_at:%Y-%m-%d %H:%M:%S} UTC",
            *([f"command: {command_line}"] if command_line else []),
            "",
            format_report(report),
            "",
        ]
    )
    print(f"dbt log: {display_path(log.path)}", flush=True)
    return log


class DuckdbAdapter(RunAdapter):
    """``run`` on DuckDB: the warehouse file built in place, or, with a
    ``publisher``, its copy ``PATH.building`` swapped in when every gate passes.

    The run holds the lock ``<warehouse>.lock`` throughout (``session``) and the
    file itself from the end of the load to the end of the run (``building``:
    dbt shares this process's database instance); the run log gets the details.
    """

    name = target_reader.DUCKDB

    def __init__(
        self,
        database: Path | None,
        publisher: publish.Publisher | None = None,
        command_line: str | None = None,
    ) -> None:
        self.publisher = publisher
        # A publishing run locks the published file: one run per warehouse either way.
        if publisher is not None:
            self.warehouse, self.database = publisher.paths.target, publisher.building
        else:
            assert database is not None
            self.warehouse = self.database = Path(database)
        self.command_line = command_line
        self._output = _Output(verbose=False, log=None)
        self._held: duckdb.DuckDBPyConnection | None = None
        self._collected: summary.WarehouseSummary | None = None
        self._read_error: str | None = None
        self._publish_lines: list[str] = []

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        lock = WarehouseLock(self.warehouse, self.command_line)
        try:
            lock.acquire()
        except WarehouseBusy as error:
            raise stop_busy(str(error)) from error
        except LockFileError as error:
            raise stop_error(str(error)) from error
        except OSError as error:
            raise stop_error(
                f"cannot create the lock file {lock.path}: {error}"
            ) from error
        try:
            if self.publisher is None:
                yield
            else:
                with self._publishing(self.publisher):
                    yield
        finally:
            lock.release()

    @contextlib.contextmanager
    def _publishing(self, publisher: publish.Publisher) -> Iterator[None]:
        """``run --publish``: the run of ``run --database PATH.building``, then
        the swap (``finish``; see ``utility_warehouse.publish``)."""
        try:
            publisher.prepare()
        except publish.PublishBusyError as error:
            raise stop_busy(str(error)) from error
        except publish.PublishError as error:
            raise stop_error(str(error)) from error
        try:
            yield
        except RunStop:
            self._discard_unbuilt(publisher)
            raise
        except BaseException:
            # Never leave a half-built file that looks like the next run's start.
            publisher.remove_leftovers()
            raise
        self._discard_unbuilt(publisher)

    @staticmethod
    def _discard_unbuilt(publisher: publish.Publisher) -> None:
        if publisher.decision is None and publisher.building.exists():
            # Stopped before dbt ran (a contract error, a busy or unwritable file).
            publisher.discard()

    def load(self, request: RunRequest) -> LoadReport:
        try:
            report = load_landing(
                request.raw_dir, self.database, **dict(request.settings)
            )
        except WarehouseBusyError as error:
            raise stop_busy(str(error)) from error
        except WarehouseWriteError as error:
            raise stop_error(str(error)) from error
        print(format_report(report, detail=request.verbose), flush=True)
        return report

    @contextlib.contextmanager
    def building(
        self, request: RunRequest, report: LoadReport, run_id: str, started_at: datetime
    ) -> Iterator[None]:
        log = _open_run_log(
            request.command_line, self.warehouse, run_id, started_at, report
        )
        self._output = _Output(
            verbose=request.verbose, log=log if log.writable else None
        )
        try:
            # Keep the file open until the end: dbt opens it through this same
            # database instance, and no other process can open it in between.
            try:
                held = duckdb.connect(dbt_build.database_path(self.database))
            except duckdb.Error as error:
                if is_duckdb_lock_error(error):
                    raise stop_busy(
                        duckdb_busy_message(self.database, error)
                    ) from error
                raise stop_error(f"cannot open {self.database}: {error}") from error
            with contextlib.closing(held):
                self._held = held
                try:
                    yield
                finally:
                    self._held = None
        finally:
            log.close()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        assert self._held is not None, "only while building"
        return self._held

    def build(self, request: RunRequest, report: LoadReport) -> dbt_build.BuildOutcome:
        outcome = dbt_build.run_dbt_build(
            self.database,
            request.as_of,
            select=request.select,
            full_refresh=request.full_refresh,
            threads=request.threads,
            verbose=self._output.verbose,
            log=self._output.log,
            landing_vars=report.settings.dbt_vars(),
        )
        sys.stdout.flush()
        sys.stderr.flush()
        busy = _dbt_busy_error(outcome)
        if busy is not None:
            raise RunStop(busy_exit(duckdb_busy_message(self.database, busy)))
        return outcome

    def read_back(self, result: RunResult) -> None:
        """The summary's counts, then (publishing) the gates' decision, so that
        the run's row tells what became of the build."""
        held = self._connection()
        if result.outcome.exception is None:
            try:
                self._collected = summary.collect_summary(self.database, held)
            except duckdb.Error as error:
                self._read_error = " ".join(str(error).split())
        if self.publisher is not None:
            decision = self.publisher.decide(held, result.outcome, result.run_id)
            if decision.status == metadata.HELD_BY_VOLUME_GATE:
                result.exit_code = EXIT_GATE_FAILED
            self._publish_lines = decision.summary_lines()
            result.decision = decision
            result.published_path = str(self.publisher.paths.target)

    def record(self, record: metadata.RunRecord) -> None:
        try:
            metadata.write_run(self._connection(), record)
        except duckdb.Error as error:
            message = " ".join(str(error).split())
            raise RecordError(
                f"cannot write {metadata.QUALIFIED_TABLE}: {message}"
            ) from error

    def warn(self, line: str) -> None:
        self._output.log_lines([line])
        super().warn(line)

    def seal(self) -> None:
        """A publishing run checkpoints the build file (its row included)."""
        if self.publisher is not None:
            self.publisher.seal(self._connection())

    def show(self, result: RunResult) -> None:
        output, outcome = self._output, result.outcome
        if outcome.exception is not None:
            error_line = (
                f"error: dbt raised {type(outcome.exception).__name__}: "
                f"{outcome.exception}"
            )
            output.log_lines(["", error_line])
            print(error_line, file=sys.stderr, flush=True)
            return
        summary_lines = functools.partial(
            _summary_lines,
            self.database,
            result.request.as_of,
            outcome,
            self._collected,
            self._read_error,
            result.run_line,
            self._publish_lines,
        )
        full = summary_lines()
        output.log_lines(["", *full])
        if output.verbose:
            shown = full
        else:
            shown = summary_lines(detail=False, hint=output.details_hint())
        print("\n".join(shown), flush=True)

    def finish(self, exit_code: int) -> int:
        """Every connection to the build file is closed now: swap it in or keep it."""
        if self.publisher is None or self.publisher.decision is None:
            return exit_code
        return self.publisher.finish(exit_code)


class _UsageError(Exception):
    """A bad combination of options (exit 2, like argparse's own errors)."""


def _publisher(args: argparse.Namespace) -> publish.Publisher | None:
    """The publisher of a ``--publish`` run; None for a ``--database`` run."""
    database = getattr(args, "database", None)
    target = getattr(args, "publish", None)
    accept_changes = bool(getattr(args, "accept_changes", False))
    given_threshold: Decimal | None = getattr(args, "volume_threshold", None)
    if database is not None and target is not None:
        raise _UsageError("argument --publish: not allowed with --database")
    if target is None:
        if database is None:
            raise _UsageError("one of the arguments --database --publish is required")
        if accept_changes:
            raise _UsageError("argument --accept-changes: only with --publish")
        if given_threshold is not None:
            raise _UsageError("argument --volume-threshold: only with --publish")
        return None
    try:
        threshold = publish.resolve_threshold(given_threshold, os.environ)
    except ValueError as error:
        raise _UsageError(str(error)) from error
    return publish.Publisher(Path(target), threshold, accept_changes=accept_changes)


# Options of a DuckDB run only (argparse dest, option): refused with another target.
DUCKDB_ONLY_OPTIONS: tuple[tuple[str, str], ...] = (
    ("database", "--database"),
    ("publish", "--publish"),
    ("accept_changes", "--accept-changes"),
    ("volume_threshold", "--volume-threshold"),
)


def _run_on_engine(args: argparse.Namespace, engine: str) -> int:
    """``run --target postgres|spark``: see ``utility_warehouse.engines``."""
    from utility_warehouse import engines

    for dest, option in DUCKDB_ONLY_OPTIONS:
        if getattr(args, dest, None) not in (None, False):
            raise _UsageError(
                f"argument {option}: only with --target duckdb, not {engine}"
            )
    return engines.run_command(
        engine,
        Path(args.raw_dir),
        args.as_of or date.today(),
        spark_dir=args.spark_dir,
        settings=landing_settings.given_settings(args),
        select=args.select,
        full_refresh=args.full_refresh,
        threads=args.threads,
    )


def main(args: argparse.Namespace) -> int:
    problems = setting_problems(threads=getattr(args, "threads", None) is None)
    if problems:
        return settings_exit(problems)
    target = getattr(args, "target", target_reader.DUCKDB)
    try:
        target_reader.check_spark_dir(args)
        if target != target_reader.DUCKDB:
            return _run_on_engine(args, target)
        adapter = DuckdbAdapter(
            getattr(args, "database", None),
            _publisher(args),
            getattr(args, "command_line", None),
        )
    except (_UsageError, target_reader.TargetError) as error:
        print(f"pipeline.py {COMMAND}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return run_pipeline.execute(
        adapter,
        RunRequest(
            raw_dir=args.raw_dir,
            as_of=args.as_of or date.today(),
            settings=landing_settings.given_settings(args),
            select=args.select,
            full_refresh=args.full_refresh,
            threads=args.threads,
            verbose=bool(getattr(args, "verbose", False)),
            command_line=getattr(args, "command_line", None),
        ),
    )
