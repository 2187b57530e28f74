{#- Example analysis: one site's usage and cost per commodity and year,
    reusing the portfolio_filter macro. Compile it with
        dbt compile --profiles-dir . -s site_year_by_commodity
            --vars '{analysis_filter: {sites: [S000001]}}'
    and run the SQL in target/compiled/ against the warehouse. -#}
with

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

selected as (

    select *
    from meter_monthly
    where
        {{ portfolio_filter(
            var('analysis_filter', {}), tag_relation=ref('dim_meter_tags')
        ) }}

),

yearly as (

    select
        site_id,
        commodity,
        {{ dbt.date_trunc('year', 'month') }} as year_start,
        usage_unit,
        currency,
        sum(usage) as usage,
        sum(net_usage) as net_usage,
        sum(cost) as cost
    from selected
    group by
        site_id,
        commodity,
        {{ dbt.date_trunc('year', 'month') }},
        usage_unit,
        currency

)

select * from yearly
