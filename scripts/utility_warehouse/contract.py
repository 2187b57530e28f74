"""The raw landing contract: which files a landing folder holds and their columns.

A landing folder holds one file per entity, ``<entity>.csv`` (header row),
``<entity>.jsonl`` or ``<entity>.parquet``, with the column names below. File and
column names match whatever their case and surrounding spaces (``Meter_Tags.CSV``,
a header `` Demand ``). Text files are UTF-8 unless the loader is told otherwise.

Every entity's file is required and must hold at least one record, except:
``meter_identifiers`` (required, may be empty) and the optional files
``connections``, ``meter_tags`` and ``line_items`` (may be absent or empty).
Optional columns may be absent from a file; they land as NULL text.
"""

from __future__ import annotations

from dataclasses import dataclass

FILE_FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")

# Columns every entity may carry and that may be missing from any file.
COMMON_OPTIONAL_COLUMNS: tuple[str, ...] = ("updated_at",)


@dataclass(frozen=True)
class Entity:
    """One raw entity of the landing contract."""

    name: str
    columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()
    file_optional: bool = False
    """The file may be absent (then the raw table is empty)."""
    may_be_empty: bool = False
    """The file is required but may hold no records."""

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.optional_columns)

    @property
    def all_columns(self) -> tuple[str, ...]:
        return (*self.columns, *COMMON_OPTIONAL_COLUMNS)

    @property
    def requires_rows(self) -> bool:
        """True when the file must hold at least one record."""
        return not (self.file_optional or self.may_be_empty)


ENTITIES: tuple[Entity, ...] = (
    Entity(
        "companies",
        ("id", "name", "implied_sewer_fraction"),
        optional_columns=("implied_sewer_fraction",),
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
        ),
        optional_columns=("gross_floor_area_units",),
    ),
    Entity("connections", ("id", "company_id", "provider_name"), file_optional=True),
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
    ),
    Entity(
        "meter_identifiers",
        ("meter_id", "identifier_type", "value"),
        may_be_empty=True,
    ),
    Entity("meter_tags", ("meter_id", "tag_name"), file_optional=True),
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
        optional_columns=("demand", "extracted_identifiers", "is_estimated"),
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
        file_optional=True,
    ),
)

ENTITY_BY_NAME: dict[str, Entity] = {entity.name: entity for entity in ENTITIES}


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
