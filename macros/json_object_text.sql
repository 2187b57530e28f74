{#- A JSON object, as text, of the named columns: {"col": value, ...}, the
    values read from `relation_alias`.col when an alias is given. Used to keep
    a rejected row's raw values in the quarantine. -#}
{% macro json_object_text(columns, relation_alias=none) -%}
    {{ return(adapter.dispatch('json_object_text', 'utility_warehouse')(
        columns, relation_alias)) }}
{%- endmacro %}

{% macro default__json_object_text(columns, relation_alias) -%}
    {{ exceptions.raise_compiler_error(
        "json_object_text is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__json_object_text(columns, relation_alias) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    cast(json_object(
        {%- for column in columns %}
        '{{ column }}', {{ prefix }}{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}
