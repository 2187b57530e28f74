{#- A text column of a seed whose cells may be empty, as null when empty.
    dbt-spark's session seeds write an empty cell as the text 'None' (DuckDB
    and PostgreSQL load null), so both read as null here. -#}
{% macro seed_text(column) -%}
    nullif(nullif({{ column }}, ''), 'None')
{%- endmacro %}
