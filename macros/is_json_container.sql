{#- True when the text (trimmed) is a JSON object or array: it starts with {
    or [ and is valid JSON. Such a value where an id belongs is bad_id (a
    record's own id or a required link: quarantined; an optional link: a
    field issue). Dispatched: the JSON checks differ. -#}
{% macro is_json_container(column) -%}
    {{ return(adapter.dispatch('is_json_container', 'utility_warehouse')(
        column)) }}
{%- endmacro %}

{% macro duckdb__is_json_container(column) -%}
    coalesce(
        left(trim({{ column }}), 1) in ('{', '[') and json_valid(trim({{ column }})),
        false
    )
{%- endmacro %}

{#- PostgreSQL: json_or_null (no non-raising JSON check otherwise). -#}
{% macro postgres__is_json_container(column) -%}
    coalesce(
        left(trim({{ column }}), 1) in ('{', '[')
        and {{ json_or_null('trim(' ~ column ~ ')') }} is not null,
        false
    )
{%- endmacro %}

{#- Spark: json_object_keys and json_array_length give null for text that
    is not a JSON object or array. -#}
{% macro spark__is_json_container(column) -%}
    coalesce(
        case left(trim({{ column }}), 1)
            when '{' then json_object_keys(trim({{ column }})) is not null
            when '[' then json_array_length(trim({{ column }})) is not null
            else false
        end,
        false
    )
{%- endmacro %}
