"""The HTML report: structure, figures, filters, exit codes, and a headless render.

The warehouse is the hand-built portfolio of ``test_quality_end_to_end`` (company
Q1, USD, as of 2025-01-31) plus a second company R2 billed in CAD: site RS1
(1,000 m2) with electricity meter RE1, and RU1, an electricity meter without a
site. Every R2 bill covers one calendar month of 2024-01 .. 2025-01; RE1's bills
(CAD 150, 1,000 kWh) carry line items USAGE 100, DEMAND 30, TAX 15 and CREDIT -5
(10 not itemized), RU1's (CAD 60, 400 kWh) none.

The default period is the 24 months ending at the as-of month (2023-02 ..
2025-01), so every R2 bill is inside it: CAD by charge type is USAGE 1,300,
DEMAND 390, TAX 195, CREDIT -65 and not itemized 13 x 10 + 13 x 60 = 910 (in
all 2,730); RS1 used 12 x 1,000 kWh over the last 12 months (2024-02 ..
2025-01) on 10,763.9 ft2: 1.11 kWh/ft2.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import (
    copy_of,
    held_for_writing,
    isolated_dbt_env,
    run_pipeline,
    write_landing,
)
from test_quality_end_to_end import BILLS, _landing, _month_end, _months
from utility_warehouse import cli, svgchart
from utility_warehouse.report import (
    ReportData,
    ReportError,
    ReportRequest,
    _yoy_change,
    render_html,
    resolve_period,
)

pytestmark = pytest.mark.e2e

AS_OF = "2025-01-31"
Row = dict[str, Any]

# Every chart of the full report: data-chart name -> the data-* values that
# tell its instances apart (one per unit, currency or commodity).
EXPECTED_CHARTS: dict[str, set[str]] = {
    "monthly-usage": {"kWh", "gal"},
    "monthly-cost": {"USD", "CAD"},
    "year-over-year": {"ELECTRICITY", "WATER", "SEWER", "GAS"},
    "top-sites-cost": {"USD", "CAD"},
    "top-sites-intensity": {""},
    "charge-types": {"USD", "CAD"},
    "coverage": {""},
    "energy-star": {""},
    "unassigned-usage": {"kWh"},
    "co2e-location": {""},
    "co2e-market": {""},
    "site-eui": {""},
}
MARKS = ("rect", "path", "circle")


def _report_landing() -> dict[str, list[Row]]:
    landing = _landing()
    landing["companies"].append(
        {"id": "R2", "name": "Report Co", "implied_sewer_fraction": ""}
    )
    landing["sites"].append(
        {
            "id": "RS1",
            "company_id": "R2",
            "name": "Toronto Plant",
            "address": "",
            "city": "Toronto",
            "region": "ON",
            "postal_code": "",
            "country": "CA",
            "gross_floor_area": "1000",
            "data_collection_stop_date": "",
            "mirror_site_id": "",
            "gross_floor_area_units": "SQ_M",
        }
    )
    landing["accounts"].append(
        {
            "id": "RA1",
            "company_id": "R2",
            "connection_id": "",
            "account_number": "RA1",
            "provider_name": "Lakeside Hydro",
            "status": "ONBOARDED",
            "active_account_id": "",
            "primary_identifier_type": "",
            "secondary_identifier_type": "",
        }
    )
    for meter_id, site_id in (("RE1", "RS1"), ("RU1", "")):
        landing["meters"].append(
            {
                "id": meter_id,
                "company_id": "R2",
                "account_id": "RA1",
                "site_id": site_id,
                "datasource_type": "ELECTRICITY",
                "is_tracked": "",
                "is_duplicated": "",
                "service_address": "",
            }
        )
        landing["meter_identifiers"].append(
            {"meter_id": meter_id, "identifier_type": "METER", "value": f"{meter_id}-9"}
        )
    line_items: list[Row] = []
    for first in _months(date(2024, 1, 1), 13):
        for meter_id, charges, usage in (("RE1", "150", "1000"), ("RU1", "60", "400")):
            bill = f"B-{meter_id}-{first:%Y%m}"
            landing["documents"].append(
                {
                    "id": bill,
                    "account_id": "RA1",
                    "start_date": first.isoformat(),
                    "bill_date": _month_end(first).isoformat(),
                    "total_charges": charges,
                    "current_charges": charges,
                    "charges_units": "CAD",
                    "revised_document_id": "",
                }
            )
            landing["usage_data"].append(
                {
                    "id": f"U-{bill}",
                    "document_id": bill,
                    "meter_id": meter_id,
                    "start_date": first.isoformat(),
                    "end_date": _month_end(first).isoformat(),
                    "raw_usage": usage,
                    "raw_usage_units": "kWh",
                    "standard_usage": "",
                    "exclusion": "",
                    "net_metering_type": "",
                    "demand": "",
                    "extracted_identifiers": "",
                    "is_estimated": "",
                }
            )
        for kind, amount in (
            ("USAGE", "100"),
            ("DEMAND", "30"),
            ("TAX", "15"),
            ("CREDIT", "-5"),
        ):
            line_items.append(
                {
                    "id": f"L-{first:%Y%m}-{kind}",
                    "document_id": f"B-RE1-{first:%Y%m}",
                    "meter_id": "",
                    "charge_type": kind,
                    "datasource_type": "",
                    "description": kind.lower(),
                    "amount": amount,
                }
            )
    landing["line_items"] = line_items
    return landing


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("report")
    raw_dir = write_landing(base / "raw", _report_landing())
    database = base / "warehouse.duckdb"
    completed = run_pipeline(
        "run",
        "--raw-dir",
        str(raw_dir),
        "--database",
        str(database),
        "--as-of",
        AS_OF,
        env=isolated_dbt_env(base),
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-6000:]
    assert BILLS  # the Q1 bills of the shared landing are in the warehouse
    return database


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["report", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def full_report(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full") / "sub" / "report.html"
    code = cli.main(["report", "--database", str(warehouse), "--out", str(out)])
    assert code == 0
    return out


# --- a small HTML reader --------------------------------------------------------

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip


class Chart:
    def __init__(self, attrs: dict[str, str]) -> None:
        self.attrs = attrs
        self.marks = 0
        self.titles: list[str] = []
        self.desc = ""
        self.first_child: str | None = None
        self.font_sizes: list[float] = []  # the root's and every element's


class Page(HTMLParser):
    """Checks that tags nest and close, and collects the charts, their marks
    and tooltips, every attribute and the ``data-no-data`` notes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: dict[str, int] = {}
        self.charts: list[Chart] = []
        self.narrow: list[Chart] = []  # the charts' narrow variants (phones)
        self.ids: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.no_data: list[str] = []
        self.doctype = False
        self._chart: Chart | None = None
        self._in_title = False
        self._text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.attributes.extend((tag, name, value) for name, value in values.items())
        if "id" in values:
            self.ids.append(values["id"])
        if "data-no-data" in values:
            self.no_data.append(values["data-no-data"])
        if tag == "svg" and "data-chart" in values:
            self._chart = Chart(values)
            narrow = values.get("data-variant") == "narrow"
            (self.narrow if narrow else self.charts).append(self._chart)
        elif self._chart is not None:
            if self._chart.first_child is None:
                self._chart.first_child = tag
            if tag in MARKS:
                self._chart.marks += 1
        if self._chart is not None and "font-size" in values:
            self._chart.font_sizes.append(float(values["font-size"]))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag in ("title", "desc"):
            self._in_title, self._text = True, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag in ("title", "desc"):
            self._in_title = False
            if self._chart is not None and tag == "title":
                self._chart.titles.append("".join(self._text))
            elif self._chart is not None:
                self._chart.desc = "".join(self._text)
        if tag == "svg":
            self._chart = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def charts_named(page: Page, name: str) -> list[Chart]:
    return [chart for chart in page.charts if chart.attrs["data-chart"] == name]


