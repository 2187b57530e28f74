{#- Decides for every clean usage row whether it counts in analytics and,
    if not, the one reason why (macro analytics_exclusion_reason). Reasons
    are checked meter first, then bill, then account, then site, and the
    first that applies is recorded:
      untracked                       the meter is not tracked
      duplicate_meter                 the meter is flagged duplicated
      superseded_bill                 a revised bill replaced the row's bill
      account_status_<status>         the bill's account is DETECTED,
                                      INACTIVE or DUPLICATE (lower case)
      archived_site_after_stop_date   the meter's site is archived and the
                                      period starts after its stop date
    Incremental by bill: a run rebuilds only the bills whose fingerprint
    changed (int_document_fingerprints) and prunes rows of bills that are
    gone, giving exactly the rows of a full rebuild. -#}
{#- Materialized incremental (a table on Spark), on_schema_change per engine:
    see dbt_project.yml. -#}
{{ config(
    incremental_strategy='delete+insert',
    unique_key='document_id',
    post_hook="{{ prune_stale_document_rows(ref('int_document_fingerprints')) }}"
) }}
with

usage_standardized as (

    select * from {{ ref('int_usage_data_clean') }}

),

meters as (

    select * from {{ ref('int_meters_clean') }}

),

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

accounts as (

    select * from {{ ref('int_accounts_linked_to_reporting_account') }}

),

sites as (

    select * from {{ ref('int_sites_archived') }}

),

documents_to_build as (

    {{ documents_to_build(ref('int_document_fingerprints')) }}

),

assessed as (

    select
        usage_standardized.usage_id,
        usage_standardized.document_id,
        usage_standardized.meter_id,
        usage_standardized.start_date,
        usage_standardized.end_date,
        usage_standardized.commodity,
        usage_standardized.raw_usage,
        usage_standardized.raw_usage_unit,
        usage_standardized.standard_usage,
        usage_standardized.usage_unit,
        usage_standardized.standardization_method,
        usage_standardized.is_exclusion,
        usage_standardized.is_estimated,
        usage_standardized.net_metering_type,
        usage_standardized.demand_kw,
        usage_standardized.meter_match_method,
        meters.site_id,
        meters.company_id,
        documents.account_id,
        accounts.reporting_account_id,
        documents.currency,
        documents_to_build.document_fingerprint,
        {{ analytics_exclusion_reason(
            'meters', 'documents', 'accounts', 'sites',
            'usage_standardized.start_date'
        ) }} as exclusion_reason
    from usage_standardized
    inner join meters
        on usage_standardized.meter_id = meters.meter_id
    inner join documents
        on usage_standardized.document_id = documents.document_id
    inner join accounts
        on documents.account_id = accounts.account_id
    left join sites
        on meters.site_id = sites.site_id
    {{ build_join_type() }} join documents_to_build
        on usage_standardized.document_id = documents_to_build.document_id

),

final as (

    select
        *,
        exclusion_reason is null as is_counted
    from assessed

)

select * from final
