{#- The clean meters: rows that passed screening. -#}
with

screened_meters as (

    select * from {{ ref('int_meters_screened') }}

),

clean_meters as (

    select
        meter_id,
        company_id,
        account_id,
        site_id,
        commodity,
        is_tracked,
        is_duplicated,
        service_address
    from screened_meters
    where quarantine_reason is null

)

select * from clean_meters
