"""Write a synthetic, deliberately messy landing folder of utility bills.

``pipeline.py generate --out DIR`` writes one file per entity of the landing
contract (``utility_warehouse.contract``) plus ``_generator_manifest.json``, which
states what a warehouse built from the folder has to show (see "The manifest").

What the data holds
    Companies with sites, connections (one per provider), accounts and meters;
    one bill (document) per account and billing period covering all the
    account's meters, with one usage row per meter and period and line items of
    every charge type. Periods are continuous up to the last day of the end
    month: 27-35 days, not aligned to months, for energy; calendar months for
    water and sewer. Electricity peaks in summer and winter, gas and heat in
    winter, water mildly in summer, along smooth curves summed day by day over
    each period, so that a month's usage compares with the same month a year
    earlier whatever the bill periods around it (within a quarter). Every
    company also carries a fixed set of special cases: an account chain of depth
    2 or 3 (old accounts linking to the current one), a sub-account, a duplicate
    account re-billing the last periods, revised bills (some revised twice), an
    untracked, a duplicated and an unassigned (no site) meter, an archived site,
    a net-metered site (EXPORT and GENERATION rows), exclusion rows, estimated
    reads (``is_estimated``), usage rows without meter_id matched through their
    extracted identifiers, detected (fuel) and inactive accounts, several
    commodities and units; two of every three companies (the first among them)
    state an ``implied_sewer_fraction``. The second company bills in EUR or CAD;
    companies outside the US measure floor area in square metres
    (``gross_floor_area_units`` SQ_M). One company (the third, or the first when
    there are fewer) is an industrial VND customer with bills in the billions,
    amounts spelled ``VND 3,580,892,862.63``, ``3580892862.63``,
    ``₫3,580,892,862.63`` or ``vnd 12.5`` (other companies use ``usd 7``-style
    codes too). Values are spelled messily (three date formats, currency symbols
    and codes, accounting negatives, boolean and enumeration spellings, unit
    spellings, ``45 kW`` demands, identifiers with stray separators) and some
    records appear twice with different updated_at (the newer wins; sometimes it
    comes first). Site names carry accents (``Café Zürich``, ``Köln``,
    ``Montréal``); sites write their country as alpha-2, alpha-3, name or alias
    in any case (``us``, ``USA``, ``United States of America``, ``DEU``,
    ``UK``). A bill's charges_units is its currency's code in any case, a
    symbol of that currency alone (``US$``, ``CA$``, ``€``, ``₫``) or, where
    the bill's meters are at sites, a bare ``$`` or nothing, which the sites'
    country resolves; amounts also read ``US$ 1,234.56``, ``C$ 12.50``. In JSON
    lines files number and amount columns hold JSON numbers on every other line
    and strings on the others, and with messy names the keys ``id`` and
    ``updated_at`` change spelling from line to line (``id``, ``ID``, `` Id``).

Planted cases, each about 1% of an entity's rows per kind and at least once in
the first company, wherever the unparsed-share limit leaves room (below)
    Quarantine (``injected``): every row reason of the staging layer, each an
    extra record breaking exactly one rule -- missing ids, unparseable,
    implausible (years 0025, 2206, 9999; 0001-01-01 to 9999-12-31) and reversed
    dates, periods over 400 days, bad and out-of-range numbers (``5e19`` MWh, a
    usage converting beyond 10^12, a line item of 10^13), unknown enumerations
    and units, orphans, an account cycle, bills revising themselves or each
    other in a loop (``revision_cycle``; their usage rows and line items are
    ``document_quarantined``), usage rows without meter_id whose identifiers
    are missing (none, ``[]``), not JSON, match no meter (``[METER X-2, METER
    Z-9]``, ``[POD X-1]`` where X-1 is a METER identifier) or several
    (``ambiguous_meter``), and the cascade of a meter with an unknown commodity
    (its usage rows, identifiers and tag are ``meter_quarantined``).

    Field issues (``field_issues``): optional values that cannot be cleaned, on
    records that stay clean -- ``12,000 sq ft`` and negative floor areas, unknown
    floor-area units, stop dates ``2024-13-45`` and 0025, implied sewer fractions
    ``abc`` and ``1.7`` (``2024-13-45`` and ``abc`` only in folders with room
    for them), booleans ``maybe`` (meters, exclusion, is_estimated),
    garbage and 10^13 charges, demand ``n/a`` (``45 kW`` is valid), raw usage
    garbage next to a good standard usage and the reverse, identifier garbage
    on a row with meter_id, links to a missing or quarantined connection, site,
    account, document or mirror site, a mirror site naming itself, line items
    naming no clean meter or an unknown commodity. These extra rows reach the
    warehouse: clean extra bills without usage are unattributed costs, extra
    usage rows and line items change the figures of the bill they sit on.

    Only in entities written as JSON lines (the one format holding objects): a
    row whose id is a JSON object (``bad_id``, no record named, like a missing
    id), and links holding one (field issues ``bad_id``: a meter's site_id, a
    site's mirror_site_id, an account's active_account_id, a bill's
    revised_document_id, a line item's meter_id).

    Rejected values and odd links: an account whose status is ``Active``
    (company 1) with a meter and bills: the account is ``unknown_status``,
    its meter ``account_quarantined``, the meter's identifiers and tag
    ``meter_quarantined``, its bills ``account_quarantined``, their usage rows
    and line items ``document_quarantined``; the cascade meter above is of type
    ``Electric``. Every rejected enumeration value written is counted
    (``rejected_values``). A site whose country is ``Atlantis`` (field issue
    ``unknown_country``); a raw usage ``12,5`` with decimal points
    (``bad_number``, never 125). In company 2, a bill with a line item naming
    a meter of company 1 (field issue ``foreign_meter``: the item is split
    over the bill's own meter, which gets the whole bill;
    ``foreign_meter_bills``).

    Currencies (company 1's sites abroad, ``currency_bills``): a site and an
    account with one electricity meter in each of the US (two meters), Canada,
    the UK, Australia, Sweden, Japan, India, Switzerland and Germany, without
    regular bills. In the last billed month each carries bills whose line items
    name its meter: charges_units ``US$``, ``CA$``, ``£``, ``A$``, ``€``,
    ``Fr.``, ``eUr``, and ambiguous ``$`` (Australia), ``kr``, ``¥``, ``Rs.`` or
    nothing (US), resolved by the site's country; amounts ``US$ 5``,
    ``CA$100``, ``A$ 5``, ``12.00 kr``, ``¥12,000``, ``Rs. 1,23,456.00``
    (Indian grouping), ``₹2,500.00``, ``CHF 1'234.50`` (and with a typographic
    apostrophe). A bill whose ``$`` names meters in the US and Canada (field issue
    ``ambiguous_currency``) and one in ``Dollars`` (``unknown_currency``) have
    no currency: their charges are unattributed with reason
    ``unknown_currency``. The US site also has a bill whose second meter's
    IMPORT usage is -310.5 kWh (field issue ``negative_usage``): it counts as
    billed but weighs zero in cost shares, so the first meter gets the whole
    bill (``negative_usage_bill``). The VND company has two bills without
    meters charging ``123456789012.345678`` and ``99999999999.999999`` (JSON
    numbers in a JSON lines file, ``exact_charges``): unattributed to the last
    digit.

    Outcomes: bills with no meter at all (``unattributed``), a bill whose only
    usage row is quarantined but whose line item names a clean meter (it is
    attributed), identifier matches (``expected_meter_matches``: ``[METER X1,
    ACCOUNT "ACC 1"]`` where the account number is on two meters, a meter and
    its duplicated twin sharing an identifier, an exact identifier set among
    several candidates), an account naming itself as its active account (no
    link, no issue), document ids reused for a different bill and older
    versions of records (``replaced_versions``), and in the VND company a bill
    of ``VND 3,580,892,862.63`` over three electricity meters of 144,655.561 /
    596,079.843 / 20,736.123 kWh and a water usage row of 6,227,440,270.173 gal
    from Jan 15 to Feb 14 (``special_cases``), each one bill of a plant billed
    monthly at that level.

Planted data-quality findings (``planted_findings``), all of them in the first
company and one kind each on about 1% of the other companies' accounts whose
every bill counts
    Missing bills (a gap, the months it leaves partly or wholly uncovered -- a
    whole calendar month on water bills -- and in company 1 enough of them on
    one meter that its site and commodity is not ENERGY STAR ready), a bill
    starting 2-5 days before the previous one ends (overlap), a 12-19 day and a
    41-50 day bill (short and long periods; long ones only where usage hardly
    varies with the season), a last bill ending after the as-of date (6-25 days;
    the as-of month on calendar bills: future period), a water bill entered
    twice under another id (duplicate bill; its usage doubles the month, an
    anomaly when the month a year earlier is complete) and a water month at
    2.2-2.8 times its usual usage (anomaly), both within the last 12 months.
    Company 1 also has two new sites (their bills start half-way) mirroring the
    home site, one with and one without a floor area (mirror estimates, and
    maybe not ENERGY STAR ready), a site ready with the month it is ready
    through, implied sewer at its sites without a sewer meter, and an estimated
    read with a demand (estimated usage, peak demand); every company has three
    pairs of meters sharing an identifier (duplicate meter candidates).

    Beyond these the quality marts show almost nothing: the extra usage rows of
    planted cases are small (0.5-2% of the period's usage) and sit on bills of
    their own meter with the same dates, clean planted bills without usage never
    share an account, dates and charges, and net-metered panels cover only part
    of a site's use. Only the as-of month is missing for every meter billed to
    date (the coverage window includes the as-of day), and sites with less than
    a year of history are not ENERGY STAR ready.

The unparsed-share limit
    The warehouse fails a build when more than 5% (its default limit) of the
    non-empty values of a column it parses (JUDGED_COLUMNS: dates, timestamps,
    numbers, amounts, booleans, enumerations, units, currencies and countries)
    cannot be parsed.
    Every folder stays within that limit, whatever its size, convention,
    formats, encoding and files left out. As rows are written the landing
    counts each judged column's non-empty values, over the records that win
    their key (charges_units over clean bills only), and the values planted
    that cannot be parsed; UNPARSEABLE_KINDS maps each kind planting one to
    the columns it spoils (out-of-range and implausible values parse). Such a
    value is written only when, with it, at most 5% of the column's non-empty
    values so far cannot be parsed, so the folder's final share can only be
    lower; a kind without room is skipped, and the manifest states only what
    was planted. So that company 1 has room for what it plants, its sites abroad
    come before its other dimension rows, the planted dimension rows that spoil
    a value come after the clean ones, the account whose status is ``Active``
    and the meter of type ``Electric`` after the company's other accounts and
    meters (without room both are written clean, and nothing cascades from
    them), planted site rows state their floor-area unit, and the kinds forced
    on company 1's bills come after all of its bills. Columns holding few
    values take no bad one in small folders (one bad value needs some twenty
    good ones): a company's implied_sewer_fraction (one per company) and a
    site's data_collection_stop_date (about one site in four: some eighty
    sites in company 1), so the default and the smaller folders plant
    neither ``abc`` nor ``2024-13-45``; the smallest (a site or two) may also
    leave out the bad floor area, floor-area unit and country.

The manifest
    ``parameters``, ``as_of`` (the as-of date the expectations are stated
    for: the day after the last billed month), ``files`` (the file of each
    entity), ``encoding``, ``rows`` (rows written per entity), ``counts``
    (quarantine and field issues per entity and reason), ``replaced_versions``
    and ``replaced_versions_differing`` (raw rows per entity that lose to a
    newer version of their key, and those whose values differ from the
    winner's), ``special_cases``, then the lists ``injected`` ({entity,
    record_id, reason}: exactly the quarantine; record_id null for rows
    without a usable id, reasons missing_id and bad_id), ``field_issues``
    ({entity, record_id, column_name, reason}: exactly the field-issue
    ledger), ``unattributed`` ({document_id, currency, unattributed_cost,
    reason}: exactly the unattributed-cost ledger; currency null with reason
    unknown_currency), ``planted_findings`` (below) and
    ``expected_meter_matches`` ({usage_id: meter_id} for every clean usage row
    without meter_id). Also ``landing`` (the folder's date_order and
    decimal_separator, and what its landing.json states), ``rejected_values``
    ({entity, column_name, raw_value, row_count}: every rejected value of an
    enumeration, unit, currency, country or boolean written, on the rows that
    win their key) and
    ``site_countries`` ({site_id: alpha-2, null when the country is unknown}
    for every clean site), and ``unparsed_values`` ({entity, column_name,
    non_empty_count, unparsed_count} for every judged column of the files
    written: what dq_unparsed_shares counts).

    ``planted_findings`` lists {kind, ...} with the values the quality marts
    must show, worked out from the periods written by the warehouse's rules
    (``counts.planted_findings`` per kind): ``gap``, ``overlap``,
    ``short_period``, ``long_period``, ``future_period`` (meter_id,
    document_id, period_start, period_end, issue_days, as in
    dq_bill_period_issues); ``partial_month`` and ``missing_month`` (meter_id,
    month, required_days, covered_days); ``energy_star_ready`` (site_id,
    commodity, ready_through) and ``not_energy_star_ready`` (site_id,
    commodity, cause ``missing_bills`` or ``new_site``); ``duplicate_bill``
    (document_id, the greater, duplicate_of_document_id, account_id);
    ``duplicate_meter`` (meter_id, duplicate_of_meter_id, identifier_type,
    normalized_value); ``anomaly`` (meter_id, month, cause ``spike`` or
    ``duplicate_bill``); ``implied_sewer`` (site_id, implied_sewer_fraction);
    ``mirror_estimate`` (site_id, mirror_site_id, commodity, month,
    scale_factor); ``estimated_read`` (meter_id, usage_id, document_id, the
    months with its estimated usage); ``peak_demand`` (meter_id, usage_id, the
    month it counts in, demand_kw: the month's peak is at least that).

Landing-folder shape
    By default file and column names are messy the way exports are
    (``Meter_Tags.csv``, ``line_items.CSV``, headers `` updated_at `` and
    ``Demand ``); ``--clean-names`` writes the contract's names. ``--without
    connections`` (or meter_tags, line_items; repeatable) leaves an optional
    file out, and the data and manifest follow (accounts then name no
    connection). ``--encoding cp1252`` writes CSV and JSONL in another
    encoding (Parquet text is always UTF-8); symbols the encoding lacks are
    spelled as codes.

Conventions (``--locale``)
    ``mdy-point`` (the default) writes month-first and ISO dates with decimal
    points. ``dmy-comma`` writes the same portfolio, value for value, with
    every date day-first (``13.01.2025`` where the default writes
    ``2025-01-13``, ``13/01/2025`` for ``01/13/2025`` and ISO timestamps) and
    decimal commas (``1.820,55 €``, ``12,5``; Indian grouping becomes groups
    of three), plus ``landing.json`` stating ``{"date_order": "dmy",
    "decimal_separator": ","}``; ``dmy-point`` and ``mdy-comma`` change one of
    the two. updated_at stays ISO; JSON numbers are written as strings with
    decimal commas. A folder in another encoding than UTF-8 states it in
    landing.json too. ``--no-landing-json`` leaves the file out: a folder the
    loader must refuse (its dates or amounts prove the other convention)
    unless the run is told the convention.

Scale
    Rows are streamed to the writers bill by bill and the manifest's lists to
    scratch files, so memory stays bounded (Parquet is buffered in row groups
    of 100,000 rows per entity). There is about one usage row per meter and
    month, plus the planted rows (1% per kind: about a quarter more).
    Measured on a shared 2-core machine:

    - defaults (3 companies, 4 sites, 3 meters per site, 24 months):
      ~2.5k usage rows, under a second;
    - ``--companies 100 --sites 65 --meters-per-site 4 --months 36``:
      1.23M usage rows, 719k bills, 2.31M line items in about 40 s with 90 MB
      peak RSS as CSV; the manifest (49 MB) lists 333k quarantined rows, 160k
      field issues, 29k unattributed bills, 10k identifier matches and 1.9k
      planted findings. Working the findings out adds about 5% to the time.

The same arguments always give byte-identical files: every value comes from
``random.Random`` streams seeded from ``--seed`` and the company number, never
from the clock. Files of the same entity under another name or format are removed
from the output folder so that the folder holds exactly one file per entity.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import itertools
import json
import math
import random
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
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
OPTIONAL_FILES: tuple[str, ...] = tuple(
    entity.name for entity in contract.ENTITIES if entity.file_optional
)
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {"documents": ("source_system",)}
"""Columns outside the contract that the generator writes (the loader keeps them)."""
PARQUET_BATCH_ROWS = 100_000
BAD_ROW_RATE = 0.01
"""Share of an entity's good rows planted per kind of case."""
_FINDING_RATE = 0.01
"""Share of the groups (one account's bills) outside company 1 planted per kind
of data-quality finding."""
MAX_ABS_VALUE = 10**12
"""Beyond this magnitude a number is out of range for the warehouse."""
DEFAULT_LOCALE = "mdy-point"
"""Month-first dates and decimal points: the loader's defaults (see LOCALES)."""

Value = str | list[dict[str, str]] | dict[str, str] | None
"""A value as written: text, a JSON array (extracted identifiers) or a JSON
object (a key column holding an object, planted in JSON lines files only)."""
Row = dict[str, Value]


class JsonNumber(str):
    """Number text that a JSON lines file writes as a JSON number, not a string.

    Other formats write the text. A folder with decimal commas writes it as
    text too (a JSON number has a decimal point).
    """

    __slots__ = ()


# --- the landing folder's shape -------------------------------------------------

# Messy names (the default): the loader matches names whatever their case and
# surrounding spaces.
_MESSY_STEMS: dict[str, str] = {"meter_tags": "Meter_Tags"}
_MESSY_UPPER_EXTENSIONS = frozenset({"line_items"})
_MESSY_HEADERS: dict[str, dict[str, str]] = {
    "documents": {"updated_at": " updated_at "},
    "usage_data": {"demand": "Demand ", "is_estimated": "Is_Estimated"},
    "meters": {"is_tracked": "IS_TRACKED"},
    "sites": {"gross_floor_area_units": " Gross_Floor_Area_Units"},
}

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
    (ENERGY, "kBtu"): 0.29307107,
    (ENERGY, "MMBtu"): 293.07107,
    (WATER_KIND, "gal"): 1.0,
    (WATER_KIND, "kgal"): 1000.0,
    (WATER_KIND, "CCF"): 748.052,
    (WATER_KIND, "m3"): 264.172,
}
# Fuels delivered in gallons: their standard usage (kWh) is written as given.
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
_CURRENCY_FACTOR: dict[str, float] = {
    "USD": 1.0,
    "EUR": 0.93,
    "CAD": 1.36,
    "VND": 25_400.0,
}
_CURRENCY_SYMBOL: dict[str, str] = {"USD": "$", "EUR": "€", "CAD": "$", "VND": "₫"}
# Prefixes of amounts besides the symbol: any of them may be written.
_AMOUNT_PREFIXES: dict[str, tuple[str, ...]] = {
    "USD": ("$", "$", "US$", "US$ "),
    "CAD": ("$", "CA$", "C$ "),
    "EUR": ("€",),
    "VND": ("₫",),
}
# charges_units spelled as a symbol that names one currency.
_CURRENCY_ONLY_SYMBOL: dict[str, str] = {
    "USD": "US$",
    "CAD": "CA$",
    "EUR": "€",
    "VND": "₫",
}
# Currencies whose bills may say a bare "$", resolved through the sites' country.
_DOLLAR_CURRENCIES = frozenset({"USD", "CAD", "AUD"})
LARGE_CURRENCY = "VND"
_PLANT_FIGURES = ("144,655.561", "596,079.843", "20,736.123")
"""kWh of the VND company's exact bill, one figure per plant meter."""
_RESERVOIR_USAGE = "6,227,440,270.173"
"""Gallons of the VND company's exact water usage row."""
_RESERVOIR_RATE = 0.00026
"""USD per gallon at the reservoir: its monthly bills stay below 10^12 VND."""
_LARGE_USAGE_SCALE = 20.0
"""The VND company's plants use this many times a typical site's energy."""
SQ_FT_PER_SQ_M = 10.7639
_SQ_FT_SPELLINGS = ("SQ_FT", "sq ft", "sqft", "Sq Ft", "SQFT")
_SQ_M_SPELLINGS = ("SQ_M", "sq m", "sqm", "Sq M", "SQM")
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
# Prefixes keep every generated identifier value unique once normalized: letter
# prefixes differ and all-digit values differ in length.
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
# Meters of every company whose identifiers overlap on purpose (matching is
# within a company, so each company reuses the same values). Normalized, "X-1"
# is "X1" and "ACC-1" is "ACC 1".
_SHARED_IDENTIFIER_METERS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("P", (("METER", "X1"), ("ACCOUNT", "ACC 1"))),
    ("Q", (("ACCOUNT", "ACC-1"), ("METER", "X-2"))),
    ("S", (("PREMISE", "PR-SHARED-7"),)),
    ("T", (("PREMISE", "PR SHARED 7"),)),
    ("V", (("SERVICE_POINT", "SP-77"),)),
    ("W", (("SERVICE_POINT", "SP 77"), ("METER", "W-1"))),
)
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
    "Initech Industrial",
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
    "DE": (
        ("Berlin", "BE", "10"),
        ("Hamburg", "HH", "20"),
        ("München", "BY", "80"),
        ("Köln", "NW", "50"),
        ("Düsseldorf", "NW", "40"),
    ),
    "CA": (
        ("Toronto", "ON", "M5V"),
        ("Calgary", "AB", "T2P"),
        ("Montréal", "QC", "H2Y"),
        ("Québec", "QC", "G1R"),
    ),
    "VN": (
        ("Ho Chi Minh City", "SG", "70"),
        ("Hanoi", "HN", "10"),
        ("Da Nang", "DN", "55"),
    ),
}


