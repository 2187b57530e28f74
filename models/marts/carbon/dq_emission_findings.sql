{#- The findings of energy and emissions (docs/methodology.md), one row each:
      no_emission_factor        a meter-month without a location factor
                                (its gases and co2e are null);
      no_source_ratio           a meter-month without a source-to-site
                                ratio (its source energy is null);
      residual_mix_unavailable  a Scope 2 site-month with uncovered
                                activity above zero and no residual mix
                                (it took the location factor);
      unused_instrument_quantity an instrument's quantity left over in a
                                month (nothing carries over). -#}
with

meter_energy as (

    select * from {{ ref('fct_meter_monthly_energy') }}

),

site_emissions as (

    select * from {{ ref('fct_site_monthly_emissions') }}

),

instrument_months as (

    select * from {{ ref('int_instrument_months') }}

),

allocations as (

    select * from {{ ref('int_instrument_allocations') }}

),

instrument_use as (

    select
        instrument_months.instrument_id,
        instrument_months.company_id,
        instrument_months.site_id,
        instrument_months.commodity,
        instrument_months.month,
        instrument_months.quantity_kwh,
        coalesce(sum(allocations.covered_kwh), 0) as covered_kwh
    from instrument_months
    left join allocations
        on
            instrument_months.instrument_id = allocations.instrument_id
            and instrument_months.month = allocations.month
    where instrument_months.quantity_kwh is not null
    group by
        instrument_months.instrument_id,
        instrument_months.company_id,
        instrument_months.site_id,
        instrument_months.commodity,
        instrument_months.month,
        instrument_months.quantity_kwh

),

findings as (

    select
        'no_emission_factor' as kind,
        company_id,
        site_id,
        meter_id,
        cast(null as {{ dbt.type_string() }}) as instrument_id,
        commodity,
        month,
        'location' as method,
        cast(activity_kwh as {{ dbt.type_numeric() }}) as quantity_kwh
    from meter_energy
    where co2e_location_kg is null
    union all
    select
        'no_source_ratio' as kind,
        company_id,
        site_id,
        meter_id,
        cast(null as {{ dbt.type_string() }}) as instrument_id,
        commodity,
        month,
        cast(null as {{ dbt.type_string() }}) as method,
        cast(activity_kwh as {{ dbt.type_numeric() }}) as quantity_kwh
    from meter_energy
    where source_energy_kbtu is null
    union all
    select
        'residual_mix_unavailable' as kind,
        company_id,
        site_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        cast(null as {{ dbt.type_string() }}) as instrument_id,
        commodity,
        month,
        'residual_mix' as method,
        cast(uncovered_kwh as {{ dbt.type_numeric() }}) as quantity_kwh
    from site_emissions
    where is_residual_mix_unavailable
    union all
    select
        'unused_instrument_quantity' as kind,
        company_id,
        site_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        instrument_id,
        commodity,
        month,
        'market' as method,
        cast(quantity_kwh - covered_kwh as {{ dbt.type_numeric() }})
            as quantity_kwh
    from instrument_use
    where quantity_kwh > covered_kwh

),

final as (

    select * from findings

)

select * from final
