{#- Monthly usage and cost per meter and currency, only what analytics
    inclusion counts. usage is consumption (IMPORT rows, exclusion rows
    negative); export_usage and generation_usage are reported apart;
    net_usage = usage - export_usage; estimated_usage is the part of usage
    from estimated reads. A meter's usage and cost follow the currency of
    the bills they come from. peak_demand_kw is a peak, never prorated:
    each counted IMPORT, non-exclusion row with demand above zero belongs
    to the month holding most of its period's days (the later month on a
    tie), and the month shows the highest demand among its rows. -#}
with

calendarized_usage as (

    select * from {{ ref('fct_calendarized_usage') }}

),

calendarized_costs as (

    select * from {{ ref('fct_calendarized_costs') }}

),

meters as (

    select * from {{ ref('dim_meters') }}

),

counted_usage as (

    select * from calendarized_usage
    where is_counted

),

monthly_usage as (

    select
        meter_id,
        month,
        currency,
        sum(
            case when net_metering_type = 'IMPORT' then signed_usage else 0 end
        ) as usage,
        sum(
            case when net_metering_type = 'EXPORT' then signed_usage else 0 end
        ) as export_usage,
        sum(
            case
                when net_metering_type = 'GENERATION' then signed_usage else 0
            end
        ) as generation_usage,
        sum(
            case
                when net_metering_type = 'IMPORT' and is_estimated
                    then signed_usage
                else 0
            end
        ) as estimated_usage
    from counted_usage
    group by meter_id, month, currency

),

demand_months as (

    select
        meter_id,
        month,
        demand_kw,
        row_number() over (
            partition by usage_id
            order by overlap_days desc, month desc
        ) as month_rank
    from counted_usage
    where
        net_metering_type = 'IMPORT'
        and not is_exclusion
        and demand_kw > 0

),

monthly_peaks as (

    select
        meter_id,
        month,
        max(demand_kw) as peak_demand_kw
    from demand_months
    where month_rank = 1
    group by meter_id, month

),

monthly_costs as (

    select
        meter_id,
        month,
        currency,
        sum(cost) as cost
    from calendarized_costs
    where is_counted
    group by meter_id, month, currency

),

meter_months as (

    select
        meter_id,
        month,
        currency
    from monthly_usage
    union
    select
        meter_id,
        month,
        currency
    from monthly_costs

),

final as (

    select
        meter_months.meter_id,
        meters.site_id,
        meters.company_id,
        meters.commodity,
        meter_months.month,
        cast(coalesce(monthly_usage.usage, 0) as {{ dbt.type_numeric() }})
            as usage,
        cast(
            coalesce(monthly_usage.export_usage, 0)
            as {{ dbt.type_numeric() }}
        ) as export_usage,
        cast(
            coalesce(monthly_usage.generation_usage, 0)
            as {{ dbt.type_numeric() }}
        ) as generation_usage,
        cast(
            coalesce(monthly_usage.usage, 0)
            - coalesce(monthly_usage.export_usage, 0)
            as {{ dbt.type_numeric() }}
        ) as net_usage,
        meters.usage_unit,
        cast(coalesce(monthly_costs.cost, 0) as {{ dbt.type_numeric() }})
            as cost,
        meter_months.currency,
        cast(
            coalesce(monthly_usage.estimated_usage, 0)
            as {{ dbt.type_numeric() }}
        ) as estimated_usage,
        cast(monthly_peaks.peak_demand_kw as {{ dbt.type_numeric() }})
            as peak_demand_kw
    from meter_months
    inner join meters
        on meter_months.meter_id = meters.meter_id
    left join monthly_usage
        on
            meter_months.meter_id = monthly_usage.meter_id
            and meter_months.month = monthly_usage.month
            and {{ null_safe_equals(
                'meter_months.currency', 'monthly_usage.currency'
            ) }}
    left join monthly_costs
        on
            meter_months.meter_id = monthly_costs.meter_id
            and meter_months.month = monthly_costs.month
            and {{ null_safe_equals(
                'meter_months.currency', 'monthly_costs.currency'
            ) }}
    left join monthly_peaks
        on
            meter_months.meter_id = monthly_peaks.meter_id
            and meter_months.month = monthly_peaks.month

)

select * from final
