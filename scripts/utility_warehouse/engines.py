"""Build the warehouse on PostgreSQL or Apache Spark: load a landing folder, then dbt.

The same dbt project runs on DuckDB (the default, ``pipeline.py run``), PostgreSQL
(``--target postgres``) and Spark (``--target spark``; ``spark_thrift`` and
``spark_http`` for clusters); engine-specific SQL lives in ``adapter.dispatch``
macros. This module lands a folder on the other engines:

1. the landing folder is checked and staged exactly as ``load`` does, by
   ``load.load_landing`` into a scratch DuckDB file (the same contract errors,
   warnings and text columns; nothing reaches the engine when a file breaks the
   contract);
2. every raw table of that file (and ``_load_audit``) replaces the engine's:
   PostgreSQL through ``COPY ... FROM STDIN`` (CSV written by DuckDB) in one
   transaction, into schema ``raw``; Spark through Parquet files written by DuckDB
   and read with ``spark.read.parquet`` into database ``raw``;
3. ``dbt build --target <engine>`` runs in this process through ``dbtRunner``
   (unit tests left out, as in scheduled builds) and its results are classified as
   ``run`` does.

The run itself is ``utility_warehouse.run_pipeline``'s, as on DuckDB: this module
gives it the adapters ``PostgresAdapter`` and ``SparkAdapter`` (load, build, record
the run in the engine, print the build's summary).

Connection settings come from the same environment variables as ``profiles.yml``
(``UTILITY_WAREHOUSE_PG_HOST``/``PORT``/``USER``/``PASSWORD``/``DBNAME``). A local
Spark session keeps its metastore and tables under ``--spark-dir`` (default: the
working directory, Spark's own default).

    python scripts/pipeline.py run --target postgres --raw-dir DIR --as-of D
    python -m utility_warehouse.engines --engine postgres --raw-dir DIR --as-of D

(the second is the same run under its older name). After the build, whatever its
outcome, the run appends one row to the engine's ``marts.run_metadata``, as ``run``
does on DuckDB, so that the read commands (``--target``) find the as-of date.

Exit codes as ``run``: 0 every error-severity test passed; 1 a test failed or a
node errored; 2 a bad invocation, a landing folder that breaks the contract or an
engine that cannot be reached.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse import (
    contract,
    dbt_build,
    landing_settings,
    load,
    metadata,
    run_pipeline,
)
from utility_warehouse.as_of_bound import as_of_argument
from utility_warehouse.duckdb_text import quote_identifier, quote_literal
from utility_warehouse.environment import setting_problems
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_GATE_FAILED, EXIT_OK
from utility_warehouse.load import LoadReport
from utility_warehouse.run_pipeline import (
    Given,
    RecordError,
    RunAdapter,
    RunRequest,
    RunResult,
    RunStop,
)

ENGINES: tuple[str, ...] = ("postgres", "spark")
RAW_TABLES: tuple[str, ...] = (
    *(entity.name for entity in contract.ENTITIES),
    contract.LOAD_AUDIT_TABLE,
)
_PG_ENV = {
    "host": ("UTILITY_WAREHOUSE_PG_HOST", "localhost"),
    "port": ("UTILITY_WAREHOUSE_PG_PORT", "5432"),
    "user": ("UTILITY_WAREHOUSE_PG_USER", "postgres"),
    "password": ("UTILITY_WAREHOUSE_PG_PASSWORD", ""),
    "dbname": ("UTILITY_WAREHOUSE_PG_DBNAME", "utility"),
}
# DuckDB types of the raw tables and what they are on the engines.
_PG_TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "TIMESTAMP": "timestamp"}
# The types of ``marts.run_metadata`` (``metadata.COLUMNS``) on the engines.
_METADATA_TYPES = {
    "postgres": {
        "varchar": "text",
        "date": "date",
        "timestamp": "timestamp",
        "integer": "integer",
    },
    "spark": {
        "varchar": "string",
        "date": "date",
        "timestamp": "timestamp",
        "integer": "int",
    },
}


class EngineError(Exception):
    """The engine cannot be reached or refused the raw tables."""


@dataclass(frozen=True)
class PostgresTarget:
    """Where the PostgreSQL warehouse is (the profile's ``postgres`` output)."""

    host: str = "localhost"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = "utility"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> PostgresTarget:
        source = os.environ if environ is None else environ
        values = {
            key: source.get(name, default) for key, (name, default) in _PG_ENV.items()
        }
        return cls(
            host=values["host"],
            port=int(values["port"]),
            user=values["user"],
            password=values["password"],
            dbname=values["dbname"],
        )

    def env(self) -> dict[str, str]:
        """The environment variables the profile reads for this target."""
        return {
            _PG_ENV["host"][0]: self.host,
            _PG_ENV["port"][0]: str(self.port),
            _PG_ENV["user"][0]: self.user,
            _PG_ENV["password"][0]: self.password,
            _PG_ENV["dbname"][0]: self.dbname,
        }

    def connect(self) -> Any:
        import psycopg2

        try:
            return psycopg2.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password,
                dbname=self.dbname,
            )
        except psycopg2.Error as error:
            raise EngineError(
                f"cannot connect to PostgreSQL {self.user}@{self.host}:{self.port}/"
                f"{self.dbname}: {' '.join(str(error).split())}"
            ) from error