@dataclass(frozen=True)
class Country:
    """A country of ISO 3166-1, its currency and how sites write its name."""

    alpha2: str
    currency: str
    spellings: tuple[str, ...]
    """Alpha-2, alpha-3, English short name and common aliases, in several
    cases (names only where ISO's short name is the usual one)."""


COUNTRIES: dict[str, Country] = {
    country.alpha2: country
    for country in (
        Country(
            "US",
            "USD",
            ("US", "us", "USA", "usa", "United States of America", " US "),
        ),
        Country("DE", "EUR", ("DE", "de", "DEU", "Germany", "GERMANY", "germany")),
        Country("CA", "CAD", ("CA", "ca", "CAN", "Canada", "canada", "CANADA")),
        Country("VN", "VND", ("VN", "vn", "VNM", "vnm", "Vietnam", " VN")),
        Country("GB", "GBP", ("GB", "GBR", "UK", "uk", "United Kingdom")),
        Country("AU", "AUD", ("AU", "AUS", "Australia", "australia")),
        Country("SE", "SEK", ("SE", "SWE", "Sweden", "sweden")),
        Country("JP", "JPY", ("JP", "JPN", "Japan", "jpn")),
        Country("IN", "INR", ("IN", "IND", "India", "INDIA")),
        Country("CH", "CHF", ("CH", "CHE", "Switzerland", "che")),
    )
}
_UNKNOWN_COUNTRIES = ("Atlantis", "Middle-earth")
"""Country names that match no country: a field issue unknown_country."""
_STREETS = ("Main", "Oak", "Maple", "Industrial", "Harbor", "Station", "Mill", "Park")
_STREET_KINDS = ("St", "Ave", "Rd", "Blvd", "Way")
_SITE_KINDS = (
    "Office",
    "Warehouse",
    "Store",
    "Plant",
    "Depot",
    "Campus",
    "Lab",
    "Café",
)
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
_IMPLAUSIBLE_DATES = ("0025-06-30", "2206-01-31", "9999-12-31", "06/30/0025")
_BAD_AMOUNTS = ("12..5$", "abc", "n/a")
_BAD_BOOLEANS = ("maybe", "perhaps", "2")
_OUT_OF_RANGE_CENTS = 10**15  # 10^13 in currency units
_BLANK_DEFAULT_SHARE = 0.2
"""Share of meters leaving is_tracked / is_duplicated blank (the default)."""
_EXACT_CHARGES = ("123456789012.345678", "99999999999.999999")
"""Charges that binary floating point cannot hold (17 and 18 significant
digits), written as JSON numbers in a JSON lines file."""
_REJECTED_STATUS = "Active"
"""The status of company 1's rejected account (not one the warehouse accepts)."""
_REJECTED_COMMODITY = "Electric"
"""The commodity of company 1's rejected meter (ELECTRICITY is accepted)."""
_REJECTED_GROUP = "rejected"
"""The group key of company 1's meter billed to the rejected account."""

# --- the kinds of planted cases ----------------------------------------------------
#
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

# --- the unparsed-share limit ------------------------------------------------------
#
# The warehouse fails a build when more than a share of a column's non-empty
# values cannot be parsed (var landing_max_unparsed_share), so that a folder in
# an unexpected format never passes with its values emptied. The landing counts
# the values it writes per judged column, and a value that cannot be parsed is
# written only while the column stays within the limit (see _Landing.has_room).

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
    without: tuple[str, ...] = ()
    messy_names: bool = True
    encoding: str = "utf-8"
    locale: str = DEFAULT_LOCALE
    landing_json: bool = True

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
        for name in self.without:
            if name not in OPTIONAL_FILES:
                choices = ", ".join(OPTIONAL_FILES)
                raise ValueError(
                    f"--without takes an optional file ({choices}), got {name!r}"
                )
        try:
            info = codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            info = None
        if info is None or not getattr(info, "_is_text_encoding", True):
            raise ValueError(f"--encoding: unknown text encoding {self.encoding!r}")
        if self.locale not in LOCALES:
            choices = ", ".join(LOCALES)
            raise ValueError(f"--locale must be one of {choices}, got {self.locale!r}")
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(self.end_month))
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(
                f"--end-month must be a month as YYYY-MM, got {self.end_month!r}"
            )
        year, month = int(match.group(1)), int(match.group(2))
        first_index = year * 12 + month - 1 - (self.months - 1)
        # Planted periods reach 450 days back: every date meant to be plausible
        # stays after 1950 (earlier dates are implausible).
        if first_index < 1952 * 12:
            raise ValueError("--end-month and --months reach back before 1952")
        if year > 2200:
            raise ValueError("--end-month must be before 2200")
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
            "without": list(self.without),
            "messy_names": self.messy_names,
            "encoding": self.encoding,
            "locale": self.locale,
            "landing_json": self.landing_json,
        }

    @property
    def convention(self) -> Convention:
        return LOCALES[self.locale]

    def landing_settings(self) -> dict[str, str]:
        """What the folder's landing.json states: the settings that are not
        the loader's defaults (empty: no landing.json is needed)."""
        settings = self.convention.settings()
        if codecs.lookup(self.encoding).name != "utf-8":
            settings["encoding"] = self.encoding
        return settings


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
    """The columns written for an entity: the contract's, then the extras."""
    columns = contract.ENTITY_BY_NAME[name].all_columns
    extras = tuple(c for c in EXTRA_COLUMNS.get(name, ()) if c not in columns)
    return (*columns, *extras)


def value_columns(name: str) -> tuple[str, ...]:
    """The contract columns whose values tell two versions of a record apart."""
    return tuple(
        column
        for column in contract.ENTITY_BY_NAME[name].all_columns
        if column not in contract.COMMON_OPTIONAL_COLUMNS
    )


def landing_file_name(entity: str, file_format: str, messy_names: bool) -> str:
    """The file name written for an entity, messy (the default) or clean."""
    if not messy_names:
        return f"{entity}.{file_format}"
    stem = _MESSY_STEMS.get(entity, entity)
    extension = (
        file_format.upper() if entity in _MESSY_UPPER_EXTENSIONS else file_format
    )
    return f"{stem}.{extension}"


def column_headers(entity: str, messy_names: bool) -> tuple[str, ...]:
    """The header (or key) written for each column of an entity."""
    renames = _MESSY_HEADERS.get(entity, {}) if messy_names else {}
    return tuple(renames.get(column, column) for column in entity_columns(entity))


def _landing_entity(path: Path) -> str | None:
    """The entity a file of a landing folder is for, whatever its name's case."""
    stem, dot, extension = path.name.rpartition(".")
    if not dot or contract.normalize_name(extension) not in contract.FILE_FORMATS:
        return None
    name = contract.normalize_name(stem)
    return name if name in contract.ENTITY_BY_NAME else None


# --- money and text -------------------------------------------------------------


def money_text(cents: int, *, grouped: bool = False) -> str:
    """An amount of cents as a decimal with two places, maybe with thousands."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    number = f"{whole:,}" if grouped else str(whole)
    return f"{sign}{number}.{part:02d}"


def short_money_text(cents: int) -> str:
    """An amount of cents without trailing zeros: 700 -> 7, 1250 -> 12.5."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    if part == 0:
        return f"{sign}{whole}"
    if part % 10 == 0:
        return f"{sign}{whole}.{part // 10}"
    return f"{sign}{whole}.{part:02d}"


def normalize_type(text: str) -> str:
    """An identifier type as the warehouse compares it (like an enumeration)."""
    return re.sub(r"[\s\-]+", "_", text.strip()).upper()


def normalize_value(text: str) -> str:
    """An identifier value as the warehouse compares it."""
    return re.sub(r"[\s\-._/]", "", text).upper()


def _is_blank(value: Value) -> bool:
    """Whether a value is empty as the warehouse reads it (null or blank)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def group_thousands(digits: str, separator: str) -> str:
    """Digits in groups of three from the right: 1234567 -> 1,234,567."""
    head = len(digits) % 3 or 3
    groups = [digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))]
    return separator.join(groups)


def indian_grouping(digits: str) -> str:
    """Digits grouped the Indian way: 12345678 -> 1,23,45,678."""
    if len(digits) <= 3:
        return digits
    head, last = digits[:-3], digits[-3:]
    pairs: list[str] = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *pairs, last])


_TYPOGRAPHIC_APOSTROPHE = "\u2019"


def amount_text(cents: int, style: str) -> str:
    """An amount of cents in a written style, with a decimal point:
    ``plain`` 1234.50, ``grouped`` 1,234.50, ``short`` 1234.5, ``whole``
    1,234 (whole units), ``indian`` 1,23,456.00, ``apostrophe`` 1'234.50,
    ``typographic`` the same with a right single quotation mark."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    if style == "plain":
        return money_text(cents)
    if style == "grouped":
        return money_text(cents, grouped=True)
    if style == "short":
        return short_money_text(cents)
    if style == "whole":
        return f"{sign}{group_thousands(str(whole), ',')}"
    if style == "indian":
        return f"{sign}{indian_grouping(str(whole))}.{part:02d}"
    if style in ("apostrophe", "typographic"):
        mark = "'" if style == "apostrophe" else _TYPOGRAPHIC_APOSTROPHE
        return f"{sign}{group_thousands(str(whole), mark)}.{part:02d}"
    raise ValueError(f"unknown amount style {style!r}")


# --- the folder's convention: date order and decimal separator ------------------
#
# Rows are built in one canonical spelling (month-first or year-first dates,
# decimal points, commas between thousands); the folder's convention rewrites
# its date, number and amount columns as the rows are written. So the same seed
# gives the same portfolio in every convention, value for value.

DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("start_date", "bill_date"),
    "usage_data": ("start_date", "end_date"),
    "sites": ("data_collection_stop_date",),
}
"""Date columns whose order follows the convention (updated_at stays ISO)."""
NUMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": ("implied_sewer_fraction",),
    "sites": ("gross_floor_area",),
    "usage_data": ("raw_usage", "standard_usage", "demand"),
}
AMOUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("total_charges", "current_charges"),
    "line_items": ("amount",),
}
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(T00:00:00Z)?")
_MONTH_FIRST_DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_DIGIT_RUN = re.compile(r"\d[\d,.]*")
_INDIAN_RUN = re.compile(r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?")
_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})
_EURO_PREFIX = re.compile(r"(-?)€\s*(.+)")


def _is_calendar_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def day_first(text: str) -> str:
    """A canonical date written day-first: 2025-01-13 -> 13.01.2025 and
    01/13/2025 (or an ISO timestamp of midnight) -> 13/01/2025. Text that is
    not a calendar day (2024-13-45, 31/31/2024, soon) stays as it is."""
    match = _ISO_DAY.fullmatch(text)
    if match:
        year, month, day = match.group(1, 2, 3)
        separator = "/" if match.group(4) else "."
    else:
        match = _MONTH_FIRST_DAY.fullmatch(text)
        if not match:
            return text
        month, day, year = match.group(1, 2, 3)
        separator = "/"
    if not _is_calendar_day(int(year), int(month), int(day)):
        return text
    return f"{day}{separator}{month}{separator}{year}"


def _comma_run(run: str) -> str:
    if _INDIAN_RUN.fullmatch(run):  # no Indian grouping with decimal commas
        whole, _, fraction = run.partition(".")
        text = group_thousands(whole.replace(",", ""), ".")
        return f"{text},{fraction}" if fraction else text
    return run.translate(_SWAP_SEPARATORS)


def decimal_comma(text: str, *, amount: bool = False) -> str:
    """Canonical number text written with a decimal comma: 1,234.56 ->
    1.234,56, 12.5 -> 12,5, 12..5 -> 12,,5 (still not a number); an amount
    with a euro sign puts it last (€1,820.55 -> 1.820,55 €). Text around the
    digits (currency tokens such as ``Rs.``, units, exponents) is kept."""
    if amount:
        match = _EURO_PREFIX.fullmatch(text)
        if match:
            return f"{match.group(1)}{decimal_comma(match.group(2))} €"
    return _DIGIT_RUN.sub(lambda match: _comma_run(match.group(0)), text)


@dataclass(frozen=True)
class Convention:
    """How a landing folder writes dates and decimals, as its landing.json
    states them (``date_order``, ``decimal_separator``)."""

    name: str
    date_order: str
    decimal_separator: str

    @property
    def is_default(self) -> bool:
        return (self.date_order, self.decimal_separator) == ("mdy", ".")

    def settings(self) -> dict[str, str]:
        """The landing.json settings that differ from the loader's defaults."""
        settings: dict[str, str] = {}
        if self.date_order != "mdy":
            settings["date_order"] = self.date_order
        if self.decimal_separator != ".":
            settings["decimal_separator"] = self.decimal_separator
        return settings

    def localize(self, entity: str, row: Row) -> Row:
        """The row as the folder writes it (canonical rows are mdy with points)."""
        if self.is_default:
            return row
        written = dict(row)
        if self.date_order == "dmy":
            for column in DATE_COLUMNS.get(entity, ()):
                value = written.get(column)
                if isinstance(value, str):
                    written[column] = day_first(value)
        if self.decimal_separator == ",":
            for columns, amount in (
                (NUMBER_COLUMNS.get(entity, ()), False),
                (AMOUNT_COLUMNS.get(entity, ()), True),
            ):
                for column in columns:
                    value = written.get(column)
                    if isinstance(value, str):
                        written[column] = decimal_comma(str(value), amount=amount)
        return written


LOCALES: dict[str, Convention] = {
    convention.name: convention
    for convention in (
        Convention("mdy-point", "mdy", "."),
        Convention("dmy-comma", "dmy", ","),
        Convention("dmy-point", "dmy", "."),
        Convention("mdy-comma", "mdy", ","),
    )
}
"""The conventions ``--locale`` writes: mdy-point (the default: month-first
dates, decimal points), dmy-comma (day-first dates, decimal commas, as much of
Europe writes them), and the two halves of it on their own."""
LANDING_SETTINGS_NAME = "landing.json"


# --- writers -------------------------------------------------------------------


class _Writer:
    """Streams rows of one entity to its file (headers name the columns)."""

    def __init__(
        self, path: Path, columns: Sequence[str], headers: Sequence[str], encoding: str
    ) -> None:
        self.path = path
        self.columns = tuple(columns)
        self.headers = tuple(headers)
        self.rows = 0

    def write(self, row: Row) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _CsvWriter(_Writer):
    def __init__(
        self, path: Path, columns: Sequence[str], headers: Sequence[str], encoding: str
    ) -> None:
        super().__init__(path, columns, headers, encoding)
        self._handle: IO[str] = path.open(
            "w", encoding=encoding, newline="", buffering=1 << 20
        )
        self._csv = csv.writer(self._handle, lineterminator="\n")
        self._csv.writerow(self.headers)

    def write(self, row: Row) -> None:
        self._csv.writerow([_as_text(row.get(column)) for column in self.columns])
        self.rows += 1

    def close(self) -> None:
        self._handle.close()


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")
_KEY_SPELLING_COLUMNS = ("id", "updated_at")
"""Columns whose JSON lines key changes spelling from line to line (messy names)."""


def key_spellings(column: str, header: str) -> tuple[str, ...]:
    """The keys a messy JSON lines file takes turns with for a column, one per
    line: each object holds one spelling, different lines differ."""
    if column not in _KEY_SPELLING_COLUMNS:
        return (header,)
    title = "_".join(part.capitalize() for part in column.split("_"))
    return (header, column.upper(), f" {title}")


class _JsonlWriter(_Writer):
    """One JSON object per line. Number text in ``number_columns`` is written as
    a JSON number on every other line (always for a JsonNumber), so that the
    file holds both forms; keys may change spelling from line to line."""

    def __init__(
        self,
        path: Path,
        columns: Sequence[str],
        headers: Sequence[str],
        encoding: str,
        *,
        number_columns: Sequence[str] = (),
        messy_keys: bool = False,
    ) -> None:
        super().__init__(path, columns, headers, encoding)
        self._handle: IO[str] = path.open(
            "w", encoding=encoding, newline="\n", buffering=1 << 20
        )
        self._keys = tuple(
            (
                column,
                tuple(
                    json.dumps(key, ensure_ascii=False)
                    for key in (
                        key_spellings(column, header) if messy_keys else (header,)
                    )
                ),
                column in number_columns,
            )
            for header, column in zip(self.headers, self.columns, strict=True)
        )

    def _value(self, value: Value, numeric: bool) -> str:
        if (
            numeric
            and isinstance(value, str)
            and (isinstance(value, JsonNumber) or self.rows % 2 == 1)
            and _JSON_NUMBER.fullmatch(value)
        ):
            return str(value)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def write(self, row: Row) -> None:
        fields = ",".join(
            f"{keys[self.rows % len(keys)]}:{self._value(row.get(column), numeric)}"
            for column, keys, numeric in self._keys
        )
        self._handle.write("{" + fields + "}\n")
        self.rows += 1

    def close(self) -> None:
        self._handle.close()


class _ParquetWriter(_Writer):
    """Parquet text is always UTF-8: the encoding does not apply."""

    def __init__(
        self, path: Path, columns: Sequence[str], headers: Sequence[str], encoding: str
    ) -> None:
        super().__init__(path, columns, headers, encoding)
        self._schema = pa.schema([(header, pa.string()) for header in self.headers])
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


class _Ledger:
    """One list of the manifest, kept in a scratch file until it is written."""

    def __init__(self) -> None:
        # Closed by close(), once the manifest is written.
        self._file: IO[str] = tempfile.TemporaryFile(  # noqa: SIM115
            "w+", encoding="utf-8", newline="\n"
        )
        self.count = 0

    def add(self, text: str) -> None:
        self._file.write(text + "\n")
        self.count += 1

    def lines(self) -> Iterator[str]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield line.rstrip("\n")

    def close(self) -> None:
        self._file.close()


_LIST_KEYS = ("injected", "field_issues", "unattributed", "planted_findings")


