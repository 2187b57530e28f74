"""Planning each group's billing periods, with the data-quality findings
planted on them (missing, overlapping, short, long, future, duplicated and
spiking bills)."""

from __future__ import annotations

from datetime import date, timedelta

from utility_warehouse.generate.company_base import _CompanyBase
from utility_warehouse.generate.entities import _Group, _Period, _Span
from utility_warehouse.generate.kinds import _FINDING_RATE
from utility_warehouse.generate.oracle import (
    _add_months,
    _coverage,
    _month_start,
    _next_month,
)


class _Periods(_CompanyBase):
    """Plans the billing periods of every group and the findings on them."""

    def _plantable(self, group: _Group) -> bool:
        """A group whose every bill counts: findings planted on it show as planted."""
        return (
            group.fixed is None
            and group is not self.groups[0]
            and len(group.accounts) == 1
            and group.duplicate is None
            and group.owner.status == "ONBOARDED"
            and not self._archived(group.site)
            and all(m.cascade_reason is None for m in group.meters)
            and any(m.counted for m in group.meters)
        )

    def _plan_periods(self) -> None:
        """Every group's billing periods, with the planted findings on them.

        Company 1 gets every kind: missing bills (a gap, partial months and a
        site that is not ENERGY STAR ready; on calendar-month bills a missing
        month), an overlapping, a short, a long and a future bill, a bill
        entered twice and a usage spike. Elsewhere about 1% of the groups whose
        every bill counts get one kind each.
        """
        rng = self.rng
        for group in self.groups:
            for account in group.accounts:
                self.accounts_by_id[account.id] = account
            for meter in group.meters:
                self.group_of[meter.id] = group
        eligible = [g for g in self.groups if self._plantable(g)]
        if self.first:
            self._designate(eligible)
        else:
            for group in eligible:
                kinds = ["gap", "overlap", "future"]
                kinds += (
                    ["duplicate", "spike"]
                    if group.calendar
                    else ["short", "long"]
                    if group.mild
                    else ["short"]
                )
                slot = int(rng.random() / _FINDING_RATE)
                if slot < len(kinds):
                    group.kinds.append(kinds[slot])
        for group in self.groups:
            site = group.site
            begin = site.begin if site is not None and site.begin else None
            days = (self.gen.last_day - (begin or self.gen.first_day)).days
            taken: list[int] = []
            for kind in group.kinds:
                if kind in ("short", "long"):
                    k = self._free_position(taken, 3, max(3, days // 31 - 2))
                    taken.append(k)
                    group.lengths[k] = (
                        rng.randint(12, 19) if kind == "short" else rng.randint(41, 50)
                    )
                elif kind == "future":
                    group.future_days = rng.randint(6, 25)
            group.periods = self._generate_periods(group)
            self._plant_on_periods(group)
        if self.first and self.groups[0].periods:
            home = self.groups[0]
            assert self.original is not None
            self.mark = (home, len(home.periods) - 1, self.original)

    def _designate(self, eligible: list[_Group]) -> None:
        """Company 1: each kind on its own group when there are enough."""
        uses: dict[int, int] = {}

        def pick(candidates: list[_Group], kind: str) -> None:
            if not candidates:
                return
            group = min(candidates, key=lambda g: uses.get(id(g), 0))
            uses[id(group)] = uses.get(id(group), 0) + 1
            group.kinds.append(kind)

        calendar = [g for g in eligible if g.calendar]
        other = [g for g in eligible if not g.calendar]
        pick([g for g in other if g.site is not None], "gap_not_ready")
        pick([g for g in calendar if g.site is not None], "gap")
        pick(calendar, "spike")
        pick(calendar, "duplicate")
        pick(other, "short")
        pick([g for g in other if g.mild], "long")
        pick(eligible, "overlap")
        pick(eligible, "future")

    def _free_position(self, taken: list[int], low: int, high: int) -> int:
        """A position from low to high at least 3 away from those taken."""
        options = [
            k for k in range(low, high + 1) if all(abs(k - t) >= 3 for t in taken)
        ]
        return self.rng.choice(options) if options else low

    def _fill(self, days: int) -> list[int]:
        """Period lengths of 27-35 days adding up to days, else of 20-40 days
        (neither short nor long) when 27-35 cannot add up to it."""
        if days <= 0:
            return []
        low, high = -(-days // 35), days // 27
        count = low if low <= high else -(-days // 40)
        base, extra = divmod(days, count)
        lengths = [base + (1 if i < extra else 0) for i in range(count)]
        if low <= high:
            for _ in range(count):
                i, j = self.rng.randrange(count), self.rng.randrange(count)
                shift = self.rng.randint(
                    0, max(0, min(35 - lengths[i], lengths[j] - 27))
                )
                lengths[i] += shift
                lengths[j] -= shift
        return lengths

    def _generate_periods(self, group: _Group) -> list[_Period]:
        """Continuous periods up to the last billed day (a future bill beyond).

        Calendar groups bill calendar months; the others 27-35 days, drawn back
        from the last day, so that every meter's last month is complete. A new
        site's bills start at its begin date; an archived site's stop 40 days
        after its stop date; a fixed period (the VND exact bills) is one of them.
        """
        rng = self.rng
        site = group.site
        begin = site.begin if site is not None and site.begin else self.gen.first_day
        last_day = self.gen.last_day
        periods: list[_Period] = []
        if group.calendar:
            month = _month_start(begin)
            final = _month_start(self.gen.as_of if group.future_days else last_day)
            while month <= final:
                periods.append(_Period(month, _next_month(month) - timedelta(days=1)))
                month = _next_month(month)
        else:
            end = last_day + timedelta(days=group.future_days)
            backward: list[_Period] = []
            position = 1
            more = True
            if group.fixed is not None:
                fixed_start, fixed_end = group.fixed
                for length in self._fill((end - fixed_end).days):
                    start = end - timedelta(days=length - 1)
                    backward.append(_Period(start, end))
                    end = start - timedelta(days=1)
                    position += 1
                backward.append(_Period(fixed_start, fixed_end, fixed=True))
                more = fixed_start > begin
                end = fixed_start - timedelta(days=1)
            while more:
                length = group.lengths.get(position) or rng.randint(27, 35)
                start = end - timedelta(days=length - 1)
                backward.append(_Period(start, end))
                position += 1
                more = start > begin
                end = start - timedelta(days=1)
            periods = backward[::-1]
        stop = site.stop_date if site is not None else None
        if stop is not None:
            periods = [p for p in periods if p.start <= stop + timedelta(days=40)]
        return periods

    def _plant_on_periods(self, group: _Group) -> None:
        """Missing, overlapping, duplicated and spiking bills at chosen periods."""
        rng = self.rng
        periods = group.periods
        count = len(periods)
        reserved: set[int] = set()
        for k in group.lengths:
            reserved.update((count - k - 1, count - k, count - k + 1))
        if group.future_days:
            reserved.add(count - 1)

        def free(index: int) -> bool:
            return 0 <= index < count and index not in reserved

        def take(index: int, around: int = 1) -> None:
            reserved.update(range(index - around, index + around + 1))

        def inner(low: int, high: int) -> list[int]:
            return [
                i
                for i in range(max(1, low), min(count - 1, high))
                if free(i) and not periods[i - 1].skip and not periods[i + 1].skip
            ]

        for kind in group.kinds:
            if kind in ("gap", "gap_not_ready"):
                options = inner(2, count - 2)
                if not options:
                    continue
                index = options[len(options) // 2]
                if kind == "gap":
                    index = rng.choice(options)
                periods[index].skip = True
                take(index)
                if kind == "gap_not_ready":
                    self._skip_until_not_ready(group, reserved)
            elif kind == "overlap":
                options = inner(2, count - 1)
                if not options:
                    continue
                index = rng.choice(options)
                period, previous = periods[index], periods[index - 1]
                days = (period.end - period.start).days + 1
                back = rng.randint(1, max(1, min(4, 40 - days - 1)))
                period.start = previous.end - timedelta(days=back)
                take(index)
            elif kind in ("duplicate", "spike"):
                last_month = _month_start(self.gen.last_day)
                first_month = _add_months(last_month, -11)
                by_month = {
                    p.start: i
                    for i, p in enumerate(periods)
                    if p.start.day == 1 and not p.skip and free(i)
                }
                pairs = [
                    (i, by_month.get(_add_months(m, -12)))
                    for m, i in by_month.items()
                    if first_month <= m <= last_month
                ]
                with_prior = [pair for pair in pairs if pair[1] is not None]
                if kind == "spike" or with_prior:
                    pairs = with_prior  # a duplicate then also doubles a month
                if not pairs:
                    continue
                index, prior = rng.choice(pairs)
                if kind == "duplicate":
                    periods[index].duplicate = True
                else:
                    water = [m for m in group.meters if m.counted]
                    water.sort(key=lambda m: m.commodity != "WATER")
                    group.spike_meter = water[0]
                    periods[index].spike = rng.uniform(2.2, 2.8)
                take(index, 0)
                if prior is not None:
                    take(prior, 0)

    def _skip_until_not_ready(self, group: _Group, reserved: set[int]) -> None:
        """More missing bills until no 11 complete months in a row remain.

        (12 make a site ENERGY STAR ready; one month of margin for the site's
        other meters, whose history may start a month earlier.)
        """
        periods = group.periods
        while True:
            spans = [_Span(p.start, p.end, "") for p in periods if not p.skip]
            coverage = _coverage(spans, self.gen.as_of)
            run: list[date] = []
            longest: list[date] = []
            for month, (required, covered) in sorted(coverage.items()):
                run = [*run, month] if required == covered else []
                if len(run) > len(longest):
                    longest = run
            if len(longest) < 11:
                return
            middle = longest[len(longest) // 2]
            options = [
                i
                for i, p in enumerate(periods[1:-1], start=1)
                if p.start <= middle + timedelta(days=14) <= p.end
                and i not in reserved
                and not periods[i - 1].skip
                and not periods[i + 1].skip
            ]
            if not options:
                return
            periods[options[0]].skip = True
            reserved.update((options[0] - 1, options[0], options[0] + 1))
