{#- A select of (record_id, identifier_type, identifier_value) rows, one
    per element of a JSON array of {"type": ..., "value": ...} objects held
    in `json_column` of `relation`; `id_column` names the owning record.
    Only rows whose text is a valid JSON array are read. -#}
{% macro unnest_json_identifiers(relation, id_column, json_column) -%}
    {{ return(adapter.dispatch('unnest_json_identifiers', 'utility_warehouse')(
        relation, id_column, json_column)) }}
{%- endmacro %}

{% macro default__unnest_json_identifiers(relation, id_column, json_column) -%}
    {{ exceptions.raise_compiler_error(
        "unnest_json_identifiers is not implemented for adapter "
        ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__unnest_json_identifiers(relation, id_column, json_column) -%}
    select
        record_id,
        json_extract_string(element, '$.type') as identifier_type,
        json_extract_string(element, '$.value') as identifier_value
    from (
        select
            {{ id_column }} as record_id,
            unnest(cast(json({{ json_column }}) as json[])) as element
        from {{ relation }}
        where {{ is_json_array(json_column) }}
    ) as elements
{%- endmacro %}
