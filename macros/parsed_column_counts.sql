{#- Per parsed column (macro parsed_columns) of the entities in `group`
    (see dq_unparsed_shares and screened_entity_groups): the non-empty
    values (records, latest version per key) and those that could not be
    parsed; a bill's charges_units counts as unparsed when its currency
    could not be settled (int_document_currencies_resolved). -#}
{% macro parsed_column_counts(group) -%}
{%- set columns = parsed_columns() -%}
with

{% if 'documents' in group -%}
currencies as (

    select * from {{ ref('int_document_currencies_resolved') }}

),

{% endif -%}
column_counts as (

    -- noqa: disable=LT02,LT05
    {%- for entity, entity_columns in columns.items() if entity in group %}
        {%- for column, kind in entity_columns %}
            {%- if entity == 'documents' and column == 'charges_units' %}

    select
        'documents' as entity,
        'charges_units' as column_name,
        count(charges_units) as non_empty_count,
        sum(
            case
                when charges_units is not null and currency is null then 1
                else 0
            end
        ) as unparsed_count
    from currencies
            {%- else %}

    select
        '{{ entity }}' as entity,
        '{{ column }}' as column_name,
        count({{ column }}_unparsed) as non_empty_count,
        sum(case when {{ column }}_unparsed then 1 else 0 end)
            as unparsed_count
    from {{ ref('int_' ~ entity ~ '_screened') }}
            {%- endif %}
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

    -- noqa: enable=LT02,LT05

)

select * from column_counts
{%- endmacro %}
