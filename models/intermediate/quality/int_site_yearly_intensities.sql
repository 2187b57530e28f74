{#- Counted usage per square foot of floor area, per site, commodity and
    calendar year, against the commodity's plausibility bound (seed
    intensity_bounds), for the implausible_intensity audit of
    dq_bill_audits. usage is the year's counted usage of the site's meters
    (fct_meter_monthly, all currencies; exclusion rows negative) in the
    commodity's standard unit, the unit the bounds are written in (a data
    test keeps them so). Floor area in square feet (1 m2 = 10.7639 ft2, six
    decimals); sites without a floor area above zero and unassigned meters
    are left out. is_above_bound compares exactly (usage > bound x area);
    usage_per_ft2 shows the ratio to six decimals. -#}
with

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

sites as (

    select * from {{ ref('dim_sites') }}

),

intensity_bounds as (

    select * from {{ ref('intensity_bounds') }}

),

site_areas as (

    select
        site_id,
        company_id,
        {{ floor_area_ft2() }} as floor_area_ft2
    from sites

),

site_year_usage as (

    select
        site_id,
        commodity,
        cast(extract(year from month) as integer) as usage_year,
        cast(sum(usage) as {{ dbt.type_numeric() }}) as usage
    from meter_monthly
    where site_id is not null
    group by
        site_id,
        commodity,
        cast(extract(year from month) as integer)

),

final as (

    select
        site_year_usage.site_id,
        site_areas.company_id,
        site_year_usage.commodity,
        site_year_usage.usage_year,
        site_year_usage.usage,
        intensity_bounds.usage_unit,
        site_areas.floor_area_ft2,
        {{ quotient_to_micros(
            'site_year_usage.usage', 'site_areas.floor_area_ft2'
        ) }} as usage_per_ft2,
        cast(
            intensity_bounds.max_usage_per_ft2_year as {{ dbt.type_numeric() }}
        ) as max_usage_per_ft2,
        site_year_usage.usage
        > intensity_bounds.max_usage_per_ft2_year
        * site_areas.floor_area_ft2 as is_above_bound
    from site_year_usage
    inner join site_areas
        on site_year_usage.site_id = site_areas.site_id
    inner join intensity_bounds
        on site_year_usage.commodity = intensity_bounds.commodity
    where site_areas.floor_area_ft2 > 0

)

select * from final
