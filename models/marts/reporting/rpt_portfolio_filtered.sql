{#- The portfolio rollup for one portfolio filter, for a BI view or a
    scheduled extract: fct_meter_monthly rows selected by the var
    portfolio_filter (see macro portfolio_filter; default: everything),
    rolled up per company, site, commodity, month and currency. -#}
-- depends_on: {{ ref('dim_meter_tags') }}
with

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

sites as (

    select * from {{ ref('dim_sites') }}

),

filtered as (

    select *
    from meter_monthly
    where
        {{ portfolio_filter(
            var('portfolio_filter', {}), tag_relation=ref('dim_meter_tags')
        ) }}

),

rolled_up as (

    select
        filtered.company_id,
        filtered.site_id,
        coalesce(sites.site_name, 'Unassigned') as site_name,
        filtered.commodity,
        filtered.month,
        filtered.usage_unit,
        filtered.currency,
        sum(filtered.usage) as usage,
        sum(filtered.export_usage) as export_usage,
        sum(filtered.generation_usage) as generation_usage,
        sum(filtered.net_usage) as net_usage,
        sum(filtered.cost) as cost,
        count(distinct filtered.meter_id) as meter_count
    from filtered
    left join sites
        on filtered.site_id = sites.site_id
    group by
        filtered.company_id,
        filtered.site_id,
        sites.site_name,
        filtered.commodity,
        filtered.month,
        filtered.usage_unit,
        filtered.currency

)

select * from rolled_up
