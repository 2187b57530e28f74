"""The project's docs: the dbt docs describe everything, the docs site has no dead link.

``dbt parse`` writes the manifest into a temporary target folder; the tests list
every model, seed, snapshot, analysis and singular test of the project (and
their columns), every source (and its columns), every macro of the project and
every exposure, semantic model and metric without a description, so that
``dbt docs`` (``make docs``) documents the whole warehouse.

The pages in ``docs/`` are built with ``mkdocs build --strict`` into a temporary
folder (a dead link or anchor fails the build); every link of ``README.md`` into
``docs/`` must resolve; and every model, test, file and landing column the pages
name must exist, so that the pages follow the code.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown.extensions.toc import slugify

from conftest import PROJECT_ROOT
from utility_warehouse import contract

DBT = PROJECT_ROOT / ".venv" / "bin" / "dbt"
MKDOCS = PROJECT_ROOT / ".venv" / "bin" / "mkdocs"
DOCS_DIR = PROJECT_ROOT / "docs"
README = PROJECT_ROOT / "README.md"
CONTRIBUTING = PROJECT_ROOT / "CONTRIBUTING.md"
# Files the pages may name that a build writes (git-ignored).
GENERATED_FILES = frozenset({"docs/warehouse-docs.html"})
PROJECT_NAME = "utility_warehouse"
DESCRIBED_NODE_TYPES = frozenset({"model", "seed", "snapshot", "analysis", "test"})
EXPORT_EXPOSURE = "marts_export"

Manifest = dict[str, Any]

# The tests that read the manifest wait for a dbt parse of the whole project
# (half a minute): make test runs them, make test-fast leaves them out.
parses_the_project = pytest.mark.e2e


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


@parses_the_project
def test_every_resource_and_column_is_described(manifest: Manifest) -> None:
    missing = undescribed(manifest)
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)


@parses_the_project
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


@parses_the_project
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


@parses_the_project
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


@pytest.mark.e2e  # compiles every node of the project: about a minute
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


# --- The docs site (docs/, mkdocs.yml) and README.md ----------------------------

MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*```")
# Code spans that name a dbt node by the project's prefixes (dim_meters.site_id
# names a column of one: the part before the dot is checked).
NODE_NAME = re.compile(r"^(stg|int|fct|dim|rpt|dq|sem)_[a-z0-9_]+$")
REPO_PATH = re.compile(
    r"^(models|macros|seeds|data-tests|analyses|scripts|tests|docs|demo|\.ci)/\S*$"
)
# "- **Implemented in:** ..." and "- **Checked by:** ..." items of the pages.
RULE_ITEM = re.compile(r"^- \*\*(Implemented in|Checked by):\*\*")
DBT_GENERIC_TESTS = frozenset(
    {"unique", "not_null", "relationships", "accepted_values"}
)


def _pages() -> list[Path]:
    return sorted(DOCS_DIR.glob("*.md"))


def _prose_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The file's lines outside fenced code blocks, numbered from 1."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def _anchors(path: Path) -> set[str]:
    """The heading anchors of a Markdown page, as MkDocs and GitHub make them."""
    return {
        slugify(re.sub(r"[`*]", "", match.group(1)), "-")
        for _, line in _prose_lines(path)
        if (match := HEADING.match(line))
    }


def _mkdocs_build(site_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(MKDOCS),
            "build",
            "--strict",
            "--config-file",
            str(PROJECT_ROOT / "mkdocs.yml"),
            "--site-dir",
            str(site_dir),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_docs_site_builds_strictly_and_fetches_nothing(tmp_path: Path) -> None:
    """``mkdocs build --strict`` fails on a dead link, a missing anchor or a page
    left out of the nav; the site must open offline (no web font, no CDN)."""
    site = tmp_path / "site"
    completed = _mkdocs_build(site)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    config = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav_pages = {next(iter(entry.values())) for entry in config["nav"]}
    assert nav_pages == {page.name for page in _pages()}
    for page in _pages():
        html = (site / page.with_suffix(".html").name).read_text(encoding="utf-8")
        external = re.findall(
            r"<(?:script|link|img|iframe)[^>]+(?:src|href)=[\"']?https?:", html
        )
        assert not external, (page.name, external)
    assert config["theme"]["font"] is False


def _broken_links(path: Path) -> Iterator[str]:
    """Links of a Markdown file at the project root to no file or no heading."""
    for link in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", link):
            continue  # a URL: not the project's to check
        target, _, anchor = link.partition("#")
        linked = PROJECT_ROOT / target
        if not linked.exists():
            yield f"{path.name}: {link}: no such file"
        elif anchor and anchor not in _anchors(linked):
            yield f"{path.name}: {link}: no heading #{anchor} in {target}"


def test_every_readme_link_into_docs_resolves() -> None:
    links = MARKDOWN_LINK.findall(README.read_text(encoding="utf-8"))
    into_docs = [link for link in links if link.startswith("docs/")]
    assert into_docs, "README.md links to no page of docs/"
    broken = [*_broken_links(README), *_broken_links(CONTRIBUTING)]
    assert not broken, "\n".join(broken)
    linked_pages = {link.partition("#")[0] for link in into_docs}
    unlinked = sorted(
        f"docs/{page.name}"
        for page in _pages()
        if f"docs/{page.name}" not in linked_pages and page.name != "index.md"
    )
    assert not unlinked, f"pages README.md does not point to: {unlinked}"


def _known_names(manifest: Manifest) -> dict[str, set[str]]:
    """The project's models, seeds, tests and macros by kind, as the pages name them."""
    names: dict[str, set[str]] = {
        "model": set(),
        "seed": set(),
        "test": set(),
        "unit_test": set(),
        "macro": set(),
    }
    for node in manifest["nodes"].values():
        if node["package_name"] == PROJECT_NAME and node["resource_type"] in names:
            names[node["resource_type"]].add(node["name"])
    for entry in manifest["unit_tests"].values():
        if entry["package_name"] == PROJECT_NAME:
            names["unit_test"].add(entry["name"])
    for macro in manifest["macros"].values():
        if macro["package_name"] == PROJECT_NAME:
            names["macro"].add(macro["name"])
            if macro["name"].startswith("test_"):
                names["test"].add(macro["name"].removeprefix("test_"))
    names["test"] |= DBT_GENERIC_TESTS
    return names


