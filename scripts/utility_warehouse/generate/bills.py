"""Writing a company's bills: one per group and period, with its usage rows
and line items, revisions, duplicates and the planted rows next to it."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from utility_warehouse.generate.domain import (
    _DEMAND_RATE,
    _KWH_PER_GALLON,
    _RATES,
    _SOURCE_SYSTEMS,
    _USAGE_DESCRIPTIONS,
    LARGE_CURRENCY,
)
from utility_warehouse.generate.entities import (
    _Account,
    _Anchor,
    _Group,
    _Meter,
    _Period,
    _Reading,
    _Span,
)
from utility_warehouse.generate.kinds import (
    CASCADE_ACCOUNT,
    CASCADE_DOCUMENT,
    CASCADE_METER,
)
from utility_warehouse.generate.planted_documents import _PlantedDocuments
from utility_warehouse.generate.values import Row


class _Bills(_PlantedDocuments):
    """Writes the bills of every group with their usage rows and line items."""

    def _readings(
        self, group: _Group, start: date, end: date, spike: float = 0.0
    ) -> list[_Reading]:
        uniform = self.rng.uniform
        seasons = self.gen.seasons
        days = (end - start).days + 1
        day_of_year = (start + timedelta(days=days // 2)).timetuple().tm_yday
        readings: list[_Reading] = []
        by_meter: dict[str, float] = {}
        for meter in group.meters:
            if meter.twin is not None and meter.twin.id in by_meter:
                usage = by_meter[meter.twin.id]
            else:
                usage = meter.daily * seasons.total(meter.commodity, start, end)
                usage *= uniform(0.92, 1.08)
            if spike and meter is group.spike_meter:
                usage *= spike
            by_meter[meter.id] = usage
            reading = _Reading(meter, usage)
            if meter.solar_kw:
                summer = math.cos(2 * math.pi * (day_of_year - 172) / 365.25)
                generation = meter.solar_kw * days * 4.2 * (0.55 + 0.45 * summer)
                generation *= uniform(0.85, 1.1)
                export = generation * uniform(0.25, 0.45)
                reading.usage = max(usage - (generation - export), usage * 0.1)
                reading.generation, reading.export = generation, export
            if meter.has_demand:
                reading.demand = usage / (days * 24) / uniform(0.45, 0.65)
            readings.append(reading)
        return readings

    def _record_bill(
        self,
        group: _Group,
        account: _Account,
        document_id: str,
        period: _Period,
        bill_time: datetime,
        current: int,
    ) -> None:
        """A current bill written: what it counts, and where matches may go."""
        counts = self._counts(account, group.site, period.start)
        for meter in group.meters:
            self.bills.setdefault(meter.id, []).append(
                _Anchor(
                    document_id,
                    account,
                    meter,
                    period.start,
                    period.end,
                    bill_time,
                    current,
                )
            )
            if counts:
                self._record_span(meter, period.start, period.end, document_id)

    def _record_span(
        self, meter: _Meter, start: date, end: date, document_id: str
    ) -> None:
        if meter.counted:
            self.spans.setdefault(meter.id, []).append(_Span(start, end, document_id))

    def _stream_group(self, group: _Group) -> None:
        rng = self.rng
        periods = group.periods
        count = len(periods)
        links = group.accounts
        forced_revision = count // 2 if group is self.groups[0] else -1
        bad_meter = next((m for m in group.meters if m.usable_for_bad_rows), None)
        carried_from = 0
        for p, period in enumerate(periods):
            if period.skip or period.fixed:
                continue
            start, end = period.start, period.end
            account = links[min(len(links) - 1, p * len(links) // count)]
            readings = self._readings(group, start, end, period.spike)
            ids = [self._id("D", 8)]
            if p == forced_revision or rng.random() < 0.02:
                ids.append(self._id("D", 8))
                if p == forced_revision or rng.random() < 0.3:
                    ids.append(self._id("D", 8))
            carried = 0
            if carried_from and rng.random() < 0.15:
                carried = round(carried_from * rng.uniform(0.3, 1.0))
            current, items = 0, 0
            bill_time = datetime(end.year, end.month, end.day)
            mark = None
            if self.mark is not None and self.mark[0] is group and self.mark[1] == p:
                mark = self.mark[2]
            capture: list[tuple[str, Row, _Meter | None]] = []
            for version, document_id in enumerate(ids):
                scale = 1.0 if version == 0 else 1 + rng.uniform(-0.04, 0.04)
                revised_by = ids[version + 1] if version + 1 < len(ids) else None
                newest = revised_by is None
                current, written, bill_time = self._write_bill(
                    document_id,
                    account,
                    group,
                    start,
                    end,
                    readings,
                    scale,
                    revised_by,
                    carried,
                    mark=mark if newest else None,
                    capture=capture if newest and period.duplicate else None,
                )
                items += written
            carried_from = current
            documents = len(ids)
            self._record_bill(group, account, ids[-1], period, bill_time, current)
            if mark is not None:
                self._state_marked_row(group, account, ids[-1], period, mark)
            if period.duplicate:
                twin_id = self._id("D", 8)
                items += self._write_duplicate_bill(capture, twin_id)
                documents += 1
                self._record_bill(group, account, twin_id, period, bill_time, current)
                later, earlier = max(twin_id, ids[-1]), min(twin_id, ids[-1])
                self.landing.finding(
                    "duplicate_bill",
                    document_id=later,
                    duplicate_of_document_id=earlier,
                    account_id=account.id,
                )
            if group.duplicate is not None and p >= count - 6:
                _, written, _ = self._write_bill(
                    self._id("D", 8),
                    group.duplicate,
                    group,
                    start,
                    end,
                    readings,
                    1.0,
                    None,
                    0,
                )
                items += written
                documents += 1
            if bad_meter is not None:
                self.anchor = _Anchor(
                    ids[-1], account, bad_meter, start, end, bill_time, current
                )
                usage_rows = documents * sum(
                    1
                    + (2 if reading.export else 0)
                    + (1 if reading.meter.exclusion_share else 0)
                    for reading in readings
                )
                self._inject_stream_rows(documents, usage_rows, items)

    def _write_duplicate_bill(
        self, capture: list[tuple[str, Row, _Meter | None]], document_id: str
    ) -> int:
        """The captured bill again under another id: same account, dates, charges
        and currency, its usage rows and line items copied. The line items written."""
        items = 0
        for entity, row, meter in capture:
            copy: Row = dict(row)
            if entity == "documents":
                copy.update(id=document_id, revised_document_id=None)
            elif entity == "usage_data":
                copy.update(id=self._id("U", 9), document_id=document_id)
                identifiers = copy.get("extracted_identifiers")
                if copy.get("meter_id") is None and meter is not None:
                    assert isinstance(identifiers, list)
                    self._expect_match(str(copy["id"]), identifiers, meter)
            else:
                copy.update(id=self._id("L", 9), document_id=document_id)
                items += 1
            self.landing.write(entity, copy)
        return items

    def _write_bill(
        self,
        document_id: str,
        account: _Account,
        group: _Group,
        start: date,
        end: date,
        readings: list[_Reading],
        scale: float,
        revised_by: str | None,
        carried: int,
        *,
        mark: _Meter | None = None,
        capture: list[tuple[str, Row, _Meter | None]] | None = None,
    ) -> tuple[int, int, datetime]:
        """Write one bill with its usage rows and line items.

        Returns its current charges (cents), the number of line items written
        and the moment it was last updated. The usage row of ``mark`` is an
        estimated read; ``capture`` collects the rows written (newest versions).
        """
        rng = self.rng
        r = rng.random
        mess = self.mess
        currency = self.currency
        money = self.money
        items: list[tuple[str, str | None, str | None, str, float]] = []
        by_commodity: dict[str, float] = {}
        for reading in readings:
            meter = reading.meter
            if meter.cascade_reason is not None:
                continue
            commodity = meter.commodity
            rate = meter.rate if meter.rate is not None else _RATES[commodity]
            cost = reading.usage * scale * rate * money
            items.append(
                ("USAGE", meter.id, commodity, _USAGE_DESCRIPTIONS[commodity], cost)
            )
            by_commodity[commodity] = by_commodity.get(commodity, 0.0) + cost
            if reading.demand is not None:
                demand_cost = reading.demand * scale * _DEMAND_RATE * money
                items.append(
                    ("DEMAND", meter.id, commodity, "Demand charge", demand_cost)
                )
            if reading.export:
                credit = -reading.export * scale * _RATES[commodity] * money * 0.8
                items.append(
                    ("CREDIT", None, None, "Net metering export credit", credit)
                )
        force = not self.forced_items_done and group.line_items
        for commodity, cost in by_commodity.items():
            if force or r() < 0.25:
                label = commodity.replace("_", " ").lower()
                items.append(
                    ("FEE", None, commodity, f"Delivery charge ({label})", cost * 0.18)
                )
            if force or r() < 0.08:
                items.append(
                    ("OTHER", None, commodity, "Fuel cost adjustment", cost * 0.03)
                )
        customer = rng.choice((7.0, 12.0, 25.0)) if r() < 0.3 else rng.uniform(12, 45)
        items.append(("FEE", None, None, "Customer charge", customer * money))
        subtotal = sum(item[4] for item in items)
        if force or r() < 0.6:
            items.append(("TAX", None, None, "Sales tax", subtotal * 0.06))
        if force or r() < 0.06:
            items.append(
                ("CREDIT", None, None, "Loyalty credit", -rng.uniform(5, 40) * money)
            )
        if force or r() < 0.05:
            items.append(
                ("OTHER", None, None, "Late payment fee", rng.uniform(10, 35) * money)
            )
        if currency == LARGE_CURRENCY and (force or r() < 0.1):
            items.append(
                ("OTHER", None, None, "Rounding adjustment", rng.choice((12.5, -7.0)))
            )
        amounts = [round(item[4] * 100) for item in items]
        current = sum(amounts)
        with_items = group.line_items and (force or r() >= 0.03)
        if with_items and r() < 0.25:
            current += rng.randint(-500, 500)
        current = current or 1
        if force:
            self.forced_items_done = True
        total = current + carried
        # A bare "$" or no currency at all only where the bill's sites resolve it.
        resolvable = group.site is not None
        document: Row = {
            "id": document_id,
            "account_id": account.id,
            "start_date": mess.date(start),
            "bill_date": mess.date(end),
            "total_charges": mess.amount(total, currency),
            "current_charges": mess.amount(current, currency),
            "charges_units": mess.charges_units(currency, resolvable),
            "revised_document_id": revised_by,
            "source_system": rng.choice(_SOURCE_SYSTEMS),
        }
        bill_time = datetime(end.year, end.month, end.day) + timedelta(
            days=rng.randint(2, 12), seconds=rng.randrange(86_400)
        )
        document["updated_at"] = mess.timestamp(bill_time)
        # Billed to a rejected account: quarantined with everything on it.
        cascaded = account.written_status is not None
        if r() < 0.01 and not cascaded:
            stale = {
                **document,
                "current_charges": mess.amount(current * 3 // 2, currency),
            }
            self._write_timed_versions("documents", document, stale, bill_time)
        else:
            self.landing.write("documents", document)
        if cascaded:
            self.landing.inject("documents", document_id, CASCADE_ACCOUNT)
            self.cascaded_documents.add(document_id)
        if capture is not None:
            capture.append(("documents", document, None))
        for reading in readings:
            self._write_usage(
                document_id,
                reading,
                start,
                end,
                scale,
                bill_time,
                estimated=reading.meter is mark,
                capture=capture,
            )
        if with_items:
            for (
                charge_type,
                item_meter_id,
                item_commodity,
                description,
                _,
            ), amount in zip(items, amounts, strict=True):
                if description == "Rounding adjustment":
                    text = mess.short_amount(amount, currency)
                else:
                    text = mess.amount(amount, currency)
                item: Row = {
                    "id": self._id("L", 9),
                    "document_id": document_id,
                    "meter_id": item_meter_id,
                    "charge_type": mess.enum(charge_type),
                    "datasource_type": (
                        mess.enum(item_commodity)
                        if item_commodity is not None
                        and (item_meter_id is None or r() < 0.7)
                        else None
                    ),
                    "description": description,
                    "amount": text,
                    "updated_at": mess.timestamp(bill_time) if r() < 0.7 else None,
                }
                if r() < 0.005 and not cascaded:
                    stale = {**item, "amount": mess.amount(amount + 1000, currency)}
                    self._write_timed_versions("line_items", item, stale, bill_time)
                else:
                    self.landing.write("line_items", item)
                if cascaded:
                    self.landing.inject("line_items", str(item["id"]), CASCADE_DOCUMENT)
                if capture is not None:
                    capture.append(("line_items", item, None))
        return current, len(items) if with_items else 0, bill_time

    def _write_usage(
        self,
        document_id: str,
        reading: _Reading,
        start: date,
        end: date,
        scale: float,
        bill_time: datetime,
        *,
        estimated: bool = False,
        capture: list[tuple[str, Row, _Meter | None]] | None = None,
    ) -> None:
        meter = reading.meter
        usage = reading.usage * scale
        written = self._usage_row(
            document_id,
            meter,
            start,
            end,
            usage,
            bill_time,
            reading.demand,
            estimated=estimated,
            capture=capture,
        )
        if estimated:
            self.marked_row = written
        if reading.export:
            self._usage_row(
                document_id,
                meter,
                start,
                end,
                reading.export * scale,
                bill_time,
                net_metering="EXPORT",
                capture=capture,
            )
            self._usage_row(
                document_id,
                meter,
                start,
                end,
                reading.generation * scale,
                bill_time,
                net_metering="GENERATION",
                capture=capture,
            )
        if meter.exclusion_share:
            self._usage_row(
                document_id,
                meter,
                start,
                end,
                usage * meter.exclusion_share,
                bill_time,
                exclusion=True,
                capture=capture,
            )

    def _usage_row(
        self,
        document_id: str,
        meter: _Meter,
        start: date,
        end: date,
        usage: float,
        bill_time: datetime,
        demand: float | None = None,
        *,
        net_metering: str = "IMPORT",
        exclusion: bool = False,
        estimated: bool = False,
        capture: list[tuple[str, Row, _Meter | None]] | None = None,
    ) -> tuple[str, str | None]:
        """Write a usage row; its id and its demand in kW as written (or None)."""
        rng = self.rng
        r = rng.random
        mess = self.mess
        usage_id = self._id("U", 9)
        by_identifier = (
            meter.match_by_identifier and r() < 0.15 and net_metering == "IMPORT"
        )
        if meter.gives_standard:
            raw = usage / _KWH_PER_GALLON[meter.commodity]
            standard: str | None = f"{usage:.3f}"
        else:
            raw = usage / meter.factor
            standard = f"{usage:.3f}" if r() < 0.5 else None
        if net_metering == "IMPORT":
            metering = None if r() < 0.6 else mess.enum("IMPORT")
        else:
            metering = mess.enum(net_metering)
        identifiers: list[dict[str, str]] | None = None
        if by_identifier or r() < 0.25:
            kind, value = meter.identifiers[0]
            identifiers = [{"type": mess.enum(kind), "value": mess.identifier(value)}]
            if not by_identifier and len(meter.identifiers) > 1 and r() < 0.3:
                kind, value = meter.identifiers[1]
                identifiers.append(
                    {"type": mess.enum(kind), "value": mess.identifier(value)}
                )
        demand_text = demand_value = None
        if demand is not None and net_metering == "IMPORT":
            demand_text = demand_value = f"{demand:.1f}"
            if r() < 0.15:
                demand_text += rng.choice((" kW", " KW", "kw"))
        v = r()
        is_estimated = (
            mess.boolean(True)
            if v < 0.03 or estimated
            else (mess.boolean(False) if v < 0.5 else None)
        )
        row: Row = {
            "id": usage_id,
            "document_id": document_id,
            "meter_id": None if by_identifier else meter.id,
            "start_date": mess.date(start),
            "end_date": mess.date(end),
            "raw_usage": mess.quantity(raw),
            "raw_usage_units": mess.unit(meter.unit),
            "standard_usage": standard,
            "exclusion": mess.boolean(exclusion, 0 if exclusion else 0.4),
            "net_metering_type": metering,
            "demand": demand_text,
            "extracted_identifiers": identifiers,
            "is_estimated": is_estimated,
            "updated_at": mess.timestamp(bill_time) if r() < 0.8 else None,
        }
        if document_id in self.cascaded_documents:
            self._plant("usage_data", usage_id, CASCADE_DOCUMENT, row)
            return usage_id, demand_value
        if meter.cascade_reason is not None:
            self._plant("usage_data", usage_id, CASCADE_METER, row)
            return usage_id, demand_value
        if by_identifier:
            assert identifiers is not None
            self._expect_match(usage_id, identifiers, meter)
        if r() < 0.005:
            stale = {**row, "raw_usage": mess.quantity(raw * 1.2)}
            self._write_timed_versions("usage_data", row, stale, bill_time)
        else:
            self.landing.write("usage_data", row)
        if capture is not None:
            capture.append(("usage_data", row, meter))
        return usage_id, demand_value
