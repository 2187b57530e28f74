"""Tests of ``pipeline.py quality`` on a warehouse built from a known landing.

The landing is the hand-built portfolio of ``test_quality_end_to_end`` (company
Q1, sites QS1-QS4, run as of 2025-01-31; its findings are worked out there),
plus a second company so that filters and the whole-warehouse ledgers have
something to tell apart:

- Q2 (no implied sewer) with site QS9 "Annex" (floor area ``-1200``: a field
  issue, out of range; an unparseable one in one site of three would fail the
  unparsed-share gate), account QA9 and electricity meter QE9 billed in
  November 2024 and January 2025: December is a 31-day gap and a missing
  meter-month, and QS9 is not ENERGY STAR ready;
- a Q2 bill in EUR without any meter (an unattributed bill of 75 EUR);
- two quarantined records: a QE9 identifier without a value
  (``missing_value``) and a usage row naming no bill (``orphan_document``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import (
    copy_of,
    held_for_writing,
    isolated_dbt_env,
    run_pipeline,
    write_landing,
)
from test_quality_end_to_end import AS_OF, _landing
from utility_warehouse import cli
from utility_warehouse.quality import (
    QualityError,
    QualityFilters,
    build_report,
    month_runs,
    render_table,
    window_months,
)
from utility_warehouse.reading import last_complete_month

pytestmark = pytest.mark.e2e

Row = dict[str, Any]


def _landing_with_a_second_company() -> dict[str, list[Row]]:
    landing = _landing()
    landing["companies"].append(
        {"id": "Q2", "name": "Second Co", "implied_sewer_fraction": ""}
    )
    site = dict(landing["sites"][0])
    site.update(id="QS9", company_id="Q2", name="Annex", gross_floor_area="-1200")
    landing["sites"].append(site)
    account = dict(landing["accounts"][0])
    account.update(id="QA9", company_id="Q2", account_number="QA9")
    landing["accounts"].append(account)
    meter = dict(landing["meters"][0])
    meter.update(id="QE9", company_id="Q2", account_id="QA9", site_id="QS9")
    meter.update(datasource_type="ELECTRICITY")
    landing["meters"].append(meter)
    landing["meter_identifiers"] += [
        {"meter_id": "QE9", "identifier_type": "METER", "value": "QE9-1"},
        {"meter_id": "QE9", "identifier_type": "METER", "value": ""},
    ]
    template = landing["documents"][0]
    for bill, start, end, charges, currency in [
        ("B-E9-202411", "2024-11-01", "2024-11-30", "100", "USD"),
        ("B-E9-202501", "2025-01-01", "2025-01-31", "100", "USD"),
        ("B-Q2-NO-METER", "2024-12-01", "2024-12-31", "75", "EUR"),
    ]:
        document = dict(template)
        document.update(id=bill, account_id="QA9", start_date=start, bill_date=end)
        document.update(total_charges=charges, current_charges=charges)
        document.update(charges_units=currency)
        landing["documents"].append(document)
    template = landing["usage_data"][0]
    for usage_id, bill, start, end in [
        ("U-B-E9-202411", "B-E9-202411", "2024-11-01", "2024-11-30"),
        ("U-B-E9-202501", "B-E9-202501", "2025-01-01", "2025-01-31"),
        ("U-ORPHAN", "B-NO-SUCH-BILL", "2025-01-01", "2025-01-31"),
    ]:
        usage = dict(template)
        usage.update(id=usage_id, document_id=bill, meter_id="QE9")
        usage.update(start_date=start, end_date=end, raw_usage="1000")
        usage.update(demand="", is_estimated="")
        landing["usage_data"].append(usage)
    return landing


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("quality_cli")
    raw_dir = write_landing(base / "raw", _landing_with_a_second_company())
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
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    return database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pipeline.py quality`` in-process; argparse exits become exit codes."""
    try:
        code = cli.main(["quality", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def report_json(
    capsys: pytest.CaptureFixture[str], database: Path, *argv: str
) -> dict[str, Any]:
    code, out, err = run(capsys, "--database", str(database), "--format", "json", *argv)
    assert code == 0, err
    report = json.loads(out)
    assert isinstance(report, dict)
    return report


def counts(report: dict[str, Any]) -> dict[str, Any]:
    """finding -> count, or (count, amount, unit) for the findings with amounts;
    a finding with several units or currencies maps to a list of those."""
    found: dict[str, Any] = {}
    for row in report["counts"]:
        if row["finding"].startswith("review"):
            continue  # the review queue's counts: see review_counts
        if row["amount"] is None and row["unit"] is None:
            found[row["finding"]] = row["count"]
        else:  # an amount is an exact decimal, a string in JSON
            amount = None if row["amount"] is None else Decimal(row["amount"])
            found.setdefault(row["finding"], []).append(
                (row["count"], amount, row["unit"])
            )
    return found


WHOLE_WAREHOUSE_COUNTS = {
    # QW1: April and September to January; QE2: July to January; QW3 and QX3:
    # February to January; QE9: December.
    "coverage_partial": 0,
    "coverage_missing": 6 + 7 + 12 + 12 + 1,
    "energy_star_not_ready": 7,
    "bill_period_gap": 2,
    "bill_period_overlap": 2,
    "bill_period_short_period": 1,
    "bill_period_long_period": 1,
    "bill_period_future_period": 0,
    "duplicate_bill": 1,
    "duplicate_meter": 1,
    "usage_anomaly": 1,
    # 0.75 x the counted water of QS1, in 7 months; QS2's 7 months of QE1
    # halved (500 a month in 2024, 1,000 in January 2025); QE1's February.
    "implied_sewer": [(7, 18000, "gal")],
    "mirror_estimate": [(7, 4000, "kWh")],
    "estimated_read": [(1, 1000, "kWh")],
    "unattributed_bill": [(1, 75, "EUR")],
    "field_issue": 1,
    "quarantined": 2,
}

NOT_READY = [
    # company, site, name, commodity, latest complete month, missing months
    ("Q1", "QS1", "HQ", "WATER", "2024-08", ["2024-04", "2024-09", "2024-10",
     "2024-11", "2024-12", "2025-01"]),
    ("Q1", "QS2", "Branch", "ELECTRICITY", "2024-06", ["2024-07", "2024-08",
     "2024-09", "2024-10", "2024-11", "2024-12", "2025-01"]),
    ("Q1", "QS3", "Plant", "GAS", "2024-03", ["2024-04", "2024-05", "2024-06",
     "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12",
     "2025-01"]),
    ("Q1", "QS3", "Plant", "SEWER", "2024-01", [f"2024-{m:02d}" for m in
     range(2, 13)] + ["2025-01"]),
    ("Q1", "QS3", "Plant", "WATER", "2024-01", [f"2024-{m:02d}" for m in
     range(2, 13)] + ["2025-01"]),
    # Archived on 2024-06-30: the months after are absent, so not complete.
    ("Q1", "QS4", "Old store", "ELECTRICITY", "2024-06", ["2024-07", "2024-08",
     "2024-09", "2024-10", "2024-11", "2024-12", "2025-01"]),
    ("Q2", "QS9", "Annex", "ELECTRICITY", "2025-01", [f"2024-{m:02d}" for m in
     range(2, 11)] + ["2024-12"]),
]  # fmt: skip

GAPS_AND_OVERLAPS = [
    # type, days, meter, site, commodity, bill, first day, last day
    ("gap", 31, "QE9", "QS9", "ELECTRICITY", "B-E9-202501", "2024-12-01",
     "2024-12-31"),
    ("overlap", 30, "QE2", "QS2", "ELECTRICITY", "B-E2-202406-DUP", "2024-06-01",
     "2024-06-30"),
    ("gap", 30, "QW1", "QS1", "WATER", "B-W1-20240501", "2024-04-01",
     "2024-04-30"),
    ("overlap", 12, "QW1", "QS1", "WATER", "B-W1-20240520", "2024-05-20",
     "2024-05-31"),
]  # fmt: skip

OTHER_PERIOD_ISSUES = [
    ("long_period", 42, "QW1", "QS1", "WATER", "B-W1-20240701", "2024-07-01",
     "2024-08-11"),
    ("short_period", 15, "QW1", "QS1", "WATER", "B-W1-20240616", "2024-06-16",
     "2024-06-30"),
]  # fmt: skip

DUPLICATE_BILL = {
    "document_id": "B-E2-202406-DUP",
    "duplicate_of_document_id": "B-E2-202406",
    "account_id": "QA1",
    "start_date": "2024-06-01",
    "bill_date": "2024-06-30",
    "current_charges": "50.000000",  # exact decimals are strings in JSON
    "currency": "USD",
}

DUPLICATE_METER = {
    "meter_id": "QE2",
    "site_id": "QS2",
    "duplicate_of_meter_id": "QE1",
    "duplicate_of_site_id": "QS1",
    "company_id": "Q1",
    "identifiers": [{"identifier_type": "ACCOUNT", "normalized_value": "QACC1"}],
}

ANOMALY = {
    "meter_id": "QE1",
    "site_id": "QS1",
    "company_id": "Q1",
    "commodity": "ELECTRICITY",
    "month": "2025-01",
    "usage": "2000.000000",
    "usage_prior_year": "1000.000000",
    "change_ratio": "1.000000",
    "usage_unit": "kWh",
}

FIELD_ISSUES = [
    {"entity": "sites", "column_name": "gross_floor_area", "reason": "out_of_range",
     "count": 1},
]  # fmt: skip
QUARANTINE = [
    {"entity": "meter_identifiers", "reason": "missing_value", "count": 1},
    {"entity": "usage_data", "reason": "orphan_document", "count": 1},
]


def not_ready(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            row["company_id"],
            row["site_id"],
            row["site_name"],
            row["commodity"],
            row["latest_complete_month"],
            row["missing_months"],
        )
        for row in report["energy_star_not_ready"]["rows"]
    ]


def period_issues(report: dict[str, Any], key: str) -> list[tuple[Any, ...]]:
    return [
        (
            row["issue_type"],
            row["issue_days"],
            row["meter_id"],
            row["site_id"],
            row["commodity"],
            row["document_id"],
            row["period_start"],
            row["period_end"],
        )
        for row in report[key]["rows"]
    ]


# --- the whole warehouse ---------------------------------------------------------


def test_counts_per_kind_of_finding(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse)
    assert counts(report) == WHOLE_WAREHOUSE_COUNTS
    assert [
        row["finding"]
        for row in report["counts"]
        if not row["finding"].startswith("review")
    ] == list(WHOLE_WAREHOUSE_COUNTS)
    assert all(row["built"] for row in report["counts"])
    assert report["as_of_date"] == AS_OF
    assert report["as_of_source"] == "latest run"
    assert report["window"] == {"from": "2024-02", "to": "2025-01"}
    assert report["filters"] == {"company": None, "sites": []}


def test_sites_not_energy_star_ready_with_the_months_they_miss(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse)
    assert not_ready(report) == NOT_READY
    section = report["energy_star_not_ready"]
    assert section["total"] == len(NOT_READY)
    assert [row["missing_month_count"] for row in section["rows"]] == [
        len(row[5]) for row in NOT_READY
    ]


def test_gaps_overlaps_and_other_period_issues(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse)
    assert period_issues(report, "gaps_and_overlaps") == GAPS_AND_OVERLAPS
    assert report["gaps_and_overlaps"]["total"] == 4
    assert period_issues(report, "other_period_issues") == OTHER_PERIOD_ISSUES
    assert {row["company_id"] for row in report["gaps_and_overlaps"]["rows"]} == {
        "Q1",
        "Q2",
    }


def test_duplicates_and_anomalies(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse)
    assert report["duplicate_bills"]["rows"] == [DUPLICATE_BILL]
    assert report["duplicate_meters"]["rows"] == [DUPLICATE_METER]
    assert report["usage_anomalies"]["rows"] == [ANOMALY]


def test_field_issues_and_quarantine_of_the_whole_warehouse(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse)
    assert report["field_issues"]["rows"] == FIELD_ISSUES
    assert report["quarantine"]["rows"] == QUARANTINE
    assert report["field_issues"]["scope"] == "warehouse"
    assert report["quarantine"]["records"] == 2


# --- filters ----------------------------------------------------------------------


def test_company_filter(capsys: pytest.CaptureFixture[str], warehouse: Path) -> None:
    report = report_json(capsys, warehouse, "--company", "Q2")
    assert counts(report) == {
        **{key: 0 for key, value in WHOLE_WAREHOUSE_COUNTS.items()},
        "coverage_missing": 1,
        "energy_star_not_ready": 1,
        "bill_period_gap": 1,
        "implied_sewer": 0,
        "mirror_estimate": 0,
        "estimated_read": 0,
        "unattributed_bill": [(1, 75, "EUR")],
        # The ledgers have no company: always the whole warehouse.
        "field_issue": 1,
        "quarantined": 2,
    }
    assert not_ready(report) == NOT_READY[-1:]
    assert period_issues(report, "gaps_and_overlaps") == GAPS_AND_OVERLAPS[:1]
    for key in ("other_period_issues", "duplicate_bills", "duplicate_meters"):
        assert report[key]["rows"] == []
    assert report["usage_anomalies"]["rows"] == []
    assert report["field_issues"]["rows"] == FIELD_ISSUES
    assert report["quarantine"]["rows"] == QUARANTINE
    q1 = counts(report_json(capsys, warehouse, "--company", "Q1"))
    assert q1["mirror_estimate"] == [(7, 4000, "kWh")]
    assert q1["unattributed_bill"] == 0
    assert q1["coverage_missing"] == 37


def test_site_filter(capsys: pytest.CaptureFixture[str], warehouse: Path) -> None:
    report = report_json(capsys, warehouse, "--site", "QS1")
    assert counts(report) == {
        **WHOLE_WAREHOUSE_COUNTS,
        "coverage_missing": 6,
        "energy_star_not_ready": 1,
        "bill_period_gap": 1,
        "bill_period_overlap": 1,
        # B-E2-202406(-DUP) bill QE2 at QS2; the meter pair has QE1 at QS1.
        "duplicate_bill": 0,
        "mirror_estimate": 0,
        # Unattributed bills have no site: those of QS1's company, Q1: none.
        "unattributed_bill": 0,
    }
    assert not_ready(report) == NOT_READY[:1]
    assert period_issues(report, "gaps_and_overlaps") == [
        GAPS_AND_OVERLAPS[2],
        GAPS_AND_OVERLAPS[3],
    ]
    assert report["duplicate_meters"]["rows"] == [DUPLICATE_METER]
    assert report["usage_anomalies"]["rows"] == [ANOMALY]

    report = report_json(capsys, warehouse, "--site", "QS2", "--site", "QS9")
    assert report["filters"] == {"company": None, "sites": ["QS2", "QS9"]}
    assert counts(report) == {
        **{key: 0 for key in WHOLE_WAREHOUSE_COUNTS},
        "coverage_missing": 7 + 1,
        "energy_star_not_ready": 2,
        "bill_period_gap": 1,
        "bill_period_overlap": 1,
        "duplicate_bill": 1,
        "duplicate_meter": 1,
        "implied_sewer": 0,
        "mirror_estimate": [(7, 4000, "kWh")],
        "estimated_read": 0,
        "unattributed_bill": [(1, 75, "EUR")],
        "field_issue": 1,
        "quarantined": 2,
    }
    assert not_ready(report) == [NOT_READY[1], NOT_READY[-1]]
    assert report["duplicate_bills"]["rows"] == [DUPLICATE_BILL]


def test_company_and_site_filters_combine(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    # QS9 belongs to Q2: with Q1, nothing of a company or site is left.
    report = report_json(capsys, warehouse, "--company", "Q1", "--site", "QS9")
    found = counts(report)
    assert found["field_issue"] == 1 and found["quarantined"] == 2
    del found["field_issue"], found["quarantined"]
    assert set(found.values()) == {0}
    assert report["energy_star_not_ready"]["rows"] == []


def test_limit(capsys: pytest.CaptureFixture[str], warehouse: Path) -> None:
    report = report_json(capsys, warehouse, "--limit", "1")
    assert report["limit"] == 1
    assert period_issues(report, "gaps_and_overlaps") == GAPS_AND_OVERLAPS[:1]
    assert report["gaps_and_overlaps"]["total"] == 4
    assert period_issues(report, "other_period_issues") == OTHER_PERIOD_ISSUES[:1]
    # The counts and the not-ready sites are never cut.
    assert counts(report) == WHOLE_WAREHOUSE_COUNTS
    assert len(report["energy_star_not_ready"]["rows"]) == len(NOT_READY)
    code, out, _ = run(capsys, "--database", str(warehouse), "--limit", "1")
    assert code == 0
    assert "\n== Gaps and overlaps, most days first (4: 2 gaps, 2 overlaps) ==\n" in out
    assert "  \u2026 and 3 more\n" in out
    # Beyond any count (and DuckDB's BIGINT): everything.
    report = report_json(capsys, warehouse, "--limit", str(10**30))
    assert period_issues(report, "gaps_and_overlaps") == GAPS_AND_OVERLAPS


# --- formats ----------------------------------------------------------------------

TABLE = """\
as of 2025-01-31 (latest run); ENERGY STAR window 2024-02..2025-01
filters: none (the whole warehouse)

== Review queue: open action findings (2) ==
  finding_id        severity  kind               where and detail
  ----------------  --------  -----------------  ---------------------------------------------------
  74b9e9158b9bdd91  action    duplicate_bill     company Q1, bill B-E2-202406-DUP, 2024-06; same
                                                 account, dates and charges as bill B-E2-202406
  74191e46c4cf1992  action    unattributed_bill  company Q2, bill B-Q2-NO-METER, 2024-12;
                                                 no_meter_on_bill: 75.00 EUR

== Findings ==
  finding                                       count  amount  unit
  --------------------------------------------  -----  ------  ----
  meter-months partly covered                       0
  meter-months missing                             38
  site x commodity not ENERGY STAR ready            7
  bill period gaps                                  2
  bill period overlaps                              2
  short bill periods                                1
  long bill periods                                 1
  bill periods ending after the as-of date          0
  duplicate bill candidates (pairs)                 1
  duplicate meter candidates (pairs)                1
  usage anomalies (meter-months, year on year)      1
  implied sewer site-months                         7  18,000  gal
  mirror-estimated site x commodity months          7   4,000  kWh
  meter-months with estimated-read usage            1   1,000  kWh
  unattributed bills (no meter on the bill)         1   75.00  EUR
  field issues (whole warehouse)                    1
  quarantined records (whole warehouse)             2

== Review queue by severity, kind and status ==
  severity  kind               open  resolved  dismissed
  --------  -----------------  ----  --------  ---------
  action    duplicate_bill        1
  action    unattributed_bill     1

== Sites not ENERGY STAR ready: months not complete in 2024-02..2025-01 (7) ==
  site_id  site_name  commodity    latest_complete  missing  missing_months
  -------  ---------  -----------  ---------------  -------  -------------------------
  QS1      HQ         WATER        2024-08                6  2024-04, 2024-09..2025-01
  QS2      Branch     ELECTRICITY  2024-06                7  2024-07..2025-01
  QS3      Plant      GAS          2024-03               10  2024-04..2025-01
  QS3      Plant      SEWER        2024-01               12  2024-02..2025-01
  QS3      Plant      WATER        2024-01               12  2024-02..2025-01
  QS4      Old store  ELECTRICITY  2024-06                7  2024-07..2025-01
  QS9      Annex      ELECTRICITY  2025-01               10  2024-02..2024-10, 2024-12

== Gaps and overlaps, most days first (4: 2 gaps, 2 overlaps) ==
  issue    days  meter_id  site_id  commodity    document_id      from        to
  -------  ----  --------  -------  -----------  ---------------  ----------  ----------
  gap        31  QE9       QS9      ELECTRICITY  B-E9-202501      2024-12-01  2024-12-31
  overlap    30  QE2       QS2      ELECTRICITY  B-E2-202406-DUP  2024-06-01  2024-06-30
  gap        30  QW1       QS1      WATER        B-W1-20240501    2024-04-01  2024-04-30
  overlap    12  QW1       QS1      WATER        B-W1-20240520    2024-05-20  2024-05-31

== Short, long and future bill periods (2: 1 short, 1 long) ==
  issue         days  meter_id  site_id  commodity  document_id    from        to
  ------------  ----  --------  -------  ---------  -------------  ----------  ----------
  long_period     42  QW1       QS1      WATER      B-W1-20240701  2024-07-01  2024-08-11
  short_period    15  QW1       QS1      WATER      B-W1-20240616  2024-06-16  2024-06-30

== Duplicate bill candidates, latest first (1) ==
  document_id      duplicate_of  account_id  start_date  bill_date   current_charges  currency
  ---------------  ------------  ----------  ----------  ----------  ---------------  --------
  B-E2-202406-DUP  B-E2-202406   QA1         2024-06-01  2024-06-30            50.00  USD

== Duplicate meter candidates (1) ==
  meter_id  site_id  duplicate_of  its_site_id  company_id  shared_identifiers
  --------  -------  ------------  -----------  ----------  ------------------
  QE2       QS2      QE1           QS1          Q1          ACCOUNT QACC1

== Usage anomalies year on year, largest change first (1) ==
  meter_id  site_id  commodity    month    usage  prior_year   change  unit
  --------  -------  -----------  -------  -----  ----------  -------  ----
  QE1       QS1      ELECTRICITY  2025-01  2,000       1,000  +100.0%  kWh

== Field issues (value nulled or defaulted) by entity, column, reason (1 kind, 1 value) ==
  entity  column            reason        count
  ------  ----------------  ------------  -----
  sites   gross_floor_area  out_of_range      1

== Quarantined records by entity and reason (2 kinds, 2 records) ==
  entity             reason           count
  -----------------  ---------------  -----
  meter_identifiers  missing_value        1
  usage_data         orphan_document      1
"""  # noqa: E501 (the table is as wide as a 100-column terminal allows)


# The default screen: a summary, the counts of the findings without a list,
# then the first 3 rows of each list (its count in its title) and how many more
# there are.
SUMMARY = """\
as of 2025-01-31 (latest run); ENERGY STAR window 2024-02..2025-01
filters: none (the whole warehouse)

== Review queue: open findings, action first, the first of each kind (57) ==
  finding_id        severity  kind                      detail; where
  74b9e9158b9bdd91  action    duplicate_bill            same account, dates and charges as bill B-E~
  74191e46c4cf1992  action    unattributed_bill         no_meter_on_bill: 75.00 EUR; company Q2, bi~
  4864cbb68144cd1d  review    duplicate_meter           shares ACCOUNT QACC1 with meter QE1; compan~
  aed7dc83a57b2fed  review    gap                       gap of 30 days, 2024-04-01 to 2024-04-30; c~
  4e3057638f620d86  review    long_period               long_period of 42 days, 2024-07-01 to 2024-~
  ae0dd0f4ce0a2750  review    not_energy_star_ready     WATER: 7 of 13 months complete, no 12 in a ~
  5f1253766a3ef508  review    overlap                   overlap of 12 days, 2024-05-20 to 2024-05-3~
  100247199b583dd7  review    repeated_charges          100.00 USD against 100.00; company Q1, site~
  b37897b1bf767b69  review    residual_mix_unavailable  ELECTRICITY residual_mix, 1000.00 kWh; comp~
  9e4cb2dc63f1f1bf  review    short_period              short_period of 15 days, 2024-06-16 to 2024~
  4f79180107443ed1  review    stale_meter               153 days, allowed 90; company Q1, site QS1,~
  ece5492931e451d4  review    usage_anomaly             usage 2000.00 kWh against 1000.00 a year ea~
  … and 45 more

== Findings (each list below is counted in its title) ==
  finding                                    count  amount  unit
  -----------------------------------------  -----  ------  ----
  meter-months partly covered                    0
  meter-months missing                          38
  implied sewer site-months                      7  18,000  gal
  mirror-estimated site x commodity months       7   4,000  kWh
  meter-months with estimated-read usage         1   1,000  kWh
  unattributed bills (no meter on the bill)      1   75.00  EUR
== Review queue by severity, kind and status ==
  57 findings of 12 kinds: 57 open (--all for every row: per severity and kind)
== Sites not ENERGY STAR ready: months not complete in 2024-02..2025-01 (7) ==
  site_id  site_name  commodity    latest_complete  missing  missing_months
  QS1      HQ         WATER        2024-08                6  2024-04, 2024-09..2025-01
  QS2      Branch     ELECTRICITY  2024-06                7  2024-07..2025-01
  QS3      Plant      GAS          2024-03               10  2024-04..2025-01
  … and 4 more
== Gaps and overlaps, most days first (4: 2 gaps, 2 overlaps) ==
  issue    days  meter_id  site_id  commodity    document_id      from        to
  gap        31  QE9       QS9      ELECTRICITY  B-E9-202501      2024-12-01  2024-12-31
  overlap    30  QE2       QS2      ELECTRICITY  B-E2-202406-DUP  2024-06-01  2024-06-30
  gap        30  QW1       QS1      WATER        B-W1-20240501    2024-04-01  2024-04-30
  … and 1 more
== Short, long and future bill periods (2: 1 short, 1 long) ==
  issue         days  meter_id  site_id  commodity  document_id    from        to
  long_period     42  QW1       QS1      WATER      B-W1-20240701  2024-07-01  2024-08-11
  short_period    15  QW1       QS1      WATER      B-W1-20240616  2024-06-16  2024-06-30
== Duplicate bill candidates, latest first (1) ==
  document_id      duplicate_of  account_id  start_date  bill_date   current_charges  currency
  B-E2-202406-DUP  B-E2-202406   QA1         2024-06-01  2024-06-30            50.00  USD
== Duplicate meter candidates (1) ==
  meter_id  site_id  duplicate_of  its_site_id  company_id  shared_identifiers
  QE2       QS2      QE1           QS1          Q1          ACCOUNT QACC1
== Usage anomalies year on year, largest change first (1) ==
  meter_id  site_id  commodity    month    usage  prior_year   change  unit
  QE1       QS1      ELECTRICITY  2025-01  2,000       1,000  +100.0%  kWh
== Field issues (value nulled or defaulted) by entity, column, reason (1 kind, 1 value) ==
  entity  column            reason        count
  sites   gross_floor_area  out_of_range      1
== Quarantined records by entity and reason (2 kinds, 2 records) ==
  entity             reason           count
  meter_identifiers  missing_value        1
  usage_data         orphan_document      1

Lists cut short: --all for every row (--limit N for N per list).
"""  # noqa: E501 (the table is as wide as a 100-column terminal allows)


def test_table_format(capsys: pytest.CaptureFixture[str], warehouse: Path) -> None:
    # Every row of every list; the review queue of the action findings only.
    code, out, err = run(
        capsys, "--database", str(warehouse), "--all", "--severity", "action"
    )
    assert (code, err) == (0, "")
    first, rest = out.split("\n", 1)
    assert first == f"Data quality of {warehouse}"
    assert rest == TABLE
    assert max(len(line) for line in rest.splitlines()) <= 100


def test_the_default_screen_is_a_summary(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    code, out, err = run(capsys, "--database", str(warehouse))
    assert (code, err) == (0, "")
    first, rest = out.split("\n", 1)
    assert first == f"Data quality of {warehouse}"
    assert rest == SUMMARY
    assert "  \u2026 and 4 more\n" in rest  # 7 sites not ready, 3 shown
    # One screen: a line per kind in the queue (12 kinds here), 3 rows a list.
    assert len(out.splitlines()) <= 70
    assert max(len(line) for line in rest.splitlines()) <= 100


def test_table_says_none_and_names_the_scope_of_the_ledgers(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    code, out, _ = run(capsys, "--database", str(warehouse), "--company", "Q2")
    assert code == 0
    assert "filters: company Q2" in out
    sections = out.split("\n== ")
    empty = [s.split(" ==")[0] for s in sections if s.rstrip().endswith("\n  none")]
    assert empty == [
        "Short, long and future bill periods (0)",
        "Duplicate bill candidates, latest first (0)",
        "Duplicate meter candidates (0)",
        "Usage anomalies year on year, largest change first (0)",
    ]
    assert out.count("whole warehouse: these records have no company or site") == 2
    assert all(len(line) <= 100 for line in out.splitlines()[1:])
    code, out, _ = run(capsys, "--database", str(warehouse), "--site", "QS1")
    assert "unattributed bills have no site" in out
    assert "filters: site(s) QS1" in out


def test_json_is_one_object_with_numbers_and_iso_dates(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse)
    assert list(report) == [
        "database", "as_of_date", "as_of_source", "window", "filters", "limit",
        "findings", "counts", "energy_star_not_ready", "gaps_and_overlaps",
        "other_period_issues", "duplicate_bills", "duplicate_meters",
        "usage_anomalies", "field_issues", "quarantine",
    ]  # fmt: skip
    assert {"built", "total", "rows"} <= set(report["findings"])
    for key in list(report)[8:]:
        assert {"built", "total", "rows"} <= set(report[key])
    gap = report["gaps_and_overlaps"]["rows"][0]
    assert isinstance(gap["issue_days"], int)
    assert date.fromisoformat(gap["period_start"]) == date(2024, 12, 1)
    # Decimals are strings with every digit (a JSON number is a binary float).
    anomaly = report["usage_anomalies"]["rows"][0]
    assert Decimal(anomaly["usage"]) == 2000 and "." in anomaly["usage"]
    assert Decimal(anomaly["change_ratio"]) == 1
    unattributed = next(
        row for row in report["counts"] if row["finding"] == "unattributed_bill"
    )
    assert unattributed["amount"] == "75.000000"


# --- bad requests -----------------------------------------------------------------


def assert_bad(capsys: pytest.CaptureFixture[str], database: Path, *argv: str) -> str:
    code, out, err = run(capsys, "--database", str(database), *argv)
    assert (code, out) == (2, "")
    assert "Traceback" not in err
    return err


def test_unknown_company_and_sites_are_listed(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    err = assert_bad(capsys, warehouse, "--company", "Q7")
    assert "unknown company: Q7" in err
    err = assert_bad(capsys, warehouse, "--site", "QS1", "S9", "X7", "S9")
    assert "unknown site(s): S9, X7" in err
    assert len(err.strip().splitlines()) == 1
    err = assert_bad(capsys, warehouse, "--company", "Q7", "--site", "S9")
    assert "unknown company: Q7; unknown site(s): S9" in err


def test_sql_in_a_filter_value_is_just_a_value(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    err = assert_bad(capsys, warehouse, "--site", "x' OR 1=1 --")
    assert "unknown site(s): x' OR 1=1 --" in err
    err = assert_bad(capsys, warehouse, "--company", "Q1' OR '1'='1")
    assert "unknown company: Q1' OR '1'='1" in err


def test_bad_options(capsys: pytest.CaptureFixture[str], warehouse: Path) -> None:
    assert "--limit must be at least 1, got 0" in assert_bad(
        capsys, warehouse, "--limit", "0"
    )
    assert "at least 1" in assert_bad(capsys, warehouse, "--limit", "-5")
    assert "invalid int" in assert_bad(capsys, warehouse, "--limit", "x")
    assert "invalid choice" in assert_bad(capsys, warehouse, "--format", "csv")
    code, _, err = run(capsys)
    assert code == 2 and "--database" in err


def test_missing_unbuilt_and_foreign_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.duckdb"
    assert f"database file not found: {missing}" in assert_bad(capsys, missing)
    assert not missing.exists()
    assert "database file not found" in assert_bad(capsys, tmp_path)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    err = assert_bad(capsys, empty)
    assert "marts.dim_companies" in err and "run the pipeline first" in err
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("not a database\n")
    assert "cannot open" in assert_bad(capsys, bogus)
    assert bogus.read_text() == "not a database\n"


def test_build_report_directly(warehouse: Path) -> None:
    report = build_report(warehouse, QualityFilters(company="Q2", limit=3))
    assert report["limit"] == 3
    assert (
        report["energy_star_not_ready"]["rows"][0]["missing_months"]
        == (NOT_READY[-1][5])
    )
    with pytest.raises(QualityError, match="unknown company"):
        build_report(warehouse, QualityFilters(company="nope"))


# --- older warehouses ------------------------------------------------------------


def test_a_warehouse_without_the_newer_marts_says_not_built(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    older = copy_of(warehouse, tmp_path)
    con = duckdb.connect(str(older))
    try:
        for table in (
            "dq_usage_anomalies",
            "dq_duplicate_meter_candidates",
            "dq_site_energy_star_readiness",
            "fct_site_monthly_estimated",
            "dq_field_issues",
        ):
            con.execute(f"DROP TABLE marts.{table}")
        # fct_meter_monthly before estimated reads were tracked.
        con.execute("ALTER TABLE marts.fct_meter_monthly DROP COLUMN estimated_usage")
    finally:
        con.close()
    report = report_json(capsys, older)
    found = counts(report)
    for finding in (
        "usage_anomaly",
        "duplicate_meter",
        "energy_star_not_ready",
        "mirror_estimate",
        "estimated_read",
        "field_issue",
    ):
        assert found[finding] is None, finding
    assert found["coverage_missing"] == 38  # the others are there
    for key in (
        "usage_anomalies",
        "duplicate_meters",
        "energy_star_not_ready",
        "field_issues",
    ):
        assert report[key]["built"] is False
        assert report[key]["rows"] == []
    assert report["usage_anomalies"]["missing_tables"] == ["marts.dq_usage_anomalies"]
    assert report["gaps_and_overlaps"]["built"] is True

    code, out, _ = run(capsys, "--database", str(older))
    assert code == 0
    assert out.count("  not built (") == 4
    assert (
        "== Usage anomalies year on year, largest change first ==\n  not built" in out
    )
    assert "  meter-months with estimated-read usage  " in out
    # The whole findings table (--all) counts the listed findings too.
    code, out, _ = run(capsys, "--database", str(older), "--all")
    assert code == 0
    line = next(s for s in out.splitlines() if "usage anomalies (meter" in s)
    assert line.split()[-2:] == ["not", "built"]


def test_without_run_metadata_the_window_ends_today(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    plain = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(plain)) as con:
        con.execute("DROP TABLE marts.run_metadata")
    report = report_json(capsys, plain)
    assert report["as_of_source"] == "today"
    last = last_complete_month(date.today())
    assert report["window"]["to"] == f"{last.year:04d}-{last.month:02d}"


# --- read-only and busy -----------------------------------------------------------


def test_read_only_while_another_reader_is_open(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    path = copy_of(warehouse, tmp_path)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    other = duckdb.connect(str(path), read_only=True)
    try:
        for argv in ((), ("--format", "json", "--company", "Q1"), ("--site", "QS2")):
            code, out, _ = run(capsys, "--database", str(path), *argv)
            assert code == 0 and out
        assert other.execute("SELECT count(*) FROM marts.dq_quarantine").fetchone() == (
            2,
        )
    finally:
        other.close()
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert not Path(f"{path}.wal").exists()


@pytest.fixture
def written_by_another_process(warehouse: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the warehouse another process holds open for writing."""
    path = copy_of(warehouse, tmp_path)
    with held_for_writing(path):
        yield path


def test_a_warehouse_being_written_exits_3_busy(
    capsys: pytest.CaptureFixture[str], written_by_another_process: Path
) -> None:
    code, out, err = run(capsys, "--database", str(written_by_another_process))
    assert (code, out) == (3, "")
    assert len(err.strip().splitlines()) == 1
    assert f"the warehouse file {written_by_another_process} is in use" in err


# --- the rollup's implied and estimated rows on the same warehouse ----------------


def test_rollup_kinds_match_the_marts(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    try:
        code = cli.main(
            ["rollup", "--database", str(warehouse), "--include-implied",
             "--include-estimated", "--by", "total", "--group-by", "site",
             "--commodity", "sewer", "electricity", "--format", "json"]
        )  # fmt: skip
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    rows = [  # usage and cost: exact decimals, strings in JSON
        (
            row["site_id"],
            row["kind"],
            Decimal(row["usage"]),
            None if row["cost"] is None else Decimal(row["cost"]),
            row["meter_count"],
        )
        for row in json.loads(captured.out)
    ]
    # Implied: fct_portfolio_monthly's is_implied rows (18,000 gal from QW1);
    # estimated: QS2's mirror estimates (4,000 kWh), no cost.
    assert rows == [
        ("QS1", "metered", 14000, 1300, 1),
        ("QS1", "implied", 18000, 0, 1),
        ("QS2", "metered", 3500, 350, 1),
        ("QS2", "estimated", 4000, None, 0),
        ("QS3", "metered", 90, 4, 1),
        ("QS4", "metered", 420, 120, 1),
        ("QS9", "metered", 2000, 200, 1),
    ]


# --- helpers ----------------------------------------------------------------------


def test_month_helpers() -> None:
    assert window_months(date(2025, 1, 31))[0] == date(2024, 2, 1)
    assert window_months(date(2025, 1, 31))[-1] == date(2025, 1, 1)
    assert len(window_months(date(2024, 12, 1))) == 12
    # The window ends at the last complete month: December 2024 on the 30th
    # of January, November 2024 on the 1st of December.
    assert window_months(date(2025, 1, 30))[-1] == date(2024, 12, 1)
    assert window_months(date(2024, 12, 1))[-1] == date(2024, 11, 1)
    assert month_runs([]) == ""
    assert month_runs(["2024-04"]) == "2024-04"
    assert (
        month_runs(["2024-11", "2024-12", "2025-01", "2025-03"])
        == "2024-11..2025-01, 2025-03"
    )


def test_render_table_fits_the_width() -> None:
    rows = [["a" * 60, "12", "b" * 70]]
    lines = render_table(["name", "n", "notes"], rows, [False, True, False], wrap=2)
    assert all(len(line) <= 100 for line in lines)
    assert "".join(line.strip() for line in lines[3:]).endswith("b" * 10)
    cut = render_table(["x", "y"], [["c" * 80, "d" * 80]], [False, False])
    assert all(len(line) <= 100 for line in cut)
    assert cut[2].split()[0].endswith("~")


# --- the review queue (marts.dq_findings) -----------------------------------------

# The action findings of the landing: the duplicate June bill of QE2 and the
# EUR bill of Q2 without a meter.
ACTION = [
    ("duplicate_bill", "Q1", None, "B-E2-202406-DUP", "2024-06"),
    ("unattributed_bill", "Q2", None, "B-Q2-NO-METER", "2024-12"),
]


def queue(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (row["kind"], row["company_id"], row["site_id"], row["document_id"],
         row["month"])
        for row in report["findings"]["rows"]
    ]  # fmt: skip


def review_counts(report: dict[str, Any]) -> dict[tuple[str, str, str], int]:
    return {
        (row["severity"], row["kind"], row["status"]): row["count"]
        for row in report["counts"]
        if row["finding"].startswith("review.")
    }


def test_the_review_queue_lists_open_findings_action_first(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse, "--all")
    findings = report["findings"]
    assert findings["built"] and findings["status"] == "open"
    rows = findings["rows"]
    assert findings["total"] == len(rows) > len(ACTION)
    assert {row["status"] for row in rows} == {"OPEN"}
    assert queue(report)[: len(ACTION)] == ACTION
    assert {row["severity"] for row in rows[len(ACTION) :]} == {"review"}
    assert all(len(row["finding_id"]) == 16 for row in rows)
    assert len({row["finding_id"] for row in rows}) == len(rows)
    # Counted per severity, kind and status, action first.
    counted = review_counts(report)
    assert list(counted)[:2] == [
        ("action", "duplicate_bill", "OPEN"),
        ("action", "unattributed_bill", "OPEN"),
    ]
    assert sum(counted.values()) == len(rows)
    assert counted[("review", "gap", "OPEN")] == 2
    # On the screen the queue comes first, each line naming what it finds.
    code, out, _ = run(capsys, "--database", str(warehouse))
    assert code == 0
    assert out.index("== Review queue: open findings, action first") < out.index(
        "== Findings"
    )
    assert "same account, dates and charges as bill B-E" in out
    # The summary lists the first finding of each kind, with its id.
    title = (
        f"== Review queue: open findings, action first, the first of each kind "
        f"({len(rows)}) ==\n"
    )
    listed = out.split(title)[1].split("\n== ")[0]
    for severity, kind, _ in counted:
        first = next(row for row in rows if row["kind"] == kind)
        assert re.search(
            rf"^  {first['finding_id']}  {severity} +{kind} ", listed, re.MULTILINE
        ), kind


def test_the_review_queue_filters(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    report = report_json(capsys, warehouse, "--severity", "action")
    assert queue(report) == ACTION
    assert set(review_counts(report)) == {
        ("action", "duplicate_bill", "OPEN"),
        ("action", "unattributed_bill", "OPEN"),
    }
    report = report_json(capsys, warehouse, "--kind", "gap", "duplicate_bill")
    assert [row[0] for row in queue(report)] == ["duplicate_bill", "gap", "gap"]
    report = report_json(capsys, warehouse, "--severity", "action", "--company", "Q2")
    assert queue(report) == ACTION[1:]
    report = report_json(capsys, warehouse, "--kind", "gap", "--site", "QS9")
    assert queue(report) == [("gap", "Q2", "QS9", "B-E9-202501", "2024-12")]
    # Nothing is resolved or dismissed in this warehouse.
    for status in ("resolved", "dismissed"):
        report = report_json(capsys, warehouse, "--status", status)
        assert report["findings"]["rows"] == [] and report["findings"]["total"] == 0
    # A kind of the seed that no finding has is valid (and finds nothing).
    report = report_json(capsys, warehouse, "--kind", "late_fee")
    assert report["findings"]["total"] == 0


def test_an_unknown_kind_exits_2_naming_the_kinds(
    capsys: pytest.CaptureFixture[str], warehouse: Path
) -> None:
    code, out, err = run(capsys, "--database", str(warehouse), "--kind", "gaps")
    assert (code, out) == (2, "")
    assert "unknown --kind gaps; the kinds of finding are " in err
    assert "duplicate_bill" in err and "unattributed_bill" in err and ", gap," in err
    code, _, err = run(capsys, "--database", str(warehouse), "--severity", "urgent")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys, "--database", str(warehouse), "--status", "closed")
    assert code == 2 and "invalid choice" in err


def test_reviewed_findings_leave_the_default_queue(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    path = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE marts.dq_findings SET status = 'RESOLVED', "
            "reviewed_by = 'ana', review_note = 'credited' "
            "WHERE document_id = 'B-E2-202406-DUP' AND kind = 'duplicate_bill'"
        )
        con.execute(
            "UPDATE marts.dq_findings SET status = 'DISMISSED' "
            "WHERE kind = 'unattributed_bill'"
        )
    report = report_json(capsys, path, "--severity", "action")
    assert report["findings"]["rows"] == []
    counted = review_counts(report)
    assert counted == {
        ("action", "duplicate_bill", "RESOLVED"): 1,
        ("action", "unattributed_bill", "DISMISSED"): 1,
    }
    report = report_json(capsys, path, "--status", "resolved")
    assert queue(report) == ACTION[:1]
    assert report["findings"]["rows"][0]["reviewed_by"] == "ana"
    report = report_json(capsys, path, "--status", "all", "--severity", "action")
    assert [row["status"] for row in report["findings"]["rows"]] == [
        "RESOLVED", "DISMISSED",
    ]  # fmt: skip
    code, out, _ = run(capsys, "--database", str(path), "--status", "all", "--all")
    assert code == 0
    lines = out.splitlines()
    assert any(
        line.split()[:4] == ["finding_id", "severity", "kind", "status"]
        for line in lines
    )
    # The pivot: the resolved duplicate bill counts under "resolved".
    header = next(
        line
        for line in lines
        if line.split() == ["severity", "kind", "open", "resolved", "dismissed"]
    )
    row = next(
        line
        for line in lines[lines.index(header) :]
        if line.split()[:2] == ["action", "duplicate_bill"]
    )
    assert row.split()[2:] == ["1"]
    assert len(row) == header.index("resolved") + len("resolved")


def test_a_warehouse_without_dq_findings_says_not_built(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    older = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(older)) as con:
        con.execute("DROP TABLE marts.dq_findings")
    report = report_json(capsys, older)
    assert report["findings"]["built"] is False
    assert report["findings"]["missing_tables"] == ["marts.dq_findings"]
    assert [row for row in report["counts"] if row["finding"] == "review"] == [
        {
            "finding": "review", "label": "findings to review",
            "source": "marts.dq_findings", "built": False, "count": None,
            "amount": None, "unit": None, "severity": None, "kind": None,
            "status": None,
        }
    ]  # fmt: skip
    code, out, _ = run(capsys, "--database", str(older))
    assert code == 0
    queue_part = out.split(
        "== Review queue: open findings, action first, the first of each kind ==\n"
    )[1]
    assert queue_part.startswith("  not built (marts.dq_findings missing")
    # The seed still knows the kinds: --kind is checked against it.
    code, _, err = run(capsys, "--database", str(older), "--kind", "nope")
    assert code == 2 and "duplicate_bill" in err


def test_a_month_in_progress_is_never_listed_as_missing(
    capsys: pytest.CaptureFixture[str], warehouse: Path, tmp_path: Path
) -> None:
    path = copy_of(warehouse, tmp_path)
    # QS9's December 2024 is missing; marked in progress, it is not listed.
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE marts.dq_meter_month_coverage SET status = 'in_progress' "
            "WHERE month = DATE '2024-12-01'"
        )
    report = report_json(capsys, path, "--site", "QS9")
    (row,) = report["energy_star_not_ready"]["rows"]
    assert "2024-12" not in row["missing_months"]
    assert row["missing_months"] == [f"2024-{m:02d}" for m in range(2, 11)]
    assert counts(report)["coverage_missing"] == 0
    # As of the 20th of January, the window ends in December 2024.
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE marts.run_metadata SET as_of_date = DATE '2025-01-20'")
    report = report_json(capsys, path)
    assert report["window"] == {"from": "2024-01", "to": "2024-12"}
    assert all(
        "2025-01" not in row["missing_months"]
        for row in report["energy_star_not_ready"]["rows"]
    )
