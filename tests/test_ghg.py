"""Tests of ``pipeline.py ghg`` against a small warehouse written in SQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from utility_warehouse import cli
from utility_warehouse.ghg import percent_text

WAREHOUSE_SQL = """
create schema marts;
create table marts.dim_companies (company_id varchar, company_name varchar);
insert into marts.dim_companies values ('C1', 'Acme'), ('C2', 'Globex'),
    ('=HYPERLINK("x")', 'Evil');
create table marts.rpt_ghg_inventory (
    company_id varchar, year integer, scope integer, method varchar,
    activity_kwh decimal(28, 6), co2e_t decimal(28, 6),
    share_with_factor decimal(28, 6)
);
insert into marts.rpt_ghg_inventory values
    ('C1', 2025, 1, 'location', 1000, 0.181234, 1),
    ('C1', 2025, 1, 'market', 1000, 0.181234, 1),
    ('C1', 2025, 2, 'location', 3000, 1.25, 0.666667),
    ('C1', 2025, 2, 'market', 3000, 0.4, 0.666667),
    ('C1', 2026, 2, 'location', 1200.5, 0.3, 0.999996),
    ('C2', 2025, 2, 'location', 500, null, 0),
    ('C2', 2025, 2, 'market', 500, null, 0),
    ('=HYPERLINK("x")', 2025, 1, 'location', 0, null, null);
