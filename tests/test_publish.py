"""``pipeline.py run --publish``: atomic publishing, the volume gate, readers.

The end-to-end tests publish a tiny two-company landing folder once (module
fixture) and give each test its own copy of the published file; the runs build
only what the tests read (the portfolio and company marts, and the error gate
``required_entities_have_clean_rows``), which keeps each run to seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import (
    MINIMAL_LANDING,
    PIPELINE,
    PROJECT_ROOT,
    VENV_PYTHON,
    held_for_writing,
    isolated_dbt_env,
    run_pipeline,
    write_landing,
)
from utility_warehouse import cli, metadata, publish
from utility_warehouse.lock import WarehouseLock, lock_path

PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
AS_OF = "2026-11-01"  # MINIMAL_LANDING bills in 2026
# What the tests read, and the error gate a fully quarantined entity fails.
SELECT = (
    "--select",
    "+fct_portfolio_monthly",
    "+dim_companies",
    "+required_entities_have_clean_rows",
)
WAREHOUSE = "w.duckdb"

Landing = dict[str, list[dict[str, Any]]]


# --- landing folders ------------------------------------------------------------------


def two_companies() -> Landing:
    """MINIMAL_LANDING (c1, 1,000 kWh, USD 120.50) plus a second company c2 with
    its own site, account, meter and bill (2,000 kWh, USD 300.00)."""
    landing: Landing = {
        entity: [dict(row) for row in rows] for entity, rows in MINIMAL_LANDING.items()
    }
    second = {
        "companies": {"id": "c2", "name": "Beta"},
        "sites": {"id": "s2", "company_id": "c2", "name": "Plant"},
        "accounts": {"id": "a2", "company_id": "c2", "account_number": "ACC-2"},
        "meters": {"id": "m2", "company_id": "c2", "account_id": "a2", "site_id": "s2"},
        "meter_identifiers": {"meter_id": "m2", "value": "E-200"},
        "documents": {"id": "d2", "account_id": "a2", "total_charges": "300.00"},
        "usage_data": {
            "id": "u2",
            "document_id": "d2",
            "meter_id": "m2",
            "raw_usage": "2000",
        },
    }
    for entity, changes in second.items():
        row = {**landing[entity][0], **changes}
        if entity == "documents":
            row["current_charges"] = row["total_charges"]
        landing[entity].append(row)
    return landing


def with_usage(landing: Landing, usage_id: str, raw_usage: str) -> Landing:
    for row in landing["usage_data"]:
        if row["id"] == usage_id:
            row["raw_usage"] = raw_usage
    return landing


def without_company(landing: Landing, company_id: str) -> Landing:
    """Drop a company and everything that hangs from it."""
    sites = {r["id"] for r in landing["sites"] if r["company_id"] == company_id}
    accounts = {r["id"] for r in landing["accounts"] if r["company_id"] == company_id}
    meters = {r["id"] for r in landing["meters"] if r["company_id"] == company_id}
    documents = {r["id"] for r in landing["documents"] if r["account_id"] in accounts}
    dropped = {
        "companies": ("id", {company_id}),
        "sites": ("id", sites),
        "accounts": ("id", accounts),
        "meters": ("id", meters),
        "meter_identifiers": ("meter_id", meters),
        "documents": ("id", documents),
        "usage_data": ("document_id", documents),
    }
    return {
        entity: [
            row for row in rows if row[dropped[entity][0]] not in dropped[entity][1]
        ]
        for entity, rows in landing.items()
    }


def every_meter_quarantined(landing: Landing) -> Landing:
    """An unknown commodity quarantines every meter: the error gate
    ``required_entities_have_clean_rows`` fails."""
    landing["meters"] = [
        {**row, "datasource_type": "NUCLEAR"} for row in landing["meters"]
    ]
    return landing


# --- helpers --------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


PORTFOLIO_SQL = (
    "select company_id, commodity, strftime(month, '%Y-%m'), "
    "cast(usage as varchar), cast(cost as varchar), currency "
    "from marts.fct_portfolio_monthly order by all"
)


def portfolio(database: Path) -> list[list[str]]:
    """What a reader sees: the portfolio months, as JSON-able text."""
    with duckdb.connect(str(database), read_only=True) as con:
        return [
            [str(value) for value in row]
            for row in con.execute(PORTFOLIO_SQL).fetchall()
        ]


def run_rows(database: Path) -> list[dict[str, Any]]:
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute("select * from marts.run_metadata order by ended_at")
        names = [item[0] for item in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def build_files(directory: Path) -> list[str]:
    """Everything in ``directory`` but the published file and its previous."""
    return sorted(
        p.name
        for p in directory.iterdir()
        if p.name not in (WAREHOUSE, WAREHOUSE + publish.PREVIOUS_SUFFIX)
    )


def summary_of(stdout: str) -> str:
    return stdout[stdout.rindex("== summary") :]


@pytest.fixture(scope="module")
def dbt_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One dbt target folder for the module's runs (partial parsing), no tests
    but the selected error gate."""
    return {
        **isolated_dbt_env(tmp_path_factory.mktemp("dbt")),
        "DBT_INDIRECT_SELECTION": "empty",
    }


