"""The landing being written: its open writers, what it counts (rows, the
unparsed-share budget per judged column) and the manifest it writes."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO

from utility_warehouse.generate.conventions import AMOUNT_COLUMNS, NUMBER_COLUMNS
from utility_warehouse.generate.parameters import (
    CARBON_ENTITIES,
    GENERATED_ENTITIES,
    Parameters,
)
from utility_warehouse.generate.planted_audits import AUDITS, COMPLETE_AUDITS
from utility_warehouse.generate.unparsed import (
    _JUDGED_KEYS,
    _JUDGED_KEYS_ALL,
    CLEAN_RECORD_COLUMNS,
    JUDGED_COLUMNS,
    MAX_UNPARSED_SHARE,
)
from utility_warehouse.generate.values import Row, _as_text, _is_blank, money_text
from utility_warehouse.generate.writers import (
    _WRITERS,
    _JsonlWriter,
    _Writer,
    column_headers,
    entity_columns,
    landing_file_name,
    value_columns,
)

MANIFEST_NAME = "_generator_manifest.json"


class _Ledger:
    """One list of the manifest, kept in a scratch file until it is written."""

    def __init__(self) -> None:
        # Closed by close(), once the manifest is written.
        self._file: IO[str] = tempfile.TemporaryFile(  # noqa: SIM115
            "w+", encoding="utf-8", newline="\n"
        )
        self.count = 0

    def add(self, text: str) -> None:
        self._file.write(text + "\n")
        self.count += 1

    def lines(self) -> Iterator[str]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield line.rstrip("\n")

    def close(self) -> None:
        self._file.close()


_LIST_KEYS = ("injected", "field_issues", "unattributed", "planted_findings")


class _Landing:
    """The open writers of a landing folder and what the manifest will state."""

    def __init__(
        self, out_dir: Path, params: Parameters, formats: dict[str, str]
    ) -> None:
        self.params = params
        self.writers: dict[str, _Writer] = {}
        self.files: dict[str, str] = {}
        self.ledgers: dict[str, _Ledger] = {}
        for key in (*_LIST_KEYS, "expected_meter_matches"):
            self.ledgers[key] = _Ledger()
        self.formats = formats
        self.convention = params.convention
        for entity in (*GENERATED_ENTITIES, *CARBON_ENTITIES):
            if entity.name in params.without:
                continue
            file_format = formats[entity.name]
            name = landing_file_name(entity.name, file_format, params.messy_names)
            self.files[entity.name] = name
            self.writers[entity.name] = self._writer(out_dir / name, entity.name)
        self.injected_counts: dict[str, dict[str, int]] = {}
        self.issue_counts: dict[str, dict[str, int]] = {}
        self.replaced_counts: dict[str, int] = {}
        self.replaced_differing: dict[str, int] = {}
        self.finding_counts: dict[str, int] = {}
        self.special: dict[str, object] = {}
        self.rejected_values: dict[tuple[str, str, str], int] = {}
        self.site_countries: dict[str, str | None] = {}
        self.expected_inventory: dict[str, object] | None = None
        # dq_bill_audits: the findings planted (and stated), their near-misses.
        self.bill_audits: list[dict[str, object]] = []
        self.bill_audit_near_misses: list[dict[str, object]] = []
        # Per judged column: the non-empty values of the records written so
        # far (their winning versions), and those that cannot be parsed.
        self.non_empty = dict.fromkeys(_JUDGED_KEYS_ALL, 0)
        self.unparsed = dict.fromkeys(_JUDGED_KEYS_ALL, 0)
        self._last_written: dict[str, Row] = {}

    def _writer(self, path: Path, entity: str) -> _Writer:
        params = self.params
        columns = entity_columns(entity)
        headers = column_headers(entity, params.messy_names)
        if self.formats[entity] != "jsonl":
            writer_class = _WRITERS[self.formats[entity]]
            return writer_class(path, columns, headers, params.encoding)
        numbers = (*NUMBER_COLUMNS.get(entity, ()), *AMOUNT_COLUMNS.get(entity, ()))
        return _JsonlWriter(
            path,
            columns,
            headers,
            params.encoding,
            number_columns=numbers if self.convention.decimal_separator == "." else (),
            messy_keys=params.messy_names,
        )

    def has(self, entity: str) -> bool:
        return entity in self.writers

    def holds_objects(self, entity: str) -> bool:
        """Whether the entity's file can hold a JSON object as a value."""
        return self.has(entity) and self.formats[entity] == "jsonl"

    def has_room(self, entity: str, columns: Sequence[str]) -> bool:
        """Whether one more record whose values in ``columns`` cannot be parsed
        keeps each of them within the unparsed-share limit: after writing it,
        at most MAX_UNPARSED_SHARE of the column's non-empty values so far.
        Values written later only lower the share, so the folder ends within
        the limit (the warehouse's gate passes it)."""
        for column in columns:
            key = (entity, column)
            unparsed = self.unparsed[key] + 1
            non_empty = self.non_empty[key] + 1
            if Fraction(unparsed, non_empty) > MAX_UNPARSED_SHARE:
                return False
        return True

    def write(self, entity: str, row: Row, spoiled: Sequence[str] = ()) -> bool:
        """Write a row in the folder's convention; False when the entity's file
        is left out. ``spoiled`` names the judged columns whose value cannot
        be parsed: the caller has made sure there is room for them."""
        writer = self.writers.get(entity)
        if writer is None:
            return False
        if spoiled and not self.has_room(entity, spoiled):  # pragma: no cover
            raise RuntimeError(f"no room for unparseable {entity} values {spoiled}")
        self._count(entity, row, 1)
        for column in spoiled:
            if column not in JUDGED_COLUMNS.get(entity, ()) or _is_blank(
                row.get(column)
            ):  # pragma: no cover - a generator bug
                raise RuntimeError(f"{entity}.{column} is not a judged value")
            key = (entity, column)
            self.unparsed[key] += 1
        writer.write(self.convention.localize(entity, row))
        self._last_written[entity] = row
        return True

    def _count(self, entity: str, row: Row, step: int) -> None:
        """Count a record's non-empty judged values in (1) or out (-1)."""
        non_empty, get = self.non_empty, row.get
        for key, column in _JUDGED_KEYS.get(entity, ()):
            value = get(column)
            if value is not None and (not isinstance(value, str) or value.strip()):
                non_empty[key] += step

    def inject(self, entity: str, record_id: str | None, reason: str) -> None:
        """A row the warehouse must quarantine (only when its file is written).
        A bill is always the row written last for its entity: its currency
        no longer counts (CLEAN_RECORD_COLUMNS)."""
        if not self.has(entity):
            return
        for key in CLEAN_RECORD_COLUMNS:
            if key[0] != entity:
                continue
            last = self._last_written.get(entity)
            if last is None or (
                record_id is not None and _as_text(last.get("id")) != record_id
            ):  # pragma: no cover - a generator bug
                raise RuntimeError(f"{entity} {record_id} is not the row written last")
            if not _is_blank(last.get(key[1])):
                self.non_empty[key] -= 1
        entry = {"entity": entity, "record_id": record_id, "reason": reason}
        self.ledgers["injected"].add(json.dumps(entry, ensure_ascii=False))
        counts = self.injected_counts.setdefault(entity, {})
        counts[reason] = counts.get(reason, 0) + 1

    def field_issue(
        self, entity: str, record_id: str, column: str, reason: str
    ) -> None:
        """An optional value of a clean row the warehouse must list as an issue."""
        if not self.has(entity):
            return
        entry = {
            "entity": entity,
            "record_id": record_id,
            "column_name": column,
            "reason": reason,
        }
        self.ledgers["field_issues"].add(json.dumps(entry, ensure_ascii=False))
        counts = self.issue_counts.setdefault(entity, {})
        key = f"{column}:{reason}"
        counts[key] = counts.get(key, 0) + 1

    def unattributed(
        self,
        document_id: str,
        currency: str | None,
        amount: int | Decimal,
        reason: str = "no_meter_on_bill",
    ) -> None:
        """A bill whose charges go to the unattributed-cost ledger: ``amount``
        in cents, or a Decimal in currency units; currency None when the bill's
        currency is unknown (reason unknown_currency)."""
        cost = money_text(amount) if isinstance(amount, int) else str(amount)
        entry = {
            "document_id": document_id,
            "currency": currency,
            "unattributed_cost": cost,
            "reason": reason,
        }
        self.ledgers["unattributed"].add(json.dumps(entry, ensure_ascii=False))

    def rejected(self, entity: str, column: str, raw_value: str) -> None:
        """A rejected enumeration value written (quarantined or a field issue)."""
        if not self.has(entity):
            return
        key = (entity, column, raw_value)
        self.rejected_values[key] = self.rejected_values.get(key, 0) + 1

    def site_country(self, site_id: str, alpha2: str | None) -> None:
        """The country a clean site's country column names (None: unknown)."""
        self.site_countries[site_id] = alpha2

    def finding(self, kind: str, **keys: object) -> None:
        """A finding the data-quality marts must show for what was planted."""
        entry = {"kind": kind, **keys}
        self.ledgers["planted_findings"].add(json.dumps(entry, ensure_ascii=False))
        self.finding_counts[kind] = self.finding_counts.get(kind, 0) + 1

    def bill_audit(self, entry: dict[str, object]) -> None:
        """A finding dq_bill_audits must show."""
        self.bill_audits.append(entry)

    def bill_audit_near_miss(self, entry: dict[str, object]) -> None:
        """A case just inside an audit's threshold: dq_bill_audits must not show it."""
        self.bill_audit_near_misses.append(entry)

    def meter_match(self, usage_id: str, meter_id: str) -> None:
        self.ledgers["expected_meter_matches"].add(
            f"{json.dumps(usage_id)}: {json.dumps(meter_id)}"
        )

    def replaced(self, entity: str, loser: Row, winner: Row) -> None:
        """A raw row that loses to a newer version of the same key (written
        just now, with its winner): its values are no record's."""
        if not self.has(entity):
            return
        self._count(entity, loser, -1)
        self.replaced_counts[entity] = self.replaced_counts.get(entity, 0) + 1
        if any(
            _as_text(loser.get(column)) != _as_text(winner.get(column))
            for column in value_columns(entity)
        ):
            self.replaced_differing[entity] = self.replaced_differing.get(entity, 0) + 1

    def note(self, key: str, value: object) -> None:
        self.special[key] = value

    def note_item(self, key: str, value: object) -> None:
        entries = self.special.setdefault(key, [])
        assert isinstance(entries, list)
        entries.append(value)

    def rows(self) -> dict[str, int]:
        return {name: writer.rows for name, writer in self.writers.items()}

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def discard(self) -> None:
        for ledger in self.ledgers.values():
            ledger.close()

    def write_manifest(self, path: Path, as_of: date) -> None:
        """Write the manifest, streaming the long lists from their scratch files."""
        params = self.params
        head: dict[str, object] = {
            "seed": params.seed,
            "parameters": params.as_dict(),
            "as_of": as_of.isoformat(),
            "files": self.files,
            "encoding": params.encoding,
            "landing": {
                "date_order": self.convention.date_order,
                "decimal_separator": self.convention.decimal_separator,
                "landing_json": (
                    params.landing_settings() if params.landing_json else {}
                ),
            },
            "rows": self.rows(),
            "counts": {
                "injected": _sorted_counts(self.injected_counts),
                "field_issues": _sorted_counts(self.issue_counts),
                "unattributed": self.ledgers["unattributed"].count,
                "expected_meter_matches": self.ledgers["expected_meter_matches"].count,
                "planted_findings": dict(sorted(self.finding_counts.items())),
            },
            "replaced_versions": dict(sorted(self.replaced_counts.items())),
            "replaced_versions_differing": dict(
                sorted(self.replaced_differing.items())
            ),
            "special_cases": self.special,
            "rejected_values": [
                {
                    "entity": entity,
                    "column_name": column,
                    "raw_value": raw_value,
                    "row_count": count,
                }
                for (entity, column, raw_value), count in sorted(
                    self.rejected_values.items()
                )
            ],
            "site_countries": dict(sorted(self.site_countries.items())),
            "expected_inventory": self.expected_inventory,
            "bill_audits_complete": {
                audit: audit in COMPLETE_AUDITS for audit in AUDITS
            },
            "expected_bill_audits": self.bill_audits,
            "bill_audit_near_misses": self.bill_audit_near_misses,
            "unparsed_values": [
                {
                    "entity": entity,
                    "column_name": column,
                    "non_empty_count": self.non_empty[(entity, column)],
                    "unparsed_count": self.unparsed[(entity, column)],
                }
                for entity, columns in JUDGED_COLUMNS.items()
                if self.has(entity)
                for column in columns
            ],
        }
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write("{\n")
            for key, value in head.items():
                text = json.dumps(value, ensure_ascii=False)
                handle.write(f"  {json.dumps(key)}: {text},\n")
            for key in _LIST_KEYS:
                handle.write(f'  "{key}": [')
                _write_lines(handle, self.ledgers[key].lines())
                handle.write("],\n")
            handle.write('  "expected_meter_matches": {')
            _write_lines(handle, self.ledgers["expected_meter_matches"].lines())
            handle.write("}\n}\n")


def _sorted_counts(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {entity: dict(sorted(counts[entity].items())) for entity in sorted(counts)}


def _write_lines(handle: IO[str], lines: Iterator[str]) -> None:
    first = True
    for line in lines:
        handle.write("\n    " if first else ",\n    ")
        handle.write(line)
        first = False
    if not first:
        handle.write("\n  ")
