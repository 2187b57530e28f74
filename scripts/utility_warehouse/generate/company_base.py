"""What every part of a company's generation shares: its state, random
streams, ids, versions of records and planting a row with its expected outcome."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from utility_warehouse.generate.domain import _CURRENCY_FACTOR
from utility_warehouse.generate.entities import (
    _Account,
    _Anchor,
    _Group,
    _Meter,
    _Site,
    _Span,
)
from utility_warehouse.generate.kinds import (
    _ENUMERATION_COLUMNS,
    _ENUMERATION_ISSUES,
    BAD_ROW_RATE,
    DIMENSION_KINDS,
    UNKEYED_REASONS,
)
from utility_warehouse.generate.mess import _Mess
from utility_warehouse.generate.unparsed import UNPARSEABLE_KINDS
from utility_warehouse.generate.values import Row, _is_blank

if TYPE_CHECKING:
    from utility_warehouse.generate.company import _Generator


class _CompanyBase:
    """A company's state and the helpers every part of its generation uses."""

    def __init__(self, gen: _Generator, index: int) -> None:
        self.gen = gen
        self.params = gen.params
        self.landing = gen.landing
        self.index = index
        self.rng = random.Random(f"utility-warehouse:{self.params.seed}:{index}")
        self.mess = _Mess(self.rng, self.params.encoding)
        self.id = f"CO{index + 1:04d}"
        self.large = index == gen.large_index
        self.currency = "USD"
        self.country = "US"
        self.scale = 1.0
        self.connections: dict[str, str | None] = {}
        self.provider_names: dict[str, str] = {}
        self.sites: list[_Site] = []
        self.meters: list[_Meter] = []
        self.groups: list[_Group] = []
        self.unit_turns: dict[str, int] = {}
        self.shared: dict[str, _Meter] = {}
        self.original: _Meter | None = None
        self.forced_items_done = False
        self.anchor: _Anchor | None = None
        self.stream_counts: dict[tuple[str, str], int] = {}
        self.variants: dict[str, int] = {}
        # What planted cases may point at: records quarantined by their own checks.
        self.bad_sites: list[str] = []
        self.bad_accounts: list[str] = []
        self.bad_meters: list[str] = []
        self.bad_documents: list[str] = []
        # Bills quarantined with the rejected account they are billed to.
        self.cascaded_documents: set[str] = set()
        # The clean identifiers of the company's clean meters, normalized.
        self.identifier_sets: dict[str, frozenset[tuple[str, str]]] = {}
        self.duplicated: set[str] = set()
        # What the warehouse will count: each meter's counted periods (bill by
        # bill), and each meter's current bills (to hang identifier matches on).
        self.spans: dict[str, list[_Span]] = {}
        self.bills: dict[str, list[_Anchor]] = {}
        self.deferred_matches = 0
        # Clean planted bills without usage: (account, start, bill date, current
        # charges) stay distinct, so that only planted duplicates look alike.
        self.planted_bill_keys: set[tuple[str, date, date, int | None]] = set()
        self.mark: tuple[_Group, int, _Meter] | None = None
        self.marked_row: tuple[str, str | None] | None = None
        self.mirrors: list[_Site] = []
        self.fraction: str | None = None
        self.accounts_by_id: dict[str, _Account] = {}
        self.group_of: dict[str, _Group] = {}

    @property
    def first(self) -> bool:
        return self.index == 0

    @property
    def money(self) -> float:
        return _CURRENCY_FACTOR[self.currency]

    def _id(self, prefix: str, width: int = 7) -> str:
        return self.gen.next_id(prefix, width)

    def _missing(self, prefix: str) -> str:
        return self.gen.next_id(f"{prefix}-MISSING-", 5)

    def _bad_count(self, good_rows: int) -> int:
        expected = good_rows * BAD_ROW_RATE
        count = int(expected) + (1 if self.rng.random() < expected % 1 else 0)
        return max(count, 1) if self.first else count

    def _variant(self, key: str, count: int) -> int:
        """Variants of a planted kind (key: entity:kind), taken in turn."""
        turn = self.variants.get(key, 0)
        self.variants[key] = turn + 1
        return turn % count

    def _pick(self, key: str, options: Sequence[str]) -> str:
        """One of a planted kind's spellings, taken in turn: the first comes first."""
        return options[self._variant(key, len(options))]

    def _cents(self, low: float, high: float) -> int:
        """A random amount in the company's currency, from USD bounds."""
        return round(self.rng.uniform(low, high) * self.money * 100)

    def _dimension_time(self) -> datetime:
        span = max((self.gen.last_day - self.gen.first_day).days, 1)
        day = self.gen.first_day + timedelta(days=self.rng.randrange(span))
        return datetime(day.year, day.month, day.day) + timedelta(
            seconds=self.rng.randrange(86_400)
        )

    def _updated_at(self, moment: datetime, blank_share: float = 0.1) -> str | None:
        if self.rng.random() < blank_share:
            return None
        return self.mess.timestamp(moment)

    def _write_versions(self, entity: str, row: Row, stale: Row | None) -> None:
        """Write a record, and maybe an older version of it before or after it.

        The newer version always wins: a later updated_at (whether it comes
        first or last), or the same updated_at with the newer version last, or
        a blank updated_at on the older version.
        """
        if stale is None:
            self.landing.write(entity, row)
            return
        newest = self._dimension_time() + timedelta(days=40)
        mode = self.rng.randrange(4)
        row["updated_at"] = self.mess.timestamp(newest)
        if mode == 0:  # older version first
            older = newest - timedelta(days=self.rng.randint(1, 30))
            stale["updated_at"] = self.mess.timestamp(older)
            self.landing.write(entity, stale)
            self.landing.write(entity, row)
        elif mode == 1:  # the newer version comes earlier in the file
            older = newest - timedelta(days=self.rng.randint(1, 30))
            stale["updated_at"] = self.mess.timestamp(older)
            self.landing.write(entity, row)
            self.landing.write(entity, stale)
        elif mode == 2:  # same updated_at: the last row wins
            stale["updated_at"] = row["updated_at"]
            self.landing.write(entity, stale)
            self.landing.write(entity, row)
        else:  # a blank updated_at counts as oldest
            stale["updated_at"] = None
            self.landing.write(entity, row)
            self.landing.write(entity, stale)
        self.landing.replaced(entity, stale, row)

    def _write_timed_versions(
        self, entity: str, row: Row, stale: Row, moment: datetime
    ) -> None:
        """Write a streamed record and an older version, in either order."""
        row["updated_at"] = self.mess.timestamp(moment)
        older = moment - timedelta(days=self.rng.randint(1, 20))
        stale["updated_at"] = self.mess.timestamp(older)
        first, second = (row, stale) if self.rng.random() < 0.5 else (stale, row)
        self.landing.write(entity, first)
        self.landing.write(entity, second)
        self.landing.replaced(entity, stale, row)

    def _plant(
        self,
        entity: str,
        record_id: str | None,
        kind: str,
        row: Row,
        spoiled: Sequence[str] | None = None,
    ) -> bool:
        """Write a planted row and state its expected outcome; False when it is
        not written: its file is left out, or a value that cannot be parsed
        has no room in its column (then nothing of it is stated).

        ``spoiled`` names the columns whose value cannot be parsed, for kinds
        that spoil one of several (UNPARSEABLE_KINDS); by default the kind's
        column when it holds a value.
        """
        columns = UNPARSEABLE_KINDS.get((entity, kind), ())
        if spoiled is None:
            if len(columns) > 1:  # pragma: no cover - a generator bug
                raise RuntimeError(f"{entity} {kind}: name the spoiled column")
            spoiled = [c for c in columns if not _is_blank(row.get(c))]
        elif not set(spoiled) <= set(columns):  # pragma: no cover - a generator bug
            raise RuntimeError(f"{entity} {kind} does not spoil {spoiled}")
        if not self.landing.has_room(entity, spoiled):
            return False
        if not self.landing.write(entity, row, spoiled):
            return False
        column, colon, reason = kind.partition(":")
        if colon:
            assert record_id is not None
            self.landing.field_issue(entity, record_id, column, reason)
            if reason in _ENUMERATION_ISSUES:
                self.landing.rejected(entity, column, str(row[column]))
        else:
            self.landing.inject(
                entity, None if kind in UNKEYED_REASONS else record_id, kind
            )
            rejected_column = _ENUMERATION_COLUMNS.get((entity, kind))
            if rejected_column is not None:
                self.landing.rejected(
                    entity, rejected_column, str(row[rejected_column])
                )
        return True

    def _dimension_kinds(self, entity: str) -> list[str]:
        """The kinds planted in a dimension entity, those whose value cannot be
        parsed last: the clean planted rows before them leave them room."""
        return sorted(
            DIMENSION_KINDS[entity],
            key=lambda kind: (entity, kind) in UNPARSEABLE_KINDS,
        )

    def _date_with_room(self, entity: str, columns: tuple[str, str]) -> str:
        """Which of two date columns gets a bad date: one drawn at random, the
        other when only it has room (neither: the plant is skipped)."""
        first, second = columns if self.rng.random() < 0.5 else columns[::-1]
        if self.landing.has_room(entity, (first,)):
            return first
        return second if self.landing.has_room(entity, (second,)) else first

    def _can_plant(self, entity: str, kind: str) -> bool:
        """Whether a kind can be planted in the entity's file: a JSON object in
        a key column (bad_id) needs a JSON lines file."""
        return not kind.endswith("bad_id") or self.landing.holds_objects(entity)

    def _archived(self, site: _Site | None) -> bool:
        return (
            site is not None
            and site.stop_date is not None
            and site.stop_date < self.gen.as_of
        )

    def _counts(self, account: _Account, site: _Site | None, start: date) -> bool:
        """Whether a bill's usage counts (account status, archived site)."""
        if account.status not in ("ONBOARDED", "OLD_ACCOUNT"):
            return False
        return not (
            self._archived(site)
            and site is not None
            and site.stop_date is not None
            and start > site.stop_date
        )

    def _large_bill_period(self) -> tuple[date, date]:
        """Jan 15 to Feb 14 of the last year billed beyond February."""
        last = self.gen.last_day
        year = last.year if last.month >= 3 else last.year - 1
        return date(year, 1, 15), date(year, 2, 14)
