"""Engine parity: the same landing folders give the same marts on DuckDB, PostgreSQL
and Spark, row for row, decimals exact.

Three landing folders: the data-quality fixture of ``test_quality_end_to_end``, a
small generated portfolio in mixed formats (CSV, JSON lines, Parquet) with every
planted finding and the VND 3,580,892,862.63 bill and 6,227,440,270.173 gal usage
row that must be kept to the last digit, and (on PostgreSQL) ids whose byte order
differs from a linguistic collation's. Each is built with ``pipeline.py run`` on
DuckDB (the reference), then loaded and built (seeds and models) with ``dbt build``
on a throwaway PostgreSQL cluster and a local Spark session, and every mart table
is compared with the reference (``document_fingerprint`` aside: a hash each engine
computes its own way). On PostgreSQL the generated folder is built twice with its
data tests, the second run incremental, and compared after each; every data test
also runs on each engine in ``test_read_commands``.

The hand-built folder of ``test_end_to_end`` (one bad row per quarantine reason,
duplicated ids, chains of links, every cost rule, two currencies) is built on each
engine by ``test_read_commands``, whose export comparison covers every mart table
of it: it is not built a second time here.

Marked ``engines``: ``make test`` leaves them out, ``make test-engines`` runs them.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import MINIMAL_LANDING, isolated_dbt_env, run_pipeline, write_landing
from engines.conftest import PostgresCluster
from engines.marts import (
    CARBON_MARTS,
    Table,
    differences,
    duckdb_marts,
    postgres_marts,
    spark_marts,
)
from utility_warehouse import engines, generate

pytestmark = pytest.mark.engines

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:  # the DuckDB tests' fixtures are imported
    sys.path.insert(0, str(TESTS_DIR))

import test_quality_end_to_end  # noqa: E402

# The generated folder is PostgreSQL's incremental case (built twice, compared
# after each run), not built a third time.
POSTGRES_CASES = ("quality", "id_order")
# The id_order folder is PostgreSQL's: Spark, like DuckDB, compares strings as
# bytes whatever the session, and its builds are the suite's longest.
SPARK_CASES = ("quality", "generated")
# These folders build their seeds and models only. Every data test runs on each
# engine in test_read_commands' full ``run --target``, and on PostgreSQL in both
# runs of the incremental case; here a test would only repeat what the same marts
# passed on DuckDB.
MODELS_ONLY = ("resource_type:seed", "resource_type:model")
ID_ORDER_AS_OF = "2026-11-01"


def _id_order_landing() -> dict[str, list[dict[str, Any]]]:
    """Ids whose byte order differs from a linguistic collation's (case, "_" and
    "-"), where an order decides a figure: the residual of 100.00 split evenly over
    three meters in meter_id order (the second gets the extra millionth), the
    "greater id" of duplicate meters and bills, a Primary ID chosen by type order
    and a meter's tag list. PostgreSQL must compare them as bytes, as DuckDB and
    Spark do (the test cluster's default collation is ICU en-US)."""
    landing = {
        entity: [dict(row) for row in rows] for entity, rows in MINIMAL_LANDING.items()
    }
    meter = landing["meters"][0]
    landing["meters"] = [
        {**meter, "id": meter_id} for meter_id in ("M-b", "mB", "m_a", "Ma")
    ]
    landing["meter_identifiers"] = [
        {"meter_id": "mB", "identifier_type": "METER", "value": "E-200"},
        {"meter_id": "m_a", "identifier_type": "METER", "value": "E200"},
        {"meter_id": "Ma", "identifier_type": "ZZ_X", "value": "1"},
        {"meter_id": "Ma", "identifier_type": "ZZB", "value": "2"},
    ]
    landing["meter_tags"] = [
        {"meter_id": "Ma", "tag_name": tag} for tag in ("b", "B", "_a", "A")
    ]
    document = landing["documents"][0]
    landing["documents"] = [
        {**document, "id": "d_1", "current_charges": "100.00"},
        {**document, "id": "D-1", "current_charges": "100.00"},
    ]
    usage = landing["usage_data"][0]
    landing["usage_data"] = [
        {**usage, "id": f"u{index}", "document_id": "d_1", "meter_id": meter_id}
        for index, meter_id in enumerate(("M-b", "mB", "m_a"))
    ]
    return landing


@dataclass(frozen=True)
class Landing:
    name: str
    raw_dir: Path
    as_of: date
    manifest: dict[str, Any]


@pytest.fixture(scope="module")
def landings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Landing]:
    base = tmp_path_factory.mktemp("landings")
    quality = write_landing(base / "quality", test_quality_end_to_end._landing())
    generated = base / "generated"
    generate.generate(generated, companies=1, sites=2, months=6, file_format="mixed")
    manifest = json.loads((generated / "_generator_manifest.json").read_text())
    id_order = write_landing(base / "id_order", _id_order_landing())
    return {
        "id_order": Landing(
            "id_order", id_order, date.fromisoformat(ID_ORDER_AS_OF), {}
        ),
        "quality": Landing(
            "quality",
            quality,
            date.fromisoformat(test_quality_end_to_end.AS_OF),
            {},
        ),
        "generated": Landing(
            "generated", generated, date.fromisoformat(manifest["as_of"]), manifest
        ),
    }