@dataclass(frozen=True)
class RawTable:
    """One raw table of the staged DuckDB file: its columns and DuckDB types."""

    name: str
    columns: tuple[tuple[str, str], ...]


@dataclass
class EngineRun:
    """What one load and build on an engine did, with their durations."""

    engine: str
    report: load.LoadReport
    outcome: dbt_build.BuildOutcome
    load_seconds: float
    build_seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_GATE_FAILED if self.outcome.gate_failed else EXIT_OK


@contextlib.contextmanager
def staged_landing(
    raw_dir: Path, settings: Given | None = None
) -> Iterator[tuple[load.LoadReport, Path]]:
    """Check and stage ``raw_dir`` as ``load`` does, into a scratch DuckDB file.

    ``settings``: the options given (``encoding``, ``date_order``,
    ``decimal_separator``; None or absent: landing.json's or the default).
    Raises ``load.LandingContractError`` (nothing staged) like ``load``. Yields the
    load report and the scratch folder holding ``landing.duckdb``.
    """
    with tempfile.TemporaryDirectory(prefix="utility-engine-") as scratch_dir:
        scratch = Path(scratch_dir)
        report = load.load_landing(
            raw_dir, scratch / "landing.duckdb", **dict(settings or {})
        )
        yield report, scratch


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[RawTable]:
    """The raw tables of a staged file, in contract order, with their columns."""
    tables: list[RawTable] = []
    for name in RAW_TABLES:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [contract.RAW_SCHEMA, name],
        ).fetchall()
        if columns:
            tables.append(RawTable(name, tuple((str(c), str(t)) for c, t in columns)))
    return tables


def _raw_relation(table: RawTable) -> str:
    return f"{quote_identifier(contract.RAW_SCHEMA)}.{quote_identifier(table.name)}"


def _pg_type(duckdb_type: str) -> str:
    try:
        return _PG_TYPES[duckdb_type.upper()]
    except KeyError:
        raise EngineError(
            f"raw column type {duckdb_type} has no PostgreSQL type"
        ) from None


