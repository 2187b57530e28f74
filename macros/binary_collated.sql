{#- A text expression compared and ordered by its bytes (UTF-8 code point
    order), whatever the database's collation: ids and codes must sort the
    same on every engine, since an order picks winners (a meter's Primary
    ID), splits costs (meters in meter_id order) and names pairs ("the
    greater id"). DuckDB and Spark compare strings by bytes already;
    PostgreSQL follows the database's collation unless told "C". -#}
{% macro binary_collated(expression) -%}
    {{ return(adapter.dispatch('binary_collated', 'utility_warehouse')(
        expression)) }}
{%- endmacro %}

{% macro duckdb__binary_collated(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro postgres__binary_collated(expression) -%}
    ({{ expression }}) collate "C"
{%- endmacro %}

{% macro spark__binary_collated(expression) -%}
    {{ expression }}
{%- endmacro %}
