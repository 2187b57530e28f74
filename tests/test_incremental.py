"""Incremental runs give exactly the warehouse of a full rebuild.

A generated landing folder is built without its last month; then, step by
step, the folder changes the way a nightly re-export does and each step runs
incrementally on the warehouse of the step before. After every step the
incremental warehouse is compared, table by table and row by row, with a full
rebuild of the same folder (every mart and every intermediate table):

1. new bills (the last month), a late revision of an old bill, changed,
   removed and added usage rows and line items;
2. a meter untracked, another flagged duplicated, a third moved to another
   site; an account's status changed and another linked to an active account;
   a site given a stop date;
3. a stop date, a new as-of date that archives that site, and a changed
   unit factor seed.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, VENV_PYTHON, isolated_dbt_env
from utility_warehouse.generate import generate

pytestmark = pytest.mark.e2e

MODELS_ONLY = ("--select", "resource_type:seed", "resource_type:model")
MODELS_ONLY_ENV = {"DBT_INDIRECT_SELECTION": "empty"}
Table = list[dict[str, str]]


def _month_of(text: str) -> str:
    """YYYY-MM of a landing date (YYYY-MM-DD, MM/DD/YYYY or an ISO timestamp)."""
    text = text.strip()
    if "/" in text:
        month, _, year = text.split("/")
        return f"{year}-{int(month):02d}"
    return text[:7]


def _read(raw_dir: Path, entity: str) -> Table:
    with (raw_dir / f"{entity}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(raw_dir: Path, entity: str, rows: Table, columns: list[str]) -> None:
    with (raw_dir / f"{entity}.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _columns(raw_dir: Path, entity: str) -> list[str]:
    with (raw_dir / f"{entity}.csv").open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def _edit(raw_dir: Path, entity: str, change: Any) -> None:
    """Rewrite ``entity``'s CSV with ``change(rows) -> rows``."""
    columns = _columns(raw_dir, entity)
    _write(raw_dir, entity, change(_read(raw_dir, entity)), columns)


def _run(
    project: Path,
    raw_dir: Path,
    database: Path,
    as_of: str,
    env: dict[str, str],
) -> None:
    completed = subprocess.run(
        [
            str(VENV_PYTHON),
            str(project / "scripts" / "pipeline.py"),
            "run",
            "--raw-dir",
            str(raw_dir),
            "--database",
            str(database),
            "--as-of",
            as_of,
            *MODELS_ONLY,
        ],
        cwd=project,
        env={**os.environ, **env, **MODELS_ONLY_ENV},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]


def _snapshot(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'intermediate') "
            "and table_type = 'BASE TABLE' and table_name != 'run_metadata' "
            "order by 1"
        ).fetchall()
        return {
            name: sorted(con.execute(f"select * from {name}").fetchall(), key=repr)
            for (name,) in tables
        }
    finally:
        con.close()


# The natural keys by which a test recognizes the same finding in two builds.
_FINDING_KEYS = {
    "period": ("meter_id", "document_id"),
    "duplicate_bill": ("document_id",),
    "unattributed_bill": ("document_id",),
    "duplicate_meter": ("meter_id", "detail"),
    "not_energy_star_ready": ("site_id", "commodity"),
}
_PERIOD_KINDS = ("gap", "overlap", "short_period", "long_period", "future_period")


