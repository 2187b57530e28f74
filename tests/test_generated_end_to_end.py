"""End to end on generated data: the warehouse shows exactly what the generator's
manifest says it must.

Two runs of the whole pipeline. The main one is a small generated portfolio in
mixed formats (CSV, JSONL and Parquet) with messy file and column names: every
planted case goes through loader, screening and every model and data test, and
the quarantine, the field-issue ledger, the unattributed-cost ledger, the
replaced-versions ledger and the meter matches must equal the manifest's lists
exactly; the VND bill and the billion-gallon water row must keep their figures
to the last digit. Its 15 months give a year to compare with and twelve
complete months: every planted data-quality finding (missing, overlapping,
short, long, future and duplicated bills, uncovered months, ENERGY STAR
readiness, duplicate meters, usage anomalies, implied sewer, mirror estimates,
estimated reads, peak demand) must show in the marts with its planted values,
and besides them the marts show hardly anything. Every bill audit the
manifest plants shows in dq_bill_audits (exactly the manifest's findings for
an audit it states completely), and none of its near-misses does. Bills in
every currency form land in the currency the manifest states (ambiguous and
unknown ones unattributed), sites in the country it states, a line item naming another
company's meter keeps the money in the bill's company, a negative IMPORT usage
counts but weighs nothing, JSON numbers of 18 significant digits keep every
digit, rejected enumeration values are named with the accepted ones, and the
unparsed-share gate counts in every judged column exactly the non-empty and
unparseable values the manifest states (never above 5%).

The same seed written day-first with decimal commas (``--locale dmy-comma``,
with its landing.json) must build the same marts row for row, raw text aside;
without its landing.json the run must stop before loading (exit 2), as must a
folder with decimal commas only. The last run is a folder written in cp1252
without a connections file, loaded with ``--encoding cp1252``.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import isolated_dbt_env, run_pipeline
from utility_warehouse.generate import MANIFEST_NAME, UNKEYED_REASONS, generate
from utility_warehouse.generate.planted_audits import AUDIT_KEYS, AUDITS

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Run:
    raw_dir: Path
    database: Path
    returncode: int
    output: str
    manifest: dict[str, Any]

    def query(self, sql: str, parameters: list[Any] | None = None) -> list[Any]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, parameters or []).fetchall()


def _run(base: Path, *extra: str, **options: Any) -> Run:
    raw_dir = base / "raw"
    generate(raw_dir, **options)
    manifest = json.loads((raw_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    database = base / "warehouse.duckdb"
    completed = run_pipeline(
        "run",
        "--raw-dir",
        str(raw_dir),
        "--database",
        str(database),
        "--as-of",
        manifest["as_of"],
        *extra,
        env=isolated_dbt_env(base),
    )
    return Run(
        raw_dir,
        database,
        completed.returncode,
        completed.stdout + completed.stderr,
        manifest,
    )


MAIN_PORTFOLIO: dict[str, Any] = {
    "companies": 3,
    "sites": 4,
    "months": 15,
    "seed": 7,
    "file_format": "mixed",
}


@pytest.fixture(scope="module")
def generated_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(tmp_path_factory.mktemp("generated"), **MAIN_PORTFOLIO)


@pytest.fixture(scope="module")
def day_first_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The main portfolio written day-first with decimal commas."""
    return _run(
        tmp_path_factory.mktemp("day-first"), **MAIN_PORTFOLIO, locale="dmy-comma"
    )


@pytest.fixture(scope="module")
def cp1252_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(
        tmp_path_factory.mktemp("cp1252"),
        "--encoding",
        "cp1252",
        companies=1,
        sites=2,
        months=3,
        seed=11,
        file_format="mixed",
        without=["connections"],
        encoding="cp1252",
    )


def _gate_passed(run: Run) -> None:
    assert run.returncode == 0, run.output[-4000:]
    assert "quality gate passed" in run.output, run.output[-4000:]


def _expected_quarantine(run: Run) -> Counter[tuple[str, str | None, str]]:
    return Counter(
        (item["entity"], item["record_id"], item["reason"])
        for item in run.manifest["injected"]
    )


def _found_quarantine(run: Run) -> Counter[tuple[str, str | None, str]]:
    rows = run.query("select entity, record_id, reason from marts.dq_quarantine")
    # Records without a usable id (missing, or a JSON object): by count only.
    return Counter(
        (entity, None if reason in UNKEYED_REASONS else record_id, reason)
        for entity, record_id, reason in rows
    )


def _field_issues(
    run: Run,
) -> tuple[Counter[tuple[str, ...]], Counter[tuple[str, ...]]]:
    expected: Counter[tuple[str, ...]] = Counter(
        (item["entity"], item["record_id"], item["column_name"], item["reason"])
        for item in run.manifest["field_issues"]
    )
    found = Counter(
        tuple(row)
        for row in run.query(
            "select entity, record_id, column_name, reason from marts.dq_field_issues"
        )
    )
    return expected, found


