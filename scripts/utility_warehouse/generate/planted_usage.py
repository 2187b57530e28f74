"""Planted usage rows and line items next to a current bill, and the usage
rows matched through their identifiers."""

from __future__ import annotations

from datetime import timedelta

from utility_warehouse.generate.domain import COMMODITY_KIND, ENERGY
from utility_warehouse.generate.entities import _Anchor, _Meter
from utility_warehouse.generate.findings import _Findings
from utility_warehouse.generate.kinds import (
    _BAD_AMOUNTS,
    _BAD_BOOLEANS,
    _BAD_DATES,
    _OUT_OF_RANGE_CENTS,
    _with_year,
)
from utility_warehouse.generate.values import Row, Value


class _PlantedUsage(_Findings):
    """Plants usage rows and line items, and rows matched by identifier."""

    def _usage_template(
        self,
        anchor: _Anchor,
        document_id: str | None = None,
        meter: _Meter | None = None,
    ) -> Row:
        """A usage row on the anchor bill's period: a small extra read (0.5-2% of
        the period's usage), so that planted rows hardly move a month's figures."""
        mess = self.mess
        meter = meter or anchor.meter
        days = (anchor.end - anchor.start).days + 1
        share = self.rng.uniform(0.005, 0.02)
        return {
            "id": self._id("U", 9),
            "document_id": document_id or anchor.document_id,
            "meter_id": meter.id,
            "start_date": mess.date(anchor.start),
            "end_date": mess.date(anchor.end),
            "raw_usage": f"{meter.daily * days * share / meter.factor:.3f}",
            "raw_usage_units": mess.unit(meter.unit),
        }

    def _plant_usage(self, kind: str, anchor: _Anchor) -> bool:
        mess = self.mess
        meter = anchor.meter
        if kind == "identifier_match":
            # Planted once every bill is written, on a bill of the matched meter.
            self.deferred_matches += 1
            return True
        if not self._can_plant("usage_data", kind):
            return False
        row = self._usage_template(anchor)
        usage_id = str(row["id"])
        spoiled: tuple[str, ...] | None = None
        if kind == "missing_id":
            row["id"] = ""
        elif kind == "bad_id":
            row["id"] = {"id": usage_id}
        elif kind == "bad_date":
            spoiled = (self._date_with_room("usage_data", ("start_date", "end_date")),)
            row[spoiled[0]] = self._pick("usage_data:bad_date", _BAD_DATES)
        elif kind == "implausible_date":
            variant = self._variant(f"usage_data:{kind}", 5)
            if variant == 0:
                row["start_date"] = _with_year(anchor.start, 25)
            elif variant == 1:
                day = anchor.start
                row["start_date"] = f"{day.month:02d}/{min(day.day, 28):02d}/0025"
            elif variant == 2:
                row["end_date"] = _with_year(anchor.end, 2206)
            elif variant == 3:
                row["end_date"] = "9999-12-31"
            else:
                row["start_date"], row["end_date"] = "0001-01-01", "9999-12-31"
        elif kind == "end_before_start":
            row["end_date"] = mess.date(anchor.start - timedelta(days=3))
        elif kind == "implausible_period":
            row["start_date"] = mess.date(anchor.end - timedelta(days=450))
        elif kind == "bad_number":
            variant = self._variant(f"usage_data:{kind}", 4)
            spoiled = ()
            if variant == 0:  # unparseable
                row["raw_usage"] = self._pick(
                    "usage_data:raw", ("n/a", "12..5", "1O0", "12,5")
                )
                spoiled = ("raw_usage",)
            elif variant == 1:  # beyond 10^12 as written
                row.update(raw_usage="5e19", raw_usage_units="MWh")
            elif variant == 2:  # a bad standard usage and no raw usage
                row.update(raw_usage=None, standard_usage="abc")
                spoiled = ("standard_usage",)
            else:  # beyond 10^12 once converted
                energy = COMMODITY_KIND[meter.commodity] == ENERGY
                row["raw_usage"] = "2,000,000,000"
                row["raw_usage_units"] = "MWh" if energy else "kgal"
        elif kind == "missing_usage":
            row["raw_usage"] = None
        elif kind == "unknown_net_metering_type":
            row["net_metering_type"] = "SIDEWAYS"
        elif kind == "orphan_document":
            row["document_id"] = self._missing("D")
        elif kind == "orphan_meter":
            row["meter_id"] = self._missing("M")
        elif kind == "unknown_unit":
            row["raw_usage_units"] = self._pick(
                f"usage_data:{kind}", ("furlongs", "barrels")
            )
        elif kind in (
            "missing_meter",
            "bad_json",
            "unmatched_meter",
            "ambiguous_meter",
        ):
            row["meter_id"] = None
            row["extracted_identifiers"] = self._unmatched_identifiers(kind)
        elif kind == "raw_usage:bad_number":
            row["standard_usage"] = f"{meter.daily * 0.3:,.3f}"
            row["raw_usage"] = self._pick(
                f"usage_data:{kind}", ("12..5", "n/a", "see bill")
            )
        elif kind == "standard_usage:bad_number":
            row["standard_usage"] = self._pick(
                f"usage_data:{kind}", ("n/a", "1.2.3", "tbd")
            )
        elif kind == "demand:bad_number":
            row["demand"] = self._pick(f"usage_data:{kind}", ("n/a", "45 kVA", "high"))
        elif kind == "exclusion:bad_boolean":
            row["exclusion"] = self._pick(f"usage_data:{kind}", _BAD_BOOLEANS)
        elif kind == "is_estimated:bad_boolean":
            row["is_estimated"] = self._pick(f"usage_data:{kind}", _BAD_BOOLEANS)
        else:  # extracted_identifiers:bad_json
            row["extracted_identifiers"] = self._pick(
                f"usage_data:{kind}", ('[{"type":', "POD 123")
            )
        return self._plant("usage_data", usage_id, kind, row, spoiled)

    def _unmatched_identifiers(self, kind: str) -> Value:
        """Identifiers of a row without meter_id that match no single meter."""
        if kind == "missing_meter":
            return None if self._variant(f"usage_data:{kind}", 2) == 0 else []
        if kind == "bad_json":
            return self._pick(
                f"usage_data:{kind}", ('[{"type":', "METER 123", '{"type": "METER"}')
            )
        extracted: list[dict[str, str]]
        if kind == "unmatched_meter":
            variant = self._variant(f"usage_data:{kind}", 3)
            if variant == 0:  # no meter holds Z-9
                extracted = [
                    {"type": "METER", "value": "X-2"},
                    {"type": "METER", "value": "Z-9"},
                ]
            elif variant == 1:  # X-1 is a METER identifier, not a POD
                extracted = [{"type": "POD", "value": "X-1"}]
            else:
                extracted = [{"type": "METER", "value": f"ZZ-{self._id('Z', 7)}"}]
        elif self._variant(f"usage_data:{kind}", 2) == 0:  # two with this very set
            extracted = [{"type": "premise", "value": "PR-SHARED-7"}]
        else:  # two meters hold it, each with more
            extracted = [{"type": "Account", "value": "ACC 1"}]
        matched, reason = self._expected_match(extracted)
        if matched is not None or reason != kind:  # pragma: no cover - a bug
            raise RuntimeError(f"{extracted} gives {matched or reason}, not {kind}")
        return extracted

    def _plant_identifier_matches(self) -> None:
        for _ in range(self.deferred_matches):
            self._plant_identifier_match()

    def _plant_identifier_match(self) -> None:
        """A clean usage row without meter_id matched through its identifiers,
        on one of the matched meter's own bills (its period unchanged)."""
        variant = self._variant("usage_data:identifier_match", 3)
        extracted: list[dict[str, str]]
        if variant == 0:  # the account number is on two meters, X1 on one
            meter = self.shared["P"]
            extracted = [
                {"type": "METER", "value": "X1"},
                {"type": "ACCOUNT", "value": "ACC 1"},
            ]
        elif variant == 1:  # two candidates, one holding exactly this set
            meter = self.shared["V"]
            extracted = [{"type": "Service Point", "value": "sp 77"}]
        else:  # a meter and its duplicated twin share the identifier
            assert self.original is not None
            meter = self.original
            kind, value = meter.identifiers[0]
            extracted = [{"type": kind.lower(), "value": f" {value} "}]
        bills = self.bills.get(meter.id)
        if not bills:  # pragma: no cover - the matched meters are always billed
            raise RuntimeError(f"meter {meter.id} has no bill to match a row on")
        row = self._usage_template(self.rng.choice(bills), meter=meter)
        row.update(meter_id=None, extracted_identifiers=extracted)
        usage_id = str(row["id"])
        self._expect_match(usage_id, extracted, meter)
        self.landing.write("usage_data", row)

    def _line_item_template(
        self, anchor: _Anchor, document_id: str | None = None, cents: int | None = None
    ) -> Row:
        if cents is None:
            cents = self._cents(5, 60)
        return {
            "id": self._id("L", 9),
            "document_id": document_id or anchor.document_id,
            "charge_type": "FEE",
            "description": "Service fee",
            "amount": self.mess.amount(cents, self.currency),
        }

    def _plant_line_item(self, kind: str, anchor: _Anchor) -> bool:
        rng = self.rng
        if not self._can_plant("line_items", kind):
            return False
        row = self._line_item_template(anchor)
        line_id = str(row["id"])
        if kind == "missing_id":
            row["id"] = None
        elif kind == "bad_id":
            row["id"] = {"id": line_id}
        elif kind == "bad_amount":
            row["amount"] = self._pick(f"line_items:{kind}", (*_BAD_AMOUNTS, ""))
        elif kind == "bad_number":
            row["amount"] = self.mess.amount(_OUT_OF_RANGE_CENTS, self.currency)
        elif kind == "unknown_charge_type":
            row["charge_type"] = "MYSTERY"
        elif kind == "orphan_document":
            row["document_id"] = self._missing("D")
        elif kind == "meter_id:orphan_meter":
            row["meter_id"] = self._missing("M")
        elif kind == "meter_id:meter_quarantined":
            if not self.bad_meters:
                return False
            row["meter_id"] = rng.choice(self.bad_meters)
        elif kind == "meter_id:bad_id":
            row["meter_id"] = {"meter_id": anchor.meter.id}
        else:  # datasource_type:unknown_commodity
            row["datasource_type"] = self._pick(
                f"line_items:{kind}", ("NUCLEAR", "Geothermal")
            )
        return self._plant("line_items", line_id, kind, row)