def publish_run(
    raw_dir: Path,
    target: Path,
    env: Mapping[str, str],
    *extra: str,
) -> subprocess.CompletedProcess[str]:
    return run_pipeline(
        "run",
        "--raw-dir",
        str(raw_dir),
        "--publish",
        str(target),
        "--as-of",
        AS_OF,
        *SELECT,
        *extra,
        env=env,
    )


def output(completed: subprocess.CompletedProcess[str]) -> str:
    return (completed.stdout + completed.stderr)[-8000:]


@pytest.fixture(scope="module")
def first_publish(
    tmp_path_factory: pytest.TempPathFactory, dbt_env: dict[str, str]
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    base = tmp_path_factory.mktemp("published")
    raw_dir = write_landing(base / "raw", two_companies())
    target = base / "site" / WAREHOUSE
    return target, publish_run(raw_dir, target, dbt_env)


@pytest.fixture
def published(
    tmp_path: Path, first_publish: tuple[Path, subprocess.CompletedProcess[str]]
) -> Path:
    """This test's own copy of the first publish (same file name, same catalog)."""
    source, completed = first_publish
    assert completed.returncode == 0, output(completed)
    target = tmp_path / "site" / WAREHOUSE
    target.parent.mkdir()
    shutil.copyfile(source, target)
    return target


# --- a reader that never stops reading ----------------------------------------------

READER = """
import json, sys, time
from pathlib import Path
import duckdb
database, stop, sql = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
while not stop.exists():
    try:
        con = duckdb.connect(database, read_only=True)
        try:
            rows = [[str(v) for v in row] for row in con.execute(sql).fetchall()]
        finally:
            con.close()
        line = {"rows": rows}
    except Exception as error:
        line = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(line), flush=True)
    time.sleep(0.005)
"""


class Reader:
    """A process opening the published file read-only again and again."""

    def __init__(self, database: Path, workdir: Path) -> None:
        self.stop_file = workdir / "reader.stop"
        self.log = workdir / "reader.jsonl"
        self._out = self.log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [PYTHON, "-c", READER, str(database), str(self.stop_file), PORTFOLIO_SQL],
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def lines(self) -> list[dict[str, Any]]:
        text = self.log.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def wait_for(self, rows: list[list[str]], timeout: float = 60) -> None:
        """Until the reader has returned ``rows`` at least once."""
        deadline = time.monotonic() + timeout
        while not any(line.get("rows") == rows for line in self.lines()):
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "the reader never saw the figures"
            time.sleep(0.05)

    def stop(self) -> list[dict[str, Any]]:
        self.stop_file.touch()
        try:
            self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._out.close()
        return self.lines()


@pytest.fixture
def reader_factory(tmp_path: Path) -> Iterator[Any]:
    readers: list[Reader] = []

    def start(database: Path) -> Reader:
        reader = Reader(database, tmp_path)
        readers.append(reader)
        return reader

    yield start
    for reader in readers:
        if reader.process.poll() is None:
            reader.stop()


# --- the command line -----------------------------------------------------------------


def test_help_documents_publishing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--publish PATH", "--accept-changes", "--volume-threshold FRACTION"):
        assert option in out
    assert publish.THRESHOLD_ENV_VAR in out
    assert "PATH.previous" in out and "PATH.failed" in out
    assert "\n  3  busy" in out


@pytest.mark.parametrize(
    ("arguments", "env", "message"),
    [
        (["--database", "w.duckdb", "--publish", "p.duckdb"], {}, "not allowed with"),
        ([], {}, "one of the arguments --database --publish is required"),
        (["--database", "w.duckdb", "--accept-changes"], {}, "only with --publish"),
        (
            ["--database", "w.duckdb", "--volume-threshold", "0.2"],
            {},
            "only with --publish",
        ),
        (["--publish", "p.duckdb", "--volume-threshold", "-1"], {}, "0 or more"),
        (["--publish", "p.duckdb", "--volume-threshold", "half"], {}, "a fraction"),
        (
            ["--publish", "p.duckdb"],
            {publish.THRESHOLD_ENV_VAR: "lots"},
            publish.THRESHOLD_ENV_VAR,
        ),
    ],
)
def test_bad_publish_invocations_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    raw_dir = write_landing(tmp_path / "raw", MINIMAL_LANDING)
    try:
        code = cli.main(["run", "--raw-dir", str(raw_dir), *arguments])
    except SystemExit as error:  # argparse refuses the value itself
        code = int(str(error.code))
    assert code == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


def test_the_threshold_comes_from_the_option_then_the_environment() -> None:
    env_var = publish.THRESHOLD_ENV_VAR
    assert publish.resolve_threshold(None, {}) == Decimal("0.5")
    assert publish.resolve_threshold(None, {env_var: " 0.25 "}) == Decimal("0.25")
    assert publish.resolve_threshold(Decimal("2"), {env_var: "0.25"}) == Decimal("2")
    with pytest.raises(ValueError, match=env_var):
        publish.resolve_threshold(None, {env_var: "nan"})


# --- refusals before anything is built --------------------------------------------


def published_stand_in(directory: Path) -> Path:
    """A published file for runs that stop before dbt: a warehouse of this
    project in name only (its load audit, as the loader leaves it)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / WAREHOUSE
    with duckdb.connect(str(target)) as con:
        con.execute("create table t as select 1 as x")
        con.execute("create schema raw")
        con.execute("create table raw._load_audit (entity varchar)")
    return target


def test_a_second_run_on_a_published_warehouse_is_refused_busy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = published_stand_in(tmp_path / "site")
    before = sha256(target)
    raw_dir = write_landing(tmp_path / "raw", MINIMAL_LANDING)

    with WarehouseLock(target, "pipeline.py run --publish elsewhere"):
        code = cli.main(["run", "--raw-dir", str(raw_dir), "--publish", str(target)])
        # The lock is the published file's: a build-in-place run is refused too.
        in_place = cli.main(
            ["run", "--raw-dir", str(raw_dir), "--database", str(target)]
        )

    assert (code, in_place) == (3, 3)
    err = capsys.readouterr().err
    assert f"the warehouse {target} is busy" in err
    assert "command: pipeline.py run --publish elsewhere" in err
    assert sha256(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == [WAREHOUSE]


def test_a_writer_holding_the_published_file_makes_publish_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = published_stand_in(tmp_path / "site")
    raw_dir = write_landing(tmp_path / "raw", MINIMAL_LANDING)
    with held_for_writing(target) as writer:
        code = cli.main(["run", "--raw-dir", str(raw_dir), "--publish", str(target)])

    assert code == 3
    err = capsys.readouterr().err
    assert f"the warehouse file {target} is in use by another process" in err
    assert f"(PID {writer.pid})" in err
    assert sorted(p.name for p in target.parent.iterdir()) == [WAREHOUSE]


def test_a_landing_folder_that_breaks_the_contract_builds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = published_stand_in(tmp_path / "site")
    before = sha256(target)
    landing = two_companies()
    del landing["meters"]
    raw_dir = write_landing(tmp_path / "raw", landing)

    code = cli.main(["run", "--raw-dir", str(raw_dir), "--publish", str(target)])

    assert code == 2
    captured = capsys.readouterr()
    assert "missing required file: meters" in captured.err
    assert f"publish: nothing built; {target} unchanged" in captured.out
    assert sha256(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == [WAREHOUSE]


def test_a_published_file_with_a_write_ahead_log_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = published_stand_in(tmp_path / "site")
    # Another process wrote to the published file and died before a checkpoint.
    subprocess.run(
        [
            PYTHON,
            "-c",
            "import duckdb, os, sys; con = duckdb.connect(sys.argv[1]); "
            "con.execute('insert into t values (2)'); os._exit(0)",
            str(target),
        ],
        check=True,
    )
    wal = target.with_name(WAREHOUSE + ".wal")
    assert wal.exists()
    before = sha256(target), sha256(wal)
    raw_dir = write_landing(tmp_path / "raw", MINIMAL_LANDING)

    code = cli.main(["run", "--raw-dir", str(raw_dir), "--publish", str(target)])

    assert code == 2
    assert f"has a write-ahead log {wal}" in capsys.readouterr().err
    assert (sha256(target), sha256(wal)) == before
    assert sorted(p.name for p in target.parent.iterdir()) == [WAREHOUSE, wal.name]


def test_an_older_run_ledger_gains_the_publish_columns(tmp_path: Path) -> None:
    old_columns = metadata.COLUMNS[
        : [n for n, _ in metadata.COLUMNS].index("exit_code") + 1
    ]
    record = metadata.RunRecord(
        run_id="r2",
        as_of_date=date(2026, 11, 1),
        started_at=datetime(2026, 11, 1, 2, 0),
        ended_at=datetime(2026, 11, 1, 2, 5),
        raw_dir="/landing",
        landing_files="[]",
        project_version="0.1.0",
        dbt_version="1.11.0",
        gate_status=metadata.GATE_PASSED,
        tests_passed=1,
        tests_warned=0,
        tests_failed=0,
        exit_code=0,
        published_path="/site/w.duckdb",
        publish_status=metadata.PUBLISHED,
        volume_gate_findings='{"findings": []}',
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        columns = ", ".join(f"{name} {kind}" for name, kind in old_columns)
        con.execute("create schema marts")
        con.execute(f"create table marts.run_metadata ({columns})")
        con.execute("insert into marts.run_metadata (run_id) values ('r1')")

        metadata.write_run(con, record)

        rows = con.execute(
            "select run_id, published_path, publish_status, volume_gate_findings "
            "from marts.run_metadata order by run_id"
        ).fetchall()
    assert rows == [
        ("r1", None, None, None),
        ("r2", "/site/w.duckdb", "published", '{"findings": []}'),
    ]


# --- the volume gate on hand-made warehouses ------------------------------------------


def hand_made(path: Path, companies: list[str], months: list[tuple[Any, ...]]) -> Path:
    """A warehouse with just the two marts the volume gate reads."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_companies "
            "(company_id varchar, company_name varchar)"
        )
        con.execute(
            "create table marts.fct_meter_monthly (company_id varchar, "
            "commodity varchar, month date, usage decimal(18, 6), "
            "cost decimal(18, 6), currency varchar)"
        )
        for company in companies:
            con.execute(
                "insert into marts.dim_companies values (?, ?)",
                [company, f"{company} Inc"],
            )
        for row in months:
            con.execute(
                "insert into marts.fct_meter_monthly values (?, ?, ?, ?, ?, ?)", row
            )
    return path


