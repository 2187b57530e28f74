{#- Parse messy date text: YYYY-MM-DD, MM/DD/YYYY or an ISO timestamp
    (2024-01-31T00:00:00Z, whose calendar date is kept as written, with no
    time-zone shift). Anything else, or an impossible date, gives null. -#}
{% macro parse_date(column) -%}
    {{ return(adapter.dispatch('parse_date', 'utility_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_date(column) -%}
    {{ exceptions.raise_compiler_error(
        "parse_date is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__parse_date(column) -%}
    case
        when regexp_full_match(trim({{ column }}), '\d{4}-\d{1,2}-\d{1,2}')
            then cast(try_strptime(trim({{ column }}), '%Y-%m-%d') as date)
        when regexp_full_match(trim({{ column }}), '\d{1,2}/\d{1,2}/\d{4}')
            then cast(try_strptime(trim({{ column }}), '%m/%d/%Y') as date)
        when regexp_full_match(trim({{ column }}), '\d{4}-\d{2}-\d{2}[T ].*')
            then cast(
                try_strptime(left(trim({{ column }}), 10), '%Y-%m-%d') as date
            )
    end
{%- endmacro %}