def load_postgres(
    raw_dir: Path, target: PostgresTarget, *, settings: Given | None = None
) -> load.LoadReport:
    """Land ``raw_dir`` into schema ``raw`` of the PostgreSQL database, every value as
    text, replacing every raw table in one transaction (COPY from CSV)."""
    with staged_landing(raw_dir, settings) as (report, scratch):
        con = duckdb.connect(str(scratch / "landing.duckdb"), read_only=True)
        try:
            tables = raw_tables(con)
            files: dict[str, Path] = {}
            for table in tables:
                path = scratch / f"{table.name}.csv"
                con.execute(
                    f"copy (select * from {_raw_relation(table)}) "
                    f"to {quote_literal(str(path))} (format csv, header false)"
                )
                files[table.name] = path
        finally:
            con.close()
        pg = target.connect()
        try:
            import psycopg2

            with pg, pg.cursor() as cursor:
                schema = quote_identifier(contract.RAW_SCHEMA)
                cursor.execute(f"create schema if not exists {schema}")
                for table in tables:
                    relation = f"{schema}.{quote_identifier(table.name)}"
                    columns = ", ".join(
                        f"{quote_identifier(name)} {_pg_type(kind)}"
                        for name, kind in table.columns
                    )
                    # The staging views read this table; they go with it and the
                    # build that follows the load creates them again.
                    cursor.execute(f"drop table if exists {relation} cascade")
                    cursor.execute(f"create table {relation} ({columns})")
                    with files[table.name].open(encoding="utf-8", newline="") as handle:
                        cursor.copy_expert(
                            f"copy {relation} from stdin with (format csv)", handle
                        )
        except psycopg2.Error as error:
            raise EngineError(
                f"cannot write the raw tables: {' '.join(str(error).split())}"
            ) from error
        finally:
            pg.close()
    return report


def spark_session(spark_dir: Path | None = None, *, master: str | None = None) -> Any:
    """The local Spark session dbt's ``session`` method will reuse (getOrCreate).

    Its Hive metastore (Derby) and managed tables live under ``spark_dir`` (default:
    the working directory, Spark's own default); the settings match the profile's.
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("utility-warehouse").enableHiveSupport()
    builder = builder.master(
        master or os.environ.get("UTILITY_WAREHOUSE_SPARK_MASTER", "local[*]")
    )
    settings = {
        "spark.sql.shuffle.partitions": os.environ.get(
            "UTILITY_WAREHOUSE_SPARK_SHUFFLE_PARTITIONS", "2"
        ),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": os.environ.get(
            "UTILITY_WAREHOUSE_SPARK_DRIVER_MEMORY", "2g"
        ),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.constraintPropagation.enabled": "false",
    }
    if spark_dir is not None:
        spark_dir = Path(spark_dir).resolve()
        spark_dir.mkdir(parents=True, exist_ok=True)
        metastore = spark_dir / "metastore_db"
        settings.update(
            {
                "spark.sql.warehouse.dir": str(spark_dir / "spark-warehouse"),
                "spark.hadoop.javax.jdo.option.ConnectionURL": (
                    f"jdbc:derby:;databaseName={metastore};create=true"
                ),
                "spark.driver.extraJavaOptions": (
                    f"-Dderby.system.home={spark_dir} "
                    f"-Dderby.stream.error.file={spark_dir / 'derby.log'}"
                ),
            }
        )
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _parquet_path(scratch: Path, table: RawTable) -> Path:
    """Where a raw table's Parquet goes: Spark skips files named _* (and .*)."""
    return scratch / f"raw-{table.name}.parquet"


def load_spark(
    raw_dir: Path, session: Any, *, settings: Given | None = None
) -> load.LoadReport:
    """Land ``raw_dir`` into database ``raw`` of the Spark session's catalog, every
    value as text (Parquet written by DuckDB, read with spark.read.parquet)."""
    with staged_landing(raw_dir, settings) as (report, scratch):
        con = duckdb.connect(str(scratch / "landing.duckdb"), read_only=True)
        try:
            tables = raw_tables(con)
            for table in tables:
                con.execute(
                    f"copy (select * from {_raw_relation(table)}) "
                    f"to {quote_literal(str(_parquet_path(scratch, table)))} "
                    "(format parquet)"
                )
        finally:
            con.close()
        try:
            session.sql(f"create database if not exists {contract.RAW_SCHEMA}")
            for table in tables:
                frame = session.read.parquet(str(_parquet_path(scratch, table)))
                frame.write.mode("overwrite").format("parquet").saveAsTable(
                    f"{contract.RAW_SCHEMA}.`{table.name}`"
                )
        except Exception as error:  # py4j and analysis errors of any kind
            raise EngineError(f"cannot write the raw tables: {error}") from error
    return report


