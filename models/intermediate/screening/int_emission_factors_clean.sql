{#- The clean landing emission factors: rows that passed screening. -#}
with

screened_emission_factors as (

    select * from {{ ref('int_emission_factors_screened') }}

),

clean_emission_factors as (

    select
        region,
        commodity,
        factor_year,
        method,
        co2_kg_per_kwh,
        ch4_kg_per_kwh,
        n2o_kg_per_kwh,
        factor_source,
        updated_at,
        _row_number
    from screened_emission_factors
    where quarantine_reason is null

)

select * from clean_emission_factors
