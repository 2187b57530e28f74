"""The dispatched parsing macros read messy text alike on DuckDB, PostgreSQL and Spark.

The landing folders of ``test_parity`` hold the spellings real files have; here
each macro meets the edge cases one by one (signs, exponents, thousands
separators, digit underscores, currency codes and symbols, accounting parentheses,
impossible and leap days, ISO timestamps with offsets, enumerations with odd
spacing, identifier punctuation, booleans, JSON arrays good and bad). One query per
engine is compiled by dbt for that engine (``dbt compile --inline``) and run on it;
every value must equal DuckDB's. The few spellings where the engines are known to
differ are listed in the macros' comments and left out here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import PROJECT_ROOT, isolated_dbt_env
from engines.conftest import PostgresCluster
from engines.marts import normalize

pytestmark = pytest.mark.engines

NUMBERS = (
    "1",
    " 12 ",
    "+5",
    "-5",
    ".5",
    "5.",
    "1e5",
    "1E-3",
    "5e19",
    "1,234.5",
    "1_000",
    "1__000",
    "0x10",
    "NaN",
    "inf",
    "1.2345675",
    "-1.2345675",
    "1.0000005",
    "4.9999999e-7",
    "1e40",
    "1e31",
    "1e-20",
    "99999999999999999999999999999999",
    "99999999999999999999999999999999.9999995",
    "",
    " ",
    "abc",
    "--5",
    "1 000",
    "1\t000",
    "1e",
    "e5",
    ".",
    "-.5e1",
    "0e99999",
    "1.5e2.5",
    "00012",
    "5%",
    "+.5",
    "12 kW",
    "45kw",
    "3,580,892,862.63",
    "6,227,440,270.173",
    "1.23456789e2",
    # The grammar: grouped thousands, the Indian grouping, apostrophes, spaces,
    # no-break and narrow no-break spaces; a comma that groups nothing.
    "12,5",
    "1,23",
    "1,2345",
    "12,345",
    "1,234,567.89",
    "1,23,45,678.00",
    "1,23,456",
    "1'234.50",
    "1\u2019234.5",
    "1 234 567",
    "1\u00a0234",
    "1\u202f234,5",
    "1,234'567",
    "1,234 567",
    "-1,234.5",
    "1,234e3",
    "1.5e3",
    "1.234",
    "1.234,56",
    "1 234,56",
    ",5",
    "-0,5",
    "1,5e3",
    "45,5 kW",
    "1.234.567,891",
    "12 345 kw",
)
AMOUNTS = (
    "$1,234.56",
    "usd 7",
    "7.00 EUR",
    "VND 3,580,892,862.63",
    "(12.00)",
    "-12.00",
    "₫3,580,892,862.63",
    "€ 5",
    "£-3",
    "12",
    "",
    "abc",
    "US 5",
    "(usd 5)",
    "1,2,3",
    "¥1_000",
    "5 dollars",
    "+ eur 5",
    # Every currency token form: codes in any case, symbols and prefixes
    # before or after, with and without a space.
    "US$ 5",
    "us$5",
    "CA$100",
    "C$ 7",
    "A$1,000",
    "AU$ 2",
    "NZ$ 3",
    "HK$4",
    "S$ 5",
    "R$ 6",
    "NT$ 7",
    "12.00 kr",
    "12,50 kr",
    "kr. 9",
    "Rs. 1,23,456.00",
    "Rs 10",
    "₹1,23,456",
    "5 zł",
    "5 ZŁ",
    "10 Kč",
    "Fr. 5",
    "5 CHF",
    "CFPF 5",
    "5 F CFA",
    "5 F\u00a0CFA",
    "€\u00a05",
    "5\u202f€",
    "1.820,55 €",
    "1 820,55 €",
    "¥ 1000",
    "₩ 50,000",
    "5 dollars",
    "USD 5 EUR",
    "$5 USD",
    "-$12",
    "$ -5",
    "$-5",
    "(€ 12.00)",
    "( 12.00 )",
    "1e5",
    "12,5",
    "1'234.50 CHF",
    "CHF 1\u2019234.50",
    "5 ABC",
    "$$5",
    "10000000000000",
    "-(5)",
)
DATES = (
    "2024-01-31",
    "01/31/2024",
    "2024-01-31T00:00:00Z",
    "2024-1-5",
    "1/5/2024",
    "2024-02-29",
    "2023-02-29",
    "2024-02-30",
    "2024-13-01",
    "2024-00-10",
    "0025-01-01",
    "9999-12-31",
    "2024-01-31 10:00",
    "2024-01-31T",
    "20240131",
    "31.01.2024",
    "",
    "2024-04-31",
    "2100-02-29",
    "2000-02-29",
    "1900-02-29",
    # Year first in every order, year last by the date order, two-digit years.
    "2024/01/31",
    "2024.1.5",
    "2024/1-5",
    "13/01/2025",
    "01/13/2025",
    "31.01.2025",
    "01.31.2025",
    "1-5-2025",
    "05-01-2025",
    "13.13.2025",
    "02/29/2024",
    "29/02/2024",
    "02/29/2023",
    "02/30/2024",
    "30/02/2024",
    "01/31/24",
    "31.01.25",
    "24-01-31",
    "1/2/2025 10:00",
    "2024-01-31T23:59:59-05:00",
    "12024-01-01",
    " 2024-01-31 ",
)
TIMESTAMPS = (
    "2024-03-01T10:00:00Z",
    "2024-03-01 10:00:00",
    "2024-03-01T10:00:00+00:00",
    "2024-03-01",
    "2024-3-1",
    "2024-03-01T10:00",
    "2024-03-01T10:00:00.123456Z",
    "2024-03-01T25:00:00Z",
    "2024-03-01T10:00:00+0530",
    "2024-03-01T10:00:00-03:00",
    "2024-03-01T10:00:60",
    "2024-03-01T10:5:3",
    "2024-03-01 10:00:00 UTC",
    "2024-02-30T10:00:00Z",
    "2024-03-01T10:00:00+05",
    "2024-03-01T23:59:59.5-01:00",
    "03/01/2024",
    "13/01/2025",
    "2024",
    "nonsense",
    "",
)
# quantity|rate pairs for product_to_micros (round(q x r, 6), halves away from
# zero): a product one step below and on a half, where rounding to 12 decimals
# first (Spark's decimal(38,12) for decimal(28,6) x decimal(24,21)) would round
# up; signs, zeros, nulls and the largest magnitudes of the marts (DuckDB's
# decimal(38,27) product overflowed from 10^11).
PRODUCTS = (
    "1|0.000000499999999500000",
    "1|0.000000499999999999999",
    "-1|0.000000499999999999999",
    "1|0.0000005",
    "-1|0.0000005",
    "2.5|0.0000002",
    "-2.5|0.0000002",
    "0.000001|0.5",
    "-0.000001|0.5",
    "3|-0.1234567",
    "-3|-0.1234565",
    "0|0.5",
    "12.5|0",
    "|0.5",
    "5|",
    "1000.5|0.40806666460021",
    "823.123457|0.000039008943820000001",
    "999999.999999|3.412141633",
    "123456789012.345678|0.000039008943820000000",
    "123456789.123456|123.456789012345678901234",
    "-99999999.999999|999.999999999999999999999",
    "4.999999|2.80",
    "0.000001|0.000000000000000000001",
    "200000000000|0.5",
    "999999999999.999999|999.999999999999999999999",
    "-999999999999.999999|0.000000499999999999999",
)
# numerator|denominator pairs for quotient_to_micros (round(n / d, 6)).
QUOTIENTS = (
    "1|3",
    "2|3",
    "-2|3",
    "1|2000000",
    "-1|2000000",
    "1|2000001",
    "123456789.123456|10763.9",
    "99999999999999.999999|0.000001",
    "0|7",
    "|7",
)
ENUMS = ("Old account", "old-account", " ONBOARDED ", "a \t-b", "", "x--y", "é-b")
IDENTIFIERS = ("12-34", " ab.cd/ef_g ", "x y", "---", "A\tB", "é.1")
BOOLEANS = ("true", "T", " yes ", "N", "0", "1", "maybe", "", "FALSE")
JSON = (
    '[{"type": "METER", "value": "E-100"}]',
    '[{"type": "POD", "value": 12345}, {"type": "X"}]',
    "[]",
    '{"type": "METER"}',
    "[1,2",
    "not json",
    '["abc", {"type": "A", "value": "b"}]',
    '[{"type": "A", "value": null}]',
    "",
)


def _rows(values: tuple[str, ...], target: str) -> str:
    """A union of one-row selects (k, v): portable to every engine. Spark's string
    literals read backslash escapes, so its backslashes and quotes are escaped
    with one (two quotes in a row would be two literals run together)."""
    literals = []
    for index, value in enumerate(values):
        text = value.replace("'", "''")
        if target == "spark":
            text = value.replace("\\", "\\\\").replace("'", "\\'")
        literals.append(f"select {index} as k, '{text}' as v")
    return "\n    union all\n    ".join(literals)


QUERIES = {
    "number": ("select k, {{ parse_number('v') }} as r from ({rows}) as t", NUMBERS),
    "demand": (
        "select k, {{ parse_number('v', 'kw') }} as r from ({rows}) as t",
        NUMBERS,
    ),
    "number_comma": (
        "select k, {{ parse_number('v', 'kw', decimal_separator=',') }} as r "
        "from ({rows}) as t",
        NUMBERS,
    ),
    "amount": ("select k, {{ parse_amount('v') }} as r from ({rows}) as t", AMOUNTS),
    "amount_comma": (
        "select k, {{ parse_amount('v', decimal_separator=',') }} as r "
        "from ({rows}) as t",
        AMOUNTS,
    ),
    "date": ("select k, {{ parse_date('v') }} as r from ({rows}) as t", DATES),
    "date_dmy": (
        "select k, {{ parse_date('v', date_order='dmy') }} as r from ({rows}) as t",
        DATES,
    ),
    "timestamp": (
        "select k, {{ parse_timestamp('v') }} as r from ({rows}) as t",
        TIMESTAMPS,
    ),
    "timestamp_dmy": (
        "select k, {{ parse_timestamp('v', date_order='dmy') }} as r "
        "from ({rows}) as t",
        TIMESTAMPS,
    ),
    "enum": ("select k, {{ normalize_enum('v') }} as r from ({rows}) as t", ENUMS),
    "identifier": (
        "select k, {{ normalize_identifier('v') }} as r from ({rows}) as t",
        IDENTIFIERS,
    ),
    "boolean": (
        "select k, {{ parse_boolean('v', 'false') }} as r from ({rows}) as t",
        BOOLEANS,
    ),
    "is_json_array": (
        "select k, {{ is_json_array('v') }} as r from ({rows}) as t",
        JSON,
    ),
    "json_elements": (
        "select record_id as k, identifier_type as r, identifier_value as r2 from ("
        "{{ unnest_json_identifiers('t', 'k', 'v') }}) as e",
        JSON,
    ),
    "product_factor": (
        "select k, {{ product_to_micros('q', 'f') }} as r from ("
        "select k, cast(nullif(split_part(v, '|', 1), '') as decimal(28, 6)) as q, "
        "cast(nullif(split_part(v, '|', 2), '') as decimal(24, 21)) as f "
        "from ({rows}) as s) as t",
        PRODUCTS,
    ),
    "product_rate": (
        "select k, {{ product_to_micros('q', 'f') }} as r from ("
        "select k, cast(nullif(split_part(v, '|', 1), '') as decimal(38, 6)) as q, "
        "cast(cast(nullif(split_part(v, '|', 2), '') as decimal(24, 21)) "
        "as decimal(28, 21)) as f from ({rows}) as s) as t",
        PRODUCTS,
    ),
    "quotient": (
        "select k, {{ quotient_to_micros('n', 'd') }} as r from ("
        "select k, cast(nullif(split_part(v, '|', 1), '') as decimal(38, 6)) as n, "
        "cast(nullif(split_part(v, '|', 2), '') as decimal(28, 6)) as d "
        "from ({rows}) as s) as t",
        QUOTIENTS,
    ),
    "json_object": (
        "select k, {{ json_object_text(['v', 'w']) }} as r from ("
        "select k, v, case when k % 2 = 0 then null else v end as w from ({rows}) as s"
        ") as t",
        (*AMOUNTS, 'a "quoted" \\ back', "tab\there"),
    ),
}


def _sql(name: str, target: str) -> str:
    template, values = QUERIES[name]
    sql = template.replace("{rows}", _rows(values, target))
    if name == "json_elements":  # the relation t is a common table expression
        sql = f"with t as ({_rows(values, target)})\n" + sql
    return sql


def _compile(sql: str, target: str) -> str:
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [
            "compile",
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target",
            target,
            "--inline",
            sql,
            "--quiet",
            "--no-send-anonymous-usage-stats",
        ]
    )
    assert result.success, result.exception
    compiled: Any = result.result
    return str(compiled.results[0].node.compiled_code)


def _results(rows: list[tuple[Any, ...]]) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    for row in rows:
        key = int(row[0])
        found.setdefault(key, []).append(tuple(normalize(value) for value in row[1:]))
    return {key: sorted(values, key=repr) for key, values in found.items()}


@pytest.fixture(scope="module")
def dbt_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(isolated_dbt_env(tmp_path_factory.mktemp("dbt-macros")))
    os.environ["UTILITY_WAREHOUSE_DB"] = ":memory:"
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def duckdb_results(dbt_env: None) -> dict[str, dict[Any, Any]]:
    con = duckdb.connect(":memory:")
    try:
        return {
            name: _results(
                con.execute(_compile(_sql(name, "duckdb"), "duckdb")).fetchall()
            )
            for name in QUERIES
        }
    finally:
        con.close()


@pytest.mark.parametrize("name", QUERIES)
def test_postgres_reads_like_duckdb(
    name: str,
    duckdb_results: dict[str, dict[Any, Any]],
    postgres_cluster: PostgresCluster,
    dbt_env: None,
) -> None:
    postgres_cluster.create_database("macros")
    os.environ.update(
        {
            "UTILITY_WAREHOUSE_PG_PORT": str(postgres_cluster.port),
            "UTILITY_WAREHOUSE_PG_DBNAME": "macros",
        }
    )
    connection = postgres_cluster.connect("macros")
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(_compile("{{ create_engine_functions() }}", "postgres"))
            cursor.execute(_compile(_sql(name, "postgres"), "postgres"))
            found = _results(cursor.fetchall())
    finally:
        connection.close()
    assert found == duckdb_results[name]


@pytest.mark.parametrize("name", QUERIES)
def test_spark_reads_like_duckdb(
    name: str,
    duckdb_results: dict[str, dict[Any, Any]],
    spark: Any,
    dbt_env: None,
) -> None:
    frame = spark.sql(_compile(_sql(name, "spark"), "spark"))
    found = _results([tuple(row) for row in frame.collect()])
    assert found == duckdb_results[name]


# What the grammar reads (DuckDB, the reference the other engines must equal):
# value -> result per query, as text (None: not a value of the grammar).
EXPECTED: dict[str, dict[str, str | None]] = {
    "number": {
        "12,5": None,
        "1,23": None,
        "1,2345": None,
        "12,345": "12345.000000",
        "1,234,567.89": "1234567.890000",
        "1,23,45,678.00": "12345678.000000",
        "1'234.50": "1234.500000",
        "1\u2019234.5": "1234.500000",
        "1\u00a0234": "1234.000000",
        "1,234'567": None,
        "1,234e3": None,
        "1.5e3": "1500.000000",
        "5e19": "50000000000000000000.000000",
        "1_000": None,
        "1.234,56": None,
    },
    "number_comma": {
        "12,5": "12.500000",
        "1.234,56": "1234.560000",
        "1 234,56": "1234.560000",
        "1\u202f234,5": "1234.500000",
        "1.234": "1234.000000",
        "1.5e3": None,
        "45,5 kW": "45.500000",
        "1,234,567.89": None,
    },
    "amount": {
        "US$ 5": "5.000000",
        "CA$100": "100.000000",
        "12.00 kr": "12.000000",
        "Rs. 1,23,456.00": "123456.000000",
        "5 F\u00a0CFA": "5.000000",
        "(\u20ac 12.00)": "-12.000000",
        "$5 USD": None,
        "1e5": None,
        "12,5": None,
        "1.820,55 \u20ac": None,
    },
    "amount_comma": {
        "1.820,55 \u20ac": "1820.550000",
        "1 820,55 \u20ac": "1820.550000",
        "12,50 kr": "12.500000",
        "$1,234.56": None,
    },
    "product_factor": {
        "1|0.000000499999999500000": "0",
        "1|0.000000499999999999999": "0",
        "-1|0.000000499999999999999": "0",
        "1|0.0000005": "0.000001",
        "-1|0.0000005": "-0.000001",
        "2.5|0.0000002": "0.000001",
        "-2.5|0.0000002": "-0.000001",
        "3|-0.1234567": "-0.370370",
        "-3|-0.1234565": "0.370370",
        "|0.5": None,
        "5|": None,
        "1000.5|0.40806666460021": "408.270698",
        "123456789.123456|123.456789012345678901234": "15241578766.956160",
        "200000000000|0.5": "100000000000.000000",
        "999999999999.999999|999.999999999999999999999": "999999999999999.999000",
        "-999999999999.999999|0.000000499999999999999": "-500000.000000",
    },
    "product_rate": {
        "1|0.000000499999999500000": "0",
        "-1|0.0000005": "-0.000001",
    },
    "quotient": {
        "2|3": "0.666667",
        "-2|3": "-0.666667",
        "1|2000000": "0.000001",
        "-1|2000000": "-0.000001",
        "1|2000001": "0",
        "|7": None,
    },
    "date": {
        "01/13/2025": "2025-01-13",
        "13/01/2025": None,
        "2024/01/31": "2024-01-31",
        "2024.1.5": "2024-01-05",
        "02/30/2024": None,
        "01/31/24": None,
        "2024/1-5": None,
        "2024-01-31T23:59:59-05:00": "2024-01-31",
    },
    "date_dmy": {
        "13/01/2025": "2025-01-13",
        "01/13/2025": None,
        "31.01.2025": "2025-01-31",
        "05-01-2025": "2025-01-05",
        "29/02/2024": "2024-02-29",
        "30/02/2024": None,
        "2024-01-31": "2024-01-31",
    },
}


def test_duckdb_reads_the_grammar(duckdb_results: dict[str, dict[Any, Any]]) -> None:
    for name, cases in EXPECTED.items():
        values = QUERIES[name][1]
        for value, expected in cases.items():
            [(found,)] = duckdb_results[name][values.index(value)]
            if expected is not None and not name.startswith("date"):
                expected = normalize(Decimal(expected))
            shown = None if found is None else str(found)
            assert shown == expected, (name, value, found)


def test_every_query_covers_its_cases(
    duckdb_results: dict[str, dict[Any, Any]],
) -> None:
    for name, (_, values) in QUERIES.items():
        if name != "json_elements":
            assert len(duckdb_results[name]) == len(values), name
    assert Path(PROJECT_ROOT, "dbt_project.yml").exists()
