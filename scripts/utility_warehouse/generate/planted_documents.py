"""Planted bills next to a current bill, and the dispatch of every streamed
kind (documents, usage rows, line items)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from utility_warehouse.generate.entities import _Anchor
from utility_warehouse.generate.kinds import (
    _BAD_AMOUNTS,
    _BAD_DATES,
    _OUT_OF_RANGE_CENTS,
    _STREAM_VARIANTS,
    BAD_ROW_RATE,
    CASCADE_DOCUMENT,
    STREAM_KINDS,
    UNKEYED_REASONS,
    _with_year,
)
from utility_warehouse.generate.planted_usage import _PlantedUsage
from utility_warehouse.generate.values import Row, money_text


class _PlantedDocuments(_PlantedUsage):
    """Plants bills and dispatches the streamed kinds."""

    def _inject_stream_rows(self, documents: int, usage_rows: int, items: int) -> None:
        """Planted documents, usage rows and line items next to the current bill."""
        r = self.rng.random
        choice = self.rng.choice
        for entity, good_rows in (
            ("documents", documents),
            ("usage_data", usage_rows),
            ("line_items", items),
        ):
            kinds = STREAM_KINDS[entity]
            rate = BAD_ROW_RATE * len(kinds)
            for _ in range(good_rows):
                if r() < rate:
                    self._bad_stream_row(entity, choice(kinds))

    def _force_stream_kinds(self) -> None:
        """Every streamed kind, each of its variants, at least once in company 1."""
        for entity in ("documents", "usage_data", "line_items"):
            for kind in STREAM_KINDS[entity]:
                wanted = _STREAM_VARIANTS.get(f"{entity}:{kind}", 1)
                for _ in range(wanted - self.stream_counts.get((entity, kind), 0)):
                    self._bad_stream_row(entity, kind)

    def _bad_stream_row(self, entity: str, kind: str) -> None:
        anchor = self.anchor
        if anchor is None:  # pragma: no cover - company 1 always has clean bills
            raise RuntimeError("no clean bill to attach planted rows to")
        if entity == "documents":
            planted = self._plant_document(kind, anchor)
        elif entity == "usage_data":
            planted = self._plant_usage(kind, anchor)
        else:
            planted = self._plant_line_item(kind, anchor)
        if planted:
            key = (entity, kind)
            self.stream_counts[key] = self.stream_counts.get(key, 0) + 1

    def _document_row(self, document_id: str, anchor: _Anchor, cents: int) -> Row:
        mess = self.mess
        amount = mess.amount(cents, self.currency)
        return {
            "id": document_id,
            "account_id": anchor.account.id,
            "start_date": mess.date(anchor.start),
            "bill_date": mess.date(anchor.end),
            "total_charges": amount,
            "current_charges": amount,
            "charges_units": self.currency,
            "source_system": "ocr",
        }

    def _distinct_bill_date(self, anchor: _Anchor, current: int | None) -> date:
        """The bill date of a clean planted bill on the anchor's account and start:
        the anchor's, a day later when another bill there already has the same
        date and current charges (else it would be a duplicate candidate)."""
        end = anchor.end
        while (
            anchor.account.id,
            anchor.start,
            end,
            current,
        ) in self.planted_bill_keys or (
            end == anchor.end and current is not None and current == anchor.current
        ):
            end += timedelta(days=1)
        self.planted_bill_keys.add((anchor.account.id, anchor.start, end, current))
        return end

    def _expect_unattributed(
        self,
        document_id: str,
        current: int | None,
        items: Sequence[int] = (),
        has_meter: bool = False,
    ) -> None:
        """State whether a clean, current planted bill is unattributed.

        ``current`` is its current charges as the warehouse reads them (None
        when blank or not usable), ``items`` its clean line items written.
        """
        if has_meter:
            return
        amount = current if current is not None else (sum(items) if items else None)
        if amount:
            self.landing.unattributed(document_id, self.currency, amount)

    def _plant_document(self, kind: str, anchor: _Anchor) -> bool:
        rng = self.rng
        mess = self.mess
        if not self._can_plant("documents", kind):
            return False
        if kind == "revision_cycle":
            self._plant_revision_cycle(anchor)
            return True
        if kind == "reused_id":
            self._plant_reused_document_id(anchor)
            return True
        document_id = self._id("D", 8)
        if kind == "no_meter_bill":
            self._plant_no_meter_bill(document_id, anchor)
            return True
        if kind == "line_item_meter_bill":
            # Its usage row's unit cannot be parsed.
            if not self.landing.has_room("usage_data", ("raw_usage_units",)):
                return False
            self._plant_line_item_meter_bill(document_id, anchor)
            return True
        cents = self._cents(50, 900)
        row = self._document_row(document_id, anchor, cents)
        current: int | None = cents
        spoiled: tuple[str, ...] | None = None
        if kind == "missing_id":
            row["id"] = None
        elif kind == "bad_id":
            row["id"] = {"id": document_id}
        elif kind == "bad_date":
            spoiled = (self._date_with_room("documents", ("start_date", "bill_date")),)
            row[spoiled[0]] = self._pick("documents:bad_date", _BAD_DATES)
        elif kind == "implausible_date":
            variant = self._variant(f"documents:{kind}", 4)
            if variant == 0:
                row["start_date"] = _with_year(anchor.start, 25)
            elif variant == 1:
                row["bill_date"] = _with_year(anchor.end, 2206)
            elif variant == 2:
                row["bill_date"] = "9999-12-31"
            else:
                row["start_date"], row["bill_date"] = "0001-01-01", "9999-12-31"
        elif kind == "end_before_start":
            row["bill_date"] = mess.date(anchor.start - timedelta(days=5))
        elif kind == "implausible_period":
            row["start_date"] = mess.date(anchor.end - timedelta(days=450))
        elif kind == "orphan_account":
            row["account_id"] = self._missing("A")
        elif kind == "account_quarantined":
            if not self.bad_accounts:
                return False
            row["account_id"] = rng.choice(self.bad_accounts)
        elif kind == "total_charges:bad_amount":
            row["total_charges"] = self._pick(f"documents:{kind}", _BAD_AMOUNTS)
        elif kind == "total_charges:bad_number":
            row["total_charges"] = mess.amount(_OUT_OF_RANGE_CENTS, self.currency)
        elif kind == "current_charges:bad_amount":
            row["current_charges"] = self._pick(f"documents:{kind}", _BAD_AMOUNTS)
            current = None
        elif kind == "current_charges:bad_number":
            row["current_charges"] = mess.amount(_OUT_OF_RANGE_CENTS, self.currency)
            current = None
        elif kind == "revised_document_id:orphan_document":
            row["revised_document_id"] = self._missing("D")
        elif kind == "revised_document_id:bad_id":
            row["revised_document_id"] = {"id": anchor.document_id}
        else:  # revised_document_id:document_quarantined
            if not self.bad_documents:
                return False
            row["revised_document_id"] = rng.choice(self.bad_documents)
        if ":" in kind:
            row["bill_date"] = mess.date(self._distinct_bill_date(anchor, current))
        if not self._plant("documents", document_id, kind, row, spoiled):
            return False
        if ":" in kind:
            self._expect_unattributed(document_id, current)
        elif kind not in UNKEYED_REASONS:
            self.bad_documents.append(document_id)
        return True

    def _plant_revision_cycle(self, anchor: _Anchor) -> None:
        """A bill revising itself, or two bills revising each other."""
        size = 1 + self._variant("documents:revision_cycle", 2)
        ids = [self._id("D", 8) for _ in range(size)]
        for position, document_id in enumerate(ids):
            row = self._document_row(document_id, anchor, self._cents(50, 900))
            row["revised_document_id"] = ids[(position + 1) % size]
            self._plant("documents", document_id, "revision_cycle", row)
            self.bad_documents.append(document_id)
            usage = self._usage_template(anchor, document_id)
            self._plant("usage_data", str(usage["id"]), CASCADE_DOCUMENT, usage)
            item = self._line_item_template(anchor, document_id)
            self._plant("line_items", str(item["id"]), CASCADE_DOCUMENT, item)

    def _plant_reused_document_id(self, anchor: _Anchor) -> None:
        """Another bill under the current bill's id, older: the current one wins."""
        rng = self.rng
        mess = self.mess
        others = [g.owner for g in self.groups if g.owner is not anchor.account]
        account = rng.choice(others) if others else anchor.account
        start = anchor.start - timedelta(days=rng.randint(60, 400))
        loser: Row = {
            "id": anchor.document_id,
            "account_id": account.id,
            "start_date": mess.date(start),
            "bill_date": mess.date(start + timedelta(days=29)),
            "total_charges": mess.amount(self._cents(50, 900), self.currency),
            "current_charges": mess.amount(self._cents(50, 900), self.currency),
            "charges_units": self.currency,
            "source_system": "manual_upload",
            "updated_at": mess.timestamp(
                anchor.bill_time - timedelta(days=rng.randint(30, 90))
            ),
        }
        if self.landing.write("documents", loser):
            self.landing.replaced("documents", loser, {"id": anchor.document_id})
            self.landing.note_item("reused_document_ids", anchor.document_id)

    def _plant_no_meter_bill(self, document_id: str, anchor: _Anchor) -> None:
        """A bill with no usage rows and no line item naming a meter."""
        variant = self._variant("documents:no_meter_bill", 4)
        item_cents = [self._cents(12, 45), self._cents(1, 10)]
        current: int | None
        if variant == 0:  # line items without meters, current charges their sum
            current = sum(item_cents)
        elif variant == 1:  # no line items, current charges only
            current, item_cents = self._cents(50, 900), []
        elif variant == 2:  # line items but no current charges
            current = None
        else:  # nothing to attribute
            current, item_cents = 0, []
        row = self._document_row(document_id, anchor, current or 0)
        if current is None:
            row["current_charges"] = None
            row["total_charges"] = self.mess.amount(sum(item_cents), self.currency)
        row["bill_date"] = self.mess.date(self._distinct_bill_date(anchor, current))
        self.landing.write("documents", row)
        written: list[int] = []
        for cents in item_cents:
            item = self._line_item_template(anchor, document_id, cents)
            if self.landing.write("line_items", item):
                written.append(cents)
        self._expect_unattributed(document_id, current, written)

    def _plant_line_item_meter_bill(self, document_id: str, anchor: _Anchor) -> None:
        """A bill whose only usage row is quarantined but a line item names a meter."""
        cents = self._cents(50, 900)
        row = self._document_row(document_id, anchor, cents)
        row["bill_date"] = self.mess.date(self._distinct_bill_date(anchor, cents))
        self.landing.write("documents", row)
        usage = self._usage_template(anchor, document_id)
        usage["raw_usage_units"] = "furlongs"
        self._plant("usage_data", str(usage["id"]), "unknown_unit", usage)
        item = self._line_item_template(anchor, document_id, cents)
        item.update(meter_id=anchor.meter.id, charge_type="USAGE")
        has_meter = self.landing.write("line_items", item)
        if has_meter:
            self.landing.note_item(
                "line_item_meter_bills",
                {"document_id": document_id, "meter_id": anchor.meter.id},
            )
        self._expect_unattributed(document_id, cents, [cents], has_meter)

    def _plant_foreign_meter_bill(self) -> None:
        """A bill with two line items: one names the bill's own meter, the other
        a meter of company 1 (foreign_meter: the link is treated as absent and
        the item is split over the bill's meters), so the bill's own meter gets
        everything and no money crosses to another company."""
        anchor, foreign = self.anchor, self.gen.foreign_meter_id
        if anchor is None or foreign is None or not self.landing.has("line_items"):
            return
        document_id = self._id("D", 8)
        own, crossing = self._cents(20, 80), self._cents(5, 30)
        current = own + crossing
        row = self._document_row(document_id, anchor, current)
        row["bill_date"] = self.mess.date(self._distinct_bill_date(anchor, current))
        self.landing.write("documents", row)
        item = self._line_item_template(anchor, document_id, own)
        item.update(meter_id=anchor.meter.id, charge_type="USAGE")
        self.landing.write("line_items", item)
        crossing_item = self._line_item_template(anchor, document_id, crossing)
        crossing_item["meter_id"] = foreign
        line_item_id = str(crossing_item["id"])
        self._plant("line_items", line_item_id, "meter_id:foreign_meter", crossing_item)
        self.landing.note_item(
            "foreign_meter_bills",
            {
                "document_id": document_id,
                "company_id": self.id,
                "line_item_id": line_item_id,
                "foreign_meter_id": foreign,
                "attributed": {anchor.meter.id: money_text(current)},
            },
        )
