"""The semantic layer (models/semantic): MetricFlow validates it and its numbers
match the marts.

A small portfolio is built with the pipeline, then ``mf validate-configs`` (the
data warehouse checks included) and ``mf query`` run against it from a scratch
dbt project that links the project's folders (MetricFlow reads
``target/semantic_manifest.json`` of the project it runs in, and the manifest
names the tables by the warehouse file's catalog). Each query's numbers are
compared with a direct SQL sum on the marts.

The portfolio, as of 2026-03-15: company C1 bills in USD, C2 in CAD and C1's
meter without a site (E5) in EUR. Every meter has a bill for January and
February of 2025 and of 2026. Site S1 (1,000 m2) has electricity E1 (tags HVAC
and Lighting) and water W3 (tag Irrigation), site S2 (20,000 ft2) gas G2 in
therms (tag HVAC), site S3 (C2, floor area unknown) electricity E4. C1 implies
sewer from water (fraction 0.5), which is in fct_portfolio_monthly and must not
reach the metered metrics.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, isolated_dbt_env, run_pipeline, write_landing

pytestmark = pytest.mark.e2e

AS_OF = "2026-03-15"
BIN = PROJECT_ROOT / ".venv" / "bin"
MONTHS = ("2025-01", "2025-02", "2026-01", "2026-02")
LAST_DAY = {"01": "31", "02": "28"}
SQ_FT_PER_SQ_M = Decimal("10.7639")
# The measures of fct_meter_monthly in a standard unit, and in money.
USAGE_MEASURES = frozenset(
    {"metered_usage", "metered_net_usage", "metered_estimated_usage"}
)
COST_MEASURES = frozenset({"metered_cost"})
UNIT_FILTER = re.compile(
    r"\{\{\s*Dimension\('meter_month__usage_unit'\)\s*\}\}\s*=\s*'([^']+)'"
)
CURRENCY_FILTER = re.compile(
    r"\{\{\s*Dimension\('meter_month__currency'\)\s*\}\}\s*=\s*'([^']+)'"
)
# The project folders a scratch project links to.
PROJECT_FOLDERS = ("models", "macros", "seeds", "data-tests", "analyses")

Row = dict[str, Any]
D = Decimal

# meter: (company, account, site, commodity, unit, usage of the first bill,
# currency, tags)
METERS: dict[str, tuple[str, str, str, str, str, str, str, tuple[str, ...]]] = {
    "E1": (
        "C1",
        "A1",
        "S1",
        "ELECTRICITY",
        "kWh",
        "1000.5",
        "USD",
        ("HVAC", "Lighting"),
    ),
    "G2": ("C1", "A1", "S2", "GAS", "therms", "40", "USD", ("HVAC",)),
    "W3": ("C1", "A1", "S1", "WATER", "gal", "5000", "USD", ("Irrigation",)),
    "E4": ("C2", "A2", "S3", "ELECTRICITY", "kWh", "700.25", "CAD", ()),
    "E5": ("C1", "A3", "", "ELECTRICITY", "MWh", "0.5", "EUR", ()),
}


def _landing() -> dict[str, list[Row]]:
    def site(site_id: str, company: str, area: str, units: str) -> Row:
        return {
            "id": site_id,
            "company_id": company,
            "name": f"Site {site_id}",
            "address": "",
            "city": "",
            "region": "",
            "postal_code": "",
            "country": "US",
            "gross_floor_area": area,
            "gross_floor_area_units": units,
            "data_collection_stop_date": "",
            "mirror_site_id": "",
        }

    def account(account_id: str, company: str) -> Row:
        return {
            "id": account_id,
            "company_id": company,
            "connection_id": "",
            "account_number": account_id,
            "provider_name": "Utility",
            "status": "ONBOARDED",
            "active_account_id": "",
            "primary_identifier_type": "",
            "secondary_identifier_type": "",
        }

    landing: dict[str, list[Row]] = {
        "companies": [
            {"id": "C1", "name": "Acme", "implied_sewer_fraction": "0.5"},
            {"id": "C2", "name": "Borealis", "implied_sewer_fraction": ""},
        ],
        "sites": [
            site("S1", "C1", "1000", "SQ_M"),
            site("S2", "C1", "20000", "SQ_FT"),
            site("S3", "C2", "", ""),
        ],
        "accounts": [account("A1", "C1"), account("A2", "C2"), account("A3", "C1")],
        "meters": [],
        "meter_identifiers": [],
        "meter_tags": [],
        "documents": [],
        "usage_data": [],
    }
    for meter_id, meter in METERS.items():
        company, account_id, site_id, commodity, unit, usage, currency, tags = meter
        landing["meters"].append(
            {
                "id": meter_id,
                "company_id": company,
                "account_id": account_id,
                "site_id": site_id,
                "datasource_type": commodity,
                "is_tracked": "",
                "is_duplicated": "",
                "service_address": "",
            }
        )
        landing["meter_identifiers"].append(
            {"meter_id": meter_id, "identifier_type": "METER", "value": f"{meter_id}-1"}
        )
        landing["meter_tags"].extend(
            {"meter_id": meter_id, "tag_name": tag} for tag in tags
        )
        for step, month in enumerate(MONTHS):
            start = f"{month}-01"
            end = f"{month}-{LAST_DAY[month[5:]]}"
            document_id = f"D-{meter_id}-{month}"
            amount = D(usage) * (step + 1)
            charges = D("12.34") * (step + 1) + len(meter_id + month)
            landing["documents"].append(
                {
                    "id": document_id,
                    "account_id": account_id,
                    "start_date": start,
                    "bill_date": end,
                    "total_charges": str(charges),
                    "current_charges": str(charges),
                    "charges_units": currency,
                    "revised_document_id": "",
                }
            )
            landing["usage_data"].append(
                {
                    "id": f"U-{meter_id}-{month}",
                    "document_id": document_id,
                    "meter_id": meter_id,
                    "start_date": start,
                    "end_date": end,
                    "raw_usage": str(amount),
                    "raw_usage_units": unit,
                    "standard_usage": "",
                    "exclusion": "",
                    "net_metering_type": "",
                    "demand": "",
                    "extracted_identifiers": "",
                }
            )
    return landing


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_PROJECT_DIR")
    }
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(extra)
    return env


def scratch_project(directory: Path) -> Path:
    """A dbt project whose folders link to this one's, with its own target."""
    directory.mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(PROJECT_ROOT / name, directory / name)
    for name in PROJECT_FOLDERS:
        (directory / name).symlink_to(PROJECT_ROOT / name, target_is_directory=True)
    return directory