def instance(chart: Chart) -> str:
    attrs = chart.attrs
    return (
        attrs.get("data-commodity")
        or attrs.get("data-unit")
        or attrs.get("data-currency")
        or ""
    )


def only(page: Page, name: str, value: str = "") -> Chart:
    found = [chart for chart in charts_named(page, name) if instance(chart) == value]
    assert len(found) == 1, (name, value, [instance(c) for c in page.charts])
    return found[0]


def assert_self_contained(html: str, page: Page) -> None:
    """Nothing to fetch: no URL, no script, no external style, font or image."""
    lowered = html.lower()
    for needle in (
        "http:",
        "https:",
        "ftp:",
        "file:",
        "data:",
        "//",
        "url(",
        "@import",
        "@font-face",
        "<script",
        "javascript:",
    ):
        assert needle not in lowered, needle
    for tag in ("script", "link", "img", "iframe", "object", "embed", "image", "use"):
        assert tag not in page.tags, tag
    for tag, name, value in page.attributes:
        if name in ("href", "src", "xlink:href", "action", "srcset", "poster"):
            assert value.startswith("#"), (tag, name, value)
        assert not name.startswith("on"), (tag, name)  # no event handlers


# --- structure ------------------------------------------------------------------


def test_the_report_holds_every_chart_drawn_titled_and_self_contained(
    full_report: Path,
) -> None:
    html = full_report.read_text(encoding="utf-8")
    page = parse(html)

    assert page.doctype
    assert page.errors == [] and page.stack == []
    assert [page.tags.get(t) for t in ("html", "head", "body", "main")] == [1] * 4
    assert len(page.ids) == len(set(page.ids))
    assert_self_contained(html, page)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html

    found: dict[str, set[str]] = {}
    for chart in page.charts:
        found.setdefault(chart.attrs["data-chart"], set()).add(instance(chart))
        assert chart.first_child == "title", chart.attrs
        assert chart.attrs["role"] == "img"
        title_id, desc_id = chart.attrs["aria-labelledby"].split()
        assert {title_id, desc_id} <= set(page.ids)
        assert chart.titles[0].strip(), chart.attrs
        assert chart.marks > 0, chart.attrs
        assert len(chart.titles) > 1, chart.attrs  # every mark has a tooltip
    assert found == EXPECTED_CHARTS
    assert page.no_data == []


