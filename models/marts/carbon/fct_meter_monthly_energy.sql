{#- Energy and location-based emissions per meter-month
    (docs/methodology.md), energy commodities only. Every quantity is an exact decimal rounded to six
    places, half away from zero (product_to_micros, or the cast to
    numeric(28,6) of a sum), at the step
    where it is named:
      site_energy_kbtu   = round(activity x 3.412, 6) for ELECTRICITY,
                           round(activity x 3.412141633, 6) for the others;
      source_energy_kbtu = round(site_energy_kbtu x ratio, 6), the ratio of
                           the site's country and the commodity
                           (source_site_ratios), null without one;
      co2_kg, ch4_kg, n2o_kg = round(activity x factor, 6), the location
                           factor of int_meter_month_factors, null without
                           one (never a silent zero);
      co2e_location_kg   = round(co2 + ch4 x gwp_ch4 + n2o x gwp_n2o, 6). -#}
{%- set kbtu_per_kwh -%}
    case
        when activity.commodity = 'ELECTRICITY'
            then cast({{ var('kbtu_per_kwh_electricity') }} as decimal(12, 9))
        else cast({{ var('kbtu_per_kwh_other') }} as decimal(12, 9))
    end
{%- endset %}

with

activity as (

    select * from {{ ref('int_meter_monthly_activity') }}

),

meter_month_factors as (

    select * from {{ ref('int_meter_month_factors') }}

),

source_site_ratios as (

    select * from {{ ref('source_site_ratios') }}

),

location_factors as (

    select * from meter_month_factors
    where method = 'location'

),

energy as (

    select
        activity.*,
        {{ product_to_micros('activity.activity_kwh', kbtu_per_kwh) }}
            as site_energy_kbtu,
        cast(source_site_ratios.ratio as decimal(10, 6)) as source_site_ratio,
        {{ product_to_micros(
            'activity.activity_kwh', 'location_factors.co2_kg_per_kwh'
        ) }} as co2_kg,
        {{ product_to_micros(
            'activity.activity_kwh', 'location_factors.ch4_kg_per_kwh'
        ) }} as ch4_kg,
        {{ product_to_micros(
            'activity.activity_kwh', 'location_factors.n2o_kg_per_kwh'
        ) }} as n2o_kg,
        location_factors.factor_region,
        location_factors.factor_year,
        location_factors.factor_source
    from activity
    left join source_site_ratios
        on
            activity.country_code = upper(trim(source_site_ratios.country))
            and activity.commodity = upper(trim(source_site_ratios.commodity))
    left join location_factors
        on
            activity.meter_id = location_factors.meter_id
            and activity.month = location_factors.month

),

final as (

    select
        meter_id,
        site_id,
        company_id,
        commodity,
        scope,
        month,
        activity_kwh,
        site_energy_kbtu,
        source_site_ratio,
        {{ product_to_micros('site_energy_kbtu', 'source_site_ratio') }}
            as source_energy_kbtu,
        co2_kg,
        ch4_kg,
        n2o_kg,
        cast(
            co2_kg
            + cast(ch4_kg as decimal(24, 6))
            * cast({{ var('gwp_ch4') }} as decimal(9, 6))
            + cast(n2o_kg as decimal(24, 6))
            * cast({{ var('gwp_n2o') }} as decimal(9, 6))
            as {{ dbt.type_numeric() }}
        ) as co2e_location_kg,
        factor_region,
        factor_year,
        factor_source,
        cast({{ var('gwp_ch4') }} as decimal(12, 6)) as gwp_ch4,
        cast({{ var('gwp_n2o') }} as decimal(12, 6)) as gwp_n2o
    from energy

)

select * from final