# --- planted data-quality findings ---------------------------------------------------

FINDING_KINDS = (
    "gap",
    "overlap",
    "short_period",
    "long_period",
    "future_period",
    "partial_month",
    "missing_month",
    "energy_star_ready",
    "not_energy_star_ready",
    "duplicate_bill",
    "duplicate_meter",
    "anomaly",
    "implied_sewer",
    "mirror_estimate",
    "estimated_read",
    "peak_demand",
)
PERIOD_ISSUES = ("gap", "overlap", "short_period", "long_period", "future_period")
Finding = tuple[Any, ...]


def _finding_key(item: dict[str, Any]) -> Finding:
    """A planted finding as the tuple its mart row gives (see _found_findings)."""
    kind = item["kind"]
    if kind in PERIOD_ISSUES:
        return (
            item["meter_id"],
            item["document_id"],
            item["period_start"],
            item["period_end"],
            item["issue_days"],
        )
    if kind in ("partial_month", "missing_month"):
        return (
            item["meter_id"],
            item["month"],
            item["required_days"],
            item["covered_days"],
        )
    if kind == "energy_star_ready":
        return (item["site_id"], item["commodity"], item["ready_through"])
    if kind == "not_energy_star_ready":
        return (item["site_id"], item["commodity"])
    if kind == "duplicate_bill":
        return (item["document_id"], item["duplicate_of_document_id"])
    if kind == "duplicate_meter":
        return (
            item["meter_id"],
            item["duplicate_of_meter_id"],
            item["identifier_type"],
            item["normalized_value"],
        )
    if kind == "anomaly":
        return (item["meter_id"], item["month"])
    if kind == "implied_sewer":
        return (item["site_id"], Decimal(item["implied_sewer_fraction"]))
    if kind == "mirror_estimate":
        return (
            item["site_id"],
            item["mirror_site_id"],
            item["commodity"],
            item["month"],
            Decimal(item["scale_factor"]),
        )
    if kind == "estimated_read":
        return (item["meter_id"], item["usage_id"], tuple(item["months"]))
    if kind == "peak_demand":
        return (item["meter_id"], item["month"], Decimal(item["demand_kw"]))
    raise AssertionError(f"unknown finding kind {kind}")


def _planted_findings(run: Run) -> dict[str, set[Finding]]:
    planted: dict[str, set[Finding]] = {kind: set() for kind in FINDING_KINDS}
    for item in run.manifest["planted_findings"]:
        planted[item["kind"]].add(_finding_key(item))
    return planted


def _found_findings(run: Run) -> dict[str, set[Finding]]:
    """Every finding the marts show, keyed like the manifest's."""
    found: dict[str, set[Finding]] = {kind: set() for kind in FINDING_KINDS}
    for meter, document, kind, days, start, end in run.query(
        "select meter_id, document_id, issue_type, issue_days, period_start, "
        "period_end from marts.dq_bill_period_issues"
    ):
        found[kind].add((meter, document, str(start), str(end), days))
    for meter, month, required, covered, status in run.query(
        "select meter_id, month, required_days, covered_days, status "
        "from marts.dq_meter_month_coverage "
        "where status in ('partial', 'missing')"
    ):
        found[f"{status}_month"].add((meter, str(month), required, covered))
    for site, commodity, through, ready in run.query(
        "select site_id, commodity, ready_through, is_energy_star_ready "
        "from marts.dq_site_energy_star_readiness"
    ):
        if ready:
            found["energy_star_ready"].add((site, commodity, str(through)))
        else:
            found["not_energy_star_ready"].add((site, commodity))
    found["duplicate_bill"] = set(
        run.query(
            "select document_id, duplicate_of_document_id "
            "from marts.dq_duplicate_bill_candidates"
        )
    )
    found["duplicate_meter"] = set(
        run.query(
            "select meter_id, duplicate_of_meter_id, identifier_type, "
            "normalized_value from marts.dq_duplicate_meter_candidates"
        )
    )
    found["anomaly"] = {
        (meter, str(month))
        for meter, month in run.query(
            "select meter_id, month from marts.dq_usage_anomalies"
        )
    }
    found["implied_sewer"] = {
        (site, Decimal(fraction))
        for site, fraction in run.query(
            "select distinct site_id, implied_sewer_fraction "
            "from marts.fct_implied_sewer_monthly"
        )
    }
    found["mirror_estimate"] = {
        (site, mirror, commodity, str(month), Decimal(scale))
        for site, mirror, commodity, month, scale in run.query(
            "select site_id, mirror_site_id, commodity, month, scale_factor "
            "from marts.fct_site_monthly_estimated"
        )
    }
    estimated: dict[str, set[str]] = {}
    for meter, month in run.query(
        "select meter_id, month from marts.fct_meter_monthly where estimated_usage > 0"
    ):
        estimated.setdefault(meter, set()).add(str(month))
    for usage_id, meter in run.query(
        "select distinct usage_id, meter_id from marts.fct_calendarized_usage "
        "where is_estimated and is_counted and net_metering_type = 'IMPORT'"
    ):
        months = tuple(sorted(estimated.get(meter, ())))
        found["estimated_read"].add((meter, usage_id, months))
    for meter, month, peak in run.query(
        "select meter_id, month, peak_demand_kw from marts.fct_meter_monthly "
        "where peak_demand_kw is not null"
    ):
        found["peak_demand"].add((meter, str(month), Decimal(peak)))
    return found


