"""The expected GHG inventory (docs/methodology.md, energy and emissions),
worked out apart from the warehouse.

An oracle for ``rpt_ghg_inventory``: given meter-months whose activity is
known exactly (the carbon company bills whole calendar months, so a bill's
usage is its month's activity), the factor rows (``seeds/emission_factors.csv``
and the landing rows) and the contractual instruments, it gives each
company x year x scope x method row. Every step follows the methodology's words:

- factor lookup per meter-month and method: the candidate regions are the
  site's grid_region (trimmed, upper case), its country, ``*`` (an unassigned
  meter: ``*`` only); the first with any row for the commodity and method
  serves; within it the month's year, else the latest earlier, else the
  earliest later year;
- location-based: each gas ``round(activity x factor, 6)``, co2e
  ``round(co2 + ch4 x gwp_ch4 + n2o x gwp_n2o, 6)``;
- market-based (Scope 2, per company x commodity x month over the sites'
  positive activity): site instruments in id order, then company-wide ones in
  id order shared in proportion to uncovered activity (cumulative rounding,
  sites by site_id, no site last), then the residual mix (else the location
  factor) on what stays uncovered; a site-month with nothing covered and no
  residual mix keeps its location figure; Scope 1 market = location;
- instruments spread over their months by inclusive daily proration with
  cumulative rounding;
- ``co2e_t = round(sum of kg / 1000, 6)``.

Only decimal.Decimal, rounded to 6 places half away from zero where named.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

SEED_PATH = Path(__file__).resolve().parents[3] / "seeds" / "emission_factors.csv"
SCOPE_1 = ("GAS", "FUEL_OIL", "PROPANE")
SCOPE_2 = ("ELECTRICITY", "STEAM", "DISTRICT_HEATING", "DISTRICT_COOLING")
GWP_CH4 = Decimal(28)
GWP_N2O = Decimal(265)
_MICRO = Decimal("0.000001")
_PRECISION = 60  # room for exact products of 21-decimal factors


def round6(value: Decimal) -> Decimal:
    """Rounded to 6 places, half away from zero (ROUND_HALF_UP in decimal)."""
    return value.quantize(_MICRO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Factor:
    region: str
    commodity: str
    year: int
    method: str
    co2: Decimal
    ch4: Decimal
    n2o: Decimal

    def co2e_rate(self) -> Decimal:
        return self.co2 + self.ch4 * GWP_CH4 + self.n2o * GWP_N2O


@dataclass(frozen=True)
class MeterMonth:
    """A meter's activity (kWh) in a month, and where its site is."""

    company_id: str
    meter_id: str
    site_id: str | None
    commodity: str
    month: date  # the first day
    activity: Decimal
    grid_region: str | None
    country: str | None  # alpha-2


@dataclass(frozen=True)
class Instrument:
    id: str
    company_id: str
    site_id: str | None  # None: company-wide
    market: str | None  # alpha-2; None: no restriction
    commodity: str
    start: date
    end: date
    quantity: Decimal | None  # None: unlimited
    rate: Decimal  # co2e kg per kWh


def factor_rows(rows: Iterable[dict[str, str]]) -> list[Factor]:
    """Factor rows from CSV records (the seed's or the landing's columns)."""
    return [
        Factor(
            region=row["region"].strip().upper(),
            commodity=row["commodity"].strip().upper(),
            year=int(row["year"]),
            method=row["method"].strip().lower(),
            co2=Decimal(row["co2_kg_per_kwh"]),
            ch4=Decimal(row["ch4_kg_per_kwh"] or "0"),
            n2o=Decimal(row["n2o_kg_per_kwh"] or "0"),
        )
        for row in rows
    ]


def seed_factors(path: Path = SEED_PATH) -> list[Factor]:
    with path.open(encoding="utf-8", newline="") as handle:
        return factor_rows(csv.DictReader(handle))


def merge_factors(seed: Sequence[Factor], landing: Sequence[Factor]) -> list[Factor]:
    """Landing rows add to the seed and replace its rows of the same key."""
    keys = {(f.region, f.commodity, f.year, f.method) for f in landing}
    kept = [f for f in seed if (f.region, f.commodity, f.year, f.method) not in keys]
    return [*landing, *kept]


