"""Tests of ``pipeline.py rollup --measure emissions|site_energy|source_energy``
on the small marts of ``test_rollup`` with carbon marts written in SQL."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, isolated_dbt_env
from test_rollup import FILTER_CASES, VENV_DBT, build_marts, run
from utility_warehouse import rollup, rollup_carbon
from utility_warehouse.rollup import RollupFilters

CARBON_SQL = """
create table marts.fct_site_monthly_emissions (
    company_id varchar, site_id varchar, commodity varchar, scope integer,
    month date, activity_kwh decimal(28, 6), co2e_location_kg decimal(28, 6),
    covered_kwh decimal(28, 6), uncovered_kwh decimal(28, 6),
    co2e_market_kg decimal(28, 6)
);
insert into marts.fct_site_monthly_emissions values
    ('C1', 'S1', 'ELECTRICITY', 2, '2024-01-01', 1000, 400.5, 600, 400, 200.25),
    ('C1', 'S1', 'GAS', 1, '2024-01-01', 500, 90.5, 0, 500, 90.5),
    ('C1', null, 'ELECTRICITY', 2, '2024-01-01', 300, null, 0, 300, null),
    ('C1', 'S2', 'ELECTRICITY', 2, '2024-02-01', 2000, 800, 0, 2000, 1234.5675),
    ('C2', 'S3', 'ELECTRICITY', 2, '2024-01-01', 500, 250, 500, 0, 0);
