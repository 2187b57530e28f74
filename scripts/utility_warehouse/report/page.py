"""The report's HTML page: its building blocks (sections, figures, tables), the
header, the summary tiles and the footer, and the assembled document.

The chart sections are drawn by :mod:`utility_warehouse.report.charts`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from utility_warehouse import svgchart as svg
from utility_warehouse.reading import month_text
from utility_warehouse.report.data import ReportData
from utility_warehouse.report.style import (
    CSP,
    CSS,
    ENERGY_UNIT,
    commodity_color,
    fmt_money,
    fmt_number,
    month_label,
)

e = svg.esc
_NUM = ' class="num"'


class Page:
    """Builds the HTML of one report; ``key`` gives each chart unique ids."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self._keys: dict[str, int] = defaultdict(int)
        self._colors: dict[str, str] = {}

    def key(self, name: str) -> str:
        self._keys[name] += 1
        return f"{name}-{self._keys[name]}"

    def color(self, commodity: str) -> str:
        return commodity_color(commodity, self._colors)

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
        filters.append(f"months {month_text(data.first)} to {month_text(data.last)}")
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
            ("findings", "Findings"),
            ("coverage", "Coverage"),
            ("energy-star", "ENERGY STAR"),
            ("carbon", "Emissions"),
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

    def footer(self) -> str:
        return (
            "<footer><p>Written by <code>pipeline.py report</code> from "
            f"{e(Path(self.data.database).name)}, read-only. Figures are what "
            "analytics inclusion counts (<code>marts.fct_meter_monthly</code>): "
            "usage in the commodity's standard unit (kWh for energy, gallons for "
            "water and sewer), cost in the bill's currency; implied sewer and "
            "mirror-site estimates are left out. Numbers are rounded for display: "
            "no decimals from 1,000 up.</p><p>This file is self-contained: it "
            "loads nothing and runs no script; hover a mark to see its value, or "
            "open the table of values under a chart. On a phone the charts are "
            "drawn narrower, and tables scroll sideways.</p>"
            "</footer>"
        )

    def render(self, parts: Sequence[str]) -> str:
        """The whole document, the sections ``parts`` after the tiles."""
        data = self.data
        scope = data.company[0] if data.company else "all companies"
        title = f"Utility portfolio report \u00b7 {scope} \u00b7 {self.period_text}"
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
