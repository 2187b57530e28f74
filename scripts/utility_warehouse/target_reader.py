"""``--target`` for the read commands: a warehouse built on PostgreSQL or Spark.

``rollup``, ``quality``, ``inspect``, ``export`` and ``report`` read a DuckDB
warehouse (``--database FILE``, opened read-only). With ``--target postgres`` or
``--target spark`` they read the warehouse that ``run --target`` built there:
every table and view of schema ``marts`` (``run_metadata`` included) and the
intermediate tables the commands query (``EXTRA_TABLES``) are copied into a
temporary DuckDB file, under the same schema, table and column names and with the
same types (a decimal stays ``DECIMAL(p,s)`` with the engine's precision and
scale, never a float), and the command reads that file as it reads any warehouse;
the copy is removed when the command ends. Every command's SQL so stays DuckDB's.

PostgreSQL's connection comes from the ``UTILITY_WAREHOUSE_PG_*`` variables (as for
``run --target postgres``); Spark is the session of ``engines.spark_session``, with
its metastore and tables under ``--spark-dir``. The rows travel through Arrow:
psycopg2's values (``Decimal``, ``date``, ``datetime``) are put into Arrow columns
of the declared types, and Spark's ``DataFrame.toArrow`` keeps its own.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

# reading imports this module: its functions are reached through the module.
from utility_warehouse import engines, reading
from utility_warehouse.duckdb_text import quote_identifier
from utility_warehouse.exit_codes import EXIT_BAD_INPUT
from utility_warehouse.lock import duckdb_busy_message, is_duckdb_lock_error

DUCKDB = "duckdb"
TARGETS: tuple[str, ...] = (DUCKDB, *engines.ENGINES)
MARTS_SCHEMA = "marts"
# What the read commands query outside schema marts: report's cost lines and
# rollup --include-implied. Copied when the engine has them.
EXTRA_TABLES: tuple[tuple[str, str], ...] = (
    ("intermediate", "int_bill_costs_allocated"),
    ("intermediate", "int_sewer_usage_implied"),
)
_BATCH_ROWS = 50_000
# A PostgreSQL numeric without precision and scale (a model column without a
# contract): DuckDB builds these columns as DECIMAL(28,6) or DECIMAL(38,6).
UNDECLARED_NUMERIC = pa.decimal128(38, 6)
# PostgreSQL types (information_schema's data_type) as Arrow types; numeric is a
# decimal of the column's own precision and scale.
_PG_ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "character varying": pa.string(),
    "character": pa.string(),
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp without time zone": pa.timestamp("us"),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    "double precision": pa.float64(),
    "real": pa.float32(),
}


class TargetError(Exception):
    """A bad combination of options, or an engine that cannot be read (exit 2)."""


def add_target_arguments(parser: argparse.ArgumentParser, *, reading: bool) -> None:
    """``--target`` and ``--spark-dir`` (of ``run``, or of a read command)."""
    verb = "read the warehouse built on" if reading else "build the warehouse on"
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default=DUCKDB,
        help=f"{verb} this engine (default: duckdb); PostgreSQL's connection "
        "comes from the UTILITY_WAREHOUSE_PG_* variables",
    )
    parser.add_argument(
        "--spark-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="with --target spark: where the local session's metastore and "
        "tables live (default: the working directory)",
    )


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """``--database``, ``--target`` and ``--spark-dir`` of a read command."""
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        metavar="FILE",
        help="The built DuckDB warehouse (opened read-only); required with "
        "--target duckdb, the default, and refused with the others.",
    )
    add_target_arguments(parser, reading=True)


def check_spark_dir(args: argparse.Namespace) -> None:
    if args.spark_dir is not None and args.target != "spark":
        raise TargetError("argument --spark-dir: only with --target spark")


@contextlib.contextmanager
def database_path(args: argparse.Namespace) -> Iterator[Path]:
    """The DuckDB file a read command reads: ``--database``, or a temporary copy of
    the warehouse on ``--target`` (removed on exit). Raises ``TargetError``."""
    check_spark_dir(args)
    if args.target == DUCKDB:
        if args.database is None:
            raise TargetError(
                "the following arguments are required: --database "
                "(or --target postgres|spark)"
            )
        yield Path(args.database)
        return
    if args.database is not None:
        raise TargetError(
            f"argument --database: not allowed with --target {args.target} "
            f"(the warehouse is read from {args.target})"
        )
    with tempfile.TemporaryDirectory(prefix="utility-read-") as folder:
        path = Path(folder) / f"{source_name(args.target)}.duckdb"
        copy_warehouse(args.target, path, spark_dir=args.spark_dir)
        yield path


def source_name(target: str) -> str:
    """The copy's file name says where it came from (the commands print it)."""
    if target == "postgres":
        server = engines.PostgresTarget.from_env()
        name = f"postgres-{server.host}-{server.port}-{server.dbname}"
    else:
        name = target
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def connect_read_only(
    database: Path, error: type[Exception], busy: type[Exception]
) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file read-only for a read command: ``error`` when it is
    missing or unreadable (exit 2), ``busy`` when a writer holds it (exit 3)."""
    if not database.is_file():
        raise error(f"database file not found: {database}")
    try:
        return duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        if is_duckdb_lock_error(exc):
            raise busy(duckdb_busy_message(database, exc)) from exc
        raise error(
            f"cannot open {database} read-only: {reading.first_line(exc)}"
        ) from exc


def run_reader(
    args: argparse.Namespace, command: str, read: Callable[[Path], int]
) -> int:
    """``read`` (a command's body) on the database of ``args``; exit 2 on a bad
    target, with one line naming the command."""
    try:
        with database_path(args) as database:
            return read(database)
    except TargetError as error:
        message = " ".join(str(error).split())
        print(f"pipeline.py {command}: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT


def copy_warehouse(target: str, path: Path, *, spark_dir: Path | None = None) -> None:
    """Copy what the read commands query from ``target`` into the DuckDB ``path``."""
    con = duckdb.connect(str(path))
    try:
        if target == "postgres":
            _copy_postgres(con, engines.PostgresTarget.from_env())
        elif target == "spark":
            _copy_spark(con, spark_dir)
        else:
            raise TargetError(f"unknown target: {target}")
    finally:
        con.close()


def _relation(schema: str, table: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"


def _store(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, data: pa.Table
) -> None:
    """Create ``schema.table`` with ``data``'s columns and types, or append to it."""
    con.execute(f"create schema if not exists {quote_identifier(schema)}")
    con.register("incoming", data)
    try:
        con.execute(
            f"create table if not exists {_relation(schema, table)} as "
            "select * from incoming where false"
        )
        con.execute(f"insert into {_relation(schema, table)} select * from incoming")
    finally:
        con.unregister("incoming")


# --- PostgreSQL ---------------------------------------------------------------------


def _pg_arrow_type(
    table: str, column: str, data_type: str, precision: int | None, scale: int | None
) -> pa.DataType:
    if data_type == "numeric":
        if precision is None or scale is None:
            # An intermediate column without a declared type: DuckDB's is the
            # project's numeric, scale 6; a value with more decimals is refused
            # when converted (never rounded).
            return UNDECLARED_NUMERIC
        return pa.decimal128(precision, scale)
    try:
        return _PG_ARROW_TYPES[data_type]
    except KeyError:
        raise TargetError(
            f"{table}.{column}: PostgreSQL type {data_type} has no DuckDB type here"
        ) from None


def _pg_relations(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema = %s order by table_name",
        [MARTS_SCHEMA],
    )
    relations = [(str(schema), str(table)) for schema, table in cursor.fetchall()]
    for schema, table in EXTRA_TABLES:
        cursor.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = %s and table_name = %s",
            [schema, table],
        )
        if cursor.fetchone()[0]:
            relations.append((schema, table))
    return relations