create table marts.fct_meter_monthly_energy (
    meter_id varchar, site_id varchar, company_id varchar, commodity varchar,
    scope integer, month date, activity_kwh decimal(28, 6),
    site_energy_kbtu decimal(28, 6), source_energy_kbtu decimal(28, 6)
);
insert into marts.fct_meter_monthly_energy values
    ('M1', 'S1', 'C1', 'ELECTRICITY', 2, '2024-01-01', 1000, 3412, 9553.6),
    ('M1', 'S1', 'C1', 'ELECTRICITY', 2, '2024-02-01', 200, 682.4, 1910.72),
    ('M3', null, 'C1', 'ELECTRICITY', 2, '2024-01-01', 300, 1023.6, null),
    ('M4', 'S3', 'C2', 'ELECTRICITY', 2, '2024-01-01', 500, 1706, 4776.8);
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_marts(tmp_path_factory.mktemp("carbon") / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute(CARBON_SQL)
    return path


def rows_of(
    capsys: pytest.CaptureFixture[str], database: Path, *argv: str
) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "--database", str(database), "--format", "json", *argv)
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def test_emissions_by_company_missing_is_never_a_partial_sum(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rows_of(
        capsys, database, "--measure", "emissions", "--group-by", "company",
        "--by", "total",
    )  # fmt: skip
    assert rows == [
        {
            "period": "total", "company_id": "C1", "company_name": "Acme",
            "activity_kwh": "3800.000000", "co2e_location_kg": None,
            "co2e_market_kg": None, "lacking_kwh": "300.000000",
        },
        {
            "period": "total", "company_id": "C2", "company_name": "Globex",
            "activity_kwh": "500.000000", "co2e_location_kg": "250.000000",
            "co2e_market_kg": "0.000000", "lacking_kwh": "0.000000",
        },
    ]  # fmt: skip


def test_emissions_in_tonnes_rounded_half_away_from_zero(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rows_of(
        capsys, database, "--measure", "emissions", "--unit", "t",
        "--site", "S1", "S2", "--by", "total",
    )  # fmt: skip
    assert rows == [
        {
            "period": "total", "activity_kwh": "3500.000000",
            "co2e_location_t": "1.291000", "co2e_market_t": "1.525318",
            "lacking_kwh": "0.000000",
        }
    ]  # fmt: skip


def test_emissions_by_month_and_commodity_filter(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rows_of(
        capsys, database, "--measure", "emissions", "--commodity", "electricity",
        "--company", "C1", "--from", "2024-02",
    )  # fmt: skip
    assert [(r["period"], r["co2e_market_kg"]) for r in rows] == [
        ("2024-02", "1234.567500")
    ]


def test_missing_shows_missing_in_the_table(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, err = run(
        capsys, "--database", str(database), "--measure", "emissions",
        "--group-by", "site", "--by", "total",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split("  ")[0] == "site_id"
    unassigned = next(line for line in lines if "Unassigned" in line)
    assert unassigned.split() == [
        "Unassigned", "300.0", "kWh", "missing", "missing", "300.0", "kWh",
    ]  # fmt: skip
    depot = next(line for line in lines if line.startswith("S3"))
    assert depot.split() == [
        "S3", "Depot", "500.0", "kWh", "250.0", "kg", "0", "kg", "0", "kWh",
    ]  # fmt: skip
    assert "(period: the total of the months selected; missing:" in out


def test_site_energy_by_tag(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    rows = rows_of(
        capsys, database, "--measure", "site_energy", "--group-by", "tag",
        "--by", "total",
    )  # fmt: skip
    assert [
        (r["tag"], r["activity_kwh"], r["site_energy_kbtu"], r["meter_count"])
        for r in rows
    ] == [
        ("hvac", "1700.000000", "5800.400000", 2),
        ("main", "1200.000000", "4094.400000", 1),
        (None, "300.000000", "1023.600000", 1),
    ]


def test_source_energy_lacking_ratio_and_tag_filter(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    rows = rows_of(
        capsys, database, "--measure", "source_energy", "--group-by", "company",
        "--by", "total",
    )  # fmt: skip
    assert [
        (r["company_id"], r["source_energy_kbtu"], r["lacking_kwh"]) for r in rows
    ] == [("C1", None, "300.000000"), ("C2", "4776.800000", "0.000000")]
    rows = rows_of(
        capsys, database, "--measure", "source_energy", "--tag", "HVAC",
        "--by", "total",
    )  # fmt: skip
    assert [(r["source_energy_kbtu"], r["meter_count"]) for r in rows] == [
        ("16241.120000", 2)
    ]


def test_csv_keeps_missing_empty(
    capsys: pytest.CaptureFixture[str], database: Path
) -> None:
    code, out, _ = run(
        capsys, "--database", str(database), "--measure", "emissions",
        "--unassigned", "--by", "total", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["period", "activity_kwh", "co2e_location_kg", "co2e_market_kg",
         "lacking_kwh"],
        ["total", "300.000000", "", "", "300.000000"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--measure", "emissions", "--tag", "hvac"], "meter tags"),
        (["--measure", "emissions", "--group-by", "tag"], "meter tags"),
        (["--measure", "site_energy", "--include-implied"], "usage only"),
        (["--measure", "emissions", "--company", "C9"], "unknown company: C9"),
    ],
)
def test_refusals(
    capsys: pytest.CaptureFixture[str],
    database: Path,
    argv: list[str],
    message: str,
) -> None:
    code, _, err = run(capsys, "--database", str(database), *argv)
    assert code == 2
    assert message in err


def test_the_carbon_filter_is_the_rollup_filter(database: Path) -> None:
    """The rows rollup's filter keeps of fct_meter_monthly_energy are the rows
    of the same meters and months the usage rollup keeps: one filter, the one
    the portfolio_filter macro is tested against."""
    filters = RollupFilters(company="C1", sites=("S1",), unassigned=True)
    request = rollup._check_static(filters)
    where, params = rollup._where(request, None, None, "f")
    with duckdb.connect(str(database), read_only=True) as con:
        energy = con.execute(
            f"SELECT f.meter_id, f.month FROM marts.fct_meter_monthly_energy AS f "
            f"{where} ORDER BY ALL",
            params,
        ).fetchall()
    assert [(m, d.isoformat()) for m, d in energy] == [
        ("M1", "2024-01-01"), ("M1", "2024-02-01"), ("M3", "2024-01-01"),
    ]  # fmt: skip
    assert rollup_carbon.output_columns("emissions", ("site",), "t") == [
        "period", "site_id", "site_name", "activity_kwh", "co2e_location_t",
        "co2e_market_t", "lacking_kwh",
    ]  # fmt: skip


@pytest.mark.e2e
def test_the_portfolio_filter_macro_selects_the_same_carbon_rows(
    tmp_path: Path,
) -> None:
    """``macros/portfolio_filter.sql`` compiled by dbt and ``rollup
    --measure``'s filter keep the same rows of the carbon marts (emissions
    without the tag filter, which they refuse)."""
    path = build_marts(tmp_path / "filters.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute(CARBON_SQL)
    without_tags = [
        {key: value for key, value in case.items() if key != "tags"}
        for case in FILTER_CASES
    ]
    template = """\
{%- set cases = fromjson(var('cases')) -%}
{%- set plain = fromjson(var('plain')) -%}
{%- for case in cases %}
select {{ loop.index0 }} as case_id, 'energy' as mart, f.meter_id as k, f.month
from marts.fct_meter_monthly_energy as f
where {{ portfolio_filter(case, alias='f', tag_relation='marts.dim_meter_tags') }}
union all
select {{ loop.index0 }}, 'emissions', coalesce(f.site_id, '-') || f.commodity,
    f.month
from marts.fct_site_monthly_emissions as f
where {{ portfolio_filter(plain[loop.index0], alias='f') }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
"""
    compiled = subprocess.run(
        [
            str(VENV_DBT), "--quiet", "compile", "--profiles-dir", str(PROJECT_ROOT),
            "--project-dir", str(PROJECT_ROOT), "--inline", template,
            "--vars", json.dumps({"cases": json.dumps(FILTER_CASES),
                                  "plain": json.dumps(without_tags)}),
        ],
        cwd=PROJECT_ROOT,
        env={
            **os.environ, **isolated_dbt_env(tmp_path),
            "UTILITY_WAREHOUSE_DB": ":memory:",
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert compiled.returncode == 0, (compiled.stdout + compiled.stderr)[-4000:]
    with duckdb.connect(str(path), read_only=True) as con:
        by_macro: dict[tuple[int, str], set[Any]] = {}
        for case_id, mart, key, month in con.execute(compiled.stdout).fetchall():
            by_macro.setdefault((case_id, mart), set()).add((key, month))
        for index, case in enumerate(FILTER_CASES):
            for mart, table, key, kept in (
                ("energy", "fct_meter_monthly_energy", "f.meter_id", case),
                ("emissions", "fct_site_monthly_emissions",
                 "coalesce(f.site_id, '-') || f.commodity", without_tags[index]),
            ):  # fmt: skip
                filters = RollupFilters(
                    company=kept.get("company"),
                    sites=tuple(kept.get("sites", ())),
                    unassigned=bool(kept.get("unassigned")),
                    commodities=tuple(kept.get("commodities", ())),
                    tags=tuple(kept.get("tags", ())),
                    month_from=kept.get("month_from"),
                    month_to=kept.get("month_to"),
                )
                request = rollup._check_static(filters)
                where, params = rollup._where(request, request.start, request.end, "f")
                expected = set(
                    con.execute(
                        f"SELECT {key}, f.month FROM marts.{table} AS f {where}",
                        params,
                    ).fetchall()
                )
                assert by_macro.get((index, mart), set()) == expected, (mart, case)
