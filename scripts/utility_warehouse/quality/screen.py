"""The quality findings on screen (``--format table``) and as JSON.

The screen fits a 100-column terminal. By default it is a summary: the count
of every kind of finding, then the first few rows of each list, each list
ending in how many more there are; ``--all`` shows every row. Money is shown to
its currency's minor unit (VND and JPY without decimals), usage rounded by
size. JSON keeps every value exact: decimals as strings with all their digits.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from utility_warehouse.quality.findings import (
    REVIEW_FINDING,
    REVIEW_STATUSES,
    TABLE_WIDTH,
    Report,
    Row,
    Value,
)
from utility_warehouse.reading import json_value, money_text, month_runs, usage_text
from utility_warehouse.safe_output import (
    display_width,
    json_printable,
    pad,
    printable,
    shorten,
)

MORE_HINT = "--all for every row"


def format_json(report: Report) -> str:
    """One JSON object with every section (control characters as escapes):
    decimals as strings with every digit, dates as ISO strings."""
    return (
        json_printable(json.dumps(json_value(report), indent=2, ensure_ascii=False))
        + "\n"
    )


def _count(value: Value) -> str:
    return "" if value is None else f"{int(value):,}"


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _unit(row: Row) -> str:
    """A count's unit; an amount of unattributed bills without one is in no
    currency (a bill whose currency could not be told)."""
    if row["unit"] is None and row["amount"] is not None:
        return "no currency" if row["finding"] == "unattributed_bill" else "no unit"
    return _text(row["unit"])


def _amount(row: Row) -> str:
    """Money (unattributed bills) to its currency's minor unit, else usage."""
    if row["finding"] == "unattributed_bill":
        return money_text(row["amount"], row["unit"])
    return usage_text(row["amount"])


