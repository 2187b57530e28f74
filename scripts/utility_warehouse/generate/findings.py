"""The manifest's expectations of a company: the meter a usage row without
meter_id matches, and the data-quality findings the marts must show."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, timedelta

from utility_warehouse.generate.company_base import _CompanyBase
from utility_warehouse.generate.entities import (
    _Account,
    _Group,
    _Meter,
    _Period,
    _Site,
    _Span,
)
from utility_warehouse.generate.oracle import (
    _add_months,
    _coverage,
    _month_in_progress,
    _month_start,
    _next_month,
    _period_issues,
    _ready_through,
    _scale_factor,
    _status,
    _whole_month_complete,
)
from utility_warehouse.generate.values import normalize_type, normalize_value


class _Findings(_CompanyBase):
    """States what the warehouse must make of the company's rows."""

    def _expected_match(
        self, extracted: Sequence[dict[str, str]]
    ) -> tuple[str | None, str | None]:
        """The meter a row without meter_id matches, or its quarantine reason."""
        wanted = frozenset(
            (normalize_type(item["type"]), normalize_value(item["value"]))
            for item in extracted
        )
        if not wanted:
            return None, "missing_meter"
        candidates = [
            meter_id
            for meter_id, identifiers in self.identifier_sets.items()
            if wanted <= identifiers
        ]
        if not candidates:
            return None, "unmatched_meter"
        originals = [m for m in candidates if m not in self.duplicated]
        if originals:
            candidates = originals
        if len(candidates) == 1:
            return candidates[0], None
        exact = [m for m in candidates if self.identifier_sets[m] == wanted]
        if len(exact) == 1:
            return exact[0], None
        return None, "ambiguous_meter"

    def _reporting_status(self, account: _Account) -> str:
        by_id = self.accounts_by_id
        seen = {account.id}
        while account.active_account_id and account.active_account_id not in seen:
            target = by_id.get(account.active_account_id)
            if target is None:
                break
            seen.add(target.id)
            account = target
        return account.status

    def _state_marked_row(
        self,
        group: _Group,
        account: _Account,
        document_id: str,
        period: _Period,
        meter: _Meter,
    ) -> None:
        """The estimated read and the peak demand of the marked row, when counted."""
        if self.marked_row is None:
            return
        usage_id, demand = self.marked_row
        self.marked_row = None
        if not (meter.counted and self._counts(account, group.site, period.start)):
            return
        months: list[str] = []
        peak_month, peak_days = period.start, 0
        month = _month_start(period.start)
        while month <= period.end:
            last = _next_month(month) - timedelta(days=1)
            days = (min(last, period.end) - max(month, period.start)).days + 1
            months.append(month.isoformat())
            if days >= peak_days:
                peak_month, peak_days = month, days
            month = _next_month(month)
        self.landing.finding(
            "estimated_read",
            meter_id=meter.id,
            usage_id=usage_id,
            document_id=document_id,
            months=months,
        )
        if demand is not None:
            self.landing.finding(
                "peak_demand",
                meter_id=meter.id,
                usage_id=usage_id,
                month=peak_month.isoformat(),
                demand_kw=demand,
            )

    def _expect_match(
        self, usage_id: str, identifiers: Sequence[dict[str, str]], meter: _Meter
    ) -> None:
        matched, reason = self._expected_match(identifiers)
        if matched != meter.id:  # pragma: no cover - a generator bug
            raise RuntimeError(
                f"usage row {usage_id} would match {matched or reason}, not {meter.id}"
            )
        self.landing.meter_match(usage_id, meter.id)

    def _window_end(self, meter: _Meter, spans: Sequence[_Span]) -> date:
        """dq_meter_month_coverage's window end for a meter."""
        site = meter.site
        if site is not None and site.stop_date is not None and self._archived(site):
            return site.stop_date
        group = self.group_of[meter.id]
        if self._reporting_status(group.owner) != "ONBOARDED":
            return max(span.end for span in spans)
        return self.gen.as_of

    def _meter_coverage(self, meter: _Meter) -> dict[date, tuple[int, int]]:
        spans = self.spans.get(meter.id, [])
        if not spans:
            return {}
        return _coverage(spans, self._window_end(meter, spans))

    def _site_ready_through(self, site: _Site, commodity: str) -> date | None:
        """The month in progress (status in_progress) takes no part."""
        in_progress = _month_in_progress(self.gen.as_of)
        return _ready_through(
            [
                {
                    month: days
                    for month, days in self._meter_coverage(meter).items()
                    if month != in_progress
                }
                for meter in self.meters
                if meter.site is site and meter.commodity == commodity
            ]
        )

    def _counted_months(self, site: _Site, commodity: str) -> set[date]:
        """The months with counted usage of a commodity at a site."""
        months: set[date] = set()
        for meter in self.meters:
            if meter.site is not site or meter.commodity != commodity:
                continue
            for span in self.spans.get(meter.id, []):
                month = _month_start(span.start)
                while month <= span.end:
                    months.add(month)
                    month = _next_month(month)
        return months

    def _state_findings(self) -> None:
        """State in the manifest the findings planted in this company.

        Worked out from the periods written (the warehouse's rules applied to
        each meter's counted periods), never from a warehouse.
        """
        finding = self.landing.finding
        as_of_month = _month_start(self.gen.as_of)
        not_ready: list[tuple[int, str]] = []
        for group in self.groups:
            if not group.kinds:
                continue
            for meter in group.meters:
                spans = self.spans.get(meter.id, [])
                if not spans:
                    continue
                for issue in _period_issues(spans, self.gen.as_of):
                    kind = str(issue.pop("kind"))
                    finding(kind, meter_id=meter.id, **issue)
                for month, (required, covered) in sorted(
                    self._meter_coverage(meter).items()
                ):
                    if required == covered or month == as_of_month:
                        continue
                    finding(
                        f"{_status(required, covered)}_month",
                        meter_id=meter.id,
                        month=month.isoformat(),
                        required_days=required,
                        covered_days=covered,
                    )
                if (
                    any(p.skip for p in group.periods)
                    and meter.site is not None
                    and (meter.site.index, meter.commodity) not in not_ready
                ):
                    not_ready.append((meter.site.index, meter.commodity))
            self._state_anomalies(group)
        causes = dict.fromkeys(not_ready, "missing_bills")
        for site in self.mirrors:  # new sites: maybe too short a history
            for meter in self.meters:
                if meter.site is site and self.spans.get(meter.id):
                    causes.setdefault((site.index, meter.commodity), "new_site")
        for (index, commodity), cause in causes.items():
            site = self.sites[index]
            if self._site_ready_through(site, commodity) is None:
                finding(
                    "not_energy_star_ready",
                    site_id=site.id,
                    commodity=commodity,
                    cause=cause,
                )
        self._state_duplicate_meters()
        if self.first:
            self._state_ready_site()
            self._state_implied_sewer()
            self._state_mirror_estimates()

    def _state_anomalies(self, group: _Group) -> None:
        """A spiking month, and each month a duplicated bill doubles, whose month
        and same month a year earlier are complete (usage over 1.5 times)."""
        for period in group.periods:
            if not (period.spike or period.duplicate):
                continue
            month = period.start
            prior = _add_months(month, -12)
            meters = [group.spike_meter] if period.spike else group.meters
            for meter in meters:
                if meter is None:
                    continue
                coverage = self._meter_coverage(meter)
                if _whole_month_complete(coverage, month) and _whole_month_complete(
                    coverage, prior
                ):
                    self.landing.finding(
                        "anomaly",
                        meter_id=meter.id,
                        month=month.isoformat(),
                        cause="spike" if period.spike else "duplicate_bill",
                    )

    def _state_duplicate_meters(self) -> None:
        """Pairs of clean meters, neither marked duplicate, sharing an identifier."""
        holders: dict[tuple[str, str], list[str]] = {}
        for meter_id, identifiers in self.identifier_sets.items():
            if meter_id in self.duplicated:
                continue
            for identifier in identifiers:
                holders.setdefault(identifier, []).append(meter_id)
        for (kind, value), meter_ids in sorted(holders.items()):
            for earlier, later in itertools.combinations(sorted(meter_ids), 2):
                self.landing.finding(
                    "duplicate_meter",
                    meter_id=later,
                    duplicate_of_meter_id=earlier,
                    identifier_type=kind,
                    normalized_value=value,
                )

    def _state_ready_site(self) -> None:
        """One site and commodity that is ENERGY STAR ready (unplanted ones first)."""
        planted = {
            (m.site.id, m.commodity)
            for g in self.groups
            if g.kinds
            for m in g.meters
            if m.site is not None
        }
        candidates = sorted(
            {(m.site.index, m.commodity) for m in self.meters if m.site is not None},
            key=lambda c: ((self.sites[c[0]].id, c[1]) in planted, c),
        )
        for index, commodity in candidates:
            site = self.sites[index]
            ready = self._site_ready_through(site, commodity)
            if ready is not None:
                self.landing.finding(
                    "energy_star_ready",
                    site_id=site.id,
                    commodity=commodity,
                    ready_through=ready.isoformat(),
                )
                return

    def _state_implied_sewer(self) -> None:
        """Sites with counted water and no tracked sewer meter imply sewer usage."""
        if self.fraction is None:
            return
        metered = {
            m.site.id
            for m in self.meters
            if m.commodity == "SEWER" and m.counted and m.site is not None
        }
        for site in self.sites:
            if site.id not in metered and self._counted_months(site, "WATER"):
                self.landing.finding(
                    "implied_sewer",
                    site_id=site.id,
                    implied_sewer_fraction=self.fraction,
                )

    def _state_mirror_estimates(self) -> None:
        """Each month a mirror site estimates: the site has no counted usage of a
        commodity of its meters, its mirror has some (through the as-of month)."""
        as_of_month = _month_start(self.gen.as_of)
        for site in self.mirrors:
            mirror = self.sites[0]
            scale = _scale_factor(site, mirror)
            commodities = sorted(
                {
                    m.commodity
                    for m in self.meters
                    if m.site is site
                    and m.is_tracked
                    and not m.is_duplicated
                    and m.cascade_reason is None
                }
            )
            for commodity in commodities:
                own = self._counted_months(site, commodity)
                for month in sorted(self._counted_months(mirror, commodity) - own):
                    if month <= as_of_month:
                        self.landing.finding(
                            "mirror_estimate",
                            site_id=site.id,
                            mirror_site_id=mirror.id,
                            commodity=commodity,
                            month=month.isoformat(),
                            scale_factor=scale,
                        )
