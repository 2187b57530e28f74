{#- The unparsed values of the entities in `group` (see
    int_unparsed_values_counted and screened_entity_groups), counted per
    entity, column and value; a bill's charges_units counts when its
    currency could not be settled (int_document_currencies_resolved). -#}
{% macro unparsed_value_counts(group) -%}
{%- set columns = parsed_columns() -%}
{%- set with_currencies = 'documents' in group -%}
with

{% if with_currencies -%}
currencies as (

    select * from {{ ref('int_document_currencies_resolved') }}

),

{% endif -%}
unparsed_values as (

    -- noqa: disable=LT02,LT05
    {%- for entity, entity_columns in columns.items() if entity in group %}
        {%- set last_entity = loop.last %}
        {%- for column, kind in entity_columns
            if not (entity == 'documents' and column == 'charges_units') %}

    select
        '{{ entity }}' as entity,
        '{{ column }}' as column_name,
        trim({{ json_text_value('raw_values', column) }}) as raw_value
    from {{ ref('int_' ~ entity ~ '_screened') }}
    where {{ column }}_unparsed
            {%- if with_currencies or not (loop.last and last_entity) %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}

    {%- if with_currencies %}
    select
        'documents' as entity,
        'charges_units' as column_name,
        charges_units as raw_value
    from currencies
    where charges_units is not null and currency is null
    {%- endif %}

    -- noqa: enable=LT02,LT05
),

counted as (

    select
        entity,
        column_name,
        raw_value,
        count(*) as row_count
    from unparsed_values
    group by entity, column_name, raw_value

)

select * from counted
{%- endmacro %}