def _missing(planted: set[Finding], found: set[Finding], kind: str) -> set[Finding]:
    """Planted findings the marts do not show as planted."""
    if kind == "estimated_read":  # the row's months show estimated usage
        return {
            (meter, usage, months)
            for meter, usage, months in planted
            if not any(
                m == meter and u == usage and set(months) <= set(ms)
                for m, u, ms in found
            )
        }
    if kind == "peak_demand":  # the month's peak is at least the row's demand
        return {
            (meter, month, demand)
            for meter, month, demand in planted
            if not any(
                m == meter and mo == month and peak >= demand for m, mo, peak in found
            )
        }
    return planted - found


# --- the main run ----------------------------------------------------------------


def test_generated_portfolio_passes_the_quality_gate(generated_run: Run) -> None:
    _gate_passed(generated_run)


def _unparsed_values(
    run: Run,
) -> tuple[
    dict[tuple[str, str], tuple[int, int]], dict[tuple[str, str], tuple[int, int]]
]:
    """The (non-empty, unparsed) values per judged column the manifest states,
    and those dq_unparsed_shares counts (for the entities written)."""
    expected = {
        (item["entity"], item["column_name"]): (
            item["non_empty_count"],
            item["unparsed_count"],
        )
        for item in run.manifest["unparsed_values"]
    }
    entities = {entity for entity, _ in expected}
    found = {
        (entity, column): (non_empty, unparsed)
        for entity, column, non_empty, unparsed in run.query(
            "select entity, column_name, non_empty_count, unparsed_count "
            "from marts.dq_unparsed_shares"
        )
        if entity in entities
    }
    return expected, found


def test_the_unparsed_share_gate_counts_what_the_manifest_states(
    generated_run: Run,
) -> None:
    """Every judged column's non-empty and unparseable values, as planted: at
    most 5% of a column's values cannot be parsed, however few it holds."""
    expected, found = _unparsed_values(generated_run)
    assert found == expected
    assert any(unparsed for _, unparsed in expected.values())
    for (entity, column), (non_empty, unparsed) in expected.items():
        assert unparsed * 20 <= non_empty, (entity, column)


def test_quarantine_is_exactly_the_injected_rows(generated_run: Run) -> None:
    expected = _expected_quarantine(generated_run)
    assert expected, "the generator planted no quarantine rows"
    found = _found_quarantine(generated_run)
    assert found - expected == Counter(), "quarantined but not planted"
    assert expected - found == Counter(), "planted but not quarantined as stated"


def test_every_quarantine_reason_of_the_screening_is_planted(
    generated_run: Run,
) -> None:
    reasons = {item["reason"] for item in generated_run.manifest["injected"]}
    assert reasons >= {
        "missing_id",
        "orphan_company",
        "unknown_status",
        "active_account_cycle",
        "unknown_commodity",
        "orphan_account",
        "account_quarantined",
        "missing_value",
        "orphan_meter",
        "meter_quarantined",
        "bad_date",
        "implausible_date",
        "end_before_start",
        "implausible_period",
        "revision_cycle",
        "bad_number",
        "missing_usage",
        "unknown_net_metering_type",
        "orphan_document",
        "document_quarantined",
        "missing_meter",
        "bad_json",
        "unmatched_meter",
        "ambiguous_meter",
        "unknown_unit",
        "bad_amount",
        "unknown_charge_type",
        "bad_id",
    }


def test_field_issues_are_exactly_the_planted_ones(generated_run: Run) -> None:
    expected, found = _field_issues(generated_run)
    assert len(expected) >= 25
    assert found - expected == Counter(), "listed but not planted"
    assert expected - found == Counter(), "planted but not listed"


def test_unattributed_bills_are_exactly_the_planted_ones(generated_run: Run) -> None:
    """Bills without a meter, and bills without a currency (an ambiguous $ and
    Dollars: currency NULL, reason unknown_currency), to the last digit."""
    expected = {
        (
            item["document_id"],
            item["currency"],
            Decimal(item["unattributed_cost"]),
            item["reason"],
        )
        for item in generated_run.manifest["unattributed"]
    }
    assert len(expected) >= 3
    assert {reason for *_, reason in expected} == {
        "no_meter_on_bill",
        "unknown_currency",
    }
    found = {
        (document_id, currency, Decimal(cost), reason)
        for document_id, currency, cost, reason in generated_run.query(
            "select document_id, currency, unattributed_cost, reason "
            "from marts.fct_unattributed_bill_costs"
        )
    }
    assert found == expected


