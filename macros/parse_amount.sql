{#- Parse a money amount into numeric(38,6): a currency symbol
    ($ € £ ¥ ₩ ₫ ₹ ₽ ₺ ₱ ฿ ₪) or a three-letter currency code in any case,
    before or after the number ("$1,234.56", "usd 7", "7.00 EUR",
    "VND 3,580,892,862.63"), spaces and thousands separators are dropped;
    a leading minus or accounting parentheses ("(12.00)") make it negative.
    Blank or unparseable text gives null. -#}
{% macro parse_amount(column) -%}
    {{ return(adapter.dispatch('parse_amount', 'utility_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_amount(column) -%}
    {{ exceptions.raise_compiler_error(
        "parse_amount is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__parse_amount(column) -%}
    try_cast(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(trim({{ column }}), '^\((.*)\)$', '-\1'),
                    '^([-+]?)\s*[A-Za-z]{3}\s*', '\1'
                ),
                '\s*[A-Za-z]{3}$', ''
            ),
            '[\s,$€£¥₩₫₹₽₺₱฿₪]', '', 'g'
        ) as decimal(38, 6)
    )
{%- endmacro %}

{#- PostgreSQL: the same steps; regexp_replace without 'g' replaces the
    first match as DuckDB's does. [^\n] stands for RE2's dot and the class
    of white space for RE2's \s. -#}
{% macro postgres__parse_amount(column) -%}
    {{ postgres__decimal_from_clean_text(
        "regexp_replace(regexp_replace(regexp_replace(regexp_replace(trim("
        ~ column ~ "), '^\\(([^\\n]*)\\)$', '-\\1'), "
        ~ "'^([-+]?)[\\t\\n\\f\\r ]*[A-Za-z]{3}[\\t\\n\\f\\r ]*', '\\1'), "
        ~ "'[\\t\\n\\f\\r ]*[A-Za-z]{3}$', ''), "
        ~ "'[\\t\\n\\f\\r ,$€£¥₩₫₹₽₺₱฿₪]', '', 'g')"
    ) }}
{%- endmacro %}

{#- Spark: regexp_replace replaces every match, which is the same for the
    anchored patterns; groups are $1, and string literals need doubled
    backslashes. -#}
{% macro spark__parse_amount(column) -%}
    {{ spark__decimal_from_clean_text(
        "regexp_replace(regexp_replace(regexp_replace(regexp_replace(trim("
        ~ column ~ "), '^\\\\(([^\\\\n]*)\\\\)\\\\z', '-$1'), "
        ~ "'^([-+]?)[\\\\t\\\\n\\\\f\\\\r ]*[A-Za-z]{3}[\\\\t\\\\n\\\\f\\\\r ]*', '$1'), "
        ~ "'[\\\\t\\\\n\\\\f\\\\r ]*[A-Za-z]{3}\\\\z', ''), "
        ~ "'[\\\\t\\\\n\\\\f\\\\r ,$€£¥₩₫₹₽₺₱฿₪]', '')"
    ) }}
{%- endmacro %}
