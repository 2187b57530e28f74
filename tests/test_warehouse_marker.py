"""Only this project's warehouses are written: a marker made at creation."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import write_landing
from utility_warehouse import cli, dbt_build, warehouse_marker


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def another_projects_file(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_sites (site_id varchar, name varchar)")
        con.execute("insert into marts.dim_sites values ('S1', 'Their site')")
        con.execute("create table notes (x integer)")
    return path


def marker_rows(database: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select project, format_version from raw._warehouse"
        ).fetchall()


def main(*argv: str) -> int:
    return cli.main(list(argv))


@pytest.mark.parametrize("command", ["load", "run"])
def test_another_projects_duckdb_file_is_refused_before_anything_is_written(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.setattr(dbt_build, "run_dbt_build", pytest.fail)
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = another_projects_file(tmp_path / "theirs.duckdb")
    before = sha256(database)

    assert main(command, "--raw-dir", str(raw_dir), "--database", str(database)) == 2

    err = capsys.readouterr().err
    assert f"{database} is not a warehouse of this project" in err
    assert "marts.dim_sites" in err
    assert sha256(database) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw", "theirs.duckdb"]


def test_a_publish_onto_another_projects_file_is_refused(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dbt_build, "run_dbt_build", pytest.fail)
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    site = tmp_path / "site"
    site.mkdir()
    target = another_projects_file(site / "w.duckdb")
    before = sha256(target)

    assert main("run", "--raw-dir", str(raw_dir), "--publish", str(target)) == 2

    assert f"{target} is not a warehouse of this project" in capsys.readouterr().err
    assert sha256(target) == before
    assert sorted(p.name for p in site.iterdir()) == ["w.duckdb"]


def test_a_new_warehouse_is_marked_and_loads_again(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"

    assert main("load", "--raw-dir", str(raw_dir), "--database", str(database)) == 0
    assert main("load", "--raw-dir", str(raw_dir), "--database", str(database)) == 0

    assert marker_rows(database) == [
        (warehouse_marker.PROJECT, warehouse_marker.FORMAT_VERSION)
    ]


def test_an_empty_duckdb_file_is_a_new_warehouse(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"
    duckdb.connect(str(database)).close()

    assert main("load", "--raw-dir", str(raw_dir), "--database", str(database)) == 0

    assert len(marker_rows(database)) == 1


def test_a_warehouse_made_before_the_marker_is_accepted_and_marked(
    tmp_path: Path, minimal_landing: dict[str, list[dict[str, Any]]]
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:  # as the loader used to leave it
        con.execute("create schema raw")
        con.execute("create table raw._load_audit (entity varchar)")
        con.execute("create schema marts")
        con.execute("create table marts.dim_sites (site_id varchar)")

    assert main("load", "--raw-dir", str(raw_dir), "--database", str(database)) == 0

    assert marker_rows(database) == [
        (warehouse_marker.PROJECT, warehouse_marker.FORMAT_VERSION)
    ]


@pytest.mark.parametrize(
    ("project", "version", "message"),
    [
        ("gas_meters", 1, "is the warehouse of project 'gas_meters'"),
        ("utility_warehouse", 99, "made by a newer version of this project"),
    ],
)
def test_a_marker_of_another_project_or_a_newer_format_is_refused(
    tmp_path: Path,
    minimal_landing: dict[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
    project: str,
    version: int,
    message: str,
) -> None:
    raw_dir = write_landing(tmp_path / "raw", minimal_landing)
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw._warehouse "
            "(project varchar, format_version integer, created_at timestamp)"
        )
        con.execute(
            "insert into raw._warehouse values (?, ?, now())", [project, version]
        )
    before = sha256(database)

    assert main("load", "--raw-dir", str(raw_dir), "--database", str(database)) == 2

    assert message in capsys.readouterr().err
    assert sha256(database) == before
