{#- Energy performance per site and period (docs/methodology.md): each
    calendar_year with counted energy, and the trailing_12_months ending at the last
    complete month (the as-of month when the as-of date is its last day,
    else the month before). Source energy and the CO2e figures are null
    when any meter-month of the period lacks them (never a partial sum as
    a whole). months_complete counts the months of the period with ENERGY
    STAR coverage rows (dq_meter_month_coverage) for the site's energy
    commodities, all complete; EUIs = round(energy / ft2, 6), only for
    complete periods (12 of 12) with a floor area above zero. -#}
with

meter_energy as (

    select * from {{ ref('fct_meter_monthly_energy') }}
    where site_id is not null

),

site_emissions as (

    select * from {{ ref('fct_site_monthly_emissions') }}
    where site_id is not null

),

coverage as (

    select * from {{ ref('dq_meter_month_coverage') }}
    where
        site_id is not null
        and commodity in (
            {{ sql_string_list(
                var('scope_1_commodities') + var('scope_2_commodities')
            ) }}
        )

),

sites as (

    select * from {{ ref('dim_sites') }}

),

last_complete as (

    select {{ last_complete_month() }} as last_complete_month

),

site_months as (

    select
        site_id,
        company_id,
        month,
        sum(site_energy_kbtu) as site_energy_kbtu,
        sum(source_energy_kbtu) as source_energy_kbtu,
        count(*) as meter_months,
        count(source_energy_kbtu) as meter_months_with_source,
        sum(co2e_location_kg) as co2e_location_kg,
        count(co2e_location_kg) as meter_months_with_co2e
    from meter_energy
    group by site_id, company_id, month

),

market_months as (

    select
        site_id,
        month,
        sum(co2e_market_kg) as co2e_market_kg,
        count(*) as site_rows,
        count(co2e_market_kg) as site_rows_with_market
    from site_emissions
    group by site_id, month

),

complete_months as (

    select
        site_id,
        month
    from coverage
    group by site_id, month
    having min(case when status = 'complete' then 1 else 0 end) = 1

),

periods as (

    select distinct
        site_id,
        company_id,
        'calendar_year' as period_type,
        cast({{ dbt.date_trunc('year', 'month') }} as date) as period_start,
        cast({{ dbt.dateadd(
            'month', 11, dbt.date_trunc('year', 'month')
        ) }} as date) as last_month
    from site_months
    union all
    select distinct
        site_months.site_id,
        site_months.company_id,
        'trailing_12_months' as period_type,
        cast({{ dbt.dateadd(
            'month', -11, 'last_complete.last_complete_month'
        ) }} as date) as period_start,
        last_complete.last_complete_month as last_month
    from site_months
    cross join last_complete
    where
        site_months.month <= last_complete.last_complete_month
        and site_months.month > cast({{ dbt.dateadd(
            'month', -12, 'last_complete.last_complete_month'
        ) }} as date)

),

period_figures as (

    select
        periods.site_id,
        periods.company_id,
        periods.period_type,
        periods.period_start,
        periods.last_month,
        sum(site_months.site_energy_kbtu) as site_energy_kbtu,
        case
            when
                sum(site_months.meter_months)
                = sum(site_months.meter_months_with_source)
                then sum(site_months.source_energy_kbtu)
        end as source_energy_kbtu,
        case
            when
                sum(site_months.meter_months)
                = sum(site_months.meter_months_with_co2e)
                then sum(site_months.co2e_location_kg)
        end as co2e_location_kg,
        case
            when
                sum(market_months.site_rows)
                = sum(market_months.site_rows_with_market)
                then sum(market_months.co2e_market_kg)
        end as co2e_market_kg
    from periods
    inner join site_months
        on
            periods.site_id = site_months.site_id
            and periods.period_start <= site_months.month
            and periods.last_month >= site_months.month
    left join market_months
        on
            site_months.site_id = market_months.site_id
            and site_months.month = market_months.month
    group by
        periods.site_id,
        periods.company_id,
        periods.period_type,
        periods.period_start,
        periods.last_month

),

period_completeness as (

    select
        periods.site_id,
        periods.period_type,
        periods.period_start,
        count(complete_months.month) as months_complete
    from periods
    left join complete_months
        on
            periods.site_id = complete_months.site_id
            and periods.period_start <= complete_months.month
            and periods.last_month >= complete_months.month
    group by periods.site_id, periods.period_type, periods.period_start

),

site_areas as (

    select
        site_id,
        {{ floor_area_ft2() }} as gross_floor_area_ft2
    from sites

),

combined as (

    select
        period_figures.*,
        site_areas.gross_floor_area_ft2,
        cast(period_completeness.months_complete as integer)
            as months_complete,
        period_completeness.months_complete = 12 as is_complete
    from period_figures
    inner join period_completeness
        on
            period_figures.site_id = period_completeness.site_id
            and period_figures.period_type = period_completeness.period_type
            and period_figures.period_start = period_completeness.period_start
    left join site_areas
        on period_figures.site_id = site_areas.site_id

),

final as (

    select
        site_id,
        company_id,
        period_type,
        period_start,
        cast({{ dbt.last_day('last_month', 'month') }} as date) as period_end,
        cast(site_energy_kbtu as {{ dbt.type_numeric() }}) as site_energy_kbtu,
        cast(source_energy_kbtu as {{ dbt.type_numeric() }})
            as source_energy_kbtu,
        gross_floor_area_ft2,
        case
            when is_complete and gross_floor_area_ft2 > 0
                then {{ quotient_to_micros(
                    'site_energy_kbtu', 'gross_floor_area_ft2'
                ) }}
        end as site_eui_kbtu_per_ft2,
        case
            when
                is_complete
                and gross_floor_area_ft2 > 0
                and source_energy_kbtu is not null
                then {{ quotient_to_micros(
                    'source_energy_kbtu', 'gross_floor_area_ft2'
                ) }}
        end as source_eui_kbtu_per_ft2,
        cast(co2e_location_kg as {{ dbt.type_numeric() }}) as co2e_location_kg,
        cast(co2e_market_kg as {{ dbt.type_numeric() }}) as co2e_market_kg,
        months_complete,
        is_complete
    from combined

)

select * from final
