"""Run ``dbt build`` through dbt's Python API and classify what it reports.

The outcome counts tests (passed, warned, failed, errored, skipped) and the other
nodes (built, errored, skipped) per resource type, and names every failed, errored
or warned node so that ``run`` can fail the quality gate with a useful message.

dbt's console output is off unless ``verbose``: a ``dbtRunner`` callback
(``utility_warehouse.progress``) shows the build's progress instead and writes
dbt's log to the run log. The project is parsed first, and the parsed manifest is
used for a quick ``dbt ls`` of the selection (how many models and tests the
progress counts towards) and then for the build itself, which so parses nothing.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from utility_warehouse.environment import THREADS_ENV_VAR
from utility_warehouse.progress import BuildProgress, RunLog, log_directory

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATABASE_ENV_VAR = "UTILITY_WAREHOUSE_DB"

TEST_RESOURCE_TYPES = frozenset({"test", "unit_test"})
DEFAULT_LANDING_VARS: dict[str, str] = {"date_order": "mdy", "decimal_separator": "."}
"""The parsing vars' defaults (as dbt_project.yml declares them)."""


@dataclass(frozen=True)
class FailedTest:
    name: str
    unique_id: str
    failures: int | None
    status: str
    message: str | None


@dataclass(frozen=True)
class ErroredNode:
    unique_id: str
    resource_type: str
    message: str | None


@dataclass
class BuildOutcome:
    """What one ``dbt build`` did."""

    dbt_success: bool = True
    exception: BaseException | None = None
    tests_passed: int = 0
    tests_warned: int = 0
    tests_failed: int = 0
    tests_errored: int = 0
    tests_skipped: int = 0
    built: Counter[str] = field(default_factory=Counter)
    errored: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failed_tests: list[FailedTest] = field(default_factory=list)
    errored_nodes: list[ErroredNode] = field(default_factory=list)
    warned_tests: list[FailedTest] = field(default_factory=list)

    @property
    def gate_failed(self) -> bool:
        """True when the quality gate fails: exit code 1."""
        return bool(
            self.exception is not None
            or self.tests_failed
            or self.tests_errored
            or self.errored_nodes
            or not self.dbt_success
        )

    def tally_line(self) -> str:
        parts = [
            f"{self.tests_passed} passed",
            f"{self.tests_warned} warned",
            f"{self.tests_failed} failed",
        ]
        if self.tests_errored:
            parts.append(f"{self.tests_errored} errored")
        if self.tests_skipped:
            parts.append(f"{self.tests_skipped} skipped")
        return "tests: " + ", ".join(parts)

    def nodes_line(self) -> str:
        kinds = sorted(set(self.built) | set(self.errored) | set(self.skipped))
        if not kinds:
            return "nodes: none built"
        parts = []
        for kind in kinds:
            text = f"{_plural(kind)} {self.built[kind]} built"
            if self.errored[kind]:
                text += f", {self.errored[kind]} errored"
            if self.skipped[kind]:
                text += f", {self.skipped[kind]} skipped"
            parts.append(text)
        return "nodes: " + "; ".join(parts)

    def problem_lines(self) -> list[str]:
        """One line per failed or errored node (empty when the gate passes)."""
        lines: list[str] = []
        if self.exception is not None:
            lines.append(
                f"dbt raised: {type(self.exception).__name__}: {self.exception}"
            )
        for test in self.failed_tests:
            if test.status == "fail":
                count = "?" if test.failures is None else str(test.failures)
                lines.append(f"FAILED test {test.name}: {count} failing row(s)")
            else:
                lines.append(
                    f"ERRORED test {test.name}: {_one_line(test.message or 'error')}"
                )
        for node in self.errored_nodes:
            lines.append(
                f"ERRORED {node.resource_type} {node.unique_id}: "
                f"{_one_line(node.message or 'error')}"
            )
        if not lines and not self.dbt_success:
            lines.append("dbt build did not succeed (see dbt's log)")
        return lines

    def warning_lines(self, limit: int | None = None) -> list[str]:
        """One line per test that warned (at most ``limit``, then a count)."""
        shown = self.warned_tests if limit is None else self.warned_tests[:limit]
        lines = []
        for test in shown:
            count = "?" if test.failures is None else f"{test.failures:,}"
            lines.append(f"  WARN test {test.name}: {count} row(s)")
        hidden = len(self.warned_tests) - len(shown)
        if hidden:
            lines.append(f"  ... and {hidden} more warned test(s), named in the log")
        return lines


