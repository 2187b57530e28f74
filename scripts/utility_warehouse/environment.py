"""Settings the pipeline reads from the environment, checked before any work.

``UTILITY_WAREHOUSE_MEMORY_LIMIT`` is DuckDB's memory limit for the load and the
build (``profiles.yml`` reads the same variable); ``UTILITY_WAREHOUSE_THREADS``
is dbt's thread count (``profiles.yml``; ``run --threads`` overrides it). A value
DuckDB or dbt would refuse only after the load, or turn into something else (the
profile's ``| int`` reads ``abc`` as 0), stops the command at once with exit 2,
naming the variable and the form it takes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal

MEMORY_LIMIT_ENV_VAR = "UTILITY_WAREHOUSE_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "5GB"
"""DuckDB's memory limit; 5M usage rows build within it on 2 threads (README)."""
THREADS_ENV_VAR = "UTILITY_WAREHOUSE_THREADS"
DEFAULT_THREADS = 2
MIN_MEMORY_BYTES = 100 * 1000**2
"""Below 100MB DuckDB cannot load or build anything."""

# What DuckDB's memory_limit accepts: a number and a unit (1000- or 1024-based),
# or a share of the machine's memory.
_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|%)\s*", re.IGNORECASE)
_UNIT_BYTES = {
    "k": 1000,
    "m": 1000**2,
    "g": 1000**3,
    "t": 1000**4,
    "ki": 1024,
    "mi": 1024**2,
    "gi": 1024**3,
    "ti": 1024**4,
}
_WHOLE_NUMBER = re.compile(r"\s*\+?\d+\s*")


def memory_limit(environ: Mapping[str, str] | None = None) -> str:
    """DuckDB's memory limit for the load and the build (``profiles.yml`` agrees)."""
    source = os.environ if environ is None else environ
    return source.get(MEMORY_LIMIT_ENV_VAR, DEFAULT_MEMORY_LIMIT)


def _memory_is_valid(text: str) -> bool:
    match = _MEMORY.fullmatch(text)
    if match is None:
        return False
    amount = Decimal(match.group(1))
    unit = match.group(2).lower().removesuffix("b")
    if unit == "%":
        return 0 < amount <= 100
    return amount * _UNIT_BYTES[unit] >= MIN_MEMORY_BYTES


def memory_limit_problem(environ: Mapping[str, str]) -> str | None:
    """Why the memory limit in ``environ`` is refused (None: it is fine or unset)."""
    if MEMORY_LIMIT_ENV_VAR not in environ:
        return None
    value = environ[MEMORY_LIMIT_ENV_VAR]
    if _memory_is_valid(value):
        return None
    return (
        f"{MEMORY_LIMIT_ENV_VAR}={value!r} is not a memory limit: give a number "
        "with a unit, e.g. 5GB, 512MB or 80% (of the machine's memory), at least "
        f"100MB; unset it for the default {DEFAULT_MEMORY_LIMIT}"
    )


def threads_problem(environ: Mapping[str, str]) -> str | None:
    """Why the thread count in ``environ`` is refused (None: fine or unset)."""
    if THREADS_ENV_VAR not in environ:
        return None
    value = environ[THREADS_ENV_VAR]
    if _WHOLE_NUMBER.fullmatch(value) and int(value) >= 1:
        return None
    return (
        f"{THREADS_ENV_VAR}={value!r} is not a thread count: give a whole number "
        "of at least 1 (e.g. 2) or pass --threads N; unset it for the default "
        f"{DEFAULT_THREADS}"
    )


def setting_problems(
    *, threads: bool, environ: Mapping[str, str] | None = None
) -> list[str]:
    """The settings in the environment that would fail a command, one line each.

    ``threads``: the command runs dbt and the thread count comes from the
    environment (no ``--threads``).
    """
    source = os.environ if environ is None else environ
    problems = [memory_limit_problem(source)]
    if threads:
        problems.append(threads_problem(source))
    return [problem for problem in problems if problem is not None]