def test_replaced_versions_are_counted_per_entity(generated_run: Run) -> None:
    rows = generated_run.query(
        "select entity, count(*), count(*) filter (where differs_from_winner) "
        "from marts.dq_duplicate_key_versions group by entity"
    )
    assert {entity: total for entity, total, _ in rows} == generated_run.manifest[
        "replaced_versions"
    ]
    assert {
        entity: differing for entity, _, differing in rows if differing
    } == generated_run.manifest["replaced_versions_differing"]


def test_reused_document_ids_keep_the_newer_bill(generated_run: Run) -> None:
    reused = generated_run.manifest["special_cases"]["reused_document_ids"]
    assert reused
    losers = {
        record_id
        for (record_id,) in generated_run.query(
            "select record_id from marts.dq_duplicate_key_versions "
            "where entity = 'documents' and differs_from_winner"
        )
    }
    assert set(reused) <= losers


def test_usage_rows_without_meter_id_match_the_expected_meters(
    generated_run: Run,
) -> None:
    expected = generated_run.manifest["expected_meter_matches"]
    assert len(expected) >= 3
    found = dict(
        generated_run.query(
            "select usage_id, meter_id from intermediate.int_usage_data_clean "
            "where meter_match_method != 'meter_id'"
        )
    )
    assert found == expected


def test_the_vnd_bill_is_attributed_to_the_cent(generated_run: Run) -> None:
    bill = generated_run.manifest["special_cases"]["large_currency_bill"]
    rows = generated_run.query(
        "select meter_id, currency, attributed_cost from marts.fct_bill_meter_costs "
        "where document_id = ?",
        [bill["document_id"]],
    )
    assert {meter_id for meter_id, _, _ in rows} == set(bill["meter_usage_kwh"])
    assert {currency for _, currency, _ in rows} == {"VND"}
    total = sum((Decimal(cost) for _, _, cost in rows), Decimal(0))
    assert total == Decimal("3580892862.63")
    usage = dict(
        generated_run.query(
            "select meter_id, sum(standard_usage) "
            "from intermediate.int_usage_data_clean "
            "where document_id = ? group by meter_id",
            [bill["document_id"]],
        )
    )
    assert {meter_id: Decimal(value) for meter_id, value in usage.items()} == {
        meter_id: Decimal(value) for meter_id, value in bill["meter_usage_kwh"].items()
    }


def test_the_billion_gallon_row_calendarizes_exactly(generated_run: Run) -> None:
    water = generated_run.manifest["special_cases"]["big_water_usage"]
    rows = generated_run.query(
        "select month, usage from marts.fct_calendarized_usage where usage_id = ? "
        "order by month",
        [water["usage_id"]],
    )
    assert [str(month)[:7] for month, _ in rows] == [
        water["start_date"][:7],
        water["end_date"][:7],
    ]
    total = sum((Decimal(usage) for _, usage in rows), Decimal(0))
    assert total == Decimal(water["standard_usage"])


def test_a_line_item_naming_a_clean_meter_attributes_the_bill(
    generated_run: Run,
) -> None:
    bills = generated_run.manifest["special_cases"]["line_item_meter_bills"]
    assert bills
    attributed = set(
        generated_run.query(
            "select document_id, meter_id from marts.fct_bill_meter_costs"
        )
    )
    assert {(bill["document_id"], bill["meter_id"]) for bill in bills} <= attributed


def test_an_account_naming_itself_reports_through_itself(generated_run: Run) -> None:
    accounts = generated_run.manifest["special_cases"]["self_linked_accounts"]
    assert accounts
    rows = generated_run.query(
        "select account_id, reporting_account_id from marts.dim_accounts "
        "where account_id in (select unnest(?))",
        [accounts],
    )
    assert sorted(rows) == sorted((account, account) for account in accounts)


def test_every_planted_finding_shows_in_the_marts(generated_run: Run) -> None:
    planted, found = _planted_findings(generated_run), _found_findings(generated_run)
    for kind in FINDING_KINDS:
        assert planted[kind], f"no {kind} planted"
        assert not _missing(planted[kind], found[kind], kind), kind


def test_every_finding_kind_has_rows_in_the_marts(generated_run: Run) -> None:
    found = _found_findings(generated_run)
    assert [kind for kind in FINDING_KINDS if not found[kind]] == []


def test_besides_the_planted_findings_the_marts_show_hardly_anything(
    generated_run: Run,
) -> None:
    """What a user reads in the quality marts is what was planted: bill period
    issues, uncovered months, duplicate bills and meters, anomalies and mirror
    estimates are exactly the planted ones. Only the as-of month shows as missing
    for every meter billed to date (the coverage window includes the as-of day),
    and sites whose history is shorter than a year are not ENERGY STAR ready."""
    planted, found = _planted_findings(generated_run), _found_findings(generated_run)
    for kind in (
        *PERIOD_ISSUES,
        "partial_month",
        "duplicate_bill",
        "duplicate_meter",
        "anomaly",
        "mirror_estimate",
    ):
        assert found[kind] == planted[kind], kind
    as_of_month = generated_run.manifest["as_of"][:8] + "01"
    unplanted = found["missing_month"] - planted["missing_month"]
    assert {month for _, month, _, _ in unplanted} <= {as_of_month}


