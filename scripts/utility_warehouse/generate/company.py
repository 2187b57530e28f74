"""One company from start to end, and the generator that writes every company
in turn."""

from __future__ import annotations

from datetime import date, timedelta

from utility_warehouse.generate.carbon_company import _CarbonInputs
from utility_warehouse.generate.currencies import _CurrencyCases
from utility_warehouse.generate.dimensions import _Dimensions
from utility_warehouse.generate.landing import _Landing
from utility_warehouse.generate.large_bills import _LargeCurrencyBills
from utility_warehouse.generate.parameters import Parameters
from utility_warehouse.generate.periods import _Periods
from utility_warehouse.generate.planted_audits import (
    _AuditCases,
    state_implausible_home_site,
    state_stale_meters,
)
from utility_warehouse.generate.seasons import _Seasons


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
        _CarbonInputs(self).write()


class _Company(_LargeCurrencyBills, _Periods, _Dimensions):
    """One company of the portfolio, written from start to end.

    Its parts, one job each, are mixins over _CompanyBase: the portfolio
    (_Portfolio), dimension rows (_Dimensions), billing periods (_Periods),
    bills and usage (_Bills), the cases planted next to them
    (_PlantedDocuments, _PlantedUsage), the VND company's exact bills
    (_LargeCurrencyBills) and the manifest's findings (_Findings).
    """

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
        state_stale_meters(self)
        if self.first:
            _AuditCases(self).write()
        if self.large:
            state_implausible_home_site(self)
        if self.first and self.original is not None:
            self.gen.foreign_meter_id = self.original.id
