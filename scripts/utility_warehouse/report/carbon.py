"""The report's energy and emissions section: its figures and its HTML.

Reads the carbon marts (``fct_site_monthly_emissions``, ``rpt_ghg_inventory``,
``fct_site_energy_performance``, ``dq_emission_findings``) for the report's
company and months:

- monthly CO2e by scope, one chart per method (location, market): each month
  adds the site-months that have a figure; the activity of those that have
  none (no emission factor) is shown beside it, never counted as zero;
- the GHG inventory rows of the period's calendar years;
- site and source EUI per site over the trailing 12 months, against the
  site's floor area (EUI only for a complete period, as Portfolio Manager);
- the findings of the period that say where factors or ratios are missing.

A warehouse built before the carbon marts says "not built" in the section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from utility_warehouse import svgchart as svg
from utility_warehouse.reading import Row, Warehouse, month_text, shift_month
from utility_warehouse.report.style import fmt_number, month_label, to_float

if TYPE_CHECKING:
    from utility_warehouse.report.charts import Charts

e = svg.esc
MARTS = "marts"
SECTION = "carbon"
# The columns the section reads of each mart.
COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    (MARTS, "fct_site_monthly_emissions"): (
        "company_id",
        "scope",
        "month",
        "activity_kwh",
        "co2e_location_kg",
        "co2e_market_kg",
    ),
    (MARTS, "rpt_ghg_inventory"): (
        "company_id",
        "year",
        "scope",
        "method",
        "activity_kwh",
        "co2e_t",
        "share_with_factor",
    ),
    (MARTS, "fct_site_energy_performance"): (
        "site_id",
        "company_id",
        "period_type",
        "period_start",
        "period_end",
        "gross_floor_area_ft2",
        "site_energy_kbtu",
        "source_energy_kbtu",
        "site_eui_kbtu_per_ft2",
        "source_eui_kbtu_per_ft2",
        "months_complete",
        "is_complete",
    ),
    (MARTS, "dq_emission_findings"): (
        "kind",
        "company_id",
        "commodity",
        "month",
        "quantity_kwh",
    ),
}
TABLES: tuple[tuple[str, str], ...] = tuple(COLUMNS)
METHODS: tuple[str, ...] = ("location", "market")
SCOPE_COLORS: dict[int, str] = {1: "#c05621", 2: "#334e68"}
MISSING = "missing"
KIND_TEXT: dict[str, str] = {
    "no_emission_factor": "meter-months without an emission factor",
    "residual_mix_unavailable": "site-months without a residual mix "
    "(location factor used)",
    "no_source_ratio": "meter-months without a source-site ratio",
    "unused_instrument_quantity": "instrument-months with quantity left over",
}


@dataclass
class CarbonData:
    """The figures of the section (kg and kWh as floats for drawing; the
    inventory and performance rows as the marts have them)."""

    # method -> scope -> month -> CO2e kg of the site-months with a figure
    monthly: dict[str, dict[int, dict[date, float]]] = field(default_factory=dict)
    # method -> month -> activity kWh of the site-months without a figure
    lacking: dict[str, dict[date, float]] = field(default_factory=dict)
    inventory: list[Row] = field(default_factory=list)
    performance: list[Row] = field(default_factory=list)
    # (kind, commodity, count, kWh) in the period
    findings: list[tuple[str, str, int, float]] = field(default_factory=list)


def _company(company: str | None, column: str = "company_id") -> tuple[str, list[Any]]:
    if company is None:
        return "", []
    return f" AND CAST({column} AS VARCHAR) = ?", [company]


def load(warehouse: Warehouse, company: str | None, months: list[date]) -> CarbonData:
    """The section's figures for ``company`` (None: all) and ``months``."""
    data = CarbonData()
    first, after = months[0], shift_month(months[-1], 1)
    where, params = _company(company)
    for month, scope, location, market, no_location, no_market in warehouse.tuples(
        "SELECT month, scope, sum(co2e_location_kg), sum(co2e_market_kg), "
        "sum(CASE WHEN co2e_location_kg IS NULL THEN activity_kwh END), "
        "sum(CASE WHEN co2e_market_kg IS NULL THEN activity_kwh END) "
        f"FROM {MARTS}.fct_site_monthly_emissions "
        f"WHERE month >= ? AND month < ?{where} GROUP BY ALL ORDER BY ALL",
        [first, after, *params],
    ):
        for method, kg, kwh in (
            ("location", location, no_location),
            ("market", market, no_market),
        ):
            if kg is not None:
                by_scope = data.monthly.setdefault(method, {})
                by_scope.setdefault(int(scope), {})[month] = to_float(kg)
            if kwh:
                data.lacking.setdefault(method, {})[month] = to_float(kwh)
    data.inventory = warehouse.rows(
        "SELECT company_id, year, scope, method, activity_kwh, co2e_t, "
        f"share_with_factor FROM {MARTS}.rpt_ghg_inventory "
        f"WHERE year BETWEEN ? AND ?{where} "
        "ORDER BY company_id, year, scope, method",
        [first.year, months[-1].year, *params],
    )
    data.performance = warehouse.rows(
        "SELECT site_id, period_start, period_end, gross_floor_area_ft2, "
        "site_energy_kbtu, source_energy_kbtu, site_eui_kbtu_per_ft2, "
        "source_eui_kbtu_per_ft2, months_complete, is_complete "
        f"FROM {MARTS}.fct_site_energy_performance "
        f"WHERE period_type = 'trailing_12_months'{where} "
        "ORDER BY site_eui_kbtu_per_ft2 DESC NULLS LAST, site_id",
        params,
    )
    data.findings = [
        (str(kind), str(commodity), int(count), to_float(kwh or 0))
        for kind, commodity, count, kwh in warehouse.tuples(
            "SELECT kind, commodity, count(*), sum(quantity_kwh) "
            f"FROM {MARTS}.dq_emission_findings "
            f"WHERE month >= ? AND month < ?{where} "
            "GROUP BY ALL ORDER BY kind, commodity",
            [first, after, *params],
        )
    ]
    return data


