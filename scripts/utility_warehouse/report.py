"""A self-contained HTML report of a built warehouse, its charts drawn as inline SVG.

Reads the marts of the DuckDB file (opened read-only) and writes one HTML file
that needs nothing else: no script, no stylesheet or font to fetch, no image
file, no URL (a Content-Security-Policy forbids the page any request). It opens
offline in any browser and prints on paper.

Sections (every one for the company given, else for the whole warehouse):

- the header: the warehouse's as-of date and build time (the latest run in
  ``marts.run_metadata``), the quality gate, the filters and the period;
- monthly usage by commodity, one chart per standard unit (kWh and gallons are
  never added), and monthly cost by commodity, one chart per currency
  (currencies are never added): counted figures of ``marts.fct_meter_monthly``;
- year over year per commodity and unit: the 12 months ending at the period's
  last month next to the 12 months before them;
- top sites by cost (one chart per currency) and by energy intensity (kWh per
  ft2 over the last 12 months of the period, from ``dim_sites``'
  ``gross_floor_area`` in ``gross_floor_area_units``; 1 m2 = 10.7639 ft2; sites
  whose area or unit is unknown are named apart);
- cost by charge type per currency: the cost components of
  ``intermediate.int_bill_costs_allocated`` (line items by charge type, and the
  part of the bill not itemized) of the counted bill x meter costs of
  ``marts.fct_bill_meter_costs``, each spread over its bill's days as the
  monthly costs are, keeping the days inside the period;
- the coverage heatmap: meter (or site x commodity) x month status of
  ``marts.dq_meter_month_coverage`` (complete, partial, missing);
- the site x commodity pairs not ENERGY STAR ready
  (``marts.dq_site_energy_star_readiness``, as of the as-of date) with the 12
  months ending at the as-of month;
- the meters without a site (``marts.dim_meters``), with their counted usage
  and cost in the period.

The period defaults to the 24 months ending at the warehouse's as-of month (the
latest run's as-of date; today for a warehouse without ``marts.run_metadata``).
``--from`` alone runs to the as-of month; ``--to`` alone starts 23 months
earlier. A period spans at most ``MAX_MONTHS`` months.

Every filter value reaches DuckDB as a bound parameter; the only SQL text that
varies comes from the fixed table and column names below.

Exit codes: 0 the report was written (maybe with "no data" sections); 2 a bad
request (unknown company, malformed, out-of-range or reversed months, a period
too long, a missing or unbuilt database, an output path that cannot be
written); 3 busy: another process holds the DuckDB file for writing (a run is
building it); a scheduler may retry.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse import metadata, safe_output, target_reader
from utility_warehouse import svgchart as svg
from utility_warehouse.as_of_bound import AsOfError, warehouse_as_of
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_BUSY, EXIT_OK
from utility_warehouse.quality import month_runs
from utility_warehouse.rollup import MONTH_MIN, RollupError, parse_month

COMMAND = "report"
HELP = "Write a self-contained HTML report with inline SVG charts of a built warehouse."

MARTS = "marts"
INTERMEDIATE = "intermediate"
DEFAULT_MONTHS = 24
MAX_MONTHS = 120
YEAR = 12
TOP_SITES = 10
TOP_INTENSITY = 15
COVERAGE_METER_ROWS = 40  # more meters than this: one row per site x commodity
COVERAGE_MAX_ROWS = 120  # more rows: those with the most months not complete
READINESS_MAX_ROWS = 60  # pairs drawn (the table lists them all)
UNASSIGNED_MAX_BARS = 20  # meters drawn per unit (the table lists them all)
SQ_M_TO_SQ_FT = 10.7639
ENERGY_UNIT = "kWh"

# The columns each table must have for the sections that read it.
COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    (MARTS, "dim_companies"): ("company_id", "company_name"),
    (MARTS, "dim_sites"): (
        "site_id",
        "company_id",
        "site_name",
        "gross_floor_area",
        "gross_floor_area_units",
    ),
    (MARTS, "dim_meters"): (
        "meter_id",
        "company_id",
        "site_id",
        "commodity",
        "usage_unit",
        "account_id",
        "provider_name",
        "primary_id",
    ),
    (MARTS, "fct_meter_monthly"): (
        "meter_id",
        "site_id",
        "company_id",
        "commodity",
        "month",
        "usage",
        "usage_unit",
        "cost",
        "currency",
    ),
    (MARTS, "fct_bill_meter_costs"): (
        "document_id",
        "meter_id",
        "company_id",
        "start_date",
        "bill_date",
        "currency",
        "is_counted",
    ),
    (INTERMEDIATE, "int_bill_costs_allocated"): (
        "document_id",
        "meter_id",
        "component_type",
        "attributed_cost",
    ),
    (MARTS, "dq_meter_month_coverage"): (
        "meter_id",
        "site_id",
        "company_id",
        "commodity",
        "month",
        "status",
        "required_days",
        "covered_days",
    ),
    (MARTS, "dq_site_energy_star_readiness"): (
        "site_id",
        "company_id",
        "commodity",
        "latest_complete_month",
        "is_energy_star_ready",
        "coverage_months",
        "complete_months",
        "estimated_months",
    ),
}
REQUIRED: tuple[tuple[str, str], ...] = (
    (MARTS, "dim_companies"),
    (MARTS, "dim_sites"),
    (MARTS, "dim_meters"),
    (MARTS, "fct_meter_monthly"),
)

COMMODITY_COLORS: dict[str, str] = {
    "ELECTRICITY": "#e69f00",
    "GAS": "#0072b2",
    "WATER": "#56b4e9",
    "SEWER": "#8c6d46",
    "STEAM": "#cc79a7",
    "FUEL_OIL": "#52606d",
    "PROPANE": "#009e73",
    "DISTRICT_HEATING": "#d55e00",
    "DISTRICT_COOLING": "#7b68c8",
}
COMMODITY_ORDER = tuple(COMMODITY_COLORS)
FALLBACK_COLORS = ("#3e4c59", "#a0522d", "#2f855a", "#9f7aea", "#c05621")

CHARGE_TYPES: dict[str, tuple[str, str]] = {
    "USAGE": ("Usage charges", "#0072b2"),
    "DEMAND": ("Demand charges", "#e69f00"),
    "FEE": ("Fees", "#7b8794"),
    "TAX": ("Taxes", "#cc79a7"),
    "OTHER": ("Other charges", "#a3a9b0"),
    "CREDIT": ("Credits", "#009e73"),
    "RESIDUAL": ("Not itemized", "#56b4e9"),
}

COVERAGE_STATUSES = (
    svg.Status("complete", "complete", "#2f9e63"),
    svg.Status("partial", "partly covered", "#f0b429"),
    svg.Status("missing", "missing", "#d64545"),
    svg.Status("none", "not required (outside the window)", "#e9edf1"),
)
READINESS_STATUSES = (
    svg.Status("complete", "complete", "#2f9e63"),
    svg.Status("partial", "partly covered", "#f0b429"),
    svg.Status("missing", "missing", "#d64545"),
    svg.Status("none", "no coverage rows", "#e9edf1"),
)

MONTH_NAMES = svg.MONTH_NAMES


class ReportError(Exception):
    """A request the report cannot serve; the command exits 2 with the message."""

    exit_code = EXIT_BAD_INPUT


class ReportBusyError(ReportError):
    """The warehouse file is held for writing by another process: exit 3."""

    exit_code = EXIT_BUSY


@dataclass(frozen=True)
class ReportRequest:
    """What to report: a company (None: all) and the months (``YYYY-MM``)."""

    company: str | None = None
    month_from: str | None = None
    month_to: str | None = None


# --- months ---------------------------------------------------------------------


def _index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _shift(day: date, months: int) -> date:
    return _from_index(_index(day) + months)


def _month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_label(day: date) -> str:
    """``Nov 2026``."""
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def _span_label(months: Sequence[date]) -> str:
    """``Dec 2025 - Nov 2026`` with an en dash (one month: ``Nov 2026``)."""
    if len(months) == 1:
        return month_label(months[0])
    return f"{month_label(months[0])} \u2013 {month_label(months[-1])}"


def _yoy_change(
    current: Sequence[float | None],
    previous: Sequence[float | None],
    compared: Sequence[bool],
) -> str:
    """The change over the ``compared`` months with usage in both years (a
    month not billed yet in one year would skew it)."""
    pairs = [
        (now, before)
        for now, before, use in zip(current, previous, compared, strict=True)
        if use and now is not None and before is not None
    ]
    before_total = sum(before for _, before in pairs)
    if not pairs or before_total <= 0:
        return "no usage to compare with the year before"
    ratio = (sum(now for now, _ in pairs) - before_total) / before_total
    months = "the same month" if len(pairs) == 1 else f"the same {len(pairs)} months"
    return f"{ratio:+.1%} vs {months} a year before"


def _month_end(day: date) -> date:
    return _shift(day, 1) - timedelta(days=1)


def _parse(value: str, option: str) -> date:
    try:
        return parse_month(value, option)
    except RollupError as exc:
        raise ReportError(str(exc)) from exc


def resolve_period(request: ReportRequest, as_of: date) -> list[date]:
    """The months of the report, oldest first (see the module's docstring)."""
    as_of_month = date(as_of.year, as_of.month, 1)
    start = None if request.month_from is None else _parse(request.month_from, "--from")
    end = None if request.month_to is None else _parse(request.month_to, "--to")
    if end is None:
        if start is not None and start > as_of_month:
            raise ReportError(
                f"--from {request.month_from} is after the warehouse's as-of month "
                f"{_month_key(as_of_month)}; give --to as well"
            )
        end = as_of_month
    if start is None:
        earliest = _index(end) - (DEFAULT_MONTHS - 1)
        start = _from_index(max(earliest, _index(MONTH_MIN)))
    if start > end:
        raise ReportError(f"--from {_month_key(start)} is after --to {_month_key(end)}")
    count = _index(end) - _index(start) + 1
    if count > MAX_MONTHS:
        raise ReportError(
            f"the period {_month_key(start)}..{_month_key(end)} spans {count} "
            f"months; a report covers at most {MAX_MONTHS}"
        )
    return [_shift(start, offset) for offset in range(count)]


# --- numbers --------------------------------------------------------------------


def _float(value: Any) -> float:
    if value is None:
        return 0.0
    return float(value)


def fmt_number(value: float) -> str:
    """Thousands separators; no decimals from 1,000 up, else two."""
    if abs(value) >= 1000 or value == int(value):
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.2f}"
    return "0" if text == "-0" else text