def test_dq_bill_audits_show_the_planted_audits_and_none_of_the_near_misses(
    generated_run: Run,
) -> None:
    """Each audit's planted findings show, keyed as the manifest states them
    (all of the audit's rows when the manifest says it is complete); a
    near-miss just inside a threshold shows under no row agreeing with every
    key it names."""
    manifest = generated_run.manifest
    columns = ", ".join(AUDIT_KEYS)
    found = {
        tuple(row)
        for row in generated_run.query(f"select {columns} from marts.dq_bill_audits")
    }
    complete = manifest["bill_audits_complete"]
    assert set(complete) == set(AUDITS)
    expected = {
        tuple(item[key] for key in AUDIT_KEYS)
        for item in manifest["expected_bill_audits"]
    }
    for audit in AUDITS:
        planted = {key for key in expected if key[0] == audit}
        shown = {key for key in found if key[0] == audit}
        assert planted, f"no {audit} planted"
        if complete[audit]:
            assert shown == planted, audit
        else:
            assert not planted - shown, (audit, sorted(planted - shown, key=str))
    for item in manifest["bill_audit_near_misses"]:
        named = [
            (index, item[key])
            for index, key in enumerate(AUDIT_KEYS)
            if item[key] is not None
        ]
        hits = [row for row in found if all(row[i] == value for i, value in named)]
        assert not hits, (item, hits)


# --- currencies, countries, odd links, exact numbers, rejected values -------------


def _attributed(run: Run, document_id: str) -> dict[str, tuple[str, Decimal]]:
    """meter -> (currency, attributed cost) of a bill in fct_bill_meter_costs."""
    rows = run.query(
        "select meter_id, currency, sum(attributed_cost) "
        "from marts.fct_bill_meter_costs where document_id = ? "
        "group by meter_id, currency",
        [document_id],
    )
    costs: dict[str, tuple[str, Decimal]] = {}
    for meter_id, currency, cost in rows:
        assert meter_id not in costs, (document_id, meter_id)
        costs[meter_id] = (currency, Decimal(cost))
    return costs


def test_every_currency_form_lands_in_its_iso_code(generated_run: Run) -> None:
    """US$, CA$, £, A$, €, Fr. and codes in any case name their currency; a
    bare $, kr, ¥, Rs. or nothing takes the currency of the sites' country;
    the amounts (US$ 5, CA$100, 12.00 kr, Rs. 1,23,456.00, CHF 1'234.50) are
    attributed to the cent. $ over two countries and Dollars attribute
    nothing (their charges are unattributed, see above)."""
    bills = generated_run.manifest["special_cases"]["currency_bills"]
    assert len(bills) >= 14
    unattributed = {
        document_id: currency
        for document_id, currency in generated_run.query(
            "select document_id, currency from marts.fct_unattributed_bill_costs"
        )
    }
    for bill in bills:
        document_id = bill["document_id"]
        expected = {
            meter_id: (bill["currency"], Decimal(cost))
            for meter_id, cost in bill["attributed"].items()
        }
        assert _attributed(generated_run, document_id) == expected, bill
        if bill["currency"] is None:
            assert document_id in unattributed and unattributed[document_id] is None
        else:
            assert expected and document_id not in unattributed, bill


def test_the_bills_of_every_company_land_in_one_known_currency(
    generated_run: Run,
) -> None:
    """Regular bills write their currency as a code in any case, a symbol, a
    bare $ or nothing: each company's attributed costs are in its currency
    (company 1 also in its sites' abroad)."""
    rows = generated_run.query(
        "select company_id, currency, count(*) from marts.fct_bill_meter_costs "
        "group by company_id, currency"
    )
    by_company: dict[str, set[str]] = {}
    for company_id, currency, _ in rows:
        assert currency is not None
        by_company.setdefault(company_id, set()).add(currency)
    assert by_company["CO0001"] >= {"USD", "CAD", "GBP", "AUD", "SEK", "JPY"}
    assert by_company["CO0001"] >= {"INR", "CHF", "EUR"}
    assert by_company["CO0002"] in ({"EUR"}, {"CAD"})
    assert by_company["CO0003"] == {"VND"}


def test_sites_resolve_their_country_in_any_spelling(generated_run: Run) -> None:
    """A site's country as alpha-2, alpha-3, name or alias in any case gives
    its alpha-2 code and currency; Atlantis gives none (unknown_country)."""
    expected = generated_run.manifest["site_countries"]
    found = dict(
        generated_run.query("select site_id, country_code from marts.dim_sites")
    )
    assert {site: found.get(site, "absent") for site in expected} == expected
    currencies = dict(
        generated_run.query(
            "select country_code, currency_code from marts.dim_sites "
            "where country_code in ('US', 'IN', 'SE', 'JP', 'CH') group by all"
        )
    )
    assert currencies == {
        "US": "USD",
        "IN": "INR",
        "SE": "SEK",
        "JP": "JPY",
        "CH": "CHF",
    }