def _plural(resource_type: str) -> str:
    return resource_type if resource_type.endswith("s") else f"{resource_type}s"


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _text(value: Any) -> str:
    """The plain value of a dbt enum (NodeType, RunStatus, ...) or string."""
    return str(getattr(value, "value", value))


def classify_results(results: Iterable[Any]) -> BuildOutcome:
    """Count the node results of a ``dbt build`` (``dbtRunnerResult.result``)."""
    outcome = BuildOutcome()
    for result in results:
        node = result.node
        resource_type = _text(node.resource_type)
        status = _text(result.status)
        message = getattr(result, "message", None)
        if resource_type in TEST_RESOURCE_TYPES:
            if status == "pass":
                outcome.tests_passed += 1
            elif status == "warn":
                outcome.tests_warned += 1
                outcome.warned_tests.append(
                    FailedTest(
                        name=str(node.name),
                        unique_id=str(node.unique_id),
                        failures=getattr(result, "failures", None),
                        status=status,
                        message=message,
                    )
                )
            elif status == "skipped":
                outcome.tests_skipped += 1
            else:
                if status == "fail":
                    outcome.tests_failed += 1
                else:
                    outcome.tests_errored += 1
                outcome.failed_tests.append(
                    FailedTest(
                        name=str(node.name),
                        unique_id=str(node.unique_id),
                        failures=getattr(result, "failures", None),
                        status=status,
                        message=message,
                    )
                )
        elif status in ("success", "pass", "no-op"):
            outcome.built[resource_type] += 1
        elif status == "skipped":
            outcome.skipped[resource_type] += 1
        else:  # error, runtime error, partial success, ...
            outcome.errored[resource_type] += 1
            outcome.errored_nodes.append(
                ErroredNode(
                    unique_id=str(node.unique_id),
                    resource_type=resource_type,
                    message=message or status,
                )
            )
    return outcome