def build(
    engine: str,
    as_of: date,
    *,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    extra_arguments: Sequence[str] = (),
    landing_vars: Mapping[str, str] | None = None,
) -> dbt_build.BuildOutcome:
    """``dbt build --target <engine>`` in this process, classified as ``run`` does.

    ``landing_vars``: the landing's ``date_order`` and ``decimal_separator``.
    """
    from dbt.artifacts.schemas.run import RunExecutionResult
    from dbt.cli.main import dbtRunner

    arguments = [
        *dbt_build.build_arguments(
            as_of, select, full_refresh, landing_vars=landing_vars
        ),
        "--target",
        engine,
        *extra_arguments,
    ]
    result = dbtRunner().invoke(arguments)
    if result.exception is not None:
        return dbt_build.BuildOutcome(dbt_success=False, exception=result.exception)
    outcome = dbt_build.BuildOutcome()
    if isinstance(result.result, RunExecutionResult):
        outcome = dbt_build.classify_results(result.result.results)
    outcome.dbt_success = bool(result.success)
    return outcome


def _threads_arguments(threads: int | None) -> list[str]:
    return [] if threads is None else ["--threads", str(threads)]


class EngineAdapter(RunAdapter):
    """``run`` on an engine: the folder staged and copied into the engine's raw
    schema, ``dbt build --target <engine>``, the row in its run metadata; the
    summary is the build's (``format_run``)."""

    full_refresh_allowed = True

    def land(self, request: RunRequest) -> LoadReport:
        """Land the folder (raises LandingContractError, EngineError)."""
        raise NotImplementedError

    def load(self, request: RunRequest) -> LoadReport:
        try:
            return self.land(request)
        except (EngineError, load.WarehouseWriteError) as error:
            print(f"error: {error}", file=sys.stderr)
            raise RunStop(EXIT_BAD_INPUT) from error

    def build(self, request: RunRequest, report: LoadReport) -> dbt_build.BuildOutcome:
        return build(
            self.name,
            request.as_of,
            select=request.select,
            full_refresh=request.full_refresh and self.full_refresh_allowed,
            extra_arguments=_threads_arguments(request.threads),
            landing_vars=report.settings.dbt_vars(),
        )

    def write(self, record: metadata.RunRecord) -> None:
        """Append the row (raises EngineError)."""
        raise NotImplementedError

    def record(self, record: metadata.RunRecord) -> None:
        try:
            self.write(record)
        except EngineError as error:
            raise RecordError(str(error)) from error

    def show(self, result: RunResult) -> None:
        run = EngineRun(
            self.name,
            result.report,
            result.outcome,
            result.load_seconds,
            result.build_seconds,
        )
        sys.stdout.flush()
        print(format_run(run))
        print(result.run_line, flush=True)

    def load_and_build(self, request: RunRequest) -> EngineRun:
        """Load and build without recording (the parity tests' run)."""
        started = time.monotonic()
        report = self.land(request)
        loaded = time.monotonic()
        outcome = self.build(request, report)
        return EngineRun(
            self.name, report, outcome, loaded - started, time.monotonic() - loaded
        )


class PostgresAdapter(EngineAdapter):
    """PostgreSQL, connected as the ``UTILITY_WAREHOUSE_PG_*`` variables say."""

    name = "postgres"

    def __init__(self, target: PostgresTarget | None = None) -> None:
        self.target = target or PostgresTarget.from_env()

    def land(self, request: RunRequest) -> LoadReport:
        return load_postgres(request.raw_dir, self.target, settings=request.settings)

    def build(self, request: RunRequest, report: LoadReport) -> dbt_build.BuildOutcome:
        os.environ.update(self.target.env())
        return super().build(request, report)

    def write(self, record: metadata.RunRecord) -> None:
        write_run_postgres(self.target, record)


