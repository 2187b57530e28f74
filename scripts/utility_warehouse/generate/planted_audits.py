"""The bill audits planted on purpose, each with a near-miss just inside its
threshold, and the implausible site the VND company holds.

Company 1 gets two clean US sites billed on calendar months (first to last
day), each meter on an account of its own, with values written plainly (no
random draw: the other cases and their streams stay as they were):

``Audit Lab`` (40,000 sq ft)
    ``main`` (``MA``, about 10,000 kWh a month at 0.25 USD/kWh) carries, on
    its last fifteen bills: a line-item sum 25.00 off charges of 2,500.00 (1%
    exactly: near-miss) and one 100.00 off (line_items_mismatch); charges equal
    to the previous bill's (repeated_charges) and the next 0.01 above them
    (near-miss); a ``Late payment fee`` of 30.00 (late_fee) next to a ``Late
    payment charge`` of 0.00, a ``Late fee reversal`` of -20.00 and a
    ``Returned payment fee`` of 15.00 (near-misses: not positive, or not
    matching ``late|penalty|interest|overdue``); a DEMAND line item of 60% of
    the charges (high_demand_share) and one of exactly 50% (near-miss); a bill
    starting 2 days after its usage row (usage_outside_bill_period) and one
    starting 1 day after (near-miss); a unit cost of 0.50 (twice the median
    0.25: unit_cost_outlier) and one of 0.375 (exactly 50% off: near-miss);
    three estimated periods in a row (the third: estimated_streak) and, before
    them, two (near-miss).
    ``sign`` (``MT``, about 200 kWh a month): a line-item sum 1.01 off charges
    of about 50 (the 1.00 floor: line_items_mismatch) and one exactly 1.00 off
    charges of 50.00 (near-miss).
    ``stale`` (``MS``): its last bill ends at the end of the fourth month
    before the as-of date (stale_meter); ``lapsing`` (``MN``): its last bill
    ends exactly 90 days before the as-of date (near-miss). Both leave their
    later months uncovered (planted missing and partial months).

``Audit Kiosk`` (24 sq ft per month billed in its shortest calendar year)
    one meter whose counted electricity is exactly 500 kWh/ft² in the
    calendar years with the fewest billed months (near-miss) and more in the
    others (implausible_intensity).

Amounts and usage are chosen so that every comparison is exact in binary
floating point too (unit costs 0.25, 0.375 and 0.5; tolerances 25.00 and
1.00), so a near-miss is one whatever arithmetic the warehouse uses.

The VND company's home site (``Ho Chi Minh City Office 1`` in the demo) holds
the plant billed at the level of its exact bills: its reservoir's water, some
75 billion gallons a year, is implausible per square foot in every calendar
year with more than a few days of it, and so, in most years, is the site's
electricity. Those site x commodity x years whose counted usage, estimated
from the periods written with a wide margin, clearly exceeds the bound are
stated as implausible_intensity findings.

The manifest states the findings (``expected_bill_audits``), the near-misses
(``bill_audit_near_misses``) and, per audit, whether its findings are all
there (``bill_audits_complete``): the regular bills trip some audits too (a
late payment fee on some bills, charges a few dollars off their line items,
unit costs that move with fixed fees, random estimated reads), so only
stale_meter is complete: every company's active meters are checked against
their latest counted period (``state_stale_meters``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from utility_warehouse.generate.entities import _Span
from utility_warehouse.generate.oracle import (
    _area_units,
    _coverage,
    _month_start,
    _next_month,
    _status,
)
from utility_warehouse.generate.values import money_text, normalize_value

if TYPE_CHECKING:
    from utility_warehouse.generate.company import _Company

AUDITS: tuple[str, ...] = (
    "line_items_mismatch",
    "repeated_charges",
    "estimated_streak",
    "unit_cost_outlier",
    "usage_outside_bill_period",
    "late_fee",
    "high_demand_share",
    "stale_meter",
    "implausible_intensity",
)
"""The audits of dq_bill_audits."""

COMPLETE_AUDITS: frozenset[str] = frozenset({"stale_meter"})
"""The audits whose findings the manifest states exhaustively: every active
meter's latest counted period is known from the periods written."""

