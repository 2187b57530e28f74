{#- Attributed cost per bill and meter (bills nobody supersedes), with the
    amount each allocation method contributed and whether the cost counts
    in analytics (same rule as usage, judged on the bill's start date).
    Incremental by bill (see int_document_fingerprints): a run rebuilds only
    the bills whose fingerprint changed and prunes rows of bills that are
    gone, giving exactly the rows of a full rebuild. -#}
{#- Materialized incremental (a table on Spark), on_schema_change per engine:
    see dbt_project.yml. -#}
{{ config(
    incremental_strategy='delete+insert',
    unique_key='document_id',
    post_hook="{{ prune_stale_document_rows(ref('int_document_fingerprints')) }}"
) }}
with

all_costs_allocated as (

    select * from {{ ref('int_bill_costs_allocated') }}

),

costs_allocated as (

    select *
    from all_costs_allocated
    where {{ built_documents_filter('document_id') }}

),

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

meters as (

    select * from {{ ref('int_meters_clean') }}

),

accounts as (

    select * from {{ ref('int_accounts_linked_to_reporting_account') }}

),

sites as (

    select * from {{ ref('int_sites_archived') }}

),

method_costs as (

    select
        document_id,
        meter_id,
        document_fingerprint,
        allocation_method,
        case allocation_method
            when 'direct' then 1
            when 'demand_share' then 2
            when 'usage_share' then 3
            else 4
        end as method_order,
        sum(attributed_cost) as method_cost
    from costs_allocated
    group by document_id, meter_id, document_fingerprint, allocation_method

),

bill_meter_costs as (

    select
        document_id,
        meter_id,
        document_fingerprint,
        sum(method_cost) as attributed_cost,
        sum(case when allocation_method = 'direct' then method_cost end)
            as direct_cost,
        sum(case when allocation_method = 'demand_share' then method_cost end)
            as demand_share_cost,
        sum(case when allocation_method = 'usage_share' then method_cost end)
            as usage_share_cost,
        sum(case when allocation_method = 'even_split' then method_cost end)
            as even_split_cost,
        {{ dbt.listagg('allocation_method', "'+'", 'order by method_order') }}
            as allocation_method
    from method_costs
    group by document_id, meter_id, document_fingerprint

),

judged as (

    select
        bill_meter_costs.document_id,
        bill_meter_costs.meter_id,
        documents.account_id,
        meters.company_id,
        meters.site_id,
        meters.commodity,
        documents.start_date,
        documents.bill_date,
        documents.currency,
        cast(bill_meter_costs.attributed_cost as {{ dbt.type_numeric() }})
            as attributed_cost,
        bill_meter_costs.allocation_method,
        cast(
            coalesce(bill_meter_costs.direct_cost, 0)
            as {{ dbt.type_numeric() }}
        ) as direct_cost,
        cast(
            coalesce(bill_meter_costs.demand_share_cost, 0)
            as {{ dbt.type_numeric() }}
        ) as demand_share_cost,
        cast(
            coalesce(bill_meter_costs.usage_share_cost, 0)
            as {{ dbt.type_numeric() }}
        ) as usage_share_cost,
        cast(
            coalesce(bill_meter_costs.even_split_cost, 0)
            as {{ dbt.type_numeric() }}
        ) as even_split_cost,
        {{ analytics_exclusion_reason(
            'meters', 'documents', 'accounts', 'sites', 'documents.start_date'
        ) }} as exclusion_reason,
        bill_meter_costs.document_fingerprint
    from bill_meter_costs
    inner join documents
        on bill_meter_costs.document_id = documents.document_id
    inner join meters
        on bill_meter_costs.meter_id = meters.meter_id
    inner join accounts
        on documents.account_id = accounts.account_id
    left join sites
        on meters.site_id = sites.site_id

),

final as (

    select
        *,
        exclusion_reason is null as is_counted
    from judged

)

select * from final
