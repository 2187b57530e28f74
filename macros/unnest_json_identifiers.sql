{#- A select of (record_id, identifier_type, identifier_value) rows, one
    per element of a JSON array of {"type": ..., "value": ...} objects held
    in `json_column` of `relation`; `id_column` names the owning record.
    Only rows whose text is a valid JSON array are read. -#}
{% macro unnest_json_identifiers(relation, id_column, json_column) -%}
    {{ return(adapter.dispatch('unnest_json_identifiers', 'utility_warehouse')(
        relation, id_column, json_column)) }}
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

{#- PostgreSQL: the elements of the array; a field of an element that is
    not an object is null, as in DuckDB. -#}
{% macro postgres__unnest_json_identifiers(relation, id_column, json_column) -%}
    select
        record_id,
        case
            when json_typeof(element) = 'object' then element ->> 'type'
        end as identifier_type,
        case
            when json_typeof(element) = 'object' then element ->> 'value'
        end as identifier_value
    from (
        select
            {{ id_column }} as record_id,
            json_array_elements({{ json_or_null(json_column) }}) as element
        from {{ relation }}
        where {{ is_json_array(json_column) }}
    ) as elements
{%- endmacro %}

{#- Spark: read as an array of strings, each element keeps its JSON text
    (a string element its value), so that an element that is not an object
    gives null fields instead of losing the whole array. -#}
{% macro spark__unnest_json_identifiers(relation, id_column, json_column) -%}
    select
        record_id,
        get_json_object(element, '$.type') as identifier_type,
        get_json_object(element, '$.value') as identifier_value
    from (
        select
            {{ id_column }} as record_id,
            explode(from_json({{ json_column }}, 'array<string>')) as element
        from {{ relation }}
        where {{ is_json_array(json_column) }}
    ) as elements
{%- endmacro %}
