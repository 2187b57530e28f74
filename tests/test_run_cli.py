"""``pipeline.py run``: bad invocations, the contract gate, dbt result handling."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, run_pipeline, write_landing, write_table
from utility_warehouse import cli, dbt_build, metadata
from utility_warehouse.progress import RunLog, run_log_path


@pytest.fixture(autouse=True)
def _dbt_logs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run logs of this module's in-process runs go under tmp."""
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt-logs"))


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
        "as_of": "2026-11-01",
        "date_order": "mdy",
        "decimal_separator": ".",
    }
    day_first = dbt_build.build_arguments(
        date(2026, 11, 1), landing_vars={"date_order": "dmy", "decimal_separator": ","}
    )
    assert json.loads(day_first[day_first.index("--vars") + 1]) == {
        "as_of": "2026-11-01",
        "date_order": "dmy",
        "decimal_separator": ",",
    }
    select_at = arguments.index("--select")
    assert arguments[select_at + 1 : select_at + 3] == ["staging", "+dim_meters"]
    assert "--full-refresh" in arguments
    assert "--no-use-colors" in arguments
    # Unit tests run in `make test`, not in every scheduled build.
    exclude_at = arguments.index("--exclude")
    assert arguments[exclude_at + 1] == "resource_type:unit_test"


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
    [call] = calls
    log = call.pop("log")
    assert call == {
        "database": database,
        "as_of": date(2026, 11, 1),
        "select": ["a", "b"],
        "full_refresh": False,
        "threads": 3,
        "verbose": False,
        "landing_vars": {"date_order": "mdy", "decimal_separator": "."},
    }
    # dbt's log goes to the run log, in dbt's log folder, named after the warehouse.
    assert isinstance(log, RunLog)
    assert log.path == run_log_path(database, PROJECT_ROOT)
    assert log.path.parent == tmp_path / "dbt-logs"
    assert log.path.name.startswith("w.duckdb-")
    out = capsys.readouterr().out
    assert f"dbt log: {log.path}\n" in out
    summary = out[out.index("== summary") :]
    assert re.search(r"^rows per layer \(relations\): raw 7 \(13\), ", summary, re.M)
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
    tally = re.search(r"^tests: (\d+) passed, (\d+) warned, 0 failed", summary, re.M)
    assert tally is not None
    assert summary.rstrip().endswith("quality gate passed")
    # The one bill (120.50 USD) goes to its one meter.
    assert "\nattributed bill costs: USD 120.50\n" in summary
    assert "\nunattributed bill costs: none " in summary
    assert "\nfield issues (value set to null or its default): 0\n" in summary
    [row] = run_metadata_rows(database)
    assert (row["gate_status"], row["exit_code"]) == ("passed", 0)
    assert (row["tests_passed"], row["tests_warned"], row["tests_failed"]) == (
        int(tally.group(1)),
        int(tally.group(2)),
        0,
    )
    assert f"run {row['run_id']} recorded in marts.run_metadata" in summary


# --- exit codes in --help ---------------------------------------------------------


