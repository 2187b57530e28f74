with

meters as (

    select * from {{ ref('int_meters_clean') }}

),

accounts as (

    select * from {{ ref('int_accounts_linked_to_reporting_account') }}

),

sites as (

    select * from {{ ref('int_sites_archived') }}

),

primary_ids as (

    select * from {{ ref('int_meters_primary_id_resolved') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

meter_tags as (

    select * from {{ ref('int_meter_tags_clean') }}

),

tag_lists as (

    select
        meter_id,
        {{ dbt.listagg(
            'tag_name', "', '", 'order by ' ~ binary_collated('tag_name')
        ) }} as tags
    from meter_tags
    group by meter_id

),

final as (

    select
        meters.meter_id,
        meters.company_id,
        meters.account_id,
        accounts.reporting_account_id,
        accounts.reporting_account_number,
        accounts.provider_name,
        meters.site_id,
        coalesce(sites.site_name, 'Unassigned') as site_name,
        meters.commodity,
        commodities.standard_unit as usage_unit,
        primary_ids.primary_id,
        primary_ids.primary_id_type,
        primary_ids.primary_id_rule,
        meters.is_tracked,
        meters.is_duplicated,
        (
            meters.is_tracked
            and not meters.is_duplicated
            and accounts.reporting_account_status = 'ONBOARDED'
            and not coalesce(sites.is_archived, false)
        ) as is_active,
        meters.service_address,
        sites.address as site_address,
        tag_lists.tags
    from meters
    inner join accounts
        on meters.account_id = accounts.account_id
    inner join commodities
        on meters.commodity = commodities.commodity
    inner join primary_ids
        on meters.meter_id = primary_ids.meter_id
    left join sites
        on meters.site_id = sites.site_id
    left join tag_lists
        on meters.meter_id = tag_lists.meter_id

)

select * from final
