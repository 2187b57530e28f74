{#- Every raw value of a parsed column (macro parsed_columns) that could not
    be parsed, trimmed, with the number of records (latest version per key)
    that hold it: dates, timestamps, numbers, amounts, booleans,
    enumerations, units and countries from the screening models' flags, and
    a charges_units whose currency could not be settled (unknown, or an
    ambiguous or missing one the bill's sites do not settle) from
    int_document_currencies_resolved. The ground of dq_unparsed_shares and
    dq_rejected_values. -#}
{%- set columns = parsed_columns() -%}
with

currencies as (

    select * from {{ ref('int_document_currencies_resolved') }}

),

unparsed_values as (

    -- noqa: disable=LT02,LT05
    {%- for entity, entity_columns in columns.items() %}
        {%- for column, kind in entity_columns %}
            {%- if not (entity == 'documents' and column == 'charges_units') %}

    select
        '{{ entity }}' as entity,
        '{{ column }}' as column_name,
        trim({{ json_text_value('raw_values', column) }}) as raw_value
    from {{ ref('int_' ~ entity ~ '_screened') }}
    where {{ column }}_unparsed
    union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}

    select
        'documents' as entity,
        'charges_units' as column_name,
        charges_units as raw_value
    from currencies
    where charges_units is not null and currency is null

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