AUDIT_KEYS: tuple[str, ...] = (
    "audit",
    "document_id",
    "meter_id",
    "item_id",
    "site_id",
    "company_id",
    "commodity",
    "year",
)
"""The natural keys of a finding, as the manifest states them."""

INTENSITY_BOUNDS: dict[str, int] = {"ELECTRICITY": 500, "WATER": 2_000}
"""Usage per square foot and year above which a site is implausible (the
commodities planted here)."""

_MAIN_BILLS = 15
"""The last bills of the main meter carry one case each (fewer months: none)."""
_RATE_CENTS_PER_4_KWH = 100  # 0.25 USD/kWh
_STALE_DAYS = 90


@dataclass
class _Bill:
    """One calendar bill of a planted meter, and what is odd about it."""

    start: date
    end: date
    usage: int  # kWh
    cents: int  # current charges
    items: list[tuple[str, str, int]] = field(default_factory=list)
    # (charge_type, description, cents); none: one USAGE item of the charges
    start_shift: int = 0  # the bill's start_date this many days after usage's
    estimated: bool = False
    document_id: str = ""
    usage_id: str = ""
    item_ids: list[str] = field(default_factory=list)


@dataclass
class _PlantedMeter:
    key: str
    site_id: str
    meter_id: str = ""
    account_id: str = ""
    bills: list[_Bill] = field(default_factory=list)


def _months(first: date, last: date) -> list[tuple[date, date]]:
    months: list[tuple[date, date]] = []
    month = _month_start(first)
    while month <= last:
        end = _next_month(month) - timedelta(days=1)
        months.append((month, end))
        month = _next_month(month)
    return months


def _cost(usage: int, per_kwh_quarters: int = 1) -> int:
    """Cents of usage kWh at 0.25 USD/kWh times per_kwh_quarters."""
    return usage * 25 * per_kwh_quarters