def dbt_vars(
    as_of: date, landing_vars: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The vars of a run: ``as_of`` and the landing's ``date_order`` and
    ``decimal_separator`` (the defaults when not given)."""
    return {
        "as_of": as_of.isoformat(),
        **DEFAULT_LANDING_VARS,
        **(landing_vars or {}),
    }


def _project_arguments(
    as_of: date,
    project_dir: Path,
    quiet: bool,
    log_path: Path | None,
    file_level: str = "debug",
    landing_vars: Mapping[str, str] | None = None,
) -> list[str]:
    """The options every dbt command of a run shares (vars, logging)."""
    arguments = [
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--vars",
        json.dumps(dbt_vars(as_of, landing_vars)),
        "--no-use-colors",
        "--log-format",
        "text",
        "--no-send-anonymous-usage-stats",
    ]
    if quiet:
        # Nothing on the console; dbt's log file (dbt.log) as always.
        arguments.extend(["--log-level", "none", "--log-level-file", file_level])
    if log_path is not None:
        arguments.extend(["--log-path", str(log_path)])
    return arguments


def _selection_arguments(select: Sequence[str]) -> list[str]:
    arguments = ["--exclude", "resource_type:unit_test"]
    if select:
        arguments.extend(["--select", *select])
    return arguments


def build_arguments(
    as_of: date,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    project_dir: Path = PROJECT_DIR,
    *,
    quiet: bool = False,
    log_path: Path | None = None,
    landing_vars: Mapping[str, str] | None = None,
) -> list[str]:
    """The command line of ``dbt build`` for one pipeline run.

    Unit tests check the models' logic on fixed inputs: they belong to
    ``make test`` and CI, not to every scheduled build, so they are excluded.
    ``quiet`` turns dbt's console output off (its log file stays); ``log_path``
    is dbt's log folder; ``landing_vars`` the landing's date order and decimal
    separator.
    """
    arguments = [
        "build",
        *_project_arguments(
            as_of, project_dir, quiet, log_path, landing_vars=landing_vars
        ),
        *_selection_arguments(select),
    ]
    if full_refresh:
        arguments.append("--full-refresh")
    return arguments


def release_database() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process.

    dbt-duckdb holds one database instance per process (and closes it only at
    exit); until it is closed, this process cannot open the file again with a
    different configuration (read-only, for the summary) and no other process
    can open it at all.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    environment = getattr(DuckDBConnectionManager, "_ENV", None)
    close = getattr(environment, "close", None)
    if callable(close):
        close()
    DuckDBConnectionManager.close_all_connections()


def database_path(database: Path) -> str:
    """The warehouse path as dbt gets it (the profile reads it from the env)."""
    return str(Path(database).resolve())


def _parse(
    dbt_runner: Any,
    as_of: date,
    log_path: Path,
    progress: BuildProgress,
    landing_vars: Mapping[str, str] | None,
) -> Any:
    """The parsed project (a dbt Manifest), or None when parsing fails.

    A failed parse is left to the build, which parses again and reports it.
    """
    from dbt.contracts.graph.manifest import Manifest

    arguments = [
        "parse",
        *_project_arguments(
            as_of, PROJECT_DIR, True, log_path, landing_vars=landing_vars
        ),
    ]
    result = dbt_runner(callbacks=[progress.on_event]).invoke(arguments)
    if result.success and isinstance(result.result, Manifest):
        return result.result
    return None


def _selected_counts(
    dbt_runner: Any,
    manifest: Any,
    as_of: date,
    select: Sequence[str],
    landing_vars: Mapping[str, str] | None,
) -> Counter[str] | None:
    """How many nodes of each resource type the build selects (``dbt ls``)."""
    arguments = [
        "ls",
        *_project_arguments(
            as_of,
            PROJECT_DIR,
            True,
            None,
            file_level="none",
            landing_vars=landing_vars,
        ),
        *_selection_arguments(select),
        "--resource-type",
        "model",
        "test",
        "--output",
        "json",
        "--output-keys",
        "resource_type",
    ]
    result = dbt_runner(manifest=manifest).invoke(arguments)
    if not result.success or not isinstance(result.result, list):
        return None
    counts: Counter[str] = Counter()
    for line in result.result:
        try:
            counts[str(json.loads(line)["resource_type"])] += 1
        except (TypeError, ValueError, KeyError):
            return None
    return counts


def run_dbt_build(
    database: Path,
    as_of: date,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    threads: int | None = None,
    *,
    verbose: bool = False,
    log: RunLog | None = None,
    landing_vars: Mapping[str, str] | None = None,
) -> BuildOutcome:
    """Run ``dbt build`` on ``database`` in this process and classify the results.

    dbt-duckdb opens the file with ``duckdb.connect``: when this process already
    holds it open (``run`` does, from the load to the end, with the same path from
    ``database_path``), dbt shares that database instance, so that no other
    process can take the file between the load and the build.

    dbt's log lines go to ``log``; on the console (standard output) the build's
    progress, or with ``verbose`` dbt's own output as it comes. ``landing_vars``
    (the landing's ``date_order`` and ``decimal_separator``) go to every dbt
    command next to ``as_of``.
    """
    # Imported here: dbt is slow to import and only `run` needs it.
    from dbt.artifacts.schemas.run import RunExecutionResult
    from dbt.cli.main import dbtRunner

    os.environ[DATABASE_ENV_VAR] = database_path(database)
    if threads is not None:
        os.environ[THREADS_ENV_VAR] = str(threads)
    log_path = log_directory(PROJECT_DIR)
    progress = BuildProgress(sys.stdout, log=log, show=not verbose)
    progress.start()
    try:
        manifest = _parse(dbtRunner, as_of, log_path, progress, landing_vars)
        if manifest is not None:
            counts = _selected_counts(dbtRunner, manifest, as_of, select, landing_vars)
            if counts is not None:
                progress.set_totals(counts["model"], counts["test"])
        arguments = build_arguments(
            as_of,
            select,
            full_refresh,
            quiet=not verbose,
            log_path=log_path,
            landing_vars=landing_vars,
        )
        runner = dbtRunner(manifest=manifest, callbacks=[progress.on_event])
        result = runner.invoke(arguments)
    finally:
        progress.finish()
        release_database()
    if result.exception is not None:
        return BuildOutcome(dbt_success=False, exception=result.exception)
    run_results = result.result
    if isinstance(run_results, RunExecutionResult):
        outcome = classify_results(run_results.results)
    else:
        outcome = BuildOutcome()
    outcome.dbt_success = bool(result.success)
    return outcome
