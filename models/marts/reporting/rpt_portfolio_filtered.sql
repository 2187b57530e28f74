{#- The portfolio rollup for one portfolio filter, for a BI view or a
    scheduled extract: fct_meter_monthly rows selected by the var
    portfolio_filter (see macro portfolio_filter; default: everything),
    rolled up per company, site, commodity, month and currency. Implied
    sewer (flagged is_implied) is added only when the filter asks for it
    with include_implied: true; a tags filter then applies to the water
    meters that imply it. -#}
-- depends_on: {{ ref('dim_meter_tags') }}
{%- set filter = var('portfolio_filter', {}) or {} %}
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

metered_rows as (

    select
        meter_id,
        company_id,
        site_id,
        commodity,
        month,
        usage_unit,
        currency,
        false as is_implied,
        usage,
        export_usage,
        generation_usage,
        net_usage,
        cost
    from meter_monthly

),

implied_rows as (

    select
        meter_id,
        company_id,
        site_id,
        'SEWER' as commodity,
        month,
        usage_unit,
        currency,
        true as is_implied,
        implied_usage as usage,
        0 as export_usage,
        0 as generation_usage,
        implied_usage as net_usage,
        0 as cost
    from implied_sewer
    where {{ 'true' if filter.get('include_implied') else 'false' }}

),

candidate_rows as (

    select * from metered_rows
    union all
    select * from implied_rows

),

filtered as (

    select *
    from candidate_rows
    where
        {{ portfolio_filter(filter, tag_relation=ref('dim_meter_tags')) }}

),

rolled_up as (

    select
        company_id,
        site_id,
        commodity,
        month,
        usage_unit,
        currency,
        is_implied,
        sum(usage) as usage,
        sum(export_usage) as export_usage,
        sum(generation_usage) as generation_usage,
        sum(net_usage) as net_usage,
        sum(cost) as cost,
        count(distinct meter_id) as meter_count
    from filtered
    group by
        company_id,
        site_id,
        commodity,
        month,
        usage_unit,
        currency,
        is_implied

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
        cast(rolled_up.meter_count as integer) as meter_count,
        rolled_up.is_implied
    from rolled_up
    left join sites
        on rolled_up.site_id = sites.site_id

)

select * from final
