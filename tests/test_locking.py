"""One writer per warehouse: the lock file, a busy DuckDB file, exit code 3."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import (
    HOLD_FOR_WRITING,
    PIPELINE,
    PROJECT_ROOT,
    VENV_PYTHON,
    isolated_dbt_env,
    run_pipeline,
    write_landing,
)
from utility_warehouse import cli, contract, dbt_build, run
from utility_warehouse.load import load_landing
from utility_warehouse.lock import (
    LockFileError,
    WarehouseBusy,
    WarehouseLock,
    lock_path,
)

PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
SCRIPTS = str(PROJECT_ROOT / "scripts")

# A process that holds a warehouse's lock until its stdin closes.
HOLD_LOCK = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from utility_warehouse.lock import WarehouseLock; "
    "lock = WarehouseLock(sys.argv[2], 'pipeline.py run --raw-dir /elsewhere'); "
    "lock.acquire(); print('held', flush=True); sys.stdin.read()"
)


def start_holder(code: str, *args: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [PYTHON, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


def stop(holder: subprocess.Popen[str]) -> None:
    if holder.poll() is None:
        holder.communicate("", timeout=60)


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    database = tmp_path / "w.duckdb"
    holder = start_holder(HOLD_LOCK, SCRIPTS, str(database))
    try:
        yield database, holder
    finally:
        stop(holder)


@pytest.fixture
def file_holder(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A loaded warehouse that another process (a reader) keeps open."""
    database = tmp_path / "w.duckdb"
    raw_dir = write_landing(tmp_path / "first", minimal_landing)
    load_landing(raw_dir, database)
    holder = start_holder(HOLD_FOR_WRITING, str(database))
    try:
        yield database, holder
    finally:
        stop(holder)


def main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --- the lock file --------------------------------------------------------------


def test_the_lock_file_names_its_holder_and_goes_away(tmp_path: Path) -> None:
    database = tmp_path / "sub" / "w.duckdb"
    with WarehouseLock(database, "pipeline.py run --raw-dir x") as lock:
        assert (
            lock.path
            == lock_path(database)
            == database.resolve().with_name("w.duckdb.lock")
        )
        details = json.loads(lock.path.read_text())
        assert details["pid"] == os.getpid()
        assert details["host"] == socket.gethostname()
        assert details["command"] == "pipeline.py run --raw-dir x"
        assert details["started_at"].endswith("Z")
        with pytest.raises(WarehouseBusy, match=f"pid {os.getpid()} on "):
            WarehouseLock(database).acquire()  # another open file: refused
    assert not lock.path.exists()
    with WarehouseLock(database):  # free again
        pass


