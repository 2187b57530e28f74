{#- Coverage: for every tracked, non-duplicated meter with at least one
    period (int_meter_periods_collapsed), its required window runs from its
    earliest period start to the site's data_collection_stop_date when the
    site is archived; else to its latest period end when its reporting
    account is not ONBOARDED; else to the as-of date. One row per calendar
    month the window touches: required_days (days of the month inside the
    window), covered_days (those inside at least one period) and status
    (complete, partial or missing; in_progress for the month in progress,
    the as-of month when the as-of date is not its last day, so that it
    is never read as missing data). Unassigned meters have rows too
    (site_id null). Overlapping periods are merged first, so a day counts once.
    usage and estimated_usage (all currency rows of fct_meter_monthly) show
    how much of the month's counted usage comes from estimated reads. -#}
with

periods as (

    select * from {{ ref('int_meter_periods_collapsed') }}

),

meters as (

    select * from {{ ref('dim_meters') }}

),

accounts as (

    select * from {{ ref('int_accounts_linked_to_reporting_account') }}

),

sites as (

    select * from {{ ref('int_sites_archived') }}

),

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

monthly_usage as (

    select
        meter_id,
        month,
        sum(usage) as usage,
        sum(estimated_usage) as estimated_usage
    from meter_monthly
    group by meter_id, month

),

meter_spans as (

    select
        meter_id,
        min(period_start) as first_period_start,
        max(period_end) as last_period_end
    from periods
    group by meter_id

),

windows as (

    select
        meters.meter_id,
        meters.site_id,
        meters.company_id,
        meters.commodity,
        meter_spans.first_period_start as window_start,
        case
            when sites.is_archived then sites.data_collection_stop_date
            when accounts.reporting_account_status != 'ONBOARDED'
                then meter_spans.last_period_end
            else {{ as_of_date() }}
        end as window_end
    from meter_spans
    inner join meters
        on meter_spans.meter_id = meters.meter_id
    inner join accounts
        on meters.account_id = accounts.account_id
    left join sites
        on meters.site_id = sites.site_id
    where meters.is_tracked and not meters.is_duplicated

),

open_windows as (

    select * from windows
    where window_end >= window_start

),

ordered_periods as (

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
        ) as latest_end_before
    from periods

),

island_starts as (

    select
        meter_id,
        period_start,
        period_end,
        sum(
            case
                when
                    latest_end_before is null
                    or period_start
                    > {{ dbt.dateadd('day', 1, 'latest_end_before') }}
                    then 1
                else 0
            end
        ) over (
            partition by meter_id
            order by
                period_start, period_end, {{ binary_collated('document_id') }}
            rows between unbounded preceding and current row
        ) as island_number
    from ordered_periods

),

islands as (

    select
        meter_id,
        island_number,
        min(period_start) as island_start,
        max(period_end) as island_end
    from island_starts
    group by meter_id, island_number

),

window_months as (

    {{ expand_month_offsets('open_windows', 'window_start', 'window_end') }}

),

window_month_starts as (

    select
        meter_id,
        site_id,
        company_id,
        commodity,
        window_start,
        window_end,
        cast({{ dbt.dateadd(
            'month', 'month_offset', dbt.date_trunc('month', 'window_start')
        ) }} as date) as month
    from window_months

),

window_month_bounds as (

    select
        *,
        cast({{ dbt.last_day('month', 'month') }} as date) as month_end
    from window_month_starts

),

months_required as (

    select
        *,
        {{ dbt.datediff(
            'greatest(window_start, month)', 'least(window_end, month_end)',
            'day'
        ) }} + 1 as required_days
    from window_month_bounds

),

covered as (

    select
        months_required.meter_id,
        months_required.month,
        sum(
            {{ dbt.datediff(
                'greatest(islands.island_start, months_required.month, '
                ~ 'months_required.window_start)',
                'least(islands.island_end, months_required.month_end, '
                ~ 'months_required.window_end)',
                'day'
            ) }} + 1
        ) as covered_days
    from months_required
    inner join islands
        on
            months_required.meter_id = islands.meter_id
            and months_required.month_end >= islands.island_start
            and months_required.month <= islands.island_end
            and months_required.window_end >= islands.island_start
            and months_required.window_start <= islands.island_end
    group by months_required.meter_id, months_required.month

),

final as (

    select
        months_required.meter_id,
        months_required.site_id,
        months_required.company_id,
        months_required.commodity,
        months_required.month,
        cast(months_required.required_days as integer) as required_days,
        cast(coalesce(covered.covered_days, 0) as integer) as covered_days,
        case
            when
                months_required.month > {{ last_complete_month() }}
                and months_required.month <= {{ as_of_date() }}
                then 'in_progress'
            when coalesce(covered.covered_days, 0) = 0 then 'missing'
            when covered.covered_days = months_required.required_days
                then 'complete'
            else 'partial'
        end as status,
        months_required.window_start,
        months_required.window_end,
        cast(coalesce(monthly_usage.usage, 0) as {{ dbt.type_numeric() }})
            as usage,
        cast(
            coalesce(monthly_usage.estimated_usage, 0)
            as {{ dbt.type_numeric() }}
        ) as estimated_usage
    from months_required
    left join covered
        on
            months_required.meter_id = covered.meter_id
            and months_required.month = covered.month
    left join monthly_usage
        on
            months_required.meter_id = monthly_usage.meter_id
            and months_required.month = monthly_usage.month

)

select * from final
