"""One run of the pipeline on any target: load, build, record the run, summarize.

``pipeline.py run`` is this one sequence whatever ``--target`` says; what differs
between the engines is a small adapter (:class:`RunAdapter`):

- ``load``: land the folder in the target (DuckDB: ``load.load_landing`` into the
  warehouse file; PostgreSQL and Spark: staged as ``load`` does, then copied into
  the engine's ``raw`` schema, see ``utility_warehouse.engines``);
- ``build``: ``dbt build`` on the target;
- ``record``: append the run's row to the target's ``marts.run_metadata``;
- ``read_back`` and ``show``: read what the summary needs back from the target
  and print the summary.

An adapter may also hold the target for the run (``session``: DuckDB's lock and
publishing), hold it between load and build (``building``: DuckDB's open file and
its run log), checkpoint after the record (``seal``) and decide the exit code at
the end (``finish``: the publish swap). A step that stops the run raises
:class:`RunStop` with the exit code, its message already printed.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from utility_warehouse import dbt_build, metadata
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_GATE_FAILED, EXIT_OK
from utility_warehouse.load import (
    LandingContractError,
    LoadReport,
    busy_exit,
    report_problems,
)

if TYPE_CHECKING:
    from utility_warehouse.publish import Decision


Given = Mapping[str, str | None]
"""The settings options given to a run (None: landing.json's or the default)."""


@dataclass(frozen=True)
class RunRequest:
    """What a run was asked to do (the options common to every target)."""

    raw_dir: Path
    as_of: date
    settings: Given = field(default_factory=dict)
    select: Sequence[str] = ()
    full_refresh: bool = False
    threads: int | None = None
    verbose: bool = False
    command_line: str | None = None


class RunStop(Exception):
    """The run stops with ``code``; what went wrong is already printed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def stop_busy(message: str) -> RunStop:
    """Another process holds the warehouse: one line on stderr, exit 3."""
    return RunStop(busy_exit(message))


def stop_error(message: str) -> RunStop:
    """A run that cannot go on: ``error: message`` on stderr, exit 2."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    return RunStop(EXIT_BAD_INPUT)


class RecordError(Exception):
    """The run's row could not be written (the message names the table)."""


@dataclass
class RunResult:
    """What one run did, as the adapter's summary and the run's row see it."""

    request: RunRequest
    run_id: str
    started_at: datetime
    report: LoadReport
    outcome: dbt_build.BuildOutcome
    load_seconds: float
    build_seconds: float
    exit_code: int
    recorded: bool = False
    decision: Decision | None = None
    """The publish decision (DuckDB ``--publish`` only)."""
    published_path: str | None = None

    @property
    def run_line(self) -> str:
        recorded = "recorded" if self.recorded else "NOT recorded"
        return f"run {self.run_id} {recorded} in {metadata.QUALIFIED_TABLE}"


class RunAdapter:
    """A target of ``run``: every hook but ``load``, ``build`` and ``record`` is
    optional (the defaults do nothing)."""

    name: str = ""

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Holds the target for the whole run."""
        yield

    def load(self, request: RunRequest) -> LoadReport:
        """Land ``request.raw_dir``; raises ``LandingContractError`` or RunStop."""
        raise NotImplementedError

    @contextlib.contextmanager
    def building(
        self, request: RunRequest, report: LoadReport, run_id: str, started_at: datetime
    ) -> Iterator[None]:
        """Holds the target from the end of the load to the end of the run."""
        yield

    def build(self, request: RunRequest, report: LoadReport) -> dbt_build.BuildOutcome:
        """``dbt build`` on the target; raises RunStop."""
        raise NotImplementedError

    def read_back(self, result: RunResult) -> None:
        """Read what the summary needs (and decide a publish) before the record."""

    def record(self, record: metadata.RunRecord) -> None:
        """Append ``record`` to the target's run metadata; raises RecordError."""
        raise NotImplementedError

    def warn(self, line: str) -> None:
        """A warning printed on stderr, also kept where the adapter keeps details."""
        print(line, file=sys.stderr, flush=True)

    def seal(self) -> None:
        """After the record: make the target durable."""

    def show(self, result: RunResult) -> None:
        """Print the run's summary."""
        raise NotImplementedError

    def finish(self, exit_code: int) -> int:
        """The run's exit code, once the target is released by ``building``."""
        return exit_code


def run_record(result: RunResult) -> metadata.RunRecord:
    """The ``marts.run_metadata`` row of a run."""
    outcome, report, decision = result.outcome, result.report, result.decision
    return metadata.RunRecord(
        run_id=result.run_id,
        as_of_date=result.request.as_of,
        started_at=result.started_at,
        ended_at=metadata.utc_now(),
        raw_dir=str(Path(result.request.raw_dir).resolve()),
        landing_files=metadata.landing_files_json(report.entities),
        project_version=metadata.project_version(dbt_build.PROJECT_DIR),
        dbt_version=metadata.dbt_version(),
        gate_status=metadata.GATE_FAILED
        if outcome.gate_failed
        else metadata.GATE_PASSED,
        tests_passed=outcome.tests_passed,
        tests_warned=outcome.tests_warned,
        tests_failed=outcome.tests_failed + outcome.tests_errored,
        exit_code=result.exit_code,
        published_path=result.published_path,
        publish_status=decision.status if decision else metadata.NOT_PUBLISHED,
        volume_gate_findings=decision.findings_json() if decision else None,
        **metadata.settings_columns(report.settings),
    )


def execute(adapter: RunAdapter, request: RunRequest) -> int:
    """One run on ``adapter``'s target; the exit code."""
    started_at = metadata.utc_now()
    try:
        with adapter.session():
            return _run(adapter, request, started_at)
    except RunStop as stop:
        return stop.code


def _run(adapter: RunAdapter, request: RunRequest, started_at: datetime) -> int:
    started = time.monotonic()
    try:
        report = adapter.load(request)
    except LandingContractError as error:
        report_problems(request.raw_dir, error.problems)
        return EXIT_BAD_INPUT
    loaded = time.monotonic()
    run_id = metadata.new_run_id()
    with adapter.building(request, report, run_id, started_at):
        outcome = adapter.build(request, report)
        result = RunResult(
            request=request,
            run_id=run_id,
            started_at=started_at,
            report=report,
            outcome=outcome,
            load_seconds=loaded - started,
            build_seconds=time.monotonic() - loaded,
            exit_code=EXIT_GATE_FAILED if outcome.gate_failed else EXIT_OK,
        )
        adapter.read_back(result)
        try:
            adapter.record(run_record(result))
            result.recorded = True
        except RecordError as error:
            adapter.warn(f"warning: {error}")
        adapter.seal()
        adapter.show(result)
    return adapter.finish(result.exit_code)
