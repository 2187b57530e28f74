"""One bound for the as-of date on every command: 1950-01-01 (the plausible-date
floor) to one year after today."""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from conftest import (
    MINIMAL_LANDING,
    PROJECT_ROOT,
    isolated_dbt_env,
    run_pipeline,
    write_landing,
)
from utility_warehouse import cli, metadata
from utility_warehouse.as_of_bound import (
    PLAUSIBLE_DATE_MIN,
    AsOfError,
    bounds,
    check,
    month_bounds,
    one_year_after,
    warehouse_as_of,
)
from utility_warehouse.as_of_bound import as_of_argument as iso_date

TODAY = date.today()
LAST = one_year_after(TODAY)


def test_the_floor_is_the_plausible_date_floor_of_dbt() -> None:
    text = (PROJECT_ROOT / "dbt_project.yml").read_text(encoding="utf-8")
    found = re.search(r'^\s*plausible_date_min:\s*"(\d{4}-\d{2}-\d{2})"', text, re.M)
    assert found is not None
    assert date.fromisoformat(found.group(1)) == PLAUSIBLE_DATE_MIN == date(1950, 1, 1)


def test_the_bound_runs_to_one_year_after_today() -> None:
    assert one_year_after(date(2026, 12, 7)) == date(2027, 12, 7)
    assert one_year_after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert bounds(date(2026, 12, 7)) == (date(1950, 1, 1), date(2027, 12, 7))
    assert month_bounds(date(2026, 12, 7)) == (date(1950, 1, 1), date(2027, 12, 1))
    today = date(2026, 12, 7)
    assert check(date(1950, 1, 1), today) == date(1950, 1, 1)
    assert check(date(2027, 12, 7), today) == date(2027, 12, 7)
    for outside in (date(1949, 12, 31), date(2027, 12, 8), date(9999, 12, 31)):
        with pytest.raises(AsOfError, match="out of range"):
            check(outside, today)


def test_iso_date_of_run_takes_the_bound() -> None:
    assert iso_date("1950-01-01") == date(1950, 1, 1)
    assert iso_date(LAST.isoformat()) == LAST
    for text in ("9999-12-31", "1949-12-31", "0001-01-01"):
        with pytest.raises(argparse.ArgumentTypeError, match="is out of range"):
            iso_date(text)


def test_run_as_of_9999_exits_2_before_anything_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    database = tmp_path / "w.duckdb"
    with pytest.raises(SystemExit) as raised:
        cli.main(
            ["run", "--raw-dir", str(tmp_path), "--database", str(database),
             "--as-of", "9999-12-31"]
        )  # fmt: skip
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert (
        "argument --as-of: 9999-12-31 is out of range: as-of dates run from "
        f"1950-01-01 to {LAST.isoformat()} (one year after today)"
    ) in err
    assert "Traceback" not in err
    assert not database.exists()


# --- read commands -----------------------------------------------------------------


def record_run(database: Path, as_of: date) -> None:
    with duckdb.connect(str(database)) as con:
        metadata.write_run(
            con,
            metadata.RunRecord(
                run_id=metadata.new_run_id(),
                as_of_date=as_of,
                started_at=datetime(2099, 1, 1),
                ended_at=datetime(2099, 1, 1),
                raw_dir="/landing",
                landing_files="[]",
                project_version="0.1.0",
                dbt_version="1.11.0",
                gate_status=metadata.GATE_PASSED,
                tests_passed=1,
                tests_warned=0,
                tests_failed=0,
                exit_code=0,
            ),
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("as_of")
    raw_dir = write_landing(base / "raw", MINIMAL_LANDING)
    database = base / "warehouse.duckdb"
    completed = run_pipeline(
        "run", "--raw-dir", str(raw_dir), "--database", str(database),
        "--as-of", "2026-11-01", env=isolated_dbt_env(base),
    )  # fmt: skip
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    return database


@pytest.fixture
def year_9999(built: Path, tmp_path: Path) -> Path:
    """The warehouse, its latest run recorded as of 9999-12-31 (built before the
    bound existed)."""
    path = tmp_path / "w9999.duckdb"
    path.write_bytes(built.read_bytes())
    record_run(path, date(9999, 12, 31))
    return path


READS = [
    ("rollup",),
    ("rollup", "--last-months", "3"),
    ("quality",),
    ("inspect", "--site", "s1", "--month", "2026-01"),
    ("export", "--out", "{tmp}/export"),
    ("report", "--out", "{tmp}/report.html"),
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.e2e
@pytest.mark.parametrize("argv", READS, ids=[" ".join(argv) for argv in READS])
def test_a_warehouse_as_of_9999_is_refused_by_every_read_command(
    capsys: pytest.CaptureFixture[str],
    year_9999: Path,
    tmp_path: Path,
    argv: tuple[str, ...],
) -> None:
    command, *rest = argv
    rest = [item.replace("{tmp}", str(tmp_path)) for item in rest]
    code, stdout, err = run(capsys, command, "--database", str(year_9999), *rest)
    assert (code, stdout) == (2, ""), err
    assert err == (
        f"pipeline.py {command}: error: the warehouse's as-of date 9999-12-31 (its "
        "latest run in marts.run_metadata) is out of range: as-of dates run from "
        f"1950-01-01 to {LAST.isoformat()}; rebuild it with pipeline.py run "
        "--as-of YYYY-MM-DD\n"
    )
    assert not (tmp_path / "export").exists()
    assert not (tmp_path / "report.html").exists()


@pytest.mark.e2e
def test_an_as_of_date_python_cannot_hold_is_refused(
    capsys: pytest.CaptureFixture[str], built: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w10000.duckdb"
    path.write_bytes(built.read_bytes())
    record_run(path, date(2026, 11, 1))
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE marts.run_metadata SET as_of_date = DATE '10000-01-01' "
            "WHERE ended_at = TIMESTAMP '2099-01-01'"
        )
        with pytest.raises(AsOfError, match="cannot be read as a date"):
            warehouse_as_of(con)
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", "--database", str(path), "--out", str(out))
    assert code == 2
    assert "cannot be read as a date" in err and "Traceback" not in err


@pytest.mark.e2e
def test_months_past_the_bound_are_refused_by_every_read_command(
    capsys: pytest.CaptureFixture[str], built: Path, tmp_path: Path
) -> None:
    past = f"{LAST.year + 1:04d}-01"
    months = f"months run from 1950-01 to {LAST.year:04d}-{LAST.month:02d}"
    cases = [
        ("rollup", "--to", past),
        ("rollup", "--from", "1949-12"),
        ("inspect", "--site", "s1", "--month", past),
        ("report", "--out", str(tmp_path / "r.html"), "--to", past),
    ]
    for command, *rest in cases:
        code, _, err = run(capsys, command, "--database", str(built), *rest)
        assert code == 2, (command, err)
        assert "is out of range" in err and months in err, err
    code, _, err = run(
        capsys, "rollup", "--database", str(built), "--from", "1950-01",
        "--to", f"{LAST.year:04d}-{LAST.month:02d}", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