@pytest.mark.parametrize("command", [None, "generate", "load", "run", "rollup"])
def test_every_help_documents_the_exit_codes(
    command: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"] if command else ["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    codes = out[out.index("exit codes:") :]
    for code in ("0  success", "1  a quality gate failed", "2  bad input", "3  busy"):
        assert f"\n  {code}" in codes, command
    assert "a scheduler may" in codes
    if command in ("load", "run"):
        assert "--encoding NAME" in out


# --- run_metadata -------------------------------------------------------------------


def fake_build_with(*results: SimpleNamespace) -> Any:
    def fake_build(database: Path, as_of: date, **options: Any) -> Any:
        return dbt_build.classify_results(list(results))

    return fake_build


def run_metadata_rows(database: Path) -> list[dict[str, Any]]:
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute(
            "select * from marts.run_metadata order by started_at, ended_at"
        )
        names = [item[0] for item in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_each_run_appends_its_metadata_row(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    write_table(raw_dir, "line_items", [], "parquet")
    database = tmp_path / "w.duckdb"
    monkeypatch.setattr(
        dbt_build,
        "run_dbt_build",
        fake_build_with(
            result("test", "unique_a_id", "fail", failures=4),
            result("test", "not_null_a_id", "pass"),
            result("test", "relationships_b", "error", message="boom"),
            result("test", "accepted_values_c", "warn", failures=1),
        ),
    )
    before = datetime.now(UTC).replace(tzinfo=None)
    assert run_in_process(raw_dir, database, "--as-of", "2026-11-01") == 1
    monkeypatch.setattr(
        dbt_build,
        "run_dbt_build",
        fake_build_with(result("test", "not_null_a_id", "pass")),
    )
    assert run_in_process(raw_dir, database, "--as-of", "2026-12-15") == 0
    after = datetime.now(UTC).replace(tzinfo=None)

    first, second = run_metadata_rows(database)
    out = capsys.readouterr().out
    assert f"run {first['run_id']} recorded in marts.run_metadata" in out
    assert re.fullmatch(r"[0-9a-f]{32}", first["run_id"])
    assert first["run_id"] != second["run_id"]
    assert first["as_of_date"] == date(2026, 11, 1)
    assert before <= first["started_at"] <= first["ended_at"] <= after
    assert first["raw_dir"] == str(raw_dir.resolve())
    assert first["project_version"] == "0.1.0"
    assert first["dbt_version"] == metadata.dbt_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", first["dbt_version"])
    assert (first["gate_status"], first["exit_code"]) == ("failed", 1)
    assert (first["tests_passed"], first["tests_warned"], first["tests_failed"]) == (
        1,
        1,
        2,
    )
    assert (second["gate_status"], second["exit_code"]) == ("passed", 0)
    assert second["as_of_date"] == date(2026, 12, 15)
    files = json.loads(first["landing_files"])
    assert [item["entity"] for item in files] == [
        *minimal_landing,
        "line_items",
    ]
    for item in files:
        content = (raw_dir / item["file_name"]).read_bytes()
        assert item["size_bytes"] == len(content)
        assert item["sha256"] == hashlib.sha256(content).hexdigest()
        assert item["row_count"] == len(minimal_landing.get(item["entity"], []))
    with duckdb.connect(str(database), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'run_metadata'"
            ).fetchall()
        )
        assert metadata.latest_as_of(con) == date(2026, 12, 15)
    assert types == {
        "run_id": "VARCHAR",
        "as_of_date": "DATE",
        "started_at": "TIMESTAMP",
        "ended_at": "TIMESTAMP",
        "raw_dir": "VARCHAR",
        "landing_files": "VARCHAR",
        "project_version": "VARCHAR",
        "dbt_version": "VARCHAR",
        "gate_status": "VARCHAR",
        "tests_passed": "INTEGER",
        "tests_warned": "INTEGER",
        "tests_failed": "INTEGER",
        "exit_code": "INTEGER",
        "published_path": "VARCHAR",
        "publish_status": "VARCHAR",
        "volume_gate_findings": "VARCHAR",
        "date_order": "VARCHAR",
        "decimal_separator": "VARCHAR",
        "encoding": "VARCHAR",
    }
    assert (first["date_order"], first["decimal_separator"], first["encoding"]) == (
        "mdy",
        ".",
        "utf-8",
    )
    # Built in place (--database): nothing is published.
    assert (first["publish_status"], first["published_path"]) == (
        "not_published",
        None,
    )
    assert first["volume_gate_findings"] is None


def test_a_run_where_dbt_raised_is_recorded_as_failed(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def raising_build(database: Path, as_of: date, **options: Any) -> Any:
        return dbt_build.BuildOutcome(
            dbt_success=False, exception=RuntimeError("profile not found")
        )

    monkeypatch.setattr(dbt_build, "run_dbt_build", raising_build)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"

    assert run_in_process(raw_dir, database) == 1

    [row] = run_metadata_rows(database)
    assert (row["gate_status"], row["exit_code"], row["tests_passed"]) == (
        "failed",
        1,
        0,
    )
    assert row["as_of_date"] == date.today()


def test_a_contract_error_records_no_run(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dbt_build, "run_dbt_build", pytest.fail)
    database = tmp_path / "w.duckdb"
    good = write_landing(tmp_path / "good", minimal_landing)
    assert cli.main(["load", "--raw-dir", str(good), "--database", str(database)]) == 0
    minimal_landing["companies"] = []
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)

    assert run_in_process(raw_dir, database) == 2

    with duckdb.connect(str(database), read_only=True) as con:
        assert metadata.latest_as_of(con) is None


def test_run_reads_files_in_the_given_encoding(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(dbt_build, "run_dbt_build", fake_build_with())
    minimal_landing["companies"][0]["name"] = "Café €"
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    companies = raw_dir / "companies.csv"
    companies.write_bytes(companies.read_text(encoding="utf-8").encode("cp1252"))
    database = tmp_path / "w.duckdb"

    assert run_in_process(raw_dir, database) == 2
    err = capsys.readouterr().err
    assert "companies.csv: not valid utf-8 text" in err and "--encoding" in err
    assert not database.exists()

    assert run_in_process(raw_dir, database, "--encoding", "cp1252") == 0
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select name from raw.companies").fetchall() == [("Café €",)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["run", "--target", "postgres", "--publish", "w.duckdb"],
            "argument --publish: only with --target duckdb, not postgres",
        ),
        (
            ["run", "--target", "spark", "--database", "w.duckdb"],
            "argument --database: only with --target duckdb, not spark",
        ),
        (
            ["run", "--target", "postgres", "--accept-changes"],
            "argument --accept-changes: only with --target duckdb, not postgres",
        ),
        (
            ["run", "--target", "spark", "--volume-threshold", "0.2"],
            "argument --volume-threshold: only with --target duckdb, not spark",
        ),
        (
            ["run", "--target", "postgres", "--spark-dir", "s"],
            "argument --spark-dir: only with --target spark",
        ),
        (
            ["run", "--database", "w.duckdb", "--spark-dir", "s"],
            "argument --spark-dir: only with --target spark",
        ),
        (
            ["rollup", "--target", "postgres", "--database", "w.duckdb"],
            "argument --database: not allowed with --target postgres",
        ),
        (
            ["quality", "--target", "duckdb", "--spark-dir", "s"],
            "argument --spark-dir: only with --target spark",
        ),
        (
            ["inspect", "--site", "S1", "--month", "2024-01"],
            "the following arguments are required: --database",
        ),
        (
            ["export", "--target", "spark", "--database", "w.duckdb", "--out", "o"],
            "argument --database: not allowed with --target spark",
        ),
        (
            ["report", "--target", "postgres", "--database", "w", "--out", "r.html"],
            "argument --database: not allowed with --target postgres",
        ),
    ],
)
def test_target_option_combinations_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    """Options that need another target exit 2 with one line, before any work:
    nothing is loaded, built, read or written."""
    monkeypatch.chdir(tmp_path)
    if argv[0] == "run":
        argv = [*argv, "--raw-dir", str(tmp_path / "landing")]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"pipeline.py {argv[0]}: error: {message}")
    assert captured.err.count("\n") == 1, captured.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5", ""])