def test_a_foreign_meter_leaves_the_money_in_the_bills_company(
    generated_run: Run,
) -> None:
    """A line item naming company 1's meter on a bill of company 2: the link is
    dropped (foreign_meter), the item is split over the bill's own meter, and
    per company attributed plus unattributed costs equal what its bills
    charge."""
    (bill,) = generated_run.manifest["special_cases"]["foreign_meter_bills"]
    found = _attributed(generated_run, bill["document_id"])
    assert {meter: cost for meter, (_, cost) in found.items()} == {
        meter: Decimal(cost) for meter, cost in bill["attributed"].items()
    }
    assert bill["foreign_meter_id"] not in found
    companies = generated_run.query(
        "select distinct company_id from marts.fct_bill_meter_costs "
        "where document_id = ?",
        [bill["document_id"]],
    )
    assert companies == [(bill["company_id"],)]
    crossing = generated_run.query(
        "select count(*) from marts.fct_bill_meter_costs as costs "
        "inner join marts.dim_meters as meters on costs.meter_id = meters.meter_id "
        "where costs.company_id != meters.company_id"
    )
    assert crossing == [(0,)]


def test_a_negative_import_usage_counts_but_weighs_nothing(generated_run: Run) -> None:
    """The bill of two meters, one with a negative IMPORT usage: that meter's
    usage counts (calendarized), its share of the bill is zero, the other
    meter gets the whole bill."""
    bill = generated_run.manifest["special_cases"]["negative_usage_bill"]
    found = _attributed(generated_run, bill["document_id"])
    expected = {meter: Decimal(cost) for meter, cost in bill["attributed"].items()}
    assert {
        meter: found.get(meter, ("USD", Decimal(0)))[1] for meter in expected
    } == expected
    assert set(found) <= set(expected)
    ((usage,),) = generated_run.query(
        "select sum(usage) from marts.fct_calendarized_usage "
        "where usage_id = ? and is_counted",
        [bill["usage_id"]],
    )
    assert Decimal(usage) == Decimal(bill["usage_kwh"])


def test_json_numbers_keep_eighteen_significant_digits(generated_run: Run) -> None:
    exact = generated_run.manifest["special_cases"]["exact_charges"]
    assert generated_run.manifest["files"]["documents"].endswith(".jsonl")
    rows = dict(
        generated_run.query(
            "select document_id, current_charges "
            "from marts.fct_unattributed_bill_costs "
            "where document_id in (select unnest(?))",
            [[item["document_id"] for item in exact]],
        )
    )
    assert {d: Decimal(v) for d, v in rows.items()} == {
        item["document_id"]: Decimal(item["current_charges"]) for item in exact
    }


ACCEPTED_STATUSES = ("DETECTED", "ONBOARDED", "OLD_ACCOUNT", "DUPLICATE", "INACTIVE")
# The columns whose rejected values dq_rejected_values must count: the contract's
# enumerations (units may be counted too).
ENUMERATION_COLUMNS = {
    ("accounts", "status"),
    ("meters", "datasource_type"),
    ("usage_data", "net_metering_type"),
    ("line_items", "charge_type"),
    ("line_items", "datasource_type"),
}


def test_rejected_values_are_counted_next_to_the_accepted_ones(
    generated_run: Run,
) -> None:
    """Every rejected enumeration value written (Active, Electric, PENDING,
    SIDEWAYS, MYSTERY, NUCLEAR, ...) is in dq_rejected_values with its count
    and the accepted values."""
    expected = {
        (item["entity"], item["column_name"], item["raw_value"]): item["row_count"]
        for item in generated_run.manifest["rejected_values"]
    }
    assert ("accounts", "status", "Active") in expected
    assert ("meters", "datasource_type", "Electric") in expected
    rows = generated_run.query(
        "select entity, column_name, raw_value, row_count, accepted_values "
        "from marts.dq_rejected_values"
    )
    found = {(e, c, v): n for e, c, v, n, _ in rows}
    accepted = {(e, c): a for e, c, _, _, a in rows}
    counted = {key for key in expected if key[:2] in ENUMERATION_COLUMNS}
    counted |= {key for key in expected if key[:2] in {k[:2] for k in found}}
    assert {key: found.get(key) for key in counted} == {
        key: expected[key] for key in counted
    }
    assert all(
        status in accepted[("accounts", "status")] for status in ACCEPTED_STATUSES
    )


