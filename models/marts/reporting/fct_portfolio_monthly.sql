{#- The portfolio rollup: monthly usage and cost per company, site,
    commodity and currency, from the meters' months (fct_meter_monthly).
    Meters without a site roll up under site_id null, site_name
    "Unassigned": they count in company totals, in no site's. -#}
with

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

sites as (

    select * from {{ ref('dim_sites') }}

),

rolled_up as (

    select
        company_id,
        site_id,
        commodity,
        month,
        usage_unit,
        currency,
        sum(usage) as usage,
        sum(export_usage) as export_usage,
        sum(generation_usage) as generation_usage,
        sum(net_usage) as net_usage,
        sum(cost) as cost,
        count(distinct meter_id) as meter_count
    from meter_monthly
    group by company_id, site_id, commodity, month, usage_unit, currency

),

final as (

    select
        rolled_up.company_id,
        rolled_up.site_id,
        coalesce(sites.site_name, 'Unassigned') as site_name,
        rolled_up.commodity,
        rolled_up.month,
        cast(rolled_up.usage as {{ dbt.type_numeric() }}) as usage,
        cast(rolled_up.export_usage as {{ dbt.type_numeric() }})
            as export_usage,
        cast(rolled_up.generation_usage as {{ dbt.type_numeric() }})
            as generation_usage,
        cast(rolled_up.net_usage as {{ dbt.type_numeric() }}) as net_usage,
        rolled_up.usage_unit,
        cast(rolled_up.cost as {{ dbt.type_numeric() }}) as cost,
        rolled_up.currency,
        cast(rolled_up.meter_count as integer) as meter_count
    from rolled_up
    left join sites
        on rolled_up.site_id = sites.site_id

)

select * from final
