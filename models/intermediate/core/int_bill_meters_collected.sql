{#- The meters of every bill nobody supersedes: the meters with clean usage
    rows on it plus the clean meters its clean line items name (whether or
    not they count in analytics: inclusion is applied after attribution).
    One row per bill and meter, with the weights cost attribution uses:
      usage_for_share  the sum of the meter's consumption rows on the bill
                       (IMPORT, not exclusion; 0 when it has none); a
                       negative row (field issue negative_usage) counts as
                       billed but weighs zero here;
      demand_weight    its highest demand above zero on such a row (0 when
                       none: the meter is not a demand meter of the bill).
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

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

usage_standardized as (

    select * from {{ ref('int_usage_data_clean') }}

),

line_items as (

    select * from {{ ref('int_line_items_clean') }}

),

meters as (

    select * from {{ ref('int_meters_clean') }}

),

documents_to_build as (

    {{ documents_to_build(ref('int_document_fingerprints')) }}

),

current_documents as (

    select
        documents.document_id,
        documents_to_build.document_fingerprint
    from documents
    {{ build_join_type() }} join documents_to_build
        on documents.document_id = documents_to_build.document_id
    where not documents.is_superseded

),

usage_weights as (

    select
        usage_standardized.document_id,
        usage_standardized.meter_id,
        sum(
            case
                when
                    usage_standardized.net_metering_type = 'IMPORT'
                    and not usage_standardized.is_exclusion
                    and usage_standardized.standard_usage > 0
                    then usage_standardized.standard_usage
                else 0
            end
        ) as usage_for_share,
        max(
            case
                when
                    usage_standardized.net_metering_type = 'IMPORT'
                    and not usage_standardized.is_exclusion
                    and usage_standardized.demand_kw > 0
                    then usage_standardized.demand_kw
            end
        ) as demand_weight
    from usage_standardized
    inner join current_documents
        on usage_standardized.document_id = current_documents.document_id
    group by usage_standardized.document_id, usage_standardized.meter_id

),

line_item_meters as (

    select distinct
        line_items.document_id,
        line_items.meter_id
    from line_items
    inner join current_documents
        on line_items.document_id = current_documents.document_id
    where line_items.meter_id is not null

),

bill_meter_keys as (

    select
        document_id,
        meter_id
    from usage_weights
    union
    select
        document_id,
        meter_id
    from line_item_meters

),

collected as (

    select
        bill_meter_keys.document_id,
        bill_meter_keys.meter_id,
        meters.commodity,
        cast(
            coalesce(usage_weights.usage_for_share, 0)
            as {{ dbt.type_numeric() }}
        ) as usage_for_share,
        cast(
            coalesce(usage_weights.demand_weight, 0)
            as {{ dbt.type_numeric() }}
        ) as demand_weight,
        usage_weights.meter_id is not null as has_usage_rows,
        current_documents.document_fingerprint
    from bill_meter_keys
    inner join current_documents
        on bill_meter_keys.document_id = current_documents.document_id
    inner join meters
        on bill_meter_keys.meter_id = meters.meter_id
    left join usage_weights
        on
            bill_meter_keys.document_id = usage_weights.document_id
            and bill_meter_keys.meter_id = usage_weights.meter_id

)

select * from collected
