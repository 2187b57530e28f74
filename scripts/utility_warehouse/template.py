"""``pipeline.py template --out DIR``: an empty landing folder to fill in.

DIR gets one ``<entity>.csv`` per entity of the contract, a header row only
(required columns first, then the optional ones), a ``landing.json`` with the
default settings, and a ``README.txt`` giving each column's meaning, whether it
is required, its format and the accepted enumeration values. DIR must not
exist, or be an empty directory; anything else (a file, a folder with files, a
symbolic link) is refused with exit 2 and left as it was.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import textwrap
from pathlib import Path

from utility_warehouse import contract
from utility_warehouse.contract import Entity
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_OK
from utility_warehouse.landing_settings import DEFAULTS, LANDING_SETTINGS_FILE

COMMAND = "template"
HELP = "Write an empty landing folder: each entity's file with its header, a README."
README = "README.txt"
_WIDTH = 78

MEANINGS: dict[tuple[str, str], str] = {
    ("companies", "id"): "Company key.",
    ("companies", "name"): "Company display name.",
    ("companies", "implied_sewer_fraction"): (
        "0 to 1: the share of the company's water usage billed as sewer when no "
        "sewer meter exists (empty = off)."
    ),
    ("sites", "id"): "Site key (a building or facility).",
    ("sites", "company_id"): "The company owning the site.",
    ("sites", "name"): "Site display name.",
    ("sites", "address"): "Street address.",
    ("sites", "city"): "City.",
    ("sites", "region"): "State, province or region.",
    ("sites", "postal_code"): "Postal code, kept as text (leading zeros stay).",
    ("sites", "country"): "Country of the site.",
    ("sites", "gross_floor_area"): "Gross floor area, in gross_floor_area_units.",
    ("sites", "gross_floor_area_units"): "Unit of the floor area (empty = SQ_FT).",
    ("sites", "data_collection_stop_date"): (
        "The date after which the site's data is no longer collected (before the "
        "run's as-of date: the site is archived)."
    ),
    ("sites", "mirror_site_id"): "A site whose usage estimates this one's.",
    ("sites", "grid_region"): (
        "The site's electricity grid region (an eGRID subregion such as CAMX, or "
        "any region code the emission factors use); empty = looked up by country."
    ),
    ("connections", "id"): "Connection key (a link to a utility's portal).",
    ("connections", "company_id"): "The company owning the connection.",
    ("connections", "provider_name"): "Utility provider.",
    ("accounts", "id"): "Utility account key.",
    ("accounts", "company_id"): "The company owning the account.",
    ("accounts", "connection_id"): "The connection the account was found through.",
    ("accounts", "account_number"): "The utility's account number, as printed.",
    ("accounts", "provider_name"): "Utility provider.",
    ("accounts", "status"): "Account status.",
    ("accounts", "active_account_id"): (
        "The account a sub-account or a duplicate links to (links chain; its own "
        "id or empty: no link)."
    ),
    ("accounts", "primary_identifier_type"): (
        "Identifier type preferred for the Primary ID of the account's meters."
    ),
    ("accounts", "secondary_identifier_type"): (
        "Identifier type used when the primary type is absent."
    ),
    ("meters", "id"): "Meter key.",
    ("meters", "company_id"): "The company owning the meter.",
    ("meters", "account_id"): "The account billing the meter.",
    ("meters", "site_id"): "The site the meter serves (empty: unassigned).",
    ("meters", "datasource_type"): "What the meter measures (commodity).",
    (
        "meters",
        "is_tracked",
    ): "Whether the meter counts in the portfolio (empty = true).",
    (
        "meters",
        "is_duplicated",
    ): "Whether the meter duplicates another (empty = false).",
    ("meters", "service_address"): "Service address printed on the bill.",
    ("meter_identifiers", "meter_id"): "The meter.",
    ("meter_identifiers", "identifier_type"): "Kind of identifier (others are kept).",
    ("meter_identifiers", "value"): (
        "The identifier as printed (spaces, dashes and dots ignored when matched)."
    ),
    ("meter_tags", "meter_id"): "The meter.",
    ("meter_tags", "tag_name"): "A free-form tag.",
    ("documents", "id"): "Bill key.",
    ("documents", "account_id"): "The account billed.",
    ("documents", "start_date"): "First day of the billing period (included).",
    ("documents", "bill_date"): "Last day of the billing period (included).",
    ("documents", "total_charges"): "Amount due, carried balance included.",
    ("documents", "current_charges"): "Charges of this period only.",
    ("documents", "charges_units"): "Currency of the bill's amounts.",
    ("documents", "revised_document_id"): "The bill that revises (replaces) this one.",
    ("usage_data", "id"): "Usage line key.",
    ("usage_data", "document_id"): "The bill the usage is on.",
    ("usage_data", "meter_id"): "The meter read (or give extracted_identifiers).",
    ("usage_data", "start_date"): "First day of the usage period (included).",
    ("usage_data", "end_date"): "Last day of the usage period (included).",
    ("usage_data", "raw_usage"): "Usage as billed, in raw_usage_units.",
    ("usage_data", "raw_usage_units"): "Unit of raw_usage.",
    ("usage_data", "standard_usage"): (
        "Usage in the commodity's standard unit (kWh for energy, gallons for water "
        "and sewer); used before raw_usage when given."
    ),
    (
        "usage_data",
        "exclusion",
    ): "Whether the line is excluded from usage (empty = false).",
    ("usage_data", "net_metering_type"): "Direction of the usage (empty = IMPORT).",
    ("usage_data", "demand"): "Billed peak demand in kW (may carry its unit: 45 kW).",
    ("usage_data", "extracted_identifiers"): (
        "Identifiers read off the bill, used to find the meter when meter_id is empty."
    ),
    ("usage_data", "is_estimated"): "Whether the read is estimated (empty = false).",
    ("line_items", "id"): "Line item key.",
    ("line_items", "document_id"): "The bill the charge is on.",
    ("line_items", "meter_id"): "The meter the charge is for (empty: none named).",
    ("line_items", "charge_type"): "Kind of charge.",
    ("line_items", "datasource_type"): "Commodity of the charge.",
    ("line_items", "description"): "The charge's text on the bill.",
    ("line_items", "amount"): "Amount of the charge, in the bill's currency.",
    ("emission_factors", "region"): (
        "A grid region (CAMX), an ISO alpha-2 country (US) or * for anywhere."
    ),
    ("emission_factors", "commodity"): "The energy commodity the factor serves.",
    ("emission_factors", "year"): "The activity year the factor serves.",
    ("emission_factors", "method"): "location or residual_mix, in any case.",
    ("emission_factors", "co2_kg_per_kwh"): "kg CO2 per kWh, not negative.",
    ("emission_factors", "ch4_kg_per_kwh"): "kg CH4 per kWh (empty = 0).",
    ("emission_factors", "n2o_kg_per_kwh"): "kg N2O per kWh (empty = 0).",
    ("emission_factors", "source"): "Publication, edition and table of the factor.",
    ("contractual_instruments", "id"): (
        "Instrument key (a certificate batch, a PPA, a supplier contract)."
    ),
    ("contractual_instruments", "company_id"): "The company holding the instrument.",
    ("contractual_instruments", "site_id"): (
        "The site it is for (empty = the whole company)."
    ),
    ("contractual_instruments", "market"): (
        "The country whose sites it may cover (empty = no restriction)."
    ),
    ("contractual_instruments", "commodity"): (
        "The commodity it covers (empty = ELECTRICITY)."
    ),
    ("contractual_instruments", "start_date"): "First day it covers.",
    ("contractual_instruments", "end_date"): "Last day it covers (included).",
    ("contractual_instruments", "quantity_kwh"): (
        "kWh it holds over its period (empty = unlimited)."
    ),
    ("contractual_instruments", "co2e_kg_per_kwh"): (
        "kg CO2e per kWh: 0 for certificates and renewable PPAs."
    ),
    ("contractual_instruments", "instrument_type"): "Free text (REC, PPA, ...).",
    ("finding_reviews", "finding_id"): (
        "The finding decided on (finding_id of marts.dq_findings)."
    ),
    ("finding_reviews", "status"): (
        "The decision: RESOLVED (fixed), DISMISSED (not an issue) or OPEN (look "
        "again). Per finding the latest reviewed_at wins, then the last row."
    ),
    ("finding_reviews", "note"): "Why, in one line.",
    ("finding_reviews", "reviewed_by"): "Who decided.",
    ("finding_reviews", "reviewed_at"): (
        "When the decision was made (2026-12-07T09:30:00Z); every review is kept."
    ),
}

FORMATS: dict[str, str] = {
    contract.ID: "text key, surrounding spaces ignored",
    contract.TEXT: "text",
    contract.DATE: "a date (see Dates)",
    contract.TIMESTAMP: "a timestamp or a date (see Dates)",
    contract.AMOUNT: "an amount (see Amounts)",
    contract.NUMBER: "a number (see Numbers)",
    contract.BOOLEAN: "a boolean (see Booleans)",
    contract.UNIT: "a unit in any case: kWh, MWh, Wh, kBtu, MMBtu, GJ, MJ, therm, "
    "dth, CCF, Mcf, cf, m3, L, gal, kgal, lb, klb, Mlb, ton_hour, ...",
    contract.CURRENCY: "a currency (see Currencies)",
    contract.COUNTRY: "ISO 3166 code (US, USA), English name or a common alias "
    "(UK), in any case",
    contract.JSON_IDENTIFIERS: 'a JSON array such as [{"type": "METER", '
    '"value": "E-100"}]',
}

GENERAL = """\
Landing folder