def _pg_schema(cursor: Any, schema: str, table: str) -> pa.Schema:
    cursor.execute(
        "select column_name, data_type, numeric_precision, numeric_scale "
        "from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position",
        [schema, table],
    )
    return pa.schema(
        [
            (str(name), _pg_arrow_type(table, str(name), str(kind), precision, scale))
            for name, kind, precision, scale in cursor.fetchall()
        ]
    )


def _pg_batches(
    connection: Any, schema: str, table: str, arrow_schema: pa.Schema
) -> Iterator[pa.Table]:
    """The rows of ``schema.table`` as Arrow tables of at most ``_BATCH_ROWS`` rows
    (a server-side cursor: the table is never held whole in memory)."""
    names = ", ".join(quote_identifier(name) for name in arrow_schema.names)
    with connection.cursor(name=f"copy_{schema}_{table}") as cursor:
        cursor.itersize = _BATCH_ROWS
        cursor.execute(f"select {names} from {_relation(schema, table)}")
        while rows := cursor.fetchmany(_BATCH_ROWS):
            columns = list(zip(*rows, strict=True))
            yield pa.table(
                [
                    _arrow_column(table, values, field)
                    for values, field in zip(columns, arrow_schema, strict=True)
                ],
                schema=arrow_schema,
            )


