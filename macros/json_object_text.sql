{#- A JSON object, as text, of the named columns: {"col": value, ...}, the
    values read from `relation_alias`.col when an alias is given. Used to keep
    a rejected row's raw values in the quarantine. -#}
{% macro json_object_text(columns, relation_alias=none) -%}
    {{ return(adapter.dispatch('json_object_text', 'utility_warehouse')(
        columns, relation_alias)) }}
{%- endmacro %}

{% macro duckdb__json_object_text(columns, relation_alias) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    cast(json_object(
        {%- for column in columns %}
        '{{ column }}', {{ prefix }}{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{#- PostgreSQL builds the text itself, so that it is byte for byte
    DuckDB's: no spaces, keys in the given order, null for a null value,
    each value a JSON string (to_json escapes quotes, backslashes and
    control characters; it writes \u001a-\u001f in lower case where DuckDB
    writes upper case). -#}
{% macro postgres__json_object_text(columns, relation_alias) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    (
        '{'
        {%- for column in columns %}
        || '{{ "," if not loop.first }}"{{ column }}":'
        || coalesce(cast(to_json({{ prefix }}{{ column }}) as text), 'null')
        {%- endfor %}
        || '}'
    )
{%- endmacro %}

{#- Spark: to_json of a struct in column order; nulls are written as null
    (ignoreNullFields off), the escapes are DuckDB's (\u001F in upper
    case included). -#}
{% macro spark__json_object_text(columns, relation_alias) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    to_json(
        named_struct(
            {%- for column in columns %}
            '{{ column }}', {{ prefix }}{{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}
