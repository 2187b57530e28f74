{#- A value as a SQL string literal, single quotes escaped. -#}
{% macro sql_string_literal(value) -%}
    '{{ dbt.escape_single_quotes(value | string) }}'
{%- endmacro %}