def test_a_rejected_status_names_the_value_and_the_cascade_names_the_parent(
    generated_run: Run,
) -> None:
    """The account whose status is Active: its reason detail names the value
    and the accepted ones; its meter's and bills' name the account and its
    reason."""
    details = {
        (entity, record_id): detail
        for entity, record_id, detail in generated_run.query(
            "select entity, record_id, reason_detail from marts.dq_quarantine "
            "where reason in ('unknown_status', 'account_quarantined')"
        )
    }
    active = [
        record_id
        for (entity, record_id), detail in details.items()
        if entity == "accounts" and "'Active'" in detail
    ]
    assert len(active) == 1
    detail = details[("accounts", active[0])]
    assert "status" in detail
    assert all(status in detail for status in ACCEPTED_STATUSES)
    cascaded = [
        detail
        for (entity, _), detail in details.items()
        if entity in ("meters", "documents") and active[0] in detail
    ]
    assert len(cascaded) >= 2
    assert all("unknown_status" in detail for detail in cascaded)


# --- the same portfolio day-first with decimal commas ------------------------------

RAW_TEXT_COLUMNS = {"raw_value", "raw_values", "reason_detail", "sample_values"}
"""Columns that show values as written: they differ between conventions."""


def _marts(run: Run) -> dict[str, list[tuple[Any, ...]]]:
    """Every mart's rows (raw-text columns aside), sorted."""
    tables = run.query(
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' and table_name != 'run_metadata' order by 1"
    )
    marts: dict[str, list[tuple[Any, ...]]] = {}
    for (table,) in tables:
        columns = [
            name
            for (name,) in run.query(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? "
                "order by ordinal_position",
                [table],
            )
            if name not in RAW_TEXT_COLUMNS
        ]
        select = ", ".join(f'"{column}"' for column in columns)
        marts[table] = sorted(
            run.query(f'select {select} from marts."{table}"'), key=repr
        )
    return marts


def test_the_day_first_folder_builds_the_same_marts(
    generated_run: Run, day_first_run: Run
) -> None:
    _gate_passed(day_first_run)
    assert (day_first_run.raw_dir / "landing.json").is_file()
    assert not (generated_run.raw_dir / "landing.json").exists()
    expected, found = _marts(generated_run), _marts(day_first_run)
    assert list(found) == list(expected)
    for table, rows in expected.items():
        # Every mart has rows, but the reviews that name no finding: the
        # generator writes no analysts' reviews (test_incremental reviews).
        assert rows or table == "dq_stale_reviews", table
        missing = [row for row in rows if row not in found[table]]
        extra = [row for row in found[table] if row not in rows]
        assert not missing and not extra, (table, missing[:3], extra[:3])
        assert found[table] == rows, table
    settings = day_first_run.query(
        "select date_order, decimal_separator from marts.run_metadata"
    )
    assert settings == [("dmy", ",")]


@pytest.mark.parametrize(
    ("locale", "options"),
    [
        ("dmy-comma", ("--date-order", "--decimal-separator")),
        ("dmy-point", ("--date-order",)),
        ("mdy-comma", ("--decimal-separator",)),
    ],
)
def test_a_folder_in_another_convention_without_landing_json_is_refused(
    tmp_path: Path, locale: str, options: tuple[str, ...]
) -> None:
    """Day-first dates or decimal commas with nothing saying so: the loader
    finds proof of the other convention and stops before loading (exit 2),
    naming the option to pass; never exit 0 with the values misread."""
    run = _run(
        tmp_path,
        companies=1,
        sites=2,
        months=3,
        seed=3,
        file_format="mixed",
        locale=locale,
        landing_json=False,
    )
    assert run.returncode == 2, run.output[-4000:]
    for option in options:
        assert option in run.output, run.output[-4000:]
    assert "landing.json" in run.output
    assert (
        not run.database.exists()
        or not run.query(
            "select count(*) from information_schema.tables where table_schema = 'raw'"
        )[0][0]
    )


# --- cp1252, no connections file ----------------------------------------------------


def test_a_cp1252_folder_without_connections_passes_the_gate(cp1252_run: Run) -> None:
    _gate_passed(cp1252_run)
    assert "connections" not in cp1252_run.manifest["files"]
    assert cp1252_run.query("select count(*) from marts.fct_portfolio_monthly")[0][0]
    site = cp1252_run.manifest["special_cases"]["accented_site"]
    assert cp1252_run.query(
        "select site_name from marts.dim_sites where site_id = ?", [site["site_id"]]
    ) == [("Café Zürich",)]


def test_a_cp1252_folder_shows_exactly_what_its_manifest_states(
    cp1252_run: Run,
) -> None:
    assert _found_quarantine(cp1252_run) == _expected_quarantine(cp1252_run)
    expected, found = _field_issues(cp1252_run)
    assert found == expected
    stated, counted = _unparsed_values(cp1252_run)
    assert counted == stated
    planted, shown = _planted_findings(cp1252_run), _found_findings(cp1252_run)
    for kind in FINDING_KINDS:
        assert not _missing(planted[kind], shown[kind], kind), kind


# --- the carbon company: the GHG inventory to the last digit --------------------------