def _path_problem(span: str) -> str | None:
    """Why a code span naming a file of the project is wrong (None: it is right)."""
    target, _, test_name = span.partition("::")
    if target in GENERATED_FILES or "<" in target:
        return None  # a file a build writes, or a pattern (models/marts/<area>/)
    if "*" in target:
        found = any(PROJECT_ROOT.glob(target))
        return None if found else "no file matches"
    path = PROJECT_ROOT / target
    if not path.exists():
        return "no such file or folder"
    if test_name and not re.search(
        rf"^def {re.escape(test_name)}\(",
        path.read_text(encoding="utf-8"),
        re.MULTILINE,
    ):
        return f"{target} has no test {test_name}"
    return None


def _rule_items(path: Path) -> Iterator[tuple[int, str]]:
    """The "Implemented in" and "Checked by" items, continuation lines joined."""
    item: tuple[int, list[str]] | None = None
    for number, line in _prose_lines(path):
        if RULE_ITEM.match(line):
            if item:
                yield item[0], " ".join(item[1])
            item = (number, [line])
        elif item and line.startswith("  ") and line.strip():
            item[1].append(line.strip())
        elif item:
            yield item[0], " ".join(item[1])
            item = None
    if item:
        yield item[0], " ".join(item[1])


def _data_test_cells(path: Path) -> Iterator[tuple[int, str]]:
    """The cells of a table column headed "data test"."""
    column: int | None = None
    for number, line in _prose_lines(path):
        if not line.startswith("|"):
            column = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if "data test" in cells:
            column = cells.index("data test")
        elif column is not None and len(cells) > column:
            yield number, cells[column]


def _unknown_names(path: Path, manifest: Manifest) -> Iterable[str]:
    known = _known_names(manifest)
    every_name = set().union(*known.values())
    dbt_vars = set(
        yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())["vars"]
    )
    where = (
        path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    )
    for number, line in _prose_lines(path):
        for span in CODE_SPAN.findall(line):
            if REPO_PATH.match(span) and (problem := _path_problem(span)):
                yield f"{where}:{number}: `{span}`: {problem}"
            for part in span.split("."):
                if (
                    NODE_NAME.match(part)
                    and part not in every_name
                    and part not in dbt_vars
                ):
                    yield f"{where}:{number}: `{span}`: no model or test {part}"
    for number, text in [*_rule_items(path), *_data_test_cells(path)]:
        for span in CODE_SPAN.findall(text):
            is_path = REPO_PATH.match(span) and not _path_problem(span)
            if not (is_path or span in every_name):
                yield f"{where}:{number}: `{span}`: no model, seed, test or macro"


