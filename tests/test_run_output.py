"""What ``pipeline.py run`` prints: progress instead of dbt's log, a compact summary.

The unit tests feed ``BuildProgress`` made-up dbt events; the end-to-end tests run
the pipeline as a scheduled job would (standard output a pipe), in a terminal (a
pseudo-terminal) and with ``--verbose``.
"""

from __future__ import annotations

import errno
import fcntl
import io
import itertools
import os
import pty
import re
import struct
import subprocess
import termios
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import (
    MINIMAL_LANDING,
    PIPELINE,
    PROJECT_ROOT,
    VENV_PYTHON,
    isolated_dbt_env,
    run_pipeline,
    write_landing,
)
from utility_warehouse.progress import (
    PLAIN_INTERVAL_SECONDS,
    BuildProgress,
    RunLog,
    dbt_log_line,
    format_elapsed,
    run_log_path,
)

AS_OF = "2026-11-01"
ANSI = re.compile(r"\x1b\[")
DEMO_RAW = PROJECT_ROOT / "demo" / "raw"
# A small build: what the gate and the publish tests read, without other tests.
SMALL_SELECT = (
    "--select",
    "+fct_portfolio_monthly",
    "+dim_companies",
    "+required_entities_have_clean_rows",
)
SMALL_ENV = {"DBT_INDIRECT_SELECTION": "empty"}


# --- made-up dbt events -------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def event(name: str, level: str = "debug", msg: str = "", **data: Any) -> Any:
    info = SimpleNamespace(name=name, level=level, msg=msg, ts=SimpleNamespace())
    return SimpleNamespace(info=info, data=SimpleNamespace(**data))


def finished(
    name: str, resource_type: str = "model", status: str = "success", seconds=0.5
) -> Any:
    node = SimpleNamespace(
        unique_id=f"{resource_type}.utility_warehouse.{name}",
        resource_type=resource_type,
        node_name=name,
    )
    result = SimpleNamespace(status=status, execution_time=seconds)
    return event("NodeFinished", node_info=node, run_result=result)


def progress(
    terminal: bool, clock: Clock, **options: Any
) -> tuple[BuildProgress, io.StringIO]:
    stream = io.StringIO()
    shown = BuildProgress(
        stream, terminal=terminal, clock=clock, tick_seconds=None, **options
    )
    return shown, stream


def play_a_build(shown: BuildProgress, clock: Clock) -> None:
    shown.start()
    shown.set_totals(models=2, tests=3)
    clock.now += 5  # parsing
    shown.on_event(event("ConcurrencyLine", level="info", node_count=6, num_threads=2))
    shown.on_event(event("NodeStart"))
    shown.on_event(finished("stg_usage", seconds=11.25))
    shown.on_event(finished("stg_usage", seconds=11.25))  # counted once
    clock.now += 12
    shown.on_event(event("NodeStart"))
    shown.on_event(finished("unit_factors", "seed"))
    shown.on_event(finished("not_null_usage_id", "test", "pass"))
    shown.on_event(finished("usage_anomalies_found", "test", "warn"))
    shown.on_event(finished("fct_portfolio_monthly", seconds=2.0))
    shown.on_event(finished("gate_that_fails", "test", "fail"))


def test_not_in_a_terminal_progress_is_a_few_plain_lines() -> None:
    clock = Clock()
    shown, stream = progress(False, clock)

    play_a_build(shown, clock)
    shown.finish()

    out = stream.getvalue()
    assert "\r" not in out and not ANSI.search(out)
    assert out.splitlines() == [
        "dbt build: started 6 nodes (models 2, tests 3) on 2 threads, 00:05 elapsed",
        # 10 s after the previous line, on the next event:
        "dbt build: 1/6 nodes (models 1/2, tests 0/3), 00:17 elapsed, "
        "slowest so far: stg_usage 11.2 s",
        "dbt build: done, 6/6 nodes (models 2/2, tests 3/3, 1 warned, 1 failed) "
        "in 00:17, slowest: stg_usage 11.2 s",
    ]
    assert shown.lines_shown == 3


