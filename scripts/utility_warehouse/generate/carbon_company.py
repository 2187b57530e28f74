"""The carbon inputs: a clean carbon company with its contractual instruments
and a landing residual mix, and company 1's site without a country.

The carbon company (the last company, ``CO`` + companies + 1) is never touched
by the planted cases: three US sites with eGRID subregions (spelled ``camx``,
`` NYCW `` and ``RFCE``), one meter per commodity (ELECTRICITY at each site,
GAS, FUEL_OIL, PROPANE and STEAM), each billed on its own account by one bill
per calendar month (first to last day) from the first to the last billed
month. A bill's usage is thus its month's activity, and the manifest's
``expected_inventory`` is worked out from it by ``carbon`` (docs/methodology.md)
with the seed's factors and the rows written here:

- ``contractual_instruments``: a site REC (rate 0) spanning a month boundary
  mid-month, a company-wide supplier contract (rate 0.21, market US) over the
  last twelve months, an unlimited green tariff of one site for one month,
  and a REC far larger than its site's month (``unused_instrument_quantity``);
- ``emission_factors``: one obviously synthetic US ``residual_mix`` row for
  ELECTRICITY, so that uncovered US electricity takes the residual mix.

Company 1 also gets a clean site without a country with a gas meter billed the
same way (its factor comes from ``*``; no source-to-site ratio).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from utility_warehouse.generate import carbon
from utility_warehouse.generate.domain import _RATES
from utility_warehouse.generate.values import Row, money_text

if TYPE_CHECKING:
    from utility_warehouse.generate.company import _Generator

RESIDUAL_MIX_SOURCE = (
    "Synthetic residual mix planted by the generator; not a published value"
)
RESIDUAL_MIX = (Decimal("0.41"), Decimal("0.00003"), Decimal("0.000004"))
"""co2, ch4 and n2o kg per kWh of the planted US residual mix."""
SUPPLIER_RATE = Decimal("0.21")


@dataclass(frozen=True)
class _SiteSpec:
    name: str
    city: str
    region: str
    postal_code: str
    country: str | None  # as written
    country_code: str | None
    grid_region: str | None  # as written
    floor_area: str
    meters: tuple[tuple[str, int], ...]  # commodity, kWh per day


_CARBON_SITES = (
    _SiteSpec(
        "San Jose Office",
        "San Jose",
        "CA",
        "95113",
        "US",
        "US",
        "camx",
        "52000",
        (("ELECTRICITY", 1800), ("GAS", 1000)),
    ),
    _SiteSpec(
        "New York Store",
        "New York",
        "NY",
        "10007",
        "usa",
        "US",
        " NYCW ",
        "38000",
        (("ELECTRICITY", 1500), ("FUEL_OIL", 250)),
    ),
    _SiteSpec(
        "Philadelphia Plant",
        "Philadelphia",
        "PA",
        "19107",
        "United States of America",
        "US",
        "RFCE",
        "120000",
        (("ELECTRICITY", 1200), ("PROPANE", 120), ("STEAM", 500)),
    ),
)
_COUNTRYLESS_SITE = _SiteSpec(
    "Unmapped Yard", "Yardville", "", "", None, None, None, "6000", (("GAS", 400),)
)


def _month_starts(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


class _CarbonInputs:
    """Writes the carbon company, its instruments, the landing residual mix
    and company 1's site without a country; states the expected inventory."""

    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        self.landing = gen.landing
        self.rng = random.Random(f"utility-warehouse:{gen.params.seed}:carbon")
        self.company_id = f"CO{gen.params.companies + 1:04d}"
        self.months = _month_starts(gen.first_day, gen.last_day)
        self.meter_months: list[carbon.MeterMonth] = []
        self.sites: list[str] = []

    def write(self) -> None:
        self.landing.write(
            "companies",
            {"id": self.company_id, "name": "Carbon Ledger Co (synthetic)"},
        )
        for spec in _CARBON_SITES:
            self.sites.append(self._write_site(self.company_id, spec))
        self._write_site("CO0001", _COUNTRYLESS_SITE)
        instruments = self._write_instruments()
        factors = self._write_residual_mix()
        carbon_months = [
            m for m in self.meter_months if m.company_id == self.company_id
        ]
        rows = carbon.expected_inventory(
            carbon_months,
            [i for i in instruments if self.landing.has("contractual_instruments")],
            carbon.merge_factors(carbon.seed_factors(), factors),
        )
        self.landing.expected_inventory = {
            "company_id": self.company_id,
            "note": (
                "rpt_ghg_inventory's rows for the carbon company only (its "
                "bills cover whole calendar months; worked out by the "
                "generator from the methodology (docs/methodology.md), "
                "the emission_factors seed and the "
                "landing files)"
            ),
            "rows": rows,
        }

    def _write_site(self, company_id: str, spec: _SiteSpec) -> str:
        gen = self.gen
        site_id = gen.next_id("S", 6)
        self.landing.write(
            "sites",
            {
                "id": site_id,
                "company_id": company_id,
                "name": spec.name,
                "address": f"{self.rng.randint(1, 999)} Market St",
                "city": spec.city,
                "region": spec.region,
                "postal_code": spec.postal_code,
                "country": spec.country,
                "gross_floor_area": spec.floor_area,
                "gross_floor_area_units": "SQ_FT",
                "grid_region": spec.grid_region,
            },
        )
        self.landing.site_country(site_id, spec.country_code)
        for commodity, daily in spec.meters:
            self._write_meter(company_id, site_id, spec, commodity, daily)
        return site_id

    def _write_meter(
        self,
        company_id: str,
        site_id: str,
        spec: _SiteSpec,
        commodity: str,
        daily: int,
    ) -> None:
        gen, landing = self.gen, self.landing
        account_id = gen.next_id("A", 6)
        meter_id = gen.next_id("M", 7)
        landing.write(
            "accounts",
            {
                "id": account_id,
                "company_id": company_id,
                "account_number": f"CB-{meter_id}",
                "provider_name": "Carbon Ledger Utilities",
                "status": "ONBOARDED",
                "primary_identifier_type": "METER",
            },
        )
        landing.write(
            "meters",
            {
                "id": meter_id,
                "company_id": company_id,
                "account_id": account_id,
                "site_id": site_id,
                "datasource_type": commodity,
                "is_tracked": "true",
                "is_duplicated": "false",
                "service_address": f"{spec.name}, {spec.city}",
            },
        )
        landing.write(
            "meter_identifiers",
            {
                "meter_id": meter_id,
                "identifier_type": "METER",
                "value": f"CB{meter_id}",
            },
        )
        phase = self.rng.uniform(0, 2 * math.pi)
        for month in self.months:
            end = _month_end(month)
            days = (end - month).days + 1
            season = 1 + 0.08 * math.cos(2 * math.pi * (month.month - 1) / 12 + phase)
            kwh = Decimal(f"{daily * days * season * self.rng.uniform(0.97, 1.03):.3f}")
            cents = int(kwh * Decimal(str(_RATES[commodity])) * 100)
            document_id = gen.next_id("D", 8)
            landing.write(
                "documents",
                {
                    "id": document_id,
                    "account_id": account_id,
                    "start_date": month.isoformat(),
                    "bill_date": end.isoformat(),
                    "total_charges": money_text(cents),
                    "current_charges": money_text(cents),
                    "charges_units": "USD",
                    "source_system": "utility_portal",
                },
            )
            landing.write(
                "usage_data",
                {
                    "id": gen.next_id("U", 9),
                    "document_id": document_id,
                    "meter_id": meter_id,
                    "start_date": month.isoformat(),
                    "end_date": end.isoformat(),
                    "raw_usage": str(kwh),
                    "raw_usage_units": "kWh",
                    "standard_usage": str(kwh),
                    "net_metering_type": "IMPORT",
                },
            )
            landing.write(
                "line_items",
                {
                    "id": gen.next_id("L", 9),
                    "document_id": document_id,
                    "meter_id": meter_id,
                    "charge_type": "USAGE",
                    "datasource_type": commodity,
                    "description": "Energy charge",
                    "amount": money_text(cents),
                },
            )
            self.meter_months.append(
                carbon.MeterMonth(
                    company_id=company_id,
                    meter_id=meter_id,
                    site_id=site_id,
                    commodity=commodity,
                    month=month,
                    activity=kwh,
                    grid_region=spec.grid_region,
                    country=spec.country_code,
                )
            )

    def _write_instruments(self) -> list[carbon.Instrument]:
        """Instruments in the last billed months (those before the first
        billed month are moved to it; they may fall outside a short folder)."""
        last = self.months[-1]

        def back(count: int) -> date:
            return self.months[max(len(self.months) - 1 - count, 0)]

        site_a, site_b, site_c = self.sites
        rec_start = back(2) + timedelta(days=15)
        rec_end = back(1) + timedelta(days=14)
        if back(1) == back(2):  # a single month billed: the REC stays within it
            rec_end = _month_end(rec_start)
        instruments: list[
            tuple[str, str | None, str | None, date, date, Decimal | None, Decimal]
        ] = [
            # A site REC spanning a month boundary mid-month.
            ("REC", site_a, None, rec_start, rec_end, Decimal(30000), Decimal(0)),
            # A company-wide supplier-specific contract over the last year.
            (
                "Supplier-specific contract",
                None,
                "US",
                back(11),
                _month_end(last),
                Decimal(600000),
                SUPPLIER_RATE,
            ),
            # An unlimited green tariff of one site for one month.
            (
                "Green tariff",
                site_c,
                None,
                back(3),
                _month_end(back(3)),
                None,
                Decimal(0),
            ),
            # A REC far larger than its site's month: quantity left over.
            (
                "REC",
                site_b,
                None,
                back(1),
                _month_end(back(1)),
                Decimal(5000000),
                Decimal(0),
            ),
        ]
        written: list[carbon.Instrument] = []
        for number, (kind, site, market, start, end, quantity, rate) in enumerate(
            instruments, 1
        ):
            instrument = carbon.Instrument(
                id=f"CI-{self.company_id}-{number:02d}",
                company_id=self.company_id,
                site_id=site,
                market=market,
                commodity="ELECTRICITY",
                start=start,
                end=end,
                quantity=quantity,
                rate=rate,
            )
            row: Row = {
                "id": instrument.id,
                "company_id": self.company_id,
                "site_id": site,
                "market": market,
                "commodity": None if number % 2 else "Electricity",
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "quantity_kwh": None if quantity is None else str(quantity),
                "co2e_kg_per_kwh": str(rate),
                "instrument_type": kind,
            }
            self.landing.write("contractual_instruments", row)
            written.append(instrument)
        return written

    def _write_residual_mix(self) -> list[carbon.Factor]:
        """The landing's US residual mix for electricity (obviously synthetic)."""
        co2, ch4, n2o = RESIDUAL_MIX
        row: dict[str, str] = {
            "region": "US",
            "commodity": "ELECTRICITY",
            "year": str(self.months[0].year),
            "method": "residual_mix",
            "co2_kg_per_kwh": str(co2),
            "ch4_kg_per_kwh": str(ch4),
            "n2o_kg_per_kwh": str(n2o),
            "source": RESIDUAL_MIX_SOURCE,
        }
        if not self.landing.write("emission_factors", dict(row)):
            return []
        return carbon.factor_rows([row])
