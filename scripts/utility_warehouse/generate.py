"""Write a synthetic, deliberately messy landing folder of utility bills.

``pipeline.py generate --out DIR`` writes one file per entity of the landing
contract (``utility_warehouse.contract``) plus ``_generator_manifest.json``, which
lists the parameters, the rows written per entity and every injected bad row with
the quarantine reason the staging layer must give it.

What the data holds
    Companies with sites, connections (one per provider), accounts and meters;
    one bill (document) per account and billing period (27-35 days, continuous,
    not aligned to months) covering all the account's meters, with one usage row
    per meter and period and line items of every charge type. Electricity peaks
    in summer and winter, gas and heat in winter, water mildly in summer. Every
    company also carries a fixed set of special cases: an account chain of depth
    2 or 3 (old accounts linking to the current one), a sub-account, a duplicate
    account re-billing the last periods, revised bills (some revised twice), an
    untracked, a duplicated and an unassigned (no site) meter, an archived site,
    a net-metered site (EXPORT and GENERATION rows), exclusion rows, usage rows
    without meter_id matched through their extracted identifiers, detected
    (fuel) and inactive accounts, several commodities and units; one company
    bills in EUR or CAD. Values are spelled messily (three date formats,
    currency symbols, boolean and enumeration spellings, unit spellings,
    identifiers with stray separators) and some records appear twice with
    different updated_at (the newer wins; sometimes it comes first).

Bad rows
    About 1% of an entity's rows per kind of problem, at least one of each kind
    the entity can have, each breaking exactly one rule. They are extra records
    without children, except one deliberate cascade: a meter with an unknown
    commodity that has usage rows (quarantined as meter_quarantined).

Scale
    Rows are streamed to the writers bill by bill; memory stays bounded (Parquet
    is buffered in row groups of 100,000 rows per entity). There is about one
    usage row per meter and month, plus the ~12% bad usage rows (1% per kind).
    Measured on a shared 2-core machine:

    - defaults (3 companies, 4 sites, 3 meters per site, 24 months):
      ~1.8k usage rows;
    - ``--companies 100 --sites 65 --meters-per-site 4 --months 36``:
      ~1.07M usage rows;
    - ``--companies 250 --sites 125 --meters-per-site 4 --months 36``:
      ~5.07M usage rows.

    1M usage rows (2.2M line items): 40-80 s and 60 MB peak RSS as CSV, about
    270 MB as Parquet (the row-group buffers). 5M usage rows: 3.5-5 minutes,
    still 60 MB as CSV.

The same arguments always give byte-identical files: every value comes from
``random.Random`` streams seeded from ``--seed`` and the company number, never
from the clock. Files of the same entity in another format are removed from the
output folder so that the folder holds exactly one file per entity.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import random
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from utility_warehouse import contract
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_OK

COMMAND = "generate"
HELP = "Write a synthetic, messy landing folder of utility bills with a manifest."


MANIFEST_NAME = "_generator_manifest.json"
OUTPUT_FORMATS: tuple[str, ...] = (*contract.FILE_FORMATS, "mixed")
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {"documents": ("source_system",)}
PARQUET_BATCH_ROWS = 100_000
BAD_ROW_RATE = 0.01
"""Share of an entity's good rows injected as bad rows, per kind of problem."""

Value = str | list[dict[str, str]] | None
Row = dict[str, Value]

# --- the domain --------------------------------------------------------------

ENERGY, WATER_KIND = "energy", "water"
COMMODITY_KIND: dict[str, str] = {
    "ELECTRICITY": ENERGY,
    "GAS": ENERGY,
    "WATER": WATER_KIND,
    "SEWER": WATER_KIND,
    "STEAM": ENERGY,
    "FUEL_OIL": ENERGY,
    "PROPANE": ENERGY,
    "DISTRICT_HEATING": ENERGY,
    "DISTRICT_COOLING": ENERGY,
}
_SLOT_COMMODITIES = ("ELECTRICITY", "GAS", "WATER", "ELECTRICITY", "WATER", "GAS")
_OTHER_COMMODITIES = (
    "STEAM",
    "FUEL_OIL",
    "PROPANE",
    "DISTRICT_HEATING",
    "DISTRICT_COOLING",
)
# The unit each meter of a commodity reads in, taken in turn within a company.
_UNIT_ROTATION: dict[str, tuple[str, ...]] = {
    "ELECTRICITY": ("kWh", "MWh", "kWh", "kWh"),
    "GAS": ("therm", "CCF", "m3"),
    "WATER": ("gal", "kgal", "CCF", "m3"),
    "SEWER": ("kgal", "CCF", "gal"),
    "STEAM": ("MMBtu", "kBtu"),
    "FUEL_OIL": ("gal",),
    "PROPANE": ("gal",),
    "DISTRICT_HEATING": ("MWh", "MMBtu"),
    "DISTRICT_COOLING": ("kWh", "MMBtu"),
}
# Standard units (kWh for energy, gallons for water) per raw unit.
_UNIT_FACTORS: dict[tuple[str, str], float] = {
    (ENERGY, "kWh"): 1.0,
    (ENERGY, "MWh"): 1000.0,
    (ENERGY, "therm"): 29.3071,
    (ENERGY, "CCF"): 30.3914627,
    (ENERGY, "m3"): 10.55,
    (ENERGY, "kBtu"): 0.293071,
    (ENERGY, "MMBtu"): 293.071,
    (WATER_KIND, "gal"): 1.0,
    (WATER_KIND, "kgal"): 1000.0,
    (WATER_KIND, "CCF"): 748.052,
    (WATER_KIND, "m3"): 264.172,
}
# Fuels read in gallons have no energy factor: their standard usage (kWh) is given.
_KWH_PER_GALLON: dict[str, float] = {"FUEL_OIL": 40.6, "PROPANE": 26.8}
_UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "kWh": ("kWh", "KWH", "kwh", "Kwh", "kilowatt hours"),
    "MWh": ("MWh", "mwh", "MWH"),
    "therm": ("therms", "Therms", "therm", "THERM", "thm"),
    "CCF": ("CCF", "ccf", "Ccf", "hcf"),
    "m3": ("m3", "M3", "m³"),
    "gal": ("gal", "Gal", "gallons", "GAL"),
    "kgal": ("kgal", "KGAL", "kGal", "thousand gallons"),
    "MMBtu": ("MMBtu", "mmbtu", "MMBTU"),
    "kBtu": ("kBtu", "KBTU", "kbtu"),
}
# Standard units per 1,000 sq ft of floor area and day, for a typical meter.
_INTENSITY: dict[str, float] = {
    "ELECTRICITY": 40.0,
    "GAS": 30.0,
    "WATER": 40.0,
    "SEWER": 35.0,
    "STEAM": 25.0,
    "FUEL_OIL": 15.0,
    "PROPANE": 8.0,
    "DISTRICT_HEATING": 25.0,
    "DISTRICT_COOLING": 20.0,
}
# Price per standard unit in USD.
_RATES: dict[str, float] = {
    "ELECTRICITY": 0.13,
    "GAS": 0.035,
    "WATER": 0.007,
    "SEWER": 0.009,
    "STEAM": 0.045,
    "FUEL_OIL": 0.09,
    "PROPANE": 0.1,
    "DISTRICT_HEATING": 0.06,
    "DISTRICT_COOLING": 0.07,
}
_DEMAND_RATE = 11.5  # per kW
_CURRENCY_FACTOR: dict[str, float] = {"USD": 1.0, "EUR": 0.93, "CAD": 1.36}
_CURRENCY_SYMBOL: dict[str, str] = {"USD": "$", "EUR": "€", "CAD": "$"}
_USAGE_DESCRIPTIONS: dict[str, str] = {
    "ELECTRICITY": "Energy charge",
    "GAS": "Gas supply charge",
    "WATER": "Water consumption",
    "SEWER": "Sewer service",
    "STEAM": "Steam service",
    "FUEL_OIL": "Fuel oil delivery",
    "PROPANE": "Propane delivery",
    "DISTRICT_HEATING": "Heat supply",
    "DISTRICT_COOLING": "Chilled water supply",
}
_IDENTIFIER_TYPES: dict[str, tuple[str, ...]] = {
    "ELECTRICITY": ("POD", "ESI", "PREMISE", "ELECTRIC_CHOICE", "NMI", "ICP"),
    "GAS": ("MIRN", "MPR", "CHOICE_ID", "PREMISE"),
    "WATER": ("PREMISE", "ACCOUNT"),
}
_OTHER_IDENTIFIER_TYPES = ("PREMISE", "SERVICE_POINT", "SUMMARY_ACCOUNT")
# Prefixes keep every identifier value unique once normalized: letter prefixes
# differ and all-digit values differ in length.
_IDENTIFIER_PREFIXES: dict[str, str] = {
    "METER": "",
    "MIRN": "5",
    "ICP": "0000",
    "ESI": "10443720",
    "POD": "IT001E",
    "PREMISE": "PR",
    "ELECTRIC_CHOICE": "EC",
    "NMI": "NMI",
    "MPR": "MPR",
    "CHOICE_ID": "CH",
    "ACCOUNT": "AC",
    "SUBMETER": "SM",
    "SUB_ACCOUNT": "SA",
    "SUMMARY_ACCOUNT": "SUM",
    "SERVICE_POINT": "SP",
}
_TAGS = (
    "HVAC",
    "Lighting",
    "Tenant",
    "Critical load",
    "Solar",
    "Irrigation",
    "Main building",
    "Data center",
    "Kitchen",
    "Parking",
)
_PROVIDERS: dict[str, tuple[str, ...]] = {
    "power": ("Northfield Power & Light", "Riverside Electric", "Summit Power Co-op"),
    "gas": ("Prairie Natural Gas", "Eastern Gas Distribution", "Blue Flame Gas Co"),
    "combined": ("Valley Gas & Electric", "Coastal Utilities", "Metro Energy"),
    "water": ("City Water Department", "County Water & Sewer", "Clearwater District"),
    "district": ("Downtown District Energy", "Campus Thermal Services"),
    "fuel": ("Hometown Fuel Oil & Propane", "Ridge Fuel Supply"),
}
_PROVIDER_KIND: dict[str, str] = {
    "ELECTRICITY": "power",
    "GAS": "gas",
    "WATER": "water",
    "SEWER": "water",
    "STEAM": "district",
    "DISTRICT_HEATING": "district",
    "DISTRICT_COOLING": "district",
    "FUEL_OIL": "fuel",
    "PROPANE": "fuel",
}
_COMPANY_NAMES = (
    "Acme Holdings",
    "Globex Retail",
    "Initech Offices",
    "Umbrella Logistics",
    "Stark Manufacturing",
    "Wayne Properties",
    "Hooli Campuses",
    "Vandelay Industries",
    "Soylent Foods",
    "Tyrell Labs",
)
_PLACES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "US": (
        ("Springfield", "IL", "627"),
        ("Austin", "TX", "787"),
        ("Boston", "MA", "021"),
        ("Denver", "CO", "802"),
        ("Columbus", "OH", "432"),
        ("Portland", "OR", "972"),
    ),
    "DE": (("Berlin", "BE", "10"), ("Hamburg", "HH", "20"), ("Munich", "BY", "80")),
    "CA": (("Toronto", "ON", "M5V"), ("Calgary", "AB", "T2P"), ("Ottawa", "ON", "K1P")),
}
_STREETS = ("Main", "Oak", "Maple", "Industrial", "Harbor", "Station", "Mill", "Park")
_STREET_KINDS = ("St", "Ave", "Rd", "Blvd", "Way")
_SITE_KINDS = ("Office", "Warehouse", "Store", "Plant", "Depot", "Campus", "Lab")
_SOURCE_SYSTEMS = ("utility_portal", "edi_810", "ocr", "manual_upload")

