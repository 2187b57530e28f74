"""Count what a pipeline run left in the warehouse, for the end-of-run summary.

Rows per layer, quarantine by reason and, when those marts exist, bill costs per
currency (attributed to meters and unattributed), field issues per entity,
column and reason, replaced record versions per entity, the rejected
enumeration values per entity and column with their counts next to the accepted
ones, and the columns over the unparsed-share limit with three sample values.
``collect_summary`` reads through a given connection (``run`` holds the file
open) or opens the DuckDB file read-only, which it can only do once dbt has
closed it.

``format_summary`` lists every figure (per layer, mart table, entity, column and
reason); ``format_compact_summary`` keeps the totals in a few lines, for a run's
screen (the full one goes to the run log and to ``run --verbose``).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from utility_warehouse import contract
from utility_warehouse.duckdb_text import quote_identifier
from utility_warehouse.reading import money_text

LAYERS: tuple[str, ...] = (contract.RAW_SCHEMA, "staging", "intermediate", "marts")
MART_SCHEMA = "marts"
QUARANTINE_TABLE = "dq_quarantine"
ATTRIBUTED_COSTS_TABLE = "fct_bill_meter_costs"
UNATTRIBUTED_COSTS_TABLE = "fct_unattributed_bill_costs"
FIELD_ISSUES_TABLE = "dq_field_issues"
REPLACED_VERSIONS_TABLE = "dq_duplicate_key_versions"
REJECTED_VALUES_TABLE = "dq_rejected_values"
UNPARSED_SHARES_TABLE = "dq_unparsed_shares"

# Relations of each layer, except the loader's bookkeeping tables (``raw._...``).
_RELATIONS_SQL = """
select table_schema, table_name, table_type
from information_schema.tables
where table_catalog = current_database()
  and table_schema in ({placeholders})
  and not (table_schema = ? and starts_with(table_name, '_'))
order by table_schema, table_name
"""

_QUARANTINE_SQL = """
select
    coalesce(cast(entity as varchar), '(none)') as entity,
    coalesce(cast(reason as varchar), '(none)') as reason,
    count(*) as row_count
from {table}
group by all
order by entity, row_count desc, reason
"""


@dataclass(frozen=True)
class RelationCount:
    schema: str
    name: str
    kind: str  # "table" or "view"
    rows: int | None  # None when counting failed (e.g. a broken view)


@dataclass(frozen=True)
class LayerCount:
    schema: str
    relations: int
    rows: int


@dataclass(frozen=True)
class QuarantineCount:
    entity: str
    reason: str
    rows: int


@dataclass(frozen=True)
class CurrencyCost:
    """A cost total in one currency; ``bills`` counts bills when it is known."""

    currency: str
    amount: Decimal | float | int | None
    bills: int | None = None


@dataclass(frozen=True)
class FieldIssueCount:
    entity: str
    column: str
    reason: str
    rows: int


@dataclass(frozen=True)
class ReplacedVersions:
    entity: str
    rows: int
    differing: int  # versions whose values differ from the winning version


@dataclass(frozen=True)
class RejectedValue:
    """A rejected value of an enumeration or boolean column, with what it accepts."""

    entity: str
    column: str
    value: str
    rows: int
    accepted: str


@dataclass(frozen=True)
class UnparsedShare:
    """A column whose share of unparseable values is over the limit."""

    entity: str
    column: str
    non_empty: int
    unparsed: int
    share: Decimal | float
    samples: str


@dataclass(frozen=True)
class WarehouseSummary:
    database: Path
    relations: tuple[RelationCount, ...]
    quarantine: tuple[QuarantineCount, ...] | None  # None: no quarantine table
    # None below: the mart is not in the warehouse (or could not be read).
    attributed_costs: tuple[CurrencyCost, ...] | None = None
    unattributed_costs: tuple[CurrencyCost, ...] | None = None
    field_issues: tuple[FieldIssueCount, ...] | None = None
    replaced_versions: tuple[ReplacedVersions, ...] | None = None
    rejected_values: tuple[RejectedValue, ...] | None = None
    unparsed_shares: tuple[UnparsedShare, ...] | None = None  # over the limit

    def layers(self) -> list[LayerCount]:
        counts: list[LayerCount] = []
        for schema in LAYERS:
            members = [item for item in self.relations if item.schema == schema]
            counts.append(
                LayerCount(
                    schema=schema,
                    relations=len(members),
                    rows=sum(item.rows or 0 for item in members),
                )
            )
        return counts

    def marts(self) -> list[RelationCount]:
        return [item for item in self.relations if item.schema == MART_SCHEMA]


_ATTRIBUTED_SQL = """
select coalesce(cast(currency as varchar), '(none)'), sum(attributed_cost)
from {table}
group by all
order by 1
"""

_UNATTRIBUTED_SQL = """
select coalesce(cast(currency as varchar), '(none)'), sum(unattributed_cost),
    count(*)