def parse(project: Path, database: str) -> dict[str, Any]:
    """``dbt parse`` for ``database``; returns the semantic manifest."""
    completed = subprocess.run(
        [str(BIN / "dbt"), "parse", "--quiet", "--profiles-dir", "."],
        cwd=project,
        env=_clean_env(UTILITY_WAREHOUSE_DB=database),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    manifest: dict[str, Any] = json.loads(
        (project / "target" / "semantic_manifest.json").read_text()
    )
    return manifest


def mf(project: Path, database: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "mf"), *args],
        cwd=project,
        env=_clean_env(UTILITY_WAREHOUSE_DB=database, DBT_PROFILES_DIR=str(project)),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def mf_query(project: Path, database: str, *args: str) -> list[dict[str, str]]:
    """The rows of ``mf query ARGS`` (read from its --csv file)."""
    out = project / "query.csv"
    out.unlink(missing_ok=True)
    completed = mf(project, database, "query", *args, "--csv", str(out))
    assert completed.returncode == 0 and out.exists(), (
        completed.stdout + completed.stderr
    )[-6000:]
    with out.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def number(text: str) -> Decimal | None:
    return D(text) if text != "" else None


def day(value: Any) -> str:
    """A date or timestamp (from DuckDB or a CSV cell) as YYYY-MM-DD."""
    return str(value)[:10]


