"""The portfolio's vocabulary: commodities and units, rates, currencies and
countries, places, providers, identifier types and tags, and how exports spell
them."""

from __future__ import annotations

from dataclasses import dataclass

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


_GRID_REGIONS: dict[str, str] = {
    "Springfield": "SRMW",
    "Austin": "ERCT",
    "Boston": "NEWE",
    "Denver": "RMPA",
    "Columbus": "RFCW",
    "Portland": "NWPP",
}
"""The eGRID subregion of each US city (seeds/emission_factors.csv has them)."""


def grid_region_text(city: str, turn: int) -> str | None:
    """A US city's eGRID subregion as a site writes it, spelled in turn as
    ``ERCT``, ``erct`` or `` ERCT `` (compared trimmed, upper case)."""
    region = _GRID_REGIONS.get(city)
    if region is None:
        return None
    return (region, region.lower(), f" {region} ")[turn % 3]


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

_BLANK_DEFAULT_SHARE = 0.2
"""Share of meters leaving is_tracked / is_duplicated blank (the default)."""
