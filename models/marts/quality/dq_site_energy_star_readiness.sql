{#- ENERGY STAR readiness per site and commodity, from the meters' coverage:
    a site x commodity month is complete when it has at least one coverage
    row and all of them are complete. ready_through is the latest month
    that completes a run of 12 consecutive complete months (null when there
    is none); latest_complete_month the latest complete month. The month
    in progress (status in_progress) neither makes nor breaks a run. Unassigned
    meters have coverage but no readiness: ENERGY STAR rates buildings. -#}
with

coverage as (

    select * from {{ ref('dq_meter_month_coverage') }}

),

site_months as (

    select
        site_id,
        company_id,
        commodity,
        month,
        min(case when status = 'complete' then 1 else 0 end) as is_complete,
        max(case when estimated_usage != 0 then 1 else 0 end) as has_estimates
    from coverage
    where site_id is not null and status != 'in_progress'
    group by site_id, company_id, commodity, month

),

complete_months as (

    select
        site_id,
        commodity,
        month,
        {{ dbt.datediff("cast('1900-01-01' as date)", 'month', 'month') }}
        - row_number() over (
            partition by site_id, commodity order by month
        ) as run_number
    from site_months
    where is_complete = 1

),

run_positions as (

    select
        site_id,
        commodity,
        month,
        row_number() over (
            partition by site_id, commodity, run_number order by month
        ) as months_in_run
    from complete_months

),

readiness as (

    select
        site_id,
        commodity,
        max(month) as latest_complete_month,
        max(case when months_in_run >= 12 then month end) as ready_through
    from run_positions
    group by site_id, commodity

),

site_commodities as (

    select
        site_id,
        company_id,
        commodity,
        count(*) as coverage_months,
        sum(is_complete) as complete_months,
        sum(has_estimates) as estimated_months
    from site_months
    group by site_id, company_id, commodity

),

final as (

    select
        site_commodities.site_id,
        site_commodities.company_id,
        site_commodities.commodity,
        readiness.latest_complete_month,
        readiness.ready_through,
        readiness.ready_through is not null as is_energy_star_ready,
        cast(site_commodities.coverage_months as integer) as coverage_months,
        cast(site_commodities.complete_months as integer) as complete_months,
        cast(site_commodities.estimated_months as integer) as estimated_months
    from site_commodities
    left join readiness
        on
            site_commodities.site_id = readiness.site_id
            and site_commodities.commodity = readiness.commodity

)

select * from final
