{{ config(severity='warn') }}
{#- Warning: bills nobody supersedes that have charges to attribute but no
    meter with usage on them, so their charges (apart from line items
    naming a meter) cannot be attributed. -#}
with

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

usage_standardized as (

    select * from {{ ref('int_usage_standardized') }}

),

billed_documents as (

    select distinct document_id from usage_standardized

),

unattributable as (

    select
        documents.document_id,
        documents.account_id,
        documents.current_charges,
        documents.currency
    from documents
    left join billed_documents
        on documents.document_id = billed_documents.document_id
    where
        not documents.is_superseded
        and documents.current_charges != 0
        and billed_documents.document_id is null

)

select * from unattributable
