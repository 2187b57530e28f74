{#- Every rejected value of an enumeration (account status, commodities,
    net metering type, charge type, floor-area unit, usage unit, currency,
    country) or a boolean, whether its record was quarantined or kept with
    a field issue: per entity, column and raw value (trimmed), how many
    records hold it, and what the column accepts. -#}
{%- set enumeration_columns = [] -%}
{%- for entity, entity_columns in parsed_columns().items() -%}
    {%- for column, kind in entity_columns -%}
        {%- if kind in ('enumeration', 'boolean') -%}
            {%- do enumeration_columns.append((entity, column)) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endfor -%}
with

unparsed_values as (

    select * from {{ ref('int_unparsed_values_counted') }}

),

accepted as (

    select * from {{ ref('int_accepted_values_listed') }}

),

rejected as (

    select
        unparsed_values.entity,
        unparsed_values.column_name,
        unparsed_values.raw_value,
        cast(unparsed_values.row_count as integer) as row_count,
        accepted.accepted_values
    from unparsed_values
    inner join accepted
        on
            unparsed_values.entity = accepted.entity
            and unparsed_values.column_name = accepted.column_name

)

select * from rejected