_TRUE_SPELLINGS = ("true", "TRUE", "True", "t", "T", "yes", "Yes", "YES", "y", "Y", "1")
_FALSE_SPELLINGS = (
    "false",
    "FALSE",
    "False",
    "f",
    "F",
    "no",
    "No",
    "NO",
    "n",
    "N",
    "0",
)
_BAD_DATES = ("2024-13-45", "31/31/2024", "soon")
_BAD_AMOUNTS = ("12..5$", "abc")

# Kinds of bad rows per entity, in the order the staging layer checks them.
BAD_KINDS: dict[str, tuple[str, ...]] = {
    "companies": ("missing_id", "bad_number"),
    "sites": ("missing_id", "bad_date", "bad_number", "orphan_company"),
    "connections": ("missing_id", "orphan_company"),
    "accounts": (
        "missing_id",
        "unknown_status",
        "orphan_company",
        "orphan_connection",
        "orphan_active_account",
        "active_account_cycle",
    ),
    "meters": (
        "missing_id",
        "bad_boolean",
        "unknown_commodity",
        "orphan_company",
        "orphan_account",
        "orphan_site",
    ),
    "meter_identifiers": ("missing_id", "missing_value", "orphan_meter"),
    "meter_tags": ("missing_id", "missing_value", "orphan_meter"),
    "documents": (
        "missing_id",
        "bad_date",
        "end_before_start",
        "bad_amount",
        "orphan_account",
        "orphan_revised_document",
    ),
    "usage_data": (
        "missing_id",
        "bad_date",
        "end_before_start",
        "bad_number",
        "missing_usage",
        "bad_boolean",
        "unknown_net_metering_type",
        "unknown_unit",
        "bad_json",
        "orphan_document",
        "orphan_meter",
        "unmatched_meter",
    ),
    "line_items": (
        "missing_id",
        "bad_amount",
        "unknown_charge_type",
        "unknown_commodity",
        "orphan_document",
        "orphan_meter",
    ),
}
CASCADE_REASON = "meter_quarantined"


# --- parameters ----------------------------------------------------------------