class SparkAdapter(EngineAdapter):
    """A local Spark session, its metastore and tables under ``spark_dir``.

    Every Spark build is a full build: the bill-level facts are tables there.
    """

    name = "spark"
    full_refresh_allowed = False

    def __init__(self, spark_dir: Path | None = None) -> None:
        self.spark_dir = spark_dir

    def land(self, request: RunRequest) -> LoadReport:
        return load_spark(
            request.raw_dir, spark_session(self.spark_dir), settings=request.settings
        )

    def write(self, record: metadata.RunRecord) -> None:
        write_run_spark(spark_session(self.spark_dir), record)


def adapter(engine: str, spark_dir: Path | None = None) -> EngineAdapter:
    """The ``run`` adapter of ``engine``."""
    if engine == "postgres":
        return PostgresAdapter()
    if engine == "spark":
        return SparkAdapter(spark_dir)
    raise ValueError(f"unknown engine: {engine}")


def run_postgres(
    raw_dir: Path,
    as_of: date,
    *,
    target: PostgresTarget | None = None,
    settings: Given | None = None,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    threads: int | None = None,
) -> EngineRun:
    """Load ``raw_dir`` into PostgreSQL and build the project there."""
    return PostgresAdapter(target).load_and_build(
        RunRequest(raw_dir, as_of, settings or {}, select, full_refresh, threads)
    )


def run_spark(
    raw_dir: Path,
    as_of: date,
    *,
    spark_dir: Path | None = None,
    settings: Given | None = None,
    select: Sequence[str] = (),
    threads: int | None = None,
) -> EngineRun:
    """Load ``raw_dir`` into a local Spark session and build the project there."""
    return SparkAdapter(spark_dir).load_and_build(
        RunRequest(raw_dir, as_of, settings or {}, select, threads=threads)
    )


def _metadata_columns(engine: str) -> list[tuple[str, str]]:
    types = _METADATA_TYPES[engine]
    return [(name, types[kind]) for name, kind in metadata.COLUMNS]


def write_run_postgres(target: PostgresTarget, record: metadata.RunRecord) -> None:
    """Append ``record`` to ``marts.run_metadata`` of the PostgreSQL warehouse."""
    import psycopg2

    columns = _metadata_columns("postgres")
    relation = f"{quote_identifier(metadata.SCHEMA)}.{quote_identifier(metadata.TABLE)}"
    pg = target.connect()
    try:
        with pg, pg.cursor() as cursor:
            cursor.execute(
                f"create schema if not exists {quote_identifier(metadata.SCHEMA)}"
            )
            definitions = ", ".join(
                f"{quote_identifier(n)} {kind}" for n, kind in columns
            )
            cursor.execute(f"create table if not exists {relation} ({definitions})")
            for name, kind in columns:
                cursor.execute(
                    f"alter table {relation} add column if not exists "
                    f"{quote_identifier(name)} {kind}"
                )
            names = ", ".join(quote_identifier(name) for name, _ in columns)
            placeholders = ", ".join("%s" for _ in columns)
            cursor.execute(
                f"insert into {relation} ({names}) values ({placeholders})",
                record.values(),
            )
    except psycopg2.Error as error:
        raise EngineError(
            f"cannot write {metadata.QUALIFIED_TABLE}: {' '.join(str(error).split())}"
        ) from error
    finally:
        pg.close()


def _add_missing_spark_columns(
    session: Any, relation: str, columns: Sequence[tuple[str, str]]
) -> None:
    """Columns added in later versions are added to an older ledger first."""
    present = {name.lower() for name in session.table(relation).columns}
    missing = [(name, kind) for name, kind in columns if name.lower() not in present]
    if missing:
        added = ", ".join(f"`{name}` {kind}" for name, kind in missing)
        session.sql(f"alter table {relation} add columns ({added})")