def test_the_volume_gate_finds_moves_beyond_the_threshold_and_lost_companies(
    tmp_path: Path,
) -> None:
    jan, feb = "2026-01-01", "2026-02-01"
    old = hand_made(
        tmp_path / "old.duckdb",
        ["c1", "c2", "c3"],
        [
            ("c1", "ELECTRICITY", jan, 100, 10, "USD"),
            ("c1", "ELECTRICITY", feb, 100, 10, "USD"),  # c1 power: 200 kWh, USD 20
            ("c1", "GAS", jan, 0, 0, "USD"),  # c1 gas: nothing yet
            ("c2", "WATER", jan, 1000, 50, "CAD"),
            ("c2", "WATER", jan, 0, 40, "USD"),
            ("c3", "ELECTRICITY", jan, 5, 1, "USD"),
        ],
    )
    new = hand_made(
        tmp_path / "new.duckdb",
        ["c1", "c2"],  # c3 is gone
        [
            ("c1", "ELECTRICITY", jan, 100, 10, "USD"),
            ("c1", "ELECTRICITY", feb, 200, 10, "USD"),  # 300 kWh: +50%, not beyond
            ("c1", "GAS", jan, 7, 0, "USD"),  # 0 -> 7: a move
            ("c2", "WATER", jan, 1000, 50, "CAD"),
            ("c2", "WATER", jan, 0, 61, "USD"),  # USD 40 -> 61: +52.5%
        ],
    )

    with duckdb.connect(str(new)) as con:
        found = publish.compare_volumes(con, old, Decimal("0.5"))
        lines = [finding.describe() for finding in found]
        assert lines == [
            "company c3 (c3 Inc): in the published marts.dim_companies, "
            "missing from the new build",
            "company c1 GAS usage: 0.000000 -> 7.000000 (was 0)",
            "company c3 ELECTRICITY usage: 5.000000 -> 0 (-100.0%)",
            "company c2 WATER cost USD: 40.000000 -> 61.000000 (+52.5%)",
            "company c3 ELECTRICITY cost USD: 1.000000 -> 0 (-100.0%)",
        ]
        assert found[3].as_json() == {
            "kind": "cost",
            "company_id": "c2",
            "commodity": "WATER",
            "currency": "USD",
            "old": "40.000000",
            "new": "61.000000",
            "change": 0.525,
        }
        # A stricter threshold catches c1's power too; the file is detached after.
        stricter = publish.compare_volumes(con, old, Decimal("0.4"))
        assert "company c1 ELECTRICITY usage: 200.000000 -> 300.000000 (+50.0%)" in [
            finding.describe() for finding in stricter
        ]
        attached = con.execute("select database_name from duckdb_databases()")
        assert "published_warehouse" not in {name for (name,) in attached.fetchall()}
        # Nothing moves against an identical warehouse, even at a threshold of 0.
        same = tmp_path / "same" / "new.duckdb"
        same.parent.mkdir()
        shutil.copyfile(new, same)
        assert publish.compare_volumes(con, same, Decimal(0)) == []


