"""The raw landing contract: which files a landing folder holds and their columns.

A landing folder holds one file per entity, ``<entity>.csv`` (header row),
``<entity>.jsonl`` or ``<entity>.parquet``, with the column names below. File and
column names match whatever their case and surrounding spaces (``Meter_Tags.CSV``,
a header `` Demand ``). Text files are UTF-8 unless the loader is told otherwise.

Every entity's file is required and must hold at least one record, except:
``meter_identifiers`` (required, may be empty) and the optional files
``connections``, ``meter_tags``, ``line_items``, ``emission_factors``,
``contractual_instruments`` and ``finding_reviews`` (may be absent or empty).

A file must carry its entity's required columns (``required``) and at least one
column of each group of alternatives (``one_of``: usage_data needs
``standard_usage`` or ``raw_usage``, and ``meter_id`` or ``extracted_identifiers``);
any other column may be absent and lands as NULL text.

Each column has a kind (``kind_of``): what its values are and how staging parses
them; the enumerations staging accepts are listed once here (``ENUMERATIONS``).
"""

from __future__ import annotations

from dataclasses import dataclass

FILE_FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")

# Columns every entity may carry and that may be missing from any file.
COMMON_OPTIONAL_COLUMNS: tuple[str, ...] = ("updated_at",)

# Column kinds: what a value is and how staging reads it.
ID = "id"
TEXT = "text"
DATE = "date"
TIMESTAMP = "timestamp"
AMOUNT = "amount"
NUMBER = "number"
BOOLEAN = "boolean"
ENUMERATION = "enumeration"
UNIT = "unit"
CURRENCY = "currency"
COUNTRY = "country"
JSON_IDENTIFIERS = "json_identifiers"

# The enumerations staging accepts (any case; spaces and hyphens read as
# underscores). The seeds the models read hold the same lists (a test compares).
ENUMERATIONS: dict[str, tuple[str, ...]] = {
    "account_status": ("DETECTED", "ONBOARDED", "OLD_ACCOUNT", "DUPLICATE", "INACTIVE"),
    "commodity": (
        "ELECTRICITY",
        "GAS",
        "WATER",
        "SEWER",
        "STEAM",
        "FUEL_OIL",
        "PROPANE",
        "DISTRICT_HEATING",
        "DISTRICT_COOLING",
    ),
    "net_metering_type": ("IMPORT", "EXPORT", "GENERATION"),
    "charge_type": ("USAGE", "DEMAND", "FEE", "TAX", "CREDIT", "OTHER"),
    "floor_area_unit": ("SQ_FT", "SQ_M"),
    "identifier_type": (
        "METER",
        "POD",
        "ELECTRIC_CHOICE",
        "PREMISE",
        "SUBMETER",
        "ESI",
        "CHOICE_ID",
        "SUB_ACCOUNT",
        "ACCOUNT",
        "SUMMARY_ACCOUNT",
        "MPR",
        "ICP",
        "NMI",
        "MIRN",
    ),
    "review_status": ("OPEN", "RESOLVED", "DISMISSED"),
}
OPEN_ENUMERATIONS: frozenset[str] = frozenset({"identifier_type"})
"""Enumerations whose other values are kept (ranked after the listed ones)."""


@dataclass(frozen=True)
class Entity:
    """One raw entity of the landing contract."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...] = ("id",)
    """Columns every file of the entity must carry."""
    one_of: tuple[tuple[str, ...], ...] = ()
    """Groups of columns of which a file must carry at least one."""
    kinds: tuple[tuple[str, str], ...] = ()
    """``(column, kind)`` for every column that is not plain text."""
    enumerations: tuple[tuple[str, str], ...] = ()
    """``(column, enumeration)``: the column's values come from ``ENUMERATIONS``."""
    file_optional: bool = False
    """The file may be absent (then the raw table is empty)."""
    may_be_empty: bool = False
    """The file is required but may hold no records."""

    @property
    def required_columns(self) -> tuple[str, ...]:
        return self.required

    @property
    def alternative_columns(self) -> tuple[str, ...]:
        return tuple(column for group in self.one_of for column in group)

    @property
    def optional_columns(self) -> tuple[str, ...]:
        """Columns that may be absent (``updated_at`` included)."""
        needed = {*self.required, *self.alternative_columns}
        return tuple(column for column in self.all_columns if column not in needed)

    @property
    def all_columns(self) -> tuple[str, ...]:
        return (*self.columns, *COMMON_OPTIONAL_COLUMNS)

    @property
    def requires_rows(self) -> bool:
        """True when the file must hold at least one record."""
        return not (self.file_optional or self.may_be_empty)

    def kind_of(self, column: str) -> str:
        if column in COMMON_OPTIONAL_COLUMNS:
            return TIMESTAMP
        if column in dict(self.enumerations):
            return ENUMERATION
        return dict(self.kinds).get(column, TEXT)

    def enumeration_of(self, column: str) -> str | None:
        return dict(self.enumerations).get(column)

    def columns_of_kind(self, *kinds: str) -> tuple[str, ...]:
        return tuple(c for c in self.all_columns if self.kind_of(c) in kinds)