from {table}
group by all
order by 1
"""

_FIELD_ISSUES_SQL = """
select
    coalesce(cast(entity as varchar), '(none)'),
    coalesce(cast(column_name as varchar), '(none)'),
    coalesce(cast(reason as varchar), '(none)'),
    count(*) as row_count
from {table}
group by all
order by 1, 2, row_count desc, 3
"""

_REPLACED_VERSIONS_SQL = """
select
    coalesce(cast(entity as varchar), '(none)'),
    count(*),
    count(*) filter (where differs_from_winner)
from {table}
group by all
order by 1
"""


_REJECTED_VALUES_SQL = """
select
    coalesce(cast(entity as varchar), '(none)'),
    coalesce(cast(column_name as varchar), '(none)'),
    coalesce(cast(raw_value as varchar), ''),
    row_count,
    coalesce(cast(accepted_values as varchar), '')
from {table}
order by 1, 2, row_count desc, 3
"""

_UNPARSED_SHARES_SQL = """
select
    coalesce(cast(entity as varchar), '(none)'),
    coalesce(cast(column_name as varchar), '(none)'),
    non_empty_count,
    unparsed_count,
    unparsed_share,
    coalesce(cast(sample_values as varchar), '')
from {table}
where unparsed_share > max_unparsed_share
order by 1, 2
"""


def _mart(name: str) -> str:
    return f"{quote_identifier(MART_SCHEMA)}.{quote_identifier(name)}"


def _optional_rows(
    con: duckdb.DuckDBPyConnection,
    present: set[str],
    table: str,
    sql: str,
) -> list[tuple[object, ...]] | None:
    """The rows of a query on an optional mart; None when it is absent or broken."""
    if table not in present:
        return None
    try:
        return con.execute(sql.format(table=_mart(table))).fetchall()
    except duckdb.Error:
        return None


def _amount(value: object) -> Decimal | float | int | None:
    if value is None or isinstance(value, Decimal | float | int):
        return value
    return Decimal(str(value))


def _collect(con: duckdb.DuckDBPyConnection, database: Path) -> WarehouseSummary:
    placeholders = ", ".join("?" for _ in LAYERS)
    rows = con.execute(
        _RELATIONS_SQL.format(placeholders=placeholders),
        [*LAYERS, contract.RAW_SCHEMA],
    ).fetchall()
    relations: list[RelationCount] = []
    for schema, name, table_type in rows:
        kind = "view" if str(table_type).upper() == "VIEW" else "table"
        relation = f"{quote_identifier(str(schema))}.{quote_identifier(str(name))}"
        try:
            counted = con.execute(f"select count(*) from {relation}").fetchone()
            count: int | None = int(counted[0]) if counted else 0
        except duckdb.Error:
            count = None
        relations.append(RelationCount(str(schema), str(name), kind, count))
    present = {item.name for item in relations if item.schema == MART_SCHEMA}
    quarantine: tuple[QuarantineCount, ...] | None = None
    grouped = _optional_rows(con, present, QUARANTINE_TABLE, _QUARANTINE_SQL)
    if grouped is not None:
        quarantine = tuple(
            QuarantineCount(str(entity), str(reason), int(str(count)))
            for entity, reason, count in grouped
        )
    attributed = _optional_rows(con, present, ATTRIBUTED_COSTS_TABLE, _ATTRIBUTED_SQL)
    unattributed = _optional_rows(
        con, present, UNATTRIBUTED_COSTS_TABLE, _UNATTRIBUTED_SQL
    )
    issues = _optional_rows(con, present, FIELD_ISSUES_TABLE, _FIELD_ISSUES_SQL)
    replaced = _optional_rows(
        con, present, REPLACED_VERSIONS_TABLE, _REPLACED_VERSIONS_SQL
    )
    rejected = _optional_rows(con, present, REJECTED_VALUES_TABLE, _REJECTED_VALUES_SQL)
    unparsed = _optional_rows(con, present, UNPARSED_SHARES_TABLE, _UNPARSED_SHARES_SQL)
    return WarehouseSummary(
        database=Path(database),
        relations=tuple(relations),
        quarantine=quarantine,
        attributed_costs=None
        if attributed is None
        else tuple(
            CurrencyCost(str(currency), _amount(amount))
            for currency, amount in attributed
        ),
        unattributed_costs=None
        if unattributed is None
        else tuple(
            CurrencyCost(str(currency), _amount(amount), int(str(bills)))
            for currency, amount, bills in unattributed
        ),
        field_issues=None
        if issues is None
        else tuple(
            FieldIssueCount(str(entity), str(column), str(reason), int(str(count)))
            for entity, column, reason, count in issues
        ),
        replaced_versions=None
        if replaced is None
        else tuple(
            ReplacedVersions(str(entity), int(str(count)), int(str(differing)))
            for entity, count, differing in replaced
        ),
        rejected_values=None
        if rejected is None
        else tuple(
            RejectedValue(str(entity), str(column), str(value), int(str(n)), str(ok))
            for entity, column, value, n, ok in rejected
        ),
        unparsed_shares=None
        if unparsed is None
        else tuple(
            UnparsedShare(
                str(entity),
                str(column),
                int(str(non_empty)),
                int(str(count)),
                Decimal(str(share)),
                str(samples),
            )
            for entity, column, non_empty, count, share, samples in unparsed
        ),
    )


def collect_summary(
    database: Path, con: duckdb.DuckDBPyConnection | None = None
) -> WarehouseSummary:
    """Count relations and rows per layer, quarantine rows by reason, and the
    cost, field-issue and replaced-version figures of the marts that exist.

    Reads through ``con`` when given, else opens ``database`` read-only.
    """
    if con is not None:
        return _collect(con, database)
    with duckdb.connect(str(database), read_only=True) as own:
        return _collect(own, database)


def format_amount(value: Decimal | float | int | None) -> str:
    """A money amount with thousands separators and all its decimals."""
    if value is None:
        return "0"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, int):
        return f"{value:,}"
    return format(value, ",f")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def format_costs(
    label: str, costs: Sequence[CurrencyCost] | None, table: str
) -> list[str]:
    """``<label>: <currency> [<n> bills] <total>``, one line per currency."""
    if costs is None:
        return []
    if not costs:
        return [f"{label}: none ({MART_SCHEMA}.{table} is empty)"]
    lines = []
    for cost in costs:
        bills = "" if cost.bills is None else f"{_plural(cost.bills, 'bill')} "
        lines.append(f"{label}: {cost.currency} {bills}{format_amount(cost.amount)}")
    return lines


def format_field_issues(issues: Sequence[FieldIssueCount] | None) -> list[str]:
    if issues is None:
        return []
    total = sum(issue.rows for issue in issues)
    lines = [f"field issues (value set to null or its default): {total:,}"]
    if issues:
        width = max(len(f"{issue.entity}.{issue.column}") for issue in issues)
        for issue in issues:
            where = f"{issue.entity}.{issue.column}"
            lines.append(f"  {where:<{width}}  {issue.reason}: {issue.rows:,}")
    return lines


def _percent(share: Decimal | float) -> str:
    """A share as a percentage with at most one decimal (0.3 -> 30%)."""
    text = str((Decimal(str(share)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP))
    return (text[:-2] if text.endswith(".0") else text) + "%"


def format_unparsed_shares(shares: Sequence[UnparsedShare] | None) -> list[str]:
    """One line per column over the unparsed-share limit:
    ``documents.start_date: 12 of 40 non-empty values could not be parsed (30%):
    '13/01/2025', ...``."""
    if not shares:
        return []
    lines = ["columns over the unparsed-share limit (the build fails):"]
    for item in shares:
        samples = f": {item.samples}" if item.samples else ""
        lines.append(
            f"  {item.entity}.{item.column}: {item.unparsed:,} of "
            f"{item.non_empty:,} non-empty values could not be parsed "
            f"({_percent(item.share)}){samples}"
        )
    return lines


def format_rejected_values(
    values: Sequence[RejectedValue] | None,
    *,
    per_column: int | None = None,
    columns_shown: int | None = None,
) -> list[str]:
    """Per entity and column, the rejected values with their counts, then what
    the column accepts; ``per_column`` keeps the most frequent values only,
    ``columns_shown`` the first columns (a last line counts the others)."""
    if not values:
        return []
    columns: dict[tuple[str, str], list[RejectedValue]] = {}
    for value in values:
        columns.setdefault((value.entity, value.column), []).append(value)
    total = sum(value.rows for value in values)
    lines = [f"rejected values: {total:,}"]
    listed_columns = list(columns.items())
    hidden = 0
    if columns_shown is not None and len(listed_columns) > columns_shown:
        hidden = len(listed_columns) - columns_shown
        listed_columns = listed_columns[:columns_shown]
    for (entity, column), found in listed_columns:
        shown = found if per_column is None else found[:per_column]
        listed = ", ".join(f"'{value.value}' {value.rows:,}" for value in shown)
        if len(shown) < len(found):
            listed += f", {len(found) - len(shown):,} more"
        lines.extend(
            textwrap.wrap(
                f"{entity}.{column}: {listed}; accepted: {found[0].accepted}",
                width=COMPACT_WIDTH,
                initial_indent="  ",
                subsequent_indent="    ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    if hidden:
        lines.append(
            f"  ... and {_plural(hidden, 'more column')} "
            f"({MART_SCHEMA}.{REJECTED_VALUES_TABLE}, or run --verbose)"
        )
    return lines


def _differ(count: int) -> str:
    return f"{count:,} differ" + ("s" if count == 1 else "")


def format_replaced_versions(versions: Sequence[ReplacedVersions] | None) -> list[str]:
    if versions is None:
        return []
    total = sum(item.rows for item in versions)
    differing = sum(item.differing for item in versions)
    lines = [
        f"replaced record versions: {total:,} "
        f"({_differ(differing)} from the winning version)"
    ]
    if versions:
        width = max(len(item.entity) for item in versions)
        for item in versions:
            lines.append(
                f"  {item.entity:<{width}}  {item.rows:,} replaced, "
                f"{_differ(item.differing)}"
            )
    return lines


def format_summary(summary: WarehouseSummary) -> list[str]:
    """The summary as short plain-text lines."""
    lines = [f"rows per layer in {summary.database}:"]
    for layer in summary.layers():
        relations = f"{layer.relations:>3} relations"
        lines.append(f"  {layer.schema:<13} {relations} {layer.rows:>12,} rows")
    marts = summary.marts()
    if marts:
        width = max(len(item.name) for item in marts)
        lines.append("mart tables:")
        for relation in marts:
            rows = "?" if relation.rows is None else f"{relation.rows:,}"
            lines.append(
                f"  {relation.name:<{width}} {rows:>12} rows  ({relation.kind})"
            )
    if summary.quarantine is None:
        lines.append(f"quarantine: {MART_SCHEMA}.{QUARANTINE_TABLE} not built")
    elif not summary.quarantine:
        lines.append("quarantine: 0 rows")
    else:
        total = sum(group.rows for group in summary.quarantine)
        lines.append(f"quarantine: {total:,} rows")
        width = max(len(group.entity) for group in summary.quarantine)
        for group in summary.quarantine:
            lines.append(f"  {group.entity:<{width}}  {group.reason}: {group.rows:,}")
    lines.extend(format_field_issues(summary.field_issues))
    lines.extend(format_rejected_values(summary.rejected_values))
    lines.extend(format_unparsed_shares(summary.unparsed_shares))
    lines.extend(format_replaced_versions(summary.replaced_versions))
    lines.extend(
        format_costs(
            "attributed bill costs", summary.attributed_costs, ATTRIBUTED_COSTS_TABLE
        )
    )
    lines.extend(
        format_costs(
            "unattributed bill costs",
            summary.unattributed_costs,
            UNATTRIBUTED_COSTS_TABLE,
        )
    )
    return lines


COMPACT_WIDTH = 100
"""The width compact summary lines are wrapped at."""
COMPACT_COLUMNS = 4
"""The columns with rejected values the compact summary lists."""


def _wrapped(text: str) -> list[str]:
    """``text`` wrapped at ``COMPACT_WIDTH``, continuation lines indented."""
    return textwrap.wrap(
        text,
        width=COMPACT_WIDTH,
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _by_entity(counts: Iterable[tuple[str, int]]) -> str:
    """``entity n, ...``: the largest first."""
    totals: Counter[str] = Counter()
    for entity, rows in counts:
        totals[entity] += rows
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{entity} {rows:,}" for entity, rows in ranked)


def format_compact_summary(summary: WarehouseSummary) -> list[str]:
    """The summary's totals in a few lines: rows per layer, quarantine and field
    issues per entity, replaced versions, costs per currency; relations whose rows
    could not be counted are named."""
    layers = ", ".join(
        f"{layer.schema} {layer.rows:,} ({layer.relations})"
        for layer in summary.layers()
    )
    lines = [f"rows per layer (relations): {layers}"]
    uncounted = [f"{r.schema}.{r.name}" for r in summary.relations if r.rows is None]
    if uncounted:
        lines.extend(_wrapped("rows not counted (broken?): " + ", ".join(uncounted)))
    if summary.quarantine is None:
        lines.append(f"quarantine: {MART_SCHEMA}.{QUARANTINE_TABLE} not built")
    else:
        total = sum(group.rows for group in summary.quarantine)
        text = f"quarantine: {total:,} rows"
        if summary.quarantine:
            by_entity = _by_entity((g.entity, g.rows) for g in summary.quarantine)
            text += f" ({by_entity})"
        lines.extend(_wrapped(text))
    if summary.field_issues is not None:
        total = sum(issue.rows for issue in summary.field_issues)
        text = f"field issues (value set to null or its default): {total:,}"
        if summary.field_issues:
            by_entity = _by_entity((i.entity, i.rows) for i in summary.field_issues)
            text += f" ({by_entity})"
        lines.extend(_wrapped(text))
    lines.extend(
        format_rejected_values(
            summary.rejected_values, per_column=5, columns_shown=COMPACT_COLUMNS
        )
    )
    lines.extend(format_unparsed_shares(summary.unparsed_shares))
    lines.extend(format_replaced_versions(summary.replaced_versions)[:1])
    lines.extend(
        format_compact_costs(
            "attributed bill costs", summary.attributed_costs, ATTRIBUTED_COSTS_TABLE
        )
    )
    lines.extend(
        format_compact_costs(
            "unattributed bill costs",
            summary.unattributed_costs,
            UNATTRIBUTED_COSTS_TABLE,
        )
    )
    return lines


def format_compact_costs(
    label: str, costs: Sequence[CurrencyCost] | None, table: str
) -> list[str]:
    """``<label>: <currency> [<n> bills] <total>; ...``, every currency on one
    wrapped line, each total to its currency's minor unit (exact figures:
    ``run --verbose`` and the marts)."""
    if costs is None:
        return []
    if not costs:
        return [f"{label}: none ({MART_SCHEMA}.{table} is empty)"]
    parts = []
    for cost in costs:
        bills = "" if cost.bills is None else f"{_plural(cost.bills, 'bill')} "
        amount = money_text(cost.amount, cost.currency)
        parts.append(f"{cost.currency} {bills}{amount}")
    return _wrapped(f"{label}: " + "; ".join(parts))