def lookup(
    factors: Sequence[Factor],
    commodity: str,
    method: str,
    regions: Sequence[str],
    year: int,
) -> Factor | None:
    for region in regions:
        rows = [
            f
            for f in factors
            if f.region == region and f.commodity == commodity and f.method == method
        ]
        if not rows:
            continue
        same = [f for f in rows if f.year == year]
        if same:
            return same[0]
        earlier = [f for f in rows if f.year < year]
        if earlier:
            return max(earlier, key=lambda f: f.year)
        return min(rows, key=lambda f: f.year)
    return None


def candidate_regions(row: MeterMonth) -> list[str]:
    if row.site_id is None:
        return ["*"]
    regions = []
    if row.grid_region and row.grid_region.strip():
        regions.append(row.grid_region.strip().upper())
    if row.country:
        regions.append(row.country)
    return [*regions, "*"]


def spread(quantity: Decimal, start: date, end: date) -> dict[date, Decimal]:
    """A quantity over the calendar months of start..end (inclusive daily
    proration, cumulative rounding to 6 places)."""
    total_days = (end - start).days + 1
    parts: dict[date, Decimal] = {}
    day, done, before = start, 0, Decimal(0)
    while day <= end:
        month = day.replace(day=1)
        next_month = (month + timedelta(days=32)).replace(day=1)
        last = min(end, next_month - timedelta(days=1))
        done += (last - day).days + 1
        cumulative = round6(quantity * done / total_days)
        parts[month] = cumulative - before
        before = cumulative
        day = last + timedelta(days=1)
    return parts