One file per entity: <entity>.csv (a header row, then one row per record;
UTF-8 unless landing.json or --encoding says otherwise), <entity>.jsonl (one
JSON object per line) or <entity>.parquet, with the columns listed below. File
and column names match in any case and with surrounding spaces. Each header
here lists the required columns first; an optional column may be left out of
a file (it is read as empty), a required one may not. Every entity may also
carry updated_at: when an id appears more than once, the row with the latest
updated_at wins (then the last row of the file).

companies, sites, accounts, meters, documents and usage_data must hold at
least one record; meter_identifiers must be there but may be empty;
connections, meter_tags, line_items, emission_factors, contractual_instruments
and finding_reviews may be left out. finding_reviews holds analysts' decisions
on data-quality findings (pipeline.py review appends to it): every review is
kept, none replaces another.

Load the folder with:  pipeline.py run --raw-dir DIR --database FILE
"""

SETTINGS = f"""\
landing.json

Describes how the files are written; every key is optional:
  {{"date_order": "mdy", "decimal_separator": ".", "encoding": "utf-8"}}
date_order: "mdy" (01/31/2024, month first) or "dmy" (31/01/2024, day first).
decimal_separator: "." (1,234.56) or "," (1.234,56).
encoding: the text encoding of the CSV and JSON lines files (utf-8, cp1252,
latin-1, utf-16, ...).
The options --date-order, --decimal-separator and --encoding override it. The
defaults are {DEFAULTS["date_order"]}, "{DEFAULTS["decimal_separator"]}" and \
{DEFAULTS["encoding"]}. If a date column holds a day above 12 where
date_order reads the month, or an amount ends in the other decimal separator
and one or two digits, the load stops and names the value and the option.
"""

FORMAT_NOTES = """\
Formats