def test_in_a_terminal_progress_is_one_line_rewritten() -> None:
    clock = Clock()
    shown, stream = progress(True, clock, width=80)

    play_a_build(shown, clock)
    drawn = stream.getvalue()
    shown.finish()
    out = stream.getvalue()

    assert "\n" not in drawn and drawn.startswith("\r")
    states = drawn.split("\r")[1:]
    assert states[0] == "dbt build: reading the project, 00:00 elapsed"
    assert all(len(state) <= 79 for state in states)
    # Redrawn at most every 0.1 s; too wide for 80 columns in its long form.
    assert states[-1] == (
        "dbt build: 1/6 nodes (models 1/2, tests 0/3), 00:17, slowest: stg_usage 11.2 s"
    )
    final = out[len(drawn) :]
    assert final.startswith("\r") and final.endswith("\n") and final.count("\n") == 1
    assert final.strip() == (
        "dbt build: done, 6/6 nodes (models 2/2, tests 3/3, 1 warned, 1 failed) "
        "in 00:17, slowest: stg_usage 11.2 s"
    )
    assert not ANSI.search(out)


def test_a_narrow_terminal_shortens_the_slowest_node() -> None:
    clock = Clock()
    shown, stream = progress(True, clock, width=90)
    shown.start()
    shown.set_totals(models=54, tests=280)
    shown.on_event(event("ConcurrencyLine", node_count=345))
    clock.now += 42
    shown.on_event(finished("int_usage_data_screened", seconds=11.3))

    line = stream.getvalue().split("\r")[-1]
    assert len(line) <= 89
    assert line.startswith("dbt build: 1/345 nodes (models 1/54, tests 0/280), 00:42")
    assert line.endswith("… 11.3 s")