class _AuditCases:
    """Company 1's audit sites: the planted bill audits and their near-misses."""

    def __init__(self, company: _Company) -> None:
        self.company = company
        self.landing = company.landing
        self.as_of: date = company.gen.as_of
        self.months = _months(company.gen.first_day, company.gen.last_day)
        self.items = self.landing.has("line_items")

    # --- planning ----------------------------------------------------------

    def _plain(self, key: str, site_id: str, base: int, step: int) -> _PlantedMeter:
        meter = _PlantedMeter(key, site_id)
        for index, (start, end) in enumerate(self.months):
            usage = base + step * index
            meter.bills.append(_Bill(start, end, usage, _cost(usage)))
        return meter

    def _plan_main(self, meter: _PlantedMeter) -> None:
        """One case or near-miss per bill on the last fifteen bills."""
        bills = meter.bills[-_MAIN_BILLS:]
        (near_mismatch, mismatch, repeated_base, repeated, near_repeated) = bills[:5]
        (late, demand, near_demand, outside, near_outside) = bills[5:10]
        outlier, near_outlier = bills[10:12]
        # The 1% tolerance exactly: 25.00 off charges of 2,500.00.
        near_mismatch.usage, near_mismatch.cents = 10_000, 250_000
        near_mismatch.items = [("USAGE", "Energy charge", 247_500)]
        mismatch.items = [("USAGE", "Energy charge", mismatch.cents - 10_000)]
        repeated.cents = repeated_base.cents
        near_repeated.cents = repeated.cents + 1
        late.items = [
            ("USAGE", "Energy charge", late.cents - 2_500),
            ("OTHER", "Late payment fee", 3_000),
            ("OTHER", "Late payment charge", 0),
            ("CREDIT", "Late fee reversal", -2_000),
            ("FEE", "Returned payment fee", 1_500),
        ]
        demand.items = [
            ("USAGE", "Energy charge", demand.cents * 4 // 10),
            ("DEMAND", "Demand charge", demand.cents - demand.cents * 4 // 10),
        ]
        assert near_demand.cents % 2 == 0
        near_demand.items = [
            ("USAGE", "Energy charge", near_demand.cents // 2),
            ("DEMAND", "Demand charge", near_demand.cents // 2),
        ]
        outside.start_shift, near_outside.start_shift = 2, 1
        outlier.cents = _cost(outlier.usage, 2)  # 0.50 USD/kWh
        near_outlier.cents = _cost(near_outlier.usage, 3) // 2  # 0.375 USD/kWh
        for bill in (*bills[8:10], *bills[12:15]):
            bill.estimated = True

    def _plan_sign(self, meter: _PlantedMeter) -> None:
        """The 1.00 floor: 1.01 off (found) and 1.00 off charges of 50.00."""
        near, found = meter.bills[0], meter.bills[-1]
        near.usage, near.cents = 200, 5_000
        near.items = [("USAGE", "Energy charge", 4_900)]
        found.items = [("USAGE", "Energy charge", found.cents - 101)]

    def _plan_kiosk(self, meter: _PlantedMeter) -> int:
        """Monthly usage putting the years with the fewest billed months at 500
        kWh/ft² exactly and the others above; returns the floor area (ft²)."""
        by_year: dict[int, list[_Bill]] = {}
        for bill in meter.bills:
            by_year.setdefault(bill.start.year, []).append(bill)
        fewest = min(len(bills) for bills in by_year.values())
        area = 24 * fewest
        target = INTENSITY_BOUNDS["ELECTRICITY"] * area  # 12,000 kWh a month
        for bills in by_year.values():
            for offset, bill in enumerate(bills):
                bill.usage = 12_000 + 4 * (offset + 1)
            if len(bills) == fewest:
                bills[-1].usage = target - sum(b.usage for b in bills[:-1])
        for bill in meter.bills:
            bill.cents = _cost(bill.usage)
        return area

    # --- writing -----------------------------------------------------------

    def _site(self, name: str, area: int) -> str:
        company = self.company
        site_id = company._id("S", 6)
        self.landing.write(
            "sites",
            {
                "id": site_id,
                "company_id": company.id,
                "name": name,
                "address": "1 Audit Way",
                "city": "Springfield",
                "region": "IL",
                "postal_code": "62701",
                "country": "US",
                "gross_floor_area": str(area),
                "gross_floor_area_units": "SQ_FT",
                "updated_at": "2024-01-02T08:00:00Z",
                "grid_region": "SRMW",
            },
        )
        self.landing.site_country(site_id, "US")
        return site_id

    def _meter(self, meter: _PlantedMeter) -> None:
        company = self.company
        meter.account_id = company._id("A", 6)
        meter.meter_id = company._id("M")
        value = f"AUD-{meter.meter_id}"
        self.landing.write(
            "accounts",
            {
                "id": meter.account_id,
                "company_id": company.id,
                "account_number": f"9{meter.meter_id[1:]}",
                "provider_name": "Prairie State Power",
                "status": "ONBOARDED",
                "primary_identifier_type": "METER",
                "updated_at": "2024-01-02T08:00:00Z",
            },
        )
        self.landing.write(
            "meters",
            {
                "id": meter.meter_id,
                "company_id": company.id,
                "account_id": meter.account_id,
                "site_id": meter.site_id,
                "datasource_type": "ELECTRICITY",
                "is_tracked": "true",
                "is_duplicated": "false",
                "service_address": "1 Audit Way, Springfield",
                "updated_at": "2024-01-02T08:00:00Z",
            },
        )
        self.landing.write(
            "meter_identifiers",
            {"meter_id": meter.meter_id, "identifier_type": "METER", "value": value},
        )
        company.identifier_sets[meter.meter_id] = frozenset(
            {("METER", normalize_value(value))}
        )
        for bill in meter.bills:
            self._bill(meter, bill)

    def _bill(self, meter: _PlantedMeter, bill: _Bill) -> None:
        company = self.company
        bill.document_id = company._id("D", 8)
        moment = datetime(bill.end.year, bill.end.month, bill.end.day, 9) + timedelta(
            days=3
        )
        stamp = moment.isoformat(timespec="seconds") + "Z"
        self.landing.write(
            "documents",
            {
                "id": bill.document_id,
                "account_id": meter.account_id,
                "start_date": (
                    bill.start + timedelta(days=bill.start_shift)
                ).isoformat(),
                "bill_date": bill.end.isoformat(),
                "total_charges": money_text(bill.cents),
                "current_charges": money_text(bill.cents),
                "charges_units": "USD",
                "source_system": "edi_810",
                "updated_at": stamp,
            },
        )
        bill.usage_id = company._id("U", 9)
        self.landing.write(
            "usage_data",
            {
                "id": bill.usage_id,
                "document_id": bill.document_id,
                "meter_id": meter.meter_id,
                "start_date": bill.start.isoformat(),
                "end_date": bill.end.isoformat(),
                "raw_usage": f"{bill.usage}.000",
                "raw_usage_units": "kWh",
                "net_metering_type": "IMPORT",
                "is_estimated": "true" if bill.estimated else "false",
                "updated_at": stamp,
            },
        )
        if not self.items:
            return
        items = bill.items or [("USAGE", "Energy charge", bill.cents)]
        for charge_type, description, cents in items:
            item_id = company._id("L", 9)
            bill.item_ids.append(item_id)
            self.landing.write(
                "line_items",
                {
                    "id": item_id,
                    "document_id": bill.document_id,
                    "meter_id": meter.meter_id if charge_type == "USAGE" else None,
                    "charge_type": charge_type,
                    "datasource_type": "ELECTRICITY",
                    "description": description,
                    "amount": money_text(cents),
                    "updated_at": stamp,
                },
            )

    # --- the manifest --------------------------------------------------------

    def _state(
        self,
        audit: str,
        meter: _PlantedMeter,
        *,
        near: bool = False,
        bill: _Bill | None = None,
        item: str | None = None,
        per_meter: bool = False,
        year: int | None = None,
        case: str,
    ) -> None:
        entry: dict[str, object] = {
            "audit": audit,
            "document_id": bill.document_id if bill is not None else None,
            "meter_id": meter.meter_id if per_meter else None,
            "item_id": item,
            "site_id": meter.site_id,
            "company_id": self.company.id,
            "commodity": "ELECTRICITY" if per_meter or year is not None else None,
            "year": year,
            "case": case,
        }
        if near:
            self.landing.bill_audit_near_miss(entry)
        else:
            self.landing.bill_audit(entry)

    def _state_main(self, meter: _PlantedMeter) -> None:
        bills = meter.bills[-_MAIN_BILLS:]
        state = self._state
        if self.items:
            state(
                "line_items_mismatch",
                meter,
                near=True,
                bill=bills[0],
                case="line items 25.00 off charges of 2,500.00 (1% exactly)",
            )
            state(
                "line_items_mismatch",
                meter,
                bill=bills[1],
                case="line items 100.00 off the charges (over 1%)",
            )
            late = bills[5]
            state(
                "late_fee",
                meter,
                bill=late,
                item=late.item_ids[1],
                case="Late payment fee 30.00",
            )
            for item_id, case in zip(
                late.item_ids[2:],
                (
                    "Late payment charge 0.00 (not positive)",
                    "Late fee reversal -20.00 (not positive)",
                    "Returned payment fee 15.00 (matches no late-fee word)",
                ),
                strict=True,
            ):
                state("late_fee", meter, near=True, bill=late, item=item_id, case=case)
            state(
                "high_demand_share",
                meter,
                bill=bills[6],
                case="DEMAND line item 60% of the charges",
            )
            state(
                "high_demand_share",
                meter,
                near=True,
                bill=bills[7],
                case="DEMAND line item 50% of the charges exactly",
            )
        state(
            "repeated_charges",
            meter,
            bill=bills[3],
            case="charges equal to the previous bill's",
        )
        state(
            "repeated_charges",
            meter,
            near=True,
            bill=bills[4],
            case="charges 0.01 above the previous bill's",
        )
        for shift, near in ((2, False), (1, True)):
            bill = bills[8] if shift == 2 else bills[9]
            state(
                "usage_outside_bill_period",
                meter,
                near=near,
                bill=bill,
                item=bill.usage_id,
                per_meter=True,
                case=f"usage starts {shift} day(s) before the bill's start_date",
            )
        state(
            "unit_cost_outlier",
            meter,
            bill=bills[10],
            per_meter=True,
            case="0.50 USD/kWh against a median of 0.25",
        )
        state(
            "unit_cost_outlier",
            meter,
            near=True,
            bill=bills[11],
            per_meter=True,
            case="0.375 USD/kWh: exactly 50% off the median of 0.25",
        )
        state(
            "estimated_streak",
            meter,
            bill=bills[14],
            per_meter=True,
            case="the third estimated period in a row",
        )
        for bill in bills[8:10]:
            state(
                "estimated_streak",
                meter,
                near=True,
                bill=bill,
                per_meter=True,
                case="a streak of two estimated periods",
            )

    def _state_coverage(self, meter: _PlantedMeter) -> None:
        """The months a meter billed no longer leaves uncovered (planted)."""
        spans = [_Span(b.start, b.end, b.document_id) for b in meter.bills]
        as_of_month = _month_start(self.as_of)
        for month, (required, covered) in sorted(_coverage(spans, self.as_of).items()):
            if required == covered or month == as_of_month:
                continue
            self.landing.finding(
                f"{_status(required, covered)}_month",
                meter_id=meter.meter_id,
                month=month.isoformat(),
                required_days=required,
                covered_days=covered,
            )

    # --- all of it -----------------------------------------------------------

    def write(self) -> None:
        months = len(self.months)
        lab = self._site("Audit Lab", 40_000)
        planted: list[_PlantedMeter] = []
        main = sign = None
        if months >= _MAIN_BILLS:
            main = self._plain("main", lab, 10_000, 20)
            self._plan_main(main)
            planted.append(main)
        if months >= 2:
            sign = self._plain("sign", lab, 200, 1)
            self._plan_sign(sign)
            planted.append(sign)
        stale = lapsing = None
        stale_end = _month_start(self.as_of) - timedelta(days=1)
        for _ in range(3):
            stale_end = _month_start(stale_end) - timedelta(days=1)
        lapse_end = self.as_of - timedelta(days=_STALE_DAYS)
        if self.months[0][0] < _month_start(stale_end):
            stale = self._plain("stale", lab, 3_000, 7)
            stale.bills = [b for b in stale.bills if b.end <= stale_end]
            planted.append(stale)
        lapse_month = _month_start(lapse_end)
        if self.months[0][0] < _month_start(lapse_month - timedelta(days=1)):
            lapsing = self._plain("lapsing", lab, 3_500, 9)
            lapsing.bills = [b for b in lapsing.bills if b.start < lapse_month]
            lapsing.bills[-1].end = lapse_end  # first of last month to as-of - 90
            planted.append(lapsing)
        kiosk = self._plain("kiosk", "", 12_000, 4)
        area = self._plan_kiosk(kiosk)
        kiosk.site_id = self._site("Audit Kiosk", area)
        planted.append(kiosk)
        for meter in planted:
            self._meter(meter)
        if main is not None:
            self._state_main(main)
        if sign is not None and self.items:
            self._state(
                "line_items_mismatch",
                sign,
                bill=sign.bills[-1],
                case="line items 1.01 off charges of about 50 (over the 1.00 floor)",
            )
            self._state(
                "line_items_mismatch",
                sign,
                near=True,
                bill=sign.bills[0],
                case="line items 1.00 off charges of 50.00 (the floor exactly)",
            )
        for ending, near, case in (
            (stale, False, "latest period ends over 90 days before the as-of date"),
            (lapsing, True, "latest period ends 90 days before the as-of date"),
        ):
            if ending is None:
                continue
            days = (self.as_of - ending.bills[-1].end).days
            assert days == _STALE_DAYS if near else days > _STALE_DAYS
            self._state("stale_meter", ending, near=near, per_meter=True, case=case)
            self._state_coverage(ending)
        totals: dict[int, int] = {}
        for bill in kiosk.bills:
            totals[bill.start.year] = totals.get(bill.start.year, 0) + bill.usage
        bound = INTENSITY_BOUNDS["ELECTRICITY"] * area
        for year, total in sorted(totals.items()):
            self._state(
                "implausible_intensity",
                kiosk,
                near=total == bound,
                year=year,
                case=f"{total} kWh over {area} sq ft",
            )


def state_implausible_home_site(company: _Company) -> None:
    """The VND company's home site: its plant's water (and, most years, its
    electricity) per square foot is far above any building's.

    Each site x commodity x calendar year whose usage, estimated from the
    counted periods written (daily level times seasonal factors, at 90% of it for
    the random spread and exclusion rows), exceeds 1.5 times the bound.
    """
    site = company.sites[0]
    units = _area_units(site)
    if not units:
        return
    area = units / 10**10
    seasons = company.gen.seasons
    for commodity, bound in INTENSITY_BOUNDS.items():
        per_year: dict[int, float] = {}
        for meter in company.meters:
            if meter.site is not site or meter.commodity != commodity:
                continue
            for span in company.spans.get(meter.id, []):
                year = span.start.year
                while year <= span.end.year:
                    first = max(span.start, date(year, 1, 1))
                    last = min(span.end, date(year, 12, 31))
                    days = (last - first).days + 1
                    share = days / ((span.end - span.start).days + 1)
                    usage = meter.daily * seasons.total(commodity, span.start, span.end)
                    per_year[year] = per_year.get(year, 0.0) + usage * share
                    year += 1
        for year, usage in sorted(per_year.items()):
            if 0.9 * usage / area > 1.5 * bound:
                company.landing.bill_audit(
                    {
                        "audit": "implausible_intensity",
                        "document_id": None,
                        "meter_id": None,
                        "item_id": None,
                        "site_id": site.id,
                        "company_id": company.id,
                        "commodity": commodity,
                        "year": year,
                        "case": (
                            f"about {usage / area:,.0f} per sq ft a year at the "
                            "plant billed at the level of its exact bills"
                        ),
                    }
                )


def state_stale_meters(company: _Company) -> None:
    """Every active meter of the company's portfolio whose latest counted period
    ends more than 90 days before the as-of date (regular meters are billed to
    the end: none, unless a planted case leaves one so)."""
    as_of = company.gen.as_of
    for meter in company.meters:
        spans = company.spans.get(meter.id)
        group = company.group_of.get(meter.id)
        if not spans or group is None or not meter.counted:
            continue
        if company._reporting_status(group.owner) != "ONBOARDED":
            continue
        if company._archived(meter.site):
            continue
        latest = max(span.end for span in spans)
        if (as_of - latest).days > _STALE_DAYS:
            company.landing.bill_audit(
                {
                    "audit": "stale_meter",
                    "document_id": None,
                    "meter_id": meter.id,
                    "item_id": None,
                    "site_id": meter.site.id if meter.site is not None else None,
                    "company_id": company.id,
                    "commodity": meter.commodity,
                    "year": None,
                    "case": f"latest counted period ends {latest.isoformat()}",
                }
            )