@dataclass(frozen=True)
class Parameters:
    """The generator's arguments, validated."""

    companies: int = 3
    sites: int = 4
    months: int = 24
    seed: int = 42
    end_month: str = "2026-10"
    meters_per_site: int = 3
    file_format: str = "csv"

    def validate(self) -> tuple[date, date]:
        """The first and the last day with bills; ValueError on a bad value."""
        for name, value in (
            ("companies", self.companies),
            ("sites", self.sites),
            ("months", self.months),
            ("meters-per-site", self.meters_per_site),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"--{name} must be a whole number >= 1, got {value!r}")
        if self.months > 1200:
            raise ValueError(f"--months must be at most 1200, got {self.months}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"--seed must be a whole number, got {self.seed!r}")
        if self.file_format not in OUTPUT_FORMATS:
            choices = ", ".join(OUTPUT_FORMATS)
            raise ValueError(
                f"--format must be one of {choices}, got {self.file_format!r}"
            )
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(self.end_month))
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(
                f"--end-month must be a month as YYYY-MM, got {self.end_month!r}"
            )
        year, month = int(match.group(1)), int(match.group(2))
        first_index = year * 12 + month - 1 - (self.months - 1)
        if first_index < 1900 * 12:
            raise ValueError("--end-month and --months reach back before 1900")
        first_day = date(first_index // 12, first_index % 12 + 1, 1)
        next_index = year * 12 + month
        last_day = date(next_index // 12, next_index % 12 + 1, 1) - timedelta(days=1)
        return first_day, last_day

    def as_dict(self) -> dict[str, object]:
        return {
            "companies": self.companies,
            "sites": self.sites,
            "months": self.months,
            "seed": self.seed,
            "end_month": self.end_month,
            "meters_per_site": self.meters_per_site,
            "format": self.file_format,
        }


def formats_by_entity(file_format: str) -> dict[str, str]:
    """The file format of each entity; ``mixed`` cycles through all three."""
    return {
        entity.name: (
            contract.FILE_FORMATS[index % len(contract.FILE_FORMATS)]
            if file_format == "mixed"
            else file_format
        )
        for index, entity in enumerate(contract.ENTITIES)
    }


def entity_columns(name: str) -> tuple[str, ...]:
    """The columns written for an entity: contract, updated_at, then extras."""
    return (*contract.ENTITY_BY_NAME[name].all_columns, *EXTRA_COLUMNS.get(name, ()))


# --- writers -------------------------------------------------------------------


def _as_text(value: Value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class _Writer:
    """Streams rows of one entity to its file."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = tuple(columns)
        self.rows = 0

    def write(self, row: Row) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _CsvWriter(_Writer):
    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        super().__init__(path, columns)
        self._handle: IO[str] = path.open(
            "w", encoding="utf-8", newline="", buffering=1 << 20
        )
        self._csv = csv.writer(self._handle, lineterminator="\n")
        self._csv.writerow(self.columns)

    def write(self, row: Row) -> None:
        self._csv.writerow([_as_text(row.get(column)) for column in self.columns])
        self.rows += 1

    def close(self) -> None:
        self._handle.close()


class _JsonlWriter(_Writer):
    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        super().__init__(path, columns)
        self._handle: IO[str] = path.open(
            "w", encoding="utf-8", newline="\n", buffering=1 << 20
        )

    def write(self, row: Row) -> None:
        record = {column: row.get(column) for column in self.columns}
        self._handle.write(
            json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        )
        self.rows += 1

    def close(self) -> None:
        self._handle.close()


class _ParquetWriter(_Writer):
    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        super().__init__(path, columns)
        self._schema = pa.schema([(column, pa.string()) for column in self.columns])
        self._writer = pq.ParquetWriter(str(path), self._schema, compression="snappy")
        self._buffers: list[list[str | None]] = [[] for _ in self.columns]

    def write(self, row: Row) -> None:
        for column, buffer in zip(self.columns, self._buffers, strict=True):
            buffer.append(_as_text(row.get(column)))
        self.rows += 1
        if len(self._buffers[0]) >= PARQUET_BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._buffers[0]:
            return
        arrays = [pa.array(buffer, type=pa.string()) for buffer in self._buffers]
        table = pa.Table.from_arrays(arrays, schema=self._schema)
        self._writer.write_table(table, row_group_size=PARQUET_BATCH_ROWS)
        self._buffers = [[] for _ in self.columns]

    def close(self) -> None:
        self._flush()
        self._writer.close()


_WRITERS: dict[str, type[_Writer]] = {
    "csv": _CsvWriter,
    "jsonl": _JsonlWriter,
    "parquet": _ParquetWriter,
}


class _Landing:
    """The open writers of a landing folder and the list of injected bad rows."""

    def __init__(
        self, out_dir: Path, formats: dict[str, str], scratch: IO[str]
    ) -> None:
        self.writers: dict[str, _Writer] = {}
        for entity in contract.ENTITIES:
            file_format = formats[entity.name]
            path = out_dir / f"{entity.name}.{file_format}"
            self.writers[entity.name] = _WRITERS[file_format](
                path, entity_columns(entity.name)
            )
        self.injected = scratch
        self.injected_count = 0
        self.bad_counts: dict[tuple[str, str], int] = {}

    def write(self, entity: str, row: Row) -> None:
        self.writers[entity].write(row)

    def inject(self, entity: str, record_id: str | None, reason: str) -> None:
        entry = {"entity": entity, "record_id": record_id, "reason": reason}
        self.injected.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.injected_count += 1
        key = (entity, reason)
        self.bad_counts[key] = self.bad_counts.get(key, 0) + 1

    def rows(self) -> dict[str, int]:
        return {name: writer.rows for name, writer in self.writers.items()}

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def write_manifest(self, path: Path, params: Parameters) -> None:
        """Write the manifest, streaming the injected rows from the scratch file."""
        self.injected.flush()
        self.injected.seek(0)
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write("{\n")
            handle.write(f'  "seed": {json.dumps(params.seed)},\n')
            handle.write(f'  "parameters": {json.dumps(params.as_dict())},\n')
            handle.write(f'  "rows": {json.dumps(self.rows())},\n')
            handle.write('  "injected": [')
            first = True
            for line in self.injected:
                handle.write("\n    " if first else ",\n    ")
                handle.write(line.rstrip("\n"))
                first = False
            handle.write("\n  ]\n}\n" if not first else "]\n}\n")


# --- messy spellings -----------------------------------------------------------


class _Mess:
    """Messy spellings of clean values, drawn from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.r = rng.random

    def date(self, day: date) -> str:
        v = self.r()
        if v < 0.6:
            return day.isoformat()
        if v < 0.85:
            return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"
        return f"{day.isoformat()}T00:00:00Z"

    def timestamp(self, moment: datetime) -> str:
        v = self.r()
        text = moment.isoformat(timespec="seconds")
        if v < 0.5:
            return text + "Z"
        if v < 0.8:
            return text.replace("T", " ")
        return text + "+00:00"

    def amount(self, value: float, currency: str) -> str:
        v = self.r()
        if v < 0.45:
            return f"{value:.2f}"
        sign = "-" if value < 0 else ""
        if v < 0.85:
            return f"{sign}{_CURRENCY_SYMBOL[currency]}{abs(value):,.2f}"
        return f"{sign}{currency} {abs(value):,.2f}"

    def quantity(self, value: float) -> str:
        v = self.r()
        if v < 0.7:
            return f"{value:.3f}"
        if v < 0.9:
            return f"{value:,.2f}"
        return f"{value:.1f}"

    def boolean(self, value: bool, blank_share: float = 0.0) -> str | None:
        if blank_share and self.r() < blank_share:
            return None
        return self.rng.choice(_TRUE_SPELLINGS if value else _FALSE_SPELLINGS)

    def enum(self, canonical: str) -> str:
        v = self.r()
        words = canonical.split("_")
        if v < 0.4:
            return canonical
        if v < 0.55:
            return " ".join(words).lower()
        if v < 0.7:
            return " ".join(words).capitalize()
        if v < 0.85:
            return "-".join(words).lower()
        return " ".join(word.capitalize() for word in words)

    def unit(self, canonical: str) -> str:
        return self.rng.choice(_UNIT_SPELLINGS[canonical])

    def identifier(self, value: str) -> str:
        v = self.r()
        if v < 0.4 or len(value) < 6:
            return value
        if v < 0.6:
            return f" {value} "
        if v < 0.8:
            return f"{value[:2]}-{value[2:5]}.{value[5:]}"
        return f" {value[:3]}-{value[3:]}"


# --- the records of one company ----------------------------------------------


@dataclass
class _Site:
    id: str
    index: int
    name: str
    address: str
    city: str
    region: str
    postal_code: str
    country: str
    floor_area: float
    stop_date: date | None = None
    mirror_site_id: str | None = None
    net_metered: bool = False
    demand: bool = False
    combined: bool = False


@dataclass
class _Account:
    id: str
    number: str
    provider_name: str
    connection_id: str | None
    status: str
    primary_type: str
    secondary_type: str | None
    active_account_id: str | None = None


@dataclass
class _Meter:
    id: str
    seq: int
    commodity: str
    site: _Site | None
    group_key: str
    unit: str = "kWh"
    daily: float = 0.0
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    has_demand: bool = False
    is_tracked: bool = True
    is_duplicated: bool = False
    twin: _Meter | None = None
    solar_kw: float = 0.0
    exclusion_share: float = 0.0
    match_by_identifier: bool = False
    cascade_reason: str | None = None
    service_address: str = ""

    @property
    def factor(self) -> float:
        return _UNIT_FACTORS.get(
            (COMMODITY_KIND.get(self.commodity, ENERGY), self.unit), 1
        )

    @property
    def gives_standard(self) -> bool:
        return self.commodity in _KWH_PER_GALLON

    @property
    def usable_for_bad_rows(self) -> bool:
        return self.cascade_reason is None and not self.gives_standard


@dataclass
class _Group:
    """The meters billed together: one bill per period under one account."""

    key: str
    provider: str
    site: _Site | None
    meters: list[_Meter] = field(default_factory=list)
    accounts: list[_Account] = field(default_factory=list)
    duplicate: _Account | None = None
    line_items: bool = True

    @property
    def owner(self) -> _Account:
        return self.accounts[-1]


@dataclass
class _Reading:
    meter: _Meter
    usage: float
    demand: float | None = None
    generation: float = 0.0
    export: float = 0.0


@dataclass
class _Anchor:
    """A clean bill and one of its clean meters, to hang bad rows on."""

    document_id: str
    account: _Account
    meter: _Meter
    start: date
    end: date


def _season(commodity: str, day_of_year: int) -> float:
    summer = math.cos(2 * math.pi * (day_of_year - 196) / 365.25)
    winter = math.cos(2 * math.pi * (day_of_year - 15) / 365.25)
    if commodity == "ELECTRICITY":
        return 1 + 0.35 * max(0.0, summer) + 0.2 * max(0.0, winter)
    if commodity in ("WATER", "SEWER"):
        return 1 + 0.25 * summer
    if commodity == "DISTRICT_COOLING":
        return 0.2 + 1.6 * max(0.0, summer)
    return 0.15 + 1.7 * max(0.0, winter)


class _Generator:
    """Writes every company in turn; holds the global id counters."""

    def __init__(
        self, params: Parameters, landing: _Landing, first_day: date, last_day: date
    ) -> None:
        self.params = params
        self.landing = landing
        self.first_day = first_day
        self.last_day = last_day
        self.counters: dict[str, int] = {}

    def next_id(self, prefix: str, width: int) -> str:
        value = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = value
        return f"{prefix}{value:0{width}d}"

    def run(self) -> None:
        for index in range(self.params.companies):
            _Company(self, index).generate()


class _Company:
    def __init__(self, gen: _Generator, index: int) -> None:
        self.gen = gen
        self.params = gen.params
        self.landing = gen.landing
        self.index = index
        self.rng = random.Random(f"utility-warehouse:{self.params.seed}:{index}")
        self.mess = _Mess(self.rng)
        self.id = f"CO{index + 1:04d}"
        self.currency = "USD"
        self.country = "US"
        self.connections: dict[str, str | None] = {}
        self.provider_names: dict[str, str] = {}
        self.sites: list[_Site] = []
        self.meters: list[_Meter] = []
        self.groups: list[_Group] = []
        self.unit_turns: dict[str, int] = {}
        self.forced_items_done = False
        self.anchor: _Anchor | None = None
        self.stream_counts: dict[tuple[str, str], int] = {}

    # -- helpers ---------------------------------------------------------------

    @property
    def first(self) -> bool:
        return self.index == 0

    def _id(self, prefix: str, width: int = 7) -> str:
        return self.gen.next_id(prefix, width)

    def _missing(self, prefix: str) -> str:
        return self.gen.next_id(f"{prefix}-MISSING-", 5)

    def _bad_count(self, good_rows: int) -> int:
        expected = good_rows * BAD_ROW_RATE
        count = int(expected) + (1 if self.rng.random() < expected % 1 else 0)
        return max(count, 1) if self.first else count

    def _dimension_time(self) -> datetime:
        span = max((self.gen.last_day - self.gen.first_day).days, 1)
        day = self.gen.first_day + timedelta(days=self.rng.randrange(span))
        return datetime(day.year, day.month, day.day) + timedelta(
            seconds=self.rng.randrange(86_400)
        )

    def _updated_at(self, moment: datetime, blank_share: float = 0.1) -> str | None:
        if self.rng.random() < blank_share:
            return None
        return self.mess.timestamp(moment)

    def _write_versions(self, entity: str, row: Row, stale: Row | None) -> None:
        """Write a record, and maybe an older version of it before or after it.

        The newer version always wins: a later updated_at (whether it comes
        first or last), or the same updated_at with the newer version last, or
        a blank updated_at on the older version.
        """
        if stale is None:
            self.landing.write(entity, row)
            return
        newest = self._dimension_time() + timedelta(days=40)
        mode = self.rng.randrange(4)
        row["updated_at"] = self.mess.timestamp(newest)
        if mode == 0:  # older version first
            older = newest - timedelta(days=self.rng.randint(1, 30))
            stale["updated_at"] = self.mess.timestamp(older)
            self.landing.write(entity, stale)
            self.landing.write(entity, row)
        elif mode == 1:  # the newer version comes earlier in the file
            older = newest - timedelta(days=self.rng.randint(1, 30))
            stale["updated_at"] = self.mess.timestamp(older)
            self.landing.write(entity, row)
            self.landing.write(entity, stale)
        elif mode == 2:  # same updated_at: the last row wins
            stale["updated_at"] = row["updated_at"]
            self.landing.write(entity, stale)
            self.landing.write(entity, row)
        else:  # a blank updated_at counts as oldest
            stale["updated_at"] = None
            self.landing.write(entity, row)
            self.landing.write(entity, stale)

    # -- building the company --------------------------------------------------

    def generate(self) -> None:
        self._build()
        self._write_company()
        self._write_connections()
        self._write_sites()
        self._write_accounts()
        self._write_meters()
        for group in self.groups:
            self._stream_group(group)
        if self.first:
            self._force_stream_kinds()

    def _build(self) -> None:
        rng = self.rng
        if self.index == 1:
            self.currency = rng.choice(("EUR", "CAD"))
            self.country = "DE" if self.currency == "EUR" else "CA"
        for kind, names in _PROVIDERS.items():
            self.provider_names[kind] = rng.choice(names)
            self.connections[kind] = None if kind == "fuel" else self._id("CN", 5)
        self._build_sites()
        self._build_meters()
        self._build_groups()

    def _build_sites(self) -> None:
        rng = self.rng
        count = self.params.sites
        for si in range(count):
            city, region, postal = rng.choice(_PLACES[self.country])
            if self.country == "US":
                postal_code = f"{postal}{rng.randint(0, 99):02d}"
            elif self.country == "DE":
                postal_code = f"{postal}{rng.randint(100, 999)}"
            else:
                postal_code = f"{postal} {rng.randint(1, 9)}{rng.choice('ABCEGHJ')}"
                postal_code += str(rng.randint(1, 9))
            street = f"{rng.randint(1, 9999)} {rng.choice(_STREETS)} "
            street += rng.choice(_STREET_KINDS)
            site = _Site(
                id=self._id("S", 6),
                index=si,
                name=f"{city} {rng.choice(_SITE_KINDS)} {si + 1}",
                address=street,
                city=city,
                region=region,
                postal_code=postal_code,
                country=self.country,
                floor_area=float(rng.randrange(8_000, 250_000, 50)),
            )
            past = (count >= 4 and si % 4 == 3) or (
                count < 4 and self.index % 2 == 1 and si == count - 1
            )
            if past:
                # Within the billed range, so that some bills start after it.
                span = (self.gen.last_day - self.gen.first_day).days
                site.stop_date = max(
                    self.gen.last_day - timedelta(days=rng.randint(90, 240)),
                    self.gen.first_day + timedelta(days=span // 3),
                )
            elif self.first and si == 1 % count:
                site.stop_date = self.gen.last_day + timedelta(days=45)
            site.net_metered = si == 2 % count
            site.demand = si % 2 == 0 or site.net_metered
            site.combined = si % 2 == 1
            self.sites.append(site)
        if self.first and count >= 3:
            self.sites[-1].mirror_site_id = self.sites[0].id

    def _new_meter(
        self, commodity: str, site: _Site | None, group_key: str | None = None
    ) -> _Meter:
        rng = self.rng
        if group_key is None:
            kind = _PROVIDER_KIND[commodity]
            if site is not None and site.combined and kind in ("power", "gas"):
                kind = "combined"
            group_key = kind
        seq = self.gen.counters.get("M", 0) + 1
        meter = _Meter(
            id=self._id("M"),
            seq=seq,
            commodity=commodity,
            site=site,
            group_key=group_key,
        )
        rotation = _UNIT_ROTATION.get(commodity, ("kWh",))
        turn = self.unit_turns.get(commodity, self.index)
        self.unit_turns[commodity] = turn + 1
        meter.unit = rotation[turn % len(rotation)]
        area = site.floor_area if site is not None else 5_000.0
        meter.daily = (
            area / 1000 * _INTENSITY.get(commodity, 30.0) * rng.uniform(0.5, 1.4)
        )
        meter.has_demand = (
            commodity == "ELECTRICITY" and site is not None and site.demand
        )
        if site is not None:
            meter.service_address = f"{site.address}, {site.city}"
        else:
            meter.service_address = (
                f"Lot {rng.randint(1, 400)}, {rng.choice(_STREETS)} Rd"
            )
        # 1-3 identifiers, several types, sometimes two of the same type.
        types = _IDENTIFIER_TYPES.get(commodity, _OTHER_IDENTIFIER_TYPES)
        chosen = ["METER" if rng.random() < 0.8 else rng.choice(types)]
        if rng.random() < 0.5:
            chosen.append(rng.choice(types))
        if rng.random() < 0.2:
            chosen.append("METER" if rng.random() < 0.5 else rng.choice(types))
        meter.identifiers = [
            (kind, f"{_IDENTIFIER_PREFIXES.get(kind, 'X')}{seq:07d}{k}")
            for k, kind in enumerate(chosen)
        ]
        tag_count = rng.choice((0, 0, 1, 1, 2))
        meter.tags = [rng.choice(_TAGS) for _ in range(tag_count)]
        if len(meter.tags) == 2 and meter.tags[0] == meter.tags[1]:
            meter.tags.pop()
        self.meters.append(meter)
        return meter

    def _build_meters(self) -> None:
        rng = self.rng
        sites = self.sites
        count = len(sites)
        for site in sites:
            for slot in range(self.params.meters_per_site):
                self._new_meter(_SLOT_COMMODITIES[slot % len(_SLOT_COMMODITIES)], site)
        regular = list(self.meters)
        home = sites[0]
        original = self.meters[0]
        twin = self._new_meter(original.commodity, home, original.group_key)
        twin.unit, twin.daily, twin.twin = original.unit, original.daily, original
        twin.has_demand, twin.is_duplicated = original.has_demand, True
        sub = self._new_meter("ELECTRICITY", home, "sub")
        sub.daily *= 0.2
        sub.identifiers[0] = ("SUBMETER", f"SM{sub.seq:07d}0")
        sewer = self._new_meter("SEWER", home)
        others: tuple[str, ...]
        if self.first:
            others = _OTHER_COMMODITIES
        else:
            others = (
                _OTHER_COMMODITIES[self.index % 5],
                _OTHER_COMMODITIES[(self.index + 2) % 5],
            )
        for commodity in others:
            self._new_meter(commodity, home)
        unassigned = self._new_meter("ELECTRICITY", None, "unassigned")
        unassigned.tags = ["Parking"]
        if self.first:
            # Billed on the home site's main bill, with no charges of its own.
            cascade = self._new_meter("ELECTRICITY", home, original.group_key)
            cascade.cascade_reason = "unknown_commodity"
            cascade.identifiers = cascade.identifiers[:1]
            cascade.tags = []
        # Special meters among the regular ones.

        def first_of(site: _Site) -> _Meter | None:
            return next((m for m in regular if m.site is site), None)

        def last_of(site: _Site) -> _Meter | None:
            return next((m for m in reversed(regular) if m.site is site), None)

        untracked = last_of(sites[1 % count])
        if untracked is None or untracked is original:
            untracked = sewer
        untracked.is_tracked = False
        excluding = first_of(sites[3 % count])
        if excluding is not None:
            excluding.exclusion_share = rng.uniform(0.05, 0.15)
        matched = first_of(sites[count - 1])
        if matched is not None:
            matched.match_by_identifier = True
        solar_site = sites[2 % count]
        solar = next(
            (
                m
                for m in regular
                if m.site is solar_site and m.commodity == "ELECTRICITY"
            ),
            None,
        )
        if solar is not None:
            solar.solar_kw = rng.uniform(40, 250)
            solar.has_demand = True
            if "Solar" not in solar.tags:
                solar.tags.append("Solar")

    def _account(
        self, group: _Group, status: str, number: str | None = None
    ) -> _Account:
        rng = self.rng
        commodities = [m.commodity for m in group.meters]
        if "ELECTRICITY" in commodities:
            primary = rng.choice(("METER", "POD", "ESI"))
        elif "GAS" in commodities:
            primary = rng.choice(("METER", "MIRN"))
        else:
            primary = rng.choice(("METER", "PREMISE"))
        secondary = rng.choice((None, "PREMISE", "ACCOUNT", "SUMMARY_ACCOUNT"))
        if number is None:
            number = f"{rng.randint(1000, 9999)}-{rng.randint(100000, 999999)}-"
            number += f"{rng.randint(10, 99)}"
        return _Account(
            id=self._id("A", 6),
            number=number,
            provider_name=self.provider_names[group.provider],
            connection_id=self.connections[group.provider],
            status=status,
            primary_type=primary,
            secondary_type=secondary,
        )

    def _build_groups(self) -> None:
        rng = self.rng
        by_key: dict[tuple[str, str], _Group] = {}
        for meter in self.meters:
            key = (meter.site.id if meter.site is not None else "", meter.group_key)
            group = by_key.get(key)
            if group is None:
                provider = meter.group_key if meter.group_key in _PROVIDERS else "power"
                group = _Group(key=meter.group_key, provider=provider, site=meter.site)
                by_key[key] = group
                self.groups.append(group)
            group.meters.append(meter)
        for group in self.groups:
            status = "DETECTED" if group.provider == "fuel" else "ONBOARDED"
            group.accounts.append(self._account(group, status))
            if group.key == "sub":
                group.owner.primary_type = "SUBMETER"
                group.owner.secondary_type = "SUB_ACCOUNT"
            if group.provider == "water" and self.index % 2 == 1:
                group.line_items = False
        regular = [g for g in self.groups if g.key in _PROVIDERS and g.site is not None]
        count = len(self.sites)
        # The sub-account links to the main account of the home site.
        home_group = next(g for g in regular if g.site is self.sites[0])
        for group in self.groups:
            if group.key == "sub":
                group.owner.active_account_id = home_group.owner.id
        # A chain of old accounts: A -> B (-> C) -> current owner.
        chain_site = self.sites[1 % count]
        chained = next(g for g in regular if g.site is chain_site)
        depth = 3 if self.index % 2 == 0 else 2
        owner = chained.owner
        old: list[_Account] = []
        for level in range(depth):
            status = "INACTIVE" if level == 0 else "OLD_ACCOUNT"
            old.append(self._account(chained, status))
        links = [*old, owner]
        for account, target in itertools.pairwise(links):
            account.active_account_id = target.id
        chained.accounts = links
        # A duplicate account that re-bills the last periods of a real one.
        dup_site = self.sites[2 % count]
        duplicated = [g for g in regular if g.site is dup_site][-1]
        duplicate = self._account(duplicated, "DUPLICATE", duplicated.owner.number)
        if rng.random() < 0.5:
            duplicate.number = duplicate.number.replace("-", "")
        duplicate.active_account_id = duplicated.owner.id
        duplicated.duplicate = duplicate

    # -- dimensions ------------------------------------------------------------

    def _write_company(self) -> None:
        rng = self.rng
        name = _COMPANY_NAMES[self.index % len(_COMPANY_NAMES)]
        if self.index >= len(_COMPANY_NAMES):
            name += f" {self.index // len(_COMPANY_NAMES) + 1}"
        fraction = None if self.index % 3 == 0 else f"{rng.uniform(0.6, 0.95):.2f}"
        row: Row = {
            "id": self.id,
            "name": name,
            "implied_sewer_fraction": fraction,
            "updated_at": self._updated_at(self._dimension_time()),
        }
        stale = None
        if self.first or rng.random() < 0.2:
            stale = {**row, "name": f"{name} (old name)"}
        self._write_versions("companies", row, stale)
        if not self.first:
            return
        # Bad companies: at least one of each kind, written with company 1.
        missing: Row = {"id": None, "name": "Unnamed company", "updated_at": None}
        self.landing.write("companies", missing)
        self.landing.inject("companies", None, "missing_id")
        bad_id = "CO-BAD-0001"
        self.landing.write(
            "companies",
            {"id": bad_id, "name": "Overflow Corp", "implied_sewer_fraction": "1.7"},
        )
        self.landing.inject("companies", bad_id, "bad_number")

    def _write_connections(self) -> None:
        good = 0
        for kind, connection_id in self.connections.items():
            if connection_id is None:
                continue
            row: Row = {
                "id": connection_id,
                "company_id": self.id,
                "provider_name": self.provider_names[kind],
                "updated_at": self._updated_at(self._dimension_time()),
            }
            self.landing.write("connections", row)
            good += 1
        for kind in BAD_KINDS["connections"]:
            for _ in range(self._bad_count(good)):
                connection_id = self._id("CN", 5)
                row = {
                    "id": connection_id,
                    "company_id": self.id,
                    "provider_name": "Unknown Utility",
                }
                if kind == "missing_id":
                    row["id"] = "  "
                else:
                    row["company_id"] = "CO-MISSING"
                self.landing.write("connections", row)
                self.landing.inject(
                    "connections", None if kind == "missing_id" else connection_id, kind
                )

    def _site_row(self, site: _Site) -> Row:
        mess = self.mess
        area = site.floor_area
        v = self.rng.random()
        if v < 0.1:
            floor_area = None
        elif v < 0.5:
            floor_area = f"{area:,.0f}"
        elif v < 0.8:
            floor_area = f"{area:.0f}"
        else:
            floor_area = f"{area:.1f}"
        return {
            "id": site.id,
            "company_id": self.id,
            "name": site.name,
            "address": site.address,
            "city": site.city,
            "region": site.region,
            "postal_code": site.postal_code,
            "country": site.country,
            "gross_floor_area": floor_area,
            "data_collection_stop_date": (
                mess.date(site.stop_date) if site.stop_date is not None else None
            ),
            "mirror_site_id": site.mirror_site_id,
            "updated_at": self._updated_at(self._dimension_time()),
        }

    def _write_sites(self) -> None:
        rng = self.rng
        for site in self.sites:
            row = self._site_row(site)
            stale = None
            if site.index == 0 or rng.random() < 0.05:
                stale = {**row, "name": f"{site.name} (old)", "gross_floor_area": "1"}
            self._write_versions("sites", row, stale)
        home = self.sites[0]
        for kind in BAD_KINDS["sites"]:
            for _ in range(self._bad_count(len(self.sites))):
                site_id = self._id("S", 6)
                row = self._site_row(home)
                row.update(id=site_id, name=f"Bad site {site_id}", mirror_site_id=None)
                row["data_collection_stop_date"] = None
                if kind == "missing_id":
                    row["id"] = None
                elif kind == "bad_date":
                    row["data_collection_stop_date"] = rng.choice(_BAD_DATES)
                elif kind == "bad_number":
                    row["gross_floor_area"] = "n/a"
                else:
                    row["company_id"] = "CO-MISSING"
                self.landing.write("sites", row)
                self.landing.inject(
                    "sites", None if kind == "missing_id" else site_id, kind
                )

    def _account_row(self, account: _Account) -> Row:
        mess = self.mess
        number = account.number
        if self.rng.random() < 0.2:
            number = f" {number} "
        return {
            "id": account.id,
            "company_id": self.id,
            "connection_id": account.connection_id,
            "account_number": number,
            "provider_name": account.provider_name,
            "status": mess.enum(account.status),
            "active_account_id": account.active_account_id,
            "primary_identifier_type": mess.enum(account.primary_type),
            "secondary_identifier_type": (
                mess.enum(account.secondary_type) if account.secondary_type else None
            ),
            "updated_at": self._updated_at(self._dimension_time()),
        }

    def _write_accounts(self) -> None:
        rng = self.rng
        good = 0
        for group in self.groups:
            accounts = [*group.accounts]
            if group.duplicate is not None:
                accounts.append(group.duplicate)
            for account in accounts:
                row = self._account_row(account)
                stale = None
                if account.status == "ONBOARDED" and rng.random() < 0.1:
                    stale = {**row, "status": "Detected", "provider_name": "Unknown"}
                self._write_versions("accounts", row, stale)
                good += 1
        template = self.groups[0]
        for kind in BAD_KINDS["accounts"]:
            for _ in range(self._bad_count(good)):
                account = self._account(template, "ONBOARDED")
                row = self._account_row(account)
                if kind == "missing_id":
                    row["id"] = ""
                elif kind == "unknown_status":
                    row["status"] = "PENDING"
                elif kind == "orphan_company":
                    row["company_id"] = "CO-MISSING"
                elif kind == "orphan_connection":
                    row["connection_id"] = "CN-MISSING"
                elif kind == "orphan_active_account":
                    row["active_account_id"] = self._missing("A")
                else:  # two accounts linking to each other
                    partner = self._account(template, "ONBOARDED")
                    partner_row = self._account_row(partner)
                    row["active_account_id"] = partner.id
                    partner_row["active_account_id"] = account.id
                    self.landing.write("accounts", partner_row)
                    self.landing.inject("accounts", partner.id, kind)
                self.landing.write("accounts", row)
                self.landing.inject(
                    "accounts", None if kind == "missing_id" else account.id, kind
                )

    def _meter_row(self, meter: _Meter, account: _Account) -> Row:
        mess = self.mess
        if meter.cascade_reason == "unknown_commodity":
            commodity = self.rng.choice(("NUCLEAR", "Nuclear"))
        else:
            commodity = mess.enum(meter.commodity)
        return {
            "id": meter.id,
            "company_id": self.id,
            "account_id": account.id,
            "site_id": meter.site.id if meter.site is not None else None,
            "datasource_type": commodity,
            "is_tracked": mess.boolean(
                meter.is_tracked, 0.5 if meter.is_tracked else 0
            ),
            "is_duplicated": mess.boolean(
                meter.is_duplicated, 0 if meter.is_duplicated else 0.5
            ),
            "service_address": meter.service_address,
            "updated_at": self._updated_at(self._dimension_time()),
        }

    def _write_meters(self) -> None:
        rng = self.rng
        mess = self.mess
        good_identifiers = 0
        good_tags = 0
        anchor_account = self.groups[0].owner
        for group in self.groups:
            for meter in group.meters:
                row = self._meter_row(meter, group.owner)
                stale = None
                if meter.cascade_reason is None and rng.random() < 0.05:
                    stale = {
                        **row,
                        "is_tracked": mess.boolean(not meter.is_tracked),
                        "service_address": "unknown",
                    }
                self._write_versions("meters", row, stale)
                if meter.cascade_reason is not None:
                    self.landing.inject("meters", meter.id, meter.cascade_reason)
                for kind, value in meter.identifiers:
                    if meter.cascade_reason is not None:
                        row = {
                            "meter_id": meter.id,
                            "identifier_type": kind,
                            "value": value,
                        }
                        self.landing.write("meter_identifiers", row)
                        record: str | None = f"{meter.id}|{kind}|{value}"
                        self.landing.inject("meter_identifiers", record, CASCADE_REASON)
                        continue
                    row = {
                        "meter_id": meter.id,
                        "identifier_type": mess.enum(kind),
                        "value": mess.identifier(value),
                        "updated_at": self._updated_at(self._dimension_time(), 0.3),
                    }
                    if rng.random() < 0.05:  # the same identifier written twice
                        again = {**row, "value": mess.identifier(value)}
                        self._write_versions("meter_identifiers", row, again)
                    else:
                        self.landing.write("meter_identifiers", row)
                    good_identifiers += 1
                for tag in meter.tags:
                    text = f" {tag}" if rng.random() < 0.1 else tag
                    self.landing.write(
                        "meter_tags",
                        {
                            "meter_id": meter.id,
                            "tag_name": text,
                            "updated_at": self._updated_at(self._dimension_time(), 0.5),
                        },
                    )
                    good_tags += 1
        home = self.sites[0]
        for kind in BAD_KINDS["meters"]:
            for _ in range(self._bad_count(len(self.meters))):
                meter = _Meter(
                    id=self._id("M"),
                    seq=0,
                    commodity="ELECTRICITY",
                    site=home,
                    group_key="",
                )
                meter.service_address = f"{home.address}, {home.city}"
                row = self._meter_row(meter, anchor_account)
                if kind == "missing_id":
                    row["id"] = None
                elif kind == "bad_boolean":
                    row["is_tracked"] = "maybe"
                elif kind == "unknown_commodity":
                    row["datasource_type"] = "NUCLEAR"
                elif kind == "orphan_company":
                    row["company_id"] = "CO-MISSING"
                elif kind == "orphan_account":
                    row["account_id"] = self._missing("A")
                else:
                    row["site_id"] = "S-MISSING"
                self.landing.write("meters", row)
                self.landing.inject(
                    "meters", None if kind == "missing_id" else meter.id, kind
                )
        some_meter = self.meters[0].id
        for kind in BAD_KINDS["meter_identifiers"]:
            for _ in range(self._bad_count(good_identifiers)):
                value = f"ZZ{self._id('Z', 7)}"
                meter_id = some_meter
                if kind == "missing_id":
                    meter_id = ""
                elif kind == "missing_value":
                    value = ""
                else:
                    meter_id = self._missing("M")
                row = {"meter_id": meter_id, "identifier_type": "METER", "value": value}
                self.landing.write("meter_identifiers", row)
                record = None if kind == "missing_id" else f"{meter_id}|METER|{value}"
                self.landing.inject("meter_identifiers", record, kind)
        for kind in BAD_KINDS["meter_tags"]:
            for index in range(self._bad_count(good_tags)):
                meter_id, tag = some_meter, f"Bad tag {self._id('T', 6)}"
                if kind == "missing_id":
                    meter_id = ""
                elif kind == "missing_value":
                    tag = "" if index % 2 == 0 else " "
                else:
                    meter_id = self._missing("M")
                self.landing.write(
                    "meter_tags", {"meter_id": meter_id, "tag_name": tag}
                )
                record = None if kind == "missing_id" else f"{meter_id}|{tag}"
                self.landing.inject("meter_tags", record, kind)

    # -- bills -----------------------------------------------------------------

    def _periods(self, group: _Group) -> list[tuple[date, date]]:
        rng = self.rng
        last_day = self.gen.last_day
        start = self.gen.first_day - timedelta(days=rng.randint(0, 24))
        stop = group.site.stop_date if group.site is not None else None
        periods: list[tuple[date, date]] = []
        while True:
            end = start + timedelta(days=rng.randint(27, 35) - 1)
            if end > last_day:
                break
            if stop is not None and start > stop + timedelta(days=40):
                break
            periods.append((start, end))
            start = end + timedelta(days=1)
        return periods

    def _readings(self, group: _Group, start: date, end: date) -> list[_Reading]:
        uniform = self.rng.uniform
        days = (end - start).days + 1
        day_of_year = (start + timedelta(days=days // 2)).timetuple().tm_yday
        readings: list[_Reading] = []
        by_meter: dict[str, float] = {}
        for meter in group.meters:
            if meter.twin is not None and meter.twin.id in by_meter:
                usage = by_meter[meter.twin.id]
            else:
                usage = meter.daily * days * _season(meter.commodity, day_of_year)
                usage *= uniform(0.92, 1.08)
            by_meter[meter.id] = usage
            reading = _Reading(meter, usage)
            if meter.solar_kw:
                summer = math.cos(2 * math.pi * (day_of_year - 172) / 365.25)
                generation = meter.solar_kw * days * 4.2 * (0.55 + 0.45 * summer)
                generation *= uniform(0.85, 1.1)
                export = generation * uniform(0.25, 0.45)
                reading.usage = max(usage - (generation - export), usage * 0.1)
                reading.generation, reading.export = generation, export
            if meter.has_demand:
                reading.demand = usage / (days * 24) / uniform(0.45, 0.65)
            readings.append(reading)
        return readings

    def _stream_group(self, group: _Group) -> None:
        rng = self.rng
        periods = self._periods(group)
        count = len(periods)
        links = group.accounts
        forced_revision = count // 2 if group is self.groups[0] else -1
        bad_meter = next((m for m in group.meters if m.usable_for_bad_rows), None)
        carried_from = 0.0
        for p, (start, end) in enumerate(periods):
            account = links[min(len(links) - 1, p * len(links) // count)]
            readings = self._readings(group, start, end)
            ids = [self._id("D", 8)]
            if p == forced_revision or rng.random() < 0.02:
                ids.append(self._id("D", 8))
                if p == forced_revision or rng.random() < 0.3:
                    ids.append(self._id("D", 8))
            carried = 0.0
            if carried_from and rng.random() < 0.15:
                carried = round(carried_from * rng.uniform(0.3, 1.0), 2)
            current, items = 0.0, 0
            for version, document_id in enumerate(ids):
                scale = 1.0 if version == 0 else 1 + rng.uniform(-0.04, 0.04)
                revised_by = ids[version + 1] if version + 1 < len(ids) else None
                current, written = self._write_bill(
                    document_id,
                    account,
                    group,
                    start,
                    end,
                    readings,
                    scale,
                    revised_by,
                    carried,
                )
                items += written
            carried_from = current
            documents = len(ids)
            if group.duplicate is not None and p >= count - 6:
                _, written = self._write_bill(
                    self._id("D", 8),
                    group.duplicate,
                    group,
                    start,
                    end,
                    readings,
                    1.0,
                    None,
                    0.0,
                )
                items += written
                documents += 1
            if bad_meter is not None:
                self.anchor = _Anchor(ids[-1], account, bad_meter, start, end)
                usage_rows = documents * sum(
                    1
                    + (2 if reading.export else 0)
                    + (1 if reading.meter.exclusion_share else 0)
                    for reading in readings
                )
                self._inject_stream_rows(documents, usage_rows, items)

    def _write_bill(
        self,
        document_id: str,
        account: _Account,
        group: _Group,
        start: date,
        end: date,
        readings: list[_Reading],
        scale: float,
        revised_by: str | None,
        carried: float,
    ) -> tuple[float, int]:
        """Write one bill with its usage rows and line items.

        Returns its current charges and the number of line items written.
        """
        rng = self.rng
        r = rng.random
        mess = self.mess
        currency = self.currency
        money = _CURRENCY_FACTOR[currency]
        items: list[tuple[str, str | None, str | None, str, float]] = []
        by_commodity: dict[str, float] = {}
        for reading in readings:
            meter = reading.meter
            if meter.cascade_reason is not None:
                continue
            commodity = meter.commodity
            cost = reading.usage * scale * _RATES[commodity] * money
            items.append(
                ("USAGE", meter.id, commodity, _USAGE_DESCRIPTIONS[commodity], cost)
            )
            by_commodity[commodity] = by_commodity.get(commodity, 0.0) + cost
            if reading.demand is not None:
                demand_cost = reading.demand * scale * _DEMAND_RATE * money
                items.append(
                    ("DEMAND", meter.id, commodity, "Demand charge", demand_cost)
                )
            if reading.export:
                credit = -reading.export * scale * _RATES[commodity] * money * 0.8
                items.append(
                    ("CREDIT", None, None, "Net metering export credit", credit)
                )
        force = not self.forced_items_done and group.line_items
        for commodity, cost in by_commodity.items():
            if force or r() < 0.25:
                label = commodity.replace("_", " ").lower()
                items.append(
                    ("FEE", None, commodity, f"Delivery charge ({label})", cost * 0.18)
                )
            if force or r() < 0.08:
                items.append(
                    ("OTHER", None, commodity, "Fuel cost adjustment", cost * 0.03)
                )
        items.append(
            ("FEE", None, None, "Customer charge", rng.uniform(12, 45) * money)
        )
        subtotal = sum(item[4] for item in items)
        if force or r() < 0.6:
            items.append(("TAX", None, None, "Sales tax", subtotal * 0.06))
        if force or r() < 0.06:
            items.append(("CREDIT", None, None, "Loyalty credit", -rng.uniform(5, 40)))
        if force or r() < 0.05:
            items.append(("OTHER", None, None, "Late payment fee", rng.uniform(10, 35)))
        amounts = [round(item[4], 2) for item in items]
        current = round(sum(amounts), 2)
        with_items = group.line_items and (force or r() >= 0.03)
        if with_items and r() < 0.25:
            current = round(current + rng.uniform(-5, 5), 2) or 0.01
        if force:
            self.forced_items_done = True
        total = round(current + carried, 2)
        document: Row = {
            "id": document_id,
            "account_id": account.id,
            "start_date": mess.date(start),
            "bill_date": mess.date(end),
            "total_charges": mess.amount(total, currency),
            "current_charges": mess.amount(current, currency),
            "charges_units": currency if r() < 0.8 else currency.lower(),
            "revised_document_id": revised_by,
            "source_system": rng.choice(_SOURCE_SYSTEMS),
        }
        bill_time = datetime(end.year, end.month, end.day) + timedelta(
            days=rng.randint(2, 12), seconds=rng.randrange(86_400)
        )
        document["updated_at"] = mess.timestamp(bill_time)
        if r() < 0.01:
            stale = {
                **document,
                "current_charges": mess.amount(current * 1.5, currency),
            }
            self._write_timed_versions("documents", document, stale, bill_time)
        else:
            self.landing.write("documents", document)
        for reading in readings:
            self._write_usage(document_id, reading, start, end, scale, bill_time)
        if with_items:
            for (
                charge_type,
                item_meter_id,
                item_commodity,
                description,
                _,
            ), amount in zip(items, amounts, strict=True):
                item: Row = {
                    "id": self._id("L", 9),
                    "document_id": document_id,
                    "meter_id": item_meter_id,
                    "charge_type": mess.enum(charge_type),
                    "datasource_type": (
                        mess.enum(item_commodity)
                        if item_commodity is not None
                        and (item_meter_id is None or r() < 0.7)
                        else None
                    ),
                    "description": description,
                    "amount": mess.amount(amount, currency),
                    "updated_at": mess.timestamp(bill_time) if r() < 0.7 else None,
                }
                if r() < 0.005:
                    stale = {**item, "amount": mess.amount(amount + 10, currency)}
                    self._write_timed_versions("line_items", item, stale, bill_time)
                else:
                    self.landing.write("line_items", item)
        return current, len(items) if with_items else 0

    def _write_timed_versions(
        self, entity: str, row: Row, stale: Row, moment: datetime
    ) -> None:
        """Write a streamed record and an older version, in either order."""
        row["updated_at"] = self.mess.timestamp(moment)
        older = moment - timedelta(days=self.rng.randint(1, 20))
        stale["updated_at"] = self.mess.timestamp(older)
        first, second = (row, stale) if self.rng.random() < 0.5 else (stale, row)
        self.landing.write(entity, first)
        self.landing.write(entity, second)

    def _write_usage(
        self,
        document_id: str,
        reading: _Reading,
        start: date,
        end: date,
        scale: float,
        bill_time: datetime,
    ) -> None:
        meter = reading.meter
        usage = reading.usage * scale
        self._usage_row(
            document_id, meter, start, end, usage, bill_time, reading.demand
        )
        if reading.export:
            self._usage_row(
                document_id,
                meter,
                start,
                end,
                reading.export * scale,
                bill_time,
                net_metering="EXPORT",
            )
            self._usage_row(
                document_id,
                meter,
                start,
                end,
                reading.generation * scale,
                bill_time,
                net_metering="GENERATION",
            )
        if meter.exclusion_share:
            self._usage_row(
                document_id,
                meter,
                start,
                end,
                usage * meter.exclusion_share,
                bill_time,
                exclusion=True,
            )

    def _usage_row(
        self,
        document_id: str,
        meter: _Meter,
        start: date,
        end: date,
        usage: float,
        bill_time: datetime,
        demand: float | None = None,
        *,
        net_metering: str = "IMPORT",
        exclusion: bool = False,
    ) -> None:
        rng = self.rng
        r = rng.random
        mess = self.mess
        usage_id = self._id("U", 9)
        by_identifier = (
            meter.match_by_identifier and r() < 0.15 and net_metering == "IMPORT"
        )
        if meter.gives_standard:
            raw = usage / _KWH_PER_GALLON[meter.commodity]
            standard: str | None = f"{usage:.3f}"
        else:
            raw = usage / meter.factor
            standard = f"{usage:.3f}" if r() < 0.08 else None
        if net_metering == "IMPORT":
            metering = None if r() < 0.8 else mess.enum("IMPORT")
        else:
            metering = mess.enum(net_metering)
        identifiers: list[dict[str, str]] | None = None
        if by_identifier or r() < 0.25:
            kind, value = meter.identifiers[0]
            identifiers = [{"type": mess.enum(kind), "value": mess.identifier(value)}]
            if not by_identifier and len(meter.identifiers) > 1 and r() < 0.3:
                kind, value = meter.identifiers[1]
                identifiers.append(
                    {"type": mess.enum(kind), "value": mess.identifier(value)}
                )
        row: Row = {
            "id": usage_id,
            "document_id": document_id,
            "meter_id": None if by_identifier else meter.id,
            "start_date": mess.date(start),
            "end_date": mess.date(end),
            "raw_usage": mess.quantity(raw),
            "raw_usage_units": mess.unit(meter.unit),
            "standard_usage": standard,
            "exclusion": mess.boolean(exclusion, 0 if exclusion else 0.7),
            "net_metering_type": metering,
            "demand": f"{demand:.1f}"
            if demand is not None and net_metering == "IMPORT"
            else None,
            "extracted_identifiers": identifiers,
            "updated_at": mess.timestamp(bill_time) if r() < 0.8 else None,
        }
        if meter.cascade_reason is not None:
            self.landing.write("usage_data", row)
            self.landing.inject("usage_data", usage_id, CASCADE_REASON)
        elif r() < 0.005:
            stale = {**row, "raw_usage": mess.quantity(raw * 1.2)}
            self._write_timed_versions("usage_data", row, stale, bill_time)
        else:
            self.landing.write("usage_data", row)

    # -- bad streamed rows -------------------------------------------------------

    def _inject_stream_rows(self, documents: int, usage_rows: int, items: int) -> None:
        """Bad documents, usage rows and line items next to the current bill."""
        r = self.rng.random
        choice = self.rng.choice
        for entity, good_rows in (
            ("documents", documents),
            ("usage_data", usage_rows),
            ("line_items", items),
        ):
            kinds = BAD_KINDS[entity]
            rate = BAD_ROW_RATE * len(kinds)
            for _ in range(good_rows):
                if r() < rate:
                    self._bad_stream_row(entity, choice(kinds))

    def _force_stream_kinds(self) -> None:
        for entity in ("documents", "usage_data", "line_items"):
            for kind in BAD_KINDS[entity]:
                if not self.stream_counts.get((entity, kind)):
                    self._bad_stream_row(entity, kind)

    def _bad_stream_row(self, entity: str, kind: str) -> None:
        anchor = self.anchor
        if anchor is None:  # pragma: no cover - company 1 always has clean bills
            raise RuntimeError("no clean bill to attach bad rows to")
        self.stream_counts[(entity, kind)] = (
            self.stream_counts.get((entity, kind), 0) + 1
        )
        if entity == "documents":
            record_id, row = self._bad_document(kind, anchor)
        elif entity == "usage_data":
            record_id, row = self._bad_usage(kind, anchor)
        else:
            record_id, row = self._bad_line_item(kind, anchor)
        self.landing.write(entity, row)
        self.landing.inject(entity, None if kind == "missing_id" else record_id, kind)

    def _bad_document(self, kind: str, anchor: _Anchor) -> tuple[str, Row]:
        mess = self.mess
        document_id = self._id("D", 8)
        amount = mess.amount(self.rng.uniform(50, 900), self.currency)
        row: Row = {
            "id": document_id,
            "account_id": anchor.account.id,
            "start_date": mess.date(anchor.start),
            "bill_date": mess.date(anchor.end),
            "total_charges": amount,
            "current_charges": amount,
            "charges_units": self.currency,
            "source_system": "ocr",
        }
        if kind == "missing_id":
            row["id"] = None
        elif kind == "bad_date":
            column = "start_date" if self.rng.random() < 0.5 else "bill_date"
            row[column] = self.rng.choice(_BAD_DATES)
        elif kind == "end_before_start":
            row["bill_date"] = mess.date(anchor.start - timedelta(days=5))
        elif kind == "bad_amount":
            row["current_charges"] = self.rng.choice(_BAD_AMOUNTS)
        elif kind == "orphan_account":
            row["account_id"] = self._missing("A")
        else:
            row["revised_document_id"] = self._missing("D")
        return document_id, row

    def _bad_usage(self, kind: str, anchor: _Anchor) -> tuple[str, Row]:
        mess = self.mess
        meter = anchor.meter
        usage_id = self._id("U", 9)
        days = (anchor.end - anchor.start).days + 1
        row: Row = {
            "id": usage_id,
            "document_id": anchor.document_id,
            "meter_id": meter.id,
            "start_date": mess.date(anchor.start),
            "end_date": mess.date(anchor.end),
            "raw_usage": f"{meter.daily * days / meter.factor:.3f}",
            "raw_usage_units": mess.unit(meter.unit),
        }
        if kind == "missing_id":
            row["id"] = ""
        elif kind == "bad_date":
            column = "start_date" if self.rng.random() < 0.5 else "end_date"
            row[column] = self.rng.choice(_BAD_DATES)
        elif kind == "end_before_start":
            row["end_date"] = mess.date(anchor.start - timedelta(days=3))
        elif kind == "bad_number":
            row["raw_usage"] = self.rng.choice(("n/a", "12..5", "1O0"))
        elif kind == "missing_usage":
            row["raw_usage"] = None
        elif kind == "bad_boolean":
            row["exclusion"] = "maybe"
        elif kind == "unknown_net_metering_type":
            row["net_metering_type"] = "SIDEWAYS"
        elif kind == "unknown_unit":
            row["raw_usage_units"] = "furlongs"
        elif kind == "bad_json":
            row["extracted_identifiers"] = '[{"type":'
        elif kind == "orphan_document":
            row["document_id"] = self._missing("D")
        elif kind == "orphan_meter":
            row["meter_id"] = self._missing("M")
        else:  # unmatched_meter
            row["meter_id"] = None
            row["extracted_identifiers"] = [
                {"type": "METER", "value": f"ZZ-{self._id('Z', 7)}"}
            ]
        return usage_id, row

    def _bad_line_item(self, kind: str, anchor: _Anchor) -> tuple[str, Row]:
        line_id = self._id("L", 9)
        row: Row = {
            "id": line_id,
            "document_id": anchor.document_id,
            "charge_type": "FEE",
            "description": "Service fee",
            "amount": self.mess.amount(self.rng.uniform(5, 60), self.currency),
        }
        if kind == "missing_id":
            row["id"] = None
        elif kind == "bad_amount":
            row["amount"] = self.rng.choice(_BAD_AMOUNTS)
        elif kind == "unknown_charge_type":
            row["charge_type"] = "MYSTERY"
        elif kind == "unknown_commodity":
            row["datasource_type"] = "NUCLEAR"
        elif kind == "orphan_document":
            row["document_id"] = self._missing("D")
        else:
            row["meter_id"] = self._missing("M")
        return line_id, row


# --- entry points --------------------------------------------------------------


def generate(
    out_dir: Path,
    *,
    companies: int = 3,
    sites: int = 4,
    months: int = 24,
    seed: int = 42,
    end_month: str = "2026-10",
    meters_per_site: int = 3,
    file_format: str = "csv",
) -> dict[str, int]:
    """Write a landing folder and its manifest; the rows written per entity.

    Raises ValueError on a bad parameter (before anything is written).
    """
    params = Parameters(
        companies=companies,
        sites=sites,
        months=months,
        seed=seed,
        end_month=end_month,
        meters_per_site=meters_per_site,
        file_format=file_format,
    )
    first_day, last_day = params.validate()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = formats_by_entity(file_format)
    for entity in contract.ENTITIES:
        for other in contract.FILE_FORMATS:
            stale_file = out_dir / f"{entity.name}.{other}"
            if other != formats[entity.name] and stale_file.is_file():
                stale_file.unlink()
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n") as scratch:
        landing = _Landing(out_dir, formats, scratch)
        try:
            _Generator(params, landing, first_day, last_day).run()
        finally:
            landing.close()
        landing.write_manifest(out_dir / MANIFEST_NAME, params)
    return landing.rows()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="landing folder to write"
    )
    parser.add_argument(
        "--companies", type=int, default=3, metavar="N", help="companies (default 3)"
    )
    parser.add_argument(
        "--sites",
        type=int,
        default=4,
        metavar="N",
        help="sites per company (default 4)",
    )
    parser.add_argument(
        "--months",
        type=int,
        default=24,
        metavar="N",
        help="months of bills (default 24)",
    )
    parser.add_argument(
        "--seed", type=int, default=42, metavar="N", help="random seed (default 42)"
    )
    parser.add_argument(
        "--end-month",
        default="2026-10",
        metavar="YYYY-MM",
        help="the last month with bills (default 2026-10)",
    )
    parser.add_argument(
        "--meters-per-site",
        type=int,
        default=3,
        metavar="N",
        help="regular meters per site (default 3)",
    )
    parser.add_argument(
        "--format",
        dest="file_format",
        choices=OUTPUT_FORMATS,
        default="csv",
        help="file format; mixed gives each entity one of the three (default csv)",
    )


def main(args: argparse.Namespace) -> int:
    try:
        rows = generate(
            args.out,
            companies=args.companies,
            sites=args.sites,
            months=args.months,
            seed=args.seed,
            end_month=args.end_month,
            meters_per_site=args.meters_per_site,
            file_format=args.file_format,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"error: cannot write {args.out}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    counts = ", ".join(f"{name} {count:,}" for name, count in rows.items())
    print(f"generated {args.out}: {counts} rows")
    return EXIT_OK
