"""``run --target`` and the read commands' ``--target`` on PostgreSQL and Spark.

The hand-built landing folder of ``test_end_to_end`` (every cost rule, two
currencies, quarantined rows, an archived site) is built three times with
``pipeline.py run`` as a user runs it: on DuckDB (``--database``), on the
throwaway PostgreSQL cluster (``--target postgres``, the connection in the
``UTILITY_WAREHOUSE_PG_*`` variables) and on a local Spark session of its own
(``--target spark --spark-dir``). Then ``rollup``, ``quality``, ``inspect``,
``export`` and ``report`` run with ``--target`` on each engine and must answer as
they do on the DuckDB build: the same JSON (the database's path aside), the same
exported rows (``document_fingerprint``, a hash each engine computes its own way,
and the run ids aside), a report with the same figures. The export holds every
mart table, so its comparison is also this folder's mart parity on each engine
(``test_parity`` builds the other folders).

Marked ``engines``: ``make test`` leaves them out, ``make test-engines`` runs them.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import isolated_dbt_env, run_pipeline, write_landing
from engines.conftest import PostgresCluster
from engines.marts import CARBON_MARTS, ENGINE_SPECIFIC_COLUMNS

pytestmark = pytest.mark.engines

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:  # the DuckDB tests' fixtures are imported
    sys.path.insert(0, str(TESTS_DIR))

import test_end_to_end  # noqa: E402

ENGINES = ("postgres", "spark")
DATABASE_NAME = "read_commands"
# Spark's JVM takes a while to start for each command.
TIMEOUT = 900
# A full Spark build with its data tests took over 900 s while the DuckDB suite
# shared the two cores (make check); the bound only stops a hung build.
BUILD_TIMEOUT = 2700


@dataclass(frozen=True)
class Build:
    """Where one build of the landing folder is, as read-command options."""

    options: tuple[str, ...]
    env: Mapping[str, str]


def _run(build: Build, *args: str) -> str:
    completed = run_pipeline(*args, *build.options, env=build.env, timeout=TIMEOUT)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]
    return completed.stdout


@pytest.fixture(scope="module")
def builds(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_cluster: PostgresCluster,
    java: None,
) -> dict[str, Build]:
    """The landing folder built by ``run`` on DuckDB, PostgreSQL and Spark, each
    on first use."""
    base = tmp_path_factory.mktemp("read-commands")
    landing = write_landing(base / "landing", test_end_to_end.LANDING)
    pg_env = {
        "UTILITY_WAREHOUSE_PG_HOST": postgres_cluster.host,
        "UTILITY_WAREHOUSE_PG_PORT": str(postgres_cluster.port),
        "UTILITY_WAREHOUSE_PG_USER": postgres_cluster.user,
        "UTILITY_WAREHOUSE_PG_PASSWORD": "",
        "UTILITY_WAREHOUSE_PG_DBNAME": DATABASE_NAME,
    }
    where = {
        "duckdb": Build(("--database", str(base / "warehouse.duckdb")), {}),
        "postgres": Build(("--target", "postgres"), pg_env),
        "spark": Build(("--target", "spark", "--spark-dir", str(base / "spark")), {}),
    }

    failed: dict[str, str] = {}

    def build_on(name: str) -> Build:
        build = where[name]
        if name == "postgres":
            postgres_cluster.create_database(DATABASE_NAME)
        completed = run_pipeline(
            "run",
            "--raw-dir",
            str(landing),
            "--as-of",
            test_end_to_end.AS_OF,
            *build.options,
            env={**build.env, **isolated_dbt_env(base / name)},
            timeout=BUILD_TIMEOUT,
        )
        output = (completed.stdout + completed.stderr)[-4000:]
        # The folder's deliberate garbage fails the unparsed-share gate alone;
        # every mart is built.
        test_end_to_end.assert_only_the_unparsed_gate_failed(completed)
        assert "recorded in marts.run_metadata" in completed.stdout, output
        return build

    class Lazy(dict[str, Build]):
        def __missing__(self, name: str) -> Build:
            # A build that failed fails the engine's later tests at once
            # rather than being tried again.
            if name in failed:
                pytest.fail(f"the {name} build failed earlier: {failed[name]}")
            try:
                build = build_on(name)
            except (AssertionError, subprocess.TimeoutExpired) as error:
                failed[name] = str(error)[:2000]
                raise
            self[name] = build
            return build

    return Lazy()


def _json(text: str) -> Any:
    """A command's JSON output without the path of the database it read."""
    value = json.loads(text)
    if isinstance(value, dict):
        value.pop("database", None)
    return value


