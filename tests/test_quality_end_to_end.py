"""End to end: the data-quality findings of a hand-built portfolio, exactly.

One company (fraction 0.75 of implied sewer) with four sites, run as of
2025-01-31:

- QS1 (10,000 ft2): electricity QE1 billed every calendar month of 2024 and
  January 2025 (1,000 kWh, twice that in January 2025: a +100% anomaly; a
  150 kW peak in March; February an estimated read), and water QW1 with a
  missing April (a 30-day gap), an overlap, a short and a long bill, and no
  bill after August (missing months up to the as-of date). No sewer meter:
  its water implies sewer.
- QS2 (5,000 ft2) mirrors QS1: electricity QE2 billed January to June 2024,
  June twice (a duplicate bill and a 30-day overlap); July 2024 to January
  2025 are estimated from QS1 at half its usage. QE1 and QE2 share an
  account identifier (a duplicate-meter candidate).
- QS3 has a metered sewer (no implied sewer there) and gas QG5 on an
  OLD_ACCOUNT account (its window ends at its last bill).
- QS4 is archived on 2024-06-30: its window ends there; a July bill does not
  count.

The expected findings below are worked out by hand from these bills.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import isolated_dbt_env, run_pipeline, write_landing

pytestmark = pytest.mark.e2e

AS_OF = "2025-01-31"
D = Decimal
Row = dict[str, Any]


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _months(first: date, count: int) -> list[date]:
    months = []
    year, month = first.year, first.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


BILLS: list[tuple[str, str, str, date, date, str, str, str]] = []
"""(bill, meter, account, start, end, usage, demand, is_estimated)"""

for first in _months(date(2024, 1, 1), 13):
    usage = "2000" if first.year == 2025 else "1000"
    demand = "150 kW" if first == date(2024, 3, 1) else "100"
    estimated = "yes" if first == date(2024, 2, 1) else ""
    BILLS.append(
        (f"B-E1-{first:%Y%m}", "QE1", "QA1", first, _month_end(first), usage,
         demand, estimated)
    )  # fmt: skip
for start, end in [
    (date(2024, 1, 1), date(2024, 1, 31)),
    (date(2024, 2, 1), date(2024, 2, 29)),
    (date(2024, 3, 1), date(2024, 3, 31)),
    (date(2024, 5, 1), date(2024, 5, 31)),  # after a gap: April
    (date(2024, 5, 20), date(2024, 6, 15)),  # overlaps May by 12 days
    (date(2024, 6, 16), date(2024, 6, 30)),  # short: 15 days
    (date(2024, 7, 1), date(2024, 8, 11)),  # long: 42 days
    (date(2024, 8, 11), date(2024, 8, 31)),  # a shared boundary day
]:
    BILLS.append((f"B-W1-{start:%Y%m%d}", "QW1", "QA1", start, end, "3000", "", ""))
for first in _months(date(2024, 1, 1), 6):
    BILLS.append(
        (f"B-E2-{first:%Y%m}", "QE2", "QA1", first, _month_end(first), "500", "", "")
    )
BILLS.append(
    ("B-E2-202406-DUP", "QE2", "QA1", date(2024, 6, 1), date(2024, 6, 30), "500",
     "", "")
)  # fmt: skip
BILLS.append(("B-W3", "QW3", "QA1", date(2024, 1, 1), date(2024, 1, 31), "100", "", ""))
BILLS.append(("B-X3", "QX3", "QA1", date(2024, 1, 1), date(2024, 1, 31), "90", "", ""))
for first in _months(date(2024, 1, 1), 3):
    BILLS.append(
        (f"B-G5-{first:%Y%m}", "QG5", "QA2", first, _month_end(first), "10", "", "")
    )
for first in _months(date(2024, 1, 1), 7):  # July is after the stop date
    BILLS.append(
        (f"B-E4-{first:%Y%m}", "QE4", "QA1", first, _month_end(first), "70", "", "")
    )


def _landing() -> dict[str, list[Row]]:
    def site(site_id: str, name: str, area: str, stop: str, mirror: str) -> Row:
        return {
            "id": site_id,
            "company_id": "Q1",
            "name": name,
            "address": "",
            "city": "",
            "region": "",
            "postal_code": "",
            "country": "US",
            "gross_floor_area": area,
            "data_collection_stop_date": stop,
            "mirror_site_id": mirror,
            "gross_floor_area_units": "",
        }

    def meter(meter_id: str, account: str, site_id: str, commodity: str) -> Row:
        return {
            "id": meter_id,
            "company_id": "Q1",
            "account_id": account,
            "site_id": site_id,
            "datasource_type": commodity,
            "is_tracked": "",
            "is_duplicated": "",
            "service_address": "",
        }

    def account(account_id: str, status: str) -> Row:
        return {
            "id": account_id,
            "company_id": "Q1",
            "connection_id": "",
            "account_number": account_id,
            "provider_name": "Utility",
            "status": status,
            "active_account_id": "",
            "primary_identifier_type": "",
            "secondary_identifier_type": "",
        }

    meters = {
        "QE1": ("QA1", "QS1", "ELECTRICITY"),
        "QW1": ("QA1", "QS1", "WATER"),
        "QE2": ("QA1", "QS2", "ELECTRICITY"),
        "QW3": ("QA1", "QS3", "WATER"),
        "QX3": ("QA1", "QS3", "SEWER"),
        "QG5": ("QA2", "QS3", "GAS"),
        "QE4": ("QA1", "QS4", "ELECTRICITY"),
    }
    units = {"ELECTRICITY": "kWh", "WATER": "gal", "SEWER": "gal", "GAS": "kWh"}
    # One account bills several meters: distinct charges per meter keep
    # their separate bills from looking like duplicates of each other.
    charges = {"QE1": "100", "QW1": "30", "QE2": "50", "QW3": "5", "QX3": "4"}
    charges |= {"QG5": "7", "QE4": "20"}
    return {
        "companies": [
            {"id": "Q1", "name": "Quality Co", "implied_sewer_fraction": "0.75"}
        ],
        "sites": [
            site("QS1", "HQ", "10,000", "", ""),
            site("QS2", "Branch", "5000", "", "QS1"),
            site("QS3", "Plant", "", "", ""),
            site("QS4", "Old store", "", "2024-06-30", ""),
        ],
        "accounts": [account("QA1", "ONBOARDED"), account("QA2", "OLD_ACCOUNT")],
        "meters": [meter(m, *spec) for m, spec in meters.items()],
        "meter_identifiers": [
            {"meter_id": m, "identifier_type": "METER", "value": f"{m}-1"}
            for m in meters
        ]
        + [
            {"meter_id": "QE1", "identifier_type": "ACCOUNT", "value": "QACC-1"},
            {"meter_id": "QE2", "identifier_type": "account", "value": "qacc 1"},
        ],
        "documents": [
            {
                "id": bill,
                "account_id": account_id,
                "start_date": start.isoformat(),
                "bill_date": end.isoformat(),
                "total_charges": charges[meter_id],
                "current_charges": charges[meter_id],
                "charges_units": "USD",
                "revised_document_id": "",
            }
            for bill, meter_id, account_id, start, end, *_ in BILLS
        ],
        "usage_data": [
            {
                "id": f"U-{bill}",
                "document_id": bill,
                "meter_id": meter_id,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "raw_usage": usage,
                "raw_usage_units": units[meters[meter_id][2]],
                "standard_usage": "",
                "exclusion": "",
                "net_metering_type": "",
                "demand": demand,
                "extracted_identifiers": "",
                "is_estimated": estimated,
            }
            for bill, meter_id, _, start, end, usage, demand, estimated in BILLS
        ],
    }


@pytest.fixture(scope="module")
def quality_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    base = tmp_path_factory.mktemp("quality")
    raw_dir = write_landing(base / "raw", _landing())
    database = base / "warehouse.duckdb"
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
    return database, completed


@pytest.fixture(scope="module")
def db(
    quality_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> Iterator[duckdb.DuckDBPyConnection]:
    database, completed = quality_run
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    con = duckdb.connect(str(database), read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def m(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def test_findings_warn_and_never_fail_the_build(
    quality_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _, completed = quality_run
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    assert "quality gate passed" in completed.stdout
    assert " 0 warned" not in completed.stdout


def test_coverage(db: duckdb.DuckDBPyConnection) -> None:
    found = {
        (meter, month.strftime("%Y-%m")): (required, covered, status)
        for meter, month, required, covered, status in rows(
            db,
            "select meter_id, month, required_days, covered_days, status "
            "from marts.dq_meter_month_coverage",
        )
    }
    expected: dict[tuple[str, str], tuple[int, int, str]] = {}
    months = _months(date(2024, 1, 1), 13)
    for first in months:
        days = (_month_end(first) - first).days + 1
        key = first.strftime("%Y-%m")
        expected[("QE1", key)] = (days, days, "complete")
        water = first <= date(2024, 8, 1) and first != date(2024, 4, 1)
        expected[("QW1", key)] = (
            (days, days, "complete") if water else (days, 0, "missing")
        )
        expected[("QE2", key)] = (
            (days, days, "complete")
            if first <= date(2024, 6, 1)
            else (days, 0, "missing")
        )
        for meter in ("QW3", "QX3"):
            expected[(meter, key)] = (
                (days, days, "complete") if first.month == 1 and first.year == 2024
                else (days, 0, "missing")
            )  # fmt: skip
    for first in months[:6]:  # archived on 2024-06-30
        days = (_month_end(first) - first).days + 1
        expected[("QE4", first.strftime("%Y-%m"))] = (days, days, "complete")
    for first in months[:3]:  # OLD_ACCOUNT: to its last bill
        days = (_month_end(first) - first).days + 1
        expected[("QG5", first.strftime("%Y-%m"))] = (days, days, "complete")
    assert found == expected


def test_energy_star_readiness(db: duckdb.DuckDBPyConnection) -> None:
    assert {
        (site, commodity): (latest, ready_through, ready)
        for site, commodity, latest, ready_through, ready in rows(
            db,
            "select site_id, commodity, latest_complete_month, ready_through, "
            "is_energy_star_ready from marts.dq_site_energy_star_readiness",
        )
    } == {
        ("QS1", "ELECTRICITY"): (m("2025-01"), m("2025-01"), True),
        ("QS1", "WATER"): (m("2024-08"), None, False),
        ("QS2", "ELECTRICITY"): (m("2024-06"), None, False),
        ("QS3", "GAS"): (m("2024-03"), None, False),
        ("QS3", "SEWER"): (m("2024-01"), None, False),
        ("QS3", "WATER"): (m("2024-01"), None, False),
        ("QS4", "ELECTRICITY"): (m("2024-06"), None, False),
    }


def test_bill_period_issues(db: duckdb.DuckDBPyConnection) -> None:
    assert sorted(
        rows(
            db,
            "select meter_id, document_id, issue_type, issue_days, period_start, "
            "period_end from marts.dq_bill_period_issues",
        )
    ) == sorted(
        [
            ("QW1", "B-W1-20240501", "gap", 30, date(2024, 4, 1), date(2024, 4, 30)),
            ("QW1", "B-W1-20240520", "overlap", 12, date(2024, 5, 20),
             date(2024, 5, 31)),
            ("QW1", "B-W1-20240616", "short_period", 15, date(2024, 6, 16),
             date(2024, 6, 30)),
            ("QW1", "B-W1-20240701", "long_period", 42, date(2024, 7, 1),
             date(2024, 8, 11)),
            ("QE2", "B-E2-202406-DUP", "overlap", 30, date(2024, 6, 1),
             date(2024, 6, 30)),
        ]
    )  # fmt: skip


def test_duplicate_candidates(db: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        db,
        "select document_id, duplicate_of_document_id, account_id "
        "from marts.dq_duplicate_bill_candidates",
    ) == [("B-E2-202406-DUP", "B-E2-202406", "QA1")]
    assert rows(
        db,
        "select meter_id, duplicate_of_meter_id, company_id, identifier_type, "
        "normalized_value from marts.dq_duplicate_meter_candidates",
    ) == [("QE2", "QE1", "Q1", "ACCOUNT", "QACC1")]


def test_usage_anomalies(db: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        db,
        "select meter_id, month, usage, usage_prior_year, change_ratio "
        "from marts.dq_usage_anomalies",
    ) == [("QE1", m("2025-01"), D("2000"), D("1000"), D("1"))]


def test_peak_demand_and_estimated_usage(db: duckdb.DuckDBPyConnection) -> None:
    found = {
        month.strftime("%Y-%m"): (peak, estimated)
        for month, peak, estimated in rows(
            db,
            "select month, peak_demand_kw, estimated_usage from "
            "marts.fct_meter_monthly where meter_id = 'QE1'",
        )
    }
    assert found["2024-03"] == (D("150"), D("0"))
    assert found["2024-02"] == (D("100"), D("1000"))
    assert found["2024-04"] == (D("100"), D("0"))
    assert rows(
        db,
        "select count(*) from marts.fct_meter_monthly "
        "where meter_id = 'QW1' and peak_demand_kw is not null",
    ) == [(0,)]


def test_implied_sewer(db: duckdb.DuckDBPyConnection) -> None:
    found = {
        month.strftime("%Y-%m"): usage
        for site, month, usage in rows(
            db,
            "select site_id, month, usage from marts.fct_implied_sewer_monthly",
        )
        if site == "QS1"
    }
    # 0.75 x 3,000 = 2,250 gal per water bill, calendarized like the bill:
    # May 20 - Jun 15 puts 12 of 27 days in May (1,000) and 15 in June
    # (1,250); Jul 1 - Aug 11 puts 31 of 42 days in July.
    assert found == {
        "2024-01": D("2250"),
        "2024-02": D("2250"),
        "2024-03": D("2250"),
        "2024-05": D("3250"),
        "2024-06": D("3500"),
        "2024-07": D("1660.714286"),
        "2024-08": D("2839.285714"),
    }
    assert rows(db, "select distinct site_id from marts.fct_implied_sewer_monthly") == [
        ("QS1",)
    ]
    # In the portfolio: SEWER rows flagged is_implied, cost 0, counting QW1.
    assert rows(
        db,
        "select commodity, sum(usage), sum(cost), max(meter_count) "
        "from marts.fct_portfolio_monthly where is_implied group by commodity",
    ) == [("SEWER", D("18000"), D("0"), 1)]
    assert rows(
        db,
        "select count(*) from marts.rpt_portfolio_filtered where is_implied",
    ) == [(0,)]


def test_mirror_site_estimates(db: duckdb.DuckDBPyConnection) -> None:
    found = {
        month.strftime("%Y-%m"): (site, mirror, commodity, usage, scale, flag)
        for site, mirror, commodity, month, usage, scale, flag in rows(
            db,
            "select site_id, mirror_site_id, commodity, month, estimated_usage, "
            "scale_factor, is_estimated from marts.fct_site_monthly_estimated",
        )
    }
    expected = {
        first.strftime("%Y-%m"): (
            "QS2",
            "QS1",
            "ELECTRICITY",
            D("1000") if first.year == 2025 else D("500"),
            D("0.5"),
            True,
        )
        for first in _months(date(2024, 7, 1), 7)
    }
    assert found == expected
    assert rows(
        db,
        "select count(*) from marts.fct_portfolio_monthly where site_id = 'QS2' "
        "and month >= date '2024-07-01'",
    ) == [(0,)]