@pytest.fixture(scope="module")
def reference(
    landings: dict[str, Landing], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, dict[str, Table]]]:
    """The DuckDB marts of each landing, built on first use by ``pipeline.py run``."""

    class Lazy(dict[str, dict[str, Table]]):
        def __missing__(self, name: str) -> dict[str, Table]:
            landing = landings[name]
            base = tmp_path_factory.mktemp(f"duckdb-{name}")
            database = base / "warehouse.duckdb"
            completed = run_pipeline(
                "run",
                "--raw-dir",
                str(landing.raw_dir),
                "--database",
                str(database),
                "--as-of",
                landing.as_of.isoformat(),
                env=isolated_dbt_env(base),
            )
            assert completed.returncode == 0, (completed.stdout + completed.stderr)[
                -4000:
            ]
            marts = duckdb_marts(database)
            self[name] = marts
            return marts

    yield Lazy()


@pytest.fixture
def dbt_paths(tmp_path: Path) -> Iterator[None]:
    """dbt's target and log folders of one in-process build, under tmp."""
    saved = {key: os.environ.get(key) for key in ("DBT_TARGET_PATH", "DBT_LOG_PATH")}
    os.environ.update(isolated_dbt_env(tmp_path))
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _assert_gate_passed(run: engines.EngineRun) -> None:
    problems = run.outcome.problem_lines()
    assert not run.outcome.gate_failed, "\n".join(problems)
    assert run.outcome.tests_passed > 0  # the data tests ran on the engine


def _assert_models_built(run: engines.EngineRun) -> None:
    """A MODELS_ONLY build: every node built, no test pulled in."""
    problems = run.outcome.problem_lines()
    assert not run.outcome.gate_failed, "\n".join(problems)
    assert run.outcome.built["model"] > 0 and not run.outcome.tests_passed


def _assert_same(reference: dict[str, Table], other: dict[str, Table]) -> None:
    assert reference, "the reference has no marts"
    missing = [name for name in CARBON_MARTS if name not in reference]
    assert not missing, f"the reference has no {missing}"
    problems = differences(reference, other)
    assert not problems, "\n".join(problems)


def _assert_large_figures(landing: Landing, marts: dict[str, Table]) -> None:
    """The generated folder's VND bill adds up to the cent on the engine too."""
    special = landing.manifest.get("special_cases", {}).get("large_currency_bill")
    if not special:
        return
    table = marts["fct_bill_meter_costs"]
    document = table.columns.index("document_id")
    cost = table.columns.index("attributed_cost")
    total = sum(
        (
            Decimal(row[cost]) * count
            for row, count in table.rows.items()
            if row[document] == special["document_id"]
        ),
        Decimal(0),
    )
    assert total == Decimal("3580892862.63")


def _postgres_target(cluster: PostgresCluster, name: str) -> engines.PostgresTarget:
    cluster.create_database(name)
    return engines.PostgresTarget(
        host=cluster.host, port=cluster.port, user=cluster.user, dbname=name
    )


@pytest.mark.parametrize("case", POSTGRES_CASES)
def test_postgres_marts_equal_duckdb(
    case: str,
    landings: dict[str, Landing],
    reference: dict[str, dict[str, Table]],
    postgres_cluster: PostgresCluster,
    dbt_paths: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    landing = landings[case]
    target = _postgres_target(postgres_cluster, case)
    # Seeds and models alone: tests attached to them are not pulled in.
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "empty")
    run = engines.run_postgres(
        landing.raw_dir, landing.as_of, target=target, select=MODELS_ONLY
    )
    _assert_models_built(run)
    connection = postgres_cluster.connect(case)
    try:
        marts = postgres_marts(connection)
    finally:
        connection.close()
    _assert_same(reference[case], marts)
    _assert_large_figures(landing, marts)


def test_postgres_incremental_run_keeps_the_marts(
    landings: dict[str, Landing],
    reference: dict[str, dict[str, Table]],
    postgres_cluster: PostgresCluster,
    dbt_paths: None,
) -> None:
    """The generated folder's first build equals DuckDB's; a second run on the
    same warehouse is incremental (delete+insert by bill and the prune hook) and
    leaves exactly the same marts."""
    landing = landings["generated"]
    target = _postgres_target(postgres_cluster, "incremental")

    def marts() -> dict[str, Table]:
        connection = postgres_cluster.connect("incremental")
        try:
            return postgres_marts(connection)
        finally:
            connection.close()

    first = engines.run_postgres(landing.raw_dir, landing.as_of, target=target)
    _assert_gate_passed(first)
    full = marts()
    _assert_same(reference["generated"], full)
    _assert_large_figures(landing, full)
    second = engines.run_postgres(landing.raw_dir, landing.as_of, target=target)
    _assert_gate_passed(second)
    _assert_same(reference["generated"], marts())


@pytest.mark.parametrize("case", SPARK_CASES)
def test_spark_marts_equal_duckdb(
    case: str,
    landings: dict[str, Landing],
    reference: dict[str, dict[str, Table]],
    spark: Any,
    dbt_paths: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    landing = landings[case]
    # Seeds and models alone: tests attached to them are not pulled in.
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "empty")
    run = engines.run_spark(landing.raw_dir, landing.as_of, select=MODELS_ONLY)
    _assert_models_built(run)
    marts = spark_marts(spark)
    _assert_same(reference[case], marts)
    _assert_large_figures(landing, marts)
