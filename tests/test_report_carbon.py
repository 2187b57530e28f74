"""The report's energy and emissions section on carbon marts written in SQL:
its figures, and that a missing factor shows as missing, never as zero."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from utility_warehouse.reading import Warehouse
from utility_warehouse.report import carbon
from utility_warehouse.report.charts import Charts
from utility_warehouse.report.data import ReportData, Site

CARBON_SQL = """
create schema marts;
create table marts.fct_site_monthly_emissions (
    company_id varchar, site_id varchar, commodity varchar, scope integer,
    month date, activity_kwh decimal(28, 6), co2e_location_kg decimal(28, 6),
    co2e_market_kg decimal(28, 6)
);
insert into marts.fct_site_monthly_emissions values
    ('C1', 'S1', 'ELECTRICITY', 2, '2025-01-01', 1000, 400, 400),
    ('C1', 'S1', 'GAS', 1, '2025-01-01', 500, 90, 90),
    ('C1', 'S2', 'ELECTRICITY', 2, '2025-01-01', 300, null, null),
    ('C1', 'S1', 'ELECTRICITY', 2, '2025-02-01', 1000, 5000, 2500),
    ('C1', 'S1', 'ELECTRICITY', 2, '2024-06-01', 1000, 7777, 7777),
    ('C2', 'S3', 'ELECTRICITY', 2, '2025-01-01', 999, 111, 111);
create table marts.rpt_ghg_inventory (
    company_id varchar, year integer, scope integer, method varchar,
    activity_kwh decimal(28, 6), co2e_t decimal(28, 6),
    share_with_factor decimal(28, 6)
);
insert into marts.rpt_ghg_inventory values
    ('C1', 2024, 2, 'location', 1000, 7.777, 1),
    ('C1', 2025, 1, 'location', 500, 0.09, 1),
    ('C1', 2025, 2, 'location', 2300, 5.4, 0.869565),
    ('C1', 2025, 2, 'market', 2300, 2.9, 0.869565),
    ('C2', 2025, 2, 'location', 999, null, 0);
create table marts.fct_site_energy_performance (
    site_id varchar, company_id varchar, period_type varchar,
    period_start date, period_end date, gross_floor_area_ft2 decimal(28, 6),
    site_energy_kbtu decimal(28, 6), source_energy_kbtu decimal(28, 6),
    site_eui_kbtu_per_ft2 decimal(28, 6), source_eui_kbtu_per_ft2 decimal(28, 6),
    months_complete integer, is_complete boolean
);
insert into marts.fct_site_energy_performance values
    ('S1', 'C1', 'trailing_12_months', '2024-03-01', '2025-02-28', 10763.9,
        1000000, 2800000, 92.903055, 260.128554, 12, true),
    ('S2', 'C1', 'trailing_12_months', '2024-03-01', '2025-02-28', null,
        500, null, null, null, 12, true),
    ('S4', 'C1', 'trailing_12_months', '2024-03-01', '2025-02-28', 1000,
        10, 20, null, null, 3, false),
    ('S1', 'C1', 'calendar_year', '2024-01-01', '2024-12-31', 10763.9,
        1, 1, 1, 1, 12, true);
create table marts.dq_emission_findings (
    kind varchar, company_id varchar, site_id varchar, meter_id varchar,
    instrument_id varchar, commodity varchar, month date, method varchar,
    quantity_kwh decimal(28, 6)
);
insert into marts.dq_emission_findings values
    ('no_emission_factor', 'C1', 'S2', 'M2', null, 'ELECTRICITY',
        '2025-01-01', 'location', 300),
    ('no_source_ratio', 'C1', 'S2', 'M2', null, 'ELECTRICITY',
        '2025-01-01', null, 300),
    ('no_emission_factor', 'C1', 'S2', 'M2', null, 'ELECTRICITY',
        '2024-06-01', 'location', 300);
