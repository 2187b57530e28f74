"""The VND company's bills with figures a warehouse must keep exactly."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from utility_warehouse.generate.bills import _Bills
from utility_warehouse.generate.domain import (
    _CURRENCY_SYMBOL,
    _PLANT_FIGURES,
    _RESERVOIR_USAGE,
    LARGE_CURRENCY,
)
from utility_warehouse.generate.kinds import _EXACT_CHARGES
from utility_warehouse.generate.values import JsonNumber, money_text


class _LargeCurrencyBills(_Bills):
    """The VND company's exact bills."""

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