def fmt_money(value: float, currency: str) -> str:
    return f"{currency} {fmt_number(value)}"


def _with_unit(unit: str) -> svg.Formatter:
    return lambda value: f"{fmt_number(value)} {unit}"


def _money(currency: str) -> svg.Formatter:
    return lambda value: fmt_money(value, currency)


def commodity_label(commodity: str) -> str:
    """``DISTRICT_HEATING`` -> ``District heating``."""
    return commodity.replace("_", " ").capitalize()


def _commodity_color(commodity: str, extra: dict[str, str]) -> str:
    if commodity in COMMODITY_COLORS:
        return COMMODITY_COLORS[commodity]
    if commodity not in extra:
        extra[commodity] = FALLBACK_COLORS[len(extra) % len(FALLBACK_COLORS)]
    return extra[commodity]


def _commodity_sort(commodity: str) -> tuple[int, str]:
    order = COMMODITY_ORDER.index(commodity) if commodity in COMMODITY_ORDER else 99
    return order, commodity


def _unit_sort(unit: str) -> tuple[int, str]:
    return (0 if unit == ENERGY_UNIT else 1), unit


# --- the data -------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    run_id: str | None
    started_at: datetime | None
    ended_at: datetime | None
    gate_status: str | None
    tests_passed: int | None
    tests_warned: int | None
    tests_failed: int | None
    project_version: str | None


@dataclass(frozen=True)
class Site:
    site_id: str
    name: str
    company_id: str | None
    area: float | None
    area_units: str | None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.site_id})" if self.name else self.site_id

    @property
    def area_sq_ft(self) -> float | None:
        """The floor area in ft2 (None when the area or its unit is unknown)."""
        if self.area is None or self.area <= 0:
            return None
        if self.area_units == "SQ_FT":
            return self.area
        if self.area_units == "SQ_M":
            return self.area * SQ_M_TO_SQ_FT
        return None


@dataclass(frozen=True)
class Intensity:
    site: Site
    energy_kwh: float
    area_sq_ft: float

    @property
    def kwh_per_sq_ft(self) -> float:
        return self.energy_kwh / self.area_sq_ft


@dataclass(frozen=True)
class CoverageCell:
    status: str
    tip: str


@dataclass(frozen=True)
class CoverageRow:
    label: str
    group: str
    cells: tuple[CoverageCell | None, ...]


@dataclass(frozen=True)
class NotReady:
    site: Site | None
    site_id: str
    company_id: str | None
    commodity: str
    latest_complete_month: date | None
    coverage_months: int
    complete_months: int
    estimated_months: int
    window: tuple[CoverageCell | None, ...]

    @property
    def label(self) -> str:
        name = self.site.label if self.site else self.site_id
        return f"{name} \u00b7 {commodity_label(self.commodity)}"


@dataclass(frozen=True)
class UnassignedMeter:
    meter_id: str
    company_id: str | None
    commodity: str
    usage_unit: str | None
    account_id: str | None
    provider_name: str | None
    primary_id: str | None
    usage: dict[str, float]
    cost: dict[str, float]
    months: int


@dataclass
class ReportData:
    database: str
    as_of: date
    as_of_source: str
    run: RunInfo | None
    company: tuple[str, str | None] | None
    months: list[date]
    unbuilt: dict[str, list[str]] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    site_count: int = 0
    meter_count: int = 0
    # unit -> commodity -> month -> usage; currency -> commodity -> month -> cost
    usage: dict[str, dict[str, dict[date, float]]] = field(default_factory=dict)
    cost: dict[str, dict[str, dict[date, float]]] = field(default_factory=dict)
    site_costs: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    intensities: list[Intensity] = field(default_factory=list)
    no_area: list[tuple[Site, float]] = field(default_factory=list)
    charge_types: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    coverage_by_meter: bool = True
    coverage_meters: int = 0
    coverage: list[CoverageRow] = field(default_factory=list)
    ready_pairs: int = 0
    not_ready: list[NotReady] = field(default_factory=list)
    unassigned: list[UnassignedMeter] = field(default_factory=list)

    @property
    def first(self) -> date:
        return self.months[0]

    @property
    def last(self) -> date:
        return self.months[-1]

    @property
    def intensity_months(self) -> list[date]:
        """The period's last 12 months (all of it when shorter)."""
        return self.months[-YEAR:]

    @property
    def readiness_months(self) -> list[date]:
        """The 12 months ending at the as-of month."""
        as_of_month = date(self.as_of.year, self.as_of.month, 1)
        return [_shift(as_of_month, offset) for offset in range(1 - YEAR, 1)]

    @property
    def open_months(self) -> set[date]:
        """The as-of month when the as-of date is not its last day: bills
        for the rest of it cannot be in yet."""
        month = date(self.as_of.year, self.as_of.month, 1)
        return set() if self.as_of >= _month_end(month) else {month}

    @property
    def yoy_months(self) -> list[date]:
        """The 12 months ending at the period's last month."""
        return [_shift(self.last, offset) for offset in range(1 - YEAR, 1)]