Dates: year first in any order (2024-01-31, 2024/1/31, 2024.01.31), an ISO
timestamp (2024-01-31T10:00:00Z: the written date, no time-zone shift), or
A/B/YYYY, A.B.YYYY, A-B-YYYY read by date_order (mdy: month first; dmy: day
first). A date impossible in that order (month 13, 30 February) or with a
two-digit year is not read (the row is quarantined if the date is required).

Numbers: with decimal_separator ".": 1234.5, .5, 1,234,567.89 (commas only
between groups of three digits), the Indian 1,23,45,678.00, or groups of three
joined by an apostrophe or a space (1'234.5, 1 234.5); 12,5 or 1,23 is not a
number. With ",": 1234,5, 1.234,56, 1 234,56 (points or spaces between groups
of three); 1.5 is not a number. One grouping character per value. A plain
number may carry an exponent (5e3). A leading + or - is allowed.

Amounts: a number as above, negative as -12.00 or (12.00), with or without a
currency symbol or code before or after it ($1,234.56, 1.234,56 €, USD 7,
CA$100, 12.00 kr).

Currencies (charges_units): an ISO 4217 code in any case (USD, eur), or a
symbol or prefix: € EUR, £ GBP, ₹ INR, ₫ VND, US$ USD, CA$ or C$ CAD, A$ or
AU$ AUD, NZ$ NZD, HK$ HKD, S$ SGD, R$ BRL, CHF or Fr. CHF, ... A symbol
several currencies share ($, ¥, kr) or an empty value takes the currency of
the country of the bill's sites when they all share one.

Booleans: true/false, t/f, yes/no, y/n, 1/0 in any case; empty takes the
column's default.

Enumerations: in any case, spaces and hyphens read as underscores
(Old account and old-account are OLD_ACCOUNT).
"""


def _requirement(entity: Entity, column: str) -> str:
    if column in entity.required_columns:
        return "required"
    for group in entity.one_of:
        if column in group:
            others = " or ".join(c for c in group if c != column)
            return f"required unless {others} is given"
    return "optional"


def header(entity: Entity) -> list[str]:
    """The template header: required columns, the alternatives, the optional."""
    required = list(entity.required_columns)
    alternatives = [c for c in entity.alternative_columns if c not in required]
    return [*required, *alternatives, *entity.optional_columns]


def _file_rule(entity: Entity) -> str:
    if entity.file_optional:
        return "optional file"
    if entity.may_be_empty:
        return "required file, may be empty"
    return "required file, at least one record"


def _column_format(entity: Entity, column: str) -> str:
    enumeration = entity.enumeration_of(column)
    if enumeration is None:
        return FORMATS[entity.kind_of(column)]
    values = ", ".join(contract.ENUMERATIONS[enumeration])
    if enumeration in contract.OPEN_ENUMERATIONS:
        return f"one of {values}, or another type (kept, ranked after these)"
    return f"one of {values}"


def _column_lines(entity: Entity, column: str) -> list[str]:
    meaning = MEANINGS.get(
        (entity.name, column), "When the record last changed (newest wins)."
    )
    text = (
        f"{column} ({_requirement(entity, column)}): {meaning} "
        f"Format: {_column_format(entity, column)}."
    )
    return textwrap.wrap(text, _WIDTH, initial_indent="  ", subsequent_indent="    ")


def readme_text() -> str:
    """The template's README: the folder, landing.json, formats, every column."""
    parts = [GENERAL, SETTINGS, FORMAT_NOTES]
    for entity in contract.ENTITIES:
        lines = [f"{entity.name}.csv ({_file_rule(entity)})"]
        for column in header(entity):
            lines.extend(_column_lines(entity, column))
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


class TemplateError(Exception):
    """The output folder cannot be used; ``str()`` is one line."""


def _check_out(out: Path) -> None:
    if out.is_symlink():
        raise TemplateError(f"--out {out} is a symbolic link; give a new folder")
    if not out.exists():
        return
    if not out.is_dir():
        raise TemplateError(f"--out {out} exists and is not a folder")
    if any(out.iterdir()):
        raise TemplateError(f"--out {out} is not empty; give a new or empty folder")


def write_template(out: Path) -> list[Path]:
    """Write the template into ``out`` (new or empty); the files written."""
    _check_out(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for entity in contract.ENTITIES:
        path = out / f"{entity.name}.csv"
        with path.open("x", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerow(header(entity))
        written.append(path)
    settings = out / LANDING_SETTINGS_FILE
    settings.write_text(json.dumps(DEFAULTS, indent=2) + "\n", encoding="utf-8")
    readme = out / README
    readme.write_text(readme_text(), encoding="utf-8")
    return [*written, settings, readme]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="the folder to write: new, or an existing empty folder",
    )


def main(args: argparse.Namespace) -> int:
    out = Path(args.out)
    try:
        written = write_template(out)
    except (TemplateError, OSError) as error:
        print(f"pipeline.py {COMMAND}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"template written: {out} ({len(written) - 2} entity files with their "
        f"headers, {LANDING_SETTINGS_FILE}, {README})"
    )
    return EXIT_OK
