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
import contextlib
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse import contract
from utility_warehouse.load import memory_limit

PROJECT_DIR = Path(__file__).resolve().parents[1]
PIPELINE = PROJECT_DIR / "scripts" / "pipeline.py"
BENCHMARK = Path(__file__).resolve()
SEEDS_DIR = PROJECT_DIR / "seeds"

DEFAULT_THREADS = 2
SAMPLE_SECONDS = 0.1
RESULTS_FILE = "results.json"
BASELINE_RESULT_PREFIX = "baseline-result: "
LOAD_REPORT_PREFIX = "loaded "
"""The first line of the load report: ``run`` prints it before dbt starts."""
MAX_PERIOD_DAYS = 400
"""Longer periods are not calendarized (staging's implausible_period_days)."""
GB = 10**9


@dataclass(frozen=True)
class Size:
    """A generated landing folder: the arguments of ``pipeline.py generate``."""

    name: str
    companies: int
    sites: int
    meters_per_site: int
    months: int

    def generator_arguments(self) -> list[str]:
        return [
            "--companies",
            str(self.companies),
            "--sites",
            str(self.sites),
            "--meters-per-site",
            str(self.meters_per_site),
            "--months",
            str(self.months),
        ]

    def as_dict(self) -> dict[str, int]:
        return {
            "companies": self.companies,
            "sites": self.sites,
            "meters_per_site": self.meters_per_site,
            "months": self.months,
        }


# One shape (65 sites a company, 4 meters a site, 36 months), scaled by companies:
# about 12k usage rows a company, planted cases included.
SIZES: dict[str, Size] = {
    size.name: size
    for size in (
        Size("tiny", companies=1, sites=1, meters_per_site=3, months=3),
        Size("100k", companies=8, sites=65, meters_per_site=4, months=36),
        Size("1m", companies=80, sites=65, meters_per_site=4, months=36),
        Size("5m", companies=400, sites=65, meters_per_site=4, months=36),
    )
}
DEFAULT_SIZES: tuple[str, ...] = ("100k", "1m", "5m")


class BenchmarkError(Exception):
    """A step could not run (not a timing: the benchmark asserts none)."""


# --- landing files, resolved like the loader resolves them ------------------------


def landing_csv(raw_dir: Path, entity: str, *, required: bool = True) -> Path | None:
    """The CSV file of ``entity``: its name matched in any case, spaces ignored."""
    wanted = f"{entity}.csv"
    found = [
        path
        for path in sorted(raw_dir.iterdir())
        if path.is_file()
        and not contract.is_ignored_file_name(path.name)
        and contract.normalize_name(path.name) == wanted
    ]
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        raise BenchmarkError(f"{raw_dir}: several files for {entity}: {names}")
    if not found:
        if required:
            raise BenchmarkError(
                f"{raw_dir}: no {entity}.csv (the benchmark reads CSV landing "
                "folders; generate one with --format csv)"
            )
        return None
    return found[0]


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise BenchmarkError(f"{path}: no header row")
    return header


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def read_csv_text(path: Path, column_count: int) -> str:
    """DuckDB's reader of a landing CSV: every column text, named c0, c1, ..."""
    columns = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(column_count))
    return (
        f"read_csv({sql_literal(str(path))}, columns = {{{columns}}}, "
        "header = true, auto_detect = false, delim = ',', quote = '\"', "
        "escape = '\"', encoding = 'utf-8')"
    )


def csv_relation(path: Path, columns: Sequence[str]) -> str:
    """A subquery of ``columns`` of a landing CSV, found by their normalized names."""
    header = csv_header(path)
    position = {contract.normalize_name(name): i for i, name in enumerate(header)}
    missing = [column for column in columns if column not in position]
    if missing:
        raise BenchmarkError(f"{path.name}: no column {', '.join(missing)}")
    selected = ", ".join(f"c{position[column]} as {column}" for column in columns)
    return f"(select {selected} from {read_csv_text(path, len(header))})"


# --- the one-query baseline --------------------------------------------------------


def parse_date_sql(column: str) -> str:
    """2024-01-31, 01/31/2024 or an ISO timestamp (its written date); else null."""
    return (
        f"cast(coalesce(try_strptime(trim({column}), ['%Y-%m-%d', '%m/%d/%Y']), "
        f"try_strptime(left(trim({column}), 10), '%Y-%m-%d')) as date)"
    )


