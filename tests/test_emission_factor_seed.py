"""The reference-data seeds of energy and emissions (docs/methodology.md):
emission_factors and source_site_ratios.

``seeds/emission_factors.csv`` must be exactly what the conversion makes of the
published values (``docs/factors/published_emission_factors.csv``); a few rows are
checked against arithmetic written out here, independently of the module. Both
seeds must load exactly into their declared decimal types and carry nothing a
Spark seed cannot load (an empty cell, a straight quote).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT_ROOT
from utility_warehouse import emission_factor_seed as factors

SEEDS = PROJECT_ROOT / "seeds"
RATIOS_CSV = SEEDS / "source_site_ratios.csv"
SEEDS_YAML = SEEDS / "_seeds.yml"


def _seed_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _factor_row(region: str, commodity: str, year: str) -> dict[str, str]:
    (row,) = [
        row
        for row in _seed_rows(factors.SEED_CSV)
        if (row["region"], row["commodity"], row["year"], row["method"])
        == (region, commodity, year, "location")
    ]
    return row


def test_the_shipped_seed_is_the_conversion_of_the_published_values() -> None:
    shipped = factors.SEED_CSV.read_text(encoding="utf-8")
    assert shipped == factors.expected_seed(factors.PUBLISHED_CSV)
    assert factors.main(["--check"]) == 0


def test_the_seed_covers_every_egrid_subregion_and_the_fuels() -> None:
    rows = _seed_rows(factors.SEED_CSV)
    assert len(rows) == 62
    for year in ("2023", "2022"):
        regions = {
            row["region"]
            for row in rows
            if row["commodity"] == "ELECTRICITY" and row["year"] == year
        }
        assert len(regions) == 28 and "US" in regions and "CAMX" in regions
    anywhere = {row["commodity"] for row in rows if row["region"] == "*"}
    assert anywhere == {"GAS", "FUEL_OIL", "PROPANE", "STEAM", "DISTRICT_HEATING"}
    assert {row["method"] for row in rows} == {"location"}


@pytest.mark.parametrize(
    ("region", "commodity", "year", "column", "expected"),
    [
        # 428.464 lb/MWh x 0.45359237 kg/lb / 1000 kWh/MWh
        ("CAMX", "ELECTRICITY", "2023", "co2_kg_per_kwh", "0.19434800121968"),
        # 0.088 lb/MWh x 0.45359237 / 1000
        ("AKGD", "ELECTRICITY", "2022", "ch4_kg_per_kwh", "0.00003991612856"),
        # 0.001 lb/MWh x 0.45359237 / 1000
        ("NYUP", "ELECTRICITY", "2023", "n2o_kg_per_kwh", "0.00000045359237"),
        # 73.96 kg/mmBtu / (10^6 x 1055.05585262 / 3600000) = 0.25236199518614258...
        ("*", "FUEL_OIL", "2024", "co2_kg_per_kwh", "0.252361995186143"),
        # 53.06 kg/mmBtu / 293.0710701722... = 0.18104823505376928...
        ("*", "GAS", "2024", "co2_kg_per_kwh", "0.181048235053769"),
        # 0.00122 kg CO2e/kWh / 265 = 0.0000046037735849056603...
        ("GB", "ELECTRICITY", "2024", "n2o_kg_per_kwh", "0.00000460377358490566"),
    ],
)
def test_rows_match_arithmetic_by_hand(
    region: str, commodity: str, year: str, column: str, expected: str
) -> None:
    assert _factor_row(region, commodity, year)[column] == expected


def test_camx_2023_co2_is_exact_pounds_to_kilograms() -> None:
    exact = Decimal("428.464") * Decimal("0.45359237") / 1000
    assert (
        Decimal(_factor_row("CAMX", "ELECTRICITY", "2023")["co2_kg_per_kwh"]) == exact
    )


def test_the_uk_row_adds_up_to_the_published_co2e_with_its_gwps() -> None:
    row = _factor_row("GB", "ELECTRICITY", "2024")
    co2e = (
        Decimal(row["co2_kg_per_kwh"])
        + Decimal(row["ch4_kg_per_kwh"]) * 28
        + Decimal(row["n2o_kg_per_kwh"]) * 265
    )
    assert round(co2e, 12) == Decimal("0.20705")


def test_kwh_per_mmbtu_is_the_inverse_of_the_site_energy_factor() -> None:
    # The methodology turns kWh into kBtu with 3.412141633 (10 significant
    # digits).
    assert round(1000 / factors.KWH_PER_MMBTU, 9) == Decimal("3.412141633")
    assert factors.seed_number(factors.KWH_PER_MMBTU) == "293.071070172222"


def test_each_row_names_its_source_and_conversion() -> None:
    for row in _seed_rows(factors.SEED_CSV):
        assert len(row["source"].split("; ")) >= 4, row["source"]
        assert row["source"].split("; ")[-1].startswith("https://"), row["source"]
        assert row["conversion"].endswith(("; exact", "to 15 significant digits")), row[
            "conversion"
        ]
    camx = _factor_row("CAMX", "ELECTRICITY", "2023")
    assert camx["source"].startswith("US EPA eGRID; eGRID2023 revision 2")
    assert "428.464" in camx["conversion"] and "0.45359237" in camx["conversion"]


def _declared_decimals(seed: str) -> dict[str, tuple[int, int]]:
    config = yaml.safe_load(SEEDS_YAML.read_text(encoding="utf-8"))
    (entry,) = [s for s in config["seeds"] if s["name"] == seed]
    declared: dict[str, tuple[int, int]] = {}
    for column, kind in entry["config"]["column_types"].items():
        if match := re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", kind):
            declared[column] = (int(match[1]), int(match[2]))
    return declared


@pytest.mark.parametrize(
    ("seed", "path"),
    [("emission_factors", factors.SEED_CSV), ("source_site_ratios", RATIOS_CSV)],
)
def test_every_number_loads_exactly_into_its_declared_decimal(
    seed: str, path: Path
) -> None:
    declared = _declared_decimals(seed)
    assert declared
    for row in _seed_rows(path):
        for column, (precision, scale) in declared.items():
            value = Decimal(row[column])
            decimals = max(0, -int(value.as_tuple().exponent))
            assert decimals <= scale, (column, row[column])
            assert abs(value) < Decimal(10) ** (precision - scale), (column, value)


@pytest.mark.parametrize("path", [factors.SEED_CSV, RATIOS_CSV])
def test_no_cell_a_spark_seed_would_misread(path: Path) -> None:
    # Spark loads an empty cell as the text 'None' and cannot load a straight quote.
    text = path.read_text(encoding="utf-8")
    assert "'" not in text
    for row in _seed_rows(path):
        assert all(value.strip() for value in row.values()), row
        assert all('"' not in value for value in row.values()), row


def test_source_site_ratios_are_the_sourced_rows_only() -> None:
    rows = _seed_rows(RATIOS_CSV)
    assert {(r["country"], r["commodity"]): r["ratio"] for r in rows} == {
        ("US", "ELECTRICITY"): "2.80",
        ("CA", "ELECTRICITY"): "1.83",
        ("US", "GAS"): "1.05",
        ("CA", "GAS"): "1.06",
    }
    for row in rows:
        assert row["source"].startswith(
            "ENERGY STAR Portfolio Manager Technical Reference: Source Energy; "
            "August 2023; Figure 1"
        )


def _published(**changes: str) -> list[dict[str, str]]:
    row = dict(factors.read_published()[0])
    row.update(changes)
    return [row]


def test_a_co2_value_that_disagrees_with_its_check_is_refused() -> None:
    with pytest.raises(factors.PublishedValueError, match="does not round"):
        factors.convert_rows(_published(co2_value="899.700"))


def test_a_repeated_key_is_refused() -> None:
    with pytest.raises(factors.PublishedValueError, match="more than one row"):
        factors.convert_rows(_published() * 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"commodity": "WATER"}, "unknown commodity"),
        ({"method": "market"}, "unknown method"),
        ({"ch4_value": "-0.1"}, "negative"),
        ({"ch4_unit": "kg CO2e/kWh"}, "GWP"),
        ({"n2o_unit": "t/TJ"}, "unknown unit"),
    ],
)
def test_rows_that_cannot_become_seed_rows_are_refused(
    changes: dict[str, str], message: str
) -> None:
    with pytest.raises(factors.PublishedValueError, match=message):
        factors.convert_rows(_published(**changes))


def test_main_check_reports_a_stale_seed(tmp_path: Path) -> None:
    stale = tmp_path / "emission_factors.csv"
    stale.write_text("region\n", encoding="utf-8")
    assert factors.main(["--check", "--out", str(stale)]) == 1
    assert factors.main(["--out", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == factors.SEED_CSV.read_text(
        encoding="utf-8"
    )


def test_no_seed_holds_a_single_quote() -> None:
    """dbt-spark writes seed values into its INSERT unescaped: an apostrophe in
    any seed (a description's "bill's") stops the build on Spark."""
    quoted = [
        f"{path.name}:{number}"
        for path in sorted((PROJECT_ROOT / "seeds").glob("*.csv"))
        for number, line in enumerate(
            path.read_text(encoding="utf-8").splitlines(), start=1
        )
        if "'" in line
    ]
    assert not quoted, quoted
