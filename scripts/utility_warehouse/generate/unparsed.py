"""The unparsed-share limit: the columns the warehouse's gate judges, its
default limit, and the planted kinds whose value cannot be parsed.

The warehouse fails a build when more than a share of a column's non-empty
values cannot be parsed (var landing_max_unparsed_share), so that a folder in
an unexpected format never passes with its values emptied. The landing counts
the values it writes per judged column, and a value that cannot be parsed is
written only while the column stays within the limit (see _Landing.has_room).
"""

from __future__ import annotations

from fractions import Fraction

JUDGED_COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": ("implied_sewer_fraction", "updated_at"),
    "sites": (
        "gross_floor_area",
        "gross_floor_area_units",
        "data_collection_stop_date",
        "country",
        "updated_at",
    ),
    "connections": ("updated_at",),
    "accounts": ("status", "updated_at"),
    "meters": ("datasource_type", "is_tracked", "is_duplicated", "updated_at"),
    "documents": (
        "start_date",
        "bill_date",
        "total_charges",
        "current_charges",
        "charges_units",
        "updated_at",
    ),
    "usage_data": (
        "start_date",
        "end_date",
        "raw_usage",
        "raw_usage_units",
        "standard_usage",
        "demand",
        "exclusion",
        "is_estimated",
        "net_metering_type",
        "updated_at",
    ),
    "line_items": ("amount", "charge_type", "datasource_type", "updated_at"),
}
"""The columns the warehouse's unparsed-share gate judges, per entity (dates,
timestamps, numbers, amounts, booleans, enumerations, units, currencies and
countries), over the records that win their key. documents.charges_units counts
over clean bills only."""
_JUDGED_KEYS: dict[str, tuple[tuple[tuple[str, str], str], ...]] = {
    entity: tuple(((entity, column), column) for column in columns)
    for entity, columns in JUDGED_COLUMNS.items()
}
"""Per entity, (key, column) of each judged column: what _Landing counts."""
_JUDGED_KEYS_ALL = tuple(key for keys in _JUDGED_KEYS.values() for key, _ in keys)
CLEAN_RECORD_COLUMNS = frozenset({("documents", "charges_units")})
"""Judged columns that count only the records the warehouse does not quarantine."""
MAX_UNPARSED_SHARE = Fraction(1, 20)
"""The gate's default limit (landing_max_unparsed_share 0.05)."""
UNPARSEABLE_KINDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("companies", "implied_sewer_fraction:bad_number"): ("implied_sewer_fraction",),
    ("sites", "gross_floor_area:bad_number"): ("gross_floor_area",),
    ("sites", "gross_floor_area_units:unknown_unit"): ("gross_floor_area_units",),
    ("sites", "data_collection_stop_date:bad_date"): ("data_collection_stop_date",),
    ("sites", "country:unknown_country"): ("country",),
    ("accounts", "unknown_status"): ("status",),
    ("meters", "unknown_commodity"): ("datasource_type",),
    ("meters", "is_tracked:bad_boolean"): ("is_tracked",),
    ("meters", "is_duplicated:bad_boolean"): ("is_duplicated",),
    ("documents", "bad_date"): ("start_date", "bill_date"),
    ("documents", "total_charges:bad_amount"): ("total_charges",),
    ("documents", "current_charges:bad_amount"): ("current_charges",),
    ("documents", "charges_units:ambiguous_currency"): ("charges_units",),
    ("documents", "charges_units:unknown_currency"): ("charges_units",),
    ("usage_data", "bad_date"): ("start_date", "end_date"),
    ("usage_data", "bad_number"): ("raw_usage", "standard_usage"),
    ("usage_data", "unknown_unit"): ("raw_usage_units",),
    ("usage_data", "unknown_net_metering_type"): ("net_metering_type",),
    ("usage_data", "raw_usage:bad_number"): ("raw_usage",),
    ("usage_data", "standard_usage:bad_number"): ("standard_usage",),
    ("usage_data", "demand:bad_number"): ("demand",),
    ("usage_data", "exclusion:bad_boolean"): ("exclusion",),
    ("usage_data", "is_estimated:bad_boolean"): ("is_estimated",),
    ("line_items", "bad_amount"): ("amount",),
    ("line_items", "unknown_charge_type"): ("charge_type",),
    ("line_items", "datasource_type:unknown_commodity"): ("datasource_type",),
}
"""The kinds (entity, kind) whose planted value cannot be parsed, and the judged
columns it spoils: one value in one of them per planted row (the bad date of a
bill in its start or its bill date; a usage row's bad_number in raw_usage or
standard_usage, or in neither when it is out of range). Out-of-range and
implausible values parse (the warehouse checks them after parsing), and so do
rejected links and bad JSON: those kinds spoil nothing judged. The rejected
account (status ``Active``), the meter of type ``Electric``, the bills in
``Dollars`` and with an ambiguous ``$`` are these kinds too."""
