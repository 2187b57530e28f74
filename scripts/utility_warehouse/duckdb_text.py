"""Small helpers for SQL text given to DuckDB: quoting, and errors on one line."""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def error_line(error: BaseException) -> str:
    """A DuckDB error message on one line, without its advice section."""
    lines: list[str] = []
    for line in str(error).splitlines():
        if line.strip().lower().startswith("possible"):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or type(error).__name__


def number_text(expression: str, decimal_separator: str) -> str:
    """SQL: the text of a typed number (``expression``, written with a point)
    in a folder whose decimal separator is ``decimal_separator``."""
    if decimal_separator == ",":
        return f"replace({expression}, '.', ',')"
    return expression
