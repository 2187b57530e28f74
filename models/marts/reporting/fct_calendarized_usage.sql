{#- The audit trail of monthly usage: every usage row that counts in
    analytics, spread over the calendar months its period overlaps by
    inclusive daily proration (macro calendarize). Summed by meter, month
    and currency it gives fct_meter_monthly exactly. `usage` is signed:
    exclusion rows are negative. -#}
with

assessed as (

    select * from {{ ref('int_usage_inclusion_assessed') }}

),

counted_rows as (

    select
        usage_id,
        document_id,
        meter_id,
        company_id,
        site_id,
        commodity,
        currency,
        start_date,
        end_date,
        net_metering_type,
        is_exclusion,
        usage_unit,
        case
            when is_exclusion then -standard_usage else standard_usage
        end as row_usage
    from assessed
    where is_counted

),

calendarized as (

    {{ calendarize('counted_rows', 'start_date', 'end_date', ['row_usage']) }}

),

final as (

    select
        usage_id,
        document_id,
        meter_id,
        company_id,
        site_id,
        commodity,
        month,
        start_date,
        end_date,
        cast(overlap_days as integer) as overlap_days,
        cast(period_days as integer) as period_days,
        net_metering_type,
        is_exclusion,
        row_usage,
        row_usage_in_month as usage,
        usage_unit,
        currency
    from calendarized

)

select * from final
