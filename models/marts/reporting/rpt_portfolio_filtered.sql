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
    group by
        filtered.company_id,
        filtered.site_id,
        filtered.commodity,
        filtered.month,
        filtered.usage_unit,
        filtered.currency

),

final as (

    select
        rolled_up.company_id,
        rolled_up.site_id,
        coalesce(sites.site_name, 'Unassigned') as site_name,
        rolled_up.commodity,
        rolled_up.month,
        rolled_up.usage_unit,
        rolled_up.currency,
        cast(rolled_up.usage as {{ dbt.type_numeric() }}) as usage,
        cast(rolled_up.export_usage as {{ dbt.type_numeric() }})
            as export_usage,
        cast(rolled_up.generation_usage as {{ dbt.type_numeric() }})
            as generation_usage,
        cast(rolled_up.net_usage as {{ dbt.type_numeric() }}) as net_usage,
        cast(rolled_up.cost as {{ dbt.type_numeric() }}) as cost,
        cast(rolled_up.meter_count as integer) as meter_count
    from rolled_up
    left join sites
        on rolled_up.site_id = sites.site_id

)

select * from final