# The width a chart gets on a 400 px phone: the page's padding (10 px a side),
# the figure's (8 px a side) and its border (1 px a side).
PHONE_CHART_WIDTH = 400 - 2 * 10 - 2 * 8 - 2 * 1


def test_the_report_reads_on_a_phone(full_report: Path) -> None:
    html = full_report.read_text(encoding="utf-8")
    page = parse(html)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in (
        html
    )
    phone = html[html.index("@media (max-width: 600px)") :]
    phone = phone[: phone.index("\n}\n")]
    assert "svg.chart.wide { display: none; }" in phone
    assert "svg.chart.narrow { display: block; }" in phone
    assert "svg.chart.narrow { display: none; }" in html  # hidden on a screen
    assert ".table-wrap { margin-top: 12px; max-width: 100%; overflow-x: auto; }" in (
        html
    )  # tables scroll sideways inside their box
    # Every chart has a narrow twin, drawn at its natural size on a phone (its
    # viewBox fits), so that no text in it is smaller than the floor.
    assert [(c.attrs["data-chart"], instance(c)) for c in page.narrow] == [
        (c.attrs["data-chart"], instance(c)) for c in page.charts
    ]
    for chart in page.charts:
        assert "wide" in chart.attrs["class"].split(), chart.attrs
    for chart in page.narrow:
        assert "narrow" in chart.attrs["class"].split(), chart.attrs
        width = float(chart.attrs["viewbox"].split()[2])  # the parser lowercases
        assert width <= PHONE_CHART_WIDTH, chart.attrs
        assert chart.font_sizes and min(chart.font_sizes) >= svgchart.MIN_FONT_SIZE
        assert chart.marks > 0 and len(chart.titles) > 1
    # The values of the monthly, year-over-year and coverage charts are in a
    # table under each (no hover needed); bars print their values.
    tables = html.count('<details class="values"><summary>The values</summary>')
    with_table = (
        "monthly-usage", "monthly-cost", "year-over-year", "coverage",
        "co2e-location", "co2e-market",
    )  # fmt: skip
    assert tables == sum(len(charts_named(page, name)) for name in with_table)
    assert "<td>Jan 2025</td>" in html


def test_the_header_shows_the_as_of_date_build_time_and_filters(
    warehouse: Path, full_report: Path
) -> None:
    html = full_report.read_text(encoding="utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select run_id, ended_at from marts.run_metadata "
            "order by ended_at desc limit 1"
        ).fetchone()
    assert row is not None
    run_id, ended_at = row
    header = html[html.index("<header>") : html.index("</header>")]
    assert "2025-01-31 (of the latest run)" in header
    assert f"{ended_at:%Y-%m-%d %H:%M} UTC" in header
    assert str(run_id)[:12] in header
    assert "quality gate passed" in header
    assert "All companies" in header
    assert "Feb 2023 \u2013 Jan 2025 (24 months)" in header
    assert "months 2023-02 to 2025-01" in header


def test_units_and_currencies_are_never_added(full_report: Path) -> None:
    page = parse(full_report.read_text(encoding="utf-8"))

    for unit in ("kWh", "gal"):
        tips = only(page, "monthly-usage", unit).titles[1:]
        assert tips and all(tip.endswith(f" {unit}") for tip in tips), tips
        tips = [t for c in charts_named(page, "year-over-year") for t in c.titles[1:]]
        assert all(tip.endswith((" kWh", " gal")) for tip in tips), tips
    kwh = " ".join(only(page, "monthly-usage", "kWh").titles)
    assert "Water" not in kwh and "Sewer" not in kwh
    for name in ("monthly-cost", "top-sites-cost", "charge-types"):
        for currency, other in (("USD", "CAD"), ("CAD", "USD")):
            tips = only(page, name, currency).titles[1:]
            assert tips and all(f": {currency} " in tip for tip in tips), tips
            assert other not in " ".join(tips), (name, currency)


