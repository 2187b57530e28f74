{#- A list of values as comma-separated SQL string literals. -#}
{% macro sql_string_list(values) -%}
    {%- for value in values -%}
        {{ sql_string_literal(value) }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