class Exploding:
    """An event whose every attribute raises."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no {name}")


def test_the_callback_never_raises() -> None:
    clock = Clock()
    shown, _ = progress(False, clock)
    shown.start()
    for odd in (None, 42, "text", Exploding(), event("NodeFinished", node_info=None)):
        shown.on_event(odd)
    shown.on_event(finished("stg_a"))
    assert shown.callback_errors == 1  # the exploding event
    assert shown.done["models"] == 1


def test_dbt_log_lines_are_dbt_console_lines() -> None:
    start = event("LogStartLine", "info", "1 of 2 START sql view model a ... [RUN]")
    start.info.ts = SimpleNamespace(seconds=3661)
    assert dbt_log_line(start) == "01:01:01  1 of 2 START sql view model a ... [RUN]"
    assert dbt_log_line(event("SQLQuery", "debug", "select 1")) is None
    assert dbt_log_line(event("PrintEvent", "info", "printed")) == "printed"


def test_the_run_log_is_written_and_a_bad_path_only_disables_it(
    tmp_path: Path,
) -> None:
    log = RunLog.create(tmp_path / "logs" / "w.duckdb.log")
    clock = Clock()
    shown, _ = progress(False, clock, log=log)
    shown.on_event(event("MainReportVersion", "info", "Running with dbt=1.11"))
    shown.on_event(event("SQLQuery", "debug", "select 1"))
    final = shown.finish()
    log.close()
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert [line[10:] for line in lines[:1]] == ["Running with dbt=1.11"]
    assert lines[1:] == [final]

    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    broken = RunLog.create(blocked / "w.duckdb.log")
    assert broken.error is not None and not broken.writable
    broken.write_lines(["ignored"])


def test_run_log_path_follows_dbt_log_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path))
    path = run_log_path(Path("x/demo.duckdb"), PROJECT_ROOT)
    assert path.parent == tmp_path
    assert re.fullmatch(r"demo\.duckdb-[0-9a-f]{8}\.log", path.name)
    monkeypatch.delenv("DBT_LOG_PATH")
    assert run_log_path(Path("demo.duckdb"), PROJECT_ROOT).parent == (
        PROJECT_ROOT / "logs"
    )


def test_warehouses_of_one_name_in_two_folders_have_their_own_run_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    monkeypatch.chdir(tmp_path)
    first = run_log_path(tmp_path / "a" / "w.duckdb", PROJECT_ROOT)
    second = run_log_path(tmp_path / "b" / "w.duckdb", PROJECT_ROOT)
    assert first != second
    assert first.name.startswith("w.duckdb-") and second.name.startswith("w.duckdb-")
    # One warehouse, however its path is written, has one log.
    assert run_log_path(Path("a/./w.duckdb"), PROJECT_ROOT) == first


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00"), (42.9, "00:42"), (754, "12:34"), (3725, "1:02:05")],
)
def test_elapsed(seconds: float, text: str) -> None:
    assert format_elapsed(seconds) == text


# --- whole runs -------------------------------------------------------------------


def before_summary(stdout: str) -> list[str]:
    return stdout[: stdout.index("== summary")].splitlines()


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, str], subprocess.CompletedProcess[str]]:
    """The demo folder built as a scheduled job would: standard output a pipe."""
    base = tmp_path_factory.mktemp("demo")
    env = isolated_dbt_env(base)
    database = base / "demo.duckdb"
    completed = run_pipeline(
        *("run", "--raw-dir", str(DEMO_RAW), "--database", str(database)),
        *("--as-of", AS_OF),
        env=env,
    )
    return database, env, completed


ELAPSED = re.compile(r", (\d\d):(\d\d) elapsed(?:,|$)")


def _is_tick(line: str) -> bool:
    """A progress line printed while the build runs (neither its start nor its
    end): one at most every PLAIN_INTERVAL_SECONDS, so how many depends on how
    long the build takes on this machine."""
    return (
        line.startswith("dbt build: ")
        and not line.startswith(("dbt build: started ", "dbt build: done,"))
        and ELAPSED.search(line) is not None
    )


def _seconds(line: str) -> int:
    found = ELAPSED.search(line)
    assert found, line
    return int(found.group(1)) * 60 + int(found.group(2))


@pytest.mark.e2e
def test_a_scheduled_run_prints_plain_progress_and_a_compact_summary(
    demo_run: tuple[Path, dict[str, str], subprocess.CompletedProcess[str]],
) -> None:
    _, _, completed = demo_run
    out = completed.stdout
    assert completed.returncode == 0, (out + completed.stderr)[-6000:]
    assert "\r" not in out and not ANSI.search(out)
    assert " START sql " not in out and "Done. PASS=" not in out  # dbt's log
    head = before_summary(out)
    assert head[0].startswith("loaded ")
    # Without a terminal the progress is brought up to date on a line of its own
    # at most every PLAIN_INTERVAL_SECONDS: how many such lines depends on the
    # machine's speed, so they are left out of the counts; their elapsed times
    # go forward, never closer together than the interval (less a second, as
    # the times shown are whole seconds).
    ticks = [line for line in out.splitlines() if _is_tick(line)]
    times = [_seconds(line) for line in ticks]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= PLAIN_INTERVAL_SECONDS - 1 for gap in gaps), ticks
    assert len([line for line in head if not _is_tick(line)]) <= 10, head
    progress_lines = [line for line in head if line.startswith("dbt build: ")]
    started = [line for line in progress_lines if " started " in line]
    assert len(started) == 1 and started[0].startswith("dbt build: started "), head
    assert re.fullmatch(
        r"dbt build: done, (\d+)/\1 nodes \(models (\d+)/\2, tests (\d+)/\3, "
        r"\d+ warned\) in \d\d:\d\d, slowest: \w+ \d+\.\d s",
        progress_lines[-1],
    ), progress_lines[-1]
    # The whole output fits on one screen (45 lines), warned tests named.
    assert len([line for line in out.splitlines() if not _is_tick(line)]) <= 45, out
    assert re.search(r"^  WARN test usage_anomalies_found: \d+ row\(s\)$", out, re.M)
    assert out.rstrip().endswith("quality gate passed")
    assert re.search(r"^nodes: .*models \d+ built", out, re.M)


@pytest.mark.e2e
def test_the_run_log_holds_dbt_log_and_the_full_reports(
    demo_run: tuple[Path, dict[str, str], subprocess.CompletedProcess[str]],
) -> None:
    database, env, completed = demo_run
    log_path = Path(env["DBT_LOG_PATH"]) / run_log_path(database, PROJECT_ROOT).name
    assert f"dbt log: {log_path}\n" in completed.stdout
    log = log_path.read_text(encoding="utf-8")
    assert re.search(r"^\d\d:\d\d:\d\d  Running with dbt=", log, re.M)
    assert re.search(r"^\d\d:\d\d:\d\d  1 of \d+ START ", log, re.M)
    assert re.search(r"^\d\d:\d\d:\d\d  Done\. PASS=\d+ WARN=\d+ ERROR=0", log, re.M)
    # The details the screen leaves out: per entity, per mart table.
    assert re.search(r"^  usage_data +[\d,]+ rows  usage_data\.csv$", log, re.M)
    assert "\nmart tables:\n" in log and "\n  fct_portfolio_monthly " in log
    assert log.rstrip().endswith("quality gate passed")
    assert (Path(env["DBT_LOG_PATH"]) / "dbt.log").exists()  # dbt's debug log


def every_meter_quarantined() -> dict[str, list[dict[str, Any]]]:
    landing = {
        entity: [dict(row) for row in rows] for entity, rows in MINIMAL_LANDING.items()
    }
    for row in landing["meters"]:
        row["datasource_type"] = "NUCLEAR"
    return landing


@pytest.mark.e2e
def test_a_failing_gate_names_the_failed_test(tmp_path: Path) -> None:
    raw_dir = write_landing(tmp_path / "raw", every_meter_quarantined())

    completed = run_pipeline(
        *("run", "--raw-dir", str(raw_dir), "--database", str(tmp_path / "w.duckdb")),
        *("--as-of", AS_OF, *SMALL_SELECT),
        env={**isolated_dbt_env(tmp_path), **SMALL_ENV},
    )

    out = completed.stdout
    assert completed.returncode == 1, (out + completed.stderr)[-6000:]
    assert "\r" not in out and not ANSI.search(out)
    assert re.search(r"^dbt build: done, .*\b1 failed\b", out, re.M), out
    assert "quality gate FAILED (1 problem(s)):" in out
    assert re.search(
        r"^  FAILED test required_entities_have_clean_rows: \d+ failing row\(s\)$",
        out,
        re.M,
    ), out


@pytest.mark.e2e
def test_verbose_prints_dbt_log_and_the_full_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw_dir = write_landing(tmp_path / "raw", MINIMAL_LANDING)

    completed = run_pipeline(
        *("run", "--raw-dir", str(raw_dir), "--database", str(tmp_path / "w.duckdb")),
        *("--as-of", AS_OF, *SMALL_SELECT, "--verbose"),
        env={**isolated_dbt_env(tmp_path), **SMALL_ENV},
    )

    out = completed.stdout
    assert completed.returncode == 0, (out + completed.stderr)[-6000:]
    assert re.search(r"^\d\d:\d\d:\d\d  \d+ of \d+ START sql table model ", out, re.M)
    assert re.search(r"^\d\d:\d\d:\d\d  \d+ of \d+ OK created sql ", out, re.M)
    assert re.search(r"^  meters +1 rows  meters\.csv$", out, re.M)
    assert "\nmart tables:\n" in out
    assert "dbt build: " not in out  # dbt's own lines are the progress
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    assert run_log_path(tmp_path / "w.duckdb", PROJECT_ROOT).exists()


def read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError as error:  # EIO: the other side is closed
            if error.errno == errno.EIO:
                break
            raise
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    """A pseudo-terminal 100 columns wide: (parent side, child side)."""
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    try:
        yield parent, child
    finally:
        os.close(parent)


@pytest.mark.e2e
def test_in_a_terminal_one_progress_line_is_rewritten(
    tmp_path: Path, terminal: tuple[int, int]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", MINIMAL_LANDING)
    parent, child = terminal
    python = VENV_PYTHON if VENV_PYTHON.exists() else Path("python3")
    process = subprocess.Popen(
        [
            *(str(python), str(PIPELINE), "run", "--raw-dir", str(raw_dir)),
            *("--database", str(tmp_path / "w.duckdb"), "--as-of", AS_OF),
            *SMALL_SELECT,
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **isolated_dbt_env(tmp_path), **SMALL_ENV},
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=subprocess.PIPE,
    )
    os.close(child)
    out = read_all(parent).decode("utf-8").replace("\r\n", "\n")
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, out[-4000:] + err.decode()

    head = out[: out.index("== summary")]
    progress_part = head[head.index("dbt build: ") - 1 :]
    assert progress_part.startswith("\r")
    states = progress_part.split("\r")[1:]
    assert len(states) > 2
    assert all("\n" not in state and len(state) <= 99 for state in states[:-1])
    assert states[-1].startswith("dbt build: done, ") and states[-1].endswith("\n")
    assert len(head.split("\n")) <= 6  # (splitlines would split at \r too)
    assert not ANSI.search(out)