# --- HTML ---------------------------------------------------------------------------


def _tonnes(kg: float) -> str:
    return f"{fmt_number(kg / 1000)} t"


def _percent(share: Any) -> str:
    if share is None:
        return ""
    value = to_float(share) * 100
    # Cut down, never rounded up: 99.99% shows 99.9%.
    text = f"{int(value * 10) / 10:.1f}%"
    return "<0.1%" if text == "0.0%" and value > 0 else text


def _missing_note(page: Charts, data: CarbonData) -> str:
    if not data.findings:
        return (
            '<p class="note" data-missing-factors="none">Every meter-month of the '
            "period has its emission factor and source-site ratio.</p>"
        )
    lacking = sum(data.lacking.get("location", {}).values())
    rows = [
        [kind, commodity, f"{count:,}", fmt_number(kwh), KIND_TEXT.get(kind, kind)]
        for kind, commodity, count, kwh in data.findings
    ]
    table = page.table(
        [
            ("Finding", False),
            ("Commodity", False),
            ("Count", True),
            ("kWh", True),
            ("What it counts", False),
        ],
        rows,
    )
    return (
        '<p class="note" data-missing-factors="some"><strong>Where factors are '
        f"missing.</strong> {e(fmt_number(lacking))} kWh of activity in the period "
        "has no location-based emission factor: its emissions are left out of "
        "the charts and the inventory (never counted as zero), and the inventory "
        "says what share has one. From <code>dq_emission_findings</code>:</p>" + table
    )


def _monthly_chart(page: Charts, data: CarbonData, method: str) -> str:
    months = page.data.months
    keys = [month_text(m) for m in months]
    by_scope = data.monthly.get(method, {})
    series = [
        svg.Series(
            f"Scope {scope}",
            SCOPE_COLORS.get(scope, "#3e4c59"),
            [
                None if by_scope[scope].get(m) is None else by_scope[scope][m] / 1000
                for m in months
            ],
        )
        for scope in sorted(by_scope)
    ]
    lacking = data.lacking.get(method, {})
    if not any(v for s in series for v in s.values) and not lacking:
        return page.no_data(
            f"co2e-{method}", f"No {method}-based emissions in {page.period_text}."
        )
    total = sum(v or 0 for s in series for v in s.values)
    chart = page.draw(
        svg.stacked_bars,
        f"co2e-{method}",
        f"Monthly {method}-based CO2e in t by scope, {page.period_text}",
        f"Stacked bars of the monthly {method}-based CO2e in tonnes, one colour "
        f"per scope; total {fmt_number(total)} t of the activity that has a "
        "factor.",
        keys,
        series,
        unit="t",
        value_format=lambda value: f"{fmt_number(value)} t",
        attributes={"method": method},
    )
    rows = []
    for index, month in enumerate(months):
        values = [s.values[index] for s in series]
        if not any(values) and month not in lacking:
            continue
        cells = ["" if v is None else f"{fmt_number(v)} t" for v in values]
        without = lacking.get(month)
        rows.append(
            [
                month_label(month),
                *cells,
                f"{fmt_number(without)} kWh" if without else "",
            ]
        )
    headers = [
        ("Month", False),
        *((s.label, True) for s in series),
        ("Activity without a factor", True),
    ]
    chart += page.values(headers, rows)
    sub = f"total {fmt_number(total)} t"
    if lacking:
        sub += f"; {fmt_number(sum(lacking.values()))} kWh without a factor"
    return page.figure(f"{method.capitalize()}-based CO2e", chart, sub)