def test_the_carbon_companys_inventory_is_the_one_the_manifest_states(
    generated_run: Run,
) -> None:
    """The carbon company's bills cover whole calendar months: the generator
    works its inventory out from the methodology (docs/methodology.md: factor
    lookup, GWPs, the three-step
    market allocation of its REC, supplier contract, unlimited and oversized
    instruments, the landing residual mix) and rpt_ghg_inventory must show
    exactly those rows."""
    inventory = generated_run.manifest["expected_inventory"]
    company = inventory["company_id"]

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        year, scope, method, activity, co2e, share = row
        return (
            int(year),
            int(scope),
            method,
            Decimal(activity),
            None if co2e is None else Decimal(co2e),
            None if share is None else Decimal(share),
        )

    expected = sorted(
        key(
            (
                item["year"],
                item["scope"],
                item["method"],
                item["activity_kwh"],
                item["co2e_t"],
                item["share_with_factor"],
            )
        )
        for item in inventory["rows"]
    )
    found = sorted(
        key(row)
        for row in generated_run.query(
            "select year, scope, method, activity_kwh, co2e_t, share_with_factor "
            "from marts.rpt_ghg_inventory where company_id = ?",
            [company],
        )
    )
    assert len(expected) >= 8
    assert found == expected


def test_the_ghg_command_reads_the_built_inventory(
    generated_run: Run, tmp_path: Path
) -> None:
    """``pipeline.py ghg`` on the built warehouse (not a hand-written one): it
    exits 0 and its CSV holds the carbon company's rpt_ghg_inventory rows, value
    for value."""
    company = generated_run.manifest["expected_inventory"]["company_id"]
    out = tmp_path / "ghg.csv"
    completed = run_pipeline(
        *("ghg", "--database", str(generated_run.database)),
        *("--company", company, "--out", str(out)),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert company in completed.stdout
    with out.open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    stored = generated_run.query(
        "select year, scope, method, activity_kwh, co2e_t, share_with_factor "
        "from marts.rpt_ghg_inventory where company_id = ?",
        [company],
    )

    def value(text: str) -> Decimal | None:
        return Decimal(text) if text else None

    assert len(written) == len(stored) >= 8
    assert sorted(
        (
            int(row["year"]),
            int(row["scope"]),
            row["method"],
            value(row["activity_kwh"]),
            value(row["co2e_t"]),
            value(row["share_with_factor"]),
        )
        for row in written
    ) == sorted(
        (
            int(year),
            int(scope),
            method,
            *(None if v is None else Decimal(v) for v in rest),
        )
        for year, scope, method, *rest in stored
    )


def test_an_instrument_larger_than_its_activity_leaves_unused_quantity(
    generated_run: Run,
) -> None:
    """The carbon company's REC of 5,000,000 kWh for one month of a site: what
    the site's electricity leaves over is unused_instrument_quantity; its
    other instruments are used up. Besides, the company has every factor; only
    its fuels and steam have no source-to-site ratio, and its steam no
    residual mix."""
    company = generated_run.manifest["expected_inventory"]["company_id"]
    rows = generated_run.query(
        "select kind, commodity, site_id, instrument_id, month, quantity_kwh "
        "from marts.dq_emission_findings where company_id = ?",
        [company],
    )
    assert {(kind, commodity) for kind, commodity, *_ in rows} == {
        ("unused_instrument_quantity", "ELECTRICITY"),
        ("no_source_ratio", "FUEL_OIL"),
        ("no_source_ratio", "PROPANE"),
        ("no_source_ratio", "STEAM"),
        ("residual_mix_unavailable", "STEAM"),
    }
    ((_, _, site, instrument, month, quantity),) = [
        row for row in rows if row[0] == "unused_instrument_quantity"
    ]
    assert instrument.endswith("-04")
    ((activity,),) = generated_run.query(
        "select activity_kwh from marts.fct_site_monthly_emissions "
        "where site_id = ? and commodity = 'ELECTRICITY' and month = ?",
        [site, month],
    )
    assert Decimal(quantity) == Decimal(5_000_000) - Decimal(activity) > 0


def test_sites_without_a_country_and_unassigned_meters_take_the_anywhere_factors(
    generated_run: Run,
) -> None:
    """Company 1's gas meter at a site without a country takes the ``*``
    factor and has no source energy; unassigned meters carry activity."""
    rows = generated_run.query(
        "select energy.factor_region, energy.source_energy_kbtu, "
        "energy.co2e_location_kg from marts.fct_meter_monthly_energy as energy "
        "inner join marts.dim_sites as sites on energy.site_id = sites.site_id "
        "where sites.country_code is null and energy.commodity = 'GAS' "
        "and energy.activity_kwh > 0"
    )
    assert rows
    assert {(region, source) for region, source, _ in rows} == {("*", None)}
    assert all(co2e is not None for _, _, co2e in rows)
    ((unassigned,),) = generated_run.query(
        "select count(*) from marts.fct_meter_monthly_energy "
        "where site_id is null and activity_kwh > 0"
    )
    assert unassigned
