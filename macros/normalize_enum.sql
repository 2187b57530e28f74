{#- Normalize enumeration text: trimmed, upper case, runs of spaces and
    hyphens turned into one underscore ("Old account", "old-account" ->
    OLD_ACCOUNT). Blank text gives null. Dispatched: the regular expression
    dialects differ. -#}
{% macro normalize_enum(column) -%}
    {{ return(adapter.dispatch('normalize_enum', 'utility_warehouse')(column)) }}
{%- endmacro %}

{% macro duckdb__normalize_enum(column) -%}
    nullif(
        upper(regexp_replace(trim({{ column }}), '[\s\-]+', '_', 'g')), ''
    )
{%- endmacro %}

{#- PostgreSQL: RE2's \s (tab, newline, form feed, carriage return, space)
    written out; PostgreSQL's own \s follows the locale. -#}
{% macro postgres__normalize_enum(column) -%}
    nullif(
        upper(regexp_replace(trim({{ column }}), '[\t\n\f\r -]+', '_', 'g')), ''
    )
{%- endmacro %}

{#- Spark: regexp_replace replaces every match; literals double backslashes. -#}
{% macro spark__normalize_enum(column) -%}
    nullif(
        upper(regexp_replace(trim({{ column }}), '[\\t\\n\\f\\r -]+', '_')), ''
    )
{%- endmacro %}