def _inventory_table(page: Charts, data: CarbonData) -> str:
    if not data.inventory:
        return page.no_data("ghg-inventory", "No inventory rows for the period.")
    rows = [
        [
            str(row["company_id"]),
            str(row["year"]),
            str(row["scope"]),
            str(row["method"]),
            f"{fmt_number(to_float(row['activity_kwh']))} kWh",
            MISSING
            if row["co2e_t"] is None
            else f"{fmt_number(to_float(row['co2e_t']))} t",
            _percent(row["share_with_factor"]),
        ]
        for row in data.inventory
    ]
    headers = [
        ("Company", False),
        ("Year", False),
        ("Scope", True),
        ("Method", False),
        ("Activity", True),
        ("CO2e", True),
        ("With factor", True),
    ]
    return page.figure(
        "GHG inventory",
        f'<div data-table="ghg-inventory">{page.table(headers, rows)}</div>',
        "calendar years of the period",
        wide=True,
    )


def _eui(value: Any, row: Row) -> str:
    if value is not None:
        return fmt_number(to_float(value))
    if row.get("gross_floor_area_ft2") is None:
        return "no area"
    if not row.get("is_complete"):
        return "incomplete"
    return MISSING


def _performance(page: Charts, data: CarbonData) -> str:
    rows_data = data.performance
    if not rows_data:
        return page.no_data("site-eui", "No site has energy in the trailing 12 months.")
    first = rows_data[0]
    span = f"{first['period_start']} to {first['period_end']}"
    sites = page.data.sites

    def label(site_id: Any) -> str:
        site = sites.get(str(site_id))
        return site.label if site else str(site_id)

    bars = [
        svg.Bar(
            label(row["site_id"]),
            to_float(row["site_eui_kbtu_per_ft2"]),
            fmt_number(to_float(row["site_eui_kbtu_per_ft2"])),
            f"{label(row['site_id'])}: site EUI "
            f"{fmt_number(to_float(row['site_eui_kbtu_per_ft2']))} kBtu/ft2",
            "#2f855a",
        )
        for row in rows_data
        if row["site_eui_kbtu_per_ft2"] is not None
    ]
    chart = ""
    if bars:
        chart = page.draw(
            svg.horizontal_bars,
            "site-eui",
            f"Site EUI in kBtu/ft2, {span}",
            f"Horizontal bars of the site energy use intensity of the {len(bars)} "
            "sites with 12 complete months and a floor area, largest first.",
            bars,
            axis_unit="kBtu/ft2",
        )
    rows = [
        [
            label(row["site_id"]),
            ""
            if row["gross_floor_area_ft2"] is None
            else fmt_number(to_float(row["gross_floor_area_ft2"])),
            fmt_number(to_float(row["site_energy_kbtu"])),
            MISSING
            if row["source_energy_kbtu"] is None
            else fmt_number(to_float(row["source_energy_kbtu"])),
            _eui(row["site_eui_kbtu_per_ft2"], row),
            _eui(row["source_eui_kbtu_per_ft2"], row),
            f"{row['months_complete']} of 12",
        ]
        for row in rows_data
    ]
    headers = [
        ("Site", False),
        ("Floor area ft2", True),
        ("Site energy kBtu", True),
        ("Source energy kBtu", True),
        ("Site EUI", True),
        ("Source EUI", True),
        ("Complete", True),
    ]
    table = f'<div data-table="site-eui">{page.table(headers, rows)}</div>'
    return page.figure(
        "Site and source EUI (kBtu/ft2)",
        chart + table,
        f"trailing 12 months, {span}",
        wide=True,
    )


def section(page: Charts) -> str:
    """The energy and emissions section of the report."""
    report = page.data
    intro = (
        "Location- and market-based CO2e (<code>fct_site_monthly_emissions</code>, "
        "GHG Protocol scopes 1 and 2), the GHG inventory "
        "(<code>rpt_ghg_inventory</code>) and site and source energy use "
        "intensity against floor area (<code>fct_site_energy_performance</code>)."
    )
    if SECTION in report.unbuilt:
        return page.section(
            SECTION, "Energy and emissions", intro, page.unbuilt(SECTION)
        )
    data = report.carbon
    if data is None:
        return ""
    charts = "".join(_monthly_chart(page, data, method) for method in METHODS)
    body = (
        _missing_note(page, data)
        + f'<div class="grid">{charts}</div>'
        + _inventory_table(page, data)
        + _performance(page, data)
    )
    return page.section(SECTION, "Energy and emissions", intro, body)