def _months(start: date, end: date) -> list[date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


@dataclass
class _SiteMonth:
    """What the inventory needs of a company x site x commodity x month."""

    activity: Decimal
    location_kg: Decimal | None
    market_kg: Decimal | None = None


def _location(row: MeterMonth, factors: Sequence[Factor]) -> Decimal | None:
    factor = lookup(
        factors, row.commodity, "location", candidate_regions(row), row.month.year
    )
    if factor is None:
        return None
    co2 = round6(row.activity * factor.co2)
    ch4 = round6(row.activity * factor.ch4)
    n2o = round6(row.activity * factor.n2o)
    return round6(co2 + ch4 * GWP_CH4 + n2o * GWP_N2O)


def _allocate(
    sites: dict[str | None, Decimal],
    countries: dict[str | None, str | None],
    site_instruments: Sequence[tuple[Instrument, Decimal | None]],
    company_instruments: Sequence[tuple[Instrument, Decimal | None]],
) -> dict[str | None, list[tuple[Decimal, Decimal]]]:
    """The (covered kWh, rate) of each site (by site_id, None = unassigned)
    over one company x commodity x month; ``sites`` holds positive activity."""
    uncovered = dict(sites)
    covered: dict[str | None, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for instrument, quantity in site_instruments:  # step 1, in id order
        site = instrument.site_id
        if site not in uncovered or not _in_market(instrument, countries[site]):
            continue
        take = uncovered[site] if quantity is None else min(quantity, uncovered[site])
        if take > 0:
            covered[site].append((take, instrument.rate))
            uncovered[site] -= take
    order: list[str | None] = [
        *sorted((s for s in uncovered if s is not None), key=str.encode)
    ]
    if None in uncovered:
        order.append(None)
    for instrument, quantity in company_instruments:  # step 2, in id order
        pool = [
            s
            for s in order
            if uncovered[s] > 0 and _in_market(instrument, countries[s])
        ]
        total = sum((uncovered[s] for s in pool), Decimal(0))
        if total <= 0:
            continue
        if quantity is None or quantity >= total:
            shares = {s: uncovered[s] for s in pool}
        else:
            shares, weight, before = {}, Decimal(0), Decimal(0)
            for s in pool:
                weight += uncovered[s]
                cumulative = round6(quantity * weight / total)
                shares[s] = cumulative - before
                before = cumulative
        for s, take in shares.items():
            if take > 0:
                covered[s].append((take, instrument.rate))
                uncovered[s] -= take
    return covered


def _in_market(instrument: Instrument, country: str | None) -> bool:
    return instrument.market is None or instrument.market == country


def expected_inventory(
    meter_months: Sequence[MeterMonth],
    instruments: Sequence[Instrument],
    factors: Sequence[Factor],
) -> list[dict[str, object]]:
    """rpt_ghg_inventory's rows for the companies of ``meter_months``: company_id,
    year, scope, method, activity_kwh, co2e_t and share_with_factor (text)."""
    with localcontext() as context:
        context.prec = _PRECISION
        return _inventory(meter_months, instruments, factors)


def _inventory(
    meter_months: Sequence[MeterMonth],
    instruments: Sequence[Instrument],
    factors: Sequence[Factor],
) -> list[dict[str, object]]:
    site_months: dict[tuple[str, str | None, str, date], _SiteMonth] = {}
    where: dict[tuple[str, str | None], MeterMonth] = {}
    for row in meter_months:
        key = (row.company_id, row.site_id, row.commodity, row.month)
        location = _location(row, factors)
        entry = site_months.setdefault(key, _SiteMonth(Decimal(0), Decimal(0)))
        entry.activity += row.activity
        if location is None or entry.location_kg is None:
            entry.location_kg = None
        else:
            entry.location_kg += location
        where[(row.company_id, row.site_id)] = row
    # Instruments by month: (instrument, quantity in the month or None).
    by_month: dict[tuple[str, str, date], list[tuple[Instrument, Decimal | None]]]
    by_month = defaultdict(list)
    for instrument in sorted(instruments, key=lambda i: i.id.encode()):
        if instrument.quantity is None:
            parts: dict[date, Decimal | None] = dict.fromkeys(
                _months(instrument.start, instrument.end)
            )
        else:
            parts = dict(spread(instrument.quantity, instrument.start, instrument.end))
        for month, quantity in parts.items():
            by_month[(instrument.company_id, instrument.commodity, month)].append(
                (instrument, quantity)
            )
    groups: dict[tuple[str, str, date], dict[str | None, Decimal]] = defaultdict(dict)
    for (company, site, commodity, month), entry in site_months.items():
        if commodity in SCOPE_1:
            entry.market_kg = entry.location_kg
        elif entry.activity > 0:
            groups[(company, commodity, month)][site] = entry.activity
        else:
            entry.market_kg = entry.location_kg
    for (company, commodity, month), sites in groups.items():
        held = by_month.get((company, commodity, month), [])
        countries = {s: where[(company, s)].country for s in sites}
        covered = _allocate(
            sites,
            countries,
            [h for h in held if h[0].site_id is not None],
            [h for h in held if h[0].site_id is None],
        )
        for site, activity in sites.items():
            entry = site_months[(company, site, commodity, month)]
            shares = covered.get(site, [])
            uncovered = activity - sum((c for c, _ in shares), Decimal(0))
            residual = lookup(
                factors,
                commodity,
                "residual_mix",
                candidate_regions(where[(company, site)]),
                month.year,
            )
            if not shares and residual is None:
                entry.market_kg = entry.location_kg
                continue
            if residual is None:
                located = lookup(
                    factors,
                    commodity,
                    "location",
                    candidate_regions(where[(company, site)]),
                    month.year,
                )
                residual = located
            market = sum((round6(c * rate) for c, rate in shares), Decimal(0))
            if uncovered > 0:
                if residual is None:
                    entry.market_kg = None
                    continue
                market += round6(uncovered * residual.co2e_rate())
            entry.market_kg = market
    totals: dict[tuple[str, int, int, str], list[Decimal]] = {}
    for (company, _, commodity, month), entry in site_months.items():
        scope = 1 if commodity in SCOPE_1 else 2
        for method, kg in (
            ("location", entry.location_kg),
            ("market", entry.market_kg),
        ):
            total = totals.setdefault(
                (company, month.year, scope, method), [Decimal(0)] * 3
            )
            total[0] += entry.activity
            if kg is not None:
                total[1] += kg
                total[2] += entry.activity
    rows: list[dict[str, object]] = []
    for (company, year, scope, method), (activity, kg, with_factor) in sorted(
        totals.items()
    ):
        rows.append(
            {
                "company_id": company,
                "year": year,
                "scope": scope,
                "method": method,
                "activity_kwh": str(activity),
                "co2e_t": str(round6(kg / 1000)) if with_factor else None,
                "share_with_factor": (
                    str(round6(with_factor / activity)) if activity != 0 else None
                ),
            }
        )
    return rows
