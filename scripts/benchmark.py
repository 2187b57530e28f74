"""Benchmark: the pipeline against a one-query baseline, at several sizes.

Prints figures, asserts nothing. For each size (``--sizes``; default 100k 1m 5m
usage rows) it generates a landing folder (CSV, messy file and column names) under
``--workdir`` (default ``bench/``; ``--reuse`` keeps folders generated before) and
times, each step in its own process:

baseline
    one hand-written DuckDB query (``BASELINE_SQL``) over the same landing CSVs:
    usage rows, bills, meters and sites; the three date spellings, numbers with
    separators and unit spellings parsed as staging parses them, the unit seeds
    read from ``seeds/``, usage converted to the standard unit, calendarized by
    inclusive daily proration and summed per site, commodity and month, written
    to Parquet. No quarantine, no de-duplication, no cost attribution, no tests.
load
    ``pipeline.py load`` into a fresh database.
build
    ``pipeline.py run`` into a fresh database; its output tells the load apart
    from the dbt part (the load report is printed before dbt starts), and the
    dbt part is the build figure.
incremental
    ``pipeline.py run`` of the whole folder on a warehouse built a month before
    from the same folder without its last month: without the last billing cycle
    (the bills starting from the first day of the month before the last generated
    month: bills run 27-35 days and end by the last generated day, so only about
    one in twenty of a month's bills starts in the last month itself), their
    usage rows and line items, dropped with DuckDB ``COPY``; that earlier run's
    as-of date is the first day of the last month.

The peak memory of a step is the highest sum of the resident set sizes (VmRSS) of
the step's process and all its descendants, sampled every 100 ms from /proc. The
baseline and the pipeline use the same DuckDB settings: ``--threads`` (default 2),
the memory limit of ``profiles.yml`` (``UTILITY_WAREHOUSE_MEMORY_LIMIT``, default
5GB) and no insertion order. Every dbt run parses the project afresh (its own
target folder), as a scheduled job in a clean checkout does.

The figures are printed as a Markdown table and written to ``<workdir>/results.json``
with the machine (CPU model and count, memory) and the date; each step's output
is kept in ``<workdir>/<size>/logs/``::

    python scripts/benchmark.py                            # 100k, 1M and 5M rows
    python scripts/benchmark.py --sizes 100k 1m --reuse    # a shorter run
    python scripts/benchmark.py --baseline-only bench/1m/raw   # the query alone
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from utility_warehouse.benchmark.baseline import (
    BASELINE_RESULT_PREFIX,
    run_baseline,
)
from utility_warehouse.benchmark.measure import (
    GB,
    Step,
    remove_database,
    require_exit,
    run_split,
    run_step,
    step_env,
)
from utility_warehouse.benchmark.results import (
    TABLE_COLUMNS,
    TABLE_NOTES,
    figures,
    machine,
    markdown_table,
    versions,
    write_results,
)
from utility_warehouse.benchmark.workload import (
    DEFAULT_SIZES,
    SIZES,
    BenchmarkError,
    Size,
    derive_prior_folder,
    manifest_matches,
    month_before,
    month_start,
    read_manifest,
)
from utility_warehouse.load import memory_limit

PROJECT_DIR = Path(__file__).resolve().parents[1]
PIPELINE = PROJECT_DIR / "scripts" / "pipeline.py"
BENCHMARK = Path(__file__).resolve()

DEFAULT_THREADS = 2
RESULTS_FILE = "results.json"
LOAD_REPORT_PREFIX = "loaded "
"""The first line of the load report: ``run`` prints it before dbt starts."""


# --- one size ----------------------------------------------------------------------


def progress(size: Size, step: str, text: str) -> None:
    print(f"[{size.name}] {step:<12} {text}", flush=True)


def step_text(step: Step) -> str:
    return f"{step.seconds:8.1f} s  peak {step.peak_rss_bytes / GB:6.2f} GB"


def pipeline_command(*arguments: str) -> list[str]:
    return [sys.executable, str(PIPELINE), *arguments]


def bench_size(
    size: Size,
    workdir: Path,
    *,
    threads: int,
    reuse: bool,
    select: Sequence[str],
) -> dict[str, Any]:
    """Every step of one size; the figures as written to the JSON file."""
    size_dir = workdir / size.name
    raw_dir = size_dir / "raw"
    prior_dir = size_dir / "raw_prior_month"
    logs = size_dir / "logs"
    size_dir.mkdir(parents=True, exist_ok=True)
    steps: dict[str, Any] = {}

    def env_for(step: str) -> dict[str, str]:
        target = size_dir / "dbt" / step
        if target.exists():
            shutil.rmtree(target)
        return step_env(threads, target)

    manifest = read_manifest(raw_dir)
    generated = not (reuse and manifest_matches(manifest, size))
    if generated:
        if raw_dir.exists():
            shutil.rmtree(raw_dir)
        if prior_dir.exists():
            shutil.rmtree(prior_dir)
        step = run_step(
            pipeline_command(
                "generate", "--out", str(raw_dir), *size.generator_arguments()
            ),
            logs / "generate.log",
            env_for("generate"),
        )
        require_exit(step, "generate")
        progress(size, "generate", step_text(step))
        steps["generate"] = step.as_dict()
        manifest = read_manifest(raw_dir)
    else:
        progress(size, "generate", f"reused {raw_dir}")
        steps["generate"] = None
    if manifest is None:
        raise BenchmarkError(f"{raw_dir}: no _generator_manifest.json")
    usage_rows = int(manifest["rows"]["usage_data"])
    as_of = date.fromisoformat(manifest["as_of"])
    # The folder a month earlier: without the last billing cycle, the bills
    # starting from the first day of the month before the last generated month
    # (bills run 27-35 days and end by the last generated day, so few start in
    # the last month itself), built with the as-of date of the last month's start.
    last_month = month_start(manifest["parameters"]["end_month"])
    prior_as_of = last_month
    rule = {
        "drop_bills_starting_from": month_before(last_month).isoformat(),
        "drop_bills_starting_before": as_of.isoformat(),
        "as_of": prior_as_of.isoformat(),
    }
    prior_marker = prior_dir / "_benchmark_prior_month.json"
    prior: dict[str, Any] | None = None
    if not generated and prior_marker.is_file():
        prior = json.loads(prior_marker.read_text(encoding="utf-8"))
    if prior is not None and all(prior.get(k) == v for k, v in rule.items()):
        progress(size, "prior month", f"reused {prior_dir}")
    else:
        started = time.perf_counter()
        dropped = derive_prior_folder(
            raw_dir, prior_dir, month_before(last_month), as_of, threads
        )
        prior = {
            **rule,
            "dropped_rows": dropped,
            "seconds": round(time.perf_counter() - started, 3),
        }
        prior_marker.write_text(json.dumps(prior, indent=2) + "\n", encoding="utf-8")
        progress(
            size,
            "prior month",
            f"{prior['seconds']:8.1f} s  dropped "
            + ", ".join(f"{k} {v:,}" for k, v in dropped.items()),
        )

    # 1. the one-query baseline, in a fresh process
    step = run_step(
        [
            sys.executable,
            str(BENCHMARK),
            "--baseline-only",
            str(raw_dir),
            "--threads",
            str(threads),
            "--baseline-output",
            str(size_dir / "baseline.parquet"),
        ],
        logs / "baseline.log",
        env_for("baseline"),
    )
    require_exit(step, "baseline")
    if not step.last_line.startswith(BASELINE_RESULT_PREFIX):
        raise BenchmarkError(f"baseline printed no result (see {step.log})")
    steps["baseline"] = {
        **step.as_dict(),
        **json.loads(step.last_line.removeprefix(BASELINE_RESULT_PREFIX)),
    }
    progress(size, "baseline", step_text(step))

    # 2. load, full build, and the incremental month
    database = size_dir / "load.duckdb"
    remove_database(database)
    step = run_step(
        pipeline_command(
            "load", "--raw-dir", str(raw_dir), "--database", str(database)
        ),
        logs / "load.log",
        env_for("load"),
    )
    require_exit(step, "load")
    steps["load"] = step.as_dict()
    progress(size, "load", step_text(step))
    remove_database(database)

    def run_command(folder: Path, database: Path, run_as_of: date) -> list[str]:
        command = pipeline_command(
            "run",
            "--raw-dir",
            str(folder),
            "--database",
            str(database),
            "--as-of",
            run_as_of.isoformat(),
            "--threads",
            str(threads),
        )
        if select:
            command.extend(["--select", *select])
        return command

    full_database = size_dir / "full.duckdb"
    remove_database(full_database)
    step = run_step(
        run_command(raw_dir, full_database, as_of),
        logs / "build.log",
        env_for("build"),
        marker=LOAD_REPORT_PREFIX,
    )
    require_exit(step, "build (pipeline.py run)", (0, 1))
    steps["build"] = run_split(step)
    progress(size, "build", step_text(step) + f"  gate {steps['build']['gate']}")

    incremental_database = size_dir / "incremental.duckdb"
    remove_database(incremental_database)
    step = run_step(
        run_command(prior_dir, incremental_database, prior_as_of),
        logs / "prior_month.log",
        env_for("prior_month"),
        marker=LOAD_REPORT_PREFIX,
    )
    require_exit(step, "build of the prior month", (0, 1))
    steps["prior_month_build"] = run_split(step)
    progress(
        size,
        "prior build",
        step_text(step) + f"  gate {steps['prior_month_build']['gate']}",
    )
    step = run_step(
        run_command(raw_dir, incremental_database, as_of),
        logs / "incremental.log",
        env_for("incremental"),
        marker=LOAD_REPORT_PREFIX,
    )
    require_exit(step, "incremental run", (0, 1))
    steps["incremental"] = run_split(step)
    progress(
        size, "incremental", step_text(step) + f"  gate {steps['incremental']['gate']}"
    )

    return {
        "size": size.name,
        "generator": size.as_dict(),
        "usage_rows": usage_rows,
        "rows": manifest["rows"],
        "as_of": as_of.isoformat(),
        "prior_month": prior,
        "select": list(select),
        "steps": steps,
        "figures": figures(steps),
    }


# --- command line ------------------------------------------------------------------


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="sizes: "
        + "; ".join(
            f"{size.name} = --companies {size.companies} --sites {size.sites} "
            f"--meters-per-site {size.meters_per_site} --months {size.months}"
            for size in SIZES.values()
        ),
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        choices=tuple(SIZES),
        default=list(DEFAULT_SIZES),
        metavar="SIZE",
        help=f"sizes to run, of {', '.join(SIZES)} (default: "
        f"{' '.join(DEFAULT_SIZES)})",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("bench"),
        help="folder of the generated data, warehouses, logs and results.json "
        "(default bench/)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep landing folders generated before with the same parameters",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"DuckDB and dbt threads (default {DEFAULT_THREADS})",
    )
    parser.add_argument(
        "--select",
        nargs="+",
        default=[],
        metavar="SELECTOR",
        help="dbt selection for every run (default everything; a partial build "
        "for a quick smoke run, its figures are not the pipeline's)",
    )
    parser.add_argument(
        "--baseline-only",
        type=Path,
        metavar="RAW_DIR",
        help="run only the baseline query on a CSV landing folder and print its "
        "figures (how the benchmark times it, in a fresh process)",
    )
    parser.add_argument(
        "--baseline-output",
        type=Path,
        default=None,
        help="Parquet file of the baseline's result (default: "
        "<RAW_DIR>/../baseline.parquet)",
    )
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.baseline_only is not None:
        raw_dir: Path = args.baseline_only
        output = args.baseline_output or raw_dir.resolve().parent / "baseline.parquet"
        try:
            found = run_baseline(raw_dir, output.resolve(), args.threads)
        except BenchmarkError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(BASELINE_RESULT_PREFIX + json.dumps(found), flush=True)
        return 0

    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    results_path = workdir / RESULTS_FILE
    started_at = datetime.now(UTC)
    document: dict[str, Any] = {
        "date": started_at.date().isoformat(),
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "threads": args.threads,
        "memory_limit": memory_limit(),
        "notes": TABLE_NOTES,
        "table_columns": list(TABLE_COLUMNS),
        "sizes": [],
    }
    info = document["machine"]
    print(
        f"machine: {info['cpu_model']}, {info['cpus']} CPUs, "
        f"{info['memory_gb']} GB; threads {args.threads}; workdir {workdir}",
        flush=True,
    )
    results: list[dict[str, Any]] = []
    try:
        for name in dict.fromkeys(args.sizes):
            results.append(
                bench_size(
                    SIZES[name],
                    workdir,
                    threads=args.threads,
                    reuse=args.reuse,
                    select=args.select,
                )
            )
            document["sizes"] = results
            document["ended_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            write_results(results_path, document)
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        if results:
            print(markdown_table(results))
        return 2
    print()
    print(markdown_table(results))
    print()
    print(TABLE_NOTES)
    print(f"figures written to {results_path}")
    failed = [
        f"{result['size']} {name}"
        for result in results
        for name, gate in result["figures"]["gates"].items()
        if gate != "passed"
    ]
    if failed:
        print("quality gate FAILED in: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
