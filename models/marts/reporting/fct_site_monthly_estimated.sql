{#- Mirror-site estimates: for a site S whose mirror_site_id names a clean
    site M, and each commodity c of S's tracked, non-duplicated meters,
    every month from M's first month with counted usage of c through the
    as-of month in which S has no counted usage of c and M has some (so
    months before M's first are never reached) gets an estimate: M's counted usage of c in that month (all currencies
    together) times scale_factor = S's gross floor area / M's, both in
    square feet (1 m2 = 10.7639 ft2), when both are above zero, else 1.
    "Counted usage" is a counted IMPORT usage row with a part in the month.
    The estimate is exact to six decimals (half away from zero; the ratio
    is applied in full, scale_factor shows it to six decimals). Estimates
    live only here, flagged is_estimated, never in actual rollups. -#}
with

sites as (

    select * from {{ ref('dim_sites') }}

),

meters as (

    select * from {{ ref('dim_meters') }}

),

calendarized_usage as (

    select * from {{ ref('fct_calendarized_usage') }}

),

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

site_areas as (

    select
        site_id,
        mirror_site_id,
        case
            when gross_floor_area_units = 'SQ_M'
                then gross_floor_area * 10.7639
            when gross_floor_area_units = 'SQ_FT' then gross_floor_area
        end as floor_area_sq_ft
    from sites

),

site_area_units as (

    {#- Square feet as a whole number of 10^-10 ft2 (exact: six decimals of
        area times a four-decimal factor), for an exact ratio. -#}
    select
        site_id,
        mirror_site_id,
        floor_area_sq_ft,
        cast(floor_area_sq_ft * 10000000000 as decimal(38, 0))
            as floor_area_units
    from site_areas

),

mirrored_commodities as (

    select distinct
        meters.site_id,
        site_areas.mirror_site_id,
        meters.commodity
    from meters
    inner join site_areas
        on meters.site_id = site_areas.site_id
    where
        site_areas.mirror_site_id is not null
        and meters.is_tracked
        and not meters.is_duplicated

),

counted_site_months as (

    select distinct
        site_id,
        commodity,
        month
    from calendarized_usage
    where
        is_counted
        and net_metering_type = 'IMPORT'
        and site_id is not null

),

mirror_usage as (

    select
        site_id,
        commodity,
        month,
        sum(usage) as usage
    from meter_monthly
    where site_id is not null
    group by site_id, commodity, month

),

estimated as (

    select
        mirrored_commodities.site_id,
        mirrored_commodities.mirror_site_id,
        mirrored_commodities.commodity,
        counted_mirror.month,
        mirror_usage.usage as mirror_usage,
        own_area.floor_area_units as site_area_units,
        mirror_area.floor_area_units as mirror_area_units,
        coalesce(
            own_area.floor_area_sq_ft > 0
            and mirror_area.floor_area_sq_ft > 0,
            false
        ) as is_scaled
    from mirrored_commodities
    inner join counted_site_months as counted_mirror
        on
            mirrored_commodities.mirror_site_id = counted_mirror.site_id
            and mirrored_commodities.commodity = counted_mirror.commodity
            and counted_mirror.month
            <= cast({{ dbt.date_trunc('month', as_of_date()) }} as date)
    inner join mirror_usage
        on
            counted_mirror.site_id = mirror_usage.site_id
            and counted_mirror.commodity = mirror_usage.commodity
            and counted_mirror.month = mirror_usage.month
    left join counted_site_months as counted_own
        on
            mirrored_commodities.site_id = counted_own.site_id
            and mirrored_commodities.commodity = counted_own.commodity
            and counted_mirror.month = counted_own.month
    inner join site_area_units as own_area
        on mirrored_commodities.site_id = own_area.site_id
    inner join site_area_units as mirror_area
        on mirrored_commodities.mirror_site_id = mirror_area.site_id
    where counted_own.site_id is null

),

final as (

    select
        estimated.site_id,
        estimated.mirror_site_id,
        estimated.commodity,
        estimated.month,
        cast(
            case
                when estimated.is_scaled
                    then
                        {{ divide_half_away_from_zero(
                            scaled_to_micros('estimated.mirror_usage')
                            ~ ' * estimated.site_area_units',
                            'estimated.mirror_area_units'
                        ) }} * cast(0.000001 as decimal(7, 6))
                else estimated.mirror_usage
            end
            as {{ dbt.type_numeric() }}
        ) as estimated_usage,
        commodities.standard_unit as usage_unit,
        cast(
            case
                when estimated.is_scaled
                    then
                        {{ divide_half_away_from_zero(
                            'estimated.site_area_units * 1000000',
                            'estimated.mirror_area_units'
                        ) }} * cast(0.000001 as decimal(7, 6))
                else 1
            end
            as {{ dbt.type_numeric() }}
        ) as scale_factor,
        true as is_estimated
    from estimated
    inner join commodities
        on estimated.commodity = commodities.commodity

)

select * from final