ENTITIES: tuple[Entity, ...] = (
    Entity(
        "companies",
        ("id", "name", "implied_sewer_fraction"),
        kinds=(("id", ID), ("implied_sewer_fraction", NUMBER)),
    ),
    Entity(
        "sites",
        (
            "id",
            "company_id",
            "name",
            "address",
            "city",
            "region",
            "postal_code",
            "country",
            "gross_floor_area",
            "gross_floor_area_units",
            "data_collection_stop_date",
            "mirror_site_id",
            "grid_region",
        ),
        required=("id", "company_id"),
        kinds=(
            ("id", ID),
            ("company_id", ID),
            ("country", COUNTRY),
            ("gross_floor_area", NUMBER),
            ("data_collection_stop_date", DATE),
            ("mirror_site_id", ID),
        ),
        enumerations=(("gross_floor_area_units", "floor_area_unit"),),
    ),
    Entity(
        "connections",
        ("id", "company_id", "provider_name"),
        kinds=(("id", ID), ("company_id", ID)),
        file_optional=True,
    ),
    Entity(
        "accounts",
        (
            "id",
            "company_id",
            "connection_id",
            "account_number",
            "provider_name",
            "status",
            "active_account_id",
            "primary_identifier_type",
            "secondary_identifier_type",
        ),
        required=("id", "company_id", "status"),
        kinds=(
            ("id", ID),
            ("company_id", ID),
            ("connection_id", ID),
            ("active_account_id", ID),
        ),
        enumerations=(
            ("status", "account_status"),
            ("primary_identifier_type", "identifier_type"),
            ("secondary_identifier_type", "identifier_type"),
        ),
    ),
    Entity(
        "meters",
        (
            "id",
            "company_id",
            "account_id",
            "site_id",
            "datasource_type",
            "is_tracked",
            "is_duplicated",
            "service_address",
        ),
        required=("id", "company_id", "account_id", "datasource_type"),
        kinds=(
            ("id", ID),
            ("company_id", ID),
            ("account_id", ID),
            ("site_id", ID),
            ("is_tracked", BOOLEAN),
            ("is_duplicated", BOOLEAN),
        ),
        enumerations=(("datasource_type", "commodity"),),
    ),
    Entity(
        "meter_identifiers",
        ("meter_id", "identifier_type", "value"),
        required=("meter_id", "identifier_type", "value"),
        kinds=(("meter_id", ID),),
        enumerations=(("identifier_type", "identifier_type"),),
        may_be_empty=True,
    ),
    Entity(
        "meter_tags",
        ("meter_id", "tag_name"),
        required=("meter_id", "tag_name"),
        kinds=(("meter_id", ID),),
        file_optional=True,
    ),
    Entity(
        "documents",
        (
            "id",
            "account_id",
            "start_date",
            "bill_date",
            "total_charges",
            "current_charges",
            "charges_units",
            "revised_document_id",
        ),
        required=("id", "account_id", "start_date", "bill_date"),
        kinds=(
            ("id", ID),
            ("account_id", ID),
            ("start_date", DATE),
            ("bill_date", DATE),
            ("total_charges", AMOUNT),
            ("current_charges", AMOUNT),
            ("charges_units", CURRENCY),
            ("revised_document_id", ID),
        ),
    ),
    Entity(
        "usage_data",
        (
            "id",
            "document_id",
            "meter_id",
            "start_date",
            "end_date",
            "raw_usage",
            "raw_usage_units",
            "standard_usage",
            "exclusion",
            "net_metering_type",
            "demand",
            "extracted_identifiers",
            "is_estimated",
        ),
        required=("id", "document_id", "start_date", "end_date"),
        one_of=(("standard_usage", "raw_usage"), ("meter_id", "extracted_identifiers")),
        kinds=(
            ("id", ID),
            ("document_id", ID),
            ("meter_id", ID),
            ("start_date", DATE),
            ("end_date", DATE),
            ("raw_usage", NUMBER),
            ("raw_usage_units", UNIT),
            ("standard_usage", NUMBER),
            ("exclusion", BOOLEAN),
            ("demand", NUMBER),
            ("extracted_identifiers", JSON_IDENTIFIERS),
            ("is_estimated", BOOLEAN),
        ),
        enumerations=(("net_metering_type", "net_metering_type"),),
    ),
    Entity(
        "line_items",
        (
            "id",
            "document_id",
            "meter_id",
            "charge_type",
            "datasource_type",
            "description",
            "amount",
        ),
        required=("id", "document_id", "charge_type", "amount"),
        kinds=(
            ("id", ID),
            ("document_id", ID),
            ("meter_id", ID),
            ("amount", AMOUNT),
        ),
        enumerations=(("charge_type", "charge_type"), ("datasource_type", "commodity")),
        file_optional=True,
    ),
    Entity(
        "emission_factors",
        (
            "region",
            "commodity",
            "year",
            "method",
            "co2_kg_per_kwh",
            "ch4_kg_per_kwh",
            "n2o_kg_per_kwh",
            "source",
        ),
        required=("region", "commodity", "year", "method", "co2_kg_per_kwh"),
        kinds=(
            ("year", NUMBER),
            ("co2_kg_per_kwh", NUMBER),
            ("ch4_kg_per_kwh", NUMBER),
            ("n2o_kg_per_kwh", NUMBER),
        ),
        enumerations=(("commodity", "commodity"),),
        file_optional=True,
    ),
    Entity(
        "contractual_instruments",
        (
            "id",
            "company_id",
            "site_id",
            "market",
            "commodity",
            "start_date",
            "end_date",
            "quantity_kwh",
            "co2e_kg_per_kwh",
            "instrument_type",
        ),
        required=("id", "company_id", "start_date", "end_date", "co2e_kg_per_kwh"),
        kinds=(
            ("id", ID),
            ("company_id", ID),
            ("site_id", ID),
            ("market", COUNTRY),
            ("start_date", DATE),
            ("end_date", DATE),
            ("quantity_kwh", NUMBER),
            ("co2e_kg_per_kwh", NUMBER),
        ),
        enumerations=(("commodity", "commodity"),),
        file_optional=True,
    ),
    # Analysts' decisions on data-quality findings (dq_findings), appended by
    # ``pipeline.py review``. A review has no key of its own: a finding may be
    # reviewed many times, and every row is kept (the latest reviewed_at wins).
    Entity(
        "finding_reviews",
        ("finding_id", "status", "note", "reviewed_by", "reviewed_at"),
        required=("finding_id", "status", "reviewed_at"),
        kinds=(("finding_id", ID), ("reviewed_at", TIMESTAMP)),
        enumerations=(("status", "review_status"),),
        file_optional=True,
    ),
)

ENTITY_BY_NAME: dict[str, Entity] = {entity.name: entity for entity in ENTITIES}

# The columns the loader looks at for proof of another date order or decimal
# separator: every date and timestamp column, and the amounts.
DATE_KINDS: tuple[str, ...] = (DATE, TIMESTAMP)
AMOUNT_KINDS: tuple[str, ...] = (AMOUNT,)


def normalize_name(name: str) -> str:
    """How file and column names are matched: case and surrounding spaces ignored."""
    return name.strip().lower()


def is_ignored_file_name(name: str) -> bool:
    """Files the loader never considers: names starting with ``_`` or ``.``."""
    return name.strip().startswith(("_", "."))


# Columns the loader adds to every raw table.
ROW_NUMBER_COLUMN = "_row_number"
SOURCE_FILE_COLUMN = "_source_file"
RAW_SCHEMA = "raw"
LOAD_AUDIT_TABLE = "_load_audit"
