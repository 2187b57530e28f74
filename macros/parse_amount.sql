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
