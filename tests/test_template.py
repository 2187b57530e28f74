"""``pipeline.py template``: an empty landing folder with its README."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import MINIMAL_LANDING
from utility_warehouse import cli, contract, template


def run_template(out: Path) -> int:
    return cli.main(["template", "--out", str(out)])


def header_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_the_template_holds_every_entity_file_with_required_columns_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "new" / "landing"

    assert run_template(out) == 0

    assert f"template written: {out}" in capsys.readouterr().out
    names = sorted(path.name for path in out.iterdir())
    assert names == sorted(
        [*(f"{e.name}.csv" for e in contract.ENTITIES), "README.txt", "landing.json"]
    )
    for entity in contract.ENTITIES:
        path = out / f"{entity.name}.csv"
        header = header_of(path)
        assert sorted(header) == sorted(entity.all_columns), entity.name
        needed = len(entity.required_columns) + len(entity.alternative_columns)
        assert set(header[:needed]) == {
            *entity.required_columns,
            *entity.alternative_columns,
        }
        assert len(path.read_text(encoding="utf-8").splitlines()) == 1
    assert json.loads((out / "landing.json").read_text()) == {
        "date_order": "mdy",
        "decimal_separator": ".",
        "encoding": "utf-8",
    }


def test_the_readme_describes_every_column_its_format_and_the_enumerations(
    tmp_path: Path,
) -> None:
    assert run_template(tmp_path / "t") == 0
    readme = (tmp_path / "t" / "README.txt").read_text(encoding="utf-8")
    flat = " ".join(readme.split())

    for entity in contract.ENTITIES:
        assert f"{entity.name}.csv (" in readme
        for column in entity.all_columns:
            requirement = template._requirement(entity, column)
            assert f"{column} ({requirement}):" in flat, (entity.name, column)
    assert "standard_usage (required unless raw_usage is given)" in flat
    for values in contract.ENUMERATIONS.values():
        assert "one of " + ", ".join(values) in flat
    for topic in ("Dates:", "Numbers:", "Amounts:", "Currencies", "Booleans:"):
        assert topic in readme
    assert '{"date_order": "mdy", "decimal_separator": ".", "encoding": "utf-8"}' in (
        flat
    )
    assert max(len(line) for line in readme.splitlines()) <= 80


def test_the_template_filled_with_one_record_each_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "landing"
    assert run_template(out) == 0
    for entity, rows in MINIMAL_LANDING.items():
        path = out / f"{entity}.csv"
        header = header_of(path)
        with path.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for row in rows:
                writer.writerow([row.get(column, "") for column in header])
    database = tmp_path / "w.duckdb"

    assert cli.main(["load", "--raw-dir", str(out), "--database", str(database)]) == 0

    out_text = capsys.readouterr().out
    assert "warning" not in out_text


def make(kind: str, path: Path) -> Any:
    if kind == "file":
        path.write_text("x")
    elif kind == "non-empty folder":
        path.mkdir()
        (path / "keep.csv").write_text("id\n")
    else:
        target = path.with_name("elsewhere")
        target.mkdir()
        path.symlink_to(target)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("file", "exists and is not a folder"),
        ("non-empty folder", "is not empty; give a new or empty folder"),
        ("symlink", "is a symbolic link; give a new folder"),
    ],
)
def test_an_out_that_is_not_a_new_or_empty_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, message: str
) -> None:
    out = tmp_path / "out"
    make(kind, out)
    before = sorted(str(p) for p in tmp_path.rglob("*"))

    assert run_template(out) == 2

    assert f"pipeline.py template: error: --out {out} {message}" in (
        capsys.readouterr().err
    )
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_an_empty_folder_is_filled(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run_template(tmp_path / "empty") == 0
    assert (tmp_path / "empty" / "README.txt").exists()
