{#- The inputs of energy use intensity: one row per site and month with
    counted energy usage (the kWh rows of fct_meter_monthly, every currency
    row of every meter of the site), at sites whose gross floor area is
    known and above zero, with that floor area in square feet: SQ_FT as
    given, SQ_M times 10.7639, rounded to six decimals half away from zero.
    Sites whose floor area or its unit is unknown, and meters without a
    site, are left out, so that usage is never divided by a floor area that
    does not include it. -#}
with

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

sites as (

    select * from {{ ref('dim_sites') }}

),

site_floor_areas as (

    select
        site_id,
        company_id,
        cast(
            case gross_floor_area_units
                when 'SQ_FT' then gross_floor_area
                when 'SQ_M' then gross_floor_area * 10.7639
            end as decimal(28, 6)
        ) as gross_floor_area_sqft
    from sites
    where
        gross_floor_area > 0
        and gross_floor_area_units in ('SQ_FT', 'SQ_M')

),

site_energy as (

    select
        site_id,
        month,
        sum(usage) as energy_kwh
    from meter_monthly
    where usage_unit = 'kWh' and site_id is not null
    group by site_id, month

),

final as (

    select
        site_energy.site_id,
        site_floor_areas.company_id,
        site_energy.month,
        cast(site_energy.energy_kwh as decimal(28, 6)) as energy_kwh,
        site_floor_areas.gross_floor_area_sqft
    from site_energy
    inner join site_floor_areas
        on site_energy.site_id = site_floor_areas.site_id

)

select * from final