def test_the_volume_gate_fails_closed_when_it_cannot_compare(tmp_path: Path) -> None:
    new = hand_made(tmp_path / "new.duckdb", ["c1"], [])
    with duckdb.connect(str(tmp_path / "bare.duckdb")) as con:
        con.execute("create table t (x integer)")
    with duckdb.connect(str(new)) as con:
        [finding] = publish.compare_volumes(con, tmp_path / "bare.duckdb", Decimal(1))
    assert finding.kind == publish.NOT_COMPARED
    assert "dim_companies" in finding.describe()


# --- publishing, end to end -----------------------------------------------------------


@pytest.mark.e2e
def test_the_first_publish_creates_the_warehouse_without_a_previous(
    first_publish: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    target, completed = first_publish
    assert completed.returncode == 0, output(completed)
    assert target.is_file()
    assert sorted(p.name for p in target.parent.iterdir()) == [WAREHOUSE]
    summary = summary_of(completed.stdout)
    assert "volume gate: first publish, nothing to compare with" in summary
    assert f"published {target}: swapped in " in summary
    assert "first publish: no previous warehouse" in summary
    [row] = run_rows(target)
    assert (row["publish_status"], row["published_path"]) == ("published", str(target))
    assert (row["gate_status"], row["exit_code"]) == ("passed", 0)
    assert row["volume_gate_findings"] is None
    # The bills run from 1 January to 3 February: their costs are calendarized.
    assert portfolio(target) == [
        ["c1", "ELECTRICITY", "2026-01", "1000.000000", "109.867647", "USD"],
        ["c1", "ELECTRICITY", "2026-02", "0.000000", "10.632353", "USD"],
        ["c2", "ELECTRICITY", "2026-01", "2000.000000", "273.529412", "USD"],
        ["c2", "ELECTRICITY", "2026-02", "0.000000", "26.470588", "USD"],
    ]


@pytest.mark.e2e
def test_a_second_publish_swaps_while_readers_see_the_old_or_the_new_figures(
    tmp_path: Path,
    published: Path,
    dbt_env: dict[str, str],
    reader_factory: Any,
) -> None:
    published.chmod(0o640)
    before_sha, before = sha256(published), portfolio(published)
    raw_dir = write_landing(tmp_path / "raw", with_usage(two_companies(), "u1", "1100"))
    reader = reader_factory(published)
    reader.wait_for(before)

    completed = publish_run(raw_dir, published, dbt_env)
    after = portfolio(published)
    reader.wait_for(after)
    seen = reader.stop()

    assert completed.returncode == 0, output(completed)
    assert after != before
    assert after[0][3] == "1100.000000"
    previous = published.with_name(WAREHOUSE + ".previous")
    assert sha256(previous) == before_sha
    assert sha256(published) != before_sha
    assert published.stat().st_mode & 0o777 == 0o640  # the readers' permissions
    assert build_files(published.parent) == []  # no building, failed, lock or wal
    assert [line for line in seen if "error" in line] == []
    assert {json.dumps(line["rows"]) for line in seen} == {
        json.dumps(before),
        json.dumps(after),
    }
    summary = summary_of(completed.stdout)
    assert f"volume gate: compared with {published} (threshold 50%): no change" in (
        summary
    )
    assert f"the previous warehouse is kept as {previous}" in summary
    assert "publish: copied " in completed.stdout
    first, second = run_rows(published)
    assert first["publish_status"] == second["publish_status"] == "published"
    findings = json.loads(second["volume_gate_findings"])
    assert findings == {
        "compared_with": str(published),
        "threshold": 0.5,
        "accepted": False,
        "findings": [],
    }
    assert len(run_rows(previous)) == 1


@pytest.mark.e2e
def test_a_failed_gate_leaves_the_published_file_untouched(
    tmp_path: Path,
    published: Path,
    dbt_env: dict[str, str],
    reader_factory: Any,
) -> None:
    before_sha, before = sha256(published), portfolio(published)
    raw_dir = write_landing(tmp_path / "raw", every_meter_quarantined(two_companies()))
    reader = reader_factory(published)
    reader.wait_for(before)

    completed = publish_run(raw_dir, published, dbt_env)
    seen = reader.stop()

    assert completed.returncode == 1, output(completed)
    assert sha256(published) == before_sha
    failed = published.with_name(WAREHOUSE + ".failed")
    assert build_files(published.parent) == [failed.name]
    summary = summary_of(completed.stdout)
    assert "quality gate FAILED" in summary
    assert "required_entities_have_clean_rows" in summary
    assert "volume gate: not run (the quality gate failed)" in summary
    assert f"NOT published: {published} unchanged; the new build is kept as " in (
        summary
    )
    assert [line for line in seen if "error" in line] == []
    assert {json.dumps(line["rows"]) for line in seen} == {json.dumps(before)}
    latest = run_rows(failed)[-1]
    assert (latest["publish_status"], latest["exit_code"]) == ("gate_failed", 1)
    assert latest["gate_status"] == "failed"

    # A later failure replaces the older failed build.
    again = publish_run(raw_dir, published, dbt_env)
    assert again.returncode == 1, output(again)
    assert sha256(published) == before_sha
    assert len(run_rows(failed)) == 2  # the published run and this one


def start_background_publish(
    raw_dir: Path, target: Path, env: Mapping[str, str]
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *(PYTHON, str(PIPELINE), "run", "--raw-dir", str(raw_dir)),
            *("--publish", str(target), "--as-of", AS_OF, *SELECT),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.e2e
def test_a_killed_build_leaves_the_published_file_and_the_next_run_publishes(
    tmp_path: Path, published: Path, dbt_env: dict[str, str]
) -> None:
    before_sha = sha256(published)
    raw_dir = write_landing(tmp_path / "raw", with_usage(two_companies(), "u1", "1200"))
    run = start_background_publish(raw_dir, published, dbt_env)
    assert run.stdout is not None
    seen: list[str] = []
    try:
        for line in run.stdout:  # until dbt builds its models
            seen.append(line)
            if line.startswith("dbt build: started "):  # its first node started
                break
        assert run.poll() is None, "".join(seen)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        run.stdout.close()

    assert run.returncode == -signal.SIGKILL
    assert sha256(published) == before_sha
    leftovers = build_files(published.parent)
    assert WAREHOUSE + ".building" in leftovers, leftovers
    assert lock_path(published).exists()  # left behind, but no longer locked

    completed = publish_run(raw_dir, published, dbt_env)

    assert completed.returncode == 0, output(completed)
    assert "publish: removed the leftovers of an earlier run: " in completed.stdout
    assert build_files(published.parent) == []
    assert sha256(published.with_name(WAREHOUSE + ".previous")) == before_sha
    assert portfolio(published)[0][3] == "1200.000000"


@pytest.mark.e2e
def test_the_volume_gate_holds_a_doubled_usage_unless_changes_are_accepted(
    tmp_path: Path, published: Path, dbt_env: dict[str, str]
) -> None:
    before_sha = sha256(published)
    raw_dir = write_landing(tmp_path / "raw", with_usage(two_companies(), "u1", "2000"))

    held = publish_run(raw_dir, published, dbt_env, "--volume-threshold", "0.75")

    assert held.returncode == 1, output(held)
    assert sha256(published) == before_sha
    summary = summary_of(held.stdout)
    assert "quality gate passed" in summary
    assert (
        f"volume gate: compared with {published} (threshold 75%): "
        "1 reason(s) to hold the publish:\n"
        "  company c1 ELECTRICITY usage: 1,000.000000 -> 2,000.000000 (+100.0%)\n"
    ) in summary
    assert f"publish HELD by the volume gate: {published} unchanged" in summary
    failed = published.with_name(WAREHOUSE + ".failed")
    assert build_files(published.parent) == [failed.name]
    latest = run_rows(failed)[-1]
    assert (latest["publish_status"], latest["exit_code"]) == (
        "held_by_volume_gate",
        1,
    )
    [finding] = json.loads(latest["volume_gate_findings"])["findings"]
    assert (finding["kind"], finding["company_id"], finding["change"]) == (
        "usage",
        "c1",
        1.0,
    )

    accepted = publish_run(raw_dir, published, dbt_env, "--accept-changes")

    assert accepted.returncode == 0, output(accepted)
    assert "ACCEPTED (--accept-changes)" in accepted.stdout
    assert portfolio(published)[0][3] == "2000.000000"
    assert sha256(published.with_name(WAREHOUSE + ".previous")) == before_sha
    latest = run_rows(published)[-1]
    assert latest["publish_status"] == "published"
    assert json.loads(latest["volume_gate_findings"])["accepted"] is True


@pytest.mark.e2e
def test_the_volume_gate_holds_a_company_that_disappears(
    tmp_path: Path, published: Path, dbt_env: dict[str, str]
) -> None:
    before_sha = sha256(published)
    raw_dir = write_landing(tmp_path / "raw", without_company(two_companies(), "c2"))

    # A company that disappears is held whatever the threshold: at 500% (from the
    # environment) its usage and cost falling to 0 (-100%) are no reason.
    env = {**dbt_env, publish.THRESHOLD_ENV_VAR: "5"}
    completed = publish_run(raw_dir, published, env)

    assert completed.returncode == 1, output(completed)
    assert sha256(published) == before_sha
    summary = summary_of(completed.stdout)
    assert (
        "(threshold 500%): 1 reason(s) to hold the publish:\n"
        "  company c2 (Beta): in the published marts.dim_companies, "
        "missing from the new build\n"
        f"publish HELD by the volume gate: {published} unchanged"
    ) in summary


def test_metadata_statuses_are_the_documented_ones() -> None:
    assert {
        metadata.PUBLISHED,
        metadata.HELD_BY_VOLUME_GATE,
        metadata.PUBLISH_GATE_FAILED,
        metadata.NOT_PUBLISHED,
    } == {"published", "held_by_volume_gate", "gate_failed", "not_published"}
