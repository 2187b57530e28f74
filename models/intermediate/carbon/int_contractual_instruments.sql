{#- The seam for the optional landing entity contractual_instruments (SPEC
    §6: id, company_id, site_id, market, commodity, start_date, end_date,
    quantity_kwh, co2e_kg_per_kwh, instrument_type, updated_at). The loader
    does not carry it yet: this is an empty relation with the clean
    columns, so that the market-based allocation is built and tested
    against them; the screened landing rows will replace it. -#}
with

no_instruments as (

    select
        cast(null as {{ dbt.type_string() }}) as instrument_id,
        cast(null as {{ dbt.type_string() }}) as company_id,
        cast(null as {{ dbt.type_string() }}) as site_id,
        cast(null as {{ dbt.type_string() }}) as market,
        cast(null as {{ dbt.type_string() }}) as commodity,
        cast(null as date) as start_date,
        cast(null as date) as end_date,
        cast(null as {{ dbt.type_numeric() }}) as quantity_kwh,
        cast(null as decimal(28, 18)) as co2e_kg_per_kwh,
        cast(null as {{ dbt.type_string() }}) as instrument_type

),

final as (

    select * from no_instruments
    where 1 = 0

)

select * from final
