{#- The portfolio rollup: monthly usage and cost per company, site,
    commodity and currency, from the meters' months (fct_meter_monthly),
    plus implied sewer (int_sewer_usage_implied) as SEWER rows flagged
    is_implied (usage only, cost 0; meter_count counts the water meters
    that imply them). is_implied is false on every metered row and part of
    the grain. Meters without a site roll up under site_id null, site_name
    "Unassigned": they count in company totals, in no site's. -#}
with

meter_monthly as (

    select * from {{ ref('fct_meter_monthly') }}

),

implied_sewer as (

    select * from {{ ref('int_sewer_usage_implied') }}

),

sites as (

    select * from {{ ref('dim_sites') }}

),

metered as (

    select
        company_id,
        site_id,
        commodity,
        month,
        usage_unit,
        currency,
        false as is_implied,
        sum(usage) as usage,
        sum(export_usage) as export_usage,
        sum(generation_usage) as generation_usage,
        sum(net_usage) as net_usage,
        sum(cost) as cost,
        count(distinct meter_id) as meter_count
    from meter_monthly
    group by company_id, site_id, commodity, month, usage_unit, currency

),

implied as (

    select
        company_id,
        site_id,
        'SEWER' as commodity,
        month,
        usage_unit,
        currency,
        true as is_implied,
        sum(implied_usage) as usage,
        0 as export_usage,
        0 as generation_usage,
        sum(implied_usage) as net_usage,
        0 as cost,
        count(distinct meter_id) as meter_count
    from implied_sewer
    group by company_id, site_id, month, usage_unit, currency

),

rolled_up as (

    select * from metered
    union all
    select * from implied

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
        cast(rolled_up.meter_count as integer) as meter_count,
        rolled_up.is_implied
    from rolled_up
    left join sites
        on rolled_up.site_id = sites.site_id

)

select * from final