@pytest.mark.parametrize("command", ["load", "run"])
def test_a_symlinked_lock_file_is_refused_and_its_target_untouched(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.setattr(dbt_build, "run_dbt_build", pytest.fail)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    lock_path(database).symlink_to(victim)

    code, out, err = main(
        capsys, command, "--raw-dir", str(raw_dir), "--database", str(database)
    )

    assert (code, out) == (2, "")
    line = one_line(err)
    assert line.startswith(f"error: the lock file {lock_path(database)} is a symbolic")
    assert "remove it" in line
    assert victim.read_text() == "precious\n"
    assert lock_path(database).is_symlink()
    assert not database.exists()


@pytest.mark.parametrize("kind", ["directory", "fifo", "dangling symlink"])
def test_a_lock_file_that_is_not_a_regular_file_is_refused(
    tmp_path: Path, kind: str
) -> None:
    database = tmp_path / "w.duckdb"
    path = lock_path(database)
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(tmp_path / "nowhere" / "x")

    with pytest.raises(LockFileError, match="remove it") as refused:
        WarehouseLock(database).acquire()

    assert str(path) in str(refused.value)
    assert not (tmp_path / "nowhere").exists()


def test_a_held_lock_refuses_run_and_load_at_once_naming_the_holder(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    lock_holder: tuple[Path, subprocess.Popen[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database, holder = lock_holder
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    monkeypatch.setattr(dbt_build, "run_dbt_build", pytest.fail)

    for command in ("run", "load"):
        started = time.monotonic()
        code, out, err = main(
            capsys, command, "--raw-dir", str(raw_dir), "--database", str(database)
        )
        assert time.monotonic() - started < 10  # at once, no waiting
        assert (code, out) == (3, "")
        line = one_line(err)
        assert line.startswith(f"error: the warehouse {database} is busy")
        assert f"pid {holder.pid} on {socket.gethostname()}" in line
        assert "command: pipeline.py run --raw-dir /elsewhere" in line
    assert not database.exists()  # nothing was loaded

    stop(holder)
    load = ["load", "--raw-dir", str(raw_dir), "--database", str(database)]
    assert cli.main(load) == 0
    assert database.exists()
    assert not lock_path(database).exists()


def test_the_lock_dies_with_its_holder(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    lock_holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    database, holder = lock_holder
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    assert lock_path(database).exists()  # left behind, but no longer locked

    assert (
        cli.main(["load", "--raw-dir", str(raw_dir), "--database", str(database)]) == 0
    )


# --- a DuckDB file held open by another process ---------------------------------


def test_a_reader_holding_the_file_makes_run_exit_3_on_one_line(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    file_holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    database, holder = file_holder
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)

    completed = run_pipeline(
        "run", "--raw-dir", str(raw_dir), "--database", str(database)
    )

    assert completed.returncode == 3, completed.stdout + completed.stderr
    line = one_line(completed.stderr)
    assert line.startswith(f"error: the warehouse file {database} is in use by ")
    assert f"(PID {holder.pid})" in line
    assert "dbt" not in completed.stdout.lower()
    assert not lock_path(database).exists()


def test_a_reader_holding_the_file_makes_load_exit_3(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    file_holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    database, holder = file_holder
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)

    code, out, err = main(
        capsys, "load", "--raw-dir", str(raw_dir), "--database", str(database)
    )

    assert (code, out) == (3, "")
    assert f"(PID {holder.pid})" in one_line(err)


def test_a_reader_arriving_between_load_and_build_makes_run_exit_3(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = tmp_path / "w.duckdb"
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    holders: list[subprocess.Popen[str]] = []
    real_load = run.load_landing

    def load_then_reader_opens(*args: Any, **kwargs: Any) -> Any:
        report = real_load(*args, **kwargs)
        holders.append(start_holder(HOLD_FOR_WRITING, str(database)))
        return report

    monkeypatch.setattr(run, "load_landing", load_then_reader_opens)
    monkeypatch.setattr(dbt_build, "run_dbt_build", pytest.fail)
    try:
        code, out, err = main(
            capsys, "run", "--raw-dir", str(raw_dir), "--database", str(database)
        )
    finally:
        for holder in holders:
            stop(holder)

    assert code == 3
    assert out.startswith("loaded ")
    line = one_line(err)
    assert f"the warehouse file {database} is in use by another process" in line
    assert f"(PID {holders[0].pid})" in line


def test_dbt_meeting_a_locked_file_exits_3_on_one_line(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def locked_build(database: Path, as_of: date, **options: Any) -> Any:
        error = duckdb.IOException(
            f'IO Error: Could not set lock on file "{database}": Conflicting lock '
            "is held in /usr/bin/python3 (PID 4242). See also https://duckdb.org/x"
        )
        return dbt_build.BuildOutcome(dbt_success=False, exception=error)

    monkeypatch.setattr(dbt_build, "run_dbt_build", locked_build)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"

    code, _, err = main(
        capsys, "run", "--raw-dir", str(raw_dir), "--database", str(database)
    )

    assert code == 3
    assert one_line(err) == (
        f"error: the warehouse file {database} is in use by another process "
        "(Conflicting lock is held in /usr/bin/python3 (PID 4242)); "
        "retry when it has closed the file"
    )


# --- two runs on one warehouse ---------------------------------------------------


@pytest.mark.e2e
def test_a_second_run_is_refused_while_the_first_keeps_its_own_data(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    database = tmp_path / "w.duckdb"
    first = write_landing(tmp_path / "first", minimal_landing)
    minimal_landing["companies"][0]["name"] = "Second Co"
    second = write_landing(tmp_path / "second", minimal_landing)
    env = {
        **os.environ,
        **isolated_dbt_env(tmp_path),
        "DBT_INDIRECT_SELECTION": "cautious",
    }
    # A small build (the companies' lineage) is enough to hold the warehouse for
    # several seconds: dbt parses the whole project first.
    argv = ["--database", str(database), "--as-of", "2026-11-01"]
    argv += ["--select", "+dim_companies"]
    background = subprocess.Popen(
        [PYTHON, str(PIPELINE), "run", "--raw-dir", str(first), *argv],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        holder = ""
        while f'"pid": {background.pid},' not in holder:
            assert background.poll() is None, background.communicate()
            assert time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.05)
            holder = (
                lock_path(database).read_text() if lock_path(database).exists() else ""
            )

        refused = run_pipeline(
            "run", "--raw-dir", str(second), *argv, env=isolated_dbt_env(tmp_path)
        )
        out, err = background.communicate(timeout=600)
    finally:
        if background.poll() is None:
            background.kill()
            background.wait()

    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert refused.stdout == ""
    line = one_line(refused.stderr)
    assert f"pid {background.pid} on {socket.gethostname()}" in line
    assert f"command: pipeline.py run --raw-dir {first}" in line
    assert background.returncode == 0, (out + err)[-6000:]
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select name from raw.companies").fetchall() == [("Acme",)]
        names = con.execute("select company_name from marts.dim_companies").fetchall()
        assert names == [("Acme",)]
        runs = con.execute(
            "select raw_dir, exit_code from marts.run_metadata"
        ).fetchall()
        assert runs == [(str(first.resolve()), 0)]
        files = json.loads(
            con.execute("select landing_files from marts.run_metadata").fetchall()[0][0]
        )
        assert {item["entity"] for item in files} == {
            e.name for e in contract.ENTITIES if not e.file_optional
        }
    assert not lock_path(database).exists()
