"""How the report looks: colours, labels and rounded numbers, and the page's CSS.

The page is one self-contained file: the stylesheet is inline, and a
Content-Security-Policy forbids any request (no script, no URL, no font).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from utility_warehouse import svgchart as svg

ENERGY_UNIT = "kWh"

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
    svg.Status("in_progress", "in progress (the as-of month)", "#8fb8de"),
    svg.Status("none", "not required (outside the window)", "#e9edf1"),
)
READINESS_STATUSES = (
    svg.Status("complete", "complete", "#2f9e63"),
    svg.Status("partial", "partly covered", "#f0b429"),
    svg.Status("missing", "missing", "#d64545"),
    svg.Status("in_progress", "in progress (the as-of month)", "#8fb8de"),
    svg.Status("none", "no coverage rows", "#e9edf1"),
)

MONTH_NAMES = svg.MONTH_NAMES


def month_label(day: date) -> str:
    """``Nov 2026``."""
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def span_label(months: Sequence[date]) -> str:
    """``Dec 2025 - Nov 2026`` with an en dash (one month: ``Nov 2026``)."""
    if len(months) == 1:
        return month_label(months[0])
    return f"{month_label(months[0])} \u2013 {month_label(months[-1])}"


def to_float(value: Any) -> float:
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


def with_unit(unit: str) -> svg.Formatter:
    return lambda value: f"{fmt_number(value)} {unit}"


def money_formatter(currency: str) -> svg.Formatter:
    return lambda value: fmt_money(value, currency)


def commodity_label(commodity: str) -> str:
    """``DISTRICT_HEATING`` -> ``District heating``."""
    return commodity.replace("_", " ").capitalize()


def commodity_color(commodity: str, extra: dict[str, str]) -> str:
    if commodity in COMMODITY_COLORS:
        return COMMODITY_COLORS[commodity]
    if commodity not in extra:
        extra[commodity] = FALLBACK_COLORS[len(extra) % len(FALLBACK_COLORS)]
    return extra[commodity]


def commodity_sort(commodity: str) -> tuple[int, str]:
    order = COMMODITY_ORDER.index(commodity) if commodity in COMMODITY_ORDER else 99
    return order, commodity


def unit_sort(unit: str) -> tuple[int, str]:
    return (0 if unit == ENERGY_UNIT else 1), unit


# --- the page's stylesheet -------------------------------------------------------

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
svg.chart.narrow { display: none; }
details.values { margin-top: 8px; }
details.values > summary { cursor: pointer; color: #334e68; font-size: 13px; }
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
.table-wrap { margin-top: 12px; max-width: 100%; overflow-x: auto; }
footer { color: #52606d; font-size: 12.5px; margin: 30px 0 24px;
  border-top: 1px solid #d9e2ec; padding-top: 12px; }
footer p { margin: 4px 0; max-width: 1100px; }
@media (max-width: 900px) { .grid, .grid.three { grid-template-columns: 1fr; } }
/* A phone: each chart's narrow variant at its natural size (its text at least
   11 px), tables scroll sideways inside their box, less padding. */
@media (max-width: 600px) {
  .wrap { padding: 0 10px; }
  header .wrap { padding: 16px 12px 14px; }
  header h1 { font-size: 21px; }
  header dl { grid-template-columns: 1fr; gap: 0; }
  header dd { margin-bottom: 4px; }
  nav a { display: inline-block; margin: 0 12px 6px 0; }
  .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .tile .value { font-size: 19px; }
  figure { padding: 10px 8px 8px; }
  svg.chart.wide { display: none; }
  svg.chart.narrow { display: block; }
  table { font-size: 12.5px; }
  th, td { padding: 4px 8px; white-space: nowrap; }
}
@media print { body { background: #fff; } figure, table { break-inside: avoid; } }
"""

# The page may load nothing at all: no script, no URL; inline styles only.
CSP = "default-src 'none'; style-src 'unsafe-inline'"
