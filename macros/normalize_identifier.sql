{#- Normalize an identifier value for matching: upper case with spaces,
    dashes, dots, underscores and slashes removed. Blank gives null.
    Dispatched: the regular expression dialects differ. -#}
{% macro normalize_identifier(column) -%}
    {{ return(adapter.dispatch('normalize_identifier', 'utility_warehouse')(
        column)) }}
{%- endmacro %}

{% macro duckdb__normalize_identifier(column) -%}
    nullif(
        upper(regexp_replace({{ column }}, '[\s\-\._/]', '', 'g')), ''
    )
{%- endmacro %}

{% macro postgres__normalize_identifier(column) -%}
    nullif(
        upper(regexp_replace({{ column }}, '[\t\n\f\r ._/-]', '', 'g')), ''
    )
{%- endmacro %}

{% macro spark__normalize_identifier(column) -%}
    nullif(
        upper(regexp_replace({{ column }}, '[\\t\\n\\f\\r ._/-]', '')), ''
    )
{%- endmacro %}