class _Landing:
    """The open writers of a landing folder and what the manifest will state."""

    def __init__(
        self, out_dir: Path, params: Parameters, formats: dict[str, str]
    ) -> None:
        self.params = params
        self.writers: dict[str, _Writer] = {}
        self.files: dict[str, str] = {}
        self.ledgers: dict[str, _Ledger] = {}
        for key in (*_LIST_KEYS, "expected_meter_matches"):
            self.ledgers[key] = _Ledger()
        self.formats = formats
        self.convention = params.convention
        for entity in contract.ENTITIES:
            if entity.name in params.without:
                continue
            file_format = formats[entity.name]
            name = landing_file_name(entity.name, file_format, params.messy_names)
            self.files[entity.name] = name
            self.writers[entity.name] = self._writer(out_dir / name, entity.name)
        self.injected_counts: dict[str, dict[str, int]] = {}
        self.issue_counts: dict[str, dict[str, int]] = {}
        self.replaced_counts: dict[str, int] = {}
        self.replaced_differing: dict[str, int] = {}
        self.finding_counts: dict[str, int] = {}
        self.special: dict[str, object] = {}
        self.rejected_values: dict[tuple[str, str, str], int] = {}
        self.site_countries: dict[str, str | None] = {}
        # Per judged column: the non-empty values of the records written so
        # far (their winning versions), and those that cannot be parsed.
        self.non_empty = dict.fromkeys(_JUDGED_KEYS_ALL, 0)
        self.unparsed = dict.fromkeys(_JUDGED_KEYS_ALL, 0)
        self._last_written: dict[str, Row] = {}

    def _writer(self, path: Path, entity: str) -> _Writer:
        params = self.params
        columns = entity_columns(entity)
        headers = column_headers(entity, params.messy_names)
        if self.formats[entity] != "jsonl":
            writer_class = _WRITERS[self.formats[entity]]
            return writer_class(path, columns, headers, params.encoding)
        numbers = (*NUMBER_COLUMNS.get(entity, ()), *AMOUNT_COLUMNS.get(entity, ()))
        return _JsonlWriter(
            path,
            columns,
            headers,
            params.encoding,
            number_columns=numbers if self.convention.decimal_separator == "." else (),
            messy_keys=params.messy_names,
        )

    def has(self, entity: str) -> bool:
        return entity in self.writers

    def holds_objects(self, entity: str) -> bool:
        """Whether the entity's file can hold a JSON object as a value."""
        return self.has(entity) and self.formats[entity] == "jsonl"

    def has_room(self, entity: str, columns: Sequence[str]) -> bool:
        """Whether one more record whose values in ``columns`` cannot be parsed
        keeps each of them within the unparsed-share limit: after writing it,
        at most MAX_UNPARSED_SHARE of the column's non-empty values so far.
        Values written later only lower the share, so the folder ends within
        the limit (the warehouse's gate passes it)."""
        for column in columns:
            key = (entity, column)
            unparsed = self.unparsed[key] + 1
            non_empty = self.non_empty[key] + 1
            if Fraction(unparsed, non_empty) > MAX_UNPARSED_SHARE:
                return False
        return True

    def write(self, entity: str, row: Row, spoiled: Sequence[str] = ()) -> bool:
        """Write a row in the folder's convention; False when the entity's file
        is left out. ``spoiled`` names the judged columns whose value cannot
        be parsed: the caller has made sure there is room for them."""
        writer = self.writers.get(entity)
        if writer is None:
            return False
        if spoiled and not self.has_room(entity, spoiled):  # pragma: no cover
            raise RuntimeError(f"no room for unparseable {entity} values {spoiled}")
        self._count(entity, row, 1)
        for column in spoiled:
            if column not in JUDGED_COLUMNS.get(entity, ()) or _is_blank(
                row.get(column)
            ):  # pragma: no cover - a generator bug
                raise RuntimeError(f"{entity}.{column} is not a judged value")
            key = (entity, column)
            self.unparsed[key] += 1
        writer.write(self.convention.localize(entity, row))
        self._last_written[entity] = row
        return True

    def _count(self, entity: str, row: Row, step: int) -> None:
        """Count a record's non-empty judged values in (1) or out (-1)."""
        non_empty, get = self.non_empty, row.get
        for key, column in _JUDGED_KEYS.get(entity, ()):
            value = get(column)
            if value is not None and (not isinstance(value, str) or value.strip()):
                non_empty[key] += step

    def inject(self, entity: str, record_id: str | None, reason: str) -> None:
        """A row the warehouse must quarantine (only when its file is written).
        A bill is always the row written last for its entity: its currency
        no longer counts (CLEAN_RECORD_COLUMNS)."""
        if not self.has(entity):
            return
        for key in CLEAN_RECORD_COLUMNS:
            if key[0] != entity:
                continue
            last = self._last_written.get(entity)
            if last is None or (
                record_id is not None and _as_text(last.get("id")) != record_id
            ):  # pragma: no cover - a generator bug
                raise RuntimeError(f"{entity} {record_id} is not the row written last")
            if not _is_blank(last.get(key[1])):
                self.non_empty[key] -= 1
        entry = {"entity": entity, "record_id": record_id, "reason": reason}
        self.ledgers["injected"].add(json.dumps(entry, ensure_ascii=False))
        counts = self.injected_counts.setdefault(entity, {})
        counts[reason] = counts.get(reason, 0) + 1

    def field_issue(
        self, entity: str, record_id: str, column: str, reason: str
    ) -> None:
        """An optional value of a clean row the warehouse must list as an issue."""
        if not self.has(entity):
            return
        entry = {
            "entity": entity,
            "record_id": record_id,
            "column_name": column,
            "reason": reason,
        }
        self.ledgers["field_issues"].add(json.dumps(entry, ensure_ascii=False))
        counts = self.issue_counts.setdefault(entity, {})
        key = f"{column}:{reason}"
        counts[key] = counts.get(key, 0) + 1

    def unattributed(
        self,
        document_id: str,
        currency: str | None,
        amount: int | Decimal,
        reason: str = "no_meter_on_bill",
    ) -> None:
        """A bill whose charges go to the unattributed-cost ledger: ``amount``
        in cents, or a Decimal in currency units; currency None when the bill's
        currency is unknown (reason unknown_currency)."""
        cost = money_text(amount) if isinstance(amount, int) else str(amount)
        entry = {
            "document_id": document_id,
            "currency": currency,
            "unattributed_cost": cost,
            "reason": reason,
        }
        self.ledgers["unattributed"].add(json.dumps(entry, ensure_ascii=False))

    def rejected(self, entity: str, column: str, raw_value: str) -> None:
        """A rejected enumeration value written (quarantined or a field issue)."""
        if not self.has(entity):
            return
        key = (entity, column, raw_value)
        self.rejected_values[key] = self.rejected_values.get(key, 0) + 1

    def site_country(self, site_id: str, alpha2: str | None) -> None:
        """The country a clean site's country column names (None: unknown)."""
        self.site_countries[site_id] = alpha2

    def finding(self, kind: str, **keys: object) -> None:
        """A finding the data-quality marts must show for what was planted."""
        entry = {"kind": kind, **keys}
        self.ledgers["planted_findings"].add(json.dumps(entry, ensure_ascii=False))
        self.finding_counts[kind] = self.finding_counts.get(kind, 0) + 1

    def meter_match(self, usage_id: str, meter_id: str) -> None:
        self.ledgers["expected_meter_matches"].add(
            f"{json.dumps(usage_id)}: {json.dumps(meter_id)}"
        )

    def replaced(self, entity: str, loser: Row, winner: Row) -> None:
        """A raw row that loses to a newer version of the same key (written
        just now, with its winner): its values are no record's."""
        if not self.has(entity):
            return
        self._count(entity, loser, -1)
        self.replaced_counts[entity] = self.replaced_counts.get(entity, 0) + 1
        if any(
            _as_text(loser.get(column)) != _as_text(winner.get(column))
            for column in value_columns(entity)
        ):
            self.replaced_differing[entity] = self.replaced_differing.get(entity, 0) + 1

    def note(self, key: str, value: object) -> None:
        self.special[key] = value

    def note_item(self, key: str, value: object) -> None:
        entries = self.special.setdefault(key, [])
        assert isinstance(entries, list)
        entries.append(value)

    def rows(self) -> dict[str, int]:
        return {name: writer.rows for name, writer in self.writers.items()}

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def discard(self) -> None:
        for ledger in self.ledgers.values():
            ledger.close()

    def write_manifest(self, path: Path, as_of: date) -> None:
        """Write the manifest, streaming the long lists from their scratch files."""
        params = self.params
        head: dict[str, object] = {
            "seed": params.seed,
            "parameters": params.as_dict(),
            "as_of": as_of.isoformat(),
            "files": self.files,
            "encoding": params.encoding,
            "landing": {
                "date_order": self.convention.date_order,
                "decimal_separator": self.convention.decimal_separator,
                "landing_json": (
                    params.landing_settings() if params.landing_json else {}
                ),
            },
            "rows": self.rows(),
            "counts": {
                "injected": _sorted_counts(self.injected_counts),
                "field_issues": _sorted_counts(self.issue_counts),
                "unattributed": self.ledgers["unattributed"].count,
                "expected_meter_matches": self.ledgers["expected_meter_matches"].count,
                "planted_findings": dict(sorted(self.finding_counts.items())),
            },
            "replaced_versions": dict(sorted(self.replaced_counts.items())),
            "replaced_versions_differing": dict(
                sorted(self.replaced_differing.items())
            ),
            "special_cases": self.special,
            "rejected_values": [
                {
                    "entity": entity,
                    "column_name": column,
                    "raw_value": raw_value,
                    "row_count": count,
                }
                for (entity, column, raw_value), count in sorted(
                    self.rejected_values.items()
                )
            ],
            "site_countries": dict(sorted(self.site_countries.items())),
            "unparsed_values": [
                {
                    "entity": entity,
                    "column_name": column,
                    "non_empty_count": self.non_empty[(entity, column)],
                    "unparsed_count": self.unparsed[(entity, column)],
                }
                for entity, columns in JUDGED_COLUMNS.items()
                if self.has(entity)
                for column in columns
            ],
        }
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write("{\n")
            for key, value in head.items():
                text = json.dumps(value, ensure_ascii=False)
                handle.write(f"  {json.dumps(key)}: {text},\n")
            for key in _LIST_KEYS:
                handle.write(f'  "{key}": [')
                _write_lines(handle, self.ledgers[key].lines())
                handle.write("],\n")
            handle.write('  "expected_meter_matches": {')
            _write_lines(handle, self.ledgers["expected_meter_matches"].lines())
            handle.write("}\n}\n")


def _sorted_counts(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {entity: dict(sorted(counts[entity].items())) for entity in sorted(counts)}


def _write_lines(handle: IO[str], lines: Iterator[str]) -> None:
    first = True
    for line in lines:
        handle.write("\n    " if first else ",\n    ")
        handle.write(line)
        first = False
    if not first:
        handle.write("\n  ")


# --- messy spellings -----------------------------------------------------------


class _Mess:
    """Messy spellings of clean values, drawn from one random stream."""

    def __init__(self, rng: random.Random, encoding: str) -> None:
        self.rng = rng
        self.r = rng.random
        self.encoding = encoding
        self._fits: dict[str, bool] = {}

    def fits(self, text: str) -> bool:
        """Whether the output encoding can write the text."""
        known = self._fits.get(text)
        if known is None:
            try:
                text.encode(self.encoding)
                known = True
            except UnicodeEncodeError:
                known = False
            self._fits[text] = known
        return known

    def fit(self, text: str) -> str:
        """The text, its accents dropped when the encoding cannot write it."""
        if self.fits(text):
            return text
        folded = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in folded if not unicodedata.combining(c))
        return plain.encode("ascii", "replace").decode("ascii")

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

    def amount(self, cents: int, currency: str) -> str:
        """An amount with a symbol or code, separators, or as accounting text."""
        v = self.r()
        sign = "-" if cents < 0 else ""
        grouped = money_text(abs(cents), grouped=True)
        if v < 0.4:
            return money_text(cents)
        if v < 0.72:
            symbol = self.rng.choice(_AMOUNT_PREFIXES[currency])
            if self.fits(symbol):
                return f"{sign}{symbol}{grouped}"
            return f"{sign}{currency} {grouped}"
        if v < 0.86:
            return f"{sign}{currency} {grouped}"
        if v < 0.93:
            return self.short_amount(cents, currency)
        if v < 0.97:
            return f"{sign}{grouped} {currency}"
        return f"({grouped})" if cents < 0 else grouped

    def short_amount(self, cents: int, currency: str) -> str:
        """A lower-case code and no trailing zeros: ``usd 7``, ``vnd 12.5``."""
        sign = "-" if cents < 0 else ""
        return f"{sign}{currency.lower()} {short_money_text(abs(cents))}"

    def charges_units(self, currency: str, resolvable: bool) -> str | None:
        """A bill's currency as written: its code in any case, a symbol naming
        it alone (``US$``, ``€``), or, when the bill's sites are in one country
        (``resolvable``), a bare ``$`` or nothing, which the country resolves."""
        v = self.r()
        if v < 0.5:
            return currency
        if v < 0.64:
            return currency.lower()
        if v < 0.72:
            return currency.capitalize()
        if v < 0.86 or not resolvable:
            symbol = _CURRENCY_ONLY_SYMBOL.get(currency, currency)
            return symbol if self.fits(symbol) else currency
        if v < 0.94 and currency in _DOLLAR_CURRENCIES:
            return "$"
        return None

    def country(self, alpha2: str) -> str:
        """A country as a site writes it: alpha-2, alpha-3, name or alias."""
        return self.rng.choice(COUNTRIES[alpha2].spellings)

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
        spelling = self.rng.choice(_UNIT_SPELLINGS[canonical])
        return spelling if self.fits(spelling) else canonical

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
    floor_area: float  # square feet
    stop_date: date | None = None
    mirror_site_id: str | None = None
    net_metered: bool = False
    demand: bool = False
    combined: bool = False
    begin: date | None = None  # a new site: its bills start later
    area_mode: str = "random"  # "present", "absent" or drawn at random
    area_text: str | None = None  # the floor area as written (the newest row)
    area_units: str | None = None

    @property
    def metric(self) -> bool:
        return self.country != "US"


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
    written_status: str | None = None
    """The status as written when the warehouse accepts no such status (the
    account is quarantined, and everything billed to it with it)."""


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
    rate: float | None = None  # price per standard unit in USD, else the commodity's

    @property
    def counted(self) -> bool:
        """Whether its usage can count at all (tracked, not duplicated, clean)."""
        return (
            self.is_tracked and not self.is_duplicated and self.cascade_reason is None
        )

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
    calendar: bool = False  # billed on calendar months
    fixed: tuple[date, date] | None = None  # a period billed apart (exact figures)
    kinds: list[str] = field(default_factory=list)  # planted findings
    lengths: dict[int, int] = field(default_factory=dict)  # k-th last: its days
    future_days: int = 0
    spike_meter: _Meter | None = None
    periods: list[_Period] = field(default_factory=list)

    @property
    def owner(self) -> _Account:
        return self.accounts[-1]

    @property
    def mild(self) -> bool:
        """Whether its usage varies little with the season (long bills stay even)."""
        return all(
            m.commodity in ("ELECTRICITY", "WATER", "SEWER") for m in self.meters
        )


@dataclass
class _Period:
    """A billing period of a group and what is planted on it."""

    start: date
    end: date
    skip: bool = False  # a missing bill: never written
    duplicate: bool = False  # the bill entered twice under another id
    spike: float = 0.0  # the group's spike meter uses this many times its usual
    fixed: bool = False  # billed apart (the VND company's exact bills)


@dataclass(frozen=True)
class _Span:
    """A meter's counted period on one bill, as the warehouse collapses it."""

    start: date
    end: date
    document_id: str


@dataclass
class _Reading:
    meter: _Meter
    usage: float
    demand: float | None = None
    generation: float = 0.0
    export: float = 0.0


@dataclass
class _Anchor:
    """A clean current bill and one of its clean meters, to hang planted rows on."""

    document_id: str
    account: _Account
    meter: _Meter
    start: date
    end: date
    bill_time: datetime
    current: int | None = None


def _season(commodity: str, day_of_year: int) -> float:
    """A day's usage relative to a typical day: smooth, so that a month compares
    with the same month a year earlier whatever the bill periods around it."""
    summer = math.cos(2 * math.pi * (day_of_year - 196) / 365.25)
    winter = math.cos(2 * math.pi * (day_of_year - 15) / 365.25)
    if commodity == "ELECTRICITY":
        return 1 + 0.35 * max(0.0, summer) + 0.2 * max(0.0, winter)
    if commodity in ("WATER", "SEWER"):
        return 1 + 0.25 * summer
    if commodity == "DISTRICT_COOLING":
        return 0.25 + 1.6 * ((1 + summer) / 2) ** 2
    return 0.25 + 1.6 * ((1 + winter) / 2) ** 2


_SEASON_SHAPES: dict[str, str] = {
    "ELECTRICITY": "ELECTRICITY",
    "WATER": "WATER",
    "SEWER": "WATER",
    "DISTRICT_COOLING": "DISTRICT_COOLING",
}


class _Seasons:
    """Sums of the daily seasonal factor over any span of days, from prefix sums."""

    def __init__(self, first: date, last: date) -> None:
        self.base = first.toordinal()
        days = last.toordinal() - self.base + 1
        self.prefix: dict[str, list[float]] = {}
        for shape in {*_SEASON_SHAPES.values(), "HEAT"}:
            sums = [0.0]
            for offset in range(days):
                day = date.fromordinal(self.base + offset)
                sums.append(sums[-1] + _season(shape, day.timetuple().tm_yday))
            self.prefix[shape] = sums

    def total(self, commodity: str, start: date, end: date) -> float:
        """The sum of the daily factors from start to end, both included."""
        sums = self.prefix[_SEASON_SHAPES.get(commodity, "HEAT")]
        return (
            sums[end.toordinal() - self.base + 1] - sums[start.toordinal() - self.base]
        )


# --- the warehouse's data-quality rules, for the findings the manifest states ---


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _month_days(month: date) -> int:
    return (_next_month(month) - month).days


def _period_issues(spans: Sequence[_Span], as_of: date) -> list[dict[str, object]]:
    """dq_bill_period_issues for one meter's counted periods."""
    issues: list[dict[str, object]] = []

    def issue(kind: str, span: _Span, first: date, last: date, days: int) -> None:
        issues.append(
            {
                "kind": kind,
                "document_id": span.document_id,
                "period_start": first.isoformat(),
                "period_end": last.isoformat(),
                "issue_days": days,
            }
        )

    latest: date | None = None
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.document_id)):
        days = (span.end - span.start).days + 1
        if latest is not None:
            gap = (span.start - latest).days - 1
            if gap > 0:
                issue(
                    "gap",
                    span,
                    latest + timedelta(days=1),
                    span.start - timedelta(days=1),
                    gap,
                )
            if span.start < latest:
                overlap_end = min(latest, span.end)
                issue(
                    "overlap",
                    span,
                    span.start,
                    overlap_end,
                    (overlap_end - span.start).days + 1,
                )
        if days < 20:
            issue("short_period", span, span.start, span.end, days)
        if days > 40:
            issue("long_period", span, span.start, span.end, days)
        if span.end > as_of:
            issue("future_period", span, span.start, span.end, days)
        latest = span.end if latest is None else max(latest, span.end)
    return issues


def _coverage(spans: Sequence[_Span], window_end: date) -> dict[date, tuple[int, int]]:
    """dq_meter_month_coverage for one meter: month -> (required, covered) days."""
    if not spans:
        return {}
    window_start = min(span.start for span in spans)
    if window_end < window_start:
        return {}
    islands: list[list[date]] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.document_id)):
        if islands and span.start <= islands[-1][1] + timedelta(days=1):
            islands[-1][1] = max(islands[-1][1], span.end)
        else:
            islands.append([span.start, span.end])
    months: dict[date, tuple[int, int]] = {}
    month = _month_start(window_start)
    while month <= window_end:
        low = max(month, window_start)
        high = min(_next_month(month) - timedelta(days=1), window_end)
        covered = sum(
            max(0, (min(last, high) - max(first, low)).days + 1)
            for first, last in islands
        )
        months[month] = ((high - low).days + 1, covered)
        month = _next_month(month)
    return months


def _status(required: int, covered: int) -> str:
    if covered == 0:
        return "missing"
    return "complete" if covered == required else "partial"


def _ready_through(coverages: Sequence[dict[date, tuple[int, int]]]) -> date | None:
    """dq_site_energy_star_readiness: the last month ending 12 complete in a row."""
    complete: dict[date, bool] = {}
    for coverage in coverages:
        for month, (required, covered) in coverage.items():
            complete[month] = complete.get(month, True) and required == covered
    ready: date | None = None
    run, previous = 0, None
    for month in sorted(m for m, ok in complete.items() if ok):
        run = run + 1 if previous is not None and _next_month(previous) == month else 1
        if run >= 12:
            ready = month
        previous = month
    return ready


def _area_units(site: _Site) -> int | None:
    """A site's floor area as the warehouse reads it, in 10^-10 square feet."""
    if not site.area_text:
        return None
    value = Decimal(site.area_text.replace(",", ""))
    units = re.sub(r"[\s_]", "", (site.area_units or "SQ_FT").upper())
    if units == "SQM":
        value *= Decimal("10.7639")
    return int(value * 10**10)