"""

MONTHS = [date(2025, 1, 1), date(2025, 2, 1)]
SITES = {
    "S1": Site("S1", "Head Office", "C1", 1000, "M2"),
    "S2": Site("S2", "Plant", "C1", None, None),
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report-carbon") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(CARBON_SQL)
    return path


def section_html(database: Path, company: str | None = None) -> str:
    with duckdb.connect(str(database), read_only=True) as con:
        figures = carbon.load(Warehouse(con, ("marts",)), company, MONTHS)
    data = ReportData(
        database=str(database),
        as_of=date(2025, 2, 28),
        as_of_source="of the latest run",
        run=None,
        company=None if company is None else (company, None),
        months=MONTHS,
        sites=SITES,
        carbon=figures,
    )
    return carbon.section(Charts(data))


class Tables(HTMLParser):
    """Every table's rows (cell texts), and the data-* markers seen."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.markers: list[tuple[str, str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("data-") and name not in ("data-value",):
                self.markers.append((name, value or ""))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    parser.close()
    return parser


def test_the_missing_factors_are_named(database: Path) -> None:
    html = section_html(database, "C1")
    found = tables_of(html)
    assert ("data-missing-factors", "some") in found.markers
    assert "300 kWh of activity in the period has no location-based" in html
    assert found.tables[0] == [
        ["Finding", "Commodity", "Count", "kWh", "What it counts"],
        ["no_emission_factor", "ELECTRICITY", "1", "300",
         "meter-months without an emission factor"],
        ["no_source_ratio", "ELECTRICITY", "1", "300",
         "meter-months without a source-site ratio"],
    ]  # fmt: skip


def test_monthly_co2e_by_scope_and_method(database: Path) -> None:
    html = section_html(database, "C1")
    found = tables_of(html)
    charts = [value for name, value in found.markers if name == "data-chart"]
    assert charts.count("co2e-location") == 2  # wide and narrow
    assert charts.count("co2e-market") == 2
    location, market = found.tables[1], found.tables[2]
    assert location == [
        ["Month", "Scope 1", "Scope 2", "Activity without a factor"],
        ["Jan 2025", "0.09 t", "0.40 t", "300 kWh"],
        ["Feb 2025", "", "5 t", ""],
    ]
    assert market[2] == ["Feb 2025", "", "2.50 t", ""]
    # The site-month without a factor is left out of the figure, not a zero.
    assert "total 5.49 t; 300 kWh without a factor" in html


def test_the_inventory_of_the_period_shows_missing_never_zero(
    database: Path,
) -> None:
    found = tables_of(section_html(database))
    inventory = found.tables[3]
    assert inventory == [
        ["Company", "Year", "Scope", "Method", "Activity", "CO2e", "With factor"],
        ["C1", "2025", "1", "location", "500 kWh", "0.09 t", "100.0%"],
        ["C1", "2025", "2", "location", "2,300 kWh", "5.40 t", "86.9%"],
        ["C1", "2025", "2", "market", "2,300 kWh", "2.90 t", "86.9%"],
        ["C2", "2025", "2", "location", "999 kWh", "missing", "0.0%"],
    ]


def test_site_and_source_eui_against_floor_area(database: Path) -> None:
    found = tables_of(section_html(database, "C1"))
    assert found.tables[4] == [
        ["Site", "Floor area ft2", "Site energy kBtu", "Source energy kBtu",
         "Site EUI", "Source EUI", "Complete"],
        ["Head Office (S1)", "10,764", "1,000,000", "2,800,000", "92.90",
         "260.13", "12 of 12"],
        ["Plant (S2)", "", "500", "missing", "no area", "no area", "12 of 12"],
        ["S4", "1,000", "10", "20", "incomplete", "incomplete", "3 of 12"],
    ]  # fmt: skip
    charts = [value for name, value in found.markers if name == "data-chart"]
    assert charts.count("site-eui") == 2


def test_a_company_narrows_the_section(database: Path) -> None:
    html = section_html(database, "C2")
    found = tables_of(html)
    assert ("data-missing-factors", "none") in found.markers
    assert found.tables[-1][1:] == [
        ["C2", "2025", "2", "location", "999 kWh", "missing", "0.0%"]
    ]
    assert "Head Office" not in html
    assert "No site has energy in the trailing 12 months." in html


def test_a_warehouse_without_the_carbon_marts_says_not_built(
    database: Path,
) -> None:
    data = ReportData(
        database=str(database),
        as_of=date(2025, 2, 28),
        as_of_source="of the latest run",
        run=None,
        company=None,
        months=MONTHS,
        unbuilt={"carbon": ["marts.rpt_ghg_inventory"]},
    )
    html = carbon.section(Charts(data))
    assert 'data-unbuilt="carbon"' in html
    assert "marts.rpt_ghg_inventory is missing" in html
