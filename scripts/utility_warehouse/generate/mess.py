"""Messy spellings of clean values (dates, timestamps, amounts, currencies,
countries, quantities, booleans, enumerations, units, identifiers)."""

from __future__ import annotations

import random
import unicodedata
from datetime import date, datetime

from utility_warehouse.generate.domain import COUNTRIES
from utility_warehouse.generate.values import money_text, short_money_text

# How exports spell each unit.
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
# How exports spell a boolean.
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
