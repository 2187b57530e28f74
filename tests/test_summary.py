"""The end-of-run summary, on a small hand-made warehouse (no dbt involved)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from utility_warehouse import summary
from utility_warehouse.summary import (
    CurrencyCost,
    collect_summary,
    format_amount,
    format_costs,
    format_summary,
)


def build_warehouse(path: Path, *, with_new_marts: bool = True) -> Path:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema raw")
        con.execute("create table raw.companies (id varchar)")
        con.execute("insert into raw.companies values ('c1'), ('c2')")
        con.execute("create table raw._load_audit (entity varchar)")  # not counted
        con.execute("create schema marts")
        con.execute(
            "create table marts.dq_quarantine (entity varchar, record_id varchar, "
            "reason varchar)"
        )
        con.execute(
            "insert into marts.dq_quarantine values ('meters', 'm9', 'orphan_account')"
        )
        if not with_new_marts:
            return path
        con.execute(
            "create table marts.fct_bill_meter_costs (document_id varchar, "
            "currency varchar, attributed_cost decimal(28, 6))"
        )
        con.execute(
            "insert into marts.fct_bill_meter_costs values "
            "('B1', 'USD', 100.5), ('B1', 'USD', 20.25), ('B2', 'EUR', 0.000001), "
            "('B3', 'VND', 1234567890.123456)"
        )
        con.execute(
            "create table marts.fct_unattributed_bill_costs (document_id varchar, "
            "currency varchar, unattributed_cost decimal(28, 6))"
        )
        con.execute(
            "insert into marts.fct_unattributed_bill_costs values "
            "('B7', 'VND', 3580892862.63), ('B8', 'VND', 3580892862.63), "
            "('B9', 'USD', 10)"
        )
        con.execute(
            "create table marts.dq_field_issues (entity varchar, record_id varchar, "
            "column_name varchar, raw_value varchar, reason varchar)"
        )
        con.execute(
            "insert into marts.dq_field_issues values "
            "('sites', 's1', 'gross_floor_area', '12,000 sq ft', 'bad_number'), "
            "('sites', 's2', 'gross_floor_area', '-5', 'out_of_range'), "
            "('sites', 's3', 'gross_floor_area', 'n/a', 'bad_number'), "
            "('accounts', 'a1', 'connection_id', 'CN-1', 'orphan_connection')"
        )
        con.execute(
            "create table marts.dq_duplicate_key_versions (entity varchar, "
            "record_id varchar, differs_from_winner boolean)"
        )
        con.execute(
            "insert into marts.dq_duplicate_key_versions values "
            "('companies', 'c1', true), ('companies', 'c1', false), "
            "('sites', 's1', false)"
        )
    finally:
        con.close()
    return path


def test_the_summary_shows_costs_field_issues_and_replaced_versions(
    tmp_path: Path,
) -> None:
    lines = format_summary(collect_summary(build_warehouse(tmp_path / "w.duckdb")))

    start = lines.index("quarantine: 1 rows")
    assert lines[start:] == [
        "quarantine: 1 rows",
        "  meters  orphan_account: 1",
        "field issues (value set to null or its default): 4",
        "  accounts.connection_id  orphan_connection: 1",
        "  sites.gross_floor_area  bad_number: 2",
        "  sites.gross_floor_area  out_of_range: 1",
        "replaced record versions: 3 (1 differs from the winning version)",
        "  companies  2 replaced, 1 differs",
        "  sites      1 replaced, 0 differ",
        "attributed bill costs: EUR 0.000001",
        "attributed bill costs: USD 120.750000",
        "attributed bill costs: VND 1,234,567,890.123456",
        "unattributed bill costs: USD 1 bill 10.000000",
        "unattributed bill costs: VND 2 bills 7,161,785,725.260000",
    ]
    assert "  raw             1 relations            2 rows" in lines


def test_a_warehouse_without_the_new_marts_is_summarized_as_before(
    tmp_path: Path,
) -> None:
    path = build_warehouse(tmp_path / "w.duckdb", with_new_marts=False)

    collected = collect_summary(path)
    lines = format_summary(collected)

    assert collected.attributed_costs is None
    assert collected.unattributed_costs is None
    assert collected.field_issues is None
    assert collected.replaced_versions is None
    assert lines[-2:] == ["quarantine: 1 rows", "  meters  orphan_account: 1"]


def test_empty_marts_say_so(tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(path)) as con:
        for table in (
            "fct_bill_meter_costs",
            "fct_unattributed_bill_costs",
            "dq_field_issues",
            "dq_duplicate_key_versions",
        ):
            con.execute(f"delete from marts.{table}")
        lines = format_summary(collect_summary(path, con))

    assert lines[-4:] == [
        "field issues (value set to null or its default): 0",
        "replaced record versions: 0 (0 differ from the winning version)",
        "attributed bill costs: none (marts.fct_bill_meter_costs is empty)",
        "unattributed bill costs: none (marts.fct_unattributed_bill_costs is empty)",
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("7161785725.260000"), "7,161,785,725.260000"),
        (Decimal("-12.5"), "-12.5"),
        (Decimal("0E-6"), "0.000000"),
        (1234567, "1,234,567"),
        (0.1, "0.1"),
        (None, "0"),
    ],
)
def test_amounts_keep_every_decimal(value: Decimal | int | None, text: str) -> None:
    assert format_amount(value) == text


def test_costs_line_per_currency() -> None:
    costs = (CurrencyCost("VND", Decimal("7161785725.260000"), 2),)
    assert format_costs("unattributed bill costs", costs, "t") == [
        "unattributed bill costs: VND 2 bills 7,161,785,725.260000"
    ]
    assert format_costs("x", None, "t") == []
    assert summary.format_costs("x", (), "t") == ["x: none (marts.t is empty)"]


def test_compact_costs_share_a_line_to_each_currencys_minor_unit() -> None:
    costs = (
        CurrencyCost("EUR", Decimal("1820.555000"), None),
        CurrencyCost("VND", Decimal("7161785725.500000"), 2),
        CurrencyCost("(none)", Decimal("130.000000"), 1),
    )
    assert summary.format_compact_costs("costs", costs, "t") == [
        "costs: EUR 1,820.56; VND 2 bills 7,161,785,726; (none) 1 bill 130.00"
    ]
    assert summary.format_compact_costs("x", (), "t") == ["x: none (marts.t is empty)"]
    many = tuple(
        CurrencyCost(code, Decimal("1234567.891"), None)
        for code in ("AUD", "CAD", "CHF", "EUR", "GBP", "INR", "SEK", "USD")
    )
    lines = summary.format_compact_costs("attributed bill costs", many, "t")
    assert len(lines) == 2
    assert all(len(line) <= summary.COMPACT_WIDTH for line in lines)
    assert lines[1].startswith("  ")


def test_the_compact_summary_lists_four_columns_of_rejected_values() -> None:
    values = [
        summary.RejectedValue("meters", f"column_{n}", "x", 1, "A, B") for n in range(6)
    ]
    lines = summary.format_rejected_values(values, columns_shown=4)
    assert lines[0] == "rejected values: 6"
    assert lines[1:5] == [
        f"  meters.column_{n}: 'x' 1; accepted: A, B" for n in range(4)
    ]
    assert lines[5] == (
        "  ... and 2 more columns (marts.dq_rejected_values, or run --verbose)"
    )
    assert len(summary.format_rejected_values(values)) == 7


def _add_rejections(path: Path) -> Path:
    """dq_rejected_values and dq_unparsed_shares as the build writes them."""
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table marts.dq_rejected_values (entity varchar, "
            "column_name varchar, raw_value varchar, row_count integer, "
            "accepted_values varchar)"
        )
        con.execute(
            "insert into marts.dq_rejected_values values "
            "('accounts', 'status', 'Active', 3, 'DETECTED, ONBOARDED'), "
            "('accounts', 'status', 'live', 1, 'DETECTED, ONBOARDED'), "
            "('meters', 'datasource_type', 'Electric', 4, 'ELECTRICITY, GAS')"
        )
        con.execute(
            "create table marts.dq_unparsed_shares (entity varchar, "
            "column_name varchar, non_empty_count integer, unparsed_count integer, "
            "unparsed_share decimal(28, 6), sample_values varchar, "
            "max_unparsed_share decimal(28, 6))"
        )
        con.execute(
            "insert into marts.dq_unparsed_shares values "
            "('documents', 'start_date', 40, 12, 0.3, "
            "'''13/01/2025'', ''14/01/2025'', ''31/01/2025''', 0.05), "
            "('usage_data', 'demand', 20, 1, 0.05, '''n/a''', 0.05), "
            "('sites', 'country', 16, 1, 0.0625, '''Atlantis''', 0.05), "
            "('meters', 'is_tracked', 0, 0, 0, null, 0.05)"
        )
    return path


def test_rejected_values_are_listed_next_to_the_accepted_ones(tmp_path: Path) -> None:
    path = _add_rejections(build_warehouse(tmp_path / "w.duckdb"))
    collected = collect_summary(path)

    expected = [
        "rejected values: 8",
        "  accounts.status: 'Active' 3, 'live' 1; accepted: DETECTED, ONBOARDED",
        "  meters.datasource_type: 'Electric' 4; accepted: ELECTRICITY, GAS",
    ]
    full = format_summary(collected)
    compact = summary.format_compact_summary(collected)
    for lines in (full, compact):
        start = lines.index("rejected values: 8")
        assert lines[start : start + 3] == expected
    assert summary.format_rejected_values(collected.rejected_values, per_column=1)[
        1
    ] == ("  accounts.status: 'Active' 3, 1 more; accepted: DETECTED, ONBOARDED")


def test_columns_over_the_unparsed_share_limit_are_named_with_samples(
    tmp_path: Path,
) -> None:
    path = _add_rejections(build_warehouse(tmp_path / "w.duckdb"))
    collected = collect_summary(path)

    expected = [
        "columns over the unparsed-share limit (the build fails):",
        "  documents.start_date: 12 of 40 non-empty values could not be parsed "
        "(30%): '13/01/2025', '14/01/2025', '31/01/2025'",
        "  sites.country: 1 of 16 non-empty values could not be parsed (6.3%): "
        "'Atlantis'",
    ]
    for lines in (format_summary(collected), summary.format_compact_summary(collected)):
        start = lines.index(expected[0])
        assert lines[start : start + 3] == expected
        # At the limit (5%) is not over it.
        assert not any("usage_data.demand" in line for line in lines)


def test_no_rejections_print_nothing(tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "w.duckdb")
    collected = collect_summary(path)
    assert collected.rejected_values is None
    assert collected.unparsed_shares is None
    assert not any("rejected" in line for line in format_summary(collected))