# --- Unit and currency safety, read from the semantic manifest ------------


def _filters(entry: Mapping[str, Any] | None) -> list[str]:
    if not entry or not entry.get("filter"):
        return []
    return [w["where_sql_template"] for w in entry["filter"]["where_filters"]]


def _leaves(
    metric: str, metrics: Mapping[str, Any], filters: tuple[str, ...] = ()
) -> Iterable[tuple[str, set[str], set[str]]]:
    """(measure, units, currencies) of each simple metric under ``metric``,
    with the unit and currency constants of every filter on the way."""
    entry = metrics[metric]
    filters = (*filters, *_filters(entry))
    params = entry["type_params"]
    if entry["type"] == "simple":
        text = " ".join(filters)
        units = set(UNIT_FILTER.findall(text))
        currencies = set(CURRENCY_FILTER.findall(text))
        yield params["measure"]["name"], units, currencies
        return
    inputs = [params["numerator"], params["denominator"], *params["metrics"]]
    for child in inputs:
        if child:
            yield from _leaves(child["name"], metrics, (*filters, *_filters(child)))


def unsafe_metrics(semantic_manifest: Mapping[str, Any]) -> list[str]:
    """Each metric that could add across units or currencies, with why."""
    metrics = {m["name"]: m for m in semantic_manifest["metrics"]}
    problems: list[str] = []
    for name in sorted(metrics):
        leaves = list(_leaves(name, metrics))
        for measure, units, currencies in leaves:
            if measure in USAGE_MEASURES and len(units) != 1:
                problems.append(f"{name}: {measure} not fixed to one unit ({units})")
            if measure in COST_MEASURES and len(currencies) != 1:
                problems.append(
                    f"{name}: {measure} not fixed to one currency ({currencies})"
                )
        money = [leaf for leaf in leaves if leaf[0] in COST_MEASURES]
        usage = [leaf for leaf in leaves if leaf[0] in USAGE_MEASURES]
        all_units = set().union(*(leaf[1] for leaf in leaves))
        all_currencies = set().union(*(leaf[2] for leaf in leaves))
        if len(all_units) > 1:
            problems.append(f"{name}: combines units {sorted(all_units)}")
        if len(all_currencies) > 1:
            problems.append(f"{name}: combines currencies {sorted(all_currencies)}")
        if money and usage:
            for measure, units, currencies in money + usage:
                if len(units) != 1 or len(currencies) != 1:
                    problems.append(
                        f"{name}: {measure} of a cost per unit not fixed to one "
                        f"unit and one currency ({units}, {currencies})"
                    )
    return problems


@pytest.fixture(scope="module")
def parsed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch project parsed without a warehouse (an in-memory database)."""
    project = scratch_project(tmp_path_factory.mktemp("semantic") / "project")
    parse(project, ":memory:")
    return project


@pytest.fixture(scope="module")
def parsed(parsed_project: Path) -> dict[str, Any]:
    """Its semantic manifest."""
    manifest: dict[str, Any] = json.loads(
        (parsed_project / "target" / "semantic_manifest.json").read_text()
    )
    return manifest


# --- mf query right after make demo ---------------------------------------------


def test_the_profiles_default_warehouse_is_the_one_make_demo_builds() -> None:
    """``mf query`` (and ``dbt``) with UTILITY_WAREHOUSE_DB unset open the
    profile's default file: it must be the warehouse ``make demo`` builds, whose
    name the run's ``dbt build`` wrote into target/semantic_manifest.json."""
    profile = (PROJECT_ROOT / "profiles.yml").read_text(encoding="utf-8")
    [default] = re.findall(r"env_var\('UTILITY_WAREHOUSE_DB', '([^']+)'\)", profile)
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    [demo_db] = re.findall(r"^DEMO_DB \?= (\S+)$", makefile, re.M)
    assert default == demo_db == "warehouse/demo.duckdb"
    docs = (PROJECT_ROOT / "docs" / "semantic-layer.md").read_text(encoding="utf-8")
    after_demo = docs[docs.index("make demo\n") :]
    assert ".venv/bin/mf query --metrics" in after_demo
    assert "UTILITY_WAREHOUSE_DB" not in after_demo[: after_demo.index("mf list")]


