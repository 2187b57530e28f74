"""The project's dbt docs: everything described, exposures complete, one HTML file.

``dbt parse`` writes the manifest into a temporary target folder; the tests list
every model, seed, snapshot, analysis and singular test of the project (and
their columns), every source (and its columns), every macro of the project and
every exposure, semantic model and metric without a description, so that
``dbt docs`` (``make docs``) documents the whole warehouse.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_ROOT

DBT = PROJECT_ROOT / ".venv" / "bin" / "dbt"
PROJECT_NAME = "utility_warehouse"
DESCRIBED_NODE_TYPES = frozenset({"model", "seed", "snapshot", "analysis", "test"})
EXPORT_EXPOSURE = "marts_export"

Manifest = dict[str, Any]


def _dbt(*args: str, base: Path) -> subprocess.CompletedProcess[str]:
    """Run dbt on the project with its target and logs under ``base``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DBT_TARGET_PATH", "DBT_LOG_PATH")
    }
    env["UTILITY_WAREHOUSE_DB"] = ":memory:"
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return subprocess.run(
        [
            str(DBT),
            *args,
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(base / "target"),
            "--log-path",
            str(base / "logs"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    base = tmp_path_factory.mktemp("docs_parse")
    completed = _dbt("parse", "--no-partial-parse", base=base)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    loaded: Manifest = json.loads((base / "target" / "manifest.json").read_text())
    return loaded


def _described(entry: dict[str, Any], key: str = "description") -> bool:
    return bool(str(entry.get(key) or "").strip())


def _columns(entry: dict[str, Any]) -> Iterator[str]:
    """The names of the entry's columns without a description."""
    for name, column in sorted(entry.get("columns", {}).items()):
        if not _described(column):
            yield name


def undescribed(manifest: Manifest) -> list[str]:
    """One line per project resource or column that has no description."""
    missing: list[str] = []
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["package_name"] != PROJECT_NAME:
            continue
        kind = node["resource_type"]
        if kind not in DESCRIBED_NODE_TYPES:
            continue
        if kind == "test" and node.get("test_metadata"):
            continue  # a generic test's instance: its macro is described
        if not _described(node):
            missing.append(f"{kind} {unique_id}")
        missing.extend(f"{kind} column {unique_id}.{c}" for c in _columns(node))
    for unique_id, source in sorted(manifest["sources"].items()):
        if source["package_name"] != PROJECT_NAME:
            continue
        if not _described(source):
            missing.append(f"source {unique_id}")
        if not _described(source, "source_description"):
            missing.append(f"source {unique_id} (its source's description)")
        missing.extend(f"source column {unique_id}.{c}" for c in _columns(source))
    for unique_id, macro in sorted(manifest["macros"].items()):
        if macro["package_name"] == PROJECT_NAME and not _described(macro):
            missing.append(f"macro {unique_id}")
    for section in ("exposures", "semantic_models", "metrics", "unit_tests"):
        for unique_id, entry in sorted(manifest[section].items()):
            if entry["package_name"] == PROJECT_NAME and not _described(entry):
                missing.append(f"{section} {unique_id}")
    return missing


def test_every_resource_and_column_is_described(manifest: Manifest) -> None:
    missing = undescribed(manifest)
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_the_check_sees_the_project(manifest: Manifest) -> None:
    """A parse that found nothing would pass the check above vacuously."""
    kinds = {
        node["resource_type"]
        for node in manifest["nodes"].values()
        if node["package_name"] == PROJECT_NAME
    }
    assert {"model", "seed", "analysis", "test"} <= kinds
    assert any(s["package_name"] == PROJECT_NAME for s in manifest["sources"].values())
    assert (
        sum(m["package_name"] == PROJECT_NAME for m in manifest["macros"].values()) > 30
    )
    assert "model.utility_warehouse.fct_meter_monthly" in manifest["nodes"]
    columns = manifest["nodes"]["model.utility_warehouse.fct_meter_monthly"]["columns"]
    assert "usage_unit" in columns


def test_undescribed_resources_are_listed() -> None:
    """The check names each missing description: node, column, source, macro."""
    fake: Manifest = {
        "nodes": {
            "model.utility_warehouse.m": {
                "package_name": PROJECT_NAME,
                "resource_type": "model",
                "description": "",
                "columns": {"a": {"description": "A."}, "b": {"description": " "}},
            },
            "test.utility_warehouse.generic": {
                "package_name": PROJECT_NAME,
                "resource_type": "test",
                "description": "",
                "test_metadata": {"name": "unique"},
            },
            "model.other.m": {
                "package_name": "other",
                "resource_type": "model",
                "description": "",
            },
        },
        "sources": {
            "source.utility_warehouse.raw.t": {
                "package_name": PROJECT_NAME,
                "description": "T.",
                "source_description": "",
                "columns": {"c": {"description": ""}},
            }
        },
        "macros": {
            "macro.utility_warehouse.x": {
                "package_name": PROJECT_NAME,
                "description": "",
            },
            "macro.dbt.y": {"package_name": "dbt", "description": ""},
        },
        "exposures": {},
        "semantic_models": {},
        "metrics": {
            "metric.utility_warehouse.k": {
                "package_name": PROJECT_NAME,
                "description": None,
            }
        },
        "unit_tests": {},
    }
    assert undescribed(fake) == [
        "model model.utility_warehouse.m",
        "model column model.utility_warehouse.m.b",
        "source source.utility_warehouse.raw.t (its source's description)",
        "source column source.utility_warehouse.raw.t.c",
        "macro macro.utility_warehouse.x",
        "metrics metric.utility_warehouse.k",
    ]


def test_export_exposure_depends_on_every_mart(manifest: Manifest) -> None:
    """``pipeline.py export`` writes every table of schema marts."""
    marts = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["package_name"] == PROJECT_NAME
        and node["resource_type"] == "model"
        and node["config"].get("schema") == "marts"
    }
    assert len(marts) > 20
    exposure = manifest["exposures"][f"exposure.{PROJECT_NAME}.{EXPORT_EXPOSURE}"]
    assert set(exposure["depends_on"]["nodes"]) == marts


def test_exposures_name_the_commands_and_a_dashboard(manifest: Manifest) -> None:
    exposures = {
        entry["name"]: entry
        for entry in manifest["exposures"].values()
        if entry["package_name"] == PROJECT_NAME
    }
    assert {
        "warehouse_report",
        "portfolio_rollup_command",
        "quality_command",
        EXPORT_EXPOSURE,
        "bi_portfolio_readers",
    } <= set(exposures)
    assert exposures["bi_portfolio_readers"]["type"] == "dashboard"
    assert exposures["warehouse_report"]["type"] in ("dashboard", "application")
    for entry in exposures.values():
        assert entry["depends_on"]["nodes"], entry["name"]
        assert entry["owner"]["name"], entry["name"]


def test_static_docs_are_one_self_contained_html_file(tmp_path: Path) -> None:
    completed = _dbt("docs", "generate", "--static", "--empty-catalog", base=tmp_path)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    page = tmp_path / "target" / "static_index.html"
    html = page.read_text(encoding="utf-8")
    # Nothing to fetch: no external script, stylesheet or frame.
    assert not re.search(r"<(script|link|iframe)[^>]+(src|href)=[\"']?https?:", html)
    # The manifest is inside: models, the semantic layer and the exposures.
    for name in ("fct_meter_monthly", "sem_site_energy_monthly", "warehouse_report"):
        assert name in html, name