@pytest.mark.parametrize("engine", ENGINES)
def test_rollup_answers_as_on_duckdb(engine: str, builds: dict[str, Build]) -> None:
    # --last-months counts back from the as-of date of the engine's run_metadata.
    args = (
        "rollup",
        "--group-by",
        "site",
        "commodity",
        "--last-months",
        "12",
        "--include-implied",
        "--include-estimated",
        "--format",
        "json",
    )
    expected = _json(_run(builds["duckdb"], *args))
    assert expected, "the DuckDB rollup is empty"
    assert _json(_run(builds[engine], *args)) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_quality_answers_as_on_duckdb(engine: str, builds: dict[str, Build]) -> None:
    args = ("quality", "--format", "json")
    expected = _json(_run(builds["duckdb"], *args))
    assert expected["as_of_date"] == test_end_to_end.AS_OF
    assert _json(_run(builds[engine], *args)) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_inspect_totals_equal_duckdb(engine: str, builds: dict[str, Build]) -> None:
    args = ("inspect", "--site", "S1", "--month", "2024-05", "--format", "json")
    expected = _json(_run(builds["duckdb"], *args))
    assert expected["groups"] and expected["matches"]
    assert _json(_run(builds[engine], *args)) == expected


def _export(build: Build, out: Path) -> dict[str, Counter[tuple[str, ...]]]:
    """``export --format csv`` into ``out``: each file's rows (a multiset), with
    the engine-specific columns left out; the manifest's row counts checked."""
    _run(build, "export", "--format", "csv", "--out", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    files: dict[str, Counter[tuple[str, ...]]] = {}
    for path in sorted(out.rglob("*.csv")):
        name = path.relative_to(out).as_posix()
        with path.open(newline="", encoding="utf-8") as handle:
            header, *rows = list(csv.reader(handle))
        keep = [i for i, column in enumerate(header) if column not in IGNORED]
        files[name] = Counter(tuple(row[i] for i in keep) for row in rows)
        files[name][("header", *(header[i] for i in keep))] = 1
        counted = _manifest_rows(manifest, name)
        assert counted == len(rows), (name, counted, len(rows))
    return files


# Engine-specific hashes, and each run's own id and times.
IGNORED = ENGINE_SPECIFIC_COLUMNS | {"run_id", "started_at", "ended_at"}


def _manifest_rows(manifest: Any, name: str) -> int | None:
    """The row count the manifest gives for the file ``name`` (None if absent)."""
    entries = [*manifest["files"], *manifest["energy_star"]["files"]]
    if manifest.get("ghg_inventory"):
        entries.append(manifest["ghg_inventory"])
    rows = [int(entry["rows"]) for entry in entries if entry["file"] == name]
    return rows[0] if len(rows) == 1 else None


@pytest.mark.parametrize("engine", ENGINES)
def test_export_files_equal_duckdb(
    engine: str, builds: dict[str, Build], tmp_path: Path
) -> None:
    expected = _export(builds["duckdb"], tmp_path / "duckdb")
    actual = _export(builds[engine], tmp_path / engine)
    assert sorted(actual) == sorted(expected)
    # Every mart table is a file: a mart the reference lost fails here.
    assert {f"{name}.csv" for name in CARBON_MARTS} <= set(expected), sorted(expected)
    assert "fct_bill_meter_costs.csv" in expected, sorted(expected)
    assert sum(len(rows) for rows in expected.values()) > len(expected)
    for name, rows in expected.items():
        assert actual[name] == rows, name


def _report_body(path: Path) -> str:
    """The report without its header (run id, build time) and warehouse name."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<header>.*?</header>", "", text, flags=re.S)
    return re.sub(r"[\w.-]+\.duckdb", "WAREHOUSE", text)


@pytest.mark.parametrize("engine", ENGINES)
def test_report_is_written_with_duckdb_figures(
    engine: str, builds: dict[str, Build], tmp_path: Path
) -> None:
    args = ("report", "--from", "2024-01", "--to", "2024-12")
    _run(builds["duckdb"], *args, "--out", str(tmp_path / "duckdb.html"))
    output = _run(builds[engine], *args, "--out", str(tmp_path / f"{engine}.html"))
    assert output.startswith(f"report written: {tmp_path / f'{engine}.html'}")
    assert _report_body(tmp_path / f"{engine}.html") == _report_body(
        tmp_path / "duckdb.html"
    )
