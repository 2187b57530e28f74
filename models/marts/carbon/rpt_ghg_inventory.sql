{#- The GHG inventory per company x calendar year x scope x method
    (location, market), from fct_site_monthly_emissions: activity_kwh is
    all the activity; co2e_t = round(sum of the kg that have a factor /
    1000, 6), null where nothing has one; share_with_factor = the share of
    the activity whose emissions are not null (round(..., 6); null without
    activity). -#}
with

site_emissions as (

    select * from {{ ref('fct_site_monthly_emissions') }}

),

by_method as (

    select
        company_id,
        cast(extract(year from month) as integer) as year,
        scope,
        'location' as method,
        activity_kwh,
        co2e_location_kg as co2e_kg
    from site_emissions
    union all
    select
        company_id,
        cast(extract(year from month) as integer) as year,
        scope,
        'market' as method,
        activity_kwh,
        co2e_market_kg as co2e_kg
    from site_emissions

),

totals as (

    select
        company_id,
        year,
        scope,
        method,
        sum(activity_kwh) as activity_kwh,
        sum(co2e_kg) as co2e_kg,
        sum(case when co2e_kg is not null then activity_kwh else 0 end)
            as activity_with_factor_kwh
    from by_method
    group by company_id, year, scope, method

),

final as (

    select
        company_id,
        year,
        scope,
        method,
        cast(activity_kwh as {{ dbt.type_numeric() }}) as activity_kwh,
        {{ product_to_micros('co2e_kg', 'cast(0.001 as decimal(4, 3))') }}
            as co2e_t,
        case
            when activity_kwh != 0
                then {{ quotient_to_micros(
                    'activity_with_factor_kwh', 'activity_kwh'
                ) }}
        end as share_with_factor
    from totals

)

select * from final
