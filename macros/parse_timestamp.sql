{#- Parse messy timestamp text (ISO with T or space, optional Z or offset,
    or any date format parse_date accepts, read as midnight). Unparseable
    text gives null. Used only to order record versions (updated_at). -#}
{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'utility_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_timestamp(column) -%}
    {{ exceptions.raise_compiler_error(
        "parse_timestamp is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp(column) -%}
    coalesce(
        cast(try_cast(trim({{ column }}) as timestamptz) as timestamp),
        try_cast(trim({{ column }}) as timestamp),
        cast({{ parse_date(column) }} as timestamp)
    )
{%- endmacro %}
