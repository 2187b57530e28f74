"""Write the seed ``seeds/emission_factors.csv`` from the published values.

The input, ``docs/factors/published_emission_factors.csv``, holds one row per
seed row: each gas's value and unit exactly as the publication prints it, the
publication, edition, table and URL, and the copy that was read. This module
turns the values into kilograms of the gas per kWh with exact decimal
arithmetic (no floats) and writes the seed, each row with its source and the
conversion applied in words and numbers:

* ``lb/MWh``: x 0.45359237 (kg per lb, exact by definition) / 1000 (kWh per MWh);
  ``lb/GWh``: x 0.45359237 / 1,000,000.
* ``kg/mmBtu``: / 293.0710701722... (kWh per mmBtu: 10^6 Btu x 1055.05585262 J
  per International Table Btu / 3,600,000 J per kWh); ``g/mmBtu``: / 1000 first.
  This is the Btu of the site-energy conversion (3.412141633 kBtu per kWh).
* ``kg CO2e/kWh``: / the GWP the publication itself used for that gas (a
  publication that prints each gas as CO2e); ``kg/kWh``: as published.

A converted value is written with at most 15 significant digits (rounded half to
even; values from lb/MWh are exact at that precision). Checks before writing:
known commodity and method, one row per (region, commodity, year, method), no
negative value, a GWP exactly where the unit is CO2e, and, where the input names
a second publication of the same CO2 rate (``co2_check_value``), the CO2 value
rounded half up to that value's decimals equals it.

    python -m utility_warehouse.emission_factor_seed            # write the seed
    python -m utility_warehouse.emission_factor_seed --check    # exit 1 if stale

See docs/factors.md for the sources, and what was left out and why.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PUBLISHED_CSV = PROJECT_ROOT / "docs" / "factors" / "published_emission_factors.csv"
SEED_CSV = PROJECT_ROOT / "seeds" / "emission_factors.csv"

KG_PER_LB = Decimal("0.45359237")
JOULES_PER_BTU = Decimal("1055.05585262")
JOULES_PER_KWH = Decimal(3_600_000)
SIGNIFICANT_DIGITS = 15
# Room for the exact products and for quotients well beyond 15 digits.
_WORKING = Context(prec=50)
KWH_PER_MMBTU = _WORKING.divide(
    _WORKING.multiply(Decimal(1_000_000), JOULES_PER_BTU), JOULES_PER_KWH
)

GASES = ("co2", "ch4", "n2o")
KEY_COLUMNS = ("region", "commodity", "year", "method")
SEED_COLUMNS = (
    *KEY_COLUMNS,
    "co2_kg_per_kwh",
    "ch4_kg_per_kwh",
    "n2o_kg_per_kwh",
    "source",
    "conversion",
)
PUBLISHED_COLUMNS = (
    *KEY_COLUMNS,
    "co2_value",
    "co2_unit",
    "ch4_value",
    "ch4_unit",
    "n2o_value",
    "n2o_unit",
    "ch4_gwp",
    "n2o_gwp",
    "co2_check_value",
    "co2_check_source",
    "publication",
    "edition",
    "table",
    "url",
    "read_from",
    "note",
)
COMMODITIES = frozenset(
    {
        "ELECTRICITY",
        "GAS",
        "STEAM",
        "FUEL_OIL",
        "PROPANE",
        "DISTRICT_HEATING",
        "DISTRICT_COOLING",
    }
)
METHODS = frozenset({"location", "residual_mix"})
CO2E_UNIT = "kg CO2e/kWh"
# The conversion of each published unit to kg per kWh, in words.
UNIT_CONVERSIONS = {
    "lb/MWh": "x 0.45359237 kg per lb / 1000 kWh per MWh",
    "lb/GWh": "x 0.45359237 kg per lb / 1000000 kWh per GWh",
    "kg/mmBtu": "/ {kwh_per_mmbtu} kWh per mmBtu",
    "g/mmBtu": "/ 1000 g per kg / {kwh_per_mmbtu} kWh per mmBtu",
    "kg/kWh": "as published",
    CO2E_UNIT: "/ GWP {gwp} (as the publication uses)",
}
MMBTU_NOTE = (
    "1 mmBtu = 10^6 Btu x 1055.05585262 J per Btu (International Table) "
    "/ 3600000 J per kWh"
)

Row = Mapping[str, str]


class PublishedValueError(ValueError):
    """A row of the published values that cannot become a seed row."""


def read_published(path: Path = PUBLISHED_CSV) -> list[dict[str, str]]:
    """The rows of the published-values file, checked for its columns."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != PUBLISHED_COLUMNS:
            raise PublishedValueError(
                f"{path}: columns {reader.fieldnames} are not {list(PUBLISHED_COLUMNS)}"
            )
        return [dict(row) for row in reader]


