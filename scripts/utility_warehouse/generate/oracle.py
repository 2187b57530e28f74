"""The warehouse's data-quality rules in Python, for the findings the manifest
states: bill-period issues, month coverage, ENERGY STAR readiness and mirror
scale factors, worked out from the periods written, never from a warehouse."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from utility_warehouse.generate.entities import _Site, _Span


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _month_days(month: date) -> int:
    return (_next_month(month) - month).days


def _period_issues(spans: Sequence[_Span], as_of: date) -> list[dict[str, object]]:
    """dq_bill_period_issues for one meter's counted periods."""
    issues: list[dict[str, object]] = []

    def issue(kind: str, span: _Span, first: date, last: date, days: int) -> None:
        issues.append(
            {
                "kind": kind,
                "document_id": span.document_id,
                "period_start": first.isoformat(),
                "period_end": last.isoformat(),
                "issue_days": days,
            }
        )

    latest: date | None = None
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.document_id)):
        days = (span.end - span.start).days + 1
        if latest is not None:
            gap = (span.start - latest).days - 1
            if gap > 0:
                issue(
                    "gap",
                    span,
                    latest + timedelta(days=1),
                    span.start - timedelta(days=1),
                    gap,
                )
            if span.start < latest:
                overlap_end = min(latest, span.end)
                issue(
                    "overlap",
                    span,
                    span.start,
                    overlap_end,
                    (overlap_end - span.start).days + 1,
                )
        if days < 20:
            issue("short_period", span, span.start, span.end, days)
        if days > 40:
            issue("long_period", span, span.start, span.end, days)
        if span.end > as_of:
            issue("future_period", span, span.start, span.end, days)
        latest = span.end if latest is None else max(latest, span.end)
    return issues


def _coverage(spans: Sequence[_Span], window_end: date) -> dict[date, tuple[int, int]]:
    """dq_meter_month_coverage for one meter: month -> (required, covered) days."""
    if not spans:
        return {}
    window_start = min(span.start for span in spans)
    if window_end < window_start:
        return {}
    islands: list[list[date]] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.document_id)):
        if islands and span.start <= islands[-1][1] + timedelta(days=1):
            islands[-1][1] = max(islands[-1][1], span.end)
        else:
            islands.append([span.start, span.end])
    months: dict[date, tuple[int, int]] = {}
    month = _month_start(window_start)
    while month <= window_end:
        low = max(month, window_start)
        high = min(_next_month(month) - timedelta(days=1), window_end)
        covered = sum(
            max(0, (min(last, high) - max(first, low)).days + 1)
            for first, last in islands
        )
        months[month] = ((high - low).days + 1, covered)
        month = _next_month(month)
    return months


def _month_in_progress(as_of: date) -> date | None:
    """The as-of month when the as-of date is not its last day (coverage
    status in_progress), else None: that month is complete."""
    if (as_of + timedelta(days=1)).month != as_of.month:
        return None
    return _month_start(as_of)


def _status(required: int, covered: int) -> str:
    if covered == 0:
        return "missing"
    return "complete" if covered == required else "partial"


def _ready_through(coverages: Sequence[dict[date, tuple[int, int]]]) -> date | None:
    """dq_site_energy_star_readiness: the last month ending 12 complete in a row."""
    complete: dict[date, bool] = {}
    for coverage in coverages:
        for month, (required, covered) in coverage.items():
            complete[month] = complete.get(month, True) and required == covered
    ready: date | None = None
    run, previous = 0, None
    for month in sorted(m for m, ok in complete.items() if ok):
        run = run + 1 if previous is not None and _next_month(previous) == month else 1
        if run >= 12:
            ready = month
        previous = month
    return ready


def _area_units(site: _Site) -> int | None:
    """A site's floor area as the warehouse reads it, in 10^-10 square feet."""
    if not site.area_text:
        return None
    value = Decimal(site.area_text.replace(",", ""))
    units = re.sub(r"[\s_]", "", (site.area_units or "SQ_FT").upper())
    if units == "SQM":
        value *= Decimal("10.7639")
    return int(value * 10**10)


def _scale_factor(site: _Site, mirror: _Site) -> str:
    """fct_site_monthly_estimated's scale factor: the areas' ratio to six
    decimals, half away from zero; 1 without both areas."""
    own, theirs = _area_units(site), _area_units(mirror)
    if not own or not theirs:
        return "1"
    scaled, rest = divmod(own * 10**6, theirs)
    if 2 * rest >= theirs:
        scaled += 1
    return f"{scaled // 10**6}.{scaled % 10**6:06d}"


def _whole_month_complete(coverage: dict[date, tuple[int, int]], month: date) -> bool:
    return coverage.get(month) == (_month_days(month), _month_days(month))
