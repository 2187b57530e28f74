"""Currencies and countries: company 1's sites abroad and the bills that carry
every currency form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from utility_warehouse.generate.company_base import _CompanyBase
from utility_warehouse.generate.domain import _BLANK_DEFAULT_SHARE, _STREETS
from utility_warehouse.generate.oracle import _month_start
from utility_warehouse.generate.values import (
    Row,
    amount_text,
    money_text,
    normalize_value,
)


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
    """An abroad site as written: its account and meters."""

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

    def __init__(self, company: _CompanyBase) -> None:
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
            abroad = _Abroad(account_id, [])
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