def _scale_factor(site: _Site, mirror: _Site) -> str:
    """fct_site_monthly_estimated's scale factor: the areas' ratio to six
    decimals, half away from zero; 1 without both areas."""
    own, theirs = _area_units(site), _area_units(mirror)
    if not own or not theirs:
        return "1"
    scaled, rest = divmod(own * 10**6, theirs)
    if 2 * rest >= theirs:
        scaled += 1
    return f"{scaled // 10**6}.{scaled % 10**6:06d}"


def _whole_month_complete(coverage: dict[date, tuple[int, int]], month: date) -> bool:
    return coverage.get(month) == (_month_days(month), _month_days(month))


def _with_year(day: date, year: int) -> str:
    """A date in another (maybe implausible) year, as ISO text."""
    return f"{year:04d}-{day.month:02d}-{min(day.day, 28):02d}"


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
        self.large_index = 2 if params.companies >= 3 else 0
        # A clean meter of company 1, which a line item of company 2 names.
        self.foreign_meter_id: str | None = None
        self.as_of = last_day + timedelta(days=1)
        # Planted periods reach 450 days back and future bills a month ahead.
        self.seasons = _Seasons(
            first_day - timedelta(days=800), last_day + timedelta(days=120)
        )

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
        self.mess = _Mess(self.rng, self.params.encoding)
        self.id = f"CO{index + 1:04d}"
        self.large = index == gen.large_index
        self.currency = "USD"
        self.country = "US"
        self.scale = 1.0
        self.connections: dict[str, str | None] = {}
        self.provider_names: dict[str, str] = {}
        self.sites: list[_Site] = []
        self.meters: list[_Meter] = []
        self.groups: list[_Group] = []
        self.unit_turns: dict[str, int] = {}
        self.shared: dict[str, _Meter] = {}
        self.original: _Meter | None = None
        self.forced_items_done = False
        self.anchor: _Anchor | None = None
        self.stream_counts: dict[tuple[str, str], int] = {}
        self.variants: dict[str, int] = {}
        # What planted cases may point at: records quarantined by their own checks.
        self.bad_sites: list[str] = []
        self.bad_accounts: list[str] = []
        self.bad_meters: list[str] = []
        self.bad_documents: list[str] = []
        # Bills quarantined with the rejected account they are billed to.
        self.cascaded_documents: set[str] = set()
        # The clean identifiers of the company's clean meters, normalized.
        self.identifier_sets: dict[str, frozenset[tuple[str, str]]] = {}
        self.duplicated: set[str] = set()
        # What the warehouse will count: each meter's counted periods (bill by
        # bill), and each meter's current bills (to hang identifier matches on).
        self.spans: dict[str, list[_Span]] = {}
        self.bills: dict[str, list[_Anchor]] = {}
        self.deferred_matches = 0
        # Clean planted bills without usage: (account, start, bill date, current
        # charges) stay distinct, so that only planted duplicates look alike.
        self.planted_bill_keys: set[tuple[str, date, date, int | None]] = set()
        self.mark: tuple[_Group, int, _Meter] | None = None
        self.marked_row: tuple[str, str | None] | None = None
        self.mirrors: list[_Site] = []
        self.fraction: str | None = None
        self.accounts_by_id: dict[str, _Account] = {}
        self.group_of: dict[str, _Group] = {}

    # -- helpers ---------------------------------------------------------------

    @property
    def first(self) -> bool:
        return self.index == 0

    @property
    def money(self) -> float:
        return _CURRENCY_FACTOR[self.currency]

    def _id(self, prefix: str, width: int = 7) -> str:
        return self.gen.next_id(prefix, width)

    def _missing(self, prefix: str) -> str:
        return self.gen.next_id(f"{prefix}-MISSING-", 5)

    def _bad_count(self, good_rows: int) -> int:
        expected = good_rows * BAD_ROW_RATE
        count = int(expected) + (1 if self.rng.random() < expected % 1 else 0)
        return max(count, 1) if self.first else count

    def _variant(self, key: str, count: int) -> int:
        """Variants of a planted kind (key: entity:kind), taken in turn."""
        turn = self.variants.get(key, 0)
        self.variants[key] = turn + 1
        return turn % count

    def _pick(self, key: str, options: Sequence[str]) -> str:
        """One of a planted kind's spellings, taken in turn: the first comes first."""
        return options[self._variant(key, len(options))]

    def _cents(self, low: float, high: float) -> int:
        """A random amount in the company's currency, from USD bounds."""
        return round(self.rng.uniform(low, high) * self.money * 100)

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
        self.landing.replaced(entity, stale, row)

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
        self.landing.replaced(entity, stale, row)

    # -- building the company --------------------------------------------------

    def generate(self) -> None:
        self._build()
        self._write_company()
        self._write_connections()
        # Company 1's sites abroad come first: their clean values leave room
        # for the values planted after them that cannot be parsed.
        abroad = _CurrencyCases(self) if self.first else None
        if abroad is not None:
            abroad.write_dimensions()
        self._write_sites()
        self._write_accounts()
        self._write_meters()
        self._plan_periods()
        for group in self.groups:
            self._stream_group(group)
        if self.large:
            self._plant_large_currency_bills()
            self._plant_exact_json_numbers()
        if self.first:
            self._force_stream_kinds()
        if abroad is not None:
            abroad.write_bills()
        if self.index == 1:
            self._plant_foreign_meter_bill()
        self._plant_identifier_matches()
        self._state_findings()
        if self.first and self.original is not None:
            self.gen.foreign_meter_id = self.original.id

    def _build(self) -> None:
        rng = self.rng
        if self.large:
            self.currency, self.country = LARGE_CURRENCY, "VN"
            self.scale = _LARGE_USAGE_SCALE
        elif self.index == 1:
            self.currency = rng.choice(("EUR", "CAD"))
            self.country = "DE" if self.currency == "EUR" else "CA"
        with_connections = self.landing.has("connections")
        for kind, names in _PROVIDERS.items():
            self.provider_names[kind] = rng.choice(names)
            self.connections[kind] = (
                self._id("CN", 5) if kind != "fuel" and with_connections else None
            )
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
            elif self.country == "VN":
                postal_code = f"{postal}{rng.randint(0, 9999):04d}"
            else:
                postal_code = f"{postal} {rng.randint(1, 9)}{rng.choice('ABCEGHJ')}"
                postal_code += str(rng.randint(1, 9))
            street = f"{rng.randint(1, 9999)} {rng.choice(_STREETS)} "
            street += rng.choice(_STREET_KINDS)
            name = f"{city} {rng.choice(_SITE_KINDS)} {si + 1}"
            if self.first and si == 1 % count:
                name = "Café Zürich"
            site = _Site(
                id=self._id("S", 6),
                index=si,
                name=self.mess.fit(name),
                address=street,
                city=self.mess.fit(city),
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
        if self.first and count >= 2:
            # New sites mirroring the home site: their first months are estimated
            # from it, scaled by floor area (or not, without a floor area).
            home = self.sites[0]
            home.area_mode = "present"
            mirrors = [(self.sites[-1], "present")]
            if count >= 3:
                mirrors.append((self.sites[-2], "absent"))
            months = self.params.months
            for site, mode in mirrors:
                site.mirror_site_id, site.area_mode = home.id, mode
                if months >= 4:
                    site.begin = _add_months(
                        self.gen.first_day, months // 2
                    ) + timedelta(days=9)
                self.mirrors.append(site)
        if self.first:
            accented = self.sites[1 % count]
            self.landing.note(
                "accented_site", {"site_id": accented.id, "name": accented.name}
            )

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
            area
            / 1000
            * _INTENSITY.get(commodity, 30.0)
            * rng.uniform(0.5, 1.4)
            * self.scale
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
        self.original = original
        # The same physical meter recorded twice: it shares the identifiers.
        twin = self._new_meter(original.commodity, home, original.group_key)
        twin.unit, twin.daily, twin.twin = original.unit, original.daily, original
        twin.has_demand, twin.is_duplicated = original.has_demand, True
        twin.identifiers = list(original.identifiers)
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
        # Meters whose identifiers overlap, billed together at the home site.
        for label, identifiers in _SHARED_IDENTIFIER_METERS:
            meter = self._new_meter("ELECTRICITY", home, "shared")
            meter.identifiers = list(identifiers)
            meter.tags = []
            self.shared[label] = meter
        if self.large:
            # A plant with three electricity meters and a reservoir meter, billed
            # monthly at the level of their bills with exact figures (planted
            # apart), so that those bills stand out in nothing but their digits.
            start, end = self._large_bill_period()
            seasons = self.gen.seasons
            for figure in _PLANT_FIGURES:
                meter = self._new_meter("ELECTRICITY", home, "plant")
                meter.unit = "kWh"
                meter.daily = float(figure.replace(",", "")) / seasons.total(
                    "ELECTRICITY", start, end
                )
            reservoir = self._new_meter("WATER", home, "reservoir")
            reservoir.unit = "gal"
            reservoir.daily = float(_RESERVOIR_USAGE.replace(",", "")) / seasons.total(
                "WATER", start, end
            )
            reservoir.rate = _RESERVOIR_RATE
        if self.first:
            # Billed on the home site's main bill, with no charges of its own.
            cascade = self._new_meter("ELECTRICITY", home, original.group_key)
            cascade.cascade_reason = "unknown_commodity"
            cascade.identifiers = cascade.identifiers[:1]
            cascade.tags = ["Critical load"]
            # Billed on an account whose status is rejected: the account, the
            # meter, its identifiers and tags, its bills, their usage rows and
            # line items are all quarantined.
            rejected = self._new_meter("ELECTRICITY", home, _REJECTED_GROUP)
            rejected.cascade_reason = CASCADE_ACCOUNT
            rejected.tags = ["Tenant"]
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
            # Panels covering a tenth to a fifth of the site's use: net usage
            # stays comparable year over year.
            solar.solar_kw = solar.daily * rng.uniform(0.04, 0.08)
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
                provider = meter.group_key
                if provider not in _PROVIDERS:
                    provider = _PROVIDER_KIND[meter.commodity]
                group = _Group(key=meter.group_key, provider=provider, site=meter.site)
                group.calendar = meter.group_key == "water"
                if meter.group_key in ("plant", "reservoir"):
                    group.fixed = self._large_bill_period()
                by_key[key] = group
                self.groups.append(group)
            group.meters.append(meter)
        for group in self.groups:
            status = "DETECTED" if group.provider == "fuel" else "ONBOARDED"
            group.accounts.append(self._account(group, status))
            if group.key == _REJECTED_GROUP:
                group.owner.written_status = _REJECTED_STATUS
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
        # Accounts naming themselves as their active account: no link at all.
        for k in range(self._bad_count(len(self.groups))):
            account = regular[-1 - k % len(regular)].owner
            if account.active_account_id is None:
                account.active_account_id = account.id
                self.landing.note_item("self_linked_accounts", account.id)

    # -- dimensions ------------------------------------------------------------

    def _write_company(self) -> None:
        rng = self.rng
        name = _COMPANY_NAMES[self.index % len(_COMPANY_NAMES)]
        if self.index >= len(_COMPANY_NAMES):
            name += f" {self.index // len(_COMPANY_NAMES) + 1}"
        fraction = None if self.index % 3 == 1 else f"{rng.uniform(0.6, 0.95):.2f}"
        row: Row = {
            "id": self.id,
            "name": name,
            "implied_sewer_fraction": fraction,
            "updated_at": self._updated_at(self._dimension_time()),
        }
        self.fraction = fraction
        stale = None
        if self.first or rng.random() < 0.2:
            stale = {**row, "name": f"{name} (old name)"}
        self._write_versions("companies", row, stale)
        if self.large:
            self.landing.note("large_currency_company", self.id)
        for kind in self._dimension_kinds("companies"):
            for _ in range(self._bad_count(1)):
                if not self._can_plant("companies", kind):
                    continue
                company_id = self._id("CO-X", 4)
                extra: Row = {"id": company_id, "name": f"{name} affiliate"}
                if kind == "missing_id":
                    extra.update(id=None, name="Unnamed company")
                elif kind == "bad_id":
                    extra["id"] = {"id": company_id}
                elif kind.endswith("bad_number"):
                    extra["implied_sewer_fraction"] = self._pick(
                        kind, ("abc", "n/a", "70%")
                    )
                else:
                    extra["implied_sewer_fraction"] = self._pick(
                        kind, ("1.7", "-0.2", "85")
                    )
                self._plant("companies", company_id, kind, extra)

    def _plant(
        self,
        entity: str,
        record_id: str | None,
        kind: str,
        row: Row,
        spoiled: Sequence[str] | None = None,
    ) -> bool:
        """Write a planted row and state its expected outcome; False when it is
        not written: its file is left out, or a value that cannot be parsed
        has no room in its column (then nothing of it is stated).

        ``spoiled`` names the columns whose value cannot be parsed, for kinds
        that spoil one of several (UNPARSEABLE_KINDS); by default the kind's
        column when it holds a value.
        """
        columns = UNPARSEABLE_KINDS.get((entity, kind), ())
        if spoiled is None:
            if len(columns) > 1:  # pragma: no cover - a generator bug
                raise RuntimeError(f"{entity} {kind}: name the spoiled column")
            spoiled = [c for c in columns if not _is_blank(row.get(c))]
        elif not set(spoiled) <= set(columns):  # pragma: no cover - a generator bug
            raise RuntimeError(f"{entity} {kind} does not spoil {spoiled}")
        if not self.landing.has_room(entity, spoiled):
            return False
        if not self.landing.write(entity, row, spoiled):
            return False
        column, colon, reason = kind.partition(":")
        if colon:
            assert record_id is not None
            self.landing.field_issue(entity, record_id, column, reason)
            if reason in _ENUMERATION_ISSUES:
                self.landing.rejected(entity, column, str(row[column]))
        else:
            self.landing.inject(
                entity, None if kind in UNKEYED_REASONS else record_id, kind
            )
            rejected_column = _ENUMERATION_COLUMNS.get((entity, kind))
            if rejected_column is not None:
                self.landing.rejected(
                    entity, rejected_column, str(row[rejected_column])
                )
        return True

    def _dimension_kinds(self, entity: str) -> list[str]:
        """The kinds planted in a dimension entity, those whose value cannot be
        parsed last: the clean planted rows before them leave them room."""
        return sorted(
            DIMENSION_KINDS[entity],
            key=lambda kind: (entity, kind) in UNPARSEABLE_KINDS,
        )

    def _date_with_room(self, entity: str, columns: tuple[str, str]) -> str:
        """Which of two date columns gets a bad date: one drawn at random, the
        other when only it has room (neither: the plant is skipped)."""
        first, second = columns if self.rng.random() < 0.5 else columns[::-1]
        if self.landing.has_room(entity, (first,)):
            return first
        return second if self.landing.has_room(entity, (second,)) else first

    def _can_plant(self, entity: str, kind: str) -> bool:
        """Whether a kind can be planted in the entity's file: a JSON object in
        a key column (bad_id) needs a JSON lines file."""
        return not kind.endswith("bad_id") or self.landing.holds_objects(entity)

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
        if not self.landing.has("connections"):
            return
        for kind in DIMENSION_KINDS["connections"]:
            for _ in range(self._bad_count(good)):
                if not self._can_plant("connections", kind):
                    continue
                connection_id = self._id("CN", 5)
                row = {
                    "id": connection_id,
                    "company_id": self.id,
                    "provider_name": "Unknown Utility",
                }
                if kind == "missing_id":
                    row["id"] = "  "
                elif kind == "bad_id":
                    row["id"] = {"id": connection_id}
                else:
                    row["company_id"] = "CO-MISSING"
                self._plant("connections", connection_id, kind, row)

    def _site_row(self, site: _Site) -> Row:
        mess = self.mess
        r = self.rng.random
        area = site.floor_area / SQ_FT_PER_SQ_M if site.metric else site.floor_area
        v = r()
        if site.area_mode == "present" and v < 0.1:
            v = 0.3
        if v < 0.1 or site.area_mode == "absent":
            floor_area = None
        elif v < 0.5:
            floor_area = f"{area:,.0f}"
        elif v < 0.8:
            floor_area = f"{area:.0f}"
        else:
            floor_area = f"{area:.1f}"
        if site.metric:
            units: str | None = self.rng.choice(_SQ_M_SPELLINGS)
        else:
            units = self.rng.choice(_SQ_FT_SPELLINGS) if r() < 0.5 else None
        return {
            "id": site.id,
            "company_id": self.id,
            "name": site.name,
            "address": site.address,
            "city": site.city,
            "region": site.region,
            "postal_code": site.postal_code,
            "country": self.mess.country(site.country),
            "gross_floor_area": floor_area,
            "gross_floor_area_units": units,
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
            site.area_text = _as_text(row["gross_floor_area"])
            site.area_units = _as_text(row["gross_floor_area_units"])
            stale = None
            if site.index == 0 or rng.random() < 0.05:
                stale = {**row, "name": f"{site.name} (old)", "gross_floor_area": "1"}
            self._write_versions("sites", row, stale)
            self.landing.site_country(site.id, site.country)
        home = self.sites[0]
        for kind in self._dimension_kinds("sites"):
            for _ in range(self._bad_count(len(self.sites))):
                if not self._can_plant("sites", kind):
                    continue
                site_id = self._id("S", 6)
                row = self._site_row(home)
                row.update(id=site_id, name=f"{home.name} annex {site_id}")
                row["data_collection_stop_date"] = None
                if row["gross_floor_area_units"] is None:  # annexes state it
                    row["gross_floor_area_units"] = rng.choice(_SQ_FT_SPELLINGS)
                country: str | None = home.country
                if kind == "missing_id":
                    row["id"] = None
                elif kind == "bad_id":
                    row["id"] = {"id": site_id}
                elif kind == "orphan_company":
                    row["company_id"] = "CO-MISSING"
                elif kind == "gross_floor_area:bad_number":
                    row["gross_floor_area"] = self._pick(
                        kind, ("12,000 sq ft", "n/a", "approx. 5000")
                    )
                elif kind == "gross_floor_area:out_of_range":
                    row["gross_floor_area"] = self._pick(kind, ("-2,500", "5e13"))
                elif kind == "gross_floor_area_units:unknown_unit":
                    row["gross_floor_area_units"] = self._pick(
                        kind, ("acres", "hectares")
                    )
                elif kind == "data_collection_stop_date:bad_date":
                    row["data_collection_stop_date"] = self._pick(kind, _BAD_DATES)
                elif kind == "data_collection_stop_date:implausible_date":
                    row["data_collection_stop_date"] = self._pick(
                        kind, _IMPLAUSIBLE_DATES
                    )
                elif kind == "mirror_site_id:orphan_site":
                    row["mirror_site_id"] = self._missing("S")
                elif kind == "mirror_site_id:site_quarantined":
                    if not self.bad_sites:
                        continue
                    row["mirror_site_id"] = rng.choice(self.bad_sites)
                elif kind == "mirror_site_id:self_link":
                    row["mirror_site_id"] = site_id
                elif kind == "mirror_site_id:bad_id":
                    row["mirror_site_id"] = {"site_id": home.id}
                else:  # country:unknown_country
                    row["country"] = self._pick(kind, _UNKNOWN_COUNTRIES)
                    country = None
                if not self._plant("sites", site_id, kind, row):
                    continue
                if kind == "orphan_company":
                    self.bad_sites.append(site_id)
                if ":" in kind:
                    self.landing.site_country(site_id, country)

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
            "status": account.written_status or mess.enum(account.status),
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
        rejected: list[tuple[_Group, _Account]] = []
        for group in self.groups:
            accounts = [*group.accounts]
            if group.duplicate is not None:
                accounts.append(group.duplicate)
            for account in accounts:
                if account.written_status is not None:
                    rejected.append((group, account))  # last: room for its status
                    continue
                row = self._account_row(account)
                stale = None
                if account.status == "ONBOARDED" and rng.random() < 0.1:
                    stale = {**row, "status": "Detected", "provider_name": "Unknown"}
                self._write_versions("accounts", row, stale)
                good += 1
        written = 0
        for group, account in rejected:
            good += 1
            if not self.landing.has_room("accounts", ("status",)):
                # No room for a status that cannot be parsed: the account and
                # its meter are clean, billed like any other.
                account.written_status = None
                for meter in group.meters:
                    if meter.cascade_reason == CASCADE_ACCOUNT:
                        meter.cascade_reason = None
                self.landing.write("accounts", self._account_row(account))
                continue
            status = str(account.written_status)
            self.landing.write("accounts", self._account_row(account), ("status",))
            self.landing.inject("accounts", account.id, "unknown_status")
            self.landing.rejected("accounts", "status", status)
            self.bad_accounts.append(account.id)
            written += 1
        template = self.groups[0]
        for kind in self._dimension_kinds("accounts"):
            count = self._bad_count(good)
            if kind == "unknown_status":
                count -= written  # the account whose status is Active is one
            for _ in range(count):
                if not self._can_plant("accounts", kind):
                    continue
                account = self._account(template, "ONBOARDED")
                row = self._account_row(account)
                if kind == "missing_id":
                    row["id"] = ""
                elif kind == "bad_id":
                    row["id"] = {"id": account.id}
                elif kind == "unknown_status":
                    row["status"] = self._pick(kind, ("PENDING", "closed?"))
                elif kind == "orphan_company":
                    row["company_id"] = "CO-MISSING"
                elif kind == "active_account_cycle":  # two accounts naming each other
                    partner = self._account(template, "ONBOARDED")
                    partner_row = self._account_row(partner)
                    row["active_account_id"] = partner.id
                    partner_row["active_account_id"] = account.id
                    self._plant("accounts", partner.id, kind, partner_row)
                    self.bad_accounts.append(partner.id)
                elif kind == "connection_id:orphan_connection":
                    row["connection_id"] = self._missing("CN")
                elif kind == "active_account_id:orphan_account":
                    row["active_account_id"] = self._missing("A")
                elif kind == "active_account_id:bad_id":
                    row["active_account_id"] = {"id": template.owner.id}
                else:  # active_account_id:account_quarantined
                    if not self.bad_accounts:
                        continue
                    row["active_account_id"] = rng.choice(self.bad_accounts)
                planted = self._plant("accounts", account.id, kind, row)
                if planted and kind in (
                    "unknown_status",
                    "orphan_company",
                    "active_account_cycle",
                ):
                    self.bad_accounts.append(account.id)

    def _meter_row(self, meter: _Meter, account_id: str) -> Row:
        mess = self.mess
        if meter.cascade_reason == "unknown_commodity":
            commodity = _REJECTED_COMMODITY
        else:
            commodity = mess.enum(meter.commodity)
        return {
            "id": meter.id,
            "company_id": self.id,
            "account_id": account_id,
            "site_id": meter.site.id if meter.site is not None else None,
            "datasource_type": commodity,
            "is_tracked": mess.boolean(
                meter.is_tracked, _BLANK_DEFAULT_SHARE if meter.is_tracked else 0
            ),
            "is_duplicated": mess.boolean(
                meter.is_duplicated, 0 if meter.is_duplicated else _BLANK_DEFAULT_SHARE
            ),
            "service_address": meter.service_address,
            "updated_at": self._updated_at(self._dimension_time()),
        }

    def _write_meters(self) -> None:
        rng = self.rng
        mess = self.mess
        good_identifiers = 0
        good_tags = 0
        # The quarantined meters last: room for the type that cannot be parsed.
        meters = sorted(
            ((group, meter) for group in self.groups for meter in group.meters),
            key=lambda pair: pair[1].cascade_reason is not None,
        )
        for group, meter in meters:
            if meter.cascade_reason == "unknown_commodity" and not (
                self.landing.has_room("meters", ("datasource_type",))
            ):
                meter.cascade_reason = None  # no room: a clean meter
            row = self._meter_row(meter, group.owner.id)
            stale = None
            if meter.cascade_reason is None and rng.random() < 0.05:
                stale = {
                    **row,
                    "is_tracked": mess.boolean(not meter.is_tracked),
                    "service_address": "unknown",
                }
            if meter.cascade_reason == "unknown_commodity":
                self.landing.write("meters", row, ("datasource_type",))
            else:
                self._write_versions("meters", row, stale)
            cascade = meter.cascade_reason is not None
            if cascade:
                self.landing.inject("meters", meter.id, str(meter.cascade_reason))
                if meter.cascade_reason == "unknown_commodity":
                    self.landing.rejected(
                        "meters", "datasource_type", str(row["datasource_type"])
                    )
                self.bad_meters.append(meter.id)
            else:
                self.identifier_sets[meter.id] = frozenset(
                    (normalize_type(kind), normalize_value(value))
                    for kind, value in meter.identifiers
                )
                if meter.is_duplicated:
                    self.duplicated.add(meter.id)
            for kind, value in meter.identifiers:
                if cascade:
                    record = f"{meter.id}|{kind}|{value}"
                    row = {
                        "meter_id": meter.id,
                        "identifier_type": kind,
                        "value": value,
                    }
                    self._plant("meter_identifiers", record, CASCADE_METER, row)
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
                if cascade:
                    row = {"meter_id": meter.id, "tag_name": tag}
                    record = f"{meter.id}|{tag}"
                    self._plant("meter_tags", record, CASCADE_METER, row)
                    continue
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
        self._write_planted_meters()
        self._write_planted_identifiers(good_identifiers, good_tags)

    def _write_planted_meters(self) -> None:
        rng = self.rng
        home = self.sites[0]
        owner = self.groups[0].owner.id
        for kind in self._dimension_kinds("meters"):
            for _ in range(self._bad_count(len(self.meters))):
                if not self._can_plant("meters", kind):
                    continue
                meter = _Meter(
                    id=self._id("M"),
                    seq=0,
                    commodity="ELECTRICITY",
                    site=home,
                    group_key="",
                )
                meter.service_address = f"{home.address}, {home.city}"
                row = self._meter_row(meter, owner)
                if kind == "missing_id":
                    row["id"] = None
                elif kind == "bad_id":
                    row["id"] = {"id": meter.id}
                elif kind == "unknown_commodity":
                    row["datasource_type"] = self._pick(kind, ("NUCLEAR", "hydrogen"))
                elif kind == "orphan_company":
                    row["company_id"] = "CO-MISSING"
                elif kind == "orphan_account":
                    row["account_id"] = self._missing("A")
                elif kind == "account_quarantined":
                    if not self.bad_accounts:
                        continue
                    row["account_id"] = rng.choice(self.bad_accounts)
                elif kind == "site_id:orphan_site":
                    row["site_id"] = self._missing("S")
                elif kind == "site_id:site_quarantined":
                    if not self.bad_sites:
                        continue
                    row["site_id"] = rng.choice(self.bad_sites)
                elif kind == "site_id:bad_id":
                    row["site_id"] = {"site_id": home.id}
                elif kind == "is_tracked:bad_boolean":
                    row["is_tracked"] = self._pick(kind, _BAD_BOOLEANS)
                else:  # is_duplicated:bad_boolean
                    row["is_duplicated"] = self._pick(kind, _BAD_BOOLEANS)
                planted = self._plant("meters", meter.id, kind, row)
                if planted and ":" not in kind and kind not in UNKEYED_REASONS:
                    self.bad_meters.append(meter.id)

    def _write_planted_identifiers(self, good_identifiers: int, good_tags: int) -> None:
        # Rows without a value sit on different meters so that their keys
        # (meter, type, value) stay distinct.
        clean = [m for m in self.meters if m.cascade_reason is None]
        some_meter = clean[0].id
        for kind in DIMENSION_KINDS["meter_identifiers"]:
            for index in range(self._bad_count(good_identifiers)):
                value = f"ZZ{self._id('Z', 7)}"
                meter_id = some_meter
                if kind == "missing_id":
                    meter_id = ""
                elif kind == "missing_value":
                    value = ""
                    meter_id = clean[index % len(clean)].id
                else:
                    meter_id = self._missing("M")
                row: Row = {
                    "meter_id": meter_id,
                    "identifier_type": "METER",
                    "value": value,
                }
                self._plant("meter_identifiers", f"{meter_id}|METER|{value}", kind, row)
        for kind in DIMENSION_KINDS["meter_tags"]:
            for index in range(self._bad_count(good_tags)):
                meter_id, tag = some_meter, f"Bad tag {self._id('T', 6)}"
                if kind == "missing_id":
                    meter_id = ""
                elif kind == "missing_value":
                    tag = "" if index % 2 == 0 else " "
                    meter_id = clean[index % len(clean)].id
                else:
                    meter_id = self._missing("M")
                row = {"meter_id": meter_id, "tag_name": tag}
                self._plant("meter_tags", f"{meter_id}|{tag}", kind, row)

    # -- identifier matching ------------------------------------------------------

    def _expected_match(
        self, extracted: Sequence[dict[str, str]]
    ) -> tuple[str | None, str | None]:
        """The meter a row without meter_id matches, or its quarantine reason."""
        wanted = frozenset(
            (normalize_type(item["type"]), normalize_value(item["value"]))
            for item in extracted
        )
        if not wanted:
            return None, "missing_meter"
        candidates = [
            meter_id
            for meter_id, identifiers in self.identifier_sets.items()
            if wanted <= identifiers
        ]
        if not candidates:
            return None, "unmatched_meter"
        originals = [m for m in candidates if m not in self.duplicated]
        if originals:
            candidates = originals
        if len(candidates) == 1:
            return candidates[0], None
        exact = [m for m in candidates if self.identifier_sets[m] == wanted]
        if len(exact) == 1:
            return exact[0], None
        return None, "ambiguous_meter"

    # -- bills -----------------------------------------------------------------

    def _archived(self, site: _Site | None) -> bool:
        return (
            site is not None
            and site.stop_date is not None
            and site.stop_date < self.gen.as_of
        )

    def _counts(self, account: _Account, site: _Site | None, start: date) -> bool:
        """Whether a bill's usage counts (account status, archived site)."""
        if account.status not in ("ONBOARDED", "OLD_ACCOUNT"):
            return False
        return not (
            self._archived(site)
            and site is not None
            and site.stop_date is not None
            and start > site.stop_date
        )

    def _reporting_status(self, account: _Account) -> str:
        by_id = self.accounts_by_id
        seen = {account.id}
        while account.active_account_id and account.active_account_id not in seen:
            target = by_id.get(account.active_account_id)
            if target is None:
                break
            seen.add(target.id)
            account = target
        return account.status

    def _plantable(self, group: _Group) -> bool:
        """A group whose every bill counts: findings planted on it show as planted."""
        return (
            group.fixed is None
            and group is not self.groups[0]
            and len(group.accounts) == 1
            and group.duplicate is None
            and group.owner.status == "ONBOARDED"
            and not self._archived(group.site)
            and all(m.cascade_reason is None for m in group.meters)
            and any(m.counted for m in group.meters)
        )

    def _plan_periods(self) -> None:
        """Every group's billing periods, with the planted findings on them.

        Company 1 gets every kind: missing bills (a gap, partial months and a
        site that is not ENERGY STAR ready; on calendar-month bills a missing
        month), an overlapping, a short, a long and a future bill, a bill
        entered twice and a usage spike. Elsewhere about 1% of the groups whose
        every bill counts get one kind each.
        """
        rng = self.rng
        for group in self.groups:
            for account in group.accounts:
                self.accounts_by_id[account.id] = account
            for meter in group.meters:
                self.group_of[meter.id] = group
        eligible = [g for g in self.groups if self._plantable(g)]
        if self.first:
            self._designate(eligible)
        else:
            for group in eligible:
                kinds = ["gap", "overlap", "future"]
                kinds += (
                    ["duplicate", "spike"]
                    if group.calendar
                    else ["short", "long"]
                    if group.mild
                    else ["short"]
                )
                slot = int(rng.random() / _FINDING_RATE)
                if slot < len(kinds):
                    group.kinds.append(kinds[slot])
        for group in self.groups:
            site = group.site
            begin = site.begin if site is not None and site.begin else None
            days = (self.gen.last_day - (begin or self.gen.first_day)).days
            taken: list[int] = []
            for kind in group.kinds:
                if kind in ("short", "long"):
                    k = self._free_position(taken, 3, max(3, days // 31 - 2))
                    taken.append(k)
                    group.lengths[k] = (
                        rng.randint(12, 19) if kind == "short" else rng.randint(41, 50)
                    )
                elif kind == "future":
                    group.future_days = rng.randint(6, 25)
            group.periods = self._generate_periods(group)
            self._plant_on_periods(group)
        if self.first and self.groups[0].periods:
            home = self.groups[0]
            assert self.original is not None
            self.mark = (home, len(home.periods) - 1, self.original)

    def _designate(self, eligible: list[_Group]) -> None:
        """Company 1: each kind on its own group when there are enough."""
        uses: dict[int, int] = {}

        def pick(candidates: list[_Group], kind: str) -> None:
            if not candidates:
                return
            group = min(candidates, key=lambda g: uses.get(id(g), 0))
            uses[id(group)] = uses.get(id(group), 0) + 1
            group.kinds.append(kind)

        calendar = [g for g in eligible if g.calendar]
        other = [g for g in eligible if not g.calendar]
        pick([g for g in other if g.site is not None], "gap_not_ready")
        pick([g for g in calendar if g.site is not None], "gap")
        pick(calendar, "spike")
        pick(calendar, "duplicate")
        pick(other, "short")
        pick([g for g in other if g.mild], "long")
        pick(eligible, "overlap")
        pick(eligible, "future")

    def _free_position(self, taken: list[int], low: int, high: int) -> int:
        """A position from low to high at least 3 away from those taken."""
        options = [
            k for k in range(low, high + 1) if all(abs(k - t) >= 3 for t in taken)
        ]
        return self.rng.choice(options) if options else low

    def _fill(self, days: int) -> list[int]:
        """Period lengths of 27-35 days adding up to days, else of 20-40 days
        (neither short nor long) when 27-35 cannot add up to it."""
        if days <= 0:
            return []
        low, high = -(-days // 35), days // 27
        count = low if low <= high else -(-days // 40)
        base, extra = divmod(days, count)
        lengths = [base + (1 if i < extra else 0) for i in range(count)]
        if low <= high:
            for _ in range(count):
                i, j = self.rng.randrange(count), self.rng.randrange(count)
                shift = self.rng.randint(
                    0, max(0, min(35 - lengths[i], lengths[j] - 27))
                )
                lengths[i] += shift
                lengths[j] -= shift
        return lengths

    def _generate_periods(self, group: _Group) -> list[_Period]:
        """Continuous periods up to the last billed day (a future bill beyond).

        Calendar groups bill calendar months; the others 27-35 days, drawn back
        from the last day, so that every meter's last month is complete. A new
        site's bills start at its begin date; an archived site's stop 40 days
        after its stop date; a fixed period (the VND exact bills) is one of them.
        """
        rng = self.rng
        site = group.site
        begin = site.begin if site is not None and site.begin else self.gen.first_day
        last_day = self.gen.last_day
        periods: list[_Period] = []
        if group.calendar:
            month = _month_start(begin)
            final = _month_start(self.gen.as_of if group.future_days else last_day)
            while month <= final:
                periods.append(_Period(month, _next_month(month) - timedelta(days=1)))
                month = _next_month(month)
        else:
            end = last_day + timedelta(days=group.future_days)
            backward: list[_Period] = []
            position = 1
            more = True
            if group.fixed is not None:
                fixed_start, fixed_end = group.fixed
                for length in self._fill((end - fixed_end).days):
                    start = end - timedelta(days=length - 1)
                    backward.append(_Period(start, end))
                    end = start - timedelta(days=1)
                    position += 1
                backward.append(_Period(fixed_start, fixed_end, fixed=True))
                more = fixed_start > begin
                end = fixed_start - timedelta(days=1)
            while more:
                length = group.lengths.get(position) or rng.randint(27, 35)
                start = end - timedelta(days=length - 1)
                backward.append(_Period(start, end))
                position += 1
                more = start > begin
                end = start - timedelta(days=1)
            periods = backward[::-1]
        stop = site.stop_date if site is not None else None
        if stop is not None:
            periods = [p for p in periods if p.start <= stop + timedelta(days=40)]
        return periods

    def _plant_on_periods(self, group: _Group) -> None:
        """Missing, overlapping, duplicated and spiking bills at chosen periods."""
        rng = self.rng
        periods = group.periods
        count = len(periods)
        reserved: set[int] = set()
        for k in group.lengths:
            reserved.update((count - k - 1, count - k, count - k + 1))
        if group.future_days:
            reserved.add(count - 1)

        def free(index: int) -> bool:
            return 0 <= index < count and index not in reserved

        def take(index: int, around: int = 1) -> None:
            reserved.update(range(index - around, index + around + 1))

        def inner(low: int, high: int) -> list[int]:
            return [
                i
                for i in range(max(1, low), min(count - 1, high))
                if free(i) and not periods[i - 1].skip and not periods[i + 1].skip
            ]

        for kind in group.kinds:
            if kind in ("gap", "gap_not_ready"):
                options = inner(2, count - 2)
                if not options:
                    continue
                index = options[len(options) // 2]
                if kind == "gap":
                    index = rng.choice(options)
                periods[index].skip = True
                take(index)
                if kind == "gap_not_ready":
                    self._skip_until_not_ready(group, reserved)
            elif kind == "overlap":
                options = inner(2, count - 1)
                if not options:
                    continue
                index = rng.choice(options)
                period, previous = periods[index], periods[index - 1]
                days = (period.end - period.start).days + 1
                back = rng.randint(1, max(1, min(4, 40 - days - 1)))
                period.start = previous.end - timedelta(days=back)
                take(index)
            elif kind in ("duplicate", "spike"):
                last_month = _month_start(self.gen.last_day)
                first_month = _add_months(last_month, -11)
                by_month = {
                    p.start: i
                    for i, p in enumerate(periods)
                    if p.start.day == 1 and not p.skip and free(i)
                }
                pairs = [
                    (i, by_month.get(_add_months(m, -12)))
                    for m, i in by_month.items()
                    if first_month <= m <= last_month
                ]
                with_prior = [pair for pair in pairs if pair[1] is not None]
                if kind == "spike" or with_prior:
                    pairs = with_prior  # a duplicate then also doubles a month
                if not pairs:
                    continue
                index, prior = rng.choice(pairs)
                if kind == "duplicate":
                    periods[index].duplicate = True
                else:
                    water = [m for m in group.meters if m.counted]
                    water.sort(key=lambda m: m.commodity != "WATER")
                    group.spike_meter = water[0]
                    periods[index].spike = rng.uniform(2.2, 2.8)
                take(index, 0)
                if prior is not None:
                    take(prior, 0)

    def _skip_until_not_ready(self, group: _Group, reserved: set[int]) -> None:
        """More missing bills until no 11 complete months in a row remain.

        (12 make a site ENERGY STAR ready; one month of margin for the site's
        other meters, whose history may start a month earlier.)
        """
        periods = group.periods
        while True:
            spans = [_Span(p.start, p.end, "") for p in periods if not p.skip]
            coverage = _coverage(spans, self.gen.as_of)
            run: list[date] = []
            longest: list[date] = []
            for month, (required, covered) in sorted(coverage.items()):
                run = [*run, month] if required == covered else []
                if len(run) > len(longest):
                    longest = run
            if len(longest) < 11:
                return
            middle = longest[len(longest) // 2]
            options = [
                i
                for i, p in enumerate(periods[1:-1], start=1)
                if p.start <= middle + timedelta(days=14) <= p.end
                and i not in reserved
                and not periods[i - 1].skip
                and not periods[i + 1].skip
            ]
            if not options:
                return
            periods[options[0]].skip = True
            reserved.update((options[0] - 1, options[0], options[0] + 1))

    def _readings(
        self, group: _Group, start: date, end: date, spike: float = 0.0
    ) -> list[_Reading]:
        uniform = self.rng.uniform
        seasons = self.gen.seasons
        days = (end - start).days + 1
        day_of_year = (start + timedelta(days=days // 2)).timetuple().tm_yday
        readings: list[_Reading] = []
        by_meter: dict[str, float] = {}
        for meter in group.meters:
            if meter.twin is not None and meter.twin.id in by_meter:
                usage = by_meter[meter.twin.id]
            else:
                usage = meter.daily * seasons.total(meter.commodity, start, end)
                usage *= uniform(0.92, 1.08)
            if spike and meter is group.spike_meter:
                usage *= spike
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

    def _record_bill(
        self,
        group: _Group,
        account: _Account,
        document_id: str,
        period: _Period,
        bill_time: datetime,
        current: int,
    ) -> None:
        """A current bill written: what it counts, and where matches may go."""
        counts = self._counts(account, group.site, period.start)
        for meter in group.meters:
            self.bills.setdefault(meter.id, []).append(
                _Anchor(
                    document_id,
                    account,
                    meter,
                    period.start,
                    period.end,
                    bill_time,
                    current,
                )
            )
            if counts:
                self._record_span(meter, period.start, period.end, document_id)

    def _record_span(
        self, meter: _Meter, start: date, end: date, document_id: str
    ) -> None:
        if meter.counted:
            self.spans.setdefault(meter.id, []).append(_Span(start, end, document_id))

    def _stream_group(self, group: _Group) -> None:
        rng = self.rng
        periods = group.periods
        count = len(periods)
        links = group.accounts
        forced_revision = count // 2 if group is self.groups[0] else -1
        bad_meter = next((m for m in group.meters if m.usable_for_bad_rows), None)
        carried_from = 0
        for p, period in enumerate(periods):
            if period.skip or period.fixed:
                continue
            start, end = period.start, period.end
            account = links[min(len(links) - 1, p * len(links) // count)]
            readings = self._readings(group, start, end, period.spike)
            ids = [self._id("D", 8)]
            if p == forced_revision or rng.random() < 0.02:
                ids.append(self._id("D", 8))
                if p == forced_revision or rng.random() < 0.3:
                    ids.append(self._id("D", 8))
            carried = 0
            if carried_from and rng.random() < 0.15:
                carried = round(carried_from * rng.uniform(0.3, 1.0))
            current, items = 0, 0
            bill_time = datetime(end.year, end.month, end.day)
            mark = None
            if self.mark is not None and self.mark[0] is group and self.mark[1] == p:
                mark = self.mark[2]
            capture: list[tuple[str, Row, _Meter | None]] = []
            for version, document_id in enumerate(ids):
                scale = 1.0 if version == 0 else 1 + rng.uniform(-0.04, 0.04)
                revised_by = ids[version + 1] if version + 1 < len(ids) else None
                newest = revised_by is None
                current, written, bill_time = self._write_bill(
                    document_id,
                    account,
                    group,
                    start,
                    end,
                    readings,
                    scale,
                    revised_by,
                    carried,
                    mark=mark if newest else None,
                    capture=capture if newest and period.duplicate else None,
                )
                items += written
            carried_from = current
            documents = len(ids)
            self._record_bill(group, account, ids[-1], period, bill_time, current)
            if mark is not None:
                self._state_marked_row(group, account, ids[-1], period, mark)
            if period.duplicate:
                twin_id = self._id("D", 8)
                items += self._write_duplicate_bill(capture, twin_id)
                documents += 1
                self._record_bill(group, account, twin_id, period, bill_time, current)
                later, earlier = max(twin_id, ids[-1]), min(twin_id, ids[-1])
                self.landing.finding(
                    "duplicate_bill",
                    document_id=later,
                    duplicate_of_document_id=earlier,
                    account_id=account.id,
                )
            if group.duplicate is not None and p >= count - 6:
                _, written, _ = self._write_bill(
                    self._id("D", 8),
                    group.duplicate,
                    group,
                    start,
                    end,
                    readings,
                    1.0,
                    None,
                    0,
                )
                items += written
                documents += 1
            if bad_meter is not None:
                self.anchor = _Anchor(
                    ids[-1], account, bad_meter, start, end, bill_time, current
                )
                usage_rows = documents * sum(
                    1
                    + (2 if reading.export else 0)
                    + (1 if reading.meter.exclusion_share else 0)
                    for reading in readings
                )
                self._inject_stream_rows(documents, usage_rows, items)

    def _write_duplicate_bill(
        self, capture: list[tuple[str, Row, _Meter | None]], document_id: str
    ) -> int:
        """The captured bill again under another id: same account, dates, charges
        and currency, its usage rows and line items copied. The line items written."""
        items = 0
        for entity, row, meter in capture:
            copy: Row = dict(row)
            if entity == "documents":
                copy.update(id=document_id, revised_document_id=None)
            elif entity == "usage_data":
                copy.update(id=self._id("U", 9), document_id=document_id)
                identifiers = copy.get("extracted_identifiers")
                if copy.get("meter_id") is None and meter is not None:
                    assert isinstance(identifiers, list)
                    self._expect_match(str(copy["id"]), identifiers, meter)
            else:
                copy.update(id=self._id("L", 9), document_id=document_id)
                items += 1
            self.landing.write(entity, copy)
        return items

    def _state_marked_row(
        self,
        group: _Group,
        account: _Account,
        document_id: str,
        period: _Period,
        meter: _Meter,
    ) -> None:
        """The estimated read and the peak demand of the marked row, when counted."""
        if self.marked_row is None:
            return
        usage_id, demand = self.marked_row
        self.marked_row = None
        if not (meter.counted and self._counts(account, group.site, period.start)):
            return
        months: list[str] = []
        peak_month, peak_days = period.start, 0
        month = _month_start(period.start)
        while month <= period.end:
            last = _next_month(month) - timedelta(days=1)
            days = (min(last, period.end) - max(month, period.start)).days + 1
            months.append(month.isoformat())
            if days >= peak_days:
                peak_month, peak_days = month, days
            month = _next_month(month)
        self.landing.finding(
            "estimated_read",
            meter_id=meter.id,
            usage_id=usage_id,
            document_id=document_id,
            months=months,
        )
        if demand is not None:
            self.landing.finding(
                "peak_demand",
                meter_id=meter.id,
                usage_id=usage_id,
                month=peak_month.isoformat(),
                demand_kw=demand,
            )

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
        carried: int,
        *,
        mark: _Meter | None = None,
        capture: list[tuple[str, Row, _Meter | None]] | None = None,
    ) -> tuple[int, int, datetime]:
        """Write one bill with its usage rows and line items.

        Returns its current charges (cents), the number of line items written
        and the moment it was last updated. The usage row of ``mark`` is an
        estimated read; ``capture`` collects the rows written (newest versions).
        """
        rng = self.rng
        r = rng.random
        mess = self.mess
        currency = self.currency
        money = self.money
        items: list[tuple[str, str | None, str | None, str, float]] = []
        by_commodity: dict[str, float] = {}
        for reading in readings:
            meter = reading.meter
            if meter.cascade_reason is not None:
                continue
            commodity = meter.commodity
            rate = meter.rate if meter.rate is not None else _RATES[commodity]
            cost = reading.usage * scale * rate * money
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
        customer = rng.choice((7.0, 12.0, 25.0)) if r() < 0.3 else rng.uniform(12, 45)
        items.append(("FEE", None, None, "Customer charge", customer * money))
        subtotal = sum(item[4] for item in items)
        if force or r() < 0.6:
            items.append(("TAX", None, None, "Sales tax", subtotal * 0.06))
        if force or r() < 0.06:
            items.append(
                ("CREDIT", None, None, "Loyalty credit", -rng.uniform(5, 40) * money)
            )
        if force or r() < 0.05:
            items.append(
                ("OTHER", None, None, "Late payment fee", rng.uniform(10, 35) * money)
            )
        if currency == LARGE_CURRENCY and (force or r() < 0.1):
            items.append(
                ("OTHER", None, None, "Rounding adjustment", rng.choice((12.5, -7.0)))
            )
        amounts = [round(item[4] * 100) for item in items]
        current = sum(amounts)
        with_items = group.line_items and (force or r() >= 0.03)
        if with_items and r() < 0.25:
            current += rng.randint(-500, 500)
        current = current or 1
        if force:
            self.forced_items_done = True
        total = current + carried
        # A bare "$" or no currency at all only where the bill's sites resolve it.
        resolvable = group.site is not None
        document: Row = {
            "id": document_id,
            "account_id": account.id,
            "start_date": mess.date(start),
            "bill_date": mess.date(end),
            "total_charges": mess.amount(total, currency),
            "current_charges": mess.amount(current, currency),
            "charges_units": mess.charges_units(currency, resolvable),
            "revised_document_id": revised_by,
            "source_system": rng.choice(_SOURCE_SYSTEMS),
        }
        bill_time = datetime(end.year, end.month, end.day) + timedelta(
            days=rng.randint(2, 12), seconds=rng.randrange(86_400)
        )
        document["updated_at"] = mess.timestamp(bill_time)
        # Billed to a rejected account: quarantined with everything on it.
        cascaded = account.written_status is not None
        if r() < 0.01 and not cascaded:
            stale = {
                **document,
                "current_charges": mess.amount(current * 3 // 2, currency),
            }
            self._write_timed_versions("documents", document, stale, bill_time)
        else:
            self.landing.write("documents", document)
        if cascaded:
            self.landing.inject("documents", document_id, CASCADE_ACCOUNT)
            self.cascaded_documents.add(document_id)
        if capture is not None:
            capture.append(("documents", document, None))
        for reading in readings:
            self._write_usage(
                document_id,
                reading,
                start,
                end,
                scale,
                bill_time,
                estimated=reading.meter is mark,
                capture=capture,
            )
        if with_items:
            for (
                charge_type,
                item_meter_id,
                item_commodity,
                description,
                _,
            ), amount in zip(items, amounts, strict=True):
                if description == "Rounding adjustment":
                    text = mess.short_amount(amount, currency)
                else:
                    text = mess.amount(amount, currency)
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
                    "amount": text,
                    "updated_at": mess.timestamp(bill_time) if r() < 0.7 else None,
                }
                if r() < 0.005 and not cascaded:
                    stale = {**item, "amount": mess.amount(amount + 1000, currency)}
                    self._write_timed_versions("line_items", item, stale, bill_time)
                else:
                    self.landing.write("line_items", item)
                if cascaded:
                    self.landing.inject("line_items", str(item["id"]), CASCADE_DOCUMENT)
                if capture is not None:
                    capture.append(("line_items", item, None))
        return current, len(items) if with_items else 0, bill_time

    def _write_usage(
        self,
        document_id: str,
        reading: _Reading,
        start: date,
        end: date,
        scale: float,
        bill_time: datetime,
        *,
        estimated: bool = False,
        capture: list[tuple[str, Row, _Meter | None]] | None = None,
    ) -> None:
        meter = reading.meter
        usage = reading.usage * scale
        written = self._usage_row(
            document_id,
            meter,
            start,
            end,
            usage,
            bill_time,
            reading.demand,
            estimated=estimated,
            capture=capture,
        )
        if estimated:
            self.marked_row = written
        if reading.export:
            self._usage_row(
                document_id,
                meter,
                start,
                end,
                reading.export * scale,
                bill_time,
                net_metering="EXPORT",
                capture=capture,
            )
            self._usage_row(
                document_id,
                meter,
                start,
                end,
                reading.generation * scale,
                bill_time,
                net_metering="GENERATION",
                capture=capture,
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
                capture=capture,
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
        estimated: bool = False,
        capture: list[tuple[str, Row, _Meter | None]] | None = None,
    ) -> tuple[str, str | None]:
        """Write a usage row; its id and its demand in kW as written (or None)."""
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
            standard = f"{usage:.3f}" if r() < 0.5 else None
        if net_metering == "IMPORT":
            metering = None if r() < 0.6 else mess.enum("IMPORT")
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
        demand_text = demand_value = None
        if demand is not None and net_metering == "IMPORT":
            demand_text = demand_value = f"{demand:.1f}"
            if r() < 0.15:
                demand_text += rng.choice((" kW", " KW", "kw"))
        v = r()
        is_estimated = (
            mess.boolean(True)
            if v < 0.03 or estimated
            else (mess.boolean(False) if v < 0.5 else None)
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
            "exclusion": mess.boolean(exclusion, 0 if exclusion else 0.4),
            "net_metering_type": metering,
            "demand": demand_text,
            "extracted_identifiers": identifiers,
            "is_estimated": is_estimated,
            "updated_at": mess.timestamp(bill_time) if r() < 0.8 else None,
        }
        if document_id in self.cascaded_documents:
            self._plant("usage_data", usage_id, CASCADE_DOCUMENT, row)
            return usage_id, demand_value
        if meter.cascade_reason is not None:
            self._plant("usage_data", usage_id, CASCADE_METER, row)
            return usage_id, demand_value
        if by_identifier:
            assert identifiers is not None
            self._expect_match(usage_id, identifiers, meter)
        if r() < 0.005:
            stale = {**row, "raw_usage": mess.quantity(raw * 1.2)}
            self._write_timed_versions("usage_data", row, stale, bill_time)
        else:
            self.landing.write("usage_data", row)
        if capture is not None:
            capture.append(("usage_data", row, meter))
        return usage_id, demand_value

    def _expect_match(
        self, usage_id: str, identifiers: Sequence[dict[str, str]], meter: _Meter
    ) -> None:
        matched, reason = self._expected_match(identifiers)
        if matched != meter.id:  # pragma: no cover - a generator bug
            raise RuntimeError(
                f"usage row {usage_id} would match {matched or reason}, not {meter.id}"
            )
        self.landing.meter_match(usage_id, meter.id)

    # -- planted streamed rows ----------------------------------------------------

    def _inject_stream_rows(self, documents: int, usage_rows: int, items: int) -> None:
        """Planted documents, usage rows and line items next to the current bill."""
        r = self.rng.random
        choice = self.rng.choice
        for entity, good_rows in (
            ("documents", documents),
            ("usage_data", usage_rows),
            ("line_items", items),
        ):
            kinds = STREAM_KINDS[entity]
            rate = BAD_ROW_RATE * len(kinds)
            for _ in range(good_rows):
                if r() < rate:
                    self._bad_stream_row(entity, choice(kinds))

    def _force_stream_kinds(self) -> None:
        """Every streamed kind, each of its variants, at least once in company 1."""
        for entity in ("documents", "usage_data", "line_items"):
            for kind in STREAM_KINDS[entity]:
                wanted = _STREAM_VARIANTS.get(f"{entity}:{kind}", 1)
                for _ in range(wanted - self.stream_counts.get((entity, kind), 0)):
                    self._bad_stream_row(entity, kind)

    def _bad_stream_row(self, entity: str, kind: str) -> None:
        anchor = self.anchor
        if anchor is None:  # pragma: no cover - company 1 always has clean bills
            raise RuntimeError("no clean bill to attach planted rows to")
        if entity == "documents":
            planted = self._plant_document(kind, anchor)
        elif entity == "usage_data":
            planted = self._plant_usage(kind, anchor)
        else:
            planted = self._plant_line_item(kind, anchor)
        if planted:
            key = (entity, kind)
            self.stream_counts[key] = self.stream_counts.get(key, 0) + 1

    def _document_row(self, document_id: str, anchor: _Anchor, cents: int) -> Row:
        mess = self.mess
        amount = mess.amount(cents, self.currency)
        return {
            "id": document_id,
            "account_id": anchor.account.id,
            "start_date": mess.date(anchor.start),
            "bill_date": mess.date(anchor.end),
            "total_charges": amount,
            "current_charges": amount,
            "charges_units": self.currency,
            "source_system": "ocr",
        }

    def _distinct_bill_date(self, anchor: _Anchor, current: int | None) -> date:
        """The bill date of a clean planted bill on the anchor's account and start:
        the anchor's, a day later when another bill there already has the same
        date and current charges (else it would be a duplicate candidate)."""
        end = anchor.end
        while (
            anchor.account.id,
            anchor.start,
            end,
            current,
        ) in self.planted_bill_keys or (
            end == anchor.end and current is not None and current == anchor.current
        ):
            end += timedelta(days=1)
        self.planted_bill_keys.add((anchor.account.id, anchor.start, end, current))
        return end

    def _expect_unattributed(
        self,
        document_id: str,
        current: int | None,
        items: Sequence[int] = (),
        has_meter: bool = False,
    ) -> None:
        """State whether a clean, current planted bill is unattributed.

        ``current`` is its current charges as the warehouse reads them (None
        when blank or not usable), ``items`` its clean line items written.
        """
        if has_meter:
            return
        amount = current if current is not None else (sum(items) if items else None)
        if amount:
            self.landing.unattributed(document_id, self.currency, amount)

    def _plant_document(self, kind: str, anchor: _Anchor) -> bool:
        rng = self.rng
        mess = self.mess
        if not self._can_plant("documents", kind):
            return False
        if kind == "revision_cycle":
            self._plant_revision_cycle(anchor)
            return True
        if kind == "reused_id":
            self._plant_reused_document_id(anchor)
            return True
        document_id = self._id("D", 8)
        if kind == "no_meter_bill":
            self._plant_no_meter_bill(document_id, anchor)
            return True
        if kind == "line_item_meter_bill":
            # Its usage row's unit cannot be parsed.
            if not self.landing.has_room("usage_data", ("raw_usage_units",)):
                return False
            self._plant_line_item_meter_bill(document_id, anchor)
            return True
        cents = self._cents(50, 900)
        row = self._document_row(document_id, anchor, cents)
        current: int | None = cents
        spoiled: tuple[str, ...] | None = None
        if kind == "missing_id":
            row["id"] = None
        elif kind == "bad_id":
            row["id"] = {"id": document_id}
        elif kind == "bad_date":
            spoiled = (self._date_with_room("documents", ("start_date", "bill_date")),)
            row[spoiled[0]] = self._pick("documents:bad_date", _BAD_DATES)
        elif kind == "implausible_date":
            variant = self._variant(f"documents:{kind}", 4)
            if variant == 0:
                row["start_date"] = _with_year(anchor.start, 25)
            elif variant == 1:
                row["bill_date"] = _with_year(anchor.end, 2206)
            elif variant == 2:
                row["bill_date"] = "9999-12-31"
            else:
                row["start_date"], row["bill_date"] = "0001-01-01", "9999-12-31"
        elif kind == "end_before_start":
            row["bill_date"] = mess.date(anchor.start - timedelta(days=5))
        elif kind == "implausible_period":
            row["start_date"] = mess.date(anchor.end - timedelta(days=450))
        elif kind == "orphan_account":
            row["account_id"] = self._missing("A")
        elif kind == "account_quarantined":
            if not self.bad_accounts:
                return False
            row["account_id"] = rng.choice(self.bad_accounts)
        elif kind == "total_charges:bad_amount":
            row["total_charges"] = self._pick(f"documents:{kind}", _BAD_AMOUNTS)
        elif kind == "total_charges:bad_number":
            row["total_charges"] = mess.amount(_OUT_OF_RANGE_CENTS, self.currency)
        elif kind == "current_charges:bad_amount":
            row["current_charges"] = self._pick(f"documents:{kind}", _BAD_AMOUNTS)
            current = None
        elif kind == "current_charges:bad_number":
            row["current_charges"] = mess.amount(_OUT_OF_RANGE_CENTS, self.currency)
            current = None
        elif kind == "revised_document_id:orphan_document":
            row["revised_document_id"] = self._missing("D")
        elif kind == "revised_document_id:bad_id":
            row["revised_document_id"] = {"id": anchor.document_id}
        else:  # revised_document_id:document_quarantined
            if not self.bad_documents:
                return False
            row["revised_document_id"] = rng.choice(self.bad_documents)
        if ":" in kind:
            row["bill_date"] = mess.date(self._distinct_bill_date(anchor, current))
        if not self._plant("documents", document_id, kind, row, spoiled):
            return False
        if ":" in kind:
            self._expect_unattributed(document_id, current)
        elif kind not in UNKEYED_REASONS:
            self.bad_documents.append(document_id)
        return True

    def _plant_revision_cycle(self, anchor: _Anchor) -> None:
        """A bill revising itself, or two bills revising each other."""
        size = 1 + self._variant("documents:revision_cycle", 2)
        ids = [self._id("D", 8) for _ in range(size)]
        for position, document_id in enumerate(ids):
            row = self._document_row(document_id, anchor, self._cents(50, 900))
            row["revised_document_id"] = ids[(position + 1) % size]
            self._plant("documents", document_id, "revision_cycle", row)
            self.bad_documents.append(document_id)
            usage = self._usage_template(anchor, document_id)
            self._plant("usage_data", str(usage["id"]), CASCADE_DOCUMENT, usage)
            item = self._line_item_template(anchor, document_id)
            self._plant("line_items", str(item["id"]), CASCADE_DOCUMENT, item)

    def _plant_reused_document_id(self, anchor: _Anchor) -> None:
        """Another bill under the current bill's id, older: the current one wins."""
        rng = self.rng
        mess = self.mess
        others = [g.owner for g in self.groups if g.owner is not anchor.account]
        account = rng.choice(others) if others else anchor.account
        start = anchor.start - timedelta(days=rng.randint(60, 400))
        loser: Row = {
            "id": anchor.document_id,
            "account_id": account.id,
            "start_date": mess.date(start),
            "bill_date": mess.date(start + timedelta(days=29)),
            "total_charges": mess.amount(self._cents(50, 900), self.currency),
            "current_charges": mess.amount(self._cents(50, 900), self.currency),
            "charges_units": self.currency,
            "source_system": "manual_upload",
            "updated_at": mess.timestamp(
                anchor.bill_time - timedelta(days=rng.randint(30, 90))
            ),
        }
        if self.landing.write("documents", loser):
            self.landing.replaced("documents", loser, {"id": anchor.document_id})
            self.landing.note_item("reused_document_ids", anchor.document_id)

    def _plant_no_meter_bill(self, document_id: str, anchor: _Anchor) -> None:
        """A bill with no usage rows and no line item naming a meter."""
        variant = self._variant("documents:no_meter_bill", 4)
        item_cents = [self._cents(12, 45), self._cents(1, 10)]
        current: int | None
        if variant == 0:  # line items without meters, current charges their sum
            current = sum(item_cents)
        elif variant == 1:  # no line items, current charges only
            current, item_cents = self._cents(50, 900), []
        elif variant == 2:  # line items but no current charges
            current = None
        else:  # nothing to attribute
            current, item_cents = 0, []
        row = self._document_row(document_id, anchor, current or 0)
        if current is None:
            row["current_charges"] = None
            row["total_charges"] = self.mess.amount(sum(item_cents), self.currency)
        row["bill_date"] = self.mess.date(self._distinct_bill_date(anchor, current))
        self.landing.write("documents", row)
        written: list[int] = []
        for cents in item_cents:
            item = self._line_item_template(anchor, document_id, cents)
            if self.landing.write("line_items", item):
                written.append(cents)
        self._expect_unattributed(document_id, current, written)

    def _plant_line_item_meter_bill(self, document_id: str, anchor: _Anchor) -> None:
        """A bill whose only usage row is quarantined but a line item names a meter."""
        cents = self._cents(50, 900)
        row = self._document_row(document_id, anchor, cents)
        row["bill_date"] = self.mess.date(self._distinct_bill_date(anchor, cents))
        self.landing.write("documents", row)
        usage = self._usage_template(anchor, document_id)
        usage["raw_usage_units"] = "furlongs"
        self._plant("usage_data", str(usage["id"]), "unknown_unit", usage)
        item = self._line_item_template(anchor, document_id, cents)
        item.update(meter_id=anchor.meter.id, charge_type="USAGE")
        has_meter = self.landing.write("line_items", item)
        if has_meter:
            self.landing.note_item(
                "line_item_meter_bills",
                {"document_id": document_id, "meter_id": anchor.meter.id},
            )
        self._expect_unattributed(document_id, cents, [cents], has_meter)

    def _plant_foreign_meter_bill(self) -> None:
        """A bill with two line items: one names the bill's own meter, the other
        a meter of company 1 (foreign_meter: the link is treated as absent and
        the item is split over the bill's meters), so the bill's own meter gets
        everything and no money crosses to another company."""
        anchor, foreign = self.anchor, self.gen.foreign_meter_id
        if anchor is None or foreign is None or not self.landing.has("line_items"):
            return
        document_id = self._id("D", 8)
        own, crossing = self._cents(20, 80), self._cents(5, 30)
        current = own + crossing
        row = self._document_row(document_id, anchor, current)
        row["bill_date"] = self.mess.date(self._distinct_bill_date(anchor, current))
        self.landing.write("documents", row)
        item = self._line_item_template(anchor, document_id, own)
        item.update(meter_id=anchor.meter.id, charge_type="USAGE")
        self.landing.write("line_items", item)
        crossing_item = self._line_item_template(anchor, document_id, crossing)
        crossing_item["meter_id"] = foreign
        line_item_id = str(crossing_item["id"])
        self._plant("line_items", line_item_id, "meter_id:foreign_meter", crossing_item)
        self.landing.note_item(
            "foreign_meter_bills",
            {
                "document_id": document_id,
                "company_id": self.id,
                "line_item_id": line_item_id,
                "foreign_meter_id": foreign,
                "attributed": {anchor.meter.id: money_text(current)},
            },
        )

    def _plant_exact_json_numbers(self) -> None:
        """Two bills without meters whose charges have 17 and 18 significant
        digits (a JSON number in a JSON lines file): the unattributed ledger
        must hold them to the last digit, never through binary floating point."""
        anchor = self.anchor
        if anchor is None:  # pragma: no cover - the company always has clean bills
            return
        for text in _EXACT_CHARGES:
            document_id = self._id("D", 8)
            row = self._document_row(document_id, anchor, 0)
            row.update(
                total_charges=JsonNumber(text),
                current_charges=JsonNumber(text),
                charges_units=self.currency,
                bill_date=self.mess.date(self._distinct_bill_date(anchor, None)),
            )
            self.landing.write("documents", row)
            self.landing.unattributed(document_id, self.currency, Decimal(text))
            self.landing.note_item(
                "exact_charges", {"document_id": document_id, "current_charges": text}
            )

    def _usage_template(
        self,
        anchor: _Anchor,
        document_id: str | None = None,
        meter: _Meter | None = None,
    ) -> Row:
        """A usage row on the anchor bill's period: a small extra read (0.5-2% of
        the period's usage), so that planted rows hardly move a month's figures."""
        mess = self.mess
        meter = meter or anchor.meter
        days = (anchor.end - anchor.start).days + 1
        share = self.rng.uniform(0.005, 0.02)
        return {
            "id": self._id("U", 9),
            "document_id": document_id or anchor.document_id,
            "meter_id": meter.id,
            "start_date": mess.date(anchor.start),
            "end_date": mess.date(anchor.end),
            "raw_usage": f"{meter.daily * days * share / meter.factor:.3f}",
            "raw_usage_units": mess.unit(meter.unit),
        }

    def _plant_usage(self, kind: str, anchor: _Anchor) -> bool:
        mess = self.mess
        meter = anchor.meter
        if kind == "identifier_match":
            # Planted once every bill is written, on a bill of the matched meter.
            self.deferred_matches += 1
            return True
        if not self._can_plant("usage_data", kind):
            return False
        row = self._usage_template(anchor)
        usage_id = str(row["id"])
        spoiled: tuple[str, ...] | None = None
        if kind == "missing_id":
            row["id"] = ""
        elif kind == "bad_id":
            row["id"] = {"id": usage_id}
        elif kind == "bad_date":
            spoiled = (self._date_with_room("usage_data", ("start_date", "end_date")),)
            row[spoiled[0]] = self._pick("usage_data:bad_date", _BAD_DATES)
        elif kind == "implausible_date":
            variant = self._variant(f"usage_data:{kind}", 5)
            if variant == 0:
                row["start_date"] = _with_year(anchor.start, 25)
            elif variant == 1:
                day = anchor.start
                row["start_date"] = f"{day.month:02d}/{min(day.day, 28):02d}/0025"
            elif variant == 2:
                row["end_date"] = _with_year(anchor.end, 2206)
            elif variant == 3:
                row["end_date"] = "9999-12-31"
            else:
                row["start_date"], row["end_date"] = "0001-01-01", "9999-12-31"
        elif kind == "end_before_start":
            row["end_date"] = mess.date(anchor.start - timedelta(days=3))
        elif kind == "implausible_period":
            row["start_date"] = mess.date(anchor.end - timedelta(days=450))
        elif kind == "bad_number":
            variant = self._variant(f"usage_data:{kind}", 4)
            spoiled = ()
            if variant == 0:  # unparseable
                row["raw_usage"] = self._pick(
                    "usage_data:raw", ("n/a", "12..5", "1O0", "12,5")
                )
                spoiled = ("raw_usage",)
            elif variant == 1:  # beyond 10^12 as written
                row.update(raw_usage="5e19", raw_usage_units="MWh")
            elif variant == 2:  # a bad standard usage and no raw usage
                row.update(raw_usage=None, standard_usage="abc")
                spoiled = ("standard_usage",)
            else:  # beyond 10^12 once converted
                energy = COMMODITY_KIND[meter.commodity] == ENERGY
                row["raw_usage"] = "2,000,000,000"
                row["raw_usage_units"] = "MWh" if energy else "kgal"
        elif kind == "missing_usage":
            row["raw_usage"] = None
        elif kind == "unknown_net_metering_type":
            row["net_metering_type"] = "SIDEWAYS"
        elif kind == "orphan_document":
            row["document_id"] = self._missing("D")
        elif kind == "orphan_meter":
            row["meter_id"] = self._missing("M")
        elif kind == "unknown_unit":
            row["raw_usage_units"] = self._pick(
                f"usage_data:{kind}", ("furlongs", "barrels")
            )
        elif kind in (
            "missing_meter",
            "bad_json",
            "unmatched_meter",
            "ambiguous_meter",
        ):
            row["meter_id"] = None
            row["extracted_identifiers"] = self._unmatched_identifiers(kind)
        elif kind == "raw_usage:bad_number":
            row["standard_usage"] = f"{meter.daily * 0.3:,.3f}"
            row["raw_usage"] = self._pick(
                f"usage_data:{kind}", ("12..5", "n/a", "see bill")
            )
        elif kind == "standard_usage:bad_number":
            row["standard_usage"] = self._pick(
                f"usage_data:{kind}", ("n/a", "1.2.3", "tbd")
            )
        elif kind == "demand:bad_number":
            row["demand"] = self._pick(f"usage_data:{kind}", ("n/a", "45 kVA", "high"))
        elif kind == "exclusion:bad_boolean":
            row["exclusion"] = self._pick(f"usage_data:{kind}", _BAD_BOOLEANS)
        elif kind == "is_estimated:bad_boolean":
            row["is_estimated"] = self._pick(f"usage_data:{kind}", _BAD_BOOLEANS)
        else:  # extracted_identifiers:bad_json
            row["extracted_identifiers"] = self._pick(
                f"usage_data:{kind}", ('[{"type":', "POD 123")
            )
        return self._plant("usage_data", usage_id, kind, row, spoiled)

    def _unmatched_identifiers(self, kind: str) -> Value:
        """Identifiers of a row without meter_id that match no single meter."""
        if kind == "missing_meter":
            return None if self._variant(f"usage_data:{kind}", 2) == 0 else []
        if kind == "bad_json":
            return self._pick(
                f"usage_data:{kind}", ('[{"type":', "METER 123", '{"type": "METER"}')
            )
        extracted: list[dict[str, str]]
        if kind == "unmatched_meter":
            variant = self._variant(f"usage_data:{kind}", 3)
            if variant == 0:  # no meter holds Z-9
                extracted = [
                    {"type": "METER", "value": "X-2"},
                    {"type": "METER", "value": "Z-9"},
                ]
            elif variant == 1:  # X-1 is a METER identifier, not a POD
                extracted = [{"type": "POD", "value": "X-1"}]
            else:
                extracted = [{"type": "METER", "value": f"ZZ-{self._id('Z', 7)}"}]
        elif self._variant(f"usage_data:{kind}", 2) == 0:  # two with this very set
            extracted = [{"type": "premise", "value": "PR-SHARED-7"}]
        else:  # two meters hold it, each with more
            extracted = [{"type": "Account", "value": "ACC 1"}]
        matched, reason = self._expected_match(extracted)
        if matched is not None or reason != kind:  # pragma: no cover - a bug
            raise RuntimeError(f"{extracted} gives {matched or reason}, not {kind}")
        return extracted

    def _plant_identifier_matches(self) -> None:
        for _ in range(self.deferred_matches):
            self._plant_identifier_match()

    def _plant_identifier_match(self) -> None:
        """A clean usage row without meter_id matched through its identifiers,
        on one of the matched meter's own bills (its period unchanged)."""
        variant = self._variant("usage_data:identifier_match", 3)
        extracted: list[dict[str, str]]
        if variant == 0:  # the account number is on two meters, X1 on one
            meter = self.shared["P"]
            extracted = [
                {"type": "METER", "value": "X1"},
                {"type": "ACCOUNT", "value": "ACC 1"},
            ]
        elif variant == 1:  # two candidates, one holding exactly this set
            meter = self.shared["V"]
            extracted = [{"type": "Service Point", "value": "sp 77"}]
        else:  # a meter and its duplicated twin share the identifier
            assert self.original is not None
            meter = self.original
            kind, value = meter.identifiers[0]
            extracted = [{"type": kind.lower(), "value": f" {value} "}]
        bills = self.bills.get(meter.id)
        if not bills:  # pragma: no cover - the matched meters are always billed
            raise RuntimeError(f"meter {meter.id} has no bill to match a row on")
        row = self._usage_template(self.rng.choice(bills), meter=meter)
        row.update(meter_id=None, extracted_identifiers=extracted)
        usage_id = str(row["id"])
        self._expect_match(usage_id, extracted, meter)
        self.landing.write("usage_data", row)

    def _line_item_template(
        self, anchor: _Anchor, document_id: str | None = None, cents: int | None = None
    ) -> Row:
        if cents is None:
            cents = self._cents(5, 60)
        return {
            "id": self._id("L", 9),
            "document_id": document_id or anchor.document_id,
            "charge_type": "FEE",
            "description": "Service fee",
            "amount": self.mess.amount(cents, self.currency),
        }

    def _plant_line_item(self, kind: str, anchor: _Anchor) -> bool:
        rng = self.rng
        if not self._can_plant("line_items", kind):
            return False
        row = self._line_item_template(anchor)
        line_id = str(row["id"])
        if kind == "missing_id":
            row["id"] = None
        elif kind == "bad_id":
            row["id"] = {"id": line_id}
        elif kind == "bad_amount":
            row["amount"] = self._pick(f"line_items:{kind}", (*_BAD_AMOUNTS, ""))
        elif kind == "bad_number":
            row["amount"] = self.mess.amount(_OUT_OF_RANGE_CENTS, self.currency)
        elif kind == "unknown_charge_type":
            row["charge_type"] = "MYSTERY"
        elif kind == "orphan_document":
            row["document_id"] = self._missing("D")
        elif kind == "meter_id:orphan_meter":
            row["meter_id"] = self._missing("M")
        elif kind == "meter_id:meter_quarantined":
            if not self.bad_meters:
                return False
            row["meter_id"] = rng.choice(self.bad_meters)
        elif kind == "meter_id:bad_id":
            row["meter_id"] = {"meter_id": anchor.meter.id}
        else:  # datasource_type:unknown_commodity
            row["datasource_type"] = self._pick(
                f"line_items:{kind}", ("NUCLEAR", "Geothermal")
            )
        return self._plant("line_items", line_id, kind, row)

    # -- the findings the data-quality marts must show --------------------------------

    def _window_end(self, meter: _Meter, spans: Sequence[_Span]) -> date:
        """dq_meter_month_coverage's window end for a meter."""
        site = meter.site
        if site is not None and site.stop_date is not None and self._archived(site):
            return site.stop_date
        group = self.group_of[meter.id]
        if self._reporting_status(group.owner) != "ONBOARDED":
            return max(span.end for span in spans)
        return self.gen.as_of

    def _meter_coverage(self, meter: _Meter) -> dict[date, tuple[int, int]]:
        spans = self.spans.get(meter.id, [])
        if not spans:
            return {}
        return _coverage(spans, self._window_end(meter, spans))

    def _site_ready_through(self, site: _Site, commodity: str) -> date | None:
        return _ready_through(
            [
                self._meter_coverage(meter)
                for meter in self.meters
                if meter.site is site and meter.commodity == commodity
            ]
        )

    def _counted_months(self, site: _Site, commodity: str) -> set[date]:
        """The months with counted usage of a commodity at a site."""
        months: set[date] = set()
        for meter in self.meters:
            if meter.site is not site or meter.commodity != commodity:
                continue
            for span in self.spans.get(meter.id, []):
                month = _month_start(span.start)
                while month <= span.end:
                    months.add(month)
                    month = _next_month(month)
        return months

    def _state_findings(self) -> None:
        """State in the manifest the findings planted in this company.

        Worked out from the periods written (the warehouse's rules applied to
        each meter's counted periods), never from a warehouse.
        """
        finding = self.landing.finding
        as_of_month = _month_start(self.gen.as_of)
        not_ready: list[tuple[int, str]] = []
        for group in self.groups:
            if not group.kinds:
                continue
            for meter in group.meters:
                spans = self.spans.get(meter.id, [])
                if not spans:
                    continue
                for issue in _period_issues(spans, self.gen.as_of):
                    kind = str(issue.pop("kind"))
                    finding(kind, meter_id=meter.id, **issue)
                for month, (required, covered) in sorted(
                    self._meter_coverage(meter).items()
                ):
                    if required == covered or month == as_of_month:
                        continue
                    finding(
                        f"{_status(required, covered)}_month",
                        meter_id=meter.id,
                        month=month.isoformat(),
                        required_days=required,
                        covered_days=covered,
                    )
                if (
                    any(p.skip for p in group.periods)
                    and meter.site is not None
                    and (meter.site.index, meter.commodity) not in not_ready
                ):
                    not_ready.append((meter.site.index, meter.commodity))
            self._state_anomalies(group)
        causes = dict.fromkeys(not_ready, "missing_bills")
        for site in self.mirrors:  # new sites: maybe too short a history
            for meter in self.meters:
                if meter.site is site and self.spans.get(meter.id):
                    causes.setdefault((site.index, meter.commodity), "new_site")
        for (index, commodity), cause in causes.items():
            site = self.sites[index]
            if self._site_ready_through(site, commodity) is None:
                finding(
                    "not_energy_star_ready",
                    site_id=site.id,
                    commodity=commodity,
                    cause=cause,
                )
        self._state_duplicate_meters()
        if self.first:
            self._state_ready_site()
            self._state_implied_sewer()
            self._state_mirror_estimates()

    def _state_anomalies(self, group: _Group) -> None:
        """A spiking month, and each month a duplicated bill doubles, whose month
        and same month a year earlier are complete (usage over 1.5 times)."""
        for period in group.periods:
            if not (period.spike or period.duplicate):
                continue
            month = period.start
            prior = _add_months(month, -12)
            meters = [group.spike_meter] if period.spike else group.meters
            for meter in meters:
                if meter is None:
                    continue
                coverage = self._meter_coverage(meter)
                if _whole_month_complete(coverage, month) and _whole_month_complete(
                    coverage, prior
                ):
                    self.landing.finding(
                        "anomaly",
                        meter_id=meter.id,
                        month=month.isoformat(),
                        cause="spike" if period.spike else "duplicate_bill",
                    )

    def _state_duplicate_meters(self) -> None:
        """Pairs of clean meters, neither marked duplicate, sharing an identifier."""
        holders: dict[tuple[str, str], list[str]] = {}
        for meter_id, identifiers in self.identifier_sets.items():
            if meter_id in self.duplicated:
                continue
            for identifier in identifiers:
                holders.setdefault(identifier, []).append(meter_id)
        for (kind, value), meter_ids in sorted(holders.items()):
            for earlier, later in itertools.combinations(sorted(meter_ids), 2):
                self.landing.finding(
                    "duplicate_meter",
                    meter_id=later,
                    duplicate_of_meter_id=earlier,
                    identifier_type=kind,
                    normalized_value=value,
                )

    def _state_ready_site(self) -> None:
        """One site and commodity that is ENERGY STAR ready (unplanted ones first)."""
        planted = {
            (m.site.id, m.commodity)
            for g in self.groups
            if g.kinds
            for m in g.meters
            if m.site is not None
        }
        candidates = sorted(
            {(m.site.index, m.commodity) for m in self.meters if m.site is not None},
            key=lambda c: ((self.sites[c[0]].id, c[1]) in planted, c),
        )
        for index, commodity in candidates:
            site = self.sites[index]
            ready = self._site_ready_through(site, commodity)
            if ready is not None:
                self.landing.finding(
                    "energy_star_ready",
                    site_id=site.id,
                    commodity=commodity,
                    ready_through=ready.isoformat(),
                )
                return

    def _state_implied_sewer(self) -> None:
        """Sites with counted water and no tracked sewer meter imply sewer usage."""
        if self.fraction is None:
            return
        metered = {
            m.site.id
            for m in self.meters
            if m.commodity == "SEWER" and m.counted and m.site is not None
        }
        for site in self.sites:
            if site.id not in metered and self._counted_months(site, "WATER"):
                self.landing.finding(
                    "implied_sewer",
                    site_id=site.id,
                    implied_sewer_fraction=self.fraction,
                )

    def _state_mirror_estimates(self) -> None:
        """Each month a mirror site estimates: the site has no counted usage of a
        commodity of its meters, its mirror has some (through the as-of month)."""
        as_of_month = _month_start(self.gen.as_of)
        for site in self.mirrors:
            mirror = self.sites[0]
            scale = _scale_factor(site, mirror)
            commodities = sorted(
                {
                    m.commodity
                    for m in self.meters
                    if m.site is site
                    and m.is_tracked
                    and not m.is_duplicated
                    and m.cascade_reason is None
                }
            )
            for commodity in commodities:
                own = self._counted_months(site, commodity)
                for month in sorted(self._counted_months(mirror, commodity) - own):
                    if month <= as_of_month:
                        self.landing.finding(
                            "mirror_estimate",
                            site_id=site.id,
                            mirror_site_id=mirror.id,
                            commodity=commodity,
                            month=month.isoformat(),
                            scale_factor=scale,
                        )

    # -- the VND company's exact bills ---------------------------------------------

    def _large_bill_period(self) -> tuple[date, date]:
        """Jan 15 to Feb 14 of the last year billed beyond February."""
        last = self.gen.last_day
        year = last.year if last.month >= 3 else last.year - 1
        return date(year, 1, 15), date(year, 2, 14)

    def _plant_large_currency_bills(self) -> None:
        """Two bills with figures a warehouse must keep exactly.

        A bill of VND 3,580,892,862.63 over three electricity meters, and a
        water usage row of 6,227,440,270.173 gal from Jan 15 to Feb 14.
        """
        mess = self.mess
        plant = next(g for g in self.groups if g.key == "plant")
        reservoir = next(g for g in self.groups if g.key == "reservoir")
        start, end = self._large_bill_period()
        bill_time = datetime(start.year, 2, 20, 9, 30)
        figures = _PLANT_FIGURES
        bill_id = self._id("D", 8)
        self.landing.write(
            "documents",
            {
                "id": bill_id,
                "account_id": plant.owner.id,
                "start_date": start.isoformat(),
                "bill_date": end.isoformat(),
                "total_charges": "VND 3,580,892,862.63",
                "current_charges": "VND 3,580,892,862.63",
                "charges_units": "VND",
                "source_system": "edi_810",
                "updated_at": mess.timestamp(bill_time),
            },
        )
        usage: dict[str, str] = {}
        for meter, figure in zip(plant.meters, figures, strict=True):
            usage_id = self._id("U", 9)
            self.landing.write(
                "usage_data",
                {
                    "id": usage_id,
                    "document_id": bill_id,
                    "meter_id": meter.id,
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat(),
                    "raw_usage": figure,
                    "raw_usage_units": "kWh",
                },
            )
            usage[meter.id] = figure.replace(",", "")
            self._record_span(meter, start, end, bill_id)
        self.landing.note(
            "large_currency_bill",
            {
                "document_id": bill_id,
                "currency": LARGE_CURRENCY,
                "current_charges": "3580892862.63",
                "meter_usage_kwh": usage,
            },
        )
        water_id, usage_id = self._id("D", 8), self._id("U", 9)
        water_cents = 4_128_395_011_250
        symbol = _CURRENCY_SYMBOL[LARGE_CURRENCY]
        charges = f"{symbol}{money_text(water_cents, grouped=True)}"
        if not mess.fits(symbol):
            charges = money_text(water_cents)
        self.landing.write(
            "documents",
            {
                "id": water_id,
                "account_id": reservoir.owner.id,
                "start_date": start.isoformat(),
                "bill_date": end.isoformat(),
                "total_charges": charges,
                "current_charges": charges,
                "charges_units": "vnd",
                "source_system": "utility_portal",
                "updated_at": mess.timestamp(bill_time),
            },
        )
        meter = reservoir.meters[0]
        self.landing.write(
            "usage_data",
            {
                "id": usage_id,
                "document_id": water_id,
                "meter_id": meter.id,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "raw_usage": _RESERVOIR_USAGE,
                "raw_usage_units": "gal",
            },
        )
        self._record_span(meter, start, end, water_id)
        self.landing.note(
            "big_water_usage",
            {
                "usage_id": usage_id,
                "document_id": water_id,
                "meter_id": meter.id,
                "standard_usage": "6227440270.173",
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "current_charges": money_text(water_cents),
            },
        )


# --- currencies and countries: company 1's sites abroad ---------------------------


@dataclass(frozen=True)
class _AbroadSite:
    """A site of company 1 in another country, billed by line items only."""

    country: str  # alpha-2
    written: str  # the country as the sites file spells it
    city: str
    provider: str
    meters: int = 1


_ABROAD_SITES: tuple[_AbroadSite, ...] = (
    _AbroadSite("US", "usa", "Reno", "Sierra Mountain Power", meters=2),
    _AbroadSite("CA", "Canada", "Halifax", "Maritime Electric Co"),
    _AbroadSite("GB", "UK", "London", "Thames Energy Supply"),
    _AbroadSite("AU", "AUS", "Sydney", "Harbour City Power"),
    _AbroadSite("SE", "sweden", "Malmö", "Öresund Kraft"),
    _AbroadSite("JP", "JPN", "Osaka", "Kansai Power"),
    _AbroadSite("IN", "India", "Pune", "Deccan Power"),
    _AbroadSite("CH", "che", "Basel", "Rhein Energie"),
    _AbroadSite("DE", "Germany", "Leipzig", "Sachsen Strom"),
)


@dataclass(frozen=True)
class _CurrencyBill:
    """A bill whose charges_units and amounts are written in one currency form.

    ``items`` are (country of the site whose meter the line item names, cents,
    how the amount is written: a template of amount_text styles such as
    ``US$ {short}``); the charges are their sum, written as ``charges``.
    ``currency`` is what the warehouse must make of ``charges_units`` (None: no
    currency, a field issue ``issue`` and the charges unattributed).
    """

    charges_units: str | None
    items: tuple[tuple[str, int, str], ...]
    charges: str
    currency: str | None
    issue: str | None = None


_CURRENCY_BILLS: tuple[_CurrencyBill, ...] = (
    _CurrencyBill(
        "US$",
        (("US", 500, "US$ {short}"), ("US", 125_000, "US${grouped}")),
        "US$ {grouped}",
        "USD",
    ),
    _CurrencyBill(None, (("US", 84_210, "${grouped}"),), "{plain}", "USD"),
    _CurrencyBill(
        "CA$",
        (("CA", 10_000, "CA${short}"), ("CA", 1_250, "C$ {plain}")),
        "CA$ {grouped}",
        "CAD",
    ),
    _CurrencyBill(
        "£",
        (("GB", 123_456, "£{grouped}"), ("GB", 2_500, "{plain} GBP")),
        "£{grouped}",
        "GBP",
    ),
    _CurrencyBill(
        "A$",
        (("AU", 500, "A$ {short}"), ("AU", 99_000, "AU${grouped}")),
        "A$ {grouped}",
        "AUD",
    ),
    _CurrencyBill("$", (("AU", 45_075, "${grouped}"),), "${grouped}", "AUD"),
    _CurrencyBill(
        "kr",
        (("SE", 1_200, "{plain} kr"), ("SE", 125_000, "{grouped} kr")),
        "{grouped} kr",
        "SEK",
    ),
    _CurrencyBill(
        "¥",
        (("JP", 1_200_000, "¥{whole}"), ("JP", 340_000, "JPY {whole}")),
        "¥{whole}",
        "JPY",
    ),
    _CurrencyBill(
        "Rs.",
        (
            ("IN", 50_000, "Rs. {short}"),
            ("IN", 12_345_600, "Rs. {indian}"),
            ("IN", 250_000, "₹{grouped}"),
        ),
        "Rs. {indian}",
        "INR",
    ),
    _CurrencyBill(
        "Fr.",
        (("CH", 123_450, "CHF {apostrophe}"), ("CH", 198_765, "{typographic}")),
        "Fr. {apostrophe}",
        "CHF",
    ),
    _CurrencyBill(
        "€",
        (("DE", 182_055, "€{grouped}"), ("DE", 1_250, "{plain} EUR")),
        "€{grouped}",
        "EUR",
    ),
    _CurrencyBill("eUr", (("DE", 4_200, "{plain} eur"),), "eur {plain}", "EUR"),
    # A bare "$" on a bill with meters in the US and in Canada: no one currency.
    _CurrencyBill(
        "$",
        (("US", 7_500, "${plain}"), ("CA", 2_500, "${plain}")),
        "${plain}",
        None,
        "ambiguous_currency",
    ),
    _CurrencyBill(
        "Dollars", (("US", 3_000, "{plain}"),), "{plain}", None, "unknown_currency"
    ),
)
_AMOUNT_STYLE = re.compile(r"\{(\w+)\}")
# The negative-usage bill: kWh of the meter that counts, of the one whose IMPORT
# usage is negative, and the bill's charges (cents).
_NEGATIVE_BILL_USAGE = ("1,250.000", "-310.500")
_NEGATIVE_BILL_CENTS = 16_250


def written_amount(template: str, cents: int) -> str:
    """An amount template filled in: ``US$ {short}`` and 500 -> ``US$ 5``."""
    return _AMOUNT_STYLE.sub(lambda match: amount_text(cents, match.group(1)), template)


@dataclass
class _Abroad:
    """An abroad site as written: its id, account and meters."""

    spec: _AbroadSite
    site_id: str
    account_id: str
    meter_ids: list[str]


class _CurrencyCases:
    """Company 1's sites abroad and the bills that carry every currency form.

    Each abroad site has an account and one electricity meter (two in the US)
    and no regular bills. In the last billed month, bills on their accounts
    write charges_units as a code in odd case, a symbol of one currency
    (``US$``, ``CA$``, ``A$``, ``£``, ``€``, ``Fr.``), an ambiguous symbol that
    the site's country resolves (``$`` in Australia, ``kr``, ``¥``, ``Rs.``),
    nothing (the country resolves it too), ``$`` over meters in two countries
    (ambiguous_currency) and ``Dollars`` (unknown_currency); their line items
    name the sites' meters, with amounts such as ``US$ 5``, ``CA$100``,
    ``12.00 kr``, ``Rs. 1,23,456.00`` and ``CHF 1'234.50``. The US site also
    has a bill whose second meter's IMPORT usage is negative (negative_usage):
    it counts, but weighs nothing, so the whole bill goes to the first meter.
    """

    def __init__(self, company: _Company) -> None:
        self.company = company
        self.landing = company.landing
        self.mess = company.mess
        self.sites: dict[str, _Abroad] = {}

    def write_dimensions(self) -> None:
        company, mess, rng = self.company, self.mess, self.company.rng
        for spec in _ABROAD_SITES:
            site_id = company._id("S", 6)
            account_id = company._id("A", 6)
            address = f"{rng.randint(1, 400)} {rng.choice(_STREETS)} St"
            city = mess.fit(spec.city)
            self.landing.write(
                "sites",
                {
                    "id": site_id,
                    "company_id": company.id,
                    "name": f"{city} Office",
                    "address": address,
                    "city": city,
                    "country": spec.written,
                    "gross_floor_area": str(rng.randrange(800, 5_000, 10)),
                    "gross_floor_area_units": "SQ_FT"
                    if spec.country == "US"
                    else "SQ_M",
                    "updated_at": company._updated_at(company._dimension_time()),
                },
            )
            self.landing.site_country(site_id, spec.country)
            self.landing.write(
                "accounts",
                {
                    "id": account_id,
                    "company_id": company.id,
                    "account_number": f"{rng.randint(10**7, 10**8 - 1)}",
                    "provider_name": mess.fit(spec.provider),
                    "status": mess.enum("ONBOARDED"),
                    "primary_identifier_type": "METER",
                    "updated_at": company._updated_at(company._dimension_time()),
                },
            )
            abroad = _Abroad(spec, site_id, account_id, [])
            for _ in range(spec.meters):
                meter_id = company._id("M")
                value = company._id("WS", 7)
                abroad.meter_ids.append(meter_id)
                self.landing.write(
                    "meters",
                    {
                        "id": meter_id,
                        "company_id": company.id,
                        "account_id": account_id,
                        "site_id": site_id,
                        "datasource_type": mess.enum("ELECTRICITY"),
                        "is_tracked": mess.boolean(True, _BLANK_DEFAULT_SHARE),
                        "is_duplicated": mess.boolean(False, _BLANK_DEFAULT_SHARE),
                        "service_address": f"{address}, {city}",
                        "updated_at": company._updated_at(company._dimension_time()),
                    },
                )
                self.landing.write(
                    "meter_identifiers",
                    {"meter_id": meter_id, "identifier_type": "METER", "value": value},
                )
                company.identifier_sets[meter_id] = frozenset(
                    {("METER", normalize_value(value))}
                )
            self.sites[spec.country] = abroad

    def _period(self) -> tuple[date, date]:
        last = self.company.gen.last_day
        return _month_start(last), last

    def _document(
        self, document_id: str, account_id: str, charges: str, units: str | None
    ) -> Row:
        start, end = self._period()
        moment = datetime(end.year, end.month, end.day) + timedelta(days=3, hours=8)
        return {
            "id": document_id,
            "account_id": account_id,
            "start_date": self.mess.date(start),
            "bill_date": self.mess.date(end),
            "total_charges": charges,
            "current_charges": charges,
            "charges_units": units,
            "source_system": "edi_810",
            "updated_at": self.mess.timestamp(moment),
        }

    def write_bills(self) -> None:
        if self.landing.has("line_items"):
            for bill in _CURRENCY_BILLS:
                self._write_currency_bill(bill)
        self._write_negative_usage_bill()

    def _fit(self, template: str, cents: int) -> str:
        text = written_amount(template, cents)
        return text if self.mess.fits(text) else written_amount("{grouped}", cents)

    def _write_currency_bill(self, bill: _CurrencyBill) -> None:
        company = self.company
        # A currency that cannot be settled spoils charges_units: only with room.
        spoiled = ("charges_units",) if bill.currency is None else ()
        if not self.landing.has_room("documents", spoiled):
            return
        document_id = company._id("D", 8)
        first = self.sites[bill.items[0][0]]
        cents = sum(item_cents for _, item_cents, _ in bill.items)
        charges = self._fit(bill.charges, cents)
        self.landing.write(
            "documents",
            self._document(document_id, first.account_id, charges, bill.charges_units),
            spoiled,
        )
        attributed: dict[str, int] = {}
        for country, item_cents, template in bill.items:
            meter_id = self.sites[country].meter_ids[0]
            attributed[meter_id] = attributed.get(meter_id, 0) + item_cents
            self.landing.write(
                "line_items",
                {
                    "id": company._id("L", 9),
                    "document_id": document_id,
                    "meter_id": meter_id,
                    "charge_type": "USAGE",
                    "datasource_type": "ELECTRICITY",
                    "description": "Energy charge",
                    "amount": self._fit(template, item_cents),
                },
            )
        if bill.currency is None:
            assert bill.issue is not None and bill.charges_units is not None
            self.landing.field_issue(
                "documents", document_id, "charges_units", bill.issue
            )
            self.landing.rejected("documents", "charges_units", bill.charges_units)
            self.landing.unattributed(document_id, None, cents, "unknown_currency")
            attributed = {}
        self.landing.note_item(
            "currency_bills",
            {
                "document_id": document_id,
                "charges_units": bill.charges_units,
                "currency": bill.currency,
                "attributed": {
                    meter_id: money_text(amount)
                    for meter_id, amount in sorted(attributed.items())
                },
            },
        )

    def _write_negative_usage_bill(self) -> None:
        """Two meters of the US site on one bill; the second's IMPORT usage is
        negative: it counts as billed but weighs zero, so the first meter gets
        the whole bill and the second nothing."""
        company = self.company
        us = self.sites["US"]
        start, end = self._period()
        document_id = company._id("D", 8)
        self.landing.write(
            "documents",
            self._document(
                document_id, us.account_id, money_text(_NEGATIVE_BILL_CENTS), "USD"
            ),
        )
        usage_ids: list[str] = []
        for meter_id, usage in zip(us.meter_ids, _NEGATIVE_BILL_USAGE, strict=True):
            usage_id = company._id("U", 9)
            usage_ids.append(usage_id)
            self.landing.write(
                "usage_data",
                {
                    "id": usage_id,
                    "document_id": document_id,
                    "meter_id": meter_id,
                    "start_date": self.mess.date(start),
                    "end_date": self.mess.date(end),
                    "raw_usage": usage,
                    "raw_usage_units": "kWh",
                },
            )
        self.landing.field_issue(
            "usage_data", usage_ids[1], "raw_usage", "negative_usage"
        )
        counted, negative = us.meter_ids
        self.landing.note(
            "negative_usage_bill",
            {
                "document_id": document_id,
                "usage_id": usage_ids[1],
                "meter_id": negative,
                "usage_kwh": _NEGATIVE_BILL_USAGE[1].replace(",", ""),
                "attributed": {
                    counted: money_text(_NEGATIVE_BILL_CENTS),
                    negative: money_text(0),
                },
            },
        )


# --- entry points --------------------------------------------------------------


def _clear_landing_files(out_dir: Path, keep: set[str]) -> None:
    """Remove files of any entity, in any format or spelling, not in ``keep``."""
    for path in out_dir.iterdir():
        if path.is_file() and path.name not in keep and _landing_entity(path):
            path.unlink()


def _write_landing_settings(out_dir: Path, params: Parameters) -> None:
    """Write landing.json when the folder needs one, else remove an old one."""
    path = out_dir / LANDING_SETTINGS_NAME
    settings = params.landing_settings() if params.landing_json else {}
    if settings:
        path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    elif path.is_file():
        path.unlink()


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
    without: Sequence[str] = (),
    messy_names: bool = True,
    encoding: str = "utf-8",
    locale: str = DEFAULT_LOCALE,
    landing_json: bool = True,
) -> dict[str, int]:
    """Write a landing folder and its manifest; the rows written per entity.

    ``locale`` names the folder's convention (LOCALES); unless ``landing_json``
    is False, a folder whose convention or encoding is not the loader's
    default describes itself in landing.json. Raises ValueError on a bad
    parameter (before anything is written).
    """
    if isinstance(without, str):
        without = (without,)
    params = Parameters(
        companies=companies,
        sites=sites,
        months=months,
        seed=seed,
        end_month=end_month,
        meters_per_site=meters_per_site,
        file_format=file_format,
        without=tuple(sorted(set(without))),
        messy_names=messy_names,
        encoding=encoding,
        locale=locale,
        landing_json=landing_json,
    )
    first_day, last_day = params.validate()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = formats_by_entity(file_format)
    keep = {
        landing_file_name(entity.name, formats[entity.name], messy_names)
        for entity in contract.ENTITIES
        if entity.name not in params.without
    }
    _clear_landing_files(out_dir, keep)
    _write_landing_settings(out_dir, params)
    landing = _Landing(out_dir, params, formats)
    try:
        try:
            _Generator(params, landing, first_day, last_day).run()
        finally:
            landing.close()
        landing.write_manifest(out_dir / MANIFEST_NAME, last_day + timedelta(days=1))
    finally:
        landing.discard()
    return landing.rows()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from utility_warehouse.safe_output import folder_argument

    parser.add_argument(
        "--out",
        type=folder_argument,
        required=True,
        metavar="DIR",
        help="landing folder to write (a folder or a new name; never a symlink)",
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
    parser.add_argument(
        "--without",
        action="append",
        choices=OPTIONAL_FILES,
        default=[],
        metavar="FILE",
        help=(
            "leave an optional file out: " + ", ".join(OPTIONAL_FILES) + " (repeatable)"
        ),
    )
    parser.add_argument(
        "--clean-names",
        action="store_true",
        help=(
            "write the contract's file and column names (default: messy names "
            "such as Meter_Tags.csv, line_items.CSV and a ' updated_at ' header)"
        ),
    )
    parser.add_argument(
        "--encoding",
        default="utf-8",
        metavar="NAME",
        help="text encoding of CSV and JSONL files, e.g. cp1252 (default utf-8)",
    )
    parser.add_argument(
        "--locale",
        choices=tuple(LOCALES),
        default=DEFAULT_LOCALE,
        help=(
            "how dates and decimals are written: mdy-point (month-first dates, "
            "decimal points; the default), dmy-comma (13/01/2025 or 13.01.2025, "
            "1.820,55 €, 12,5), or dmy-point and mdy-comma (one of the two); "
            "the same seed writes the same portfolio in each"
        ),
    )
    parser.add_argument(
        "--no-landing-json",
        dest="landing_json",
        action="store_false",
        help=(
            "leave landing.json out, so that a folder in another convention than "
            "the loader's default must be refused unless the run is told it"
        ),
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
            without=args.without,
            messy_names=not args.clean_names,
            encoding=args.encoding,
            locale=args.locale,
            landing_json=args.landing_json,
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