def test_a_bad_thread_count_exits_2_before_any_work(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
) -> None:
    monkeypatch.setattr(dbt_build, "run_dbt_build", pytest.fail)
    monkeypatch.setenv("UTILITY_WAREHOUSE_THREADS", value)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"

    assert run_in_process(raw_dir, database) == 2

    err = capsys.readouterr().err
    assert f"UTILITY_WAREHOUSE_THREADS={value!r}" in err
    assert "a whole number of at least 1" in err
    assert not database.exists()
    # --threads wins over the environment.
    monkeypatch.setattr(dbt_build, "run_dbt_build", fake_build_with())
    assert run_in_process(raw_dir, database, "--threads", "1") == 0


def test_a_bad_memory_limit_stops_a_run_before_the_load(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(dbt_build, "run_dbt_build", pytest.fail)
    monkeypatch.setenv("UTILITY_WAREHOUSE_MEMORY_LIMIT", "lots")
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"

    assert run_in_process(raw_dir, database) == 2

    assert "UTILITY_WAREHOUSE_MEMORY_LIMIT='lots'" in capsys.readouterr().err
    assert not database.exists()


def test_a_run_passes_the_landing_settings_to_dbt_and_records_them(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_build(database: Path, as_of: date, **options: Any) -> Any:
        calls.append(options)
        return dbt_build.classify_results([])

    monkeypatch.setattr(dbt_build, "run_dbt_build", fake_build)
    minimal_landing["documents"][0].update(
        start_date="01/01/2026",
        bill_date="03/02/2026",
        total_charges="120,50",
        current_charges="120,50",
    )
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    (raw_dir / "landing.json").write_text(
        '{"date_order": "dmy", "encoding": "latin-1"}'
    )
    database = tmp_path / "w.duckdb"

    assert run_in_process(raw_dir, database, "--decimal-separator", ",") == 0

    [call] = calls
    assert call["landing_vars"] == {"date_order": "dmy", "decimal_separator": ","}
    out = capsys.readouterr().out
    assert (
        "date_order dmy from landing.json, decimal_separator ',' from "
        "--decimal-separator, encoding latin-1 from landing.json)"
    ) in out.splitlines()[0]
    [row] = run_metadata_rows(database)
    assert (row["date_order"], row["decimal_separator"], row["encoding"]) == (
        "dmy",
        ",",
        "latin-1",
    )


def test_an_older_run_ledger_gains_the_settings_columns(tmp_path: Path) -> None:
    old_columns = [
        item
        for item in metadata.COLUMNS
        if item[0] not in ("date_order", "decimal_separator", "encoding")
    ]
    assert len(old_columns) == len(metadata.COLUMNS) - 3
    record = metadata.RunRecord(
        run_id="r2",
        as_of_date=date(2026, 11, 1),
        started_at=datetime(2026, 11, 1, 2, 0),
        ended_at=datetime(2026, 11, 1, 2, 5),
        raw_dir="/landing",
        landing_files="[]",
        project_version="0.1.0",
        dbt_version="1.11.0",
        gate_status=metadata.GATE_PASSED,
        tests_passed=1,
        tests_warned=0,
        tests_failed=0,
        exit_code=0,
        date_order="dmy",
        decimal_separator=",",
        encoding="utf-8",
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        columns = ", ".join(f"{name} {kind}" for name, kind in old_columns)
        con.execute("create schema marts")
        con.execute(f"create table marts.run_metadata ({columns})")
        con.execute("insert into marts.run_metadata (run_id) values ('r1')")

        metadata.write_run(con, record)

        rows = con.execute(
            "select run_id, date_order, decimal_separator, encoding "
            "from marts.run_metadata order by run_id"
        ).fetchall()
    assert rows == [("r1", None, None, None), ("r2", "dmy", ",", "utf-8")]


def test_other_targets_get_the_settings_and_pass_them_to_dbt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from utility_warehouse import engines

    captured: dict[str, Any] = {}

    def fake_run_command(
        engine: str, raw_dir: Path, as_of: date, **options: Any
    ) -> int:
        captured.update(options, engine=engine)
        return 0

    monkeypatch.setattr(engines, "run_command", fake_run_command)
    argv = ["run", "--target", "postgres", "--raw-dir", str(tmp_path)]
    assert cli.main([*argv, "--date-order", "dmy", "--encoding", "cp1252"]) == 0
    assert captured["settings"] == {
        "encoding": "cp1252",
        "date_order": "dmy",
        "decimal_separator": None,
    }

    invoked: list[list[str]] = []

    class FakeRunner:
        def invoke(self, arguments: list[str]) -> Any:
            invoked.append(arguments)
            return SimpleNamespace(exception=None, result=None, success=True)

    import dbt.cli.main

    monkeypatch.setattr(dbt.cli.main, "dbtRunner", FakeRunner)
    engines.build(
        "spark",
        date(2026, 11, 1),
        landing_vars={"date_order": "dmy", "decimal_separator": ","},
    )
    [arguments] = invoked
    assert json.loads(arguments[arguments.index("--vars") + 1]) == {
        "as_of": "2026-11-01",
        "date_order": "dmy",
        "decimal_separator": ",",
    }
    assert arguments[arguments.index("--target") + 1] == "spark"


def test_an_engine_run_names_its_settings_when_not_the_defaults(tmp_path: Path) -> None:
    from utility_warehouse import engines, load
    from utility_warehouse.landing_settings import LandingSettings

    settings = LandingSettings(
        date_order="dmy", sources=(("date_order", "landing.json"),)
    )
    report = load.LoadReport(
        raw_dir=tmp_path, database=tmp_path / "x", loaded_at=datetime.now(), entities=()
    )
    run = engines.EngineRun(
        "postgres",
        load.LoadReport(**{**report.__dict__, "settings": settings}),
        dbt_build.BuildOutcome(),
        1.0,
        2.0,
    )
    first = engines.format_run(run).splitlines()[0]
    assert first == (
        f"postgres: loaded 0 raw rows from {tmp_path} (date_order dmy from "
        "landing.json) in 1.0 s; dbt build 2.0 s"
    )


def _engine_report(tmp_path: Path) -> Any:
    from utility_warehouse import load

    return load.LoadReport(
        raw_dir=tmp_path, database=tmp_path / "x", loaded_at=datetime.now(), entities=()
    )


def test_an_engine_run_goes_through_the_one_pipeline(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``run --target postgres``: the adapter loads, builds and records; the
    pipeline prints the build's summary and the run line; a row that cannot be
    written is a warning, not a failure."""
    from utility_warehouse import engines

    recorded: list[metadata.RunRecord] = []
    built: list[dict[str, Any]] = []

    def fake_load(raw_dir: Path, target: Any, *, settings: Any = None) -> Any:
        assert settings == {"encoding": None, "date_order": "dmy"}
        return _engine_report(tmp_path)

    def fake_build(engine: str, as_of: date, **options: Any) -> Any:
        built.append({"engine": engine, "as_of": as_of, **options})
        return dbt_build.BuildOutcome(tests_passed=3)

    def fake_write(target: Any, record: metadata.RunRecord) -> None:
        recorded.append(record)
        if len(recorded) > 1:
            raise engines.EngineError("cannot write marts.run_metadata: gone")

    monkeypatch.setattr(engines, "load_postgres", fake_load)
    monkeypatch.setattr(engines, "build", fake_build)
    monkeypatch.setattr(engines, "write_run_postgres", fake_write)
    for key, value in engines.PostgresTarget().env().items():
        monkeypatch.setenv(key, value)

    def run() -> int:
        return engines.run_command(
            "postgres",
            tmp_path,
            date(2026, 11, 1),
            settings={"encoding": None, "date_order": "dmy"},
            full_refresh=True,
            threads=3,
        )

    assert run() == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"postgres: loaded 0 raw rows from {tmp_path} in ")
    assert out[-2:] == [
        "quality gate passed",
        f"run {recorded[0].run_id} recorded in marts.run_metadata",
    ]
    assert built[0]["engine"] == "postgres" and built[0]["full_refresh"] is True
    assert built[0]["extra_arguments"] == ["--threads", "3"]
    record = recorded[0]
    assert (record.as_of_date, record.exit_code, record.tests_passed) == (
        date(2026, 11, 1),
        0,
        3,
    )
    assert record.raw_dir == str(tmp_path.resolve())
    assert record.publish_status == metadata.NOT_PUBLISHED

    assert run() == 0
    captured = capsys.readouterr()
    assert captured.err == "warning: cannot write marts.run_metadata: gone\n"
    assert captured.out.splitlines()[-1] == (
        f"run {recorded[1].run_id} NOT recorded in marts.run_metadata"
    )


def test_an_engine_that_cannot_be_reached_exits_2_and_builds_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from utility_warehouse import engines

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise engines.EngineError("cannot connect to PostgreSQL x@y:1/z: refused")

    monkeypatch.setattr(engines, "load_postgres", unreachable)
    monkeypatch.setattr(engines, "build", pytest.fail)
    monkeypatch.setattr(engines, "write_run_postgres", pytest.fail)
    assert engines.run_command("postgres", tmp_path, date(2026, 11, 1)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("error: cannot connect to PostgreSQL x@y:1/z: refused\n")


def test_spark_builds_are_full_builds_whatever_full_refresh_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from utility_warehouse import engines
    from utility_warehouse.run_pipeline import RunRequest

    built: list[dict[str, Any]] = []

    def fake_build(engine: str, as_of: date, **options: Any) -> Any:
        built.append({"engine": engine, **options})
        return dbt_build.BuildOutcome()

    monkeypatch.setattr(engines, "build", fake_build)
    request = RunRequest(tmp_path, date(2026, 11, 1), full_refresh=True)
    spark = engines.adapter("spark", tmp_path / "spark")
    assert isinstance(spark, engines.SparkAdapter)
    spark.build(request, _engine_report(tmp_path))
    assert built == [
        {
            "engine": "spark",
            "select": (),
            "full_refresh": False,
            "extra_arguments": [],
            "landing_vars": dbt_build.DEFAULT_LANDING_VARS,
        }
    ]
    with pytest.raises(ValueError, match="unknown engine"):
        engines.adapter("oracle")