def test_figures_match_the_bills(full_report: Path) -> None:
    page = parse(full_report.read_text(encoding="utf-8"))

    charge_tips = only(page, "charge-types", "CAD").titles[1:]
    assert charge_tips == [
        "Usage charges: CAD 1,300 (47.6%)",
        "Not itemized: CAD 910 (33.3%)",
        "Demand charges: CAD 390 (14.3%)",
        "Taxes: CAD 195 (7.1%)",
        "Credits: CAD -65 (-2.4%)",
    ]
    cost_cad = only(page, "monthly-cost", "CAD")
    assert "total CAD 2,730." in cost_cad.desc
    assert cost_cad.titles[1:] == [
        f"{month} \u00b7 Electricity: CAD 210"
        for month in ["Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024", "May 2024",
                      "Jun 2024", "Jul 2024", "Aug 2024", "Sep 2024", "Oct 2024",
                      "Nov 2024", "Dec 2024", "Jan 2025"]
    ]  # fmt: skip
    assert only(page, "top-sites-cost", "CAD").titles[1:] == [
        "Toronto Plant (RS1): CAD 1,950"
    ]
    intensity = only(page, "top-sites-intensity").titles[1:]
    assert (
        "Toronto Plant (RS1): 1.11 kWh/ft\u00b2 (12,000 kWh over 10,764 ft\u00b2)"
        in intensity
    )
    assert "HQ (QS1): 1.30 kWh/ft\u00b2 (13,000 kWh over 10,000 ft\u00b2)" in intensity
    html = full_report.read_text(encoding="utf-8")
    note = html[html.index("Not shown, floor area") :]
    note = note[: note.index("</p>")]
    assert "Plant (QS3)" in note and "Old store (QS4)" in note
    unassigned = only(page, "unassigned-usage", "kWh").titles[1:]
    assert unassigned == ["RU1 (Electricity, company R2): 5,200 kWh"]
    assert "<td>RU1</td>" in html and "CAD 780" in html
    coverage = only(page, "coverage")
    assert coverage.attrs["data-rows"] == "meter"
    assert (
        "Toronto Plant (RS1) \u00b7 Electricity \u00b7 RE1, Jan 2025: complete, "
        in (" ".join(coverage.titles))
    )


def test_the_same_warehouse_gives_the_same_file_and_is_not_changed(
    warehouse: Path, full_report: Path, tmp_path: Path
) -> None:
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    again = tmp_path / "again.html"
    assert cli.main(["report", "--database", str(warehouse), "--out", str(again)]) == 0
    assert again.read_bytes() == full_report.read_bytes()
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir()] == ["again.html"]  # no temp left


# --- filters --------------------------------------------------------------------


def test_a_company_narrows_every_section(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r2.html"
    code, stdout, err = report(
        capsys, "--database", str(warehouse), "--out", str(out), "--company", "R2"
    )
    assert (code, err) == (0, "")
    # R2's open action findings: its 13 bills whose line items (140.00) miss
    # their current charges (150.00).
    assert "<h2>Findings to act on (13)</h2>" in out.read_text(encoding="utf-8")
    # Once reviewed (RESOLVED), none is left to act on.
    reviewed = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(reviewed)) as con:
        con.execute(
            "UPDATE marts.dq_findings SET status = 'RESOLVED' "
            "WHERE company_id = 'R2' AND kind = 'line_items_mismatch'"
        )
    code, stdout, err = report(
        capsys, "--database", str(reviewed), "--out", str(out), "--company", "R2"
    )
    assert (code, err) == (0, "")
    assert stdout.startswith(f"report written: {out} (R2, 2023-02 to 2025-01")
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert "Report Co (R2)" in html and "--company R2" in html
    assert {instance(c) for c in charts_named(page, "monthly-cost")} == {"CAD"}
    assert {instance(c) for c in charts_named(page, "monthly-usage")} == {"kWh"}
    assert "HQ (QS1)" not in " ".join(t for c in page.charts for t in c.titles)
    # R2 has no open action finding, and RS1 is ENERGY STAR ready: notes
    # instead of the table and the chart.
    assert page.no_data == ["findings", "energy-star"]
    assert "No open finding of severity action." in html
    assert "Every site \u00d7 commodity pair (1) is ENERGY STAR ready." in html

    out_q1 = tmp_path / "q1.html"
    code, _, _ = report(
        capsys, "--database", str(warehouse), "--out", str(out_q1), "--company", "Q1"
    )
    assert code == 0
    page_q1 = parse(out_q1.read_text(encoding="utf-8"))
    assert {instance(c) for c in charts_named(page_q1, "monthly-cost")} == {"USD"}
    assert page_q1.no_data == ["unassigned-usage"]
    assert "Every meter has a site." in out_q1.read_text(encoding="utf-8")