def test_no_metric_adds_across_units_or_currencies(parsed: dict[str, Any]) -> None:
    metrics = {m["name"] for m in parsed["metrics"]}
    assert {"usage_kwh", "usage_gal", "cost_usd", "cost_per_kwh_usd"} <= metrics
    assert not unsafe_metrics(parsed)


def test_the_safety_check_catches_a_unitless_or_mixed_metric(
    parsed: dict[str, Any],
) -> None:
    def simple(name: str, measure: str, *where: str) -> dict[str, Any]:
        return {
            "name": name,
            "type": "simple",
            "type_params": {"measure": {"name": measure}},
            "filter": {"where_filters": [{"where_sql_template": w} for w in where]}
            if where
            else None,
        }

    unit = "{{ Dimension('meter_month__usage_unit') }} = '%s'"
    currency = "{{ Dimension('meter_month__currency') }} = '%s'"
    bad = {
        "metrics": [
            simple("usage", "metered_usage"),
            simple("cost", "metered_cost", unit % "kWh"),
            simple("usage_kwh", "metered_usage", unit % "kWh"),
            simple("cost_usd", "metered_cost", currency % "USD"),
            {
                "name": "cost_per_kwh",
                "type": "ratio",
                "filter": None,
                "type_params": {
                    "numerator": {"name": "cost_usd", "filter": None},
                    "denominator": {"name": "usage_kwh", "filter": None},
                    "metrics": [],
                },
            },
        ]
    }
    found = "\n".join(unsafe_metrics(bad))
    assert "usage: metered_usage not fixed to one unit" in found
    assert "cost: metered_cost not fixed to one currency" in found
    assert "cost_per_kwh: metered_usage of a cost per unit" in found
    assert "cost_per_kwh: metered_cost of a cost per unit" in found
    assert "usage_kwh:" not in found and "cost_usd:" not in found


def test_mf_validate_configs_passes_without_a_warehouse(parsed_project: Path) -> None:
    completed = mf(parsed_project, ":memory:", "validate-configs", "--skip-dw")
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    assert "Successfully validated the semantics" in completed.stdout


