{#- Parse messy numeric text into numeric(28,6): currency symbols
    ($ € £ ¥), a leading or trailing three-letter currency code ("USD 7",
    "7.00 EUR"), spaces and thousands separators are dropped; a leading
    minus or accounting parentheses ("(12.00)") make it negative. Blank or
    unparseable text gives null. -#}
{% macro parse_number(column) -%}
    {{ return(adapter.dispatch('parse_number', 'utility_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_number(column) -%}
    {{ exceptions.raise_compiler_error(
        "parse_number is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__parse_number(column) -%}
    try_cast(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(trim({{ column }}), '^\((.*)\)$', '-\1'),
                    '^(-?)\s*[A-Z]{3}\s*', '\1'
                ),
                '\s*[A-Z]{3}$', ''
            ),
            '[\s$€£¥,]', '', 'g'
        ) as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