def test_months_narrow_the_period(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "summer.html"
    code, _, _ = report(
        capsys,
        "--database", str(warehouse), "--out", str(out),
        "--from", "2024-06", "--to", "2024-08",
    )  # fmt: skip
    assert code == 0
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert "Jun 2024 \u2013 Aug 2024 (3 months)" in html
    tips = " ".join(only(page, "monthly-usage", "kWh").titles[1:])
    assert set(re.findall(r"\b[A-Z][a-z]{2} \d{4}\b", tips)) == {
        "Jun 2024", "Jul 2024", "Aug 2024",
    }  # fmt: skip
    assert "total CAD 630." in only(page, "monthly-cost", "CAD").desc
    coverage = only(page, "coverage")
    cells = [t for t in coverage.titles[1:] if "RE1, " in t]
    assert [t.split(", ")[1].split(":")[0] for t in cells] == [
        "Jun 2024", "Jul 2024", "Aug 2024",
    ]  # fmt: skip


def test_a_period_without_data_says_so(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "empty.html"
    code, _, _ = report(
        capsys,
        "--database", str(warehouse), "--out", str(out),
        "--from", "2010-01", "--to", "2010-12",
    )  # fmt: skip
    assert code == 0
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert page.errors == [] and page.stack == []
    # Only what is judged at the as-of date is drawn: readiness and the EUI of
    # the trailing twelve months.
    assert [c.attrs["data-chart"] for c in page.charts] == ["energy-star", "site-eui"]
    assert set(page.no_data) == {
        "monthly-usage", "monthly-cost", "year-over-year", "top-sites-cost",
        "top-sites-intensity", "charge-types", "coverage", "unassigned-usage",
        "co2e-location", "co2e-market", "ghg-inventory",
    }  # fmt: skip
    assert "No counted usage in Jan 2010 \u2013 Dec 2010 (12 months)." in html


def test_a_warehouse_without_run_metadata_or_a_newer_table_still_reports(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older = tmp_path / "older.duckdb"
    shutil.copyfile(warehouse, older)
    with duckdb.connect(str(older)) as con:
        con.execute("drop table marts.run_metadata")
        con.execute("drop table intermediate.int_bill_costs_allocated")
    out = tmp_path / "older.html"
    code, _, err = report(
        capsys, "--database", str(older), "--out", str(out), "--to", "2025-01"
    )
    assert (code, err) == (0, "")
    html = out.read_text(encoding="utf-8")
    assert "unknown (the warehouse has no marts.run_metadata)" in html
    assert f"{date.today().isoformat()} (today: the warehouse has no run" in html
    assert 'data-unbuilt="charge-types"' in html
    assert "intermediate.int_bill_costs_allocated is missing" in html
    assert not charts_named(parse(html), "charge-types")


def test_default_period_and_partial_ranges() -> None:
    as_of = date(2025, 1, 31)

    def months(**kwargs: str) -> tuple[str, str, int]:
        found = resolve_period(ReportRequest(**kwargs), as_of)
        return (f"{found[0]:%Y-%m}", f"{found[-1]:%Y-%m}", len(found))

    assert months() == ("2023-02", "2025-01", 24)
    assert months(month_from="2024-10") == ("2024-10", "2025-01", 4)
    assert months(month_to="2024-06") == ("2022-07", "2024-06", 24)
    assert months(month_from="2025-03", month_to="2025-03") == ("2025-03", "2025-03", 1)
    with pytest.raises(ReportError, match="after the last complete month"):
        months(month_from="2025-02")
    with pytest.raises(ReportError, match="after the warehouse's as-of month"):
        months(month_from="2025-02", through="as-of")


def test_the_default_period_ends_at_the_last_complete_month() -> None:
    def months(as_of: date, **kwargs: str) -> tuple[str, str, int]:
        found = resolve_period(ReportRequest(**kwargs), as_of)
        return (f"{found[0]:%Y-%m}", f"{found[-1]:%Y-%m}", len(found))

    # As of the 15th, January is in progress: the period ends in December.
    assert months(date(2025, 1, 15)) == ("2023-01", "2024-12", 24)
    assert months(date(2025, 1, 15), through="complete") == ("2023-01", "2024-12", 24)
    assert months(date(2025, 1, 15), through="as-of") == ("2023-02", "2025-01", 24)
    assert months(date(2025, 1, 15), month_from="2024-10") == ("2024-10", "2024-12", 3)
    # The demo's as-of date, 2026-11-01: the last complete month is 2026-10.
    assert months(date(2026, 11, 1))[1] == "2026-10"
    # On a month's last day that month is complete.
    assert months(date(2024, 2, 29)) == ("2022-03", "2024-02", 24)
    with pytest.raises(ReportError, match="after the last complete month"):
        months(date(2025, 1, 15), month_from="2025-01")
    with pytest.raises(ReportError, match="unknown --through"):
        months(date(2025, 1, 15), through="today")


def test_an_unfinished_as_of_month_is_drawn_but_not_compared() -> None:
    def data(as_of: date) -> ReportData:
        months = resolve_period(ReportRequest(through="as-of"), as_of)
        return ReportData("w.duckdb", as_of, "", None, None, months)

    assert data(date(2025, 1, 31)).open_months == set()
    mid_month = data(date(2025, 1, 15))
    assert mid_month.open_months == {date(2025, 1, 1)}
    page = render_html(mid_month)
    assert "Jan 2025 holds only what is billed up to the as-of date 2025-01-15." in page
    assert "leaving out Jan 2025: not over at the as-of date." in page
    current = [1.0] * 11 + [0.1]
    previous = [1.0] * 12
    compared = [True] * 11 + [False]
    assert _yoy_change(current, previous, compared) == (
        "+0.0% vs the same 11 months a year before"
    )
    assert _yoy_change(current, [None] * 12, compared) == (
        "no usage to compare with the year before"
    )


# --- bad values and busy --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--company", "NOPE"], "unknown company: NOPE"),
        (["--company", "Q1' OR '1'='1"], "unknown company: Q1' OR '1'='1"),
        (["--from", ""], "--from: malformed month ''; expected YYYY-MM"),
        (["--from", "2024-13"], "--from: malformed month '2024-13'; expected YYYY-MM"),
        (["--to", "24-01"], "--to: malformed month '24-01'; expected YYYY-MM"),
        (["--from", "1899-12", "--to", "1900-03"], "--from: month 1899-12 is out"),
        (["--from", "2024-05", "--to", "2024-04"], "--from 2024-05 is after --to"),
        (["--from", "2000-01", "--to", "2024-01"], "spans 289 months; a report"),
    ],
)
def test_bad_values_exit_2_on_one_line(
    warehouse: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    out = tmp_path / "bad.html"
    code, stdout, err = report(
        capsys, "--database", str(warehouse), "--out", str(out), *args
    )
    assert (code, stdout) == (2, "")
    assert err.startswith("pipeline.py report: error: ") and err.count("\n") == 1
    assert message in err
    assert not out.exists()


def test_bad_paths_exit_2(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_duckdb = tmp_path / "text.duckdb"
    not_duckdb.write_text("not a database\n")
    cases = [
        (tmp_path / "none.duckdb", tmp_path / "a.html", "database file not found"),
        (not_duckdb, tmp_path / "b.html", "cannot open"),
        (warehouse, tmp_path, "is a folder, not a regular file"),
        (warehouse, warehouse, "is the database itself"),
    ]
    for database, out, message in cases:
        code, stdout, err = report(
            capsys, "--database", str(database), "--out", str(out)
        )
        assert (code, stdout) == (2, ""), (database, out, err)
        assert message in err and err.count("\n") == 1, err
    with pytest.raises(SystemExit) as raised:
        cli.main(["report", "--database", str(warehouse)])
    assert raised.value.code == 2
    assert "the following arguments are required: --out" in capsys.readouterr().err


def special_out(tmp_path: Path, kind: str) -> Path:
    """An --out path that exists and is not a regular file."""
    path = tmp_path / f"{kind}.html"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        path.symlink_to(tmp_path / "victim.txt")
    elif kind == "dangling":
        path.symlink_to(tmp_path / "nowhere.html")
    elif kind == "device":
        try:  # a node for the device of /dev/full (char 1, 7), never /dev/full
            os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 7))
        except OSError:
            pytest.skip("creating a device node needs privileges")
    return path


@pytest.mark.parametrize(
    ("kind", "described"),
    [
        ("fifo", "is a FIFO (named pipe), not a regular file"),
        ("symlink", "is a symbolic link, not a regular file"),
        ("dangling", "is a symbolic link, not a regular file"),
        ("device", "is a character device, not a regular file"),
    ],
)
def test_an_out_that_is_not_a_regular_file_is_refused(
    warehouse: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    described: str,
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("victim\n")
    out = special_out(tmp_path, kind)
    before = os.lstat(out)
    code, stdout, err = report(capsys, "--database", str(warehouse), "--out", str(out))
    assert (code, stdout) == (2, "")
    assert (
        err
        == f"pipeline.py report: error: --out {out} {described}; nothing was written\n"
    )
    after = os.lstat(out)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert victim.read_text() == "victim\n"
    assert not (tmp_path / "nowhere.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["victim.txt", out.name]
    )


def test_the_out_check_comes_before_reading_the_warehouse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pipe.html"
    os.mkfifo(out)
    code, _, err = report(
        capsys, "--database", str(tmp_path / "none.duckdb"), "--out", str(out)
    )
    assert code == 2 and "is a FIFO" in err


@pytest.fixture
def held_warehouse(warehouse: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the warehouse that another process keeps open for writing."""
    path = copy_of(warehouse, tmp_path)
    with held_for_writing(path):
        yield path


def test_a_busy_warehouse_exits_3(
    held_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "busy.html"
    code, stdout, err = report(
        capsys, "--database", str(held_warehouse), "--out", str(out)
    )
    assert (code, stdout) == (3, "")
    assert err.count("\n") == 1 and "is in use by another process" in err
    assert not out.exists()


# --- the chart helpers ----------------------------------------------------------


def test_chart_helpers() -> None:
    assert svgchart.nice_ticks(0, 7) == [0, 2, 4, 6, 8]
    assert svgchart.nice_ticks(-3, 9, 4) == [-5, 0, 5, 10]
    assert svgchart.nice_ticks(0, 0) == [0.0, 1.0]
    assert [svgchart.compact(v) for v in (0, 950, 1234, -2500, 1.5e6, 5.17e12)] == [
        "0", "950", "1.23k", "-2.5k", "1.5M", "5.17T",
    ]  # fmt: skip
    labels = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
    assert svgchart.month_ticks(labels[11:14], 40) == [
        (0, "Dec", "2024"), (1, "Jan", "2025"), (2, "Feb", ""),
    ]  # fmt: skip
    assert [t[1] for t in svgchart.month_ticks(labels, 20)][:3] == ["Jan", "Mar", "May"]
    assert svgchart.esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"


# --- rendered in a browser ------------------------------------------------------

CHROMIUM_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def _find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    """A headless Chromium: installed from Debian's ``chromium`` package when
    missing and this runs as root with apt-get; else the test is skipped."""
    found = _find_chromium()
    if found:
        return found
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(
            "headless Chromium is not installed and cannot be installed here "
            "(installing Debian's chromium needs root and apt-get); install it "
            "(apt-get install chromium) to render the report in a browser"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "chromium"]
    attempt = subprocess.run(
        install, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    if attempt.returncode != 0:  # the package lists may be stale or missing
        subprocess.run(
            ["apt-get", "update", "-q"],
            env=env, capture_output=True, timeout=900, check=False,
        )  # fmt: skip
        attempt = subprocess.run(
            install, env=env, capture_output=True, text=True, timeout=1800, check=False
        )
    found = _find_chromium()
    if not found:
        tail = (attempt.stdout + attempt.stderr).strip().splitlines()[-3:]
        pytest.skip(
            "headless Chromium is not installed and `apt-get install -y chromium` "
            f"failed (no network or no package?): {' / '.join(tail)}"
        )
    return found


def _run_chromium(
    chromium: str, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    profile.mkdir()
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _png_summary(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values of the pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat = b""
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    pixels = zlib.decompress(idat)
    return width, height, len(set(pixels))


def test_the_report_renders_in_headless_chromium(
    chromium: str, full_report: Path, tmp_path: Path
) -> None:
    url = full_report.resolve().as_uri()
    dumped = _run_chromium(
        chromium, tmp_path, "--dump-dom", "--virtual-time-budget=8000", url
    )
    assert dumped.returncode == 0, dumped.stderr[-3000:]
    dom = parse(dumped.stdout)
    source = parse(full_report.read_text(encoding="utf-8"))
    assert len(dom.charts) == len(source.charts) > 0
    for chart in dom.charts:
        assert chart.marks > 0, chart.attrs
    assert {c.attrs["data-chart"] for c in dom.charts} == set(EXPECTED_CHARTS)

    shot = tmp_path / "report.png"
    taken = _run_chromium(
        chromium, tmp_path, f"--screenshot={shot}", "--window-size=1400,2400", url
    )
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-3000:]
    width, height, distinct = _png_summary(shot)
    assert (width, height) == (1400, 2400)
    assert shot.stat().st_size > 30_000
    assert distinct > 64  # text, axes and coloured bars, not a blank page


# --- findings to act on and the month in progress ---------------------------------


def findings_section(html: str) -> str:
    start = html.index('<section id="findings">')
    return html[start : html.index("</section>", start)]


def test_the_report_lists_the_open_action_findings(full_report: Path) -> None:
    html = full_report.read_text(encoding="utf-8")
    section = findings_section(html)
    # The duplicate June bill of QE2 (Q1) and R2's 13 bills whose line items
    # miss their current charges.
    assert "<h2>Findings to act on (14)</h2>" in section
    assert section.count("<td>line_items_mismatch</td>") == 13
    assert "140.00 CAD against 150.00, allowed 1.50" in section
    assert "<td>duplicate_bill</td>" in section
    assert "<td>B-E2-202406-DUP</td><td>2024-06</td>" in section
    assert "same account, dates and charges as bill B-E2-202406" in section
    assert "data-more" not in section
    assert '<a href="#findings">Findings</a>' in html


def test_many_or_hostile_findings_are_cut_and_escaped(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "INSERT INTO marts.dq_findings (finding_id, kind, severity, "
            "company_id, site_id, document_id, month, detail, status) "
            "SELECT 'x' || lpad(CAST(i AS VARCHAR), 3, '0'), "
            "'line_items_mismatch', 'action', 'Q1', 'QS1', "
            "'<b>bill</b>' || i, DATE '2024-03-01', "
            "'<script>alert(1)</script> & \"more\"', 'OPEN' FROM range(30) AS t(i)"
        )
        # Reviewed findings are not listed, whatever their severity.
        con.execute(
            "INSERT INTO marts.dq_findings (finding_id, kind, severity, "
            "company_id, document_id, detail, status) VALUES "
            "('done', 'unattributed_bill', 'action', 'Q1', 'B-DONE', 'x', "
            "'RESOLVED'), ('gone', 'unattributed_bill', 'action', 'Q1', "
            "'B-GONE', 'x', 'DISMISSED')"
        )
    out = tmp_path / "many.html"
    code, _, err = report(capsys, "--database", str(path), "--out", str(out))
    assert (code, err) == (0, "")
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    assert page.errors == [] and page.stack == []
    section = findings_section(html)
    assert "<h2>Findings to act on (44)</h2>" in section  # 30 more than built
    assert section.count("<tr>") == 1 + 25  # the header and 25 findings
    assert "and 19 more: <code>pipeline.py quality --severity action</code>" in section
    assert "<script>" not in html and "<b>bill</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;" in section
    assert "&lt;b&gt;bill&lt;/b&gt;0" in section
    assert "HQ (QS1)" in section  # the site by its name
    assert "B-DONE" not in section and "B-GONE" not in section


def test_a_warehouse_without_findings_says_not_built(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE marts.dq_findings")
    out = tmp_path / "older.html"
    code, _, err = report(capsys, "--database", str(path), "--out", str(out))
    assert (code, err) == (0, "")
    html = out.read_text(encoding="utf-8")
    assert 'data-unbuilt="findings"' in html
    assert "marts.dq_findings is missing" in findings_section(html)


def test_the_month_in_progress_is_drawn_as_such_never_as_missing(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As of 2025-01-20, January is in progress: the build marks its coverage
    # rows in_progress (here set by hand on a copy).
    path = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE marts.run_metadata SET as_of_date = DATE '2025-01-20'")
        con.execute(
            "UPDATE marts.dq_meter_month_coverage SET status = 'in_progress' "
            "WHERE month = DATE '2025-01-01'"
        )
    out = tmp_path / "default.html"
    code, stdout, err = report(capsys, "--database", str(path), "--out", str(out))
    assert (code, err) == (0, "")
    # The default period ends at the last complete month.
    assert "2023-01 to 2024-12, as of 2025-01-20" in stdout
    coverage = only(parse(out.read_text(encoding="utf-8")), "coverage")
    assert not any("Jan 2025" in title for title in coverage.titles)

    out = tmp_path / "as-of.html"
    code, stdout, err = report(
        capsys, "--database", str(path), "--out", str(out), "--through", "as-of"
    )
    assert (code, err) == (0, "")
    assert "2023-02 to 2025-01, as of 2025-01-20" in stdout
    html = out.read_text(encoding="utf-8")
    coverage = only(parse(html), "coverage")
    january = [title for title in coverage.titles[1:] if ", Jan 2025: " in title]
    assert january, coverage.titles[:5]
    # In progress, or not required (a meter whose window ended before).
    in_progress = [title for title in january if ": in progress, " in title]
    assert in_progress
    assert all(
        ": in progress, " in title or title.endswith(": not required")
        for title in january
    ), january
    assert not any("missing" in title or "partial" in title for title in january)
    assert (
        "Toronto Plant (RS1) \u00b7 Electricity \u00b7 RE1, Jan 2025: in progress, "
        in (" ".join(january))
    )
    legend = re.search(r"in progress \(the as-of month\) \((\d+)\)", html)
    assert legend is not None and int(legend.group(1)) == len(in_progress)
    # The table under the chart lists no row as missing January.
    coverage_html = html[html.index('<section id="coverage">') :]
    coverage_html = coverage_html[: coverage_html.index("</section>")]
    assert "2025-01" not in re.sub(r"<svg.*?</svg>", "", coverage_html, flags=re.S)
