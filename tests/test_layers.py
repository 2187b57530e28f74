"""The layers stay honest: staging reads the sources, the rules live above it.

``dbt parse`` writes the manifest into a temporary target folder once; the
tests read each model's parents from it:

- only the staging models (``models/staging/``) read a ``source()``, and they
  read nothing else: one view per raw table, no staging model on another;
- the marts (``models/marts/``) never read a staging model: they read the
  intermediate models (or other marts);
- no model has more than ``MAX_PARENTS`` parents (models, seeds and sources):
  a model that needs more does more than one thing.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_ROOT

DBT = PROJECT_ROOT / ".venv" / "bin" / "dbt"
PROJECT_NAME = "utility_warehouse"
STAGING = "models/staging/"
MARTS = "models/marts/"
MAX_PARENTS = 8

Manifest = dict[str, Any]

# A parse of the whole project (half a minute): make test runs these tests,
# make test-fast leaves them out.
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    base = tmp_path_factory.mktemp("layers_parse")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DBT_TARGET_PATH", "DBT_LOG_PATH")
    }
    env["UTILITY_WAREHOUSE_DB"] = ":memory:"
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    completed = subprocess.run(
        [
            str(DBT),
            "parse",
            "--no-partial-parse",
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
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    loaded: Manifest = json.loads((base / "target" / "manifest.json").read_text())
    return loaded


def _models(manifest: Manifest) -> dict[str, dict[str, Any]]:
    """The project's models by unique id."""
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == PROJECT_NAME
    }


def _path(manifest: Manifest, unique_id: str) -> str:
    """The file of a model or seed (a source: its YAML), relative to the project."""
    entry = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id)
    return str(entry["original_file_path"]) if entry else ""


def _parents(node: dict[str, Any]) -> list[str]:
    """The models, seeds and sources a model reads (macros are not parents)."""
    return [
        parent
        for parent in node["depends_on"]["nodes"]
        if parent.split(".")[0] in ("model", "seed", "source", "snapshot")
    ]


def _in(manifest: Manifest, unique_id: str, folder: str) -> bool:
    return unique_id.startswith("model.") and _path(manifest, unique_id).startswith(
        folder
    )


def test_the_checks_see_the_project(manifest: Manifest) -> None:
    models = _models(manifest)
    staging = [
        m for m in models.values() if m["original_file_path"].startswith(STAGING)
    ]
    marts = [m for m in models.values() if m["original_file_path"].startswith(MARTS)]
    assert len(staging) >= 10, "expected one staging view per raw table"
    assert marts, "expected marts"
    assert any(_parents(node) for node in models.values())


def test_only_staging_reads_sources(manifest: Manifest) -> None:
    offenders = [
        f"{node['original_file_path']} reads {parent}"
        for node in _models(manifest).values()
        if not node["original_file_path"].startswith(STAGING)
        for parent in _parents(node)
        if parent.startswith("source.")
    ]
    assert not offenders, "source() outside models/staging:\n" + "\n".join(offenders)


def test_staging_reads_only_sources(manifest: Manifest) -> None:
    offenders = [
        f"{node['original_file_path']} reads {parent}"
        for node in _models(manifest).values()
        if node["original_file_path"].startswith(STAGING)
        for parent in _parents(node)
        if not parent.startswith("source.")
    ]
    assert not offenders, "staging models read more than sources:\n" + "\n".join(
        offenders
    )


def test_no_staging_to_staging_edges(manifest: Manifest) -> None:
    offenders = [
        f"{node['original_file_path']} reads {parent}"
        for node in _models(manifest).values()
        if node["original_file_path"].startswith(STAGING)
        for parent in _parents(node)
        if _in(manifest, parent, STAGING)
    ]
    assert not offenders, "staging on staging:\n" + "\n".join(offenders)


def test_marts_never_read_staging(manifest: Manifest) -> None:
    offenders = [
        f"{node['original_file_path']} reads {parent}"
        for node in _models(manifest).values()
        if node["original_file_path"].startswith(MARTS)
        for parent in _parents(node)
        if _in(manifest, parent, STAGING)
    ]
    assert not offenders, "marts on staging:\n" + "\n".join(offenders)


def test_no_model_has_more_than_max_parents(manifest: Manifest) -> None:
    offenders = [
        f"{node['original_file_path']}: {len(set(_parents(node)))} parents"
        for node in _models(manifest).values()
        if len(set(_parents(node))) > MAX_PARENTS
    ]
    assert not offenders, f"more than {MAX_PARENTS} parents:\n" + "\n".join(offenders)


def test_the_model_folders_exist() -> None:
    for folder in (STAGING, "models/intermediate/", MARTS):
        assert Path(PROJECT_ROOT / folder).is_dir(), folder


# What the landing's reviews of findings may reach: the quality models (the
# screening and ledgers of every landing file, and the review queue). Nothing
# that counts usage, cost or emissions.
REVIEW_READERS = (
    STAGING,
    "models/intermediate/screening/",
    "models/intermediate/quality/",
    "models/marts/quality/",
)


def _descendants(manifest: Manifest, roots: set[str]) -> set[str]:
    """Every model reading, directly or not, one of ``roots``."""
    children: dict[str, set[str]] = {}
    for unique_id, node in _models(manifest).items():
        for parent in _parents(node):
            children.setdefault(parent, set()).add(unique_id)
    found: set[str] = set()
    todo = list(roots)
    while todo:
        for child in children.get(todo.pop(), set()) - found:
            found.add(child)
            todo.append(child)
    return found


def test_reviews_of_findings_change_no_counted_figure(manifest: Manifest) -> None:
    """A review marks a finding handled; it never reaches a counted figure."""
    reviews = {
        unique_id
        for unique_id, source in manifest["sources"].items()
        if source["name"] == "finding_reviews"
    }
    assert reviews, "expected the finding_reviews source"
    reached = _descendants(manifest, reviews)
    paths = {_path(manifest, unique_id) for unique_id in reached}
    assert "models/marts/quality/dq_findings.sql" in paths
    offenders = sorted(p for p in paths if not p.startswith(REVIEW_READERS))
    assert not offenders, "reviews reach:\n" + "\n".join(offenders)
    readers = _descendants(manifest, {"model.utility_warehouse.dq_findings"})
    assert {_path(manifest, r) for r in readers} <= {
        "models/marts/quality/dq_stale_reviews.sql"
    }, readers
