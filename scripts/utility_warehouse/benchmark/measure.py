"""A benchmark step in its own process: its time, its exit and its peak memory
(the summed resident set sizes of its process tree, sampled from /proc)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from utility_warehouse.benchmark.workload import BenchmarkError

PROJECT_DIR = Path(__file__).resolve().parents[3]
SAMPLE_SECONDS = 0.1
GB = 10**9


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (from the parent ids in /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(
                f"/proc/{entry.name}/stat", encoding="ascii", errors="replace"
            ) as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the state and the
        # parent id follow its last closing parenthesis.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree = [root]
    for pid in tree:
        tree.extend(children.get(pid, ()))
    return tree


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeMemorySampler(threading.Thread):
    """Samples the summed VmRSS of a process tree; keeps the peak."""

    def __init__(self, root: int, interval: float = SAMPLE_SECONDS) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peak_bytes = 0
        self.samples = 0
        self._done = threading.Event()

    def sample(self) -> None:
        total = sum(rss_bytes(pid) for pid in process_tree(self.root))
        self.peak_bytes = max(self.peak_bytes, total)
        self.samples += 1

    def run(self) -> None:
        while not self._done.is_set():
            self.sample()
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


@dataclass
class Step:
    """One step run as a subprocess."""

    seconds: float
    peak_rss_bytes: int
    exit_code: int
    log: Path
    marker_seconds: float | None = None
    """When the marker line (the load report) appeared; None: it did not."""
    last_line: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "peak_rss_bytes": self.peak_rss_bytes,
            "exit_code": self.exit_code,
            "log": str(self.log),
        }


def run_step(
    command: Sequence[str],
    log_path: Path,
    env: dict[str, str],
    *,
    marker: str | None = None,
) -> Step:
    """Run ``command``, its output (with seconds since the start) to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    last_line = ""
    marker_seconds: float | None = None
    with log_path.open("w", encoding="utf-8") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=PROJECT_DIR,
            env=env,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        sampler = TreeMemorySampler(process.pid)
        sampler.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                elapsed = time.perf_counter() - started
                if (
                    marker is not None
                    and marker_seconds is None
                    and line.startswith(marker)
                ):
                    marker_seconds = elapsed
                if line.strip():
                    last_line = line.rstrip("\n")
                log.write(f"{elapsed:9.3f}  {line}")
            exit_code = process.wait()
            seconds = time.perf_counter() - started
        finally:
            sampler.stop()
            if process.poll() is None:
                process.kill()
                process.wait()
    return Step(
        seconds=seconds,
        peak_rss_bytes=sampler.peak_bytes,
        exit_code=exit_code,
        log=log_path,
        marker_seconds=marker_seconds,
        last_line=last_line,
    )


def require_exit(step: Step, name: str, allowed: Sequence[int] = (0,)) -> None:
    if step.exit_code not in allowed:
        raise BenchmarkError(
            f"{name} exited {step.exit_code} (see {step.log}): {step.last_line}"
        )


def step_env(threads: int, dbt_target: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["UTILITY_WAREHOUSE_THREADS"] = str(threads)
    env["DBT_TARGET_PATH"] = str(dbt_target)
    env["DBT_LOG_PATH"] = str(dbt_target / "logs")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def remove_database(database: Path) -> None:
    """A fresh warehouse: the file, its write-ahead log, lock and spill folder."""
    for suffix in ("", ".wal", ".lock"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    spill = Path(f"{database}.tmp")
    if spill.is_dir():
        shutil.rmtree(spill)


def run_split(step: Step) -> dict[str, Any]:
    """A ``run`` step: the whole, its load part and its dbt part."""
    figures = step.as_dict()
    if step.marker_seconds is not None:
        figures["load_seconds"] = round(step.marker_seconds, 3)
        figures["dbt_seconds"] = round(step.seconds - step.marker_seconds, 3)
    else:  # the load report was not seen: the whole run counts as the build
        figures["load_seconds"] = None
        figures["dbt_seconds"] = round(step.seconds, 3)
    figures["gate"] = "passed" if step.exit_code == 0 else "failed"
    return figures
