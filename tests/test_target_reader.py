"""The read commands' engine copies: exact types, no engine needed.

The copies themselves (PostgreSQL, Spark) are checked against DuckDB in
``tests/engines/test_read_commands.py`` (``make test-engines``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from utility_warehouse import target_reader


def test_decimals_are_stored_exactly_with_their_precision_and_scale(
    tmp_path: Path,
) -> None:
    con = duckdb.connect(str(tmp_path / "copy.duckdb"))
    schema = pa.schema(
        [
            ("amount", pa.decimal128(28, 6)),
            ("undeclared", target_reader.UNDECLARED_NUMERIC),
        ]
    )
    values: dict[str, list[Decimal | None]] = {
        "amount": [Decimal("3580892862.630000"), Decimal("0.000001"), None],
        "undeclared": [Decimal("6227440270.173"), Decimal("-1.5"), Decimal("0")],
    }
    batch = pa.table(
        [
            target_reader._arrow_column("t", values[field.name], field)
            for field in schema
        ],
        schema=schema,
    )
    target_reader._store(con, "marts", "t", schema.empty_table())
    target_reader._store(con, "marts", "t", batch)
    target_reader._store(con, "marts", "t", batch)  # a second batch appends
    types = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 't' order by ordinal_position"
    ).fetchall()
    assert types == [("amount", "DECIMAL(28,6)"), ("undeclared", "DECIMAL(38,6)")]
    rows = con.execute("select amount, undeclared from marts.t").fetchall()
    assert rows[:3] == [
        (Decimal("3580892862.630000"), Decimal("6227440270.173000")),
        (Decimal("0.000001"), Decimal("-1.500000")),
        (None, Decimal("0.000000")),
    ]
    assert len(rows) == 6
    con.close()


def test_a_value_that_would_be_rounded_is_refused() -> None:
    field = pa.field("implied_usage", target_reader.UNDECLARED_NUMERIC)
    with pytest.raises(target_reader.TargetError, match=r"t\.implied_usage"):
        target_reader._arrow_column("t", [Decimal("1.1234567")], field)


def test_zoned_timestamps_keep_their_utc_time() -> None:
    zoned = pa.table(
        {
            "ended_at": pa.array(
                [datetime(2026, 11, 24, 19, 42, 8, 317653, tzinfo=UTC)],
                type=pa.timestamp("us", tz="UTC"),
            ),
            "run_id": ["r1"],
        }
    )
    naive = target_reader._without_time_zone(zoned)
    assert naive.schema.field("ended_at").type == pa.timestamp("us")
    assert naive.column("ended_at").to_pylist() == [
        datetime(2026, 11, 24, 19, 42, 8, 317653)
    ]
    assert naive.column("run_id").to_pylist() == ["r1"]


def test_the_copy_is_named_after_its_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UTILITY_WAREHOUSE_PG_HOST", "db/internal")
    monkeypatch.setenv("UTILITY_WAREHOUSE_PG_PORT", "6543")
    monkeypatch.setenv("UTILITY_WAREHOUSE_PG_DBNAME", "energy")
    assert target_reader.source_name("postgres") == "postgres-db_internal-6543-energy"
    assert target_reader.source_name("spark") == "spark"
