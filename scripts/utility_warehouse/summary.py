"""Count what a pipeline run left in the warehouse, for the end-of-run summary.

Opens the DuckDB file read-only, so call it only after dbt has closed the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from utility_warehouse import contract

LAYERS: tuple[str, ...] = (contract.RAW_SCHEMA, "staging", "intermediate", "marts")
MART_SCHEMA = "marts"
QUARANTINE_TABLE = "dq_quarantine"

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
class WarehouseSummary:
    database: Path
    relations: tuple[RelationCount, ...]
    quarantine: tuple[QuarantineCount, ...] | None  # None: no quarantine table

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


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def collect_summary(database: Path) -> WarehouseSummary:
    """Count relations and rows per layer and quarantine rows by reason."""
    with duckdb.connect(str(database), read_only=True) as con:
        placeholders = ", ".join("?" for _ in LAYERS)
        rows = con.execute(
            _RELATIONS_SQL.format(placeholders=placeholders),
            [*LAYERS, contract.RAW_SCHEMA],
        ).fetchall()
        relations: list[RelationCount] = []
        for schema, name, table_type in rows:
            kind = "view" if str(table_type).upper() == "VIEW" else "table"
            relation = f"{_quote(str(schema))}.{_quote(str(name))}"
            try:
                counted = con.execute(f"select count(*) from {relation}").fetchone()
                count: int | None = int(counted[0]) if counted else 0
            except duckdb.Error:
                count = None
            relations.append(RelationCount(str(schema), str(name), kind, count))
        quarantine: tuple[QuarantineCount, ...] | None = None
        if any(
            item.schema == MART_SCHEMA and item.name == QUARANTINE_TABLE
            for item in relations
        ):
            table = f"{_quote(MART_SCHEMA)}.{_quote(QUARANTINE_TABLE)}"
            try:
                grouped = con.execute(_QUARANTINE_SQL.format(table=table)).fetchall()
                quarantine = tuple(
                    QuarantineCount(str(entity), str(reason), int(count))
                    for entity, reason, count in grouped
                )
            except duckdb.Error:
                quarantine = None
    return WarehouseSummary(Path(database), tuple(relations), quarantine)


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
    return lines
