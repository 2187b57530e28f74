"""The kinds of planted cases: what each entity plants, the bad and rejected
values they write, and the cascade and enumeration reasons they lead to."""

from __future__ import annotations

from datetime import date

BAD_ROW_RATE = 0.01
"""Share of an entity's good rows planted per kind of case."""
_FINDING_RATE = 0.01
"""Share of the groups (one account's bills) outside company 1 planted per kind
of data-quality finding."""


_BAD_DATES = ("2024-13-45", "31/31/2024", "soon")
_IMPLAUSIBLE_DATES = ("0025-06-30", "2206-01-31", "9999-12-31", "06/30/0025")
_BAD_AMOUNTS = ("12..5$", "abc", "n/a")
_BAD_BOOLEANS = ("maybe", "perhaps", "2")
_OUT_OF_RANGE_CENTS = 10**15  # 10^13 in currency units


_EXACT_CHARGES = ("123456789012.345678", "99999999999.999999")
"""Charges that binary floating point cannot hold (17 and 18 significant
digits), written as JSON numbers in a JSON lines file."""
_REJECTED_STATUS = "Active"
"""The status of company 1's rejected account (not one the warehouse accepts)."""
_REJECTED_COMMODITY = "Electric"
"""The commodity of company 1's rejected meter (ELECTRICITY is accepted)."""
_REJECTED_GROUP = "rejected"
"""The group key of company 1's meter billed to the rejected account."""


# Dimension entities: kinds planted per company as extra records. A kind is a
# quarantine reason, or "column:reason" for a field issue on a clean record.
# Kinds ending in bad_id (a JSON object in a key column) are planted only in
# entities written as JSON lines, the only format that holds objects.
DIMENSION_KINDS: dict[str, tuple[str, ...]] = {
    "companies": (
        "missing_id",
        "bad_id",
        "implied_sewer_fraction:bad_number",
        "implied_sewer_fraction:out_of_range",
    ),
    "sites": (
        "missing_id",
        "bad_id",
        "orphan_company",
        "gross_floor_area:bad_number",
        "gross_floor_area:out_of_range",
        "gross_floor_area_units:unknown_unit",
        "data_collection_stop_date:bad_date",
        "data_collection_stop_date:implausible_date",
        "mirror_site_id:orphan_site",
        "mirror_site_id:site_quarantined",
        "mirror_site_id:self_link",
        "mirror_site_id:bad_id",
        "country:unknown_country",
    ),
    "connections": ("missing_id", "bad_id", "company_id:orphan_company"),
    "accounts": (
        "missing_id",
        "bad_id",
        "unknown_status",
        "orphan_company",
        "active_account_cycle",
        "connection_id:orphan_connection",
        "active_account_id:orphan_account",
        "active_account_id:account_quarantined",
        "active_account_id:bad_id",
    ),
    "meters": (
        "missing_id",
        "bad_id",
        "unknown_commodity",
        "orphan_company",
        "orphan_account",
        "account_quarantined",
        "site_id:orphan_site",
        "site_id:site_quarantined",
        "site_id:bad_id",
        "is_tracked:bad_boolean",
        "is_duplicated:bad_boolean",
    ),
    "meter_identifiers": ("missing_id", "missing_value", "orphan_meter"),
    "meter_tags": ("missing_id", "missing_value", "orphan_meter"),
}
# Streamed entities: kinds planted next to the current bill of a billing period.
# Besides quarantine reasons and field issues: reused_id (a document id reused
# for another bill), no_meter_bill (unattributed), line_item_meter_bill (only
# usage row quarantined, a line item names a clean meter) and identifier_match
# (a usage row without meter_id that matches one meter).
STREAM_KINDS: dict[str, tuple[str, ...]] = {
    "documents": (
        "missing_id",
        "bad_id",
        "bad_date",
        "implausible_date",
        "end_before_start",
        "implausible_period",
        "orphan_account",
        "account_quarantined",
        "revision_cycle",
        "total_charges:bad_amount",
        "total_charges:bad_number",
        "current_charges:bad_amount",
        "current_charges:bad_number",
        "revised_document_id:orphan_document",
        "revised_document_id:document_quarantined",
        "revised_document_id:bad_id",
        "reused_id",
        "no_meter_bill",
        "line_item_meter_bill",
    ),
    "usage_data": (
        "missing_id",
        "bad_id",
        "bad_date",
        "implausible_date",
        "end_before_start",
        "implausible_period",
        "bad_number",
        "missing_usage",
        "unknown_net_metering_type",
        "orphan_document",
        "orphan_meter",
        "missing_meter",
        "bad_json",
        "unmatched_meter",
        "ambiguous_meter",
        "unknown_unit",
        "raw_usage:bad_number",
        "standard_usage:bad_number",
        "demand:bad_number",
        "exclusion:bad_boolean",
        "is_estimated:bad_boolean",
        "extracted_identifiers:bad_json",
        "identifier_match",
    ),
    "line_items": (
        "missing_id",
        "bad_id",
        "bad_amount",
        "bad_number",
        "unknown_charge_type",
        "orphan_document",
        "meter_id:orphan_meter",
        "meter_id:meter_quarantined",
        "meter_id:bad_id",
        "datasource_type:unknown_commodity",
    ),
}
# Streamed kinds planted in several variants, taken in turn.
_STREAM_VARIANTS: dict[str, int] = {
    "documents:implausible_date": 4,
    "documents:revision_cycle": 2,
    "documents:no_meter_bill": 4,
    "usage_data:implausible_date": 5,
    "usage_data:bad_number": 4,
    "usage_data:missing_meter": 2,
    "usage_data:bad_json": 3,
    "usage_data:unmatched_meter": 3,
    "usage_data:ambiguous_meter": 2,
    "usage_data:identifier_match": 3,
}
CASCADE_ACCOUNT = "account_quarantined"
CASCADE_METER = "meter_quarantined"
CASCADE_DOCUMENT = "document_quarantined"
UNKEYED_REASONS = frozenset({"missing_id", "bad_id"})
"""Quarantine reasons of rows without a usable id: the manifest names no record."""
# The column an enumeration's quarantine reason rejects, per entity (a field
# issue names its column in its kind).
_ENUMERATION_COLUMNS: dict[tuple[str, str], str] = {
    ("accounts", "unknown_status"): "status",
    ("meters", "unknown_commodity"): "datasource_type",
    ("usage_data", "unknown_net_metering_type"): "net_metering_type",
    ("usage_data", "unknown_unit"): "raw_usage_units",
    ("line_items", "unknown_charge_type"): "charge_type",
}
_ENUMERATION_ISSUES = frozenset(
    {"unknown_commodity", "unknown_unit", "unknown_country", "bad_boolean"}
)
"""Field-issue reasons that reject a value of an enumeration, a unit, a country
or a boolean (a currency's are stated where its bills are written)."""


def _with_year(day: date, year: int) -> str:
    """A date in another (maybe implausible) year, as ISO text."""
    return f"{year:04d}-{day.month:02d}-{min(day.day, 28):02d}"
