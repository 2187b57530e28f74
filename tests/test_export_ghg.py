"""``pipeline.py export``'s GHG inventory file on a small warehouse written
in SQL (the rest of the export is tested end to end in ``test_export``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from test_ghg import WAREHOUSE_SQL
from utility_warehouse.export import export_warehouse

# The tables the ENERGY STAR files read, empty, and the emissions mart the
# inventory file takes each commodity's scope from.
MARTS_SQL = """
create table marts.fct_calendarized_usage (
    usage_id varchar, document_id varchar, meter_id varchar, start_date date,
    end_date date, net_metering_type varchar, is_exclusion boolean,
    is_estimated boolean, row_usage decimal(28, 6), usage_unit varchar,
    currency varchar, is_counted boolean
);
create table marts.fct_bill_meter_costs (
    document_id varchar, meter_id varchar, attributed_cost decimal(28, 6),
    currency varchar, is_counted boolean
);
create table marts.dim_meters (
    meter_id varchar, site_id varchar, commodity varchar, usage_unit varchar,
    primary_id varchar, primary_id_type varchar
);
create table marts.dim_sites (site_id varchar, site_name varchar);
create table marts.fct_site_monthly_emissions (
    company_id varchar, site_id varchar, commodity varchar, scope integer,
    month date, activity_kwh decimal(28, 6), co2e_location_kg decimal(28, 6),
    co2e_market_kg decimal(28, 6)
);
insert into marts.fct_site_monthly_emissions values
    ('C1', 'S1', 'ELECTRICITY', 2, '2025-03-01', 500, null, null),
    ('C1', 'S1', 'GAS', 1, '2025-04-01', 20, 3.6, 3.6);
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export-ghg") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(WAREHOUSE_SQL)
        con.execute(MARTS_SQL)
    return path


def test_ghg_inventory_csv_names_the_findings_of_each_row(
    database: Path, tmp_path: Path
) -> None:
    manifest = export_warehouse(database, tmp_path / "out", "parquet")
    path = tmp_path / "out" / "ghg_inventory.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == [
        "company_id", "company_name", "year", "scope", "method", "activity_kwh",
        "co2e_t", "share_with_factor", "no_emission_factor_count",
        "residual_mix_unavailable_count",
    ]  # fmt: skip
    assert rows[1:] == [
        ["'=HYPERLINK(\"x\")", "Evil", "2025", "1", "location", "0.000000", "",
         "", "0", "0"],
        ["C1", "Acme", "2025", "1", "location", "1000.000000", "0.181234",
         "1.000000", "0", "0"],
        ["C1", "Acme", "2025", "1", "market", "1000.000000", "0.181234",
         "1.000000", "0", "0"],
        ["C1", "Acme", "2025", "2", "location", "3000.000000", "1.250000",
         "0.666667", "2", "0"],
        ["C1", "Acme", "2025", "2", "market", "3000.000000", "0.400000",
         "0.666667", "2", "0"],
        ["C1", "Acme", "2026", "2", "location", "1200.500000", "0.300000",
         "0.999996", "0", "0"],
        ["C2", "Globex", "2025", "2", "location", "500.000000", "", "0.000000",
         "1", "0"],
        ["C2", "Globex", "2025", "2", "market", "500.000000", "", "0.000000",
         "1", "1"],
    ]  # fmt: skip
    entry = manifest["ghg_inventory"]
    assert entry["file"] == "ghg_inventory.csv"
    assert entry["rows"] == 8
    written = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert written["ghg_inventory"]["sha256"] == entry["sha256"]
    # The new marts are exported as every other mart.
    tables = {item["table"] for item in manifest["files"]}
    assert {"rpt_ghg_inventory", "dq_emission_findings"} <= tables


def test_no_ghg_file_without_the_carbon_marts(database: Path, tmp_path: Path) -> None:
    older = tmp_path / "older.duckdb"
    with duckdb.connect(str(older)) as con:
        con.execute(f"attach '{database}' as source (read_only)")
        con.execute("create schema marts")
        for table in ("fct_calendarized_usage", "fct_bill_meter_costs",
                      "dim_meters", "dim_sites"):  # fmt: skip
            con.execute(f"create table marts.{table} as from source.marts.{table}")
    manifest = export_warehouse(older, tmp_path / "out", "csv")
    assert manifest["ghg_inventory"] is None
    assert not (tmp_path / "out" / "ghg_inventory.csv").exists()
