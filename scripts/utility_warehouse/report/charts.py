"""The report's chart sections: each draws its figures (inline SVG, see
:mod:`utility_warehouse.svgchart`) with the values beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from utility_warehouse import svgchart as svg
from utility_warehouse.reading import month_runs, month_text
from utility_warehouse.reading import shift_month as _shift
from utility_warehouse.report import carbon
from utility_warehouse.report.data import (
    COVERAGE_MAX_ROWS,
    COVERAGE_METER_ROWS,
    READINESS_MAX_ROWS,
    TOP_INTENSITY,
    TOP_SITES,
    UNASSIGNED_MAX_BARS,
    YEAR,
    ReportData,
    _site_name,
    _some,
    _worst_rows,
)
from utility_warehouse.report.page import Page, e
from utility_warehouse.report.style import (
    CHARGE_TYPES,
    COVERAGE_STATUSES,
    MONTH_NAMES,
    READINESS_STATUSES,
    commodity_label,
    commodity_sort,
    fmt_money,
    fmt_number,
    money_formatter,
    month_label,
    span_label,
    unit_sort,
    with_unit,
)


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


# The narrow variant of each kind of chart (besides its width, NARROW_WIDTH).
NARROW: dict[str, dict[str, Any]] = {
    "stacked_bars": {"height": 260},
    "compare_lines": {},
    "horizontal_bars": {"label_width": 120},
    "status_grid": {"label_width": 120},
}


class Charts(Page):
    """The page with its chart sections."""

    def values(
        self, headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]
    ) -> str:
        """The values a chart draws, as a table under it (folded: tap or click
        to open), so that no value needs a hover to be read."""
        return (
            '<details class="values"><summary>The values</summary>'
            f"{self.table(headers, rows)}</details>"
        )

    def series_values(
        self,
        months: Sequence[date],
        series: Sequence[svg.Series],
        text: Callable[[float], str],
    ) -> str:
        """A month per row, a column per series and their total."""
        rows = []
        for index, month in enumerate(months):
            values = [s.values[index] for s in series]
            if not any(values):
                continue
            total = sum(value or 0 for value in values)
            cells = ["" if value is None else text(value) for value in values]
            rows.append([month_label(month), *cells, text(total)])
        headers = [("Month", False), *((s.label, True) for s in series)]
        return self.values([*headers, ("Total", True)], rows)

    def draw(
        self, chart: Callable[..., str], name: str, *args: Any, **kwargs: Any
    ) -> str:
        """A chart twice: wide for a screen, narrow for a phone (the CSS shows
        one), each with its own ids."""
        key = self.key(name)
        narrow = {**kwargs, "width": svg.NARROW_WIDTH, **NARROW[chart.__name__]}
        return chart(name, key, *args, variant="wide", **kwargs) + chart(
            name, f"{key}-narrow", *args, variant="narrow", **narrow
        )

    def _monthly_series(
        self, by_commodity: dict[str, dict[date, float]], months: Sequence[date]
    ) -> list[svg.Series]:
        series = []
        for commodity in sorted(by_commodity, key=commodity_sort):
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
        keys = [month_text(m) for m in data.months]
        figures = []
        for unit in sorted(data.usage, key=unit_sort):
            series = self._monthly_series(data.usage[unit], data.months)
            if not series:
                continue
            total = sum(v or 0 for s in series for v in s.values)
            chart = self.draw(
                svg.stacked_bars,
                "monthly-usage",
                f"Monthly usage in {unit} by commodity, {self.period_text}",
                f"Stacked bars of counted monthly usage in {unit}, one colour per "
                f"commodity ({', '.join(s.label for s in series)}); total "
                f"{fmt_number(total)} {unit}.",
                keys,
                series,
                unit=unit,
                value_format=with_unit(unit),
                attributes={"unit": unit},
            )
            chart += self.series_values(data.months, series, fmt_number)
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
            f"never added. The values are in the table under each chart."
            f"{self.open_note()}",
            body,
        )

    def cost(self) -> str:
        data = self.data
        keys = [month_text(m) for m in data.months]
        figures = []
        for currency in sorted(data.cost):
            series = self._monthly_series(data.cost[currency], data.months)
            if not series:
                continue
            total = sum(v or 0 for s in series for v in s.values)
            chart = self.draw(
                svg.stacked_bars,
                "monthly-cost",
                f"Monthly cost in {currency} by commodity, {self.period_text}",
                f"Stacked bars of counted monthly cost in {currency}, one colour "
                f"per commodity; total {fmt_money(total, currency)}.",
                keys,
                series,
                unit=currency,
                value_format=money_formatter(currency),
                attributes={"currency": currency},
            )
            chart += self.series_values(data.months, series, fmt_number)
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
        current_label = span_label(current_months)
        previous_label = span_label(previous_months)
        figures = []
        for unit in sorted(data.usage, key=unit_sort):
            for commodity in sorted(data.usage[unit], key=commodity_sort):
                by_month = data.usage[unit][commodity]
                current = [by_month.get(m) for m in current_months]
                previous = [by_month.get(m) for m in previous_months]
                if not any(current) and not any(previous):
                    continue
                this_total = sum(v or 0 for v in current)
                last_total = sum(v or 0 for v in previous)
                change = _yoy_change(current, previous, compared)
                name = commodity_label(commodity)
                chart = self.draw(
                    svg.compare_lines,
                    "year-over-year",
                    f"{name} usage in {unit}: {current_label} against {previous_label}",
                    f"Monthly {name.lower()} usage in {unit}: {current_label} "
                    f"(total {fmt_number(this_total)}) as a solid line, "
                    f"{previous_label} (total {fmt_number(last_total)}) dashed; "
                    f"{change}.",
                    categories,
                    svg.Series(current_label, self.color(commodity), current),
                    svg.Series(previous_label, "#9aa5b1", previous),
                    unit=unit,
                    value_format=with_unit(unit),
                    attributes={"commodity": commodity, "unit": unit},
                )
                chart += self.values(
                    [("Month", False), (current_label, True), (previous_label, True)],
                    [
                        [
                            MONTH_NAMES[month.month - 1],
                            "" if now is None else fmt_number(now),
                            "" if before is None else fmt_number(before),
                        ]
                        for month, now, before in zip(
                            current_months, current, previous, strict=True
                        )
                    ],
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
            chart = self.draw(
                svg.horizontal_bars,
                "top-sites-cost",
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
            chart = self.draw(
                svg.horizontal_bars,
                "top-sites-intensity",
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
            chart = self.draw(
                svg.horizontal_bars,
                "charge-types",
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
            "bill); the as-of month, when the as-of date is not its last day, is "
            "in progress: never missing, its bills cannot all be in yet. "
            + (
                "One row per meter."
                if data.coverage_by_meter
                else f"One row per site \u00d7 commodity ({data.coverage_meters:,} "
                "meters; more than "
                f"{COVERAGE_METER_ROWS} would not fit one row each): complete when "
                "all its meters are, missing when all are, else partly covered; "
                "hover a cell for its meters; the table under the chart lists "
                "each row's months not complete."
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
        chart = self.draw(
            svg.status_grid,
            "coverage",
            f"Coverage by {rows_text} and month, {self.period_text}",
            f"A grid of {len(rows)} rows ({rows_text}) by "
            f"{len(data.months)} months; each cell coloured by its coverage status.",
            [row.label for row in rows],
            [month_text(m) for m in data.months],
            [[c.status if c else None for c in row.cells] for row in rows],
            [[c.tip if c else None for c in row.cells] for row in rows],
            COVERAGE_STATUSES,
            label_width=400,
            row_groups=[row.group for row in rows],
            attributes={
                "rows": "meter" if data.coverage_by_meter else "site-commodity"
            },
        )
        listed = []
        for row in rows:
            by_status: dict[str, list[str]] = {"partial": [], "missing": []}
            for month, cell in zip(data.months, row.cells, strict=True):
                if cell is not None and cell.status in by_status:
                    by_status[cell.status].append(month_text(month))
            listed.append(
                [
                    row.label,
                    month_runs(by_status["partial"]) or "none",
                    month_runs(by_status["missing"]) or "none",
                ]
            )
        chart += self.values(
            [("Row", False), ("Partly covered", False), ("Missing", False)], listed
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
            "date, whatever the period), with the 12 months ending at the last "
            "complete month of the as-of date: a month is complete when all the "
            "site's meters of the commodity are; the month in progress never "
            "makes a site ready or unready."
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
        chart = self.draw(
            svg.status_grid,
            "energy-star",
            f"{len(data.not_ready)} site \u00d7 commodity pairs not ENERGY STAR "
            f"ready: {month_label(months[0])} \u2013 {month_label(months[-1])}",
            f"A grid of {len(drawn)} pairs not ready by the 12 months ending at "
            "the last complete month, each cell coloured by the month's coverage.",
            [item.label for item in drawn],
            [month_text(m) for m in months],
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
                month_text(month)
                for month, cell in zip(months, item.window, strict=True)
                if cell is None or cell.status not in ("complete", "in_progress")
            ]
            latest = item.latest_complete_month
            rows.append(
                [
                    item.site.label if item.site else item.site_id,
                    item.company_id or "",
                    commodity_label(item.commodity),
                    month_text(latest) if latest else "none",
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
                    f"Not complete, {month_text(months[0])} to "
                    f"{month_text(months[-1])}",
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

    def findings(self) -> str:
        data = self.data
        intro = (
            "Open findings of severity <em>action</em> "
            "(<code>dq_findings</code>, whatever the period): duplicate and "
            "unattributed bills, bills whose line items do not add up to their "
            "charges, and usage dated outside its bill's period. Until a review "
            "resolves or dismisses them, the ENERGY STAR export holds their "
            "bills out."
        )
        heading = "Findings to act on"
        if "findings" in data.unbuilt:
            return self.section("findings", heading, intro, self.unbuilt("findings"))
        if not data.action_findings:
            return self.section(
                "findings",
                heading,
                intro,
                self.no_data("findings", "No open finding of severity action."),
            )
        rows = [
            [
                item.finding_id,
                item.kind,
                _site_name(data, item.site_id) if item.site_id else "",
                item.document_id or "",
                month_text(item.month) if item.month else "",
                item.detail,
            ]
            for item in data.action_findings
        ]
        table = self.table(
            [
                ("Finding", False),
                ("Kind", False),
                ("Site", False),
                ("Bill", False),
                ("Month", False),
                ("Detail", False),
            ],
            rows,
        )
        more = data.action_total - len(data.action_findings)
        if more > 0:
            table += (
                f'<p class="note" data-more="findings">and {more:,} more: '
                f"<code>{e('pipeline.py quality --severity action')}</code></p>"
            )
        return self.section(
            "findings",
            f"{heading} ({data.action_total:,})",
            intro,
            self.figure(
                f"{data.action_total:,} open action finding"
                f"{'s' if data.action_total != 1 else ''}",
                table,
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
        units = sorted({u for m in data.unassigned for u in m.usage}, key=unit_sort)
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
            chart = self.draw(
                svg.horizontal_bars,
                "unassigned-usage",
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

    def render_all(self) -> str:
        return self.render(
            [
                self.usage(),
                self.cost(),
                self.year_over_year(),
                self.top_sites(),
                self.charge_types(),
                self.findings(),
                self.coverage(),
                self.energy_star(),
                carbon.section(self),
                self.unassigned(),
            ]
        )


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document."""
    return Charts(data).render_all()
