"""End to end on generated data: the generator's injected bad rows all land in the
quarantine with the reason the generator meant, and the quality gate passes.

One run of the whole pipeline on a small generated portfolio written in mixed
formats (CSV, JSONL and Parquet), so that realistic messy data of every format
goes through loader, screening and every model and data test.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from conftest import isolated_dbt_env, run_pipeline
from utility_warehouse.generate import generate

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def generated_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("generated")
    raw_dir = base / "raw"
    generate(raw_dir, companies=2, sites=2, months=6, seed=7, file_format="mixed")
    database = base / "warehouse.duckdb"
    completed = run_pipeline(
        "run",
        "--raw-dir",
        str(raw_dir),
        "--database",
        str(database),
        "--as-of",
        "2026-11-01",
        env=isolated_dbt_env(base),
    )
    return raw_dir, database, completed.stdout + completed.stderr


def _manifest(raw_dir: Path) -> list[dict[str, str | None]]:
    injected: list[dict[str, str | None]] = json.loads(
        (raw_dir / "_generator_manifest.json").read_text()
    )["injected"]
    return injected


def test_generated_portfolio_passes_the_quality_gate(
    generated_run: tuple[Path, Path, str],
) -> None:
    _, _, output = generated_run
    assert "quality gate passed" in output, output[-4000:]


def test_every_injected_bad_row_is_quarantined_with_its_reason(
    generated_run: tuple[Path, Path, str],
) -> None:
    raw_dir, database, _ = generated_run
    with duckdb.connect(str(database), read_only=True) as con:
        quarantined = {
            (entity, record_id): reason
            for entity, record_id, reason in con.execute(
                "select entity, record_id, reason from marts.dq_quarantine"
            ).fetchall()
        }
    keyed = [item for item in _manifest(raw_dir) if item["record_id"] is not None]
    assert keyed, "the generator injected no bad rows"
    wrong = [
        (item, quarantined.get((item["entity"], item["record_id"])))
        for item in keyed
        if quarantined.get((item["entity"], item["record_id"])) != item["reason"]
    ]
    assert wrong == []


def test_quarantine_holds_nothing_but_the_injected_rows(
    generated_run: tuple[Path, Path, str],
) -> None:
    raw_dir, database, _ = generated_run
    expected = Counter(
        (str(item["entity"]), str(item["reason"])) for item in _manifest(raw_dir)
    )
    with duckdb.connect(str(database), read_only=True) as con:
        found = Counter(
            {
                (entity, reason): count
                for entity, reason, count in con.execute(
                    "select entity, reason, count(*) from marts.dq_quarantine "
                    "group by entity, reason"
                ).fetchall()
            }
        )
    assert found == expected