def _arrow_column(table: str, values: Sequence[Any], field: pa.Field) -> pa.Array:
    try:
        return pa.array(values, type=field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise TargetError(
            f"{table}.{field.name}: a value does not fit {field.type} exactly: {error}"
        ) from error


def _copy_postgres(
    con: duckdb.DuckDBPyConnection, target: engines.PostgresTarget
) -> None:
    import psycopg2

    try:
        pg = target.connect()
    except engines.EngineError as error:
        raise TargetError(str(error)) from error
    try:
        pg.set_session(readonly=True)
        with pg.cursor() as cursor:
            relations = _pg_relations(cursor)
            schemas = {rel: _pg_schema(cursor, *rel) for rel in relations}
        for (schema, table), arrow_schema in schemas.items():
            _store(con, schema, table, arrow_schema.empty_table())
            for batch in _pg_batches(pg, schema, table, arrow_schema):
                _store(con, schema, table, batch)
    except psycopg2.Error as error:
        raise TargetError(
            f"cannot read PostgreSQL {target.dbname}: {' '.join(str(error).split())}"
        ) from error
    finally:
        pg.close()


# --- Spark --------------------------------------------------------------------------


def _without_time_zone(data: pa.Table) -> pa.Table:
    """Spark's timestamps come zoned (the session's zone, UTC): DuckDB's TIMESTAMP
    columns are naive UTC, so the zone is dropped (the UTC wall-clock kept)."""
    columns = []
    for column, field in zip(data.columns, data.schema, strict=True):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            column = pc.cast(column, pa.timestamp(field.type.unit))
        columns.append(column)
    return pa.table(columns, names=data.column_names)


def _spark_relations(session: Any) -> list[tuple[str, str]]:
    relations: list[tuple[str, str]] = []
    if session.catalog.databaseExists(MARTS_SCHEMA):
        rows = session.sql(f"show tables in {MARTS_SCHEMA}").collect()
        relations.extend(
            (MARTS_SCHEMA, str(row.tableName))
            for row in sorted(rows, key=lambda row: str(row.tableName))
            if not row.isTemporary
        )
    for schema, table in EXTRA_TABLES:
        if session.catalog.databaseExists(schema) and session.catalog.tableExists(
            f"{schema}.{table}"
        ):
            relations.append((schema, table))
    return relations


def _copy_spark(con: duckdb.DuckDBPyConnection, spark_dir: Path | None) -> None:
    try:
        session = engines.spark_session(spark_dir)
        for schema, table in _spark_relations(session):
            data = session.table(f"{schema}.`{table}`").toArrow()
            _store(con, schema, table, _without_time_zone(data))
    except Exception as error:  # py4j, Java and analysis errors of any kind
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise TargetError(
            f"cannot read Spark: {type(error).__name__}: {first}"
        ) from error