def parse_number_sql(column: str) -> str:
    """Spaces and thousands separators dropped, as staging's parse_number."""
    return (
        f"cast(try_cast(regexp_replace(trim({column}), '[\\s,]', '', 'g') "
        "as decimal(38, 6)) as double)"
    )


BASELINE_SQL = """
copy (
    with
    usage_rows as (
        select
            trim(document_id) as document_id,
            trim(meter_id) as meter_id,
            {start_date} as start_date,
            {end_date} as end_date,
            {raw_usage} as raw_usage,
            {standard_usage} as standard_usage,
            lower(replace(trim(raw_usage_units), ' ', '')) as unit_spelling
        from {usage_data}
    ),
    bills as (
        select distinct trim(id) as document_id from {documents}
    ),
    meters as (
        select
            trim(id) as meter_id,
            any_value(nullif(trim(site_id), '')) as site_id,
            any_value(
                upper(regexp_replace(trim(datasource_type), '[\\s\\-]+', '_', 'g'))
            ) as commodity
        from {meters}
        group by 1
    ),
    sites as (
        select trim(id) as site_id, any_value(trim(name)) as site_name
        from {sites}
        group by 1
    ),
    spellings as (
        select spelling, unit from read_csv(
            {unit_spellings}, header = true, auto_detect = false,
            columns = {{'spelling': 'VARCHAR', 'unit': 'VARCHAR'}}
        )
    ),
    factors as (
        select commodity, unit, factor_to_standard from read_csv(
            {unit_factors}, header = true, auto_detect = false,
            columns = {{
                'commodity': 'VARCHAR', 'unit': 'VARCHAR',
                'factor_to_standard': 'DOUBLE', 'source': 'VARCHAR'
            }}
        )
    ),
    standardized as (
        select
            meters.site_id,
            meters.commodity,
            usage_rows.start_date,
            usage_rows.end_date,
            coalesce(
                usage_rows.standard_usage,
                usage_rows.raw_usage * factors.factor_to_standard
            ) as usage
        from usage_rows
        inner join meters on usage_rows.meter_id = meters.meter_id
        left join spellings on usage_rows.unit_spelling = spellings.spelling
        left join factors
            on meters.commodity = factors.commodity and spellings.unit = factors.unit
        where
            usage_rows.document_id in (select document_id from bills)
            and usage_rows.end_date - usage_rows.start_date
                between 0 and {max_period_days} - 1
    ),
    month_starts as (
        select
            standardized.*,
            unnest(generate_series(
                date_trunc('month', start_date),
                date_trunc('month', end_date),
                interval 1 month
            )) as month_start
        from standardized
        where usage is not null
    ),
    month_parts as (
        select
            site_id,
            commodity,
            cast(month_start as date) as month,
            usage
            * (
                least(end_date, last_day(month_start))
                - greatest(start_date, cast(month_start as date)) + 1
            )
            / (end_date - start_date + 1) as usage_in_month
        from month_starts
    ),
    site_months as (
        select
            site_id,
            commodity,
            month,
            sum(usage_in_month) as usage,
            count(*) as usage_row_parts
        from month_parts
        group by site_id, commodity, month
    )
    select site_months.*, sites.site_name
    from site_months
    left join sites on site_months.site_id = sites.site_id
) to {output} (format parquet)
"""


def baseline_sql(raw_dir: Path, output: Path, seeds_dir: Path = SEEDS_DIR) -> str:
    """The baseline query over the landing CSVs of ``raw_dir``."""

    def relation(entity: str, columns: Sequence[str]) -> str:
        path = landing_csv(raw_dir, entity)
        assert path is not None
        return csv_relation(path, columns)

    return BASELINE_SQL.format(
        usage_data=relation(
            "usage_data",
            (
                "document_id",
                "meter_id",
                "start_date",
                "end_date",
                "raw_usage",
                "raw_usage_units",
                "standard_usage",
            ),
        ),
        documents=relation("documents", ("id",)),
        meters=relation("meters", ("id", "site_id", "datasource_type")),
        sites=relation("sites", ("id", "name")),
        unit_spellings=sql_literal(str(seeds_dir / "unit_spellings.csv")),
        unit_factors=sql_literal(str(seeds_dir / "unit_factors.csv")),
        start_date=parse_date_sql("start_date"),
        end_date=parse_date_sql("end_date"),
        raw_usage=parse_number_sql("raw_usage"),
        standard_usage=parse_number_sql("standard_usage"),
        max_period_days=MAX_PERIOD_DAYS,
        output=sql_literal(str(output)),
    )