def _finding_ids(database: Path) -> dict[tuple[Any, ...], str]:
    """dq_findings' ids by kind and natural keys, for the kinds above."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            "select finding_id, kind, meter_id, document_id, site_id, commodity, "
            "detail from marts.dq_findings"
        ).fetchall()
    finally:
        con.close()
    found: dict[tuple[Any, ...], str] = {}
    for finding_id, kind, meter, document, site, commodity, detail in rows:
        values = {
            "meter_id": meter,
            "document_id": document,
            "site_id": site,
            "commodity": commodity,
            "detail": detail,
        }
        group = "period" if kind in _PERIOD_KINDS else kind
        if group in _FINDING_KEYS:
            key = (kind, *(values[column] for column in _FINDING_KEYS[group]))
            assert key not in found, f"two findings {key}"
            found[key] = finding_id
    return found


def _query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _review(raw_dir: Path, finding_ids: list[str], status: str, note: str) -> None:
    """``pipeline.py review``, as an analyst runs it between two builds."""
    completed = subprocess.run(
        [
            str(VENV_PYTHON),
            str(PROJECT_ROOT / "scripts" / "pipeline.py"),
            "review",
            *finding_ids,
            "--status",
            status,
            "--note",
            note,
            "--by",
            "analyst",
            "--landing",
            str(raw_dir),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _assert_same(incremental: Path, full: Path) -> None:
    found = _snapshot(incremental)
    expected = _snapshot(full)
    assert list(found) == list(expected)
    for table, rows in expected.items():
        extra = set(found[table]) - set(rows)
        missing = set(rows) - set(found[table])
        assert not extra and not missing, (
            f"{table}: {len(extra)} rows only incremental, {len(missing)} only "
            f"full; e.g. {sorted(extra, key=repr)[:2]} / "
            f"{sorted(missing, key=repr)[:2]}"
        )
        assert found[table] == rows, table


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("incremental")
    generate(
        base / "full",
        companies=2,
        sites=3,
        months=6,
        seed=11,
        file_format="csv",
        messy_names=False,
    )
    yield base


def test_incremental_runs_equal_full_rebuilds(workdir: Path) -> None:
    env = isolated_dbt_env(workdir)
    raw = workdir / "raw"
    shutil.copytree(workdir / "full", raw)
    incremental = workdir / "incremental.duckdb"

    # The base: the folder without its last month.
    documents = _read(raw, "documents")
    # The months the generator bills (planted odd dates aside).
    counts = Counter(_month_of(r["start_date"]) for r in documents if r["start_date"])
    months = sorted(month for month, count in counts.items() if count >= 5)
    last = months[-1]
    dropped = {row["id"] for row in documents if _month_of(row["start_date"]) == last}
    _edit(raw, "documents", lambda rows: [r for r in rows if r["id"] not in dropped])
    for entity in ("usage_data", "line_items"):
        _edit(
            raw,
            entity,
            lambda rows: [r for r in rows if r["document_id"] not in dropped],
        )
    _run(PROJECT_ROOT, raw, incremental, "2026-11-01", env)
    base_findings = _finding_ids(incremental)

    def step(name: str, as_of: str, project: Path = PROJECT_ROOT) -> None:
        _run(project, raw, incremental, as_of, env)
        full = workdir / f"full-{name}.duckdb"
        _run(project, raw, full, as_of, env)
        _assert_same(incremental, full)

    # 1. The last month arrives; an old bill is revised; rows change.
    shutil.copy(workdir / "full" / "documents.csv", raw / "documents.csv")
    for entity in ("usage_data", "line_items"):
        shutil.copy(workdir / "full" / f"{entity}.csv", raw / f"{entity}.csv")
    documents = _read(raw, "documents")
    usage = _read(raw, "usage_data")
    billed = {row["document_id"] for row in usage}
    old = next(
        row
        for row in documents
        if row["id"] in billed
        and not row["revised_document_id"]
        and _month_of(row["start_date"]) == months[1]
    )
    revision = {**old, "id": "D-REVISION-1", "current_charges": "123.45"}

    def revise(rows: Table) -> Table:
        for row in rows:
            if row["id"] == old["id"]:
                row["revised_document_id"] = revision["id"]
        return [*rows, revision]

    _edit(raw, "documents", revise)
    old_rows = [row for row in usage if row["document_id"] == old["id"]]

    def change_usage(rows: Table) -> Table:
        kept = [r for r in rows if r["id"] != rows[5]["id"]]  # one row removed
        kept[10] = {**kept[10], "raw_usage": "4321", "standard_usage": ""}
        added = [
            {**r, "id": f"U-REV-{i}", "document_id": revision["id"]}
            for i, r in enumerate(old_rows)
        ]
        return [*kept, *added]

    _edit(raw, "usage_data", change_usage)
    _edit(
        raw,
        "line_items",
        lambda rows: [{**rows[0], "amount": "999.99"}, *rows[2:]],
    )
    # Reviews written with the review command between the two builds: the
    # next run applies them (a reopened finding is OPEN again; a review
    # naming no current finding is kept in dq_stale_reviews).
    reviewed = sorted(
        finding_id
        for key, finding_id in base_findings.items()
        if key[0] == "duplicate_meter"
    )[:2]
    assert len(reviewed) == 2, base_findings
    _review(raw, [reviewed[0]], "resolved", "same meter, merged")
    _review(raw, [reviewed[1], "0123456789abcdef"], "dismissed", "two meters")
    _review(raw, [reviewed[1]], "open", "reopened: the bills disagree")
    step("bills", "2026-11-01")
    statuses = _query(
        incremental,
        "select finding_id, status, review_note from marts.dq_findings "
        "where status != 'OPEN' or review_note is not null",
    )
    assert sorted(statuses) == sorted(
        [
            (reviewed[0], "RESOLVED", "same meter, merged"),
            (reviewed[1], "OPEN", "reopened: the bills disagree"),
        ]
    )
    assert _query(
        incremental, "select finding_id, status from marts.dq_stale_reviews"
    ) == [("0123456789abcdef", "DISMISSED")]

    # The same finding keeps its id when a month of bills arrives: ids come
    # from kinds and natural keys, never from row numbers or moving figures.
    later_findings = _finding_ids(incremental)
    kept = base_findings.keys() & later_findings.keys()
    assert {key[0] for key in kept} >= {"duplicate_meter", "unattributed_bill"}, kept
    assert len(kept) >= len(base_findings) // 2, (base_findings, later_findings)
    renamed = {key for key in kept if base_findings[key] != later_findings[key]}
    assert not renamed, sorted(renamed)[:5]

    # 2. Meters, accounts and sites change. Each change is chosen on bills no
    # other change touches, so that a fingerprint missing any one of them
    # leaves stale rows that the comparison finds.
    meters = _read(raw, "meters")
    usage = _read(raw, "usage_data")
    documents = _read(raw, "documents")
    docs_of_meter: dict[str, set[str]] = {}
    for row in [*usage, *_read(raw, "line_items")]:
        if row["meter_id"]:
            docs_of_meter.setdefault(row["meter_id"], set()).add(row["document_id"])
    docs_of_account: dict[str, set[str]] = {}
    for row in documents:
        docs_of_account.setdefault(row["account_id"], set()).add(row["id"])
    docs_of_site: dict[str, set[str]] = {}
    for meter in meters:
        if meter["site_id"]:
            docs_of_site.setdefault(meter["site_id"], set()).update(
                docs_of_meter.get(meter["id"], set())
            )
    used: set[str] = set()

    def pick(candidates: list[str], docs_of: dict[str, set[str]]) -> str:
        for candidate in candidates:
            docs = docs_of.get(candidate, set())
            if docs and not docs & used:
                used.update(docs)
                return candidate
        raise AssertionError("no candidate on bills of its own")

    sited = [m["id"] for m in meters if m["site_id"] and m["id"] in docs_of_meter]
    untracked = pick(sited, docs_of_meter)
    duplicated = pick(sited, docs_of_meter)
    moved = pick(sited, docs_of_meter)
    site_of = {m["id"]: m["site_id"] for m in meters}
    other_site = next(site for site in docs_of_site if site != site_of[moved])
    unlinked = [
        a["id"]
        for a in _read(raw, "accounts")
        if a["id"].strip() and not a["active_account_id"]
    ]
    inactive = pick(unlinked, docs_of_account)
    linked = pick(unlinked, docs_of_account)
    target = next(a for a in unlinked if a not in {inactive, linked})
    stopped = pick(list(docs_of_site), docs_of_site)

    def change_meters(rows: Table) -> Table:
        for row in rows:
            if row["id"] == untracked:
                row["is_tracked"] = "false"
            elif row["id"] == duplicated:
                row["is_duplicated"] = "true"
            elif row["id"] == moved:
                row["site_id"] = other_site
        return rows

    def change_accounts(rows: Table) -> Table:
        for row in rows:
            if row["id"] == inactive:
                row["status"] = "INACTIVE"
            elif row["id"] == linked:
                row["active_account_id"] = target
        return rows

    _edit(raw, "meters", change_meters)
    _edit(raw, "accounts", change_accounts)
    _edit(
        raw,
        "sites",
        lambda rows: [
            {**r, "data_collection_stop_date": "2026-07-15"}
            if r["id"] == stopped
            else r
            for r in rows
        ],
    )
    step("dimensions", "2026-11-01")

    # 3. A site gets a stop date after the as-of date; a later as-of date then
    # archives it; a unit factor changes (in a copy of the project).
    later_stop = pick(list(docs_of_site), docs_of_site)
    _edit(
        raw,
        "sites",
        lambda rows: [
            {**r, "data_collection_stop_date": "2026-08-20"}
            if r["id"] == later_stop
            else r
            for r in rows
        ],
    )
    step("stop-date", "2026-08-01")  # not archived yet
    step("as-of", "2026-11-01")  # archived: bills after Aug 20 leave
    project = workdir / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(PROJECT_ROOT / name, project / name)
    for name in ("models", "macros", "seeds", "data-tests", "scripts"):
        shutil.copytree(
            PROJECT_ROOT / name,
            project / name,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    factors = (project / "seeds" / "unit_factors.csv").read_text(encoding="utf-8")
    changed = factors.replace("GAS,therm,29.3071,", "GAS,therm,29.4,")
    assert changed != factors
    (project / "seeds" / "unit_factors.csv").write_text(changed, encoding="utf-8")
    step("unit-factor", "2026-11-01", project)
