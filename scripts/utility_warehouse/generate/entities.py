"""The portfolio model of one company: sites, accounts, meters, the groups of
meters billed together, billing periods, and what bills are hung on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from utility_warehouse.generate.domain import (
    _KWH_PER_GALLON,
    _UNIT_FACTORS,
    COMMODITY_KIND,
    ENERGY,
)


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
