"""The benchmark's figures: per size from its steps, the Markdown table, the
machine and versions, and the results file."""

from __future__ import annotations

import contextlib
import json
import os
import platform
from collections.abc import Sequence
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse.benchmark.measure import GB


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def figures(steps: dict[str, Any]) -> dict[str, Any]:
    """The table's figures from the steps."""
    baseline = float(steps["baseline"]["seconds"])
    load = float(steps["load"]["seconds"])
    build = float(steps["build"]["dbt_seconds"])
    incremental = float(steps["incremental"]["dbt_seconds"])
    pipeline = load + build
    over_baseline = ratio(pipeline, baseline)
    over_full = ratio(incremental, build)
    whole_over_full = ratio(
        float(steps["incremental"]["seconds"]), float(steps["build"]["seconds"])
    )
    return {
        "baseline_seconds": round(baseline, 3),
        "load_seconds": round(load, 3),
        "build_seconds": round(build, 3),
        "pipeline_seconds": round(pipeline, 3),
        "pipeline_over_baseline": None
        if over_baseline is None
        else round(over_baseline, 2),
        "incremental_seconds": round(incremental, 3),
        "incremental_over_full_build_percent": None
        if over_full is None
        else round(100 * over_full, 1),
        "incremental_run_over_full_run_percent": None
        if whole_over_full is None
        else round(100 * whole_over_full, 1),
        "peak_rss_gb": {
            name: round(int(steps[name]["peak_rss_bytes"]) / GB, 3)
            for name in ("baseline", "load", "build", "incremental")
        },
        "gates": {
            name: steps[name]["gate"]
            for name in ("build", "prior_month_build", "incremental")
        },
    }


# --- the report --------------------------------------------------------------------

TABLE_COLUMNS: tuple[str, ...] = (
    "size",
    "usage rows",
    "baseline s",
    "load s",
    "build s",
    "pipeline/baseline ×",  # noqa: RUF001 (the multiplication sign is meant)
    "incremental s",
    "incremental/full %",
    "peak GB baseline",
    "peak GB load",
    "peak GB build",
    "peak GB incremental",
)


def number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def table_row(result: dict[str, Any]) -> list[str]:
    found = result["figures"]
    peak = found["peak_rss_gb"]
    return [
        result["size"],
        f"{result['usage_rows']:,}",
        number(found["baseline_seconds"]),
        number(found["load_seconds"]),
        number(found["build_seconds"]),
        number(found["pipeline_over_baseline"]),
        number(found["incremental_seconds"]),
        number(found["incremental_over_full_build_percent"], 0),
        number(peak["baseline"], 2),
        number(peak["load"], 2),
        number(peak["build"], 2),
        number(peak["incremental"], 2),
    ]


def markdown_table(results: Sequence[dict[str, Any]]) -> str:
    rows = [list(TABLE_COLUMNS), *(table_row(result) for result in results)]
    lines = ["| " + " | ".join(rows[0]) + " |"]
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(rows[0]) - 1)) + "|")
    lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
    return "\n".join(lines)


TABLE_NOTES = (
    "baseline: one DuckDB query in a fresh process (read, parse, convert, "
    "calendarize, group); load: `pipeline.py load`; build: the dbt part of "
    "`pipeline.py run` into a fresh database; pipeline = load + build; "
    "incremental: the dbt part of `pipeline.py run` of the whole folder on the "
    "warehouse of the month before, as % of build; peak: summed RSS of each "
    "step's process tree (build and incremental: the whole run)."
)


def machine() -> dict[str, Any]:
    """CPU model and count and memory, from /proc."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory: int | None = None
    try:
        with open("/proc/meminfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError):
        pass
    return {
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "cpus_available": len(os.sched_getaffinity(0)),
        "memory_bytes": memory,
        "memory_gb": None if memory is None else round(memory / GB, 1),
        "platform": platform.platform(),
    }


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "duckdb": duckdb.__version__}
    for package in ("dbt-core", "dbt-duckdb"):
        with contextlib.suppress(package_metadata.PackageNotFoundError):
            found[package] = package_metadata.version(package)
    return found


def write_results(path: Path, document: dict[str, Any]) -> None:
    scratch = path.with_name(path.name + ".partial")
    scratch.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    scratch.replace(path)