def write_run_spark(session: Any, record: metadata.RunRecord) -> None:
    """Append ``record`` to ``marts.run_metadata`` of the Spark catalog."""
    columns = _metadata_columns("spark")
    schema = ", ".join(f"`{name}` {kind}" for name, kind in columns)
    # Naive datetimes would be read in the process's local time zone: the
    # record's are UTC (the session's time zone too).
    values = tuple(
        value.replace(tzinfo=UTC) if isinstance(value, datetime) else value
        for value in record.values()
    )
    relation = f"{metadata.SCHEMA}.`{metadata.TABLE}`"
    try:
        session.sql(f"create database if not exists {metadata.SCHEMA}")
        session.sql(f"create table if not exists {relation} ({schema}) using parquet")
        _add_missing_spark_columns(session, relation, columns)
        frame = session.createDataFrame([values], schema=schema)
        frame.write.insertInto(f"{metadata.SCHEMA}.`{metadata.TABLE}`")
    except Exception as error:  # py4j and analysis errors of any kind
        raise EngineError(
            f"cannot write {metadata.QUALIFIED_TABLE}: {error}"
        ) from error


def format_run(run: EngineRun) -> str:
    outcome = run.outcome
    described = run.report.settings.describe()
    settings = f" ({', '.join(described)})" if described else ""
    lines = [
        f"{run.engine}: loaded {run.report.total_rows:,} raw rows from "
        f"{run.report.raw_dir}{settings} in {run.load_seconds:.1f} s; dbt build "
        f"{run.build_seconds:.1f} s",
        *(f"warning: {warning}" for warning in run.report.warnings),
        outcome.nodes_line(),
        outcome.tally_line(),
        *outcome.problem_lines(),
        "quality gate FAILED" if outcome.gate_failed else "quality gate passed",
    ]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="python -m utility_warehouse.engines",
        description="Load a landing folder into PostgreSQL or Spark and build the "
        "warehouse there with dbt (exit 0 passed, 1 gate failed, 2 bad input); "
        "the same run as `pipeline.py run --target postgres|spark`.",
    )
    result.add_argument("--engine", choices=ENGINES, required=True)
    result.add_argument("--raw-dir", type=Path, required=True, help="landing folder")
    result.add_argument(
        "--as-of",
        type=as_of_argument,
        default=None,
        help="YYYY-MM-DD (default today), from 1950-01-01 to one year after today",
    )
    landing_settings.add_arguments(result)
    result.add_argument("--select", nargs="+", default=[], help="dbt selection")
    result.add_argument(
        "--full-refresh", action="store_true", help="rebuild incremental models"
    )
    result.add_argument(
        "--spark-dir",
        type=Path,
        default=None,
        help="Spark: where the metastore and tables live (default: working directory)",
    )
    return result


def run_command(
    engine: str,
    raw_dir: Path,
    as_of: date,
    *,
    spark_dir: Path | None = None,
    settings: Given | None = None,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    threads: int | None = None,
) -> int:
    """``run`` on an engine: load, build, record the run, print; the exit code.

    PostgreSQL's connection comes from the ``UTILITY_WAREHOUSE_PG_*`` variables.
    """
    return run_pipeline.execute(
        adapter(engine, spark_dir),
        RunRequest(raw_dir, as_of, settings or {}, select, full_refresh, threads),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    problems = setting_problems(threads=True)
    if problems:
        return load.settings_exit(problems)
    return run_command(
        args.engine,
        args.raw_dir,
        args.as_of or date.today(),
        spark_dir=args.spark_dir,
        settings=landing_settings.given_settings(args),
        select=args.select,
        full_refresh=args.full_refresh,
    )


if __name__ == "__main__":
    sys.exit(main())
