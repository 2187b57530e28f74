{#- Gaps, overlaps and odd periods in each meter's billing history. A
    meter's periods (int_meter_periods_collapsed) are ordered by start, end
    and bill; each (next) is compared with the earlier period that ends
    latest (previous):
      gap       next.start - previous.end - 1 > 0 days, dated from the day
                after previous.end to the day before next.start;
      overlap   next.start < previous.end, min(previous.end, next.end) -
                next.start + 1 days, dated next.start to that day.
    A shared boundary day (next.start = previous.end) is normal billing.
    Each period is also checked alone: short_period under
    dq_min_period_days (20), long_period over dq_max_period_days (40),
    future_period ending after the as-of date; these carry the period's
    own length and dates. document_id is the next period's bill for gaps
    and overlaps, the period's own bill otherwise. -#}
with

periods as (

    select * from {{ ref('int_meter_periods_collapsed') }}

),

meters as (

    select * from {{ ref('dim_meters') }}

),

ordered as (

    select
        meter_id,
        document_id,
        period_start,
        period_end,
        max(period_end) over (
            partition by meter_id
            order by
                period_start, period_end, {{ binary_collated('document_id') }}
            rows between unbounded preceding and 1 preceding
        ) as previous_end
    from periods

),

compared as (

    select
        *,
        {{ dbt.datediff('period_start', 'period_end', 'day') }}
        + 1 as period_days,
        {{ dbt.datediff('previous_end', 'period_start', 'day') }}
        - 1 as gap_days,
        least(previous_end, period_end) as overlap_end
    from ordered

),

issues as (

    select
        meter_id,
        document_id,
        'gap' as issue_type,
        gap_days as issue_days,
        cast({{ dbt.dateadd('day', 1, 'previous_end') }} as date)
            as issue_start,
        cast({{ dbt.dateadd('day', -1, 'period_start') }} as date)
            as issue_end
    from compared
    where gap_days > 0

    union all

    select
        meter_id,
        document_id,
        'overlap' as issue_type,
        {{ dbt.datediff('period_start', 'overlap_end', 'day') }}
        + 1 as issue_days,
        period_start as issue_start,
        overlap_end as issue_end
    from compared
    where period_start < previous_end

    union all

    select
        meter_id,
        document_id,
        'short_period' as issue_type,
        period_days as issue_days,
        period_start as issue_start,
        period_end as issue_end
    from compared
    where period_days < {{ var('dq_min_period_days') }}

    union all

    select
        meter_id,
        document_id,
        'long_period' as issue_type,
        period_days as issue_days,
        period_start as issue_start,
        period_end as issue_end
    from compared
    where period_days > {{ var('dq_max_period_days') }}

    union all

    select
        meter_id,
        document_id,
        'future_period' as issue_type,
        period_days as issue_days,
        period_start as issue_start,
        period_end as issue_end
    from compared
    where period_end > {{ as_of_date() }}

),

final as (

    select
        issues.meter_id,
        issues.document_id,
        issues.issue_type,
        cast(issues.issue_days as integer) as issue_days,
        issues.issue_start as period_start,
        issues.issue_end as period_end,
        meters.site_id,
        meters.company_id,
        meters.commodity
    from issues
    inner join meters
        on issues.meter_id = meters.meter_id

)

select * from final
