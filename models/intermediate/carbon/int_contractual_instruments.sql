{#- The contractual instruments the market-based allocation reads
    (docs/methodology.md): the clean rows of the optional landing entity
    contractual_instruments (int_contractual_instruments_clean: the latest updated_at version per
    id, then the last row in the file; rows that cannot be cleaned are in
    dq_quarantine). An empty commodity is ELECTRICITY; the market is the
    ISO alpha-2 code of the country named (screening matched it through the
    countries seed: codes, names and aliases in any case), null = no
    restriction; an empty site_id is a company-wide instrument; an empty
    quantity_kwh unlimited. Without the file this is empty. -#}
with

clean_instruments as (

    select * from {{ ref('int_contractual_instruments_clean') }}

),

final as (

    select
        instrument_id,
        company_id,
        site_id,
        market,
        coalesce(commodity, 'ELECTRICITY') as commodity,
        start_date,
        end_date,
        quantity_kwh,
        cast(co2e_kg_per_kwh as decimal(28, 18)) as co2e_kg_per_kwh,
        instrument_type
    from clean_instruments

)

select * from final
