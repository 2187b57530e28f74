{#- The text of one top-level key of a JSON object held as text (null when
    the key is missing or null). Used to show a raw value kept in a
    raw_values column. Dispatched. -#}
{% macro json_text_value(json_column, key) -%}
    {{ return(adapter.dispatch('json_text_value', 'utility_warehouse')(
        json_column, key)) }}
{%- endmacro %}

{% macro duckdb__json_text_value(json_column, key) -%}
    json_extract_string({{ json_column }}, '$."{{ key }}"')
{%- endmacro %}

{% macro postgres__json_text_value(json_column, key) -%}
    (cast({{ json_column }} as json) ->> '{{ key }}')
{%- endmacro %}

{% macro spark__json_text_value(json_column, key) -%}
    get_json_object({{ json_column }}, '$.{{ key }}')
{%- endmacro %}
