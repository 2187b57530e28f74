{#- The clean meter identifiers: rows that passed screening. -#}
with

screened_meter_identifiers as (

    select * from {{ ref('int_meter_identifiers_screened') }}

),

clean_meter_identifiers as (

    select
        meter_id,
        identifier_type,
        identifier_value,
        normalized_value
    from screened_meter_identifiers
    where quarantine_reason is null

)

select * from clean_meter_identifiers