# --- Against a built warehouse ----------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The portfolio built with the pipeline, and a project parsed for it."""
    base = tmp_path_factory.mktemp("semantic_built")
    raw_dir = write_landing(base / "raw", _landing())
    database = base / "semantic.duckdb"
    completed = run_pipeline(
        "run",
        "--raw-dir",
        str(raw_dir),
        "--database",
        str(database),
        "--as-of",
        AS_OF,
        env=isolated_dbt_env(base),
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    project = scratch_project(base / "project")
    parse(project, str(database))
    return project, str(database)


def sql(database: str, query: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(database, read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


@pytest.mark.e2e
def test_mf_validate_configs_passes_against_the_warehouse(
    built: tuple[Path, str],
) -> None:
    project, database = built
    completed = mf(project, database, "validate-configs")
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    assert "Successfully validated metrics against data warehouse" in completed.stdout


@pytest.mark.e2e
def test_usage_by_commodity_and_quarter_equals_the_meter_months(
    built: tuple[Path, str],
) -> None:
    project, database = built
    rows = mf_query(
        project,
        database,
        "--metrics",
        "usage_kwh,usage_gal",
        "--group-by",
        "metric_time__quarter,meter__commodity",
    )
    found = {
        (day(r["metric_time__quarter"]), r["meter__commodity"]): (
            number(r["usage_kwh"]),
            number(r["usage_gal"]),
        )
        for r in rows
    }
    expected = {
        (day(quarter), commodity): (kwh, gal)
        for quarter, commodity, kwh, gal in sql(
            database,
            "select date_trunc('quarter', f.month), m.commodity, "
            "sum(f.usage) filter (where f.usage_unit = 'kWh'), "
            "sum(f.usage) filter (where f.usage_unit = 'gal') "
            "from marts.fct_meter_monthly as f "
            "join marts.dim_meters as m on m.meter_id = f.meter_id "
            "group by all",
        )
    }
    assert found == expected
    assert len(found) == 3 * 2  # ELECTRICITY, GAS, WATER in Q1 2025 and 2026
    # Gas in therms arrives in kWh; water stays in gallons, without implied
    # sewer (fct_portfolio_monthly has it, the meter months do not).
    assert found[("2026-01-01", "GAS")] == (D("40") * 7 * D("29.3071"), None)
    assert found[("2026-01-01", "WATER")] == (None, D("5000") * 7)
    implied = sql(
        database,
        "select count(*) from marts.fct_portfolio_monthly where is_implied",
    )
    assert implied[0][0] > 0


@pytest.mark.e2e
def test_cost_per_currency_and_cost_per_kwh(built: tuple[Path, str]) -> None:
    project, database = built
    rows = mf_query(
        project,
        database,
        "--metrics",
        "cost_usd,cost_cad,cost_eur,cost_per_kwh_usd,cost_per_gal_usd",
        "--group-by",
        "metric_time__year,company",
    )
    sums: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for year, company, currency, unit, cost, usage in sql(
        database,
        "select date_trunc('year', month), company_id, currency, usage_unit, "
        "sum(cost), sum(usage) from marts.fct_meter_monthly group by all",
    ):
        key = (day(year), company)
        sums[key][currency] = sums[key].get(currency, D(0)) + cost
        sums[key][f"{currency} {unit} cost"] = cost
        sums[key][f"{currency} {unit} usage"] = usage
    assert len(rows) == len(sums) == 2 * 2
    for r in rows:
        expected = sums[(day(r["metric_time__year"]), r["company"])]
        for currency in ("USD", "CAD", "EUR"):
            assert number(r[f"cost_{currency.lower()}"]) == expected.get(currency)
        if "USD kWh cost" in expected:
            per_kwh = expected["USD kWh cost"] / expected["USD kWh usage"]
            per_gal = expected["USD gal cost"] / expected["USD gal usage"]
            assert float(r["cost_per_kwh_usd"]) == pytest.approx(float(per_kwh))
            assert float(r["cost_per_gal_usd"]) == pytest.approx(float(per_gal))
        else:
            assert r["cost_per_kwh_usd"] == r["cost_per_gal_usd"] == ""
    # C1's unassigned meter bills in EUR: its own metric, never in USD.
    eur = {r["company"]: r["cost_eur"] for r in rows}
    assert number(eur["C1"]) is not None and eur["C2"] == ""


@pytest.mark.e2e
def test_year_over_year_change_uses_the_same_months_a_year_earlier(
    built: tuple[Path, str],
) -> None:
    project, database = built
    rows = mf_query(
        project,
        database,
        "--metrics",
        "usage_kwh,usage_kwh_prior_year,usage_kwh_yoy_change,usage_kwh_yoy_growth",
        "--group-by",
        "metric_time__year",
        "--where",
        "{{ TimeDimension('metric_time', 'year') }} = '2026-01-01'",
    )
    assert len(rows) == 1
    yearly = dict(
        sql(
            database,
            "select year(month), sum(usage) from marts.fct_meter_monthly "
            "where usage_unit = 'kWh' group by all",
        )
    )
    row = rows[0]
    assert number(row["usage_kwh"]) == yearly[2026]
    assert number(row["usage_kwh_prior_year"]) == yearly[2025]
    assert number(row["usage_kwh_yoy_change"]) == yearly[2026] - yearly[2025]
    growth = (yearly[2026] - yearly[2025]) / yearly[2025]
    assert float(row["usage_kwh_yoy_growth"]) == pytest.approx(float(growth))


@pytest.mark.e2e
def test_energy_use_intensity_per_square_foot_where_floor_area_is_known(
    built: tuple[Path, str],
) -> None:
    project, database = built
    rows = mf_query(
        project,
        database,
        "--metrics",
        "energy_use_intensity,floor_area_sqft,floor_area_site_energy_kwh",
        "--group-by",
        "metric_time__year,site",
    )
    energy = {
        (day(year), site): kwh
        for year, site, kwh in sql(
            database,
            "select date_trunc('year', month), site_id, sum(usage) "
            "from marts.fct_meter_monthly where usage_unit = 'kWh' "
            "and site_id is not null group by all",
        )
    }
    area = {"S1": D(1000) * SQ_FT_PER_SQ_M, "S2": D(20000)}
    found = {(day(r["metric_time__year"]), r["site"]): r for r in rows}
    # S3 (floor area unknown) and the unassigned meter are left out.
    assert set(found) == {(y, s) for y in ("2025-01-01", "2026-01-01") for s in area}
    for (year, site), r in found.items():
        # Floor area counts once per site over the year's months.
        assert number(r["floor_area_sqft"]) == area[site]
        assert number(r["floor_area_site_energy_kwh"]) == energy[(year, site)]
        assert float(r["energy_use_intensity"]) == pytest.approx(
            float(energy[(year, site)] / area[site])
        )
    # The whole portfolio: the energy of S1 and S2 over their floor areas.
    total = mf_query(
        project, database, "--metrics", "energy_use_intensity,floor_area_sqft"
    )
    assert number(total[0]["floor_area_sqft"]) == sum(area.values())
    known = sum(kwh for (_, site), kwh in energy.items() if site in area)
    assert float(total[0]["energy_use_intensity"]) == pytest.approx(
        float(known / sum(area.values()))
    )


@pytest.mark.e2e
def test_data_coverage_and_a_tag_filter(built: tuple[Path, str]) -> None:
    project, database = built
    rows = mf_query(
        project,
        database,
        "--metrics",
        "data_coverage,coverage_covered_days,coverage_required_days",
        "--group-by",
        "company",
    )
    coverage = {
        company: (covered, required)
        for company, covered, required in sql(
            database,
            "select company_id, sum(covered_days), sum(required_days) "
            "from marts.dq_meter_month_coverage group by all",
        )
    }
    assert {r["company"] for r in rows} == set(coverage) == {"C1", "C2"}
    for r in rows:
        covered, required = coverage[r["company"]]
        assert int(r["coverage_covered_days"]) == covered
        assert int(r["coverage_required_days"]) == required
        assert float(r["data_coverage"]) == pytest.approx(covered / required)
    # 2025-03 to 2025-12 have no bill: coverage is well below 1.
    assert all(float(r["data_coverage"]) < 0.6 for r in rows)

    hvac = mf_query(
        project,
        database,
        "--metrics",
        "usage_kwh",
        "--where",
        "list_contains(string_split({{ Dimension('meter__tags') }}, ', '), 'HVAC')",
    )
    expected = sql(
        database,
        "select sum(usage) from marts.fct_meter_monthly where usage_unit = 'kWh' "
        "and meter_id in (select meter_id from marts.dim_meter_tags "
        "where tag_name = 'HVAC')",
    )
    assert number(hvac[0]["usage_kwh"]) == expected[0][0]
    assert expected[0][0] is not None and expected[0][0] > 0


@pytest.mark.e2e
def test_emissions_and_energy_metrics_equal_the_carbon_marts(
    built: tuple[Path, str],
) -> None:
    """CO2e adds only the site-months with a figure, and the activity left out
    is its own metric (a missing factor is never a zero); site and source
    energy and the EUIs are the marts' sums."""
    project, database = built
    rows = mf_query(
        project,
        database,
        "--metrics",
        "co2e_location_kg,co2e_market_kg,emissions_activity_kwh,"
        "activity_without_location_factor_kwh,co2e_location_share_with_factor",
        "--group-by",
        "metric_time__year,company",
    )
    expected = {
        (day(year), company): values
        for year, company, *values in sql(
            database,
            "select date_trunc('year', month), company_id, "
            "sum(co2e_location_kg), sum(co2e_market_kg), sum(activity_kwh), "
            "sum(case when co2e_location_kg is null then activity_kwh else 0 end), "
            "sum(case when co2e_location_kg is not null then activity_kwh else 0 "
            "end) from marts.fct_site_monthly_emissions group by all",
        )
    }
    found = {(day(r["metric_time__year"]), r["company"]): r for r in rows}
    assert set(found) == set(expected)
    assert expected, "the portfolio has emissions"
    for key, (location, market, activity, without, with_factor) in expected.items():
        r = found[key]
        assert number(r["co2e_location_kg"]) == location, key
        assert number(r["co2e_market_kg"]) == market, key
        assert number(r["emissions_activity_kwh"]) == activity, key
        assert number(r["activity_without_location_factor_kwh"]) == without, key
        share = r["co2e_location_share_with_factor"]
        if activity:
            assert float(share) == pytest.approx(float(with_factor / activity))
        if location is None:  # no factor at all: empty, never 0
            assert r["co2e_location_kg"] == ""

    energy = mf_query(
        project,
        database,
        "--metrics",
        "site_energy_kbtu,source_energy_kbtu,activity_without_source_ratio_kwh",
        "--group-by",
        "site",
    )
    sums = {
        site: values
        for site, *values in sql(
            database,
            "select site_id, sum(site_energy_kbtu), sum(source_energy_kbtu), "
            "sum(case when source_energy_kbtu is null then activity_kwh else 0 end) "
            "from marts.fct_meter_monthly_energy group by all",
        )
    }
    got = {r["site"] or None: r for r in energy}
    assert set(got) == set(sums)
    for site, (site_kbtu, source_kbtu, without) in sums.items():
        assert number(got[site]["site_energy_kbtu"]) == site_kbtu, site
        assert number(got[site]["source_energy_kbtu"]) == source_kbtu, site
        assert number(got[site]["activity_without_source_ratio_kwh"]) == without

    eui = mf_query(
        project,
        database,
        "--metrics",
        "site_eui_trailing_12_months,eui_site_floor_area_ft2",
        "--group-by",
        "site",
        "--where",
        "{{ Dimension('site_period__period_type') }} = 'trailing_12_months'",
    )
    ratios = {
        site: (energy_kbtu, area)
        for site, energy_kbtu, area in sql(
            database,
            "select site_id, sum(site_energy_kbtu) filter "
            "(where site_eui_kbtu_per_ft2 is not null), "
            "sum(gross_floor_area_ft2) filter "
            "(where site_eui_kbtu_per_ft2 is not null) "
            "from marts.fct_site_energy_performance "
            "where period_type = 'trailing_12_months' group by all",
        )
    }
    assert {r["site"] for r in eui} == set(ratios)
    for r in eui:
        energy_kbtu, area = ratios[r["site"]]
        assert number(r["eui_site_floor_area_ft2"]) == area
        if area:
            assert float(r["site_eui_trailing_12_months"]) == pytest.approx(
                float(energy_kbtu / area)
            )
        else:  # no complete period with a floor area: no EUI, not 0
            assert r["site_eui_trailing_12_months"] == ""