@parses_the_project
def test_the_pages_name_only_models_tests_and_files_that_exist(
    manifest: Manifest,
) -> None:
    """A renamed model, test or file fails here, naming the page and line."""
    unknown = [
        problem
        for path in [README, CONTRIBUTING, *_pages()]
        for problem in _unknown_names(path, manifest)
    ]
    assert not unknown, "\n".join(unknown)


@parses_the_project
def test_every_mart_is_on_the_marts_page(manifest: Manifest) -> None:
    """docs/marts.md is the list of what BI tools read: every model of schema
    marts is on it."""
    marts = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["package_name"] == PROJECT_NAME
        and node["resource_type"] == "model"
        and node["config"].get("schema") == "marts"
    }
    page = (DOCS_DIR / "marts.md").read_text(encoding="utf-8")
    named = set(CODE_SPAN.findall(page))
    assert len(marts) > 20
    assert not sorted(marts - named), (
        f"marts not on docs/marts.md: {sorted(marts - named)}"
    )


@parses_the_project
def test_the_name_check_catches_made_up_names(
    manifest: Manifest, tmp_path: Path
) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "- **Implemented in:** `int_no_such_model`, `int_bill_costs_allocated`,\n"
        "  `models/no/such.sql`\n"
        "- **Checked by:** `no_such_rule_test`,\n"
        "  `cost_direct_line_item_goes_to_its_meter`,\n"
        "  `tests/test_docs.py::test_no_such_thing`, `usage_rows_accounted_for`\n"
        "\n"
        "| gate | data test |\n"
        "|---|---|\n"
        "| grain | `unique_combination`, `no_such_gate` |\n"
        "\n"
        "Prose naming `fct_no_such_mart.usage` and `dq_min_period_days`.\n",
        encoding="utf-8",
    )
    problems = [p.split(": ", 1)[1] for p in _unknown_names(page, manifest)]
    assert sorted(problems) == sorted(
        [
            "`int_no_such_model`: no model or test int_no_such_model",
            "`int_no_such_model`: no model, seed, test or macro",
            "`models/no/such.sql`: no such file or folder",
            "`models/no/such.sql`: no model, seed, test or macro",
            "`no_such_rule_test`: no model, seed, test or macro",
            "`tests/test_docs.py::test_no_such_thing`: "
            "tests/test_docs.py has no test test_no_such_thing",
            "`tests/test_docs.py::test_no_such_thing`: no model, seed, test or macro",
            "`no_such_gate`: no model, seed, test or macro",
            "`fct_no_such_mart.usage`: no model or test fct_no_such_mart",
        ]
    )


def _landing_tables(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Per entity heading of the landing page: (column, "column" cell) pairs."""
    tables: dict[str, list[tuple[str, str]]] = {}
    entity: str | None = None
    for _, line in _prose_lines(path):
        if line.startswith("### "):
            words = line[4:].split()
            entity = words[0] if words and words[0] in contract.ENTITY_BY_NAME else None
        elif entity and line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            for column in CODE_SPAN.findall(cells[0]):
                tables.setdefault(entity, []).append((column, cells[1]))
    return tables


def test_the_landing_page_lists_every_contract_column() -> None:
    """docs/landing.md has one table per entity of the loader's contract, with
    exactly its columns, and says which columns a file must carry ("required"),
    which it may leave out ("may be absent") and which stand in for each other
    ("one of ...")."""
    tables = _landing_tables(DOCS_DIR / "landing.md")
    assert set(tables) == set(contract.ENTITY_BY_NAME)
    wrong: list[str] = []
    for entity in contract.ENTITIES:
        documented = dict(tables[entity.name])
        assert list(documented) == list(entity.columns), entity.name
        alternatives = {
            column for group in getattr(entity, "one_of", ()) for column in group
        }
        may_be_absent = set(entity.optional_columns) - set(
            contract.COMMON_OPTIONAL_COLUMNS
        )
        for column, cell in documented.items():
            if column in alternatives:
                expected = "one of"
            elif column in may_be_absent:
                expected = "may be absent"
            else:
                expected = "required"
            if not cell.startswith(expected):
                wrong.append(f"{entity.name}.{column}: says {cell!r}, not {expected!r}")
    assert not wrong, "docs/landing.md:\n" + "\n".join(wrong)
