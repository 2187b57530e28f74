"""The report's figures, read from the warehouse (opened read-only).

``collect`` reads every section's figures into a :class:`ReportData`; the page
(``page`` and ``charts``) only draws them. Every filter value reaches DuckDB as
a bound parameter; the only SQL text that varies comes from the fixed table and
column names below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from utility_warehouse import metadata, reading
from utility_warehouse.as_of_bound import AsOfError, warehouse_as_of
from utility_warehouse.exit_codes import EXIT_BAD_INPUT, EXIT_BUSY
from utility_warehouse.reading import (
    last_complete_month,
    month_index,
    month_of_index,
    month_text,
)
from utility_warehouse.reading import shift_month as _shift
from utility_warehouse.report import carbon
from utility_warehouse.report.style import (
    ENERGY_UNIT,
    commodity_label,
    commodity_sort,
    month_label,
    to_float,
)
from utility_warehouse.rollup import MONTH_MIN, RollupError, parse_month

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
ACTION_MAX_ROWS = 25  # open action findings listed (the rest: quality --severity)
SQ_M_TO_SQ_FT = 10.7639


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
    (MARTS, "dq_findings"): (
        "finding_id",
        "kind",
        "severity",
        "company_id",
        "site_id",
        "document_id",
        "month",
        "detail",
        "status",
    ),
    **carbon.COLUMNS,
}
REQUIRED: tuple[tuple[str, str], ...] = (
    (MARTS, "dim_companies"),
    (MARTS, "dim_sites"),
    (MARTS, "dim_meters"),
    (MARTS, "fct_meter_monthly"),
)


class ReportError(Exception):
    """A request the report cannot serve; the command exits 2 with the message."""

    exit_code = EXIT_BAD_INPUT


class ReportBusyError(ReportError):
    """The warehouse file is held for writing by another process: exit 3."""

    exit_code = EXIT_BUSY


@dataclass(frozen=True)
class ReportRequest:
    """What to report: a company (None: all) and the months (``YYYY-MM``);
    ``through``: where the period ends without ``--to``, "complete" (the last
    complete month of the as-of date) or "as-of" (the as-of month)."""

    company: str | None = None
    month_from: str | None = None
    month_to: str | None = None
    through: str = "complete"


THROUGH: tuple[str, ...] = ("complete", "as-of")


# --- months --------------------------------------------------------------------


def _month_end(day: date) -> date:
    return _shift(day, 1) - timedelta(days=1)


def _parse(value: str, option: str) -> date:
    try:
        return parse_month(value, option)
    except RollupError as exc:
        raise ReportError(str(exc)) from exc


def period_end(as_of: date, through: str = "complete") -> date:
    """Where the period ends without ``--to``: the last complete month of
    ``as_of`` (``through`` "complete") or its month ("as-of")."""
    if through not in THROUGH:
        raise ReportError(
            f"unknown --through {through!r}; expected one of {', '.join(THROUGH)}"
        )
    if through == "as-of":
        return date(as_of.year, as_of.month, 1)
    return last_complete_month(as_of)


def resolve_period(request: ReportRequest, as_of: date) -> list[date]:
    """The months of the report, oldest first (see the module's docstring)."""
    default_end = period_end(as_of, request.through)
    start = None if request.month_from is None else _parse(request.month_from, "--from")
    end = None if request.month_to is None else _parse(request.month_to, "--to")
    if end is None:
        if start is not None and start > default_end:
            which = (
                "the warehouse's as-of month"
                if request.through == "as-of"
                else "the last complete month of the warehouse's as-of date"
            )
            raise ReportError(
                f"--from {request.month_from} is after {which} "
                f"{month_text(default_end)}; give --to as well"
            )
        end = default_end
    if start is None:
        earliest = month_index(end) - (DEFAULT_MONTHS - 1)
        start = month_of_index(max(earliest, month_index(MONTH_MIN)))
    if start > end:
        raise ReportError(f"--from {month_text(start)} is after --to {month_text(end)}")
    count = month_index(end) - month_index(start) + 1
    if count > MAX_MONTHS:
        raise ReportError(
            f"the period {month_text(start)}..{month_text(end)} spans {count} "
            f"months; a report covers at most {MAX_MONTHS}"
        )
    return [_shift(start, offset) for offset in range(count)]


# --- the data ------------------------------------------------------------------


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
class ActionFinding:
    """An open finding of severity action (``marts.dq_findings``)."""

    finding_id: str
    kind: str
    site_id: str | None
    document_id: str | None
    month: date | None
    detail: str


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
    action_findings: list[ActionFinding] = field(default_factory=list)
    action_total: int = 0
    carbon: carbon.CarbonData | None = None

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
        """The 12 months ending at the last complete month of the as-of date
        (the month in progress never makes a site ready or unready)."""
        last = last_complete_month(self.as_of)
        return [_shift(last, offset) for offset in range(1 - YEAR, 1)]

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


Warehouse = reading.Warehouse


def _unbuilt(warehouse: Warehouse, tables: Sequence[tuple[str, str]]) -> list[str]:
    """``schema.table`` of the tables missing or lacking a column they need."""
    return warehouse.unbuilt({key: COLUMNS[key] for key in tables})


def _company_filter(
    request: ReportRequest, column: str = "company_id"
) -> tuple[str, list[object]]:
    """`` AND <column> = ?`` for the company (empty without one)."""
    if request.company is None:
        return "", []
    return f" AND CAST({column} AS VARCHAR) = ?", [request.company]


def _latest_run(warehouse: Warehouse) -> RunInfo | None:
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
    found = warehouse.tuples(
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


def _load_sites(warehouse: Warehouse) -> dict[str, Site]:
    """Every site by id (a company filter narrows the figures, not the names)."""
    sites: dict[str, Site] = {}
    for site_id, company_id, name, area, units in warehouse.tuples(
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


def _monthly(warehouse: Warehouse, request: ReportRequest, data: ReportData) -> None:
    # The period, and the two years of the year-over-year comparison.
    first = min(data.first, _shift(data.last, 1 - 2 * YEAR))
    company, params = _company_filter(request)
    for month, commodity, unit, currency, usage, cost in warehouse.tuples(
        "SELECT month, commodity, usage_unit, currency, sum(usage), sum(cost) "
        f"FROM {MARTS}.fct_meter_monthly WHERE month >= ? AND month <= ?{company} "
        "GROUP BY month, commodity, usage_unit, currency",
        [first, data.last, *params],
    ):
        unit_key = str(unit) if unit is not None else "?"
        by_unit = data.usage.setdefault(unit_key, {}).setdefault(str(commodity), {})
        by_unit[month] = by_unit.get(month, 0.0) + to_float(usage)
        if currency is None:  # usage of bills whose currency is unknown: no cost
            continue
        by_currency = data.cost.setdefault(str(currency), {}).setdefault(
            str(commodity), {}
        )
        by_currency[month] = by_currency.get(month, 0.0) + to_float(cost)


def _site_costs(warehouse: Warehouse, request: ReportRequest, data: ReportData) -> None:
    company, params = _company_filter(request)
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for site_id, currency, cost in warehouse.tuples(
        "SELECT site_id, currency, sum(cost) AS cost "
        f"FROM {MARTS}.fct_meter_monthly WHERE site_id IS NOT NULL "
        "AND currency IS NOT NULL "
        f"AND month >= ? AND month <= ?{company} GROUP BY site_id, currency "
        "ORDER BY currency, cost DESC, site_id",
        [data.first, data.last, *params],
    ):
        out[str(currency)].append((str(site_id), to_float(cost)))
    data.site_costs = dict(out)


def _intensity(warehouse: Warehouse, request: ReportRequest, data: ReportData) -> None:
    company, params = _company_filter(request)
    for site_id, energy in warehouse.tuples(
        "SELECT site_id, sum(usage) FROM "
        f"{MARTS}.fct_meter_monthly WHERE site_id IS NOT NULL AND usage_unit = ? "
        f"AND month >= ? AND month <= ?{company} GROUP BY site_id ORDER BY site_id",
        [ENERGY_UNIT, data.intensity_months[0], data.last, *params],
    ):
        kwh = to_float(energy)
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
    warehouse: Warehouse, request: ReportRequest, data: ReportData
) -> None:
    company, params = _company_filter(request, "b.company_id")
    first_day, last_day = data.first, _month_end(data.last)
    # Each component's part of the bill x meter cost, spread over the bill's
    # days (start_date to bill_date, both included) as the monthly costs are;
    # the days inside the period count.
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for currency, component_type, amount in warehouse.tuples(
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
        out[str(currency)].append((str(component_type), to_float(amount)))
    data.charge_types = dict(out)


IN_PROGRESS = "in_progress"
"""The coverage status of the as-of month when the as-of date is not its last
day: neither complete nor missing, the rest of the month cannot be billed yet."""


def _aggregate_status(statuses: Sequence[str]) -> str:
    """Of the statuses other than in progress: complete when all are, missing
    when all are, else partial; in progress when every status is."""
    settled = [status for status in statuses if status != IN_PROGRESS]
    if not settled:
        return IN_PROGRESS
    if all(status == "complete" for status in settled):
        return "complete"
    if all(status == "missing" for status in settled):
        return "missing"
    return "partial"


def _status_text(status: str) -> str:
    return "in progress" if status == IN_PROGRESS else status


def _group_tip(label: str, month: date, statuses: Sequence[str]) -> str:
    counts = {
        _status_text(s): statuses.count(s)
        for s in ("complete", "partial", "missing", IN_PROGRESS)
    }
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


def _coverage(warehouse: Warehouse, request: ReportRequest, data: ReportData) -> None:
    company, params = _company_filter(request)
    found = warehouse.tuples(
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
            commodity_sort(str(commodity)),
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
                so_far = (
                    " so far (the month is in progress at the as-of date)"
                    if status == IN_PROGRESS
                    else ""
                )
                cells.append(
                    CoverageCell(
                        status,
                        f"{label}, {month_label(month)}: {_status_text(status)}, "
                        f"{covered} of {required} required days covered{so_far}",
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


def _readiness(warehouse: Warehouse, request: ReportRequest, data: ReportData) -> None:
    company, params = _company_filter(request)
    pairs = warehouse.tuples(
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
    if not _unbuilt(warehouse, [(MARTS, "dq_meter_month_coverage")]):
        for site_id, commodity, month, status in warehouse.tuples(
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


def _unassigned(warehouse: Warehouse, request: ReportRequest, data: ReportData) -> None:
    company, params = _company_filter(request)
    figures: dict[str, tuple[dict[str, float], dict[str, float], set[date]]] = {}
    for meter_id, unit, currency, month, usage, cost in warehouse.tuples(
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
        usage_by_unit[unit_key] = usage_by_unit.get(unit_key, 0.0) + to_float(usage)
        if currency is not None:
            cost_by_currency[str(currency)] = cost_by_currency.get(
                str(currency), 0.0
            ) + to_float(cost)
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
    ) in warehouse.tuples(
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


def _action_findings(
    warehouse: Warehouse, request: ReportRequest, data: ReportData
) -> None:
    """The open findings of severity action (whatever the period: they wait
    for a review), the first ``ACTION_MAX_ROWS`` of them and how many."""
    company, params = _company_filter(request)
    where = (
        "WHERE lower(CAST(severity AS VARCHAR)) = 'action' "
        f"AND upper(CAST(status AS VARCHAR)) = 'OPEN'{company}"
    )
    data.action_total = int(
        warehouse.tuples(f"SELECT count(*) FROM {MARTS}.dq_findings {where}", params)[
            0
        ][0]
    )
    data.action_findings = [
        ActionFinding(
            finding_id=str(finding_id),
            kind=str(kind),
            site_id=None if site_id is None else str(site_id),
            document_id=None if document_id is None else str(document_id),
            month=month,
            detail="" if detail is None else str(detail),
        )
        for finding_id, kind, site_id, document_id, month, detail in warehouse.tuples(
            "SELECT finding_id, kind, site_id, document_id, month, detail "
            f"FROM {MARTS}.dq_findings {where} ORDER BY kind, site_id NULLS FIRST, "
            "document_id NULLS FIRST, month NULLS FIRST, finding_id LIMIT ?",
            [*params, ACTION_MAX_ROWS],
        )
    ]


def _carbon(warehouse: Warehouse, request: ReportRequest, data: ReportData) -> None:
    data.carbon = carbon.load(warehouse, request.company, data.months)


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
    warehouse = reading.open_warehouse(
        database, (MARTS, INTERMEDIATE), ReportError, ReportBusyError
    )
    con = warehouse.con
    try:
        unbuilt = _unbuilt(warehouse, REQUIRED)
        if unbuilt:
            raise ReportError(
                f"{database} has no {', '.join(unbuilt)}; run the pipeline first "
                "(python scripts/pipeline.py run ...)"
            )
        run_as_of = _recorded_as_of(con, today)
        company: tuple[str, str | None] | None = None
        if request.company is not None:
            found = warehouse.tuples(
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
            warehouse.tuples(
                f"SELECT count(*) FROM {MARTS}.dim_sites WHERE TRUE{company_sql}",
                params,
            )[0][0]
        )
        data.meter_count = int(
            warehouse.tuples(
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
            "findings": ((MARTS, "dq_findings"),),
            carbon.SECTION: carbon.TABLES,
        }
        loaders = {
            "charge-types": _charge_types,
            "coverage": _coverage,
            "energy-star": _readiness,
            "findings": _action_findings,
            carbon.SECTION: _carbon,
        }
        for section, tables in sections.items():
            missing = _unbuilt(warehouse, tables)
            if missing:
                data.unbuilt[section] = missing
            else:
                loaders[section](warehouse, request, data)
        return data
    except duckdb.Error as exc:
        raise ReportError(
            f"querying {database} failed: {reading.first_line(exc)}"
        ) from exc
    finally:
        con.close()
