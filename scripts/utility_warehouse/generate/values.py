"""Values as the generator writes them: the row type, JSON numbers, blanks,
amounts of money as text and identifiers as the warehouse normalizes them."""

from __future__ import annotations

import json
import re

Value = str | list[dict[str, str]] | dict[str, str] | None
"""A value as written: text, a JSON array (extracted identifiers) or a JSON
object (a key column holding an object, planted in JSON lines files only)."""
Row = dict[str, Value]


class JsonNumber(str):
    """Number text that a JSON lines file writes as a JSON number, not a string.

    Other formats write the text. A folder with decimal commas writes it as
    text too (a JSON number has a decimal point).
    """

    __slots__ = ()


def money_text(cents: int, *, grouped: bool = False) -> str:
    """An amount of cents as a decimal with two places, maybe with thousands."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    number = f"{whole:,}" if grouped else str(whole)
    return f"{sign}{number}.{part:02d}"


def short_money_text(cents: int) -> str:
    """An amount of cents without trailing zeros: 700 -> 7, 1250 -> 12.5."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    if part == 0:
        return f"{sign}{whole}"
    if part % 10 == 0:
        return f"{sign}{whole}.{part // 10}"
    return f"{sign}{whole}.{part:02d}"


def normalize_type(text: str) -> str:
    """An identifier type as the warehouse compares it (like an enumeration)."""
    return re.sub(r"[\s\-]+", "_", text.strip()).upper()


def normalize_value(text: str) -> str:
    """An identifier value as the warehouse compares it."""
    return re.sub(r"[\s\-._/]", "", text).upper()


def _is_blank(value: Value) -> bool:
    """Whether a value is empty as the warehouse reads it (null or blank)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def group_thousands(digits: str, separator: str) -> str:
    """Digits in groups of three from the right: 1234567 -> 1,234,567."""
    head = len(digits) % 3 or 3
    groups = [digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))]
    return separator.join(groups)


def indian_grouping(digits: str) -> str:
    """Digits grouped the Indian way: 12345678 -> 1,23,45,678."""
    if len(digits) <= 3:
        return digits
    head, last = digits[:-3], digits[-3:]
    pairs: list[str] = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *pairs, last])


_TYPOGRAPHIC_APOSTROPHE = "\u2019"


def amount_text(cents: int, style: str) -> str:
    """An amount of cents in a written style, with a decimal point:
    ``plain`` 1234.50, ``grouped`` 1,234.50, ``short`` 1234.5, ``whole``
    1,234 (whole units), ``indian`` 1,23,456.00, ``apostrophe`` 1'234.50,
    ``typographic`` the same with a right single quotation mark."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    if style == "plain":
        return money_text(cents)
    if style == "grouped":
        return money_text(cents, grouped=True)
    if style == "short":
        return short_money_text(cents)
    if style == "whole":
        return f"{sign}{group_thousands(str(whole), ',')}"
    if style == "indian":
        return f"{sign}{indian_grouping(str(whole))}.{part:02d}"
    if style in ("apostrophe", "typographic"):
        mark = "'" if style == "apostrophe" else _TYPOGRAPHIC_APOSTROPHE
        return f"{sign}{group_thousands(str(whole), mark)}.{part:02d}"
    raise ValueError(f"unknown amount style {style!r}")
