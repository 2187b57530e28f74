"""``pipeline.py run``: bad invocations, the contract gate, dbt result handling."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import PROJECT_ROOT, run_pipeline, write_landing
from utility_warehouse import cli, dbt_build


def result(
    resource_type: str,
    name: str,
    status: str,
    failures: int | None = None,
    message: str | None = None,
) -> SimpleNamespace:
    node = SimpleNamespace(
        unique_id=f"{resource_type}.utility_warehouse.{name}",
        resource_type=resource_type,
        name=name,
    )
    return SimpleNamespace(node=node, status=status, failures=failures, message=message)


def test_unknown_subcommand_exits_2() -> None:
    completed = run_pipeline("frobnicate")
    assert completed.returncode == 2
    assert "invalid choice" in completed.stderr


@pytest.mark.parametrize("as_of", ["2026-13-01", "01/11/2026", "20261101", "soon"])
def test_malformed_as_of_exits_2(tmp_path: Path, as_of: str) -> None:
    completed = run_pipeline(
        "run",
        "--raw-dir",
        str(tmp_path),
        "--database",
        str(tmp_path / "w.duckdb"),
        "--as-of",
        as_of,
    )
    assert completed.returncode == 2
    assert "--as-of" in completed.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_missing_raw_dir_exits_2(tmp_path: Path) -> None:
    completed = run_pipeline("run", "--database", str(tmp_path / "w.duckdb"))
    assert completed.returncode == 2
    assert "--raw-dir" in completed.stderr


def test_missing_required_file_exits_2_before_dbt_runs(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    del minimal_landing["meters"]
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"

    completed = run_pipeline(
        "run", "--raw-dir", str(raw_dir), "--database", str(database)
    )

    assert completed.returncode == 2
    assert "missing required file: meters.csv|.jsonl|.parquet" in completed.stderr
    assert "dbt" not in completed.stdout.lower()
    assert not database.exists()


def test_classify_counts_tests_and_nodes_and_names_failures() -> None:
    outcome = dbt_build.classify_results(
        [
            result("seed", "commodities", "success"),
            result("model", "stg_a", "success"),
            result("model", "stg_b", "error", message="Binder Error: no column x"),
            result("model", "dim_c", "skipped"),
            result("test", "not_null_a_id", "pass", failures=0),
            result("test", "unique_a_id", "warn", failures=2),
            result("test", "accepted_values_b", "fail", failures=3),
            result("test", "relationships_c", "error", message="boom"),
            result("unit_test", "ut_parse", "pass"),
        ]
    )

    assert (outcome.tests_passed, outcome.tests_warned) == (2, 1)
    assert (outcome.tests_failed, outcome.tests_errored) == (1, 1)
    assert outcome.built == {"seed": 1, "model": 1}
    assert outcome.errored == {"model": 1}
    assert outcome.skipped == {"model": 1}
    assert outcome.gate_failed
    problems = "\n".join(outcome.problem_lines())
    assert "accepted_values_b: 3 failing row(s)" in problems
    assert "relationships_c" in problems
    assert "model.utility_warehouse.stg_b: Binder Error: no column x" in problems
    assert outcome.tally_line() == "tests: 2 passed, 1 warned, 1 failed, 1 errored"


def test_warnings_alone_pass_the_gate() -> None:
    outcome = dbt_build.classify_results(
        [
            result("model", "stg_a", "success"),
            result("test", "unique_a_id", "warn", failures=2),
            result("test", "not_null_a_id", "pass", failures=0),
        ]
    )
    assert not outcome.gate_failed
    assert outcome.problem_lines() == []
    assert outcome.tally_line() == "tests: 1 passed, 1 warned, 0 failed"


def test_dbt_arguments() -> None:
    arguments = dbt_build.build_arguments(
        date(2026, 11, 1), select=["staging", "+dim_meters"], full_refresh=True
    )
    assert arguments[0] == "build"
    assert arguments[arguments.index("--project-dir") + 1] == str(PROJECT_ROOT)
    assert arguments[arguments.index("--profiles-dir") + 1] == str(PROJECT_ROOT)
    assert json.loads(arguments[arguments.index("--vars") + 1]) == {
        "as_of": "2026-11-01"
    }
    select_at = arguments.index("--select")
    assert arguments[select_at + 1 : select_at + 3] == ["staging", "+dim_meters"]
    assert "--full-refresh" in arguments
    assert "--no-use-colors" in arguments


def run_in_process(raw_dir: Path, database: Path, *extra: str) -> int:
    return cli.main(
        ["run", "--raw-dir", str(raw_dir), "--database", str(database), *extra]
    )


def test_failed_tests_fail_the_gate_and_are_named_before_the_summary_ends(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_build(database: Path, as_of: date, **options: Any) -> Any:
        calls.append({"database": database, "as_of": as_of, **options})
        return dbt_build.classify_results(
            [
                result("model", "stg_a", "success"),
                result("test", "unique_a_id", "fail", failures=4),
                result("test", "not_null_a_id", "pass", failures=0),
            ]
        )

    monkeypatch.setattr(dbt_build, "run_dbt_build", fake_build)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"

    code = run_in_process(
        raw_dir,
        database,
        "--as-of",
        "2026-11-01",
        "--select",
        "a",
        "b",
        "--threads",
        "3",
    )

    assert code == 1
    assert calls == [
        {
            "database": database,
            "as_of": date(2026, 11, 1),
            "select": ["a", "b"],
            "full_refresh": False,
            "threads": 3,
        }
    ]
    out = capsys.readouterr().out
    summary = out[out.index("== summary") :]
    assert re.search(r"^  raw +10 relations +7 rows$", summary, re.MULTILINE)
    assert "quarantine: marts.dq_quarantine not built" in summary
    assert "tests: 1 passed, 0 warned, 1 failed" in summary
    assert summary.rstrip().endswith("FAILED test unique_a_id: 4 failing row(s)")


def test_dbt_raising_exits_1(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def fake_build(database: Path, as_of: date, **options: Any) -> Any:
        return dbt_build.BuildOutcome(
            dbt_success=False, exception=RuntimeError("profile not found")
        )

    monkeypatch.setattr(dbt_build, "run_dbt_build", fake_build)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)

    assert run_in_process(raw_dir, tmp_path / "w.duckdb") == 1
    assert "profile not found" in capsys.readouterr().err


def _has_staging_models() -> bool:
    return any((PROJECT_ROOT / "models" / "staging").rglob("*.sql"))


@pytest.mark.e2e
@pytest.mark.skipif(
    not _has_staging_models(), reason="no dbt models yet: models/staging has no .sql"
)
def test_run_builds_a_small_valid_landing_folder(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "warehouse.duckdb"

    completed = run_pipeline(
        "run",
        "--raw-dir",
        str(raw_dir),
        "--database",
        str(database),
        "--as-of",
        "2026-11-01",
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = completed.stdout[completed.stdout.rindex("== summary") :]
    assert re.search(r"^quarantine: ", summary, re.MULTILINE)
    assert re.search(r"^tests: \d+ passed, \d+ warned, 0 failed", summary, re.M)
    assert summary.rstrip().endswith("quality gate passed")