class _Warehouse:
    """A read-only connection with the catalog of the schemas it reads."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.catalog: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in con.execute(
            "SELECT table_schema, table_name, column_name "
            "FROM information_schema.columns "
            "WHERE table_catalog = current_database() "
            "AND list_contains(?::VARCHAR[], table_schema)",
            [[MARTS, INTERMEDIATE]],
        ).fetchall():
            self.catalog.setdefault((str(schema), str(table)), set()).add(str(column))

    def unbuilt(self, tables: Iterable[tuple[str, str]]) -> list[str]:
        missing = []
        for key in tables:
            present = self.catalog.get(key)
            if present is None or not set(COLUMNS[key]) <= present:
                missing.append(".".join(key))
        return missing

    def has(self, schema: str, table: str) -> bool:
        return (schema, table) in self.catalog

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()


def _connect(database: Path) -> duckdb.DuckDBPyConnection:
    return target_reader.connect_read_only(database, ReportError, ReportBusyError)


def _company_filter(
    request: ReportRequest, column: str = "company_id"
) -> tuple[str, list[object]]:
    """`` AND <column> = ?`` for the company (empty without one)."""
    if request.company is None:
        return "", []
    return f" AND CAST({column} AS VARCHAR) = ?", [request.company]


def _latest_run(warehouse: _Warehouse) -> RunInfo | None:
    if not warehouse.has(MARTS, metadata.TABLE):
        return None
    wanted = (
        "run_id",
        "started_at",
        "ended_at",
        "gate_status",
        "tests_passed",
        "tests_warned",
        "tests_failed",
        "project_version",
    )
    present = warehouse.catalog[(MARTS, metadata.TABLE)]
    select = ", ".join(
        name if name in present else f"NULL AS {name}" for name in wanted
    )
    order = ", ".join(
        f"{name} DESC NULLS LAST"
        for name in ("ended_at", "started_at")
        if name in present
    )
    found = warehouse.rows(
        f"SELECT {select} FROM {metadata.QUALIFIED_TABLE} "
        f"WHERE as_of_date IS NOT NULL ORDER BY {order or 'run_id'} LIMIT 1"
    )
    if not found:
        return None
    row = found[0]
    return RunInfo(
        run_id=row[0],
        started_at=row[1],
        ended_at=row[2],
        gate_status=row[3],
        tests_passed=row[4],
        tests_warned=row[5],
        tests_failed=row[6],
        project_version=row[7],
    )


def _load_sites(warehouse: _Warehouse) -> dict[str, Site]:
    """Every site by id (a company filter narrows the figures, not the names)."""
    sites: dict[str, Site] = {}
    for site_id, company_id, name, area, units in warehouse.rows(
        "SELECT site_id, company_id, site_name, gross_floor_area, "
        f"gross_floor_area_units FROM {MARTS}.dim_sites ORDER BY site_id"
    ):
        sites[str(site_id)] = Site(
            site_id=str(site_id),
            name=str(name) if name is not None else "",
            company_id=None if company_id is None else str(company_id),
            area=None if area is None else float(area),
            area_units=None if units is None else str(units),
        )
    return sites


def _monthly(warehouse: _Warehouse, request: ReportRequest, data: ReportData) -> None:
    # The period, and the two years of the year-over-year comparison.
    first = min(data.first, _shift(data.last, 1 - 2 * YEAR))
    company, params = _company_filter(request)
    for month, commodity, unit, currency, usage, cost in warehouse.rows(
        "SELECT month, commodity, usage_unit, currency, sum(usage), sum(cost) "
        f"FROM {MARTS}.fct_meter_monthly WHERE month >= ? AND month <= ?{company} "
        "GROUP BY month, commodity, usage_unit, currency",
        [first, data.last, *params],
    ):
        unit_key = str(unit) if unit is not None else "?"
        by_unit = data.usage.setdefault(unit_key, {}).setdefault(str(commodity), {})
        by_unit[month] = by_unit.get(month, 0.0) + _float(usage)
        if currency is None:  # usage of bills whose currency is unknown: no cost
            continue
        by_currency = data.cost.setdefault(str(currency), {}).setdefault(
            str(commodity), {}
        )
        by_currency[month] = by_currency.get(month, 0.0) + _float(cost)


def _site_costs(
    warehouse: _Warehouse, request: ReportRequest, data: ReportData
) -> None:
    company, params = _company_filter(request)
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for site_id, currency, cost in warehouse.rows(
        "SELECT site_id, currency, sum(cost) AS cost "
        f"FROM {MARTS}.fct_meter_monthly WHERE site_id IS NOT NULL "
        "AND currency IS NOT NULL "
        f"AND month >= ? AND month <= ?{company} GROUP BY site_id, currency "
        "ORDER BY currency, cost DESC, site_id",
        [data.first, data.last, *params],
    ):
        out[str(currency)].append((str(site_id), _float(cost)))
    data.site_costs = dict(out)


def _intensity(warehouse: _Warehouse, request: ReportRequest, data: ReportData) -> None:
    company, params = _company_filter(request)
    for site_id, energy in warehouse.rows(
        "SELECT site_id, sum(usage) FROM "
        f"{MARTS}.fct_meter_monthly WHERE site_id IS NOT NULL AND usage_unit = ? "
        f"AND month >= ? AND month <= ?{company} GROUP BY site_id ORDER BY site_id",
        [ENERGY_UNIT, data.intensity_months[0], data.last, *params],
    ):
        kwh = _float(energy)
        if kwh == 0:
            continue
        site = data.sites.get(str(site_id)) or Site(str(site_id), "", None, None, None)
        area = site.area_sq_ft
        if area is None:
            data.no_area.append((site, kwh))
        else:
            data.intensities.append(Intensity(site, kwh, area))
    data.intensities.sort(key=lambda item: (-item.kwh_per_sq_ft, item.site.site_id))


def _charge_types(
    warehouse: _Warehouse, request: ReportRequest, data: ReportData
) -> None:
    company, params = _company_filter(request, "b.company_id")
    first_day, last_day = data.first, _month_end(data.last)
    # Each component's part of the bill x meter cost, spread over the bill's
    # days (start_date to bill_date, both included) as the monthly costs are;
    # the days inside the period count.
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for currency, component_type, amount in warehouse.rows(
        "SELECT b.currency, a.component_type, sum(CAST(a.attributed_cost AS DOUBLE) "
        "* (date_diff('day', greatest(b.start_date, ?), least(b.bill_date, ?)) + 1) "
        "/ (date_diff('day', b.start_date, b.bill_date) + 1)) AS amount "
        f"FROM {INTERMEDIATE}.int_bill_costs_allocated AS a "
        f"JOIN {MARTS}.fct_bill_meter_costs AS b "
        "ON a.document_id = b.document_id AND a.meter_id = b.meter_id "
        "WHERE b.is_counted AND b.start_date <= ? AND b.bill_date >= ?"
        f"{company} GROUP BY b.currency, a.component_type "
        "ORDER BY b.currency, amount DESC, a.component_type",
        [first_day, last_day, last_day, first_day, *params],
    ):
        out[str(currency)].append((str(component_type), _float(amount)))
    data.charge_types = dict(out)


def _aggregate_status(statuses: Sequence[str]) -> str:
    """complete when all are, missing when all are, else partial."""
    if all(status == "complete" for status in statuses):
        return "complete"
    if all(status == "missing" for status in statuses):
        return "missing"
    return "partial"


def _group_tip(label: str, month: date, statuses: Sequence[str]) -> str:
    counts = {s: statuses.count(s) for s in ("complete", "partial", "missing")}
    detail = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    noun = "meter" if len(statuses) == 1 else "meters"
    return f"{label}, {month_label(month)}: {len(statuses)} {noun}: {detail}"


def _worst_rows(rows: Sequence[CoverageRow], limit: int) -> list[CoverageRow]:
    """At most ``limit`` rows: those with the most months not complete (the
    first ones on a tie), in their order."""
    if len(rows) <= limit:
        return list(rows)

    def not_complete(row: CoverageRow) -> int:
        return sum(1 for c in row.cells if c and c.status in ("partial", "missing"))

    ranked = sorted(range(len(rows)), key=lambda i: (-not_complete(rows[i]), i))
    return [rows[i] for i in sorted(ranked[:limit])]


def _some(names: Sequence[str], limit: int) -> str:
    """``a, b, c`` or, past ``limit`` names, ``a, b and 7 more``."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit:,} more"


def _site_name(data: ReportData, site_id: str | None) -> str:
    if site_id is None:
        return "Unassigned"
    site = data.sites.get(site_id)
    return site.label if site else site_id


def _coverage(warehouse: _Warehouse, request: ReportRequest, data: ReportData) -> None:
    company, params = _company_filter(request)
    found = warehouse.rows(
        "SELECT meter_id, site_id, commodity, month, status, required_days, "
        f"covered_days FROM {MARTS}.dq_meter_month_coverage "
        f"WHERE month >= ? AND month <= ?{company}",
        [data.first, data.last, *params],
    )
    data.coverage_meters = len({str(row[0]) for row in found})
    data.coverage_by_meter = data.coverage_meters <= COVERAGE_METER_ROWS
    by_meter = data.coverage_by_meter

    # Row key: (site order, commodity order, meter or "", site_id, commodity).
    grouped: dict[tuple[Any, ...], dict[date, list[tuple[str, int, int]]]] = {}
    row_meters: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for meter_id, site_id, commodity, month, status, required, covered in found:
        site = None if site_id is None else str(site_id)
        order = (
            (1, "", "")
            if site is None
            else (0, _site_name(data, site).casefold(), site)
        )
        key = (
            order,
            _commodity_sort(str(commodity)),
            str(meter_id) if by_meter else "",
            site,
            str(commodity),
        )
        grouped.setdefault(key, {}).setdefault(month, []).append(
            (str(status), int(required or 0), int(covered or 0))
        )
        row_meters[key].add(str(meter_id))
    rows = []
    for key in sorted(grouped, key=lambda k: k[:3]):
        site, commodity, by_month = key[3], key[4], grouped[key]
        label = f"{_site_name(data, site)} \u00b7 {commodity_label(commodity)}"
        if by_meter:
            label += f" \u00b7 {key[2]}"
        else:
            count = len(row_meters[key])
            label += f" ({count} meter{'s' if count != 1 else ''})"
        cells: list[CoverageCell | None] = []
        for month in data.months:
            entries = by_month.get(month)
            if not entries:
                cells.append(
                    CoverageCell("none", f"{label}, {month_label(month)}: not required")
                )
            elif by_meter:
                status, required, covered = entries[0]
                cells.append(
                    CoverageCell(
                        status,
                        f"{label}, {month_label(month)}: {status}, {covered} of "
                        f"{required} required days covered",
                    )
                )
            else:
                statuses = [entry[0] for entry in entries]
                cells.append(
                    CoverageCell(
                        _aggregate_status(statuses), _group_tip(label, month, statuses)
                    )
                )
        rows.append(CoverageRow(label, _site_name(data, site), tuple(cells)))
    data.coverage = rows


