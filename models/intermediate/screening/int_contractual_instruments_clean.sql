{#- The clean contractual instruments: rows that passed screening. -#}
with

screened_contractual_instruments as (

    select * from {{ ref('int_contractual_instruments_screened') }}

),

clean_contractual_instruments as (

    select
        instrument_id,
        company_id,
        site_id,
        market,
        commodity,
        start_date,
        end_date,
        quantity_kwh,
        co2e_kg_per_kwh,
        instrument_type
    from screened_contractual_instruments
    where quarantine_reason is null

)

select * from clean_contractual_instruments
