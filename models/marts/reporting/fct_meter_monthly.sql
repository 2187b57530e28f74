{#- Monthly usage and cost per meter and currency, only what analytics
    inclusion counts. usage is consumption (IMPORT rows, exclusion rows
    negative); export_usage and generation_usage are reported apart;
    net_usage = usage - export_usage. A meter's usage and cost follow the
    currency of the bills they come from. -#}
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
        ) as generation_usage
    from calendarized_usage
    where is_counted
    group by meter_id, month, currency

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
        meter_months.currency
    from meter_months
    inner join meters
        on meter_months.meter_id = meters.meter_id
    left join monthly_usage
        on
            meter_months.meter_id = monthly_usage.meter_id
            and meter_months.month = monthly_usage.month
            and meter_months.currency = monthly_usage.currency
    left join monthly_costs
        on
            meter_months.meter_id = monthly_costs.meter_id
            and meter_months.month = monthly_costs.month
            and meter_months.currency = monthly_costs.currency

)

select * from final