def _percent(value: Value) -> str:
    return "" if value is None else f"{Decimal(value) * 100:+,.1f}%"


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` display columns: as textwrap
    wraps it, unless wide characters (two columns each) make a line too wide;
    then word by word, a word wider than a line cut where it must."""
    pieces = textwrap.wrap(text, width) or [""]
    if all(display_width(piece) <= width for piece in pieces):
        return pieces
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if display_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if display_width(line + char) > width and line:
                lines.append(line)
                line = ""
            line += char
    return [*lines, line] if line or not lines else lines


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[bool],
    *,
    wrap: int | None = None,
    width: int = TABLE_WIDTH,
    indent: str = "  ",
    rule: bool = True,
) -> list[str]:
    """Aligned columns within ``width`` characters: the ``wrap`` column (an
    index) wraps onto further lines, then the widest text columns are cut
    (ending in ``~``) until the table fits. Control characters in cells are
    shown visibly (``\\x1b``)."""
    gap = 2
    rows = [[printable(value) for value in row] for row in rows]
    widths = [
        max([display_width(header), *(display_width(row[i]) for row in rows)])
        for i, header in enumerate(headers)
    ]

    def total() -> int:
        return len(indent) + sum(widths) + gap * (len(widths) - 1)

    if wrap is not None and total() > width:
        others = total() - widths[wrap]
        widths[wrap] = max(width - others, len(headers[wrap]), 16)
    while total() > width:
        candidates = [
            i
            for i in range(len(widths))
            if not right[i] and i != wrap and widths[i] > 8
        ]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] = max(
            widths[widest] - (total() - width), 8, len(headers[widest])
        )

    def line(values: Sequence[str]) -> str:
        cells = [
            pad(value, size, is_right)
            for value, size, is_right in zip(values, widths, right, strict=True)
        ]
        return (indent + (" " * gap).join(cells)).rstrip()

    out = [line(headers)]
    if rule:
        out.append(line(["-" * size for size in widths]))
    for row in rows:
        cells = [
            shorten(value, widths[i]) if i != wrap else value
            for i, value in enumerate(row)
        ]
        if wrap is None:
            out.append(line(cells))
            continue
        pieces = _wrapped(cells[wrap], widths[wrap])
        out.append(line([*cells[:wrap], pieces[0], *cells[wrap + 1 :]]))
        for piece in pieces[1:]:
            blank = ["" for _ in cells]
            blank[wrap] = piece
            out.append(line(blank))
    return out


def _not_built(section: Report) -> list[str]:
    names = ", ".join(section["missing_tables"])
    return [
        f"  not built ({names} missing: the warehouse predates it; "
        "rebuild with pipeline.py run)"
    ]


# The findings with a list on the screen: a summary counts them in the list's
# title instead of the findings table.
LISTED: frozenset[str] = frozenset(
    (
        "energy_star_not_ready",
        "duplicate_bill",
        "duplicate_meter",
        "usage_anomaly",
        "field_issue",
        "quarantined",
    )
)
_PERIOD_NAMES: dict[str, str] = {
    "gap": "gaps",
    "overlap": "overlaps",
    "short_period": "short",
    "long_period": "long",
    "future_period": "future",
}


def _listed(finding: str) -> bool:
    return finding in LISTED or finding.startswith("bill_period_")


def _review_row(row: Row) -> bool:
    """A counts row of the review queue (shown in its own table)."""
    finding = str(row["finding"])
    return finding == REVIEW_FINDING or finding.startswith(f"{REVIEW_FINDING}.")


def _where_text(row: Row) -> str:
    """``company Q1, site QS1, meter QE1, bill B-1, 2024-06``: what a finding
    names, where set."""
    parts = [
        f"{noun} {_text(row[key])}"
        for key, noun in (
            ("company_id", "company"),
            ("site_id", "site"),
            ("meter_id", "meter"),
            ("document_id", "bill"),
        )
        if row.get(key) is not None
    ]
    if row.get("month"):
        parts.append(_text(row["month"]))
    return ", ".join(parts)


def _review_lines(report: Report, summary: bool = False) -> list[str]:
    """The review queue's counts: one line per severity and kind with a
    column per status (a blank: none), or "not built"; a ``summary`` is one
    line of totals per status."""
    rows = [row for row in report["counts"] if _review_row(row)]
    if rows and not rows[0]["built"]:
        return _not_built(report["findings"])
    if not rows:
        return ["  none"]
    if summary:
        by_status: dict[str, int] = {}
        for row in rows:
            status = str(row["status"]).lower()
            by_status[status] = by_status.get(status, 0) + int(row["count"])
        kinds = len({row["kind"] for row in rows})
        return [
            f"  {sum(by_status.values()):,} findings of {_plural(kinds, 'kind')}: "
            + ", ".join(f"{count:,} {status}" for status, count in by_status.items())
            + f" ({MORE_HINT}: per severity and kind)"
        ]
    table: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        key = (_text(row["severity"]), _text(row["kind"]))
        table.setdefault(key, {})[str(row["status"])] = int(row["count"])
    statuses = [
        *REVIEW_STATUSES,
        *sorted(
            {s for counts in table.values() for s in counts} - set(REVIEW_STATUSES)
        ),
    ]
    return render_table(
        ["severity", "kind", *(status.lower() for status in statuses)],
        [
            [severity, kind, *(_count(counts.get(status)) for status in statuses)]
            for (severity, kind), counts in table.items()
        ],
        [False, False, *(True for _ in statuses)],
    )


def _findings(report: Report, summary: bool = False) -> list[list[str]]:
    """The count rows (a ``summary`` leaves out those with a list below); a
    finding with several units or currencies names itself on its first row
    only."""
    cells = []
    previous = None
    for row in report["counts"]:
        if _review_row(row) or (summary and _listed(row["finding"])):
            continue
        label = "" if row["finding"] == previous else row["label"]
        previous = row["finding"]
        cells.append(
            [
                label,
                _count(row["count"]) if row["built"] else "not built",
                _amount(row),
                _unit(row),
            ]
        )
    return cells


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _kinds(section: Report, noun: str) -> str:
    """`` kinds, 358 values`` after a ledger's count of kinds."""
    kinds = len(section["rows"])
    return f" {'kind' if kinds == 1 else 'kinds'}, " + _plural(
        int(section["records"] or 0), noun
    )


def format_table(
    report: Report, rows: int | None = None, *, summary: bool = False
) -> str:
    """The findings for a terminal of 100 columns: every count, then the first
    ``rows`` rows of each list (None: every row the report holds), each list
    ending in how many more there are. A ``summary`` is denser: the findings
    with a list are counted in its title only, no rule under the lists'
    headers, no blank line between the lists."""
    filters = report["filters"]
    filtered = bool(filters["company"] or filters["sites"])
    lines = [f"Data quality of {printable(report['database'])}"]
    window = report["window"]
    lines.append(
        f"as of {report['as_of_date']} ({report['as_of_source']}); "
        f"ENERGY STAR window {window['from']}..{window['to']}"
    )
    scope = []
    if filters["company"]:
        scope.append(f"company {filters['company']}")
    if filters["sites"]:
        scope.append(f"site(s) {', '.join(filters['sites'])}")
    lines.append(
        "filters: "
        + (printable("; ".join(scope)) if scope else "none (the whole warehouse)")
    )
    cut = False

    def title(text: str) -> None:
        lines.extend(["", f"== {text} =="])

    def list_title(text: str) -> None:
        if summary and lines[-1].startswith("  "):
            lines.append(f"== {text} ==")
        else:
            title(text)

    counts = {
        str(row["finding"]): row["count"]
        for row in report["counts"]
        if row["built"] and row["unit"] is None
    }

    def period_counts(gaps: bool) -> str:
        """``: 2 gaps, 3 overlaps`` (``gaps``), else the other bill period
        issues, per type."""
        found = [
            (key.removeprefix("bill_period_"), count)
            for key, count in counts.items()
            if key.startswith("bill_period_")
        ]
        text = ", ".join(
            f"{count:,} {_PERIOD_NAMES.get(issue, issue)}"
            for issue, count in found
            if count and (issue in ("gap", "overlap")) == gaps
        )
        return f": {text}" if text else ""

    queue = report["findings"]
    status = str(queue.get("status") or "open")
    chosen = [] if status == "all" else [status]
    if queue.get("severity"):
        chosen.append(str(queue["severity"]))
    queue_title = (
        f"Review queue: {' '.join(chosen) or 'all'} findings"
        + (f" of kind {', '.join(queue['kinds'])}" if queue.get("kinds") else "")
        + ("" if queue.get("severity") else ", action first")
        + (", the first of each kind" if queue.get("one_per_kind") else "")
    )
    if queue["built"]:
        queue_title += f" ({int(queue['total'] or 0):,})"
    title(queue_title)
    if not queue["built"]:
        lines.extend(_not_built(queue))
    elif not queue["rows"]:
        lines.append("  none")
    else:
        found = list(queue["rows"])
        one_per_kind = bool(queue.get("one_per_kind"))
        shown = found if rows is None or one_per_kind else found[:rows]
        with_status = status == "all"
        table = render_table(
            [
                "finding_id",
                "severity",
                "kind",
                *(["status"] if with_status else []),
                "detail; where" if one_per_kind else "where and detail",
            ],
            [
                [
                    _text(row["finding_id"]),
                    _text(row["severity"]),
                    _text(row["kind"]),
                    *([_text(row["status"])] if with_status else []),
                    "; ".join(
                        part
                        for part in (
                            (_text(row["detail"]), _where_text(row))
                            if one_per_kind
                            else (_where_text(row), _text(row["detail"]))
                        )
                        if part
                    ),
                ]
                for row in shown
            ],
            [False] * (5 if with_status else 4),
            wrap=None if one_per_kind else (4 if with_status else 3),
            rule=not summary,
        )
        lines.extend(table)  # one of each kind: a line each, cut to the screen
        total = int(queue["total"] or 0)
        if len(shown) < total:
            cut = True
            lines.append(f"  \u2026 and {total - len(shown):,} more")

    title(
        "Findings" + (" (each list below is counted in its title)" if summary else "")
    )
    lines.extend(
        render_table(
            ["finding", "count", "amount", "unit"],
            _findings(report, summary),
            [False, True, True, False],
        )
    )
    if filtered and filters["sites"]:
        lines.append(
            "  unattributed bills have no site: shown for the companies of the "
            "selected sites"
        )
    list_title("Review queue by severity, kind and status")
    lines.extend(_review_lines(report, summary))

    def section(
        key: str,
        heading: str,
        headers: Sequence[str],
        right: Sequence[bool],
        cells: Any,
        *,
        wrap: int | None = None,
        note: str | None = None,
        order: Any = None,
        detail: str = "",
    ) -> None:
        nonlocal cut
        data = report[key]
        found = list(data["rows"])
        total = data["total"] if data["total"] is not None else len(found)
        list_title(heading + (f" ({total:,}{detail})" if data["built"] else ""))
        if note:
            lines.append(f"  {note}")
        if not data["built"]:
            lines.extend(_not_built(data))
            return
        if not found:
            lines.append("  none")
            return
        if order is not None:
            found.sort(key=order)
        shown = found if rows is None else found[:rows]
        lines.extend(
            render_table(
                headers,
                [cells(row) for row in shown],
                right,
                wrap=wrap,
                rule=not summary,
            )
        )
        if len(shown) < total:
            cut = True
            lines.append(f"  \u2026 and {total - len(shown):,} more")

    section(
        "energy_star_not_ready",
        f"Sites not ENERGY STAR ready: months not complete in "
        f"{window['from']}..{window['to']}",
        ["site_id", "site_name", "commodity", "latest_complete", "missing",
         "missing_months"],
        [False, False, False, False, True, False],
        lambda row: [
            _text(row["site_id"]),
            _text(row["site_name"]),
            _text(row["commodity"]),
            _text(row["latest_complete_month"]) or "never",
            str(row["missing_month_count"]),
            month_runs(row["missing_months"]),
        ],
        wrap=5,
    )  # fmt: skip
    period_headers = ["issue", "days", "meter_id", "site_id", "commodity",
                      "document_id", "from", "to"]  # fmt: skip
    period_right = [False, True, False, False, False, False, False, False]

    def period_cells(row: Row) -> list[str]:
        return [
            _text(row["issue_type"]),
            _count(row["issue_days"]),
            _text(row["meter_id"]),
            _text(row["site_id"]),
            _text(row["commodity"]),
            _text(row["document_id"]),
            _text(row["period_start"]),
            _text(row["period_end"]),
        ]

    section(
        "gaps_and_overlaps",
        "Gaps and overlaps, most days first",
        period_headers,
        period_right,
        period_cells,
        detail=period_counts(gaps=True),
    )
    section(
        "other_period_issues",
        "Short, long and future bill periods",
        period_headers,
        period_right,
        period_cells,
        detail=period_counts(gaps=False),
    )
    section(
        "duplicate_bills",
        "Duplicate bill candidates, latest first",
        ["document_id", "duplicate_of", "account_id", "start_date", "bill_date",
         "current_charges", "currency"],
        [False, False, False, False, False, True, False],
        lambda row: [
            _text(row["document_id"]),
            _text(row["duplicate_of_document_id"]),
            _text(row["account_id"]),
            _text(row["start_date"]),
            _text(row["bill_date"]),
            money_text(row["current_charges"], row["currency"]),
            _text(row["currency"]),
        ],
    )  # fmt: skip
    section(
        "duplicate_meters",
        "Duplicate meter candidates",
        ["meter_id", "site_id", "duplicate_of", "its_site_id", "company_id",
         "shared_identifiers"],
        [False] * 6,
        lambda row: [
            _text(row["meter_id"]),
            _text(row["site_id"]),
            _text(row["duplicate_of_meter_id"]),
            _text(row["duplicate_of_site_id"]),
            _text(row["company_id"]),
            ", ".join(
                f"{item['identifier_type']} {item['normalized_value']}"
                for item in row["identifiers"]
            ),
        ],
        wrap=5,
    )  # fmt: skip
    section(
        "usage_anomalies",
        "Usage anomalies year on year, largest change first",
        ["meter_id", "site_id", "commodity", "month", "usage", "prior_year",
         "change", "unit"],
        [False, False, False, False, True, True, True, False],
        lambda row: [
            _text(row["meter_id"]),
            _text(row["site_id"]),
            _text(row["commodity"]),
            _text(row["month"]),
            usage_text(row["usage"]),
            usage_text(row["usage_prior_year"]),
            _percent(row["change_ratio"]),
            _text(row["usage_unit"]),
        ],
    )  # fmt: skip
    warehouse_note = (
        "whole warehouse: these records have no company or site, so "
        "--company/--site do not apply"
        if filtered
        else None
    )
    section(
        "field_issues",
        "Field issues (value nulled or defaulted) by entity, column, reason",
        ["entity", "column", "reason", "count"],
        [False, False, False, True],
        lambda row: [
            _text(row["entity"]),
            _text(row["column_name"]),
            _text(row["reason"]),
            _count(row["count"]),
        ],
        note=warehouse_note,
        order=lambda row: -int(row["count"]),
        detail=_kinds(report["field_issues"], "value"),
    )
    section(
        "quarantine",
        "Quarantined records by entity and reason",
        ["entity", "reason", "count"],
        [False, False, True],
        lambda row: [_text(row["entity"]), _text(row["reason"]), _count(row["count"])],
        note=warehouse_note,
        order=lambda row: -int(row["count"]),
        detail=_kinds(report["quarantine"], "record"),
    )
    if cut:
        lines.extend(["", f"Lists cut short: {MORE_HINT} (--limit N for N per list)."])
    return "\n".join(lines) + "\n"
