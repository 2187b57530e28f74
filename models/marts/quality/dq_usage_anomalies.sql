{#- Year-over-year usage anomalies: a meter-month (its fct_meter_monthly
    usage over all its currency rows) complete over the whole month
    (covered_days = required_days = the month's days), whose same month a
    year earlier is complete over the whole month too with usage above
    zero, and whose change_ratio = usage / usage_prior_year - 1 is, in
    absolute value, strictly greater than dq_yoy_change_threshold (0.5).
    The comparison is exact (|usage - prior| > threshold x prior); the
    ratio is shown to six decimals, rounded half away from zero. -#}
with

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

coverage as (

    select * from {{ ref('dq_meter_month_coverage') }}

),

meter_month_usage as (

    select
        meter_id,
        site_id,
        company_id,
        commodity,
        usage_unit,
        month,
        sum(usage) as usage
    from meter_monthly
    group by meter_id, site_id, company_id, commodity, usage_unit, month

),

whole_months as (

    select
        meter_id,
        month
    from coverage
    where
        covered_days = required_days
        and required_days
        = {{ dbt.datediff(
            'month', dbt.dateadd('month', 1, 'month'), 'day'
        ) }}

),

complete_usage as (

    select meter_month_usage.*
    from meter_month_usage
    inner join whole_months
        on
            meter_month_usage.meter_id = whole_months.meter_id
            and meter_month_usage.month = whole_months.month

),

compared as (

    select
        current_year.meter_id,
        current_year.site_id,
        current_year.company_id,
        current_year.commodity,
        current_year.usage_unit,
        current_year.month,
        current_year.usage,
        prior_year.usage as usage_prior_year
    from complete_usage as current_year
    inner join complete_usage as prior_year
        on
            current_year.meter_id = prior_year.meter_id
            and prior_year.month = cast(
                {{ dbt.dateadd('month', -12, 'current_year.month') }} as date
            )
    where prior_year.usage > 0

),

final as (

    select
        meter_id,
        site_id,
        company_id,
        commodity,
        month,
        cast(usage as {{ dbt.type_numeric() }}) as usage,
        cast(usage_prior_year as {{ dbt.type_numeric() }}) as usage_prior_year,
        cast(
            {{ divide_half_away_from_zero(
                scaled_to_micros('usage - usage_prior_year') ~ ' * 1000000',
                scaled_to_micros('usage_prior_year')
            ) }} * cast(0.000001 as decimal(7, 6))
            as {{ dbt.type_numeric() }}
        ) as change_ratio,
        usage_unit
    from compared
    where
        abs(usage - usage_prior_year)
        > {{ var('dq_yoy_change_threshold') }} * usage_prior_year

)

select * from final
