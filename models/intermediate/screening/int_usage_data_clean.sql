{#- The clean usage data: rows that passed screening. -#}
with

screened_usage_data as (

    select * from {{ ref('int_usage_data_screened') }}

),

clean_usage_data as (

    select
        usage_id,
        document_id,
        meter_id,
        meter_match_method,
        start_date,
        end_date,
        raw_usage,
        raw_usage_unit,
        standard_usage,
        standardization_method,
        is_exclusion,
        is_estimated,
        net_metering_type,
        demand_kw,
        extracted_identifiers
    from screened_usage_data
    where quarantine_reason is null

)

select * from clean_usage_data
