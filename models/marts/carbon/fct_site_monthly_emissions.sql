{#- Location- and market-based emissions per company x site x energy
    commodity x month (docs/methodology.md; a company's unassigned meters
    are one row with a null site_id). activity_kwh and co2e_location_kg add up the
    site's meter-months (co2e null when any of them lacks a factor: a
    partial sum is never shown as a whole). Market-based, Scope 2: covered_kwh
    is what the contractual instruments cover (int_instrument_allocations),
    uncovered_kwh = activity_kwh - covered_kwh, and
      co2e_market_kg = sum of round(covered_i x rate_i, 6)
                       + round(uncovered x residual co2e rate, 6),
    the residual mix of the site (lookup as for location factors), else
    its location rate (residual_mix_unavailable where uncovered is above
    zero); a site-month with nothing covered and no residual mix keeps its
    location-based figure as it is. Scope 1: market = location. -#}
with

meter_energy as (

    select * from {{ ref('fct_meter_monthly_energy') }}

),

meter_month_factors as (

    select * from {{ ref('int_meter_month_factors') }}

),

allocations as (

    select * from {{ ref('int_instrument_allocations') }}

),

site_months as (

    select
        company_id,
        site_id,
        commodity,
        scope,
        month,
        sum(activity_kwh) as activity_kwh,
        case
            when count(co2e_location_kg) = count(*)
                then sum(co2e_location_kg)
        end as co2e_location_kg
    from meter_energy
    group by company_id, site_id, commodity, scope, month

),

site_factors as (

    {#- A site's meters share its region and country, so every meter of a
        site-month has the same factor row (unassigned meters: * only). -#}
    select
        meter_energy.company_id,
        meter_energy.site_id,
        meter_energy.commodity,
        meter_energy.month,
        meter_month_factors.method,
        max(meter_month_factors.co2e_kg_per_kwh) as co2e_kg_per_kwh,
        max(meter_month_factors.factor_region) as factor_region,
        max(meter_month_factors.factor_year) as factor_year
    from meter_energy
    inner join meter_month_factors
        on
            meter_energy.meter_id = meter_month_factors.meter_id
            and meter_energy.month = meter_month_factors.month
    group by
        meter_energy.company_id,
        meter_energy.site_id,
        meter_energy.commodity,
        meter_energy.month,
        meter_month_factors.method

),

site_coverage as (

    select
        company_id,
        site_id,
        commodity,
        month,
        sum(covered_kwh) as covered_kwh,
        sum(
            {{ product_to_micros('covered_kwh', 'co2e_kg_per_kwh') }}
        ) as covered_co2e_kg
    from allocations
    group by company_id, site_id, commodity, month

),

combined as (

    select
        site_months.*,
        case
            when site_months.scope = 2
                then coalesce(site_coverage.covered_kwh, 0)
            else 0
        end as covered_kwh,
        coalesce(site_coverage.covered_co2e_kg, 0) as covered_co2e_kg,
        residual.co2e_kg_per_kwh as residual_co2e_kg_per_kwh,
        residual.factor_region as residual_factor_region,
        residual.factor_year as residual_factor_year,
        location_factors.co2e_kg_per_kwh as location_co2e_kg_per_kwh
    from site_months
    left join site_coverage
        on
            site_months.company_id = site_coverage.company_id
            and {{ null_safe_equals(
                'site_months.site_id', 'site_coverage.site_id'
            ) }}
            and site_months.commodity = site_coverage.commodity
            and site_months.month = site_coverage.month
    left join site_factors as residual
        on
            site_months.company_id = residual.company_id
            and {{ null_safe_equals(
                'site_months.site_id', 'residual.site_id'
            ) }}
            and site_months.commodity = residual.commodity
            and site_months.month = residual.month
            and residual.method = 'residual_mix'
    left join site_factors as location_factors
        on
            site_months.company_id = location_factors.company_id
            and {{ null_safe_equals(
                'site_months.site_id', 'location_factors.site_id'
            ) }}
            and site_months.commodity = location_factors.commodity
            and site_months.month = location_factors.month
            and location_factors.method = 'location'

),

final as (

    select
        company_id,
        site_id,
        commodity,
        scope,
        month,
        cast(activity_kwh as {{ dbt.type_numeric() }}) as activity_kwh,
        cast(co2e_location_kg as {{ dbt.type_numeric() }})
            as co2e_location_kg,
        cast(covered_kwh as {{ dbt.type_numeric() }}) as covered_kwh,
        cast(activity_kwh - covered_kwh as {{ dbt.type_numeric() }})
            as uncovered_kwh,
        cast(
            case
                when scope = 1 then co2e_location_kg
                when residual_co2e_kg_per_kwh is not null
                    then
                        covered_co2e_kg
                        + {{ product_to_micros(
                            'activity_kwh - covered_kwh',
                            'residual_co2e_kg_per_kwh'
                        ) }}
                when covered_kwh = 0 then co2e_location_kg
                when location_co2e_kg_per_kwh is not null
                    then
                        covered_co2e_kg
                        + {{ product_to_micros(
                            'activity_kwh - covered_kwh',
                            'location_co2e_kg_per_kwh'
                        ) }}
            end
            as {{ dbt.type_numeric() }}
        ) as co2e_market_kg,
        case
            when scope = 1 then 'location'
            when residual_co2e_kg_per_kwh is not null then 'residual_mix'
            when location_co2e_kg_per_kwh is not null then 'location'
        end as uncovered_method,
        residual_factor_region,
        residual_factor_year,
        scope = 2
        and activity_kwh - covered_kwh > 0
        and residual_co2e_kg_per_kwh is null as is_residual_mix_unavailable
    from combined

)

select * from final