create table marts.dq_emission_findings (
    kind varchar, company_id varchar, site_id varchar, meter_id varchar,
    instrument_id varchar, commodity varchar, month date, method varchar,
    quantity_kwh decimal(28, 6)
);
insert into marts.dq_emission_findings values
    ('no_emission_factor', 'C1', 'S1', 'M1', null, 'ELECTRICITY',
        '2025-03-01', 'location', 500),
    ('no_emission_factor', 'C1', 'S1', 'M1', null, 'ELECTRICITY',
        '2025-04-01', 'location', 500),
    ('no_source_ratio', 'C1', null, 'M9', null, 'GAS',
        '2025-04-01', null, 20),
    ('unused_instrument_quantity', 'C1', null, null, 'I1', 'ELECTRICITY',
        '2026-01-01', 'market', 5),
    ('residual_mix_unavailable', 'C2', 'S3', null, null, 'ELECTRICITY',
        '2025-01-01', 'residual_mix', 500),
    ('no_emission_factor', 'C2', 'S3', 'M4', null, 'ELECTRICITY',
        '2025-01-01', 'location', 500);
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ghg") / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.execute(WAREHOUSE_SQL)
    finally:
        con.close()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["ghg", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table_rows(out: str) -> list[list[str]]:
    """The table's body rows split on runs of two spaces."""
    lines = out.splitlines()
    body = []
    for line in lines[2:]:
        if not line.strip() or line.startswith("(") or line.startswith("What"):
            break
        body.append([cell.strip() for cell in line.split("  ") if cell.strip()])
    return body


def test_table_per_company_year_scope_method(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, err = run(capsys, "--database", str(database), "--company", "C1")
    assert code == 0, err
    assert out.splitlines()[0].split() == [
        "company", "year", "scope", "method", "activity", "CO2e", "with", "factor",
    ]  # fmt: skip
    assert table_rows(out) == [
        ["C1", "2025", "1", "location", "1,000 kWh", "0.181 t", "100.0%"],
        ["C1", "2025", "1", "market", "1,000 kWh", "0.181 t", "100.0%"],
        ["C1", "2025", "2", "location", "3,000 kWh", "1.25 t", "66.6%"],
        ["C1", "2025", "2", "market", "3,000 kWh", "0.400 t", "66.6%"],
        ["C1", "2026", "2", "location", "1,201 kWh", "0.300 t", "99.9%"],
    ]
    assert "C2" not in out


def test_missing_factor_shows_missing_never_zero(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, err = run(capsys, "--database", str(database), "--company", "C2")
    assert code == 0, err
    assert table_rows(out) == [
        ["C2", "2025", "2", "location", "500.0 kWh", "missing", "0.0%"],
        ["C2", "2025", "2", "market", "500.0 kWh", "missing", "0.0%"],
    ]
    assert "0 t" not in out
    lines = out.splitlines()
    index = lines.index("What lacks factors (marts.dq_emission_findings):")
    assert table_rows("\n".join(lines[index + 1 :])) == [
        ["C2", "2025", "no_emission_factor", "1", "ELECTRICITY"],
        ["C2", "2025", "residual_mix_unavailable", "1", "ELECTRICITY"],
    ]


def test_finding_lines_count_by_kind_per_year(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, _ = run(capsys, "--database", str(database), "--company", "C1")
    assert code == 0
    lines = out.splitlines()
    index = lines.index("What lacks factors (marts.dq_emission_findings):")
    assert lines[index + 1 :] == [
        "company  year  finding                     count  commodities",
        "-------  ----  --------------------------  -----  -----------",
        "C1       2025  no_emission_factor              2  ELECTRICITY",
        "C1       2025  no_source_ratio                 1  GAS",
        "C1       2026  unused_instrument_quantity      1  ELECTRICITY",
        "(no_emission_factor: meter-months without an emission factor)",
        "(no_source_ratio: meter-months without a source-site ratio)",
        "(unused_instrument_quantity: instrument-months with quantity left over)",
    ]


def test_year_filter(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    code, out, _ = run(
        capsys, "--database", str(database), "--company", "C1", "--year", "2026"
    )
    assert code == 0
    assert table_rows(out) == [
        ["C1", "2026", "2", "location", "1,201 kWh", "0.300 t", "99.9%"]
    ]
    assert "C1 2025" not in out


def test_out_csv_exact_and_formula_safe(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    target = tmp_path / "ghg.csv"
    code, _, err = run(
        capsys, "--database", str(database), "--year", "2025", "--out", str(target)
    )
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == [
        "company_id", "year", "scope", "method", "activity_kwh", "co2e_t",
        "share_with_factor",
    ]  # fmt: skip
    assert rows[1:] == [
        ['\'=HYPERLINK("x")', "2025", "1", "location", "0.000000", "", ""],
        ["C1", "2025", "1", "location", "1000.000000", "0.181234", "1.000000"],
        ["C1", "2025", "1", "market", "1000.000000", "0.181234", "1.000000"],
        ["C1", "2025", "2", "location", "3000.000000", "1.250000", "0.666667"],
        ["C1", "2025", "2", "market", "3000.000000", "0.400000", "0.666667"],
        ["C2", "2025", "2", "location", "500.000000", "", "0.000000"],
        ["C2", "2025", "2", "market", "500.000000", "", "0.000000"],
    ]


def test_out_refuses_a_symlink(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    (tmp_path / "real.csv").write_text("keep", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "real.csv")
    code, _, err = run(capsys, "--database", str(database), "--out", str(link))
    assert code == 2
    assert "symbolic link" in err
    assert (tmp_path / "real.csv").read_text(encoding="utf-8") == "keep"


def test_unknown_company_and_unbuilt_warehouse(
    capsys: pytest.CaptureFixture[str], database: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "--database", str(database), "--company", "C9")
    assert code == 2
    assert "unknown company: C9" in err
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    code, _, err = run(capsys, "--database", str(empty))
    assert code == 2
    assert "marts.rpt_ghg_inventory" in err
    code, _, err = run(capsys, "--database", str(tmp_path / "nope.duckdb"))
    assert code == 2
    assert "database file not found" in err


def test_percent_text_never_claims_whole_or_none() -> None:
    assert percent_text(None) == ""
    assert percent_text(1) == "100.0%"
    assert percent_text("0.999996") == "99.9%"
    assert percent_text("0.0000004") == "<0.1%"
    assert percent_text(0) == "0.0%"
    assert percent_text("0.875") == "87.5%"