def duckdb_settings(threads: int, temp_directory: Path) -> list[str]:
    """The settings the build runs with (profiles.yml)."""
    return [
        f"set threads = {int(threads)}",
        f"set memory_limit = {sql_literal(memory_limit())}",
        f"set temp_directory = {sql_literal(str(temp_directory))}",
        "set preserve_insertion_order = false",
    ]


def run_baseline(raw_dir: Path, output: Path, threads: int) -> dict[str, Any]:
    """Run the baseline query in this process; its figures."""
    output.unlink(missing_ok=True)
    started = time.perf_counter()
    sql = baseline_sql(raw_dir, output)
    with duckdb.connect() as con:
        for setting in duckdb_settings(threads, output.parent / "baseline.tmp"):
            con.execute(setting)
        con.execute(sql)
        query_seconds = time.perf_counter() - started
        found = con.execute(
            "select count(*), coalesce(sum(usage_row_parts), 0) "
            f"from read_parquet({sql_literal(str(output))})"
        ).fetchone()
    assert found is not None
    return {
        "query_seconds": round(query_seconds, 3),
        "site_commodity_months": int(found[0]),
        "usage_row_month_parts": int(found[1]),
    }


# --- the folder without its last month ---------------------------------------------


def month_start(text: str) -> date:
    year, month = (int(part) for part in text.split("-"))
    return date(year, month, 1)


def month_before(day: date) -> date:
    """The first day of the month before ``day``'s month."""
    return (
        date(day.year - 1, 12, 1)
        if day.month == 1
        else date(day.year, day.month - 1, 1)
    )


def derive_prior_folder(
    raw_dir: Path, prior_dir: Path, drop_from: date, drop_before: date, threads: int
) -> dict[str, int]:
    """``raw_dir`` without the bills starting from ``drop_from`` until before
    ``drop_before``, their usage rows and line items (rewritten with DuckDB COPY,
    in file order; dates parsed as staging parses them). The other landing files
    are linked (or copied). Returns the rows dropped per entity."""
    if prior_dir.exists():
        shutil.rmtree(prior_dir)
    prior_dir.mkdir(parents=True)
    filtered = {
        "documents": "id",
        "usage_data": "document_id",
        "line_items": "document_id",
    }
    dropped: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"set threads = {int(threads)}")
        documents = landing_csv(raw_dir, "documents")
        assert documents is not None
        con.execute(
            "create temp table dropped_bills as select distinct trim(id) as id "
            f"from {csv_relation(documents, ('id', 'start_date'))} "
            f"where {parse_date_sql('start_date')} >= "
            f"{sql_literal(drop_from.isoformat())}::date "
            f"and {parse_date_sql('start_date')} < "
            f"{sql_literal(drop_before.isoformat())}::date "
            "and trim(id) is not null"
        )
        for entity, key in filtered.items():
            path = landing_csv(raw_dir, entity, required=entity != "line_items")
            if path is None:
                continue
            header = csv_header(path)
            position = {
                contract.normalize_name(name): i for i, name in enumerate(header)
            }
            key_column = f"c{position[key]}"
            columns = ", ".join(
                f"c{index} as {sql_identifier(name)}"
                for index, name in enumerate(header)
            )
            source = read_csv_text(path, len(header))
            keep = (
                f"trim({key_column}) is null or trim({key_column}) not in "
                "(select id from dropped_bills)"
            )
            total = con.execute(f"select count(*) from {source}").fetchone()
            con.execute(
                f"copy (select {columns} from {source} where {keep}) "
                f"to {sql_literal(str(prior_dir / path.name))} "
                "(format csv, header true, delimiter ',', quote '\"')"
            )
            kept = con.execute(f"select count(*) from {source} where {keep}").fetchone()
            assert total is not None and kept is not None
            dropped[entity] = int(total[0]) - int(kept[0])
    for path in sorted(raw_dir.iterdir()):
        if not path.is_file() or contract.is_ignored_file_name(path.name):
            continue
        target = prior_dir / path.name
        if target.exists():
            continue
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
    return dropped


# --- steps in their own processes --------------------------------------------------


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


# --- one size ----------------------------------------------------------------------


def read_manifest(raw_dir: Path) -> dict[str, Any] | None:
    path = raw_dir / "_generator_manifest.json"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as handle:
        manifest: dict[str, Any] = json.load(handle)
    return manifest


def manifest_matches(manifest: dict[str, Any] | None, size: Size) -> bool:
    if manifest is None:
        return False
    parameters = manifest.get("parameters", {})
    return all(parameters.get(key) == value for key, value in size.as_dict().items())


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