def to_kg_per_kwh(value: str, unit: str, gwp: str = "") -> Decimal:
    """The published value in kg of the gas per kWh, exact to 50 digits."""
    number = Decimal(value)
    if unit == "lb/MWh":
        return _WORKING.divide(_WORKING.multiply(number, KG_PER_LB), 1000)
    if unit == "lb/GWh":
        return _WORKING.divide(_WORKING.multiply(number, KG_PER_LB), 1_000_000)
    if unit == "kg/mmBtu":
        return _WORKING.divide(number, KWH_PER_MMBTU)
    if unit == "g/mmBtu":
        return _WORKING.divide(_WORKING.divide(number, 1000), KWH_PER_MMBTU)
    if unit == "kg/kWh":
        return number
    if unit == CO2E_UNIT:
        return _WORKING.divide(number, Decimal(gwp or "1"))
    raise PublishedValueError(f"unknown unit {unit!r}")


def seed_number(value: Decimal) -> str:
    """A value as the seed writes it: at most 15 significant digits (half to
    even), plain notation, no trailing zeros."""
    with localcontext() as context:
        context.prec = SIGNIFICANT_DIGITS
        context.rounding = ROUND_HALF_EVEN
        rounded = +value
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _is_exact(value: Decimal) -> bool:
    return Decimal(seed_number(value)) == value


def _check_row(row: Row) -> None:
    where = "/".join(row[column] for column in KEY_COLUMNS)
    if row["commodity"] not in COMMODITIES:
        raise PublishedValueError(f"{where}: unknown commodity {row['commodity']!r}")
    if row["method"] not in METHODS:
        raise PublishedValueError(f"{where}: unknown method {row['method']!r}")
    for gas in GASES:
        if Decimal(row[f"{gas}_value"]) < 0:
            raise PublishedValueError(f"{where}: negative {gas} value")
        gwp = row.get(f"{gas}_gwp", "")
        if (row[f"{gas}_unit"] == CO2E_UNIT) != bool(gwp) and gas != "co2":
            raise PublishedValueError(
                f"{where}: {gas} needs a GWP exactly when published as CO2e"
            )
    check = row["co2_check_value"]
    if check:
        # The check value's own exponent: 1052.1 -> Decimal("0.1").
        co2 = Decimal(row["co2_value"]).quantize(Decimal(check), rounding=ROUND_HALF_UP)
        if co2 != Decimal(check):
            raise PublishedValueError(
                f"{where}: CO2 {row['co2_value']} does not round to {check} "
                f"({row['co2_check_source']})"
            )


def source_text(row: Row) -> str:
    """Publication; edition; table; URL."""
    return "; ".join(
        row[column] for column in ("publication", "edition", "table", "url")
    )


def conversion_text(row: Row, converted: Mapping[str, Decimal]) -> str:
    """The conversion in words and numbers: the published values, grouped by unit
    (and GWP), what each group was multiplied or divided by, and the rounding."""
    groups: dict[tuple[str, str], list[str]] = {}
    for gas in GASES:
        unit = row[f"{gas}_unit"]
        gwp = (row.get(f"{gas}_gwp", "") or "1") if unit == CO2E_UNIT else ""
        groups.setdefault((unit, gwp), []).append(
            f"{gas.upper()} {row[f'{gas}_value']}"
        )
    parts = []
    for (unit, gwp), values in groups.items():
        how = UNIT_CONVERSIONS[unit].format(
            kwh_per_mmbtu=seed_number(KWH_PER_MMBTU), gwp=gwp
        )
        each = ", each" if len(values) > 1 else ""
        parts.append(f"{', '.join(values)} {unit}{each} {how}")
    text = "; ".join(parts)
    if any("mmBtu" in unit for unit, _ in groups):
        text += f" ({MMBTU_NOTE})"
    if all(_is_exact(value) for value in converted.values()):
        return text + "; exact"
    return text + f"; rounded half to even to {SIGNIFICANT_DIGITS} significant digits"


def convert_rows(rows: Iterable[Row]) -> list[dict[str, str]]:
    """The seed rows for the published rows, in the same order."""
    seen: set[tuple[str, ...]] = set()
    seed: list[dict[str, str]] = []
    for row in rows:
        _check_row(row)
        key = tuple(row[column] for column in KEY_COLUMNS)
        if key in seen:
            raise PublishedValueError(f"{'/'.join(key)}: more than one row")
        seen.add(key)
        converted = {
            gas: to_kg_per_kwh(
                row[f"{gas}_value"], row[f"{gas}_unit"], row.get(f"{gas}_gwp", "")
            )
            for gas in GASES
        }
        seed.append(
            {
                **{column: row[column] for column in KEY_COLUMNS},
                **{f"{gas}_kg_per_kwh": seed_number(converted[gas]) for gas in GASES},
                "source": source_text(row),
                "conversion": conversion_text(row, converted),
            }
        )
    return seed


def render_csv(rows: Sequence[Mapping[str, str]]) -> str:
    """The seed file's text: a header, then one line per row (LF line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SEED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def expected_seed(published: Path = PUBLISHED_CSV) -> str:
    """The seed's text as the published values make it."""
    return render_csv(convert_rows(read_published(published)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--published", type=Path, default=PUBLISHED_CSV)
    parser.add_argument("--out", type=Path, default=SEED_CSV)
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when the seed differs from the conversion",
    )
    args = parser.parse_args(argv)
    text = expected_seed(args.published)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is not the conversion of {args.published}")
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