def _readiness(warehouse: _Warehouse, request: ReportRequest, data: ReportData) -> None:
    company, params = _company_filter(request)
    pairs = warehouse.rows(
        "SELECT site_id, company_id, commodity, latest_complete_month, "
        "is_energy_star_ready, coverage_months, complete_months, estimated_months "
        f"FROM {MARTS}.dq_site_energy_star_readiness WHERE TRUE{company} "
        "ORDER BY site_id, commodity",
        params,
    )
    data.ready_pairs = sum(1 for row in pairs if row[4])
    months: dict[tuple[str, str], dict[date, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    if not warehouse.unbuilt([(MARTS, "dq_meter_month_coverage")]):
        for site_id, commodity, month, status in warehouse.rows(
            "SELECT site_id, commodity, month, status "
            f"FROM {MARTS}.dq_meter_month_coverage WHERE site_id IS NOT NULL "
            f"AND month >= ? AND month <= ?{company}",
            [data.readiness_months[0], data.readiness_months[-1], *params],
        ):
            months[(str(site_id), str(commodity))][month].append(str(status))
    out = []
    for (
        site_id,
        company_id,
        commodity,
        latest,
        ready,
        coverage,
        complete,
        estimated,
    ) in pairs:
        if ready:
            continue
        key = (str(site_id), str(commodity))
        site = data.sites.get(key[0])
        item_label = (
            f"{site.label if site else key[0]} \u00b7 {commodity_label(key[1])}"
        )
        window: list[CoverageCell | None] = []
        for month in data.readiness_months:
            statuses = months[key].get(month, [])
            if statuses:
                window.append(
                    CoverageCell(
                        _aggregate_status(statuses),
                        _group_tip(item_label, month, statuses),
                    )
                )
            else:
                window.append(
                    CoverageCell(
                        "none", f"{item_label}, {month_label(month)}: no coverage rows"
                    )
                )
        out.append(
            NotReady(
                site=site,
                site_id=key[0],
                company_id=None if company_id is None else str(company_id),
                commodity=key[1],
                latest_complete_month=latest,
                coverage_months=int(coverage or 0),
                complete_months=int(complete or 0),
                estimated_months=int(estimated or 0),
                window=tuple(window),
            )
        )
    out.sort(key=lambda item: (item.label.casefold(), item.site_id, item.commodity))
    data.not_ready = out


def _unassigned(
    warehouse: _Warehouse, request: ReportRequest, data: ReportData
) -> None:
    company, params = _company_filter(request)
    figures: dict[str, tuple[dict[str, float], dict[str, float], set[date]]] = {}
    for meter_id, unit, currency, month, usage, cost in warehouse.rows(
        "SELECT meter_id, usage_unit, currency, month, sum(usage), sum(cost) "
        f"FROM {MARTS}.fct_meter_monthly WHERE site_id IS NULL "
        f"AND month >= ? AND month <= ?{company} "
        "GROUP BY meter_id, usage_unit, currency, month",
        [data.first, data.last, *params],
    ):
        usage_by_unit, cost_by_currency, months = figures.setdefault(
            str(meter_id), ({}, {}, set())
        )
        unit_key = str(unit)
        usage_by_unit[unit_key] = usage_by_unit.get(unit_key, 0.0) + _float(usage)
        if currency is not None:
            cost_by_currency[str(currency)] = cost_by_currency.get(
                str(currency), 0.0
            ) + _float(cost)
        months.add(month)
    meters = []
    for (
        meter_id,
        company_id,
        commodity,
        unit,
        account,
        provider,
        primary,
    ) in warehouse.rows(
        "SELECT meter_id, company_id, commodity, usage_unit, account_id, "
        f"provider_name, primary_id FROM {MARTS}.dim_meters "
        f"WHERE site_id IS NULL{company} ORDER BY meter_id",
        params,
    ):
        usage, cost, months = figures.get(str(meter_id), ({}, {}, set()))
        meters.append(
            UnassignedMeter(
                meter_id=str(meter_id),
                company_id=None if company_id is None else str(company_id),
                commodity=str(commodity),
                usage_unit=None if unit is None else str(unit),
                account_id=None if account is None else str(account),
                provider_name=None if provider is None else str(provider),
                primary_id=None if primary is None else str(primary),
                usage=usage,
                cost=cost,
                months=len(months),
            )
        )
    data.unassigned = meters


def _recorded_as_of(con: duckdb.DuckDBPyConnection, today: date | None) -> date | None:
    """The warehouse's as-of date (None without run metadata); ReportError when
    it is out of range."""
    try:
        return warehouse_as_of(con, today)
    except AsOfError as exc:
        raise ReportError(str(exc)) from exc


def collect(
    database: Path, request: ReportRequest, today: date | None = None
) -> ReportData:
    """Every figure of the report, read from ``database`` (opened read-only).

    Raises ``ReportError`` on a bad request, a missing or unbuilt database or a
    failing query, and ``ReportBusyError`` when another process holds the file.
    """
    con = _connect(database)
    try:
        warehouse = _Warehouse(con)
        unbuilt = warehouse.unbuilt(REQUIRED)
        if unbuilt:
            raise ReportError(
                f"{database} has no {', '.join(unbuilt)}; run the pipeline first "
                "(python scripts/pipeline.py run ...)"
            )
        run_as_of = _recorded_as_of(con, today)
        company: tuple[str, str | None] | None = None
        if request.company is not None:
            found = warehouse.rows(
                f"SELECT any_value(company_name) FROM {MARTS}.dim_companies "
                "WHERE CAST(company_id AS VARCHAR) = ? HAVING count(*) > 0",
                [request.company],
            )
            if not found:
                raise ReportError(f"unknown company: {request.company}")
            name = found[0][0]
            company = (request.company, None if name is None else str(name))
        as_of = run_as_of or today or date.today()
        months = resolve_period(request, as_of)
        data = ReportData(
            database=str(database),
            as_of=as_of,
            as_of_source=(
                "of the latest run"
                if run_as_of
                else "today: the warehouse has no run metadata"
            ),
            run=_latest_run(warehouse),
            company=company,
            months=months,
        )
        data.sites = _load_sites(warehouse)
        company_sql, params = _company_filter(request)
        data.site_count = int(
            warehouse.rows(
                f"SELECT count(*) FROM {MARTS}.dim_sites WHERE TRUE{company_sql}",
                params,
            )[0][0]
        )
        data.meter_count = int(
            warehouse.rows(
                f"SELECT count(*) FROM {MARTS}.dim_meters WHERE TRUE{company_sql}",
                params,
            )[0][0]
        )
        _monthly(warehouse, request, data)
        _site_costs(warehouse, request, data)
        _intensity(warehouse, request, data)
        _unassigned(warehouse, request, data)
        sections: dict[str, tuple[tuple[str, str], ...]] = {
            "charge-types": (
                (INTERMEDIATE, "int_bill_costs_allocated"),
                (MARTS, "fct_bill_meter_costs"),
            ),
            "coverage": ((MARTS, "dq_meter_month_coverage"),),
            "energy-star": ((MARTS, "dq_site_energy_star_readiness"),),
        }
        loaders = {
            "charge-types": _charge_types,
            "coverage": _coverage,
            "energy-star": _readiness,
        }
        for section, tables in sections.items():
            missing = warehouse.unbuilt(tables)
            if missing:
                data.unbuilt[section] = missing
            else:
                loaders[section](warehouse, request, data)
        return data
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ReportError(f"querying {database} failed: {first_line}") from exc
    finally:
        con.close()


# --- the page -------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f7fa; color: #1f2933;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, "Noto Sans", "Liberation Sans", sans-serif; }
header { background: #1f2933; color: #f5f7fa; }
header .wrap { padding: 22px 28px 18px; }
header h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; }
header .subtitle { margin: 0 0 14px; font-size: 16px; color: #cbd2d9; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px;
  margin: 0; font-size: 13.5px; }
header dt { color: #9aa5b1; }
header dd { margin: 0; }
.wrap { max-width: 1400px; margin: 0 auto; padding: 0 28px; }
nav { font-size: 13px; padding: 10px 0 0; }
nav a { color: #334e68; margin-right: 14px; text-decoration: none; }
nav a:hover { text-decoration: underline; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
  gap: 12px; margin: 18px 0 6px; }
.tile { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px;
  padding: 10px 14px; }
.tile .label { color: #52606d; font-size: 12.5px; }
.tile .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .detail { color: #7b8794; font-size: 12px; }
section { margin: 26px 0 8px; }
section > h2 { font-size: 19px; margin: 0 0 4px; }
section > p.intro { margin: 0 0 12px; color: #52606d; max-width: 1000px; }
.grid { display: grid; gap: 14px; grid-template-columns: repeat(2, minmax(0, 1fr)); }
.grid.three { grid-template-columns: repeat(3, minmax(0, 1fr)); }
figure { margin: 0; background: #fff; border: 1px solid #e4e7eb; border-radius: 8px;
  padding: 12px 14px 10px; min-width: 0; }
figure.wide { grid-column: 1 / -1; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figcaption .sub { font-weight: 400; color: #52606d; }
svg.chart { display: block; max-width: 100%; height: auto; }
.note { color: #52606d; font-size: 12.5px; margin: 6px 0 0; }
.no-data { background: #fff; border: 1px dashed #bcccdc; border-radius: 8px;
  color: #52606d; padding: 14px 16px; margin: 0; font-style: italic; }
.unbuilt { background: #fffbea; border: 1px solid #f0b429; border-radius: 8px;
  padding: 12px 16px; margin: 0; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px;
  border: 1px solid #e4e7eb; border-radius: 8px; }
th, td { padding: 5px 10px; text-align: left; border-bottom: 1px solid #eef1f4;
  vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; color: #334e68; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.table-wrap { margin-top: 12px; }
footer { color: #52606d; font-size: 12.5px; margin: 30px 0 24px;
  border-top: 1px solid #d9e2ec; padding-top: 12px; }
footer p { margin: 4px 0; max-width: 1100px; }
@media (max-width: 900px) { .grid, .grid.three { grid-template-columns: 1fr; } }
@media print { body { background: #fff; } figure, table { break-inside: avoid; } }
"""

# The page may load nothing at all: no script, no URL; inline styles only.
CSP = "default-src 'none'; style-src 'unsafe-inline'"

e = svg.esc
_NUM = ' class="num"'


class _Page:
    """Builds the HTML of one report; ``key`` gives each chart unique ids."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self._keys: dict[str, int] = defaultdict(int)
        self._colors: dict[str, str] = {}

    def key(self, name: str) -> str:
        self._keys[name] += 1
        return f"{name}-{self._keys[name]}"

    def color(self, commodity: str) -> str:
        return _commodity_color(commodity, self._colors)

    @property
    def period_text(self) -> str:
        data = self.data
        count = len(data.months)
        span = f"{count} month{'s' if count != 1 else ''}"
        if count == 1:
            return f"{month_label(data.first)} (1 month)"
        return f"{month_label(data.first)} \u2013 {month_label(data.last)} ({span})"

    def open_note(self) -> str:
        """A sentence on the as-of month when the period holds it unfinished."""
        open_months = set(self.data.months) & self.data.open_months
        if not open_months:
            return ""
        month = month_label(min(open_months))
        return (
            f" {e(month)} holds only what is billed up to the as-of date "
            f"{self.data.as_of.isoformat()}."
        )

    # -- building blocks --

    @staticmethod
    def no_data(chart: str, text: str) -> str:
        return f'<p class="no-data" data-no-data="{e(chart)}">{e(text)}</p>'

    def unbuilt(self, section: str) -> str:
        tables = ", ".join(self.data.unbuilt[section])
        return (
            f'<p class="unbuilt" data-unbuilt="{e(section)}">Not built in this '
            f"warehouse: {e(tables)} is missing (built by an older version). "
            "Rebuild it with pipeline.py run to see this section.</p>"
        )

    @staticmethod
    def figure(caption: str, body: str, sub: str = "", wide: bool = False) -> str:
        sub_html = f' <span class="sub">{e(sub)}</span>' if sub else ""
        cls = ' class="wide"' if wide else ""
        caption_html = f"<figcaption>{e(caption)}{sub_html}</figcaption>"
        return f"<figure{cls}>{caption_html}{body}</figure>"

    @staticmethod
    def section(ident: str, title: str, intro: str, body: str) -> str:
        return (
            f'<section id="{e(ident)}"><h2>{e(title)}</h2>'
            f'<p class="intro">{intro}</p>{body}</section>'
        )

    @staticmethod
    def table(
        headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]
    ) -> str:
        head = "".join(
            f'<th{_NUM if num else ""} scope="col">{e(text)}</th>'
            for text, num in headers
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td{_NUM if headers[i][1] else ''}>{e(cell)}</td>"
                for i, cell in enumerate(row)
            )
            + "</tr>"
            for row in rows
        )
        return (
            f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )

    # -- the parts --

    def header(self) -> str:
        data = self.data
        if data.company:
            company_id, name = data.company
            scope = f"{name} ({company_id})" if name else company_id
        else:
            scope = "All companies"
        run = data.run
        if run and run.ended_at:
            built = f"{run.ended_at:%Y-%m-%d %H:%M} UTC"
            if run.run_id:
                built += f" \u00b7 run {run.run_id[:12]}"
            if run.gate_status:
                tests = ""
                if run.tests_passed is not None:
                    tests = (
                        f" ({run.tests_passed:,} tests passed, "
                        f"{run.tests_warned or 0:,} warned, "
                        f"{run.tests_failed or 0:,} failed)"
                    )
                built += f" \u00b7 quality gate {run.gate_status}{tests}"
        else:
            built = "unknown (the warehouse has no marts.run_metadata)"
        filters = []
        if data.company:
            filters.append(f"--company {data.company[0]}")
        filters.append(f"months {_month_key(data.first)} to {_month_key(data.last)}")
        as_of = f"{data.as_of.isoformat()} ({data.as_of_source})"
        items = [
            ("As-of date", as_of),
            ("Built", built),
            ("Period", self.period_text),
            ("Filters", "; ".join(filters)),
            ("Warehouse", Path(data.database).name),
        ]
        rows = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in items)
        return (
            '<header><div class="wrap"><h1>Utility portfolio report</h1>'
            f'<p class="subtitle">{e(scope)} \u00b7 {e(self.period_text)}</p>'
            f"<dl>{rows}</dl></div></header>"
        )

    def nav(self) -> str:
        links = [
            ("usage", "Usage"),
            ("cost", "Cost"),
            ("year-over-year", "Year over year"),
            ("top-sites", "Top sites"),
            ("charge-types", "Charge types"),
            ("coverage", "Coverage"),
            ("energy-star", "ENERGY STAR"),
            ("unassigned", "Unassigned meters"),
        ]
        return (
            "<nav>" + "".join(f'<a href="#{k}">{e(v)}</a>' for k, v in links) + "</nav>"
        )

    def tiles(self) -> str:
        data = self.data
        months = set(data.months)
        tiles: list[tuple[str, str, str, str]] = []
        for currency in sorted(data.cost):
            total = sum(
                value
                for by_month in data.cost[currency].values()
                for month, value in by_month.items()
                if month in months
            )
            if total == 0:
                continue
            tiles.append(
                (f"Cost ({currency})", svg.compact(total), fmt_money(total, currency),
                 "counted, in the bill currency")
            )  # fmt: skip
        if not tiles:
            tiles.append(("Cost", "none", "no counted cost", "in the period"))
        energy = sum(
            value
            for by_month in data.usage.get(ENERGY_UNIT, {}).values()
            for month, value in by_month.items()
            if month in months
        )
        tiles.append(
            ("Energy use (kWh)", svg.compact(energy), f"{fmt_number(energy)} kWh",
             "all energy commodities")
        )  # fmt: skip
        tiles.append(("Sites", f"{data.site_count:,}", f"{data.site_count:,}", ""))
        unassigned = len(data.unassigned)
        tiles.append(
            ("Meters", f"{data.meter_count:,}", f"{data.meter_count:,}",
             f"{unassigned:,} without a site")
        )  # fmt: skip
        if "coverage" not in data.unbuilt:
            cells = [
                c
                for row in data.coverage
                for c in row.cells
                if c and c.status != "none"
            ]
            complete = sum(1 for c in cells if c.status == "complete")
            share = f"{complete / len(cells):.0%}" if cells else "n/a"
            unit = (
                "meter-months"
                if data.coverage_by_meter
                else "site \u00d7 commodity months"
            )
            tiles.append(
                ("Coverage complete", share, f"{complete:,} of {len(cells):,}",
                 f"{complete:,} of {len(cells):,} {unit}")
            )  # fmt: skip
        if "energy-star" not in data.unbuilt:
            total_pairs = data.ready_pairs + len(data.not_ready)
            tiles.append(
                ("Not ready", f"{len(data.not_ready):,}",
                 f"{len(data.not_ready):,} of {total_pairs:,}",
                 f"for ENERGY STAR, of {total_pairs:,} site \u00d7 commodity pairs")
            )  # fmt: skip
        html = "".join(
            f'<div class="tile"><div class="label">{e(label)}</div>'
            f'<div class="value" title="{e(full)}">{e(value)}</div>'
            f'<div class="detail">{e(detail)}</div></div>'
            for label, value, full, detail in tiles
        )
        return f'<div class="tiles">{html}</div>'

    def _monthly_series(
        self, by_commodity: dict[str, dict[date, float]], months: Sequence[date]
    ) -> list[svg.Series]:
        series = []
        for commodity in sorted(by_commodity, key=_commodity_sort):
            values = [by_commodity[commodity].get(month) for month in months]
            if any(value for value in values):
                series.append(
                    svg.Series(
                        commodity_label(commodity), self.color(commodity), values
                    )
                )
        return series

    def usage(self) -> str:
        data = self.data
        keys = [_month_key(m) for m in data.months]
        figures = []
        for unit in sorted(data.usage, key=_unit_sort):
            series = self._monthly_series(data.usage[unit], data.months)
            if not series:
                continue
            total = sum(v or 0 for s in series for v in s.values)
            chart = svg.stacked_bars(
                "monthly-usage",
                self.key("monthly-usage"),
                f"Monthly usage in {unit} by commodity, {self.period_text}",
                f"Stacked bars of counted monthly usage in {unit}, one colour per "
                f"commodity ({', '.join(s.label for s in series)}); total "
                f"{fmt_number(total)} {unit}.",
                keys,
                series,
                unit=unit,
                value_format=_with_unit(unit),
                attributes={"unit": unit},
            )
            figures.append(
                self.figure(
                    f"Usage in {unit}", chart, f"total {fmt_number(total)} {unit}"
                )
            )
        body = (
            f'<div class="grid">{"".join(figures)}</div>'
            if figures
            else self.no_data(
                "monthly-usage", f"No counted usage in {self.period_text}."
            )
        )
        return self.section(
            "usage",
            "Monthly usage by commodity",
            "Counted consumption (<code>fct_meter_monthly.usage</code>) in each "
            "commodity's standard unit; one chart per unit, so kWh and gallons are "
            f"never added. Hover a bar for its value.{self.open_note()}",
            body,
        )

    def cost(self) -> str:
        data = self.data
        keys = [_month_key(m) for m in data.months]
        figures = []
        for currency in sorted(data.cost):
            series = self._monthly_series(data.cost[currency], data.months)
            if not series:
                continue
            total = sum(v or 0 for s in series for v in s.values)
            chart = svg.stacked_bars(
                "monthly-cost",
                self.key("monthly-cost"),
                f"Monthly cost in {currency} by commodity, {self.period_text}",
                f"Stacked bars of counted monthly cost in {currency}, one colour "
                f"per commodity; total {fmt_money(total, currency)}.",
                keys,
                series,
                unit=currency,
                value_format=_money(currency),
                attributes={"currency": currency},
            )
            figures.append(
                self.figure(
                    f"Cost in {currency}", chart, f"total {fmt_money(total, currency)}"
                )
            )
        body = (
            f'<div class="grid">{"".join(figures)}</div>'
            if figures
            else self.no_data("monthly-cost", f"No counted cost in {self.period_text}.")
        )
        return self.section(
            "cost",
            "Monthly cost by commodity",
            "Counted attributed cost, spread over each bill's days; one chart per "
            "currency, never converted or added across currencies."
            f"{self.open_note()}",
            body,
        )

    def year_over_year(self) -> str:
        data = self.data
        current_months = data.yoy_months
        previous_months = [_shift(m, -YEAR) for m in current_months]
        # A month not over at the as-of date is drawn but not compared.
        compared = [m not in data.open_months for m in current_months]
        categories = [MONTH_NAMES[m.month - 1] for m in current_months]
        current_label = _span_label(current_months)
        previous_label = _span_label(previous_months)
        figures = []
        for unit in sorted(data.usage, key=_unit_sort):
            for commodity in sorted(data.usage[unit], key=_commodity_sort):
                by_month = data.usage[unit][commodity]
                current = [by_month.get(m) for m in current_months]
                previous = [by_month.get(m) for m in previous_months]
                if not any(current) and not any(previous):
                    continue
                this_total = sum(v or 0 for v in current)
                last_total = sum(v or 0 for v in previous)
                change = _yoy_change(current, previous, compared)
                name = commodity_label(commodity)
                chart = svg.compare_lines(
                    "year-over-year",
                    self.key("year-over-year"),
                    f"{name} usage in {unit}: {current_label} against {previous_label}",
                    f"Monthly {name.lower()} usage in {unit}: {current_label} "
                    f"(total {fmt_number(this_total)}) as a solid line, "
                    f"{previous_label} (total {fmt_number(last_total)}) dashed; "
                    f"{change}.",
                    categories,
                    svg.Series(current_label, self.color(commodity), current),
                    svg.Series(previous_label, "#9aa5b1", previous),
                    unit=unit,
                    value_format=_with_unit(unit),
                    attributes={"commodity": commodity, "unit": unit},
                )
                figures.append(self.figure(f"{name} ({unit})", chart, change))
        body = (
            f'<div class="grid three">{"".join(figures)}</div>'
            if figures
            else self.no_data(
                "year-over-year",
                f"No counted usage in {previous_label} or {current_label}.",
            )
        )
        return self.section(
            "year-over-year",
            "Year over year",
            "Each commodity's monthly usage over the 12 months ending at the "
            f"period's last month ({e(current_label)}) next to the 12 months before "
            "(which may lie before the period's first month); the change compares "
            "the months with usage in both years"
            + (
                f", leaving out {e(month_label(min(data.open_months)))}: not over at "
                "the as-of date"
                if set(current_months) & data.open_months
                else ""
            )
            + ".",
            body,
        )

    def top_sites(self) -> str:
        data = self.data
        figures = []
        for currency in sorted(data.site_costs):
            items = [(s, c) for s, c in data.site_costs[currency] if c != 0]
            if not items:
                continue
            shown = items[:TOP_SITES]
            bars = [
                svg.Bar(
                    _site_name(data, site_id),
                    cost,
                    fmt_number(cost),
                    f"{_site_name(data, site_id)}: {fmt_money(cost, currency)}",
                    "#334e68",
                )
                for site_id, cost in shown
            ]
            chart = svg.horizontal_bars(
                "top-sites-cost",
                self.key("top-sites-cost"),
                f"Top {len(shown)} sites by cost in {currency}, {self.period_text}",
                f"Horizontal bars of the counted cost in {currency} of the "
                f"{len(shown)} costliest of {len(items)} sites, largest first.",
                bars,
                axis_unit=currency,
                attributes={"currency": currency},
            )
            figures.append(
                self.figure(
                    f"Cost in {currency}",
                    chart,
                    f"top {len(shown)} of {len(items)} sites",
                )
            )
        cost_body = (
            "".join(figures)
            if figures
            else self.no_data(
                "top-sites-cost", f"No site has counted cost in {self.period_text}."
            )
        )
        months = data.intensity_months
        window = (
            f"{month_label(months[0])} \u2013 {month_label(months[-1])}"
            if len(months) > 1
            else month_label(months[0])
        )
        if data.intensities:
            shown_i = data.intensities[:TOP_INTENSITY]
            bars = [
                svg.Bar(
                    item.site.label,
                    item.kwh_per_sq_ft,
                    f"{item.kwh_per_sq_ft:,.2f}",
                    f"{item.site.label}: {item.kwh_per_sq_ft:,.2f} kWh/ft\u00b2 "
                    f"({fmt_number(item.energy_kwh)} kWh over "
                    f"{fmt_number(item.area_sq_ft)} ft\u00b2)",
                    "#d55e00",
                )
                for item in shown_i
            ]
            chart = svg.horizontal_bars(
                "top-sites-intensity",
                self.key("top-sites-intensity"),
                f"Top {len(shown_i)} sites by energy intensity, kWh per square "
                f"foot, {window}",
                f"Horizontal bars of counted energy use (all kWh commodities) per "
                f"ft\u00b2 of gross floor area over {window}, highest first.",
                bars,
                axis_unit="kWh/ft\u00b2",
            )
            note = ""
            if data.no_area:
                names = _some([site.label for site, _ in data.no_area], 12)
                note = (
                    f'<p class="note">Not shown, floor area or its unit unknown: '
                    f"{e(names)}.</p>"
                )
            intensity_body = self.figure(
                f"Energy intensity, kWh per ft\u00b2 ({window})",
                chart + note,
                f"top {len(shown_i)} of {len(data.intensities)} sites with a "
                "known area",
            )
        else:
            reason = (
                "no site with energy use has a known floor area"
                if data.no_area
                else "no site has counted energy use"
            )
            intensity_body = self.no_data(
                "top-sites-intensity", f"No energy intensity for {window}: {reason}."
            )
        return self.section(
            "top-sites",
            "Top sites",
            "The costliest sites per currency over the period, and the sites using "
            "the most energy per square foot over the period's last 12 months "
            "(floor areas in m\u00b2 converted at 10.7639 ft\u00b2 per m\u00b2). "
            "Meters without a site are in the last section.",
            f'<div class="grid">{cost_body}{intensity_body}</div>',
        )

    def charge_types(self) -> str:
        data = self.data
        intro = (
            "The counted cost per charge type: the line items of each bill by their "
            "charge type, and what the bill's current charges hold beyond its line "
            "items (not itemized), each spread over the bill's days as the monthly "
            "costs are. One chart per currency."
        )
        if "charge-types" in data.unbuilt:
            return self.section(
                "charge-types",
                "Cost by charge type",
                intro,
                self.unbuilt("charge-types"),
            )
        figures = []
        for currency in sorted(data.charge_types):
            items = [(t, a) for t, a in data.charge_types[currency] if round(a, 6) != 0]
            if not items:
                continue
            total = sum(a for _, a in items)
            bars = []
            for charge_type, amount in items:
                label, color = CHARGE_TYPES.get(
                    charge_type, (charge_type.replace("_", " ").capitalize(), "#52606d")
                )
                share = f" ({amount / total:.1%})" if total else ""
                bars.append(
                    svg.Bar(
                        label,
                        amount,
                        fmt_number(amount),
                        f"{label}: {fmt_money(amount, currency)}{share}",
                        color,
                    )
                )
            chart = svg.horizontal_bars(
                "charge-types",
                self.key("charge-types"),
                f"Cost in {currency} by charge type, {self.period_text}",
                f"Horizontal bars of counted cost in {currency} per charge type; "
                f"total {fmt_money(total, currency)}; credits are negative.",
                bars,
                label_width=250,
                axis_unit=currency,
                attributes={"currency": currency},
            )
            figures.append(
                self.figure(
                    f"Cost in {currency} by charge type",
                    chart,
                    f"total {fmt_money(total, currency)}",
                )
            )
        body = (
            f'<div class="grid">{"".join(figures)}</div>'
            if figures
            else self.no_data(
                "charge-types", f"No counted bill costs in {self.period_text}."
            )
        )
        return self.section("charge-types", "Cost by charge type", intro, body)

    def coverage(self) -> str:
        data = self.data
        rows_text = "meter" if data.coverage_by_meter else "site \u00d7 commodity"
        intro = (
            "Which months each tracked meter's bills cover "
            "(<code>dq_meter_month_coverage</code>): complete, partly covered or "
            "missing within the meter's required window (from its first bill to the "
            "as-of date, its site's stop date or, for a closed account, its last "
            "bill). "
            + (
                "One row per meter."
                if data.coverage_by_meter
                else f"One row per site \u00d7 commodity ({data.coverage_meters:,} "
                "meters; more than "
                f"{COVERAGE_METER_ROWS} would not fit one row each): complete when "
                "all its meters are, missing when all are, else partly covered; "
                "hover a cell for its meters."
            )
        )
        if "coverage" in data.unbuilt:
            return self.section("coverage", "Coverage", intro, self.unbuilt("coverage"))
        if not data.coverage:
            return self.section(
                "coverage",
                "Coverage",
                intro,
                self.no_data("coverage", f"No coverage rows in {self.period_text}."),
            )
        rows = _worst_rows(data.coverage, COVERAGE_MAX_ROWS)
        note = ""
        if len(rows) < len(data.coverage):
            note = (
                f'<p class="note">Showing the {len(rows):,} of '
                f"{len(data.coverage):,} rows with the most months not complete; "
                "the legend counts the rows shown.</p>"
            )
        chart = svg.status_grid(
            "coverage",
            self.key("coverage"),
            f"Coverage by {rows_text} and month, {self.period_text}",
            f"A grid of {len(rows)} rows ({rows_text}) by "
            f"{len(data.months)} months; each cell coloured by its coverage status.",
            [row.label for row in rows],
            [_month_key(m) for m in data.months],
            [[c.status if c else None for c in row.cells] for row in rows],
            [[c.tip if c else None for c in row.cells] for row in rows],
            COVERAGE_STATUSES,
            label_width=400,
            row_groups=[row.group for row in rows],
            attributes={
                "rows": "meter" if data.coverage_by_meter else "site-commodity"
            },
        )
        return self.section(
            "coverage",
            "Coverage",
            intro,
            self.figure(
                f"Coverage by {rows_text} and month", chart + note, self.period_text
            ),
        )

    def energy_star(self) -> str:
        data = self.data
        intro = (
            "Site \u00d7 commodity pairs without 12 consecutive complete months "
            "(<code>dq_site_energy_star_readiness</code>, judged at the as-of "
            "date, whatever the period), with the 12 months ending at the as-of "
            "month: a month is complete when all the site's meters of the "
            "commodity are."
        )
        if "energy-star" in data.unbuilt:
            return self.section(
                "energy-star",
                "Sites not ENERGY STAR ready",
                intro,
                self.unbuilt("energy-star"),
            )
        if not data.not_ready:
            pairs = data.ready_pairs
            text = (
                f"Every site \u00d7 commodity pair ({pairs:,}) is ENERGY STAR ready."
                if pairs
                else "No site \u00d7 commodity pair has readiness rows."
            )
            return self.section(
                "energy-star",
                "Sites not ENERGY STAR ready",
                intro,
                self.no_data("energy-star", text),
            )
        months = data.readiness_months
        drawn = data.not_ready[:READINESS_MAX_ROWS]
        chart = svg.status_grid(
            "energy-star",
            self.key("energy-star"),
            f"{len(data.not_ready)} site \u00d7 commodity pairs not ENERGY STAR "
            f"ready: {month_label(months[0])} \u2013 {month_label(months[-1])}",
            f"A grid of {len(drawn)} pairs not ready by the 12 months ending at "
            "the as-of month, each cell coloured by the month's coverage.",
            [item.label for item in drawn],
            [_month_key(m) for m in months],
            [[c.status if c else None for c in item.window] for item in drawn],
            [[c.tip if c else None for c in item.window] for item in drawn],
            READINESS_STATUSES,
            width=1000,
            label_width=330,
            row_height=20,
        )
        if len(drawn) < len(data.not_ready):
            chart += (
                f'<p class="note">The first {len(drawn):,} of '
                f"{len(data.not_ready):,} pairs are drawn; the table lists them "
                "all.</p>"
            )
        rows = []
        for item in data.not_ready:
            gaps = [
                _month_key(month)
                for month, cell in zip(months, item.window, strict=True)
                if cell is None or cell.status != "complete"
            ]
            latest = item.latest_complete_month
            rows.append(
                [
                    item.site.label if item.site else item.site_id,
                    item.company_id or "",
                    commodity_label(item.commodity),
                    _month_key(latest) if latest else "none",
                    f"{item.complete_months:,} of {item.coverage_months:,}",
                    f"{item.estimated_months:,}",
                    month_runs(gaps) if gaps else "none",
                ]
            )
        table = self.table(
            [
                ("Site", False),
                ("Company", False),
                ("Commodity", False),
                ("Latest complete month", False),
                ("Complete months", True),
                ("Estimated months", True),
                (
                    f"Not complete, {_month_key(months[0])} to "
                    f"{_month_key(months[-1])}",
                    False,
                ),
            ],
            rows,
        )
        total_pairs = data.ready_pairs + len(data.not_ready)
        return self.section(
            "energy-star",
            "Sites not ENERGY STAR ready",
            intro,
            self.figure(
                f"{len(data.not_ready):,} of {total_pairs:,} site \u00d7 commodity "
                "pairs not ready",
                chart + table,
                f"as of {data.as_of.isoformat()}",
            ),
        )

    def unassigned(self) -> str:
        data = self.data
        intro = (
            "Meters without a site (<code>dim_meters.site_id</code> empty): their "
            "usage counts in company totals but in no site's. Usage and cost are "
            f"counted figures over {e(self.period_text)}."
        )
        if not data.unassigned:
            return self.section(
                "unassigned",
                "Unassigned meters",
                intro,
                self.no_data("unassigned-usage", "Every meter has a site."),
            )
        units = sorted({u for m in data.unassigned for u in m.usage}, key=_unit_sort)
        figures = []
        for unit in units:
            meters = sorted(
                (m for m in data.unassigned if m.usage.get(unit)),
                key=lambda m: (-(m.usage.get(unit) or 0), m.meter_id),
            )
            if not meters:
                continue
            shown = meters[:UNASSIGNED_MAX_BARS]
            bars = [
                svg.Bar(
                    f"{m.meter_id} \u00b7 {commodity_label(m.commodity)}",
                    m.usage[unit],
                    fmt_number(m.usage[unit]),
                    f"{m.meter_id} ({commodity_label(m.commodity)}, company "
                    f"{m.company_id}): {fmt_number(m.usage[unit])} {unit}",
                    self.color(m.commodity),
                )
                for m in shown
            ]
            chart = svg.horizontal_bars(
                "unassigned-usage",
                self.key("unassigned-usage"),
                f"Usage in {unit} of meters without a site, {self.period_text}",
                f"Horizontal bars of the counted usage in {unit} of the "
                f"{len(shown)} largest of {len(meters)} meters without a site.",
                bars,
                axis_unit=unit,
                attributes={"unit": unit},
            )
            sub = (
                f"top {len(shown)} of {len(meters)} meters"
                if len(shown) < len(meters)
                else self.period_text
            )
            figures.append(self.figure(f"Usage in {unit}", chart, sub))
        if figures:
            charts = f'<div class="grid">{"".join(figures)}</div>'
        else:
            charts = self.no_data(
                "unassigned-usage",
                f"No meter without a site has counted usage in {self.period_text}.",
            )
        rows = []
        for m in data.unassigned:
            usage = "; ".join(
                f"{fmt_number(v)} {u}" for u, v in sorted(m.usage.items())
            )
            cost = "; ".join(fmt_money(v, c) for c, v in sorted(m.cost.items()))
            rows.append(
                [
                    m.meter_id,
                    m.company_id or "",
                    commodity_label(m.commodity),
                    m.provider_name or "",
                    m.account_id or "",
                    m.primary_id or "",
                    usage or "none",
                    cost or "none",
                    f"{m.months:,}",
                ]
            )
        table = self.table(
            [
                ("Meter", False),
                ("Company", False),
                ("Commodity", False),
                ("Provider", False),
                ("Account", False),
                ("Primary ID", False),
                ("Usage", True),
                ("Cost", True),
                ("Months with figures", True),
            ],
            rows,
        )
        return self.section(
            "unassigned",
            f"Unassigned meters ({len(data.unassigned):,})",
            intro,
            charts + table,
        )

    def footer(self) -> str:
        return (
            "<footer><p>Written by <code>pipeline.py report</code> from "
            f"{e(Path(self.data.database).name)}, read-only. Figures are what "
            "analytics inclusion counts (<code>marts.fct_meter_monthly</code>): "
            "usage in the commodity's standard unit (kWh for energy, gallons for "
            "water and sewer), cost in the bill's currency; implied sewer and "
            "mirror-site estimates are left out. Numbers are rounded for display: "
            "no decimals from 1,000 up.</p><p>This file is self-contained: it "
            "loads nothing and runs no script; hover a mark to see its value.</p>"
            "</footer>"
        )

    def render(self) -> str:
        data = self.data
        scope = data.company[0] if data.company else "all companies"
        title = f"Utility portfolio report \u00b7 {scope} \u00b7 {self.period_text}"
        parts = [
            self.usage(),
            self.cost(),
            self.year_over_year(),
            self.top_sites(),
            self.charge_types(),
            self.coverage(),
            self.energy_star(),
            self.unassigned(),
        ]
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"{self.header()}\n"
            f'<main class="wrap">\n{self.nav()}\n{self.tiles()}\n'
            + "\n".join(parts)
            + f"\n{self.footer()}\n</main>\n</body>\n</html>\n"
        )


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document."""
    return _Page(data).render()


def write_report(out: Path, html: str) -> None:
    """Write ``html`` to ``out`` atomically (staged beside it, then renamed);
    refuses an ``out`` that exists and is not a regular file."""
    try:
        safe_output.write_text(out, html)
    except safe_output.OutputPathError as exc:
        raise ReportError(str(exc)) from exc
    except OSError as exc:
        raise ReportError(f"cannot write {out}: {exc.strerror or exc}") from exc


def build_report(
    database: Path, out: Path, request: ReportRequest, today: date | None = None
) -> ReportData:
    """Read the warehouse and write the report to ``out``; returns its data."""
    database, out = Path(database), Path(out)
    try:
        safe_output.refuse_unsafe_file(out)
    except safe_output.OutputPathError as exc:
        raise ReportError(str(exc)) from exc
    with contextlib.suppress(OSError):
        if out.exists() and database.exists() and out.samefile(database):
            raise ReportError(f"--out {out} is the database itself")
    if out.suffix.lower() in (".duckdb", ".db"):
        raise ReportError(f"--out {out} looks like a database; give an .html file")
    data = collect(database, request, today)
    write_report(out, render_html(data))
    return data


_EPILOG = """\
Sections: monthly usage by commodity (one chart per standard unit: kWh and
gallons are never added), monthly cost by commodity (one chart per currency:
currencies are never added), year over year per commodity (the 12 months ending
at the period's last month against the 12 before), top sites by cost (per
currency) and by energy intensity (kWh per ft2 over the period's last 12 months;
1 m2 = 10.7639 ft2; sites without a known floor area are named apart), cost by
charge type (per currency), the coverage heatmap (meter or site x commodity by
month: complete, partial, missing), the site x commodity pairs not ENERGY STAR
ready, and the meters without a site with their usage.

The period defaults to the 24 months ending at the warehouse's as-of month (the
latest run's as-of date in marts.run_metadata; today without it). --from alone
runs to the as-of month, --to alone starts 23 months before it; a period spans
at most 120 months between 1950-01 and the month one year after today (the
months of the as-of dates every command accepts). A warehouse whose latest
run's as-of date is outside that bound is refused: rebuild it.

The file is self-contained: charts are inline SVG, there is no script and
nothing to download; it opens offline in any browser. Hover a mark for its
value.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    target_reader.add_source_arguments(parser)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="The HTML file to write (replaced atomically; folders are created). "
        "Refused when it exists and is not a regular file (a symlink, FIFO, "
        "device or folder).",
    )
    parser.add_argument("--company", metavar="ID", help="Only this company.")
    parser.add_argument(
        "--from",
        dest="month_from",
        metavar="YYYY-MM",
        help="First month, inclusive (default: 23 months before --to).",
    )
    parser.add_argument(
        "--to",
        dest="month_to",
        metavar="YYYY-MM",
        help="Last month, inclusive (default: the warehouse's as-of month).",
    )


def main(args: argparse.Namespace) -> int:
    return target_reader.run_reader(
        args, COMMAND, lambda database: _main(args, database)
    )


def _main(args: argparse.Namespace, database: Path) -> int:
    request = ReportRequest(
        company=args.company, month_from=args.month_from, month_to=args.month_to
    )
    try:
        data = build_report(database, Path(args.out), request)
    except ReportError as exc:
        message = " ".join(str(exc).split())
        print(f"pipeline.py report: error: {message}", file=sys.stderr)
        return exc.exit_code
    scope = data.company[0] if data.company else "all companies"
    print(
        f"report written: {args.out} ({scope}, "
        f"{_month_key(data.first)} to {_month_key(data.last)}, as of "
        f"{data.as_of.isoformat()})"
    )
    return EXIT_OK
