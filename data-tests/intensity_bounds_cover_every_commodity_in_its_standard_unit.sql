{#- The implausible_intensity audit compares usage in the commodity's
    standard unit (kWh, gal) with the bound of seed intensity_bounds: every
    commodity must have a bound, written in that unit. Fails with each
    commodity without one and each bound in another unit. -#}
with

commodities as (

    select * from {{ ref('commodities') }}

),

bounds as (

    select * from {{ ref('intensity_bounds') }}

),

mismatched as (

    select
        commodities.commodity,
        commodities.standard_unit,
        bounds.usage_unit
    from commodities
    left join bounds
        on commodities.commodity = bounds.commodity
    where
        bounds.commodity is null
        or bounds.usage_unit != commodities.standard_unit

)

select * from mismatched
